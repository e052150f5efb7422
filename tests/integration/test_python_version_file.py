"""A venv's interpreter from ``.python-version``, as ``uv venv`` and ``uv sync`` take it.

Decision 246.

Real interpreters (pyenv's CPython 3.9 and 3.12 here): each test skips, saying which, when
one it needs is not installed. Every fast path (the no-op, replay and change stamps) must
notice the file written, edited or removed since it was made.
"""

# ruff: noqa: F811 - the fixture `index` is test_change's, imported by name

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

from graft.errors import TargetError
from graft.venv.interpreter import find_interpreter, introspect
from tests.conftest import run_graft
from tests.integration.test_change import (
    FIRST,
    SECOND,
    edited,
    index,  # noqa: F401 - fixture
)
from tests.integration.test_change import graft as change_sync
from tests.integration.test_warm import aged
from tests.support.importtime import graft_imports
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.rangeserver import Served


@pytest.fixture
def wheels_dir(wheels: Path) -> Path:
    make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": "G = 7\n"})
    aged(*wheels.iterdir(), wheels)
    return wheels


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory (its ``pyproject.toml`` ends the search) as the working directory."""
    monkeypatch.delenv("GRAFT_NO_CONFIG", raising=False)
    monkeypatch.delenv("GRAFT_PYTHON", raising=False)
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'proj'\nversion = '1'\n")
    monkeypatch.chdir(root / "src")  # (the file is found above the working directory)
    return root


def installed_versions(*series: str) -> list[str]:
    """The version each of *series* finds here (``3.12.1``); skips without one of them."""
    found = []
    for spec in series:
        try:
            found.append(introspect(find_interpreter(spec)).version)
        except TargetError as exc:
            pytest.skip(f"CPython {spec} needed here ({exc.what})")
    return found


def _sync(
    venv: Path, wheels: Path, store: Path, *more: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return run_graft(
        "sync", venv, "gamma", "--no-index", "-f", wheels, "--store", store, *more, check=check
    )


def _version(venv: Path) -> str:
    return py(venv, "import platform; print(platform.python_version())")


def _no_op(venv: Path, wheels: Path, store: Path) -> None:
    said, modules = graft_imports(
        "sync", venv, "gamma", "--no-index", "-f", wheels, "--store", store
    )
    assert "already in sync" in said
    assert "graft.sync" not in modules, "the no-op stamp's answer"


def test_a_new_venv_takes_the_files_python_and_follows_its_edits(
    project: Path, wheels_dir: Path, store_dir: Path, tmp_path: Path
) -> None:
    """As ``uv venv``: the file's request makes the venv; as ``uv sync``: an edit that the venv
    no longer meets moves it, and a removal keeps it (no request is met by any)."""
    v39, v312 = installed_versions("3.9", "3.12")
    pin = project / ".python-version"
    pin.write_text("# pinned\n3.12\n")
    venv = tmp_path / "venv"
    _sync(venv, wheels_dir, store_dir)
    assert _version(venv) == v312
    _no_op(venv, wheels_dir, store_dir)
    pin.write_text("3.9\n")  # edited: the stamp made for 3.12 must not answer
    moved = _sync(venv, wheels_dir, store_dir)
    assert f" ~ python {v312} -> {v39}" in moved.stderr, moved.stderr
    assert _version(venv) == v39
    _no_op(venv, wheels_dir, store_dir)
    pin.write_text("3\n")  # a request 3.9 meets: kept, as uv sync keeps it
    assert "~ python" not in _sync(venv, wheels_dir, store_dir).stderr
    assert _version(venv) == v39
    pin.unlink()  # removed: an existing venv keeps its own, as pip and uv install into it
    assert "~ python" not in _sync(venv, wheels_dir, store_dir).stderr
    assert _version(venv) == v39
    _no_op(venv, wheels_dir, store_dir)


def test_a_new_venv_from_a_kept_plan_follows_the_file(
    project: Path, wheels_dir: Path, store_dir: Path, tmp_path: Path
) -> None:
    """The replay stamp (a new venv of a command run before) is keyed by the file too."""
    v39, v312 = installed_versions("3.9", "3.12")
    pin = project / ".python-version"
    pin.write_text("3.12\n")
    _sync(tmp_path / "a", wheels_dir, store_dir)
    _sync(tmp_path / "b", wheels_dir, store_dir)  # (the replay stamp's, if it answers)
    assert _version(tmp_path / "b") == v312
    pin.write_text("3.9\n")
    _sync(tmp_path / "c", wheels_dir, store_dir)
    assert _version(tmp_path / "c") == v39
    pin.unlink()
    _sync(tmp_path / "d", wheels_dir, store_dir)  # graft's own interpreter, as before
    assert _version(tmp_path / "d") == introspect(find_interpreter(None)).version


def test_python_graft_python_and_no_config_come_first(
    project: Path,
    wheels_dir: Path,
    store_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    v39, v312 = installed_versions("3.9", "3.12")
    (project / ".python-version").write_text("3.9\n")
    _sync(tmp_path / "a", wheels_dir, store_dir, "--python", "3.12")
    assert _version(tmp_path / "a") == v312
    own = introspect(find_interpreter(None)).version
    _sync(tmp_path / "b", wheels_dir, store_dir, "--no-config")
    assert _version(tmp_path / "b") == own
    monkeypatch.setenv("GRAFT_NO_CONFIG", "1")
    _sync(tmp_path / "c", wheels_dir, store_dir)
    assert _version(tmp_path / "c") == own
    monkeypatch.delenv("GRAFT_NO_CONFIG")
    monkeypatch.setenv("GRAFT_PYTHON", "3.12")
    _sync(tmp_path / "d", wheels_dir, store_dir)
    assert _version(tmp_path / "d") == v312
    monkeypatch.delenv("GRAFT_PYTHON")
    _sync(tmp_path / "e", wheels_dir, store_dir)
    assert _version(tmp_path / "e") == v39


def test_an_interpreter_not_found_is_one_line_naming_the_file(
    project: Path, wheels_dir: Path, store_dir: Path, tmp_path: Path
) -> None:
    pin = project / ".python-version"
    pin.write_text("3.4\n")  # (no such CPython anywhere here)
    venv = tmp_path / "venv"
    proc = run_graft(
        "sync", venv, "gamma", "--no-index", "-f", wheels_dir, "--store", store_dir, check=False
    )
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft: error: {pin}: no interpreter found for '3.4'"), line
    assert "--no-config" in line
    assert not venv.exists()


def test_a_file_not_utf8_is_one_line_naming_it_not_graft_s_own_python(
    project: Path, wheels_dir: Path, store_dir: Path, tmp_path: Path
) -> None:
    """As uv's "stream did not contain valid UTF-8" (decision 281): before, graft read such a
    file as asking for nothing and made the venv on its own interpreter. A venv made before
    is not answered by its stamp: the file's text is in the key."""
    pin = project / ".python-version"
    venv = tmp_path / "venv"
    _sync(venv, wheels_dir, store_dir, "--no-config")
    pin.write_bytes(b"3.12\xff\n")
    for target in (tmp_path / "new", venv):
        proc = _sync(target, wheels_dir, store_dir, check=False)
        assert proc.returncode == 1
        (line,) = proc.stderr.splitlines()
        assert line.startswith(f"graft: error: {pin}: not UTF-8 text (byte 0xff at offset 4)")
        assert "--no-config reads no such file" in line
    assert not (tmp_path / "new").exists()


def test_names_uv_ignores_are_ignored_with_a_warning(
    project: Path, wheels_dir: Path, store_dir: Path, tmp_path: Path
) -> None:
    (v312,) = installed_versions("3.12")
    pin = project / ".python-version"
    pin.write_text("system\n3.12\n")
    proc = _sync(tmp_path / "venv", wheels_dir, store_dir)
    assert f"graft: warning: {pin}: ignoring 'system'" in proc.stderr, proc.stderr
    assert _version(tmp_path / "venv") == v312


def test_an_edited_pin_set_seen_before_follows_the_file(
    project: Path, store_dir: Path, tmp_path: Path, index: Served
) -> None:
    """The change stamp (an edited pin set, decision 79) is keyed by the file too."""
    v39, v312 = installed_versions("3.9", "3.12")
    pin = project / ".python-version"
    pin.write_text("3.12\n")
    venv = tmp_path / "venv"
    for number, text in enumerate((FIRST, SECOND, FIRST)):
        change_sync(venv, edited(tmp_path, text, f"a{number}"), index, store_dir)
    _, fast = change_sync(venv, edited(tmp_path, SECOND, "seen"), index, store_dir)
    assert fast, "the control: a set seen before, the change stamp's"
    assert _version(venv) == v312
    pin.write_text("3.9\n")
    proc, fast = change_sync(venv, edited(tmp_path, FIRST, "moved"), index, store_dir)
    assert not fast
    assert f" ~ python {v312} -> {v39}" in proc.stderr, proc.stderr
    assert _version(venv) == v39
