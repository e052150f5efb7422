"""Names from inside a wheel that become paths or names in a venv, checked at ingest.

A wheel names its distribution four times: in its filename, in its ``.dist-info`` and
``.data`` directory names, and in METADATA's ``Name``/``Version``. graft places files by the
last three (the headers directory is ``include/site/pythonX.Y/<Name>``), so all must agree with
the filename, as pip and uv require. ``.data`` holds only the five scheme keys of PEP 427, and
never another ``.dist-info`` (a phantom distribution for ``importlib.metadata``). Console and
GUI script names become file names in ``bin/``; their values must be ``module:attr`` references,
which is all pip and pypa/installer accept. Every check raises a one-line
:class:`~graft.errors.WheelError` naming the wheel.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from packaging.utils import InvalidName, canonicalize_name
from packaging.version import InvalidVersion, Version

from graft.errors import WheelError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from packaging.metadata import RawMetadata
    from packaging.utils import NormalizedName

#: The ``.data`` categories a wheel may use (PEP 427; pip and installer refuse any other).
SCHEME_KEYS = ("purelib", "platlib", "headers", "scripts", "data")
#: Categories whose contents land in site-packages, where a ``.dist-info`` is a distribution.
_SITE_KEYS = ("purelib", "platlib")
_HOSTILE = "the wheel is damaged or hostile; refused"
# An entry point's object reference (packaging's entry points specification): a dotted module
# path, ``:`` and a dotted attribute (pip and installer require it for scripts), then extras.
_REFERENCE = re.compile(
    r"\s*(?P<module>[^:\[\]\s]+)\s*:\s*(?P<attr>[^:\[\]\s]+)\s*(?:\[(?P<extras>[^\[\]]*)\])?\s*",
)
_EXTRA = re.compile(r"[A-Za-z0-9._-]+")


def _fail(wheel: str, what: str, hint: str = _HOSTILE) -> WheelError:
    return WheelError(what, where=wheel, hint=hint)


def names_project(stem: str, name: NormalizedName, version: Version) -> bool:
    """Whether ``<name>-<version>`` (a ``.dist-info``/``.data`` stem) is *name* at *version*."""
    dist_name, _, dist_version = stem.rpartition("-")
    try:
        return canonicalize_name(dist_name, validate=True) == name and (
            Version(dist_version) == version
        )
    except (InvalidName, InvalidVersion):
        return False


def data_dir_of(
    wheel: str, tops: Iterable[str], dist_info: str, name: NormalizedName, version: Version
) -> str:
    """The wheel's ``.data`` directory: at most one, spelled for the filename's project."""
    found = sorted(top for top in tops if top.endswith(".data"))
    if len(found) > 1:
        raise _fail(wheel, f"two .data directories: {', '.join(found)}")
    if not found:
        return dist_info[: -len(".dist-info")] + ".data"
    (data_dir,) = found
    if not names_project(data_dir[: -len(".data")], name, version):
        raise _fail(wheel, f"{data_dir} does not match the wheel filename")
    return data_dir


def check_data_member(wheel: str, path: str, data_dir: str) -> None:
    """*path* (below *data_dir*) must sit in a scheme category, and not be a ``.dist-info``."""
    category, _, inner = path[len(data_dir) + 1 :].partition("/")
    if category not in SCHEME_KEYS:
        raise _fail(
            wheel,
            f"{data_dir}/{category} is not a .data category ({', '.join(SCHEME_KEYS)})",
            "pip refuses this wheel too",
        )
    if not inner:
        raise _fail(wheel, f"{path!r} is a file where a .data category must be a directory")
    if category in _SITE_KEYS and inner.partition("/")[0].endswith(".dist-info"):
        top = inner.partition("/")[0]
        raise _fail(
            wheel,
            f"{data_dir}/{category} ships {top}, a second distribution's metadata",
            "a wheel installs exactly one .dist-info; refused",
        )


def metadata_name(
    wheel: str,
    fields: tuple[RawMetadata, dict[str, list[str]]],
    name: NormalizedName,
    version: Version,
) -> str:
    """METADATA's Name as spelled, once it and Version are checked against the filename.

    *fields* is ``packaging.metadata.parse_email`` of METADATA. pip and uv refuse a wheel whose
    METADATA names another project or version than its filename; so does graft.
    """
    raw, unparsed = fields
    for key in ("name", "version"):
        if key in unparsed:
            raise _fail(wheel, f"METADATA has more than one or an unreadable {key.title()}")
    display, declared = (raw.get("name") or "").strip(), (raw.get("version") or "").strip()
    if not display or not declared:
        raise _fail(wheel, f"METADATA has no {'Name' if not display else 'Version'}")
    try:
        same_name = canonicalize_name(display, validate=True) == name
    except InvalidName:
        raise _fail(wheel, f"METADATA Name {display[:80]!r} is not a valid project name") from None
    try:
        same_version = Version(declared) == version
    except InvalidVersion:
        raise _fail(wheel, f"METADATA Version {declared[:80]!r} is not a valid version") from None
    if not same_name or not same_version:
        raise _fail(
            wheel,
            f"METADATA says {display[:80]!r} {declared[:80]!r}, the filename {name} {version}",
            "pip and uv refuse a wheel whose METADATA disagrees with its filename",
        )
    return display


def check_entry_point(wheel: str, group: str, name: str, value: str) -> None:
    """A script name must be one file name in ``bin/``; its value a ``module:attr`` reference."""
    if not name or "/" in name or "\\" in name or name in {".", ".."} or "\0" in name:
        raise _fail(wheel, f"{group} entry point name {name!r} would write outside bin/")
    match = _REFERENCE.fullmatch(value)
    extras = (match.group("extras") if match else None) or ""
    if (
        match is None
        or not all(part.isidentifier() for part in match.group("module").split("."))
        or not all(part.isidentifier() for part in match.group("attr").split("."))
        or not all(_EXTRA.fullmatch(e.strip()) for e in extras.split(",") if extras.strip())
    ):
        raise _fail(
            wheel,
            f"{group} entry point {name} = {value[:80]!r} is not a module:attr reference",
            "pip refuses this wheel too",
        )
