"""A listing makes each file once, when first read, and reads as the list of them would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from graft.resolve.artifacts import ArtifactFile
from graft.resolve.listing import Listing, filenames

_ROW = st.tuples(st.from_regex(r"[a-z]{1,6}-[0-9]\.[0-9]\.tar\.gz", fullmatch=True), st.integers())


def _made(rows: list[tuple[str, int]]) -> tuple[Listing, list[int]]:
    made: list[int] = []

    def make(row: Sequence[Any]) -> ArtifactFile:
        filename, size = str(row[0]), int(row[1])
        made.append(size)
        return ArtifactFile(filename, f"https://files.invalid/{filename}", size=size)

    return Listing(rows, make), made


@given(st.lists(_ROW, max_size=30), st.lists(st.integers(-40, 40), max_size=10))
def test_a_listing_reads_as_its_files_and_makes_only_those_read(
    rows: list[tuple[str, int]], reads: list[int]
) -> None:
    listing, made = _made(rows)
    eager = [ArtifactFile(f, f"https://files.invalid/{f}", size=n) for f, n in rows]
    assert filenames(listing) == [f for f, _ in rows]
    assert made == []  # names read, no file made
    assert len(listing) == len(eager)
    read = set()
    for at in reads:
        if -len(rows) <= at < len(rows):
            assert listing[at] == eager[at]
            assert listing[at] is listing[at]  # made once, the same object after
            read.add(at % len(rows))
    assert sorted(made) == sorted(rows[i][1] for i in read)
    assert list(listing[1:-1:2]) == eager[1:-1:2]
    assert list(listing) == eager
    assert len(made) == len(rows)
    assert filenames(eager) == filenames(listing)
