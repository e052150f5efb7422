"""RECORD paths are computed without consulting the working directory, as os.path.relpath would."""

from __future__ import annotations

import os

from hypothesis import given
from hypothesis import strategies as st

from graft.plan.distinfo import relative_to

PARTS = st.lists(
    st.sampled_from(["lib", "python3.11", "site-packages", "bin", "a", "b"]), max_size=4
)


@given(PARTS, PARTS)
def test_relative_to_equals_relpath(dest: list[str], lib: list[str]) -> None:
    dest_path = "/".join(["x", *dest])  # never empty, as a destination
    lib_path = "/".join(lib)
    expected = os.path.relpath(dest_path, lib_path or ".")
    assert relative_to(dest_path, lib_path) == expected
