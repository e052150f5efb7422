"""Reading a wheel file: validate the archive, verify it against RECORD, unpack it.

Everything that can be wrong with a wheel is checked here, before a single byte
lands outside the store's temporary area: hostile member names, symlinks,
duplicates, a RECORD that is not CSV, a second ``.dist-info``,
an unsupported Wheel-Version. The result is a :class:`~graft.model.record.WheelRecord`.

Validation and unpacking are one pass over the archive (a member is hashed and checked
against RECORD while it is written), so that pass stays here whole; the checks of member
names, entries and RECORD's rows are :mod:`graft.wheel.members`, the import layout derived
from the file list :mod:`graft.wheel.layout`, the name rules :mod:`graft.wheel.names`, ELF
facts :mod:`graft.wheel.elf`.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from email.parser import HeaderParser
from typing import TYPE_CHECKING

from packaging.metadata import parse_email

from graft.errors import VariantError, WheelError
from graft.model.record import (
    EntryPoint,
    FileRecord,
    OriginSearch,
    StatedRow,
    WheelRecord,
    is_native,
    record_hash,
)
from graft.model.wheelname import NULL_LABEL, InvalidWheelFilename, parse_wheel_filename
from graft.wheel.layout import derive_layout
from graft.wheel.members import check_members, fail, find_dist_info, parse_record
from graft.wheel.names import (
    check_data_member,
    check_entry_point,
    data_dir_of,
    metadata_name,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

_CHUNK = 1 << 20
_SIGNATURES = ("RECORD.jws", "RECORD.p7s")
_SCRIPT_GROUPS = ("console_scripts", "gui_scripts")
#: The hashes RECORD may use that graft computes to check a row (the wheel spec's: sha256 or
#: stronger); a row in another is kept as the wheel gave it, vouching for nothing.
_ALGORITHMS = frozenset({"sha256", "sha384", "sha512"})
_UNLISTED = ("", "")  # (a member RECORD has no row for; told apart by identity)


def _headers(data: bytes) -> dict[str, list[str]]:
    """The ``WHEEL`` file's headers (METADATA goes through ``packaging.metadata``)."""
    message = HeaderParser().parsestr(data.decode("utf-8", "surrogateescape"))
    out: dict[str, list[str]] = {}
    for key, value in message.items():
        out.setdefault(key.lower(), []).append(value)
    return out


def _entry_points(wheel: str, data: bytes | None) -> tuple[EntryPoint, ...]:
    if data is None:
        return ()
    import configparser  # noqa: PLC0415 - only wheels with entry points pay for it

    parser = configparser.ConfigParser(delimiters="=", interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(data.decode())
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise fail(wheel, f"entry_points.txt is malformed: {exc.__class__.__name__}") from None
    found = []
    for group in _SCRIPT_GROUPS:
        if not parser.has_section(group):
            continue
        for name, value in parser.items(group):
            check_entry_point(wheel, group, name, value.strip())
            found.append(EntryPoint(name=name, value=value.strip(), group=group))
    return tuple(sorted(found, key=lambda e: (e.group, e.name)))


class _Unpacker:
    """Streams members to disk while hashing; checks each against its RECORD row."""

    def __init__(self, wheel: str, zf: zipfile.ZipFile, dest: str) -> None:
        self.wheel = wheel
        self.zf = zf
        self.dest = dest
        self._made: set[str] = {""}

    def _makedirs(self, rel_dir: str) -> None:
        if rel_dir in self._made:
            return
        os.makedirs(os.path.join(self.dest, rel_dir), exist_ok=True)
        while rel_dir and rel_dir not in self._made:
            self._made.add(rel_dir)
            rel_dir = rel_dir.rpartition("/")[0]

    def extract(self, info: zipfile.ZipInfo, algorithm: str = "sha256") -> tuple[FileRecord, str]:
        """Write *info*'s member; its record, and its digest by *algorithm* as RECORD spells it."""
        hasher = hashlib.new(algorithm)
        sha256 = hashlib.sha256() if algorithm != "sha256" else hasher
        size = 0
        executable = bool((info.external_attr >> 16) & 0o111)
        self._makedirs(info.filename.rpartition("/")[0])
        target = os.path.join(self.dest, info.filename)
        # read-only from the start (the descriptor still writes): the seal need not chmod it
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o555 if executable else 0o444)
        try:  # (written through the descriptor: a file object costs 3 system calls a member)
            with self.zf.open(info) as src:
                while chunk := src.read(_CHUNK):
                    hasher.update(chunk)
                    if sha256 is not hasher:
                        sha256.update(chunk)
                    size += len(chunk)
                    _write_all(fd, chunk)
        except _READ_ERRORS as exc:
            raise fail(self.wheel, f"member {info.filename!r} is corrupt ({_why(exc)})") from None
        finally:
            os.close(fd)
        if size != info.file_size:
            raise fail(
                self.wheel,
                f"member {info.filename!r} holds {size} bytes; its header says {info.file_size}",
            )
        digest = record_hash("sha256", sha256.digest())
        return FileRecord(info.filename, digest, size, executable), record_hash(
            algorithm, hasher.digest()
        )


def _unpacked(
    unpacker: _Unpacker,
    infos: Iterable[zipfile.ZipInfo],
    rows: dict[str, tuple[str, str]],
    own: str,
) -> tuple[tuple[FileRecord, ...], tuple[StatedRow, ...], tuple[StatedRow, ...]]:
    """Every member written and checked against its RECORD row (none for *own*, RECORD's own).

    A row that does not vouch for its file (a stale hash or size, a hash graft cannot compute,
    none) and a member without a row are kept as :class:`StatedRow`, not refused: the wheel was
    authenticated whole by its sha256, pip and uv install it, and the entry keeps the digests
    of the bytes written (decision 383). So is, apart, a row that vouches for its file spelt
    otherwise than graft's own (sha384, sha512, no size), which uv copies (decision 384).
    """
    files, stated, copied = [], [], []
    for info in sorted(infos, key=lambda i: i.filename):
        row = (
            None
            if info.filename == own or _is_signature(info.filename)
            else rows.get(info.filename, _UNLISTED)
        )
        algorithm = row[0].partition("=")[0] if row else ""
        f, got = unpacker.extract(info, algorithm if algorithm in _ALGORITHMS else "sha256")
        files.append(f)
        if row is _UNLISTED:
            stated.append(StatedRow(f.path, None, ""))
        elif row is not None and (got != row[0] or row[1] not in {"", str(f.size)}):
            stated.append(StatedRow(f.path, *row))
        elif row is not None and row != (f.digest, str(f.size)):
            copied.append(StatedRow(f.path, *row))
    return tuple(files), tuple(stated), tuple(copied)


def _write_all(fd: int, data: bytes) -> None:
    """Write all of *data* to the descriptor *fd* (``os.write`` may write part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


#: What zipfile raises on a damaged, encrypted or oddly compressed member.
_READ_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
)


def _why(exc: BaseException) -> str:
    return str(exc) or ("truncated" if isinstance(exc, EOFError) else exc.__class__.__name__)


def unpack_wheel(path: str, dest: str, sha256: str) -> WheelRecord:
    """Validate the wheel at *path*, unpack it into the empty directory *dest*, return its record.

    Raises :class:`WheelError` naming the wheel and the problem; *dest* may then
    hold a partial tree, which the caller (the store) discards.
    """
    wheel = os.path.basename(path)
    try:
        name, version, build, tags, label = parse_wheel_filename(wheel)
    except InvalidWheelFilename as exc:
        raise fail(
            wheel, f"invalid wheel filename ({exc})", "rename it as PEP 427 and PEP 825 ask"
        ) from None
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise fail(wheel, f"not a readable zip archive ({exc})", "download it again") from None
    with zf:
        infos = check_members(wheel, zf.infolist())
        names = [i.filename for i in infos]
        dist_info = find_dist_info(wheel, names, name, version)
        by_name = {i.filename: i for i in infos}

        def read(member: str) -> bytes | None:
            info = by_name.get(f"{dist_info}/{member}")
            if info is None:
                return None
            try:
                return zf.read(info)
            except _READ_ERRORS as exc:
                raise fail(wheel, f"member {info.filename!r} is corrupt ({_why(exc)})") from None

        wheel_meta, metadata, record_text = read("WHEEL"), read("METADATA"), read("RECORD")
        if metadata is None:
            raise fail(wheel, f"{dist_info}/METADATA is missing")
        if wheel_meta is None:
            raise fail(wheel, f"{dist_info}/WHEEL is missing")
        if record_text is None:
            raise fail(wheel, f"{dist_info}/RECORD is missing")
        wheel_headers = _headers(wheel_meta)
        wheel_version = (wheel_headers.get("wheel-version") or ["1.0"])[0].strip()
        if wheel_version.split(".")[0] != "1":
            raise fail(
                wheel, f"Wheel-Version {wheel_version} is not supported", "graft reads 1.x wheels"
            )
        rows, repeated = parse_record(wheel, record_text.decode("utf-8", "surrogateescape"))
        fields = parse_email(metadata)  # METADATA is read by packaging, and only by it
        # every name that becomes a path is checked before anything is written
        display_name = metadata_name(wheel, fields, name, version)
        data_dir = data_dir_of(wheel, _top_dirs(names), dist_info, name, version)
        for member in names:
            if member.startswith(data_dir + "/"):
                check_data_member(wheel, member, data_dir)
        entry_points = _entry_points(wheel, read("entry_points.txt"))
        variant = _variant(wheel, label, dist_info, read("variant.json"))
        unpacker = _Unpacker(wheel, zf, dest)
        files, stated, copied = _unpacked(unpacker, infos, rows, f"{dist_info}/RECORD")
        absent = tuple(StatedRow(p, *row) for p, row in rows.items() if p not in by_name)
    root_is_purelib = (wheel_headers.get("root-is-purelib") or ["true"])[
        0
    ].strip().lower() == "true"
    layout = derive_layout([f.path for f in files], dist_info, data_dir, dest)
    native = tuple(f.path for f in files if is_native(f.path))
    return WheelRecord(
        filename=wheel,
        sha256=sha256,
        name=name,
        display_name=display_name,
        version=str(version),
        build="".join(str(part) for part in build),
        tags=tuple(sorted(str(t) for t in tags)),
        dist_info=dist_info,
        data_dir=data_dir,
        root_is_purelib=root_is_purelib,
        files=files,
        top_level=layout.top_level,
        packages=layout.packages,
        namespace_dirs=layout.namespace_dirs,
        native=native,
        origins=_origins(dest, native),
        entry_points=entry_points,
        data_categories=tuple(
            sorted({p.split("/")[1] for p in names if p.startswith(data_dir + "/")})
        ),
        requires_dist=tuple(v.strip() for v in fields[0].get("requires_dist", [])),
        requires_python=fields[0].get("requires_python"),
        variant_label=label,
        variant_properties=variant,
        stated=tuple(sorted((*stated, *absent), key=lambda r: r.path)),
        repeated=tuple(sorted(repeated, key=lambda r: r.path)),
        copied=copied,
    )


def _variant(wheel: str, label: str | None, dist_info: str, text: bytes | None) -> tuple[str, ...]:
    """The properties of a variant wheel's label, from its ``variant.json`` (PEP 825).

    A non-variant wheel's ``variant.json`` is not read (no installer uses it).
    """
    if label is None:
        return ()
    if text is None:
        raise fail(wheel, f"a variant wheel without {dist_info}/variant.json")
    from graft.model.variants import load_variant_metadata  # noqa: PLC0415 - variant wheels only

    try:
        metadata = load_variant_metadata(text, f"{wheel}/{dist_info}/variant.json")
    except VariantError as exc:
        raise WheelError(exc.what, where=exc.where, hint=exc.hint or "refused") from None
    if label not in metadata.variants and label != NULL_LABEL:
        raise fail(wheel, f"variant.json does not describe the label {label!r}")
    if set(metadata.variants) - {label}:
        raise fail(wheel, "variant.json describes other labels than the filename's")
    return tuple(sorted(str(p) for p in metadata.variants.get(label, ())))


def _origins(tree: str, native: Sequence[str]) -> tuple[OriginSearch, ...]:
    """The native files that find libraries relative to themselves (``$ORIGIN``)."""
    from graft.wheel.elf import origin_search  # noqa: PLC0415 - only ingest reads ELF headers

    out = []
    for path in native:
        entries = origin_search(os.path.join(tree, path))
        if entries is None:
            out.append(OriginSearch(path, (), readable=False))
        elif entries:
            out.append(OriginSearch(path, entries))
    return tuple(out)


def _top_dirs(names: Iterable[str]) -> set[str]:
    return {n.partition("/")[0] for n in names if "/" in n}


def _is_signature(name: str) -> bool:
    return name.endswith(_SIGNATURES) and name.count("/") == 1
