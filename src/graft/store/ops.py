"""Store maintenance: what the store holds and which venvs use it (the roots' liveness).

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

Garbage collection itself is :mod:`graft.store.gc`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from dataclasses import dataclass

from graft.errors import StoreError
from graft.store.entries import Store, is_store
from graft.store.gcroots import anchor_counts, held_elsewhere
from graft.store.paths import anchor_path

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


def _listdir(path: str) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []


__all__ = [
    "EntryInfo",
    "Root",
    "StoreInfo",
    "disk_usage",
    "list_entries",
    "open_store",
    "read_roots",
    "store_info",
]
