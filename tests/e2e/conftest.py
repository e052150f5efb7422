"""Fixtures for the end-to-end corpus tests.

Run (warm cache: ``python tests/e2e/wheelcache.py``)::

    pytest -m e2e -n 2 --dist loadgroup tests/e2e

``--dist loadgroup`` keeps every test of one corpus set on one worker, so each set's flat
reference and graft venv are built once. Without xdist everything runs in one process.

Environment:
    GRAFT_CORPUS      corpus directory (default: tests/corpus, committed)
    GRAFT_TEST_CACHE  download cache (default: ~/.cache/graft-tests), wheels in wheels/<set>/
"""

from __future__ import annotations

import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .harness import CorpusEnvs
from .venvs import Venv, run_graft

if TYPE_CHECKING:
    from .wheelcache import WheelSet

# Exit status of ``graft store verify`` when the command does not exist (argparse usage error).


def pytest_configure(config: pytest.Config) -> None:
    # Registered by pytest-xdist too; repeated here so --strict-markers passes without it.
    config.addinivalue_line("markers", "xdist_group(name): run tests of one group on one worker")


@pytest.fixture(scope="session")
def online() -> None:
    """Skips the test, saying why, where PyPI cannot be reached (its tests use the real one)."""
    try:
        urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=20).close()
    except OSError as exc:
        pytest.skip(f"PyPI is not reachable ({exc})")


@pytest.fixture(scope="session")
def e2e_graft_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``GRAFT_CACHE_DIR`` for every graft run of the session: no state from earlier runs."""
    return tmp_path_factory.mktemp("graft-cache")


@pytest.fixture(scope="session")
def e2e_store(tmp_path_factory: pytest.TempPathFactory, e2e_graft_cache: Path) -> Iterator[Path]:
    """The graft store shared by all e2e tests of this session (one per xdist worker).

    At the end of the session, ``graft store verify`` must find every store file still
    matching its RECORD: nothing the tests did through the venvs may have written into it.
    The store is then removed (it may be sealed with the immutable attribute, which pytest's
    own cleanup of old temporary directories could not undo).
    """
    store = tmp_path_factory.mktemp("graft-store")
    yield store
    try:
        if any(store.iterdir()):
            verify_store(store, e2e_graft_cache)
    finally:
        remove_store(store)


def verify_store(store: Path, cache_dir: Path) -> None:
    run = run_graft("store", "verify", "--store", str(store), cache_dir=cache_dir)
    if run.returncode != 0:
        pytest.fail(f"graft store verify failed after the e2e session:\n{run.describe()}")


def remove_store(store: Path) -> None:
    try:
        from graft.store import seal
    except ImportError:
        shutil.rmtree(store, ignore_errors=True)
        return
    seal.remove_tree(str(store))


@pytest.fixture(scope="session")
def corpus_envs(
    tmp_path_factory: pytest.TempPathFactory, e2e_store: Path, e2e_graft_cache: Path
) -> CorpusEnvs:
    return CorpusEnvs(factory=tmp_path_factory, store=e2e_store, graft_cache=e2e_graft_cache)


# Tests are parametrized over ``set_file`` (see ``harness.corpus_params``); these fixtures
# hand out that set's environments from the session cache.


@pytest.fixture
def wheel_set(corpus_envs: CorpusEnvs, set_file: Path) -> WheelSet:
    return corpus_envs.wheels(set_file)


@pytest.fixture
def flat_venv(corpus_envs: CorpusEnvs, set_file: Path) -> Venv:
    return corpus_envs.flat(set_file)


@pytest.fixture
def graft_venv(corpus_envs: CorpusEnvs, set_file: Path) -> Venv:
    return corpus_envs.graft(set_file)
