"""A wheel's METADATA by HTTP range reads of its zip archive, without the whole download.

The index reachable here offers no PEP 658 metadata files, so the resolver reads each
wheel's ``*.dist-info/METADATA`` from the wheel itself, as pip's "lazy wheel" and uv do:

1. the last :data:`TAIL` bytes (``Range: bytes=-N``), which hold the end-of-central-directory
   record (APPNOTE 4.3.16; ZIP64, 4.3.14-15) and, for most wheels, the whole directory;
2. the central directory, if it starts before that tail;
3. the METADATA member's local header and data, if not already in hand; then inflate it
   and check its CRC-32 and size against the directory.

A server that ignores ``Range`` (``200`` instead of ``206``) has sent the whole file, which
is then read as a zip; one that refuses a suffix range (``416``) is asked for the whole file.
The sha256 of the bytes returned equals the hash an index publishes for the PEP 658 file,
so one cache keyed by it serves both. Standard library only.
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.utils import NormalizedName, canonicalize_name

from graft._sha256 import sha256_hex
from graft.errors import SourceError
from graft.sources.localwheel import metadata_member
from graft.sources.urlimport import failure, failure_hint
from graft.sources.urlimport import load as load_urllib
from graft.sources.urlimport import opener as shared_opener
from graft.sources.urlimport import timeout as default_timeout

if TYPE_CHECKING:
    from urllib.request import OpenerDirector

#: Bytes asked for first: the end of the archive, where the central directory is.
TAIL = 64 * 1024
#: Tries per request; statuses worth another try.
RETRIES = 3
_TRANSIENT = frozenset({429, 500, 502, 503, 504})
#: Bytes read past a local header's fixed part, for its name and extra field.
_HEADER_SLACK = 1024

_EOCD = struct.Struct("<4s4H2LH")  # 22 bytes
_ZIP64_LOCATOR = struct.Struct("<4sLQL")  # 20 bytes
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")  # 56 bytes
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # 46 bytes
_LOCAL = struct.Struct("<4s5H3L2H")  # 30 bytes
_MAX32 = 0xFFFFFFFF
_MAX16 = 0xFFFF  # also the longest archive comment
_UTF8_FLAG = 0x800
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


@dataclass(frozen=True, slots=True)
class LazyMetadata:
    """The METADATA of one remote wheel and what reading it cost."""

    metadata: bytes
    member: str  # "<name>-<version>.dist-info/METADATA", as spelled in the archive
    requests: int
    bytes_read: int  # response bodies, in bytes
    ranged: bool  # False: the server ignored Range, the whole file was downloaded

    @property
    def sha256(self) -> str:
        """``sha256=<hex>`` of the METADATA bytes (the PEP 658 ``core-metadata`` hash)."""
        return "sha256=" + sha256_hex(self.metadata)


@dataclass(frozen=True, slots=True)
class _Member:
    name: str
    method: int
    crc: int
    compressed: int
    size: int
    offset: int  # of the local file header


class _WholeFile(Exception):  # noqa: N818 - control flow, never leaves this module
    """The server sent (or must send) the whole file."""

    def __init__(self, body: bytes | None) -> None:
        super().__init__()
        self.body = body


class _Remote:
    """The byte ranges of one URL, each request counted; transient failures retried."""

    def __init__(
        self,
        url: str,
        opener: OpenerDirector,
        timeout: float,
        backoff: float,
    ) -> None:
        self.url = url
        self.opener = opener
        self.timeout = timeout
        self.backoff = backoff
        self.requests = 0
        self.bytes_read = 0
        self.total: int | None = None

    def get(self, range_value: str | None) -> tuple[int, bytes, str]:
        """(status, body, Content-Range), after up to :data:`RETRIES` tries."""
        for attempt in range(RETRIES):
            got = self._once(range_value, last=attempt == RETRIES - 1)
            if got is not None:
                return got
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError  # unreachable: the last attempt returns or raises

    def _once(self, range_value: str | None, *, last: bool) -> tuple[int, bytes, str] | None:
        headers = {"Accept-Encoding": "identity"}
        if range_value is not None:
            headers["Range"] = f"bytes={range_value}"
        load_urllib()  # imported on first use, under a lock (prefetch threads)
        from http.client import HTTPException  # noqa: PLC0415
        from urllib.error import HTTPError, URLError  # noqa: PLC0415

        from graft.sources.auth import request as authorized  # noqa: PLC0415

        request = authorized(self.url, headers)
        self.requests += 1
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read()
                status = int(response.status)
                content_range = response.headers.get("Content-Range", "")
        except HTTPError as exc:
            exc.close()
            if exc.code in _TRANSIENT and not last:
                return None
            return exc.code, b"", ""
        except (URLError, OSError, HTTPException) as exc:  # (IncompleteRead: a body cut short)
            if not last:
                return None
            raise SourceError(
                f"cannot fetch the wheel ({failure(exc)})",
                where=self.url,
                hint=failure_hint(exc, "check the network"),
            ) from None
        self.bytes_read += len(body)
        return status, body, content_range

    def whole(self) -> bytes:
        status, body, _ = self.get(None)
        if status != 200:  # noqa: PLR2004
            raise SourceError(f"the server answered HTTP {status}", where=self.url)
        return body

    def suffix(self, length: int) -> tuple[int, bytes]:
        """The last *length* bytes (or the whole file, if shorter) and where they start."""
        status, body, content_range = self.get(f"-{length}")
        start, got = self._ranged(status, body, content_range)
        if self.total is not None and (start + len(got), start) != (
            self.total,
            max(0, self.total - length),
        ):  # another range than the end asked for: the whole file, as pip and uv fall back
            raise _WholeFile(None)
        return start, got

    def span(self, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` (exclusive)."""
        status, body, content_range = self.get(f"{start}-{end - 1}")
        got_start, got = self._ranged(status, body, content_range)
        if got_start != start or len(got) < end - start:
            raise _WholeFile(None)  # another range than asked: the whole file, as in suffix
        return got[: end - start]

    def _ranged(self, status: int, body: bytes, content_range: str) -> tuple[int, bytes]:
        if status == 200:  # noqa: PLR2004 - Range ignored: this is the whole file
            raise _WholeFile(body)
        if status == 416:  # noqa: PLR2004 - a suffix range refused: ask for everything
            raise _WholeFile(None)
        if status != 206:  # noqa: PLR2004
            raise SourceError(f"the server answered HTTP {status}", where=self.url)
        match = _CONTENT_RANGE.fullmatch(content_range.strip())
        if match is None:
            raise _WholeFile(None)
        start, end, total = (int(g) for g in match.groups())
        if self.total is not None and total != self.total:
            raise SourceError("the file changed between two range requests", where=self.url)
        self.total = total
        if end - start + 1 != len(body):
            raise SourceError("a range response is truncated", where=self.url)
        return start, body


def _end_of_directory(tail: bytes, where: str) -> tuple[int, int, int | None]:
    """(directory offset, directory size, offset of a ZIP64 EOCD record or None)."""
    at = tail.rfind(b"PK\x05\x06", max(0, len(tail) - _EOCD.size - _MAX16))
    if at < 0 or at + _EOCD.size > len(tail):
        raise SourceError("not a zip archive (no end of central directory)", where=where)
    _, _, _, _, entries, size, offset, _ = _EOCD.unpack_from(tail, at)
    locator = at - _ZIP64_LOCATOR.size
    if locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        return offset, size, _ZIP64_LOCATOR.unpack_from(tail, locator)[2]
    if _MAX32 in {size, offset} or entries == _MAX16:
        raise SourceError("a ZIP64 archive without its ZIP64 locator", where=where)
    return offset, size, None


def _zip64_extra(extra: bytes, fields: list[int]) -> list[int]:
    """Replace the 0xFFFFFFFF values of (size, compressed, offset) from the ZIP64 field."""
    pos = 0
    while pos + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, pos)
        if kind == 1:
            data, cursor = extra[pos + 4 : pos + 4 + length], 0
            for index, value in enumerate(fields):
                if value == _MAX32 and cursor + 8 <= len(data):
                    fields[index] = struct.unpack_from("<Q", data, cursor)[0]
                    cursor += 8
            break
        pos += 4 + length
    return fields


def _directory(data: bytes, where: str) -> list[_Member]:
    members, pos = [], 0
    while pos + _CENTRAL.size <= len(data) and data[pos : pos + 4] == b"PK\x01\x02":
        fields = _CENTRAL.unpack_from(data, pos)
        flags, method, crc, compressed, size = fields[3], fields[4], fields[7], fields[8], fields[9]
        name_len, extra_len, comment_len, offset = fields[10], fields[11], fields[12], fields[16]
        start = pos + _CENTRAL.size
        raw = data[start : start + name_len]
        name = raw.decode("utf-8" if flags & _UTF8_FLAG else "cp437")
        extra = data[start + name_len : start + name_len + extra_len]
        size, compressed, offset = _zip64_extra(extra, [size, compressed, offset])
        members.append(_Member(name, method, crc, compressed, size, offset))
        pos = start + name_len + extra_len + comment_len
    if not members:
        raise SourceError("the zip central directory is empty or unreadable", where=where)
    return members


def _inflate(member: _Member, local: bytes, where: str) -> bytes:
    if local[:4] != b"PK\x03\x04":
        raise SourceError(f"no local header for {member.name}", where=where)
    fields = _LOCAL.unpack_from(local)
    start = _LOCAL.size + fields[9] + fields[10]
    data = local[start : start + member.compressed]
    if len(data) < member.compressed:
        raise SourceError(f"{member.name} is truncated", where=where)
    if member.method == zipfile.ZIP_STORED:
        out = data
    elif member.method == zipfile.ZIP_DEFLATED:
        try:
            out = zlib.decompressobj(-15).decompress(data, member.size + 1)
        except zlib.error as exc:
            raise SourceError(f"cannot inflate {member.name} ({exc})", where=where) from None
    else:
        raise _WholeFile(None)  # bzip2, lzma: let zipfile read it
    if len(out) != member.size or zlib.crc32(out) != member.crc:
        raise SourceError(f"{member.name} fails its CRC-32 or size check", where=where)
    return out


def _from_zip(
    body: bytes, project: NormalizedName | None, where: str, leaf: str = "METADATA"
) -> tuple[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            member = metadata_member(archive.namelist(), project, where, leaf)
            return member, archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"not a readable wheel ({exc})", where=where) from None


def _by_ranges(
    remote: _Remote, project: NormalizedName | None, tail_size: int, leaf: str = "METADATA"
) -> tuple[str, bytes]:
    where = remote.url
    tail_start, tail = remote.suffix(tail_size)
    cd_offset, cd_size, zip64_at = _end_of_directory(tail, where)
    if zip64_at is not None:
        record = (
            tail[zip64_at - tail_start : zip64_at - tail_start + _ZIP64_EOCD.size]
            if zip64_at >= tail_start
            else remote.span(zip64_at, zip64_at + _ZIP64_EOCD.size)
        )
        if record[:4] != b"PK\x06\x06":
            raise SourceError("a ZIP64 locator pointing nowhere", where=where)
        cd_size, cd_offset = _ZIP64_EOCD.unpack_from(record)[8:10]
    if cd_offset >= tail_start:
        directory = tail[cd_offset - tail_start : cd_offset - tail_start + cd_size]
    else:  # the directory starts before the tail: fetch the part that is missing
        directory = remote.span(cd_offset, tail_start) + tail[: cd_offset + cd_size - tail_start]
    members = {m.name: m for m in _directory(directory, where)}
    member = members[metadata_member(list(members), project, where, leaf)]
    end = member.offset + _LOCAL.size + _HEADER_SLACK + member.compressed
    if member.offset >= tail_start:
        local = tail[member.offset - tail_start : end - tail_start]
    else:
        local = remote.span(member.offset, min(end, tail_start))
        local += tail[: max(0, end - tail_start)]
    return member.name, _inflate(member, local, where)


def read_metadata(
    url: str,
    project: str | None = None,
    *,
    opener: OpenerDirector | None = None,
    timeout: float | None = None,
    tail: int = TAIL,
    backoff: float = 0.5,
    leaf: str = "METADATA",
) -> LazyMetadata:
    """The ``*.dist-info/METADATA`` of the wheel at *url*, read with HTTP range requests.

    *project* (any spelling) picks the ``.dist-info`` directory when a wheel has several.
    *leaf* names another member of the ``.dist-info`` (``variant.json``, PEP 825).
    A request that fails to connect or gets 429/5xx is tried again (:data:`RETRIES` tries,
    *backoff* seconds doubling in between).
    Raises :class:`~graft.errors.SourceError` when the file cannot be fetched or is not a
    wheel with exactly one such METADATA.
    """
    seconds = default_timeout() if timeout is None else timeout  # (GRAFT_HTTP_TIMEOUT)
    remote = _Remote(url, shared_opener() if opener is None else opener, seconds, backoff)
    name = canonicalize_name(project) if project else None
    try:
        member, data = _by_ranges(remote, name, tail, leaf)
        ranged = True
    except _WholeFile as whole:
        body = whole.body if whole.body is not None else remote.whole()
        member, data = _from_zip(body, name, url, leaf)
        ranged = False
    return LazyMetadata(data, member, remote.requests, remote.bytes_read, ranged)
