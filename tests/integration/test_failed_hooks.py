"""A metadata hook that failed is kept and said again, not run again (decision 254).

An in-tree backend (``dyn``, :mod:`tests.integration.test_sync_builds_gaps`) logs each
``prepare_metadata_for_build_wheel`` it runs and fails it while ``DYN_FAIL`` is set: the log
counts the hook runs. Every lock runs with ``-v -U``, which no lock stamp answers.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.integration.test_sync_builds_gaps import DYN_BACKEND, PREPARE_HOOK, dyn_sdist
from tests.support.sdistmaker import write_sdist
from tests.support.wheelmaker import make_wheel

FAILED = "prepare_metadata_for_build_wheel of dynback failed (exit status 1)"
REMEMBERED = "; remembered from "
BACKEND_TOML = """\
[build-system]
requires = [{requires}]
build-backend = "dynback"
backend-path = ["_backend"]
"""


@pytest.fixture
def failing(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A find-links folder with dyn 1.0's failing sdist and a Windows x86_64 wheel; the log."""
    folder = tmp_path / "links"
    folder.mkdir()
    dyn_sdist(folder, "1.0")
    make_wheel(folder, "dyn", "1.0", {"dyn.py": ""}, tag="py3-none-win_amd64")
    log = tmp_path / "hooks.log"
    monkeypatch.setenv("DYN_LOG", str(log))
    monkeypatch.setenv("DYN_FAIL", "1")
    return folder, log


def _lock(tmp_path: Path, folder: Path, *more: str) -> tuple[list[str], str]:
    """``graft lock dyn==1.0`` for 3.11 on Linux and Windows: its warnings, and its -v."""
    run = run_graft(
        "lock", "dyn==1.0", "--find-links", folder, "--no-index", "--python-version", "3.11",
        "--platform", "linux", "--platform", "windows", "-o", tmp_path / "pylock.toml",
        "-U", "-v", *more,
    )  # fmt: skip
    left = [line for line in run.stderr.splitlines() if "not locked for" in line]
    return left, run.stderr


def _runs(log: Path) -> int:
    return log.read_text().splitlines().count("prepare 1.0") if log.exists() else 0


def test_a_failed_hook_is_not_run_again_until_what_it_depends_on_changes(
    tmp_path: Path, failing: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linux and Windows arm64 need the sdist, whose hook fails: kept, said again with
    when and how to retry; run again for other config settings, ``--refresh``,
    ``--reuse-builds never``, another PATH, and a program put on it."""
    folder, log = failing
    first, said = _lock(tmp_path, folder)
    assert _runs(log) == 1
    assert len(first) == 2, said  # linux (x86_64 and aarch64: one reason), windows arm64
    assert all(FAILED in line and REMEMBERED not in line for line in first), said
    assert "sdist hooks that failed: 1 run, 0 kept" in said
    written = (tmp_path / "pylock.toml").read_bytes()

    again, said = _lock(tmp_path, folder)
    assert _runs(log) == 1, "the kept failure answers"
    assert len(again) == 2, said
    for line, before in zip(again, first, strict=True):
        assert line.startswith(before.partition(FAILED)[0] + FAILED + REMEMBERED)
        assert "UTC (--refresh runs it again)" in line
    assert "sdist hooks that failed: 0 run, 1 kept" in said
    assert (tmp_path / "pylock.toml").read_bytes() == written  # the same lock

    _, said = _lock(tmp_path, folder, "-C", "dyn=other")  # another build-input key
    assert _runs(log) == 2
    assert REMEMBERED not in said
    _lock(tmp_path, folder, "-C", "dyn=other")
    assert _runs(log) == 2, "kept under its own key"
    _, said = _lock(tmp_path, folder, "--refresh")
    assert _runs(log) == 3
    assert REMEMBERED not in said
    _lock(tmp_path, folder)
    assert _runs(log) == 3, "the failure --refresh met is kept"
    _lock(tmp_path, folder, "--reuse-builds", "never")
    assert _runs(log) == 4

    tools = tmp_path / "tools"
    tools.mkdir()
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    _lock(tmp_path, folder)
    assert _runs(log) == 5, "another PATH"
    _lock(tmp_path, folder)
    assert _runs(log) == 5
    (tools / "qmake").write_text("#!/bin/sh\n")  # a program installed on PATH
    _lock(tmp_path, folder)
    assert _runs(log) == 6, "a directory on PATH changed"

    monkeypatch.delenv("DYN_FAIL")  # (a value the build reads: another input key) it builds
    _, said = _lock(tmp_path, folder)
    assert _runs(log) == 7
    assert "not locked for" not in said


def test_a_lock_s_workers_run_a_failing_hook_once(
    tmp_path: Path, failing: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linux x86_64 has a wheel; 3.11's and 3.12's Linux aarch64, Windows x86_64 and arm64
    need the sdist, and the two processes share them out (this one resolves 3.11's aarch64
    and arm64 and 3.12's, the other both Windows x86_64): the hook runs in one, the other
    waits for its failure and says it as the first said it. On the code before, each ran it."""
    folder, log = failing
    (folder / "dyn-1.0-py3-none-win_amd64.whl").unlink()
    make_wheel(folder, "dyn", "1.0", {"dyn.py": ""}, tag="py3-none-manylinux_2_17_x86_64")
    monkeypatch.setenv("GRAFT_LOCK_WORKERS", "2")
    run = run_graft(
        "lock", "dyn==1.0", "--find-links", folder, "--no-index", "--python-version", "3.11",
        "--python-version", "3.12", "--platform", "linux", "--platform", "windows",
        "-o", tmp_path / "pylock.toml", "-v",
    )  # fmt: skip
    assert "in 2 processes" in run.stderr, run.stderr
    assert _runs(log) == 1, run.stderr
    left = [line for line in run.stderr.splitlines() if "not locked for" in line]
    assert left, run.stderr
    assert all(FAILED in line and REMEMBERED not in line for line in left), run.stderr
    assert "sdist hooks that failed: 1 run, 1 kept" in run.stderr, run.stderr


def test_a_sync_says_a_kept_failure_as_it_said_the_first(
    tmp_path: Path, store_dir: Path, failing: tuple[Path, Path]
) -> None:
    """The resolution of this machine's own system ends on the failure, as pip's does; a
    dry run or a sync after it says it again, the backend's output and the rerun command
    too, without running the hook; once the unpacked sdist is gone, without the command."""
    folder, log = failing
    shutil.rmtree(folder)
    folder.mkdir()
    dyn_sdist(folder, "1.0")
    args: tuple[str | Path, ...] = ("sync", tmp_path / "v", "dyn", "--find-links", folder)
    args += ("--no-index", "--store", store_dir)
    first = run_graft(*args, "--dry-run", check=False)
    assert first.returncode == 1, first.stderr
    error = first.stderr.rstrip().splitlines()[-1]
    assert FAILED in error
    assert "dyn cannot be built here" in first.stderr
    assert _runs(log) == 1
    again = run_graft(*args, check=False)  # (a sync, not a dry run: the same metadata read)
    assert again.returncode == 1, again.stderr
    assert _runs(log) == 1
    said = again.stderr.rstrip().splitlines()[-1]
    head, _, rest = said.partition(REMEMBERED)
    assert head == error.partition(" (its whole output")[0]
    assert rest.partition(" UTC (--refresh runs it again)")[2] == error.partition(FAILED)[2]
    assert "dyn cannot be built here" in again.stderr  # the output as kept
    assert "graft: to rerun by hand: cd " in again.stderr
    assert not (tmp_path / "v").exists()
    as_json = json.loads(run_graft(*args, "--dry-run", "--json", check=False).stdout)
    assert as_json["kind"] == "BuildError"
    assert REMEMBERED in as_json["error"]
    assert "dyn cannot be built here" in as_json["log"]
    work = [p for p in (tmp_path / "cache" / "builds").iterdir() if p.name.startswith("work-")]
    for kept in work:
        shutil.rmtree(kept)
    gone = run_graft(*args, "--dry-run", check=False)
    assert _runs(log) == 1
    assert "to rerun by hand" not in gone.stderr
    assert "the unpacked sdist it failed in is gone" in gone.stderr.rstrip().splitlines()[-1]


def test_a_lock_s_failed_hook_leaves_no_unpacked_sdist(
    tmp_path: Path, cache: Path, failing: tuple[Path, Path]
) -> None:
    """Decision 335: Windows arm64 needs the sdist, whose hook fails; the lock passes it
    over with a warning, and keeps the failure but not its unpacked sdist, nor a rerun
    command naming it (before, each such failure kept its tree for a week: 44 numpy sdists,
    1.4 GiB, for one lock). A sync's failure keeps its tree, as
    test_a_sync_says_a_kept_failure_as_it_said_the_first shows."""
    folder, log = failing
    args = ("lock", "dyn==1.0", "--find-links", folder, "--no-index", "--python-version", "3.11")
    run = run_graft(*args, "--platform", "windows", "-o", tmp_path / "pylock.toml", "-v")
    left = [line for line in run.stderr.splitlines() if "not locked for" in line]
    assert len(left) == 1, run.stderr
    assert FAILED in left[0], run.stderr
    assert "rerun" not in run.stderr, run.stderr
    assert "stays in" not in run.stderr, run.stderr
    assert _runs(log) == 1
    assert [p.name for p in (cache / "builds").iterdir() if p.name.startswith("work-")] == []
    again = run_graft(*args, "--platform", "windows", "-o", tmp_path / "pylock.toml", "-v", "-U")
    assert _runs(log) == 1, "kept without its tree, the failure still answers"
    assert "sdist hooks that failed: 0 run, 1 kept" in again.stderr, again.stderr


def test_a_lock_s_failed_build_requirement_leaves_no_unpacked_sdist(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 335 for the wheels of a build environment: ``top`` is only an sdist whose
    build needs ``dyn``, itself only an sdist (static metadata, so no metadata hook runs)
    whose ``build_wheel`` fails here. The lock leaves Linux out with that failure, and keeps
    neither sdist's unpacked tree nor a rerun command for one (before, dyn's tree stayed
    for a week: a lock's build environments build wheels, not only metadata)."""
    folder = tmp_path / "links"
    folder.mkdir()
    write_sdist(
        folder / "dyn-1.0.tar.gz",
        {
            "dyn-1.0/PKG-INFO": "Metadata-Version: 2.2\nName: dyn\nVersion: 1.0\n",
            "dyn-1.0/meta.txt": "dyn 1.0\n",
            "dyn-1.0/_backend/dynback.py": DYN_BACKEND,
            "dyn-1.0/pyproject.toml": BACKEND_TOML.format(requires=""),
        },
    )
    write_sdist(
        folder / "top-1.0.tar.gz",
        {
            "top-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: top\nVersion: 1.0\n",
            "top-1.0/meta.txt": "top 1.0\n",
            "top-1.0/_backend/dynback.py": DYN_BACKEND + PREPARE_HOOK,
            "top-1.0/pyproject.toml": BACKEND_TOML.format(requires='"dyn"'),
        },
    )
    make_wheel(folder, "top", "1.0", {"top.py": ""}, tag="py3-none-win_amd64")
    log = tmp_path / "hooks.log"
    monkeypatch.setenv("DYN_LOG", str(log))
    monkeypatch.setenv("DYN_FAIL", "1")
    args = ("lock", "top==1.0", "--find-links", folder, "--no-index", "--python-version", "3.11")
    run = run_graft(
        *args, "--platform", "linux", "--platform", "windows", "-o", tmp_path / "pylock.toml", "-v"
    )
    assert log.read_text().splitlines() == ["build 1.0"], run.stderr  # dyn's build_wheel
    left = [line for line in run.stderr.splitlines() if "not locked for" in line]
    assert left, run.stderr
    assert all("build_wheel of dynback failed" in line for line in left), run.stderr
    assert "rerun" not in run.stderr, run.stderr
    assert "stays in" not in run.stderr, run.stderr
    assert [p.name for p in (cache / "builds").iterdir() if p.name.startswith("work-")] == []
