"""A module added to an editable project is installed by the next sync (decision 270).

setuptools' editable wheel maps what its build found: a finder of the top-level packages
(flat layout, a ``setup.py``), or, in strict mode, a tree of links to each file. pip and
``uv pip install -e`` build an editable install every time, so installing it again picks a
new package up; the record of such a wheel and the memo keep the names of the tree's
modules (and, in strict mode, of the linked directories' files: decision 289), and build
again when one is added, while an edit of a module's contents is still read live and
recalled. A ``.pth`` naming a source directory reads a new module live: nothing is walked
(decision 288). setuptools and flit_core come from a find-links directory (offline:
skipped).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.integration.test_sync_builds import aged, backends, py, recalled, sync

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["backends"]  # (the fixture, used by name)

SETUP = (
    "from setuptools import setup, find_packages\n"
    "setup(name='legfind', version='1.0', packages=find_packages(exclude=['tests*']))\n"
)


def test_a_package_added_to_a_flat_setup_py_project_is_installed(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    """setuptools' finder maps the packages it found: a new one needs the build again."""
    root = tmp_path / "legfind"
    (root / "legfind").mkdir(parents=True)
    (root / "legfind" / "__init__.py").write_text("X = 1\n")
    (root / "setup.py").write_text(SETUP)
    venv = tmp_path / "v"
    editable = ("-e", root, "-v")
    aged(root)
    assert "graft: built legfind-1.0" in sync(venv, store_dir, backends, *editable).stderr
    assert recalled(sync(venv, store_dir, backends, *editable))
    (root / "legfind" / "__init__.py").write_text("X = 2\n")  # an edit: read live
    aged(root)
    assert recalled(sync(venv, store_dir, backends, *editable))
    assert py(venv, "import legfind; print(legfind.X)") == "2"
    (root / "legfind2").mkdir()
    (root / "legfind2" / "__init__.py").write_text("Y = 3\n")
    aged(root)
    run = sync(venv, store_dir, backends, *editable)
    assert not recalled(run), run.stderr
    assert "graft: built legfind-1.0" in run.stderr
    assert " ~ legfind==1.0 (reinstalled)" in run.stderr
    assert py(venv, "import legfind2; print(legfind2.Y)") == "3"
    aged(root)
    sync(venv, store_dir, backends, *editable)
    assert recalled(sync(venv, store_dir, backends, *editable))
    (root / "legfind2" / "__init__.py").unlink()  # a module removed: built again too
    (root / "legfind2").rmdir()
    aged(root)
    assert not recalled(sync(venv, store_dir, backends, *editable))
    probe = "import importlib.util as u; print(u.find_spec('legfind2') is None)"
    assert py(venv, probe) == "True"


def test_a_module_added_in_strict_mode_is_installed_and_the_stamp_sees_it(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    """Strict mode links each file its build found; the no-op stamp watches the names too.

    (The stamp's "already in sync" before the module is added, and after the build.)
    """
    root = tmp_path / "strictp"
    (root / "src" / "strictp").mkdir(parents=True)
    (root / "src" / "strictp" / "__init__.py").write_text("X = 1\n")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=64"]\n'
        'build-backend = "setuptools.build_meta"\n'
        '[project]\nname = "strictp"\nversion = "1.0"\n'
    )
    venv = tmp_path / "v"
    strict = ("-e", root, "-C", "editable_mode=strict")
    aged(root)
    sync(venv, store_dir, backends, *strict)
    assert "already in sync" in sync(venv, store_dir, backends, *strict).stderr
    (root / "src" / "strictp" / "newmod.py").write_text("N = 4\n")
    aged(root)
    # the stamp misses and the build runs again: its link tree under build/ gains the module
    # (the wheel, a .pth naming that tree, may be the same bytes: the venv is then in sync)
    sync(venv, store_dir, backends, *strict)
    assert py(venv, "import strictp.newmod as n; print(n.N)") == "4"
    aged(root)
    sync(venv, store_dir, backends, *strict)
    assert "already in sync" in sync(venv, store_dir, backends, *strict).stderr


def test_a_module_added_to_a_pth_editable_is_read_live_without_a_build(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    """flit_core's editable wheel is a ``.pth`` naming the tree: nothing to build, nor walk.

    Its record keeps no module names and the memo watches none (decision 288), so a module
    added is recalled, and importable as it is after pip's or uv's rebuild.
    """
    root = tmp_path / "pthp"
    (root / "pthp").mkdir(parents=True)
    (root / "pthp" / "__init__.py").write_text('"""A .pth editable."""\n__version__ = "1.0"\n')
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["flit_core>=3.4,<4"]\n'
        'build-backend = "flit_core.buildapi"\n'
        '[project]\nname = "pthp"\ndynamic = ["version", "description"]\n'
    )
    venv = tmp_path / "v"
    editable = ("-e", root, "-v")
    aged(root)
    assert "graft: built pthp-1.0" in sync(venv, store_dir, backends, *editable).stderr
    assert recalled(sync(venv, store_dir, backends, *editable))
    (root / "pthp" / "newmod.py").write_text("N = 5\n")
    (root / "pthp2").mkdir()
    (root / "pthp2" / "__init__.py").write_text("M = 6\n")
    aged(root)
    run = sync(venv, store_dir, backends, *editable)
    assert recalled(run), run.stderr
    assert "already in sync" in run.stderr
    assert py(venv, "import pthp.newmod as n, pthp2; print(n.N, pthp2.M)") == "5 6"


def test_a_data_file_added_in_strict_mode_is_installed(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    """Strict mode links the package data its build found too (decision 289).

    As after ``pip install -e . -C editable_mode=strict`` again (26.3) and ``uv pip install``
    (0.13.9): the new ``b.txt`` is there. A file no ``package-data`` pattern takes builds
    again too (graft does not read setuptools' patterns), and is not installed, as in pip's;
    an edit of ``MANIFEST.in`` that takes it builds again, and it is installed.
    """
    root = tmp_path / "strictd"
    (root / "src" / "strictd").mkdir(parents=True)
    (root / "src" / "strictd" / "__init__.py").write_text("X = 1\n")
    (root / "src" / "strictd" / "a.txt").write_text("a\n")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=64"]\n'
        'build-backend = "setuptools.build_meta"\n'
        '[project]\nname = "strictd"\nversion = "1.0"\n'
        '[tool.setuptools.package-data]\nstrictd = ["*.txt"]\n'
    )
    venv = tmp_path / "v"
    strict = ("-e", root, "-C", "editable_mode=strict", "-v")
    probe = (
        "import importlib.resources as r; f = r.files('strictd')\n"
        "print(*(f.joinpath(n).is_file() for n in ('a.txt', 'b.txt', 'c.dat')))"
    )
    aged(root)
    sync(venv, store_dir, backends, *strict)
    assert recalled(sync(venv, store_dir, backends, *strict))
    (root / "src" / "strictd" / "b.txt").write_text("b\n")
    (root / "README.md").write_text("outside the package: not linked, not watched\n")
    aged(root)
    run = sync(venv, store_dir, backends, *strict)
    assert not recalled(run), run.stderr
    assert "graft: built strictd-1.0" in run.stderr
    assert py(venv, probe) == "True True False"
    aged(root)
    sync(venv, store_dir, backends, *strict)
    assert recalled(sync(venv, store_dir, backends, *strict))
    (root / "src" / "strictd" / "c.dat").write_text("c\n")
    aged(root)
    run = sync(venv, store_dir, backends, *strict)
    assert "the tree's files by name, and those under src/strictd changed" in run.stderr
    assert py(venv, probe) == "True True False"
    (root / "MANIFEST.in").write_text("recursive-include src *.dat\n")  # c.dat is data now
    aged(root)
    assert "graft: built strictd-1.0" in sync(venv, store_dir, backends, *strict).stderr
    assert py(venv, probe) == "True True True"
