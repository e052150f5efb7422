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
    from graft.model.request import Reporter, SyncRequest
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
    entries = [store.get(sha) if sha else None for _, _, sha in fetched]
    todo = [i for i, e in enumerate(entries) if e is None]
    if todo:
        # unzipping releases the GIL: ingest new wheels in parallel
        reporter.stage(f"unpacking and verifying {len(todo)} new wheels")
        with ThreadPoolExecutor(max_workers=4) as pool:
            new = pool.map(lambda i: store.ingest(fetched[i][1], fetched[i][2]), todo)
            for i, entry in zip(todo, new, strict=True):
                entries[i] = entry
    pairs = [(w, e) for (w, _, _), e in zip(fetched, entries, strict=True) if e is not None]
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


def prepare(request: SyncRequest, located: Located, store: Store) -> Prepared:
    """Entries, checks and bytecode for the located wheels: everything the planner needs."""
    from graft.model.request import lap  # noqa: PLC0415
    from graft.plan.distinfo import direct_url_for_file  # noqa: PLC0415
    from graft.plan.types import (  # noqa: PLC0415
        PlannedWheel,
        Policy,
        VenvLayout,
    )

    clock = time.perf_counter()
    target = located.target
    pairs = load_entries(located, store, request.reporter)
    check_target(pairs, target, request.no_deps)
    clock = lap(request.timings, "entries", clock)
    tag = target.cache_tag
    uncompiled = [
        e for _, e in pairs if tag and not os.path.exists(f"{e.path}/bytecode/{tag}.json")
    ]
    if uncompiled:
        request.reporter.stage(f"compiling bytecode of {len(uncompiled)} wheels for {tag}")
    from graft.store.bytecode import compile_bytecode  # noqa: PLC0415

    bytecode = compile_bytecode(store, [e for _, e in pairs], target)
    lap(request.timings, "bytecode", clock)
    layout = VenvLayout.for_target(os.path.abspath(request.venv), target)
    wheels = tuple(
        PlannedWheel(
            record=e.record,
            tree=e.tree,
            bytecode=bytecode.get(e.record.sha256, frozenset()),
            requested=True,
            direct_url=direct_url_for_file(w.path, e.record.sha256) if w.path else None,
        )
        for w, e in sorted(pairs, key=lambda pair: pair[1].record.name)
    )
    return Prepared(target, store, wheels, layout, Policy(request.collisions, request.link_mode))


__all__ = ["Prepared", "check_target", "load_entries", "prepare"]
