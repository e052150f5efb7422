"""Index pages asked again by their validators (graft.sources.revalidate, decision 85)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graft.resolve.resolution_error import Kind, ResolutionError
from graft.resolve.resolve_wanted import Resolved, asking_again
from graft.sources.index import PageDigest, PageRows
from graft.sources.indexes import Indexes
from graft.sources.revalidate import unchanged
from tests.support.rangeserver import Served, serve
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    """An index whose pages carry an ETag, serving app 1.0 and lib 1.0."""
    with serve() as served:
        served.etag = True
        for name in ("app", "lib"):
            served.add(make_wheel(wheels, name, "1.0"))
        yield served


def test_pages_are_unchanged_only_while_each_answers_not_modified(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    indexes = Indexes([f"{index.url}/simple/"], str(tmp_path / "cache"))
    assert indexes.pages("lib") is None  # (not read yet)
    indexes.rows("app")
    indexes.rows("lib")
    pages = [*(indexes.pages("app") or []), *(indexes.pages("lib") or [])]
    assert [url for url, _ in pages] == [f"{index.url}/simple/{n}/" for n in ("app", "lib")]
    assert all(validators.get("etag") for _, validators in pages)
    index.pages.clear()
    assert unchanged(pages)
    assert index.pages == [304, 304]  # each asked once
    index.add(make_wheel(wheels, "lib", "1.1"))  # lib's page changes
    assert not unchanged(pages)
    assert not unchanged([])
    assert not unchanged([(pages[0][0], {})])  # (nothing to ask it by)
    assert not unchanged([("http://127.0.0.1:9/simple/app/", pages[0][1])])  # (no server)


def test_a_page_without_validators_is_compared_by_its_bytes(tmp_path: Path, wheels: Path) -> None:
    with serve() as index:  # (no ETag, no Last-Modified: as the PyPI these machines reach)
        index.add(make_wheel(wheels, "lib", "1.0"))
        indexes = Indexes([f"{index.url}/simple/"], str(tmp_path / "cache"))
        assert indexes.rows("lib")
        pages = indexes.pages("lib")
        assert pages is not None
        assert [set(validators) for _, validators in pages] == [{"sha256"}]
        index.pages.clear()
        assert unchanged(pages)
        assert index.pages == [200]
        index.add(make_wheel(wheels, "lib", "1.1"))
        assert not unchanged(pages)


def test_the_pages_of_several_indexes_are_those_first_index_asked(
    tmp_path: Path, wheels: Path
) -> None:
    with serve() as first, serve() as second:
        first.etag = second.etag = True
        first.add(make_wheel(wheels, "lib", "1.0"))
        second.add(make_wheel(wheels, "lib", "2.0"))
        urls = [f"{first.url}/simple/", f"{second.url}/simple/"]
        indexes = Indexes(urls, str(tmp_path / "cache"))
        indexes.rows("lib")
        assert [url for url, _ in indexes.pages("lib") or []] == [f"{first.url}/simple/lib/"]
        merged = Indexes(urls, str(tmp_path / "cache2"), strategy="unsafe-best-match")
        merged.rows("lib")
        assert [url for url, _ in merged.pages("lib") or []] == [f"{u}lib/" for u in urls]


def test_the_pages_a_run_answered_from_are_those_read_and_those_rested_on(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    indexes = Indexes([f"{index.url}/simple/"], str(tmp_path / "cache"))
    assert indexes.answered_from() == ()
    indexes.rows("app")
    app = indexes.pages("app") or []
    recalled = [(f"{index.url}/simple/lib/", {"etag": '"then"'})]
    indexes.rests_on(recalled)
    indexes.rests_on(app)  # (noted twice: listed once)
    assert indexes.answered_from() == (*app, *recalled)
    indexes.rests_on(None)  # a recalled step that names no pages
    assert indexes.answered_from() is None
    local = Indexes([str(wheels)], str(tmp_path / "cache"))  # (a directory: read each time)
    assert local.answered_from() is None


def test_a_pages_digest_is_made_once_and_kept_through_a_not_modified(
    tmp_path: Path, index: Served
) -> None:
    made: list[int] = []

    def count(rows: list[list[Any]]) -> list[str]:
        made.append(len(rows))
        return [str(row[0]) for row in rows]

    cache = str(tmp_path / "cache")
    first = Indexes([f"{index.url}/simple/"], cache, digest=PageDigest("one", count))
    rows = first.rows("lib")
    assert isinstance(rows, PageRows)
    assert rows.digest == ["lib-1.0-py3-none-any.whl"]
    assert made == [1]
    again = Indexes([f"{index.url}/simple/"], cache, digest=PageDigest("one", count))
    assert again.rows("lib").digest == rows.digest  # type: ignore[attr-defined]
    assert made == [1]  # kept with the page: not made again
    index.pages.clear()
    again.ask_again()  # the page is asked again by its ETag: 304
    assert again.rows("lib").digest == rows.digest  # type: ignore[attr-defined]
    assert index.pages == [304]
    assert made == [1]
    other = Indexes([f"{index.url}/simple/"], cache, digest=PageDigest("two", count))
    assert other.rows("lib").digest == rows.digest  # type: ignore[attr-defined]
    assert made == [1, 1]  # another maker's stamp: made again, and kept
    Indexes([f"{index.url}/simple/"], cache, digest=PageDigest("two", count)).rows("lib")
    assert made == [1, 1]
    plain = Indexes([f"{index.url}/simple/"], cache).rows("lib")
    assert not isinstance(plain, PageRows)
    assert plain == list(rows)


def test_a_failed_resolution_runs_again_only_if_a_page_it_came_from_changed(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    """Decision 226: ``graft sync V lib==1.1`` fails over a young cached page; the page is
    asked again (304), and the resolution runs again only once it changed (lib 1.1 uploaded),
    not to fail the same way over the same pages."""
    url, cache = f"{index.url}/simple/", str(tmp_path / "cache")
    Indexes([url], cache).rows("lib")
    runs: list[bool] = []

    def once(indexes: Indexes, *, recall: bool = True) -> Resolved:
        runs.append(recall)
        if not any(row[0].startswith("lib-1.1-") for row in indexes.rows("lib")):
            raise ResolutionError(Kind.NO_VERSION, ["no version of lib matches ==1.1"])
        return [], (), (), None

    index.pages.clear()
    cached = Indexes([url], cache)
    with pytest.raises(ResolutionError):
        asking_again(functools.partial(once, cached), cached)
    assert runs == [True]  # (the page is as it was: the same failure, not resolved again)
    assert index.pages == [304]
    index.add(make_wheel(wheels, "lib", "1.1"))
    runs.clear()
    cached = Indexes([url], cache)
    asking_again(functools.partial(once, cached), cached)
    assert runs == [True, False]  # (changed: resolved again, every page asked again)
    assert index.pages == [304, 200, 200]  # (the changed page asked again to be read)
