"""PEP 735 dependency groups read from ``-r pyproject.toml``: errors in one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from graft.errors import UsageError
from graft.model.requirements import Inputs
from graft.sources.pyproject import read_pyproject

if TYPE_CHECKING:
    from pathlib import Path

PYPROJECT = """\
[project]
name = "demo"
version = "0"
[dependency-groups]
bad = ["six", "not a valid req !!"]
wraps = [{include-group = "Bad"}, "idna"]
loop = [{include-group = "again"}]
again = [{include-group = "loop"}]
other = ["also not valid !!"]
"""


@pytest.mark.parametrize(
    ("group", "said"),
    [
        ("bad", "dependency group 'bad': cannot parse 'not a valid req !!' in 'bad' (Expected"),
        ("wraps", "dependency group 'wraps': cannot parse 'not a valid req !!' in 'bad' (Exp"),
        ("loop", "dependency group 'loop': Cyclic dependency group include while resolving"),
    ],
)
def test_a_group_that_cannot_be_read_is_one_line_naming_its_line(
    tmp_path: Path, group: str, said: str
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    with pytest.raises(UsageError) as caught:
        read_pyproject(str(path), Inputs(), (), (group,))
    assert caught.value.what.startswith(said)
    assert "\n" not in caught.value.what


def test_a_group_whose_lines_parse_is_read(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT.replace("not a valid req !!", "attrs"))
    inputs = Inputs()
    read_pyproject(str(path), inputs, (), ("wraps",))
    assert [str(w.name) for w in inputs.wanted] == ["six", "attrs", "idna"]
