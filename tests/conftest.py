from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graft.store import seal


@pytest.fixture(scope="session")
def graft_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache dir (targets, venv templates, index pages) for the whole session."""
    path = tmp_path_factory.mktemp("graft-cache")
    os.environ["GRAFT_CACHE_DIR"] = str(path)
    return path


@pytest.fixture
def store_dir(tmp_path: Path, graft_cache: Path) -> Iterator[Path]:
    """A fresh store; unsealed and removed afterwards (it may carry the immutable attribute)."""
    path = tmp_path / "store"
    yield path
    seal.remove_tree(str(path))


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    path = tmp_path / "wheels"
    path.mkdir()
    return path


def run_graft(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "graft", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ},
    )
    if check and proc.returncode != 0:
        msg = f"graft {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}"
        raise AssertionError(msg)
    return proc


@pytest.fixture
def graft() -> object:
    return run_graft
