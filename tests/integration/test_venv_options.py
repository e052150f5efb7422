"""The venv tool's options a venv keeps through every sync, as uv and pip keep them (decision 111).

``include-system-site-packages = true`` (``python -m venv``/``uv venv``
``--system-site-packages``, and graft's own flag) and ``prompt`` in pyvenv.cfg.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import graft
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


#: ``VIRTUAL_ENV_PROMPT`` as the target's activate scripts set it: ``(P) `` through 3.12,
#: the bare ``P`` from 3.13 (its venv module's templates, which graft writes as they are)
ENV_PROMPT = "({}) " if sys.version_info < (3, 13) else "{}"


def _prompts(venv: Path) -> list[str]:
    """The prompt each activate script shows, as ``(P)``: ``VIRTUAL_ENV_PROMPT``'s value."""
    found = []
    for name in ("activate", "activate.csh", "activate.fish"):
        for line in (venv / "bin" / name).read_text().splitlines():
            if "VIRTUAL_ENV_PROMPT" in line and line.rstrip().endswith('"'):
                value = line[line.index('"') + 1 : line.rstrip().rindex('"')]
                if value.startswith("(") and value.endswith(") "):
                    value = value[1:-2]
                found.append(f"({value})")
    return found


def test_prompt_names_a_new_venv_its_activate_scripts_and_changes_an_existing_one(
    tmp_path: Path, store_dir: Path, wheels: Path, pkgs: dict[str, Path]
) -> None:
    venv = tmp_path / "v"
    plain: list[str | Path] = ["sync", venv, "gamma", "--no-index", "--find-links", wheels]
    plain += ["--store", store_dir]
    run_graft(*plain, "--prompt", "my env")
    assert _config(venv)["prompt"] == "'my env'"  # as python -m venv writes it
    assert _prompts(venv) == ["(my env)"] * 3
    said, modules = graft_imports(*plain, "--prompt", "my env")
    assert "already in sync" in said
    assert "graft.sync" not in modules  # (the no-op's stamp answered)
    assert "already in sync" in run_graft(*plain).stderr  # kept without the flag
    # another prompt: the venv is rebuilt with it, and its activate scripts say it (graft's
    # own activate scripts of the previous prompt are no user's edit to keep: decision 109)
    changed = run_graft(*plain, "--prompt", "other").stderr
    assert " ~ prompt 'my env' -> 'other'" in changed.splitlines()
    assert _config(venv)["prompt"] == "'other'"
    assert _prompts(venv) == ["(other)"] * 3
    said, modules = graft_imports(*plain, "--prompt", "other")
    assert "already in sync" in said
    assert "graft.sync" not in modules
    # an activate script its user edited is kept (decision 109), with the prompt it shows
    activate = venv / "bin" / "activate"
    activate.write_text(activate.read_text() + "export MINE=1\n")
    run_graft(*plain, "--prompt", "third")
    assert activate.read_text().endswith("export MINE=1\n")
    assert _config(venv)["prompt"] == "'third'"
    # '.': the current directory's name, as python -m venv and uv venv take it
    here = tmp_path / "project dir"
    here.mkdir()
    src = str(Path(graft.__file__).parents[1])  # (this graft, from another directory)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    graft_here = [sys.executable, "-m", "graft", *map(str, plain), "--prompt", "."]
    subprocess.run(graft_here, cwd=here, env=env, check=True, capture_output=True)
    assert _config(venv)["prompt"] == "'project dir'"


def test_a_new_venv_built_from_the_replay_stamp_has_the_prompt_its_command_asks_for(
    tmp_path: Path, store_dir: Path, wheels: Path, pkgs: dict[str, Path]
) -> None:
    flag: list[str | Path] = ["gamma", "--no-index", "--find-links", wheels, "--store", store_dir]
    flag += ["--prompt", "p"]
    run_graft("sync", tmp_path / "one", *flag)
    said, modules = graft_imports("sync", tmp_path / "two", *flag)
    assert "synced" in said
    assert "graft.sync" not in modules  # (built by the fast path)
    assert _config(tmp_path / "two")["prompt"] == "'p'"
    assert _prompts(tmp_path / "two") == ["(p)"] * 3


@pytest.mark.parametrize("shell", ["bash", "dash"])
def test_a_prompt_with_quotes_or_a_command_is_text_to_the_activate_script(
    tmp_path: Path, store_dir: Path, wheels: Path, pkgs: dict[str, Path], shell: str
) -> None:
    """Decision 242: ``--prompt`` went into the activate scripts as given, within their double
    quotes: ``$(...)`` ran when the venv was activated, a ``"`` broke the script (as
    ``python -m venv --prompt`` and ``uv venv --prompt`` write them). A new venv and one the
    replay stamp builds alike; bash's PS1 runs nothing at each prompt either."""
    ran = tmp_path / "ran"
    prompt = f"x $(touch {ran}) `touch {ran}` a\"b \\c it's"
    flag: list[str | Path] = ["gamma", "--no-index", "--find-links", wheels, "--store", store_dir]
    run_graft("sync", tmp_path / "one", *flag, "--prompt", prompt)
    run_graft("sync", tmp_path / "two", *flag, "--prompt", prompt)  # (the replay stamp's)
    show = 'printf "%s\\n" "$VIRTUAL_ENV_PROMPT"'
    if shell == "bash":  # (PS1 as bash shows it: expanded again at each prompt)
        show += '; printf "%s\\n" "${PS1@P}"'
    for venv in (tmp_path / "one", tmp_path / "two"):
        script = f". {venv}/bin/activate && {show}"
        done = subprocess.run([shell, "-c", script], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[0] == ENV_PROMPT.format(prompt)
        if shell == "bash":  # (bash's \\$ shows # to root)
            dollar = "#" if os.geteuid() == 0 else "$"
            assert done.stdout.splitlines()[1] == f"({prompt.replace('$', dollar)}) "
        assert not ran.exists()


def test_activate_scripts_an_earlier_graft_wrote_with_the_prompt_as_given_are_replaced(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    """Decision 242: they are graft's own, not a user's edit to keep (decision 109)."""
    ran = tmp_path / "ran"
    prompt = f"x $(touch {ran})"
    venv = tmp_path / "v"
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir, "--prompt", prompt)
    activate = venv / "bin" / "activate"
    quoted, shown = prompt.replace("$", "\\$"), prompt.replace("$", "\\\\\\$")  # (PS1's)
    assert quoted in activate.read_text()
    assert shown in activate.read_text()
    raw = activate.read_text().replace(shown, prompt).replace(quoted, prompt)
    activate.write_text(raw)  # as graft wrote it before
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)  # (rebuilt: changed)
    assert quoted in activate.read_text()
    subprocess.run(["sh", "-c", f". {activate}"], check=True)
    assert not ran.exists()


def test_a_prompt_taken_over_shows_in_graft_s_activate_scripts(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    venv = tmp_path / "uvenv"
    _made_by("uv", venv, "--prompt", "my env")  # uv's activate scripts are kept (decision 117
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir)  # keeps uv's own ones)
    (venv / "bin" / "activate").unlink()
    run_graft("sync", venv, pkgs["gamma"], "--reinstall", "--store", store_dir)
    assert _config(venv)["prompt"] == "my env"  # (uv writes it bare)
    assert _prompts(venv)[0] == "(my env)"  # graft's activate, with the prompt unquoted
    assert skeleton.prompt_of((("prompt", "'it\\'s'"),)) == "it's"
    assert skeleton.prompt_of((("prompt", '"a b"'),)) == "a b"


def test_pyvenv_cfg_names_no_command_that_did_not_make_the_venv(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    # it said `python -m venv --without-pip V`, graft's template's, without the options
    venv = tmp_path / "v"
    run_graft("sync", venv, pkgs["gamma"], "--store", store_dir, "--system-site-packages")
    config = _config(venv)
    assert "command" not in config
    assert config["graft"]  # (what made it: graft, as uv venv writes `uv = VERSION`)


def test_the_summary_says_the_interpreter_changed_not_that_everything_was_added(
    tmp_path: Path, store_dir: Path, pkgs: dict[str, Path]
) -> None:
    from tests.integration.test_venv_safety import _another_python

    other = _another_python()
    version = subprocess.run(
        [other, "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    venv = tmp_path / "v"
    run_graft("sync", venv, pkgs["gamma"], "--python", other, "--store", store_dir)
    switched = run_graft(
        "sync", venv, pkgs["gamma"], "--python", sys.executable, "--store", store_dir, "--json"
    )
    summary = json.loads(switched.stdout)
    ours = ".".join(map(str, sys.version_info[:3]))
    assert summary["changes"]["added"] == []  # was ["gamma==1.0"]: it was there before
    assert summary["venv_changes"] == [f"python {version} -> {ours}"]
    back = run_graft("sync", venv, pkgs["gamma"], pkgs["delta"], "--python", other)
    assert back.stderr.splitlines()[-3:-1] == [" + delta==1.0", f" ~ python {ours} -> {version}"]


def test_another_interpreter_keeps_the_versions_the_venv_held(
    tmp_path: Path, store_dir: Path, wheels: Path, pkgs: dict[str, Path]
) -> None:
    # the versions to keep (no -U) were read in the new interpreter's library, where there
    # are none: --python upgraded whatever had a newer release
    from tests.integration.test_venv_safety import _another_python

    other = _another_python()
    venv = tmp_path / "v"
    sync: list[str | Path] = ["sync", venv, "gamma", "--no-index", "--find-links", wheels]
    sync += ["--store", store_dir]
    run_graft(*sync, "--python", other)
    make_wheel(wheels, "gamma", "2.0", {"gamma/__init__.py": "G = 2\n"})
    switched = run_graft(*sync, "--python", sys.executable).stderr
    assert py(venv, "import gamma; print(gamma.G)") == "1", switched
    assert "gamma" not in switched
    assert " ~ gamma 1.0 -> 2.0 (upgraded)" in run_graft(*sync, "-U").stderr
