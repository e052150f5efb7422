"""A named source whose wheel built here is tagged for this machine, read for other targets.

Decision 442.

``proj`` 1.0 requires ``helper``; its in-tree backend builds a wheel tagged for the machine
running it (``cp311-cp311-linux_x86_64``, as setuptools tags a C extension's) and logs its
hooks. On a loopback index ``helper`` 1.0 is a wheel for any platform. A foreign target's
dry run (CPython 3.12 on Windows arm64), ``graft lock --platform windows`` and a lock for
Linux, macOS and Windows built the project here and refused it ("no wheel of proj 1.0 for
the target"); ``uv pip compile`` 0.13.9 reads its metadata and resolves proj with helper
1.0. Now graft reads it too: the static ``[project]`` table (no hook run), else the
backend's ``prepare_metadata_for_build_wheel`` (and the dry run warns, decision 421). A
sync for this machine still builds and installs the wheel.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncbench.index import serve
from tests.conftest import run_graft
from tests.integration.test_resolve_sync import installed
from tests.integration.test_sdist_only_newest import _uv_run
from tests.support.inbackend import WHEEL_WRITER
from tests.support.wheelmaker import make_wheel

TARGET = ("--python-version", "3.12", "--platform", "win_arm64")
UV_TARGET = ("--python-version", "3.12", "--python-platform", "aarch64-pc-windows-msvc")

#: Builds proj's wheel tagged for the interpreter and machine running it; logs each hook.
BACKEND = WHEEL_WRITER + textwrap.dedent(
    """
    import os, sys, sysconfig

    _PY = "cp%d%d" % sys.version_info[:2]
    TAG = _PY + "-" + _PY + "-" + sysconfig.get_platform().replace("-", "_").replace(".", "_")
    METADATA = b"Metadata-Version: 2.1\\nName: proj\\nVersion: 1.0\\nRequires-Dist: helper\\n"

    def _log(hook):
        with open(os.environ["NATIVE_LOG"], "a") as fh:
            fh.write(hook + "\\n")

    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        _log("prepare")
        os.mkdir(os.path.join(metadata_directory, "proj-1.0.dist-info"))
        with open(os.path.join(metadata_directory, "proj-1.0.dist-info", "METADATA"), "wb") as fh:
            fh.write(METADATA)
        return "proj-1.0.dist-info"

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        _log("build")
        wheel = ("Wheel-Version: 1.0\\nRoot-Is-Purelib: false\\nTag: " + TAG + "\\n").encode()
        files = {
            "proj.py": b"",
            "proj-1.0.dist-info/METADATA": METADATA,
            "proj-1.0.dist-info/WHEEL": wheel,
        }
        return write_wheel(wheel_directory, "proj-1.0-" + TAG + ".whl", files)
    """
)
STATIC = '[project]\nname = "proj"\nversion = "1.0"\ndependencies = ["helper"]\n'
DYNAMIC = '[project]\nname = "proj"\nversion = "1.0"\ndynamic = ["dependencies"]\n'
BUILD_SYSTEM = (
    '[build-system]\nrequires = []\nbuild-backend = "nativeback"\nbackend-path = ["_backend"]\n'
)


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("NATIVE_LOG", str(tmp_path / "hooks.log"))
    folder = tmp_path / "index"
    folder.mkdir()
    make_wheel(folder, "helper", "1.0", {"helper.py": ""})
    with serve(folder) as url:
        yield url


def _project(folder: Path, table: str) -> Path:
    (folder / "_backend").mkdir(parents=True)
    (folder / "_backend" / "nativeback.py").write_text(BACKEND)
    (folder / "pyproject.toml").write_text(BUILD_SYSTEM + table)
    return folder


def _hooks(tmp_path: Path) -> list[str]:
    log = tmp_path / "hooks.log"
    return log.read_text().split() if log.exists() else []


def _uv_compile(tmp_path: Path, index: str, source: str, *target: str) -> list[str]:
    lines = _uv_run(
        tmp_path, "pip", "compile", "-", "-q", "--index-url", index, "--python", sys.executable,
        *target, "--no-header", "--no-annotate", stdin=f"{source}\n",
    )  # fmt: skip
    return sorted(line.split(" @ ")[0] if " @ " in line else line for line in lines)


@pytest.mark.parametrize("table", [STATIC, DYNAMIC], ids=["static", "dynamic"])
def test_a_foreign_dry_run_reads_a_directory_whose_wheel_fits_only_here(
    index: str, tmp_path: Path, store_dir: Path, cache: Path, table: str
) -> None:
    project = _project(tmp_path / "proj", table)
    run = run_graft(
        "sync", tmp_path / "v", project, "--dry-run", "--json", *TARGET, "--index-url", index,
        "--store", store_dir,
    )  # fmt: skip
    out = json.loads(run.stdout)
    assert {r["name"]: (r["version"], r["fetch"]) for r in out["distributions"]} == {
        "proj": ("1.0", "build"),
        "helper": ("1.0", "download"),
    }, run.stderr
    assert not (tmp_path / "v").exists()
    warned = [line for line in run.stderr.splitlines() if "not static" in line]
    if table == STATIC:  # read from [project]: no hook run, no warning
        assert _hooks(tmp_path) == [], run.stderr
        assert warned == [], run.stderr
    else:  # its backend's metadata hook, run here; never a build
        assert _hooks(tmp_path) == ["prepare"], run.stderr
        here = f"cpython {sys.version_info[0]}.{sys.version_info[1]} ({sys.executable})"
        said = (
            "graft: warning: named sources whose dependencies are not static: proj 1.0; read"
            f" through their backends run here by {here}, a build on the target may require"
            " others"
        )
        assert warned == [said], run.stderr
    theirs = _uv_compile(tmp_path, index, str(project), *UV_TARGET)
    assert theirs == [str(project), "helper==1.0"], theirs


def test_a_foreign_dry_run_reads_a_repository_whose_wheel_fits_only_here(
    index: str, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not on PATH")
    repo = _project(tmp_path / "repo", STATIC)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "proj 1.0")):
        who = ("-c", "user.email=t@example.org", "-c", "user.name=t")
        subprocess.run(["git", "-C", str(repo), *who, *args], check=True)
    run = run_graft(
        "sync", tmp_path / "v", f"proj @ git+{repo.as_uri()}", "--dry-run", "--json", *TARGET,
        "--index-url", index, "--store", store_dir,
    )  # fmt: skip
    out = json.loads(run.stdout)
    assert {r["name"]: (r["version"], r["fetch"]) for r in out["distributions"]} == {
        "proj": ("1.0", "build"),
        "helper": ("1.0", "download"),
    }, run.stderr
    assert _hooks(tmp_path) == [], run.stderr


@pytest.mark.parametrize("platforms", [("windows",), ()], ids=["windows", "every-platform"])
def test_a_lock_reads_a_directory_whose_wheel_fits_only_here(
    index: str, tmp_path: Path, cache: Path, platforms: tuple[str, ...]
) -> None:
    """``graft lock --platform windows``, and the lock for Linux, macOS and Windows."""
    project = _project(tmp_path / "proj", DYNAMIC)
    lock = tmp_path / "pylock.toml"
    flags = [arg for p in platforms for arg in ("--platform", p)]
    run = run_graft(
        "lock", project, "--index-url", index, "-o", lock, "--python-version", "3.12", *flags
    )
    envs = 2 if platforms else 6
    assert f"for {envs} environments" in run.stderr, run.stderr
    assert "skipped" not in run.stderr, run.stderr
    text = lock.read_text()
    assert '[[packages]]\nname = "proj"\n\n[packages.directory]\npath = "proj"\n' in text, text
    assert 'name = "helper"\nversion = "1.0"\n' in text, text
    assert _hooks(tmp_path) == ["prepare"], run.stderr  # (read, never built)
    uv_target = ("--python-platform", "x86_64-pc-windows-msvc") if platforms else ("--universal",)
    theirs = _uv_compile(tmp_path, index, str(project), "--python-version", "3.12", *uv_target)
    assert theirs == [str(project), "helper==1.0"], theirs


def test_a_sync_for_this_machine_still_builds_the_wheel(
    index: str, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """A guard: the native sync installs the wheel it builds (passes on main too)."""
    project = _project(tmp_path / "proj", STATIC)
    venv = tmp_path / "v"
    run_graft("sync", venv, project, "--index-url", index, "--store", store_dir)
    got = installed(venv)
    assert (got["proj"], got["helper"]) == ("1.0", "1.0"), got
    assert "build" in _hooks(tmp_path)
    assert list(venv.glob("lib/python*/site-packages/proj-1.0.dist-info/WHEEL"))
    wheel = next(venv.glob("lib/python*/site-packages/proj-1.0.dist-info/WHEEL")).read_text()
    assert "Tag: cp" in wheel, wheel
