"""``--python`` by name or version (``graft._pythons``): what the no-op stamps and
``find_interpreter`` both find, with the standard library alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graft._pythons import by_name
from graft.cli.noop import _finds_the_same


def _exe(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def pythons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    shims, bin_dir, root = tmp_path / "pyenv" / "shims", tmp_path / "bin", tmp_path / "pyenv"
    found = {
        "shim": _exe(shims / "python3.11"),
        "path312": _exe(bin_dir / "python3.12"),
        "pypy": _exe(bin_dir / "pypy3"),
        "old311": _exe(root / "versions" / "3.11.2" / "bin" / "python3.11"),
        "new311": _exe(root / "versions" / "3.11.10" / "bin" / "python3.11"),
        "ft313": _exe(root / "versions" / "3.13.1t" / "bin" / "python3.13t"),
    }
    monkeypatch.setenv("PATH", os.pathsep.join([str(shims), str(bin_dir)]))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    return found


def test_a_version_is_found_on_path_then_in_pyenv_skipping_shims(pythons: dict[str, str]) -> None:
    assert by_name("3.12") == pythons["path312"]
    assert by_name("python3.12") == pythons["path312"]
    assert by_name("3.12.1") == pythons["path312"], "a bug-fix release names its series"
    assert by_name("3.11") == pythons["new311"], "not the shim; pyenv's newest 3.11 (10 > 2)"
    assert by_name("3.13t") == pythons["ft313"]
    assert by_name("pypy3") == pythons["pypy"]
    assert by_name("3.10") is None
    assert by_name("ruby") is None


def test_the_stamps_find_what_find_interpreter_finds(pythons: dict[str, str]) -> None:
    from graft.venv.interpreter import find_interpreter

    for spec in ("3.12", "3.11", "pypy3", "3.13t"):
        assert find_interpreter(spec) == by_name(spec)
        assert _finds_the_same(spec, find_interpreter(spec))
    assert not _finds_the_same("3.12", pythons["new311"])
    assert not _finds_the_same("3.10", pythons["new311"]), "found no more: the full path says"


def test_the_no_op_check_of_a_version_imports_nothing_of_graft_but_the_lookup() -> None:
    code = (
        "import sys; from graft.cli.noop import _finds_the_same; _finds_the_same('3.99', 'x');"
        "print(sorted(m for m in sys.modules if m.startswith('graft')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = ["graft", "graft._home", "graft._pythons", "graft.cli", "graft.cli.noop"]
    assert run.stdout.strip() == str(expected)
