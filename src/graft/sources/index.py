"""Finding wheels: find-links directories and a simple-API index (PEP 503/691, PEP 658/714).

Selection is per wheel file: of the wheels a release offers, the one whose best
tag ranks highest in the *target's* own tag order is chosen, and everything
graft later projects comes from that one file. Downloading is :mod:`graft.sources.fetch`;
the index's core metadata files are :mod:`graft.sources.coremeta`.
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from packaging.version import InvalidVersion, Version

from graft._atomic import remember
from graft._sha256 import sha256_hex
from graft.errors import SourceError, UsageError
from graft.model.wheelname import InvalidWheelFilename, parse_wheel_filename

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from graft.model.requirements import Wanted
    from graft.model.target import Target

PYPI_SIMPLE = "https://pypi.org/simple/"
_PAGE_TTL = 600.0  # seconds an index page is fresh, as PyPI's Cache-Control says
_RETRIES = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    """One wheel file on offer: its name, where it is, and the hashes known before download."""

    filename: str
    url: str  # file path for local wheels
    sha256: str | None  # known before download (index hash, or computed locally)
    local: bool
    origin: str = ""  # who vouched for sha256 (a lock entry, a URL's #sha256=); "" the index
    # The core metadata file the index offers beside the wheel (PEP 658/714): None for none,
    # "" for one without a usable hash, "<algorithm>=<hex>" (sha256, sha384, sha512) otherwise.
    core_metadata: str | None = None
    requires_python: str | None = None  # the index's data-requires-python (per release)
    yanked: str | None = None  # PEP 592: None, or the reason ("" when none is given)
    upload_time: str | None = None  # PEP 700, ISO 8601 as the index wrote it
    size: int | None = None  # bytes, as PEP 700's JSON ``size`` says (HTML pages do not)


def _version_matches(filename: str, name: str, version: str) -> tuple[bool, tuple[str, ...]]:
    try:
        wname, wversion, build, tags, _ = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return False, ()
    if str(wname) != name:
        return False, ()
    try:
        same = wversion == Version(version)
    except InvalidVersion:
        same = str(wversion) == version
    return same, tuple(str(t) for t in tags) + (("build", str(build[0])) if build else ())


def rank(filename: str, target_rank: dict[str, int]) -> tuple[int, int] | None:
    """Lower is better: the best tag's position in the target's order, then build tag."""
    try:
        _, _, build, tags, variant = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return None
    if variant is not None:  # a pinned choice is variant-unaware; the resolver orders variants
        return None
    positions = [target_rank[str(t)] for t in tags if str(t) in target_rank]
    if not positions:
        return None
    return min(positions), -(build[0] if build else 0)


def select(candidates: Sequence[Candidate], target: Target) -> Candidate | None:
    """The best candidate for *target*; local files win ties."""
    order = target.tag_rank()
    best: tuple[tuple[int, int, int], Candidate] | None = None
    for candidate in candidates:
        ranked = rank(candidate.filename, order)
        if ranked is None:
            continue
        key = (*ranked, 0 if candidate.local else 1)
        if best is None or key < best[0]:
            best = (key, candidate)
    return best[1] if best else None


def _sdist_project(filename: str) -> str | None:
    """The canonical project name of an sdist filename, or None when it is none."""
    from packaging.utils import InvalidSdistFilename, parse_sdist_filename  # noqa: PLC0415
    from packaging.version import InvalidVersion  # noqa: PLC0415

    try:
        return str(parse_sdist_filename(filename)[0])
    except (InvalidSdistFilename, InvalidVersion):
        return None


class FindLinks:
    """Wheels in ``--find-links`` directories, listed once and grouped by canonical name."""

    def __init__(self, directories: Sequence[str]) -> None:
        self.directories = list(directories)
        self._by_name: dict[str, list[tuple[str, str]]] | None = None
        self._sdists: dict[str, list[tuple[str, str]]] = {}
        self._index()  # list once, before any worker thread asks

    def _index(self) -> dict[str, list[tuple[str, str]]]:
        if self._by_name is None:
            by_name: dict[str, list[tuple[str, str]]] = {}
            for directory in self.directories:
                try:
                    names = os.listdir(directory)
                except OSError as exc:
                    raise SourceError(
                        f"cannot list find-links directory ({exc.strerror})", where=directory
                    ) from None
                for name in names:
                    # wheels, and each release's variant metadata (PEP 825), read only when
                    # that release has variant wheels; sdists apart (built only if allowed)
                    if name.endswith((".whl", "-variants.json")):
                        # the name part of a wheel filename never contains "-"
                        key = name.split("-", 1)[0].replace("_", "-").replace(".", "-").lower()
                        by_name.setdefault(key, []).append((name, os.path.join(directory, name)))
                    elif name.endswith((".tar.gz", ".zip")):
                        sdist = _sdist_project(name)
                        if sdist is not None:
                            path = os.path.join(directory, name)
                            self._sdists.setdefault(sdist, []).append((name, path))
            self._by_name = by_name
        return self._by_name

    def files(self, name: str) -> list[tuple[str, str]]:
        """``(filename, path)`` of every wheel (and ``-variants.json``) of project *name*."""
        return list(self._index().get(name, []))

    def sdists(self, name: str) -> list[tuple[str, str]]:
        """``(filename, path)`` of every sdist of the project *name* (canonical)."""
        return list(self._sdists.get(name, []))

    def names(self) -> list[str]:
        """The canonical names of every project in the directories, sorted."""
        return sorted(self._index())

    def candidates(self, wanted: Wanted) -> list[Candidate]:
        """The wheels of *wanted* in the directories, at its pinned version."""
        files = self._index().get(wanted.name, [])
        return [
            Candidate(name, path, None, local=True)
            for name, path in files
            if _version_matches(name, wanted.name, wanted.version or "")[0]
        ]


#: Hashes of a metadata file graft verifies, in order of preference (pip's strong hashes).
_METADATA_HASHES = ("sha256", "sha384", "sha512")


def advertised_metadata(value: object) -> str | None:
    """The ``Candidate.core_metadata`` spelling of what a page says about a metadata file.

    *value* is the PEP 691 JSON value (``true``, ``false`` or a hash mapping) or the PEP 658
    HTML attribute (``"true"``, ``"<algorithm>=<hex>"``; ``None`` for a bare attribute).
    A malformed value still announces the file, without a hash, as pip reads it.
    """
    if value is False or value == "false":
        return None
    if isinstance(value, dict):
        hashes = {str(k).lower(): v for k, v in value.items() if isinstance(v, str)}
    elif isinstance(value, str) and "=" in value:
        algorithm, _, digest = value.partition("=")
        hashes = {algorithm.strip().lower(): digest.strip()}
    else:
        hashes = {}
    for algorithm in _METADATA_HASHES:
        digest = hashes.get(algorithm, "")
        if digest and all(ch in "0123456789abcdefABCDEF" for ch in digest):
            return f"{algorithm}={digest.lower()}"
    return ""


def _html_metadata(attrs: dict[str, str | None]) -> str | None:
    # PEP 714: data-core-metadata, else the older data-dist-info-metadata (PEP 658)
    for key in ("data-core-metadata", "data-dist-info-metadata"):
        if key in attrs:
            return advertised_metadata(attrs[key])
    return None


def _json_metadata(entry: dict[str, Any]) -> str | None:
    # PEP 714: core-metadata, else the older dist-info-metadata (PEP 691 as first published)
    for key in ("core-metadata", "dist-info-metadata"):
        if key in entry:
            return advertised_metadata(entry[key])
    return None


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
        """Revalidate every cached page from now on, however young (a 304 when unchanged)."""
        self.ttl = 0.0
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


def _index_url(url: str) -> str:
    """An index URL as given, or a local directory's path as a ``file://`` URL (as pip, uv)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("http", "https", "file"):
        if "@" not in parts.netloc:
            return url
        from graft.sources.auth import keep  # noqa: PLC0415

        return keep(url)  # https://user:token@host/simple/: the token is kept for the host
    if not parts.scheme and os.path.isdir(url):
        return "file://" + urllib.parse.quote(os.path.abspath(url)) + "/"
    raise UsageError(
        f"index URL {url!r} is not an http://, https:// or file:// URL, nor a directory",
        hint="give --index-url/--extra-index-url a simple repository (https://pypi.org/simple/,"
        " or a local directory laid out as one); a directory of wheels: --find-links",
    )


def _local_path(url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path)


def _local_page(url: str) -> list[list[Any]]:
    """A project's page in a local PEP 503 tree: ``<project>/index.html``, as pip reads it.

    No page is no project. The files' links become local paths, so the wheels are used where
    they lie (as from ``--find-links``), never copied into the download cache.
    """
    path = _local_path(url)
    if os.path.isdir(path):
        path = os.path.join(path, "index.html")
    try:
        with open(path, "rb") as fh:
            body = fh.read()
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise SourceError(f"cannot read the index page ({exc.strerror})", where=path) from None
    rows = _html_rows(url, body)
    for row in rows:
        if row[1].startswith("file:"):
            row[1] = _local_path(row[1])
    return rows


def _get_page(
    url: str, validators: dict[str, str]
) -> tuple[list[list[Any]], dict[str, str]] | None:
    """The page at *url* as rows and its validators; None when it is unchanged (HTTP 304)."""
    from graft.sources.http import http_get  # noqa: PLC0415 - (cached pages need none)
    from graft.sources.revalidate import ABSENT, conditional  # noqa: PLC0415

    got = http_get(url, headers=conditional(validators))
    if got is None:  # HTTP 404: no such project here (asked again, it must be absent again)
        return [], {ABSENT: "404"}
    if got.status == 304:  # noqa: PLR2004
        return None
    fresh = {k: v for k, v in (("etag", got.etag), ("last-modified", got.last_modified)) if v}
    fresh["sha256"] = sha256_hex(got.body)  # (an index without validators: compared by bytes)
    if "json" in got.content_type:
        return _json_rows(url, got.body), fresh
    return _html_rows(url, got.body), fresh


def _yanked(value: object) -> str | None:
    """PEP 592: None when not yanked; the reason (maybe "") when yanked."""
    if value is None or value is False:
        return None
    return value if isinstance(value, str) else ""


def _json_rows(url: str, body: bytes) -> list[list[Any]]:
    data = json.loads(body)
    rows = []
    for f in data.get("files", []):
        upload = f.get("upload-time")
        rows.append(
            [
                f["filename"],
                _absolute(url, f["url"]),
                f.get("hashes", {}).get("sha256"),
                f.get("requires-python") or None,
                _yanked(f.get("yanked")),
                upload if isinstance(upload, str) else None,
                _json_metadata(f),
                _size(f.get("size")),
            ]
        )
    return rows


def _size(value: object) -> int | None:
    """PEP 700's ``size``: a non-negative integer, else unknown."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _absolute(page: str, link: str) -> str:
    """A file's URL as ``urljoin`` gives it, without its cost for the usual absolute link.

    PyPI links every file absolutely (``https://files.pythonhosted.org/...``), and
    ``urljoin`` returns such a link unchanged; on a page of thousands of files it was most of
    the parse (0.2 s of 0.27 s for botocore's 4,990).
    """
    if link.startswith(("https://", "http://")):
        return link
    return urllib.parse.urljoin(page, link)


def _html_rows(url: str, body: bytes) -> list[list[Any]]:
    from graft.sources.anchors import Anchors  # noqa: PLC0415 - HTML pages only (html.parser)

    parser = Anchors()
    parser.feed(body.decode("utf-8", "replace"))
    rows = []
    for text, attrs in parser.links:
        link, _, fragment = (attrs["href"] or "").partition("#")
        sha256 = fragment.removeprefix("sha256=") if fragment.startswith("sha256=") else None
        filename = text or urllib.parse.unquote(link.rsplit("/", 1)[-1])
        yanked = attrs["data-yanked"] or "" if "data-yanked" in attrs else None
        rows.append(
            [
                filename,
                _absolute(url, link),
                sha256,
                attrs.get("data-requires-python") or None,
                yanked,
                None,  # HTML pages carry no upload time (PEP 700 is JSON only)
                _html_metadata(attrs),
                None,  # nor a size
            ]
        )
    return rows


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
