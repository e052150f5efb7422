"""RECORD paths are computed without consulting the working directory, as os.path.relpath would."""

from __future__ import annotations

import os

import pytest
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


@pytest.mark.parametrize("data", [b"", b"x", b"#!python\nprint(1)\n" * 100])
def test_record_digest_is_the_record_hash_of_the_sha256(data: bytes) -> None:
    import hashlib

    from graft.model.record import record_hash
    from graft.plan.types import record_digest

    assert record_digest(data) == record_hash("sha256", hashlib.sha256(data).digest())
