"""A source tree's build system (PEP 517/518) and what its ``pyproject.toml`` says statically.

``[build-system]`` gives the build requirements, the backend and an in-tree ``backend-path``.
Without a ``pyproject.toml``, or without ``build-backend``, the project is built as pip
builds it: by setuptools' fallback backend ``setuptools.build_meta:__legacy__``, with
``setuptools>=40.8.0`` required unless the table names its own requirements.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graft.errors import BuildError, SourceError, UsageError, first_line

if TYPE_CHECKING:
    from packaging.requirements import Requirement

#: pip's backend for projects that name none (a ``setup.py`` alone, or no ``build-backend``).
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
#: pip's build requirements for a project without ``[build-system]``.
LEGACY_REQUIRES = ("setuptools>=40.8.0",)


@dataclass(frozen=True, slots=True)
class BuildSystem:
    """How a source tree is built: PEP 518 requirements and the PEP 517 backend."""

    requires: tuple[str, ...]
    backend: str  # "flit_core.buildapi", "setuptools.build_meta:__legacy__"
    backend_path: tuple[str, ...] = ()  # in-tree directories, relative to the tree
    legacy: bool = False  # no build-backend named: setuptools' fallback, as pip does

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (kept with a built wheel's record)."""
        return {
            "requires": list(self.requires),
            "backend": self.backend,
            "backend_path": list(self.backend_path),
            "legacy": self.legacy,
        }


@dataclass(frozen=True, slots=True)
class Project:
    """A source tree's ``pyproject.toml``, as far as building it needs."""

    tree: str
    build_system: BuildSystem
    pyproject: dict[str, Any]  # the whole parsed file ({} without one)

    @property
    def static_name(self) -> str | None:
        """``[project] name``, when the file names one."""
        name = self.pyproject.get("project", {}).get("name")
        return name if isinstance(name, str) else None

    @property
    def static_version(self) -> str | None:
        """``[project] version``, unless it is missing or listed in ``dynamic``."""
        table = self.pyproject.get("project", {})
        version = table.get("version")
        dynamic = table.get("dynamic", [])
        if not isinstance(version, str) or "version" in dynamic:
            return None
        return version


def load_toml(path: str) -> dict[str, Any]:
    """Parse the TOML file at *path*; a one-line :class:`SourceError` if it is broken."""
    from graft._toml import load_toml as load  # noqa: PLC0415

    return load(path)


def read_project(tree: str) -> Project:
    """The build system of the source tree at *tree*.

    Raises :class:`SourceError` for a broken ``pyproject.toml``, a malformed
    ``[build-system]``, a ``backend-path`` leaving the tree, or a tree with neither a
    ``pyproject.toml`` nor a ``setup.py``.
    """
    path = os.path.join(tree, "pyproject.toml")
    if not os.path.isfile(path):
        if not os.path.isfile(os.path.join(tree, "setup.py")):
            raise SourceError(
                "not a Python project (no pyproject.toml, no setup.py)",
                where=tree,
                hint="name a project directory, an sdist or a wheel",
            )
        return Project(tree, BuildSystem(LEGACY_REQUIRES, LEGACY_BACKEND, legacy=True), {})
    data = load_toml(path)
    from graft._toml import project_table  # noqa: PLC0415

    project_table(data, path)  # (its fields' types checked once: decision 267)
    table = data.get("build-system")
    if table is None:
        return Project(tree, BuildSystem(LEGACY_REQUIRES, LEGACY_BACKEND, legacy=True), data)
    if not isinstance(table, dict):
        raise SourceError("[build-system] is not a table", where=path)
    requires = table.get("requires")
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise SourceError(
            "[build-system] requires must be a list of strings (PEP 518)",
            where=path,
            hint='e.g. requires = ["flit_core>=3.4"]',
        )
    backend = table.get("build-backend")
    if backend is not None and (not isinstance(backend, str) or not backend.strip()):
        raise SourceError("[build-system] build-backend must be a string", where=path)
    backend_path = table.get("backend-path", [])
    if not isinstance(backend_path, list) or not all(isinstance(p, str) for p in backend_path):
        raise SourceError("[build-system] backend-path must be a list of strings", where=path)
    for entry in backend_path:
        if not inside(tree, entry):
            raise SourceError(
                f"backend-path {entry!r} leaves the source tree (PEP 517)", where=path
            )
    system = BuildSystem(
        tuple(requires),
        backend or LEGACY_BACKEND,
        tuple(backend_path),
        legacy=backend is None,
    )
    return Project(tree, system, data)


def inside(tree: str, relative: str) -> bool:
    """Whether *relative* (a backend-path entry, a build script) stays in *tree*, links resolved."""
    if os.path.isabs(relative):
        return False
    root = os.path.realpath(tree)
    target = os.path.realpath(os.path.join(root, relative))
    return target == root or target.startswith(root + os.sep)


def constrain(
    requires: tuple[str, ...],
    constraints: tuple[str, ...],
    markers: dict[str, str] | None = None,
) -> tuple[str, ...]:
    """Build requirements checked against the build constraints, a pinned project pinned.

    A constraint is a PEP 508 requirement (a name, a version range, a marker), as pip's and
    uv's ``--build-constraint`` take it; one whose marker does not hold for *markers* (the
    build's interpreter) says nothing, and with *markers* None (no interpreter chosen yet)
    only constraints without a marker are judged. A requirement no version of which the
    constraints on its project allow is a :class:`ConstraintClashError`. A requirement whose
    project a constraint pins (``name==version``) is rewritten to that version, as before
    ranges were taken; one a range constrains is kept as written: the build environment's
    resolution reads the same files as its constraint files (decision 168).
    """
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    applying = _applying(constraints, markers)
    out: list[str] = []
    for text in requires:
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            raise BuildError(f"invalid build requirement {text!r} ({first_line(exc)})") from None
        mine = applying.get(canonicalize_name(req.name), [])
        allowed = req.specifier
        for line, constraint in mine:
            allowed &= constraint.specifier
            if allowed.is_unsatisfiable():
                raise ConstraintClashError(line, text)
        version = _pin(mine)
        if version is None:
            out.append(text)
            continue
        extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
        marker = f"; {req.marker}" if req.marker else ""
        out.append(f"{req.name}{extras}=={version}{marker}")
    return tuple(out)


class ConstraintClashError(UsageError):
    """A build constraint no version of a build requirement meets (said with its file)."""

    def __init__(self, constraint: str, requirement: str) -> None:
        super().__init__(
            f"build constraint {constraint!r} excludes build requirement {requirement!r}"
        )
        self.constraint = constraint
        self.requirement = requirement


def parse_constraint(text: str) -> Requirement:
    """One build constraint line as a requirement; a :class:`UsageError` if it is none.

    A name with a version range and a marker, as pip's and uv's constraint files hold them
    (extras are read and add nothing, as a ``-c`` file's); a URL or a path is no constraint
    on a build environment's versions.
    """
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    try:
        req = Requirement(text)
    except InvalidRequirement:
        raise UsageError(f"build constraint {text!r} is not a requirement") from None
    if req.url:
        raise UsageError(f"build constraint {text!r} names a URL, not versions")
    return req


def _applying(
    constraints: tuple[str, ...], markers: dict[str, str] | None, *, every: bool = False
) -> dict[str, list[tuple[str, Requirement]]]:
    """The constraints whose marker holds for *markers* (*every*: all), by name, with text."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    out: dict[str, list[tuple[str, Requirement]]] = {}
    for text in constraints:
        req = parse_constraint(text)
        if (
            not every
            and req.marker is not None
            and (markers is None or not req.marker.evaluate({**markers, "extra": ""}))
        ):
            continue
        out.setdefault(canonicalize_name(req.name), []).append((text, req))
    return out


def _pin(constraints: list[tuple[str, Requirement]]) -> str | None:
    """The version a ``name==version`` constraint among *constraints* pins, if one does."""
    for _, req in constraints:
        specs = list(req.specifier)
        if len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version:
            return specs[0].version
    return None


def origin(constraints: tuple[str, ...], wheres: tuple[str, ...], constraint: str) -> str | None:
    """``FILE:LINE`` of the first of *constraints* (read at *wheres*) that is *constraint*.

    As read (``${NAME}`` expanded), not read again (decision 476).
    """
    return next((w for c, w in zip(constraints, wheres, strict=False) if c == constraint), None)


def against_constraints(
    distributions: tuple[str, ...],
    constraints: tuple[str, ...],
    markers: dict[str, str] | None = None,
) -> str | None:
    """The first distribution of a build environment a build constraint excludes.

    *distributions* are ``name==version`` (a recorded build's environment); a constraint on
    a project it does not hold says nothing of it, nor does one whose marker does not hold
    for *markers* (the build's interpreter; with None, every constraint is judged). None
    when every one agrees.
    """
    if not constraints:
        return None
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    applying = _applying(constraints, markers, every=markers is None)
    for item in distributions:
        name, _, version = item.partition("==")
        for _, req in applying.get(canonicalize_name(name), []):
            pin = _pin([("", req)])
            if pin is not None:
                try:
                    same = Version(version) == Version(pin)
                except InvalidVersion:
                    same = version == pin
                if not same:
                    return f"{item} (--build-constraint pins {pin})"
            elif not req.specifier.contains(version, prereleases=True):
                return f"{item} (--build-constraint allows {req.name}{req.specifier})"
    return None


def satisfied_by(
    requires: tuple[str, ...], distributions: tuple[str, ...], markers: dict[str, str]
) -> bool:
    """Whether a build environment holding *distributions* (``name==version``) meets *requires*.

    Each requirement whose marker holds for *markers* must name a distribution held, at a
    version its specifier admits (prereleases too: they were resolved for a reason). A
    requirement with extras is never taken as met (the extras' own requirements are unknown).
    """
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    held: dict[str, str] = {}
    for item in distributions:
        name, _, version = item.partition("==")
        held[canonicalize_name(name)] = version
    for text in requires:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            return False
        if req.marker is not None and not req.marker.evaluate({**markers, "extra": ""}):
            continue
        have = held.get(canonicalize_name(req.name))
        if req.extras or have is None:
            return False
        if not req.specifier.contains(have, prereleases=True):
            return False
    return True
