"""Resolution: inputs -> target -> the wheel file chosen for each requirement, downloaded.

The stages in order: the request's inputs read (``inputs``), the target found, named sources
built (``source_stage``, ``named_sources``) and their URL dependencies followed
(``url_deps``), what the venv holds by URL kept (``held_urls``), the requirements resolved
(``resolver``; a pylock.toml is already a resolution: ``locked_files``), the projects
``--only-deps`` names left out (``left_out``), each wheel chosen and downloaded
(``fetched``), the sdists picked built (``picked_sdists``); the result is ``Located``
(:mod:`graft.resolve.located`), with what it depends on for the memo. Heavy imports
(packaging, the index client, thread pools) happen inside the functions: a warm sync whose
inputs are unchanged never resolves (``memo``) and must not pay for them.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING

from graft.errors import SourceError
from graft.resolve.located import Located

if TYPE_CHECKING:
    from collections.abc import Callable

    from packaging.utils import NormalizedName

    from graft._reads import Reads
    from graft.model.request import Reporter, ResolveRequest, SourceBuilder
    from graft.model.requirements import Wanted
    from graft.model.variants import ProviderPlugins
    from graft.resolve.fetched import Fetched
    from graft.resolve.held_sources import Held
    from graft.resolve.resolve_wanted import Recorded, Resolved
    from graft.resolve.source_stage import SourceStage
    from graft.resolve.variants import VariantChooser
    from graft.sources.candidates import Candidate
    from graft.store.entries import Store


def locate(
    request: ResolveRequest,
    reporter: Reporter,
    on_fetched: Callable[[Wanted, str, str | None], None] | None = None,
    builder: SourceBuilder | None = None,
    *,
    variant_plugins: ProviderPlugins | None = None,
    chooser: VariantChooser | None = None,
    download: bool = True,
    store: Store | None = None,
) -> Located:
    """Inputs, target, and the wheel file for each distribution (downloaded if need be).

    Requirements are resolved (:func:`graft.resolve.resolver.resolve`) against find-links and
    the indexes, each wheel's own METADATA being the truth; a ``pylock.toml`` is already a
    resolution and its files are taken as they are. *on_fetched* is handed to
    :func:`graft.resolve.fetched.fetch`: each wheel's local path as soon as it is known (a
    cold sync ingests it at once). A remote wheel whose entry *store* holds is not
    downloaded (:func:`graft.resolve.fetched.stored`; decision 154).
    *builder* builds sources: named ones before resolving (:mod:`graft.resolve.named_sources`),
    sdists the resolver picks once downloaded (:mod:`graft.resolve.sdists`); without one,
    sources are refused.
    *variant_plugins* runs the variant provider plugins the user allowed. A chosen variant
    wheel whose own ``variant.json`` disagrees with its release's metadata makes the
    resolution run again with that release's variants ignored (PEP 825), reusing *chooser*.
    Without *download* (a dry run, decision 149), resolution reads metadata as ever (an
    sdist's by its backend's metadata hook, never by a build) and ``Located.chosen`` holds
    the files chosen: nothing more is downloaded, built or handed to *on_fetched*.
    Every file read meanwhile is kept (a run's :class:`~graft._reads.Reads`): a request's
    file another reader read with other bytes leaves no memo (decision 479).
    """
    from graft._reads import Reads  # noqa: PLC0415

    with Reads() as reads:
        options = (variant_plugins, chooser, download, store)
        return _located(reads, request, reporter, on_fetched, builder, *options)


def _located(  # noqa: PLR0912, PLR0915, PLR0917 - the stages, in order
    reads: Reads,
    request: ResolveRequest,
    reporter: Reporter,
    on_fetched: Callable[[Wanted, str, str | None], None] | None,
    builder: SourceBuilder | None,
    variant_plugins: ProviderPlugins | None,
    chooser: VariantChooser | None,
    download: bool,
    store: Store | None,
) -> Located:
    """:func:`locate`'s stages, in order, its reads kept in *reads*."""
    from graft._home import cache_root  # noqa: PLC0415
    from graft.resolve import sdists  # noqa: PLC0415
    from graft.resolve.chosen_variants import disagreements, report  # noqa: PLC0415
    from graft.resolve.fetched import fetch  # noqa: PLC0415
    from graft.resolve.inputs import gather_inputs, markers_apply, target_of  # noqa: PLC0415
    from graft.resolve.page_digest import indexes, pins  # noqa: PLC0415
    from graft.resolve.request_policy import held_by_url, preferences, url_labels  # noqa: PLC0415
    from graft.resolve.seeds import seed_wanted, without_seeds  # noqa: PLC0415
    from graft.resolve.variant_reads import chooser_for  # noqa: PLC0415
    from graft.sources.find_links import FindLinks  # noqa: PLC0415
    from graft.sources.requirements import check_one_version_each  # noqa: PLC0415

    inputs = gather_inputs(request)
    target, interpreter = target_of(request)
    if inputs.scripts:  # a PEP 723 script's requires-python, as pip checks it (decision 433)
        from graft.sources.script import refuse_python  # noqa: PLC0415

        refuse_python(inputs.scripts, target, "--python-version" if request.foreign else "--python")
    wanted = markers_apply(inputs.wanted, target)
    by_url = held_by_url(request, target) if wanted else {}
    digests: dict[str, str] = {}
    if by_url:  # what the venv holds by URL, kept where the request allows it (439, 452)
        from graft.resolve.held_urls import keep  # noqa: PLC0415

        wanted, digests = keep(request, target, wanted, inputs, by_url, store)
    cache_dir = cache_root()
    chooser = chooser or chooser_for(request, cache_dir, variant_plugins)

    source_reads: list[tuple[tuple[str, str], ...] | None] = []
    dynamic: list[str] = []  # a foreign target's named sources its backend read (442)

    @functools.cache  # made when a source is first met: a sync of none imports no such stage
    def stage() -> SourceStage:
        from graft.resolve.source_stage import SourceStage  # noqa: PLC0415

        return SourceStage(request, inputs, target, builder, cache_dir, source_reads, dynamic)

    def build(items: list[Wanted]) -> tuple[list[Wanted], list[str]]:
        if not any(w.source for w in items):  # (nothing to build: named_sources not imported)
            return list(items), []
        return stage().build(items)

    needs: list[Wanted] = []
    prepared_notes: list[str] = []
    if inputs.prepared:  # -r pyproject.toml without [project]: its backend's metadata says
        needs, prepared_notes = stage().prepared()
    wanted, built_notes = build([*wanted, *needs])
    built_notes = [*prepared_notes, *built_notes]
    # --only-deps: the projects the command line names, left out once resolved (decision 445)
    named = frozenset(w.name for w in wanted) if request.only_deps else frozenset()
    # their URL requirements' and uv sources' too (decisions 169, 369)
    if not request.no_deps and any(w.path for w in wanted):
        from graft.resolve.url_deps import with_url_dependencies  # noqa: PLC0415

        sourced = not request.no_sources
        wanted = with_url_dependencies(
            wanted,
            target,
            build,
            built_notes,
            uv_sources=sourced,
            unread=frozenset(request.no_sources_packages),
            inputs=inputs,
        )
    locked: list[Wanted] = []
    unbuilt: tuple[tuple[str, bytes], ...] = ()
    if inputs.pylocks:
        from graft.resolve.locked_files import read_locks  # noqa: PLC0415

        locked = read_locks(request, inputs, target, chooser)
        if download:  # (a dry run names a lock's sources by the lock: none is built)
            locked, lock_notes = build(locked)  # locked sdists and directories: built
            built_notes += lock_notes
        elif any(w.source for w in locked):  # read instead, as checked (decision 239)
            unbuilt = stage().unbuilt(locked)
    check_one_version_each(wanted + locked)
    pinned = pins(inputs, [target.markers])[0]  # (kept to one index: decision 372)
    index = indexes(
        inputs,
        cache_dir,
        offline=request.offline,
        strategy=request.index_strategy,
        refresh=request.refresh,
        pinned=pinned,
    )
    find_links = FindLinks(inputs.find_links, pinned)
    chosen: list[tuple[Wanted, Candidate]] = []
    have: dict[str, str] = {}
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    recorded: Recorded | None = None
    left_out: tuple[str, ...] = ()
    held = preferences(request, target) if wanted or request.seeds else {}
    seeds, said = seed_wanted(request, inputs, [*wanted, *locked], target, held)
    if wanted or seeds:
        from graft.resolve.resolve_wanted import asking_again, resolve_wanted  # noqa: PLC0415

        have = held
        by_venv: dict[NormalizedName, Wanted] = {}

        def buildable(source: Wanted) -> bool:  # (builds off for it: the index's release)
            return stage().buildable(source)

        sources: dict[NormalizedName, Held] = {}
        if by_url:  # the venv's other wheels by URL: offered first (decision 448)
            from graft.resolve.held_sources import offered  # noqa: PLC0415
            from graft.resolve.held_urls import held_files  # noqa: PLC0415

            by_venv = held_files(request, [*wanted, *locked], inputs, by_url, digests)
            # and its sources, by the METADATA they installed (decision 461)
            sources = offered(
                request, [*wanted, *locked], inputs, by_url, target, cache_dir, buildable
            )
            by_venv.update({name: held.stand_in for name, held in sources.items()})

        def anew() -> tuple[Resolved, str | None]:
            return without_seeds(once, wanted, seeds, have, required=request.seed)

        def once(roots: list[Wanted]) -> Resolved:
            try:
                return asking_again(
                    functools.partial(
                        resolve_wanted,
                        request,
                        inputs,
                        roots,
                        target,
                        have=have,
                        find_links=find_links,
                        index=index,
                        cache_dir=cache_dir,
                        chooser=chooser,
                        builder=builder,
                        early_builds=download,
                        store=store,
                        held=by_venv,
                    ),
                    index,
                )
            except SourceError as exc:
                if request.no_sources or request.no_sources_packages:
                    unread = None if request.no_sources else request.no_sources_packages
                    from graft.resolve.no_project import uv_sources_hint  # noqa: PLC0415

                    uv_sources_hint(exc, roots, unread)
                raise

        found, dropped = without_seeds(once, wanted, seeds, have, required=request.seed)
        if sources:  # a source the venv holds, taken: built as it is now (decision 461)
            from graft.resolve.held_sources import built_as_now  # noqa: PLC0415

            found, dropped = built_as_now(found, dropped, sources, by_venv, have, build, anew)
        resolved, notes, warnings, recorded = found
        said = (*said, dropped) if dropped else said
        if request.foreign is not None:  # a named source: the target builds it (decision 427)
            from graft.resolve.unbuilt import unbuilt_source  # noqa: PLC0415

            resolved = [
                (w, unbuilt_source(dataclasses.replace(w, filename=None)) if w.source else c)
                for w, c in resolved
            ]
        if named:  # (--only-deps: decision 445)
            from graft.resolve.left_out import leave_out  # noqa: PLC0415

            resolved, left_out = leave_out(resolved, named)
        chosen += resolved
    precheck = None
    if locked:
        from graft.resolve.locked_files import lock_precheck, locked_files  # noqa: PLC0415

        chosen += locked_files(locked, find_links, target, index)
        if index is not None and not wanted:  # a lock alone: its set checked before download
            precheck = lock_precheck(request, inputs, target, cache_dir, index.offline)

    fetched: list[Fetched] = []
    picked_notes: list[str] = []
    pairs: list[tuple[str, str | None, str, str]] = []  # (an sdist's and its build's: 308)
    if download:

        def arrived(w: Wanted, path: str, sha: str | None) -> None:
            if on_fetched is not None and not sdists.is_sdist_file(path):
                on_fetched(w, path, sha)  # (an sdist is built first, below)

        got = fetch(
            chosen,
            cache_dir,
            reporter,
            precheck,
            offline=request.offline,
            on_fetched=arrived,
            store=store,
        )
        fetched = got
        if any(f.path and sdists.is_sdist_file(f.path) and not f.wanted.source for f in got):
            from graft.resolve.picked_sdists import build_picked  # noqa: PLC0415

            fetched, picked_notes, pairs = build_picked(got, target, builder, source_reads)
        if on_fetched is not None:
            for item in fetched:
                if item not in got and item.path is not None:  # (a built wheel: always a file)
                    on_fetched(item.wanted, item.path, item.sha256)
        if disagreements(chooser, fetched, store):  # (now ignored by the chooser)
            return locate(request, reporter, on_fetched, builder, chooser=chooser, store=store)
        if pairs:  # a build that contradicts its sdist's static metadata (decision 308)
            from graft.resolve.static_checked import contradicted  # noqa: PLC0415

            said_again = contradicted(pairs, cache_dir)
            if said_again:  # (forgotten: the next resolution reads the built METADATA)
                again = locate(request, reporter, on_fetched, builder, chooser=chooser, store=store)
                return dataclasses.replace(again, notes=(*said_again, *again.notes))
    explained, support, declared = report(chooser, chosen)
    from graft.sources.tool_sources import unread_additions  # noqa: PLC0415

    unread = unread_additions(inputs)  # PIP_FIND_LINKS and the like (decision 115)
    if unread is not None:
        warnings = (unread, *warnings)
    if dynamic:  # a foreign target's named sources read through their backends (442)
        warnings = (*warnings, stage().dynamic_warning())
    if left_out:  # (-v; a dry run says them: decision 445)
        from graft.resolve.left_out import note  # noqa: PLC0415

        notes = (*notes, note(left_out))
    if inputs.warnings:  # (a script's [tool.uv], ignored: decision 432)
        warnings = (*inputs.warnings, *warnings)
    if explained:
        notes = (*notes, *explained[0])
        warnings = (*warnings, *chooser.warnings)
    elif chooser.warnings:
        warnings = (*warnings, *chooser.warnings)
    files_read = (*inputs.files_read, *inputs.pylocks)
    overrides = None
    if request.override_files or request.exclude_files:
        from graft.resolve.overrides import of_inputs  # noqa: PLC0415

        overrides = of_inputs(inputs)
    if chooser.config_read is not None:
        files_read = (*files_read, chooser.config_read)  # a changed variants.toml: resolve again
    reads.fold(inputs.digests)  # (a file read again with other bytes: no memo, 479)
    return Located(
        target,
        tuple(fetched),
        files=files_read,
        digests=tuple(inputs.digests.items()),
        dirs=tuple(inputs.find_links),
        interpreter=interpreter,
        index=index is not None and not request.offline,
        machine=chooser.detected,
        notes=tuple(dict.fromkeys((*built_notes, *notes, *picked_notes))),
        warnings=warnings,
        said=said,
        preferred=(*sorted(f"{n}=={v}" for n, v in have.items()), *url_labels(by_url)),
        variants=tuple(explained[1]) if explained else (),
        variant_support=support,
        variant_declared=declared,
        from_sources=None in source_reads or bool(inputs.remote_files),
        source_reads=tuple(read for reads in source_reads if reads for read in reads),
        variables=tuple(inputs.variables),
        pin_record=recorded,
        pages=None if index is None else index.answered_from(),
        chosen=() if download else tuple(chosen),
        unbuilt=unbuilt,
        left_out=left_out,
        overrides=overrides,  # (as read: decision 471)
    )


__all__ = ["locate"]
