"""A wheel's METADATA for the resolver, from the cheapest place that has it.

:meth:`graft.resolve.projects.IndexProjects.metadata` reads a wheel's METADATA, in this
order, from: the wheel itself when it is a local file; the metadata cache (keyed by the
listed sha256 and the URL, :mod:`graft.sources.cachekey`); the store's entry of that
sha256 when the store vouches for it (decisions 154, 294); the index's PEP 658 file; range
reads of the wheel (:mod:`graft.sources.lazywheel`), or a whole download where a server
ignores ``Range``. Each read is counted where it came from (*count*). Imported only when a
METADATA is read: a warm resolution finds every surface kept.
"""

from __future__ import annotations

import contextlib
import os
import urllib.parse
from typing import TYPE_CHECKING, Protocol

from graft._atomic import remember
from graft.errors import SourceError
from graft.sources.coremeta import hash_matches
from graft.sources.lazywheel import read_metadata
from graft.sources.localwheel import read_local_metadata

if TYPE_CHECKING:
    from collections.abc import Collection

    from graft.resolve.artifacts import ArtifactFile
    from graft.store.entries import Store


class Count(Protocol):
    """Counts one read (``IndexProjects._count``): where from, the file, the bytes fetched."""

    def __call__(self, path: str, file: ArtifactFile | None = None, fetched: int = 0) -> None: ...


def wheel_metadata(
    file: ArtifactFile,
    cache_dir: str,
    store: Store | None,
    *,
    offline: bool,
    pep658: Collection[str],
    count: Count,
) -> bytes:
    """The METADATA of wheel *file*: local, cached, the store's, the index's file, or ranges.

    *pep658*: the URLs whose index offers a metadata file; *count* (where, file, bytes):
    the source's tally (:attr:`graft.resolve.projects.IndexProjects.reads`).
    """
    project = file.filename.split("-", 1)[0]  # a wheel's name part never holds "-"
    scheme = urllib.parse.urlsplit(file.url).scheme
    if scheme not in {"http", "https"}:
        count("local")
        return read_local_metadata(file.url.removeprefix("file://"), project)[1]
    if file.sha256 is None and not offline:  # a URL given without a hash
        lazy = read_metadata(urllib.parse.urldefrag(file.url).url, project)
        count("ranges" if lazy.ranged else "whole", file, lazy.bytes_read)
        return lazy.metadata
    path = _cache_path(file, cache_dir)
    if path is not None:
        with contextlib.suppress(OSError), open(path, "rb") as fh:
            data = fh.read()
            if hash_matches(data, file.metadata_hash):
                count("cache")
                return data
    stored = _stored(file, store)
    if stored is not None:
        count("store")
        return stored
    if offline:
        raise SourceError(
            "its METADATA is not in the cache and --offline was given",
            where=file.filename,
            hint="run once online",
        )
    data = _fetch(file, project, count, pep658=file.url in pep658)
    if path is not None:
        remember(path, data)
    return data


def _cache_path(file: ArtifactFile, cache_dir: str) -> str | None:
    """Where the metadata cache keeps *file*'s METADATA (None: no sha256 to key it by)."""
    if not file.sha256:
        return None
    from graft.sources.cachekey import cache_key  # noqa: PLC0415

    return os.path.join(cache_dir, "metadata", f"{cache_key(file.sha256, file.url)}.metadata")


def _stored(file: ArtifactFile, store: Store | None) -> bytes | None:
    """The METADATA of the store's entry of *file*'s sha256, if it vouches for one.

    The store is content-addressed and its entries verified (the marker): the entry is
    the wheel a sync installs for that sha256 without a download (decision 154), so its
    METADATA is the one to resolve with (decision 294). Only an entry of *file*'s own name
    and version (:meth:`graft.store.entries.Store.dist_info_of`) whose METADATA has the
    hash an index announced.
    """
    sha = file.sha256
    if store is None or sha is None:
        return None
    dist_info = store.dist_info_of(sha, file.filename)
    if dist_info is None:
        return None
    try:
        with open(os.path.join(dist_info, "METADATA"), "rb") as fh:
            data = fh.read()
    except OSError:  # (gc took it meanwhile)
        return None
    return data if hash_matches(data, file.metadata_hash) else None


def _fetch(file: ArtifactFile, project: str, count: Count, *, pep658: bool) -> bytes:
    """The index's PEP 658 file where it offers one (*pep658*), else range reads."""
    if pep658:
        from graft.sources.http import http_get  # noqa: PLC0415

        got = http_get(urllib.parse.urldefrag(file.url).url + ".metadata")
        if got is not None:
            if not hash_matches(got.body, file.metadata_hash):
                raise SourceError(
                    "the index's metadata file does not match its announced hash",
                    where=file.url + ".metadata",
                )
            count("pep658", file, len(got.body))
            return got.body
    lazy = read_metadata(urllib.parse.urldefrag(file.url).url, project)
    count("ranges" if lazy.ranged else "whole", file, lazy.bytes_read)
    if not hash_matches(lazy.metadata, file.metadata_hash):
        raise SourceError(
            "the wheel's METADATA does not match the hash the index announced",
            where=file.url,
        )
    return lazy.metadata


__all__ = ["wheel_metadata"]
