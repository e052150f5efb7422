"""Which projects take their version from git, and the git files it is read from (decision 263)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from graft.build.scm_version import git_reads, git_state, scm_versioned
from graft.build.source_key import editable_key, tree_key

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        ({"build-system": {"requires": ["setuptools>=64", "setuptools_scm[toml]>=8"]}}, True),
        ({"build-system": {"requires": ["hatchling", "hatch-vcs"]}}, True),
        ({"build-system": {"requires": ["pdm-backend"]}, "tool": {"pdm": {"version": {}}}}, False),
        (
            {
                "build-system": {"requires": ["pdm-backend"]},
                "tool": {"pdm": {"version": {"source": "scm"}}},
            },
            True,
        ),
        (
            {
                "build-system": {"requires": ["hatchling"]},
                "tool": {"hatch": {"version": {"source": "vcs"}}},
            },
            True,
        ),
        ({"build-system": {"requires": ["setuptools"]}, "tool": {"setuptools_scm": {}}}, True),
        ({"build-system": {"requires": ["setuptools", "versioningit"]}}, True),
        ({"build-system": {"requires": ["flit_core>=3.4"]}}, False),
        ({"build-system": {"requires": ["setuptools>=61", "not a requirement ["]}}, False),
        # a static version is never VCS's, whatever the build requires
        ({"build-system": {"requires": ["setuptools-scm"]}, "project": {"version": "1.0"}}, False),
    ],
)
def test_a_version_from_vcs_is_detected_from_the_projects_configuration(
    tmp_path: Path, pyproject: dict[str, Any], *, expected: bool
) -> None:
    assert scm_versioned(str(tmp_path), pyproject) is expected


def test_a_legacy_setup_py_naming_setuptools_scm_is_detected(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text(
        "from setuptools import setup\nsetup(use_scm_version=True)\n"
    )
    assert scm_versioned(str(tmp_path), {})
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup(version='1.0')\n")
    assert not scm_versioned(str(tmp_path), {})
    # a pyproject.toml with [build-system] decides; its setup.py is not read
    (tmp_path / "setup.py").write_text("setup(use_scm_version=True)\n")
    assert not scm_versioned(str(tmp_path), {"build-system": {"requires": ["setuptools"]}})


def _repo(git_dir: Path, head: str = "ref: refs/heads/main\n") -> None:
    (git_dir / "refs" / "heads").mkdir(parents=True)
    (git_dir / "refs" / "tags").mkdir()
    (git_dir / "HEAD").write_text(head)
    (git_dir / "refs" / "heads" / "main").write_text("1" * 40 + "\n")


def test_git_reads_finds_the_repository_above_the_project(tmp_path: Path) -> None:
    _repo(tmp_path / ".git")
    project = tmp_path / "packages" / "lib"
    project.mkdir(parents=True)
    git = tmp_path / ".git"
    assert git_reads(str(project)) == (
        ("optional", str(git / "HEAD")),
        ("optional", str(git / "refs" / "heads" / "main")),
        ("optional", str(git / "packed-refs")),
        ("listing", str(git / "refs" / "tags")),
    )


def test_git_reads_follows_a_worktrees_git_file_and_commondir(tmp_path: Path) -> None:
    common = tmp_path / "main" / ".git"
    _repo(common)
    worktree_dir = common / "worktrees" / "wt"
    worktree_dir.mkdir(parents=True)
    (worktree_dir / "HEAD").write_text("ref: refs/heads/feature\n")
    (worktree_dir / "commondir").write_text("../..\n")
    project = tmp_path / "wt"
    project.mkdir()
    (project / ".git").write_text(f"gitdir: {worktree_dir}\n")
    reads = {path: kind for kind, path in git_reads(str(project))}
    assert reads == {
        str(worktree_dir / "HEAD"): "optional",
        str(common / "refs" / "heads" / "feature"): "optional",
        str(common / "packed-refs"): "optional",
        str(common / "refs" / "tags"): "listing",
    }


def test_a_detached_head_names_no_ref_and_a_tree_outside_git_none(tmp_path: Path) -> None:
    _repo(tmp_path / "r" / ".git", head="1" * 40 + "\n")
    assert [kind for kind, _ in git_reads(str(tmp_path / "r"))] == [
        "optional",
        "optional",
        "listing",
    ]
    (tmp_path / "plain").mkdir()
    assert git_reads(str(tmp_path / "plain")) == () or (tmp_path / ".git").exists()


def test_the_keys_move_with_a_commit_or_a_tag_and_not_without_vcs(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    _repo(git)
    (tmp_path / "pkg.py").write_text("X = 1\n")
    reads = git_reads(str(tmp_path))
    keys = {
        (
            tree_key(str(tmp_path), git_state(reads)),
            editable_key(str(tmp_path), scm=git_state(reads)),
        )
    }
    (git / "refs" / "tags" / "v1.1").write_text("1" * 40 + "\n")  # a tag
    keys.add(
        (
            tree_key(str(tmp_path), git_state(reads)),
            editable_key(str(tmp_path), scm=git_state(reads)),
        )
    )
    (git / "refs" / "heads" / "main").write_text("2" * 40 + "\n")  # a commit
    keys.add(
        (
            tree_key(str(tmp_path), git_state(reads)),
            editable_key(str(tmp_path), scm=git_state(reads)),
        )
    )
    assert len(keys) == 3
    assert len({tree for tree, _ in keys}) == 3
    # a project without a version from VCS keeps the keys it had: the git state is not read
    assert tree_key(str(tmp_path)) == tree_key(str(tmp_path), b"")
    assert tree_key(str(tmp_path)) not in {tree for tree, _ in keys}
