"""The venv tool's options a venv keeps through every sync, as uv and pip keep them (decision 111).

``include-system-site-packages = true`` (``python -m venv``/``uv venv``
``--system-site-packages``, and graft's own flag) and ``prompt`` in pyvenv.cfg.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from graft.venv import skeleton
from graft.venv.state import options_of, read_config, recorded_state
from tests.conftest import run_graft
from tests.integration.test_crash import staging_dirs
from tests.integration.test_warm import aged
from tests.support.importtime import graft_imports
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

_SEES_SYSTEM = (
    "import sys, sysconfig;"
    " base = sysconfig.get_path('purelib', vars={'base': sys.base_prefix});"
    " print(base in sys.path)"
)
_UV = str(Path(sys.executable).with_name("uv"))  # a dev dependency (benchmarks, e2e)


@pytest.fixture
def pkgs(wheels: Path) -> dict[str, Path]:
    made = {
        "gamma": make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": "G = 1\n"}),
        "delta": make_wheel(wheels, "delta", "1.0", {"delta.py": "D = 4\n"}),
    }
    aged(*wheels.iterdir(), wheels)  # (not "racy": the stamps may answer)
    return made


def _config(venv: Path) -> dict[str, str]:
    return read_config(str(venv))


def _made_by(tool: str, venv: Path, *options: str) -> None:
    if tool == "uv":
        made = [_UV, "venv", "-q", "--python", sys.executable, *options, str(venv)]
    else:
        made = [sys.executable, "-m", "venv", "--without-pip", *options, str(venv)]
    subprocess.run(made, check=True)


@pytest.mark.parametrize("tool", ["venv", "uv"])
def test_a_venv_made_with_system_site_packages_and_a_prompt_keeps_both(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path], tool: str
) -> None:
    """Decision 110 dropped them with a warning; uv pip install and pip keep them."""
    venv = tmp_path / "system"
    _made_by(tool, venv, "--system-site-packages", "--prompt", "my env")
    prompt = _config(venv)["prompt"]  # (python -m venv quotes it, uv does not)
    taken = run_graft("sync", venv, pkgs["gamma"], "--store", store_dir).stderr
    assert "warning" not in taken
    config = _config(venv)
    assert config["include-system-site-packages"] == "true"
    assert config["prompt"] == prompt
    assert py(venv, _SEES_SYSTEM) == "True"
    assert py(venv, "import gamma; print(gamma.G)") == "1"
    # changed in place, rebuilt whole, confirmed: each keeps them, and the venv is in sync
    run_graft("sync", venv, pkgs["gamma"], pkgs["delta"], "--store", store_dir)
    run_graft("sync", venv, pkgs["gamma"], pkgs["delta"], "--reinstall", "--store", store_dir)
    again = run_graft("sync", venv, pkgs["gamma"], pkgs["delta"], "--store", store_dir).stderr
    assert "already in sync" in again
    assert options_of(_config(venv)) == (
        ("include-system-site-packages", "true"),
        ("prompt", prompt),
    )
    assert py(venv, _SEES_SYSTEM) == "True"
    assert staging_dirs(venv) == []


def test_a_graft_venv_that_keeps_its_options_is_changed_in_place(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = tmp_path / "v"
    _made_by("venv", venv, "--system-site-packages")
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)
    plan = recorded_state(str(venv))["graft-plan"]
    changed = run_graft("sync", venv, pkgs["gamma"], pkgs["delta"], "--store", store_dir, "-v")
    assert "update (incremental)" in changed.stderr  # (not rebuilt: its pyvenv.cfg is graft's)
    assert recorded_state(str(venv))["graft-plan"] != plan
    assert _config(venv)["include-system-site-packages"] == "true"


def test_system_site_packages_makes_a_new_venv_see_them_and_is_kept_without_it(
    tmp_path: Path, store_dir: Path, wheels: Path, pkgs: dict[str, Path]
) -> None:
    venv = tmp_path / "v"
    plain: list[str | Path] = ["sync", venv, "gamma", "--no-index", "--find-links", wheels]
    plain += ["--store", store_dir]
    flag = [*plain, "--system-site-packages"]
    run_graft(*flag)
    assert _config(venv)["include-system-site-packages"] == "true"
    assert py(venv, _SEES_SYSTEM) == "True"
    said, modules = graft_imports(*flag)
    assert "already in sync" in said
    assert "graft.sync" not in modules  # (the no-op's stamp answered)
    # its user turns it off by hand: the flag turns it on again (the stamp does not answer)
    cfg = venv / "pyvenv.cfg"
    cfg.write_text(cfg.read_text().replace("site-packages = true", "site-packages = false"))
    said, modules = graft_imports(*flag)
    assert "synced" in said
    assert _config(venv)["include-system-site-packages"] == "true"
    # without the flag the venv keeps what it has, as uv pip install keeps it
    run_graft(*plain, "--reinstall")
    assert _config(venv)["include-system-site-packages"] == "true"
    cfg.write_text(cfg.read_text().replace("site-packages = true", "site-packages = false"))
    run_graft(*plain, "--reinstall")
    assert _config(venv)["include-system-site-packages"] == "false"
    assert py(venv, _SEES_SYSTEM) == "False"


def test_a_new_venv_built_from_the_replay_stamp_has_the_option_its_command_asks_for(
    tmp_path: Path, store_dir: Path, wheels: Path, pkgs: dict[str, Path]
) -> None:
    plain: list[str | Path] = ["gamma", "--no-index", "--find-links", wheels, "--store", store_dir]
    flag = [*plain, "--system-site-packages"]
    run_graft("sync", tmp_path / "one", *flag)
    said, modules = graft_imports("sync", tmp_path / "two", *flag)
    assert "synced" in said
    assert "graft.sync" not in modules  # (built by the fast path)
    assert _config(tmp_path / "two")["include-system-site-packages"] == "true"
    said, modules = graft_imports("sync", tmp_path / "two", *flag)
    assert "already in sync" in said
    assert "graft.sync" not in modules
    run_graft("sync", tmp_path / "three", *plain)
    said, modules = graft_imports("sync", tmp_path / "four", *plain)
    assert "graft.sync" not in modules
    assert _config(tmp_path / "four")["include-system-site-packages"] == "false"


def test_the_options_go_where_python_m_venv_writes_them(tmp_path: Path) -> None:
    config = b"home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n"
    options = (("include-system-site-packages", "true"), ("prompt", "'my env'"))
    assert skeleton.configured(config, options) == (
        b"home = /usr/bin\ninclude-system-site-packages = true\nversion = 3.12.1\n"
        b"prompt = 'my env'\n"
    )
    assert skeleton.configured(config, ()) == config
    assert options_of({"Include-System-Site-Packages": "True", "prompt": ""}) == (
        ("include-system-site-packages", "true"),
    )
