"""A TOML file graft reads that is not TOML: one line naming it, at every entry point.

One reader (``graft._fs.parse_toml``, ``tomllib`` or ``tomli``), each caller's error naming
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
