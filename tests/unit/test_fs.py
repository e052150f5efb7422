"""graft's own spelling of the user cache directory equals platformdirs' on this platform."""

from __future__ import annotations

from pathlib import Path

import pytest
from platformdirs import user_cache_dir

from graft._fs import open_lock_file
from graft._home import user_cache_dir as graft_cache_dir
from graft.errors import GraftError


@pytest.mark.parametrize("xdg", [None, "", "   ", "/tmp/xdg-cache", "relative/cache"])
@pytest.mark.parametrize("home", ["/home/someone", "/root/", "relative-home"])
def test_user_cache_dir_equals_platformdirs(
    monkeypatch: pytest.MonkeyPatch, xdg: str | None, home: str
) -> None:
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    monkeypatch.setenv("HOME", home)
    try:
        expected = user_cache_dir("graft")
    except RuntimeError:  # platformdirs refuses a relative HOME: graft must not guess either
        with pytest.raises(RuntimeError):
            graft_cache_dir()
        return
    assert graft_cache_dir() == expected


def test_a_lock_file_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(GraftError, match=r"cannot create the lock file \(No such file"):
        open_lock_file(str(tmp_path / "missing-dir" / ".v.graft-lock"))
