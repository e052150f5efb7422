"""build/source_key: a tree's source key is what every recorded build of it is found by."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.build.source_key import sdist_key, tree_key

if TYPE_CHECKING:
    from pathlib import Path


def small_tree(root: Path) -> Path:
    """A project tree with a module, an executable, a link, VCS data and build output."""
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("x = 1\n")
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    (root / "link.py").symlink_to("pkg/__init__.py")
    (root / "pyproject.toml").write_text('[project]\nname="a"\n')
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("junk\n")  # (left out: VCS data)
    (root / "build").mkdir()
    (root / "build" / "x").write_text("out\n")  # (left out: build output at the top)
    return root


def test_the_source_keys_are_those_earlier_releases_recorded_builds_under(tmp_path: Path) -> None:
    # Computed by graft.build.cache before the keys moved to their own module (decision 333):
    # another key here would leave every build recorded under the old one unfound.
    root = str(small_tree(tmp_path / "t"))
    assert tree_key(root) == "tree-6fccd861ec2bf1a5a8c27cf192d40f878f7df49acd3a8038"
    assert tree_key(root, b"HEAD abc") == "tree-d45be02a3c1c6289af7d6f85cd6da888e38e2294e7336efe"
    assert sdist_key("ab" * 32) == "sdist-" + "ab" * 32


def test_what_the_tree_key_leaves_out_does_not_change_it(tmp_path: Path) -> None:
    root = small_tree(tmp_path / "t")
    before = tree_key(str(root))
    (root / ".git" / "HEAD").write_text("other\n")
    (root / "build" / "y").write_text("more output\n")
    assert tree_key(str(root)) == before
    os.chmod(root / "run.sh", 0o644)  # the executable bit is keyed
    assert tree_key(str(root)) != before
