"""The swap of a rebuilt venv cut short: by Ctrl-C, or by a kill between two renames.

After the swap the old venv is read again for a user's files the new one lacks
(decision 86). Ctrl-C there removed the old venv unread and left the new one, while graft
said "nothing was changed"; on a kernel or filesystem without ``renameat2`` (two renames:
the venv aside, then the new one in), it left no venv at all, and the next sync swept the
set-aside old venv, a user's files with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graft.cli.main import main
from graft.store import seal
from graft.venv import materialize
from tests.conftest import run_graft
from tests.integration.test_crash import staging_dirs
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def pkgs(wheels: Path) -> dict[str, Path]:
    return {
        "alpha": make_wheel(wheels, "alpha", "1.0", {"alpha/__init__.py": "VALUE = 1\n"}),
        "gamma": make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": "G = 1\n"}),
    }


def _venv_with_notes(tmp_path: Path, store: Path, pkgs: dict[str, Path]) -> Path:
    venv = tmp_path / "venv"
    run_graft("sync", venv, pkgs["alpha"], "--store", store)
    (venv / "notes.txt").write_text("mine\n")
    return venv


def _sync_gamma(venv: Path, store: Path, pkgs: dict[str, Path], *extra: str) -> int:
    """``graft sync VENV gamma`` in this process (what is patched here holds): its status."""
    return main(["sync", str(venv), str(pkgs["gamma"]), "--store", str(store), *extra])


def _is_the_old_venv(venv: Path) -> None:
    assert (venv / "notes.txt").read_text() == "mine\n"
    assert py(venv, "import alpha; print(alpha.VALUE)") == "1"
    assert py(venv, "import importlib.util as u; print(u.find_spec('gamma'))") == "None"
    assert staging_dirs(venv) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_ctrl_c_while_the_old_venv_is_read_again_puts_it_back(
    tmp_path: Path,
    store_dir: Path,
    pkgs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    exchange: bool,
) -> None:
    venv = _venv_with_notes(tmp_path, store_dir, pkgs)

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(materialize, "_refuse_if_lost", interrupted)
    if not exchange:
        monkeypatch.setattr(materialize, "_exchange", lambda *_: False)
    assert _sync_gamma(venv, store_dir, pkgs) == 130
    assert capsys.readouterr().err == "graft: interrupted; nothing was changed\n"
    _is_the_old_venv(venv)


KILLED_BETWEEN_THE_RENAMES = """
import os, sys
from graft.cli.main import main
from graft.venv import materialize
materialize._exchange = lambda *_: False  # no renameat2: the venv aside, then the new one in
materialize._refuse_if_lost = lambda *_: os._exit(137)  # killed between the two renames
sys.exit(main(sys.argv[1:]))
"""


def test_a_kill_between_the_two_renames_leaves_the_old_venv_to_the_next_sync(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _venv_with_notes(tmp_path, store_dir, pkgs)
    args = ("sync", venv, pkgs["gamma"], "--store", store_dir)
    cmd = [sys.executable, "-c", KILLED_BETWEEN_THE_RENAMES, *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env={**os.environ})
    assert proc.returncode == 137, proc.stderr
    assert not venv.exists()  # the old venv is set aside, the new one not yet in
    (aside,) = [p for p in tmp_path.iterdir() if p.name.endswith("-old")]
    assert (aside / "notes.txt").read_text() == "mine\n"

    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert (venv / "notes.txt").read_text() == "mine\n"  # kept: the old venv was put back
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    assert staging_dirs(venv) == []


def test_ctrl_c_after_the_swap_says_the_venv_was_synced(
    tmp_path: Path,
    store_dir: Path,
    pkgs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C while the previous venv is removed after the swap: the new venv is in place and
    complete, so "nothing was changed" would be false (it was said); the next sync tidies up."""
    venv = _venv_with_notes(tmp_path, store_dir, pkgs)
    removed = seal.remove_tree

    def interrupted(path: str, *, sealed: bool) -> None:
        if os.path.basename(path).startswith(".venv.graft-") and venv.exists():
            raise KeyboardInterrupt
        removed(path, sealed=sealed)

    monkeypatch.setattr(seal, "remove_tree", interrupted)
    assert _sync_gamma(venv, store_dir, pkgs) == 130
    assert (
        capsys.readouterr().err == f"graft: interrupted after {venv} was synced; it is complete\n"
    )
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    assert (venv / "notes.txt").read_text() == "mine\n"
    monkeypatch.undo()
    assert _sync_gamma(venv, store_dir, pkgs, "-q") == 0
    assert staging_dirs(venv) == []
