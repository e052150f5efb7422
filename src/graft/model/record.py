"""The wheel record: what graft knows about one wheel file, derived once at ingest.

A wheel record belongs to exactly one wheel file (keyed by the sha256 of that
file). Nothing in it is merged across the other wheels of a release: two
platform wheels of one version have two records, with their own files, native
libraries, scripts and Requires-Dist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from packaging.utils import NormalizedName

RECORD_SCHEMA = 1

#: Suffixes of files that the dynamic loader (or the import system) maps as native code.
NATIVE_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")


def is_native(path: str) -> bool:
    """A native library: ``.so``/``.so.N``/``.pyd``/``.dylib``, or anything under ``*.libs/``."""
    parts = path.split("/")
    if any(part.endswith(".libs") for part in parts[:-1]):
        return True
    name = parts[-1]
    if name.endswith(NATIVE_SUFFIXES):
        return True
    return ".so." in name


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One file of a wheel, as listed in its RECORD and checked at ingest."""

    path: str  # archive path, posix, relative to the wheel root
    digest: str  # "sha256=<urlsafe-b64-nopad>", the RECORD spelling
    size: int
    executable: bool = False


@dataclass(frozen=True, slots=True)
class StatedRow:
    """A row of a wheel's RECORD kept as the wheel gave it (decisions 383, 384).

    In :attr:`WheelRecord.stated`, one that does not vouch for the file unpacked: a stale hash
    or size, a hash spelt otherwise (hex) or in an algorithm graft does not compute, no hash,
    a row for a file the archive lacks (whatever its path: one outside the wheel too), or
    (``digest`` None) a member RECORD does not list; in :attr:`WheelRecord.repeated`, a later
    row for a path RECORD listed already (uv keeps the first); in :attr:`WheelRecord.copied`,
    one that vouches for its file but is spelt otherwise than graft's own (sha384, sha512, no
    size). The files' own digests are :class:`FileRecord`'s; a stated or copied row is kept
    for the installed RECORD (pip and uv copy it) and for ``graft store verify``, which takes
    it as it was at ingest.
    """

    path: str
    digest: str | None  # as RECORD spells it; None: RECORD does not list the member
    size: str  # as RECORD spells it ("" if none)


@dataclass(frozen=True, slots=True)
class OriginSearch:
    """Where the dynamic loader looks relative to one native file's own location.

    ``entries`` are the file's search directories that use ``$ORIGIN`` (from DT_RUNPATH,
    or DT_RPATH when there is no RUNPATH, and the directory part of any DT_NEEDED that
    names ``$ORIGIN``), spelled as in the file. ``readable`` is False for an ELF file
    whose dynamic section graft cannot read: it may look anywhere.
    """

    path: str  # archive path of the native file
    entries: tuple[str, ...]
    readable: bool = True


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """One console or GUI script a wheel declares (``entry_points.txt``)."""

    name: str
    value: str  # "module:attr" (may carry " [extras]")
    group: str  # "console_scripts" or "gui_scripts"


@dataclass(frozen=True, slots=True)
class WheelRecord:
    """Per-wheel facts. Frozen, sorted, serialisable to stable JSON."""

    filename: str
    sha256: str  # hex digest of the wheel file: the store key
    name: NormalizedName  # canonical (normalized) distribution name
    display_name: str  # the Name field of METADATA
    version: str
    build: str  # build tag or ""
    tags: tuple[
        str, ...
    ]  # the filename's expanded tags, e.g. ("cp311-abi3-manylinux_2_28_x86_64",)
    dist_info: str  # "<name>-<version>.dist-info", as spelled in the archive
    data_dir: str  # "<name>-<version>.data", as spelled (may be absent from files)
    root_is_purelib: bool
    files: tuple[FileRecord, ...]
    top_level: tuple[str, ...] = ()  # importable top-level names
    packages: tuple[str, ...] = ()  # archive dirs holding an __init__.py (regular packages)
    namespace_dirs: tuple[str, ...] = ()  # PEP 420 portions and pkgutil/pkg_resources namespaces
    native: tuple[str, ...] = ()  # archive paths of native libraries
    # native files that look for libraries relative to themselves; None: not analysed
    # (a record written before graft read ELF search paths), so every native file counts
    origins: tuple[OriginSearch, ...] | None = None
    entry_points: tuple[EntryPoint, ...] = ()  # console_scripts and gui_scripts only
    data_categories: tuple[str, ...] = ()  # ".data" categories present: scripts, headers, ...
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    schema: int = field(default=RECORD_SCHEMA)
    # PEP 825: the filename's variant label (None: not a variant wheel) and the properties
    # its variant.json gives that label, "ns :: feature :: value", sorted
    variant_label: str | None = None
    variant_properties: tuple[str, ...] = ()
    # RECORD's rows that do not vouch for the files unpacked, by path (decision 383)
    stated: tuple[StatedRow, ...] = ()
    # the rows after a path's first, dropped as uv drops them (decision 384)
    repeated: tuple[StatedRow, ...] = ()
    # rows that vouch for their files spelt otherwise than graft's (sha512, no size): copied
    copied: tuple[StatedRow, ...] = ()

    def disagreement(self) -> str | None:
        """The one warning for a wheel whose RECORD does not vouch for all its files, or None.

        Said by the sync that plans a venv with it and by ``graft build`` that ingests it
        (decisions 383, 384): its stated rows and its repeated ones, each path once.
        """
        paths = sorted({r.path for r in (*self.stated, *self.repeated)})
        if not paths:
            return None
        from graft._counted import counted  # noqa: PLC0415

        some = ", ".join(map(repr, paths[:2])) + (", ..." if len(paths) > 2 else "")  # noqa: PLR2004
        return (
            f"{self.filename}: its RECORD disagrees with the archive on"
            f" {counted(len(paths), 'file')} ({some}); installed as pip and uv install it,"
            " with the files' own hashes"
        )

    def to_json(self) -> str:
        """The record as stable JSON (sorted keys), as the store keeps it."""
        return json.dumps(record_to_dict(self), sort_keys=True, indent=1)

    @property
    def label(self) -> str:
        """``name==version``."""
        return f"{self.name}=={self.version}"


def record_to_dict(record: WheelRecord) -> dict[str, Any]:
    """The record as a JSON object, schema number included."""
    out: dict[str, Any] = {
        "schema": record.schema,
        "filename": record.filename,
        "sha256": record.sha256,
        "name": record.name,
        "display_name": record.display_name,
        "version": record.version,
        "build": record.build,
        "tags": list(record.tags),
        "dist_info": record.dist_info,
        "data_dir": record.data_dir,
        "root_is_purelib": record.root_is_purelib,
        "files": [[f.path, f.digest, f.size, f.executable] for f in record.files],
        "top_level": list(record.top_level),
        "packages": list(record.packages),
        "namespace_dirs": list(record.namespace_dirs),
        "native": list(record.native),
        "origins": None
        if record.origins is None
        else [[o.path, list(o.entries), o.readable] for o in record.origins],
        "entry_points": [[e.group, e.name, e.value] for e in record.entry_points],
        "data_categories": list(record.data_categories),
        "requires_dist": list(record.requires_dist),
        "requires_python": record.requires_python,
    }
    # only variant wheels carry the key, and only wheels whose RECORD does not vouch for
    # their files (decision 383) the other: other records stay byte-identical
    if record.variant_label is not None:
        out["variant"] = {
            "label": record.variant_label,
            "properties": list(record.variant_properties),
        }
    for key, rows in (
        ("stated", record.stated),
        ("repeated", record.repeated),
        ("copied", record.copied),
    ):
        if rows:  # (decisions 383, 384: a key only such records carry)
            out[key] = [[r.path, r.digest, r.size] for r in rows]
    return out


def record_from_json(text: str) -> WheelRecord:
    """A record from its JSON; :class:`ValueError` for another schema."""
    raw = json.loads(text)
    if raw.get("schema") != RECORD_SCHEMA:
        msg = f"unsupported wheel record schema {raw.get('schema')!r}"
        raise ValueError(msg)
    return WheelRecord(
        filename=raw["filename"],
        sha256=raw["sha256"],
        name=raw["name"],
        display_name=raw["display_name"],
        version=raw["version"],
        build=raw["build"],
        tags=tuple(raw["tags"]),
        dist_info=raw["dist_info"],
        data_dir=raw["data_dir"],
        root_is_purelib=raw["root_is_purelib"],
        files=tuple(FileRecord(p, d, s, x) for p, d, s, x in raw["files"]),
        top_level=tuple(raw["top_level"]),
        packages=tuple(raw["packages"]),
        namespace_dirs=tuple(raw["namespace_dirs"]),
        native=tuple(raw["native"]),
        origins=None
        if raw.get("origins") is None
        else tuple(OriginSearch(p, tuple(e), r) for p, e, r in raw["origins"]),
        entry_points=tuple(EntryPoint(n, v, g) for g, n, v in raw["entry_points"]),
        data_categories=tuple(raw["data_categories"]),
        requires_dist=tuple(raw["requires_dist"]),
        requires_python=raw["requires_python"],
        variant_label=raw.get("variant", {}).get("label"),
        variant_properties=tuple(raw.get("variant", {}).get("properties", ())),
        stated=tuple(StatedRow(p, d, s) for p, d, s in raw.get("stated", ())),
        repeated=tuple(StatedRow(p, d, s) for p, d, s in raw.get("repeated", ())),
        copied=tuple(StatedRow(p, d, s) for p, d, s in raw.get("copied", ())),
    )


def record_hash(algorithm: str, digest: bytes) -> str:
    """The RECORD spelling of a digest: ``<algorithm>=<urlsafe base64, no padding>``."""
    import base64  # noqa: PLC0415

    return f"{algorithm}={base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"
