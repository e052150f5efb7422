"""The files a project's dynamic version is read from, per backend (decision 170)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from graft.build.cache import editable_key
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
