"""A local wheel file's ``*.dist-info/METADATA``, read with :mod:`zipfile`.

Apart from :mod:`graft.sources.lazywheel` (range reads of remote wheels, their classes and
the HTTP client), which a warm sync of sdists built before does not use: it reads each
recorded build's METADATA from the wheel in the cache (decision 51). Standard library only.
"""

from __future__ import annotations

import os
import zipfile
import zlib

from packaging.utils import NormalizedName, canonicalize_name

from graft.errors import SourceError


def metadata_member(
    names: list[str], project: NormalizedName | None, where: str, leaf: str = "METADATA"
) -> str:
    """The one top-level ``*.dist-info/<leaf>`` (of *project*, when given)."""
    found = [
        n
        for n in names
        if n.count("/") == 1 and n.endswith(f"/{leaf}") and n.split("/")[0].endswith(".dist-info")
    ]
    if project is not None:
        found = [n for n in found if canonicalize_name(n.split("/")[0].split("-")[0]) == project]
    if not found:
        raise SourceError(f"its .dist-info/{leaf} is missing", where=where)
    if len(found) != 1:
        raise SourceError(f"{len(found)} .dist-info/{leaf} files in the wheel", where=where)
    return found[0]


def read_local_metadata(path: str, project: str | None = None) -> tuple[str, bytes]:
    """The (member, bytes) of the ``*.dist-info/METADATA`` of the wheel file at *path*."""
    name = canonicalize_name(project) if project else None
    where = os.path.basename(path)  # as ingest names a wheel (wheel.archive)
    try:
        with zipfile.ZipFile(path) as archive:
            member = metadata_member(archive.namelist(), name, where)
            return member, archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SourceError(f"not a readable zip archive ({exc})", where=where) from None
    except (RuntimeError, NotImplementedError, zlib.error) as exc:  # encrypted, odd compression
        raise SourceError(f"its METADATA cannot be read ({exc})", where=where) from None
