"""An editable project whose version is read from a file of its tree (decision 170).

``importlib.metadata.version()`` of an editable install is what its build read; a project
whose ``__version__`` (flit_core's dynamic version) changes is built again, as pip and
``uv pip install -e`` build it every time, and the memo watches that file too. The backend
comes from a find-links directory (tests/support/pypifiles.py; offline, skipped).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from tests.integration.test_sync_builds import aged, py, recalled, sync
from tests.support.pypifiles import FLIT_CORE, HATCH_VCS, SETUPTOOLS, release_files
from tests.support.wheelmaker import make_wheel

#: hatchling's ``build_editable`` asks for it
EDITABLES = ("editables", "editables-0.5-py3-none-any.whl")

if TYPE_CHECKING:
    from pathlib import Path


def test_an_editable_projects_version_file_is_watched(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """flit_core's ``dynamic = ["version"]`` from ``__init__.py``: edited, built again."""
    links = release_files(FLIT_CORE)
    root = tmp_path / "dyn"
    (root / "dyn").mkdir(parents=True)
    init = '"""A project whose version its module says."""\n__version__ = "{}"\n'
    (root / "dyn" / "__init__.py").write_text(init.format("1.0"))
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["flit_core>=3.4,<4"]
            build-backend = "flit_core.buildapi"
            [project]
            name = "dyn"
            dynamic = ["version", "description"]
            """
        )
    )
    venv = tmp_path / "v"
    version = "import importlib.metadata as m; print(m.version('dyn'))"
    aged(root)
    sync(venv, store_dir, links, "-e", root, "-v")
    assert recalled(sync(venv, store_dir, links, "-e", root, "-v"))
    (root / "dyn" / "__init__.py").write_text(init.format("1.1"))
    aged(root)  # (not racy: the memo itself must see the edit)
    run = sync(venv, store_dir, links, "-e", root, "-v")
    assert not recalled(run)
    assert "graft: built dyn-1.1" in run.stderr
    assert " ~ dyn 1.0 -> 1.1 (upgraded)" in run.stderr
    assert py(venv, version) == "1.1"
    (root / "dyn" / "other.py").write_text("X = 1\n")  # any other source: read live
    aged(root)
    sync(venv, store_dir, links, "-e", root, "-v")
    assert recalled(sync(venv, store_dir, links, "-e", root, "-v"))


def test_an_editable_projects_dependency_file_is_watched(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """setuptools' ``dependencies = {file = ["requirements.txt"]}``: a line added, installed.

    The editable build kept for the old file was reused: "already in sync" without the new
    dependency, where ``uv pip install -e`` builds again (decision 231).
    """
    links, wheels = release_files(SETUPTOOLS), tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels, "gamma", "1.0", {"gamma.py": "G = 1\n"})
    root = tmp_path / "dyn"
    (root / "dyn").mkdir(parents=True)
    (root / "dyn" / "__init__.py").write_text("")
    (root / "requirements.txt").write_text("# none yet\n")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "dyn"
            version = "1.0"
            dynamic = ["dependencies"]
            [tool.setuptools]
            packages = ["dyn"]
            [tool.setuptools.dynamic]
            dependencies = {file = ["requirements.txt"]}
            """
        )
    )
    venv = tmp_path / "v"
    aged(root)
    sync(venv, store_dir, links, "-e", root, "--find-links", wheels)
    (root / "requirements.txt").write_text("gamma\n")
    aged(root)  # (not racy: the memo itself must see the edit)
    run = sync(venv, store_dir, links, "-e", root, "--find-links", wheels)
    assert " + gamma==1.0" in run.stderr, run.stderr
    assert py(venv, "import gamma; print(gamma.G)") == "1"


def test_the_files_a_setup_py_reads_are_watched(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """A ``setup.py`` that opens ``requirements.txt`` and searches ``pkg/version.py``.

    Both edits were "already in sync" (no new dependency, the old version), where pip and
    ``uv pip install -e`` build again and install them (decision 271).
    """
    links, wheels = release_files(SETUPTOOLS), tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels, "gamma", "1.0", {"gamma.py": "G = 1\n"})
    root = tmp_path / "rd"
    (root / "rdpkg").mkdir(parents=True)
    (root / "rdpkg" / "__init__.py").write_text("")
    (root / "rdpkg" / "version.py").write_text('VERSION = "1.0"\n')
    (root / "requirements.txt").write_text("# none yet\n")
    (root / "setup.py").write_text(
        textwrap.dedent(
            """\
            import os, re
            from pathlib import Path
            from setuptools import setup
            here = os.path.dirname(os.path.abspath(__file__))
            with open(os.path.join(here, "requirements.txt")) as f:
                reqs = [l.strip() for l in f if l.strip() and not l.startswith("#")]
            text = (Path(here) / "rdpkg" / "version.py").read_text()
            version = re.search(r'VERSION = "(.*)"', text).group(1)
            setup(name="rd", version=version, packages=["rdpkg"], install_requires=reqs)
            """
        )
    )
    venv = tmp_path / "v"
    version = "import importlib.metadata as m; print(m.version('rd'))"
    aged(root)
    sync(venv, store_dir, links, "-e", root, "--find-links", wheels)
    assert (
        "already in sync" in sync(venv, store_dir, links, "-e", root, "--find-links", wheels).stderr
    )
    (root / "requirements.txt").write_text("gamma\n")
    aged(root)  # (not racy: the memo itself must see the edit)
    run = sync(venv, store_dir, links, "-e", root, "--find-links", wheels)
    assert " + gamma==1.0" in run.stderr, run.stderr
    (root / "rdpkg" / "version.py").write_text('VERSION = "1.1"\n')
    aged(root)
    run = sync(venv, store_dir, links, "-e", root, "--find-links", wheels)
    assert " ~ rd 1.0 -> 1.1 (upgraded)" in run.stderr, run.stderr
    assert py(venv, version) == "1.1"


def test_a_file_an_editable_wheel_copies_is_watched(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """hatchling's ``force-include`` and ``shared-data`` are copies in the editable wheel.

    The editable build kept for the old files was reused: the venv kept the old bytes, where
    pip and ``uv pip install -e`` build again (decision 272).
    """
    links = release_files(*HATCH_VCS, EDITABLES)
    root = tmp_path / "hp"
    (root / "src" / "hp").mkdir(parents=True)
    (root / "src" / "hp" / "__init__.py").write_text("")
    (root / "assets").mkdir()
    (root / "assets" / "blob.bin").write_text("one\n")
    (root / "share" / "hp").mkdir(parents=True)
    (root / "share" / "hp" / "thing.txt").write_text("one\n")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"
            [project]
            name = "hp"
            version = "1.0"
            [tool.hatch.build.targets.wheel]
            packages = ["src/hp"]
            [tool.hatch.build.targets.wheel.force-include]
            "assets/blob.bin" = "hp/blob.bin"
            [tool.hatch.build.targets.wheel.shared-data]
            "share" = "share"
            """
        )
    )
    venv = tmp_path / "v"
    aged(root)
    sync(venv, store_dir, links, "-e", root)
    copies = (
        venv / "share" / "hp" / "thing.txt",
        next((venv / "lib").glob("python3*/site-packages/hp/blob.bin")),
    )
    assert [c.read_text() for c in copies] == ["one\n", "one\n"]
    (root / "assets" / "blob.bin").write_text("two\n")
    aged(root)  # (not racy: the memo itself must see the edit)
    run = sync(venv, store_dir, links, "-e", root)
    assert " ~ hp==1.0 (reinstalled)" in run.stderr, run.stderr
    (root / "share" / "hp" / "thing.txt").write_text("two\n")
    aged(root)
    sync(venv, store_dir, links, "-e", root)
    assert [c.read_text() for c in copies] == ["two\n", "two\n"]


def test_the_paths_a_setup_py_computes_from_constants_are_watched(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """``PKG = "rdc"``, then ``os.path.join(here, PKG, "version.py")`` and an f-string.

    The version bump was "already in sync" with decision 271's literals alone (it read
    ``version.py`` at the root, which is not there); pip and ``uv pip install -e`` build
    again. What graft cannot follow (a path a function returns) is said by ``-v`` (290).
    """
    links = release_files(SETUPTOOLS)
    root = tmp_path / "rdc"
    (root / "rdc").mkdir(parents=True)
    (root / "rdc" / "__init__.py").write_text("")
    (root / "rdc" / "version.py").write_text('VERSION = "1.0"\n')
    (root / "rdc" / "deps.txt").write_text("\n")
    (root / "setup.py").write_text(
        textwrap.dedent(
            """\
            import os, re
            from setuptools import setup
            here = os.path.dirname(os.path.abspath(__file__))
            PKG = "rdc"
            def where():
                return os.path.join(here, PKG, "deps.txt")
            text = open(os.path.join(here, PKG, "version.py")).read()
            reqs = open(f"{here}/{PKG}/deps.txt").read().split() + open(where()).read().split()
            version = re.search(r'VERSION = "(.*)"', text).group(1)
            setup(name="rdc", version=version, packages=[PKG], install_requires=reqs)
            """
        )
    )
    venv = tmp_path / "v"
    version = "import importlib.metadata as m; print(m.version('rdc'))"
    aged(root)
    first = sync(venv, store_dir, links, "-e", root, "-v")
    assert "setup.py reads what graft cannot follow, not watched (line 8: open(where()))" in (
        first.stderr
    )
    assert "already in sync" in sync(venv, store_dir, links, "-e", root).stderr
    (root / "rdc" / "version.py").write_text('VERSION = "1.1"\n')
    aged(root)
    run = sync(venv, store_dir, links, "-e", root)
    assert " ~ rdc 1.0 -> 1.1 (upgraded)" in run.stderr, run.stderr
    assert py(venv, version) == "1.1"
