"""Store maintenance: what the store holds, which venvs use it, and garbage collection.

A venv uses an entry when its GC root (``roots/<key>.json``, written by
:meth:`Store.register_root` after each sync) lists it, or when the venv holds a
link into the entry. gc must never break a venv, so a root stays **live** while
any of these holds (decision 21):

- the venv at its recorded path, or at the path it resolved to when it was rooted,
  names this store in ``pyvenv.cfg`` (``graft-store = <path>``);
- the venv there still links into this store (``python -m venv --upgrade`` rewrites
  ``pyvenv.cfg`` without graft's lines; its links still work);
- the root's anchor, a hard link to the venv's ``pyvenv.cfg``, has another link: the
  venv's ``pyvenv.cfg`` still exists somewhere (the venv, or a parent, was moved);
- for a root without an anchor (a store on another filesystem), a venv as above is found
  by its directory's (st_dev, st_ino) where a rename of it or of its parent put it.

A venv that was deleted, emptied, or re-synced against another store stops counting.

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
import json
import os
import re
import stat
import tempfile
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graft.errors import StoreError
from graft.store import seal
from graft.store.entries import GC_LOCK, Store, is_store
from graft.store.gcroots import anchor_counts, held_elsewhere
from graft.store.paths import anchor_path

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

_SHA = re.compile(r"[0-9a-f]{64}")
_INTO_ENTRY = re.compile(r"(.*?)/entries/([0-9a-f]{64})(?:/|$)")
#: tmp/ items younger than this are never swept: a live process may be filling them.
TMP_GRACE_SECONDS = 60.0
_GC_PREFIX = "gc-"


@dataclass(frozen=True, slots=True)
class Root:
    """One GC root file and what became of its venv."""

    path: str  # <store>/roots/<key>.json
    venv: str
    entries: frozenset[str]  # listed in the root, plus any entry the venv links to
    dead: str | None  # why the root no longer counts, or None while it is live

    @property
    def live(self) -> bool:
        """Whether the root still counts (nothing made it dead)."""
        return self.dead is None


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """One store entry as ``graft store list`` shows it."""

    sha256: str
    filename: str  # the wheel file name, "?" when the record is unreadable
    disk_bytes: int  # bytes on disk below entries/<sha256>, each inode once
    file_bytes: int  # sum of the wheel's file sizes (what a copy of its files takes)
    venvs: int  # live venvs using it


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What ``graft store info`` shows: sizes and counts of the store and its venvs."""

    root: str
    disk_bytes: int  # the whole store on disk, each inode once
    entries: int
    venvs: int  # live GC roots
    dead_roots: int
    copied_bytes: int  # what copies of the live venvs' files would take (see store_info)
    tmp_items: int  # leftovers in tmp/ (a running ingest, or a crashed one)

    @property
    def saved_bytes(self) -> int:
        """Bytes saved against every live venv holding its own copy of its files."""
        return self.copied_bytes - self.disk_bytes


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


# -- reading ----------------------------------------------------------------------------------


def open_store(path: str) -> Store:
    """The store at *path*; an error if there is none (maintenance never creates one)."""
    store = Store(path)
    if not is_store(store.root):
        raise StoreError(
            "no graft store here (no entries/ directory)",
            where=store.root,
            hint="pass --store DIR or set GRAFT_STORE",
        )
    return store


def disk_usage(root: str, seen: set[tuple[int, int]] | None = None) -> int:
    """Bytes on disk below *root* (itself included), each inode counted once; links not followed."""
    seen = set() if seen is None else seen
    total = 0
    pending = [root]
    while pending:
        path = pending.pop()
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
        if stat.S_ISDIR(st.st_mode):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                pending.extend(e.path for e in os.scandir(path))
    return total


def entry_names(store: Store) -> list[str]:
    try:
        return sorted(n for n in os.listdir(store.entries_dir) if _SHA.fullmatch(n))
    except FileNotFoundError:
        return []


def venv_status(venv: str, store: Store) -> str | None:
    """Why *venv* does not name *store* in its pyvenv.cfg, or None if it does."""
    try:
        with open(os.path.join(venv, "pyvenv.cfg"), encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return "venv is gone" if not os.path.lexists(venv) else "not a venv any more"
    except (OSError, UnicodeDecodeError):
        return None  # unreadable: keep it, gc must err on the side of keeping
    named = [
        v.strip() for k, _, v in (ln.partition("=") for ln in lines) if k.strip() == "graft-store"
    ]
    if not named:
        return "not a graft venv any more"
    if not _same_dir(named[-1], store.root):
        return f"venv now uses the store {named[-1]}"
    return None


def _same_dir(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def linked_entries(venv: str, store: Store) -> set[str]:
    """Entries the venv's links point into (real directories are walked, links never followed).

    The walk starts from the venv's resolved path: the kernel resolves a relative link's
    ``..`` from where the link physically is, so only that gives the entry it reaches.
    """
    found: set[str] = set()
    anchors: dict[str, bool] = {}
    for dirpath, dirnames, filenames in os.walk(os.path.realpath(venv)):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                continue
            try:
                target = os.path.normpath(os.path.join(dirpath, os.readlink(path)))
            except OSError:
                continue
            match = _INTO_ENTRY.match(target)
            if match is None:
                continue
            head, sha = match.groups()
            if head not in anchors:
                anchors[head] = _same_dir(head or "/", store.root)
            if anchors[head]:
                found.add(sha)
    return found


def anchored(anchor: str, counts: dict[tuple[int, int], int]) -> bool:
    """Whether the ``pyvenv.cfg`` a root's anchor links to is still held by a venv."""
    try:
        return held_elsewhere(os.lstat(anchor), counts)
    except OSError:
        return False


def root_status(
    venv: str,
    real: str,
    store: Store,
    *,
    anchored: bool,
    directory: tuple[int, int] | None = None,
) -> tuple[str | None, set[str]]:
    """Why the root of *venv* is dead (None while it is live), and the entries it links to.

    *real* is the venv's path as resolved when it was rooted: the venv stays found there
    when a symlink on its recorded path is removed or changed. *directory*, for a root
    without an anchor, is the venv directory's (st_dev, st_ino), looked for nearby.
    """
    reasons: list[str] = []
    linked: set[str] = set()
    named = False
    walked: set[str] = set()
    places = list(dict.fromkeys((venv, real)))
    while places:
        place = places.pop(0)
        reason = venv_status(place, store)
        if reason is None:
            named = True
        else:
            reasons.append(reason)
        resolved = os.path.realpath(place)  # a venv, even one python rewrote: walk it
        if resolved not in walked and os.path.isfile(os.path.join(resolved, "pyvenv.cfg")):
            walked.add(resolved)
            linked |= linked_entries(resolved, store)
        if not (places or named or linked or anchored) and directory is not None:
            from graft.store.gcroots import find_renamed  # noqa: PLC0415

            renamed = find_renamed((venv, real), directory)
            directory = None
            if renamed is not None:
                places.append(renamed)
    if named or linked or anchored:
        return None, linked
    found = [r for r in reasons if r != "venv is gone"]
    return (found or reasons)[0], linked


def read_roots(store: Store) -> list[Root]:
    """Every GC root, live or dead. An unreadable root file is an error (gc must not guess)."""
    try:
        names = sorted(n for n in os.listdir(store.roots_dir) if n.endswith(".json"))
    except FileNotFoundError:
        return []
    roots = []
    anchors = anchor_counts(store.roots_dir)
    for name in names:
        path = os.path.join(store.roots_dir, name)
        try:
            with open(path, encoding="utf-8") as fh:
                raw = json.load(fh)
            venv = raw["venv"]
            real = raw.get("real", venv)
            away = raw.get("away", False)
            listed = frozenset(raw["entries"])
            if not (isinstance(venv, str) and isinstance(real, str) and isinstance(away, bool)):
                raise TypeError(name)  # noqa: TRY301 - one handler for every malformed shape
            if not all(isinstance(e, str) for e in listed):
                raise TypeError(name)  # noqa: TRY301
        except FileNotFoundError:
            continue  # replaced or removed meanwhile
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(
                f"GC root is unreadable ({exc.__class__.__name__})",
                where=path,
                hint="re-sync its venv, or delete the file if that venv is gone",
            ) from None
        elsewhere = anchored(anchor_path(path), anchors)
        if away:  # its path holds another venv; only the anchor tells whether it still exists
            dead = None if elsewhere else "venv moved away and is gone"
        else:
            directory = _directory(raw) if not os.path.lexists(anchor_path(path)) else None
            dead, linked = root_status(venv, real, store, anchored=elsewhere, directory=directory)
            listed |= linked
        roots.append(Root(path, venv, listed, dead))
    return roots


def _directory(raw: dict[str, object]) -> tuple[int, int] | None:
    """The venv directory's (st_dev, st_ino) a root records, if it does."""
    match raw.get("directory"):
        case [int() as device, int() as inode]:
            return device, inode
    return None


def _entry_info(store: Store, sha: str, roots: list[Root]) -> EntryInfo:
    try:
        entry = store.peek(sha)
    except StoreError:
        entry = None
    filename = entry.record.filename if entry else "?"
    files = sum(f.size for f in entry.record.files) if entry else 0
    venvs = sum(1 for r in roots if r.live and sha in r.entries)
    return EntryInfo(sha, filename, disk_usage(store.entry_path(sha)), files, venvs)


def list_entries(store: Store) -> list[EntryInfo]:
    """One row per entry, by wheel filename."""
    roots = read_roots(store)
    rows = [_entry_info(store, sha, roots) for sha in entry_names(store)]
    return sorted(rows, key=lambda e: (e.filename, e.sha256))


def store_info(store: Store) -> StoreInfo:
    """Sizes and counts.

    ``copied_bytes`` sums, over live venvs, the files of every entry the venv uses, each
    rounded up to the store filesystem's block size: what a copying installer would put on
    disk (bytecode aside). ``saved_bytes`` subtracts the store's real size.
    """
    roots = read_roots(store)
    live = [r for r in roots if r.live]
    block = _block_size(store.root)
    sizes: dict[str, int] = {}
    for sha in entry_names(store):
        try:
            entry = store.peek(sha)
        except StoreError:
            continue
        if entry is not None:
            sizes[sha] = sum(-(-f.size // block) * block for f in entry.record.files)
    copied = sum(sizes.get(sha, 0) for r in live for sha in r.entries)
    try:
        tmp_items = len(os.listdir(store.tmp_dir))
    except FileNotFoundError:
        tmp_items = 0
    return StoreInfo(
        root=store.root,
        disk_bytes=disk_usage(store.root),
        entries=len(entry_names(store)),
        venvs=len(live),
        dead_roots=len(roots) - len(live),
        copied_bytes=copied,
        tmp_items=tmp_items,
    )


def _block_size(path: str) -> int:
    try:
        return max(1, os.statvfs(path).f_frsize)
    except OSError:
        return 4096


# -- gc ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _exclusive(
    store: Store, on_wait: Callable[[], None] | None, timeout: float | None
) -> Iterator[None]:
    """Hold ``locks/gc.lock`` exclusively: no sync is between reading an entry and rooting it."""
    from graft._fs import flock  # noqa: PLC0415

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
    """Remove every entry no live venv uses, dead roots, and crash leftovers."""
    result = GcResult(dry_run=dry_run)
    store.ensure()
    with store.lock("gc-run"), _exclusive(store, on_wait, timeout):
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
            for sha in garbage:
                path = _take_out(store, sha)
                if path is not None:
                    taken[sha] = path
            trash = list(taken.values())
            result.removed = [e for e in result.removed if e.sha256 in taken]
            if taken:
                _forget_plans(store)
    for path in trash:
        seal.remove_tree(path)
    result.swept = _sweep(store, tmp_grace, dry_run=dry_run)
    return result


def _drop_stray_anchors(store: Store) -> None:
    """Anchors whose root file is gone (deleted by hand, or a set-aside cut short)."""
    for name in _listdir(store.roots_dir):
        if name.endswith(".anchor") and not os.path.lexists(
            os.path.join(store.roots_dir, name.removesuffix(".anchor") + ".json")
        ):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(store.roots_dir, name))


def _forget_plans(store: Store) -> None:
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


def _sweep(store: Store, grace: float, *, dry_run: bool) -> list[str]:
    """Leftovers of crashed processes.

    Stale tmp/ items whose entry lock is free, temporary files of roots, kept plans and memos.
    """
    from graft._fs import LockTimeoutError  # noqa: PLC0415

    now = time.time()
    swept = []
    candidates = [os.path.join(store.tmp_dir, n) for n in _listdir(store.tmp_dir)]
    candidates += [
        os.path.join(store.roots_dir, n) for n in _listdir(store.roots_dir) if ".json.tmp." in n
    ]
    plans = os.path.join(store.root, "plans")  # kept plans and memos written by a killed sync
    candidates += [os.path.join(plans, n) for n in _listdir(plans) if ".json.tmp." in n]
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
        lock = store.lock(sha, timeout=0) if _SHA.fullmatch(sha) else contextlib.nullcontext()
        try:
            with lock:
                if not dry_run:
                    seal.remove_tree(path)
        except LockTimeoutError:
            continue  # an ingest of that wheel is running; its staging is not ours to take
        swept.append(path)
    return swept


def _listdir(path: str) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []


__all__ = [
    "EntryInfo",
    "GcResult",
    "Root",
    "StoreInfo",
    "collect_garbage",
    "disk_usage",
    "list_entries",
    "open_store",
    "read_roots",
    "store_info",
]
