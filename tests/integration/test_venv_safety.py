"""Nothing lost: a venv directory is replaced only when everything in it is a venv's own."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graft.errors import MaterializeError
from graft.model.request import SyncRequest
from graft.sync import sync
from graft.venv import materialize
from graft.venv.replaceable import in_the_way
from tests.conftest import run_graft
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


def _refused(venv: Path, store: Path, wheel: Path, *names: str) -> None:
    proc = run_graft("sync", venv, wheel, "--store", store, check=False)
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft: error: {venv}: holds files"), line
    for name in names:
        assert name in line, line


def test_a_user_file_at_the_top_of_a_venv_stops_the_sync(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (venv / "notes.txt").write_text("keep me")
    _refused(venv, store_dir, pkgs["gamma"], "notes.txt")
    assert (venv / "notes.txt").read_text() == "keep me"
    assert py(venv, "import alpha, beta; print(alpha.VALUE)") == "1"  # the old venv, intact


def test_a_user_script_in_bin_stops_the_sync(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (venv / "bin" / "deploy.sh").write_text("#!/bin/sh\necho mine\n")
    _refused(venv, store_dir, pkgs["gamma"], "bin/deploy.sh")
    assert (venv / "bin" / "deploy.sh").read_text().endswith("echo mine\n")


def test_a_project_made_a_venv_with_python_m_venv_dot_is_not_replaced(
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
    _refused(project, store_dir, pkgs["gamma"], "README.md", "a.txt", "b.txt", "(+1 more)")
    assert (project / "src" / "app" / "main.py").read_text() == "print('mine')\n"
    assert in_the_way(str(project)) == ["README.md", "a.txt", "b.txt", "src/"]


def test_a_checkout_inside_a_graft_venv_stops_the_sync(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (venv / "src" / "mylib" / ".git").mkdir(parents=True)
    (venv / "src" / "mylib" / "setup.py").write_text("# mine\n")
    _refused(venv, store_dir, pkgs["gamma"], "src/")
    assert (venv / "src" / "mylib" / "setup.py").read_text() == "# mine\n"


def test_a_file_beside_an_installed_package_stops_the_sync(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    (site(venv) / "scratch.py").write_text("x = 1\n")
    _refused(venv, store_dir, pkgs["gamma"], "site-packages/scratch.py")
    assert (site(venv) / "scratch.py").exists()


def test_links_in_a_venv_are_never_followed(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "data.txt").write_text("keep me")
    (venv / "data").symlink_to(outside)
    _refused(venv, store_dir, pkgs["gamma"], "data")
    (venv / "data").unlink()
    (venv / "lib64").unlink()
    (venv / "lib64").symlink_to(outside)  # not the lib64 -> lib a venv makes
    _refused(venv, store_dir, pkgs["gamma"], "lib64")
    assert (outside / "data.txt").read_text() == "keep me"


def test_a_plain_venv_is_replaced(tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]) -> None:
    venv = tmp_path / "plain"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)  # with pip (ensurepip)
    assert in_the_way(str(venv)) == []
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    assert not (venv / "bin" / "pip").exists()


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
    assert in_the_way(str(venv)) == []
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    assert not (site(venv) / "alpha").exists()
    assert not (venv / "bin" / "alpha-cli").exists()


def test_a_graft_venv_holds_nothing_unaccounted_for_even_after_pip(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    py(venv, "import alpha.sub.mod, beta")
    assert in_the_way(str(venv), trust_recorded_state=False) == []
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install"]
    subprocess.run([*pip, "-q", "--no-index", "--no-deps", str(pkgs["gamma"])], check=True)
    assert in_the_way(str(venv)) == []
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
    assert in_the_way(str(venv)) == []
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    assert not (site(venv) / "alpha").exists()


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_file_written_into_the_venv_while_the_new_one_is_built_is_not_lost(
    tmp_path: Path,
    store_dir: Path,
    pkgs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    exchange: bool,
) -> None:
    venv = _graft_venv(tmp_path, store_dir, pkgs)
    build = materialize.apply

    def build_while_the_user_writes(*args: object, **kwargs: object) -> None:
        build(*args, **kwargs)  # type: ignore[arg-type]
        (venv / "notes.txt").write_text("written during the sync")

    monkeypatch.setattr(materialize, "apply", build_while_the_user_writes)
    if not exchange:  # the fallback for kernels without renameat2
        monkeypatch.setattr(materialize, "_exchange", lambda *_: False)
    request = SyncRequest(str(venv), specs=(str(pkgs["gamma"]),), store=str(store_dir))
    with pytest.raises(MaterializeError, match=r"which replacing it would delete: notes\.txt"):
        sync(request)
    assert (venv / "notes.txt").read_text() == "written during the sync"
    assert py(venv, "import alpha, beta; print(alpha.VALUE)") == "1"  # the old venv, in place
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".venv.graft-") and p.is_dir()]
