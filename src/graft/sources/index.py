"""A simple-API index (PEP 503/691): each project's page cached on disk as its rows.

A page is read into rows by :mod:`graft.sources.simple_api`; the files it lists are
:class:`graft.sources.candidates.Candidate`, like those of find-links directories
(:mod:`graft.sources.find_links`). Several indexes, in order and under an index strategy,
are :mod:`graft.sources.indexes`. Downloading is :mod:`graft.sources.fetch`; the index's
core metadata files are :mod:`graft.sources.coremeta`.
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

from graft._atomic import remember
from graft._sha256 import sha256_hex
from graft.errors import SourceError
from graft.sources.candidates import Candidate
from graft.sources.simple_api import _get_page, _index_url, _local_page

if TYPE_CHECKING:
    from collections.abc import Callable

PYPI_SIMPLE = "https://pypi.org/simple/"
_PAGE_TTL = 600.0  # seconds an index page is fresh, as PyPI's Cache-Control says


#: The page cache's format: rows of :data:`_FIELDS`, absolute URLs, with the page's validators
#: (3: ``size`` added; pages of format 2 are fetched again).
_PAGE_FORMAT = 3
_FIELDS = (
    "filename", "url", "sha256", "requires_python", "yanked", "upload_time", "metadata", "size"
)  # fmt: skip


class PageDigest:
    """What a reader derives from a page's rows, kept in the page's file beside them.

    *make* turns the rows into JSON; *stamp* names its maker: a digest kept under another
    stamp is made again (and the file written again) when the page is read. (A plain
    class: a resolve in a new process creates no dataclass it can do without, decision 51.)
    """

    __slots__ = ("make", "stamp")

    def __init__(self, stamp: str, make: Callable[[list[list[Any]]], Any]) -> None:
        self.stamp = stamp
        self.make = make


class PageRows(list[list[Any]]):
    """A page's rows, with the digest kept beside them (None: none asked for)."""

    __slots__ = ("digest",)

    def __init__(self, rows: list[list[Any]], digest: Any = None) -> None:
        super().__init__(rows)
        self.digest = digest


class Index:
    """A PEP 503/691 simple repository, with pages cached on disk.

    A page is kept as compact rows (one list per file, only what graft reads) that load in
    milliseconds; a page older than :data:`_PAGE_TTL` is revalidated with its ETag or
    Last-Modified, so an unchanged project costs one 304 answer, not a parse.
    """

    def __init__(
        self, url: str, cache_dir: str, offline: bool = False, digest: PageDigest | None = None
    ) -> None:
        url = _index_url(url)
        self.digest = digest
        self.url = url if url.endswith("/") else url + "/"
        self.cache_dir = os.path.join(cache_dir, "index")
        self.offline = offline
        self.ttl = _PAGE_TTL  # (0 after ask_again: every cached page is revalidated)
        self.asked_since: float | None = None  # (ask_again's time: pages written since answer)
        self.confirmed: set[str] = set()  # pages found unchanged since ask_again (Indexes.changed)
        self.cached_answer = False  # a page was answered from the cache without asking
        # per page URL read: the validators of the rows it gave, and whether it listed any file
        self.seen: dict[str, tuple[dict[str, str], bool]] = {}

    def files(self, name: str) -> list[Candidate]:
        """The wheels the index offers for project *name*."""
        return [c for c in self.listing(name)[1] if c.filename.endswith(".whl")]

    def listing(self, name: str) -> tuple[bool, list[Candidate]]:
        """Whether the index has any file at all for project *name*, and all its files.

        Wheels and source distributions alike (callers that only take wheels filter).
        """
        rows = self.rows(name)
        local = self.url.startswith("file:")
        out = [
            Candidate(
                filename,
                url,
                sha256,
                local and not url.startswith(("http://", "https://")),  # (_local_page's paths)
                core_metadata=metadata,
                requires_python=requires_python,
                yanked=yanked,
                upload_time=upload_time,
                size=size,
            )
            for filename, url, sha256, requires_python, yanked, upload_time, metadata, size in rows
        ]
        return bool(rows), out

    def rows(self, name: str) -> list[list[Any]]:
        """The page of project *name* as kept: one row per file, in :meth:`listing`'s order.

        ``[filename, url, sha256, requires_python, yanked, upload_time, metadata, size]``.
        """
        return self._page(self.page_url(name))

    def page_url(self, name: str) -> str:
        """The URL of project *name*'s page."""
        return urllib.parse.urljoin(self.url, f"{name}/")

    def fresh(self, name: str) -> bool:
        """Whether the page of *name* is answered without the network (a stat, no parse).

        A cached page younger than the TTL (its file is written when fetched or confirmed),
        a local tree's, or any page offline.
        """
        if self.offline or self.url.startswith("file:"):
            return True
        path = self._path(self.page_url(name))
        try:
            return time.time() - os.stat(path).st_mtime < self.ttl
        except OSError:
            return False

    def ask_again(self) -> None:
        """Revalidate every cached page from now on, however young (a 304 when unchanged).

        Once: a page asked (and so written) since is answered from the cache.
        """
        self.ttl = 0.0
        self.asked_since = time.time()
        self.confirmed = set()
        self.cached_answer = False

    def _path(self, url: str) -> str:
        key = sha256_hex(url.encode())[:32]
        # the format is in the name: graft versions that write other formats keep their own pages
        return os.path.join(self.cache_dir, f"{key}-{_PAGE_FORMAT}.json")

    def _page(self, url: str) -> list[list[Any]]:
        if url.startswith("file:"):
            return _local_page(url)  # read again every time: nothing to revalidate
        path = self._path(url)
        cached: dict[str, Any] | None = None
        try:
            with open(path, encoding="utf-8") as fh:
                cached = json.load(fh)
        except (OSError, ValueError):
            pass
        if cached is not None and cached.get("format") != _PAGE_FORMAT:
            cached = None  # written by an older graft: fetched again, never misread
        since = self.asked_since
        if cached is not None and (
            url in self.confirmed or (since is not None and cached["fetched"] >= since)
        ):
            self.seen[url] = (cached.get("validators") or {}, bool(cached["rows"]))
            return self._digested(path, cached, kept=True)  # (asked again already)
        if cached is not None and (self.offline or time.time() - cached["fetched"] < self.ttl):
            self.cached_answer = self.cached_answer or not self.offline
            rows: list[list[Any]] = cached["rows"]
            self.seen[url] = (cached.get("validators") or {}, bool(rows))
            return self._digested(path, cached, kept=True)
        if self.offline:
            raise SourceError(
                "not in the cache and --offline was given", where=url, hint="run once online"
            )
        validators = cached.get("validators", {}) if cached is not None else {}
        got = _get_page(url, validators)
        unchanged: dict[str, Any] = {}
        if got is None:  # not modified (its digest, if any, holds too)
            rows = cached["rows"] if cached is not None else []
            validators = validators or {}
            unchanged = {k: v for k, v in (cached or {}).items() if k.startswith("digest")}
        else:
            rows, validators = got
        page = {"format": _PAGE_FORMAT, "fetched": time.time(), "validators": validators}
        self.seen[url] = (validators, bool(rows))
        return self._digested(path, {**page, "rows": rows, **unchanged}, kept=False)

    def _digested(self, path: str, page: dict[str, Any], *, kept: bool) -> list[list[Any]]:
        """The *page*'s rows with their digest (made if not kept); the page written unless *kept*.

        A digest is made once per page written: when the page is fetched (a 304 keeps the
        one it had), or read under another digest's stamp.
        """
        digest = self.digest
        if digest is not None and (
            page.get("digest-stamp") != digest.stamp or "digest" not in page
        ):
            page = {**page, "digest-stamp": digest.stamp, "digest": digest.make(page["rows"])}
            kept = False
        if not kept:
            remember(path, json.dumps(page, separators=(",", ":")))
        rows: list[list[Any]] = page["rows"]
        return rows if digest is None else PageRows(rows, page["digest"])


def local_sha256(path: str, cache_dir: str) -> str:
    """The sha256 of a local wheel, remembered by file identity (path, inode, size, mtime)."""
    st = os.stat(path)
    identity = f"{os.path.abspath(path)}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}"
    key = sha256_hex(identity.encode())[:32]
    memo = os.path.join(cache_dir, "local-hashes", key)
    try:
        with open(memo, encoding="ascii") as fh:
            digest = fh.read().strip()
        if len(digest) == 64:  # noqa: PLR2004
            return digest
    except OSError:
        pass
    from graft._fs import file_sha256  # noqa: PLC0415

    digest = file_sha256(path)
    remember(memo, digest)
    return digest
