"""An entry's write bits: dropped below its top before it is moved into place, then the top's."""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

from graft.store import seal

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_an_entry_keeps_its_tops_write_bit_until_it_is_sealed_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(seal._state, "enabled", False)  # write bits alone, as for any user
    staging = tmp_path / "staging"
    (staging / "tree" / "pkg").mkdir(parents=True)
    (staging / "tree" / "pkg" / "a.py").write_text("A = 1\n")
    (staging / "record.json").write_text("{}")

    seal.make_read_only(str(staging), top=False)
    # rename(2) of a directory into another one needs its write bit, root's privileges aside
    assert _mode(staging) == 0o755
    assert {_mode(staging / "tree"), _mode(staging / "tree" / "pkg")} == {0o555}
    assert not _mode(staging / "tree" / "pkg" / "a.py") & 0o222
    assert not _mode(staging / "record.json") & 0o222

    entry = tmp_path / "entry"
    staging.rename(entry)
    seal.seal_top(str(entry))
    assert _mode(entry) == 0o555

    seal.make_read_only(str(entry))  # (an entry in place: its top too)
    assert _mode(entry) == 0o555
