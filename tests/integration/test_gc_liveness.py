"""gc never breaks a venv that still exists: upgraded, moved, renamed above, or reached through
a symlink that is gone (decision 21). Deleted and cleared venvs still stop counting at once.

Each test syncs with the real CLI and runs ``graft store gc`` in a subprocess. "Without its
anchor" removes the root's hard link to the venv's pyvenv.cfg, as for a store on another
filesystem, where it cannot be made: the venv must then be found by its paths and links.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graft._fs import file_sha256
from graft.store import seal
from graft.store.entries import Store
from graft.store.paths import anchor_path
from tests.conftest import run_graft
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def alpha(wheels: Path) -> Path:
    return make_wheel(wheels, "alpha", "1.0", {"alpha/__init__.py": "A = 1\n", "alpha/m.py": ""})


@pytest.fixture
def gamma(wheels: Path) -> Path:
    return make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": "A = 1\n", "gamma/m.py": ""})


def sync(venv: Path, store: Path, *wheel_paths: Path) -> None:
    run_graft("sync", venv, *wheel_paths, "--store", store, "--no-deps", "-q")


def gc(store: Path) -> dict[str, object]:
    proc = run_graft("store", "gc", "--store", store, "--json")
    data = json.loads(proc.stdout)
    assert isinstance(data, dict)
    return data


def entries(store: Path) -> set[str]:
    return {p.name for p in (store / "entries").iterdir()}


def imports(venv: Path, module: str) -> None:
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", f"import {module}.m; print({module}.A)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "1\n"


def drop_anchor(store: Path, venv: Path) -> None:
    anchor = Path(anchor_path(Store(str(store)).root_path(str(venv))))
    assert anchor.is_file()  # made by the sync
    anchor.unlink()


@pytest.mark.parametrize("anchor", [True, False], ids=["anchored", "without-anchor"])
def test_gc_keeps_a_venv_upgraded_by_python_venv(
    tmp_path: Path, store_dir: Path, alpha: Path, *, anchor: bool
) -> None:
    venv = tmp_path / "venv"
    sync(venv, store_dir, alpha)
    if not anchor:
        drop_anchor(store_dir, venv)
    subprocess.run(
        [sys.executable, "-m", "venv", "--upgrade", "--without-pip", str(venv)], check=True
    )
    assert "graft-store" not in (venv / "pyvenv.cfg").read_text()  # venv rewrote it

    data = gc(store_dir)
    assert (data["removed"], data["dead_roots"], data["kept"]) == ([], [], 1)
    assert entries(store_dir) == {file_sha256(str(alpha))}
    imports(venv, "alpha")


@pytest.mark.parametrize("anchor", [True, False], ids=["anchored", "without-anchor"])
def test_gc_keeps_a_renamed_venv_until_it_is_deleted(
    tmp_path: Path, store_dir: Path, alpha: Path, *, anchor: bool
) -> None:
    """Without an anchor, gc finds the venv by its directory's identity beside its old path."""
    venv, moved = tmp_path / "venv", tmp_path / "venv-renamed"
    sync(venv, store_dir, alpha)
    if not anchor:
        drop_anchor(store_dir, venv)
    venv.rename(moved)

    data = gc(store_dir)
    assert (data["removed"], data["dead_roots"], data["kept"]) == ([], [], 1)
    imports(moved, "alpha")

    seal.remove_tree(str(moved), sealed=False)
    data = gc(store_dir)
    assert [r["sha256"] for r in data["removed"]] == [file_sha256(str(alpha))]  # type: ignore[attr-defined]
    assert entries(store_dir) == set()
    assert list((store_dir / "roots").iterdir()) == []


@pytest.mark.parametrize("anchor", [True, False], ids=["anchored", "without-anchor"])
def test_gc_keeps_a_venv_whose_parent_was_renamed(
    tmp_path: Path, store_dir: Path, alpha: Path, *, anchor: bool
) -> None:
    (tmp_path / "project").mkdir()
    sync(tmp_path / "project" / "venv", store_dir, alpha)
    if not anchor:
        drop_anchor(store_dir, tmp_path / "project" / "venv")
    (tmp_path / "project").rename(tmp_path / "project-2")

    data = gc(store_dir)
    assert (data["removed"], data["dead_roots"], data["kept"]) == ([], [], 1)
    imports(tmp_path / "project-2" / "venv", "alpha")


@pytest.mark.parametrize("anchor", [True, False], ids=["anchored", "without-anchor"])
def test_gc_keeps_a_venv_synced_through_a_symlink_that_is_gone(
    tmp_path: Path, store_dir: Path, alpha: Path, *, anchor: bool
) -> None:
    """A venv synced as ``current/venv`` (``current`` -> ``release-1``) lives on when
    ``current`` is removed: its root also names the path it resolved to."""
    (tmp_path / "release-1").mkdir()
    (tmp_path / "current").symlink_to("release-1")
    sync(tmp_path / "current" / "venv", store_dir, alpha)
    if not anchor:
        drop_anchor(store_dir, tmp_path / "current" / "venv")
    (tmp_path / "current").unlink()

    data = gc(store_dir)
    assert (data["removed"], data["dead_roots"], data["kept"]) == ([], [], 1)
    imports(tmp_path / "release-1" / "venv", "alpha")


def test_gc_keeps_a_moved_venv_when_a_new_venv_takes_its_path(
    tmp_path: Path, store_dir: Path, alpha: Path, gamma: Path
) -> None:
    venv, kept = tmp_path / "venv", tmp_path / "venv.bak"
    sync(venv, store_dir, alpha)
    venv.rename(kept)
    sync(venv, store_dir, gamma)  # roots the same path again

    data = gc(store_dir)
    assert (data["removed"], data["dead_roots"], data["kept"]) == ([], [], 2)
    assert data["live_roots"] == 2
    imports(kept, "alpha")

    seal.remove_tree(str(kept), sealed=False)
    data = gc(store_dir)
    assert [r["sha256"] for r in data["removed"]] == [file_sha256(str(alpha))]  # type: ignore[attr-defined]
    assert entries(store_dir) == {file_sha256(str(gamma))}


def test_a_venv_cleared_by_python_venv_stops_counting(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    venv = tmp_path / "venv"
    sync(venv, store_dir, alpha)
    subprocess.run(
        [sys.executable, "-m", "venv", "--clear", "--without-pip", str(venv)], check=True
    )

    data = gc(store_dir)
    assert [r["reason"] for r in data["dead_roots"]] == ["not a graft venv any more"]  # type: ignore[attr-defined]
    assert entries(store_dir) == set()
    assert sorted(os.listdir(store_dir / "roots")) == []


def test_a_venv_rooted_by_two_paths_stops_counting_once_deleted(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    """Two roots anchor one pyvenv.cfg: the store's own anchors never keep each other live."""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    sync(tmp_path / "real" / "venv", store_dir, alpha)
    sync(tmp_path / "link" / "venv", store_dir, alpha)  # already in sync: a second root
    assert len(list((store_dir / "roots").glob("*.anchor"))) == 2
    assert gc(store_dir)["live_roots"] == 2

    seal.remove_tree(str(tmp_path / "real" / "venv"), sealed=False)
    data = gc(store_dir)
    assert len(data["dead_roots"]) == 2  # type: ignore[arg-type]
    assert entries(store_dir) == set()
    assert list((store_dir / "roots").iterdir()) == []


@pytest.mark.parametrize("anchor", [True, False], ids=["anchored", "without-anchor"])
def test_gc_keeps_the_old_venv_when_a_symlinked_parent_is_repointed_and_synced(
    tmp_path: Path, store_dir: Path, alpha: Path, gamma: Path, *, anchor: bool
) -> None:
    """``current`` -> ``release-1``, then -> ``release-2`` and ``current/venv`` synced again:
    the venv in release-1 is rooted by its own path from then on."""
    for release in ("release-1", "release-2"):
        (tmp_path / release).mkdir()
    current = tmp_path / "current"
    current.symlink_to("release-1")
    sync(current / "venv", store_dir, alpha)
    if not anchor:
        drop_anchor(store_dir, current / "venv")
    current.unlink()
    current.symlink_to("release-2")
    sync(current / "venv", store_dir, gamma)

    data = gc(store_dir)
    assert (data["removed"], data["dead_roots"], data["kept"]) == ([], [], 2)
    imports(tmp_path / "release-1" / "venv", "alpha")

    seal.remove_tree(str(tmp_path / "release-1" / "venv"), sealed=False)
    data = gc(store_dir)
    assert [r["sha256"] for r in data["removed"]] == [file_sha256(str(alpha))]  # type: ignore[attr-defined]
    assert entries(store_dir) == {file_sha256(str(gamma))}


@pytest.mark.parametrize("link_mode", ["symlink", "copy"])
def test_a_venv_synced_through_a_symlink_to_another_depth_works(
    tmp_path: Path, store_dir: Path, alpha: Path, link_mode: str
) -> None:
    """``d/link`` -> ``a/b/c``: the kernel resolves a relative link's ``..`` from where the
    venv really is, so link targets are computed from the resolved path."""
    (tmp_path / "d" / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "d" / "link").symlink_to("a/b/c")
    venv = tmp_path / "d" / "link" / "venv"
    run_graft(
        "sync", venv, alpha, "--store", store_dir, "--no-deps", "-q", "--link-mode", link_mode
    )
    imports(venv, "alpha")
    imports(tmp_path / "d" / "a" / "b" / "c" / "venv", "alpha")


def test_the_next_sync_removes_the_root_file_a_killed_sync_was_writing(
    tmp_path: Path, store_dir: Path, alpha: Path, gamma: Path
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, alpha)
    root = Path(Store(str(store_dir)).root_path(str(venv)))
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = root.with_name(f"{root.name}.tmp.{done.stdout.strip()}")  # its writer has exited
    alive = root.with_name(f"{root.name}.tmp.{os.getppid()}")  # a writer still running
    for planted in (dead, alive):
        planted.write_text("{}")
    sync(venv, store_dir, alpha, gamma)
    assert not dead.exists()
    assert alive.exists()
    alive.unlink()


def _unrooted(venv: Path) -> list[str]:
    from graft.audit import audit_venv
    from graft.audit.findings import Kind

    return [f.detail for f in audit_venv(str(venv)).findings if f.kind is Kind.STORE_UNROOTED]


@pytest.mark.parametrize("anchor", [True, False], ids=["anchored", "without-anchor"])
def test_audit_warns_of_a_copied_venv_gc_does_not_know(
    tmp_path: Path, store_dir: Path, alpha: Path, *, anchor: bool
) -> None:
    """gc cannot know a copy (``cp -a``, a backup restored): once the original is gone, it
    removes what the copy links to. ``graft audit`` says so; a sync of the copy roots it."""
    venv, copy = tmp_path / "venv", tmp_path / "copy"
    sync(venv, store_dir, alpha)
    if not anchor:
        drop_anchor(store_dir, venv)
    subprocess.run(["cp", "-a", str(venv), str(copy)], check=True)
    assert _unrooted(venv) == []
    (line,) = _unrooted(copy)
    assert line == (
        f"no GC root in {store_dir} names this venv (a copy, or restored from a backup?):"
        " `graft store gc` may remove the 1 store entries it links to"
    )
    moved = tmp_path / "moved"
    venv.rename(moved)  # found by its anchor, or by its directory's identity
    assert _unrooted(moved) == []

    seal.remove_tree(str(moved), sealed=False)
    gc(store_dir)
    assert entries(store_dir) == set()  # the copy's entry is gone: what the warning said
    sync(copy, store_dir, alpha)
    assert _unrooted(copy) == []
    gc(store_dir)
    imports(copy, "alpha")
