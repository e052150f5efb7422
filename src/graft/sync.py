"""``graft sync``: the pipeline from inputs to a materialized venv.

inputs -> target -> selection -> download -> store entries -> bytecode ->
completeness check -> plan (pure) -> materialize (atomic) -> GC root.
This module is the only one that knows every stage; each stage is its own module.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from graft.model.request import lap

# Resolution (packaging, the index client, thread pools) is imported where it is used:
# a warm sync whose inputs are unchanged never resolves, and must not pay for the imports.
if TYPE_CHECKING:
    from collections.abc import Callable

    from packaging.utils import NormalizedName

    from graft.model.request import ResolveRequest, SyncRequest
    from graft.model.target import Target
    from graft.plan.types import Plan, VenvLayout
    from graft.prepare import Arrivals
    from graft.resolve.locate import Located
    from graft.resolve.memo import Observed
    from graft.store.entries import Store


_NO_NAME = cast("NormalizedName", "")  # a recalled wheel is known by its file, not its name
#: Stands for the venv's path in :func:`inputs_form` (no path holds a NUL).
PREFIX_MARK = "\0graft-venv\0"


def _layout(prefix: str, target: Target) -> VenvLayout:
    from graft.plan.types import VenvLayout  # noqa: PLC0415

    return VenvLayout.for_target(prefix, target)


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: the venv, its distributions, the plan carried out and its stats."""

    prefix: str
    distributions: tuple[str, ...]  # "name==version"
    plan: Plan | None  # None when nothing needed doing (the venv was already in sync)
    stats: dict[str, int]  # links, directories, files
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    before: tuple[str, ...] = ()  # "name==version" in the venv before, when it changed
    notes: tuple[str, ...] = ()  # what resolution did, for -v
    warnings: tuple[str, ...] = ()  # what resolution noticed (an extra no wheel provides)
    memo: str | None = None  # the resolution memo that now answers this request, if any
    inputs: str | None = None  # the venv's graft-inputs (what it was built from)
    variants: tuple[dict[str, Any], ...] = ()  # the variant choice per release (PEP 825)
    # What a new venv's fast path (graft.cli.replay) needs that only the full path knows:
    # the inputs' preimage with the venv's path marked (PREFIX_MARK), the venv template
    inputs_form: str | None = None
    template: str | None = None
    # What a changed pin set's fast path (graft.cli.change) needs besides: the pin record a
    # pinned resolution kept (graft.resolve.locate.Recorded), the plan key's other parts
    pin_record: tuple[str, str, str] | None = None
    plan_parts: tuple[object, ...] = ()
    site_dirs: tuple[str, ...] = ()  # purelib and platlib, relative to the venv

    def changes(self) -> dict[str, list[str]]:
        """What the sync added, removed, upgraded and downgraded (empty when nothing ran).

        See :func:`graft.venv.state.changes`.
        """
        from graft.venv.state import changes  # noqa: PLC0415

        return changes(self.before, self.distributions) if self.plan is not None else changes()


def _rooted(store: Store, prefix: str) -> list[str]:
    """The entries the GC root of *prefix* lists now (none if it has no root)."""
    import json  # noqa: PLC0415

    try:
        with open(store.root_path(prefix), encoding="utf-8") as fh:
            entries: list[str] = json.load(fh)["entries"]
    except (OSError, ValueError, KeyError):
        return []
    return entries


def _stats(plan: Plan) -> dict[str, int]:
    return {"links": plan.links, "directories": plan.directories, "files": plan.files_served}


def _memo_also(request: SyncRequest) -> tuple[str, ...]:
    """What a memo's key holds besides the resolve request: the plan's policy."""
    return (request.collisions, request.link_mode)


def _recall(
    request: SyncRequest, resolving: ResolveRequest, store: Store
) -> tuple[Located, bool] | None:
    """What the memo says *request* resolves to, and whether the memo has aged.

    Not for dry runs, foreign targets or ``--refresh`` (which asks the indexes again).
    """
    if request.dry_run or request.foreign is not None or request.refresh:
        return None
    from graft.model.requirements import Wanted  # noqa: PLC0415
    from graft.resolve import memo  # noqa: PLC0415
    from graft.resolve.fetched import Fetched  # noqa: PLC0415
    from graft.resolve.locate import Located  # noqa: PLC0415

    recalled = memo.recall(resolving, _memo_also(request), store.root)
    if recalled is None:
        return None
    fetched = tuple(
        Fetched(
            Wanted(
                _NO_NAME,
                None,
                frozenset(),
                frozenset(),
                "(recalled)",
                path=given,
                requested=requested,
            ),
            path,
            sha,
        )
        for path, sha, given, requested in recalled.rows
    )
    return Located(recalled.target, fetched, recalled.labels), recalled.aged


def _plan_key(request: SyncRequest, located: Located, store: Store) -> str:
    from graft.plan.types import Policy  # noqa: PLC0415
    from graft.store.paths import plan_key  # noqa: PLC0415

    target = located.target
    layout = _layout("", target)
    policy = Policy(request.collisions, request.link_mode)
    digest = located.digest(layout, policy, store.root)  # graft, interpreter, wheels, layout
    return plan_key([digest, *_plan_parts(request, target)])


def _plan_parts(request: SyncRequest, target: Target) -> tuple[object, ...]:
    """What a plan depends on besides its inputs: the bytecode tag, the completeness check."""
    return (target.cache_tag, target.gil_disabled, request.no_deps)


def sync(request: SyncRequest) -> SyncResult:
    """Make ``request.venv`` hold exactly the requested wheels (or only plan it, if dry_run)."""
    from graft._home import default_store_path  # noqa: PLC0415
    from graft.store import plancache  # noqa: PLC0415
    from graft.store.entries import Store  # noqa: PLC0415

    clock = time.perf_counter()
    timings: dict[str, float] = {}
    store = Store(request.store or default_store_path())
    _outside_the_store(request.venv, store.root)
    store.ensure()
    resolving = request.resolving()
    located, aged = _recall(request, resolving, store) or (None, False)
    key = None if located is None else _plan_key(request, located, store)
    if key is not None and not os.path.isfile(plancache.plan_path(store.root, key)):
        located = None  # no kept plan: planning needs the full requirements, so resolve
    if located is not None and aged:  # an aged memo only confirms a venv: else resolve
        done = _in_sync(request, store, located)[3]
        if done is not None:
            lap(timings, "recall", clock)
            path = _remember(request, resolving, store, located, None, recalled=True)
            return dataclasses.replace(done, timings=timings, memo=path)
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
            )
        except BaseException:
            arrivals.close()
            raise
        key = _plan_key(request, located, store)
        if not request.dry_run and not located.from_sources:  # (a tree is read anew)
            from graft.resolve.memo import observe  # noqa: PLC0415

            observed = observe(located)
        lap(timings, "resolve", clock)
    layout, inputs, present, done = _in_sync(request, store, located)
    if done is not None:
        if arrivals is not None:
            arrivals.close()
        path = _remember(request, resolving, store, located, observed, recalled=arrivals is None)
        return dataclasses.replace(
            done,
            timings=timings,
            notes=located.notes,
            warnings=located.warnings,
            variants=located.variants,
            memo=path,
        )
    the_plan, new_plan = _plan_for(
        request,
        located,
        store,
        layout,
        key,
        kept_usable=present,
        timings=timings,
        arrivals=arrivals,
    )
    before = _installed(layout)
    memo_file = None
    if not request.dry_run:
        try:
            _build(request, store, located, the_plan, inputs=inputs, key=key, timings=timings)
        except Exception:
            if not new_plan:  # a kept plan is only a shortcut: never let a bad one stick
                _drop_kept_plan(store.root, key)
            raise
        memo_file = _remember(
            request, resolving, store, located, observed, recalled=arrivals is None
        )
    if new_plan and not request.dry_run:  # kept only once it built a venv: a failed sync
        # or a dry run leaves the store as it was
        plancache.save(store.root, key, the_plan)
    result = _result(the_plan, timings, before)
    return dataclasses.replace(
        result,
        notes=located.notes,
        warnings=located.warnings,
        variants=located.variants,
        memo=None if request.dry_run else memo_file,
        inputs=None if request.dry_run else inputs,
        inputs_form=None if request.dry_run else inputs_form(request, located, store.root),
        template=None if request.dry_run else _template(located.target),
        pin_record=located.pin_record,
        plan_parts=_plan_parts(request, located.target),
        site_dirs=(layout.purelib, layout.platlib),
    )


def inputs_form(request: SyncRequest, located: Located, store_root: str) -> str:
    """What the venv's ``graft-inputs`` digests, as JSON, its path written :data:`PREFIX_MARK`.

    ``Located.digest``'s preimage: for a venv at another path, replace the mark in the
    layout's repr (the head's fifth item) with that path's repr and hash the JSON again
    (``graft.cli.replay``, which checks the result against this venv's own inputs first).
    """
    import json  # noqa: PLC0415

    from graft import __version__  # noqa: PLC0415
    from graft.plan.types import Policy  # noqa: PLC0415

    target = located.target
    head = [__version__, target.real_executable, target.version, store_root]
    head += [
        repr(_layout(PREFIX_MARK, target)),
        repr(Policy(request.collisions, request.link_mode)),
    ]
    rows = sorted(
        f"{f.sha256}|{f.wanted.path or ''}|{int(f.wanted.requested)}"
        + (f"|{f.wanted.direct_url}" if f.wanted.direct_url else "")
        for f in located.fetched
    )
    return json.dumps([head, rows])


def _template(target: Target) -> str:
    """The venv template of *target*'s interpreter (the sync has made it by then)."""
    from graft.venv.skeleton import venv_template  # noqa: PLC0415

    return venv_template(target)


def _target_of(request: ResolveRequest) -> Callable[[], Target] | None:
    """The interpreter's facts as resolution finds them, for bytecode compiled at ingest."""
    if request.foreign is not None:
        return None

    def target() -> Target:
        from graft.venv.interpreter import find_interpreter, introspect  # noqa: PLC0415

        return introspect(find_interpreter(request.python))

    return target


def _installed(layout: VenvLayout) -> tuple[str, ...]:
    """``name==version`` of what the venv holds now (nothing when there is no venv)."""
    from graft.venv.state import installed  # noqa: PLC0415

    found = installed(layout.prefix, (layout.purelib, layout.platlib))
    return tuple(sorted(f"{name}=={version}" for name, version in found.items()))


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


def _drop_kept_plan(store_root: str, key: str) -> None:
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


def _result(plan: Plan, timings: dict[str, float], before: tuple[str, ...]) -> SyncResult:
    names = tuple(f"{d.name}=={d.version}" for d in plan.distributions)
    return SyncResult(plan.prefix, names, plan, _stats(plan), timings, before)


def _entries_present(store: Store, located: Located) -> bool:
    """Whether every located wheel is in the store already, as graft unpacked it.

    An entry planted in ``entries/`` is not: ingest replaces it. Pins the store first, so
    that gc cannot take an entry between this check and the venv's root.
    """
    shas = [f.sha256 for f in located.fetched if f.sha256]
    if len(shas) != len(located.fetched):
        return False
    store.pin()
    return all(store.trusted(sha) for sha in shas)


def _in_sync(
    request: SyncRequest, store: Store, located: Located
) -> tuple[VenvLayout, str, bool, SyncResult | None]:
    """The venv's layout and inputs, whether the store holds every entry, and a no-op's result.

    The result is None unless the venv is exactly what *located* gives (never for dry runs,
    nor with ``--reinstall``).
    """
    from graft.plan.types import Policy  # noqa: PLC0415

    layout = _layout(os.path.abspath(request.venv), located.target)
    inputs = located.digest(layout, Policy(request.collisions, request.link_mode), store.root)
    present = _entries_present(store, located)
    done = None
    if present and not request.dry_run and not request.reinstall:
        done = _already_in_sync(store, located, layout.prefix, inputs)
    return layout, inputs, present, done


def _already_in_sync(store: Store, located: Located, prefix: str, inputs: str) -> SyncResult | None:
    """The result of a no-op sync, if the venv at *prefix* is exactly what *inputs* give."""
    from graft.venv.state import sweep_staging, up_to_date  # noqa: PLC0415

    state = up_to_date(prefix, inputs)
    if state is None:
        return None
    store.register_root(prefix, [f.sha256 for f in located.fetched if f.sha256])
    sweep_staging(prefix)  # (and the root again: a killed sync may have left none)
    links, directories, files = (int(x) for x in state["graft-stats"].split(",")[1:])
    stats = {"links": links, "directories": directories, "files": files}
    return SyncResult(prefix, located.labels(), None, stats, inputs=inputs)


def _plan_for(
    request: SyncRequest,
    located: Located,
    store: Store,
    layout: VenvLayout,
    key: str,
    *,
    kept_usable: bool,
    timings: dict[str, float],
    arrivals: Arrivals | None = None,
) -> tuple[Plan, bool]:
    """The plan for *located*: kept in the store, or made now (then True: keep it)."""
    clock = time.perf_counter()
    if kept_usable:  # every entry it names is present (and pinned)
        from graft.store import plancache  # noqa: PLC0415

        kept = plancache.load(store.root, key, layout.prefix, layout.python)
        lap(timings, "plan (kept)", clock)
        if kept is not None:
            if arrivals is not None:
                arrivals.close()
            return kept, False
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
    )
    timings.update(prepared.timings)
    clock = time.perf_counter()
    made = plan(prepared.wheels, prepared.layout, prepared.policy)
    lap(timings, "plan", clock)
    return made, True


def _build(
    request: SyncRequest,
    store: Store,
    located: Located,
    the_plan: Plan,
    *,
    inputs: str,
    key: str,
    timings: dict[str, float],
) -> None:
    """Materialize *the_plan* (kept under *key*), rooting old and new entries meanwhile.

    The venv is changed in place when it differs from the plan that built it by little, else
    rebuilt and swapped (:mod:`graft.venv.incremental`). A kill at any moment leaves
    whichever venv is in place (or the change pending) rooted; after the swap, or once the
    change is finished, only the new entries stay rooted.
    """
    from graft.venv.incremental import update_or_rebuild  # noqa: PLC0415

    clock = time.perf_counter()
    prefix = the_plan.prefix
    shas = [d.sha256 for d in the_plan.distributions]
    before = _root_text(store, prefix)
    store.register_root(prefix, [*shas, *_rooted(store, prefix)])
    try:
        how = update_or_rebuild(
            the_plan,
            located.target,
            store.root,
            inputs,
            plan_key=key,
            on_wait=lambda: request.reporter.waiting_for_venv(prefix),
            whole=request.reinstall,
        )
    except Exception:
        _restore_root(store, prefix, before, shas, inputs)
        raise
    store.register_root(prefix, shas)
    lap(timings, "update (incremental)" if how == "updated" else "materialize", clock)


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


def _remember(
    request: SyncRequest,
    resolving: ResolveRequest,
    store: Store,
    located: Located,
    observed: Observed | None,
    *,
    recalled: bool,
) -> str | None:
    """After a sync succeeded: keep what its inputs resolved to (never after a failure).

    The memo's file, when one answers the request now (the one recalled, or written now).
    """
    from graft.resolve import memo  # noqa: PLC0415

    if observed is None:  # recalled, or resolved with nothing to memoize (racy inputs)
        path = memo.memo_path(resolving, _memo_also(request), store.root) if recalled else None
        return path if path is not None and os.path.isfile(path) else None
    return memo.remember_located(resolving, _memo_also(request), store.root, located, observed)
