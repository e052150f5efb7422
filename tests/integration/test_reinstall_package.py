"""uv's ``--reinstall-package NAME``: the named distributions installed again, the rest untouched.

Decision 342 refused it (``--reinstall`` rebuilds every distribution); decision 393 makes
``graft sync`` do what ``uv pip install`` 0.13.9 does, on a loopback index of wheels made
here: only the named distributions are taken out and put back (their links, ``.dist-info``
and launchers), each said ``~ name==version`` as uv says it, and their store entries are
checked first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graft.store import seal
from tests.conftest import run_graft
from tests.support.rangeserver import Served, serve_made
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Served]:
    """alpha (with a console script) and beta, each 1.0, and gamma, which nothing installs."""
    folder = tmp_path / "served"
    with serve_made(folder, pep658=True) as served:  # (uv asks a wheel's METADATA so)
        served.add(
            make_wheel(
                folder,
                "alpha",
                "1.0",
                {"alpha/__init__.py": "A = 1\n", "alpha/cli.py": "def main():\n    print(1)\n"},
                entry_points="[console_scripts]\nalpha = alpha.cli:main\n",
            )
        )
        served.add(make_wheel(folder, "beta", "1.0", {"beta/__init__.py": "B = 1\n"}))
        served.add(make_wheel(folder, "gamma", "1.0", {"gamma/__init__.py": "G = 1\n"}))
        yield served


def sync(
    venv: Path, store: Path, served: Served, *args: str, check: bool = True, mode: str = "symlink"
) -> str:
    url = f"{served.url}/simple/"
    return run_graft(
        "sync", venv, "alpha", "beta", *args, "--index-url", url, "--store", store,
        "--link-mode", mode, check=check,
    ).stderr  # fmt: skip


def marks(said: str) -> list[str]:
    return [line for line in said.splitlines() if line.startswith(" ")]


def touched(path: Path) -> tuple[int, int, int]:
    """What changes when a link or file is made again, renamed or written (not followed)."""
    st = os.lstat(path)
    return st.st_ino, st.st_mtime_ns, st.st_ctime_ns


def uv_marks(tmp_path: Path, served: Served, *args: str) -> list[str] | None:
    """uv's lines for ``uv pip install alpha beta ARGS`` into a venv it made of both first."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        return None
    venv = tmp_path / "uv"
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True, env=env)
    python = str(venv / "bin" / "python")
    index = f"{served.url}/simple"
    install = [uv, "pip", "install", "--python", python, "alpha", "beta", "--index-url", index]
    subprocess.run(install, check=True, capture_output=True, env=env)
    run = subprocess.run([*install, *args], check=True, capture_output=True, text=True, env=env)
    return marks(run.stderr)


@pytest.mark.parametrize("mode", ["symlink", "copy"])
def test_only_the_named_distribution_is_installed_again_as_uv_says(
    tmp_path: Path, store_dir: Path, index: Served, mode: str
) -> None:
    """In place: alpha's links (copies), ``.dist-info`` and launcher made anew; beta's not."""
    venv = tmp_path / "v"
    assert marks(sync(venv, store_dir, index, mode=mode)) == [" + alpha==1.0", " + beta==1.0"]
    assert "already in sync" in sync(venv, store_dir, index, mode=mode)  # (then stamped)
    packages = site(venv)
    beta = [packages / "beta", *sorted((packages / "beta-1.0.dist-info").iterdir())]
    before = {path: touched(path) for path in beta}
    directory = os.stat(packages).st_ino
    installer = touched(packages / "alpha-1.0.dist-info" / "INSTALLER")
    launcher = touched(venv / "bin" / "alpha")
    linked = touched(packages / "alpha")

    said = sync(venv, store_dir, index, "--reinstall-package", "ALPHA", mode=mode)  # (normalized)
    assert marks(said) == [" ~ alpha==1.0 (reinstalled)"], said
    assert "graft: synced" in said  # never a stamp's "already in sync"
    assert {path: touched(path) for path in before} == before  # beta's: untouched
    assert os.stat(packages).st_ino == directory  # changed in place, not rebuilt
    assert touched(packages / "alpha-1.0.dist-info" / "INSTALLER") != installer
    assert touched(venv / "bin" / "alpha") != launcher
    assert touched(packages / "alpha") != linked
    assert py(venv, "import alpha, beta; print(alpha.A, beta.B)") == "1 1"
    assert "already in sync" in sync(venv, store_dir, index, mode=mode)
    run_graft("audit", venv, "--deep")  # (exit 1 on any error: a file or link not as planned)

    expected = uv_marks(tmp_path, index, "--reinstall-package", "ALPHA")
    if expected is None:
        pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
    assert [f"{line} (reinstalled)" for line in expected] == marks(said)


def test_a_name_not_installed_or_not_asked_for_is_as_uv_takes_it(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """gamma, which the request does not install: passed over (uv: ``Checked 2 packages``)."""
    venv = tmp_path / "v"
    sync(venv, store_dir, index)
    said = sync(venv, store_dir, index, "--reinstall-package", "gamma")
    assert "already in sync" in said
    assert marks(said) == []
    other = tmp_path / "w"  # a venv without either: each added, as uv adds them
    said = sync(other, store_dir, index, "--reinstall-package", "beta")
    assert marks(said) == [" + alpha==1.0", " + beta==1.0"]
    refused = sync(other, store_dir, index, "--reinstall-package", "beta<2", check=False)
    assert refused.startswith("graft: error: --reinstall-package takes a project's name, not")
    assert len(refused.splitlines()) == 1


def test_a_venv_missing_a_file_of_the_named_distribution_gets_it_back(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """A venv changed since graft made it is rebuilt (as any sync of it); only alpha is said."""
    venv = tmp_path / "v"
    sync(venv, store_dir, index)
    (site(venv) / "alpha").unlink()
    said = sync(venv, store_dir, index, "--reinstall-package", "alpha")
    assert marks(said) == [" ~ alpha==1.0 (reinstalled)", " ~ rebuilt: changed since graft made it"]
    assert py(venv, "import alpha; print(alpha.A)") == "1"


def test_a_damaged_store_entry_is_refused_naming_the_repair(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """Relinking alpha's damaged entry would give the damage back: one line, nothing changed."""
    venv = tmp_path / "v"
    sync(venv, store_dir, index)
    config = (venv / "pyvenv.cfg").read_text()
    entry = (site(venv) / "alpha").resolve().parent.parent
    seal.unseal_tree(str(entry))
    (entry / "tree" / "alpha" / "__init__.py").write_text("A = 2  # damaged\n")
    said = sync(venv, store_dir, index, "--reinstall-package", "alpha", check=False)
    assert said.startswith(f"graft: error: {entry}: the store entry of alpha-1.0-py3-none-any.whl")
    assert "is damaged (alpha/__init__.py: size)" in said
    assert "graft store repair re-creates it from its wheel" in said
    assert len(said.splitlines()) == 1
    assert (venv / "pyvenv.cfg").read_text() == config
    assert "graft: synced" in sync(venv, store_dir, index, "--reinstall-package", "beta")
