"""A wheel named by path or URL in a ``-c`` file: that file, if anything needs its project.

pip and uv take ``six @ file:///…/six-1.17.0-py2.py3-none-any.whl`` as a constraint: the
project, when installed, must be that file (decision 172). uv 0.13.9 installs it with the
``direct_url.json`` of a direct reference, leaves a constrained project nothing needs out,
and fails a requirement the file's version does not meet; ``uv pip compile`` locks it as
``[packages.archive]``. graft refused such a line (decision 163).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.pylock import Pylock
from packaging.tags import Tag

from graft.resolve.environments import matrix
from tests.conftest import run_graft
from tests.integration.test_resolve_sync import installed
from tests.support.rangeserver import Served, serve
from tests.support.toml import tomllib
from tests.support.venv import site
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    """app 1.0 needs lib>=1, app 2.0 lib>=1.6; lib 1.0 and 2.0 on the index."""
    with serve() as served:
        served.add(make_wheel(wheels, "app", "1.0", {"app.py": ""}, requires=("lib>=1",)))
        served.add(make_wheel(wheels, "app", "2.0", {"app.py": ""}, requires=("lib>=1.6",)))
        for version in ("1.0", "2.0"):
            served.add(make_wheel(wheels, "lib", version, {"lib.py": f"V = {version!r}\n"}))
        yield served


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """lib 1.5 and zzz 1.0, on no index."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    make_wheel(folder, "lib", "1.5", {"lib.py": "V = '1.5'\n"})
    make_wheel(folder, "zzz", "1.0", {"zzz.py": ""})
    return folder


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _direct_url(venv: Path, dist: str) -> dict[str, Any] | None:
    found = list(site(venv).glob(f"{dist}-*.dist-info/direct_url.json"))
    return json.loads(found[0].read_text()) if found else None


def test_a_url_constraint_is_its_projects_only_file_when_something_needs_it(
    tmp_path: Path, store_dir: Path, index: Served, elsewhere: Path
) -> None:
    lib = elsewhere / "lib-1.5-py3-none-any.whl"
    zzz = elsewhere / "zzz-1.0-py3-none-any.whl"
    constraints = tmp_path / "c.txt"
    constraints.write_text(f"lib @ {lib.as_uri()}\nzzz @ {zzz.as_uri()}\n")
    reqs = tmp_path / "r.txt"
    reqs.write_text("app==1.0\n")
    venv = tmp_path / "v"
    common = ("--index-url", f"{index.url}/simple/", "--store", store_dir)
    run_graft("sync", venv, "-r", reqs, "-c", constraints, *common)
    assert installed(venv) == {"app": "1.0", "lib": "1.5"}  # not 2.0, and no zzz
    sha = _sha256(lib)
    archive = {"hash": f"sha256={sha}", "hashes": {"sha256": sha}}
    assert _direct_url(venv, "lib") == {"archive_info": archive, "url": lib.as_uri()}
    assert _direct_url(venv, "app") is None
    assert not (next(site(venv).glob("lib-*.dist-info")) / "REQUESTED").exists()
    # by URL, its #sha256= checked: right, the file; wrong, refused before anything is made
    with serve() as other:
        url = other.add(lib)
        constraints.write_text(f"lib @ {url}#sha256={sha}\n")
        run_graft("sync", tmp_path / "w", "app==1.0", "-c", constraints, *common)
        assert installed(tmp_path / "w") == {"app": "1.0", "lib": "1.5"}
        assert _direct_url(tmp_path / "w", "lib") == {"archive_info": archive, "url": url}
        constraints.write_text(f"lib @ {url}#sha256={'0' * 64}\n")
        bad = run_graft("sync", tmp_path / "x", "app==1.0", "-c", constraints, *common, check=False)
    assert bad.returncode == 1
    assert bad.stderr.startswith(f"graft: error: {constraints}:1: lib-1.5-py3-none-any.whl has")
    assert not (tmp_path / "x").exists()


def test_a_requirement_the_constraints_file_does_not_meet_is_one_error_naming_it(
    tmp_path: Path, store_dir: Path, index: Served, elsewhere: Path
) -> None:
    lib = elsewhere / "lib-1.5-py3-none-any.whl"
    constraints = tmp_path / "c.txt"
    constraints.write_text(f"# pinned to our build\nlib @ {lib.as_uri()}\n")
    common = ("--index-url", f"{index.url}/simple/", "-c", constraints)
    venv = tmp_path / "v"
    for args in (("sync", venv, "--store", store_dir), ("lock", "-o", tmp_path / "pylock.toml")):
        run = run_graft(*args, "app==2.0", *common, check=False)  # app 2.0 needs lib>=1.6
        assert run.returncode == 1, run.stderr
        assert run.stderr.splitlines()[0] == (
            "graft: error: no version of lib matches >=1.6 for the target: the constraint at"
            f" {constraints}:2 makes lib-1.5-py3-none-any.whl its only file"
        ), run.stderr
    assert not venv.exists()
    assert not list(store_dir.glob("entries/*"))  # (its empty layout is made before resolving)
    assert not (tmp_path / "pylock.toml").exists()
    # a requirement naming another file of it is refused, naming both
    other = index.url + "/lib-2.0-py3-none-any.whl"
    run = run_graft("sync", venv, f"lib @ {other}", *common, "--store", store_dir, check=False)
    assert run.stderr == (
        f"graft: error: {constraints}:2: two wheels of lib are named: lib-1.5-py3-none-any.whl"
        " by this constraint, lib-2.0-py3-none-any.whl by the command line (name one file of"
        " lib)\n"
    )
    assert not venv.exists()


def test_a_lock_writes_a_url_constraints_file_as_an_archive(
    tmp_path: Path, store_dir: Path, index: Served, elsewhere: Path
) -> None:
    lib = elsewhere / "lib-1.5-py3-none-any.whl"
    zzz = elsewhere / "zzz-1.0-py3-none-any.whl"
    constraints = tmp_path / "c.txt"
    constraints.write_text(f"lib @ {lib.as_uri()}\nzzz @ {zzz.as_uri()}\n")
    out = tmp_path / "pylock.toml"
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    run_graft(
        "lock", "app==1.0", "-c", constraints, "--index-url", f"{index.url}/simple/", "-o", out,
        "--python-version", here, "--platform", "linux",
    )  # fmt: skip
    parsed = Pylock.from_dict(tomllib.loads(out.read_text()))
    assert [str(p.name) for p in parsed.packages] == ["app", "lib"]  # no zzz
    (entry,) = (p for p in parsed.packages if p.name == "lib")
    assert entry.wheels is None
    assert entry.archive is not None
    assert (entry.archive.path, entry.archive.hashes) == (
        "elsewhere/lib-1.5-py3-none-any.whl",
        {"sha256": _sha256(lib)},
    )
    venv = tmp_path / "v"
    run_graft("sync", venv, out, "--store", store_dir)
    assert installed(venv) == {"app": "1.0", "lib": "1.5"}
    direct = _direct_url(venv, "lib")
    assert direct is not None
    assert direct["url"] == lib.as_uri()
    # a wrong #sha256= on a file is refused, not written into the lock
    constraints.write_text(f"lib @ {lib.as_uri()}#sha256={'0' * 64}\n")
    out.unlink()
    run = run_graft(
        "lock", "app==1.0", "-c", constraints, "--index-url", f"{index.url}/simple/", "-o", out,
        "--python-version", here, "--platform", "linux", check=False,
    )  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.startswith(f"graft: error: {constraints}:1: lib-1.5-py3-none-any.whl has")
    assert not out.exists()


def test_a_url_constraint_s_marker_is_told_apart_per_lock_environment(
    tmp_path: Path, index: Served, elsewhere: Path
) -> None:
    """``lib @ …lib-1.5… ; sys_platform == "linux"`` and ``lib @ …lib-1.6… ; … "win32"``.

    Each is ``lib``'s only file where its marker holds; macOS takes the index's newest
    (2.0). Each entry carries its marker, and ``Pylock.select()`` gives each environment
    its own, as ``uv pip compile --universal`` locks them (decision 201). Two constraints
    naming two files that hold in one environment are refused in one line.
    """
    make_wheel(elsewhere, "lib", "1.6", {"lib.py": "V = '1.6'\n"})
    lines = [
        f'lib @ {(elsewhere / "lib-1.5-py3-none-any.whl").as_uri()} ; sys_platform == "linux"',
        f'lib @ {(elsewhere / "lib-1.6-py3-none-any.whl").as_uri()} ; sys_platform == "win32"',
    ]
    constraints = tmp_path / "c.txt"
    constraints.write_text("\n".join(lines) + "\n")
    out = tmp_path / "pylock.toml"
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    systems = ("--platform", "linux", "--platform", "windows", "--platform", "macos")
    common = ("--index-url", f"{index.url}/simple/", "-o", out, "--python-version", here)
    run_graft("lock", "app==1.0", "-c", constraints, *common, *systems)
    parsed = Pylock.from_dict(tomllib.loads(out.read_text()))
    parsed.validate()
    libs = {str(p.version): p for p in parsed.packages if p.name == "lib"}
    assert sorted(libs) == ["1.5", "1.6", "2.0"]
    assert str(libs["1.5"].marker) == 'sys_platform == "linux"'
    assert str(libs["1.6"].marker) == 'sys_platform == "win32"'
    assert str(libs["2.0"].marker) == 'sys_platform == "darwin"'
    assert libs["1.5"].archive is not None
    assert libs["1.5"].archive.path == "elsewhere/lib-1.5-py3-none-any.whl"
    assert libs["2.0"].archive is None
    assert libs["2.0"].wheels is not None
    expected = {"linux": "1.5", "win32": "1.6", "darwin": "2.0"}
    for env in matrix([here], ["linux", "windows", "macos"]):
        tags = [Tag(*t.split("-", 2)) for t in env.target.tags]
        got = {
            str(p.name): str(p.version)
            for p, _ in parsed.select(environment=env.target.markers, tags=tags)  # type: ignore[arg-type]
        }
        assert got == {"app": "1.0", "lib": expected[env.target.markers["sys_platform"]]}
    lines[1] = lines[1].replace('sys_platform == "win32"', 'python_version >= "3"')
    constraints.write_text("\n".join(lines) + "\n")
    out.unlink()
    run = run_graft("lock", "app==1.0", "-c", constraints, *common, *systems, check=False)
    assert run.returncode == 2  # (a usage error, as the refusal of two files in a sync)
    assert run.stderr.startswith(
        f"graft: error: {constraints}:2: two wheels of lib are named for cp"
    ), run.stderr
    assert len(run.stderr.splitlines()) == 1
    assert not out.exists()
