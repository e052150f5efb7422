"""``graft store repair``: re-create damaged store entries from their wheels.

An entry that ``graft store verify`` finds damaged (a file edited through a venv as root
with the immutable attribute off, a disk error, a planted change) is unpacked afresh from
its wheel file, the one it was ingested from or the one in the download cache, checked by
its sha256 first. The new entry replaces the old one in one ``rename`` under the entry's
lock (the old one is unsealed and deleted, never followed), so every venv that links into
it sees the repaired files at once; a venv that copied or hard-linked the damaged files is
marked so that its next sync rebuilds it (:func:`graft.venv.staleness.mark_stale`). Bytecode is
compiled again for each interpreter of a live venv that uses the entry and whose cache tag the
old entry had. Kept plans are dropped.

Without a wheel file the entry cannot be re-created here: its marker is removed instead
(:mod:`graft.store.verified`), so the next sync that needs it, of any venv, re-ingests it from
the wheel it downloads or finds, and rebuilds that venv.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.store.entries import Store, StoreEntry


@dataclass(frozen=True, slots=True)
class Repair:
    """What became of one damaged entry."""

    sha256: str
    wheel: str  # the wheel's filename, "?" if its record is unreadable
    source: str | None  # the wheel file it was re-created from; None: not re-created
    venvs: tuple[str, ...]  # live venvs that use it
    bytecode: tuple[str, ...] = ()  # cache tags compiled again
    stale: tuple[str, ...] = ()  # venvs whose next sync rebuilds them (copies of the damage)

    @property
    def repaired(self) -> bool:
        """Whether the entry was re-created from a wheel file."""
        return self.source is not None


def repair_store(store: Store, wheel_cache: str | None = None) -> tuple[list[Repair], int]:
    """Re-create every damaged entry it can; (what was done per entry, entries checked)."""
    from graft._home import cache_root  # noqa: PLC0415
    from graft.store.gc import forget_plans  # noqa: PLC0415
    from graft.store.ops import read_roots  # noqa: PLC0415
    from graft.store.verified import find_wheel  # noqa: PLC0415
    from graft.store.verify import verify_store  # noqa: PLC0415
    from graft.venv.staleness import mark_stale  # noqa: PLC0415

    cache = wheel_cache if wheel_cache is not None else os.path.join(cache_root(), "wheels")
    found = verify_store(store, cache)
    if not found.damaged:
        return [], found.checked
    names = {p.entry: p.wheel for p in found.problems}
    live = [r for r in read_roots(store) if r.live]
    done = []
    for sha in found.damaged:
        venvs = tuple(sorted({r.venv for r in live if sha in r.entries}))  # (one per venv)
        wheel = find_wheel(store.root, sha, cache)
        if wheel is None:
            from graft.store.verified import forget  # noqa: PLC0415

            forget(store.root, sha)  # untrusted now: the next sync that needs it re-ingests it
            done.append(Repair(sha, names.get(sha, "?"), None, venvs))
            continue
        tags = _bytecode_tags(store.entry_path(sha))
        entry = store.replace(wheel, sha)
        compiled = _compile_again(store, entry, tags, venvs)
        # a venv that copied or hard-linked the damaged files still holds them: its next
        # sync must rebuild it instead of finding it "already in sync"
        stale = tuple(v for v in venvs if mark_stale(v))
        done.append(Repair(sha, entry.record.filename, wheel, venvs, compiled, stale))
    forget_plans(store)
    return done, found.checked


def _listdir(path: str) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def _bytecode_tags(entry_path: str) -> set[str]:
    """The cache tags the entry had bytecode for (``bytecode/<tag>.json``)."""
    return {n[: -len(".json")] for n in _listdir(os.path.join(entry_path, "bytecode"))}


def _compile_again(
    store: Store, entry: StoreEntry, tags: set[str], venvs: tuple[str, ...]
) -> tuple[str, ...]:
    """Compile bytecode for each of *tags* that the interpreter of one of *venvs* has."""
    from graft.errors import GraftError  # noqa: PLC0415
    from graft.store.bytecode import compile_bytecode  # noqa: PLC0415
    from graft.venv.interpreter import introspect  # noqa: PLC0415

    compiled = []
    for venv in venvs:
        python = os.path.realpath(os.path.join(venv, "bin", "python"))
        try:
            target = introspect(python)
        except GraftError:
            continue
        if target.cache_tag in tags and target.cache_tag not in compiled:
            compile_bytecode(store, [entry], target)
            compiled.append(target.cache_tag)
    return tuple(sorted(compiled))


__all__ = ["Repair", "repair_store"]
