"""The store trusts nothing it did not check: its directories, lock files, entries, memos.

Each test plants what a careless tool or another user could leave in or around a store and
checks that graft refuses in one line (or ignores the planted file), never following it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graft.store import file_sha256
from tests.conftest import run_graft
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def alpha(wheels: Path) -> Path:
    return make_wheel(wheels, "alpha", "1.0", {"alpha/__init__.py": "A = 1\n"})


def sync(venv: Path, store: Path, *wheels: Path, check: bool = True) -> tuple[int, str]:
    proc = run_graft("sync", venv, *wheels, "--store", store, "--no-deps", "-q", check=check)
    return proc.returncode, proc.stderr


def one_line_error(stderr: str, *needles: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("graft: error:"), stderr
    for needle in needles:
        assert needle in lines[0], stderr


# -- lock files are never opened through a link -------------------------------------------------


def test_a_venv_lock_planted_as_a_symlink_is_refused(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    victim = tmp_path / "victim"  # does not exist: opening through the link would create it
    (tmp_path / ".venv.graft-lock").symlink_to(victim)
    code, err = sync(tmp_path / "venv", store_dir, alpha, check=False)
    assert code == 1
    one_line_error(err, ".venv.graft-lock", "symbolic link")
    assert not os.path.lexists(victim)


def test_an_entry_lock_planted_as_a_symlink_is_refused(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me\n")
    (store_dir / "locks").mkdir(parents=True)
    (store_dir / "locks" / f"{file_sha256(str(alpha))}.lock").symlink_to(victim)
    code, err = sync(tmp_path / "venv", store_dir, alpha, check=False)
    assert code == 1
    one_line_error(err, f"{file_sha256(str(alpha))}.lock", "symbolic link")
    assert victim.read_text() == "keep me\n"
    assert not (tmp_path / "venv").exists()


def test_the_gc_lock_planted_as_a_fifo_is_refused(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    (store_dir / "locks").mkdir(parents=True)
    os.mkfifo(store_dir / "locks" / "gc.lock")  # opening a FIFO for reading waits for a writer
    code, err = sync(tmp_path / "venv", store_dir, alpha, check=False)
    assert code == 1
    one_line_error(err, "gc.lock", "not a regular file")
