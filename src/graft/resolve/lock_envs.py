"""A lock's environments resolved: each with ``graft sync``'s resolver, shared reads.

:func:`resolve_environments` resolves every environment of the matrix over one
:class:`~graft.resolve.shared.SharedSource` and one :class:`~graft.resolve.screenmemo.ScreenMemo`:
the first alone, then the others side by side in threads while METADATA is read (a cold
cache), else in forked processes (:mod:`graft.resolve.lock_workers`, decision 92); all of
them once more when none found a resolution and a page came from the cache unasked
(decision 61); each whose search was given up once more, preferring the versions of the
nearest that resolved (:func:`again`, decision 105). :func:`resolve_one` is one
environment's resolution, failure or skip.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, NamedTuple

from graft.errors import SourceError
from graft.resolve.shared import SharedSource

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from graft.errors import BuildError
    from graft.model.request import ResolveRequest
    from graft.model.requirements import Inputs, Wanted
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.environments import Environment
    from graft.resolve.lock_prefs import Locked
    from graft.resolve.projects import IndexProjects
    from graft.resolve.relock import Relock
    from graft.resolve.resolution_error import ResolutionError
    from graft.resolve.resolver import Resolution
    from graft.resolve.screenmemo import ScreenMemo
    from graft.resolve.variants import VariantChooser


#: Environments resolved side by side while METADATA is fetched (a cold lock): their reads
#: overlap; SharedSource has one thread read what several ask for.
SIDE_BY_SIDE = 8


#: URL constraints with a marker (decision 201): each with its file, the project's only one
#: in the environments the marker holds in; and a ``[tool.uv.sources]`` index entry a lock
#: keeps in some environments only, with its index's listing (decision 377).
Conditional = tuple[tuple["Wanted", "Sequence[ArtifactFile]"], ...]


class Outcome(NamedTuple):
    """One environment's resolution, the failure that ends it, or why it is skipped."""

    wanted: list[Wanted]
    resolution: Resolution | None
    failure: ResolutionError | BuildError | None = None
    skip: str | None = None


def resolve_one(
    position: int,
    env: Environment,
    *,
    asked: ResolveRequest,
    inputs: Inputs,
    relock: Relock,
    locked: Locked,
    chooser: VariantChooser,
    source: SharedSource,
    screens: ScreenMemo,
    builds: bool,
    listed: bool,
    prefer: Mapping[str, str] | None = None,
    conditional: Conditional = (),
) -> Outcome:
    """One environment's resolution (or why it is skipped); safe in threads.

    *builds*: a builder is at hand (sdists may be candidates); *listed*: an index is read;
    *prefer*: versions preferred after the output's (another environment's: :func:`again`);
    *conditional*: URL constraints with a marker, whose file is its project's only one
    where the marker holds (decision 201).
    """
    from graft.errors import BuildError  # noqa: PLC0415
    from graft.resolve.inputs import markers_apply, resolver_requirement  # noqa: PLC0415
    from graft.resolve.request_policy import resolver_policy, unbounded_lowest  # noqa: PLC0415
    from graft.resolve.resolution_error import ResolutionError  # noqa: PLC0415
    from graft.resolve.resolver import LOCK_REJECTIONS, resolve  # noqa: PLC0415

    wanted = markers_apply(inputs.wanted, env.target)
    source = seen_in(source, conditional, env)
    try:
        wanted += relock.pins(env)
    except SourceError as exc:  # the lock read does not cover this environment
        return Outcome(wanted, None, skip=f"{env.label}: {exc.what}")
    policy = resolver_policy(
        asked,
        inputs,
        wanted,
        env.target,
        {**(prefer or {}), **locked.preferred(env)},
        chooser,
        sdists=builds,
    )
    try:
        resolution = resolve(
            [resolver_requirement(w) for w in wanted],
            env.target,
            source,
            policy,
            # the first resolution reads in threads; later ones mostly find SharedSource's
            # copies, for which starting threads costs more than it saves
            prefetch=8 if listed and position == 0 else 0,
            dependencies=not asked.no_deps,
            screens=screens,
            max_rejections=LOCK_REJECTIONS,
        )
    except (ResolutionError, BuildError) as exc:  # (BuildError: an sdist it needs)
        return Outcome(wanted, None, failure=exc)
    said = unbounded_lowest(wanted, policy, resolution.pins)  # (as sync's, decision 276)
    if said:
        resolution = dataclasses.replace(resolution, warnings=(*resolution.warnings, *said))
    return Outcome(wanted, resolution)


def seen_in(source: SharedSource, conditional: Conditional, env: Environment) -> SharedSource:
    """*source* as *env* resolves over it, and its variant forks (decisions 201, 240).

    Each URL constraint whose marker holds there is its project's only file; each index
    entry kept apart whose marker holds there makes its index's listing the project's.
    """
    if not conditional:
        return source
    from graft.resolve.inputs import markers_apply  # noqa: PLC0415

    holding = {id(c) for c in markers_apply([c for c, _ in conditional], env.target)}
    own: dict[str, Sequence[ArtifactFile]] = {c.name: f for c, f in conditional if id(c) in holding}
    return source.seen_with(
        own, {c.name: str(c.index) for c, _ in conditional if c.index and id(c) in holding}
    )


def again(
    envs: Sequence[Environment],
    outcomes: list[Outcome],
    resolved: Callable[..., Outcome],
) -> list[Outcome]:
    """*outcomes*, each environment whose search was given up resolved once more (decision 105).

    Preferring the versions of the nearest environment that resolved (the same Python and
    platform, then the same Python, then the nearest Python): a lock's environments mostly
    resolve alike, and the search that went on too long from the newest releases (boto3 and
    s3fs: thousands of boto3 releases, each pinning botocore) often finds at once a set the
    next environment holds. What it finds is a resolution of this environment, by every
    wheel's own metadata; it is not proven the one a lone search would find first. One still
    given up keeps its first failure, and ends the retries (the next would most likely search
    as long again). In the environments' order, so that one answered so serves the next.
    """
    from graft.resolve.resolution_error import ResolutionError  # noqa: PLC0415

    out = list(outcomes)
    for at, env in enumerate(envs):
        failure = out[at].failure
        if not isinstance(failure, ResolutionError) or not failure.gave_up:
            continue
        done = [(e, o.resolution) for e, o in zip(envs, out, strict=True) if o.resolution]
        if not done:
            break
        near = min(done, key=lambda d: _distance(d[0], env))[1]
        prefer = {str(pin.name): str(pin.version) for pin in near.pins}
        retried = resolved(at, env, prefer=prefer)
        if retried.resolution is None:
            break
        out[at] = retried
    return out


def _distance(one: Environment, other: Environment) -> tuple[int, int, int]:
    """How far apart two environments are: Python (minor versions), platform, machine."""
    py = abs(int(one.python.split(".")[1]) - int(other.python.split(".")[1]))
    a, b = one.values, other.values
    return (py, int(a[0] != b[0]), int(a[1] != b[1]))


def _resolve_all(
    envs: Sequence[Environment],
    resolved: Callable[[int, Environment], Outcome],
    projects: IndexProjects,
    chooser: VariantChooser,
) -> tuple[list[Outcome], int]:
    """Each environment's outcome, in order, and how many processes resolved them.

    The first alone; the others side by side in threads if it had to fetch METADATA (a cold
    cache), else in forked processes, one per core (the GIL: threads would gain nothing), once
    what is left is worth a fork (decision 214). The outcomes do not depend on the order: each
    is its environment's own.
    """
    outcomes = [resolved(0, env) for env in envs[:1]]
    if len(envs) > 2 and projects.reading():  # noqa: PLR2004 - two: nothing to overlap
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

        pool = ThreadPoolExecutor(SIDE_BY_SIDE, thread_name_prefix="graft-lock")
        try:
            outcomes += pool.map(resolved, range(1, len(envs)), envs[1:])
        except BaseException:  # (an index that fails, ^C): no environment waits to start
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        return outcomes, 1
    from graft.resolve import lock_workers  # noqa: PLC0415

    rest = list(enumerate(envs[1:], 1))  # (forked processes, one per core: decisions 92, 214)
    found, reports, at_fork = lock_workers.resolve_shared(
        rest, lambda item: resolved(*item), lambda: lock_workers.learned(projects, chooser)
    )
    if at_fork is not None:
        lock_workers.merge(reports, at_fork, projects, chooser)
    return outcomes + found, 1 + len(reports)


def resolve_more(
    envs: Sequence[Environment],
    resolved: Callable[..., Outcome],
    projects: IndexProjects,
    chooser: VariantChooser,
    shared: tuple[SharedSource, ScreenMemo],
) -> list[Outcome]:
    """More environments' outcomes over what resolved the first ones (ranges: decision 153)."""
    source, screens = shared
    bound = functools.partial(resolved, source=source, screens=screens)
    return _resolve_all(envs, bound, projects, chooser)[0]


def resolve_environments(
    envs: Sequence[Environment],
    resolved: Callable[..., Outcome],
    projects: IndexProjects,
    chooser: VariantChooser,
) -> tuple[list[Outcome], SharedSource, ScreenMemo, int]:
    """Each environment's outcome, the source and screenings that gave them, and processes.

    As a sync does (decision 61): when no environment finds a resolution and some page was
    answered from the cache unasked (younger than its TTL: a release uploaded since, the
    user's own just published, may be the answer), every such page is asked again (a 304
    when unchanged) and every environment resolved once more, over what the pages say now.
    Only then: some environments of most locks have no resolution (no wheel for a platform),
    and the lock leaves them out without asking again (decision 74).
    """
    from graft.resolve.screenmemo import ScreenMemo  # noqa: PLC0415

    def once() -> tuple[list[Outcome], SharedSource, ScreenMemo, int]:
        source, screens = SharedSource(projects), ScreenMemo()
        shared = functools.partial(resolved, source=source, screens=screens)
        outcomes, processes = _resolve_all(envs, shared, projects, chooser)
        return again(envs, outcomes, shared), source, screens, processes

    first = once()
    index = projects.indexes
    if index is None or not index.cached_answers() or any(o.resolution for o in first[0]):
        return first
    from graft.resolve.resolution_error import ResolutionError  # noqa: PLC0415 - only on failure

    if not any(isinstance(o.failure, ResolutionError) for o in first[0]):
        return first
    projects.close()  # (listings started ahead: from the pages as they were)
    index.ask_again()
    return once()
