"""The versions an existing output lock holds, per environment (graft.resolve.lock_prefs)."""

from __future__ import annotations

from pathlib import Path

from graft.resolve.environments import matrix
from graft.resolve.lock_prefs import read_locked

LINUX, WINDOWS = (matrix(["3.12"], [system])[0] for system in ("linux", "windows"))
LOCK = """\
lock-version = "1.0"
created-by = "uv"

[[packages]]
name = "Plat"
version = "1.0"
marker = "sys_platform == 'linux'"

[[packages]]
name = "plat"
version = "2.0"
marker = "sys_platform == 'win32'"

[[packages]]
name = "dep"
version = "3.0"

[[packages]]
name = "odd"
version = "1.0"
marker = "not a marker ("
"""


def test_each_environment_prefers_the_entries_whose_marker_holds(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(LOCK)
    locked = read_locked(str(path))
    assert locked.preferred(LINUX) == {"plat": "1.0", "dep": "3.0"}  # (an unreadable marker:
    assert locked.preferred(WINDOWS) == {"plat": "2.0", "dep": "3.0"}  # no preference)
    assert len(locked.digest) == 64


def test_no_file_no_lock_and_upgrade_give_no_preferences(tmp_path: Path) -> None:
    assert read_locked(str(tmp_path / "absent.toml")).digest == "-"
    garbage = tmp_path / "pylock.toml"
    garbage.write_text("not [ toml")
    unread = read_locked(str(garbage))
    assert unread.packages == ()
    assert len(unread.digest) == 64
    garbage.write_text(LOCK)
    upgraded = read_locked(str(garbage), upgrade=True)
    assert upgraded.digest == "*"
    assert upgraded.preferred(LINUX) == {}
