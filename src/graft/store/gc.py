"""Garbage collection: remove the entries no live venv uses (liveness: :mod:`graft.store.ops`).

``gc`` is a mark and sweep under the store's locks:

1. ``locks/gc-run.lock`` serialises collectors.
2. ``locks/gc.lock`` exclusively: every sync holds it shared from the moment it
   reads or ingests an entry until it ends (see :meth:`Store.pin`), so while gc
   holds it no sync is between "picked an entry" and "rooted it", and no venv is
   half-way to existing. Roots are read, dead ones removed, and each entry no live root
   uses is, under its own entry lock, renamed into ``tmp/`` (one ``rename``: a
   sync sees the whole entry or none of it).
3. With the store released again, the renamed entries are unsealed and deleted,
   and leftovers of crashed processes are swept: ``tmp/`` items older than a
   minute whose entry lock nobody holds, and unfinished root files.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graft.errors import StoreError, path_of
from graft.store import seal
from graft.store.entries import GC_LOCK, Store
from graft.store.ops import (
    _SHA,
    TMP_GRACE_SECONDS,
    EntryInfo,
    Root,
    _entry_info,
    _listdir,
    entry_names,
    read_roots,
)
from graft.store.paths import anchor_path

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

_GC_PREFIX = "gc-"


@dataclass(slots=True)
class GcResult:
    """What ``graft store gc`` removed (or, with *dry_run*, would remove) and kept."""

    dry_run: bool
    removed: list[EntryInfo] = field(default_factory=list)
    dead_roots: list[Root] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)  # paths of crash leftovers removed
    kept: int = 0  # entries in use by live venvs
    live_roots: int = 0

    @property
    def freed_bytes(self) -> int:
        """Bytes on disk the removed entries took."""
        return sum(e.disk_bytes for e in self.removed)


def _locks(store: Store, *, dry_run: bool) -> bool:
    """Whether gc takes the store's locks; a gc that removes makes ``locks/`` if need be.

    Every sync makes ``locks/`` before it reads an entry, so where there is none no sync
    holds a lock, and a dry run (which removes nothing) needs none made (decision 238).
    """
    if os.path.isdir(store.locks_dir):
        return True
    if dry_run:
        return False
    with contextlib.suppress(FileExistsError):  # (a link there: check() refused it)
        os.mkdir(store.locks_dir, 0o755)
    return True


def _serial(store: Store, locked: bool) -> contextlib.AbstractContextManager[object]:
    """``locks/gc-run.lock``: one collector at a time."""
    return store.lock("gc-run") if locked else contextlib.nullcontext()


@contextlib.contextmanager
def _exclusive(
    store: Store,
    on_wait: Callable[[], None] | None,
    timeout: float | None,
    *,
    locked: bool = True,
) -> Iterator[None]:
    """Hold ``locks/gc.lock`` exclusively: no sync is between reading an entry and rooting it."""
    from graft._fs import flock  # noqa: PLC0415

    if not locked:
        yield
        return
    with flock(os.path.join(store.locks_dir, GC_LOCK), on_wait, timeout) as held:
        if not held:
            raise StoreError(
                f"syncs using the store are still running after {timeout:g}s",
                where=store.root,
                hint="retry when they have finished; nothing was removed",
            )
        yield


def collect_garbage(
    store: Store,
    *,
    dry_run: bool = False,
    tmp_grace: float = TMP_GRACE_SECONDS,
    on_wait: Callable[[], None] | None = None,
    timeout: float | None = None,
) -> GcResult:
    """Remove every entry no live venv uses, dead roots, and crash leftovers.

    A store gc cannot write (a read-only mount, another's directory) is one StoreError; what
    was taken out before stays out, and a later gc goes on.
    """
    try:
        return _collect(store, dry_run, tmp_grace, on_wait, timeout)
    except OSError as exc:
        raise StoreError(
            f"gc cannot change the store ({exc.strerror or exc})",
            where=path_of(exc, store.root),
            hint="run it where the store is writable (as its owner, not on a read-only"
            " mount); nothing a live venv uses was removed",
        ) from None


def _collect(
    store: Store,
    dry_run: bool,
    tmp_grace: float,
    on_wait: Callable[[], None] | None,
    timeout: float | None,
) -> GcResult:
    result = GcResult(dry_run=dry_run)
    store.check()  # not ensure(): gc makes no part of a store but its locks and tmp/
    locked = _locks(store, dry_run=dry_run)
    with _serial(store, locked), _exclusive(store, on_wait, timeout, locked=locked):
        roots = read_roots(store)
        live = [r for r in roots if r.live]
        used: set[str] = set().union(*(r.entries for r in live))
        result.live_roots = len(live)
        result.dead_roots = [r for r in roots if not r.live]
        names = entry_names(store)
        result.kept = sum(1 for sha in names if sha in used)
        garbage = [sha for sha in names if sha not in used]
        result.removed = sorted(
            (_entry_info(store, sha, []) for sha in garbage), key=lambda e: (e.filename, e.sha256)
        )
        trash: list[str] = []
        if not dry_run:
            for root in result.dead_roots:
                for dead in (root.path, anchor_path(root.path)):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(dead)
            _drop_stray_anchors(store)
            taken = {}
            if garbage:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(store.tmp_dir, 0o755)
            for sha in garbage:
                path = _take_out(store, sha)
                if path is not None:
                    taken[sha] = path
            trash = list(taken.values())
            result.removed = [e for e in result.removed if e.sha256 in taken]
            if taken:
                forget_plans(store)
    for path in trash:
        seal.remove_tree(path)
    result.swept = _sweep(store, tmp_grace, dry_run=dry_run, locked=locked)
    return result


def _drop_stray_anchors(store: Store) -> None:
    """Anchors whose root file is gone (deleted by hand, or a set-aside cut short)."""
    for name in _listdir(store.roots_dir):
        if name.endswith(".anchor") and not os.path.lexists(
            os.path.join(store.roots_dir, name.removesuffix(".anchor") + ".json")
        ):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(store.roots_dir, name))


def forget_plans(store: Store) -> None:
    """Empty the plan cache and resolution memos: they may name entries just removed.

    (A sync checks that a kept plan's entries exist before using it; this keeps the cache
    from growing with plans nobody can use.)
    """
    from graft.store.plancache import plans_dir  # noqa: PLC0415

    directory = plans_dir(store.root)
    with contextlib.suppress(FileNotFoundError):
        for name in os.listdir(directory):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(directory, name))


def _take_out(store: Store, sha: str) -> str | None:
    """Rename ``entries/<sha>`` into ``tmp/`` under its entry lock; the new path, or None."""
    path = store.entry_path(sha)
    with store.lock(sha):
        if not os.path.lexists(path):
            return None
        # the rename needs the entry's own directory unsealed (immutable inodes cannot move);
        # everything below it stays sealed until the entry is out of view
        if not os.path.islink(path):
            seal.unseal_top(path)
        trash = tempfile.mkdtemp(prefix=f"{_GC_PREFIX}{sha[:16]}.", dir=store.tmp_dir)
        out = os.path.join(trash, sha)
        os.rename(path, out)
        from graft.store.verified import forget  # noqa: PLC0415

        forget(store.root, sha)
        return trash


def _sweep(store: Store, grace: float, *, dry_run: bool, locked: bool = True) -> list[str]:
    """Leftovers of crashed processes.

    Stale tmp/ items whose entry lock is free, temporary files of roots and of ``plans/``.
    """
    from graft._fs import LockTimeoutError  # noqa: PLC0415

    now = time.time()
    swept = []
    candidates = [os.path.join(store.tmp_dir, n) for n in _listdir(store.tmp_dir)]
    candidates += [
        os.path.join(store.roots_dir, n) for n in _listdir(store.roots_dir) if ".json.tmp." in n
    ]
    # kept plans, flat forms, memos and sync/replay stamps a killed sync was writing
    plans = os.path.join(store.root, "plans")
    candidates += [os.path.join(plans, n) for n in _listdir(plans) if ".tmp." in n]
    from graft.store import verified  # noqa: PLC0415

    marks = os.path.join(store.root, verified.DIRECTORY)  # markers a killed ingest was writing
    candidates += [os.path.join(marks, n) for n in _listdir(marks) if ".tmp." in n]
    for path in verified.stale(store.root):  # their entry was removed by hand, or replaced
        if not dry_run:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        swept.append(path)
    for path in candidates:
        try:
            age = now - os.lstat(path).st_mtime
        except FileNotFoundError:
            continue
        if age < grace:
            continue
        name = os.path.basename(path)
        sha = name.split(".", 1)[0]
        entry = locked and _SHA.fullmatch(sha)  # (no locks/: nobody holds an entry's lock)
        lock = store.lock(sha, timeout=0) if entry else contextlib.nullcontext()
        try:
            with lock:
                if not dry_run:
                    seal.remove_tree(path)
        except LockTimeoutError:
            continue  # an ingest of that wheel is running; its staging is not ours to take
        swept.append(path)
    return swept
