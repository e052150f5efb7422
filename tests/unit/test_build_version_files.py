"""The files a project's dynamic version is read from, per backend (decision 170)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from graft.build.source_key import editable_key
from graft.build.version_files import version_files

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("pyproject", "setup_cfg", "files"),
    [
        ('[tool.hatch.version]\npath = "src/pkg/__about__.py"\n', None, ["src/pkg/__about__.py"]),
        ('[tool.pdm.version]\nsource = "file"\npath = "pkg/v.py"\n', None, ["pkg/v.py"]),
        ('[tool.pdm.version]\nsource = "scm"\n', None, []),
        ('[tool.setuptools.dynamic]\nversion = {file = "VERSION"}\n', None, ["VERSION"]),
        (
            (
                '[tool.setuptools]\npackage-dir = {"" = "lib"}\n'
                '[tool.setuptools.dynamic]\nversion = {attr = "pkg.about.V"}\n'
            ),
            None,
            [
                f"{top}pkg/about{end}"
                for top in ("", "lib/", "src/")
                for end in ("/__init__.py", ".py")
            ],
        ),
        (
            None,
            "[metadata]\nversion = attr: pkg.X\n",
            ["pkg.py", "pkg/__init__.py", "src/pkg.py", "src/pkg/__init__.py"],
        ),
        (None, "[metadata]\nversion = file: a.txt, b.txt\n", ["a.txt", "b.txt"]),
        (None, "[metadata]\nversion = 1.0\n", []),
        (
            (
                '[build-system]\nbuild-backend = "flit_core.buildapi"\n'
                '[project]\nname = "my-mod"\ndynamic = ["version"]\n'
            ),
            None,
            ["my_mod.py", "my_mod/__init__.py", "src/my_mod.py", "src/my_mod/__init__.py"],
        ),
        (
            (
                '[build-system]\nbuild-backend = "flit_core.buildapi"\n'
                '[project]\nname = "my-mod"\nversion = "1"\n'
            ),
            None,
            [],
        ),
        ('[project]\nname = "x"\nversion = "1"\n', None, []),
        (  # dependencies read from files (decision 231)
            (
                "[tool.setuptools.dynamic]\n"
                'dependencies = {file = ["requirements.txt"]}\n'
                'optional-dependencies.dev = {file = "dev.txt"}\n'
            ),
            (
                "[options]\ninstall_requires = file: base.in\n"
                "[options.extras_require]\ntest = file: test.in, more.in\ndocs = sphinx\n"
            ),
            ["base.in", "dev.txt", "more.in", "requirements.txt", "test.in"],
        ),
        (
            (
                "[tool.hatch.metadata.hooks.requirements_txt]\n"
                'files = ["requirements.txt"]\n'
                "[tool.hatch.metadata.hooks.requirements_txt.optional-dependencies]\n"
                'crypto = ["requirements-crypto.txt"]\n'
            ),
            None,
            ["requirements-crypto.txt", "requirements.txt"],
        ),
    ],
)
def test_the_files_a_dynamic_version_is_read_from(
    tmp_path: Path, pyproject: str | None, setup_cfg: str | None, files: list[str]
) -> None:
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    if setup_cfg is not None:
        (tmp_path / "setup.cfg").write_text(setup_cfg)
    assert list(version_files(str(tmp_path))) == sorted(files)


def test_an_editable_key_reads_its_version_files_and_only_then_changes(tmp_path: Path) -> None:
    """A project without a version file keeps the key it had; one with it, per its bytes."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n')
    assert editable_key(str(tmp_path)) == editable_key(str(tmp_path), (), ())
    (tmp_path / "v.py").write_text("V = 1\n")
    first = editable_key(str(tmp_path), (), ("v.py",))
    assert first != editable_key(str(tmp_path))
    (tmp_path / "v.py").write_text("V = 2\n")
    assert editable_key(str(tmp_path), (), ("v.py",)) != first


def test_the_files_a_setup_py_names_are_read(tmp_path: Path) -> None:
    """Literals alone, a call's joined, a ``/`` chain's: those that exist (decision 271)."""
    (tmp_path / "pkg").mkdir()
    for name in ("requirements.txt", "pkg/version.py", "VERSION", "README.md", "pkg/other.py"):
        (tmp_path / name).write_text("x\n")
    (tmp_path.parent / "outside.txt").write_text("x\n")
    (tmp_path / "setup.py").write_text(
        "import os\nfrom pathlib import Path\nfrom setuptools import setup\n"
        "here = os.path.dirname(__file__)\n"
        "reqs = open(os.path.join(here, 'requirements.txt')).read().split()\n"
        "v = open(os.path.join(here, 'pkg', 'version.py')).read()\n"
        "w = (Path(here) / 'VERSION').read_text()\n"
        "o = open('../outside.txt').read()\n"
        "setup(name='x', version=v, long_description='see README.md, not a file\\n',\n"
        "      description='missing.txt', install_requires=reqs)\n"
    )
    assert version_files(str(tmp_path)) == ("VERSION", "pkg/version.py", "requirements.txt")
    (tmp_path / "setup.py").write_text("setup(\n")  # the backend says what is wrong
    assert version_files(str(tmp_path)) == ()


def test_the_files_an_editable_wheel_copies_are_read(tmp_path: Path) -> None:
    """hatchling's force-include and shared-data; not setuptools' data-files (decision 272)."""
    for name in ("assets/a.bin", "share/x/t.txt", "share/x/deep/u.txt", "extra/r.txt", "c.dat"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.hatch.build.targets.wheel.force-include]\n"
        '"assets/a.bin" = "pkg/a.bin"\n"missing.bin" = "pkg/m.bin"\n"../up" = "pkg/up"\n'
        '[tool.hatch.build.targets.wheel.shared-data]\n"share" = "share"\n'
        '[tool.setuptools]\ndata-files = {"share/r" = ["extra/*.txt"]}\n'
    )
    (tmp_path / "setup.cfg").write_text("[options.data_files]\nshare/c = c.dat\n")
    assert version_files(str(tmp_path)) == (
        "assets/a.bin",
        "missing.bin",
        "share/x/deep/u.txt",
        "share/x/t.txt",
    )
