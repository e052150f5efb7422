"""``graft sync`` of several sdists: the builds overlap, each runs once (issue 13's speed).

In-tree backends (no build requirements), so nothing is downloaded. A backend here writes
a mark when its build starts and waits for the other project's mark: if graft built the two
one after another, the first would wait in vain and fail, naming itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.test_sync_builds import py, sync
from tests.support.inbackend import WHEEL_WRITER
from tests.support.sdistmaker import write_sdist

if TYPE_CHECKING:
    from graft.model.target import Target

MEETING_BACKEND = WHEEL_WRITER + textwrap.dedent(
    """
    import os, time

    NAME, VERSION = open("meta.txt").read().split()

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        with open(os.environ["MEET_LOG"], "a") as fh:
            fh.write("build " + NAME + "\\n")
        pids = os.environ.get("MEET_PIDS")
        if pids:  # say this backend's pid; MEET_STALL's build runs on, the others wait for it
            with open(os.path.join(pids, NAME), "w") as fh:
                fh.write(str(os.getpid()))
            if os.environ["MEET_STALL"] == NAME:
                time.sleep(120)
            deadline = time.monotonic() + 60
            while not os.path.exists(os.path.join(pids, os.environ["MEET_STALL"])):
                if time.monotonic() > deadline:
                    raise SystemExit(NAME + ": the stalled build never started")
                time.sleep(0.02)
        if os.environ.get("MEET_FAIL") == NAME:
            raise SystemExit(NAME + " cannot be built here")
        meet = os.environ.get("MEET_DIR")
        if meet:  # wait (a minute at most) for every other build to start too
            open(os.path.join(meet, NAME), "w").close()
            deadline = time.monotonic() + 60
            while len(os.listdir(meet)) < int(os.environ["MEET_COUNT"]):
                if time.monotonic() > deadline:
                    raise SystemExit(NAME + " was built alone: no other build started")
                time.sleep(0.02)
        info = NAME + "-" + VERSION + ".dist-info"
        meta = "Metadata-Version: 2.1\\nName: " + NAME + "\\nVersion: " + VERSION + "\\n"
        files = {
            NAME + ".py": ("VERSION = " + repr(VERSION) + "\\n").encode(),
            info + "/METADATA": meta.encode(),
            info + "/WHEEL": b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
        }
        return write_wheel(wheel_directory, NAME + "-" + VERSION + "-py3-none-any.whl", files)
    """
)


def meeting_sdist(folder: Path, name: str, version: str = "1.0") -> Path:
    """An sdist of *name* whose metadata is not static, built by :data:`MEETING_BACKEND`."""
    top = f"{name}-{version}"
    files = {
        f"{top}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{top}/meta.txt": f"{name} {version}\n",
        f"{top}/_backend/meetback.py": MEETING_BACKEND,
        f"{top}/pyproject.toml": textwrap.dedent(
            """
            [build-system]
            requires = []
            build-backend = "meetback"
            backend-path = ["_backend"]
            """
        ),
    }
    return write_sdist(folder / f"{top}.tar.gz", files)


def links_with(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "links"
    folder.mkdir()
    for name in names:
        meeting_sdist(folder, name)
    return folder


def test_the_builds_of_pinned_sdists_overlap_and_each_runs_once(
    tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    links = links_with(tmp_path, "alpha", "beta")
    meet, log = tmp_path / "meet", tmp_path / "builds.log"
    meet.mkdir()
    monkeypatch.setenv("MEET_DIR", str(meet))
    monkeypatch.setenv("MEET_COUNT", "2")
    monkeypatch.setenv("MEET_LOG", str(log))
    # both pinned with ==: certain to be installed, so both start as soon as they are offered
    run = sync(tmp_path / "v", store_dir, links, "alpha==1.0", "beta==1.0", "-v", check=False)
    assert run.returncode == 0, run.stderr
    assert sorted(log.read_text().splitlines()) == ["build alpha", "build beta"]
    assert "resolved 2 projects pinned exactly, without search" in run.stderr  # (sdists too)
    assert py(tmp_path / "v", "import alpha, beta; print(alpha.VERSION, beta.VERSION)") == "1.0 1.0"


def test_an_early_build_that_fails_is_one_line_naming_its_source(
    tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    links = links_with(tmp_path, "alpha", "beta")
    log = tmp_path / "builds.log"
    monkeypatch.setenv("MEET_LOG", str(log))
    monkeypatch.setenv("MEET_FAIL", "beta")
    run = sync(tmp_path / "v", store_dir, links, "alpha==1.0", "beta==1.0", check=False)
    assert run.returncode != 0
    assert "beta-1.0.tar.gz" in run.stderr
    assert "beta cannot be built here" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "v").exists()
    assert sorted(log.read_text().splitlines()).count("build beta") == 1, "not built twice"


def _running(pid: int) -> bool:
    """Whether process *pid* still runs (a zombie, exited and not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_a_failed_resolution_ends_the_early_builds_under_way(
    tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """beta's build fails while alpha's runs: graft gives up, and alpha's backend ends too.

    graft leaves at once after an error; a backend it started early would run on as an
    orphan (here for two minutes) unless graft terminates it first.
    """
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    links = links_with(tmp_path, "alpha", "beta")
    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setenv("MEET_LOG", str(tmp_path / "builds.log"))
    monkeypatch.setenv("MEET_PIDS", str(pids))
    monkeypatch.setenv("MEET_STALL", "alpha")
    monkeypatch.setenv("MEET_FAIL", "beta")
    run = sync(tmp_path / "v", store_dir, links, "alpha==1.0", "beta==1.0", check=False)
    alpha = int((pids / "alpha").read_text())
    try:
        assert run.returncode != 0
        assert "beta cannot be built here" in run.stderr
        deadline = time.monotonic() + 30  # (the kernel's work, not graft's: no timing asserted)
        while _running(alpha) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(alpha), "alpha's backend runs on after graft exited"
    finally:
        with contextlib.suppress(OSError):
            os.kill(alpha, signal.SIGKILL)


@pytest.mark.parametrize("compile_", [True, False], ids=["sync", "graft-build"])
def test_a_built_wheel_is_compiled_as_it_is_ingested_when_a_sync_installs_it(
    tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch, compile_: bool
) -> None:
    from graft.build.run import BuildEnvironment, BuildRequest
    from graft.builds import build_for
    from graft.venv.interpreter import find_interpreter, introspect

    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MEET_LOG", str(tmp_path / "builds.log"))
    sdist = meeting_sdist(tmp_path, "alpha")
    target = introspect(find_interpreter(None))

    def bare(target: Target, requires: tuple[str, ...], venv: str) -> BuildEnvironment:
        assert not requires
        return BuildEnvironment(target.executable, os.path.dirname(target.executable), ())

    request = BuildRequest(str(sdist), store=str(store_dir), compile=compile_)
    outcome = build_for(request, target, bare)
    listing = store_dir / "entries" / outcome.sha256 / "bytecode" / f"{target.cache_tag}.json"
    # a sync's build leaves the entry compiled for the building interpreter (its bytecode
    # made in staging, in the build's thread); graft build's leaves it as unpacked
    assert listing.is_file() is compile_
    if compile_:
        assert f"__pycache__/alpha.{target.cache_tag}.pyc" in listing.read_text()


def test_a_lock_leaves_a_built_wheel_uncompiled_and_a_sync_compiles_it(
    tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock reads a built wheel's METADATA only: it does not pay for its bytecode."""
    import json
    import sys

    from tests.conftest import run_graft

    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GRAFT_STORE", str(store_dir))
    monkeypatch.setenv("MEET_LOG", str(tmp_path / "builds.log"))
    links = links_with(tmp_path, "alpha")
    lock = tmp_path / "pylock.toml"
    run_graft("lock", "alpha==1.0", "--no-index", "--find-links", links, "-o", lock, "-q")
    (entry,) = (store_dir / "entries").iterdir()  # the one built wheel
    assert not (entry / "bytecode").exists()
    run = sync(tmp_path / "v", store_dir, links, "alpha==1.0")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "builds.log").read_text().splitlines() == ["build alpha"]  # reused
    tag = sys.implementation.cache_tag
    listed = json.loads((entry / "bytecode" / f"{tag}.json").read_text())
    assert f"alpha.{tag}.pyc" in "".join(listed)
