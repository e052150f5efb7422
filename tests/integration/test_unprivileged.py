"""graft run by a user without root's privileges, as most people run it.

The suite runs as root in CI, and root passes every permission check: a directory without
write bits can still be moved, emptied and removed. Here graft runs as an ordinary user
would: as root, under ``setpriv`` with every capability dropped (still uid 0, the owner of
the test's files, but held to their permission bits like any user, and unable to set the
immutable attribute); as any other user, as it is.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.venv import py
from tests.support.wheelmaker import make_wheel


def unprivileged() -> list[str]:
    """The command prefix that runs a program with an ordinary user's privileges."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("as root, dropping root's capabilities needs setpriv (util-linux)")
    return [setpriv, "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"]


def as_a_user(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``graft ARGS`` with an ordinary user's privileges."""
    return subprocess.run(
        [*unprivileged(), sys.executable, "-m", "graft", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GRAFT_IMMUTABLE": "0"},
    )


def ok(*args: str | Path) -> str:
    proc = as_a_user(*args)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


@pytest.fixture
def kit(wheels: Path) -> dict[str, Path]:
    return {
        "alpha": make_wheel(wheels, "alpha", "1.0", {"alpha/__init__.py": "A = 1\n"}),
        "beta": make_wheel(wheels, "beta", "1.0", {"beta/__init__.py": "B = 2\n"}),
    }


def test_the_capabilities_are_dropped(tmp_path: Path) -> None:
    """The premise: where this runs, a directory without write bits cannot be moved."""
    (tmp_path / "a" / "d").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "d").chmod(0o555)
    code = "import os, sys; os.rename(sys.argv[1], sys.argv[2])"
    argv = ["-c", code, str(tmp_path / "a" / "d"), str(tmp_path / "b" / "d")]
    cmd = [*unprivileged(), sys.executable, *argv]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    assert proc.returncode != 0
    assert b"Permission denied" in proc.stderr


def test_a_user_ingests_changes_and_collects_a_store(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    """Every entry's directory is moved from ``tmp/`` into ``entries/`` once it is sealed.

    Sealed, it had no write bits, and a directory moved to another parent must have them
    (rename(2) rewrites its ``..``): every cold sync of an ordinary user failed with
    "cannot unpack ... into the store (Permission denied)".
    """
    one, two = tmp_path / "one", tmp_path / "two"
    ok("sync", one, kit["alpha"], "--store", store_dir, "--no-deps", "-q")
    ok("sync", two, kit["alpha"], kit["beta"], "--store", store_dir, "--no-deps", "-q")
    assert py(one, "import alpha; print(alpha.A)") == "1"
    assert py(two, "import alpha, beta; print(beta.B)") == "2"
    entries = sorted((store_dir / "entries").iterdir())
    assert len(entries) == 2
    for entry in entries:  # sealed, the top directory too
        for path in [entry, *entry.rglob("*")]:
            mode = path.lstat().st_mode
            assert stat.S_ISLNK(mode) or not mode & 0o222, path
    assert "0 problems" in ok("store", "verify", "--store", store_dir)

    ok("sync", two, kit["alpha"], "--store", store_dir, "--no-deps", "-q")  # beta unused now
    assert "removed 1 entries" in ok("store", "gc", "--store", store_dir)
    ok("sync", two, kit["alpha"], kit["beta"], "--store", store_dir, "--no-deps", "-q")
    assert py(two, "import alpha, beta; print(beta.B)") == "2"
    assert "0 problems" in ok("store", "verify", "--store", store_dir)
    assert sorted(os.listdir(store_dir / "tmp")) == []


def _another_python() -> str:
    """A CPython of pyenv's whose X.Y differs from the interpreter running the tests."""
    own = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    found = sorted(
        path
        for path in glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3.*"))
        if not path.endswith(("-config", own))
        and os.path.basename(path).removeprefix("python3.").isdigit()
    )
    if not found:
        pytest.skip("no CPython of another version in pyenv: no entry to compile again")
    return found[-1]


def test_a_user_compiles_an_entry_for_another_interpreter(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    """An entry in place, unsealed for a second cache tag's bytecode and sealed again."""
    other = _another_python()
    ok("sync", tmp_path / "one", kit["alpha"], "--store", store_dir, "--no-deps", "-q")
    venv = tmp_path / "two"
    ok("sync", venv, kit["alpha"], "--python", other, "--store", store_dir, "--no-deps", "-q")
    assert py(venv, "import alpha; print(alpha.A)") == "1"
    (entry,) = (store_dir / "entries").iterdir()
    assert len(list((entry / "bytecode").glob("*.json"))) == 2
    for path in [entry, *entry.rglob("*")]:
        mode = path.lstat().st_mode
        assert stat.S_ISLNK(mode) or not mode & 0o222, path
    assert "0 problems" in ok("store", "verify", "--store", store_dir)


def _read_only_tree(top: Path) -> None:
    """A user's directory without write bits (a copy of a sealed package, say), at *top*."""
    (top / "sub").mkdir(parents=True)
    (top / "sub" / "notes.txt").write_text("mine\n")
    (top / "data.txt").write_text("mine too\n")
    for path in (top / "sub" / "notes.txt", top / "data.txt"):
        path.chmod(0o444)
    (top / "sub").chmod(0o555)
    top.chmod(0o555)


def test_a_users_read_only_directory_outlives_a_rebuild(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    """A rebuild removes the old venv, which holds the user's directory too, after the swap.

    It emptied the directory without making it writable first: the rebuild failed after
    the swap ("internal error: PermissionError"), leaving the old venv beside the new one,
    and every later sync failed sweeping it.
    """
    venv = tmp_path / "venv"
    ok("sync", venv, kit["alpha"], "--store", store_dir, "--no-deps", "-q")
    _read_only_tree(venv / "share" / "mine")
    ok("sync", venv, kit["alpha"], kit["beta"], "--reinstall", "--store", store_dir, "--no-deps")
    assert sorted(os.listdir(tmp_path)) == ["store", "venv", "wheels"]
    assert (venv / "share" / "mine" / "sub" / "notes.txt").read_text() == "mine\n"
    assert stat.S_IMODE((venv / "share" / "mine" / "sub").stat().st_mode) == 0o555
    assert py(venv, "import alpha, beta; print(beta.B)") == "2"
    assert "already in sync" in ok(
        "sync", venv, kit["alpha"], kit["beta"], "--store", store_dir, "--no-deps"
    )


def test_a_killed_syncs_leftover_holding_a_read_only_directory_is_swept(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    """The staging a sync killed after carrying the user's files leaves beside the venv."""
    venv = tmp_path / "venv"
    ok("sync", venv, kit["alpha"], "--store", store_dir, "--no-deps", "-q")
    _read_only_tree(tmp_path / ".venv.graft-0123456789ab" / "share" / "mine")
    assert "already in sync" in ok("sync", venv, kit["alpha"], "--store", store_dir, "--no-deps")
    assert sorted(os.listdir(tmp_path)) == ["store", "venv", "wheels"]


def _one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("graft: error: "), line
    return line


def test_gc_of_a_store_whose_roots_it_cannot_write_fails_in_one_line(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    """As on a read-only mount: gc removing a dead root was an internal error."""
    venv = tmp_path / "venv"
    ok("sync", venv, kit["alpha"], "--store", store_dir, "--no-deps", "-q")
    ok("store", "gc", "--store", store_dir)  # (its lock files exist: a store gc'd before)
    shutil.rmtree(venv)
    roots = store_dir / "roots"
    roots.chmod(0o555)
    try:
        line = _one_error_line(as_a_user("store", "gc", "--store", store_dir))
    finally:
        roots.chmod(0o755)
    assert line.startswith(f"graft: error: {roots}/"), line
    assert "(Permission denied)" in line
    assert "writable" in line
    assert len(list((store_dir / "entries").iterdir())) == 1  # nothing was removed
    assert "removed 1 entries" in ok("store", "gc", "--store", store_dir)


def test_a_sync_into_a_store_whose_roots_it_cannot_write_says_so_not_free_space(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    """The hint for a root that cannot be recorded spoke of a full disk whatever the reason."""
    ok("sync", tmp_path / "one", kit["alpha"], "--store", store_dir, "--no-deps", "-q")
    roots = store_dir / "roots"
    roots.chmod(0o555)
    venv = tmp_path / "two"
    try:
        proc = as_a_user("sync", venv, kit["alpha"], "--store", store_dir, "--no-deps")
    finally:
        roots.chmod(0o755)
    line = _one_error_line(proc)
    assert line.startswith(f"graft: error: {roots}: cannot record the venv's GC root"), line
    assert "(Permission denied)" in line
    assert "free space" not in line
    assert "a store you can write" in line
    assert not venv.exists()
