"""Artifacts (the files of a release), where their metadata comes from, and artifact nodes.

The resolver's unit is one *file*, never a (name, version): each wheel's own METADATA
is the truth for the target that installs it (see ``docs`` research §1; pip resolves one
target the same way). Files of one release whose surfaces are equal form one
:class:`ArtifactNode`; nodes let a caller see that a release's wheels disagree (the
``tensorflow-cpu==2.19.0`` and ``openmm==8.3.1`` cases) and share one read per node.

**Which metadata is read** (:func:`files_to_read`): for one target, only the target's best
wheel of a version is read, and only when neither that file nor a file with the *same
metadata hash* has been read before. Equal metadata hashes prove equal surfaces; different
hashes only mean "maybe different" (a reformatted line changes the hash, not the surface),
so a differing hash is a reason to read, never a reason to split a node.
:func:`graft.resolve.releases.read_release` applies the rule for several targets at once,
and :class:`graft.resolve.metadata_reader.MetadataReader` reads what it names.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from packaging.utils import InvalidSdistFilename, NormalizedName, parse_sdist_filename
from packaging.version import InvalidVersion

from graft.model.wheelname import InvalidWheelFilename, parse_wheel_filename

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping, Sequence

    from packaging.version import Version

    from graft.resolve.surface import Surface


@dataclass(frozen=True, slots=True)
class ArtifactFile:
    """One file of a project as an index (or a find-links directory) lists it."""

    filename: str
    url: str
    hashes: tuple[tuple[str, str], ...] = ()  # (algorithm, hex), e.g. ("sha256", "ab…")
    requires_python: str | None = None  # the index's data-requires-python (per release!)
    yanked: str | None = None  # None: not yanked; "" or the reason: yanked (PEP 592)
    upload_time: dt.datetime | None = None  # aware, UTC (PEP 700)
    metadata_hash: str | None = None  # "sha256=<hex>" of its METADATA, when known (PEP 658)
    direct: bool = False  # named by the user (a path or URL), not found on an index
    size: int | None = None  # bytes, when the index (PEP 700) or a lock says
    constraint: str | None = None  # where a URL constraint named it (decision 172)
    # the wheel the venv holds from this URL, offered before its release's other files
    # (a dependency kept where the venv holds it by URL: decision 448)
    held: bool = False

    @property
    def is_wheel(self) -> bool:
        """A ``.whl`` file (anything else is a source distribution or unknown)."""
        return self.filename.endswith(".whl")

    @property
    def sha256(self) -> str | None:
        """The file's sha256 as the index announced it."""
        return dict(self.hashes).get("sha256")


@dataclass(frozen=True, slots=True)
class WheelName:
    """The parts of a wheel filename (binary distribution format)."""

    name: NormalizedName
    version: Version
    build: int  # 0 when the filename has no build tag
    tags: tuple[str, ...]
    variant: str | None = None  # the variant label (PEP 825), None for a non-variant wheel


_PLAIN_FIELDS = 5  # name-version-python-abi-platform.whl
_BUILD_FIELDS = 6  # with a build tag (a digit first) or a variant label


@functools.lru_cache(maxsize=65536)
def parse_wheel(filename: str) -> WheelName | None:
    """The parsed wheel filename, or None when *filename* is not a valid wheel name.

    Cached: the resolver screens a project's files each time a requirement on it arrives.
    """
    try:
        name, version, build, tags, variant = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return None
    return WheelName(
        name, version, build[0] if build else 0, tuple(sorted(str(t) for t in tags)), variant
    )


#: Dashes in a wheel filename with a variant label: six fields at least (PEP 825).
_LABEL_DASHES = 5


def is_variant_wheel(filename: str) -> bool:
    """Whether *filename* names a valid variant wheel (PEP 825).

    A name of five fields or fewer has no room for a label and is not parsed: a listing's
    every filename is asked this (``pydantic-core``: thousands), and parsing one is
    ``packaging``'s tag parser.
    """
    if filename.count("-") < _LABEL_DASHES:
        return False
    parsed = parse_wheel(filename)
    return parsed is not None and parsed.variant is not None


@functools.lru_cache(maxsize=4096)
def _expanded(compressed: str) -> tuple[str, ...] | None:
    from packaging.tags import parse_tag  # noqa: PLC0415

    try:
        return tuple(sorted(str(t) for t in parse_tag(compressed)))
    except ValueError:  # packaging's InvalidTag (newer releases check each tag)
        return None


@functools.lru_cache(maxsize=131072)
def stated_tags(filename: str) -> tuple[str, ...] | None:
    """The tags a wheel filename without a variant label states, or None (then parse it).

    ``packaging``'s ``parse_tag`` of the compressed tag set (the last three fields), once per
    distinct set: a listing repeats a few dozen sets over thousands of files, and most of
    those files fit no target, so they need not be parsed whole. When :func:`parse_wheel`
    accepts the filename, its tags are exactly these (``parse_wheel_filename`` reads the same
    fields with the same function); when it does not, the file is no candidate whatever its
    tags. None for anything that is not shaped as a wheel name, has a variant label or tags
    ``packaging`` refuses. Cached: each admitted subset of a listing is grouped anew.
    """
    if not filename.endswith(".whl"):
        return None
    fields = filename[:-4].split("-")
    if len(fields) == _BUILD_FIELDS and not fields[2][:1].isdigit():
        return None  # a variant label (PEP 825), or no wheel name: screened one by one
    if len(fields) not in {_PLAIN_FIELDS, _BUILD_FIELDS}:
        return None
    return _expanded("-".join(fields[-3:]))


def sdist_version(filename: str) -> Version | None:
    """The version of a source distribution filename, or None."""
    parsed = sdist_name(filename)
    return None if parsed is None else parsed[1]


@functools.lru_cache(maxsize=16384)
def sdist_name(filename: str) -> tuple[NormalizedName, Version] | None:
    """The (name, version) of a source distribution filename, or None when it is none."""
    try:
        return parse_sdist_filename(filename)
    except (InvalidSdistFilename, InvalidVersion):
        return None


#: What old sdists were packed as besides ``.tar.gz`` and ``.zip`` (pip's archive formats)
LEGACY_SDIST_SUFFIXES = (".tar.bz2", ".tbz", ".tgz", ".tar.xz", ".txz", ".tlz", ".tar.lz")


def legacy_sdists(name: NormalizedName, filenames: Sequence[str]) -> list[tuple[Version, str]]:
    """The *filenames* that are sdists of *name* in a format PEP 625 leaves out, by version."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import parse  # noqa: PLC0415

    out = []
    for filename in filenames:
        suffix = next((s for s in LEGACY_SDIST_SUFFIXES if filename.endswith(s)), None)
        if suffix is None:
            continue
        project, _, text = filename[: -len(suffix)].rpartition("-")
        try:
            version = parse(text)
        except InvalidVersion:
            continue
        if canonicalize_name(project) == name:
            out.append((version, filename))
    return out


def wheel_rank(filename: str, tag_rank: Mapping[str, int]) -> tuple[int, int] | None:
    """The target's preference for a wheel (lower is better), None when it is incompatible.

    :func:`graft.sources.candidates.rank`'s order (the best tag's position in the target's
    order, then the highest build tag), on the cached parse of the filename.
    """
    parsed = parse_wheel(filename)
    if parsed is None:
        return None
    positions = [tag_rank[t] for t in parsed.tags if t in tag_rank]
    return (min(positions), -parsed.build) if positions else None


class ProjectSource(Protocol):
    """Where projects' files and their METADATA come from (an index, find-links, a fake)."""

    def files(self, name: NormalizedName) -> Sequence[ArtifactFile]:
        """Every file of project *name* (empty when there is no such project)."""
        ...

    def metadata(self, file: ArtifactFile) -> bytes:
        """The ``*.dist-info/METADATA`` bytes of wheel *file*."""
        ...

    def project_names(self) -> Sequence[str]:
        """Project names known to the source, for "did you mean"; may be empty."""
        ...

    def which_exist(self, names: Sequence[NormalizedName]) -> Sequence[NormalizedName]:
        """Those of *names* the source has a project for (asked for "did you mean" only)."""
        ...


@runtime_checkable
class EarlyBuilds(Protocol):
    """A source that can start, ahead of its read, a build the resolution is sure to need."""

    def build_early(self, file: ArtifactFile) -> None:
        """Start building sdist *file* if its build is certain (a root ``==`` pin); else nothing."""
        ...


@runtime_checkable
class ListingPrefetch(Protocol):
    """A source that can list projects in the background (an index: one request each)."""

    def prefetch_files(self, names: Sequence[NormalizedName]) -> Sequence[NormalizedName]:
        """Start listing *names*; :meth:`ProjectSource.files` then waits for each answer.

        Returns those of *names* listed from the network in this run (now or before): the
        projects a cold resolution waits for.
        """
        ...

    def reads_cheaply(self) -> bool:
        """Whether no METADATA read so far took a whole download (a server without ranges).

        A read ahead's guess is read only then: a wrong guess must not cost a wheel.
        """
        ...


@runtime_checkable
class SurfaceStore(Protocol):
    """A source that also keeps surfaces it parsed (so a later run need not parse again)."""

    def load_surface(self, file: ArtifactFile) -> Surface | None:
        """The surface kept for *file* (its METADATA checked against its name), or None."""
        ...

    def save_surface(self, file: ArtifactFile, data: bytes, surface: Surface) -> None:
        """Keep *surface*, parsed and checked from *file*'s METADATA *data*."""
        ...


@dataclass(frozen=True, slots=True)
class ArtifactNode:
    """The files of one release that share one surface."""

    surface: Surface
    files: tuple[ArtifactFile, ...]  # sorted by filename


def group_nodes(read: Iterable[tuple[ArtifactFile, Surface]]) -> tuple[ArtifactNode, ...]:
    """Group files whose surfaces are equal; nodes sorted by (name, version, digest)."""
    groups: dict[Surface, list[ArtifactFile]] = {}
    for file, surface in read:
        groups.setdefault(surface, []).append(file)
    nodes = [
        ArtifactNode(s, tuple(sorted(set(fs), key=lambda f: f.filename)))
        for s, fs in groups.items()
    ]
    return tuple(
        sorted(nodes, key=lambda n: (n.surface.name, n.surface.version, n.surface.digest()))
    )


def best_wheel(files: Iterable[ArtifactFile], tag_rank: Mapping[str, int]) -> ArtifactFile | None:
    """The target's best wheel among *files* (its tag order, then the highest build tag)."""
    ranked = [
        (r, f.filename, f)
        for f in files
        if not _unchosen_variant(f) and (r := wheel_rank(f.filename, tag_rank))
    ]
    return min(ranked, key=lambda item: item[:2])[2] if ranked else None


def _unchosen_variant(file: ArtifactFile) -> bool:
    """A variant wheel the user did not name: left out until variants are selected."""
    return is_variant_wheel(file.filename) and not file.direct


def files_to_read(
    release: Sequence[ArtifactFile],
    tag_rank: Mapping[str, int],
    known_files: frozenset[str],
    known_hashes: frozenset[str],
) -> tuple[ArtifactFile, ...]:
    """Which files of one release must have their METADATA read for this target.

    Nothing when the target's best wheel was read before (*known_files*: filenames) or
    shares its metadata hash with a file read before (*known_hashes*); otherwise that wheel.
    """
    best = best_wheel(release, tag_rank)
    if best is None or best.filename in known_files:
        return ()
    if best.metadata_hash is not None and best.metadata_hash in known_hashes:
        return ()
    return (best,)
