"""Checking that a pinned set is complete: every Requires-Dist of every wheel is met.

Markers are evaluated for the target, once per extra that is asked for (directly,
or by another distribution's requirement). This is a check, not a resolver. It reads
wheel records, or, before the wheels are downloaded, the index's core metadata files.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from graft.errors import PlanError, first_line

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from graft.model.requirements import Wanted
    from graft.model.target import Target
    from graft.resolve.overrides import Overrides
    from graft.sources.candidates import Candidate
    from graft.sources.coremeta import CoreMetadata
    from graft.store.entries import Store


class Distribution(Protocol):
    """A member of the set: a ``WheelRecord``, or a ``coremeta.CoreMetadata`` before download."""

    @property
    def name(self) -> str:  # canonical
        """The distribution's canonical name."""

    @property
    def version(self) -> str:
        """The distribution's version."""

    @property
    def label(self) -> str:
        """``name==version``, as problems name the distribution."""

    @property
    def requires_dist(self) -> tuple[str, ...]:
        """The Requires-Dist lines, markers included."""

    @property
    def requires_python(self) -> str | None:
        """The Requires-Python specifier, if any."""

    @property
    def filename(self) -> str:
        """The wheel file the metadata comes from."""


def check_set(
    members: Sequence[tuple[Wanted, Distribution]],
    target: Target,
    no_deps: bool,
    variant_support: Mapping[str, Sequence[str]] | None = None,
    overrides: Overrides | None = None,
) -> None:
    """Refuse the set if it does not suit the target or does not meet its own Requires-Dist.

    A member's Requires-Python excluding the target, or (unless *no_deps*) a Requires-Dist
    the set does not meet: a :class:`PlanError` naming the first problem. Variant markers
    (PEP 825) are decided against *variant_support*: per wheel filename, its properties
    the machine supports (what the resolution used); a variant wheel missing there is
    judged on all its declared properties.

    A requirement of one member installed from its own location (a directory, repository
    or URL: ``direct_url``) on another such member is met by any version of it: the
    resolver decided (a ``[tool.uv.sources]`` entry lowers its project's requirement to the
    source, whatever version it builds, as uv lowers it: decision 373; every other
    requirement on a direct reference it checked itself).

    *overrides*: ``--overrides`` and ``--excludes``, applied to each member's requirements as
    the resolution applied them (decisions 388, 389).
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    for _, dist in members:
        spec = dist.requires_python
        if not spec:
            continue
        try:
            ok = SpecifierSet(spec).contains(target.version, prereleases=True)
        except InvalidSpecifier:
            continue
        if not ok:
            raise PlanError(
                f"{dist.label} requires Python {spec}; the target is {target.version}",
                where=dist.filename,
                hint="pin another version or pass --python",
            )
    if no_deps:
        return
    extras = {dist.name: w.extras for w, dist in members}
    located = frozenset(dist.name for w, dist in members if w.direct_url and not w.indexed)
    problems = unmet_requirements(
        [dist for _, dist in members],
        target.markers,
        extras,
        variant_support,
        located,
        overrides=overrides,
    )
    if problems:
        more = f" (+{len(problems) - 1} more; -v lists them)" if len(problems) > 1 else ""
        locked = overrides is None and any(w.indexed for w, _ in members)
        also = (
            " (a lock made with --overrides or --excludes: give them here too; one made with"
            " --only-deps lacks the projects it named, even where others need them)"  # (451)
            if locked
            else ""
        )
        raise PlanError(
            f"the set is incomplete: {problems[0]}{more}",
            hint=f"add the missing pins, or pass --no-deps{also}",
            details=tuple(problems),
        )


def _applies(req: Requirement, env: Mapping[str, str], extras: set[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**env, "extra": extra}) for extra in ("", *sorted(extras)))


def _requirement(
    record: Distribution, text: str, support: Mapping[str, Sequence[str]] | None
) -> Requirement:
    """One Requires-Dist line; variant markers decided for the record's wheel."""
    try:
        return Requirement(text)
    except InvalidRequirement:
        if "variant_" not in text:
            raise
    from packaging.markers import InvalidMarker  # noqa: PLC0415

    from graft.model.variants import VariantProperty  # noqa: PLC0415
    from graft.variants.markers import VariantEnvironment, requirement  # noqa: PLC0415

    label: str | None = getattr(record, "variant_label", None)
    if label is None and not hasattr(record, "variant_label"):  # an index's metadata file
        from graft.model.wheelname import InvalidWheelFilename, split_variant_label  # noqa: PLC0415

        try:
            label = split_variant_label(record.filename)[1]
        except InvalidWheelFilename:
            label = None
    declared: Sequence[str] = getattr(record, "variant_properties", ())
    properties = (support or {}).get(record.filename, declared)
    env = VariantEnvironment(label or "", frozenset(map(VariantProperty.parse, properties)))
    try:
        return requirement(text, env)
    except InvalidMarker as exc:
        raise InvalidRequirement(first_line(exc)) from None


def unmet_requirements(
    records: Sequence[Distribution],
    env: Mapping[str, str],
    extras: Mapping[str, frozenset[str]],
    variant_support: Mapping[str, Sequence[str]] | None = None,
    located: frozenset[str] = frozenset(),
    *,
    overrides: Overrides | None = None,
) -> list[str]:
    """Human-readable lines, one per requirement the set does not satisfy.

    A requirement of a *located* record on another (by name) is met by any version of it
    (:func:`check_set`).
    """
    have: dict[str, Version | None] = {}
    for record in records:
        try:
            have[record.name] = Version(record.version)
        except InvalidVersion:
            have[record.name] = None
    wanted: dict[str, set[str]] = {r.name: set(extras.get(r.name, ())) for r in records}
    parsed: dict[str, list[Requirement]] = {}
    problems: dict[tuple[str, str], str] = {}
    for record in records:
        reqs = []
        for text in record.requires_dist:
            try:
                reqs.append(_requirement(record, text, variant_support))
            except InvalidRequirement:
                problems[(record.name, text)] = f"{record.label}: unparsable Requires-Dist {text!r}"
        parsed[record.name] = reqs if overrides is None else overrides.apply(reqs)
    changed = True
    while changed:  # extras requested by dependencies propagate to a fixed point
        changed = False
        for record in records:
            for req in parsed[record.name]:
                dep = canonicalize_name(req.name)
                if dep in wanted and _applies(req, env, wanted[record.name]):
                    before = len(wanted[dep])
                    wanted[dep] |= set(req.extras)
                    changed = changed or len(wanted[dep]) != before
    for record in records:
        for req in parsed[record.name]:
            if not _applies(req, env, wanted[record.name]):
                continue
            dep = canonicalize_name(req.name)
            key = (record.name, str(req))
            if dep not in have:
                problems[key] = f"{record.label} requires {req}, which is missing"
                continue
            version = have[dep]
            if record.name in located and dep in located:
                continue
            if version is not None and not req.specifier.contains(version, prereleases=True):
                problems[key] = f"{record.label} requires {req}, but {dep}=={version} is pinned"
    return [problems[k] for k in sorted(problems)]


def check_before_download(
    chosen: Sequence[tuple[Wanted, Candidate]],
    target: Target,
    no_deps: bool,
    cache_dir: str,
    offline: bool,
    *,
    overrides: Overrides | None = None,
) -> dict[str, CoreMetadata]:
    """Run :func:`check_set` on the index's metadata files, before any wheel is downloaded.

    A wheel without a metadata file stands in by its filename's name and version (no
    Requires-Dist, no Requires-Python), so this finds a subset of what the check after
    download finds, in the same words; the rest is found there, as without metadata files.
    Returns the metadata files used, by wheel URL, for ``coremeta.check_wheel_agrees``.
    """
    from graft.sources.coremeta import from_filename, metadata_files  # noqa: PLC0415

    known = metadata_files(chosen, cache_dir, offline)
    if not known:
        return {}
    members = [(w, known.get(c.url) or from_filename(c.filename)) for w, c in chosen]
    complete = [(w, m) for w, m in members if m is not None]
    if len(complete) == len(members):  # an unreadable filename: ingest will say so
        check_set(complete, target, no_deps, overrides=overrides)
    return known


def check_without_download(
    chosen: Sequence[tuple[Wanted, Candidate]],
    target: Target,
    no_deps: bool,
    *,
    cache_dir: str,
    offline: bool,
    store: Store,
    variant_support: Mapping[str, Sequence[str]] | None = None,
    sources: Mapping[str, bytes] | None = None,
    overrides: Overrides | None = None,
) -> None:
    """:func:`check_set` of the files chosen, as a sync runs it once they are in the store.

    For a dry run of a lock (decision 207), whose set no resolution made: each wheel's
    metadata from the index's metadata file, its store entry, its file (local or in the
    download cache), else read through HTTP ranges (offline: its filename stands in). A
    lock's source (an sdist, a directory, a repository the sync builds) is the METADATA
    *sources* gives for its URL (what its backend's metadata hook says, decision 239),
    named by the lock; without one, it stands in by the lock's name and version.
    """
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    from graft.sources.coremeta import CoreMetadata, from_source, metadata_files  # noqa: PLC0415

    known = metadata_files(chosen, cache_dir, offline)
    said = sources or {}

    def member(pair: tuple[Wanted, Candidate]) -> Distribution | None:
        w, c = pair
        if not c.filename.endswith(".whl"):
            data = said.get(c.url)
            if data is not None:
                return from_source(c.filename, w.name, w.version or "", data)
            return CoreMetadata(c.filename, w.name, w.version or "")
        return known.get(c.url) or _at_hand(c, cache_dir, offline, store)

    with ThreadPoolExecutor(max_workers=max(1, min(8, len(chosen)))) as pool:
        found = list(pool.map(member, chosen))
    members = [(w, m) for (w, _), m in zip(chosen, found, strict=True) if m is not None]
    if len(members) == len(chosen):  # (an unreadable filename: ingest says so)
        check_set(members, target, no_deps, variant_support, overrides)


def _at_hand(
    candidate: Candidate, cache_dir: str, offline: bool, store: Store
) -> Distribution | None:
    """The metadata of a wheel not downloaded: its entry's record, its file's, else ranges.

    Read through ranges, it is kept where the resolver keeps a wheel's METADATA (by the
    wheel's sha256 and URL), so the next dry run or resolution reads it from there. METADATA
    read here must name the filename's project and version, as ingest checks it
    (``metadata_reader.check_names``, with ingest's words: the files are chosen already).
    """
    from graft.sources.coremeta import cache_path, from_filename  # noqa: PLC0415
    from graft.sources.fetch import cached_path  # noqa: PLC0415

    sha = candidate.sha256
    entry = store.peek(sha) if sha is not None and store.trusted(sha) else None
    if entry is not None:
        return entry.record
    project = candidate.filename.split("-", 1)[0]  # a wheel's name part never holds "-"
    path = candidate.url if candidate.local else cached_path(candidate, cache_dir)
    if path is not None:
        from graft.sources.localwheel import read_local_metadata  # noqa: PLC0415

        return _checked(candidate.filename, read_local_metadata(path, project)[1])
    kept = cache_path(candidate, cache_dir) if sha is not None else None
    if kept is not None and os.path.isfile(kept):
        with open(kept, "rb") as fh:
            return _checked(candidate.filename, fh.read())
    if offline:  # (the sync refuses what it would download: this is the dry run's part)
        return from_filename(candidate.filename)
    import urllib.parse  # noqa: PLC0415

    from graft.sources.lazywheel import read_metadata  # noqa: PLC0415

    data = read_metadata(urllib.parse.urldefrag(candidate.url).url, project).metadata
    checked = _checked(candidate.filename, data)
    if kept is not None:
        from graft._atomic import remember  # noqa: PLC0415

        remember(kept, data)
    return checked


def _checked(filename: str, data: bytes) -> Distribution | None:
    """The wheel's METADATA *data* for the set check, once it names the filename's release."""
    from graft.resolve.artifacts import ArtifactFile  # noqa: PLC0415
    from graft.resolve.metadata_reader import check_names  # noqa: PLC0415
    from graft.sources.coremeta import from_metadata  # noqa: PLC0415

    check_names(ArtifactFile(filename, ""), data, resolving=False)  # (ingest's words)
    return from_metadata(filename, data)
