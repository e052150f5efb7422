"""Fixtures for the end-to-end corpus tests.

Run (warm cache: ``python tests/e2e/wheelcache.py``)::

    pytest -m e2e -n 2 --dist loadgroup tests/e2e

``--dist loadgroup`` keeps every test of one corpus set on one worker, so each set's flat
reference and graft venv are built once. Without xdist everything runs in one process.

Environment:
    GRAFT_CORPUS      corpus directory (default: <repo>/../shared/corpus)
    GRAFT_TEST_CACHE  download cache (default: ~/.cache/graft-tests), wheels in wheels/<set>/
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import CorpusEnvs
from .venvs import Venv, run_graft
from .wheelcache import WheelSet

# Exit status of ``graft store verify`` when the command does not exist (argparse usage error).
USAGE_ERROR = 2


def pytest_configure(config: pytest.Config) -> None:
    # Registered by pytest-xdist too; repeated here so --strict-markers passes without it.
    config.addinivalue_line("markers", "xdist_group(name): run tests of one group on one worker")


@pytest.fixture(scope="session")
def e2e_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The graft store shared by all e2e tests of this session (one per xdist worker).

    At the end of the session, ``graft store verify`` must find every store file still
    matching its RECORD: nothing the tests did through the venvs may have written into it.
    """
    store = tmp_path_factory.mktemp("graft-store")
    yield store
    if not any(store.iterdir()):
        return
    run = run_graft("store", "verify", "--store", str(store))
    if run.returncode == USAGE_ERROR:
        warnings.warn(
            f"`graft store verify` unavailable (exit 2), store not verified:\n{run.stderr[-500:]}",
            stacklevel=1,
        )
        return
    if run.returncode != 0:
        pytest.fail(f"graft store verify failed after the e2e session:\n{run.describe()}")


@pytest.fixture(scope="session")
def corpus_envs(tmp_path_factory: pytest.TempPathFactory, e2e_store: Path) -> CorpusEnvs:
    return CorpusEnvs(factory=tmp_path_factory, store=e2e_store)


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
