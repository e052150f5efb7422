"""A venv's ``graft-inputs`` from the form's lists, as from its text (cli/flat_build.py).

The change path (``changestamp.Reading``) makes the inputs' preimage itself and digests it
for the venv's path and for the plan key without reading its JSON back (decision 466): the
digests must be those :func:`flat_build.inputs_digest` gives for the text.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graft.cli import flat_build
from graft.sync_result import PREFIX_MARK

LAYOUT = f"VenvLayout(prefix={PREFIX_MARK!r}, purelib='lib/python3.11/site-packages')"
TEXT = st.text(max_size=12)


@given(
    head=st.lists(TEXT, min_size=4, max_size=4),
    tail=st.lists(st.one_of(TEXT, st.integers(), st.none()), max_size=2),
    rows=st.lists(TEXT, max_size=5),
    prefix=st.one_of(st.just(""), st.text(max_size=20)),
)
def test_the_digest_of_the_lists_is_the_digest_of_their_text(
    head: list[object], tail: list[object], rows: list[object], prefix: str
) -> None:
    whole = [*head, LAYOUT, *tail]
    kept = list(whole)
    text = json.dumps([whole, rows])
    assert flat_build.inputs_digest_of(whole, rows, prefix) == flat_build.inputs_digest(
        text, prefix
    )
    assert whole == kept  # (the head is left as it is: the form is made from it too)


def test_a_prefix_is_written_where_the_mark_is() -> None:
    rows = ["a|b|1"]
    one = flat_build.inputs_digest_of(["v", "py", "3.11", "/s", LAYOUT, "p"], rows, "/x/venv")
    other = flat_build.inputs_digest_of(["v", "py", "3.11", "/s", LAYOUT, "p"], rows, "/y/venv")
    assert one != other


@pytest.mark.parametrize("head", [["v", "py", "3.11", "/s"], ["v", "py", "3.11", "/s", 4]])
def test_a_head_without_a_layout_is_refused(head: list[object]) -> None:
    with pytest.raises((IndexError, TypeError)):
        flat_build.inputs_digest_of(head, [], "/x")
