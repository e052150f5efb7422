from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import settings

from graft._home import TOOL_VARIABLES
from graft.store import seal

# No timed assertions: hypothesis's default deadline (200 ms an example) fails a property on
# a loaded machine (test_surface's, at 298 ms under a load of 13 on two cores), which says
# nothing about graft. Tests that set their own settings keep them. The profile's parent is
# the one hypothesis loaded for the environment: where a CI variable is set (CI, GITHUB_ACTIONS,
# ...), its "ci" profile, so derandomized (a test's examples fixed by its own source), with no
# example database and too_slow suppressed; elsewhere a random seed each run, failures kept in
# .hypothesis/ and replayed first (decision 497).
settings.register_profile("graft", deadline=None)
settings.load_profile("graft")

_COLLECTION_CACHE = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def graft_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache dir (targets, venv templates, index pages) for the whole session."""
    path = tmp_path_factory.mktemp("graft-cache")
    os.environ["GRAFT_CACHE_DIR"] = str(path)
    return path


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A graft cache of this test's own: built wheels and downloads are not shared.

    (It stands in for pytest's own ``cache`` fixture, which no test here uses.)
    """
    path = tmp_path / "cache"
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(path))
    return path


@pytest.fixture
def store_dir(tmp_path: Path, graft_cache: Path) -> Iterator[Path]:
    """A fresh store; unsealed and removed afterwards (it may carry the immutable attribute)."""
    path = tmp_path / "store"
    yield path
    seal.remove_tree(str(path))


#: the signals graft handles (``graft.cli.interrupt.SIGNALS``) with their actions as a
#: Python process starts with them
_AT_START: dict[int, Callable[[int, FrameType | None], object] | int] = {
    signal.SIGINT: signal.default_int_handler,
    signal.SIGTERM: signal.SIG_DFL,
    signal.SIGHUP: signal.SIG_DFL,
}


@pytest.fixture(autouse=True)
def _signals_given_back() -> Iterator[None]:
    """Each test gives back the handlers of graft's signals that it found.

    A test that runs the console script's entry in this process leaves its fast paths'
    handler, and a later test of the handlers, in the same worker, saw it (two
    order-dependent failures: decision 269's amendments).
    """
    found = {signum: signal.getsignal(signum) for signum in _AT_START}
    yield
    for signum, handler in found.items():
        if signal.getsignal(signum) is not handler:
            signal.signal(signum, handler)


@pytest.fixture
def signals_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Graft's signals with the actions a process starts with, and no signal recorded yet.

    (:func:`_signals_given_back` gives back what was there before.)
    """
    from graft import _interrupted

    monkeypatch.setattr(_interrupted, "CHANGED", [])
    monkeypatch.setattr(_interrupted, "SIGNALLED", [])
    for signum, handler in _AT_START.items():
        signal.signal(signum, handler)


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    path = tmp_path / "wheels"
    path.mkdir()
    return path


def run_graft(
    *args: str | Path, check: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would (*stdin*: its standard input)."""
    proc = subprocess.run(
        [sys.executable, "-m", "graft", *map(str, args)],
        input=stdin,
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


def pytest_configure(config: pytest.Config) -> None:
    """A cache of graft's own while modules are collected (``matrix()`` at import time).

    Until :func:`graft_cache` names the session's, graft would cache targets under the
    user's home; this one goes when the run ends (:func:`pytest_unconfigure`).
    """
    for name in TOOL_VARIABLES:  # pip's and uv's: the user's,
        os.environ.pop(name, None)  # never a test's (graft refuses or warns: decision 115)
    os.environ.pop("GRAFT_PYTHON", None)  # --python's default (decision 119): a test says its own
    os.environ["GRAFT_NO_CONFIG"] = "1"  # nor a .python-version above a test's directory (246)
    if "GRAFT_CACHE_DIR" not in os.environ:
        path = tempfile.mkdtemp(prefix="graft-test-cache-")
        os.environ["GRAFT_CACHE_DIR"] = config.stash[_COLLECTION_CACHE] = path


def pytest_unconfigure(config: pytest.Config) -> None:
    path = config.stash.get(_COLLECTION_CACHE, None)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Clear the immutable attribute below this run's temporary directory, once, at the end.

    Tests that seal stores in ``tmp_path`` without :func:`store_dir` leave immutable files,
    which pytest cannot remove when it rotates old temporary directories (they piled up as
    ``garbage-*`` directories, tens of GB). Each xdist worker clears its own directory.
    """
    config = session.config
    factory = getattr(config, "_tmp_path_factory", None)
    basetemp = getattr(factory, "_basetemp", None)
    if basetemp is None or os.geteuid() != 0:
        return
    chattr = shutil.which("chattr")
    if chattr is not None:
        subprocess.run([chattr, "-R", "-f", "-i", str(basetemp)], check=False)
