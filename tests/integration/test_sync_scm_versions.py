"""A project whose version its git repository gives (setuptools-scm; decision 263).

A tag or a commit changes such a version without any file of the tree: the build keys and
the memo read the git state, so an editable project is built again after ``git tag`` (as pip
and ``uv pip install -e`` build it every time), and so is a project directory installed
whole. The backends come from a find-links directory (tests/support/pypifiles.py; offline,
skipped).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from typing import TYPE_CHECKING

import pytest

from tests.integration.test_sync_builds import aged, py, recalled, sync
from tests.support.pypifiles import PACKAGING, SETUPTOOLS, SETUPTOOLS_SCM, release_files

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

VERSION = "import importlib.metadata as m; print(m.version('scmv'))"


def git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def scm_project(root: Path) -> Path:
    """A setuptools project versioned by setuptools-scm, committed and tagged v1.0."""
    (root / "scmv").mkdir(parents=True)
    (root / "scmv" / "__init__.py").write_text("X = 1\n")
    (root / ".gitignore").write_text("*.egg-info/\nbuild/\n")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["setuptools>=64", "setuptools-scm>=8"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "scmv"
            dynamic = ["version"]
            [tool.setuptools]
            packages = ["scmv"]
            [tool.setuptools_scm]
            """
        )
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one")
    git(root, "tag", "v1.0")
    aged(root)
    return root


def test_an_editable_projects_version_from_git_moves_with_a_tag(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """An empty commit tagged v1.1: no file changed, the memo and the key see it, 1.1 is built."""
    links = release_files(SETUPTOOLS, SETUPTOOLS_SCM, PACKAGING)
    root = scm_project(tmp_path / "scmv")
    venv = tmp_path / "v"
    sync(venv, store_dir, links, "-e", root, "-v")
    assert py(venv, VERSION) == "1.0"
    assert recalled(sync(venv, store_dir, links, "-e", root, "-v"))
    git(root, "commit", "-q", "--allow-empty", "-m", "two")
    git(root, "tag", "v1.1")
    aged(root)  # (git's files too: a memo is not left for files changed a moment ago)
    run = sync(venv, store_dir, links, "-e", root, "-v")
    assert not recalled(run)
    assert "graft: built scmv-1.1" in run.stderr
    assert " ~ scmv 1.0 -> 1.1 (upgraded)" in run.stderr
    assert py(venv, VERSION) == "1.1"
    assert recalled(sync(venv, store_dir, links, "-e", root, "-v"))


def test_a_project_directorys_version_from_git_moves_with_a_commit(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """An empty commit changes no file but the version (1.0 -> 1.1.dev1+g…): built again."""
    links = release_files(SETUPTOOLS, SETUPTOOLS_SCM, PACKAGING)
    root = scm_project(tmp_path / "scmv")
    venv = tmp_path / "v"
    sync(venv, store_dir, links, root)
    assert py(venv, VERSION) == "1.0"
    git(root, "commit", "-q", "--allow-empty", "-m", "two")
    run = sync(venv, store_dir, links, root, "-v")
    assert "graft: built scmv-1.1.dev1+g" in run.stderr
    assert py(venv, VERSION).startswith("1.1.dev1+g")
