"""``graft sync`` with sdists: the warm path, ``prepare_metadata_for_build_wheel``, and
``--only-binary`` for named sources (issue 13's gaps).

Real backends (flit_core, setuptools) from a find-links directory, downloaded from PyPI once
and cached (tests/support/pypifiles.py); offline, these tests are skipped with that reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_sync_builds import py, static_sdist, sync
from tests.support.pypifiles import FLIT_CORE, SETUPTOOLS, TOMLI, release_files


@pytest.fixture
def links(tmp_path: Path) -> Path:
    """A find-links directory: the backends, tomli 2.0.1's sdist, and a static sdist."""
    folder = tmp_path / "links"
    folder.mkdir()
    for item in release_files(FLIT_CORE, SETUPTOOLS, TOMLI).iterdir():
        (folder / item.name).symlink_to(item)
    static_sdist(folder)
    return folder


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own: built wheels are not shared between tests."""
    path = tmp_path / "cache"
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(path))
    return path


def imported(stderr: str) -> set[str]:
    """The modules ``-X importtime`` (PYTHONPROFILEIMPORTTIME) reported as imported."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_a_warm_sync_of_sdists_imports_no_build_machinery(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "first.txt"
    first.write_text("statik\n")
    sync(tmp_path / "v1", store_dir, links, "-r", first)
    again = tmp_path / "again.txt"  # another file: the resolution memo misses, as in the benchmark
    again.write_text("statik\n")
    monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")
    run = sync(tmp_path / "v2", store_dir, links, "-r", again, "-v")
    names = imported(run.stderr)
    assert "graft.resolve.sdists" in names, "the sync met the sdists"
    assert not names & {"graft.builds", "graft.build.evidence", "pyproject_hooks"}
    reused = [line for line in run.stderr.splitlines() if line.startswith("graft: reused")]
    assert sorted(line.split()[2] for line in reused) == [
        "statik-1.0-py2.py3-none-any.whl",
        "tomli-2.0.1-py3-none-any.whl",
    ]
    assert py(tmp_path / "v2", "import statik, tomli; print(statik.__version__)") == "1.0"
    assert not list((cache / "builds").glob("work-*")), "no work directory for a reuse"
