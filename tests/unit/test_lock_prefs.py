"""The versions an existing output lock holds, per environment (graft.resolve.lock_prefs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graft.errors import SourceError
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
    other = tmp_path / "pylock.toml"
    other.write_text('lock-version = "1.0"\npackages = 2\n')  # (a lock without packages)
    unread = read_locked(str(other))
    assert unread.packages == ()
    assert len(unread.digest) == 64
    other.write_text(LOCK)
    upgraded = read_locked(str(other), upgrade=True)
    assert upgraded.digest == "*"
    assert upgraded.preferred(LINUX) == {}
    other.write_text("not [ toml")  # not read at all with --upgrade
    assert read_locked(str(other), upgrade=True).digest == "*"


def test_an_output_that_is_not_toml_is_refused_as_uv_refuses_it(tmp_path: Path) -> None:
    # decision 358: it was replaced unread (uv pip compile -o: "TOML parse error")
    garbage = tmp_path / "pylock.toml"
    garbage.write_text("not [ toml")
    with pytest.raises(SourceError) as got:
        read_locked(str(garbage))
    assert got.value.what.startswith("not valid TOML (Expected '=' after a key")
    assert got.value.where == str(garbage)
    assert got.value.hint is not None
    assert got.value.hint.startswith("fix the file's syntax, remove it, or pass --upgrade")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[[packages]]\nname = "six"\nversion = "1.15.0"\n', "not a PEP 751 lock: it has no"),
        ("lock-version = 1\n", "not a PEP 751 lock: its lock-version is no string"),
        ('lock-version = "2.0"\n', "unsupported lock-version '2.0'"),
        ('lock-version = "2.0a1"\n', "unsupported lock-version '2.0a1'"),
        ('lock-version = "one"\n', "unsupported lock-version 'one'"),
    ],
)
def test_an_output_without_lock_version_1_is_refused_as_uv_refuses_it(
    tmp_path: Path, text: str, said: str
) -> None:
    # decision 366: its versions were preferred, where uv says "missing field `lock-version`"
    path = tmp_path / "pylock.toml"
    path.write_text(text)
    with pytest.raises(SourceError) as got:
        read_locked(str(path))
    assert got.value.what.startswith(said)
    assert got.value.where == str(path)
    assert got.value.hint is not None
    assert got.value.hint.endswith(
        "or pass --upgrade (graft lock keeps the versions of the lock it replaces, as uv does)"
    )
    assert read_locked(str(path), upgrade=True).digest == "*"
    path.write_text('lock-version = "1.1"\ncreated-by = "x"\npackages = []\n')
    assert read_locked(str(path)).packages == ()  # (a newer minor version is read, as sync)
