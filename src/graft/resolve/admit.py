"""A listing's files narrowed to the versions a requirement admits, before any tag is read.

A project's listing on PyPI may hold tens of thousands of files (``pydantic-core``: a wheel
per interpreter and platform for every release), and the resolver screens it each time a
requirement on the project arrives, once per environment in a lock. Every file whose version
the specifiers exclude is left out of the candidates whatever else is true of it, so the
resolver's screening (:func:`graft.resolve.screen.screen` without reasons) looks only at the
files of admitted versions: for ``pydantic-core==2.33.2``, one release's wheels instead of
every release's. Only the reasons the explanation of a failure quotes need every file.

A wheel's version is the second dash-separated field of its filename, read with
``packaging``'s :class:`~packaging.version.Version` once per distinct text: the field
``packaging.utils.parse_wheel_filename`` reads (a variant label, PEP 825, is the last field
and a build tag the third). A file whose filename states no version this way is
no wheel name ``packaging`` accepts (it needs those fields, and that version), so the full
screening never offers it either (not a wheel of the project); an sdist's version is
``packaging``'s (:func:`graft.resolve.artifacts.sdist_name`), and an sdist it cannot read is
never offered. So the narrowed screening offers exactly what the full one offers
(``tests/unit/test_screen.py`` checks it on odd listings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.resolve.artifacts import sdist_name
from graft.resolve.listing import Listing, digested, filenames

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    from graft.resolve.artifacts import ArtifactFile

#: A wheel filename's fields: name, version, [build,] python, abi, platform[, variant label].
_WHEEL_FIELDS = frozenset({5, 6, 7})


class ByVersion:
    """A listing's files by the version their filename states (positions in the listing).

    The versions are newest first, each with its files' positions in ascending order, and
    each is parsed when first read: a listing's page keeps them in that order (as texts,
    :func:`graft.resolve.page_digest.digest`), so that a resolution that takes the newest
    release parses the few versions it reads, not the thousands a listing states.
    """

    __slots__ = ("_admitted", "_admitting", "_at", "_parsed", "_texts", "files")

    def __init__(
        self, files: Sequence[ArtifactFile], groups: Sequence[tuple[str, Sequence[int]]] = ()
    ) -> None:
        """Group *files* (kept, so that their identity stays theirs while this lives).

        *groups*: what :func:`version_groups` made of these files before (its texts), as a
        page's digest keeps it.
        """
        self.files = files
        if groups:
            self._texts = [text for text, _ in groups]
            self._at = [tuple(at) for _, at in groups]
            self._parsed: list[Version | None] = [None] * len(groups)
        else:
            made = version_groups(filenames(files))  # (a listing makes no file for this)
            self._texts = [text for text, _, _ in made]
            self._at = [tuple(at) for _, _, at in made]
            self._parsed = [version for _, version, _ in made]
        self._admitted: dict[frozenset[SpecifierSet], Sequence[ArtifactFile]] = {}
        self._admitting: dict[frozenset[SpecifierSet], frozenset[int]] = {}

    def version(self, i: int) -> Version:
        """The *i*-th newest version (parsed once)."""
        parsed = self._parsed[i]
        if parsed is None:
            from packaging.version import Version  # noqa: PLC0415

            parsed = self._parsed[i] = Version(self._texts[i])
        return parsed

    @property
    def versions(self) -> Iterator[tuple[Version, tuple[int, ...]]]:
        """Each version with its files' positions, newest first (each parsed as reached)."""
        return ((self.version(i), self._at[i]) for i in range(len(self._texts)))

    def releases(
        self,
        preferred: Version | None,
        specs: Sequence[SpecifierSet] = (),
        *,
        oldest: bool = False,
    ) -> Iterator[tuple[Version, tuple[int, ...]]]:
        """:attr:`versions` in the screening's order: *preferred* first, then newest first.

        With *specs*, only those between their bounds (:meth:`_window`) after *preferred*:
        the others they cannot contain (``botocore>=1.33.13,<1.34.0``, asked once per boto3
        release backtracked through, is a dozen of 2,000 releases; decision 225); under
        ``===``, the one version its text may spell. *oldest*: oldest first after
        *preferred* (``--resolution lowest``), from the lower bound up.
        """
        first = None if preferred is None else self._index(preferred)
        if first is not None:
            yield self.version(first), self._at[first]
        named = self._named(specs)
        if oldest or named is not None:
            window = self._window(specs) if named is None else named
            for i in reversed(window) if oldest else window:
                if i != first:
                    yield self.version(i), self._at[i]
            return
        lower, upper = self._bounds(specs)
        for i in range(0 if upper is None else self._first_below(upper), len(self._texts)):
            version = self.version(i)  # (the newest taken: no search for the lower bound)
            if lower is not None and version < lower:
                return
            if i != first:
                yield version, self._at[i]

    def _index(self, version: Version) -> int | None:
        """Where *version* is (a binary search over the newest-first order), or None."""
        lo, hi = 0, len(self._texts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.version(mid) > version:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self._texts) and self.version(lo) == version else None

    def _window(self, specs: Iterable[SpecifierSet]) -> range:
        """The positions of the versions *specs* may contain: between their bounds.

        A listing states thousands of versions (``botocore``), and a requirement such as
        ``>=1.33.13,<1.34.0`` admits a dozen: backtracking screens one for every release of
        the project that states it (decision 137). Only bounds every admitted version is
        sure to meet are taken: ``>=``, ``>``, ``==`` (no wildcard) and ``~=`` clauses' from
        below (a version at least its public part), ``<`` clauses' from above, and ``==``
        (no wildcard), ``<=`` and ``~=`` clauses' from above at the next release
        (:func:`_next_release`: ``V+local``, ``V.postN`` are below it). Each version in the
        window is still asked in full. Under ``===``, the one version it may spell
        (:meth:`_named`).
        """
        named = self._named(specs)
        if named is not None:
            return named
        lower, upper = self._bounds(specs)
        first = 0 if upper is None else self._first_below(upper)
        end = len(self._texts) if lower is None else self._first_below(lower)
        return range(first, max(first, end))

    def _named(self, specs: Iterable[SpecifierSet]) -> range | None:
        """Under a ``===`` clause, the position of the one version it may spell; else None.

        ``===X`` contains a version whose text (``str``, normalized) is ``X`` but for case
        (packaging's ``Specifier.contains``): only one equal in value to ``Version(X)``, and
        none if ``X`` is no version. That version's files are every spelling of it
        (``1.0``, ``1.0.0``): the screening asks each file's own (decision 501). Before, a
        ``===`` looked at every version and file of the listing.
        """
        from packaging.version import InvalidVersion, Version  # noqa: PLC0415

        text = next((c.version for spec in specs for c in spec if c.operator == "==="), None)
        if text is None:
            return None
        try:
            at = self._index(Version(text))
        except InvalidVersion:
            return range(0)
        return range(0) if at is None else range(at, at + 1)

    @staticmethod
    def _bounds(specs: Iterable[SpecifierSet]) -> tuple[Version | None, Version | None]:
        """The lower and upper bounds of :meth:`_window` (None: unbounded)."""
        from packaging.version import Version  # noqa: PLC0415

        lower: Version | None = None
        upper: Version | None = None
        for spec in specs:
            for clause in spec:
                op, text = clause.operator, clause.version
                exact = op == "==" and not text.endswith(".*")
                if op in {">=", ">", "~="} or exact:
                    bound = Version(text)
                    lower = bound if lower is None or bound > lower else lower
                if op == "<":
                    bound = Version(text)
                    upper = bound if upper is None or bound < upper else upper
                elif op in {"<=", "~="} or exact:
                    # (``==0.68.0`` once scanned every newer release of 2,500: decision 496)
                    bound = _next_release(Version(text), op == "~=")
                    upper = bound if upper is None or bound < upper else upper
        return lower, upper

    def _first_below(self, bound: Version) -> int:
        """The first position (newest first) whose version is below *bound* (a binary search)."""
        lo, hi = 0, len(self._texts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.version(mid) >= bound:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def stating(self, version: Version) -> list[ArtifactFile]:
        """The files whose filename states *version* (any spelling of it), in order."""
        at = self._index(version)
        return [] if at is None else [self.files[i] for i in self._at[at]]

    def admitting(self, specs: Iterable[SpecifierSet]) -> frozenset[int] | None:
        """The positions (newest first) of the versions every one of *specs* contains.

        Every version the listing states, whatever its files' tags, yanked or prerelease:
        what no requirement could widen. None under ``===`` (a text, not a value).
        Remembered per *specs* as a set (their order and repeats change no verdict): a
        clash's questions ask the same ones again for each release backtracked through
        (decision 225), and a screening's come in the order of their parents (decision 500).
        """
        key = frozenset(specs)
        kept = self._admitting.get(key)
        if kept is not None:
            return kept
        if arbitrary(key):
            return None
        contains = verdicts(key)
        kept = self._admitting[key] = frozenset(
            i for i in self._window(key) if contains(self.version(i))
        )
        return kept

    def admitted(self, specs: Iterable[SpecifierSet]) -> Sequence[ArtifactFile]:
        """The files of versions every one of *specs* contains: every file screening may offer.

        In the listing's order; the same tuple each time for the same *specs*, in any order
        and however repeated (a screening memo keys by its identity). Under ``===``, every file
        of the one version it may spell (:meth:`_named`), each spelling: the screening asks
        each file's own.
        """
        key = frozenset(specs)  # (the same object, its hash kept, if *specs* is a frozenset)
        kept = self._admitted.get(key)
        if kept is None:
            admitting = self._window(key) if arbitrary(key) else sorted(self.admitting(key) or ())
            at: list[int] = []
            for i in admitting:
                at += self._at[i]
            at.sort()
            files = self.files
            kept = self._admitted[key] = (
                files.subset(at) if isinstance(files, Listing) else tuple(files[i] for i in at)
            )
        return kept


def _next_release(version: Version, compatible: bool) -> Version:
    """The first ``.dev0`` of the release after *version*'s, above every version it bounds.

    ``==1.4.5`` admits only versions of release 1.4.5 (``1.4.5+local``, and nothing else
    under ``==``), ``<=1.4.5`` none of a later release, ``~=1.4.5`` only 1.4.x: each of
    those is below ``1.4.6.dev0`` (``1.5.dev0`` for ``~=``), whatever its pre-, post-,
    dev-release or local label, since versions compare by release first (after the epoch).
    """
    from packaging.version import Version  # noqa: PLC0415

    release = version.release[:-1] if compatible else version.release
    bumped = (*release[:-1], release[-1] + 1)
    return Version(f"{version.epoch}!{'.'.join(map(str, bumped))}.dev0")


def version_groups(names: Sequence[str]) -> list[tuple[str, Version, list[int]]]:
    """Each version the filenames *names* state: a spelling, its value, their positions.

    Newest first; the positions ascending; spellings of one version together (under the
    first seen). A wheel's version is its name's second field, an sdist's ``packaging``'s.
    """
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    by_text: dict[str, list[int]] = {}
    sdists: dict[Version, tuple[str, list[int]]] = {}
    for i, name in enumerate(names):
        if name.endswith(".whl"):
            fields = name[:-4].split("-")
            if len(fields) in _WHEEL_FIELDS:
                by_text.setdefault(fields[1], []).append(i)
                continue
        elif (sdist := sdist_name(name)) is not None:
            sdists.setdefault(sdist[1], (str(sdist[1]), []))[1].append(i)
    versions: dict[Version, tuple[str, list[int]]] = {}
    for text, at in by_text.items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        versions.setdefault(version, (text, []))[1].extend(at)
    for version, (text, at) in sdists.items():
        versions.setdefault(version, (text, []))[1].extend(at)
    newest = sorted(versions, reverse=True)
    return [(versions[v][0], v, sorted(versions[v][1])) for v in newest]


#: Per specifier set, each version's verdict: the same in every screening (a lock screens a
#: project once per environment, and a resolution once per requirement arriving on it), and
#: for the same specifiers in any order or repeated (they are all asked: decision 500).
_CONTAINS: dict[frozenset[SpecifierSet], dict[Version, bool]] = {}
_CONTAINS_MAX = 4096


def arbitrary(specs: Iterable[SpecifierSet]) -> bool:
    """Whether *specs* hold a ``===`` clause, which compares a version's text, not its value.

    Equal versions may be written differently (``1.0``, ``1.0.0``), so verdicts on the value
    are neither remembered nor used to narrow a listing under one.
    """
    return any(clause.operator == "===" for spec in specs for clause in spec)


def verdicts(specs: Iterable[SpecifierSet]) -> Callable[[Version], bool]:
    """Whether every one of *specs* contains a version (prereleases count), remembered."""
    key = frozenset(specs)
    if arbitrary(key):
        return lambda version: all(s.contains(version, prereleases=True) for s in key)
    known = _CONTAINS.get(key)
    if known is None:
        if len(_CONTAINS) >= _CONTAINS_MAX:
            _CONTAINS.clear()
        known = _CONTAINS[key] = {}

    def contains(version: Version) -> bool:
        verdict = known.get(version)
        if verdict is None:
            verdict = known[version] = all(s.contains(version, prereleases=True) for s in key)
        return verdict

    return contains


#: Per listing: a lock asks the same listing once per environment and requirement.
_BY_VERSION: dict[int, ByVersion] = {}
_BY_VERSION_MAX = 1024


def by_version(files: Sequence[ArtifactFile]) -> ByVersion:
    """*files* (one project's listing) grouped by version, remembered per listing."""
    hit = _BY_VERSION.get(id(files))
    if hit is not None and hit.files is files:
        return hit
    grouped = ByVersion(files, digested(files, "versions"))
    if len(_BY_VERSION) >= _BY_VERSION_MAX:
        _BY_VERSION.clear()
    _BY_VERSION[id(files)] = grouped
    return grouped


__all__ = ["ByVersion", "arbitrary", "by_version", "verdicts", "version_groups"]
