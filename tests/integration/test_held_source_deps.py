"""A dependency the venv holds from a directory, editable or a git commit is kept (decision 461).

A monorepo: ``lib/`` and ``app/`` are local projects, app requires lib. ``graft sync V -e
./lib``, then ``graft sync V ./app``: uv 0.13.9 (``uv pip install``) and pip 26.3 keep the
installed lib where its version meets app's requirement, though the index has another
release or none; graft took the index's (or failed: "no project named 'lib'"). Where the
installed version does not meet it, all three take the index's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.test_held_url import uv
from tests.integration.test_uv_resolver_options import installed, sync
from tests.support.inbackend import WHEEL_WRITER
from tests.support.rangeserver import Served, serve_made
from tests.support.venv import site
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator

#: An in-tree backend building the project ``proj.json`` names (name, version, requires).
BACKEND = WHEEL_WRITER + textwrap.dedent(
    """
    import json, os

    def _wheel(wheel_directory, editable):
        c = json.load(open("proj.json"))
        meta = "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (c["name"], c["version"])
        meta += "".join("Requires-Dist: %s\\n" % r for r in c["requires"])
        info = "%s-%s.dist-info" % (c["name"], c["version"])
        files = {
            info + "/METADATA": meta.encode(),
            info + "/WHEEL": b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
        }
        if editable:
            files["_%s.pth" % c["name"]] = os.getcwd().encode() + b"\\n"
        else:
            files[c["name"] + ".py"] = open(c["name"] + ".py", "rb").read()
        filename = "%s-%s-py3-none-any.whl" % (c["name"], c["version"])
        return write_wheel(wheel_directory, filename, files)

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        return _wheel(wheel_directory, False)

    def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
        return _wheel(wheel_directory, True)
    """
)


def local(folder: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> Path:
    """A project directory building *name* *version* (requiring *requires*)."""
    (folder / "_backend").mkdir(parents=True, exist_ok=True)
    (folder / "_backend" / "inback.py").write_text(BACKEND)
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "inback"\nbackend-path = ["_backend"]\n'
    )
    edit(folder, name, version, requires)
    (folder / f"{name}.py").write_text("WHERE = 'source'\n")
    return folder


def edit(folder: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> None:
    """The project in *folder* made to build *version*: its build key's file edited too."""
    (folder / "proj.json").write_text(
        json.dumps({"name": name, "version": version, "requires": requires})
    )
    with (folder / "pyproject.toml").open("a") as fh:  # (what an editable's reuse reads)
        fh.write(f"# {version}\n")


def lib_source(tmp_path: Path, kind: str, version: str = "1.0") -> tuple[str, ...]:
    """lib *version* as a local project, as *kind* names it: its arguments to install it."""
    folder = local(tmp_path / "lib", "lib", version)
    if kind == "directory":
        return (str(folder),)
    if kind == "editable":
        return ("-e", str(folder))
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "lib")):
        who = ("-c", "user.email=t@example.org", "-c", "user.name=t")
        subprocess.run(["git", "-C", str(folder), *who, *args], check=True)
    return (f"lib @ git+{folder.as_uri()}",)


def held_as(venv: Path) -> str | None:
    """How lib's ``direct_url.json`` says it was installed; None: from an index."""
    found = list(site(venv).glob("lib-*.dist-info"))
    assert len(found) == 1, found
    path = found[0] / "direct_url.json"
    if not path.exists():
        return None
    stated = json.loads(path.read_text())
    if "dir_info" in stated:
        return "editable" if stated["dir_info"].get("editable") else "directory"
    return "git" if "vcs_info" in stated else "archive"


def index_of(tmp_path: Path, *versions: str) -> Iterator[Served]:
    folder = tmp_path / "served"
    with serve_made(folder, pep658=True) as served:
        for version in versions:
            served.add(make_wheel(folder, "lib", version, {"lib.py": "WHERE = 'index'\n"}))
        served.add(make_wheel(folder, "wapp", "1.0", {"wapp.py": ""}, requires=("lib>=1",)))
        yield served


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """An index with lib 0.5 and 2.0 (not the local 1.0), and wapp 1.0 (lib>=1) as a wheel."""
    yield from index_of(tmp_path, "0.5", "2.0")


def uv_made(tmp_path: Path, served: Served, *installs: tuple[str, ...]) -> Path:
    """A uv venv, each of *installs* installed into it in turn by ``uv pip install``."""
    venv = tmp_path / "uv"
    uv(tmp_path, "venv", "-q", "-p", sys.executable, venv)
    for args in installs:
        python = venv / "bin" / "python"
        uv(
            tmp_path,
            "pip",
            "install",
            "-q",
            "-p",
            python,
            *args,
            "--index-url",
            f"{served.url}/simple",
        )
    return venv


@pytest.mark.parametrize("kind", ["directory", "editable", "git"])
def test_a_dependency_the_venv_holds_from_a_source_is_kept_as_uv_keeps_it(
    kind: str, served: Served, tmp_path: Path, store_dir: Path
) -> None:
    lib = lib_source(tmp_path, kind)
    app = str(local(tmp_path / "app", "app", "1.0", ("lib>=1",)))
    venv = tmp_path / "v"
    sync(venv, store_dir, served, *lib)
    sync(venv, store_dir, served, "-e", app)
    assert (installed(venv), held_as(venv)) == ({"app": "1.0", "lib": "1.0"}, kind)
    sync(venv, store_dir, served, "-e", app)  # again: still the source's
    assert (installed(venv), held_as(venv)) == ({"app": "1.0", "lib": "1.0"}, kind)
    by_uv = uv_made(tmp_path, served, lib, ("-e", app))
    assert (installed(by_uv), held_as(by_uv)) == ({"app": "1.0", "lib": "1.0"}, kind)


def test_a_dependency_on_no_index_is_kept_from_the_venv_s_editable(
    tmp_path: Path, store_dir: Path
) -> None:
    """The monorepo's case: lib is on no index; graft said "no project named 'lib'"."""
    for served in index_of(tmp_path):  # (an index without lib)
        lib = lib_source(tmp_path, "editable")
        app = str(local(tmp_path / "app", "app", "1.0", ("lib>=1",)))
        venv = tmp_path / "v"
        sync(venv, store_dir, served, *lib)
        sync(venv, store_dir, served, app)
        assert (installed(venv), held_as(venv)) == ({"app": "1.0", "lib": "1.0"}, "editable")
        by_uv = uv_made(tmp_path, served, lib, (app,))
        assert (installed(by_uv), held_as(by_uv)) == ({"app": "1.0", "lib": "1.0"}, "editable")


@pytest.mark.parametrize("how", [("app>=2",), ("-P", "lib"), ("-U",), ("--reinstall",)])
def test_a_dependency_the_source_does_not_meet_or_upgraded_takes_the_index_s(
    how: tuple[str, ...], served: Served, tmp_path: Path, store_dir: Path
) -> None:
    """app requiring lib>=2 (the source's 1.0 does not meet it), or -U, -P lib, --reinstall.

    A guard: graft took the index's before decision 461 too; uv takes it for each.
    """
    lib = lib_source(tmp_path, "editable")
    requires = ("lib>=2",) if how == ("app>=2",) else ("lib>=1",)
    app = str(local(tmp_path / "app", "app", "1.0", requires))
    args = ("-e", app, *(() if how == ("app>=2",) else how))
    venv = tmp_path / "v"
    sync(venv, store_dir, served, *lib)
    sync(venv, store_dir, served, *args)
    assert (installed(venv), held_as(venv)) == ({"app": "1.0", "lib": "2.0"}, None)
    by_uv = uv_made(tmp_path, served, lib, args)
    assert (installed(by_uv), held_as(by_uv)) == ({"app": "1.0", "lib": "2.0"}, None)


@pytest.mark.parametrize("kind", ["directory", "editable"])
def test_a_kept_source_is_built_as_it_is_now_and_refused_where_no_longer_admitted(
    kind: str, served: Served, tmp_path: Path, store_dir: Path
) -> None:
    """As a kept named source (decision 450): the directory's build, not the venv's files.

    lib edited to 1.1 (app requires lib>=1,<2): installed at 1.1 (uv and pip keep the
    installed 1.0, which graft does not do for a named source either); edited to 2.0:
    refused in one line, the venv as it was; ``-P lib`` then takes what the index has.
    """
    lib = lib_source(tmp_path, kind)
    app = str(local(tmp_path / "app", "app", "1.0", ("lib>=1,<2",)))
    venv = tmp_path / "v"
    sync(venv, store_dir, served, *lib)
    edit(tmp_path / "lib", "lib", "1.1")
    sync(venv, store_dir, served, app)
    assert (installed(venv), held_as(venv)) == ({"app": "1.0", "lib": "1.1"}, kind)
    edit(tmp_path / "lib", "lib", "2.0")
    said = sync(venv, store_dir, served, app, check=False)
    assert said.startswith("graft: error: the venv's lib came from "), said
    assert "which now builds 2.0" in said
    assert len(said.strip().splitlines()) == 1
    assert (installed(venv), held_as(venv)) == ({"app": "1.0", "lib": "1.1"}, kind)


def test_a_dependency_s_memo_is_not_given_to_a_venv_holding_the_index_s_release(
    tmp_path: Path, store_dir: Path
) -> None:
    """The resolution memo of ``wapp`` (an index's wheel requiring lib>=1) minds the editable."""
    for served in index_of(tmp_path, "1.0", "2.0"):
        lib = lib_source(tmp_path, "editable")
        by_source, by_index = tmp_path / "a", tmp_path / "b"
        sync(by_source, store_dir, served, *lib)
        sync(by_source, store_dir, served, "wapp")
        assert (installed(by_source), held_as(by_source)) == (
            {"wapp": "1.0", "lib": "1.0"},
            "editable",
        )
        sync(by_index, store_dir, served, "lib==1.0")
        sync(by_index, store_dir, served, "wapp")  # the same request as by_source's
        assert (installed(by_index), held_as(by_index)) == ({"wapp": "1.0", "lib": "1.0"}, None)
        sync(by_source, store_dir, served, "wapp")  # and back: still its own
        assert held_as(by_source) == "editable"
