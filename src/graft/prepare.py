"""The store half of a sync: entries for the located wheels, the checks, bytecode.

Everything the planner needs when no kept plan can be used: every located wheel ingested
(in parallel), Requires-Python and Requires-Dist checked on the wheel records, bytecode
compiled for the target, and the planner's inputs assembled.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.errors import SourceError

if TYPE_CHECKING:
    from graft.model.request import Reporter
    from graft.model.requirements import Wanted
    from graft.model.target import Target
    from graft.plan.types import PlannedWheel, Policy, VenvLayout
    from graft.resolve.locate import Located
    from graft.store.entries import Store, StoreEntry


def load_entries(
    located: Located, store: Store, reporter: Reporter
) -> list[tuple[Wanted, StoreEntry]]:
    """The store entry of every located wheel, ingesting (in parallel) what is new."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    fetched = located.fetched
    entries = [store.get(f.sha256) if f.sha256 else None for f in fetched]
    todo = [i for i, e in enumerate(entries) if e is None]
    if todo:
        # unzipping releases the GIL: ingest new wheels in parallel
        reporter.stage(f"unpacking and verifying {len(todo)} new wheels")
        with ThreadPoolExecutor(max_workers=4) as pool:
            new = pool.map(lambda i: store.ingest(fetched[i].path, fetched[i].sha256), todo)
            for i, entry in zip(todo, new, strict=True):
                entries[i] = entry
    pairs = [(f.wanted, e) for f, e in zip(fetched, entries, strict=True) if e is not None]
    for w, e in pairs:
        if w.path is None and w.hashes and f"sha256:{e.record.sha256}" not in w.hashes:
            raise SourceError(f"{e.record.filename} does not match any --hash", where=w.where)
    return pairs


def check_target(pairs: list[tuple[Wanted, StoreEntry]], target: Target, no_deps: bool) -> None:
    """Requires-Python and Requires-Dist of the ingested wheels (``deps.check_set``)."""
    from graft.resolve.deps import check_set  # noqa: PLC0415

    check_set([(w, e.record) for w, e in pairs], target, no_deps)


@dataclass(frozen=True)
class Prepared:
    """Everything the planner needs, gathered by the I/O stages of a sync."""

    target: Target
    store: Store
    wheels: tuple[PlannedWheel, ...]
    layout: VenvLayout
    policy: Policy
    timings: dict[str, float]  # stage -> seconds


def prepare(
    located: Located,
    store: Store,
    layout: VenvLayout,
    policy: Policy,
    *,
    no_deps: bool,
    reporter: Reporter,
) -> Prepared:
    """Entries, checks and bytecode for the located wheels: everything the planner needs."""
    from graft.model.request import lap  # noqa: PLC0415
    from graft.plan.distinfo import direct_url_for_file  # noqa: PLC0415
    from graft.plan.types import PlannedWheel  # noqa: PLC0415

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    target = located.target
    pairs = load_entries(located, store, reporter)
    check_target(pairs, target, no_deps)
    clock = lap(timings, "entries", clock)
    tag = target.cache_tag
    uncompiled = [
        e for _, e in pairs if tag and not os.path.exists(f"{e.path}/bytecode/{tag}.json")
    ]
    if uncompiled:
        reporter.stage(f"compiling bytecode of {len(uncompiled)} wheels for {tag}")
    from graft.store.bytecode import compile_bytecode  # noqa: PLC0415

    bytecode = compile_bytecode(store, [e for _, e in pairs], target)
    lap(timings, "bytecode", clock)
    wheels = tuple(
        PlannedWheel(
            record=e.record,
            tree=e.tree,
            bytecode=bytecode.get(e.record.sha256, frozenset()),
            requested=w.requested,
            direct_url=direct_url_for_file(w.path, e.record.sha256) if w.path else None,
        )
        for w, e in sorted(pairs, key=lambda pair: pair[1].record.name)
    )
    return Prepared(target, store, wheels, layout, policy, timings)


__all__ = ["Prepared", "check_target", "load_entries", "prepare"]
