"""bidict 0.24.0 from PyPI, whose RECORD gives hex sha256 digests (uv_build < 0.8.13,
astral-sh/uv#15398), installs as uv installs it (decision 383)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft

from .flatcompare import compare_record_rows, compare_trees, directory_links_of, format_differences
from .test_harness import is_uv_specific
from .venvs import BASE_PYTHON, open_venv
from .wheelcache import ensure_wheels, isolated_pip_env

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.e2e
PIN = "bidict==0.24.0"


def test_bidict_with_hex_record_digests_installs_as_uv_installs_it(
    online: None, tmp_path: Path, store_dir: Path
) -> None:
    del online
    set_file = tmp_path / "seed-bidict-hex-record.txt"
    set_file.write_text(PIN + "\n")
    (wheel,) = ensure_wheels(set_file).wheels
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read("bidict-0.24.0.dist-info/RECORD").decode()
    hex_rows = [r for r in csv.reader(io.StringIO(text)) if r and len(r[1]) == len("sha256=") + 64]
    assert hex_rows, "bidict 0.24.0's RECORD is expected to spell its digests in hex"

    ours = tmp_path / "graft"
    find = ("--no-deps", "--no-index", "--find-links", str(wheel.parent))
    proc = run_graft("sync", ours, PIN, *find, "--store", store_dir, "--python", str(BASE_PYTHON))
    (warning,) = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert f"{wheel.name}: its RECORD disagrees with the archive on {len(hex_rows)} files" in (
        warning
    )

    theirs = tmp_path / "uv"
    subprocess.run([str(BASE_PYTHON), "-m", "venv", "--without-pip", str(theirs)], check=True)
    env = {k: v for k, v in isolated_pip_env().items() if not k.startswith("UV_")}
    env |= {"UV_NO_CONFIG": "1", "UV_CACHE_DIR": str(tmp_path / "uv-cache")}
    python = str(theirs / "bin" / "python")
    subprocess.run(
        [sys.executable, "-m", "uv", "pip", "install", "-q", "--python", python, *find, PIN],
        env=env,
        check=True,
        capture_output=True,
    )
    graft_venv, uv_venv = open_venv(ours), open_venv(theirs)
    diffs = compare_trees(graft_venv, uv_venv, ("graft", "uv"))
    links = directory_links_of(ours, graft_venv.site_packages)
    diffs += compare_record_rows(graft_venv, uv_venv, directory_links=links, labels=("graft", "uv"))
    diffs = [d for d in diffs if not is_uv_specific(d)]  # uv's .lock and uv_cache.json
    assert not diffs, format_differences(diffs)
    verified = run_graft("store", "verify", "--store", store_dir)
    assert ": 0 problems" in verified.stderr, verified.stderr
