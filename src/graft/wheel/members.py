"""What a wheel's archive may hold: its member names and entries, its ``.dist-info``, RECORD's rows.

Checked before anything is written: names that would escape the destination or not fit in
``PATH_MAX``, symlinks, duplicates, encrypted or oddly compressed members, a file that is
also a directory, no or two ``.dist-info`` directories (or one not named for the filename), a
RECORD that is not three-field CSV. Every check raises a
one-line :class:`~graft.errors.WheelError` naming the wheel (:func:`fail`). The pass that
unpacks and verifies is :mod:`graft.wheel.archive`.
"""

from __future__ import annotations

import csv
import io
import stat
import zipfile
from typing import TYPE_CHECKING

from graft.errors import WheelError
from graft.model.record import StatedRow
from graft.wheel.names import names_project

if TYPE_CHECKING:
    from collections.abc import Iterable

    from packaging.utils import NormalizedName
    from packaging.version import Version

_NAME_MAX = 255
#: Deepest member path accepted (directories and file). Deeper trees exhaust the recursion of
#: os.makedirs, os.walk and shutil.rmtree (pip crashes on them); the test corpus reaches 10.
MAX_DEPTH = 256
#: Longest member path accepted, in bytes: the store's and the venv's prefixes must still fit
#: in PATH_MAX (4096 on Linux) in front of it.
MAX_PATH = 2048
#: A RECORD uv cannot read either (decision 383).
_UNREAD = "uv refuses it too; refused"
_COMPRESSIONS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


def fail(wheel: str, what: str, hint: str | None = None) -> WheelError:
    """The error refusing *wheel* for *what* (by default as damaged or hostile)."""
    return WheelError(what, where=wheel, hint=hint or "the wheel is damaged or hostile; refused")


def check_member_name(wheel: str, name: str) -> None:
    """Refuse absolute paths, ``..`` and other names that would escape the destination."""
    first = name.split("/", maxsplit=1)[0]
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in first:
        raise fail(wheel, f"member {name!r} has an absolute or non-posix path")
    parts = name.rstrip("/").split("/")
    if any(part in {"", ".", ".."} for part in parts) or "\0" in name:
        raise fail(wheel, f"member {name!r} escapes the wheel root")
    if any(len(part.encode("utf-8", "surrogateescape")) > _NAME_MAX for part in parts):
        raise fail(wheel, f"member {name[:60]!r}... has a name longer than {_NAME_MAX} bytes")
    if len(parts) > MAX_DEPTH:
        raise fail(
            wheel,
            f"member {name[:60]!r}... is {len(parts)} levels deep (at most {MAX_DEPTH})",
            "pip cannot install it either; refused",
        )
    if len(name.encode("utf-8", "surrogateescape")) > MAX_PATH:
        raise fail(
            wheel,
            f"member {name[:60]!r}... is {len(name.encode('utf-8', 'surrogateescape'))} bytes"
            f" long (at most {MAX_PATH})",
        )


def check_members(wheel: str, infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The archive's file members, once every member is known to be safe to write."""
    seen: set[str] = set()
    files = []
    for info in infos:
        check_member_name(wheel, info.filename)
        if info.filename in seen:
            raise fail(wheel, f"member {info.filename!r} appears twice")
        seen.add(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise fail(wheel, f"member {info.filename!r} is a symlink")
        if info.flag_bits & 0x1:
            raise fail(wheel, f"member {info.filename!r} is encrypted")
        if info.compress_type not in _COMPRESSIONS:
            raise fail(wheel, f"member {info.filename!r} uses compression {info.compress_type}")
        if not info.is_dir():
            files.append(info)
    names = {i.filename for i in files}
    for info in files:
        parent = info.filename.rpartition("/")[0]
        while parent:
            if parent in names:
                raise fail(wheel, f"member {parent!r} is both a file and a directory")
            parent = parent.rpartition("/")[0]
    return files


def find_dist_info(wheel: str, names: Iterable[str], name: NormalizedName, version: Version) -> str:
    """The wheel's one ``.dist-info`` directory, named for the filename's project."""
    dirs = {n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")}
    if not dirs:
        raise fail(wheel, "no .dist-info directory")
    if len(dirs) > 1:
        raise fail(wheel, f"two .dist-info directories: {', '.join(sorted(dirs))}")
    (dist_info,) = dirs
    if not names_project(dist_info[: -len(".dist-info")], name, version):
        raise fail(wheel, f"{dist_info} does not match the wheel filename")
    return dist_info


def parse_record(wheel: str, text: str) -> tuple[dict[str, tuple[str, str]], list[StatedRow]]:
    """RECORD's rows: each path's hash and size, as RECORD spells them (``""`` if none).

    A row that is not three CSV fields, or whose size is not a number, is refused, as uv
    refuses it; a hash is not read here (one that does not vouch for its file is the
    unpacker's to note: decision 383). As uv reads RECORD (decision 384): a path's leading
    ``/`` dropped (old selenium wheels list ``/selenium/...``), a path's first row is its
    row, the later ones come second, each as given. A row's path is not checked: no member
    has a path that escapes (:func:`check_member_name`), so a row naming one (``../evil.py``)
    is a row for a file the archive lacks, which nothing installs.
    """
    rows: dict[str, tuple[str, str]] = {}
    repeated: list[StatedRow] = []
    try:
        parsed = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise fail(wheel, f"RECORD is not valid CSV ({exc})", _UNREAD) from None
    for row in parsed:
        if not row:
            continue
        if len(row) != 3:  # noqa: PLR2004
            raise fail(wheel, f"RECORD row {row!r} does not have three fields", _UNREAD)
        path, digest, size = row[0].lstrip("/"), row[1], row[2]  # (uv's reading: selenium's)
        try:
            int(size or "0")
        except ValueError:
            raise fail(
                wheel, f"RECORD size {size!r} for {path!r} is not a number", _UNREAD
            ) from None
        if path in rows:
            repeated.append(StatedRow(path, digest, size))
        else:
            rows[path] = (digest, size)
    return rows, repeated
