"""``graft lock``'s stages around its resolutions: roots, each environment's view, micro ranges.

:mod:`~graft.resolve.lock` orders them: first the named sources read and the projects the
lock leaves out (:func:`roots`, decisions 451, 468), then, once each environment of the
matrix is resolved, the view of the shared source each environment has (:func:`views`,
decisions 377, 385) and the series locked from a later micro release or forked into micro
ranges (:func:`micro`, decisions 153, 157).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from graft.resolve import left_out, prepared_lock

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from graft.model.request import ResolveRequest, SourceBuilder
    from graft.model.requirements import Inputs
    from graft.resolve.artifacts import ProjectSource
    from graft.resolve.environments import Environment
    from graft.resolve.lock_envs import Conditional, Outcome
    from graft.resolve.lock_late import Late
    from graft.resolve.lock_ranges import Forked
    from graft.resolve.metadata_reader import MetadataReader
    from graft.resolve.projects import IndexProjects
    from graft.resolve.relock import Relock
    from graft.resolve.screenmemo import ScreenMemo
    from graft.resolve.shared import SharedSource
    from graft.resolve.variants import VariantChooser


def roots(
    asked: ResolveRequest,
    builder: SourceBuilder | None,
    matrix: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    inputs: Inputs,
    cache_dir: str,
) -> tuple[dict[str, str], left_out.Leaving]:
    """The lock's named sources read (their PEP 610 texts) and the projects it leaves out.

    *matrix*: the Python versions, platforms, environment markers and implementations asked.

    A ``-r pyproject.toml`` that only its backend describes is locked as its directory, then
    left out (decision 468), as ``--only-deps`` leaves out a project of an index (451).
    """
    from graft.resolve.lock_inputs import everywhere  # noqa: PLC0415
    from graft.resolve.named_sources import lock_directories  # noqa: PLC0415

    prepared = prepared_lock.as_roots(inputs)
    built_sources = lock_directories(
        inputs, asked, builder, cache_dir, functools.partial(everywhere, *matrix)
    )
    also = prepared_lock.settle(inputs, prepared)
    return built_sources, left_out.Leaving.of(inputs.wanted, asked.only_deps, also)


def views(
    source: SharedSource, conditional: Conditional, projects: IndexProjects
) -> Callable[[Environment], tuple[ProjectSource, Mapping[str, str]]]:
    """Each environment's view of *source*, and the index each project is kept to there.

    The projects kept to one index everywhere, and those of *conditional* kept to one
    (``Wanted.index``) whose entry's marker holds there (decisions 372, 377).
    """
    from graft.resolve.inputs import markers_apply  # noqa: PLC0415
    from graft.resolve.lock_envs import seen_in  # noqa: PLC0415

    pinned = {} if projects.indexes is None else projects.indexes.pinned_urls

    def seen(env: Environment) -> tuple[ProjectSource, Mapping[str, str]]:
        held = markers_apply([w for w, _ in conditional if w.index is not None], env.target)
        return seen_in(source, conditional, env), {
            **pinned,
            **{w.name: str(w.index) for w in held},
        }

    return seen


def micro(  # noqa: PLR0917 - the resolutions and what they were made of
    envs: Sequence[Environment],
    outcomes: Sequence[Outcome],
    shared: tuple[SharedSource, ScreenMemo, MetadataReader, IndexProjects, VariantChooser],
    resolved: Callable[..., Outcome],
    inputs: Inputs,
    relock: Relock,
    seen: Callable[[Environment], tuple[ProjectSource, Mapping[str, str]]],
) -> tuple[Late, Forked]:
    """The series as locked: from a later release where the first has no resolution.

    A series whose first release has no resolution is locked from the first later one that
    has (decision 157), then each is forked where its micro releases resolve apart (decision
    153).
    """
    from graft.resolve.lock_envs import resolve_more  # noqa: PLC0415
    from graft.resolve.lock_late import start_later  # noqa: PLC0415
    from graft.resolve.lock_ranges import fork  # noqa: PLC0415
    from graft.resolve.lock_said import reason_of  # noqa: PLC0415
    from graft.resolve.micro_bounds import Bounds  # noqa: PLC0415

    source, screens, reader, projects, chooser = shared
    lines = [w.marker for w in (*inputs.wanted, *inputs.constraints) if w.marker]
    bounds = Bounds(seen, reader, [*lines, *relock.markers()])  # (each one's view: 385)

    def more(parts: list[Environment]) -> list[Outcome]:
        return resolve_more(parts, resolved, projects, chooser, (source, screens))

    late = start_later(envs, outcomes, bounds, more, lambda e, o: str(reason_of(e, o)))
    return late, fork(late.envs, late.outcomes, bounds, more)


__all__ = ["micro", "roots", "views"]
