"""Small filesystem helpers shared by the cache-keeping modules."""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft._atomic import write_atomic

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@contextlib.contextmanager
def flock(
    path: str,
    on_wait: Callable[[], None] | None = None,
    timeout: float | None = None,
    *,
    removed: bool = False,
) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on *path* (created if need be); yield whether it is held.

    When another process holds it: call ``on_wait()``, then wait for ever (*timeout* None),
    not at all (0), or that many seconds, after which this yields False without the lock.
    The same lock as filelock's ``UnixFileLock`` takes, without its import cost (asyncio),
    which a warm sync cannot afford. The kernel drops the lock when the process dies.
    *removed*: the file is removed before the lock is let go (:mod:`graft._lockfile`).
    """
    from graft._lockfile import remove_held, still_named  # noqa: PLC0415

    while True:
        fd = open_lock_file(path)
        try:
            held = _acquire(fd, on_wait, timeout)
        except BaseException:
            os.close(fd)
            raise
        if not (held and removed) or still_named(path, fd):
            break
        os.close(fd)  # its holder removed it: take the file the path names now
        on_wait = None
    try:
        yield held
    finally:
        if held and removed:
            remove_held(path, fd)
        os.close(fd)  # closing the last descriptor releases the lock


def open_lock_file(path: str) -> int:
    """A descriptor of the lock file *path*, created if need be; a link is never followed.

    A lock file planted as a symbolic link (to a file to create or truncate elsewhere), a FIFO
    (an open that never returns) or anything else but a regular file is refused in one line.
    """
    flags = os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        import errno  # noqa: PLC0415

        if exc.errno != errno.ELOOP:
            from graft.errors import LockFileError  # noqa: PLC0415

            raise LockFileError(  # (a read-only or special directory: one line, not a traceback)
                f"cannot create the lock file ({exc.strerror})",
                where=path,
                hint="graft needs a directory it can write to here",
                strerror=exc.strerror or str(exc),
            ) from None
        raise _not_a_lock_file(path, "a symbolic link") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _not_a_lock_file(path, "not a regular file")
    return fd


def _not_a_lock_file(path: str, what: str) -> Exception:
    from graft.errors import GraftError  # noqa: PLC0415

    return GraftError(
        f"lock file is {what}; graft never follows or opens such a lock",
        where=path,
        hint="remove it (graft creates lock files itself) and check who planted it",
    )


class LockTimeoutError(Exception):
    """A :class:`FileLock` was not acquired within its timeout."""


class FileLock:
    """A ``flock`` on a lock file opened by :func:`open_lock_file` (no link followed).

    Exclusive, or *shared* (many holders at once, none while an exclusive one holds it).
    *timeout*: None waits for ever, 0 not at all, else that many seconds; then
    :meth:`acquire` raises :class:`LockTimeoutError`.
    """

    def __init__(self, path: str, timeout: float | None = None, *, shared: bool = False) -> None:
        self.path = path
        self.timeout = timeout
        self.shared = shared
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock (see the class for waiting); the descriptor is kept until release."""
        fd = open_lock_file(self.path)
        try:
            held = _acquire(fd, None, self.timeout, shared=self.shared)
        except BaseException:
            os.close(fd)
            raise
        if not held:
            os.close(fd)
            raise LockTimeoutError(self.path)
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (closing the descriptor; the kernel does it for a dead process)."""
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor releases the lock
            self._fd = None

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _acquire(
    fd: int, on_wait: Callable[[], None] | None, timeout: float | None, *, shared: bool = False
) -> bool:
    import fcntl  # noqa: PLC0415
    import time  # noqa: PLC0415

    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        if timeout == 0:
            return False
        if on_wait is not None:
            on_wait()
        if timeout is None:
            fcntl.flock(fd, mode)
            return True
        deadline = time.monotonic() + timeout
        while True:
            time.sleep(0.05)
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
            else:
                return True
    return True


# -- who can write the store ------------------------------------------------------------------
# Everything graft links into a venv comes from the store, so anyone who can rename or
# replace a directory on the way to it can put code into every venv. The rule is the
# one ssh (``StrictModes``) and sudo apply to the files they trust:
#
# - every directory from ``/`` down to the store (links resolved) is owned by the user
#   running graft or by root, and is not writable by others, except for a sticky
#   directory such as ``/tmp``, where others cannot rename or remove what they do not
#   own: that is accepted when the next directory down is ours (or root's);
# - the store's own parts (``entries/``, ``tmp/``, ``locks/``, ``roots/``, ``plans/``,
#   ``verified/``) are real directories, never links, owned by the user or root, not
#   writable by others.
#
# Group write access is allowed (a store shared by a team's group is a deliberate choice).
# The check costs a ``realpath`` and one ``lstat`` per directory, once per process and store;
# it lives here, not in a module of its own, because every sync runs it (no new import).

#: The store's own directories, checked (and created) by :meth:`graft.store.entries.Store.ensure`.
PARTS = ("entries", "tmp", "locks", "roots", "plans", "verified")
_checked: set[str] = set()


@dataclass(frozen=True, slots=True)
class DirectoryFacts:
    """What the rule needs to know about one directory (from ``lstat``)."""

    path: str
    mode: int  # st_mode
    uid: int  # st_uid


@dataclass(frozen=True, slots=True)
class Unsafe:
    """Why a directory cannot be trusted, and what to do about it."""

    path: str
    problem: str
    hint: str


def _trusted_owner(uid: int, me: int) -> bool:
    return uid in {me, 0}


def chain_problem(chain: list[DirectoryFacts], me: int) -> Unsafe | None:
    """The first directory of *chain* (``/`` first, the store last) that others could change.

    Pure: the caller gathers the facts with ``lstat``.
    """
    for i, facts in enumerate(chain):
        if not stat.S_ISDIR(facts.mode):
            return Unsafe(facts.path, "is not a directory", "pass --store DIR")
        if not _trusted_owner(facts.uid, me):
            return Unsafe(
                facts.path,
                f"is owned by another user (uid {facts.uid}), who could replace the store",
                "pass --store DIR, a directory of your own (or chown it, if it is yours)",
            )
        if not facts.mode & stat.S_IWOTH:
            continue
        below = chain[i + 1] if i + 1 < len(chain) else None
        if facts.mode & stat.S_ISVTX and below is not None and _trusted_owner(below.uid, me):
            continue  # /tmp: others cannot rename or remove what is ours below it
        return Unsafe(
            facts.path,
            "is writable by other users, who could replace the store",
            f"run `chmod o-w {facts.path}`, or pass --store DIR somewhere only you can write",
        )
    return None


def part_problem(facts: DirectoryFacts, me: int) -> Unsafe | None:
    """Why one of the store's own directories (``entries/``, ``tmp/``, ...) is not trusted."""
    if stat.S_ISLNK(facts.mode) or not stat.S_ISDIR(facts.mode):
        what = "a symbolic link" if stat.S_ISLNK(facts.mode) else "not a directory"
        return Unsafe(
            facts.path,
            f"is {what}; graft never follows one inside the store",
            "move it away (graft makes the directory again) and run `graft store verify`",
        )
    if not _trusted_owner(facts.uid, me):
        return Unsafe(
            facts.path,
            f"is owned by another user (uid {facts.uid})",
            "pass --store DIR, a store of your own (or chown -R it, if it is yours)",
        )
    if facts.mode & stat.S_IWOTH:
        return Unsafe(
            facts.path,
            "is writable by other users",
            f"run `chmod o-w {facts.path}`",
        )
    return None


def _facts(path: str) -> DirectoryFacts | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return DirectoryFacts(path, st.st_mode, st.st_uid)


def _chain(real: str) -> list[DirectoryFacts]:
    """``/``, then each directory down to *real* (a resolved path), as far as they exist."""
    paths = ["/"]
    for part in real.strip("/").split("/"):
        if part:
            paths.append(os.path.join(paths[-1], part))
    out = []
    for path in paths:
        facts = _facts(path)
        if facts is None:
            break
        out.append(facts)
    return out


def check_store(root: str) -> None:
    """Refuse, in one line, a store that anyone but the user (or root) could change.

    Missing parts are not an error (the caller creates them, or there is nothing to read).
    Checked once per process for each store.
    """
    if root in _checked:
        return
    me = os.geteuid()
    found = chain_problem(_chain(os.path.realpath(root)), me)
    if found is None:
        for part in PARTS:
            facts = _facts(os.path.join(root, part))
            found = None if facts is None else part_problem(facts, me)
            if found is not None:
                break
    if found is not None:
        from graft.errors import StoreError  # noqa: PLC0415

        raise StoreError(found.problem, where=found.path, hint=found.hint)
    _checked.add(root)


def write_read_only(path: str, text: str) -> None:
    """Write *path* atomically, readable by all and writable by none."""
    import stat  # noqa: PLC0415

    write_atomic(path, text, mode=stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def file_digest(path: str, algorithm: str = "sha256") -> bytes:
    """The *algorithm* digest of the file at *path*, read in 1 MiB chunks."""
    import hashlib  # noqa: PLC0415

    digest = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.digest()


def file_sha256(path: str) -> str:
    """The sha256 of the file at *path*, hex."""
    return file_digest(path).hex()
