"""``graft sync`` of an sdist picked from find-links under other build options (no network).

A sync remembers what its request resolved to (the resolution memo, and the stamps that
rest on it); a build's wheel is a function of its build options and of the variables the
build reads, so a sync under others must not recall the wheel built before (decision 139).
A recorded build whose build environment held a version ``--build-constraint`` pins
otherwise is not reused either (decision 140).

The sdist's in-tree backend (test_build's, standard library only) writes its ``-C mark=…`` and
``$DEMO_MARK`` into the wheel, and needs the build requirement ``helper``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.integration.test_build import BACKEND, NEEDS_HELPER
from tests.integration.test_sync_builds import py, sync
from tests.support.sdistmaker import write_sdist
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def links(tmp_path: Path) -> Path:
    """The demo sdist, and two releases of its build requirement ``helper``."""
    folder = tmp_path / "links"
    folder.mkdir()
    for version in ("1.0", "2.0"):
        make_wheel(folder, "helper", version, {"helper.py": f"V = {version!r}\n"})
    files = {
        "demo-1.0/PKG-INFO": "Metadata-Version: 2.2\nName: demo\nVersion: 1.0\n",
        "demo-1.0/pyproject.toml": NEEDS_HELPER,
        "demo-1.0/_backend/backend.py": BACKEND,
        "demo-1.0/demo/__init__.py": "",
    }
    write_sdist(folder / "demo-1.0.tar.gz", files)
    past = time.time() - 60  # not "racy": the first sync leaves its memo
    for item in (*folder.iterdir(), folder):
        os.utime(item, (past, past))
    return folder


def mark(venv: Path) -> str:
    return py(venv, "import demo; print(repr(demo.MARK), demo.HELPER)")


def test_a_sync_under_other_build_options_does_not_recall_the_wheel_built_before(
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    links: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, links, "demo==1.0")
    assert mark(venv) == "'' 2.0"
    assert "already in sync" in sync(venv, store_dir, links, "demo==1.0").stderr
    # a variable the build reads (found in the in-tree backend) picks another build; before
    # decision 139 the memo (and the no-op stamp on it) recalled the wheel built without it
    monkeypatch.setenv("DEMO_MARK", "env")
    sync(venv, store_dir, links, "demo==1.0")
    assert mark(venv) == "'env' 2.0"
    assert "already in sync" in sync(venv, store_dir, links, "demo==1.0").stderr
    # into a new venv (the replay stamp's path), and back to the wheel built first
    sync(tmp_path / "new", store_dir, links, "demo==1.0")
    assert mark(tmp_path / "new") == "'env' 2.0"
    monkeypatch.delenv("DEMO_MARK")
    sync(venv, store_dir, links, "demo==1.0")
    assert mark(venv) == "'' 2.0"
    # config settings are the builder's options: a memo is kept per value of them
    sync(venv, store_dir, links, "demo==1.0", "-C", "mark=c")
    assert mark(venv) == "'c' 2.0"
    sync(tmp_path / "c2", store_dir, links, "demo==1.0", "-C", "mark=c2")
    assert mark(tmp_path / "c2") == "'c2' 2.0"
    # --reuse-builds never builds on every sync, as it does a named source
    for _ in range(2):
        run = sync(venv, store_dir, links, "demo==1.0", "--reuse-builds", "never", "-v")
        assert "graft: built demo-1.0-py3-none-any.whl" in run.stderr, run.stderr
    assert mark(venv) == "'' 2.0"


def test_a_recorded_build_whose_environment_a_build_constraint_excludes_is_not_reused(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, links, "demo==1.0")
    assert mark(venv) == "'' 2.0"
    constraints = tmp_path / "build-constraints.txt"
    constraints.write_text("helper==1.0\n")
    run = sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints, "-v")
    assert "its build environment held helper==2.0 (--build-constraint pins 1.0)" in run.stderr
    assert mark(venv) == "'' 1.0"
    sync(venv, store_dir, links, "demo==1.0")  # (as the first sync)
    assert mark(venv) == "'' 2.0"
    # a recorded build whose environment the constraints allow is reused (a constraint on a
    # project it did not hold says nothing of it); the file is read anew each time
    constraints.write_text("helper==2.0\nunrelated==3.0\n")
    run = sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints, "-v")
    assert "graft: reused demo-1.0-py3-none-any.whl" in run.stderr, run.stderr
    assert mark(venv) == "'' 2.0"
    constraints.write_text("helper==1.0\n")  # (recalled: the same options as before)
    sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints)
    assert mark(venv) == "'' 1.0"
