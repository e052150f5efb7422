"""``graft build`` of real flit_core and setuptools projects against pypa/build (decision 250):
the same sdist members and the same wheel RECORD, by default (the sdist, then a wheel of it).

The backend wheels and pypa/build's come from PyPI once and are cached
(tests/support/pypifiles.py); offline, these tests are skipped with that reason. pypa/build
runs without isolation in a venv ``graft sync`` makes of them, so both build with the same
backend releases.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.integration.test_build_backends import flit_project
from tests.support.pypifiles import (
    FLIT_CORE,
    PACKAGING,
    PYPA_BUILD,
    PYPROJECT_HOOKS,
    SETUPTOOLS,
    release_files,
)

if sys.version_info < (3, 11):  # pragma: no cover - (pypa/build would need tomli)
    pytest.skip("the reference venv is made for Python 3.11 or later", allow_module_level=True)


@pytest.fixture
def links() -> Path:
    return release_files(FLIT_CORE, SETUPTOOLS, PYPA_BUILD, PACKAGING, PYPROJECT_HOOKS)


def setuptools_project(root: Path) -> Path:
    (root / "src" / "sdpkg").mkdir(parents=True)
    (root / "src" / "sdpkg" / "__init__.py").write_text("VALUE = 1\n")
    (root / "src" / "sdpkg" / "data.txt").write_text("data\n")
    (root / "README.md").write_text("# sdpkg\n")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "sd.Pkg"
            version = "0.2"
            readme = "README.md"

            [tool.setuptools.package-data]
            sdpkg = ["*.txt"]
            """
        )
    )
    return root


def legacy_project(root: Path) -> Path:
    """A ``setup.py`` alone: built through ``setuptools.build_meta:__legacy__``, as pip does."""
    (root / "legacy_mod").mkdir(parents=True)
    (root / "legacy_mod" / "__init__.py").write_text("VALUE = 42\n")
    (root / "setup.py").write_text(
        "from setuptools import setup\n"
        "setup(name='Legacy.Mod', version='2.0', packages=['legacy_mod'])\n"
    )
    return root


def sdist_members(path: Path) -> list[str]:
    with tarfile.open(path) as tf:
        return sorted(m.name for m in tf.getmembers() if m.isfile())


def record(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))
        return sorted(zf.read(name).decode().splitlines())


@pytest.mark.parametrize("kind", ["flit_core", "setuptools", "legacy"])
def test_the_sdist_and_wheel_are_pypa_builds(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path, kind: str
) -> None:
    make = {"flit_core": flit_project, "setuptools": setuptools_project}.get(kind, legacy_project)
    project = make(tmp_path / "proj")
    pins = tmp_path / "pins.txt"
    pins.write_text("setuptools==75.3.0\nflit_core==3.10.1\n")
    found = ("--find-links", links, "--no-index", "--store", store_dir)
    run = run_graft("build", project, *found, "--build-constraint", pins, "--json")
    built = json.loads(run.stdout)
    ours = project / "dist"
    reference = tmp_path / "ref"
    tools = ("build", "flit_core==3.10.1", "setuptools==75.3.0")
    run_graft("sync", tmp_path / "pypa", *tools, *found, "--python", sys.executable)
    made = subprocess.run(
        [tmp_path / "pypa" / "bin" / "python", "-m", "build", "--no-isolation", "-o", reference],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    theirs = sorted(p.name for p in reference.iterdir())
    assert sorted(p.name for p in ours.iterdir()) == theirs
    sdist = next(n for n in theirs if n.endswith(".tar.gz"))
    wheel = next(n for n in theirs if n.endswith(".whl"))
    assert (built["sdist"]["sdist"], built["wheels"][0]["wheel"]) == (sdist, wheel)
    assert sdist_members(ours / sdist) == sdist_members(reference / sdist)
    assert record(ours / wheel) == record(reference / wheel)
    expected = {"flit_core": "purepkg-0.1", "setuptools": "sd_pkg-0.2", "legacy": "legacy_mod-2.0"}
    assert sdist == f"{expected[kind]}.tar.gz"  # (PEP 625's: sd.Pkg is sd_pkg)
    assert built["sdist"]["warning"] is None
    if kind == "setuptools":
        assert "sdpkg/data.txt" in "".join(record(ours / wheel))
