"""``[project]`` fields of another type than PEP 621's: one line naming the file (decision 267).

``dynamic = 3`` or ``project = 3`` was an internal error (``TypeError``, ``AttributeError``)
from ``-r pyproject.toml``, from a project directory given to ``sync`` and from ``lock``
(those: ``tests/integration/test_sync_errors.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graft._toml import project_table
from graft.build.project import read_project
from graft.errors import SourceError
from graft.model.requirements import Inputs
from graft.sources.pyproject import read_pyproject, static_requires_python

if TYPE_CHECKING:
    from pathlib import Path

BAD = [
    ("project = 3\n", "[project] is not a table"),
    ('[project]\nname = "x"\ndynamic = 3\n', "[project] dynamic must be a list of field names"),
    ('[project]\nname = "x"\ndynamic = [3]\n', "[project] dynamic must be a list of field names"),
    ("[project]\nname = 3\n", "[project] name must be a string, not int"),
    ('[project]\nname = "x"\nversion = 1\n', "[project] version must be a string, not int"),
    ('[project]\nname = "x"\nrequires-python = 3\n', "[project] requires-python must be a"),
]


@pytest.mark.parametrize(("text", "said"), BAD)
def test_each_reader_says_the_field_in_one_line(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(text + '[build-system]\nrequires = ["flit_core"]\nbuild-backend = "x"\n')
    for read in (
        lambda: read_pyproject(str(path), Inputs(), (), ()),
        lambda: read_project(str(tmp_path)),
    ):
        with pytest.raises(SourceError) as caught:
            read()
        assert caught.value.where == str(path)
        assert caught.value.what.startswith(said)
        assert "\n" not in str(caught.value)
    assert static_requires_python(str(tmp_path)) is None  # (the backend says it when it builds)


FIELDS = ("name", "version", "requires-python", "dynamic", "other")
_VALUES = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=5),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=300)
@given(
    project=st.one_of(
        _VALUES,
        st.fixed_dictionaries(
            {},
            optional=dict.fromkeys(
                ("name", "version", "requires-python", "dynamic", "other"), _VALUES
            ),
        ),
    )
)
def test_a_table_is_returned_only_with_each_field_of_its_type(project: object) -> None:
    data = {} if project is None else {"project": project}
    refused: SourceError | None = None
    got = None
    try:
        got = project_table(data, "pyproject.toml")
    except SourceError as exc:
        refused = exc
    if refused is not None:
        assert refused.where == "pyproject.toml"
        assert "\n" not in str(refused)
        return
    if project is None:
        assert got is None
        return
    assert isinstance(got, dict)
    for field in ("name", "version", "requires-python"):
        assert got.get(field) is None or isinstance(got[field], str)
    assert all(isinstance(name, str) for name in got.get("dynamic") or [])


def test_a_valid_table_is_unchanged() -> None:
    data = {"project": {"name": "x", "version": "1", "dynamic": ["dependencies"]}}
    assert project_table(data, "p") == data["project"]
