"""Sealing writes the filesystem's dirty data back once, before any file's seal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.store import seal

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_seal_tree_writes_back_once_before_the_first_seal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pkg").mkdir()
    for name in ("a.py", "b.py"):
        (tmp_path / "pkg" / name).write_text("X = 1\n")
    calls: list[str] = []
    monkeypatch.setitem(seal._state, "enabled", True)
    monkeypatch.setattr(seal, "write_back", lambda root: calls.append(f"write_back {root}"))

    def fake_set(path: str, on: bool, *, directory: bool = True) -> bool:
        assert on
        calls.append(("dir " if directory else "file ") + path.removeprefix(str(tmp_path)))
        return True

    monkeypatch.setattr(seal, "_set_immutable", fake_set)
    seal.seal_tree(str(tmp_path))
    assert calls[0] == f"write_back {tmp_path}"
    assert sum(c.startswith("write_back") for c in calls) == 1
    assert sorted(c for c in calls if c.startswith("file")) == ["file /pkg/a.py", "file /pkg/b.py"]
    assert calls[-1] == "dir "  # the root last


def test_write_back_returns_for_a_real_directory_and_a_missing_one(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("data")
    seal.write_back(str(tmp_path))  # syncfs (or sync): nothing to see but no error
    seal.write_back(str(tmp_path / "missing"))
