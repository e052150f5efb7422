"""``graft bench``: a small graft venv measured against its flat copy. Timings are never asserted.

The fixture's ``alpha`` package has many modules behind one directory link (the fold), so the
venv holds fewer filesystem entries than the files it serves.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from graft.bench.startup import flat_copy, measure_layout
from tests.conftest import run_graft
from tests.support.wheelmaker import make_wheel

ALPHA_MODULES = 60


@pytest.fixture
def venv(tmp_path: Path, store_dir: Path, wheels: Path) -> Path:
    alpha = {f"alpha/m{i:02}.py": f"X = {i}\n" for i in range(ALPHA_MODULES)}
    made = [
        make_wheel(wheels, "alpha", "1.0", {"alpha/__init__.py": "V = 1\n", **alpha}),
        make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"}),
        make_wheel(wheels, "ns-a", "1.0", {"ns/a/__init__.py": "A = 1\n"}),
        make_wheel(wheels, "ns-b", "1.0", {"ns/b/__init__.py": "B = 1\n"}),
        make_wheel(wheels, "broken", "1.0", {"broken.py": "raise RuntimeError('no')\n"}),
    ]
    path = tmp_path / "venv"
    run_graft("sync", path, *made, "--store", store_dir)
    return path


@pytest.fixture
def tmpdir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR for the bench subprocess, to see that the flat copy is gone afterwards."""
    path = tmp_path / "tmp"
    path.mkdir()
    monkeypatch.setenv("TMPDIR", str(path))
    return path


def test_bench_json(venv: Path, tmpdir_env: Path) -> None:
    proc = run_graft("bench", venv, "--runs", "3", "--json")
    data = json.loads(proc.stdout)
    assert data["venv"] == str(venv)
    assert data["runs"] == 3
    assert data["modules"] == ["alpha", "beta", "ns"]
    assert data["skipped_modules"] == ["broken"]
    assert set(data["timings"]) == {"startup", "import"}
    assert data["timings"]["import"]["code"] == "import alpha, beta, ns"
    for timing in data["timings"].values():
        for side in ("graft", "flat"):
            t = timing[side]
            assert len(t["samples"]) == 3
            assert t["min"] <= t["median"] <= t["max"]
        assert timing["ratio_median"] > 0
    paths = data["sys_path"]
    assert paths["graft"]["entries"] == paths["flat"]["entries"]
    assert paths["graft"]["site_packages_roots"] == paths["flat"]["site_packages_roots"] == 1
    assert paths["graft"]["duplicate_realpaths"] == 0
    assert paths["same"] is True
    assert data["pth_files"] == {"count": 0, "names": []}
    layout = data["layout"]
    assert layout["fs_entries"] < layout["files_served"]
    assert layout["files_served"] > ALPHA_MODULES
    assert layout["bytes_venv"] > 0
    assert layout["bytes_behind_links"] > 0
    assert data["flat_copy"].startswith(str(tmpdir_env))
    assert not os.path.exists(data["flat_copy"])
    assert list(tmpdir_env.iterdir()) == []


def test_bench_table(venv: Path, tmpdir_env: Path) -> None:
    proc = run_graft("bench", venv, "--runs", "1")
    for label in ("startup venv", "import flat copy", "ratio venv/flat", "site packages roots"):
        assert label in proc.stdout
    assert "skipped (fail in the flat copy): broken" in proc.stdout
    assert list(tmpdir_env.iterdir()) == []


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_bench_plot(venv: Path, tmp_path: Path, suffix: str) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / f"out.{suffix}"
    run_graft("bench", venv, "--runs", "1", "--plot", out)
    assert out.stat().st_size > 0


def test_bench_errors(tmp_path: Path, venv: Path) -> None:
    proc = run_graft("bench", tmp_path, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("graft: error:")
    assert "not a virtual environment" in proc.stderr
    bad = run_graft("bench", venv, "--plot", tmp_path / "out.pdf", check=False)
    assert bad.returncode == 2
    assert ".png or .svg" in bad.stderr
    (venv / "bin" / "python").unlink()
    gone = run_graft("bench", venv, check=False)
    assert gone.returncode == 1
    assert len(gone.stderr.strip().splitlines()) == 1


def test_flat_copy_has_no_links_out(venv: Path, tmp_path: Path) -> None:
    copy = tmp_path / "flat"
    flat_copy(str(venv), str(copy))
    links = sorted(
        os.path.relpath(os.path.join(d, n), copy)
        for d, dirs, files in os.walk(copy)
        for n in [*dirs, *files]
        if os.path.islink(os.path.join(d, n))
    )
    assert all(link.startswith("bin/python") or link == "lib64" for link in links), links
    assert measure_layout(str(copy)).files_served == measure_layout(str(venv)).files_served
    assert measure_layout(str(copy)).bytes_behind_links == 0
