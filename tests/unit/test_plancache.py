"""A kept plan's launchers must be what the planner renders (pypa/installer's body)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graft.model.record import EntryPoint
from graft.plan.scripts import launcher_body
from graft.store.plancache import expected_launcher_body

identifier = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
dotted = st.lists(identifier, min_size=1, max_size=3).map(".".join)


@given(module=dotted, attr=dotted, extras=st.sampled_from(["", " [cli]", "[a,b]"]))
def test_the_expected_body_is_installers(module: str, attr: str, extras: str) -> None:
    value = f"{module}:{attr}{extras}"
    for group in ("console_scripts", "gui_scripts"):
        assert expected_launcher_body(value) == launcher_body(EntryPoint("x", value, group))


@pytest.mark.parametrize(
    "value",
    [
        "os import system\nsystem('id')#:f",
        "m:f()\nimport os",
        "m:f; import os",
        "m",  # no attribute: the planner's launcher would not run anyway
        ":f",
        "m.:f",
    ],
)
def test_a_value_that_is_not_dotted_names_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        expected_launcher_body(value)
