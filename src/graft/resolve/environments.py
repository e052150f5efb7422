"""The environments a universal lock covers, and markers that tell groups of them apart.

An :class:`Environment` is one target of ``graft lock``'s matrix: a CPython (or, asked with
``--implementation pp``, PyPy) minor version on one operating system and machine, with the
platform tags an installer there accepts (:func:`graft.venv.foreign.foreign_target`).
Its *marker* names what PEP 508 can see of it (``implementation_name``, ``sys_platform``,
``platform_machine``, ``python_version``);
the platform tags are finer (manylinux level, macOS minimum) and no marker can tell them
apart, which is why ``graft lock`` refuses a release whose wheels differ in a way only the
tags can see.

:func:`graft.resolve.lock_markers.marker_for` writes the marker of a set of environments
*within* the covered ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.markers import Marker

from graft.errors import UsageError, first_line

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from packaging.specifiers import SpecifierSet

    from graft.model.requirements import Wanted
    from graft.model.target import Target

#: CPython minor versions of the default matrix (narrowed by requires-python or --python-version).
DEFAULT_PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
#: The Python versions PyPy 7.3 has been released for (``--implementation pp``); its ABI tag
#: is ``pypyXY_pp73`` for each. PyPy has no Windows arm64 build.
PYPY_PYTHONS = ("3.7", "3.8", "3.9", "3.10", "3.11")

_MANYLINUX_NEWEST = 28  # manylinux_2_28 … 2_17 and older: glibc of a current, widespread Linux
_LEGACY = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
MACOS_NEWEST = (15, 0)  # macosx_15_0 and older: a current macOS
#: The oldest macOS a lock's macOS environments serve on each machine: the newest macOS the
#: common binary wheels there need (arm64: scipy, scikit-learn, numba, xgboost at 12.0;
#: x86_64: 10.9-10.15, a few at 11.0); a release whose macOS wheels all need a newer one is
#: said (decision 490). The tags still run down to 11.0 (arm64) and 10.4 (x86_64).
MACOS_FLOOR = {"arm64": (12, 0), "x86_64": (11, 0)}


def _manylinux(arch: str, newest: int = _MANYLINUX_NEWEST) -> tuple[str, ...]:
    oldest = 5 if arch in {"x86_64", "i686"} else 17
    out: list[str] = []
    for minor in range(newest, oldest - 1, -1):
        out.append(f"manylinux_2_{minor}_{arch}")
        if minor in _LEGACY:
            out.append(f"{_LEGACY[minor]}_{arch}")
    return tuple(out)


def _macos(arch: str) -> tuple[str, ...]:
    from packaging.tags import mac_platforms  # noqa: PLC0415

    return tuple(mac_platforms(MACOS_NEWEST, arch))


#: Representative platform tags per (system, machine): what ``--platform linux`` etc. mean.
PLATFORMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "linux": (_manylinux("x86_64"), _manylinux("aarch64")),
    "macos": (_macos("arm64"), _macos("x86_64")),
    "windows": (("win_amd64",), ("win_arm64",)),
}

_ATOMS = ("sys_platform", "platform_machine", "python_version")


def glibc_machine(name: str) -> tuple[str, ...] | None:
    """The tags of ``ARCH-manylinux_2_N`` (or ``ARCH-manylinux2014``), else None.

    uv's ``--python-platform`` names a Linux machine so (``x86_64-manylinux_2_34``): a glibc
    of that level, which takes its own ``manylinux`` wheels and every older level's, as
    the ``linux`` system takes them up to ``manylinux_2_28`` (decision 322).
    """
    import re  # noqa: PLC0415

    found = re.fullmatch(r"([a-z]\w*?)-manylinux(?:_2_(\d+)|(2014))", name)
    if found is None or (found[2] is not None and int(found[2]) < 17):  # noqa: PLR2004
        return None
    return _manylinux(found[1], int(found[2] or 17))


@dataclass(frozen=True, slots=True)
class Environment:
    """One target of the lock: its marker values and the platform tags it accepts.

    When the lock forks a series on ``python_full_version`` (decision 153), each range of
    its micro releases is an environment of its own: resolved for its first release
    (``target.version``), up to the micro release ``until`` (excluded; None: the series'
    last), its series' first release being ``series_first``.
    """

    python: str  # "3.11"
    platforms: tuple[str, ...]  # most preferred first
    target: Target
    named: bool = False  # a platform tag the user named (--platform TAG), not a system
    until: int | None = None  # a range of the series (decision 153): its end, excluded
    series_first: str | None = None  # a range's series' first release ("3.11.0")

    @property
    def implementation(self) -> str:
        """``cp`` or ``pp``: the interpreter's short name, as its wheel tags spell it."""
        return "pp" if self.target.implementation == "pypy" else "cp"

    @property
    def values(self) -> tuple[str, str, str, str]:
        """(sys_platform, platform_machine, python_version, implementation_name).

        What a marker can see, the implementation last (the matrix is CPython's but for
        ``--implementation pp``).
        """
        m = self.target.markers
        return (
            m["sys_platform"],
            m["platform_machine"],
            m["python_version"],
            m["implementation_name"],
        )

    @property
    def start(self) -> int:
        """The micro release this environment is resolved for: its range's first."""
        return int(self.target.version.split(".")[2])

    @property
    def span(self) -> tuple[str, str, str, str, int, int | None]:
        """:attr:`values` and the range of micro releases: what ``python_full_version`` sees."""
        return (*self.values, self.start, self.until)

    @property
    def starts_series(self) -> bool:
        """Whether this is the whole series, or the first range of it (decision 153)."""
        return self.series_first in {None, self.target.version}

    @property
    def first_release(self) -> str | None:
        """The series' first release this environment covers when not ``X.Y.0`` (``3.9.2``)."""
        version = self.series_first or self.target.version
        return None if version.endswith(".0") else version

    @property
    def marker(self) -> str:
        """The PEP 508 marker of exactly this environment's series, on its implementation.

        Every release of its series (``python_version``), from its first release on when the
        lock was asked for a later one (``--python-version 3.9.2``: decision 120); a range
        of a forked series (decision 153) has its series' marker.
        """
        *seen, implementation = self.values
        atoms = " and ".join(f"{k} == '{v}'" for k, v in zip(_ATOMS, seen, strict=True))
        first = self.first_release
        since = f" and python_full_version >= '{first}'" if first else ""
        return f"implementation_name == '{implementation}' and {atoms}{since}"

    @property
    def range_marker(self) -> str:
        """:attr:`marker`, narrowed to this range of its series' micro releases."""
        since = "" if self.starts_series else f" and python_full_version >= '{self.target.version}'"
        until = (
            "" if self.until is None else f" and python_full_version < '{self.python}.{self.until}'"
        )
        return f"{self.marker}{since}{until}"

    @property
    def label(self) -> str:
        """A short name for messages: ``cp311 manylinux_2_28_x86_64`` (``3.11.3-3.11.4``)."""
        label = f"{self.implementation}{self.python.replace('.', '')} {self.platforms[0]}"
        if self.series_first is None:
            return label
        last = "" if self.until is None else f"{self.python}.{self.until - 1}"
        return f"{label} ({self.target.version}-{last})"

    def markers_at(self, micro: int) -> dict[str, str]:
        """The target's marker values at another micro release of the series."""
        full = f"{self.python}.{micro}"
        return {**self.target.markers, "python_full_version": full, "implementation_version": full}


def python_versions(requires_python: str | None, asked: Sequence[str] = ()) -> tuple[str, ...]:
    """The series to lock for, each as its first release: *asked*, or the defaults.

    The defaults are narrowed to what *requires_python* allows.
    ``X.Y`` is every release of the series (resolved for ``X.Y.0``: decision 113); ``X.Y.Z``
    its releases from ``X.Y.Z`` on (decision 120), as ``--python-version 3.9.2`` asks and
    as ``requires-python >=3.9.2`` allows.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    if asked:
        from graft.venv.foreign import python_version_parts  # noqa: PLC0415

        series: dict[str, str] = {}
        for text in asked:
            major, minor, *micro = python_version_parts(text)
            first = f"{major}.{minor}" + (f".{micro[0]}" if micro and micro[0] else "")
            if series.setdefault(f"{major}.{minor}", first) != first:
                raise UsageError(
                    f"--python-version {series[f'{major}.{minor}']} and {first} name one series:"
                    " a lock environment is every release of its series from the one named",
                    hint="name one release of each series",
                )
        return tuple(series.values())
    if not requires_python:
        return DEFAULT_PYTHONS
    try:
        spec = SpecifierSet(requires_python)
    except InvalidSpecifier:
        raise UsageError(
            f"requires-python {requires_python!r} is not a specifier set", where="pyproject.toml"
        ) from None
    # a minor version counts when any of its releases is allowed, from the first allowed one
    # (>=3.9.2 keeps 3.9 from 3.9.2 on)
    kept = tuple(
        f"{v}.{first}" if first else v
        for v in DEFAULT_PYTHONS
        for first in [_first_micro(spec, v)]
        if first is not None
    )
    if not kept:
        raise UsageError(
            f"requires-python {requires_python!r} allows none of {', '.join(DEFAULT_PYTHONS)}",
            hint="name the versions with --python-version",
        )
    return kept


def _first_micro(spec: SpecifierSet, minor: str) -> int | None:
    """The first micro release of the series *minor* that *spec* allows; None for none."""
    from graft.model.target import LATER_MICRO  # noqa: PLC0415

    return next((m for m in range(LATER_MICRO + 1) if spec.contains(f"{minor}.{m}")), None)


def matrix(
    pythons: Sequence[str], platforms: Sequence[str] = (), implementations: Sequence[str] = ()
) -> tuple[Environment, ...]:
    """Every (implementation, python, platform) environment, as ``graft lock`` takes them.

    *platforms*: a system name stands for its two machines with representative tags
    (:data:`PLATFORMS`), ``ARCH-manylinux_2_N`` for one Linux machine of that glibc
    (:func:`glibc_machine`); a platform tag is read as pip's ``--platform`` reads it (that
    tag, and for a macOS or legacy manylinux tag the older ones pip adds:
    ``foreign.pip_platforms``). *implementations*: ``cp`` (the default) and ``pp``,
    PyPy on the series of *pythons* it has been released for (:data:`PYPY_PYTHONS`) and
    the machines it is built for (no Windows arm64); an implementation asked for that keeps
    no series is refused.
    """
    import dataclasses  # noqa: PLC0415

    from graft.venv.foreign import foreign_target  # noqa: PLC0415

    chosen: dict[tuple[str, ...], bool] = {}
    for name in platforms or ("linux", "macos", "windows"):
        system = PLATFORMS.get(name.lower())
        glibc = glibc_machine(name)
        if glibc is not None:  # a Linux machine of a glibc level (decision 322)
            system = (glibc,)
        chosen.update(dict.fromkeys(system, False) if system else {(name,): True})
    out: list[Environment] = []
    for implementation in dict.fromkeys(implementations or ("cp",)):
        series = [py for py in pythons if implementation == "cp" or _pypy_has(py)]
        if not series:
            raise UsageError(
                f"PyPy has no release for Python {', '.join(pythons)}"
                f" (it has {', '.join(PYPY_PYTHONS)})",
                where="--implementation pp",
                hint="name one of those with --python-version",
            )
        for py in series:
            for tags, named in chosen.items():
                if implementation == "pp" and not named and tags[0] == "win_arm64":
                    continue  # (no PyPy is built for it)
                abis = [f"pypy{''.join(py.split('.')[:2])}_pp73"] if implementation == "pp" else []
                target = foreign_target(py, list(tags), implementation, abis, as_pip=named)
                # every release of the series, resolved for X.Y.0 (decision 113)
                series_py = ".".join(py.split(".")[:2])  # (the series; "3.9.2" is its first)
                out.append(
                    Environment(series_py, tags, dataclasses.replace(target, series=True), named)
                )
    return tuple(out)


def _pypy_has(python: str) -> bool:
    return ".".join(python.split(".")[:2]) in PYPY_PYTHONS


def pypy_only(wanted: Iterable[Wanted], envs: Sequence[Environment]) -> list[str]:
    """A line for each requirement whose marker holds on PyPy only (decision 120).

    Where the lock's environments are CPython's alone, such a line is locked nowhere: the
    lock says so in ``environments`` (an installer on PyPy refuses it), and ``graft lock``
    says so too, and how to lock PyPy (``--implementation pp``).
    """
    from graft.model.target import holds  # noqa: PLC0415

    if any(e.implementation == "pp" for e in envs):
        return []
    out = []
    later = [(e.target.markers, e.target.later_release_markers()) for e in envs]
    for w in wanted:
        if w.marker is None:
            continue
        marker = Marker(w.marker)
        if any(holds(marker, env, other) for env, other in later):
            continue
        pypy = {"implementation_name": "pypy", "platform_python_implementation": "PyPy"}
        if any(holds(marker, {**e, **pypy}, o and {**o, **pypy}) for e, o in later):
            out.append(
                f"{w.where}: {w.requirement}; {w.marker}: holds on PyPy only, and the lock"
                " covers CPython alone (its environments; decision 120): not locked"
                " (--implementation cp --implementation pp locks PyPy too)"
            )
    return out


def keep_matching(envs: Iterable[Environment], markers: Sequence[str]) -> tuple[Environment, ...]:
    """The environments in which one of *markers* (``--environment``) is true; all without."""
    from packaging.markers import InvalidMarker  # noqa: PLC0415

    envs = tuple(envs)
    if not markers:
        return envs
    parsed = []
    for text in markers:
        try:
            parsed.append(Marker(text))
        except InvalidMarker as exc:
            raise UsageError(
                f"cannot parse marker {text!r} ({first_line(exc)})", where="--environment"
            ) from None
    kept = tuple(
        e for e in envs if any(m.evaluate({**e.target.markers, "extra": ""}) for m in parsed)
    )
    if not kept:
        pypy = {"implementation_name": "pypy", "platform_python_implementation": "PyPy"}
        on_pypy = not any(e.implementation == "pp" for e in envs) and any(
            m.evaluate({**e.target.markers, **pypy, "extra": ""}) for m in parsed for e in envs
        )
        raise UsageError(
            "no environment of the matrix satisfies --environment",
            where="--environment",
            hint="--implementation pp locks PyPy"
            if on_pypy
            else "widen --python-version/--platform, or check the marker",
        )
    return kept
