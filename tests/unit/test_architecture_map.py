"""docs/architecture.md's package map against the source tree: every module is named in it.

A module is named by its path under ``graft/`` (``cli/noop.py``, ``graft/_fs.py``), or by its
file name in the row of its package (``| `audit/` | ... `links.py` ...``). A module added
without a line in the map fails here, and so do a row for a module that is gone and a module
with two rows.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
GRAFT = ROOT / "src" / "graft"
MAP = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
MODULES = sorted(
    path.relative_to(GRAFT).as_posix()
    for path in GRAFT.rglob("*.py")
    if not path.name.startswith("__")
)


def _package_row(package: str) -> str:
    """The map's table row of *package* (``audit``), or an empty string."""
    found = re.search(rf"^\| `{re.escape(package)}/` \|.*$", MAP, flags=re.MULTILINE)
    return found.group(0) if found else ""


def _named(module: str) -> bool:
    package, _, name = module.rpartition("/")
    if not package:
        return f"`graft/{module}`" in MAP or f"\n| `{module}` |" in MAP
    return f"`{module}`" in MAP or f"`{name}`" in _package_row(package)


def test_every_module_is_named_in_the_package_map() -> None:
    unnamed = [module for module in MODULES if not _named(module)]
    assert not unnamed, f"docs/architecture.md does not name {unnamed}"


def test_every_module_the_map_names_exists() -> None:
    rows = set(re.findall(r"^\| `((?:[a-z_]+/)*[a-z_]+\.py)` \|", MAP, flags=re.MULTILINE))
    gone = sorted(m for m in rows if not (GRAFT / m).is_file())
    assert rows  # the table was found
    assert not gone, f"docs/architecture.md has rows for modules that do not exist: {gone}"


def test_no_module_has_two_rows() -> None:
    rows = re.findall(r"^\| `((?:[a-z_]+/)*[a-z_]+\.py)` \|", MAP, flags=re.MULTILINE)
    twice = sorted({m for m in rows if rows.count(m) > 1})
    assert not twice, f"docs/architecture.md has two rows for {twice}"


def test_the_check_sees_a_module_left_out() -> None:
    """The control: a path the map does not hold is reported as not named."""
    assert MODULES  # the tree was found
    assert not _named("cli/no_such_module.py")
    assert not _named("graft_no_such.py")
