"""A TOML file graft reads that is not TOML: one line naming it, at every entry point.

One reader (``graft._toml.parse_toml``, ``tomllib`` or ``tomli``), each caller's error naming
the file and what to do (decision 358): a ``pyproject.toml`` given to ``-r`` and one built, a
variants config, a ``pylock.toml`` synced, and the lock ``graft lock -o`` would replace (which
it reads for the versions to keep, as ``uv pip compile -o`` does, and refuses as uv does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

BROKEN = {
    "syntax": (
        b'[project\nname = "x"\n',
        (
            "not valid TOML (Expected ']' at the end of a table declaration (at line 1, column"
            " 9)) (fix the file's syntax"
        ),
    ),
    "encoding": (
        b'[project]\nname = "x\xff"\n',
        "not valid TOML (not UTF-8: byte at offset 19) (save the file as UTF-8",
    ),
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
@pytest.mark.parametrize("entry", ["sync -r", "build", "variants", "sync pylock", "lock -o"])
def test_a_file_that_is_not_toml_is_one_line_naming_it(
    tmp_path: Path, store_dir: Path, wheels: Path, entry: str, broken: str
) -> None:
    data, said = BROKEN[broken]
    path = tmp_path / ("pylock.toml" if "pylock" in entry or "lock" in entry else "x.toml")
    args: tuple[str | Path, ...]
    if entry == "sync -r":
        path = tmp_path / "pyproject.toml"
        args = ("sync", tmp_path / "v", "-r", path, "--no-index", "--store", store_dir)
    elif entry == "build":
        path = tmp_path / "proj" / "pyproject.toml"
        path.parent.mkdir()
        args = ("build", path.parent, "--store", store_dir)
    elif entry == "variants":
        args = ("variants", "--variants-config", path)
    elif entry == "sync pylock":
        args = ("sync", tmp_path / "v", path, "--store", store_dir)
    else:
        wheel = make_wheel(wheels, "beta", "1.0", {"beta.py": ""})
        args = ("lock", "beta", "--no-index", "--find-links", wheel.parent, "-o", path)
    path.write_bytes(data)
    proc = run_graft(*args, check=False)
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft: error: {path}: {said}"), line
    assert path.read_bytes() == data  # (the lock's output is not replaced)
    assert not (tmp_path / "v").exists()


NOT_LOCKS = {
    "no lock-version": (
        b'[[packages]]\nname = "beta"\nversion = "1.0"\n',
        "not a PEP 751 lock: it has no lock-version (remove it, give another -o, or pass --upgrade",
    ),
    "empty": (b"", "not a PEP 751 lock: it has no lock-version ("),
    "a number": (b"lock-version = 1\n", "not a PEP 751 lock: its lock-version is no string ("),
    "major 2": (
        b'lock-version = "2.0"\ncreated-by = "x"\npackages = []\n',
        "unsupported lock-version '2.0' (graft reads lock-version 1.x: remove it,",
    ),
}


@pytest.mark.parametrize("shape", sorted(NOT_LOCKS))
def test_an_output_that_is_toml_but_no_lock_is_refused_and_kept(
    tmp_path: Path, wheels: Path, shape: str
) -> None:
    # decision 366: graft lock read such a file for preferences and replaced it, where
    # uv pip compile -o pylock.toml says "missing field `lock-version`" and keeps it
    data, said = NOT_LOCKS[shape]
    path = tmp_path / "pylock.toml"
    path.write_bytes(data)
    make_wheel(wheels, "beta", "1.0", {"beta.py": ""})
    find_links = ("--no-index", "--find-links", wheels)
    proc = run_graft("lock", "beta", *find_links, "-o", path, check=False)
    assert proc.returncode == 1, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft: error: {path}: {said}"), line
    assert path.read_bytes() == data
    upgraded = run_graft("lock", "beta", *find_links, "-o", path, "--upgrade", check=False)
    assert upgraded.returncode == 0, upgraded.stderr  # (--upgrade reads no preferences)
    assert path.read_text().startswith('lock-version = "1.0"')
