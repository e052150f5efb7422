"""``graft sync --dry-run`` says what a sync would do to the venv itself, and refuses as it does.

Each test runs a dry run and a real sync on the same inputs and compares them: the ``~``
lines of what changes of the venv (its interpreter, its prompt, a rebuild of a venv changed
by hand or marked stale) and the one-line error and exit status of a destination the sync
refuses; the dry run leaves the venv, the store and the destination as they were
(decision 160).
"""

# ruff: noqa: F811 - the fixture `pkgs` is test_venv_safety's, imported by name

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.integration.test_dry_run import snapshot
from tests.integration.test_venv_safety import _another_python, pkgs  # noqa: F401 - a fixture
from tests.support.venv import site
from tests.support.wheelmaker import make_wheel


def _graft(venv: Path, store: Path, *args: str | Path, check: bool = True) -> tuple[int, str, str]:
    proc = run_graft("sync", venv, *args, "--store", store, check=check)
    return proc.returncode, proc.stdout, proc.stderr


def _tilde(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(" ~ ")]


def _dry_then_real(venv: Path, store: Path, *args: str | Path) -> tuple[list[str], list[str]]:
    """The ``~`` lines of a dry run and of the sync after it; the dry run changed nothing.

    Their ``--json`` ``venv_changes`` agree with them (the dry run's, asked for first).
    """
    held, stored = snapshot(venv), snapshot(store)
    dry = _graft(venv, store, *args, "--dry-run")[2]
    data = json.loads(_graft(venv, store, *args, "--dry-run", "--json")[1])
    assert (snapshot(venv), snapshot(store)) == (held, stored)
    assert [f" ~ {c}" for c in data["venv_changes"]] == _tilde(dry)
    assert data["in_sync"] is False
    real = _graft(venv, store, *args)[2]
    return _tilde(dry), _tilde(real)


def test_a_dry_run_says_the_interpreter_and_the_prompt_it_would_change(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    # it said nothing of them: only a real sync's summary had `~ python A -> B`
    other = _another_python()
    venv = tmp_path / "v"
    _graft(venv, store_dir, pkgs["gamma"], "--python", other, "--prompt", "one")
    args = (pkgs["gamma"], "--python", sys.executable, "--prompt", "two")
    dry, real = _dry_then_real(venv, store_dir, *args)
    assert dry == real
    ours = ".".join(map(str, sys.version_info[:3]))
    assert real[0].startswith(" ~ python 3.")
    assert real[0].endswith(f" -> {ours}")
    assert real[1:] == [" ~ prompt 'one' -> 'two'"]
    # a user's module in the previous interpreter's library: the same warning in both
    mine = site(venv) / "mine.py"
    mine.write_text("X = 1\n")
    said = _graft(venv, store_dir, pkgs["gamma"], "--python", other, "--dry-run")[2]
    warned = [line for line in said.splitlines() if "warning" in line]
    said = _graft(venv, store_dir, pkgs["gamma"], "--python", other)[2]
    assert warned
    assert [line for line in said.splitlines() if "warning" in line] == warned


def test_a_dry_run_says_a_venv_changed_by_hand_or_marked_stale_would_be_rebuilt(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    # it said nothing at all: not in sync, and no distribution to add or remove
    from graft.venv.staleness import mark_stale

    venv = tmp_path / "v"
    _graft(venv, store_dir, pkgs["gamma"])
    activate = venv / "bin" / "activate"
    activate.write_text(activate.read_text() + "export MINE=1\n")  # (kept: decision 109)
    dry, real = _dry_then_real(venv, store_dir, pkgs["gamma"])
    assert dry == real == [" ~ rebuilt: changed since graft made it"]
    assert activate.read_text().endswith("export MINE=1\n")
    assert mark_stale(str(venv))
    dry, real = _dry_then_real(venv, store_dir, pkgs["gamma"])
    assert dry == real == [" ~ rebuilt: marked stale by `graft store repair`"]
    assert "would make no changes" in _graft(venv, store_dir, pkgs["gamma"], "--dry-run")[2]


def test_a_venv_moved_to_another_path_is_said_to_be_rebuilt(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    """Decision 238(d): a venv moved (``mv v w``) is rebuilt at its new path (its scripts
    name the path), and the sync and its dry run say so as of any other rebuild; both said
    nothing (no distribution changes)."""
    venv, moved = tmp_path / "v", tmp_path / "w"
    _graft(venv, store_dir, pkgs["gamma"])
    venv.rename(moved)
    dry, real = _dry_then_real(moved, store_dir, pkgs["gamma"])
    assert dry == real == [f" ~ rebuilt: moved from {venv}"]
    assert str(moved) in (moved / "bin" / "activate").read_text()
    assert "would make no changes" in _graft(moved, store_dir, pkgs["gamma"], "--dry-run")[2]


def _refusals(venv: Path, store: Path, *args: str | Path) -> str:
    """The one-line error a dry run and a sync both give (status 1); the dry run writes nothing.

    (Nothing below the test's directory, which holds the venv, the store and the wheels.)
    """
    root = next(p for p in venv.parents if p.name.startswith("test_"))
    before = snapshot(root)
    code, out, dry = _graft(venv, store, *args, "--dry-run", check=False)
    assert (code, out) == (1, ""), dry
    assert snapshot(root) == before
    code, _, real = _graft(venv, store, *args, check=False)
    assert code == 1, real
    assert dry == real
    (line,) = real.splitlines()
    assert line.startswith("graft: error: ")
    return line


def test_a_dry_run_refuses_every_destination_the_sync_refuses(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    # it printed a plan for each, exit status 0
    gamma = pkgs["gamma"]
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine\n")
    assert "is not a virtual environment" in _refusals(mine, store_dir, gamma)
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert "exists and is not a directory" in _refusals(afile, store_dir, gamma)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    assert "is a symbolic link to" in _refusals(dangling, store_dir, gamma)
    below = afile / "sub" / "v"  # its parent cannot be made (said before anything: 343)
    on_its_path = "a file stands on its path where a directory is needed"
    assert on_its_path in _refusals(below, store_dir, gamma)
    assert on_its_path in _refusals(afile / "v", store_dir, gamma)
    a_store = tmp_path / "a-store"
    a_store.write_text("x")
    line = _refusals(tmp_path / "v", a_store, gamma)
    assert line.startswith(f"graft: error: {a_store}: is a file, not a directory")
    # a venv another tool made, holding more of a user's files than a rebuild keeps
    made = tmp_path / "made"
    _graft(made, store_dir, gamma)
    tree = made / "project"
    tree.mkdir()
    for n in range(1001):
        (tree / f"f{n}").write_text("")
    assert "graft keeps at most 1000 of a user's files" in _refusals(made, store_dir, gamma)
    fifo = made / "pipe"
    os.mkfifo(fifo)
    for item in tree.iterdir():
        item.unlink()
    assert "neither a file, a directory nor a link" in _refusals(made, store_dir, gamma)


def test_a_dry_run_refuses_a_user_file_where_the_new_venv_links_to_the_store(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    # a refusal only the plan tells: pkg/ is real with two wheels, one link with one of them
    core = make_wheel(wheels, "pkg-core", "1.0", {"pkg/__init__.py": "", "pkg/core.py": ""})
    extra = make_wheel(wheels, "pkg-extra", "1.0", {"pkg/extra.py": ""})
    venv = tmp_path / "venv"
    _graft(venv, store_dir, core, extra)
    (site(venv) / "pkg" / "mine.py").write_text("M = 1\n")
    line = _refusals(venv, store_dir, core)
    assert "pkg/mine.py" in line
    assert "to the store" in line
    # with wheels the store lacks there is no plan: the dry run says so, the sync refuses
    gamma = make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": ""})
    code, out, _ = _graft(venv, store_dir, core, gamma, "--dry-run")
    assert (code, out.splitlines()[-1].endswith("not planned: 1 wheel not in the store")) == (
        0,
        True,
    )


@pytest.mark.parametrize("mode", ["copy", "hardlink"])
def test_a_dry_run_keeps_a_user_file_the_sync_keeps(
    tmp_path: Path, store_dir: Path, wheels: Path, mode: str
) -> None:
    # the control: without directory links pkg/ stays a real directory, so both keep mine.py
    core = make_wheel(wheels, "pkg-core", "1.0", {"pkg/__init__.py": "", "pkg/core.py": ""})
    extra = make_wheel(wheels, "pkg-extra", "1.0", {"pkg/extra.py": ""})
    venv = tmp_path / "venv"
    _graft(venv, store_dir, core, extra, "--link-mode", mode)
    (site(venv) / "pkg" / "mine.py").write_text("M = 1\n")
    code, _, dry = _graft(venv, store_dir, core, "--link-mode", mode, "--dry-run")
    assert code == 0
    real = _graft(venv, store_dir, core, "--link-mode", mode)[2]
    assert dry.splitlines() == real.splitlines()[:-1]  # (the sync's summary line last)
    assert dry.splitlines() == [" - pkg-extra==1.0", " ~ rebuilt: changed since graft made it"]
    assert (site(venv) / "pkg" / "mine.py").read_text() == "M = 1\n"
