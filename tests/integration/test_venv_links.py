"""A venv named by a symbolic link is the venv it leads to, as uv and pip take it (decision 112).

graft builds beside that directory and swaps it by rename; the link is never replaced.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graft.venv.state import recorded_state
from tests.conftest import run_graft
from tests.integration.test_crash import staging_dirs
from tests.integration.test_warm import aged
from tests.support.importtime import graft_imports
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def wheels_dir(wheels: Path) -> Path:
    make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": "G = 1\n"})
    make_wheel(wheels, "delta", "1.0", {"delta.py": "D = 4\n"})
    aged(*wheels.iterdir(), wheels)  # (not "racy": the stamps may answer)
    return wheels


def _sync(venv: Path, wheels: Path, store: Path, *names: str) -> list[str | Path]:
    return ["sync", venv, *names, "--no-index", "--find-links", wheels, "--store", store]


def test_a_link_to_a_venv_syncs_the_venv_and_stays_a_link(
    tmp_path: Path, store_dir: Path, wheels_dir: Path
) -> None:
    real = tmp_path / "venvs" / "project"
    run_graft(*_sync(real, wheels_dir, store_dir, "gamma"))
    link = tmp_path / ".venv"
    link.symlink_to("venvs/project")
    inode = real.stat().st_ino
    # changed in place, then rebuilt whole: through the link, the link itself untouched
    changed = run_graft(*_sync(link, wheels_dir, store_dir, "gamma", "delta"), "-v").stderr
    assert "update (incremental)" in changed
    assert f"synced {real}:" in changed
    run_graft(*_sync(link, wheels_dir, store_dir, "delta"), "--reinstall")
    assert os.readlink(link) == "venvs/project"
    assert real.stat().st_ino != inode  # (the directory was swapped, not the link)
    assert py(link, "import delta; print(delta.D)") == "4"
    assert not (site(real) / "gamma").exists()
    assert recorded_state(str(real))["graft-plan"].endswith(f" {real}")
    assert staging_dirs(real) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("..venv")] == []
    assert "already in sync" in run_graft(*_sync(link, wheels_dir, store_dir, "delta")).stderr
    said, modules = graft_imports(*_sync(link, wheels_dir, store_dir, "delta"))
    assert f"already in sync: {real}:" in said
    assert "graft.sync" not in modules  # (the no-op's stamp answered)


def test_the_no_op_stamp_of_a_link_answers_only_while_it_leads_to_the_same_venv(
    tmp_path: Path, store_dir: Path, wheels_dir: Path
) -> None:
    one, two, link = tmp_path / "one", tmp_path / "two", tmp_path / "link"
    run_graft(*_sync(one, wheels_dir, store_dir, "gamma"))
    run_graft(*_sync(two, wheels_dir, store_dir, "delta"))
    link.symlink_to(one)
    run_graft(*_sync(link, wheels_dir, store_dir, "gamma"))  # (in sync: leaves the stamp)
    assert "already in sync" in run_graft(*_sync(link, wheels_dir, store_dir, "gamma")).stderr
    link.unlink()
    link.symlink_to(two)
    said = run_graft(*_sync(link, wheels_dir, store_dir, "gamma")).stderr
    assert f"synced {two}:" in said
    assert py(two, "import gamma; print(gamma.G)") == "1"
    assert py(one, "import gamma; print(gamma.G)") == "1"  # (the other venv untouched)


def test_a_link_to_nothing_is_refused_saying_so(
    tmp_path: Path, store_dir: Path, wheels_dir: Path
) -> None:
    link = tmp_path / "link"
    link.symlink_to("nowhere")
    proc = run_graft(*_sync(link, wheels_dir, store_dir, "gamma"), check=False)
    assert proc.returncode == 1, proc.stderr
    said = f"{link}: is a symbolic link to nowhere, which is not a directory"
    hint = "(make the venv where it leads, or give another path)"
    assert proc.stderr.strip().splitlines() == [f"graft: error: {said} {hint}"]
    assert link.is_symlink()
    assert not (tmp_path / "nowhere").exists()
