"""``is_variant_wheel``: the cheap test agrees with the full parse on every filename shape."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graft.resolve.artifacts import is_variant_wheel, parse_wheel


def _pick(*values: str) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


_SHAPED = st.tuples(
    _pick("pkg", "my_pkg", "Bad-name", ""),
    _pick("1.0", "2.0.post1", "x.y", ""),
    st.one_of(st.none(), _pick("1", "1abc", "abc", "")),
    _pick("cp311", "py3", "py2.py3", ""),
    _pick("none", "abi3", "cp311"),
    _pick("any", "manylinux_2_17_x86_64", "win_amd64"),
    st.one_of(st.none(), _pick("cu12", "x86_64_v3", "fast.1", "BAD", "a" * 20, "")),
)


@given(_SHAPED, st.sampled_from([".whl", ".whl", ".tar.gz"]))
def test_the_cheap_test_agrees_with_the_parse(fields: tuple[str | None, ...], suffix: str) -> None:
    filename = "-".join(f for f in fields if f is not None) + suffix
    parsed = parse_wheel(filename)
    assert is_variant_wheel(filename) == (parsed is not None and parsed.variant is not None)


def test_variant_and_plain_wheels() -> None:
    assert is_variant_wheel("torch-2.9.0-cp311-cp311-manylinux_2_28_x86_64-cu128.whl")
    assert is_variant_wheel("torch-2.9.0-1-cp311-cp311-manylinux_2_28_x86_64-cu128.whl")
    assert not is_variant_wheel("torch-2.9.0-cp311-cp311-manylinux_2_28_x86_64.whl")
    assert not is_variant_wheel("torch-2.9.0-1-cp311-cp311-manylinux_2_28_x86_64.whl")
    assert not is_variant_wheel("torch-2.9.0.tar.gz")
