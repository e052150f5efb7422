"""Answers older than a cached index page, renewed while their pages are unchanged (decision 85).

The resolution memo and the replay stamp (a new venv from the same inputs) are taken for a
cached page's ten minutes; after that each asks again for the pages its answers came from,
once each, and builds as before when every one is unchanged. A page that changed sends the
sync through a new resolution.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_warm import OLD, stages
from tests.support.importtime import graft_imports
from tests.support.rangeserver import Served, serve
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

AGE = 700.0  # seconds: older than a cached page (600)


def age(store: Path, cache: Path) -> None:
    """Make the memos, the replay stamps and the cached pages AGE seconds older."""
    for path in (store / "plans").glob("memo-*.json"):
        before = path.stat()  # kept as time would keep it: the replay stamp watches its stat
        memo = json.loads(path.read_text())
        memo["created"] -= AGE
        text = json.dumps(memo)
        path.write_text(text.ljust(before.st_size))
        assert path.stat().st_size == before.st_size
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    for path in (store / "plans").glob("replay-*"):
        lines = path.read_text().split("\n")
        for i, line in enumerate(lines):
            name, _, value = line.partition("\0")
            if name == "build-expires" and float(value):
                lines[i] = f"{name}\0{float(value) - AGE!r}"
        path.write_text("\n".join(lines))
    for path in (cache / "index").glob("*.json"):
        page = json.loads(path.read_text())
        if "fetched" not in page:
            continue  # (another graft's page, as test_sources leaves one in the session cache)
        page["fetched"] -= AGE
        path.write_text(json.dumps(page))
        os.utime(path, (page["fetched"], page["fetched"]))


def sync(venv: Path, reqs: Path, index: Served, store: Path, *extra: str) -> tuple[str, bool]:
    """``graft sync VENV -r REQS``: its stderr, and whether it took the full path."""
    said, modules = graft_imports(
        "sync", venv, "-r", reqs, "--index-url", f"{index.url}/simple/", "--store", store, *extra
    )
    assert "synced" in said or "already in sync" in said, said
    return said, "graft.sync" in modules


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    """An index whose pages carry an ETag: app 1.0 (which needs lib>=1), lib 1.0 and 2.0."""
    with serve() as served:
        served.etag = True
        served.add(make_wheel(wheels, "app", "1.0", {"app.py": ""}, requires=("lib>=1",)))
        for version in ("1.0", "2.0"):
            served.add(make_wheel(wheels, "lib", version, {"lib.py": f"V = {version!r}\n"}))
        yield served


def _reqs(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "requirements.in"
    path.write_text(text)
    os.utime(path, (OLD, OLD))  # (a file written just now is racy: no memo)
    return path


def test_an_aged_memo_builds_new_venvs_again_while_its_pages_are_unchanged(
    tmp_path: Path, store_dir: Path, wheels: Path, graft_cache: Path, index: Served
) -> None:
    reqs = _reqs(tmp_path, "app\n")
    sync(tmp_path / "first", reqs, index, store_dir)
    age(store_dir, graft_cache)
    index.pages.clear()
    _, full = sync(tmp_path / "replayed", reqs, index, store_dir)
    assert not full  # the replay stamp, renewed
    assert index.pages == [304, 304]  # app's page and lib's, once each
    assert py(tmp_path / "replayed", "import lib; print(lib.V)") == "2.0"
    index.pages.clear()
    _, full = sync(tmp_path / "again", reqs, index, store_dir)
    assert (full, index.pages) == (False, [])  # renewed for another ten minutes
    age(store_dir, graft_cache)
    said, full = sync(tmp_path / "verbose", reqs, index, store_dir, "-v")
    assert full  # (-v: the full path), whose memo is renewed: no resolution
    assert "recall" in stages(said)
    assert "resolve" not in stages(said)
    assert index.pages == [304, 304]
    age(store_dir, graft_cache)
    index.add(make_wheel(wheels, "lib", "3.0", {"lib.py": "V = '3.0'\n"}))
    index.pages.clear()
    said, full = sync(tmp_path / "changed", reqs, index, store_dir, "-v")
    assert "resolve" in stages(said)  # lib's page changed: resolved again
    assert py(tmp_path / "changed", "import lib; print(lib.V)") == "3.0"
    sync(tmp_path / "after", reqs, index, store_dir)  # (the -v sync left no replay stamp)
    _, full = sync(tmp_path / "then", reqs, index, store_dir)
    assert not full
    assert py(tmp_path / "then", "import lib; print(lib.V)") == "3.0"


def test_a_memo_rests_on_the_pages_of_the_steps_it_recalled(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """A pinned set's steps recalled from the pin record read no page: their pages count."""
    sync(tmp_path / "a", _reqs(tmp_path, "app==1.0\nlib==2.0\n"), index, store_dir)
    index.pages.clear()
    other = tmp_path / "other.txt"  # the same pins, in other bytes: a new memo
    other.write_text("# the same set\napp==1.0\nlib==2.0\n")
    os.utime(other, (OLD, OLD))
    sync(tmp_path / "b", other, index, store_dir, "-v")
    assert index.pages == []  # every step recalled, no page read
    memos = [json.loads(p.read_text()) for p in (store_dir / "plans").glob("memo-*.json")]
    newest = max(memos, key=lambda memo: memo["created"])
    urls = sorted(url for url, _ in newest["pages"])
    assert urls == [f"{index.url}/simple/{name}/" for name in ("app", "lib")]
    assert time.time() - newest["created"] < AGE


def test_a_private_index_named_with_equals_is_asked_with_its_credentials(
    tmp_path: Path, store_dir: Path, wheels: Path, graft_cache: Path
) -> None:
    """``--index-url=https://user:token@host/...``: the renewal sends the host's credentials."""
    reqs = _reqs(tmp_path, "lib\n")
    with serve() as index:
        index.etag = True
        index.credentials = "user:s3cret"
        index.add(make_wheel(wheels, "lib", "1.0", {"lib.py": "V = '1.0'\n"}))
        url = index.url.replace("http://", "http://user:s3cret@") + "/simple/"

        def sync_new(venv: Path) -> bool:
            said, modules = graft_imports(
                "sync", venv, "-r", reqs, f"--index-url={url}", "--store", store_dir
            )
            assert "synced" in said, said
            return "graft.sync" in modules

        sync_new(tmp_path / "first")
        age(store_dir, graft_cache)
        index.pages.clear()
        refused = index.refused
        assert not sync_new(tmp_path / "renewed")  # the replay stamp, renewed
        assert index.pages == [304]
        assert index.refused == refused  # (never asked without them)
