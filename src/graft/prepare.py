"""The store half of a sync: entries for the located wheels, the checks, bytecode.

Everything the planner needs when no kept plan can be used: every located wheel ingested
(in parallel, as soon as it is downloaded), Requires-Python and Requires-Dist checked on the
wheel records, bytecode compiled for the target (each entry as soon as it is ingested, by a
worker per core), and the planner's inputs assembled.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future, ThreadPoolExecutor

    from graft.errors import StoreError
    from graft.model.request import Reporter
    from graft.model.requirements import Wanted
    from graft.model.target import Target
    from graft.plan.planned import PlannedWheel
    from graft.plan.types import Policy, VenvLayout
    from graft.resolve.located import Located
    from graft.resolve.overrides import Overrides
    from graft.store.bytecode import Compiler
    from graft.store.entries import Store, StoreEntry
    from graft.store.ingest import Finish


#: Threads that unpack wheels at once. Unzipping and hashing release the GIL for most of the
#: time, so ingest gains from threads; beyond the cores it only competes with the compiler.
INGEST_THREADS = 4


class Arrivals:
    """Wheels ingested as they arrive: each handed to a thread once its file is local.

    A cold sync creates this before resolving and passes :meth:`add` down to the download stage
    (``locate``'s ``on_fetched``), so a wheel is unpacked while others still download;
    :func:`load_entries` then takes the entries over. Ingest is content-addressed and checks the
    wheel against its own RECORD, so an early ingest is never wrong, at worst unused (when a
    later check refuses the set: the entry stays unrooted until gc). :meth:`close` waits for
    what is running and drops what has not started.

    With *target* (called once, when the first wheel arrives: the interpreter's facts, which
    resolution has looked up by then), a new entry is compiled for it before it is sealed and
    published (:meth:`graft.store.bytecode.Compiler.compile_staged`): sealed once, not sealed,
    unsealed for the compile and sealed again. :func:`prepare` takes the compiler over.
    """

    def __init__(self, store: Store, target: Callable[[], Target] | None = None) -> None:
        self.store = store
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[StoreEntry]] = {}
        self._target = target
        self._compiler: Compiler | None = None
        self._compiler_taken = False
        self._guard = threading.Lock()

    def add(self, wanted: Wanted | None, path: str, sha256: str | None) -> None:
        """Start ingesting the wheel at *path* (unless it is on its way or in the store).

        An entry already in the store is left alone (a stat of its verified marker): its
        record is read by whoever needs it (:func:`load_entries`), and a sync with a kept plan
        needs none (a thread per wheel parsing records it drops cost the pin path ~25% CPU).
        """
        del wanted
        if sha256 is not None and self.store.trusted(sha256):
            return
        self.ingest(path, sha256)

    def ingest(self, path: str, sha256: str | None) -> Future[StoreEntry]:
        """The entry of the wheel at *path*, on its way."""
        future = self._futures.get(path)
        if future is None:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

                self._pool = ThreadPoolExecutor(INGEST_THREADS, thread_name_prefix="graft-ingest")
            future = self._pool.submit(self.store.ingest, path, sha256, self._finish())
            self._futures[path] = future
        return future

    def _finish(self) -> Finish | None:
        """The compile of a staged entry, with the compiler made on first use (or None)."""
        with self._guard:
            if self._target is not None and self._compiler is None:
                from graft.errors import GraftError  # noqa: PLC0415
                from graft.store.bytecode import Compiler  # noqa: PLC0415

                target, self._target = self._target, None
                try:
                    self._compiler = Compiler(self.store, target())
                except GraftError:  # (resolution reports it; entries are compiled later)
                    return None
            return None if self._compiler is None else self._compiler.compile_staged

    def take_compiler(self, target: Target) -> Compiler | None:
        """The compiler of staged entries, if it compiles for *target*; closed by the caller."""
        with self._guard:
            compiler = self._compiler
            if compiler is None or (compiler.tag, compiler.python) != (
                target.cache_tag,
                target.executable,
            ):
                return None
            self._compiler_taken = True
            return compiler

    def close(self) -> None:
        """Wait for the ingests under way; cancel those not started.

        The compiler, unless :meth:`take_compiler` took it, is closed too.
        """
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        with self._guard:
            compiler = None if self._compiler_taken else self._compiler
            self._compiler = None
        if compiler is not None:
            compiler.close()


def load_entries(
    located: Located,
    store: Store,
    reporter: Reporter,
    on_entry: Callable[[StoreEntry], None] | None = None,
    arrivals: Arrivals | None = None,
) -> list[tuple[Wanted, StoreEntry]]:
    """The store entry of every located wheel, ingesting (in parallel) what is new.

    *on_entry* gets each entry as soon as it is there (those in the store first), so that its
    bytecode is compiled while other wheels are still unpacked. Wheels *arrivals* is ingesting
    already are taken over from it. Closes *arrivals*.
    """
    arrivals = arrivals or Arrivals(store)
    try:
        fetched = located.fetched
        entries: list[StoreEntry | None] = []
        pending: dict[Future[StoreEntry], int] = {}
        for i, item in enumerate(fetched):
            entry = store.get(item.sha256) if item.sha256 else None
            entries.append(entry)
            if entry is None:
                if item.path is None:  # (the store held it when fetched, and is pinned since)
                    raise _gone(item.name or item.sha256 or "", store.root)
                pending[arrivals.ingest(item.path, item.sha256)] = i
            else:
                _check_hash(item.wanted, entry)
                if on_entry is not None:
                    on_entry(entry)
        if pending:
            from concurrent.futures import as_completed  # noqa: PLC0415 - only with new wheels

            reporter.stage(f"unpacking, verifying and compiling {len(pending)} new wheels")
            for future in as_completed(pending):
                i = pending[future]
                entry = entries[i] = future.result()
                _check_hash(fetched[i].wanted, entry)
                if on_entry is not None:
                    on_entry(entry)
    finally:
        arrivals.close()
    return [(f.wanted, e) for f, e in zip(fetched, entries, strict=True) if e is not None]


def _gone(wheel: str, where: str) -> StoreError:
    """The entry a wheel was not downloaded for is gone (removed by hand meanwhile)."""
    from graft.errors import StoreError  # noqa: PLC0415

    return StoreError(
        f"the entry of {wheel} is no longer in the store",
        where=where,
        hint="sync again: the wheel is downloaded then",
    )


def _check_hash(wanted: Wanted, entry: StoreEntry) -> None:
    """A local wheel (find-links) must match the requirement's ``--hash``, if it has any."""
    w, e = wanted, entry
    if w.path is None and w.hashes and f"sha256:{e.record.sha256}" not in w.hashes:
        raise SourceError(f"{e.record.filename} does not match any --hash", where=w.where)


def check_target(
    pairs: list[tuple[Wanted, StoreEntry]],
    target: Target,
    no_deps: bool,
    variant_support: dict[str, tuple[str, ...]] | None = None,
    overrides: Overrides | None = None,
) -> None:
    """Requires-Python and Requires-Dist of the ingested wheels (``deps.check_set``)."""
    from graft.resolve.deps import check_set  # noqa: PLC0415

    members = [(w, e.record) for w, e in pairs]
    check_set(members, target, no_deps, variant_support, overrides)


def check_variants_agree(
    pairs: list[tuple[Wanted, StoreEntry]], declared: dict[str, tuple[str, ...]]
) -> None:
    """Each variant wheel's ``variant.json`` must agree with the release's metadata.

    PEP 825: the release's metadata gives each label the properties its wheels'
    ``variant.json`` give it, else it is inconsistent. The wheel was chosen on the release's
    metadata, so a disagreement stops the sync.
    """
    for w, e in pairs:
        given = declared.get(e.record.filename)
        if given is not None and given != e.record.variant_properties:
            raise SourceError(
                f"its variant.json gives label {e.record.variant_label!r} the properties"
                f" {list(e.record.variant_properties)}, the release's variant metadata"
                f" {list(given)}",
                where=w.where if w.path is None else e.record.filename,
                hint="the index's -variants.json disagrees with the wheel (PEP 825:"
                " inconsistent); --no-variants installs the release's non-variant wheel",
            )


@dataclass(frozen=True)
class Prepared:
    """Everything the planner needs, gathered by the I/O stages of a sync."""

    target: Target
    store: Store
    wheels: tuple[PlannedWheel, ...]
    layout: VenvLayout
    policy: Policy
    timings: dict[str, float]  # stage -> seconds
    warnings: tuple[str, ...] = ()  # wheels whose RECORD does not vouch for their files


def prepare(
    located: Located,
    store: Store,
    layout: VenvLayout,
    policy: Policy,
    *,
    no_deps: bool,
    reporter: Reporter,
    arrivals: Arrivals | None = None,
    overrides: Overrides | None = None,
) -> Prepared:
    """Entries, checks and bytecode for the located wheels: everything the planner needs.

    One pipeline: each entry goes to the compiler as soon as it is in the store (ingested by
    *arrivals* while downloads went on, or here), and the compiler's workers take it while
    other wheels are still unpacked.
    """
    from graft.model.request import lap  # noqa: PLC0415
    from graft.store.bytecode import Compiler  # noqa: PLC0415

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    target = located.target
    taken = arrivals.take_compiler(target) if arrivals is not None else None
    with taken or Compiler(store, target) as compiler:
        pairs = load_entries(located, store, reporter, compiler.submit, arrivals)
        check_variants_agree(pairs, dict(located.variant_declared))
        check_target(pairs, target, no_deps, dict(located.variant_support), overrides)
        clock = lap(timings, "entries", clock)
        if compiler.compiling:
            tag = target.cache_tag
            reporter.stage(f"compiling bytecode of {compiler.compiling} wheels for {tag}")
        bytecode = compiler.results()
    lap(timings, "bytecode", clock)
    wheels = planned_wheels(pairs, bytecode)
    said = tuple(filter(None, (w.record.disagreement() for w in wheels)))
    return Prepared(target, store, wheels, layout, policy, timings, said)


def planned_wheels(
    pairs: list[tuple[Wanted, StoreEntry]], bytecode: dict[str, frozenset[str]]
) -> tuple[PlannedWheel, ...]:
    """The planner's inputs: each entry with its compiled *bytecode* and how it was asked for."""
    from graft.plan.distinfo import direct_url_for_file  # noqa: PLC0415
    from graft.plan.planned import PlannedWheel  # noqa: PLC0415

    return tuple(
        PlannedWheel(
            record=e.record,
            tree=e.tree,
            bytecode=bytecode.get(e.record.sha256, frozenset()),
            requested=w.requested,
            direct_url=_direct_url(w, e.record.sha256, direct_url_for_file),
        )
        for w, e in sorted(pairs, key=lambda pair: pair[1].record.name)
    )


def _direct_url(w: Wanted, sha256: str, for_file: Callable[[str, str], str]) -> str | None:
    """PEP 610 text for *w*: none for a lock's index file (decision 114), a given wheel's."""
    if w.indexed:
        return None
    return w.direct_url or (for_file(w.path, sha256) if w.path else None)


__all__ = ["Arrivals", "Prepared", "check_target", "load_entries", "planned_wheels", "prepare"]
