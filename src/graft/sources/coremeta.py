"""Core metadata files (PEP 658/714): a wheel's METADATA, served by the index beside the wheel.

They let the Requires-Python and Requires-Dist check run before any wheel is downloaded.
A metadata file is fetched from ``<wheel url>.metadata``, checked against the hash the index
gave for it and against the wheel filename's name and version, and kept in
``<cache>/metadata/<wheel sha256>-<URL hash>.metadata``
(:func:`graft.sources.cachekey.cache_key`; ``--offline`` reads only that). Once the wheel
is here, its own METADATA must name the same distribution and version, or the sync stops.
The wheel records read at ingest stay the truth: the check after ingest runs regardless.
"""

from __future__ import annotations

import contextlib
import os
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from graft._atomic import remember
from graft._sha256 import sha256_hex
from graft.errors import SourceError
from graft.model.wheelname import InvalidWheelFilename, parse_wheel_filename
from graft.sources.cachekey import cache_key

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from graft.model.requirements import Wanted
    from graft.sources.candidates import Candidate


@dataclass(frozen=True, slots=True)
class CoreMetadata:
    """What the Requires-Dist check needs from one wheel, read without the wheel."""

    filename: str  # the wheel described
    name: str  # canonical; the wheel filename's, which the metadata was checked to agree with
    version: str  # the wheel filename's, likewise
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None

    @property
    def label(self) -> str:
        """``name==version``."""
        return f"{self.name}=={self.version}"


def from_filename(filename: str) -> CoreMetadata | None:
    """A stand-in for a wheel whose metadata is not known yet: its name and version only."""
    try:
        name, version = parse_wheel_filename(filename)[:2]
    except InvalidWheelFilename:
        return None
    return CoreMetadata(filename, str(name), str(version))


def metadata_files(
    chosen: Sequence[tuple[Wanted, Candidate]], cache_dir: str, offline: bool
) -> dict[str, CoreMetadata]:
    """The index's metadata files of the chosen wheels that announce one, by wheel URL.

    Read from the cache or fetched, verified; in parallel.
    """
    offered = [c for _, c in chosen if not c.local and c.core_metadata is not None]
    if not offered:
        return {}
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    with ThreadPoolExecutor(max_workers=min(8, len(offered))) as pool:
        found = pool.map(lambda c: metadata_file(c, cache_dir, offline), offered)
        return {c.url: m for c, m in zip(offered, found, strict=True) if m is not None}


def _same(name_a: str, version_a: str, name_b: str, version_b: str) -> bool:
    if canonicalize_name(name_a) != canonicalize_name(name_b):
        return False
    try:
        return Version(version_a) == Version(version_b)
    except InvalidVersion:
        return version_a == version_b


def _fields(data: bytes) -> tuple[str, str, list[str], str | None] | None:
    """Name, Version, Requires-Dist and Requires-Python, as packaging reads them."""
    from packaging.metadata import parse_email  # noqa: PLC0415

    raw, _ = parse_email(data)
    name, version = raw.get("name"), raw.get("version")
    if not name or not version:
        return None
    return name, version, list(raw.get("requires_dist", [])), raw.get("requires_python")


def hash_matches(data: bytes, advertised: str | None) -> bool:
    """Whether *data* has the ``<algorithm>=<hex>`` digest the index announced (none: yes)."""
    algorithm, _, expected = (advertised or "").partition("=")
    if not expected:
        return True
    import hashlib  # noqa: PLC0415 - (a warm resolution reads kept surfaces, no METADATA)

    return hashlib.new(algorithm, data).hexdigest() == expected


def metadata_url(candidate: Candidate) -> str:
    """Where the index serves *candidate*'s metadata file: the wheel URL plus ``.metadata``."""
    return urllib.parse.urldefrag(candidate.url).url + ".metadata"


def cache_path(candidate: Candidate, cache_dir: str) -> str:
    """Where the metadata file is cached: by the wheel's sha256 and URL, else by the URL."""
    if candidate.sha256:
        key = cache_key(candidate.sha256, candidate.url)
    else:
        key = sha256_hex(metadata_url(candidate).encode())
    return os.path.join(cache_dir, "metadata", key + ".metadata")


def from_metadata(filename: str, data: bytes) -> CoreMetadata | None:
    """A wheel's own METADATA *data* as the check reads it, named as :func:`from_filename` names it.

    Where *data* has no Name or Version, the filename's stand-in (ingest says what is wrong).
    """
    stand_in = from_filename(filename)
    fields = _fields(data)
    if stand_in is None or fields is None:
        return stand_in
    return CoreMetadata(filename, stand_in.name, stand_in.version, tuple(fields[2]), fields[3])


def from_source(filename: str, name: str, version: str, data: bytes) -> CoreMetadata:
    """The METADATA *data* a source would build, named by the lock (*name*, *version*)."""
    fields = _fields(data)
    if fields is None:
        return CoreMetadata(filename, name, version)
    return CoreMetadata(filename, name, version, tuple(fields[2]), fields[3])


def metadata_file(candidate: Candidate, cache_dir: str, offline: bool) -> CoreMetadata | None:
    """The index's metadata file for *candidate*; None when there is none to use.

    None when the index offers none, when it answers 404 for it, or offline when it is not
    in the cache (the wheel's own METADATA is then checked after download, as without one).
    """
    advertised = candidate.core_metadata
    if advertised is None or candidate.local:
        return None
    url = metadata_url(candidate)
    # Cached only when a hash names it: the wheel's (the key) or the file's own (checked).
    path = cache_path(candidate, cache_dir) if candidate.sha256 or advertised else None
    data: bytes | None = None
    if path is not None:
        with contextlib.suppress(OSError), open(path, "rb") as fh:
            data = fh.read()
    if data is not None and not hash_matches(data, advertised):
        data = None  # stale or damaged: fetch it again (offline: do without)
    if data is None:
        if offline:
            return None
        from graft.sources.http import http_get  # noqa: PLC0415

        got = http_get(url)
        if got is None:
            return None
        data = got.body
        if not hash_matches(data, advertised):
            algorithm = advertised.partition("=")[0]
            raise SourceError(
                f"metadata file of {candidate.filename} does not match the index's {algorithm}",
                where=url,
                hint="retry; if it persists the index serves a wrong file; nothing was downloaded",
            )
        if path is not None:
            remember(path, data)
    return _checked(candidate.filename, data, url)


def _checked(filename: str, data: bytes, url: str) -> CoreMetadata:
    fields = _fields(data)
    if fields is None:
        raise SourceError(
            f"metadata file of {filename} has no Name or Version",
            where=url,
            hint="the index serves a broken metadata file; report it to the index",
        )
    name, version, requires_dist, requires_python = fields
    try:
        wname, wversion = (str(part) for part in parse_wheel_filename(filename)[:2])
    except InvalidWheelFilename:  # index candidates were matched by their filename: not reached
        wname, wversion = canonicalize_name(name), version
    if not _same(name, version, wname, wversion):
        raise SourceError(
            f"metadata file of {filename} describes {name} {version}, not {wname} {wversion}",
            where=url,
            hint="the index is inconsistent; report it to the index, or pin another version",
        )
    return CoreMetadata(filename, wname, wversion, tuple(requires_dist), requires_python)


def check_wheels_agree(
    wheels: Iterable[tuple[Candidate, str]], used: Mapping[str, CoreMetadata]
) -> None:
    """Each downloaded wheel (candidate, path) whose metadata file was used must agree with it.

    One that does not is removed from the download cache, so that the next sync downloads,
    and checks, it again instead of trusting it.
    """
    for candidate, path in wheels:
        metadata = used.get(candidate.url)
        if metadata is None:
            continue
        try:
            check_wheel_agrees(path, metadata, candidate.url)
        except SourceError:
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise


def check_wheel_agrees(path: str, metadata: CoreMetadata, where: str) -> None:
    """Refuse the wheel at *path* if its METADATA names another distribution or version.

    A wheel whose METADATA cannot be found or read passes: ingest reports it precisely.
    """
    import zipfile  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    try:
        with zipfile.ZipFile(path) as zf:
            tops = {n.split("/", 1)[0] for n in zf.namelist()}
            dirs = [top for top in tops if top.endswith(".dist-info")]
            if len(dirs) != 1:
                return
            data = zf.read(f"{dirs[0]}/METADATA")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, NotImplementedError):
        return
    except zlib.error:
        return
    fields = _fields(data)
    if fields is None:
        return
    name, version = fields[0], fields[1]
    if not _same(name, version, metadata.name, metadata.version):
        raise SourceError(
            f"{metadata.filename}: its METADATA says {name} {version}, but the index's"
            f" metadata file says {metadata.name} {metadata.version}",
            where=where,
            hint="the index serves inconsistent files; report it to the index, or pin"
            " another version; the wheel was removed from the download cache",
        )
