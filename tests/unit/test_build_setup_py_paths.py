"""The paths a ``setup.py`` reads, found by parsing it (graft.build.setup_py_paths, 271, 290)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from graft.build.setup_py_paths import computed_reads, named
from graft.build.version_files import version_files

COMPUTED = textwrap.dedent(
    """\
    import glob, io, os
    from pathlib import Path
    from setuptools import setup
    here = os.path.dirname(os.path.abspath(__file__))
    HERE = Path(__file__).parent
    PKG = "rdpkg"
    readme = os.path.join(here, "README.md")

    def read(fname):
        return open(os.path.join(here, fname)).read()

    long = open(readme).read() + read("CHANGES.rst")
    v = open(os.path.join(here, PKG, "version.py")).read()
    w = open(f"{here}/{PKG}/VERSION").read()
    x = (HERE / "NOTES.txt").read_text()
    y = io.open(f"{here}/{PKG}.txt").read()
    for name in ("a", "b"):
        z = open(os.path.join(here, name + ".cfg")).read()
    reqs = [open(p).read() for p in glob.glob(os.path.join(here, "requirements", "*.txt"))]
    q = open(compute_path()).read()
    setup(name="rd", version=v, long_description=long, package_data={"rd": ["*.cfg"]})
    """
)


def test_what_a_setup_py_names_and_computes() -> None:
    tree = ast.parse(COMPUTED)
    names = named(tree)
    for name in (
        "README.md",  # a literal, and a name bound to a join of it
        "CHANGES.rst",  # a helper's caller's literal
        "rdpkg/version.py",  # a constant's string in a join (decision 290)
        "rdpkg/VERSION",  # an f-string of a constant, starting at `here`
        "NOTES.txt",
        "rdpkg.txt",
        "requirements/*.txt",  # a glob a listing takes
    ):
        assert name in names, name
    assert "*.cfg" not in names
    assert computed_reads(tree) == (
        "line 18: open(os.path.join(here, name + '.cfg'))",  # a loop's variable
        "line 19: open(p)",
        "line 19: glob.glob(os.path.join(here, 'requirements', '*.txt'))",  # a listing
        "line 20: open(compute_path())",
    )


def test_a_setup_py_of_literals_reads_nothing_unfollowed() -> None:
    tree = ast.parse(
        "import os\nhere = os.path.dirname(__file__)\n"
        "def read(*parts):\n    return open(os.path.join(here, *parts)).read()\n"
        "v = read('pkg', 'version.py')\n"
        "r = open('requirements.txt').read()\n"
        "d = open(os.path.join(here, 'README.md'), encoding='utf-8').read()\n"
    )
    assert computed_reads(tree) == ()


def test_the_files_found_are_those_of_the_tree(tmp_path: Path) -> None:
    (tmp_path / "rdpkg").mkdir()
    (tmp_path / "requirements").mkdir()
    for name in (
        "README.md",
        "rdpkg/version.py",
        "rdpkg/VERSION",
        "requirements/base.txt",
        "top.cfg",  # (package_data's "*.cfg" is no glob of the tree)
    ):
        (tmp_path / name).write_text("x\n")
    (tmp_path / "setup.py").write_text(COMPUTED)
    assert version_files(str(tmp_path)) == (
        "README.md",
        "rdpkg/VERSION",
        "rdpkg/version.py",
        "requirements/base.txt",
    )


def test_a_pathlib_glob_is_a_pattern_of_the_tree() -> None:
    tree = ast.parse(
        "from pathlib import Path\nHERE = Path(__file__).parent\n"
        "x = list(HERE.glob('extras/*.txt'))\ny = list(Path('docs').rglob('*.md'))\n"
    )
    assert {"extras/*.txt", "docs/**/*.md"} <= named(tree)
    assert computed_reads(tree) == (
        "line 3: HERE.glob('extras/*.txt')",
        "line 4: Path('docs').rglob('*.md')",
    )
