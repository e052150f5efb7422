"""pip 26.3's spellings of a lock's extras and groups, read as pip reads them (decision 498).

``pip install -r 'pylock.toml[x]'`` installs the lock with its extra x (and its default
groups); ``--group pylock.toml:docs`` installs the lock with that group alone; ``-r
pylock.toml --group pylock.toml:docs`` the default groups and docs. graft read the first as
a file named ``pylock.toml[x]`` and the others as a ``pyproject.toml``'s group. Each case is
compared with pip 26.3 (the test's interpreter's) on a lock of wheels made here, by path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.toml import tomllib
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

MARKERS = {
    "base": None,
    "sock": "'x' in extras",
    "yarn": "'y' in extras",
    "devtool": "'dev' in dependency_groups",
    "doctool": "'docs' in dependency_groups",
}


def _lock(folder: Path) -> Path:
    """A lock declaring extras x, y and groups dev (its default) and docs, one package each."""
    wheels = folder / "wheels"
    wheels.mkdir(parents=True)
    lines = [
        'lock-version = "1.0"',
        'created-by = "test"',
        'requires-python = ">=3.9"',
        'extras = ["x", "y"]',
        'dependency-groups = ["dev", "docs"]',
        'default-groups = ["dev"]',
    ]
    for name, marker in MARKERS.items():
        wheel = make_wheel(wheels, name, "1.0", {f"{name}/__init__.py": ""})
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        lines += ["", "[[packages]]", f'name = "{name}"', 'version = "1.0"']
        if marker is not None:
            lines.append(f'marker = "{marker}"')
        lines.append(
            f'wheels = [{{ name = "{wheel.name}", path = "wheels/{wheel.name}",'
            f' hashes = {{ sha256 = "{digest}" }} }}]'
        )
    lock = folder / "pylock.toml"
    lock.write_text("\n".join(lines) + "\n")
    return lock


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory: a folder holding :func:`_lock`'s lock and its wheels."""
    here = tmp_path / "p"
    _lock(here)
    monkeypatch.chdir(here)
    return here


def _installed(venv: Path) -> set[str]:
    code = "import importlib.metadata as m, json; print(json.dumps([d.name for d in m.distributions()]))"  # noqa: E501
    return set(json.loads(py(venv, code))) - {"pip"}


def _pip_installed(folder: Path, venv: Path, args: tuple[str, ...]) -> set[str]:
    """What pip 26.3 (this interpreter's) installs of *args* into a new venv."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install"]
    subprocess.run([*pip, "--no-index", "-q", *args], cwd=folder, env=env, check=True)
    return _installed(venv)


def _pip_version() -> tuple[int, ...]:
    import pip

    return tuple(int(p) for p in pip.__version__.split(".")[:2])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("-r", "pylock.toml[x]"), {"base", "devtool", "sock"}),
        (("--group", "pylock.toml:docs"), {"base", "doctool"}),
        (("-r", "pylock.toml", "--group", "pylock.toml:docs"), {"base", "devtool", "doctool"}),
        (
            ("-r", "pylock.toml[x]", "--group", "pylock.toml:docs"),
            {"base", "devtool", "doctool", "sock"},
        ),
        (
            ("--group", "pylock.toml:docs", "--group", "pylock.toml:dev"),
            {"base", "devtool", "doctool"},
        ),
    ],
)
def test_pip_s_spellings_of_a_lock_s_extras_and_groups_install_what_pip_installs(
    tmp_path: Path,
    store_dir: Path,
    folder: Path,
    args: tuple[str, ...],
    expected: set[str],
) -> None:
    venv = tmp_path / "v"
    run_graft("sync", venv, *args, "--store", store_dir)
    assert _installed(venv) == expected
    # the reference: pip 26.3 (its docs: "-r ... Extras may be selected from a pylock.toml
    # file by appending [extras] to the file name"; "--group <[path:]group> ... from a
    # pyproject.toml or pylock.toml file")
    assert _pip_version() >= (26, 3), "pip 26.3 is the reference (the dev dependencies')"
    assert _pip_installed(folder, tmp_path / "pip", args) == expected
    # a second sync is a no-op; the plain lock's set then differs (the stamp keeps them apart)
    assert "already in sync" in run_graft("sync", venv, *args, "--store", store_dir).stderr
    run_graft("sync", venv, "-r", "pylock.toml", "--store", store_dir)
    assert _installed(venv) == {"base", "devtool"}


def _uv_installed(folder: Path, venv: Path, args: tuple[str, ...]) -> set[str]:
    """What ``uv pip install ARGS`` installs into a new venv (uv reads a lock's --extra too)."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
    env = {**os.environ, "UV_CACHE_DIR": str(venv.parent / "uvcache")}
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True, env=env)
    python = str(venv / "bin" / "python")
    install = [uv, "pip", "install", "-q", "--no-index", "--python", python, *args]
    subprocess.run(install, cwd=folder, env=env, check=True)
    return _installed(venv)


@pytest.mark.parametrize(
    ("args", "uv_args", "expected"),
    [
        (
            ("-r", "pylock.toml[x]", "--extra", "y"),
            ("-r", "pylock.toml", "--extra", "x", "--extra", "y"),
            {"base", "devtool", "sock", "yarn"},
        ),
        (
            ("-r", "pylock.toml[x]", "--all-extras"),
            ("-r", "pylock.toml", "--all-extras"),
            {"base", "devtool", "sock", "yarn"},
        ),
        (
            ("--group", "pylock.toml:docs", "--extra", "y"),
            ("-r", "pylock.toml", "--group", "docs", "--extra", "y"),
            {"base", "doctool", "yarn"},
        ),
    ],
)
def test_pip_s_spellings_beside_uv_s_extra_options_add_up_as_uv_s_do(
    tmp_path: Path,
    store_dir: Path,
    folder: Path,
    args: tuple[str, ...],
    uv_args: tuple[str, ...],
    expected: set[str],
) -> None:
    """A guard (passes on main; decision 498 left it untested): ``--extra``/``--all-extras``
    beside pip's spellings add to the lock's selection, as uv's own spellings of it do."""
    venv = tmp_path / "v"
    run_graft("sync", venv, *args, "--store", store_dir)
    assert _installed(venv) == expected
    assert _uv_installed(folder, tmp_path / "uv", uv_args) == expected


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("-r", "pylock.toml[z]"),
            "pylock.toml: Undeclared extras: z (the lock declares extras x, y;",
        ),
        (
            ("--group", "pylock.toml:test"),
            (
                "pylock.toml: Undeclared dependency groups: test (the lock declares dependency"
                " groups dev, docs;"
            ),
        ),
        (("--group", "pylock.toml:"), "--group pylock.toml:: no group named after the lock's"),
        (("--group", "pylock.a.b.toml:dev"), "--group pylock.a.b.toml: not a PEP 751 lock file"),
    ],
)
def test_a_lock_s_extra_or_group_it_lacks_is_refused_in_one_line(
    tmp_path: Path,
    store_dir: Path,
    folder: Path,
    args: tuple[str, ...],
    said: str,
) -> None:
    venv = tmp_path / "v"
    proc = run_graft("sync", venv, *args, "--store", store_dir, check=False)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"graft: error: {said}")
    assert not venv.exists()


def test_graft_lock_of_a_lock_reads_pip_s_spellings_too(
    folder: Path,
) -> None:
    args = ("-r", "pylock.toml[x]", "--group", "pylock.toml:docs", "--python-version", "3.12")
    run_graft("lock", *args, "--no-index", "-o", "pylock.out.toml")
    locked = tomllib.loads((folder / "pylock.out.toml").read_text())
    assert {p["name"] for p in locked["packages"]} == {"base", "devtool", "doctool", "sock"}
