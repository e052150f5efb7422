"""The store: one read-only entry per wheel file, keyed by the wheel's sha256.

Layout::

    <store>/entries/<sha256>/record.json       the wheel record (written last, before the rename)
    <store>/entries/<sha256>/tree/...          the unpacked wheel, verified against RECORD
    <store>/entries/<sha256>/bytecode/<tag>.json   .pyc files compiled for one cache tag
    <store>/tmp/                               staging; anything here is incomplete
    <store>/locks/                             per-entry and per-venv lock files
    <store>/roots/<key>.json                   GC roots: one per venv built from this store
    <store>/plans/                             kept plans and resolution memos
    <store>/verified/<sha256>.<inode>          markers: graft unpacked that entry (verified.py)

An entry becomes visible only by ``rename(tmp/<x>, entries/<sha256>)``, so a
crash never leaves a half entry that looks complete. A process that reads or
ingests entries holds ``locks/gc.lock`` shared from its first read until it lets
the :class:`Store` go (:meth:`Store.release`, the object dropped, or the process
ended); ``graft store gc`` takes it exclusively, so it never removes an entry
that a running sync is about to link or has not yet rooted (docs/reliability.md).
Once in place an entry is sealed: no write bits, and (where the process may) the
immutable attribute on every directory, so that nothing run inside a venv, root
included, can add, remove or rename a file in the store through a directory link.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft._fs import file_sha256, write_read_only
from graft.errors import StoreError, WheelError
from graft.store.paths import anchor_path, root_file, verified_marker

if TYPE_CHECKING:
    from collections.abc import Iterable

    from graft._fs import FileLock
    from graft.model.record import WheelRecord
    from graft.store.ingest import Finish


@dataclass(frozen=True, slots=True)
class StoreEntry:
    """An ingested wheel: its record and where its unpacked tree lives."""

    record: WheelRecord
    path: str  # <store>/entries/<sha256>

    @property
    def tree(self) -> str:
        """The entry's unpacked wheel: ``<store>/entries/<sha256>/tree``."""
        return os.path.join(self.path, "tree")


#: The store-wide lock: shared while a process uses entries it has not yet rooted, exclusive in gc.
GC_LOCK = "gc.lock"


class Store:
    """The store at *root*: its entries, ingest, locks, pins and GC roots."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.entries_dir = os.path.join(self.root, "entries")
        self.tmp_dir = os.path.join(self.root, "tmp")
        self.locks_dir = os.path.join(self.root, "locks")
        self.roots_dir = os.path.join(self.root, "roots")
        self._pin_guard = threading.Lock()
        self._pin: weakref.finalize[[], Store] | None = None
        self._ensured = False

    def ensure(self) -> None:
        """Create the store's directories if need be, then :meth:`check` it (once per object)."""
        if self._ensured:
            return
        from graft._fs import PARTS  # noqa: PLC0415

        try:
            os.makedirs(self.root, mode=0o755, exist_ok=True)
            for part in PARTS:
                with contextlib.suppress(FileExistsError):  # (a link there: check() refuses)
                    os.mkdir(os.path.join(self.root, part), 0o755)
        except OSError as exc:
            from graft.store.failures import cannot_create  # noqa: PLC0415

            raise cannot_create(exc, self.root) from None
        self.check()
        self._ensured = True

    def check(self) -> None:
        """Refuse a store that anyone but the user or root could change (``_fs.check_store``).

        A directory above it writable by others, a foreign owner, a link for ``tmp/``...
        """
        from graft._fs import check_store  # noqa: PLC0415

        check_store(self.root)

    def lock(self, name: str, timeout: float | None = None) -> FileLock:
        """The lock file ``locks/<name>.lock`` (opened without following links)."""
        from graft._fs import FileLock  # noqa: PLC0415

        return FileLock(os.path.join(self.locks_dir, name + ".lock"), timeout=timeout)

    def entry_path(self, sha256: str) -> str:
        """Where the entry of the wheel with *sha256* lives: ``entries/<sha256>``."""
        return os.path.join(self.entries_dir, sha256)

    def pin(self) -> None:
        """Hold the store's GC lock shared, so that no gc runs while we use entries.

        Taken by :meth:`get` and :meth:`ingest` (before the entry is read) and kept
        until :meth:`release`, or until this object is dropped or the process exits
        (the kernel releases a dead process's lock): a sync holds it from its first
        entry to its last root. Waits while a gc is deciding what to remove. A store
        whose lock file cannot be created (read-only, or not created yet) is not
        pinned: gc cannot run there either.
        """
        with self._pin_guard:
            if self._pin is not None:
                return
            from graft._fs import FileLock  # noqa: PLC0415

            lock = FileLock(os.path.join(self.locks_dir, GC_LOCK), shared=True)
            try:
                lock.acquire()
            except OSError:
                return
            self._pin = weakref.finalize(self, lock.release)

    def release(self) -> None:
        """Let gc run again: every entry we used is rooted, or no longer wanted."""
        with self._pin_guard:
            if self._pin is not None:
                self._pin()
                self._pin = None

    def get(self, sha256: str) -> StoreEntry | None:
        """The entry for *sha256*, if present and trusted; pins the store (see :meth:`pin`).

        An entry graft did not unpack or authenticate itself (:meth:`trusted`) counts as
        absent: :meth:`ingest` replaces it from its wheel.
        """
        self.pin()
        if not self.trusted(sha256):
            return None
        return self.peek(sha256)

    def trusted(self, sha256: str) -> bool:
        """Whether the entry at ``entries/<sha256>`` is one graft unpacked from its wheel.

        Or authenticated against it: its marker in ``verified/`` (:mod:`graft.store.verified`).
        """
        path = verified_marker(self.root, sha256)  # (not graft.store.verified: no import on the
        return path is not None and os.path.isfile(path)  # warm path)

    def dist_info_of(self, sha256: str, filename: str) -> str | None:
        """The ``.dist-info`` directory of the trusted entry for *sha256*, if it is *filename*'s.

        A wheel known by a sha256 before its download (an index's, a lock's, a URL's) is
        taken from its entry only when the entry is of the wheel file's own name and version
        (decision 294): a sha256 that names another release's bytes (a wrong hash given, an
        index listing another's) makes the wheel be fetched, and its bytes checked, as any.
        """
        if not self.trusted(sha256):
            return None
        tree = os.path.join(self.entry_path(sha256), "tree")
        try:
            (dist_info,) = (n for n in os.listdir(tree) if n.endswith(".dist-info"))
        except (OSError, ValueError):  # gone (gc), or not one .dist-info: not vouched for
            return None
        name, _, version = dist_info.removesuffix(".dist-info").rpartition("-")
        from packaging.utils import canonicalize_name  # noqa: PLC0415
        from packaging.version import InvalidVersion, Version  # noqa: PLC0415

        try:
            wheel_name, wheel_version = filename.split("-", 2)[:2]
            same = canonicalize_name(wheel_name) == canonicalize_name(name) and Version(
                wheel_version
            ) == Version(version)
        except (ValueError, InvalidVersion):
            return None
        return os.path.join(tree, dist_info) if same else None

    def peek(self, sha256: str) -> StoreEntry | None:
        """The entry for *sha256*, if present, without pinning (for store maintenance)."""
        path = self.entry_path(sha256)
        try:
            with open(os.path.join(path, "record.json"), encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            return None
        try:
            from graft.model.record import record_from_json  # noqa: PLC0415 - not on the warm path

            return StoreEntry(record_from_json(text), path)
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"entry record is unreadable ({exc})",
                where=path,
                hint="run `graft store verify`",
            ) from None

    def ingest(
        self, wheel_path: str, sha256: str | None = None, finish: Finish | None = None
    ) -> StoreEntry:
        """Unpack and verify *wheel_path* into the store once; later calls reuse the entry.

        *finish* (staging directory, final path, record) adds to a new entry before it is
        sealed and published: its bytecode (:meth:`graft.store.bytecode.Compiler.compile_staged`).
        """
        if sha256 is None:
            try:
                sha256 = file_sha256(wheel_path)
            except OSError as exc:
                raise WheelError(
                    f"cannot read the wheel ({exc.strerror})", where=wheel_path
                ) from None
        self.ensure()
        entry = self.get(sha256)
        if entry is not None:
            return entry
        with self.lock(sha256):
            if self.trusted(sha256):
                entry = self.peek(sha256)
                if entry is not None:
                    return entry
            return self._unpack(wheel_path, sha256, finish)

    def replace(self, wheel_path: str, sha256: str) -> StoreEntry:
        """Unpack *wheel_path* afresh in place of the entry now at ``entries/<sha256>``.

        The caller checked its sha256. The entry there, damaged or not, is removed, never
        followed.
        """
        self.ensure()
        self.pin()
        with self.lock(sha256):
            return self._unpack(wheel_path, sha256)

    def _unpack(self, wheel_path: str, sha256: str, finish: Finish | None = None) -> StoreEntry:
        """Unpack, verify and seal *wheel_path* as ``entries/<sha256>`` (under its lock).

        Replaces whatever is there (an untrusted entry); :func:`graft.store.ingest.unpack`.
        """
        from graft.store.ingest import unpack  # noqa: PLC0415 - not on the warm path

        return StoreEntry(unpack(self, wheel_path, sha256, finish), self.entry_path(sha256))

    # -- GC roots -------------------------------------------------------------------------

    def register_root(self, venv: str, entries: Iterable[str]) -> None:
        """Record that *venv* uses *entries*, replacing its previous root (the pin stays).

        The root names the venv's path as given and as resolved (``realpath``) and the
        venv directory's (st_dev, st_ino). Its **anchor** (``roots/<key>.anchor``) is a
        hard link to the venv's ``pyvenv.cfg`` once that names this store: while the file
        exists anywhere (the venv was moved, or upgraded in place), it has more links than
        the store's anchors, and gc keeps the root. A previous root of this path whose venv
        still exists elsewhere is kept (:func:`graft.store.gcroots.keep_previous`).
        """
        prefix = os.path.abspath(venv)
        real = os.path.realpath(prefix)
        path = self.root_path(prefix)
        config = _identity(os.path.join(prefix, "pyvenv.cfg"))
        try:
            held = os.lstat(anchor_path(path))
        except FileNotFoundError:
            held = None
        fresh = held is None or (held.st_dev, held.st_ino) != config  # not this venv's anchor
        payload: dict[str, object] = {"venv": prefix, "real": real}
        with contextlib.suppress(OSError):  # found by it in a renamed directory (no anchor)
            st = os.stat(prefix)
            payload["directory"] = [st.st_dev, st.st_ino]
        payload["entries"] = sorted(set(entries))
        try:
            if fresh and (held is not None or _recorded_real(path) not in {None, real}):
                from graft.store import gcroots  # noqa: PLC0415 - not on a no-op sync's path

                gcroots.keep_previous(self, path, real, held)
            write_read_only(path, json.dumps(payload, indent=1))
        except OSError as exc:
            from graft.store.failures import unrooted  # noqa: PLC0415

            raise unrooted(exc, self.roots_dir) from None
        if fresh and config is not None and config[0] == os.lstat(self.roots_dir).st_dev:
            from graft.store import gcroots  # noqa: PLC0415

            gcroots.anchor(prefix, self.root, anchor_path(path))
        _sweep_dead_writes(path)

    def root_path(self, venv: str) -> str:
        """The GC root file of the venv at *venv* (:func:`graft.store.paths.root_file`)."""
        return root_file(self.root, venv)


def _recorded_real(root: str) -> str | None:
    """The resolved venv path the root file *root* records, if any."""
    try:
        with open(root, encoding="utf-8") as fh:
            real = json.load(fh).get("real")
    except (OSError, ValueError, AttributeError):
        return None
    return real if isinstance(real, str) else None


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def is_store(path: str) -> bool:
    """Whether *path* looks like a store (it has ``entries/``)."""
    return os.path.isdir(os.path.join(path, "entries"))


__all__ = [
    "Store",
    "StoreEntry",
    "is_store",
]


def _sweep_dead_writes(path: str) -> None:
    """Remove ``<path>.tmp.<pid>`` files whose writer is gone (a killed sync of this venv).

    gc sweeps them too, after its grace; here the next sync of the venv does, at once. A
    writer that is alive (a pid that exists) keeps its file: pid reuse can only leave one.
    """
    directory, prefix = os.path.split(path)
    prefix += ".tmp."
    try:
        names = [n for n in os.listdir(directory) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid = name.removeprefix(prefix)
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, name))
        except OSError:
            continue  # alive (another user's, or ours to leave)
