"""An edited pin set with sdists in it, read by the change stamp with vouchers (decision 81).

The step of a release that has only an sdist depends on what the built-wheel cache holds for
it and on the environment variables its build reads: the stamp may read it only while none of
that has changed, and must then change (or make) the venv exactly as the full path does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_change import FILLERS, edited, graft, state
from tests.integration.test_replay import METADATA
from tests.integration.test_warm import snapshot
from tests.support.pypifiles import FLIT_CORE, SETUPTOOLS, TOMLI, release_files
from tests.support.rangeserver import Served, serve
from tests.support.sdistmaker import write_sdist
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

FIRST = f"tomli==2.0.1\nenvy==1.0\nlib==1.0\n{FILLERS}"
SECOND = f"tomli==2.0.1\nenvy==1.0\nlib==2.0\n{FILLERS}"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own: built wheels are not shared between tests."""
    path = tmp_path / "cache"
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(path))
    monkeypatch.delenv("ENVY_PUREPYTHON", raising=False)
    return path


@pytest.fixture
def index(tmp_path: Path, wheels: Path) -> Iterator[Served]:
    """tomli's real sdist (flit_core), envy's (setuptools; its setup.py names a variable the
    build reads), lib 1.0 and 2.0 and twelve fillers as wheels, and the two backends."""
    envy = write_sdist(
        tmp_path / "envy-1.0.tar.gz",
        {
            "envy-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: envy\nVersion: 1.0\n",
            "envy-1.0/envy.py": "VALUE = 'envy'\n",
            "envy-1.0/setup.py": (
                "import os\nfrom setuptools import setup\n"
                "PURE = os.environ.get('ENVY_PUREPYTHON')  # (read by the evidence scan)\n"
                "setup(name='envy', version='1.0', py_modules=['envy'])\n"
            ),
        },
    )
    backends = release_files(FLIT_CORE, SETUPTOOLS, TOMLI)
    with serve() as served:
        for item in sorted(backends.iterdir()):
            served.add(item)
        served.add(envy)
        for version in ("1.0", "2.0"):
            served.add(make_wheel(wheels, "lib", version, {"lib.py": f"V = {version!r}\n"}))
        for name in (f"filler{i}" for i in range(12)):
            served.add(make_wheel(wheels, name, "1.0", {f"{name}/__init__.py": ""}))
        yield served


def seen_both(tmp_path: Path, venv: Path, served: Served, store: Path) -> None:
    """Sync *venv* to FIRST (building both sdists), then, the builds' files older than a
    moment, to SECOND (the stamps and their vouchers kept)."""
    venv.parent.mkdir(parents=True, exist_ok=True)
    graft(venv, edited(tmp_path, FIRST, f"{venv.parent.name}-0"), served, store)
    time.sleep(2.1)  # (files written less than 2 s ago are not vouched for: racy)
    graft(venv, edited(tmp_path, SECOND, f"{venv.parent.name}-1"), served, store)


def test_a_set_with_sdists_is_changed_and_made_by_the_stamp_as_by_the_full_path(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    fast_venv, full_venv = tmp_path / "a" / "venv", tmp_path / "b" / "venv"  # (same depth)
    for venv in (fast_venv, full_venv):
        seen_both(tmp_path, venv, index, store_dir)
    reqs = edited(tmp_path, FIRST, "edited")
    fast_proc, fast = graft(fast_venv, reqs, index, store_dir)
    full_proc, full = graft(full_venv, reqs, index, store_dir, "-v")  # (-v: the full path)
    assert fast, fast_proc.stderr
    assert not full
    assert "reused envy-1.0" in full_proc.stderr  # (the full path built nothing either)
    assert snapshot(fast_venv) == snapshot(full_venv)
    assert state(fast_venv) == state(full_venv)
    assert py(fast_venv, METADATA) == py(full_venv, METADATA)
    assert py(fast_venv, "import envy, tomli, lib; print(envy.VALUE, lib.V)") == "envy 1.0"
    changes = [x for x in fast_proc.stderr.splitlines() if x.startswith(" ")]
    assert changes == [" ~ lib 2.0 -> 1.0 (downgraded)"]
    assert changes == [x for x in full_proc.stderr.splitlines() if x.startswith(" ")]
    new_fast, new_full = tmp_path / "c" / "venv", tmp_path / "d" / "venv"
    for venv in (new_fast, new_full):
        venv.parent.mkdir()
    made = edited(tmp_path, SECOND, "new")
    _, fast = graft(new_fast, made, index, store_dir)
    _, full = graft(new_full, made, index, store_dir, "-v")
    assert fast
    assert not full
    assert snapshot(new_fast) == snapshot(new_full)
    assert state(new_fast) == state(new_full)
    assert py(new_fast, "import envy, tomli, lib; print(envy.VALUE, lib.V)") == "envy 2.0"


def test_a_variable_the_build_reads_or_a_changed_build_cache_takes_the_full_path(
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    index: Served,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    venv = tmp_path / "home" / "venv"
    seen_both(tmp_path, venv, index, store_dir)
    _, fast = graft(venv, edited(tmp_path, FIRST, "control"), index, store_dir)
    assert fast  # the control: the stamp reads the sdists' steps
    builds = (cache / "builds").glob("sdist-*")
    (envy_builds,) = [p for p in builds if '"envy"' in (p / "source.json").read_text()]
    assert len([p for p in envy_builds.iterdir() if p.is_dir()]) == 1  # one input key
    monkeypatch.setenv("ENVY_PUREPYTHON", "1")  # the build reads it: other build inputs
    proc, fast = graft(venv, edited(tmp_path, SECOND, "variable"), index, store_dir)
    assert not fast, proc.stderr
    assert len([p for p in envy_builds.iterdir() if p.is_dir()]) == 2  # built for them
    monkeypatch.delenv("ENVY_PUREPYTHON")
    time.sleep(2.1)
    _, fast = graft(venv, edited(tmp_path, FIRST, "again"), index, store_dir)
    assert not fast  # the envy builds' folder changed (a second input key): vouched no more
    _, fast = graft(venv, edited(tmp_path, SECOND, "back"), index, store_dir)
    assert fast
    for record in envy_builds.rglob("*.json"):  # a record the lookup reads, rewritten
        if record.name != "source.json":
            record.write_text(record.read_text())
    _, fast = graft(venv, edited(tmp_path, FIRST, "touched"), index, store_dir)
    assert not fast
    assert py(venv, "import lib; print(lib.V)") == "1.0"
