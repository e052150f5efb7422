"""graft._jsonc: json.loads and json.dumps through json's C accelerator, the same JSON."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graft import _jsonc

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def same(a: object, b: object) -> bool:
    """Equal as JSON values, NaN equal to NaN."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@given(VALUES)
def test_dumps_is_json_dumps_byte_for_byte(value: object) -> None:
    assert _jsonc.dumps(value) == json.dumps(value)


@given(VALUES)
def test_sorted_keys_are_json_dumps_sort_keys_byte_for_byte(value: object) -> None:
    assert _jsonc.dumps(value, sort_keys=True) == json.dumps(value, sort_keys=True)


def test_default_and_other_keys_as_json_takes_them() -> None:
    value = {2: 1, None: 0, True: 1.5, "k": [set, (1, 2)]}
    assert _jsonc.dumps(value, default=repr) == json.dumps(value, default=repr)
    looped: list[object] = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular"):
        _jsonc.dumps(looped)


@given(VALUES, st.sampled_from(["", " ", "\n", " \t\r\n"]))
def test_loads_reads_what_json_reads(value: object, space: str) -> None:
    for text in (json.dumps(value), json.dumps(value, indent=1)):
        assert same(_jsonc.loads(space + text + space), json.loads(text))


def test_non_finite_numbers_read_as_json_reads_them() -> None:
    read = _jsonc.loads("[NaN, Infinity, -Infinity, 1e400]")
    assert math.isnan(read[0])
    assert read[1:] == [math.inf, -math.inf, math.inf]


@pytest.mark.parametrize(
    "text", ["", "  ", "[1,", "[1] [2]", "{'a': 1}", "nul", "[1]]", '"\x01"', "{1: 2}"]
)
def test_what_is_not_json_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - json's own error, or one line of ours
        json.loads(text)
    with pytest.raises(ValueError):  # noqa: PT011
        _jsonc.loads(text)


def test_what_json_cannot_write_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        _jsonc.dumps({"a": object()})


def test_neither_json_nor_re_is_imported() -> None:
    code = (
        "import sys; before = set(sys.modules); from graft import _jsonc; "
        "_jsonc.loads(_jsonc.dumps({'a': [1.5, 'é']})); "
        "print(sorted({'json', 're', 'enum'} & (set(sys.modules) - before)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    if sys.implementation.name == "cpython":  # (elsewhere json itself does the work)
        assert out.stdout.strip() == "[]"


def test_what_is_not_json_is_a_value_error_where_json_was_never_imported() -> None:
    code = (
        "from graft import _jsonc\n"
        "for text in ('[[1, 2]', '[1] x', '{\"a\" 1}', ''):\n"
        "    try:\n"
        "        _jsonc.loads(text)\n"
        "    except ValueError as exc:\n"
        "        print(type(exc).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["JSONDecodeError"] * 4
