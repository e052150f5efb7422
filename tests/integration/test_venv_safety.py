"""Nothing lost: a user's files in a venv are kept when graft replaces it, or the sync stops."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from graft.audit import audit_venv
from graft.errors import MaterializeError
from graft.model.sync_request import SyncRequest
from graft.sync import sync
from graft.venv import keep, materialize
from graft.venv.replaceable import users
from graft.venv.state import recorded_state
from tests.conftest import run_graft
from tests.integration.test_crash import staging_dirs
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def pkgs(wheels: Path) -> dict[str, Path]:
    return {
        "alpha": make_wheel(
            wheels,
            "alpha",
            "1.0",
            {"alpha/__init__.py": "VALUE = 1\n", "alpha/sub/mod.py": "X = 2\n"},
            entry_points="[console_scripts]\nalpha-cli = alpha:main\n",
        ),
        "beta": make_wheel(
            wheels,
            "beta",
            "1.0",
            {"beta.py": "B = 3\n", "beta-1.0.data/data/share/beta/b.txt": "b\n"},
        ),
        "gamma": make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": "G = 1\n"}),
    }


def _graft_venv(tmp_path: Path, store: Path, pkgs: dict[str, Path]) -> Path:
    venv = tmp_path / "venv"
    run_graft("sync", venv, pkgs["alpha"], pkgs["beta"], "--store", store)
    return venv


def _refused(venv: Path, store: Path, wheel: Path, *names: str) -> str:
    proc = run_graft("sync", venv, wheel, "--store", store, check=False)
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft: error: {venv}: holds "), line
    for name in names:
        assert name in line, line
    return line


def _while_building(
    monkeypatch: pytest.MonkeyPatch, exchange: bool, step: str, action: Callable[[], object]
) -> None:
    """Run *action* (a user's write) right after the materializer's *step*, before the swap.

    Without *exchange*, the swap takes the fallback for kernels without renameat2.
    """
    original = getattr(materialize, step)

    def hooked(*args: object, **kwargs: object) -> None:
        original(*args, **kwargs)
        action()

    monkeypatch.setattr(materialize, step, hooked)
    if not exchange:
        monkeypatch.setattr(materialize, "_exchange", lambda *_: False)


def _linked_out(venv: Path, tmp_path: Path, name: str, text: str) -> Path:
    """A directory outside the venv holding *name*, and the link ``data`` to it in the venv."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / name).write_text(text)
    (venv / "data").symlink_to(outside)
    return outside


def _kept(venv: Path) -> list[str]:
    return json.loads(recorded_state(str(venv))["graft-kept"])  # type: ignore[no-any-return]


def test_a_user_file_at_the_top_of_a_venv_is_kept(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    notes = venv / "notes.txt"
    notes.write_text("keep me")
    inode = notes.stat().st_ino
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert notes.read_text() == "keep me"
    assert notes.stat().st_ino == inode  # the user's file itself, not a copy
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    assert not (site(venv) / "alpha").exists()
    assert _kept(venv) == ["notes.txt"]
    assert audit_venv(str(venv)).errors == ()


def test_a_user_script_in_bin_is_kept_and_a_file_where_the_new_venv_has_one_stops_the_sync(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (venv / "bin" / "deploy.sh").write_text("#!/bin/sh\necho mine\n")
    (site(venv) / "gamma").mkdir()  # where gamma's own package goes
    (site(venv) / "gamma" / "mine.py").write_text("M = 1\n")
    _refused(venv, store_dir, pkgs["gamma"], "gamma", "has its own file there")
    assert (site(venv) / "gamma" / "mine.py").read_text() == "M = 1\n"
    assert py(venv, "import beta; print(beta.B)") == "3"  # the old venv, in place
    assert staging_dirs(venv) == []
    shutil.rmtree(site(venv) / "gamma")
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert (venv / "bin" / "deploy.sh").read_text().endswith("echo mine\n")
    assert _kept(venv) == ["bin/deploy.sh"]


def test_a_changed_file_an_installed_distribution_lists_is_the_distributions(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    # as pip and uv see it: a RECORD row makes it alpha's, replaced or removed with alpha
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (venv / "bin" / "alpha-cli").unlink()
    (venv / "bin" / "alpha-cli").write_text("#!/bin/sh\necho edited\n")
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert not (venv / "bin" / "alpha-cli").exists()
    assert "graft-kept" not in recorded_state(str(venv))


def test_a_project_made_a_venv_with_python_m_venv_dot_keeps_its_files(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "src" / "app").mkdir(parents=True)
    (project / "src" / "app" / "main.py").write_text("print('mine')\n")
    (project / "README.md").write_text("my project\n")
    (project / "a.txt").write_text("a\n")
    (project / "b.txt").write_text("b\n")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", project], check=True)
    assert users(str(project)) == ["README.md", "a.txt", "b.txt", "src/"]
    run_graft("sync", project, pkgs["gamma"], "--store", store_dir)
    assert (project / "src" / "app" / "main.py").read_text() == "print('mine')\n"
    assert (project / "README.md").read_text() == "my project\n"
    assert _kept(project) == ["README.md", "a.txt", "b.txt", "src"]
    assert users(str(project)) == ["README.md", "a.txt", "b.txt", "src/"]  # (trusted, recorded)


def test_a_tree_larger_than_the_limit_inside_a_venv_stops_the_sync(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (venv / "src" / "mylib" / ".git").mkdir(parents=True)
    for number in range(5):
        (venv / "src" / "mylib" / f"m{number}.py").write_text("# mine\n")
    monkeypatch.setattr(keep, "LIMIT", 4)
    request = SyncRequest(str(venv), specs=(str(pkgs["gamma"]),), store=str(store_dir))
    with pytest.raises(MaterializeError, match=r"holds src.*at most 4 of a user's files"):
        sync(request)
    assert sorted(p.name for p in (venv / "src" / "mylib").iterdir()) == [
        ".git",
        *(f"m{n}.py" for n in range(5)),
    ]
    assert py(venv, "import alpha; print(alpha.VALUE)") == "1"
    assert staging_dirs(venv) == []


def test_a_file_beside_an_installed_package_is_kept_and_imports(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (site(venv) / "scratch.py").write_text("x = 1\n")
    (site(venv) / "mine.pth").write_text(f"{tmp_path}\n")
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert py(venv, "import scratch, sys; print(scratch.x, sys.path[-1])") == f"1 {tmp_path}"


def test_links_in_a_venv_are_kept_as_links_never_followed(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    outside = _linked_out(venv, tmp_path, "data.txt", "keep me")
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert os.readlink(venv / "data") == str(outside)
    (venv / "lib64").unlink()
    (venv / "lib64").symlink_to(outside)  # not the lib64 -> lib a venv makes
    _refused(venv, store_dir, pkgs["alpha"], "lib64", "has its own file there")
    assert os.readlink(venv / "lib64") == str(outside)
    assert sorted(p.name for p in outside.iterdir()) == ["data.txt"]
    assert (outside / "data.txt").read_text() == "keep me"


def test_a_user_file_where_the_new_venv_links_a_directory_to_the_store_stops_the_sync(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    # two wheels share pkg/ (a real directory); with one of them, pkg/ is one link to the store
    core = make_wheel(wheels, "pkg-core", "1.0", {"pkg/__init__.py": "", "pkg/core.py": ""})
    extra = make_wheel(wheels, "pkg-extra", "1.0", {"pkg/extra.py": ""})
    venv = tmp_path / "venv"
    run_graft("sync", venv, core, extra, "--store", store_dir)
    (site(venv) / "pkg" / "mine.py").write_text("M = 1\n")
    pkg = (site(venv) / "pkg").relative_to(venv)
    line = _refused(venv, store_dir, core, "pkg/mine.py", f"links {pkg} to the store")
    # (as after `jupyter lab build`, which puts a directory of its own where
    # share/jupyter/lab/static was a link: the hint names the mode that keeps it)
    assert line.endswith(
        "(move it out of the venv, or sync with --link-mode copy (or hardlink),"
        " whose directories can hold it; nothing was changed)"
    ), line
    assert (site(venv) / "pkg" / "extra.py").is_symlink()  # the old venv, in place
    gamma = make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": "G = 1\n"})
    run_graft("sync", venv, core, extra, gamma, "--store", store_dir)
    assert py(venv, "import pkg.mine; print(pkg.mine.M)") == "1"
    run_graft("sync", venv, core, "--link-mode", "copy", "--store", store_dir)
    assert py(venv, "import pkg.mine; print(pkg.mine.M)") == "1"
    assert not (site(venv) / "pkg" / "extra.py").exists()


def test_a_user_directory_merges_into_one_the_new_venv_has(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    kernels = venv / "share" / "beta" / "kernels"
    kernels.mkdir(parents=True)
    (kernels / "k.json").write_text("{}")
    run_graft("sync", venv, pkgs["beta"], "--store", store_dir)
    assert (venv / "share" / "beta" / "b.txt").read_text() == "b\n"  # beta's
    assert (kernels / "k.json").read_text() == "{}"
    assert _kept(venv) == ["share/beta/kernels"]
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert (kernels / "k.json").read_text() == "{}"
    assert not (venv / "share" / "beta" / "b.txt").exists()


@pytest.mark.parametrize("how", ["--reinstall", "another set"])
def test_an_edited_activate_script_and_gitignore_outlive_a_rebuild(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path], how: str
) -> None:
    # decision 109: pip and uv never write them again; a rebuild dropped the activate edit
    # and refused every sync of a venv whose .gitignore had a pattern added
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    activate = venv / "bin" / "activate"
    activate.write_text(activate.read_text() + "export DJANGO_SETTINGS_MODULE=site.dev\n")
    (venv / ".gitignore").write_text("*\n!notes.md\n")
    (venv / "bin" / "Activate.ps1").write_text("# mine\n")  # names no path: kept as it is
    inode = activate.stat().st_ino
    args = ["--reinstall", pkgs["alpha"], pkgs["beta"]] if how == "--reinstall" else [pkgs["gamma"]]
    run_graft("sync", venv, *args, "--store", store_dir)
    assert activate.read_text().endswith("export DJANGO_SETTINGS_MODULE=site.dev\n")
    assert activate.stat().st_ino == inode
    assert (venv / ".gitignore").read_text() == "*\n!notes.md\n"
    assert (venv / "bin" / "Activate.ps1").read_text() == "# mine\n"
    assert "graft-kept" not in recorded_state(str(venv))  # the venv's files, not a user's
    assert audit_venv(str(venv)).errors == ()
    same = args[1:] if how == "--reinstall" else args
    again = run_graft("sync", venv, *same, "--store", store_dir)
    assert "already in sync" in again.stderr
    assert staging_dirs(venv) == []


def test_an_activate_script_written_for_another_path_is_written_again(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    activate = venv / "bin" / "activate"
    activate.write_text(activate.read_text() + "export MINE=1\n")
    moved = tmp_path / "moved"
    venv.rename(moved)
    run_graft("sync", moved, "--reinstall", pkgs["alpha"], pkgs["beta"], "--store", store_dir)
    text = (moved / "bin" / "activate").read_text()
    assert str(moved) in text
    assert f'"{venv}"' not in text  # as python -m venv writes it
    assert "export MINE=1" not in text


def test_a_plain_venv_with_its_own_gitignore_is_taken_over_keeping_it(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = tmp_path / "plain"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    (venv / ".gitignore").write_text("*\n!requirements.txt\n")
    assert users(str(venv)) == []
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert (venv / ".gitignore").read_text() == "*\n!requirements.txt\n"
    assert py(venv, "import gamma; print(gamma.G)") == "1"


def test_a_plain_venv_is_replaced(tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]) -> None:
    venv = tmp_path / "plain"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)  # with pip (ensurepip)
    assert users(str(venv)) == []
    # its pip is a seed package the sync keeps (decision 122): here no source has it
    said = run_graft("sync", venv, pkgs["gamma"], "--no-index", "--store", store_dir).stderr
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    assert not (venv / "bin" / "pip").exists()
    assert "seed package" in said  # (pip, and setuptools below 3.12)
    assert " - pip==" in said


def test_every_graft_venv_ignores_itself_for_git(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    # as uv venv writes it (and Python 3.13's venv module): replacing a uv venv keeps it
    venv = tmp_path / "uvlike"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    (venv / ".gitignore").write_text("*")
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert (venv / ".gitignore").read_text().splitlines()[-1] == "*"
    fresh = _graft_venv(tmp_path, store_dir, pkgs)
    assert (fresh / ".gitignore").read_text().splitlines()[-1] == "*"
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the .gitignore files were checked, not git's view")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for path in (fresh / "bin" / "python", fresh / "pyvenv.cfg", venv / "lib"):
        check = ["git", "-C", str(tmp_path), "check-ignore", "-q", str(path)]
        assert subprocess.run(check, check=False).returncode == 0, path


def test_a_plain_venv_with_pip_installed_packages_is_replaced(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = tmp_path / "plain"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-index"]
    subprocess.run([*pip, pkgs["alpha"], pkgs["beta"]], check=True)
    py(venv, "import alpha.sub.mod, beta")  # the interpreter writes bytecode nobody recorded
    assert (venv / "share" / "beta" / "b.txt").exists()
    assert users(str(venv)) == []
    run_graft("sync", venv, pkgs["gamma"], "--no-index", "--store", store_dir)  # (its pip: no)
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    assert not (site(venv) / "alpha").exists()
    assert not (venv / "bin" / "alpha-cli").exists()


def test_a_graft_venv_holds_nothing_unaccounted_for_even_after_pip(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    py(venv, "import alpha.sub.mod, beta")
    assert users(str(venv), trust_recorded_state=False) == []
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install"]
    subprocess.run([*pip, "-q", "--no-index", "--no-deps", str(pkgs["gamma"])], check=True)
    assert users(str(venv)) == []
    run_graft("sync", venv, pkgs["alpha"], "--store", store_dir)
    assert not (site(venv) / "gamma").exists()


def test_a_uv_venv_with_uv_installed_packages_is_replaced(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    uv = str(Path(sys.executable).with_name("uv"))  # a dev dependency (benchmarks, e2e)
    venv = tmp_path / "uvvenv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, venv], check=True)
    install = [uv, "pip", "install", "-q", "--offline", "--python", str(venv / "bin" / "python")]
    subprocess.run([*install, pkgs["alpha"], pkgs["beta"]], check=True)
    assert (venv / "CACHEDIR.TAG").exists()
    # the activate scripts only uv writes are kept, as uv pip install and pip leave them
    theirs = ["bin/activate.nu", "bin/activate.xsh", "bin/activate_this.py"]
    assert set(theirs) <= set(users(str(venv)))
    assert {p for p in users(str(venv)) if not p.startswith("bin/")} == set()
    before = {rel: (venv / rel).read_bytes() for rel in theirs}
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    assert not (site(venv) / "alpha").exists()
    assert {rel: (venv / rel).read_bytes() for rel in theirs} == before
    run_graft("sync", venv, pkgs["alpha"], "--store", store_dir)  # and by the next rebuild
    assert {rel: (venv / rel).read_bytes() for rel in theirs} == before


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_file_written_into_the_venv_while_the_new_one_is_built_is_not_lost(
    tmp_path: Path,
    store_dir: Path,
    pkgs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    exchange: bool,
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    notes = venv / "notes.txt"
    _while_building(monkeypatch, exchange, "apply", lambda: notes.write_text("written during"))
    request = SyncRequest(str(venv), specs=(str(pkgs["gamma"]),), store=str(store_dir))
    with pytest.raises(MaterializeError, match=r"written into the venv while graft replaced it"):
        sync(request)
    assert notes.read_text() == "written during"
    assert py(venv, "import alpha, beta; print(alpha.VALUE)") == "1"  # the old venv, in place
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".venv.graft-") and p.is_dir()]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_kept_file_written_in_place_during_the_sync_keeps_the_write(
    tmp_path: Path,
    store_dir: Path,
    pkgs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    exchange: bool,
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (venv / "notes.txt").write_text("first\n")
    (venv / "share" / "mine").mkdir(parents=True)
    (venv / "share" / "mine" / "a.txt").write_text("a\n")

    def append() -> None:
        with (venv / "notes.txt").open("a") as fh:  # the same inode, in the old venv
            fh.write("second\n")

    _while_building(monkeypatch, exchange, "_write_state", append)
    sync(SyncRequest(str(venv), specs=(str(pkgs["gamma"]),), store=str(store_dir)))
    assert (venv / "notes.txt").read_text() == "first\nsecond\n"
    assert (venv / "share" / "mine" / "a.txt").read_text() == "a\n"
    assert _kept(venv) == ["notes.txt", "share/mine"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_file_added_to_a_kept_directory_during_the_sync_puts_the_old_venv_back(
    tmp_path: Path,
    store_dir: Path,
    pkgs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    exchange: bool,
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (venv / "share" / "mine").mkdir(parents=True)
    (venv / "share" / "mine" / "a.txt").write_text("a\n")
    run_graft("sync", venv, pkgs["alpha"], pkgs["beta"], pkgs["gamma"], "--store", store_dir)
    assert _kept(venv) == ["share/mine"]  # recorded, and trusted by the next sync
    added = venv / "share" / "mine" / "b.txt"
    _while_building(monkeypatch, exchange, "_write_state", lambda: added.write_text("b\n"))
    request = SyncRequest(str(venv), specs=(str(pkgs["gamma"]),), store=str(store_dir))
    with pytest.raises(MaterializeError, match=r"while graft replaced it: share/mine/b\.txt"):
        sync(request)
    assert sorted(p.name for p in (venv / "share" / "mine").iterdir()) == ["a.txt", "b.txt"]
    assert py(venv, "import alpha; print(alpha.VALUE)") == "1"  # the old venv, in place
    assert staging_dirs(venv) == []


def test_a_kept_file_changed_by_its_user_leaves_the_venv_in_sync_and_updatable(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (venv / "notes.txt").write_text("first\n")
    run_graft("sync", venv, pkgs["alpha"], pkgs["gamma"], "--store", store_dir)
    (venv / "notes.txt").write_text("changed, longer than before\n")
    again = run_graft("sync", venv, pkgs["alpha"], pkgs["gamma"], "--store", store_dir)
    assert "already in sync" in again.stderr
    # the lost line: the venv is no longer taken as graft left it, and is read whole again
    config = venv / "pyvenv.cfg"
    lines = config.read_text().splitlines(keepends=True)
    config.write_text("".join(ln for ln in lines if not ln.startswith("graft-kept")))
    assert users(str(venv)) == ["notes.txt"]
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert (venv / "notes.txt").read_text() == "changed, longer than before\n"


def test_a_venv_whose_users_files_cannot_be_read_again_after_the_swap_is_put_back(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (venv / "notes.txt").write_text("keep me")

    def unreadable(*_: object) -> list[str]:
        raise PermissionError(13, "Permission denied", str(venv / "notes.txt"))

    monkeypatch.setattr(keep, "lost", unreadable)
    request = SyncRequest(str(venv), specs=(str(pkgs["gamma"]),), store=str(store_dir))
    with pytest.raises(MaterializeError, match=r"cannot read what the venv held"):
        sync(request)
    assert (venv / "notes.txt").read_text() == "keep me"
    assert py(venv, "import alpha; print(alpha.VALUE)") == "1"  # the old venv, put back
    assert staging_dirs(venv) == []


def test_a_recorded_kept_path_below_a_link_is_never_followed(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    # pyvenv.cfg rewritten (its graft-tree made to match): a kept path reaching through a
    # link out of the venv is refused, nothing behind the link is linked into the venv
    from graft.venv.state import tree_digest

    venv = _graft_venv(tmp_path, store_dir, pkgs)
    outside = _linked_out(venv, tmp_path, "secret", "not the venv's")
    config = venv / "pyvenv.cfg"
    lines = [ln for ln in config.read_text().splitlines() if not ln.startswith("graft-tree")]
    kept = ["data/secret"]
    lines.append(f"graft-kept = {json.dumps(kept)}")
    lines.append(f"graft-tree = {tree_digest(str(venv), kept)}")
    config.write_text("\n".join(lines) + "\n")
    _refused(venv, store_dir, pkgs["gamma"], "data/secret", "data is not a directory of the venv")
    assert os.readlink(venv / "data") == str(outside)
    assert (outside / "secret").stat().st_nlink == 1


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
        pytest.skip("no CPython of another version in pyenv: no other interpreter to switch to")
    return found[-1]


def test_a_users_module_kept_in_another_interpreters_library_is_said_not_imported(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    # decision 86 keeps it; without a word, Python X.Y never imported it again
    other = _another_python()
    venv = tmp_path / "venv"
    run_graft("sync", venv, pkgs["gamma"], "--python", other, "--store", store_dir)
    mine = site(venv) / "mine.py"
    mine.write_text("X = 1\n")
    old = str(mine.relative_to(venv))
    switched = run_graft(
        "sync", venv, pkgs["gamma"], "--python", sys.executable, "--store", store_dir
    )
    (line,) = [x for x in switched.stderr.splitlines() if "warning" in x]
    new = f"lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"
    assert line == (
        f"graft: warning: {venv}: your files in the previous interpreter's library are kept,"
        f" but this one does not import them: {old} (move them to {new})"
    )
    assert mine.read_text() == "X = 1\n"  # (kept, decision 86)
    again = run_graft("sync", venv, pkgs["gamma"], "--python", sys.executable, "--store", store_dir)
    assert "warning" not in again.stderr  # said once, by the sync that switched
    rebuilt = run_graft("sync", venv, pkgs["gamma"], "--reinstall", "--store", store_dir)
    assert "warning" not in rebuilt.stderr
    # back to the first interpreter: it imports the file again, and there is nothing to say
    back = run_graft("sync", venv, pkgs["gamma"], "--python", other, "--store", store_dir)
    assert "warning" not in back.stderr
    assert py(venv, "import mine; print(mine.X)") == "1"
    assert keep.stranded([old, "lib/python3.99", "share/notes.txt"], [old.rsplit("/", 1)[0]]) == [
        "lib/python3.99"
    ]


def test_a_record_that_is_a_directory_refuses_the_sync_naming_a_path(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """A damaged RECORD: the venv is kept, and the line names a path, not a descriptor.

    Before: ``graft: error: 5: cannot read what the venv holds (Is a directory)``.
    """
    wheel = make_wheel(wheels, "app", "1.0", {"app/__init__.py": "A = 1\n"})
    venv = tmp_path / "v"
    args = ("sync", venv, wheel, "--no-index", "--store", store_dir, "--link-mode", "copy")
    run_graft(*args)
    record = site(venv) / "app-1.0.dist-info" / "RECORD"
    record.unlink()
    record.mkdir()
    got = run_graft(*args, "--reinstall", check=False)
    assert got.returncode == 1
    (line,) = got.stderr.splitlines()
    assert line.startswith(f"graft: error: {venv}: "), line
    assert "nothing was changed" in line
    assert record.is_dir()
    assert py(venv, "import app; print(app.A)") == "1"
