"""Choosing one wheel per release by the target's tag order, on real multi-platform releases.

Every wheel of a release (all platforms, ABIs, abi3 levels) is downloaded once from PyPI's
JSON API into the test cache and offered to graft through --find-links.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from graft._fs import FileLock
from graft.errors import TargetError
from graft.venv.interpreter import find_interpreter
from tests.conftest import run_graft

from .wheelcache import cache_dir

pytestmark = pytest.mark.e2e


def release_wheels(name: str, version: str, keep: tuple[str, ...] = ("x86_64", "amd64")) -> Path:
    """The wheels of ``name==version`` for 64-bit x86 (every OS and ABI), cached."""
    directory = cache_dir() / "releases" / f"{name}-{version}"
    marker = directory / ".complete"
    directory.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(directory) + ".lock"):
        if marker.is_file():
            return directory
        directory.mkdir(exist_ok=True)
        request = urllib.request.Request(
            f"https://pypi.org/simple/{name}/",
            headers={"Accept": "application/vnd.pypi.simple.v1+json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - https
            files = json.load(response)["files"]
        prefix = f"{name.replace('-', '_')}-{version}-"
        for entry in files:
            filename = entry["filename"]
            if not filename.startswith(prefix) or not filename.endswith(".whl"):
                continue
            if not any(k in filename for k in keep):
                continue
            target = directory / filename
            if not target.is_file():
                with urllib.request.urlopen(entry["url"], timeout=120) as response:  # noqa: S310
                    target.write_bytes(response.read())
        marker.write_text("ok\n")
    return directory


def python_or_skip(spec: str) -> str:
    try:
        return find_interpreter(spec)
    except TargetError as exc:
        pytest.skip(f"interpreter {spec} is not installed here ({exc.what})")


def dry_run(wheels: Path, spec: str, python: str, store: Path) -> dict[str, Any]:
    proc = run_graft(
        "sync", "/tmp/graft-never-built", spec, "--python", python, "--find-links", wheels,
        "--no-index", "--no-deps", "--store", store, "--dry-run", "--json",
    )  # fmt: skip
    plan: dict[str, Any] = json.loads(proc.stdout)
    return plan


def test_cryptography_picks_cp311_abi3_manylinux_on_312(store_dir: Path) -> None:
    wheels = release_wheels("cryptography", "46.0.5")
    names = {p.name for p in wheels.iterdir()}
    assert any("cp38-abi3" in n for n in names)
    assert any("cp311-abi3" in n for n in names)
    assert any("musllinux" in n for n in names)
    assert any("win_amd64" in n for n in names)
    plan = dry_run(wheels, "cryptography==46.0.5", python_or_skip("3.12"), store_dir)
    (dist,) = plan["distributions"]
    chosen = dist["wheel"]
    assert "-cp311-abi3-manylinux" in chosen, chosen
    assert chosen.endswith("_x86_64.whl"), chosen


def test_cryptography_refuses_pypy_clearly(tmp_path: Path, store_dir: Path) -> None:
    pypy = python_or_skip("pypy3")
    wheels = release_wheels("cryptography", "46.0.5")
    proc = run_graft(
        "sync", tmp_path / "v", "cryptography==46.0.5", "--python", pypy, "--find-links",
        wheels, "--no-index", "--no-deps", "--store", store_dir, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    first, *why = proc.stderr.strip().splitlines()
    assert first.startswith("graft: error: no wheel of cryptography 46.0.5 for the target (pp"), (
        first
    )
    assert "  you asked for cryptography==46.0.5" in why
    assert not (tmp_path / "v").exists()


def test_pydantic_core_manylinux_and_musllinux_give_one_dist_info(
    tmp_path: Path, store_dir: Path
) -> None:
    wheels = release_wheels("pydantic_core", "2.41.5")
    names = [p.name for p in wheels.iterdir() if p.name.endswith(".whl")]
    assert any("musllinux" in n for n in names)
    assert any("manylinux" in n for n in names)
    venv = tmp_path / "venv"
    python = python_or_skip("3.11")
    run_graft(
        "sync", venv, "pydantic_core==2.41.5", "--python", python, "--find-links", wheels,
        "--no-index", "--no-deps", "--store", store_dir,
    )  # fmt: skip
    site = next(venv.glob("lib/python3.11/site-packages"))
    dist_infos = [p.name for p in site.iterdir() if p.name.endswith(".dist-info")]
    assert dist_infos == ["pydantic_core-2.41.5.dist-info"]
    wheel_tag = (site / dist_infos[0] / "WHEEL").read_text()
    assert "musllinux" not in wheel_tag
    assert "cp311-cp311-manylinux" in wheel_tag
    # nothing from another platform's wheel: every .so is the one this wheel ships
    sos = [p.name for p in (site / "pydantic_core").iterdir() if p.name.endswith(".so")]
    assert sos == ["_pydantic_core.cpython-311-x86_64-linux-gnu.so"]
    load = (  # the extension itself: the package __init__ would also want typing_extensions
        "import importlib.util as u, sys; p = sys.argv[1];"
        " s = u.spec_from_file_location('pydantic_core._pydantic_core', p);"
        " m = u.module_from_spec(s); s.loader.exec_module(m); print(m.__version__)"
    )
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", load, str(site / "pydantic_core" / sos[0])],
        capture_output=True, text=True, check=True, env=os.environ,
    )  # fmt: skip
    assert out.stdout.strip() == "2.41.5"


@pytest.mark.parametrize(("version", "tag"), [("3.9", "cp39-cp39"), ("3.13", "cp313-cp313")])
def test_cffi_takes_the_per_version_wheel(store_dir: Path, version: str, tag: str) -> None:
    wheels = release_wheels("cffi", "2.0.0")
    plan = dry_run(wheels, "cffi==2.0.0", python_or_skip(version), store_dir)
    (dist,) = plan["distributions"]
    assert f"-{tag}-manylinux" in dist["wheel"], dist["wheel"]
