"""``graft build`` writes an sdist, then wheels built from it, as pypa/build and ``uv build`` do
(decision 250): projects made here with the in-tree backend of ``test_build`` (no network).
"""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graft._fs import file_sha256
from tests.conftest import run_graft
from tests.integration.test_build import entries, make_project
from tests.support.sdistmaker import write_sdist

if TYPE_CHECKING:
    import pytest


def build(store: Path, *args: str | Path) -> dict[str, Any]:
    run = run_graft("build", *args, "--store", store, "--json")
    built: dict[str, Any] = json.loads(run.stdout)
    return built


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_directory_gives_its_sdist_then_a_wheel_built_from_it(
    tmp_path: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "proj")
    monkeypatch.chdir(tmp_path)
    run = run_graft("build", project, "--store", store_dir)
    dist = project / "dist"
    assert listing(dist) == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    lines = run.stdout.splitlines()
    assert lines[0].endswith(": built demo-1.0.tar.gz"), lines
    assert ": built demo-1.0-py3-none-any.whl: " in lines[1], lines
    assert lines[2:] == [
        "wrote proj/dist/demo-1.0.tar.gz",
        "wrote proj/dist/demo-1.0-py3-none-any.whl",
    ]
    with tarfile.open(dist / "demo-1.0.tar.gz") as tf:
        assert sorted(tf.getnames()) == [
            "demo-1.0/PKG-INFO",
            "demo-1.0/_backend/backend.py",
            "demo-1.0/demo/__init__.py",
            "demo-1.0/pyproject.toml",
        ]
    # The wheel was built from the sdist: recorded under the sdist's sha256, not the tree's.
    sha = file_sha256(str(dist / "demo-1.0.tar.gz"))
    assert [p.name for p in (cache / "builds").glob("*-*") if p.is_dir()] == [f"sdist-{sha}"]
    inspect = run_graft("inspect", dist / "demo-1.0-py3-none-any.whl").stdout
    assert f"built_from       sdist-{sha}" in inspect
    assert len(entries(store_dir)) == 1
    # Built again, the same sdist bytes: its wheel is reused (and written again).
    (dist / "demo-1.0-py3-none-any.whl").unlink()
    again = build(store_dir, project)
    assert again["sdist"]["sha256"] == sha
    assert again["wheels_from"] == "sdist"
    assert [w["action"] for w in again["wheels"]] == ["reused"]
    assert (dist / "demo-1.0-py3-none-any.whl").is_file()


def test_an_sdist_that_is_not_byte_reproducible_builds_its_wheel_again(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """The wheel's source key is the sdist's sha256: another sdist, another build (setuptools'
    sdists differ on every build; the tree's digest would be unsound, decision 250)."""
    project = make_project(tmp_path / "proj")
    first = build(store_dir, project, "-C", "sdist=stamped")
    second = build(store_dir, project, "-C", "sdist=stamped")
    assert first["sdist"]["sha256"] != second["sdist"]["sha256"]
    assert [w["action"] for w in second["wheels"]] == ["built"]
    assert "no earlier build" in second["wheels"][0]["why"]


def test_an_sdist_of_the_same_files_reuses_the_wheel_of_the_last(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """Another sdist of the same files (new times, a new gzip header, as setuptools' each run)
    unpacks alike, so the wheel built from the first serves it (decision 300)."""
    project = make_project(tmp_path / "proj")
    first = build(store_dir, project, "-C", "sdist=mtimes")
    second = build(store_dir, project, "-C", "sdist=mtimes")
    assert first["sdist"]["sha256"] != second["sdist"]["sha256"]
    assert [w["action"] for w in first["wheels"]] == ["built"]
    (wheel,) = second["wheels"]
    assert wheel["action"] == "reused", wheel["why"]
    assert wheel["why"].endswith("; built from another sdist of the same files"), wheel["why"]
    assert wheel["sha256"] == first["wheels"][0]["sha256"]
    # Kept under the second sdist's own key: given again, it is found by its sha256.
    sdist = project / "dist" / "demo-1.0.tar.gz"
    assert file_sha256(str(sdist)) == second["sdist"]["sha256"]
    again = build(store_dir, sdist, "-C", "sdist=mtimes")
    assert [w["action"] for w in again["wheels"]] == ["reused"]
    assert "another sdist" not in again["wheels"][0]["why"]
    # Another build input (a config setting) is another key, here as for one sdist.
    other = build(store_dir, project, "-C", "sdist=mtimes", "-C", "mark=x")
    assert [w["action"] for w in other["wheels"]] == ["built"]
    # --reuse-builds verify builds, and compares with the wheel another sdist's record gives.
    verified = build(store_dir, project, "-C", "sdist=mtimes", "--reuse-builds", "verify")
    (checked,) = verified["wheels"]
    assert checked["action"] == "built"
    assert checked["why"].startswith("verify: rebuilt to compare with demo-1.0-py3-none-any.whl")
    assert checked["differences"] == [], checked


def test_the_json_names_each_artefact(tmp_path: Path, store_dir: Path, cache: Path) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    built = build(store_dir, project, "-o", out)
    assert built["out_dir"] == str(out)
    sdist = built["sdist"]
    assert (sdist["sdist"], sdist["path"], sdist["action"]) == (
        "demo-1.0.tar.gz",
        str(out / "demo-1.0.tar.gz"),
        "built",
    )
    assert sdist["warning"] is None
    assert sdist["interpreter"].startswith(("cpython", "pypy"))
    (wheel,) = built["wheels"]
    assert (wheel["wheel"], wheel["path"]) == (
        "demo-1.0-py3-none-any.whl",
        str(out / "demo-1.0-py3-none-any.whl"),
    )
    assert listing(out) == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    assert not (project / "dist").exists(), "-o: nothing in the project"


def test_an_sdist_missing_a_file_fails_its_wheel_and_stays(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """What the default order is for: the sdist lacks the package, so its wheel fails."""
    project = make_project(tmp_path / "proj")
    args = ("--store", store_dir, "-C", "sdist=nopackage")
    run = run_graft("build", project, *args, check=False)
    assert run.returncode == 1, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("graft: error:")]
    dist = project / "dist"
    assert len(errors) == 1, run.stderr
    assert errors[0].startswith(f"graft: error: {dist / 'demo-1.0.tar.gz'}: build_wheel"), errors
    assert f"demo-1.0.tar.gz is kept in {dist}; it may lack a file the build needs" in errors[0]
    assert "demo/__init__.py is not in" in run.stderr  # the backend's output
    assert listing(dist) == ["demo-1.0.tar.gz"]
    assert entries(store_dir) == []
    # --wheel builds straight from the directory, which has the file.
    run_graft("build", project, *args, "--wheel")
    assert listing(dist) == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]


def test_sdist_and_wheel_switches(tmp_path: Path, store_dir: Path, cache: Path) -> None:
    project = make_project(tmp_path / "proj")
    dist = project / "dist"
    only = build(store_dir, project, "--sdist")
    assert (only["sdist"]["sdist"], only["wheels"]) == ("demo-1.0.tar.gz", [])
    assert only["wheels_from"] is None, "no wheel was built: from nothing (decision 282)"
    assert listing(dist) == ["demo-1.0.tar.gz"]
    assert not (cache / "builds").is_dir() or not list((cache / "builds").glob("*-*/*"))
    (dist / "demo-1.0.tar.gz").unlink()
    wheel = build(store_dir, project, "--wheel")
    assert (wheel["sdist"], wheel["wheels_from"]) == (None, "tree")
    assert listing(dist) == ["demo-1.0-py3-none-any.whl"]
    both = build(store_dir, project, "--sdist", "--wheel")
    assert both["wheels_from"] == "tree"
    assert [w["action"] for w in both["wheels"]] == ["reused"], "the tree's wheel, as --wheel's"
    assert listing(dist) == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]


def test_an_existing_output_directory_keeps_other_files(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """As pypa/build and uv: files of the same name are replaced, others left."""
    project = make_project(tmp_path / "proj")
    dist = project / "dist"
    dist.mkdir()
    (dist / "demo-0.9.tar.gz").write_text("an older release")
    (dist / "demo-1.0.tar.gz").write_text("a stale file")
    build(store_dir, project)
    assert listing(dist) == ["demo-0.9.tar.gz", "demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    assert (dist / "demo-0.9.tar.gz").read_text() == "an older release"
    assert tarfile.is_tarfile(dist / "demo-1.0.tar.gz")


def test_a_failing_build_sdist_shows_its_output_and_writes_nothing(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    project = make_project(tmp_path / "proj")
    run = run_graft("build", project, "--store", store_dir, "-C", "sdist=fail", check=False)
    assert run.returncode == 1
    assert "boom: no sdist today" in run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("graft: error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"graft: error: {project}: build_sdist of backend failed (exit")
    assert not (project / "dist").exists()
    rerun = run.stderr.split("graft: to rerun by hand: ", 1)[1].splitlines()[0]
    before = listing(project)
    scratch = {**os.environ, "TMPDIR": str(tmp_path)}
    again = subprocess.run(
        ["sh", "-c", rerun], capture_output=True, text=True, check=False, env=scratch
    )
    assert again.returncode != 0
    assert "boom: no sdist today" in again.stdout + again.stderr
    assert listing(project) == before, "the rerun writes nothing into the project"


def test_a_backend_that_builds_another_release_keeps_nothing(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    project = make_project(tmp_path / "proj")
    args = ("--store", store_dir, "-C", "sdist=wrongname")
    run = run_graft("build", project, *args, "--json", check=False)
    assert run.returncode == 1
    error = json.loads(run.stdout)
    assert error["error"] == (
        "the backend built other-1.0.tar.gz, but the project is demo 1.0; nothing was kept"
    )
    assert "backend builds an sdist" in error["log"]
    assert not (project / "dist").exists()


def test_a_name_pep_625_spells_otherwise_is_kept_with_a_warning(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    project = make_project(tmp_path / "proj")
    run = run_graft("build", project, "--store", store_dir, "-C", "sdist=oldname")
    warning = "the backend named its sdist Demo-1.0.tar.gz, where PEP 625 wants demo-1.0.tar.gz"
    assert f"graft: warning: {warning}" in run.stderr.splitlines()
    assert listing(project / "dist") == ["Demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]


def test_an_sdist_gives_its_wheels_beside_it(tmp_path: Path, store_dir: Path, cache: Path) -> None:
    project = make_project(tmp_path / "proj")
    files = {f"demo-1.0/{p.relative_to(project)}": p.read_text() for p in project.rglob("*.*")}
    files["demo-1.0/PKG-INFO"] = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"
    folder = tmp_path / "downloads"
    folder.mkdir()
    sdist = write_sdist(folder / "demo-1.0.tar.gz", files)
    built = build(store_dir, sdist)
    assert (built["sdist"], built["wheels_from"]) == (None, "sdist"), "from the sdist given"
    assert listing(folder) == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    run = run_graft("build", sdist, "--sdist", "--store", store_dir, check=False)
    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"graft: error: {sdist}: --sdist builds an sdist of a project directory, not of an sdist"
        " (given an sdist, graft build builds its wheels: leave --sdist out)"
    )
