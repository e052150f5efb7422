"""Small filesystem helpers shared by the cache-keeping modules."""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


def user_cache_dir() -> str:
    """graft's per-user cache directory, as ``platformdirs.user_cache_dir("graft")`` gives it.

    On Linux, for an absolute ``$XDG_CACHE_HOME`` or an unset one with an absolute ``$HOME``,
    the XDG rule is applied here, because importing platformdirs (pathlib, tempfile, urllib)
    costs a warm sync 10 ms; ``tests/unit/test_fs.py`` checks that both agree.
    """
    import sys  # noqa: PLC0415

    if sys.platform.startswith("linux"):  # the common cases; anything unusual: platformdirs
        xdg, home = os.environ.get("XDG_CACHE_HOME", ""), os.environ.get("HOME", "")
        if os.path.isabs(xdg):
            return os.path.join(xdg, "graft")
        if not xdg and os.path.isabs(home):
            return os.path.join(home, ".cache", "graft")
    from platformdirs import user_cache_dir as platform_cache_dir  # noqa: PLC0415

    return platform_cache_dir("graft")


def cache_root() -> str:
    """Where graft keeps caches other than the store: ``$GRAFT_CACHE_DIR`` or the user's."""
    return os.environ.get("GRAFT_CACHE_DIR") or user_cache_dir()


def write_atomic(path: str, text: str, *, mode: int | None = None) -> None:
    """Write *text* to *path* through ``<path>.tmp.<pid>`` and a rename: readers see old or new.

    The temporary file is removed if anything fails (a full disk, say); one left by a killed
    process keeps that spelling, which the store's sweeps look for.
    """
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def remember(path: str, text: str) -> None:
    """Best-effort cache write: a read-only or full cache only costs recomputing next time."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, text)
    except OSError:
        pass


@contextlib.contextmanager
def flock(
    path: str, on_wait: Callable[[], None] | None = None, timeout: float | None = None
) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on *path* (created if need be); yield whether it is held.

    When another process holds it: call ``on_wait()``, then wait for ever (*timeout* None),
    not at all (0), or that many seconds, after which this yields False without the lock.
    The same lock as filelock's ``UnixFileLock`` takes, without its import cost (asyncio),
    which a warm sync cannot afford. The kernel drops the lock when the process dies.
    """

    fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        yield _acquire(fd, on_wait, timeout)
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def _acquire(fd: int, on_wait: Callable[[], None] | None, timeout: float | None) -> bool:
    import fcntl  # noqa: PLC0415
    import time  # noqa: PLC0415

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if timeout == 0:
            return False
        if on_wait is not None:
            on_wait()
        if timeout is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            return True
        deadline = time.monotonic() + timeout
        while True:
            time.sleep(0.05)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
            else:
                return True
    return True
