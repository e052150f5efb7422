"""``graft sync --dry-run``: what a sync would change, found from metadata alone (decision 149).

Resolution reads what it always reads (a wheel's METADATA through range reads of its zip
directory or the index's metadata file, an sdist's through its backend's metadata hook), and
then nothing more is fetched: no wheel is downloaded, no sdist the resolver picked or a lock
names is built, and nothing is written to the store or into the venv. What the venv would
gain and lose is known from the files chosen (their names and versions). The plan (its
actions, links, collisions) needs every wheel's files: it is given when the store holds each
chosen wheel already, unpacked and compiled for the target (the plan a sync kept, or one
planned from the entries and not kept); otherwise :attr:`DryRun.unplanned` says why not.
How a sync would get each file is :mod:`graft.sync_offered`'. :func:`graft.sync.dry_run`
runs :func:`dry_run`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from graft._counted import counted
from graft.model.request import lap
from graft.sync_offered import Offered, chosen_offered, recorded_builds, unplannable
from graft.sync_result import (
    config_after,
    held_sites,
    installed,
    interpreter_of,
    reinstall_names,
    stranded,
    venv_changes,
    venv_config,
    venv_layout,
    wheels_held,
)

if TYPE_CHECKING:
    from graft.model.request import ResolveRequest
    from graft.model.requirements import Wanted
    from graft.model.sync_request import SyncRequest
    from graft.model.target import Target
    from graft.plan.types import Plan, VenvLayout
    from graft.resolve.located import Located
    from graft.store.entries import Store


@dataclass(frozen=True)
class DryRun:
    """What a sync would do, found without downloading a wheel: its plan only if known."""

    prefix: str
    python: str  # the venv's interpreter, as a plan names it
    link_mode: str
    offered: tuple[Offered, ...]  # sorted by name
    before: tuple[str, ...]  # "name==version" the venv holds now
    plan: Plan | None = None  # None: it needs wheels the store lacks (``unplanned`` says)
    unplanned: str = ""
    in_sync: bool = False  # the venv is what the sync would make: it would change nothing
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    said: tuple[str, ...] = ()
    variants: tuple[dict[str, Any], ...] = ()
    # what the sync would change of the venv itself, as its summary says (``~ python ...``)
    venv_changes: tuple[str, ...] = ()
    # the names installed anew (another wheel than the venv's, or --reinstall): SyncResult's
    reinstalled: tuple[str, ...] = ()
    # --only-deps: "name==version" of the projects named, resolved and left out (decision 445)
    left_out: tuple[str, ...] = ()

    def changes(self) -> dict[str, list[str]]:
        """What the sync would add, remove, upgrade and downgrade (:func:`state.changes`)."""
        from graft.venv.state import changes  # noqa: PLC0415

        return changes(self.before, sorted(o.label for o in self.offered), self.reinstalled)

    def downloads(self) -> tuple[int, int | None]:
        """The wheels the sync would download, and their bytes (None: a size is not known)."""
        sizes = [o.size for o in self.offered if o.fetch == "download"]
        return len(sizes), None if None in sizes else sum(s or 0 for s in sizes)


def dry_run(request: SyncRequest, resolving: ResolveRequest, store: Store) -> DryRun:
    """Resolve *resolving* without a download, and say what syncing *request* would do.

    The store is only read (*store* need not exist); so are the venv and the download cache.
    """
    from graft._home import cache_root  # noqa: PLC0415
    from graft.resolve.locate import locate  # noqa: PLC0415

    clock = time.perf_counter()
    timings: dict[str, float] = {}
    located = locate(
        resolving,
        request.reporter,
        None,
        request.builder,
        variant_plugins=request.variant_plugins,
        download=False,
        store=store,  # (read only: a wheel the venv holds by URL, known by its entry: 452)
    )
    clock = lap(timings, "resolve", clock)
    target = located.target
    layout = venv_layout(os.path.abspath(request.venv), target)
    offered, held_as = chosen_offered(
        located.chosen, cache_root(), store, recorded_builds(request, target)
    )
    if any(w.indexed for w, _ in located.chosen):  # a lock's set, checked as the sync checks it
        from graft.resolve.deps import check_without_download  # noqa: PLC0415
        from graft.sync_plan import overrides_of  # noqa: PLC0415

        check_without_download(
            located.chosen,
            located.target,
            resolving.no_deps,
            cache_dir=cache_root(),
            offline=resolving.offline,
            store=store,
            variant_support=dict(located.variant_support),
            sources=dict(located.unbuilt),  # (what the lock's sources would build)
            overrides=overrides_of(request, located),
        )
    was = venv_config(layout.prefix)
    sites = held_sites(layout, target, was)
    before = installed(layout, sites)
    held = {} if request.reinstall else wheels_held(layout, sites, store.root)  # (all, else)
    named = reinstall_names(request)  # --reinstall-package's (decision 393)
    again = tuple(  # (a file whose sha256 is not known before its download: not said)
        o.name
        for o in offered
        if request.reinstall
        or o.name in named
        or (o.sha256 is not None and held.get(o.name, o.sha256) != o.sha256)
    )
    plan, unplanned, in_sync = None, unplannable(offered), False
    if not unplanned:
        plan, unplanned, in_sync = _planned(
            request, located, offered, store, layout, held_as=held_as
        )
        lap(timings, "plan", clock)
    said: tuple[str, ...] = located.said
    changed: tuple[str, ...] = ()
    if not in_sync and request.foreign is None:  # (a foreign target is never synced)
        warned, changed = _venv_itself(request, layout, target, was=was, plan=plan)
        said = (*said, *warned)
    return DryRun(
        layout.prefix,
        layout.python,
        request.link_mode,
        tuple(sorted(offered, key=lambda o: o.name)),
        before,
        plan,
        unplanned,
        in_sync,
        timings,
        located.notes,
        located.warnings,
        said,
        located.variants,
        changed,
        () if in_sync else again,
        located.left_out,
    )


def _venv_itself(
    request: SyncRequest,
    layout: VenvLayout,
    target: Target,
    *,
    was: dict[str, str] | None,
    plan: Plan | None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a sync that changes the venv would refuse, warn of and change of the venv itself.

    Its refusal (a file, a directory that is no venv, a user's file it cannot keep) is
    raised as the sync raises it (:func:`graft.venv.rebuild_checks.would_rebuild`); else the
    warning of a user's files kept in another interpreter's library, and the summary's ``~``
    lines (:func:`graft.sync_result.venv_changes`). *was*: the venv's pyvenv.cfg now.
    """
    from graft.venv.rebuild_checks import would_rebuild  # noqa: PLC0415
    from graft.venv.staleness import why_rebuilt  # noqa: PLC0415

    kept = would_rebuild(layout.prefix, plan)
    if was is None:
        return (), ()
    now = config_after(layout, target, was, request.venv_options)
    warned = stranded(layout, kept) if interpreter_of(now) != interpreter_of(was) else ()
    rebuilt = None if request.reinstall else why_rebuilt(layout.prefix)  # (as the sync says)
    return warned, venv_changes(was, now, rebuilt)


def _planned(
    request: SyncRequest,
    located: Located,
    offered: list[Offered],
    store: Store,
    layout: VenvLayout,
    *,
    held_as: list[Wanted],
) -> tuple[Plan | None, str, bool]:
    """The plan if the store holds every wheel (else why not), and whether the venv is in sync.

    Read only: the plan a sync kept under the same key, or one planned from the entries
    (compiled for the target already) and not kept. The completeness check runs on the
    entries' records, as a sync's does when it plans. *held_as*: each requirement as the
    sync installs it (:func:`graft.sync_offered.chosen_offered`).
    """
    from graft.plan.types import Policy  # noqa: PLC0415
    from graft.resolve.fetched import Fetched  # noqa: PLC0415
    from graft.store import plancache  # noqa: PLC0415
    from graft.sync_plan import key_for  # noqa: PLC0415
    from graft.venv.state import up_to_date  # noqa: PLC0415

    # as a sync would have them once downloaded: the digest reads the files' sha256 (known
    # here for each) and how each was asked for, never where the file lies
    fetched = tuple(
        Fetched(w, c.url, o.sha256)
        for w, (_, c), o in zip(held_as, located.chosen, offered, strict=True)
    )
    located = replace(located, fetched=fetched)
    policy = Policy(request.collisions, request.link_mode)
    inputs = located.digest(layout, policy, store.root)
    options = request.venv_options
    again = request.reinstall or bool(reinstall_names(request) & {o.name for o in offered})
    in_sync = not again and up_to_date(layout.prefix, inputs, options) is not None
    absent = sum(1 for o in offered if o.sha256 is None or not store.trusted(o.sha256))
    if absent:
        return None, f"{counted(absent, 'wheel')} not in the store", in_sync
    key = key_for(request, located, store)
    kept = plancache.load(store.root, key, layout.prefix, layout.python)
    if kept is not None:
        return kept, "", in_sync
    return (*_from_entries(request, located, store, layout), in_sync)


def _from_entries(
    request: SyncRequest, located: Located, store: Store, layout: VenvLayout
) -> tuple[Plan | None, str]:
    """The plan made from the store's entries, if each is compiled for the target already."""
    from graft.plan.planner import plan  # noqa: PLC0415
    from graft.plan.types import Policy  # noqa: PLC0415
    from graft.prepare import check_target, check_variants_agree, planned_wheels  # noqa: PLC0415
    from graft.store.bytecode import compiled_for  # noqa: PLC0415
    from graft.sync_plan import overrides_of  # noqa: PLC0415

    target = located.target
    pairs = []
    bytecode: dict[str, frozenset[str]] = {}
    uncompiled = 0
    for f in located.fetched:
        entry = store.peek(f.sha256 or "")
        if entry is None:  # (gc took it meanwhile)
            return None, "a wheel not in the store"
        pycs = compiled_for(entry, target.cache_tag)
        if pycs is None:
            uncompiled += 1
        else:
            pairs.append((f.wanted, entry))
            bytecode[entry.record.sha256] = pycs
    if uncompiled:
        entries = counted(uncompiled, "store entry", "store entries")
        return None, f"{entries} to compile for {target.cache_tag}"
    check_variants_agree(pairs, dict(located.variant_declared))
    overrides = overrides_of(request, located)
    check_target(pairs, target, request.no_deps, dict(located.variant_support), overrides)
    policy = Policy(request.collisions, request.link_mode)
    return plan(planned_wheels(pairs, bytecode), layout, policy), ""


__all__ = ["DryRun", "Offered", "dry_run"]
