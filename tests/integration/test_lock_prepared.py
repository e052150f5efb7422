"""``-r pyproject.toml`` of a project only its backend describes, locked and synced.

Decision 468. ``legacy``'s ``pyproject.toml`` has no ``[project]`` (as ``setup.py`` and
poetry-core 1 projects), or a ``[project]`` whose ``dependencies`` are ``dynamic``; its
in-tree backend's ``prepare_metadata_for_build_wheel`` says what it requires, with platform
markers and extras, and its ``build_wheel`` fails. ``uv pip compile --universal
pyproject.toml`` 0.13.9 asks the hook and writes the dependencies with their markers, not
the project; ``uv pip install -r pyproject.toml`` installs them for ``[project]``'s dynamic
dependencies too. graft refused both the lock ("no [project] table") and the sync of
dynamic dependencies ("[project].dependencies is dynamic").
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.pylock import Pylock

from tests.conftest import run_graft
from tests.integration.test_lock import environments, selected
from tests.integration.test_resolve_sync import installed
from tests.integration.test_sdist_only_newest import _uv_run
from tests.support.rangeserver import Served, serve
from tests.support.toml import tomllib
from tests.support.wheelmaker import make_wheel

BACKEND = textwrap.dedent(
    """
    import os
    META = '''Metadata-Version: 2.1
    Name: legacy
    Version: 1.0
    Requires-Python: >=3.9
    Requires-Dist: lib<2
    Requires-Dist: app; sys_platform == "win32"
    Requires-Dist: speedy; extra == "fast" and sys_platform != "win32"
    Requires-Dist: legacy[fast]; extra == "all"
    Provides-Extra: fast
    Provides-Extra: all
    '''

    def _log(hook):
        with open(os.environ["PREPARED_LOG"], "a") as fh:
            fh.write(hook + "\\n")

    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        _log("prepare")
        os.mkdir(os.path.join(metadata_directory, "legacy-1.0.dist-info"))
        with open(os.path.join(metadata_directory, "legacy-1.0.dist-info", "METADATA"), "w") as fh:
            fh.write(META)
        return "legacy-1.0.dist-info"

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        _log("build")
        raise SystemExit("not built here")
    """
)
BUILD_SYSTEM = '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_b"]\n'
NO_PROJECT = BUILD_SYSTEM
DYNAMIC = BUILD_SYSTEM + '[project]\nname = "legacy"\nversion = "1.0"\ndynamic = ["dependencies"]\n'


@pytest.fixture
def index(wheels: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """lib 1.0 and 2.0, app 1.0 (needs lib>=1), speedy 0.5: wheels for any platform."""
    monkeypatch.setenv("PREPARED_LOG", str(tmp_path / "hooks.log"))
    with serve() as served:
        for version in ("1.0", "2.0"):
            served.add(make_wheel(wheels, "lib", version, {"lib.py": ""}))
        served.add(make_wheel(wheels, "app", "1.0", {"app.py": ""}, requires=("lib>=1",)))
        served.add(make_wheel(wheels, "speedy", "0.5", {"speedy.py": ""}))
        yield served


def _project(tmp_path: Path, table: str) -> Path:
    folder = tmp_path / "legacy"
    (folder / "_b").mkdir(parents=True)
    (folder / "_b" / "backend.py").write_text(BACKEND)
    (folder / "pyproject.toml").write_text(table)
    return folder / "pyproject.toml"


def _hooks(tmp_path: Path) -> list[str]:
    log = tmp_path / "hooks.log"
    return log.read_text().split() if log.exists() else []


def _lock(tmp_path: Path, served: Served, *args: str | Path) -> tuple[Pylock, str]:
    out = tmp_path / "pylock.toml"
    run = run_graft("lock", "--index-url", f"{served.url}/simple/", "-o", out, *args)
    parsed = Pylock.from_dict(tomllib.loads(out.read_text()))
    parsed.validate()
    return parsed, run.stderr


def _uv_compile(tmp_path: Path, served: Served, pyproject: Path, *args: str) -> list[str]:
    lines = _uv_run(
        tmp_path, "pip", "compile", "--universal", str(pyproject), "-q", "--no-header",
        "--no-annotate", "--index-url", f"{served.url}/simple/", "--python", sys.executable,
        *args,
    )  # fmt: skip
    return sorted(line for line in lines if line.strip())


@pytest.mark.parametrize("table", [NO_PROJECT, DYNAMIC], ids=["no-project", "dynamic"])
def test_a_lock_of_a_pyproject_only_its_backend_describes_holds_its_dependencies(
    tmp_path: Path, index: Served, cache: Path, table: str
) -> None:
    pyproject = _project(tmp_path, table)
    parsed, err = _lock(tmp_path, index, "-r", pyproject)
    assert sorted(str(p.name) for p in parsed.packages) == ["app", "lib"], err
    assert "legacy" not in err, err
    assert "--no-require-hashes" not in err, err  # (no directory in the lock)
    envs = environments(parsed)
    assert {e.target.markers["python_version"] for e in envs} >= {"3.9", "3.13"}
    for env in envs:
        windows = env.target.markers["sys_platform"] == "win32"
        expected = {"lib": "lib-1.0-py3-none-any.whl"}
        if windows:
            expected["app"] = "app-1.0-py3-none-any.whl"
        assert selected(parsed, env) == expected, env.marker
    assert "build" not in _hooks(tmp_path)  # (read, never built)
    theirs = _uv_compile(tmp_path, index, pyproject)
    assert theirs == ["app==1.0 ; sys_platform == 'win32'", "lib==1.0"], theirs

    # --extra all names legacy[fast]: speedy where its marker holds
    parsed, err = _lock(tmp_path, index, "-r", pyproject, "--extra", "all")
    assert sorted(str(p.name) for p in parsed.packages) == ["app", "lib", "speedy"], err
    for env in environments(parsed):
        got = selected(parsed, env)
        assert ("speedy" in got) == (env.target.markers["sys_platform"] != "win32"), env.marker
        assert ("app" in got) == (env.target.markers["sys_platform"] == "win32"), env.marker
    theirs = _uv_compile(tmp_path, index, pyproject, "--extra", "all")
    assert theirs == [
        "app==1.0 ; sys_platform == 'win32'",
        "lib==1.0",
        "speedy==0.5 ; sys_platform != 'win32'",
    ], theirs
    parsed, _ = _lock(tmp_path, index, "-r", pyproject, "--all-extras")
    assert sorted(str(p.name) for p in parsed.packages) == ["app", "lib", "speedy"]


def test_an_extra_its_metadata_lacks_is_refused_in_one_line(
    tmp_path: Path, index: Served, cache: Path
) -> None:
    pyproject = _project(tmp_path, NO_PROJECT)
    out = tmp_path / "pylock.toml"
    run = run_graft(
        "lock", "-r", pyproject, "--extra", "slow", "--index-url", f"{index.url}/simple/",
        "-o", out, check=False,
    )  # fmt: skip
    assert run.returncode != 0
    said = f"graft: error: {pyproject}: no extra 'slow' in legacy 1.0's metadata"
    assert run.stderr.strip().splitlines() == [f"{said} (declared: all, fast)"]
    assert not out.exists()


def test_only_deps_of_the_directory_locks_its_dependencies(
    tmp_path: Path, index: Served, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``graft lock --only-deps .`` is read as ``-r ./pyproject.toml`` (decision 438)."""
    pyproject = _project(tmp_path, NO_PROJECT)
    monkeypatch.chdir(pyproject.parent)
    parsed, err = _lock(tmp_path, index, "--only-deps", ".")
    assert sorted(str(p.name) for p in parsed.packages) == ["app", "lib"], err


def test_a_sync_of_dynamic_dependencies_asks_the_backend_as_uv_does(
    tmp_path: Path, index: Served, store_dir: Path, cache: Path
) -> None:
    pyproject = _project(tmp_path, DYNAMIC)
    venv = tmp_path / "v"
    url = f"{index.url}/simple/"
    run_graft(
        "sync", venv, "-r", pyproject, "--extra", "fast", "--index-url", url, "--store", store_dir
    )
    assert installed(venv) == {"lib": "1.0", "speedy": "0.5"}
    assert _hooks(tmp_path) == ["prepare"]
    uv_venv = tmp_path / "uvv"
    _uv_run(tmp_path, "venv", "-q", "--python", sys.executable, str(uv_venv))
    _uv_run(
        tmp_path, "pip", "install", "-q", "--python", str(uv_venv / "bin" / "python"),
        "-r", str(pyproject), "--extra", "fast", "--index-url", url,
    )  # fmt: skip
    assert installed(uv_venv) == installed(venv)
