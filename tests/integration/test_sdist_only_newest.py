"""A project whose newest release is an sdist alone, an older one a wheel (decision 296).

On a loopback index (the benchmark's, which answers the ``HEAD`` requests uv makes):
``dyn`` 1.0 as a wheel, 2.0 as an sdist only (its in-tree backend, standard library only,
logs each hook). With builds allowed ``graft sync`` builds 2.0 and
``graft lock`` writes its sdist; with ``--no-build`` or ``--only-binary`` both take 1.0,
as ``uv pip install`` and ``uv pip compile`` (uv 0.13.9) do on the same index, and a
request only 2.0 meets says why it was left out, as uv hints.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncbench.index import serve
from tests.conftest import run_graft
from tests.integration.test_resolve_sync import installed
from tests.integration.test_sync_builds_gaps import dyn_sdist
from tests.support.toml import tomllib
from tests.support.wheelmaker import make_wheel

#: (flags, the version every tool takes with them)
CASES = [
    ((), "2.0"),
    (("--no-build",), "1.0"),
    (("--only-binary", ":all:"), "1.0"),
    (("--only-binary", "dyn"), "1.0"),
    (("--only-binary", "other"), "2.0"),  # (another project's limit: dyn may be built)
]
IDS = ["builds", "no-build", "only-binary-all", "only-binary-dyn", "only-binary-other"]


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """dyn 1.0 as a wheel and 2.0 as an sdist whose metadata only its backend says: the URL."""
    folder = tmp_path / "made"
    folder.mkdir()
    monkeypatch.setenv("DYN_LOG", str(tmp_path / "hooks.log"))
    make_wheel(folder, "dyn", "1.0", {"dyn.py": "VERSION = '1.0'\n"})
    dyn_sdist(folder, "2.0", hook=False)
    with serve(folder) as url:
        yield url


def _uv() -> str:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        pytest.skip("uv is not installed here (it is in graft's dev extras)")
    return uv


def _uv_run(tmp_path: Path, *args: str, stdin: str | None = None) -> list[str]:
    """uv's output lines (stdout, then stderr), with a cache of this test's own."""
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    env.pop("PIP_FIND_LINKS", None)
    run = subprocess.run(
        [_uv(), *args], input=stdin, capture_output=True, text=True, check=False, env=env
    )
    assert run.returncode == 0, run.stderr
    return (run.stdout + run.stderr).splitlines()


@pytest.mark.parametrize(("flags", "version"), CASES, ids=IDS)
def test_a_sync_takes_the_sdist_only_with_builds_as_uv_does(
    index: str,
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    flags: tuple[str, ...],
    version: str,
) -> None:
    venv = tmp_path / "v"
    url = index
    run_graft("sync", venv, "dyn", "--index-url", url, "--store", store_dir, *flags)
    assert installed(venv)["dyn"] == version
    uv_venv = tmp_path / "uvv"
    _uv_run(tmp_path, "venv", "-q", "--python", sys.executable, str(uv_venv))
    said = _uv_run(
        tmp_path, "pip", "install", "--dry-run", "--python", str(uv_venv / "bin" / "python"),
        "--index-url", url, "dyn", *flags,
    )  # fmt: skip
    assert f" + dyn=={version}" in said, said


@pytest.mark.parametrize(("flags", "version"), CASES, ids=IDS)
def test_a_lock_takes_the_sdist_only_with_builds_as_uv_compile_does(
    index: str, tmp_path: Path, cache: Path, flags: tuple[str, ...], version: str
) -> None:
    out = tmp_path / "pylock.toml"
    url = index
    run_graft(
        "lock", "dyn", "--index-url", url, "--python-version", "3.12", "--platform", "linux",
        "-o", out, *flags,
    )  # fmt: skip
    (package,) = tomllib.loads(out.read_text())["packages"]
    assert (package["name"], package["version"]) == ("dyn", version)
    if version == "2.0":
        assert package["sdist"]["name"] == "dyn-2.0.tar.gz"
        assert "wheels" not in package
    else:
        assert [w["name"] for w in package["wheels"]] == ["dyn-1.0-py3-none-any.whl"]
        assert "sdist" not in package
    said = _uv_run(
        tmp_path, "pip", "compile", "-", "-q", "--index-url", url, "--universal", *flags,
        stdin="dyn\n",
    )  # fmt: skip
    assert [line for line in said if line.startswith("dyn")] == [f"dyn=={version}"], said


def test_a_request_only_the_sdist_meets_says_builds_are_off(
    index: str, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    url = index
    runs = [
        run_graft(
            "sync", tmp_path / "v", "dyn>=2", "--index-url", url, "--store", store_dir,
            "--no-build", check=False,
        ),
        run_graft(
            "lock", "dyn==2.0", "--index-url", url, "--python-version", "3.12", "--platform",
            "linux", "-o", tmp_path / "pylock.toml", "--only-binary", "dyn", check=False,
        ),
    ]  # fmt: skip
    for run in runs:
        assert run.returncode == 1, run.stderr
        lines = run.stderr.splitlines()
        assert "  nearest versions with a wheel for the target: 1.0" in lines
        assert (
            "  the versions that match are left out (a source distribution, and builds are"
            " off): 2.0"
        ) in lines
        assert lines[-1].startswith("  hint: builds are off (--no-build, --only-binary dyn or")
    assert not (tmp_path / "v").exists()
    assert not (tmp_path / "pylock.toml").exists()


def test_a_lock_without_builds_refuses_a_project_directory(tmp_path: Path, cache: Path) -> None:
    # (a lock builds a project directory to read it: --no-build refuses it, as a sync does,
    # where before decision 296 argparse read --no-build as --no-build-isolation)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "x"\n[project]\nname = "proj"\n'
        'version = "1"\n'
    )
    out = tmp_path / "pylock.toml"
    run = run_graft("lock", project, "--no-index", "-o", out, "--no-build", check=False)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines()[-1] == (  # (the directory named once, not as where too)
        f"graft: error: {project} needs a build, and --no-build was given"
    )
    assert not out.exists()
