"""pip's and uv's variables that graft warns about, said alike whichever path answers.

Decision 341 warns about ``UV_RESOLUTION``, ``UV_PYTHON`` (and ``PIP_PRE``, ``UV_PRERELEASE``)
where graft chose otherwise; the no-op, replay, change and lock stamps answer a command line
without the full path, and must say the same lines (decision 355).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_change import FILLERS, FIRST, SECOND, edited, graft, index
from tests.support.importtime import imported

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tests.support.rangeserver import Served

__all__ = ["index"]  # (the fixture, shared with test_change)

WARNED = [
    (
        "graft: warning: UV_RESOLUTION is set, and graft reads no pip or uv variable: it"
        " resolved highest (pass --resolution lowest)"
    ),
    (
        "graft: warning: UV_PYTHON is set, and graft reads no pip or uv variable: it chose the"
        " interpreter without it (pass --python or GRAFT_PYTHON)"
    ),
]


def _warnings(said: str) -> list[str]:
    return [x for x in said.splitlines() if x.startswith("graft: warning:")]


@pytest.fixture
def unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UV_RESOLUTION", "lowest")
    monkeypatch.setenv("UV_PYTHON", "3.12")


@pytest.mark.usefixtures("unread")
def test_every_sync_path_warns_of_unread_choices_as_the_full_path_does(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    home = tmp_path / "home" / "venv"
    home.parent.mkdir()
    for number, text in enumerate((FIRST, SECOND)):  # the stamps, the plans kept
        graft(home, edited(tmp_path, text, f"seen-{number}"), index, store_dir)
    full_proc, full = graft(home, edited(tmp_path, FIRST, "full"), index, store_dir, "-v")
    assert not full
    assert _warnings(full_proc.stderr) == WARNED
    changed, fast = graft(home, edited(tmp_path, SECOND, "changed"), index, store_dir)
    assert fast  # (the change stamp's)
    assert _warnings(changed.stderr) == WARNED
    again, fast = graft(home, edited(tmp_path, SECOND, "changed"), index, store_dir)
    assert fast  # (the sync stamp the change left)
    assert "already in sync" in again.stderr
    assert _warnings(again.stderr) == WARNED
    built, fast = graft(tmp_path / "new", edited(tmp_path, FIRST, "new"), index, store_dir)
    assert fast  # (the change stamp for new venvs)
    assert _warnings(built.stderr) == WARNED
    reqs = edited(tmp_path, FIRST, "replayed")
    graft(tmp_path / "one", reqs, index, store_dir, "-v")
    replayed, fast = graft(tmp_path / "two", reqs, index, store_dir)
    assert fast  # (the replay stamp's)
    assert _warnings(replayed.stderr) == WARNED


@pytest.mark.usefixtures("unread")
def test_every_lock_path_warns_of_unread_choices_as_the_full_path_does(
    tmp_path: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(f"app\nlib>=1\n{FILLERS}")
    argv = ["-m", "graft", "lock", "-r", str(reqs), "-o", "pylock.toml"]
    argv += ["--index-url", f"{index.url}/simple/"]

    def lock() -> tuple[list[str], bool]:
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, check=True
        )
        return _warnings(proc.stderr), "graft.resolve.lock" not in imported(proc.stderr)

    assert lock() == (WARNED[:1], False)  # (a lock chose its interpreters: no UV_PYTHON)
    assert lock() == (WARNED[:1], True)  # the lock stamp's
    reqs.write_text(f"app\nlib>=1.0\n{FILLERS}")  # an edit the edit stamp proves harmless
    assert lock() == (WARNED[:1], True)
