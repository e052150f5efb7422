"""The dependency surface of one wheel: what its METADATA says a resolver must honour.

Two wheels of one release often carry METADATA that differs only in formatting
(``numpy >=1.16.0, <2.0.0`` against ``numpy>=1.16.0,<2.0.0``, ``black (==24.10.0)``
against ``black ==24.10.0``, reordered lines, ``Foo_Bar`` against ``foo-bar``). The surface
is the parsed, canonical form of the fields that matter to resolution (core metadata
spec; PEP 508 requirements, PEP 440 specifiers, PEP 685 extras):

- ``Requires-Dist``: each line parsed by :class:`packaging.requirements.Requirement`,
  rewritten canonically (name and extras normalized, extras sorted, specifiers sorted in
  packaging's spelling, marker as ``str(Marker)``), sorted, duplicates dropped;
- ``Requires-Python``: a :class:`~packaging.specifiers.SpecifierSet`, in its ``str`` form;
- ``Provides-Extra``: normalized names, sorted.

Equal surfaces mean equal dependencies for every target. The converse is conservative:
``>=1.0`` and ``>=1.0.0`` are kept apart although PEP 440 treats them alike, so two
surfaces that differ may still behave the same (the resolver only loses a little sharing).

A line with a variant marker (PEP 825: ``variant_label``, ``variant_properties``…), which
packaging cannot parse, is kept verbatim in :attr:`Surface.variant_requires`; its value
depends on the wheel chosen and the machine, so the resolver decides it per candidate
(:mod:`graft.variants.markers`).

Parsing is as lenient as pip's: a malformed ``Requires-Dist`` line or ``Requires-Python``
does not make the whole file unreadable; it is kept verbatim in :attr:`Surface.invalid`
(part of equality, so a broken wheel never shares a node with a sound one). An invalid
``Requires-Python`` is ignored for resolution, as pip ignores it; a wheel with an invalid
``Requires-Dist`` is never pinned, as pip >= 24.1 ignores its version (decision 136).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, NamedTuple

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from graft._sha256 import sha256_hex
from graft.errors import SourceError, first_line

if TYPE_CHECKING:
    from packaging.metadata import Metadata

#: Bumped whenever the canonical form changes, so that stored digests never mix forms.
SURFACE_FORM = 1


def canonical_requirement(req: Requirement) -> str:
    """One Requires-Dist line in canonical spelling (parsing it again gives the same string)."""
    text: str = canonicalize_name(req.name)
    if req.extras:
        text += "[" + ",".join(sorted({canonicalize_name(e) for e in req.extras})) + "]"
    if req.url:
        text += f" @ {req.url}"
        if req.marker is not None:
            text += " "  # PEP 508: a URL must be followed by whitespace before ';'
    else:
        text += ",".join(sorted(str(spec) for spec in req.specifier))
    if req.marker is not None:
        text += f"; {req.marker}"
    return text


def _extra_only(line: str) -> str | None:
    """``X`` when the canonical requirement *line*'s whole marker is ``extra == "X"``."""
    head, sep, marker = line.partition("; ")
    if not sep or " @ " in head or not marker.startswith('extra == "') or not marker.endswith('"'):
        return None
    value = marker[len('extra == "') : -1]
    return None if '"' in value or not value else value


class MarkedLine(NamedTuple):
    """A canonical Requires-Dist line: its project, its marker's text (``""``: none), the line."""

    name: str
    marker: str
    reads_extra: bool  # whether the marker reads the variable ``extra`` (its values aside)
    line: str


#: A canonical line's project name (:func:`canonical_requirement` writes it first), a marker's
#: quoted values, and the variable ``extra``.
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_EXTRA = re.compile(r"\bextra\b")


def _marked(line: str) -> MarkedLine:
    head, sep, marker = line.partition("; ")
    if " @ " in head and sep:  # (a URL may hold "; ": the whole line stands for its marker)
        marker = line
    found = _NAME.match(head)
    reads_extra = _EXTRA.search(_QUOTED.sub("", marker)) is not None
    return MarkedLine(found.group(0) if found else head, marker, reads_extra, line)


def canonical_specifier(spec: SpecifierSet) -> str:
    """A specifier set as sorted, comma-joined clauses in packaging's spelling."""
    return ",".join(sorted(str(clause) for clause in spec))


@dataclass(frozen=True, slots=True)
class Surface:
    """The canonical dependency surface of one METADATA file. Compare, hash and digest it."""

    name: NormalizedName
    version: str  # str(Version): PEP 440 normal form
    requires_dist: tuple[str, ...]  # canonical lines, sorted, unique
    requires_python: str | None  # canonical SpecifierSet, None when absent or invalid
    provides_extra: tuple[NormalizedName, ...]  # sorted, unique
    invalid: tuple[str, ...] = ()  # "Field: value" for what could not be parsed, sorted
    variant_requires: tuple[str, ...] = ()  # Requires-Dist lines with variant markers, sorted
    # requires_dist lines parsed so far (on first use: most are never needed, see requires_for)
    parsed: dict[str, Requirement] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    # requirements_for's answer per extra: a lock asks it of one surface in every environment
    by_extra: dict[str, tuple[Requirement, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    # marked_lines' answer per extra (a shared proof's key reads it in each environment)
    marked: dict[str, tuple[MarkedLine, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        """``requires_dist``, parsed (same order)."""
        return tuple(self.requirement(line) for line in self.requires_dist)

    def requirement(self, line: str) -> Requirement:
        """One of ``requires_dist``, parsed once (a line graft wrote canonically itself).

        A kept surface whose line no longer parses (a damaged cache file) is a one-line
        error, not a traceback.
        """
        req = self.parsed.get(line)
        if req is None:
            try:
                req = self.parsed[line] = _parsed(line)
            except InvalidRequirement as exc:
                raise SourceError(
                    f"cannot parse the kept Requires-Dist line {line!r} ({first_line(exc)})",
                    where=f"{self.name}=={self.version}",
                    hint="graft's cache is damaged: remove its surfaces/ directory",
                ) from None
        return req

    def requirements_for(self, extra: str) -> tuple[Requirement, ...]:
        """The requirements whose marker may hold with *extra* (``""``: the base), parsed.

        A line whose whole marker is ``extra == "X"`` (packaging's spelling of the marker,
        which :func:`canonical_requirement` keeps) holds only for the extra ``X``; it is left
        out, unparsed, for any other (three Requires-Dist lines in four of the medium
        benchmark set are such lines, and parsing one costs ~0.1 ms). Every other line is
        parsed and left to the caller's marker evaluation.
        """
        known = self.by_extra.get(extra)
        if known is not None:
            return known
        out = [self.requirement(line) for line in self.requirement_lines(extra)]
        known = self.by_extra[extra] = tuple(out)  # (a race makes an equal answer twice)
        return known

    def marked_lines(self, extra: str) -> tuple[MarkedLine, ...]:
        """:meth:`requirement_lines`, each split: project, marker, whether it reads ``extra``."""
        known = self.marked.get(extra)
        if known is None:
            known = self.marked[extra] = tuple(map(_marked, self.requirement_lines(extra)))
        return known

    def requirement_lines(self, extra: str) -> list[str]:
        """The lines :meth:`requirements_for` parses for *extra*, unparsed, in their order."""
        out = []
        for line in self.requires_dist:
            only = _extra_only(line)
            if only is None or canonicalize_name(only) == extra:
                out.append(line)
        return out

    @property
    def python_specifier(self) -> SpecifierSet | None:
        """Requires-Python as a specifier set, or None when it does not constrain anything."""
        return None if self.requires_python is None else SpecifierSet(self.requires_python)

    @property
    def parsed_version(self) -> Version:
        """The Version field as a :class:`~packaging.version.Version`."""
        return Version(self.version)

    def digest(self) -> str:
        """A stable sha256 (hex) of the surface: equal digests if and only if equal surfaces."""
        payload = {
            "form": SURFACE_FORM,
            "name": self.name,
            "version": self.version,
            "requires_dist": list(self.requires_dist),
            "requires_python": self.requires_python,
            "provides_extra": list(self.provides_extra),
            "invalid": list(self.invalid),
        }
        if self.variant_requires:  # absent otherwise: other digests stay as they were
            payload["variant_requires"] = list(self.variant_requires)
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return sha256_hex(text.encode())


#: What a surface keeps of its own reading, never written with it.
_NOT_WRITTEN = frozenset({"parsed", "by_extra", "marked"})


#: Canonical lines parsed, shared by the surfaces that state them: the releases of a project
#: repeat most of their lines (``boto3<1.20 botocore awscli``'s lock parses 1,131 awscli
#: surfaces), and a parsed requirement's ``str``, asked once per requirement for its needs,
#: is worked out on first use (decision 500). Graft changes no parsed requirement.
_PARSED: dict[str, Requirement] = {}
_PARSED_MAX = 1 << 16


def _parsed(line: str) -> Requirement:
    """``Requirement(line)``, the same object for the same canonical line (bounded)."""
    req = _PARSED.get(line)
    if req is None:
        req = Requirement(line)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[line] = req  # (a race between threads parses a line twice)
    return req


def surface_to_json(surface: Surface) -> dict[str, Any]:
    """*surface* as JSON (the parsed requirements are its ``requires_dist`` parsed again).

    With the form and the field names, so that :func:`surface_from_json` never reads a
    surface of another form as this one.
    """
    out: dict[str, Any] = {"form": SURFACE_FORM}
    for f in fields(Surface):
        if f.name not in _NOT_WRITTEN:
            value = getattr(surface, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def surface_from_json(data: object) -> Surface | None:
    """The surface :func:`surface_to_json` wrote, or None when *data* is not one of this form."""
    names = {f.name for f in fields(Surface)} - _NOT_WRITTEN
    if not isinstance(data, dict) or data.get("form") != SURFACE_FORM:
        return None
    if set(data) - {"form"} != names:
        return None
    values: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names
    }
    try:  # (its lines are parsed when the resolver needs them: Surface.requirement)
        return Surface(**values)
    except TypeError:
        return None


def _raw_list(data: bytes, email_field: str) -> list[str]:
    """The raw values of a multi-use field, straight from the headers (no validation)."""
    from packaging.metadata import parse_email  # noqa: PLC0415

    raw, unparsed = parse_email(data)
    key = email_field.lower().replace("-", "_")
    values = raw.get(key)
    if isinstance(values, list):
        return [str(v) for v in values]
    return [str(v) for v in unparsed.get(email_field.lower(), [])]


def _requirements(meta: Metadata, data: bytes, invalid: list[str], variant: list[str]) -> set[str]:
    from packaging.metadata import InvalidMetadata  # noqa: PLC0415

    try:
        parsed = meta.requires_dist or []
    except InvalidMetadata:  # one bad line fails the field: parse line by line
        parsed = []
        for line in _raw_list(data, "Requires-Dist"):
            try:
                parsed.append(Requirement(line))
            except InvalidRequirement:
                if _variant_line(line):
                    variant.append(line.strip())
                else:
                    invalid.append(f"Requires-Dist: {line}")
    return {canonical_requirement(req) for req in parsed}  # parsed again when needed


def _variant_line(line: str) -> bool:
    """Whether *line* is a valid requirement once its variant markers are decided."""
    if "variant_" not in line:
        return False
    from packaging.markers import InvalidMarker  # noqa: PLC0415

    from graft.variants.markers import VariantEnvironment, requirement  # noqa: PLC0415

    try:
        requirement(line, VariantEnvironment(""))
    except (InvalidRequirement, InvalidMarker):
        return False
    return True


def _requires_python(meta: Metadata, data: bytes, invalid: list[str]) -> str | None:
    from packaging.metadata import InvalidMetadata, parse_email  # noqa: PLC0415

    try:
        spec = meta.requires_python
    except InvalidMetadata:
        invalid.append(f"Requires-Python: {parse_email(data)[0].get('requires_python', '')}")
        return None
    if spec is None:
        return None
    text = canonical_specifier(spec)
    return text or None  # an empty Requires-Python constrains nothing


def _extras(meta: Metadata, data: bytes) -> tuple[NormalizedName, ...]:
    from packaging.metadata import InvalidMetadata  # noqa: PLC0415

    try:
        names: list[str] = list(meta.provides_extra or [])
    except InvalidMetadata:  # names that are not valid under Metadata-Version >= 2.3
        names = _raw_list(data, "Provides-Extra")
    return tuple(sorted({canonicalize_name(n) for n in names}))


def header_block(data: bytes) -> bytes:
    """The header fields of a METADATA file: up to its first empty line, the body left out.

    The body is the long description (often most of the file); no field resolution or the
    name check reads is there, and parsing it line by line is most of the cost of a read.
    The email parser ends the headers at the same line, so the fields parse alike.
    """
    ends = [i for sep in (b"\n\n", b"\n\r\n") if (i := data.find(sep)) >= 0]
    return data[: min(ends) + 1] if ends else data


def read_surface(data: bytes, where: str = "METADATA") -> Surface:
    """The surface of one METADATA file (``*.dist-info/METADATA`` or a PEP 658 file).

    Raises :class:`~graft.errors.SourceError` only when Name or Version is unusable:
    without them the file cannot describe the wheel it came with.
    """
    from packaging.metadata import InvalidMetadata, Metadata  # noqa: PLC0415 - only when parsing

    data = header_block(data)
    meta = Metadata.from_email(data, validate=False)
    try:
        name = canonicalize_name(meta.name, validate=True)
        version = str(Version(str(meta.version)))
    except (InvalidMetadata, InvalidVersion, KeyError, ValueError) as exc:
        raise SourceError(f"unusable core metadata ({exc})", where=where) from None
    invalid: list[str] = []
    variant: list[str] = []
    requirements = _requirements(meta, data, invalid, variant)
    requires_python = _requires_python(meta, data, invalid)
    ordered = sorted(requirements)
    return Surface(
        name=name,
        version=version,
        requires_dist=tuple(ordered),
        requires_python=requires_python,
        provides_extra=_extras(meta, data),
        invalid=tuple(sorted(set(invalid))),
        variant_requires=tuple(sorted(set(variant))),
    )


@functools.lru_cache(maxsize=4096)
def python_allows(spec: str | None, python_version: str) -> bool:
    """Whether a Requires-Python value admits *python_version*; an invalid value admits all.

    This is pip's reading: an index's ``data-requires-python`` or a wheel's Requires-Python
    that cannot be parsed is ignored, and prereleases of Python count as their release.
    """
    if not spec:
        return True
    try:
        return SpecifierSet(spec).contains(python_version, prereleases=True)
    except InvalidSpecifier:
        return True
