"""Ingest: a wheel unpacked, verified and sealed into a new store entry, published by one rename.

Under the entry's lock (:meth:`graft.store.entries.Store.ingest` takes it): staging left
by a crashed ingest of the same wheel swept, the wheel unpacked into ``tmp/`` and checked
against its RECORD as it is written (:func:`graft.wheel.archive.unpack_wheel`), its record
written, *finish* run (the entry's bytecode), everything sealed, an untrusted entry in the
way taken aside only once its successor is complete, then ``rename(tmp/<x>,
entries/<sha256>)`` and the entry's ``verified/`` marker (decisions 25, 292). Imported only
when an entry is made: a warm sync finds every entry in place.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Protocol

from graft._fs import file_sha256, write_read_only
from graft.errors import StoreError
from graft.store import seal

if TYPE_CHECKING:
    from collections.abc import Callable

    from graft.model.record import WheelRecord

    #: What :meth:`graft.store.entries.Store.ingest` may add to a new entry before it is
    #: sealed: called with the staging directory, the entry's final path and the wheel record.
    Finish = Callable[[str, str, WheelRecord], None]


class Entries(Protocol):
    """What ingest needs of a store (a :class:`graft.store.entries.Store`)."""

    @property
    def root(self) -> str: ...
    @property
    def tmp_dir(self) -> str: ...
    def entry_path(self, sha256: str) -> str: ...


def unpack(
    store: Entries, wheel_path: str, sha256: str, finish: Finish | None = None
) -> WheelRecord:
    """Unpack, verify and seal *wheel_path* as ``entries/<sha256>`` (under its lock): its record.

    Replaces whatever is there (an untrusted entry). *finish* runs before the seal.
    """
    try:
        _sweep_tmp(store, sha256)
    except OSError as exc:
        raise _no_room(exc, wheel_path, store.tmp_dir) from None
    # named before it is made, and made inside the block that removes it: a signal as
    # its mkdir returns leaves nothing (decision 292; the sweep above, under the entry's
    # lock, makes the name free)
    staging = os.path.join(store.tmp_dir, f"{sha256}.{os.urandom(6).hex()}")
    old = None
    try:
        os.mkdir(staging, 0o700)
        tree = os.path.join(staging, "tree")
        os.mkdir(tree)
        from graft.wheel.archive import unpack_wheel  # noqa: PLC0415

        record = unpack_wheel(wheel_path, tree, sha256)
        write_read_only(os.path.join(staging, "record.json"), record.to_json())
        if finish is not None:
            finish(staging, store.entry_path(sha256), record)
        seal.make_read_only(staging, top=False)  # its top is moved below, then sealed
        seal.seal_tree(tree)  # all but the top directory, which must stay movable
        if finish is not None and os.path.isdir(os.path.join(staging, "bytecode")):
            seal.seal_tree(os.path.join(staging, "bytecode"))
        if os.path.lexists(store.entry_path(sha256)):  # untrusted or damaged: replaced
            old = os.path.join(store.tmp_dir, f"{sha256}.old.{os.urandom(6).hex()}")
            _take_aside(store, sha256, old)  # only now that its successor is complete
        os.rename(staging, store.entry_path(sha256))
    except BaseException as exc:
        seal.remove_tree(staging)
        if old is not None and not os.path.lexists(store.entry_path(sha256)):
            with contextlib.suppress(OSError):  # put it back (unmarked: not trusted)
                os.rename(os.path.join(old, "old"), store.entry_path(sha256))
        if isinstance(exc, OSError):
            raise _no_room(exc, wheel_path, store.tmp_dir) from None
        raise
    seal.seal_top(store.entry_path(sha256))  # (the tree is sealed already)
    _mark_verified(store, sha256, record, wheel_path)
    if old is not None:
        with contextlib.suppress(OSError):  # (else tmp/ sweeps take it later)
            seal.remove_tree(old)
    return record


def _mark_verified(store: Entries, sha256: str, record: WheelRecord, wheel_path: str) -> None:
    """Write the entry's marker in ``verified/``: graft unpacked it from *wheel_path*."""
    from graft.store.verified import Marker, mark  # noqa: PLC0415

    path = store.entry_path(sha256)
    try:
        marker = Marker(
            record=file_sha256(os.path.join(path, "tree", record.dist_info, "RECORD")),
            record_json=file_sha256(os.path.join(path, "record.json")),
            wheel=os.path.abspath(wheel_path),
            size=os.path.getsize(wheel_path),
        )
        mark(store.root, record.sha256, marker)
    except OSError as exc:
        raise StoreError(
            f"cannot record that {record.filename} was verified ({exc.strerror or exc})",
            where=os.path.join(store.root, "verified"),
            hint="free space in the store's filesystem and sync again",
        ) from None


def _take_aside(store: Entries, sha256: str, trash: str) -> None:
    """Rename the entry at ``entries/<sha256>`` (untrusted or damaged) whole into ``tmp/``.

    Under its lock, as *trash*``/old``, its marker forgotten first: an entry put back
    after a failure is never trusted (decision 292). Never followed.
    """
    from graft.store.verified import forget  # noqa: PLC0415

    path = store.entry_path(sha256)
    forget(store.root, sha256)
    if not os.path.islink(path):
        seal.unseal_top(path)  # an immutable directory cannot be moved
    os.mkdir(trash, 0o700)
    os.rename(path, os.path.join(trash, "old"))


def _sweep_tmp(store: Entries, sha256: str) -> None:
    """Remove staging left by a crashed ingest of the same wheel (we hold its lock)."""
    for name in os.listdir(store.tmp_dir):
        if name.startswith(sha256 + "."):
            seal.remove_tree(os.path.join(store.tmp_dir, name))


def _no_room(exc: OSError, wheel_path: str, tmp_dir: str) -> StoreError:
    from graft.store.failures import no_room  # noqa: PLC0415

    return no_room(exc, wheel_path, tmp_dir)


__all__ = ["unpack"]
