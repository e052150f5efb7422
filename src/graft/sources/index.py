"""Simple-API indexes (PEP 503/691): each project's page cached on disk, several indexes in order.

A page is read into rows by :mod:`graft.sources.simple_api`; the files it lists are
:class:`graft.sources.candidates.Candidate`, like those of find-links directories
(:mod:`graft.sources.find_links`). Downloading is :mod:`graft.sources.fetch`; the index's
core metadata files are :mod:`graft.sources.coremeta`.
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from typing import TYPE_CHECKING, Any, NamedTuple

from graft._atomic import remember
from graft._sha256 import sha256_hex
from graft.errors import SourceError
from graft.sources.candidates import Candidate
from graft.sources.simple_api import _get_page, _index_url, _local_page

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

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


def index_order(index_url: str, extra_index_urls: Sequence[str]) -> list[str]:
    """The order indexes are asked in.

    Each ``--extra-index-url`` as given, then ``--index-url`` (PyPI by default), as uv orders
    them; each URL once.
    """
    out: list[str] = []
    for url in [*extra_index_urls, index_url]:
        if url not in out:
            out.append(url)
    return out


class PageFindings(NamedTuple):
    """:meth:`Indexes.findings`: per index the pages read, and whether one came unasked."""

    seen: tuple[dict[str, tuple[dict[str, str], bool]], ...]
    cached: tuple[bool, ...]
    unaskable: bool
    rested_on: list[tuple[str, dict[str, str]]]


class Indexes:
    """Several simple repositories under uv's ``first-index`` strategy (by default).

    For each project, the first index (in :func:`index_order`) that has any file for it is
    the only one whose wheels are considered; files are never mixed across indexes. So a
    project kept on a private extra index cannot be shadowed by one of the same name
    published on PyPI (dependency confusion), and no index can add a wheel (another tag, a
    higher build number) to a release another index serves.

    ``unsafe-best-match`` is pip's way, for a user who needs it (a mirror holding only some
    versions of a project PyPI has): every index's files of a project, merged in index
    order (a filename two indexes list is taken from the first), the best of them chosen.
    """

    def __init__(
        self,
        urls: Sequence[str],
        cache_dir: str,
        offline: bool = False,
        strategy: str = "first-index",
        *,
        refresh: bool = False,
        digest: PageDigest | None = None,
    ) -> None:
        self.indexes = [Index(url, cache_dir, offline, digest) for url in urls]
        self.offline = offline
        self.merged = strategy == "unsafe-best-match"
        self._rested_on: list[tuple[str, dict[str, str]]] = []  # (rests_on)
        self._unaskable = False  # an answer rested on a page that cannot be asked again
        if refresh:  # --refresh: every cached page is revalidated
            self.ask_again()

    def files(self, name: str) -> list[Candidate]:
        """The wheels of *name* on the first index that has any file for it (else none)."""
        return [c for c in self.listing(name) if c.filename.endswith(".whl")]

    def fresh(self, name: str) -> bool:
        """Whether every index answers for *name* without the network (:meth:`Index.fresh`)."""
        return all(index.fresh(name) for index in self.indexes)

    def cached_answers(self) -> bool:
        """Whether a page was answered from the cache, unasked (younger than its TTL)."""
        return any(index.cached_answer for index in self.indexes)

    def ask_again(self) -> None:
        """Revalidate every cached page from now on (:meth:`Index.ask_again`)."""
        for index in self.indexes:
            index.ask_again()

    def changed(self, pages: Sequence[tuple[str, dict[str, str]]]) -> bool:
        """Whether a page of *pages* changed since its validators were read, each asked now.

        After :meth:`ask_again`: each page is asked for once, eight at a time, by its
        validators (:func:`~graft.sources.revalidate.unchanged_each`: a 304, or the same
        bytes, neither parsed nor written); one found unchanged is answered from the cache
        from then on, as one asked since. A page that changed, or cannot be asked, is
        asked again by whatever reads it next.
        """
        from graft.sources.revalidate import unchanged_each  # noqa: PLC0415 - on a failure

        same = unchanged_each(list(pages))
        for (url, _), kept in zip(pages, same, strict=True):
            index = next((i for i in self.indexes if url.startswith(i.url)), None)
            if kept and index is not None:
                index.confirmed.add(url)
        return not all(same)

    def pages(self, name: str) -> list[tuple[str, dict[str, str]]] | None:
        """The pages the files of *name* came from, with their validators as then read.

        Every index :meth:`files` asked, in order (under ``first-index``, up to the first
        that listed a file). None when one of them was not read from an HTTP index or gave
        no validators: that answer cannot be renewed (:func:`graft.sources.revalidate.unchanged`).
        """
        out = []
        for index in self.indexes:
            url = index.page_url(name)
            seen = index.seen.get(url)
            if seen is None or not seen[0]:
                return None
            out.append((url, seen[0]))
            if seen[1] and not self.merged:
                break
        return out

    def rests_on(self, pages: list[tuple[str, dict[str, str]]] | None) -> None:
        """Note pages an answer of this run came from without reading them now.

        A pin record's recalled step (:mod:`graft.resolve.pinrecord`): its pages as they were
        when it was made; None when it names none.
        """
        if pages is None:
            self._unaskable = True
        else:
            self._rested_on += pages

    def findings(self) -> PageFindings:
        """What this run's answers came from so far (copies), for another process to learn.

        A lock's worker sends them (decision 92): the parent's lock stamp must name every
        page the lock's answers came from, those its workers read included.
        """
        return PageFindings(
            tuple(dict(index.seen) for index in self.indexes),
            tuple(index.cached_answer for index in self.indexes),
            self._unaskable,
            list(self._rested_on),
        )

    def learn(self, found: PageFindings) -> None:
        """Add another process's :meth:`findings` of the same indexes."""
        for index, pages, answered in zip(self.indexes, found.seen, found.cached, strict=True):
            for url, page in pages.items():
                index.seen.setdefault(url, page)
            index.cached_answer = index.cached_answer or answered
        self._unaskable = self._unaskable or found.unaskable
        self._rested_on += [page for page in found.rested_on if page not in self._rested_on]

    def answered_from(self) -> tuple[tuple[str, dict[str, str]], ...] | None:
        """Every page this run's answers came from, with its validators, once each.

        Those read (as read) and those :meth:`rests_on` noted; None offline, or when one of
        them cannot be asked again (a local index, a page an older graft cached without
        validators): answers that rest on it cannot be renewed
        (:func:`graft.sources.revalidate.unchanged`).
        """
        if (
            self.offline
            or self._unaskable
            or any(index.url.startswith("file:") for index in self.indexes)
        ):
            return None
        read = [  # (a copy: a page read ahead may still arrive in another thread)
            (url, seen[0]) for index in self.indexes for url, seen in dict(index.seen).items()
        ]
        out: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
        for url, validators in [*read, *self._rested_on]:
            if not validators:
                return None
            out[url, json.dumps(validators, sort_keys=True)] = (url, validators)
        return tuple(out.values())

    def rows(self, name: str) -> list[list[Any]]:
        """:meth:`Index.rows` of the first index that has any file for *name* (else none).

        Under ``unsafe-best-match``, every index's rows of *name*, merged by filename in
        index order (as :meth:`listing` merges them).
        """
        merged: dict[str, list[Any]] = {}
        for index in self.indexes:
            rows = index.rows(name)
            if rows and not self.merged:
                return rows
            for row in rows:
                merged.setdefault(row[0], row)
        return list(merged.values())

    def listing(self, name: str) -> list[Candidate]:
        """Every file of *name* on the first index that has any file for it (else none).

        Under ``unsafe-best-match``, every index's files of *name*, merged.
        """
        merged: dict[str, Candidate] = {}
        for index in self.indexes:
            found, files = index.listing(name)
            if found and not self.merged:
                return files
            for candidate in files:
                merged.setdefault(candidate.filename, candidate)
        return list(merged.values())


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
