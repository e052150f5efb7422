"""The sync's resolution of its requirements: one wheel per project, in the shape fetch takes.

:func:`resolve_wanted` is one resolution of the roots ``locate`` gathered (named sources
built, seeds added): the direct files (a wheel by path or URL, a URL constraint's), the
project source over the indexes and find-links, the sdists the resolver may pick built
early, the pin record's young steps recalled where every root is pinned exactly, then
:func:`graft.resolve.resolver.resolve`, the pin record saved, the wheels chosen and the
hashes checked; :func:`asking_again` runs it once more, without the pin record, when it
fails over pages the cache answered unasked and one of them changed since.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from packaging.utils import NormalizedName

    from graft.model.request import ResolveRequest, SourceBuilder
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.sdists import SdistBuilds
    from graft.resolve.variants import VariantChooser
    from graft.sources.candidates import Candidate
    from graft.sources.find_links import FindLinks
    from graft.sources.indexes import Indexes
    from graft.store.entries import Store


#: The pin record a pinned resolution used and kept, and the policy's word on every project
#: (``graft.cli.change`` reads them): the record's file, its context, the word as JSON
Recorded = tuple[str, str, str]
Resolved = tuple[
    list[tuple["Wanted", "Candidate"]], tuple[str, ...], tuple[str, ...], Recorded | None
]


def asking_again(once: Callable[..., Resolved], index: Indexes | None) -> Resolved:
    """*once*'s resolution; if it finds none from pages the cache answered unasked, again.

    A page younger than its TTL is answered from the cache; a release uploaded since (the
    user's own, just published) may be the answer, so on failure every page the failed
    resolution's answers came from is asked again (a 304 when unchanged), and only if one
    changed (or one cannot be asked by what was kept of it) does the resolution run once
    more, without the pin record's steps, every other cached page asked again too (each
    once): over the same pages it would fail the same way (decision 226). pip asks for
    every page each time; uv needs ``--refresh``.
    """
    try:
        return once()
    except SourceError as exc:
        from graft.resolve.resolution_error import ResolutionError  # noqa: PLC0415 - only on failure

        if not isinstance(exc, ResolutionError) or index is None or not index.cached_answers():
            raise
        pages = index.answered_from()
        index.ask_again()
        if pages is not None and not index.changed(pages):
            raise
    return once(recall=False)


def resolve_wanted(
    request: ResolveRequest,
    inputs: Inputs,
    wanted: list[Wanted],
    target: Target,
    *,
    have: dict[str, str],
    find_links: FindLinks,
    index: Indexes | None,
    cache_dir: str,
    chooser: VariantChooser | None = None,
    builder: SourceBuilder | None = None,
    early_builds: bool = True,
    recall: bool = True,
    store: Store | None = None,
    held: Mapping[NormalizedName, Wanted] | None = None,
) -> Resolved:
    """Resolve *wanted* for *target*: one wheel per project, in the shape fetch takes.

    With what it did (for ``-v``) and its warnings. Without *recall*, no step of the pin
    record is taken (the index's pages are being asked again). Without *early_builds* (a
    dry run), a pinned sdist is not built for its METADATA: the backend's metadata hook
    answers, as for any other sdist. A wheel whose entry *store* holds has its METADATA read
    from there (decision 294). *held*: the venv's wheels by URL that no requirement names,
    each offered before its release's other files (decision 448).
    """
    from graft.resolve.fetched import check_hashed, chosen_for_fetch  # noqa: PLC0415
    from graft.resolve.inputs import (  # noqa: PLC0415
        constrained_files,
        direct_file,
        hash_checking,
        markers_apply,
        resolver_needs,
    )
    from graft.resolve.pinned import pinned_exactly  # noqa: PLC0415
    from graft.resolve.projects import IndexProjects  # noqa: PLC0415
    from graft.resolve.request_policy import resolver_policy, unbounded_lowest  # noqa: PLC0415
    from graft.resolve.resolver import resolve  # noqa: PLC0415

    direct: dict[str, ArtifactFile] = {}
    for w in wanted:
        if (file := direct_file(w)) is not None:
            direct[w.name] = file
    # a wheel a constraint names: its project's only file, if anything needs it (decision 172)
    constrained = constrained_files(markers_apply(inputs.constraints, target), wanted)
    for name, c in constrained.items():
        if (file := direct_file(c, constraint=True)) is not None and name not in direct:
            direct[name] = file
    requirements = [need for w in wanted for need in resolver_needs(w)]
    builds = _sdist_builds(request, wanted, target, builder, cache_dir, early=early_builds)
    source = IndexProjects(
        index,
        find_links,
        cache_dir,
        offline=request.offline,
        direct=direct,
        held=(kept := _held_files(held or {})),
        builds=builds,
        store=store,
    )
    policy = resolver_policy(
        request, inputs, wanted, target, have, chooser, sdists=builds is not None
    )
    record = None  # the pin record: only indexes answer, and their answers age (pinrecord)
    recalled = None  # its steps young enough to be taken as the provider's answers
    needs = [n for n in requirements if not isinstance(n, str)]
    if (
        recall
        and not request.refresh
        and index is not None
        and not request.offline
        and not inputs.find_links
        and not direct
        and not kept  # (the venv's URL wheels are no index's answer)
        and pinned_exactly(needs)  # (else no step is recalled: the record is not read)
        and policy.overrides is None  # (its steps' dependencies are the wheels' own)
    ):
        from graft.resolve import pinrecord  # noqa: PLC0415

        urls = index.urls  # (a pinned project's index too: decision 372)
        key = pinrecord.context(target, policy, urls, dependencies=not request.no_deps)
        record = (key, pinrecord.load(cache_dir, key, ttl=float("inf")))  # (aged ones kept)
        recalled = pinrecord.young(record[1])
    try:
        resolution = resolve(
            requirements,
            target,
            source,
            policy,
            prefetch=0 if index is None else 8,
            dependencies=not request.no_deps,
            recalled=recalled,
        )
    except BaseException:
        if builds is not None:
            builds.cancel()  # early builds not yet started: nothing will be installed
        raise
    finally:
        source.close()  # pages listed ahead that no one asked for
    recorded = None
    if record is not None and resolution.steps:
        import json  # noqa: PLC0415

        from graft.resolve.pinned import plain_word  # noqa: PLC0415
        from graft.resolve.pinrecord import record_path, save  # noqa: PLC0415

        pages = index.pages if index is not None else lambda _name: None  # (always indexes)
        save(cache_dir, record[0], resolution.steps, record[1], pages)
        if index is not None:  # the recalled steps' answers rest on their pages as they were
            for asked in {step.asked for _, step in resolution.steps} & set(recalled or {}):
                index.rests_on(record[1][asked][2])
        word = plain_word(policy)
        if word is not None:
            recorded = (record_path(cache_dir, record[0]), record[0], json.dumps(word))
    chosen = chosen_for_fetch(resolution, wanted, policy.hashes, {**(held or {}), **constrained})
    if hash_checking(inputs, wanted):
        check_hashed(chosen)
    how = {
        "search": f"in {resolution.rounds} rounds ({resolution.backtracks} backtracks)",
        "pinned": "pinned exactly, without search",
        "unanimous": "without search: every requirement's first choice agreed",
    }[resolution.found]
    count = len(resolution.pins)
    projects = f"{count} project{'' if count == 1 else 's'}"
    note = f"resolved {projects} {how}; METADATA read: {source.fetched()}"
    notes = (*(builds.notes if builds is not None else ()), note)
    warnings = (*resolution.warnings, *unbounded_lowest(wanted, policy, resolution.pins))
    if builds is not None and builds.dynamic and request.foreign is not None:  # (decision 421)
        from graft.resolve.read_here import read_here_warning  # noqa: PLC0415

        said = read_here_warning(builds, (c.filename for _, c in chosen))
        warnings = (*warnings, *filter(None, [said]))
    return chosen, notes, warnings, recorded


def _held_files(held: Mapping[NormalizedName, Wanted]) -> dict[str, ArtifactFile]:
    """The files of the venv's wheels by URL *held*, each marked held (decision 448)."""
    from dataclasses import replace  # noqa: PLC0415

    from graft.resolve.inputs import direct_file  # noqa: PLC0415

    return {n: replace(f, held=True) for n, w in held.items() if (f := direct_file(w))}


def _sdist_builds(
    request: ResolveRequest,
    wanted: list[Wanted],
    target: Target,
    builder: SourceBuilder | None,
    cache_dir: str,
    *,
    early: bool,
) -> SdistBuilds | None:
    """What reads the sdists the resolver may take; None where builds are off.

    For this machine's interpreter: the target's builds (a pinned sdist built at once if
    *early*). For a foreign target (a dry run): read as a lock reads them, by the
    interpreter running graft, nothing built (:func:`graft.resolve.read_here.read_here`,
    decision 420).
    """
    if builder is None or request.no_build:
        return None
    if request.foreign is not None:
        from graft.resolve.read_here import read_here  # noqa: PLC0415

        return read_here(builder, cache_dir, offline=request.offline)
    from graft.resolve.sdists import SdistBuilds  # noqa: PLC0415

    pinned = frozenset((w.name, w.version) for w in wanted if w.version and not w.source and early)
    return SdistBuilds(
        builder, target, cache_dir, offline=request.offline, pinned=pinned, python_first=True
    )


__all__ = ["Recorded", "Resolved", "asking_again", "resolve_wanted"]
