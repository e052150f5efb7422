"""Tools run inside a graft venv that write bytecode next to what graft installed.

``python -m compileall -f`` (a Dockerfile's step, a packager's) recompiles every module: on a
venv pip or uv made it rewrites each ``.pyc``. py_compile refuses to replace a ``.pyc`` that is
a symbolic link ("is a symlink and will be changed into a regular file if import writes a
byte-compiled file to it"), and in a graft venv every ``.pyc`` of a real ``__pycache__`` (a
top-level module's, a namespace portion's) was a link to the store: the command failed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def venv(tmp_path: Path, store_dir: Path, wheels: Path) -> Path:
    # a top-level module (its __pycache__ is the real site-packages') and a folded package
    top = make_wheel(wheels, "top", "1.0", {"top.py": "T = 1\n"})
    pkg = make_wheel(wheels, "pkg", "1.0", {"pkg/__init__.py": "P = 2\n", "pkg/m.py": ""})
    path = tmp_path / "venv"
    run_graft("sync", path, top, pkg, "--store", store_dir, "--no-deps")
    return path


def test_compileall_force_rewrites_the_bytecode_of_a_graft_venv(
    venv: Path, store_dir: Path
) -> None:
    pyc = site(venv) / "__pycache__"
    (compiled,) = pyc.glob("top.*.pyc")
    assert not compiled.is_symlink()  # the venv's own file, as pip's and uv's
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "compileall", "-f", "-q", str(site(venv))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert py(venv, "import top, pkg.m; print(top.T + pkg.P)") == "3"
    assert "0 problems" in run_graft("store", "verify", "--store", store_dir).stderr
    audit = run_graft("audit", venv, check=False)
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_a_reinstall_of_another_wheel_of_the_version_carries_no_bytecode_over(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """Decision 244: a rebuild carried the venv's ``.pyc`` copy (decision 130) of the same
    version from another wheel; its source's size and mtime agreeing (reproducible builds),
    Python took the old bytecode for the new source."""
    (wheels / "a").mkdir()
    (wheels / "b").mkdir()
    first = make_wheel(wheels / "a", "beta", "1.0", {"beta.py": "B = 1\n"})
    second = make_wheel(wheels / "b", "beta", "1.0", {"beta.py": "B = 2\n"})
    venv = tmp_path / "v"
    common = ("--store", store_dir, "--no-index", "-q")
    run_graft("sync", venv, first, *common)
    assert py(venv, "import beta; print(beta.B)") == "1"
    run_graft("sync", venv, second, "--reinstall", *common)  # (a whole rebuild)
    assert (site(venv) / "beta.py").read_text() == "B = 2\n"  # the control: the new source
    assert py(venv, "import beta; print(beta.B)") == "2"
    (pyc,) = (site(venv) / "__pycache__").glob("beta.*.pyc")
    kept = pyc.stat().st_ino
    run_graft("sync", venv, second, "--reinstall", *common)  # the same wheel: still carried
    assert pyc.stat().st_ino == kept
    assert py(venv, "import beta; print(beta.B)") == "2"
