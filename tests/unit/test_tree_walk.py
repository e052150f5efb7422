"""A venv's tree digest read again only where a change touched it (``state.tree_walk``)."""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

from graft.venv.state import tree_digest, tree_walk, up_to_date, walk_digest

if TYPE_CHECKING:
    from pathlib import Path


def _venv(root: Path) -> Path:
    site = root / "lib" / "python3.11" / "site-packages"
    (site / "old-1.0.dist-info").mkdir(parents=True)
    (site / "old-1.0.dist-info" / "RECORD").write_text("old\n")
    (site / "keep-1.0.dist-info").mkdir()
    (site / "keep-1.0.dist-info" / "METADATA").write_text("keep\n")
    (site / "pkg" / "sub").mkdir(parents=True)
    (site / "pkg" / "sub" / "mod.py").write_text("")
    (site / "shared").mkdir()
    (site / "shared" / "a.py").write_text("")
    os.symlink("/store/old/old", site / "old")
    os.symlink("/store/keep/keep", site / "keep")
    (root / "bin").mkdir()
    (root / "bin" / "old-tool").write_text("#!python\n")
    (root / "pyvenv.cfg").write_text("home = /usr\n")
    return site


def test_a_walk_kept_outside_the_change_gives_the_fresh_digest(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    site = _venv(venv)
    before = tree_walk(str(venv))
    assert walk_digest(before) == tree_digest(str(venv))
    # a change as journal._finish makes one: destinations taken out, others put in
    (site / "old-1.0.dist-info" / "RECORD").rename(tmp_path / "trash-record")
    (site / "old-1.0.dist-info").rmdir()
    (site / "old").unlink()
    (venv / "bin" / "old-tool").unlink()
    (site / "new-2.0.dist-info" / "licenses").mkdir(parents=True)
    (site / "new-2.0.dist-info" / "licenses" / "LICENSE").write_text("MIT\n")
    os.symlink("/store/new/new", site / "new")
    (venv / "bin" / "new-tool").write_text("#!python\n")
    (site / "pkg").rename(tmp_path / "trash-pkg")  # a real directory replaced by a link
    os.symlink("/store/pkg/pkg", site / "pkg")
    (site / "shared").rename(tmp_path / "trash-shared")  # and one by another
    (site / "shared" / "b").mkdir(parents=True)
    (site / "shared" / "b" / "c.py").write_text("")
    rel = "lib/python3.11/site-packages"
    changed = [f"{rel}/{n}" for n in ("old-1.0.dist-info", "old", "new-2.0.dist-info", "new")]
    changed += ["bin/old-tool", "bin/new-tool", f"{rel}/pkg", f"{rel}/shared"]
    after = tree_walk(str(venv), before, changed)
    assert walk_digest(after) == tree_digest(str(venv))
    assert f"{rel}/pkg/sub" not in after
    assert f"{rel}/new-2.0.dist-info/licenses" in after
    assert f"{rel}/shared/b" in after
    assert after[f"{rel}/keep-1.0.dist-info"] is before[f"{rel}/keep-1.0.dist-info"]  # not read


def test_a_directory_changed_by_someone_else_meanwhile_makes_the_digest_stale(
    tmp_path: Path,
) -> None:
    site = _venv(tmp_path)
    before = tree_walk(str(tmp_path))
    (site / "keep-1.0.dist-info" / "INSTALLER").write_text("pip\n")  # not part of the change
    (tmp_path / "bin" / "old-tool").unlink()
    recorded = walk_digest(tree_walk(str(tmp_path), before, ["bin/old-tool"]))
    # recorded as it was: the next check reads the venv whole and finds it changed
    assert recorded != tree_digest(str(tmp_path))
    (site / "keep-1.0.dist-info" / "INSTALLER").unlink()
    assert recorded == tree_digest(str(tmp_path))


def test_a_configuration_file_rewritten_leaves_the_digest_a_file_elsewhere_does_not(
    tmp_path: Path,
) -> None:
    site = _venv(tmp_path)
    conf = tmp_path / "etc" / "tool" / "conf.d" / "tool.json"
    conf.parent.mkdir(parents=True)
    conf.write_text("{}\n")
    before = tree_digest(str(tmp_path))
    conf.write_text('{"enabled": false}\n')  # a tool's --sys-prefix setting
    assert tree_digest(str(tmp_path)) == before
    (conf.parent / "other.json").write_text("{}\n")  # a new file is seen
    assert tree_digest(str(tmp_path)) != before
    (conf.parent / "other.json").unlink()
    (site / "shared" / "a.py").write_text("changed = 1\n")  # outside etc/: seen
    assert tree_digest(str(tmp_path)) != before


def test_the_configuration_directory_is_named_once_for_the_planner_and_the_digest() -> None:
    from graft.plan.types import CONFIG_DIRS as PLANNED
    from graft.venv.state import CONFIG_DIRS

    assert CONFIG_DIRS == PLANNED


def test_the_digest_is_blake2b_of_the_walk_s_lines_tagged(tmp_path: Path) -> None:
    # decision 502: CPython's own BLAKE2b, ~3 times faster than its own SHA-256
    _venv(tmp_path)
    walk = tree_walk(str(tmp_path))
    lines = "".join(line for line, _ in walk.values()).encode()
    expected = "b2:" + hashlib.blake2b(lines, digest_size=32).hexdigest()
    assert tree_digest(str(tmp_path)) == expected
    assert walk_digest(walk) == expected
    assert walk_digest(walk, expected) == expected


def test_a_venv_recorded_by_graft_before_is_checked_by_its_sha_256(tmp_path: Path) -> None:
    # decision 502: a bare hex graft-tree (graft before it) still says the venv is as graft
    # left it, so that an upgrade rebuilds no venv; a change since is seen in either form
    site = _venv(tmp_path)
    lines = "".join(line for line, _ in tree_walk(str(tmp_path)).values()).encode()
    before = hashlib.sha256(lines).hexdigest()
    assert tree_digest(str(tmp_path), like=before) == before
    assert walk_digest(tree_walk(str(tmp_path)), before) == before
    tagged = tree_digest(str(tmp_path))
    (site / "keep-1.0.dist-info" / "INSTALLER").write_text("pip\n")
    assert tree_digest(str(tmp_path), like=before) != before
    assert tree_digest(str(tmp_path), like=tagged) != tagged


def test_a_venv_recorded_by_graft_before_is_up_to_date(tmp_path: Path) -> None:
    """A guard (passes on the code before decision 502): the no-op's check of a venv whose
    ``graft-tree`` is a bare SHA-256, as graft before it wrote."""
    _venv(tmp_path)
    lines = "".join(line for line, _ in tree_walk(str(tmp_path)).values()).encode()
    config = tmp_path / "pyvenv.cfg"
    state = f"graft-inputs = i\ngraft-tree = {hashlib.sha256(lines).hexdigest()}\n"
    config.write_text(config.read_text() + state)
    assert up_to_date(str(tmp_path), "i") is not None
    (tmp_path / "bin" / "old-tool").unlink()
    assert up_to_date(str(tmp_path), "i") is None
