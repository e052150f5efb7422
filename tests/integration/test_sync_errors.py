"""Sync-level errors: each one line saying what is wrong, and nothing left behind."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_graft
from tests.support.wheelmaker import make_wheel


def test_every_missing_requirement_is_listed_with_verbose(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    app = make_wheel(
        wheels, "app", "1.0", {"app.py": ""}, requires=("beta>=1", "gamma", "delta", "eps<2")
    )
    args = ("sync", tmp_path / "v", app, "--store", store_dir)
    quiet = run_graft(*args, check=False)
    assert quiet.returncode == 1
    (line,) = quiet.stderr.splitlines()
    assert "app==1.0 requires beta>=1, which is missing (+3 more; -v lists them)" in line
    verbose = run_graft(*args, "-v", check=False)
    assert verbose.returncode == 1
    lines = verbose.stderr.splitlines()
    assert lines[0] == line
    for dep in ("beta>=1", "gamma", "delta", "eps<2"):
        assert f"graft:   app==1.0 requires {dep}, which is missing" in lines
    as_json = json.loads(run_graft(*args, "--json", check=False).stdout)
    assert len(as_json["details"]) == 4


def test_two_pins_of_one_distribution_are_a_conflict_naming_both(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    make_wheel(wheels, "beta", "1.0", {"beta.py": "1"})
    make_wheel(wheels, "beta", "2.0", {"beta.py": "2"})
    make_wheel(wheels, "app", "1.0", {"app.py": ""}, requires=("beta>=2",))
    reqs = tmp_path / "reqs.txt"
    reqs.write_text("app==1.0\n\nbeta==2.0\n")
    proc = run_graft(
        "sync", tmp_path / "v", "-r", reqs, "beta==1.0", "--find-links", wheels,
        "--no-index", "--store", store_dir, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert "conflicting requirements: beta==1.0 (command line) and beta==2.0 (" in line, line
    assert f"{reqs}:3)" in line
    assert not (tmp_path / "v").exists()


def test_two_pins_on_the_command_line_conflict(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    make_wheel(wheels, "idna", "3.10", {"idna.py": "1"})
    make_wheel(wheels, "idna", "3.7", {"idna.py": "2"})
    proc = run_graft(
        "sync", tmp_path / "v", "idna==3.10", "idna==3.7", "--find-links", wheels,
        "--no-index", "--store", store_dir, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr == (
        "graft: error: idna: conflicting requirements: idna==3.10 (command line) and"
        " idna==3.7 (command line) (ask for one version of idna)\n"
    )


def _roots(store: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in (store / "roots").iterdir()}


def test_a_failed_first_sync_leaves_no_gc_root(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    run_graft("sync", tmp_path / "other", beta, "--store", store_dir)
    before = _roots(store_dir)
    proc = run_graft(
        "sync", tmp_path / "no" / "such" / "v", beta, "--store", store_dir, check=False
    )
    assert proc.returncode == 1
    assert "the parent directory does not exist" in proc.stderr
    assert _roots(store_dir) == before


def test_a_failed_resync_leaves_the_gc_root_as_it_was(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    gamma = make_wheel(wheels, "gamma", "1.0", {"gamma.py": "G = 1\n"})
    venv = tmp_path / "v"
    run_graft("sync", venv, beta, "--store", store_dir)
    before = _roots(store_dir)
    (venv / "notes.txt").write_text("keep me")
    proc = run_graft("sync", venv, gamma, "--store", store_dir, check=False)
    assert proc.returncode == 1
    assert "notes.txt" in proc.stderr
    assert _roots(store_dir) == before
