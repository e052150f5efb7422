"""A foreign target's dry run reads the sources the user names as ``graft lock`` reads them.

Decision 427.

On a loopback index (the benchmark's, which answers the ``HEAD`` requests uv makes), for
CPython 3.12 on Windows arm64, a machine graft cannot run: ``helper`` 1.0 has a wheel for
any platform, ``helper`` 2.0 one for Linux alone; ``proj`` 1.0, named as a project directory,
a git repository, an sdist file or an sdist URL, requires ``helper`` (its in-tree backend
says so, and logs each hook). The dry run refused each ("needs a build, which a foreign
target cannot run"); it now builds the source here, as ``graft lock`` builds a project
directory for its environments (``named_sources.build_named``, by the interpreter running
graft), resolves with the wheel's METADATA, and lists the source as to be built on the
target. ``uv pip compile --python-platform aarch64-pc-windows-msvc`` (0.13.9) takes the
same: proj 1.0 with helper 1.0. A lock's ``[packages.sdist]`` in a foreign dry run is read
as a dry run reads it here (its backend's metadata hook), run by the interpreter running
graft.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncbench.index import serve
from tests.conftest import run_graft
from tests.integration.test_sdist_only_newest import _uv_run
from tests.integration.test_sync_builds_gaps import DYN_BACKEND, PREPARE_HOOK
from tests.support.sdistmaker import write_sdist
from tests.support.wheelmaker import make_wheel

TARGET = ("--python-version", "3.12", "--platform", "win_arm64")
UV_TARGET = ("--python-version", "3.12", "--python-platform", "aarch64-pc-windows-msvc")
PYPROJECT = (
    '[build-system]\nrequires = []\nbuild-backend = "dynback"\nbackend-path = ["_backend"]\n'
)


def _project(folder: Path) -> Path:
    """proj 1.0, requiring helper, by an in-tree backend that logs its hooks (DYN_LOG)."""
    (folder / "_backend").mkdir(parents=True)
    (folder / "meta.txt").write_text("proj 1.0 helper\n")
    (folder / "_backend" / "dynback.py").write_text(DYN_BACKEND + PREPARE_HOOK)
    (folder / "pyproject.toml").write_text(PYPROJECT)
    return folder


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """The index's URL (its files at ``/files/``: proj's sdist too) and the project directory."""
    monkeypatch.setenv("DYN_LOG", str(tmp_path / "hooks.log"))
    folder = tmp_path / "made"
    folder.mkdir()
    make_wheel(folder, "helper", "1.0", {"helper.py": ""})
    make_wheel(folder, "helper", "2.0", {"helper.py": ""}, tag="py3-none-linux_x86_64")
    project = _project(tmp_path / "proj")
    top = "proj-1.0"
    files = {f"{top}/PKG-INFO": "Metadata-Version: 2.1\nName: proj\nVersion: 1.0\n"}
    for path in project.rglob("*"):
        if path.is_file():
            files[f"{top}/{path.relative_to(project)}"] = path.read_text()
    write_sdist(folder / "proj-1.0.tar.gz", files)
    with serve(folder) as url:
        yield url, project


def _source(kind: str, index: str, project: Path, tmp_path: Path) -> str:
    if kind == "directory":
        return str(project)
    if kind == "sdist-url":
        return f"proj @ {index.removesuffix('/simple/')}/files/proj-1.0.tar.gz"
    if kind == "sdist-file":
        return str(tmp_path / "made" / "proj-1.0.tar.gz")
    if shutil.which("git") is None:
        pytest.skip("git is not on PATH")
    repo = tmp_path / "repo"
    shutil.copytree(project, repo)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "proj 1.0")):
        who = ("-c", "user.email=t@example.org", "-c", "user.name=t")
        subprocess.run(["git", "-C", str(repo), *who, *args], check=True)
    return f"proj @ git+{repo.as_uri()}"


@pytest.mark.parametrize("kind", ["directory", "sdist-file", "sdist-url", "git"])
def test_a_named_source_is_read_here_and_listed_to_build_there(
    made: tuple[str, Path], tmp_path: Path, store_dir: Path, cache: Path, kind: str
) -> None:
    index, project = made
    source = _source(kind, index, project, tmp_path)
    run = run_graft(
        "sync", tmp_path / "v", source, "--dry-run", "--json", *TARGET, "--index-url", index,
        "--store", store_dir,
    )  # fmt: skip
    rows = json.loads(run.stdout)["distributions"]
    assert {row["name"]: (row["version"], row["fetch"]) for row in rows} == {
        "proj": ("1.0", "build"),  # (the target builds it: not the wheel built here)
        "helper": ("1.0", "download"),
    }, run.stderr
    tree = kind in {"directory", "git"}  # (a source tree, not an sdist: decision 443)
    said = "1 source tree to build" if tree else "1 sdist to build"
    assert json.loads(run.stdout)["not_planned"] == said
    if kind == "git":  # named by its URL, not its last path component (443)
        (row,) = [r for r in rows if r["name"] == "proj"]
        assert row["sdist"] == source.removeprefix("proj @ "), row
        text = run_graft(
            "sync", tmp_path / "v", source, "--dry-run", *TARGET, "--index-url", index,
            "--store", store_dir,
        ).stdout.splitlines()  # fmt: skip
        assert f"build           proj==1.0 from {row['sdist']}" in text, text
        assert text[-1].endswith("not planned: 1 source tree to build"), text
    assert not (tmp_path / "v").exists()
    lines = _uv_run(
        tmp_path, "pip", "compile", "-", "-q", "--index-url", index, "--python", sys.executable,
        *UV_TARGET, "--no-header", "--no-annotate", stdin=f"{source}\n",
    )  # fmt: skip
    theirs = [line for line in lines if line != "helper==1.0"]  # (proj, as its source)
    assert len(theirs) == 1, lines
    assert theirs[0].startswith(("proj @ ", source)), lines


def test_a_locks_sdist_is_read_here_for_a_foreign_dry_run(
    made: tuple[str, Path], tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """``graft lock`` writes proj's sdist from the index; a foreign dry run of the lock reads it."""
    index, _ = made
    lock = tmp_path / "pylock.toml"
    run_graft(
        "lock", "proj", "--index-url", index, "-o", lock, "--python-version", "3.12",
        "--platform", "windows",
    )  # fmt: skip
    assert "[packages.sdist]" in lock.read_text()
    run = run_graft(
        "sync", tmp_path / "v", "-r", lock, "--dry-run", "--json", *TARGET, "--store", store_dir
    )
    rows = json.loads(run.stdout)["distributions"]
    assert {row["name"]: (row["version"], row["fetch"]) for row in rows} == {
        "proj": ("1.0", "build"),
        "helper": ("1.0", "download"),
    }, run.stderr
    assert not (tmp_path / "v").exists()


def test_a_pyproject_without_a_project_table_is_still_refused(
    made: tuple[str, Path], tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """``-r pyproject.toml`` without ``[project]`` reads its backend for the target: refused."""
    index, project = made
    run = run_graft(
        "sync", tmp_path / "v", "-r", project / "pyproject.toml", "--dry-run", *TARGET,
        "--index-url", index, "--store", store_dir, check=False,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert "which a foreign target cannot run" in run.stderr
