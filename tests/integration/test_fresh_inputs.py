"""A requirement, pyproject or lock file written just before a sync (decision 464).

``uv pip compile requirements.in -o requirements.txt && graft sync .venv -r
requirements.txt``: the file is seconds old, "racy" by its mtime. Its reader hashes the
bytes it parsed, and the memo and the stamps name those, so the next identical sync is
answered by the no-op stamp; a rewrite that keeps size and mtime is still seen.
"""

# ruff: noqa: F811 - the fixture `links` is test_warm's, imported by name

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from tests.conftest import run_graft
from tests.integration.test_warm import links  # noqa: F401 - fixture
from tests.support.importtime import graft_imports
from tests.support.venv import py

if TYPE_CHECKING:
    from pathlib import Path

PINS = "alpha==1.0\nbeta==1.0\nns-a==1.0\nns-b==1.0\n"


def just_now(path: Path) -> None:
    """*path*'s mtime "now" as far as each sync can tell (as a script writes it just before).

    Ahead of the clock, as a file of a coarse or skewed filesystem can be: an mtime of the
    moment would age out of the 2 s window before a first sync on a busy machine writes its
    memo (test_warm's ``test_a_wheel_written_just_now_is_not_memoized`` does the same).
    """
    ahead = time.time() + 600
    os.utime(path, (ahead, ahead))


def fresh(path: Path, text: str) -> Path:
    """*path* written with *text* just now (:func:`just_now`)."""
    path.write_text(text)
    just_now(path)
    return path


def sync(venv: Path, spec: Path, links: Path, store: Path) -> tuple[str, set[str]]:
    """``graft sync VENV -r SPEC`` as typed: what it said and the modules it imported."""
    args = ("-r", spec, "--no-index", "--find-links", links, "--store", store)
    return graft_imports("sync", venv, *args)


def assert_answered_by_the_stamp(said: str, modules: set[str]) -> None:
    assert "already in sync" in said, said
    assert "graft.cli.noop" in modules
    assert not {"graft.sync", "packaging.version"} & modules  # (no resolution, no memo read)


def test_a_requirements_file_written_just_before_the_sync_leaves_the_no_op_stamp(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    venv, reqs = tmp_path / "v", fresh(tmp_path / "requirements.txt", PINS)
    assert "synced" in sync(venv, reqs, links, store_dir)[0]
    assert list((store_dir / "plans").glob("memo-*.json"))
    assert_answered_by_the_stamp(*sync(venv, reqs, links, store_dir))


def test_a_pyproject_written_just_before_the_sync_leaves_the_no_op_stamp(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    deps = ", ".join(f'"{pin}"' for pin in PINS.split())
    project = tmp_path / "proj"
    project.mkdir()
    text = f'[project]\nname = "app"\nversion = "1"\ndependencies = [{deps}]\n'
    pyproject = fresh(project / "pyproject.toml", text)
    venv = tmp_path / "v"
    assert "synced" in sync(venv, pyproject, links, store_dir)[0]
    assert_answered_by_the_stamp(*sync(venv, pyproject, links, store_dir))


def test_a_lock_written_just_before_the_sync_leaves_the_no_op_stamp(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(PINS)
    lock = tmp_path / "pylock.toml"
    run_graft("lock", "-r", reqs, "--no-index", "--find-links", links, "-o", lock)
    just_now(lock)  # (as `graft lock -o pylock.toml && graft sync` writes it)
    venv = tmp_path / "v"
    assert "synced" in sync(venv, lock, links, store_dir)[0]
    assert_answered_by_the_stamp(*sync(venv, lock, links, store_dir))


def test_a_rewrite_of_a_fresh_file_with_its_size_and_mtime_is_seen(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    """Other bytes, the same size and mtime, after the sync: the next sync installs them."""
    venv, reqs = tmp_path / "v", fresh(tmp_path / "requirements.txt", PINS)
    assert "synced" in sync(venv, reqs, links, store_dir)[0]
    assert_answered_by_the_stamp(*sync(venv, reqs, links, store_dir))
    before = reqs.stat()
    reqs.write_text(PINS.replace("beta==1.0", "beta==2.0"))
    os.utime(reqs, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert reqs.stat().st_size == before.st_size
    said, modules = sync(venv, reqs, links, store_dir)
    assert "synced" in said, said
    assert "graft.sync" in modules
    assert py(venv, "import beta; print(beta.B)") == "2"


def test_a_rewrite_of_an_old_file_with_its_size_and_mtime_is_seen(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    """A guard (passes on main too): the content fingerprint of a file older than 2 s."""
    venv, reqs = tmp_path / "v", tmp_path / "requirements.txt"
    reqs.write_text(PINS)
    old = time.time() - 3600
    os.utime(reqs, (old, old))
    assert "synced" in sync(venv, reqs, links, store_dir)[0]
    assert_answered_by_the_stamp(*sync(venv, reqs, links, store_dir))
    reqs.write_text(PINS.replace("beta==1.0", "beta==2.0"))
    os.utime(reqs, (old, old))
    assert "synced" in sync(venv, reqs, links, store_dir)[0]
    assert py(venv, "import beta; print(beta.B)") == "2"
