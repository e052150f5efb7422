"""A project the venv holds from a directory, editable or a git commit stays so under its name.

``graft sync V ./proj`` (or ``-e ./proj``, or ``proj @ git+URL``), then ``graft sync V
proj``: uv 0.13.9 (``uv pip install`` and ``uv pip sync``) and pip 26.3 keep the installed
proj, its ``direct_url.json`` and all, though the index has proj 1.0 and 2.0; graft took the
index's (decision 450). ``proj>=2``, which the installed 1.0 does not meet, takes the index's.
"""

from __future__ import annotations

import json
import shutil
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

BACKEND = WHEEL_WRITER + textwrap.dedent(
    """
    import os

    def _wheel(wheel_directory, editable):
        info = "proj-1.0.dist-info"
        files = {
            info + "/METADATA": b"Metadata-Version: 2.1\\nName: proj\\nVersion: 1.0\\n",
            info + "/WHEEL": b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
        }
        if editable:
            files["proj.pth"] = os.getcwd().encode() + b"\\n"
        else:
            files["proj.py"] = open("proj.py", "rb").read()
        return write_wheel(wheel_directory, "proj-1.0-py3-none-any.whl", files)

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        return _wheel(wheel_directory, False)

    def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
        return _wheel(wheel_directory, True)
    """
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """An index with proj 1.0 and 2.0."""
    folder = tmp_path / "served"
    with serve_made(folder, pep658=True) as served:
        for version in ("1.0", "2.0"):
            served.add(make_wheel(folder, "proj", version, {"proj.py": "WHERE = 'index'\n"}))
        yield served


def project(tmp_path: Path, kind: str) -> tuple[str, ...]:
    """proj 1.0 (an in-tree backend), as *kind* names it: its arguments to install it."""
    folder = tmp_path / "proj"
    (folder / "_backend").mkdir(parents=True)
    (folder / "_backend" / "inback.py").write_text(BACKEND)
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "inback"\nbackend-path = ["_backend"]\n'
    )
    (folder / "proj.py").write_text("WHERE = 'source'\n")
    if kind == "directory":
        return (str(folder),)
    if kind == "editable":
        return ("-e", str(folder))
    if shutil.which("git") is None:
        pytest.skip("git is not on PATH")
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "proj 1.0")):
        who = ("-c", "user.email=t@example.org", "-c", "user.name=t")
        subprocess.run(["git", "-C", str(folder), *who, *args], check=True)
    return (f"proj @ git+{folder.as_uri()}",)


def held_as(venv: Path) -> str | None:
    """How proj's ``direct_url.json`` says it was installed; None: from an index."""
    found = list(site(venv).glob("proj-*.dist-info/direct_url.json"))
    if not found:
        return None
    stated = json.loads(found[0].read_text())
    if "dir_info" in stated:
        return "editable" if stated["dir_info"].get("editable") else "directory"
    return "git" if "vcs_info" in stated else "archive"


def uv_install(tmp_path: Path, served: Served, venv: Path, *args: str) -> None:
    python = venv / "bin" / "python"
    index = f"{served.url}/simple"
    uv(tmp_path, "pip", "install", "-q", "-p", python, *args, "--index-url", index)


@pytest.mark.parametrize("kind", ["directory", "editable", "git"])
def test_a_source_install_is_kept_under_its_name_as_uv_keeps_it(
    kind: str, served: Served, tmp_path: Path, store_dir: Path
) -> None:
    source = project(tmp_path, kind)
    venv = tmp_path / "v"
    sync(venv, store_dir, served, *source)
    sync(venv, store_dir, served, "proj")
    assert (installed(venv), held_as(venv)) == ({"proj": "1.0"}, kind)
    sync(venv, store_dir, served, "proj")  # again: still the source's
    assert held_as(venv) == kind
    uv_made = tmp_path / "uv"
    uv(tmp_path, "venv", "-q", "-p", sys.executable, uv_made)
    uv_install(tmp_path, served, uv_made, *source)
    uv_install(tmp_path, served, uv_made, "proj")
    assert (installed(uv_made), held_as(uv_made)) == ({"proj": "1.0"}, kind)
    sync(venv, store_dir, served, "proj>=2")  # (the installed 1.0 does not meet it)
    assert (installed(venv), held_as(venv)) == ({"proj": "2.0"}, None)


def test_a_venv_holding_the_index_s_release_is_not_given_another_venv_s_source(
    served: Served, tmp_path: Path, store_dir: Path
) -> None:
    """The resolution memo minds what a venv holds from a directory too."""
    source = project(tmp_path, "directory")
    by_source, by_index = tmp_path / "a", tmp_path / "b"
    sync(by_source, store_dir, served, *source)
    sync(by_source, store_dir, served, "proj")
    sync(by_index, store_dir, served, "proj==1.0")
    sync(by_index, store_dir, served, "proj")  # the same request as by_source's
    assert (installed(by_index), held_as(by_index)) == ({"proj": "1.0"}, None)
    sync(by_source, store_dir, served, "proj")
    assert held_as(by_source) == "directory"


@pytest.mark.parametrize("kind", ["directory", "editable"])
def test_a_kept_directory_that_now_builds_another_version_is_refused_for_the_pin(
    kind: str, served: Served, tmp_path: Path, store_dir: Path
) -> None:
    """The directory is built again: its new version must still meet the requirement kept.

    proj 1.0 installed from ./proj, the directory then edited to build 2.0: ``proj==1.0``
    would have installed the directory's 2.0 (the kept requirement named the directory, not
    the version); it is refused in one line, the venv as it was, and ``-P proj`` takes the
    index's 1.0.
    """
    source = project(tmp_path, kind)
    backend = tmp_path / "proj" / "_backend" / "inback.py"
    bump(backend, "1.0", "2.0")
    (tmp_path / "proj" / "proj.py").write_text("WHERE = 'edited'\n")
    venv = tmp_path / "v"
    sync(venv, store_dir, served, *source)
    assert installed(venv) == {"proj": "2.0"}
    bump(backend, "2.0", "3.0")
    with (tmp_path / "proj" / "pyproject.toml").open("a") as fh:  # (an editable's build key)
        fh.write("# 3.0\n")
    said = run_graft_fails(venv, store_dir, served, "proj==2.0")
    assert "which now builds 3.0, not proj==2.0" in said
    assert (installed(venv), held_as(venv)) == ({"proj": "2.0"}, kind)
    sync(venv, store_dir, served, "proj==2.0", "-P", "proj")
    assert (installed(venv), held_as(venv)) == ({"proj": "2.0"}, None)


def bump(backend: Path, old: str, new: str) -> None:
    """The in-tree backend at *backend* made to build proj *new* where it built *old*."""
    text = backend.read_text()
    for before in (f"proj-{old}", f"nVersion: {old}"):
        text = text.replace(before, before.replace(old, new))
    backend.write_text(text)


def run_graft_fails(venv: Path, store: Path, served: Served, *args: str) -> str:
    """stderr of a ``graft sync`` that must fail in one line."""
    said = sync(venv, store, served, *args, check=False)
    assert said.startswith("graft: error:"), said
    return said
