"""``graft lock``: resolve once per environment, merge by artifact node, write PEP 751.

Each environment of the matrix (:mod:`graft.resolve.environments`) is resolved with the
same :func:`~graft.resolve.resolver.resolve` ``graft sync`` uses, over one shared
:class:`~graft.resolve.projects.IndexProjects` (index pages and METADATA are read once).
The results are merged per project by *(version, surface)*: the environments whose chosen
release has the same canonical metadata share one ``[[packages]]`` entry, whose marker is
true exactly in those environments among the covered ones, and which lists the wheels of
that node compatible with at least one of them. An environment in which two compatible
wheels of the chosen release state different metadata cannot be written as a marker
(manylinux level, macOS minimum): the lock is refused, naming both wheels.

**Wheel variants (PEP 825).** Each environment is resolved with the variant options given
(``--variant-property``, ``variants.toml``, detection), and then once more per other
variant choice of each variant release it pins (:mod:`graft.resolve.lock_forks`): the lock
holds what every machine's choice needs, and a project only some choices need says when
in ``[packages.tool.graft] needed-by``. An entry lists every variant wheel of its release
that fits one of its environments by tags, beside the non-variant ones, and carries the
release's variant metadata inlined as ``[packages.variants-json]`` (labels not listed
dropped, every listed label complete), so ``graft sync VENV pylock.toml`` chooses the
variant on the machine that installs. packaging's lock model refuses variant filenames,
so the lock is built and validated with stand-in names (the filenames without labels)
and the real names and the tables are put back into the TOML written.

An environment the requirements cannot be resolved for (no wheel for it, its Python
excluded) is left out of ``environments`` with a warning, unless it is a platform tag the
user named or no environment is left.

This module orders the steps; its parts are :mod:`~graft.resolve.lock_inputs` (what the
environments are resolved over), :mod:`~graft.resolve.lock_envs` (the resolutions, with
:mod:`~graft.resolve.lock_workers`), :mod:`~graft.resolve.lock_late` and
:mod:`~graft.resolve.lock_ranges` (micro releases), :mod:`~graft.resolve.lock_extras` and
:mod:`~graft.resolve.lock_said` (the environments left out, and why),
:mod:`~graft.resolve.lock_entries` (the resolutions forked per variant choice with
:mod:`~graft.resolve.lock_forks`, merged by :mod:`~graft.resolve.lock_merge`, variant
metadata inlined by :mod:`~graft.resolve.lock_variants`) and
:mod:`~graft.resolve.lock_write`; the roots read before resolving, each environment's view
and the micro releases are :mod:`~graft.resolve.lock_stages`'s.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graft.resolve import lock_direct, lock_stages
from graft.resolve.lock_entries import advice, entries_of, with_forks

if TYPE_CHECKING:
    from graft._reads import Reads
    from graft.errors import BuildError
    from graft.model.request import ResolveRequest, SourceBuilder
    from graft.resolve.environments import Environment
    from graft.resolve.lock_merge import Entry
    from graft.resolve.projects import IndexProjects
    from graft.resolve.resolution_error import Reason, ResolutionError
    from graft.resolve.resolver import Resolution


@dataclass(frozen=True)
class LockRequest:
    """What ``graft lock`` was asked: the inputs and sources, the matrix, the output."""

    resolving: ResolveRequest
    output: str = "pylock.toml"
    python_versions: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()  # linux, macos, windows, or platform tags
    implementations: tuple[str, ...] = ()  # cp (the default), pp: --implementation
    environments: tuple[str, ...] = ()  # markers: keep the matrix's environments matching one
    # reads the METADATA of sdists no wheel can stand for (built or prepared for the running
    # interpreter, as uv does); None: sdist-only releases cannot be locked
    builder: SourceBuilder | None = None


@dataclass(frozen=True)
class LockResult:
    """What was written, for the summary."""

    path: str  # the lock's file, or STDOUT
    environments: tuple[Environment, ...]
    entries: tuple[Entry, ...]
    skipped: tuple[str, ...] = ()  # "<env label>: <why>" of environments left out
    # one of them left out because its search was given up (decisions 67, 105), not proven
    # to have no resolution: an edit that narrows the roots may make it lockable
    searched_out: bool = False
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    metadata: dict[str, Any] = field(default_factory=dict)  # what reading METADATA cost
    # what the lock read, for the lock stamp (graft.cli.lockstamp)
    files_read: tuple[str, ...] = ()  # requirement, constraint, pyproject, lock files
    # the sha256 of the bytes each requirements file was parsed from (sources.requirements)
    digests: tuple[tuple[str, str], ...] = ()
    dirs_read: tuple[str, ...] = ()  # find-links directories
    wheels_read: tuple[str, ...] = ()  # wheels named by path or URL (or by a lock read)
    sources_named: bool = False  # a project directory or sdist named: its tree is not watched
    # a requirements file expanded ${NAME}, or was read by URL: not watched either
    variables_read: bool = False
    machine: bool = False  # variant detection read the machine
    index: bool = False  # an index answered (its answers age)
    # the index pages its answers came from, with their validators (Indexes.answered_from):
    # an aged lock stamp is renewed while each is unchanged; None when one cannot be asked again
    pages: tuple[tuple[str, dict[str, str]], ...] | None = None
    # sha256 of the output the lock preferred versions from ("-": none there), "*": not read
    preferred_from: str = "*"
    text: str | None = None  # the lock itself, when it goes to standard output (-o -)
    # the environments left out, each reason once (decision 158): what graft lock prints
    skipped_said: tuple[str, ...] = ()
    # a series locked from a later release than its first (decision 157): releases left out
    started_later: bool = False
    # an environment left out though it resolved, to a release without an extra asked of
    # it (decision 233): an edit that narrows the roots may change that
    resolved_out: bool = False


def _hooks_failed(projects: IndexProjects) -> str:
    """For ``-v``: the sdists' metadata hooks that failed, and failures kept said instead."""
    builds = projects.builds
    if builds is None or not (builds.failed_hooks or builds.kept_failures):
        return ""
    return f"; sdist hooks that failed: {builds.failed_hooks} run, {builds.kept_failures} kept"


def lock(request: LockRequest) -> LockResult:
    """Resolve every environment of the matrix, merge by node, write ``request.output``.

    Every file read meanwhile, in its forked workers too, is kept (a run's
    :class:`~graft._reads.Reads`): a request's file another reader read with other bytes
    leaves no stamp (decision 479).
    """
    from graft._reads import Reads  # noqa: PLC0415

    with Reads() as reads:
        return _locked(request, reads)


def _locked(request: LockRequest, reads: Reads) -> LockResult:
    """:func:`lock`'s stages, its reads kept in *reads*."""
    from graft._home import cache_root  # noqa: PLC0415
    from graft.resolve.environments import (  # noqa: PLC0415
        keep_matching,
        matrix,
        pypy_only,
        python_versions,
    )
    from graft.resolve.inputs import gather_inputs  # noqa: PLC0415
    from graft.resolve.lock_envs import resolve_environments, resolve_one  # noqa: PLC0415
    from graft.resolve.lock_extras import with_extras  # noqa: PLC0415
    from graft.resolve.lock_forks import Forks  # noqa: PLC0415
    from graft.resolve.lock_inputs import index_projects, requires_python  # noqa: PLC0415
    from graft.resolve.lock_prefs import read_locked  # noqa: PLC0415
    from graft.resolve.lock_said import (  # noqa: PLC0415
        none_locked,
        reason_of,
        refuse_if_named,
        said_once,
    )
    from graft.resolve.lock_write import STDOUT, emit  # noqa: PLC0415
    from graft.resolve.metadata_reader import MetadataReader  # noqa: PLC0415
    from graft.resolve.relock import Relock  # noqa: PLC0415
    from graft.resolve.variant_reads import chooser_for  # noqa: PLC0415
    from graft.sources.tool_sources import unread_additions  # noqa: PLC0415

    asked = request.resolving
    inputs = gather_inputs(asked, nothing_listed=True)  # (a lock of nothing: decision 173)
    cache_dir = cache_root()
    asked_matrix = (
        request.python_versions,
        request.platforms,
        request.environments,
        request.implementations,
    )
    built_sources, left = lock_stages.roots(asked, request.builder, asked_matrix, inputs, cache_dir)
    envs = keep_matching(
        matrix(
            python_versions(
                requires_python(
                    asked.requirement_files, inputs.wanted, inputs.scripts, inputs.digests
                ),
                request.python_versions,
            ),
            request.platforms,
            request.implementations,
        ),
        request.environments,
    )
    # variant markers decided as any machine that takes the label may see them
    chooser = chooser_for(asked, cache_dir, inclusive=True)
    relock = Relock(
        inputs.pylocks, asked.extras, asked.groups or None, chooser, all_extras=asked.all_extras
    ).picking(inputs)
    direct, archived, conditional = lock_direct.files(inputs, relock, envs)
    # --no-build: no sdist is a candidate, as under uv pip compile --no-build (an older
    # release with a wheel is taken); a project directory was refused by lock_directories
    projects, conditional = index_projects(
        asked,
        inputs,
        cache_dir,
        direct,
        None if asked.no_build else request.builder,
        envs=[e.target.markers for e in envs],
        conditional=conditional,  # (and an index where its entry's marker holds: decision 377)
    )
    forks = Forks()  # what resolving each other variant choice found (lock_forks)
    # the versions the output holds are preferred, as uv does (lock_prefs)
    to_stdout = request.output == STDOUT  # (-o -: no output file to prefer versions from)
    locked = read_locked(os.path.abspath(request.output), upgrade=asked.upgrade or to_stdout)
    results: list[tuple[Environment, Resolution]] = []
    skipped: list[tuple[str, Reason]] = []  # (environment label, why it is left out)
    where: list[tuple[str, str]] = []  # (environment label, a warning its resolution gave)
    searched_out = False
    first: ResolutionError | BuildError | None = None
    resolved = functools.partial(
        resolve_one,
        asked=asked,
        conditional=conditional,
        inputs=inputs,
        relock=relock,
        locked=locked,
        chooser=chooser,
        builds=projects.builds is not None,
        listed=projects.indexes is not None,
    )
    outcomes, source, screens, processes = resolve_environments(envs, resolved, projects, chooser)
    # (each environment's view of the source: decisions 377, 385)
    reader, views = MetadataReader(source), lock_stages.views(source, conditional, projects)
    late, ranges = lock_stages.micro(
        envs, outcomes, (source, screens, reader, projects, chooser), resolved, inputs, relock,
        views,
    )  # fmt: skip
    # first what pip's and uv's variables would have added (PIP_FIND_LINKS: decision 115),
    # the lines only PyPy takes (decision 120), the series locked from a later release
    # (decision 157), the series not forked (decision 153)
    warnings: dict[str, None] = dict.fromkeys(
        [
            *inputs.warnings,
            *filter(None, [unread_additions(inputs)]),
            *pypy_only(inputs.wanted, envs),
            *said_once(late.said),
            *ranges.warnings,
        ]
    )
    kept, extraless = with_extras(ranges, reader)
    for env, outcome in zip(ranges.envs, kept, strict=True):
        failure = outcome.failure
        if failure is not None:
            refuse_if_named(env, failure)
            first = first or failure
            searched_out = searched_out or bool(getattr(failure, "gave_up", 0))
        if outcome.resolution is None:
            skipped.append((env.label, reason_of(env, outcome)))
            continue
        resolution = outcome.resolution
        where += [(env.label, said) for said in resolution.warnings]
        if chooser.options.enabled and any(
            (str(p.name), str(p.version)) in chooser.orders for p in resolution.pins
        ):  # a variant release: each other variant choice is resolved too (lock_forks)
            resolution = with_forks(
                env, outcome.wanted, resolution, chooser,
                (asked, inputs, source, screens, conditional, projects.builds is not None),
                reader, forks, locked.preferred(env),
            )  # fmt: skip
        # (--only-deps: out of every environment and fork, their dependencies kept, as pip's)
        results.append((env, left.without(resolution)))
    if not results:
        none_locked(first, skipped, extraless=extraless)
    warnings.update(dict.fromkeys(said_once(where)))
    covered = tuple(env for env, _ in results)
    entries = entries_of(results, source, reader, chooser, forks, warnings, views)
    warnings.update(dict.fromkeys(advice(results, views, entries, built_sources)))
    output = STDOUT if to_stdout else os.path.abspath(request.output)
    reads.fold(inputs.digests)  # (read again with other bytes: MIXED, no stamp, 479)
    return LockResult(
        output,
        covered,
        entries,
        tuple(f"{label}: {why}" for label, why in skipped),
        searched_out,
        (
            *(projects.builds.notes if projects.builds is not None else ()),
            (
                f"resolved {len(envs)} environments"
                f"{f', {late.resolved} again from a later micro release' if late.resolved else ''}"
                f"{f' and {ranges.resolved} ranges of micro releases' if ranges.resolved else ''}"
                f"{f' in {processes} processes' if processes > 1 else ''}"
                f"{f' and {forks.resolved} variant forks' if forks.resolved else ''};"
                f" METADATA read: {projects.fetched()}{_hooks_failed(projects)}"
            ),
            *left.notes(),
        ),
        tuple(warnings),
        {
            "read": {k: v for k, v in projects.reads.items() if v},
            "fetched_bytes": projects.fetched_bytes,
            "whole_wheel_bytes": projects.whole_bytes,
        },
        files_read=(*inputs.files_read, *inputs.pylocks, *filter(None, [chooser.config_read])),
        digests=tuple(sorted(inputs.digests.items())),
        dirs_read=tuple(inputs.find_links),
        wheels_read=tuple(f.url for f in direct.values()),  # (a URL: no stamp)
        sources_named=any(w.source for w in inputs.wanted),
        variables_read=bool(inputs.variables or inputs.remote_files),
        machine=chooser.detected,
        index=projects.indexes is not None and not asked.offline,
        pages=None if projects.indexes is None else projects.indexes.answered_from(),
        preferred_from=locked.digest,
        text=emit(
            entries,
            covered,
            built_sources,
            output,
            archived,
        ),
        skipped_said=tuple(said_once(skipped)),
        started_later=bool(late.said),
        resolved_out=extraless,
    )
