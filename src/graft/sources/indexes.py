"""Several simple-API indexes in order: uv's ``first-index`` strategy or ``unsafe-best-match``.

Each index's pages are :class:`graft.sources.index.Index`'s; :class:`Indexes` asks them in
:func:`index_order` for a project's files, and keeps the pages every answer came from, with
their validators, so that an answer may be renewed while they are unchanged (decision 85).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

from graft.sources.index import Index

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from graft.sources.candidates import Candidate
    from graft.sources.index import PageDigest


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

    *pinned*: a project a ``[tool.uv.sources]`` ``index`` entry keeps to one index (by
    canonical name: that index's URL) is asked of that index alone, whatever the strategy,
    and that index is asked for no other project, as ``uv pip install`` 0.13.9 takes them
    (decision 372). *apart*: the indexes a lock keeps some projects to in some of its
    environments only, asked for those alone (:meth:`rows_on`; decision 377).
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
        pinned: Mapping[str, str] | None = None,
        apart: Sequence[str] = (),
    ) -> None:
        self.indexes = [Index(url, cache_dir, offline, digest) for url in urls]
        by_url = {index.url: index for index in self.indexes}
        self.pinned: dict[str, Index] = {}  # project -> the one index it is asked of
        for name, url in sorted((pinned or {}).items()):
            index = Index(url, cache_dir, offline, digest)
            self.pinned[name] = by_url.setdefault(index.url, index)
        self._apart: dict[str, Index] = {}  # (asked only through rows_on)
        for url in apart:
            index = Index(url, cache_dir, offline, digest)
            self._apart[url] = by_url.setdefault(index.url, index)
        self.every = list(by_url.values())  # (the pinned projects' indexes included)
        self.offline = offline
        self.merged = strategy == "unsafe-best-match"
        self._rested_on: list[tuple[str, dict[str, str]]] = []  # (rests_on)
        self._unaskable = False  # an answer rested on a page that cannot be asked again
        if refresh:  # --refresh: every cached page is revalidated
            self.ask_again()

    @property
    def urls(self) -> list[str]:
        """The indexes asked, in order, then each pinned project's (``NAME=URL``)."""
        pinned = [f"{name}={index.url}" for name, index in self.pinned.items()]
        return [*(index.url for index in self.indexes), *pinned]

    @property
    def pinned_urls(self) -> dict[str, str]:
        """Each project kept to one index, by canonical name: that index's URL."""
        return {name: index.url for name, index in self.pinned.items()}

    def _asked(self, name: str) -> list[Index]:
        """The indexes asked for project *name*, in order."""
        index = self.pinned.get(name)
        return self.indexes if index is None else [index]

    def files(self, name: str) -> list[Candidate]:
        """The wheels of *name* on the first index that has any file for it (else none)."""
        return [c for c in self.listing(name) if c.filename.endswith(".whl")]

    def fresh(self, name: str) -> bool:
        """Whether every index answers for *name* without the network (:meth:`Index.fresh`)."""
        return all(index.fresh(name) for index in self._asked(name))

    def cached_answers(self) -> bool:
        """Whether a page was answered from the cache, unasked (younger than its TTL)."""
        return any(index.cached_answer for index in self.every)

    def ask_again(self) -> None:
        """Revalidate every cached page from now on (:meth:`Index.ask_again`)."""
        for index in self.every:
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
            index = next((i for i in self.every if url.startswith(i.url)), None)
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
        for index in self._asked(name):
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
            tuple(dict(index.seen) for index in self.every),
            tuple(index.cached_answer for index in self.every),
            self._unaskable,
            list(self._rested_on),
        )

    def learn(self, found: PageFindings) -> None:
        """Add another process's :meth:`findings` of the same indexes."""
        for index, pages, answered in zip(self.every, found.seen, found.cached, strict=True):
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
            or any(index.url.startswith("file:") for index in self.every)
        ):
            return None
        read = [  # (a copy: a page read ahead may still arrive in another thread)
            (url, seen[0]) for index in self.every for url, seen in dict(index.seen).items()
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
        for index in self._asked(name):
            rows = index.rows(name)
            if rows and not self.merged:
                return rows
            for row in rows:
                merged.setdefault(row[0], row)
        return list(merged.values())

    def rows_on(self, name: str, url: str) -> list[list[Any]]:
        """:meth:`Index.rows` of *name* on the index at *url* alone (one given as *apart*)."""
        return self._apart[url].rows(name)

    def listing(self, name: str) -> list[Candidate]:
        """Every file of *name* on the first index that has any file for it (else none).

        Under ``unsafe-best-match``, every index's files of *name*, merged.
        """
        merged: dict[str, Candidate] = {}
        for index in self._asked(name):
            found, files = index.listing(name)
            if found and not self.merged:
                return files
            for candidate in files:
                merged.setdefault(candidate.filename, candidate)
        return list(merged.values())
