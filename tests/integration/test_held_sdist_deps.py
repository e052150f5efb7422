"""A dependency the venv holds from an sdist URL is kept, as uv and pip keep it (decision 472).

``graft sync V 'lib @ URL'`` of lib 1.0's sdist (a ``file:`` URL, or one another server
gives), then ``graft sync V app`` where app requires ``lib>=1`` and the index has lib 2.0:
uv 0.13.9 (``uv pip install``) and pip 26.3 keep lib 1.0 from the URL; graft took the
index's 2.0. Where app requires ``lib>=2`` (``needy``), all three take the index's.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from typing import TYPE_CHECKING

import pytest

from tests.integration.test_held_source_deps import local, uv_made
from tests.integration.test_uv_resolver_options import installed, sync
from tests.support.rangeserver import Served, serve_made
from tests.support.venv import site
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def sdist_of(tmp_path: Path) -> Path:
    """lib 1.0's sdist (the in-tree backend of ``test_held_source_deps``), on no index."""
    project = local(tmp_path / "libsrc", "lib", "1.0")
    (tmp_path / "sdists").mkdir()
    sdist = tmp_path / "sdists" / "lib-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        for path in sorted(project.rglob("*")):
            if path.is_file():
                archive.add(path, f"lib-1.0/{path.relative_to(project)}")
        data = b"Metadata-Version: 2.1\nName: lib\nVersion: 1.0\n"
        info = tarfile.TarInfo("lib-1.0/PKG-INFO")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return sdist


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """An index with lib 2.0, app 1.0 (``lib>=1``) and needy 1.0 (``lib>=2``), as wheels."""
    folder = tmp_path / "served"
    with serve_made(folder, pep658=True) as served:
        served.add(make_wheel(folder, "lib", "2.0", {"lib.py": "WHERE = 'index'\n"}))
        served.add(make_wheel(folder, "app", "1.0", {"app.py": ""}, requires=("lib>=1",)))
        served.add(make_wheel(folder, "needy", "1.0", {"needy.py": ""}, requires=("lib>=2",)))
        yield served


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Served]:
    """Another server, which gives the sdist by its URL alone (no index page lists it)."""
    with serve_made(tmp_path / "other") as served:
        yield served


def held_url(venv: Path) -> str | None:
    """The URL lib's ``direct_url.json`` names; None: lib came from the index."""
    found = list(site(venv).glob("lib-*.dist-info/direct_url.json"))
    return json.loads(found[0].read_text())["url"] if found else None


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_a_dependency_the_venv_holds_from_an_sdist_url_is_kept_as_uv_keeps_it(
    scheme: str, served: Served, other: Served, tmp_path: Path, store_dir: Path
) -> None:
    sdist = sdist_of(tmp_path)
    url = sdist.as_uri() if scheme == "file" else other.add(sdist)
    venv = tmp_path / "v"
    sync(venv, store_dir, served, f"lib @ {url}")
    asked = len(other.paths)
    said = sync(venv, store_dir, served, "app", "-v")
    assert (installed(venv), held_url(venv)) == ({"app": "1.0", "lib": "1.0"}, url), said
    assert "lib 1.0 -> 2.0" not in said, said
    assert len(other.paths) == asked, other.paths  # (the sdist's sha256 was known: no download)
    sync(venv, store_dir, served, "app")  # again: still the URL's
    assert (installed(venv), held_url(venv)) == ({"app": "1.0", "lib": "1.0"}, url)
    by_uv = uv_made(tmp_path, served, (f"lib @ {url}",), ("app",))
    assert (installed(by_uv), held_url(by_uv)) == ({"app": "1.0", "lib": "1.0"}, url)


def test_a_dependency_the_sdist_does_not_meet_takes_the_index_s(
    served: Served, tmp_path: Path, store_dir: Path
) -> None:
    """needy requires lib>=2: the index's 2.0, as uv takes it (a guard: so on main too)."""
    url = sdist_of(tmp_path).as_uri()
    venv = tmp_path / "v"
    sync(venv, store_dir, served, f"lib @ {url}")
    sync(venv, store_dir, served, "needy")
    assert (installed(venv), held_url(venv)) == ({"needy": "1.0", "lib": "2.0"}, None)
    by_uv = uv_made(tmp_path, served, (f"lib @ {url}",), ("needy",))
    assert (installed(by_uv), held_url(by_uv)) == ({"needy": "1.0", "lib": "2.0"}, None)


def test_a_hash_the_uv_venv_did_not_record_is_checked_by_the_bytes(
    served: Served, other: Served, tmp_path: Path, store_dir: Path
) -> None:
    """A guard (so on main too; decision 478): uv 0.13.9 writes ``"archive_info": {}`` for an
    sdist by URL, and keeps it for ``lib @ URL#sha256=…`` without a request; graft downloads
    the sdist to check the hash asked for (pip 26.3 downloads it too), and refuses another."""
    sdist = sdist_of(tmp_path)
    url = other.add(sdist)
    by_uv = uv_made(tmp_path, served, (f"lib @ {url}",))
    (found,) = site(by_uv).glob("lib-*.dist-info/direct_url.json")
    assert json.loads(found.read_text()) == {"url": url, "archive_info": {}}
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    asked = len(other.paths)
    said = sync(by_uv, store_dir, served, f"lib @ {url}#sha256={digest}", "-v")
    assert other.paths[asked:] == ["/lib-1.0.tar.gz"], (other.paths, said)  # (checked)
    assert (installed(by_uv), held_url(by_uv)) == ({"lib": "1.0"}, url)
    wrong = sync(by_uv, store_dir, served, f"lib @ {url}#sha256={'0' * 64}", check=False)
    assert wrong.startswith("graft: error"), wrong
    assert "sha256" in wrong, wrong
    assert installed(by_uv) == {"lib": "1.0"}
