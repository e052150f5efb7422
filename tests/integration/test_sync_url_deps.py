"""A named source's URL requirements (``lib @ file:///…/lib``), followed as pip and uv do.

poetry-core writes a path dependency as ``lib @ file:///abs/lib``, hatchling's
``{root:parent:uri}`` the same; graft refused it ("a direct URL: not supported yet"). The
projects are built with flit_core from a find-links directory (tests/support/pypifiles.py;
offline, these tests are skipped with that reason).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import pytest
from packaging.pylock import Pylock

from graft.resolve.environments import matrix
from tests.conftest import run_graft
from tests.integration.test_lock import selected
from tests.support.flitproject import flit_project
from tests.support.pypifiles import FLIT_CORE, release_files
from tests.support.toml import tomllib
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path


@pytest.fixture
def links(tmp_path: Path) -> Path:
    """flit_core and a wheel of ``leaf``, in one find-links directory."""
    folder = tmp_path / "links"
    folder.mkdir()
    for wheel in release_files(FLIT_CORE).iterdir():
        (folder / wheel.name).symlink_to(wheel)
    make_wheel(folder, "leaf", "1.0", files={"leaf/__init__.py": b"LEAF = 1\n"})
    return folder


def project(root: Path, name: str, *deps: str, extra: str = "") -> Path:
    """A flit_core project *name* (module of the same name) with these dependencies."""
    tail = f"[project.optional-dependencies]\n{extra}\n" if extra else ""
    return flit_project(root, name, *deps, module=f"NAME = {name!r}\n", tail=tail)


def sync(
    venv: Path, store: Path, links: Path, *args: str | Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return run_graft(
        "sync", venv, *args, "--find-links", links, "--no-index", "--store", store, check=check
    )


def installed(venv: Path, name: str) -> tuple[str | None, bool]:
    """*name*'s direct_url.json and whether it has REQUESTED."""
    code = (
        "import importlib.metadata as m, json; d = m.distribution(%r);"
        " print(json.dumps([d.read_text('direct_url.json'), d.read_text('REQUESTED') is not None]))"
    )
    text, requested = json.loads(py(venv, code % name))
    return text, requested


def test_a_url_requirement_of_a_project_directory_is_built_and_installed(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """``app`` needs ``lib @ file:///…/lib`` (whose extra needs ``tool`` by URL, and ``leaf``).

    As pip and uv install it: each directory built, ``lib`` and ``tool`` not editable and not
    requested, their ``direct_url.json`` naming the directory; an extra asked by the URL
    requirement is followed too. Naming ``lib`` yourself (``-e``) makes it yours.
    """
    tool = project(tmp_path / "tool", "tool")
    lib = project(tmp_path / "lib", "lib", "leaf", extra=f'more = ["tool @ {tool.as_uri()}"]')
    app = project(tmp_path / "app", "app", f"lib[more] @ {lib.as_uri()}")
    venv = tmp_path / "v"
    out = sync(venv, store_dir, links, "-e", app)
    assert " + lib==0.1" in out.stderr
    assert py(venv, "import app, lib, tool, leaf; print(lib.__file__)").startswith(str(venv))
    assert installed(venv, "lib") == (json.dumps({"dir_info": {}, "url": lib.as_uri()}), False)
    assert installed(venv, "tool")[1] is False
    assert installed(venv, "app")[1] is True
    sync(venv, store_dir, links, "-e", app, "-e", lib)  # the same place: the user's -e
    # (read again for the extra app asks of it: tool stays)
    assert py(venv, "import lib, tool; print(lib.__file__)") == str(lib / "lib" / "__init__.py")
    editable = json.dumps({"dir_info": {"editable": True}, "url": lib.as_uri()})
    assert installed(venv, "lib") == (editable, True)


def test_a_url_requirement_that_cannot_be_followed_is_one_line(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """Another copy named for the same project, and a relative ``file:`` URL: refused."""
    lib = project(tmp_path / "lib", "lib")
    other = project(tmp_path / "copy", "lib")
    app = project(tmp_path / "app", "app", f"lib @ {lib.as_uri()}")
    venv = tmp_path / "v"
    both = sync(venv, store_dir, links, "-e", app, other, check=False)
    assert both.returncode != 0
    assert f"requires lib @ {lib.as_uri()}, and the request installs lib from {other}" in (
        both.stderr
    )
    assert "Traceback" not in both.stderr
    relative = project(tmp_path / "rel", "rel", "lib @ file:../lib")
    said = sync(venv, store_dir, links, relative, check=False)
    assert said.returncode != 0
    assert "requires lib @ file:../lib, a relative file: URL" in said.stderr
    assert not venv.exists()


def test_graft_lock_writes_a_url_requirements_directory(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """``graft lock -e app``: ``lib`` as ``[packages.directory]``, as ``uv pip compile``
    writes ``lib @ file:///…``; a sync of the lock installs it."""
    lib = project(tmp_path / "lib", "lib", "leaf")
    app = project(tmp_path / "app", "app", f"lib @ {lib.as_uri()}")
    lock = tmp_path / "pylock.toml"
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    run_graft(
        "lock", "-e", app, "-o", lock, "--find-links", links, "--no-index", "--python-version",
        here,
    )  # fmt: skip
    text = lock.read_text()
    assert '[packages.directory]\npath = "lib"\n' in text
    venv = tmp_path / "v"
    sync(venv, store_dir, links, lock)
    assert py(venv, "import app, lib, leaf; print(lib.NAME)") == "lib"


def test_a_url_requirement_of_an_index_wheel_is_met_only_by_a_file_the_user_names(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """Refused saying what to write; met by a URL constraint of the project (decision 172)."""
    (leaf,) = links.glob("leaf-1.0-*.whl")
    make_wheel(links, "idx", "1.0", {"idx.py": ""}, requires=(f"leaf @ {leaf.as_uri()}",))
    venv = tmp_path / "v"
    refused = sync(venv, store_dir, links, "idx", check=False)
    assert refused.returncode != 0
    assert "a URL requirement is followed only from a source the request names" in (refused.stderr)
    assert f"graft sync VENV 'leaf @ {leaf.as_uri()}'" in refused.stderr
    constraints = tmp_path / "c.txt"
    constraints.write_text(f"leaf @ {leaf.as_uri()}\n")
    sync(venv, store_dir, links, "idx", "-c", constraints)
    assert py(venv, "import idx, leaf; print(leaf.LEAF)") == "1"


def test_a_dependency_only_tool_uv_sources_names_is_refused_saying_what_to_add(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """``lib = { path = "../lib" }`` under ``--no-sources``: unread; the hint says ``-e``.

    Without ``--no-sources`` the source is followed, as uv follows it (decision 369).
    """
    lib = project(tmp_path / "lib", "lib")
    app = project(tmp_path / "app", "app", "lib")
    with (app / "pyproject.toml").open("a") as fh:
        fh.write('[tool.uv.sources]\nlib = { path = "../lib", editable = true }\n')
    venv = tmp_path / "v"
    run = sync(venv, store_dir, links, "-e", app, "--no-sources", check=False)
    assert run.returncode != 0
    assert "no project named 'lib'" in run.stderr
    assert f"names lib, which --no-sources leaves unread: add -e {lib}" in run.stderr
    sync(venv, store_dir, links, "-e", app, "-e", lib, "--no-sources")  # as the hint says
    assert py(venv, "import app, lib; print(lib.NAME)") == "lib"
    sync(venv, store_dir, links, "-e", app)  # read: the same venv
    assert py(venv, "import lib; print(lib.__file__)") == str(lib / "lib" / "__init__.py")


def test_a_locked_url_requirement_holds_where_its_marker_does(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """``lib @ file:///… ; sys_platform == "win32"`` and ``old @ … ; python_version < "3.10"``.

    Each is locked for the environments its marker holds in, with that marker on its entry
    (decision 200), not for graft's own interpreter's verdict everywhere; ``win`` and ``old``
    are directories no Linux 3.12 would install, and ``Pylock.select()`` gives each
    environment its own set. As ``uv pip compile --universal`` writes them:
    ``win @ file:///… ; sys_platform == 'win32'``.
    """
    win = project(tmp_path / "win", "win", "leaf")
    old = project(tmp_path / "old", "old")
    app = project(
        tmp_path / "app",
        "app",
        f'win @ {win.as_uri()} ; sys_platform == "win32"',
        f'old @ {old.as_uri()} ; python_version < "3.10"',
    )
    lock = tmp_path / "pylock.toml"
    run_graft(
        "lock", "-e", app, "-o", lock, "--find-links", links, "--no-index",
        "--python-version", "3.9", "--python-version", "3.10", "--python-version", "3.12",
        "--platform", "linux", "--platform", "windows",
    )  # fmt: skip
    parsed = Pylock.from_dict(tomllib.loads(lock.read_text()))
    parsed.validate()
    markers = {str(p.name): str(p.marker) if p.marker else None for p in parsed.packages}
    assert markers == {
        "app": None,
        "leaf": 'sys_platform == "win32"',
        "old": 'python_version < "3.10"',
        "win": 'sys_platform == "win32"',
    }
    assert {str(p.name): getattr(p.directory, "path", None) for p in parsed.packages} == {
        "app": "app",
        "leaf": None,
        "old": "old",
        "win": "win",
    }
    assert len(parsed.environments or ()) == 12  # (none left out)
    for env in matrix(["3.9", "3.10", "3.12"], ["linux", "windows"]):
        got = set(selected(parsed, env))
        windows = env.target.markers["sys_platform"] == "win32"
        assert got == {
            "app",
            *(("win", "leaf") if windows else ()),
            *(("old",) * (env.python == "3.9")),
        }, env.label


def test_a_path_where_pep_508_has_a_url_is_read_from_the_current_directory(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lib[more] @ ./lib`` on the command line or in a ``-r`` file elsewhere: the directory
    below the current one, as uv 0.13.9 installs it (decision 309; graft said "neither a wheel
    nor an sdist", pip 26.3 "Invalid URL"), with the ``direct_url.json`` of its ``file:`` URL.
    A project's own ``lib @ ./lib`` names no directory: one line, as uv refuses it."""
    lib = project(tmp_path / "lib", "lib", extra='more = ["leaf"]')
    monkeypatch.chdir(tmp_path)
    venv = tmp_path / "v"
    out = sync(venv, store_dir, links, "lib[more] @ ./lib")
    assert " + leaf==1.0" in out.stderr, out.stderr
    assert installed(venv, "lib") == (json.dumps({"dir_info": {}, "url": lib.as_uri()}), True)
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "r.txt").write_text("lib @ ./lib\n")
    again = sync(tmp_path / "w", store_dir, links, "-r", tmp_path / "reqs" / "r.txt")
    assert " + lib==0.1" in again.stderr
    relative = project(tmp_path / "rel", "rel", "lib @ ./lib")
    said = sync(tmp_path / "x", store_dir, links, relative, check=False)
    assert said.returncode == 1
    assert "Traceback" not in said.stderr
    assert "lib @ ./lib is a path, which names no directory it is relative to" in said.stderr
    assert len(said.stderr.strip().splitlines()) == 1, said.stderr
    assert not (tmp_path / "x").exists()
