"""A sync's plan: its key, kept in the store or made now, and carried out under GC roots.

:func:`key_for` is the key a plan is kept under in the store (:mod:`graft.store.plancache`);
:func:`plan_for` loads the kept plan, or prepares the store entries and plans anew;
:func:`materialize` carries a plan out into the venv (in place or rebuilt), the GC root
listing old and new entries meanwhile; :func:`drop_kept_plan` forgets a kept plan a venv
failed to build from. :mod:`graft.sync` runs them.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, cast

from graft.model.request import lap
from graft.sync_result import reinstalling, venv_layout

if TYPE_CHECKING:
    from packaging.utils import NormalizedName

    from graft.model.sync_request import SyncRequest
    from graft.model.target import Target
    from graft.plan.types import Plan, VenvLayout
    from graft.prepare import Arrivals
    from graft.resolve.located import Located
    from graft.resolve.overrides import Overrides
    from graft.store.entries import Store


def key_for(request: SyncRequest, located: Located, store: Store) -> str:
    """The key the plan for *located* is kept under."""
    from graft.plan.types import Policy  # noqa: PLC0415
    from graft.store.paths import plan_key  # noqa: PLC0415

    target = located.target
    layout = venv_layout("", target)
    policy = Policy(request.collisions, request.link_mode)
    digest = located.digest(layout, policy, store.root)  # graft, interpreter, wheels, layout
    return plan_key([digest, *plan_parts(request, target)])


def plan_parts(request: SyncRequest, target: Target) -> tuple[object, ...]:
    """What a plan depends on besides its inputs: the bytecode tag, the completeness check."""
    return (target.cache_tag, target.gil_disabled, request.no_deps)


def plan_for(
    request: SyncRequest,
    located: Located,
    store: Store,
    layout: VenvLayout,
    key: str,
    *,
    kept_usable: bool,
    timings: dict[str, float],
    arrivals: Arrivals | None = None,
) -> tuple[Plan, bool, tuple[str, ...]]:
    """The plan for *located*: kept in the store, or made now (then True: keep it).

    With the warnings of the wheels it was made from (a RECORD that does not vouch for its
    files: decision 383), said when the plan is made, not when a kept one is replayed.
    """
    clock = time.perf_counter()
    if kept_usable:  # every entry it names is present (and pinned)
        from graft.store import plancache  # noqa: PLC0415

        kept = plancache.load(store.root, key, layout.prefix, layout.python)
        lap(timings, "plan (kept)", clock)
        if kept is not None:
            if arrivals is not None:
                arrivals.close()
            return kept, False, ()
    from graft.plan.planner import plan  # noqa: PLC0415
    from graft.plan.types import Policy  # noqa: PLC0415
    from graft.prepare import prepare  # noqa: PLC0415

    policy = Policy(request.collisions, request.link_mode)
    prepared = prepare(
        located,
        store,
        layout,
        policy,
        no_deps=request.no_deps,
        reporter=request.reporter,
        arrivals=arrivals,
        overrides=overrides_of(request, located),
    )
    timings.update(prepared.timings)
    clock = time.perf_counter()
    made = plan(prepared.wheels, prepared.layout, prepared.policy)
    lap(timings, "plan", clock)
    return made, True, prepared.warnings


def overrides_of(request: SyncRequest, located: Located | None = None) -> Overrides | None:
    """The request's ``--overrides`` and ``--excludes``, for the set check (decisions 388, 389).

    As the resolution read them (*located*'s, decision 471), else, for a set the memo
    recalled, read from their files (the memo watches them), so the set is checked as the
    resolution judged it. The projects ``--only-deps`` left out
    of *located* are excluded too: the set meets no requirement on them (decision 445).
    """
    left_out: frozenset[str] = frozenset() if located is None else located.left_out_names()
    if not request.override_files and not request.exclude_files and not left_out:
        return None
    import dataclasses  # noqa: PLC0415

    from graft.resolve.overrides import NONE, load  # noqa: PLC0415

    read = None if located is None else located.overrides  # (as resolved: decision 471)
    given = read or load(request.override_files, request.exclude_files) or NONE
    excludes = given.excludes | cast("frozenset[NormalizedName]", left_out)  # (canonical)
    return dataclasses.replace(given, excludes=excludes)


def drop_kept_plan(store_root: str, key: str) -> None:
    """Forget the plan kept under *key*, after a venv failed to build from it.

    Whatever the cause (a damaged plan that passed the load checks, or something about the
    destination), the next sync of these inputs then plans anew and keeps a new plan.
    """
    import contextlib  # noqa: PLC0415

    from graft.store import plancache  # noqa: PLC0415

    with contextlib.suppress(OSError):
        os.unlink(plancache.plan_path(store_root, key))
    with contextlib.suppress(OSError):
        os.unlink(plancache.flat_path(store_root, key))


def check_again(store: Store, again: dict[str, str]) -> None:
    """``--reinstall-package``: the named distributions' store entries, checked (decision 393).

    As ``graft store verify`` checks one entry: each file against its record, its RECORD
    against the wheel's. A user who reinstalls suspects damage; relinking a damaged entry
    would give it back, so a damaged one is refused, before the venv or the store changes,
    naming ``graft store repair`` (which re-creates it for every venv that uses it). An
    entry not in the store yet is ingested from its wheel as any other.
    """
    from graft._home import cache_root  # noqa: PLC0415
    from graft.store.verify import verify_entry  # noqa: PLC0415

    cache = os.path.join(cache_root(), "wheels")
    for sha in sorted(again.values()):
        if not os.path.isdir(store.entry_path(sha)):
            continue
        problems = verify_entry(store, sha, cache)[0]
        if problems:
            from graft.errors import StoreError  # noqa: PLC0415

            first = problems[0]
            more = f", and {len(problems) - 1} more" if len(problems) > 1 else ""
            raise StoreError(
                f"the store entry of {first.wheel} is damaged ({first.path}: {first.problem}"
                f"{more}), so reinstalling would give it back",
                where=store.entry_path(sha),
                hint="graft store repair re-creates it from its wheel, for every venv that"
                " uses it; then sync again",
                details=tuple(f"{p.path}: {p.problem}" for p in problems),
            )


def materialize(
    request: SyncRequest,
    store: Store,
    located: Located,
    the_plan: Plan,
    *,
    inputs: str,
    key: str,
    timings: dict[str, float],
) -> str | None:
    """Materialize *the_plan* (kept under *key*), rooting old and new entries meanwhile.

    The venv is changed in place when it differs from the plan that built it by little, else
    rebuilt and swapped (:mod:`graft.venv.incremental`). A kill at any moment leaves
    whichever venv is in place (or the change pending) rooted; after the swap, or once the
    change is finished, only the new entries stay rooted. Returns why the venv was rebuilt
    whatever it installs (:func:`graft.venv.incremental.update_or_rebuild`), if it was.
    """
    from graft.venv.incremental import update_or_rebuild  # noqa: PLC0415

    clock = time.perf_counter()
    prefix = the_plan.prefix
    shas = [d.sha256 for d in the_plan.distributions]
    before = _root_text(store, prefix)
    store.register_root(prefix, [*shas, *_rooted(store, prefix)])
    try:
        how, why = update_or_rebuild(
            the_plan,
            located.target,
            store.root,
            inputs,
            plan_key=key,
            on_wait=lambda: request.reporter.waiting_for_venv(prefix),
            whole=request.reinstall,
            again=frozenset(reinstalling(request, located).values()),
            options=request.venv_options,
        )
    except Exception:
        _restore_root(store, prefix, before, shas, inputs)
        raise
    store.register_root(prefix, shas)
    lap(timings, "update (incremental)" if how == "updated" else "materialize", clock)
    return why


def _rooted(store: Store, prefix: str) -> list[str]:
    """The entries the GC root of *prefix* lists now (none if it has no root)."""
    import json  # noqa: PLC0415

    try:
        with open(store.root_path(prefix), encoding="utf-8") as fh:
            entries: list[str] = json.load(fh)["entries"]
    except (OSError, ValueError, KeyError):
        return []
    return entries


def _root_text(store: Store, prefix: str) -> str | None:
    try:
        with open(store.root_path(prefix), encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return None


def _restore_root(
    store: Store, prefix: str, before: str | None, shas: list[str], inputs: str
) -> None:
    """After a failed materialize: the GC root as it was (none, if there was none).

    Unless the new venv is in place after all (it failed after the swap): then a root for the
    new entries.
    """
    import contextlib  # noqa: PLC0415

    from graft.venv.state import recorded_state  # noqa: PLC0415

    state = recorded_state(prefix)
    if "graft-pending" in state:
        return  # a change is committed but unfinished: old and new entries stay rooted
    if state.get("graft-inputs") == inputs:
        store.register_root(prefix, shas)
        return
    path = store.root_path(prefix)
    with contextlib.suppress(OSError):  # best effort: the error being raised says more
        if before is None:
            os.unlink(path)
        else:
            from graft._atomic import write_atomic  # noqa: PLC0415

            write_atomic(path, before, mode=0o444)
