"""Sealing starts the writeback of every file of the entry once, before any file's seal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.store import seal

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_seal_tree_starts_every_files_writeback_before_the_first_seal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pkg").mkdir()
    for name in ("a.py", "b.py"):
        (tmp_path / "pkg" / name).write_text("X = 1\n")
    calls: list[str] = []
    monkeypatch.setitem(seal._state, "enabled", True)
    started: list[list[str]] = []
    monkeypatch.setattr(seal, "write_back", started.append)

    def fake_set(path: str, on: bool, *, directory: bool = True) -> bool:
        assert on
        assert started, "the writeback is started before the first seal"
        calls.append(("dir " if directory else "file ") + path.removeprefix(str(tmp_path)))
        return True

    monkeypatch.setattr(seal, "_set_immutable", fake_set)
    seal.seal_tree(str(tmp_path))
    (paths,) = started  # once, with exactly the entry's files
    assert sorted(paths) == [str(tmp_path / "pkg" / "a.py"), str(tmp_path / "pkg" / "b.py")]
    assert sorted(c for c in calls if c.startswith("file")) == ["file /pkg/a.py", "file /pkg/b.py"]
    assert calls[-1] == "dir "  # the root last


def test_write_back_of_a_file_a_missing_one_and_a_directory(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("data")
    (tmp_path / "d").mkdir()
    paths = [str(tmp_path / "f"), str(tmp_path / "missing"), str(tmp_path / "d")]
    seal.write_back(paths)  # (only started: nothing to see, and no error)
    assert (tmp_path / "f").read_text() == "data"
