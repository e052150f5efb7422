"""Requirement inputs as pip 26 and uv 0.13 read them, through ``graft sync`` (no network).

Each wheel is made in the test, named by its path or found through ``--find-links``; every
case here was read otherwise by graft before (decisions 304-306).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from tests.conftest import run_graft
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    import pytest


def installed(venv: Path) -> dict[str, str]:
    code = "import importlib.metadata as m, json; print(json.dumps({d.name: d.version for d in m.distributions()}))"  # noqa: E501
    found: dict[str, str] = json.loads(py(venv, code))
    return found


def test_a_line_of_options_is_read_whole(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--no-index --find-links wheels`` on one line read ``--no-index`` alone: nothing found."""
    monkeypatch.chdir(tmp_path)
    make_wheel(wheels, "lib", "1.0", {"lib.py": ""})
    (tmp_path / "r.txt").write_text("--no-index --find-links wheels\nlib\n")
    run_graft("sync", tmp_path / "v", "-r", "r.txt", "--store", store_dir)
    assert installed(tmp_path / "v") == {"lib": "1.0"}


def test_a_wheel_path_takes_a_marker_as_pip_and_uv_read_it(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``wheels/x.whl ; marker`` was taken for a path with the marker in it: no such file."""
    monkeypatch.chdir(tmp_path)
    make_wheel(wheels, "lib", "1.0", {"lib.py": ""})
    make_wheel(wheels, "speedy", "0.5", {"speedy.py": ""})
    (tmp_path / "r.txt").write_text(
        'wheels/lib-1.0-py3-none-any.whl ; python_version < "3"\n'
        f'speedy @ file://{wheels}/speedy-0.5-py3-none-any.whl;python_version >= "3"\n'
    )
    run_graft("sync", tmp_path / "v", "-r", "r.txt", "--no-index", "--store", store_dir)
    assert installed(tmp_path / "v") == {"speedy": "0.5"}


def test_a_wheel_path_in_a_file_is_the_one_in_the_current_directory(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip and uv read it from the current directory; graft took the one beside the file."""
    monkeypatch.chdir(tmp_path)
    make_wheel(wheels, "lib", "1.0", {"lib.py": "WHERE = 'here'\n"})
    beside = tmp_path / "sub" / "wheels"
    beside.mkdir(parents=True)
    make_wheel(beside, "lib", "1.0", {"lib.py": "WHERE = 'beside the file'\n"})
    (tmp_path / "sub" / "r.txt").write_text("wheels/lib-1.0-py3-none-any.whl\n")
    run_graft("sync", tmp_path / "v", "-r", "sub/r.txt", "--no-index", "--store", store_dir)
    assert py(tmp_path / "v", "import lib; print(lib.WHERE)") == "here"


def test_requirements_on_standard_input_are_read_as_uv_reads_them(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-r -`` and ``-c -`` read standard input, as uv 0.13.9 reads it (pip reads
    ``-r /dev/stdin``); graft said ``-: cannot read requirements file`` (decision 325).

    A nested ``-r`` is the current directory's; nothing read from it answers a later sync
    (another input is another venv, never a stamp's "already in sync").
    """
    monkeypatch.chdir(tmp_path)
    for name, version in (("lib", "1.0"), ("lib", "2.0"), ("extra", "1.0")):
        make_wheel(wheels, name, version, {f"{name}.py": f"V = {version!r}\n"})
    (tmp_path / "more.txt").write_text("extra\n")
    venv, sources = tmp_path / "v", ("--no-index", "-f", wheels, "--store", store_dir)
    run_graft("sync", venv, "-r", "-", *sources, stdin="lib==1.0\n-r more.txt\n")
    assert installed(venv) == {"lib": "1.0", "extra": "1.0"}
    run_graft("sync", venv, "-r", "-", *sources, stdin="lib==2.0\n")
    assert installed(venv) == {"lib": "2.0"}
    run_graft("sync", venv, "lib", "-c", "-", *sources, stdin="lib<2\n")
    assert installed(venv) == {"lib": "1.0"}
    empty = run_graft("sync", venv, "-r", "-", *sources, stdin="# nothing\n", check=False)
    assert empty.returncode == 2
    said = "graft: error: -: no requirement listed: nothing to install (add one (name, name>=1.0);"
    assert empty.stderr.splitlines() == [f"{said} comments, options and -c lines list none)"]
    assert installed(venv) == {"lib": "1.0"}  # (nothing changed)
