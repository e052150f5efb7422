"""PEP 751 locks written by uv and by pip install into graft venvs equal to uv's own install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_graft

from .flatcompare import compare_trees, format_differences
from .venvs import BASE_PYTHON, open_venv
from .wheelcache import corpus_dir, isolated_pip_env

pytestmark = pytest.mark.e2e
SETS = ["seed-jaraco.txt", "seed-google-protobuf.txt"]
#: the corpus's CPython 3.11, the locks' target, whatever CPython runs graft (decision 368)
PYTHON = ("--python", str(BASE_PYTHON))


def _env() -> dict[str, str]:
    env = isolated_pip_env()
    for key in [k for k in env if k.startswith("UV_")]:
        del env[key]
    env["UV_NO_CONFIG"] = "1"
    return env


def _lock(tool: str, requirements: Path, out_dir: Path) -> Path:
    if tool == "uv":
        lock = out_dir / "pylock.toml"
        command = [
            sys.executable, "-m", "uv", "pip", "compile", "--format", "pylock.toml",
            "--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_28",
            "--index-url", "https://pypi.org/simple", str(requirements), "-o", str(lock), "-q",
        ]  # fmt: skip
    else:
        lock = out_dir / "pylock.pip.toml"
        command = [
            # (--python: pip runs itself under the corpus's CPython 3.11, whatever runs the tests)
            sys.executable, "-m", "pip", "--python", str(BASE_PYTHON), "lock",
            "--index-url", "https://pypi.org/simple",
            "-r", str(requirements), "-o", str(lock), "-q",
        ]  # fmt: skip
    proc = subprocess.run(command, env=_env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"{tool} could not write a lock (network?): {proc.stderr.strip()[-300:]}")
    return lock


def _uv_install(lock: Path, prefix: Path) -> None:
    uv = [sys.executable, "-m", "uv"]
    # the same skeleton graft uses (`python -m venv`), so that only the installs differ
    subprocess.run(
        [
            str(BASE_PYTHON),  # (the corpus's CPython 3.11, as graft's --python)
            "-m",
            "venv",
            "--without-pip",
            str(prefix),
        ],
        check=True,
    )
    subprocess.run(
        [*uv, "pip", "install", "-q", "--link-mode", "copy", "--python",
         str(prefix / "bin" / "python"), "-r", str(lock)],
        env=_env(), check=True, capture_output=True,
    )  # fmt: skip


@pytest.mark.parametrize("tool", ["uv", "pip"])
@pytest.mark.parametrize("set_name", SETS)
def test_lock_installs_like_uv(tmp_path: Path, store_dir: Path, tool: str, set_name: str) -> None:
    source = corpus_dir() / set_name
    requirements = tmp_path / "requirements.in"
    requirements.write_text(source.read_text())
    lock = _lock(tool, requirements, tmp_path)
    graft_venv = tmp_path / "graft"
    run_graft("sync", graft_venv, lock, "--store", store_dir, *PYTHON)
    uv_venv = tmp_path / "uv"
    _uv_install(lock, uv_venv)
    diffs = compare_trees(open_venv(graft_venv), open_venv(uv_venv), ("graft", "uv"))
    diffs = [d for d in diffs if d != "only in uv: .lock"]  # uv's own lock file at the venv root
    assert not diffs, format_differences(diffs)


def _write_lock(tmp_path: Path, body: str) -> Path:
    lock = tmp_path / "pylock.toml"
    lock.write_text(body)
    return lock


def test_bad_locks_fail_in_one_line_and_keep_the_venv(tmp_path: Path, store_dir: Path) -> None:
    source = corpus_dir() / "seed-jaraco.txt"
    requirements = tmp_path / "requirements.in"
    requirements.write_text(source.read_text())
    good = _lock("uv", requirements, tmp_path).read_text()
    venv = tmp_path / "venv"
    run_graft("sync", venv, tmp_path / "pylock.toml", "--store", store_dir, *PYTHON)
    before = sorted(p.name for p in venv.glob("lib/*/site-packages/*"))
    cases = {
        "hash": good.replace('sha256 = "f662826b', 'sha256 = "0000826b'),
        "version": good.replace('lock-version = "1.0"', 'lock-version = "2.0"'),
        "python": good.replace('requires-python = ">=3.11"', 'requires-python = ">=3.14"'),
        "environment": good.replace(
            'created-by = "uv"', 'created-by = "uv"\nenvironments = ["sys_platform == \'win32\'"]'
        ),
    }
    for case, body in cases.items():
        assert body != good, case
        lock_dir = tmp_path / case
        lock_dir.mkdir()
        lock = _write_lock(lock_dir, body)
        proc = run_graft("sync", venv, lock, "--store", store_dir, *PYTHON, check=False)
        assert proc.returncode == 1, (case, proc.stderr)
        assert "Traceback" not in proc.stderr
        (line,) = proc.stderr.strip().splitlines()
        assert line.startswith("graft: error: "), line
        assert str(lock) in line, line
        assert sorted(p.name for p in venv.glob("lib/*/site-packages/*")) == before
