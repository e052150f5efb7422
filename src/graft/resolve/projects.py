"""The resolver's :class:`~graft.resolve.artifacts.ProjectSource` over graft's own sources.

Files come from the simple-API indexes (:class:`graft.sources.index.Index`) and the
find-links directories (:class:`graft.sources.find_links.FindLinks`). A wheel's METADATA comes
(:mod:`graft.resolve.wheel_metadata`), in this order, from:

1. the wheel itself when it is a local file;
2. the metadata cache, ``<cache>/metadata/<wheel sha256>-<URL hash>.metadata`` (the file
   :mod:`graft.sources.coremeta` keeps; the bytes are the same either way; keyed by the URL
   too, since the listed sha256 is unchecked until the wheel is downloaded);
3. the store's entry of the wheel's sha256 (the index's, a lock's, a URL's ``#sha256=``),
   when the store vouches for it and it is of the file's name and version (decision 294):
   what the sync then installs (decision 154), read with no request;
4. the index's PEP 658 file, when the index offers one (checked against its hash);
5. range reads of the wheel (:mod:`graft.sources.lazywheel`), the usual way here since
   the reachable index offers no metadata files.

What was read from where is counted in :attr:`IndexProjects.reads`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

from graft.errors import SourceError
from graft.resolve import kept_surface
from graft.resolve.artifacts import ArtifactFile
from graft.resolve.listing import Listing

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence
    from concurrent.futures import Future, ThreadPoolExecutor

    from packaging.utils import NormalizedName

    from graft.resolve.surface import Surface
    from graft.sources.find_links import FindLinks
    from graft.sources.indexes import Indexes
    from graft.store.entries import Store


class SdistMetadata(Protocol):
    """The METADATA of an sdist candidate (:class:`graft.resolve.sdists.SdistBuilds`)."""

    notes: list[str]  # how each was answered (prepared, kept, built, and why), for -v
    failed_hooks: int  # hooks that failed here (-v)
    kept_failures: int  # failures kept from a hook, said instead of running it (-v)

    def metadata(self, file: ArtifactFile) -> bytes:
        """Its PKG-INFO when static (PEP 643), else the built wheel's METADATA."""
        ...

    def load_surface(self, file: ArtifactFile) -> Surface | None:
        """The surface of its METADATA kept by an earlier run, if known without work."""
        ...

    def save_surface(self, file: ArtifactFile, data: bytes, surface: Surface) -> None:
        """Keep the surface of its METADATA *data*."""
        ...

    def build_early(self, file: ArtifactFile) -> None:
        """Start its build now if the build is certain (a root ``==`` pin)."""
        ...


class IndexProjects:
    """Projects from indexes and find-links directories, METADATA read as cheaply as can be."""

    def __init__(
        self,
        indexes: Indexes | None,
        find_links: FindLinks | None,
        cache_dir: str,
        *,
        offline: bool = False,
        direct: Mapping[str, ArtifactFile] | None = None,
        held: Mapping[str, ArtifactFile] | None = None,
        builds: SdistMetadata | None = None,
        store: Store | None = None,
    ) -> None:
        self.indexes = indexes
        self.store = store  # entries whose METADATA needs no request (None: a lock's)
        self.builds = builds  # METADATA of sdists (None: sdists are never asked for)
        self.direct = dict(direct or {})  # a wheel named by path or URL: the only file
        self.held = dict(held or {})  # the venv's wheel by URL: first of its files (448)
        self.find_links = find_links
        self.cache_dir = cache_dir
        self.offline = offline
        self._listings: dict[str, Future[list[list[Any]]]] = {}  # prefetch_files, by name
        self._pages: ThreadPoolExecutor | None = None
        self.reads: dict[str, int] = {
            "local": 0,
            "cache": 0,
            "store": 0,
            "pep658": 0,
            "ranges": 0,
            "whole": 0,
            "sdist": 0,
        }
        # bytes fetched for METADATA (response bodies), and what downloading each of those
        # wheels whole would have cost (their sizes, where the index gives them)
        self.fetched_bytes = 0
        self.whole_bytes = 0
        self._lock = threading.Lock()  # metadata() may run in the resolver's prefetch threads
        self._live = False  # METADATA read from the network or a build (reading())
        self._offers_pep658: set[str] = set()  # URLs whose index offers a metadata file

    @property
    def searched(self) -> str:
        """Where a project is looked for, for "no project named X <searched>"."""
        if self.indexes is not None:
            return "on the index"
        if self.find_links is not None and self.find_links.directories:
            return "in the find-links directories"
        return "anywhere (--no-index and no --find-links)"

    def _count(
        self, path: str, file: ArtifactFile | None = None, fetched: int = 0, *, live: bool = True
    ) -> None:
        with self._lock:
            self.reads[path] += 1
            self._live = self._live or (live and path not in {"local", "cache", "store"})
            self.fetched_bytes += fetched
            if file is not None and file.size is not None:
                self.whole_bytes += file.size

    def reading(self) -> bool:
        """Whether METADATA was read from the network or a build: the cache was cold.

        Not from a local wheel or the cache (an sdist's kept surface included). A lock then
        resolves its environments side by side in threads, else in processes (decision 92).
        """
        return self._live

    def fetched(self) -> str:
        """What reading METADATA cost, for ``-v``: where from, bytes against whole downloads."""
        reads = ", ".join(f"{n} {where}" for where, n in self.reads.items() if n) or "none"
        if not self.fetched_bytes:
            return reads
        whole = f" (whole wheels: {_kib(self.whole_bytes)})" if self.whole_bytes else ""
        return f"{reads}; {_kib(self.fetched_bytes)} fetched{whole}"

    def files(self, name: NormalizedName) -> Sequence[ArtifactFile]:
        """Every file of *name*: find-links first, then the first index that has the project.

        The indexes follow uv's ``first-index`` rule (:class:`graft.sources.indexes.Indexes`):
        files are never mixed across indexes.
        """
        if name in self.direct:
            return (self.direct[name],)
        if name in self.held:  # (the venv's wheel, then the others: decision 448)
            return (self.held[name], *self._listed(name))
        return self._listed(name)

    def _listed(self, name: NormalizedName) -> Sequence[ArtifactFile]:
        """Every file of *name* the find-links directories and the indexes list."""
        out: list[ArtifactFile] = []
        if self.find_links is not None:
            out += [ArtifactFile(filename, path) for filename, path in self.find_links.files(name)]
            out += [ArtifactFile(f, path) for f, path in self.find_links.sdists(name)]
        if self.indexes is not None:
            with self._lock:
                started = self._listings.get(name)
            rows = started.result() if started is not None else self.indexes.rows(name)
            if not out:  # the usual: each file made when read (graft.resolve.listing)
                from graft.sources.index import PageRows  # noqa: PLC0415

                digest = rows.digest if isinstance(rows, PageRows) else None
                return Listing(rows, lambda row: self._artifact(*row), digest)
            out += [self._artifact(*row) for row in rows]
        return tuple(out)

    def files_on(self, name: NormalizedName, url: str) -> Sequence[ArtifactFile]:
        """Every file of *name* on the index at *url* alone (``Indexes(apart=…)``).

        Where a lock keeps the project to that index, in some of its environments only
        (decision 377); no find-links file is offered there, as none is for a kept project.
        """
        assert self.indexes is not None  # noqa: S101 - (an index entry with --no-index: refused)
        from graft.sources.index import PageRows  # noqa: PLC0415

        rows = self.indexes.rows_on(name, url)
        digest = rows.digest if isinstance(rows, PageRows) else None
        return Listing(rows, lambda row: self._artifact(*row), digest)

    def prefetch_files(self, names: Sequence[NormalizedName]) -> Sequence[NormalizedName]:
        """Start asking the indexes for *names* in threads, eight pages at a time.

        Pages are what a cold resolution waits for (one request each, on PyPI ~0.1-0.2 s):
        the request's projects are asked for side by side as soon as it is read, and each
        wheel's dependencies as soon as its METADATA is, instead of one after another as the
        resolver reaches them. :meth:`files` takes the answer (its error, too) when it gets
        there. A name asked for already, given by path or URL, or whose pages are cached and
        fresh (a stat each: a warm resolution starts no thread) is not asked ahead. Returns
        the names asked ahead, now or before.
        """
        if self.indexes is None:
            return ()
        indexes = self.indexes
        with self._lock:
            asked = [n for n in names if n in self._listings]
        names = [
            n for n in names if n not in self.direct and n not in asked and not indexes.fresh(n)
        ]
        with self._lock:
            for name in names:
                if name in self._listings:
                    continue
                if self._pages is None:
                    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

                    self._pages = ThreadPoolExecutor(8, thread_name_prefix="graft-pages")
                self._listings[name] = self._pages.submit(indexes.rows, name)
        return [*asked, *names]

    def reads_cheaply(self) -> bool:
        """Whether no METADATA read so far needed a whole download (ranges, PEP 658, cache)."""
        return not self.reads["whole"]

    def close(self) -> None:
        """Stop listing what no one will ask for (the resolution is over)."""
        with self._lock:
            pages, self._pages = self._pages, None
            self._listings.clear()
        if pages is not None:
            pages.shutdown(wait=False, cancel_futures=True)

    def _artifact(  # noqa: PLR0917 - a page row's fields (Index.rows)
        self,
        filename: str,
        url: str,
        sha256: str | None,
        requires_python: str | None,
        yanked: str | None,
        upload_time: str | None,
        core_metadata: str | None,
        size: int | None,
    ) -> ArtifactFile:
        if core_metadata is not None:
            with self._lock:
                self._offers_pep658.add(url)
        return ArtifactFile(
            filename,
            url,
            (("sha256", sha256),) if sha256 else (),
            requires_python,
            yanked,
            _upload_time(upload_time),
            core_metadata or None,
            False,
            size,
        )

    def project_names(self) -> Sequence[str]:
        """Names in the find-links directories (an index's full list is not fetched)."""
        if self.find_links is None:
            return ()
        return self.find_links.names()

    def which_exist(self, names: Sequence[NormalizedName]) -> Sequence[NormalizedName]:
        """Those of *names* an index has a page for: one request each, eight at a time.

        For "did you mean" on an index, whose full list of projects (tens of MB on PyPI) is
        never fetched: the caller asks for a few likely spellings. Offline, only cached pages
        answer; a name whose page cannot be had counts as absent.
        """
        indexes = self.indexes
        if indexes is None or not names:
            return []

        def exists(name: NormalizedName) -> bool:
            try:
                return bool(indexes.listing(name))
            except SourceError:
                return False

        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415 - an error path

        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="graft-spelling") as pool:
            found = list(pool.map(exists, names))
        return [name for name, ok in zip(names, found, strict=True) if ok]

    def load_surface(self, file: ArtifactFile) -> Surface | None:
        """The surface parsed from *file*'s METADATA by an earlier run, if kept and still valid.

        A wheel's is a kept surface (:func:`graft.resolve.kept_surface.load`); an sdist's is
        kept by its METADATA (:class:`SdistMetadata`).
        """
        if not file.is_wheel:  # an sdist's surface is kept by its METADATA (sdists.py)
            found = self.builds.load_surface(file) if self.builds is not None else None
            if found is not None:
                self._count("sdist", live=False)  # (kept: no build, no download)
            return found
        surface = kept_surface.load(self.cache_dir, file)
        if surface is not None:
            self._count("cache")
        return surface

    def save_surface(self, file: ArtifactFile, data: bytes, surface: Surface) -> None:
        """Keep *surface* for the next run (best effort: a cache)."""
        if not file.is_wheel:
            if self.builds is not None:
                self.builds.save_surface(file, data, surface)
            return
        kept_surface.keep(self.cache_dir, file, data, surface)

    def build_early(self, file: ArtifactFile) -> None:
        """Start building sdist *file* now if its build is certain (:class:`EarlyBuilds`)."""
        if self.builds is not None:
            self.builds.build_early(file)

    def metadata(self, file: ArtifactFile) -> bytes:
        """The METADATA of *file*: local, cached, the index's file, or range reads.

        An sdist's is its PKG-INFO when static, else the METADATA of the wheel it builds.
        """
        if not file.is_wheel:
            if self.builds is None:
                raise SourceError("an sdist, and nothing here builds", where=file.filename)
            self._count("sdist")
            return self.builds.metadata(file)
        from graft.resolve.wheel_metadata import wheel_metadata  # noqa: PLC0415 - (cold)

        return wheel_metadata(
            file,
            self.cache_dir,
            self.store,
            offline=self.offline,
            pep658=self._offers_pep658,
            count=self._count,
        )


def _kib(size: int) -> str:
    return f"{size / 1024:.0f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MiB"


def _upload_time(text: str | None) -> dt.datetime | None:
    """PEP 700's upload time as an aware datetime (None when absent or unreadable)."""
    if not text:
        return None
    import datetime as dt  # noqa: PLC0415

    from graft.resolve.exclude_newer import instant  # noqa: PLC0415 - pages with upload times

    try:
        when = instant(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)
