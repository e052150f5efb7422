"""An index or file server that misbehaves: one line naming the URL and what to do.

Decisions 265 and 266. A page that is not PEP 691 JSON (not JSON, wrong types), a page of
another Content-Type, a body cut short, a range request answered with another range, a
server too slow: each was an internal error, a misleading message or a fixed wait before.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graft.errors import SourceError, UsageError
from graft.sources.http import http_get
from graft.sources.lazywheel import read_metadata
from tests.conftest import run_graft
from tests.support.rangeserver import Served, metadata_of, serve
from tests.support.wheelmaker import make_wheel

PAGE = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def served(wheels: Path) -> Iterator[Served]:
    with serve() as state:
        state.add(make_wheel(wheels, "app", "1.0", {"app/__init__.py": "A = 1\n"}))
        yield state


def sync(served: Served, tmp_path: Path, store: Path, *extra: str) -> tuple[int, str, str]:
    venv = tmp_path / "venv"
    got = run_graft(
        "sync", venv, "--index-url", f"{served.url}/simple/", "--store", store, "app", *extra,
        check=False,
    )  # fmt: skip
    assert not venv.exists()  # nothing was made
    return got.returncode, got.stdout, got.stderr


def _refused_in_one_line(
    served: Served, tmp_path: Path, store_dir: Path, body: bytes, problem: str
) -> None:
    """A sync over *body* as app's page fails in one line naming the page and *problem*."""
    served.page_body = (PAGE, body)
    code, out, err = sync(served, tmp_path, store_dir)
    assert code == 1, err
    (line,) = err.splitlines()
    assert line.startswith(f"graft: error: {served.url}/simple/app/: the index's page is not PEP")
    assert problem in line
    assert out == ""


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"files": [', "not JSON"),
        (b'{"meta": {"api-version": "1.0"}, "name": "app", "files": 3}', "'files' is not a list"),
        (b'{"files": [{"filename": 3, "url": null, "hashes": {}}]}', "without a filename and url"),
        (b'{"files": [{"filename": "a.whl", "url": "/a.whl", "hashes": "x"}]}', "not an object"),
        (b'["files"]', "'files' is not a list"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_a_page_that_is_not_pep691_json_is_one_line(
    served: Served, tmp_path: Path, store_dir: Path, cache: Path, body: bytes, problem: str
) -> None:
    del cache  # (a cache of this test's own: the page is never kept)
    _refused_in_one_line(served, tmp_path, store_dir, body, problem)


#: a key removed from the page (None stands for JSON's null)
_GONE = object()


def _page(served: Served, **changes: object) -> bytes:
    """A PEP 691 page of app's one wheel as an index writes it, with *changes* to its file
    (``files``, ``meta``, ``name`` and ``versions`` the page's own; :data:`_GONE` removes)."""
    (filename,) = served.files
    digest = hashlib.sha256(served.files[filename]).hexdigest()
    entry: dict[str, object] = {
        "filename": filename,
        "url": f"{served.url}/{filename}",
        "hashes": {"sha256": digest},
    }
    page: dict[str, object] = {"meta": {"api-version": "1.1"}, "name": "app", "files": [entry]}
    for key, value in changes.items():
        where = page if key in {"files", "meta", "name", "versions"} else entry
        where.pop(key) if value is _GONE else where.__setitem__(key, value)
    return json.dumps(page).encode()


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"hashes": {"sha256": 3}}, "its sha256 is not a string: 3"),
        ({"requires-python": 3}, "requires-python is not a string: 3"),
        ({"yanked": 1}, "yanked is not true, false or a reason: 1"),
        ({"yanked": []}, "yanked is not true, false or a reason: []"),
        ({"files": _GONE}, "no 'files'"),
    ],
    ids=["sha256-int", "requires-python-int", "yanked-int", "yanked-list", "no-files"],
)
def test_a_field_that_decides_what_is_installed_must_have_its_type(
    served: Served,
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    changes: dict[str, object],
    problem: str,
) -> None:
    """As uv 0.13.9 refuses such a page (decision 295). Before: the sha256 read as none (the
    wheel installed unchecked), requires-python as none (installed), yanked 1 or [] as yanked
    (`left out: 1 yanked`), no files as a project without files (`no project named`)."""
    del cache
    _refused_in_one_line(served, tmp_path, store_dir, _page(served, **changes), problem)


@pytest.mark.parametrize(
    "changes",
    [
        {"meta": _GONE},
        {"meta": {"api-version": "2.0"}},
        {"name": "other"},
        {"versions": 3},
        {"size": "big"},
        {"upload-time": "yesterday"},
        {"core-metadata": "yes"},
        {"yanked": False, "requires-python": None, "hashes": {"sha256": None}},
    ],
    ids=[
        "no-meta",
        "api-version-2",
        "another-name",
        "versions-int",
        "size-str",
        "upload-time-words",
        "core-metadata-str",
        "nulls",
    ],
)
def test_a_field_graft_reads_only_as_a_hint_or_not_at_all_is_left_alone(
    served: Served, tmp_path: Path, store_dir: Path, cache: Path, changes: dict[str, object]
) -> None:
    """pip 26.2.1 and uv 0.13.9 accept the first four; uv refuses the size, the upload time
    and the metadata flag, which graft reads as unknown (decision 295)."""
    del cache
    served.page_body = (PAGE, _page(served, **changes))
    venv = tmp_path / "venv"
    run_graft("sync", venv, "--index-url", f"{served.url}/simple/", "--store", store_dir, "app")
    assert (venv / "pyvenv.cfg").is_file()


def test_a_malformed_page_is_a_json_error_with_json(
    served: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    del cache
    served.page_body = (PAGE, b'{"files": [{"url": 1}]}')
    code, out, err = sync(served, tmp_path, store_dir, "--json")
    assert (code, err) == (1, "")
    said = json.loads(out)
    assert said["kind"] == "SourceError"
    assert said["where"] == f"{served.url}/simple/app/"


def test_a_page_of_another_content_type_is_refused_as_uv_refuses_it(
    served: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """Read as HTML before, it listed nothing: "no project named 'app' on the index"."""
    del cache
    served.page_body = ("application/octet-stream", b"\x00\x01garbage")
    code, _, err = sync(served, tmp_path, store_dir)
    assert code == 1
    (line,) = err.splitlines()
    assert "Content-Type 'application/octet-stream', not a PEP 503 HTML or PEP 691 JSON" in line
    assert "--index-url" in line


def test_a_page_without_a_content_type_is_still_read_as_html(served: Served) -> None:
    served.page_body = ("", b'<a href="/x/app-1.0-py3-none-any.whl">app-1.0-py3-none-any.whl</a>')
    from graft.sources.simple_api import _get_page

    got = _get_page(f"{served.url}/simple/app/", {})
    assert got is not None
    assert [row[0] for row in got[0]] == ["app-1.0-py3-none-any.whl"]


def test_a_page_cut_short_is_asked_again_then_one_line(served: Served) -> None:
    """``http.client.IncompleteRead`` was no ``OSError``: an internal error, never retried."""
    served.cut = True  # (pages too: the server cuts what it serves from files; a page below)
    url = f"{served.url}/app-1.0-py3-none-any.whl"
    with pytest.raises(SourceError) as caught:
        http_get(url)
    assert caught.value.where == url
    assert "the connection closed after" in caught.value.what
    assert served.paths.count("/app-1.0-py3-none-any.whl") == 3  # asked three times


def test_a_wheel_cut_short_during_range_reads_is_one_error(served: Served) -> None:
    served.cut = True
    url = f"{served.url}/app-1.0-py3-none-any.whl"
    with pytest.raises(SourceError) as caught:
        read_metadata(url, "app", backoff=0)
    assert caught.value.where == url
    assert "cannot fetch the wheel (the connection closed after" in str(caught.value)


def test_a_wheel_cut_short_is_one_line_from_a_sync(
    served: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    del cache
    served.cut = True
    code, _, err = sync(served, tmp_path, store_dir)
    assert code == 1
    (line,) = err.splitlines()
    assert "-1.0-py3-none-any.whl: " in line
    assert "the connection closed after" in line
    assert "internal error" not in line


@pytest.mark.parametrize("size", [50_000, 200_000])
def test_another_range_than_asked_falls_back_to_the_whole_file(
    wheels: Path, served: Served, size: int
) -> None:
    """Before: "not a zip archive (no end of central directory)"; pip and uv download it whole."""
    wheel = make_wheel(wheels, "big", "1.0", {"big/blob.bin": os.urandom(size)})
    served.mode = "wrong-range"
    got = read_metadata(served.add(wheel), "big")
    assert got.metadata == metadata_of(wheel.read_bytes())
    assert not got.ranged
    assert served.ranges[-1] is None  # the last request asked for the whole file


def test_a_slow_server_names_the_url_and_the_switch(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: a fixed 30 s per page (60 s per download), and "timed out" with no way out."""
    monkeypatch.setenv("GRAFT_HTTP_TIMEOUT", "0.2")
    served.page_delay = 2.0
    url = f"{served.url}/simple/app/"
    with pytest.raises(SourceError) as caught:
        http_get(url)
    assert caught.value.where == url
    assert caught.value.what == "cannot reach the index (no answer within 0.2 s)"
    assert caught.value.hint is not None
    assert "GRAFT_HTTP_TIMEOUT=SECONDS (now 0.2)" in caught.value.hint


@pytest.mark.parametrize("value", ["abc", "0", "-3", "nan", "inf"])
def test_a_timeout_that_is_not_a_number_of_seconds_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from graft.sources.urlimport import timeout

    monkeypatch.setenv("GRAFT_HTTP_TIMEOUT", value)
    with pytest.raises(UsageError, match=f"GRAFT_HTTP_TIMEOUT={value} is not a number"):
        timeout()


def test_the_timeout_is_thirty_seconds_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from graft.sources.urlimport import timeout

    monkeypatch.delenv("GRAFT_HTTP_TIMEOUT", raising=False)
    assert timeout() == 30.0
    monkeypatch.setenv("GRAFT_HTTP_TIMEOUT", " 7.5 ")
    assert timeout() == 7.5
