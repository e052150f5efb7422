"""The stamps' context: what surrounds the command line, read once per answer (decision 349)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.cli import noop

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

ARGV = ["sync", "v", "-r", "r.txt", "-q"]
MASKED = ["sync", "v", "-r", "\0file", "-q"]


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real = noop._surroundings

    def counted(cwd: str, argv: list[str]) -> str:
        reads.append(cwd)
        return real(cwd, argv)

    monkeypatch.setattr(noop, "_surroundings", counted)
    return reads


def test_one_answer_reads_the_surroundings_once_for_every_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    unheld = [noop._context(ARGV), noop._context(MASKED)]
    reads = _counting(monkeypatch)
    noop.answering(hold=True)
    try:
        held = [noop._context(ARGV), noop._context(MASKED), noop._context(ARGV)]
    finally:
        noop.answering(hold=False)
    assert len(reads) == 1
    assert held == [*unheld, unheld[0]]  # the same keys as read each time


def test_outside_an_answer_each_context_reads_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sync's full path, and a test that changes the environment between two of them."""
    monkeypatch.chdir(tmp_path)
    noop.answering(hold=True)
    noop.answering(hold=False)
    reads = _counting(monkeypatch)
    first = noop._context(ARGV)
    monkeypatch.setenv("GRAFT_SOMETHING", "1")
    assert noop._context(ARGV) != first
    assert len(reads) == 2


def test_a_held_answer_keeps_no_config_and_the_directory_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRAFT_NO_CONFIG", raising=False)
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / ".python-version").write_text("3.12\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    noop.answering(hold=True)
    try:
        with_file = noop._context(ARGV) or ""
        without = noop._context([*ARGV, "--no-config"]) or ""
        monkeypatch.chdir(other)
        elsewhere = noop._context(ARGV) or ""
    finally:
        noop.answering(hold=False)
    assert "3.12" in with_file
    assert "3.12" not in without
    assert "3.12" not in elsewhere
    assert str(other) in elsewhere
