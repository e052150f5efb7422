"""Source distributions: their names, and the metadata they state without a build.

``PKG-INFO`` of Metadata 2.2+ whose ``Dynamic`` does not list ``Requires-Dist`` states the
dependencies of every wheel built from it (PEP 643): resolution may use it without building.
So does a ``pyproject.toml`` whose ``[project]`` table keeps the fields resolution reads out of
``dynamic`` (PEP 621: a backend must honour them), as uv reads one: :func:`pyproject_metadata`.
A few top-level files are read from the archive without unpacking it
(:func:`archive_top_files`); unpacking is :mod:`graft.build.sdist_unpack`'s.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.metadata import parse_email
from packaging.utils import (
    InvalidSdistFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
)
from packaging.version import InvalidVersion, Version

from graft.errors import SourceError

if TYPE_CHECKING:
    from packaging.requirements import Requirement


@dataclass(frozen=True, slots=True)
class SdistName:
    """What an sdist's filename says: ``{name}-{version}.tar.gz`` (or ``.zip``)."""

    name: NormalizedName
    version: Version


def sdist_name(path: str) -> SdistName:
    """The name and version in an sdist's filename; :class:`SourceError` if it has none."""
    try:
        name, version = parse_sdist_filename(os.path.basename(path))
    except (InvalidSdistFilename, InvalidVersion) as exc:
        raise SourceError(
            f"not an sdist filename ({exc})",
            where=path,
            hint="an sdist is {name}-{version}.tar.gz or .zip",
        ) from None
    return SdistName(name, version)


def is_sdist(path: str) -> bool:
    """Whether *path* is named like an sdist archive."""
    return path.endswith((".tar.gz", ".zip")) and not os.path.isdir(path)


@dataclass(frozen=True, slots=True)
class StaticMetadata:
    """An sdist's ``PKG-INFO``: name, version, and whether its dependencies are static."""

    name: NormalizedName
    version: Version
    metadata_version: str
    requires_dist: tuple[str, ...]
    requires_python: str | None
    dynamic: tuple[str, ...]  # lower-cased field names

    @property
    def static_requires(self) -> bool:
        """Metadata 2.2+ with ``Requires-Dist`` not ``Dynamic``: resolvable without a build."""
        try:
            at_least = Version(self.metadata_version) >= Version("2.2")
        except InvalidVersion:
            return False
        return at_least and "requires-dist" not in self.dynamic

    @property
    def stated_requires_python(self) -> str | None:
        """The Requires-Python every wheel built from the sdist states, as far as it says.

        Metadata 1.2 brought the field; from 2.2 a field not ``Dynamic`` is what every wheel
        says (PEP 643), and before it the backends copy the same value into both. None where
        the PKG-INFO is older, lacks the field or has it ``Dynamic``.
        """
        try:
            stated = Version(self.metadata_version) >= Version("1.2")
        except InvalidVersion:
            return None
        if not stated or "requires-python" in self.dynamic:
            return None
        return self.requires_python


def excluded_python(path: str, version: str) -> StaticMetadata | None:
    """The sdist *path*'s PKG-INFO when its stated Requires-Python excludes Python *version*.

    None when it admits it, or states nothing the build could not tell better: no PKG-INFO,
    no field (or one before Metadata 1.2, or ``Dynamic``), an invalid specifier set, an
    archive or PKG-INFO that cannot be read (the build says what is wrong with them).
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    try:
        raw = archive_top_files(path, ("PKG-INFO",)).get("PKG-INFO")
        said = None if raw is None else parse_pkg_info(raw.decode("utf-8", "replace"), path)
    except SourceError:
        return None
    value = None if said is None else said.stated_requires_python
    if said is None or value is None:
        return None
    try:
        return None if SpecifierSet(value).contains(version, prereleases=True) else said
    except InvalidSpecifier:
        return None


def parse_pkg_info(text: str, where: str) -> StaticMetadata:
    """The :class:`StaticMetadata` of a ``PKG-INFO`` text (via ``packaging.metadata``)."""
    raw, _unparsed = parse_email(text)
    name = raw.get("name")
    version = raw.get("version")
    if not name or not version:
        raise SourceError("PKG-INFO has no Name or Version", where=where)
    try:
        parsed = Version(version)
    except InvalidVersion:
        raise SourceError(f"PKG-INFO has an invalid Version {version!r}", where=where) from None
    return StaticMetadata(
        canonicalize_name(name),
        parsed,
        raw.get("metadata_version", "1.0"),
        tuple(raw.get("requires_dist", [])),
        raw.get("requires_python"),
        tuple(sorted(field.lower() for field in raw.get("dynamic", []))),
    )


def read_pkg_info(tree: str) -> StaticMetadata | None:
    """The ``PKG-INFO`` at the top of an unpacked sdist, or None if there is none."""
    path = os.path.join(tree, "PKG-INFO")
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            text = fh.read()
    except FileNotFoundError:
        return None
    return parse_pkg_info(text, path)


def archive_top_files(path: str, names: tuple[str, ...]) -> dict[str, bytes]:
    """The bytes of each ``{top}/NAME`` of *names* in the sdist archive, without unpacking it.

    Names the archive lacks (or holds too large to be one) are left out; a broken archive is
    a :class:`SourceError`.
    """

    def top_level(name: str) -> str | None:
        parts = name.strip("/").split("/")
        return parts[1] if len(parts) == 2 and parts[1] in names else None  # noqa: PLR2004

    limit = 16 * 1024 * 1024
    found: dict[str, bytes] = {}
    try:
        if path.endswith(".zip"):
            with zipfile.ZipFile(path) as zipped:
                for info in zipped.infolist():
                    name = top_level(info.filename)
                    if name is not None and name not in found and info.file_size <= limit:
                        found[name] = zipped.read(info)
            return found
        with tarfile.open(path, "r:*") as tarred:
            for member in tarred:
                name = top_level(member.name)
                if name is None or name in found or not member.isfile() or member.size > limit:
                    continue
                reader = tarred.extractfile(member)
                if reader is not None:
                    found[name] = reader.read()
                if len(found) == len(names):
                    break
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise SourceError(f"cannot read the sdist ({exc})", where=path) from None
    return found


#: ``[project]`` fields that resolution reads; any of them ``dynamic`` needs the backend.
_RESOLUTION_FIELDS = ("dependencies", "optional-dependencies", "requires-python")


def pyproject_metadata(data: bytes, sdist: SdistName) -> bytes | None:
    """Core metadata that an sdist's ``pyproject.toml`` states statically (PEP 621), or None.

    A backend must honour every ``[project]`` field not listed in ``dynamic``, so when
    ``dependencies``, ``optional-dependencies`` and ``requires-python`` are all static the
    table says what every wheel built from the sdist requires, as uv reads it. ``version``
    may be dynamic (the sdist's filename fixes it); a static name or version must agree
    with the filename's. None, and the backend is asked, when the file is not valid TOML,
    has no ``[project]``, lists one of those fields in ``dynamic``, declares its
    dependencies only in ``[tool.poetry]`` (Poetry before ``[project]``), or holds a
    requirement that is not PEP 508.
    """
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    from graft._toml import TomlError, parse_toml  # noqa: PLC0415

    try:
        table = parse_toml(data)
    except TomlError:  # (the backend is asked, and says what is wrong)
        return None
    project = table.get("project")
    if not isinstance(project, dict) or not isinstance(project.get("name"), str):
        return None
    dynamic = project.get("dynamic", [])
    if not isinstance(dynamic, list) or any(f in dynamic for f in _RESOLUTION_FIELDS):
        return None
    tool = table.get("tool")
    if "dependencies" not in project and isinstance(tool, dict) and "poetry" in tool:
        return None
    version = project.get("version")
    try:
        same = canonicalize_name(project["name"]) == sdist.name and (
            "version" in dynamic or (isinstance(version, str) and Version(version) == sdist.version)
        )
        lines = [f"Metadata-Version: 2.2\nName: {project['name']}\nVersion: {sdist.version}"]
        requires_python = project.get("requires-python")
        if requires_python is not None:
            lines.append(f"Requires-Python: {SpecifierSet(requires_python)}")
        lines += [f"Requires-Dist: {Requirement(r)}" for r in _strings(project, "dependencies")]
        optional = project.get("optional-dependencies", {})
        for extra in optional:
            lines.append(f"Provides-Extra: {canonicalize_name(extra)}")
            lines += [_with_extra(Requirement(r), extra) for r in _strings(optional, extra)]
    except (AttributeError, TypeError, InvalidVersion, InvalidSpecifier, InvalidRequirement):
        return None
    return ("\n".join(lines) + "\n").encode("utf-8") if same else None


def _strings(table: dict[str, object], key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(key)
    return value


def _with_extra(requirement: Requirement, extra: str) -> str:
    """``Requires-Dist`` of *requirement* when the extra *extra* is asked for."""
    marker = requirement.marker
    requirement.marker = None
    when = f'extra == "{canonicalize_name(extra)}"'
    return f"Requires-Dist: {requirement}; {f'({marker}) and {when}' if marker else when}"
