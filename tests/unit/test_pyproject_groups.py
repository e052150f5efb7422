"""PEP 735 dependency groups read from ``-r pyproject.toml``: errors in one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from graft.errors import SourceError, UsageError
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


def test_a_slip_in_a_group_says_what_to_write(tmp_path: Path) -> None:
    """Decision 455: a group's line says its slip as ``[project].dependencies``' does."""
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT.replace("not a valid req !!", "attrs>=1.0,,"))
    with pytest.raises(UsageError) as caught:
        read_pyproject(str(path), Inputs(), (), ("bad",))
    assert (caught.value.what, caught.value.hint) == (
        (
            "dependency group 'bad': cannot parse 'attrs>=1.0,,' in 'bad'"
            " (a comma has no version clause after it)"
        ),
        "write attrs>=1.0",
    )


def test_a_group_whose_lines_parse_is_read(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT.replace("not a valid req !!", "attrs"))
    inputs = Inputs()
    read_pyproject(str(path), inputs, (), ("wraps",))
    assert [str(w.name) for w in inputs.wanted] == ["six", "attrs", "idna"]


def test_an_extra_naming_the_project_itself_is_its_extras_requirements(tmp_path: Path) -> None:
    """``all = ["hello[socks,cli]"]``: the extras' requirements, not ``hello`` from an index.

    As ``uv pip install -r pyproject.toml --extra all`` reads it: each self-reference's
    marker holds for what it brings, and an extra the project does not declare adds nothing.
    """
    path = tmp_path / "pyproject.toml"
    path.write_text(
        "[project]\nname = 'Hello'\nversion = '1'\ndependencies = ['six']\n"
        "[project.optional-dependencies]\n"
        "socks = ['pysocks']\n"
        "cli = [\"click; python_version >= '3.8'\"]\n"
        "never = [\"idna; os_name == 'posix'\"]\n"
        "all = ['hello[socks,cli]', \"HELLO[never]; python_version < '3'\", 'hello[nope]',"
        " 'hello[all]']\n"
    )
    inputs = Inputs()
    read_pyproject(str(path), inputs, ("all",), ())
    assert [(w.requirement, w.marker) for w in inputs.wanted] == [
        ("six", None),
        ("click", 'python_version >= "3.8"'),
        ("pysocks", None),
        ("idna", 'python_version < "3" and os_name == "posix"'),
    ]
    assert inputs.wanted[1].where == f"{path}: [project.optional-dependencies].cli"


def test_a_path_in_place_of_a_url_in_a_pyproject_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lib @ ./lib`` in ``[project].dependencies`` or a group names no directory it is
    relative to (uv 0.13.9: "relative path without a working directory"), even where the
    current directory holds one (decision 309)."""
    (tmp_path / "lib").mkdir()
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "pyproject.toml"
    for table in (
        'dependencies = ["lib @ ./lib"]\n',
        '[dependency-groups]\ndev = ["lib @ ./lib"]\n',
    ):
        path.write_text('[project]\nname = "demo"\nversion = "0"\n' + table)
        groups = ("dev",) if "dev" in table else ()
        with pytest.raises(SourceError, match=r"lib @ \./lib is a path, which names no directory"):
            read_pyproject(str(path), Inputs(), (), groups)
