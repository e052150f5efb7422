"""``graft sync``: the pipeline from inputs to a materialized venv.

inputs -> target -> selection -> download -> store entries -> bytecode ->
completeness check -> plan (pure) -> materialize (atomic) -> GC root.
This module is the only one that knows every stage; each stage is its own module. Its own
steps are beside it: the memo recalled and the no-op check (:mod:`graft.sync_recall`), the
plan kept or made and carried out (:mod:`graft.sync_plan`), the result
(:mod:`graft.sync_result`).
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import TYPE_CHECKING

from graft.model.request import lap
from graft.sync_plan import (
    check_again,
    drop_kept_plan,
    key_for,
    materialize,
    plan_for,
    plan_parts,
)
from graft.sync_recall import in_sync, recall, remember
from graft.sync_result import (
    held_sites,
    inputs_form,
    installed,
    interpreter_of,
    reinstalled,
    reinstalling,
    result_of,
    stranded,
    template,
    venv_changes,
    venv_config,
    wheels_held,
)

# Resolution (packaging, the index client, thread pools) is imported where it is used:
# a warm sync whose inputs are unchanged never resolves, and must not pay for the imports.
if TYPE_CHECKING:
    from collections.abc import Callable

    from graft.model.request import ResolveRequest
    from graft.model.sync_request import SyncRequest
    from graft.model.target import Target
    from graft.plan.types import VenvLayout
    from graft.store.entries import Store
    from graft.sync_dry import DryRun
    from graft.sync_result import SyncResult


def sync(request: SyncRequest) -> SyncResult:
    """Make ``request.venv`` hold exactly the requested wheels (:func:`dry_run` only tells)."""
    from graft._home import default_store_path  # noqa: PLC0415
    from graft.store.entries import Store  # noqa: PLC0415
    from graft.venv.state import followed  # noqa: PLC0415

    clock = time.perf_counter()
    timings: dict[str, float] = {}
    request = dataclasses.replace(request, venv=followed(request.venv))  # a link: its venv
    store = Store(request.store or default_store_path())
    _outside_the_store(request.venv, store.root)
    made = None  # the top-most directory this sync makes for a new store
    if not os.path.lexists(store.root):
        from graft.store.unmade import missing_top  # noqa: PLC0415

        made = missing_top(store.root)
    store.ensure()
    try:
        return _sync(request, store, clock, timings)
    except BaseException:
        if made is not None:  # a failed first sync leaves no store (if it wrote nothing)
            from graft.store.unmade import take_back  # noqa: PLC0415

            take_back(store, made)
        raise


def _sync(
    request: SyncRequest, store: Store, clock: float, timings: dict[str, float]
) -> SyncResult:
    """:func:`sync` in its *store*, made and checked."""
    from graft.store import plancache  # noqa: PLC0415

    request, resolving = _seeded(request)  # (with the venv's seed packages, decision 122)
    located, aged = recall(request, resolving, store) or (None, False)
    key = None if located is None else key_for(request, located, store)
    # no kept plan (gc dropped it; kept by another graft): planning needs the full
    # requirements, and so does an aged memo: each only confirms a venv, else resolve
    unplanned = key is not None and not os.path.isfile(plancache.plan_path(store.root, key))
    if located is not None and (aged or unplanned):
        done = in_sync(request, store, located)[3]
        if done is not None:
            lap(timings, "recall", clock)
            path = remember(request, resolving, store, located, None, recalled=True)
            return dataclasses.replace(
                done, timings=timings, memo=path, venv_options=request.venv_options
            )
        located = None
    observed = None  # fingerprints for a new memo, when resolving
    arrivals = None  # wheels ingested as they are downloaded (a cold sync's pipeline)
    if located is not None and key is not None:
        lap(timings, "recall", clock)
    else:
        from graft.prepare import Arrivals  # noqa: PLC0415
        from graft.resolve.locate import locate  # noqa: PLC0415

        arrivals = Arrivals(store, _target_of(resolving))
        try:
            located = locate(
                resolving,
                request.reporter,
                arrivals.add,
                request.builder,
                variant_plugins=request.variant_plugins,
                store=store,  # (a wheel whose entry it holds is not downloaded: decision 154)
            )
        except BaseException:
            arrivals.close()
            raise
        key = key_for(request, located, store)
        if not located.from_sources:  # (a tree is read anew)
            from graft.resolve.memo import observe  # noqa: PLC0415

            builder = request.builder
            observed = (
                observe(located)
                if builder is None
                else observe(located, builder.reads(), builder.read_digests())
            )
        lap(timings, "resolve", clock)
    layout, inputs, present, done = in_sync(request, store, located)
    if done is not None:
        if arrivals is not None:
            arrivals.close()
        path = remember(request, resolving, store, located, observed, recalled=arrivals is None)
        return dataclasses.replace(
            done,
            timings=timings,
            notes=located.notes,
            warnings=located.warnings,
            variants=located.variants,
            memo=path,
            venv_options=request.venv_options,
            overrides=located.overrides,
        )
    again = reinstalling(request, located)  # --reinstall-package's (decision 393)
    if again:
        check_again(store, again)
    the_plan, new_plan, stated = plan_for(
        request,
        located,
        store,
        layout,
        key,
        kept_usable=present,
        timings=timings,
        arrivals=arrivals,
    )
    was = venv_config(layout.prefix)
    sites = held_sites(layout, located.target, was)
    before = installed(layout, sites)
    held = {} if request.reinstall else wheels_held(layout, sites, store.root)  # (all, else)
    try:
        rebuilt = materialize(
            request, store, located, the_plan, inputs=inputs, key=key, timings=timings
        )
    except Exception:
        if not new_plan:  # a kept plan is only a shortcut: never let a bad one stick
            drop_kept_plan(store.root, key)
        raise
    memo_file = remember(request, resolving, store, located, observed, recalled=arrivals is None)
    if new_plan:  # kept only once it built a venv: a failed sync leaves the store as it was
        plancache.save(store.root, key, the_plan)
    result = result_of(the_plan, timings, before)
    again_said = reinstalled(the_plan, held, request.reinstall, again)
    result = dataclasses.replace(result, reinstalled=again_said)
    now = venv_config(layout.prefix)
    return dataclasses.replace(
        result,
        notes=located.notes,
        warnings=located.warnings,
        said=(*located.said, *stated, *_stranded(layout, was, now)),
        venv_changes=() if was is None else venv_changes(was, now, rebuilt),
        variants=located.variants,
        memo=memo_file,
        inputs=inputs,
        inputs_form=inputs_form(request, located, store.root),
        template=template(located.target),
        pin_record=located.pin_record,
        plan_parts=plan_parts(request, located.target),
        site_dirs=(layout.purelib, layout.platlib),
        venv_options=request.venv_options,
        overrides=located.overrides,
    )


def dry_run(request: SyncRequest) -> DryRun:
    """What :func:`sync` would do to ``request.venv``, found without downloading a wheel.

    Nothing is written: not the store (which need not exist), not the venv, nor the download
    cache's wheels (:mod:`graft.sync_dry`, decision 149).
    """
    from graft._home import default_store_path  # noqa: PLC0415
    from graft.store.entries import Store  # noqa: PLC0415
    from graft.sync_dry import dry_run as run  # noqa: PLC0415
    from graft.venv.state import followed  # noqa: PLC0415

    request = dataclasses.replace(request, venv=followed(request.venv))
    store = Store(request.store or default_store_path())
    _outside_the_store(request.venv, store.root)
    if os.path.isdir(store.root):
        store.check()  # (as a sync would: a store others may change is refused)
    else:
        from graft.store.failures import blocked  # noqa: PLC0415

        refused = blocked(store.root)  # (a sync's Store.ensure would fail to make it)
        if refused is not None:
            raise refused
    request, resolving = _seeded(request)
    return run(request, resolving, store)


def _seeded(request: SyncRequest) -> tuple[SyncRequest, ResolveRequest]:
    """*request* for a seeded venv, and what resolution reads: the seeds its roots (decision 122).

    A seeded venv's pyvenv.cfg says ``seed = true`` after the sync (one more of the venv
    tool's options), so that its next syncs keep them too.
    """
    from graft.venv.seeds import seed_roots  # noqa: PLC0415
    from graft.venv.state import SEED, with_options  # noqa: PLC0415

    seeds, seeded = seed_roots(os.path.abspath(request.venv), request.seed)
    if not seeded:
        return request, request.resolving()
    options = with_options(request.venv_options, ((SEED, "true"),))
    return dataclasses.replace(request, venv_options=options), request.resolving(seeds)


def _target_of(request: ResolveRequest) -> Callable[[], Target] | None:
    """The interpreter's facts as resolution finds them, for bytecode compiled at ingest."""
    if request.foreign is not None:
        return None

    def target() -> Target:
        from graft.venv.interpreter import find_interpreter, introspect  # noqa: PLC0415

        return introspect(find_interpreter(request.python))

    return target


def _outside_the_store(venv: str, store_root: str) -> None:
    """Refuse a venv inside the store (``STORE/tmp/x``) or a store inside the venv.

    A venv inside the store is where gc and verify would meet it; a store inside the venv,
    replacing the venv would take with it.

    Links are resolved on both sides, so no spelling of either path gets past.
    """
    real_venv, real_store = os.path.realpath(venv), os.path.realpath(store_root)
    common = os.path.commonpath([real_venv, real_store])
    if common in {real_store, real_venv}:
        from graft.errors import UsageError  # noqa: PLC0415

        inside = "is inside the store" if common == real_store else "holds the store"
        raise UsageError(
            f"{inside} {store_root}",
            where=venv,
            hint="keep the venv and the store apart",
        )


def _stranded(
    layout: VenvLayout, was: dict[str, str] | None, now: dict[str, str] | None
) -> tuple[str, ...]:
    """The warning of a user's files kept where the venv's new interpreter ignores them."""
    if was is None or interpreter_of(now) == interpreter_of(was):
        return ()
    from graft.venv.state import kept_paths, recorded_state  # noqa: PLC0415

    return stranded(layout, kept_paths(recorded_state(layout.prefix)))
