"""Resolution: inputs -> target -> the wheel file chosen for each requirement, downloaded.

Requirement files, pylock.toml, find-links and the index are read here; selection is by
the target's own tag order (``sources.select``); metadata files (PEP 658/714) are checked
before anything is downloaded (``coremeta``). Heavy imports (packaging, the index client,
thread pools) happen inside the functions: a warm sync whose inputs are unchanged never
resolves (``memo``) and must not pay for them.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graft.errors import SourceError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping

    from packaging.utils import NormalizedName

    from graft.model.request import Reporter, ResolveRequest, SourceBuilder
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target
    from graft.model.variants import ProviderPlugins
    from graft.plan.types import Policy as PlanPolicy
    from graft.plan.types import VenvLayout
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.candidates import Need
    from graft.resolve.screen import Policy
    from graft.resolve.variants import VariantChooser
    from graft.sources.candidates import Candidate
    from graft.sources.coremeta import CoreMetadata
    from graft.sources.find_links import FindLinks
    from graft.sources.index import Indexes


def gather_inputs(request: ResolveRequest) -> Inputs:
    """Everything the request's specs name: requirements, indexes, find-links and lock files."""
    from graft.model.requirements import Inputs  # noqa: PLC0415
    from graft.sources.pylock import is_pylock  # noqa: PLC0415
    from graft.sources.reqfile import read_requirements  # noqa: PLC0415
    from graft.sources.requirements import parse_spec  # noqa: PLC0415

    inputs = Inputs()
    from graft.sources.requirements import (  # noqa: PLC0415
        refuse_editable_url,
        source_path,
        split_extras,
    )

    for text in request.editables:
        path, extras = split_extras(text, "command line")
        refuse_editable_url(path, "command line")
        inputs.wanted.append(source_path(path, "command line", editable=True, extras=extras))
    for spec in request.specs:
        if is_pylock(spec):
            inputs.pylocks.append(spec)
        else:
            inputs.wanted.append(parse_spec(spec, "command line"))
    from graft.sources.pyproject import is_pyproject, read_groups, read_pyproject  # noqa: PLC0415

    for path in request.requirement_files:
        if is_pyproject(path):
            read_pyproject(path, inputs, request.extras, request.groups)
        else:
            read_requirements(path, inputs)
    no_pyproject = not any(is_pyproject(path) for path in request.requirement_files)
    if request.groups and not inputs.pylocks and no_pyproject:
        read_groups(request.groups, inputs)  # pip's and uv's --group: ./pyproject.toml
    if request.extras and not inputs.pylocks and no_pyproject:  # (was silently ignored)
        from graft.errors import UsageError  # noqa: PLC0415

        raise UsageError(
            f"--extra {request.extras[0]} names an extra of -r pyproject.toml or a pylock.toml,"
            " and neither was given",
            hint="add -r pyproject.toml, or name it in the requirement: 'name[extra]', '.[extra]'",
        )
    for path in request.constraint_files:
        read_requirements(path, inputs, constraints=True)
    if request.index_url:
        inputs.index_url = request.index_url
    inputs.extra_index_urls[:0] = request.extra_index_urls  # the command line's first
    inputs.find_links.extend(os.path.abspath(p) for p in request.find_links)
    inputs.no_index = inputs.no_index or request.no_index
    if not inputs.wanted and not inputs.pylocks:
        from graft.errors import UsageError  # noqa: PLC0415

        raise UsageError(
            "nothing to install", hint="name requirements (name, name>=1.0), wheels, or -r FILE"
        )
    return inputs


def choose(
    wanted: Wanted, find_links: FindLinks, target: Target, index: Indexes | None
) -> Candidate:
    """The best wheel for one pin, from find-links and the index."""
    from graft.sources.candidates import Candidate, select  # noqa: PLC0415

    if wanted.path is not None:
        return Candidate(wanted.filename or os.path.basename(wanted.path), wanted.path, None, True)
    if wanted.url is not None:
        sha = next(iter(wanted.hashes)).removeprefix("sha256:") if wanted.hashes else None
        filename = wanted.filename or wanted.url.rsplit("/", 1)[-1]
        return Candidate(filename, wanted.url, sha, local=False, origin=wanted.where)
    candidates = find_links.candidates(wanted)
    if index is not None:
        candidates += [c for c in index.files(wanted.name) if _matches(c.filename, wanted)]
    if wanted.hashes:
        candidates = [c for c in candidates if _hash_allowed(c, wanted.hashes)]
    best = select(candidates, target)
    if best is None:
        seen = ", ".join(sorted(c.filename for c in candidates)[:6]) or "no wheels at all"
        raise SourceError(
            f"no wheel of {wanted.name}=={wanted.version} fits {target.implementation}"
            f" {target.version} ({target.tags[0]}); found: {seen}",
            where=wanted.where,
            hint="pin a version that ships a compatible wheel, or add --find-links",
        )
    return best


def _matches(filename: str, wanted: Wanted) -> bool:
    from graft.sources.candidates import _version_matches  # noqa: PLC0415

    return _version_matches(filename, wanted.name, wanted.version or "")[0]


def _hash_allowed(candidate: Candidate, hashes: frozenset[str]) -> bool:
    if candidate.sha256 is None and candidate.local:
        from graft._fs import file_sha256  # noqa: PLC0415

        return f"sha256:{file_sha256(candidate.url)}" in hashes
    return candidate.sha256 is None or f"sha256:{candidate.sha256}" in hashes


def _local_paths(local: list[Candidate], cache_dir: str) -> dict[str, tuple[str, str | None]]:
    """Each local wheel's path and sha256; one a local index or a lock lists must match it."""
    from graft.sources.index import local_sha256  # noqa: PLC0415

    paths: dict[str, tuple[str, str | None]] = {}
    for c in local:
        sha = local_sha256(c.url, cache_dir)
        if c.sha256 is not None and c.sha256 != sha and c.origin:  # the user's hash
            raise SourceError(
                f"{c.filename} has sha256 {sha}, not the hash given here",
                where=c.origin,
                hint="the file changed, or the hash is wrong; nothing was installed",
            )
        if c.sha256 is not None and c.sha256 != sha:
            raise SourceError(
                f"{c.filename} has sha256 {sha}, not the {c.sha256} listed for it",
                where=c.url,
                hint="the file changed after it was listed; nothing was installed",
            )
        paths[c.url] = (c.url, sha)
    return paths


def fetch(
    chosen: list[tuple[Wanted, Candidate]],
    cache_dir: str,
    reporter: Reporter,
    precheck: Callable[[list[tuple[Wanted, Candidate]]], Mapping[str, CoreMetadata]] | None = None,
    *,
    offline: bool = False,
    on_fetched: Callable[[Wanted, str, str | None], None] | None = None,
) -> list[Fetched]:
    """Local paths for every chosen wheel; remote ones are downloaded in parallel.

    When something must be downloaded, *precheck* runs first (the Requires-Dist check on the
    index's metadata files); each wheel whose metadata file it used must then agree with it.
    With *offline*, a wheel that is not in the download cache is an error, not a download.
    *on_fetched* gets each wheel's local path as soon as it is known (after *precheck*; a
    download as soon as it completes), so that ingest need not wait for the slowest download.
    """
    remote = [(w, c) for w, c in chosen if not c.local]
    paths = _local_paths([c for _, c in chosen if c.local], cache_dir)
    cached = {
        c.url: os.path.join(cache_dir, "wheels", c.sha256, c.filename)
        for _, c in remote
        if c.sha256
    }
    todo = [(w, c) for w, c in remote if not (c.url in cached and os.path.isfile(cached[c.url]))]
    for _, c in remote:
        hit = cached.get(c.url)
        if hit is not None and os.path.isfile(hit):
            paths[c.url] = (hit, c.sha256)
    used = precheck(chosen) if todo and precheck is not None else {}
    if todo and offline:  # (after the check on cached metadata files: its error says more)
        w, c = todo[0]
        more = f" (and {len(todo) - 1} more)" if len(todo) > 1 else ""
        raise SourceError(
            f"{c.filename} is not in the download cache and --offline was given{more}",
            where=w.where,
            hint="run once without --offline, or add --find-links with the wheel",
        )
    if on_fetched is not None:
        for w, c in chosen:
            if c.url in paths:
                on_fetched(w, *paths[c.url])
    if todo:
        from concurrent.futures import ThreadPoolExecutor, as_completed  # noqa: PLC0415

        from graft.sources.fetch import download  # noqa: PLC0415

        progress = reporter.downloads(len(todo))
        advance = getattr(progress, "advance", None)
        with ThreadPoolExecutor(max_workers=min(8, len(todo))) as pool:
            futures = {pool.submit(download, c, cache_dir, advance): (w, c) for w, c in todo}
            for future in as_completed(futures):
                w, c = futures[future]
                paths[c.url] = future.result()
                if on_fetched is not None:
                    on_fetched(w, *paths[c.url])
        close = getattr(progress, "close", None)
        if close is not None:
            close()
    if used:
        from graft.sources.coremeta import check_wheels_agree  # noqa: PLC0415

        check_wheels_agree([(c, paths[c.url][0]) for _, c in remote], used)
    out: list[Fetched] = []
    for w, c in chosen:
        local, sha = paths[c.url]
        if w.hashes and sha is not None and f"sha256:{sha}" not in w.hashes:
            raise SourceError(
                f"{c.filename} has sha256 {sha}, not the hash given here",
                where=w.where,
                hint="the file changed, or the hash is wrong; nothing was installed",
            )
        if w.size is not None and os.path.getsize(local) != w.size:
            raise SourceError(f"{c.filename} is not {w.size} bytes as given here", where=w.where)
        out.append(Fetched(w, local, sha))
    return out


@dataclass(frozen=True, slots=True)
class Fetched:
    """One distribution located: what asked for it, the local wheel file and its sha256."""

    wanted: Wanted
    path: str
    sha256: str | None  # None only for a local file not hashed yet


@dataclass(frozen=True)
class Located:
    """The target, and for each requested distribution the wheel file chosen and its sha256."""

    target: Target
    fetched: tuple[Fetched, ...]
    known_labels: tuple[str, ...] = ()  # "name==version" of each, when recalled
    # what the result depends on, for the memo: requirement and lock files read, find-links
    # directories listed, the interpreter found, whether an index was asked (answers age)
    files: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()
    interpreter: str | None = None
    index: bool = False
    machine: bool = False  # built-in variant detection was asked: a hardware change counts
    notes: tuple[str, ...] = ()  # what resolution did (rounds, METADATA read), for -v
    warnings: tuple[str, ...] = ()  # what resolution noticed
    preferred: tuple[str, ...] = ()  # "name==version" the venv held, kept where allowed
    # PEP 825: the variant choice per release, for --json (empty without variant wheels)
    variants: tuple[dict[str, Any], ...] = ()
    # per chosen variant wheel: its properties the machine supports (variant markers' sets)
    variant_support: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # per chosen variant wheel: the properties the release's metadata gives its label, which
    # its own variant.json must give too (PEP 825's consistency rule, checked after ingest)
    variant_declared: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # a named source was built, or a requirements file read by URL: no memo can watch them
    from_sources: bool = False
    variables: tuple[str, ...] = ()  # environment variables the requirements files expanded
    pin_record: Recorded | None = None  # what a pinned resolution kept (graft.cli.change)
    # the index pages the answers came from, with their validators (Indexes.answered_from):
    # an aged memo is renewed while each is unchanged; None when one cannot be asked again
    pages: tuple[tuple[str, dict[str, str]], ...] | None = None

    def labels(self) -> tuple[str, ...]:
        """``name==version`` of each distribution located, sorted."""
        if self.known_labels:
            return self.known_labels
        from graft.model.wheelname import parse_wheel_filename  # noqa: PLC0415

        out = set()
        for item in self.fetched:
            name, version = parse_wheel_filename(os.path.basename(item.path))[:2]
            out.add(f"{name}=={version}")
        return tuple(sorted(out))

    def digest(self, layout: VenvLayout, policy: PlanPolicy, store_root: str) -> str:
        """Identifies the venv these inputs give, before any record is read.

        Store entries are immutable and named by sha256, so the chosen files (and how they
        were asked for) with the target, layout and policy determine the plan; the
        bytecode of an entry for one interpreter never changes once compiled.
        """
        import json  # noqa: PLC0415

        from graft import __version__  # noqa: PLC0415
        from graft._sha256 import sha256_hex  # noqa: PLC0415 - not hashlib (OpenSSL's load)

        head = [__version__, self.target.real_executable, self.target.version, store_root]
        head += [repr(layout), repr(policy)]
        rows = sorted(
            f"{f.sha256}|{f.wanted.path or ''}|{int(f.wanted.requested)}"
            + (f"|{f.wanted.direct_url}" if f.wanted.direct_url else "")
            for f in self.fetched
        )
        return sha256_hex(json.dumps([head, rows]).encode())


def locate(  # noqa: PLR0915 - the stages, in order
    request: ResolveRequest,
    reporter: Reporter,
    on_fetched: Callable[[Wanted, str, str | None], None] | None = None,
    builder: SourceBuilder | None = None,
    *,
    variant_plugins: ProviderPlugins | None = None,
    chooser: VariantChooser | None = None,
) -> Located:
    """Inputs, target, and the wheel file for each distribution (downloaded if need be).

    Requirements are resolved (:func:`graft.resolve.resolver.resolve`) against find-links and
    the indexes, each wheel's own METADATA being the truth; a ``pylock.toml`` is already a
    resolution and its files are taken as they are. *on_fetched* is handed to :func:`fetch`:
    each wheel's local path as soon as it is known (a cold sync ingests it at once).
    *builder* builds sources (:mod:`graft.resolve.sdists`): named ones before resolving,
    sdists the resolver picks once downloaded; without one, sources are refused.
    *variant_plugins* runs the variant provider plugins the user allowed. A chosen variant
    wheel whose own ``variant.json`` disagrees with its release's metadata makes the
    resolution run again with that release's variants ignored (PEP 825), reusing *chooser*.
    """
    from graft._home import cache_root  # noqa: PLC0415
    from graft.resolve import sdists  # noqa: PLC0415
    from graft.resolve.page_digest import indexes  # noqa: PLC0415
    from graft.resolve.screen import format_names  # noqa: PLC0415
    from graft.resolve.variants import chooser_for, disagreements, report  # noqa: PLC0415
    from graft.sources.find_links import FindLinks  # noqa: PLC0415
    from graft.sources.requirements import check_one_version_each  # noqa: PLC0415

    inputs = gather_inputs(request)
    target, interpreter = _target(request)
    wanted = [w for w in inputs.wanted if marker_applies(w.marker, target)]
    cache_dir = cache_root()
    chooser = chooser or chooser_for(request, cache_dir, variant_plugins)
    only_binary = format_names((*request.only_binary, *inputs.only_binary))
    no_binary = format_names((*request.no_binary, *inputs.no_binary))

    def build(items: list[Wanted]) -> tuple[list[Wanted], list[str]]:
        return sdists.build_named(
            items,
            target,
            builder,
            cache_dir,
            no_build=request.no_build,
            only_binary=only_binary,
            no_binary=no_binary,
            foreign=request.foreign is not None,
            offline=request.offline,
        )

    wanted, built_notes = build(wanted)
    locked: list[Wanted] = []
    if inputs.pylocks:
        from graft.sources.pylock import read_pylock  # noqa: PLC0415

        groups = request.groups or None
        for lock in inputs.pylocks:
            locked += read_pylock(lock, target, request.extras, groups, variants=chooser)
        locked, lock_notes = build(locked)  # locked sdists and directories: built
        built_notes += lock_notes
    check_one_version_each(wanted + locked)
    index = indexes(
        inputs,
        cache_dir,
        offline=request.offline,
        strategy=request.index_strategy,
        refresh=request.refresh,
    )
    find_links = FindLinks(inputs.find_links)
    chosen: list[tuple[Wanted, Candidate]] = []
    have: dict[str, str] = {}
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    recorded: Recorded | None = None
    if wanted:
        have = preferences(request, target)
        resolved, notes, warnings, recorded = _asking_again(
            functools.partial(
                _resolved,
                request,
                inputs,
                wanted,
                target,
                have=have,
                find_links=find_links,
                index=index,
                cache_dir=cache_dir,
                chooser=chooser,
                builder=builder,
            ),
            index,
        )
        chosen += resolved
    precheck = None
    if locked:
        chosen += [(w, choose(w, find_links, target, index)) for w in locked]
        if index is not None and not wanted:  # a lock alone: its set checked before download
            offline = index.offline

            def precheck(chosen: list[tuple[Wanted, Candidate]]) -> dict[str, CoreMetadata]:
                from graft.resolve.deps import check_before_download  # noqa: PLC0415

                return check_before_download(chosen, target, request.no_deps, cache_dir, offline)

    def arrived(w: Wanted, path: str, sha: str | None) -> None:
        if on_fetched is not None and not sdists.is_sdist_file(path):
            on_fetched(w, path, sha)  # (an sdist is built first, below)

    got = fetch(chosen, cache_dir, reporter, precheck, offline=request.offline, on_fetched=arrived)
    fetched, picked_notes = _build_picked(got, target, builder)
    if on_fetched is not None:
        for item in fetched:
            if item not in got:
                on_fetched(item.wanted, item.path, item.sha256)
    if disagreements(chooser, [f.path for f in fetched]):  # (now ignored by the chooser)
        return locate(request, reporter, on_fetched, builder, chooser=chooser)
    explained, support, declared = report(chooser, chosen)
    if explained:
        notes = (*notes, *explained[0])
        warnings = (*warnings, *chooser.warnings)
    elif chooser.warnings:
        warnings = (*warnings, *chooser.warnings)
    files_read = (*inputs.files_read, *inputs.pylocks)
    if chooser.config_read is not None:
        files_read = (*files_read, chooser.config_read)  # a changed variants.toml: resolve again
    return Located(
        target,
        tuple(fetched),
        files=files_read,
        dirs=tuple(inputs.find_links),
        interpreter=interpreter,
        index=index is not None and not request.offline,
        machine=chooser.detected,
        notes=tuple(dict.fromkeys((*built_notes, *notes, *picked_notes))),
        warnings=warnings,
        preferred=tuple(sorted(f"{n}=={v}" for n, v in have.items())),
        variants=tuple(explained[1]) if explained else (),
        variant_support=support,
        variant_declared=declared,
        from_sources=any(w.source is not None for w in wanted) or bool(inputs.remote_files),
        variables=tuple(inputs.variables),
        pin_record=recorded,
        pages=None if index is None else index.answered_from(),
    )


def _build_picked(
    fetched: list[Fetched], target: Target, builder: SourceBuilder | None
) -> tuple[list[Fetched], list[str]]:
    """Each sdist the resolver chose, downloaded, as the wheel it builds for *target*."""
    from graft.resolve.sdists import built_all_picked, is_sdist_file  # noqa: PLC0415

    def picked(item: Fetched) -> bool:
        return is_sdist_file(item.path) and item.wanted.source is None

    built = iter(
        built_all_picked([(f.wanted, f.path) for f in fetched if picked(f)], target, builder)
    )
    out: list[Fetched] = []
    notes: list[str] = []
    for item in fetched:
        if not picked(item):
            out.append(item)
            continue
        wanted, wheel = next(built)
        notes.append(wheel.note)
        out.append(Fetched(wanted, wheel.path, wheel.sha256))
    return out, notes


def _target(request: ResolveRequest) -> tuple[Target, str | None]:
    """The target and, for a real one, its interpreter's path."""
    from graft.venv.interpreter import find_interpreter, foreign_target, introspect  # noqa: PLC0415

    if request.foreign is not None:
        foreign = request.foreign
        target = foreign_target(
            foreign.python_version,
            list(foreign.platforms),
            foreign.implementation,
            list(foreign.abis) or None,
        )
        return target, None
    interpreter = find_interpreter(request.python)
    return introspect(interpreter), interpreter


def marker_applies(marker: str | None, target: Target) -> bool:
    """Whether a requirement's environment marker holds for *target* (no marker: always)."""
    if marker is None:
        return True
    from packaging.markers import Marker  # noqa: PLC0415

    return Marker(marker).evaluate({**target.markers, "extra": ""})


#: The pin record a pinned resolution used and kept, and the policy's word on every project
#: (``graft.cli.change`` reads them): the record's file, its context, the word as JSON
Recorded = tuple[str, str, str]
Resolved = tuple[
    list[tuple["Wanted", "Candidate"]], tuple[str, ...], tuple[str, ...], Recorded | None
]


def _asking_again(once: Callable[..., Resolved], index: Indexes | None) -> Resolved:
    """*once*'s resolution; if it finds none from pages the cache answered unasked, again.

    A page younger than its TTL is answered from the cache; a release uploaded since (the
    user's own, just published) may be the answer, so on failure every such page is asked
    again (a 304 when unchanged) and the resolution runs once more, without the pin record's
    steps. pip asks for every page each time; uv needs ``--refresh``.
    """
    try:
        return once()
    except SourceError as exc:
        from graft.resolve.explain import ResolutionError  # noqa: PLC0415 - only on failure

        if not isinstance(exc, ResolutionError) or index is None or not index.cached_answers():
            raise
    index.ask_again()
    return once(recall=False)


def _resolved(
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
    recall: bool = True,
) -> Resolved:
    """Resolve *wanted* for *target*: one wheel per project, in the shape fetch takes.

    With what it did (for ``-v``) and its warnings. Without *recall*, no step of the pin
    record is taken (the index's pages are being asked again).
    """
    from graft.resolve.pinned import pinned_exactly  # noqa: PLC0415
    from graft.resolve.projects import IndexProjects, chosen_for_fetch  # noqa: PLC0415
    from graft.resolve.resolver import resolve  # noqa: PLC0415

    direct: dict[str, ArtifactFile] = {}
    for w in wanted:
        if (file := direct_file(w)) is not None:
            direct[w.name] = file
    requirements = [need for w in wanted for need in resolver_needs(w)]
    builds = None
    if builder is not None and not request.no_build and request.foreign is None:
        from graft.resolve.sdists import SdistBuilds  # noqa: PLC0415

        pinned = frozenset((w.name, w.version) for w in wanted if w.version and not w.source)
        builds = SdistBuilds(builder, target, cache_dir, offline=request.offline, pinned=pinned)
    source = IndexProjects(
        index, find_links, cache_dir, offline=request.offline, direct=direct, builds=builds
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
        and pinned_exactly(needs)  # (else no step is recalled: the record is not read)
    ):
        from graft.resolve import pinrecord  # noqa: PLC0415

        urls = [i.url for i in index.indexes]
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
    chosen = chosen_for_fetch(resolution, wanted)
    if inputs.require_hashes or any(w.hashes for w in wanted):
        _check_hashed(chosen)
    how = {
        "search": f"in {resolution.rounds} rounds ({resolution.backtracks} backtracks)",
        "pinned": "pinned exactly, without search",
        "unanimous": "without search: every requirement's first choice agreed",
    }[resolution.found]
    count = len(resolution.pins)
    projects = f"{count} project{'' if count == 1 else 's'}"
    note = f"resolved {projects} {how}; METADATA read: {source.fetched()}"
    notes = (*(builds.notes if builds is not None else ()), note)
    return chosen, notes, resolution.warnings, recorded


def direct_file(wanted: Wanted) -> ArtifactFile | None:
    """The wheel a requirement names by path or URL, as the only file of its project."""
    if wanted.path is None and wanted.url is None:
        return None
    from graft.resolve.artifacts import ArtifactFile  # noqa: PLC0415

    filename = wanted.filename or os.path.basename(wanted.path or wanted.url or "")
    hashes = tuple(("sha256", h.removeprefix("sha256:")) for h in sorted(wanted.hashes))
    location = wanted.path or wanted.url or ""
    return ArtifactFile(filename, location, hashes[:1], direct=True, size=wanted.size)


def resolver_requirement(wanted: Wanted) -> str:
    """What the resolver is asked: the requirement, or ``name==version`` of a wheel file."""
    if wanted.path is None and wanted.url is None:
        return wanted.requirement
    extras = f"[{','.join(sorted(wanted.extras))}]" if wanted.extras else ""
    return f"{wanted.name}{extras}=={wanted.version}"


def resolver_needs(wanted: Wanted) -> list[Need] | list[str]:
    """What the resolver is asked for *wanted*, as its needs when parsed already.

    A requirement was parsed when it was read (``sources.requirements.parse_spec``): its
    canonical name, extras and specifier make the needs ``resolver.root_needs`` would make of
    :attr:`Wanted.requirement` (no marker: it held for the target), without parsing it
    again (50 parses of a pinned set's lines, ~5 ms). A wheel file is asked for by name.
    """
    if wanted.path is not None or wanted.url is not None:
        return [resolver_requirement(wanted)]
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.resolve.candidates import Need  # noqa: PLC0415

    spec, text = SpecifierSet(wanted.specifier), wanted.requirement
    extras = sorted({canonicalize_name(e) for e in wanted.extras})
    return [
        Need(wanted.name, None, spec, text=text),
        *(Need(wanted.name, e, spec, text=text) for e in extras),
    ]


def preferences(request: ResolveRequest, target: Target) -> dict[str, str]:
    """The versions the request's venv holds, which resolution keeps if it may (not with -U)."""
    if request.venv is None or request.upgrade:
        return {}
    from graft.venv.state import installed  # noqa: PLC0415

    sites = (target.scheme["purelib"], target.scheme["platlib"])
    return installed(os.path.abspath(request.venv), sites)


def resolver_policy(  # noqa: PLR0917 - the lock and the sync pass the same six
    request: ResolveRequest,
    inputs: Inputs,
    wanted: list[Wanted],
    target: Target,
    have: dict[str, str],
    variants: VariantChooser | None = None,
    *,
    sdists: bool = False,
) -> Policy:
    """The resolver's policy from the request's flags and the inputs' options.

    *sdists*: a builder is at hand, so sdists may be candidates (as ``--only-binary`` allows).
    """
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    from graft.resolve.screen import Policy, Prereleases, format_names  # noqa: PLC0415

    prereleases = Prereleases(request.prerelease or "if-necessary")
    if inputs.prereleases and request.prerelease is None:
        prereleases = Prereleases.ALLOW
    constraints: dict[NormalizedName, SpecifierSet] = {}
    for c in inputs.constraints:
        if marker_applies(c.marker, target):
            constraints[c.name] = constraints.get(c.name, SpecifierSet()) & SpecifierSet(
                c.specifier
            )
    preferred = {}
    for name, version in have.items():
        try:
            preferred[canonicalize_name(name)] = Version(version)
        except InvalidVersion:
            continue
    upgrade: bool | frozenset[NormalizedName] = request.upgrade or frozenset(
        canonicalize_name(n) for n in request.upgrade_packages
    )
    return Policy(
        prereleases=prereleases,
        exclude_newer=_exclude_newer(request.exclude_newer),
        preferred=preferred,
        upgrade=upgrade,
        hashes={w.name: w.hashes for w in wanted if w.hashes},
        constraints=constraints,
        variants=variants,
        sdists=sdists,
        no_binary=format_names((*request.no_binary, *inputs.no_binary)),
        only_binary=format_names((*request.only_binary, *inputs.only_binary)),
    )


def _exclude_newer(text: str | None) -> dt.datetime | None:
    """``--exclude-newer``: an RFC 3339 timestamp, or a date (files up to its end, UTC)."""
    if text is None:
        return None
    import datetime as dt  # noqa: PLC0415

    from graft.errors import UsageError  # noqa: PLC0415

    try:
        if len(text) == len("YYYY-MM-DD"):
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--exclude-newer {text!r} is not a date or timestamp",
            hint="write 2026-11-30 or 2026-11-30T12:00:00Z",
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _check_hashed(chosen: list[tuple[Wanted, Candidate]]) -> None:
    """Hash-checking mode (pip's): every distribution installed must have been given a hash."""
    missing = [f"{w.name}=={w.version} ({w.where})" for w, _ in chosen if not w.hashes]
    if missing:
        from graft.errors import SourceError  # noqa: PLC0415

        raise SourceError(
            f"hash-checking mode: no --hash given for {', '.join(missing)}",
            hint="with any --hash, every distribution needs one (as pip requires); pin and"
            " hash them all, e.g. from a lock",
        )


__all__ = [
    "Fetched",
    "Located",
    "choose",
    "direct_file",
    "fetch",
    "gather_inputs",
    "locate",
    "marker_applies",
    "resolver_needs",
    "resolver_policy",
    "resolver_requirement",
]
