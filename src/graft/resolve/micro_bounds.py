"""Where a lock environment's series must be forked on ``python_full_version`` (decision 153).

A lock environment stands for every micro release of its series, and is resolved for the
first of a range of them. Within the range, what a flat install on a later micro release
gets can differ from what the first gets only where something the resolution met changes
its verdict between two micro releases:

- a **marker** naming ``python_full_version`` (or ``implementation_version``, the same for
  CPython) of a root, a ``-c`` constraint, a package of a lock re-locked, or a Requires-Dist
  line of a wheel the resolution pinned, under the extras the resolution asked of it
  (redis's ``async-timeout>=4.0.3; python_full_version < "3.11.3"``);
- the **Requires-Python** of a release newer than the one pinned that the first micro
  release excludes and a later one admits (cryptography 44 and later:
  ``!=3.9.0,!=3.9.1,>=3.7``; soupsieve 4.1: ``>=3.11.5``), as the index states it (the
  releases :mod:`graft.resolve.lock_micro` finds) or as a local wheel's METADATA says it
  (find-links), or of the pinned wheel itself where a later micro release is
  excluded.

:class:`Bounds` finds those micro releases, each the first release of a new range, by
evaluating with ``packaging`` at every micro release of the series (``X.Y.0`` to
``X.Y.99``): the verdicts are kept per marker, environment and extra, and per specifier,
so that a lock none of whose markers or Requires-Python names a micro release evaluates
nothing (a text test comes first) and forks nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from graft.errors import GraftError
from graft.model.target import LATER_MICRO

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from packaging.markers import Marker
    from packaging.version import Version

    from graft.resolve.artifacts import ArtifactFile, ProjectSource
    from graft.resolve.environments import Environment
    from graft.resolve.metadata_reader import MetadataReader
    from graft.resolve.resolver import Pin, Resolution

    #: (a release, the micro releases from which on it is admitted; a local wheel to read)
    _Later = tuple[Version, tuple[int, ...], ArtifactFile | None]

_REMOTE = ("http://", "https://")
#: A version a marker or specifier names: its series and micro release (``3.11.3``, ``3.11``).
_VERSION = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?:\.(\d+))?")
_STRING_OPERATOR = re.compile(r"\bin\b")

#: A marker naming a micro release: only these can change within a series.
_MICRO_VARIABLES = ("python_full_version", "implementation_version")


def names_micro(marker: str) -> bool:
    """Whether *marker* (its text) can change its verdict within a series."""
    return any(v in marker for v in _MICRO_VARIABLES)


def _flips(verdict: Callable[[int], bool], text: str, series: str) -> tuple[int, ...]:
    """The micro releases whose verdict differs from the one before (``X.Y.1`` on).

    *verdict* is asked only where *text* (a marker's or a specifier's) can change it: at
    each micro release ``z`` of *series* it names and ``z + 1`` (``< "3.11.3"``, ``<=
    "3.11.3"``), at ``X.Y.1`` where it names the series alone (``> "3.11"``), and at
    ``X.Y.0``; a comparison of versions holds alike between two of those. A text with a
    string operator (``in``, ``not in``) is asked at every micro release.
    """
    points: Iterable[int] = range(LATER_MICRO + 1)
    if not _STRING_OPERATOR.search(text):
        named = {0}
        for major, minor, micro in _VERSION.findall(text):
            if f"{major}.{minor}" == series:
                z = int(micro) if micro else 0
                named.update((z, z + 1))
        points = sorted(m for m in named if m <= LATER_MICRO)
    before: bool | None = None
    out = []
    for micro in points:
        now = verdict(micro)
        if before is not None and now != before:
            out.append(micro)
        before = now
    return tuple(out)


def _excludes(spec: str, version: str) -> bool:
    """Whether the Requires-Python *spec* excludes *version* (an invalid one excludes none)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    try:
        return not SpecifierSet(spec).contains(version)
    except InvalidSpecifier:
        return False


def _names_series(spec: str, series: str) -> bool:
    """Whether a specifier's text names the series (``3.11.5``, ``>3.11``; not ``3.1``)."""
    return re.search(rf"(?<![\d.]){re.escape(series)}(?!\d)", spec) is not None


class Bounds:
    """The micro releases within an environment's range where its resolution may change."""

    def __init__(
        self,
        seen: Callable[[Environment], tuple[ProjectSource, Mapping[str, str]]],
        reader: MetadataReader,
        markers: Iterable[str],
    ) -> None:
        """*markers*: those of the roots, constraints and re-locked packages, as text.

        *seen*: each environment's view of the source and the index each project is kept to
        there (``lock._views``): a project a ``[tool.uv.sources]`` entry keeps to an index in
        some environments has that index's releases there (decision 385).
        """
        from packaging.markers import InvalidMarker, Marker  # noqa: PLC0415

        self._seen = seen
        self._reader = reader
        self._roots: list[Marker] = []
        for text in dict.fromkeys(m for m in markers if names_micro(m)):
            try:
                self._roots.append(Marker(text))
            except InvalidMarker:  # (said where it is read; it holds nowhere)
                continue
        self._marker_flips: dict[tuple[str, tuple[str, ...], str], tuple[int, ...]] = {}
        self._spec_flips: dict[tuple[str, str], tuple[tuple[int, ...], tuple[int, ...]]] = {}
        # per (project, series, index): the releases whose Requires-Python a later micro admits
        self._later: dict[tuple[str, str, str], tuple[_Later, ...]] = {}
        self._pin_markers: dict[str, tuple[Marker, ...]] = {}  # by a wheel's URL
        # per (project, the index it is kept to, "" for the default ones)
        self._listings: dict[tuple[str, str], tuple[dict[str, list[str]], list[ArtifactFile]]] = {}

    def within(self, env: Environment, resolution: Resolution) -> tuple[set[int], set[int]]:
        """(from markers, from Requires-Python): the micro releases inside *env*'s range.

        Each is the first release of a range whose resolution may differ from the first's.
        """
        low, high = env.start, LATER_MICRO + 1 if env.until is None else env.until
        markers: set[int] = set()
        for marker in self._roots:
            markers.update(self._of_marker(marker, env, ""))
        for pin in resolution.pins:
            markers.update(self._of_pin(pin, env))
        pythons: set[int] = set()
        for pin in resolution.pins:
            pythons.update(self._of_requires_python(pin, env, low))
        inside = range(low + 1, high)
        return {m for m in markers if m in inside}, {m for m in pythons if m in inside}

    def later_starts(
        self,
        env: Environment,
        names: Iterable[str],
        read: Iterable[tuple[ArtifactFile, str]] = (),
    ) -> tuple[int, ...]:
        """The micro releases after *env*'s first where a resolution that failed may not.

        For a series whose first release has no resolution (decision 157): where a root's
        marker changes its verdict, or a Requires-Dist marker of a wheel the failed
        resolution read (*read*, with the extra asked: decision 202), or a release of one
        of *names* (the projects it met) becomes admitted by its Requires-Python, in order.
        """
        found = set(self.marker_flips(env, read))
        for name in names:
            for _, stated, local in self._later_releases(name, env):
                found.update(stated)
                if local is not None:  # (a find-links wheel states it in its METADATA alone)
                    spec = self._reader.surface(local).requires_python
                    found.update(self._of_spec(spec, env.python)[0] if spec else ())
        return tuple(sorted(m for m in found if m > env.start))

    def marker_flips(
        self, env: Environment, read: Iterable[tuple[ArtifactFile, str]]
    ) -> tuple[int, ...]:
        """Where a root's marker, or a Requires-Dist marker of a wheel in *read*, flips.

        The micro releases of *env*'s series at which what a release needs may change
        (sorted); none: every release of it needs what its first needs.
        """
        found: set[int] = set()
        for marker in self._roots:
            found.update(self._of_marker(marker, env, ""))
        for file, extra in read:
            try:
                found.update(self._of_file(file, (extra,) if extra else (), env))
            except GraftError:  # (an sdist whose metadata build failed: it states nothing)
                continue
        return tuple(sorted(found))

    def excluding(self, resolution: Resolution, series: str, micros: range) -> list[str]:
        """``name version requires Python SPEC`` for each pin excluding one of *micros*."""
        out = []
        for pin in resolution.pins:
            for spec in dict.fromkeys(
                [pin.file.requires_python, self._reader.surface(pin.file).requires_python]
            ):
                if (
                    spec
                    and _names_series(spec, series)
                    and any(_excludes(spec, f"{series}.{m}") for m in micros)
                ):
                    out.append(f"{pin.name} {pin.version} requires Python {spec}")
                    break
        return sorted(out)

    def _of_marker(self, marker: Marker, env: Environment, extra: str) -> tuple[int, ...]:
        key = (str(marker), env.values, extra)
        found = self._marker_flips.get(key)
        if found is None:
            found = self._marker_flips[key] = _flips(
                lambda m: marker.evaluate({**env.markers_at(m), "extra": extra}),
                key[0],
                env.python,
            )
        return found

    def _of_pin(self, pin: Pin, env: Environment) -> set[int]:
        """What the pinned wheel's Requires-Dist lines naming a micro release flip at."""
        return self._of_file(pin.file, pin.extras, env)

    def _of_file(self, file: ArtifactFile, extras: Iterable[str], env: Environment) -> set[int]:
        """What *file*'s Requires-Dist lines naming a micro release flip at, with *extras*."""
        markers = self._pin_markers.get(file.url)
        if markers is None:
            surface = self._reader.surface(file)
            markers = self._pin_markers[file.url] = tuple(
                marker
                for line in surface.requires_dist
                if names_micro(line.partition(";")[2])
                and (marker := surface.requirement(line).marker) is not None
            )
        out: set[int] = set()
        for marker in markers:
            for extra in ("", *extras):
                out.update(self._of_marker(marker, env, extra))
        return out

    def _of_spec(self, spec: str, series: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(admitted from, excluded from): where *spec* changes its verdict in *series*."""
        key = (spec, series)
        found = self._spec_flips.get(key)
        if found is None:
            found = ((), ())
            if _names_series(spec, series):
                from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

                try:
                    parsed = SpecifierSet(spec)
                except InvalidSpecifier:  # (constrains nothing: pip's reading)
                    parsed = None
                if parsed is not None:
                    flips = _flips(lambda m: parsed.contains(f"{series}.{m}"), spec, series)
                    ups = tuple(m for m in flips if parsed.contains(f"{series}.{m}"))
                    found = (ups, tuple(m for m in flips if m not in ups))
            self._spec_flips[key] = found
        return found

    def _of_requires_python(self, pin: Pin, env: Environment, low: int) -> set[int]:
        """Where a newer release becomes installable, or the pinned wheel stops being."""
        out: set[int] = set()
        for spec in {pin.file.requires_python, self._reader.surface(pin.file).requires_python}:
            if spec:
                out.update(self._of_spec(spec, env.python)[1])
        for version, stated, local in self._later_releases(str(pin.name), env):
            if version <= pin.version:
                continue
            ups = stated
            if local is not None:  # (a find-links wheel states it in its METADATA alone)
                spec = self._reader.surface(local).requires_python
                ups = self._of_spec(spec, env.python)[0] if spec else ()
            out.update(m for m in ups if m > low)
        return out

    def _later_releases(self, name: str, env: Environment) -> tuple[_Later, ...]:
        """The final releases of *name* some later micro release of *env*'s series admits anew.

        As the index states their Requires-Python; a local wheel (find-links), which states
        it in its METADATA alone, is one per release, read only if newer than a pin. A
        remote file whose index states none is not read (PyPI states it). From *env*'s view:
        a project kept to an index there, that index's (decision 385).
        """
        view, kept = self._seen(env)
        series, index = env.python, kept.get(name, "")
        key = (name, series, index)
        found = self._later.get(key)
        if found is None:
            from graft.resolve.lock_micro import release_version  # noqa: PLC0415

            by_spec, local = self._listing(name, view, index)
            rows: dict[tuple[Version, tuple[int, ...]], ArtifactFile | None] = {}
            for spec, filenames in by_spec.items():
                ups = self._of_spec(spec, series)[0]
                for filename in filenames if ups else ():
                    version = release_version(filename)
                    if version is not None:
                        rows[version, ups] = None
            for file in local:
                version = release_version(file.filename)
                if version is not None:
                    rows.setdefault((version, ()), file)
            found = self._later[key] = tuple((v, u, f) for (v, u), f in rows.items())
        return found

    def _listing(
        self, name: str, view: ProjectSource, index: str
    ) -> tuple[dict[str, list[str]], list[ArtifactFile]]:
        """*name*'s filenames by the Requires-Python stated, and its local wheels stating none.

        Read once per project and index (a listing may hold thousands of files, few distinct
        values).
        """
        found = self._listings.get((name, index))
        if found is None:
            from graft.resolve.listing import stated  # noqa: PLC0415

            files = view.files(name)  # type: ignore[arg-type]
            by_spec: dict[str, list[str]] = {}
            local: list[ArtifactFile] = []
            for at, (filename, spec) in enumerate(stated(files)):
                if spec:
                    by_spec.setdefault(spec, []).append(filename)
                elif filename.endswith(".whl") and not files[at].url.startswith(_REMOTE):
                    local.append(files[at])
            found = self._listings[name, index] = (by_spec, local)
        return found


__all__ = ["Bounds", "names_micro"]
