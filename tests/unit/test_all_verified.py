"""Every entry verified, asked in one call (store/paths.py: ``all_verified``).

The fast paths (no-op, change, new venv) ask it of each entry of a venv; it must answer as
``verified_marker`` and ``os.path.isfile`` of each answer (decision 466), but refuse a name
that is not an entry's (a slash, or none) where they might find a file elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graft.store.paths import all_verified, verified_marker

A, B = "a" * 64, "b" * 64


def one_by_one(store: str, shas: list[str]) -> bool:
    for sha in shas:
        marker = verified_marker(store, sha)
        if marker is None or not os.path.isfile(marker):
            return False
    return True


def made(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    (store / "entries").mkdir(parents=True)
    (store / "verified").mkdir()
    for sha in (A, B):
        (store / "entries" / sha).mkdir()
        inode = (store / "entries" / sha).stat().st_ino
        (store / "verified" / f"{sha}.{inode}").write_text("")
    return store


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("nothing", True),
        ("entry gone", False),
        ("marker gone", False),
        ("marker a directory", False),
        ("entry made again", False),  # (another inode: the old marker is not its)
        ("marker a link to a file", True),  # (isfile follows links)
    ],
)
def test_it_answers_as_each_marker_asked_for(tmp_path: Path, change: str, expected: bool) -> None:
    store = made(tmp_path)
    entry = store / "entries" / B
    marker = store / "verified" / f"{B}.{entry.stat().st_ino}"
    if change == "entry gone":
        entry.rmdir()
    elif change == "marker gone":
        marker.unlink()
    elif change == "marker a directory":
        marker.unlink()
        marker.mkdir()
    elif change == "entry made again":
        entry.rename(store / "old")
        entry.mkdir()
    elif change == "marker a link to a file":
        marker.unlink()
        (tmp_path / "elsewhere").write_text("")
        marker.symlink_to(tmp_path / "elsewhere")
    for shas in ([A, B], [B], []):
        assert all_verified(str(store), shas) == one_by_one(str(store), shas)
        assert all_verified(str(store), shas) == (expected or B not in shas)
    assert all_verified(f"{store}/", [A, B]) == expected  # (a store named with a final slash)


def test_a_name_that_is_not_an_entry_s_is_refused(tmp_path: Path) -> None:
    store = made(tmp_path)
    outside = tmp_path / "x"
    outside.mkdir()
    # verified_marker joins an absolute name as itself: a file beside it would be taken
    (tmp_path / f"x.{outside.stat().st_ino}").write_text("")
    assert one_by_one(str(store), [str(outside)])
    for name in (str(outside), f"../entries/{A}", "", "a\0b"):
        assert not all_verified(str(store), [A, name])
