"""The classes the daily paths create, and what a warm sync of built sdists imports.

A frozen dataclass costs about 1 ms to create on CPython 3.11 (each generated method is an
``exec``), and an edited pin, an unpinned resolve into a new directory and a warm sync of
sdists built before create 44-58 of them (decision 51). The real CLI runs here under a
wrapper that records every class :mod:`dataclasses` processes, as ``-X importtime``
records modules in ``test_resolve_imports``: a class a path does not use (a built wheel, a
foreign target, a collision, the build cache's) fails here, not silently in a benchmark;
and each path's count may not grow without this file saying so.
"""

# ruff: noqa: F811 - the fixture `index` is test_resolve_sync's, imported by name

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from tests.integration.test_resolve_imports import NEVER
from tests.integration.test_resolve_sync import index, installed, sync  # noqa: F401 - fixture
from tests.integration.test_sync_builds_speed import meeting_sdist
from tests.support.importtime import imported
from tests.support.rangeserver import serve

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.support.rangeserver import Served

#: Runs ``graft ARGS`` as ``python -m graft`` does, noting each class dataclasses makes; the
#: notes are written just before graft exits (``exit_now`` leaves without atexit).
RECORDER = textwrap.dedent(
    """
    import dataclasses, json, runpy, sys
    notes = sys.argv.pop(1)
    made = []
    process = dataclasses._process_class
    def noted(cls, *args, **kwargs):
        made.append(cls.__module__ + "." + cls.__qualname__)
        return process(cls, *args, **kwargs)
    dataclasses._process_class = noted
    import graft.cli.exits as exits
    leave = exits.exit_now
    def exit_now(code):
        with open(notes, "w") as fh:
            json.dump(made, fh)
        leave(code)
    exits.exit_now = exit_now
    sys.argv[0] = "graft"
    runpy.run_module("graft", run_name="__main__")
    """
)

#: Classes (by name, wherever they live) none of these paths uses: a foreign target, a
#: plan's collision (none here), a planner input (the plans are kept), what the memo
#: recalls (each file is new: the memo misses), a release seen by several targets (a lock),
#: an HTTP answer (the pages are cached and fresh), range reads of remote wheels.
UNUSED = {
    "ForeignTarget",
    "Collision",
    "PlannedWheel",
    "Recalled",
    "ReleaseView",
    "Response",
    "LazyMetadata",
    "_Member",
}
#: ... and on the paths that build nothing.
NO_BUILDS = {"BuiltWheel"}
#: How many classes each path creates at most (measured at the commit that set them).
MOST = {"pin": 41, "resolve": 40, "sdists": 52}


def _run(tmp_path: Path, *args: str | Path) -> tuple[str, set[str], list[str]]:
    """``graft ARGS`` under ``-X importtime`` and the recorder: stderr, modules, classes."""
    recorder, notes = tmp_path / "recorder.py", tmp_path / "classes.json"
    recorder.write_text(RECORDER)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", str(recorder), str(notes), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    said = "\n".join(x for x in proc.stderr.splitlines() if not x.startswith("import time:"))
    made: list[str] = json.loads(notes.read_text())
    return said, imported(proc.stderr), made


def _graft_classes(made: list[str]) -> set[str]:
    """The names of graft's classes in *made* (without their modules)."""
    return {name.rpartition(".")[2] for name in made if name.startswith("graft.")}


def test_an_edited_pin_creates_only_the_classes_it_uses(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    venv = tmp_path / "v"
    first = "app[fast]==1.0\nlib==2.0\nspeedy==0.5\n"
    edited = "app[fast]==1.0\nlib==1.0\nspeedy==0.5\n"
    for i, text in enumerate((first, edited, first)):  # both plans kept, the pin record made
        reqs = tmp_path / f"r{i}.txt"
        reqs.write_text(text)
        sync(venv, index, store_dir, "-r", reqs)
    again = tmp_path / "again.txt"  # a new file, as after a user's edit: the memo misses
    again.write_text(edited)
    url = f"{index.url}/simple/"
    said, _, made = _run(
        tmp_path, "sync", venv, "--index-url", url, "--store", store_dir, "-v", "-r", again
    )
    assert "pinned exactly, without search" in said
    assert installed(venv) == {"app": "1.0", "lib": "1.0", "speedy": "0.5"}
    classes = _graft_classes(made)
    assert "Step" in classes  # the control: the recorder saw the path
    assert not (UNUSED | NO_BUILDS) & classes, (UNUSED | NO_BUILDS) & classes
    assert len(made) <= MOST["pin"], sorted(made)


def test_an_unpinned_resolve_creates_only_the_classes_it_uses(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    roots = tmp_path / "first.in"
    roots.write_text("app[fast]\n")
    sync(tmp_path / "v1", index, store_dir, "-r", roots)  # pages, surfaces and the plan kept
    again = tmp_path / "again.in"  # a new file: the memo misses, resolvelib resolves
    again.write_text("# another round\napp[fast]\n")
    url = f"{index.url}/simple/"
    said, modules, made = _run(
        tmp_path, "sync", tmp_path / "v2", "--index-url", url, "--store", store_dir, "-r", again
    )
    assert "synced" in said
    assert installed(tmp_path / "v2") == {"app": "1.0", "lib": "2.0", "speedy": "0.5"}
    classes = _graft_classes(made)
    assert "Resolution" in classes  # the control
    assert not (UNUSED | NO_BUILDS) & classes, (UNUSED | NO_BUILDS) & classes
    # argparse asks shutil for the terminal's width; graft's parsers do not (bz2, lzma: ~3 ms)
    assert not {"shutil", "bz2", "lzma"} & modules, {"shutil", "bz2", "lzma"} & modules
    assert len(made) <= MOST["resolve"], sorted(made)


@pytest.fixture
def sdists(tmp_path: Path) -> Iterator[Served]:
    """An index of two sdists whose metadata is not static (a build, or a recorded one)."""
    folder = tmp_path / "sdists"
    folder.mkdir()
    with serve() as served:
        served.add(meeting_sdist(folder, "alpha"))
        served.add(meeting_sdist(folder, "beta"))
        yield served


def test_a_warm_sync_of_built_sdists_reuses_them_without_downloads_or_range_reads(
    tmp_path: Path, store_dir: Path, sdists: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "builds.log"
    monkeypatch.setenv("MEET_LOG", str(log))
    url = f"{sdists.url}/simple/"
    first = tmp_path / "first.txt"
    first.write_text("alpha==1.0\nbeta==1.0\n")
    sync(tmp_path / "v1", sdists, store_dir, "-r", first)  # built, recorded, the plan kept
    assert sorted(log.read_text().splitlines()) == ["build alpha", "build beta"]
    again = tmp_path / "again.txt"  # a new file and a new directory: the memo misses
    again.write_text("# another round\nalpha==1.0\nbeta==1.0\n")
    said, modules, made = _run(
        tmp_path, "sync", tmp_path / "v2", "--index-url", url, "--store", store_dir, "-v",
        "-r", again,
    )  # fmt: skip
    assert sorted(log.read_text().splitlines()) == ["build alpha", "build beta"]  # reused
    assert "reused alpha-1.0-py3-none-any.whl" in said  # the control: the recorded builds
    assert installed(tmp_path / "v2") == {"alpha": "1.0", "beta": "1.0"}
    classes = _graft_classes(made)
    assert not UNUSED & classes, UNUSED & classes
    assert len(made) <= MOST["sdists"], sorted(made)
    # no download (the sdists are in the download cache), no range read, no lock
    unneeded = (NEVER - {"hashlib", "_hashlib", "graft.builds"}) | {
        "urllib.request",
        "urllib.error",
        "tempfile",
        "graft.build.hooks",
    }
    assert not unneeded & modules, unneeded & modules
    assert "graft.build.recorded" in modules  # the control: the warm path of builds


def test_a_never_locked_lock_creates_no_sync_request_and_forks_no_worker(
    tmp_path: Path, graft_cache: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decisions 214 and 215: ``graft lock`` of roots never locked before, its pages and
    METADATA cached, creates no ``SyncRequest`` (39 fields: ``graft lock`` reads only the
    ``ResolveRequest``), and a lock resolved in one process imports no ``pickle`` (a lock
    worker's). One process by ``GRAFT_LOCK_WORKERS=1``: left to itself, graft forks once
    the environments it timed say the rest costs ``FORK_WORTH`` of CPU, which a loaded
    machine can reach (that choice is tested on its own, in tests/unit/test_lock_workers.py)."""
    monkeypatch.setenv("GRAFT_LOCK_WORKERS", "1")
    url = f"{index.url}/simple/"
    first = tmp_path / "first.in"
    first.write_text("app[fast]\n")
    _run(tmp_path, "lock", "-r", first, "--index-url", url, "-o", tmp_path / "pylock.first.toml")
    again = tmp_path / "again.in"  # a new file and a new output: no stamp answers
    again.write_text("# never locked\napp[fast]\n")
    out = tmp_path / "pylock.toml"
    said, modules, made = _run(tmp_path, "lock", "-r", again, "--index-url", url, "-o", out)
    assert "locked 3 projects" in said, said
    classes = _graft_classes(made)
    assert "LockResult" in classes  # the control: the recorder saw the lock
    assert "SyncRequest" not in classes
    assert "graft.resolve.lock_workers" in modules  # the control: the path that may fork
    assert "pickle" not in modules
