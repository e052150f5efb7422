"""graft's own spelling of the user cache directory equals platformdirs' on this platform; lock
files."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from platformdirs import user_cache_dir

from graft._fs import flock, open_lock_file
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


def test_a_lock_file_its_holder_removes_is_held_by_one_taker_at_a_time(tmp_path: Path) -> None:
    # a waiter that wakes on the removed file must take the path's new one, never hold the
    # old one while a newcomer holds the new
    path = str(tmp_path / ".v.graft-lock")
    first_holds, waiter_holds, done = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def waiter() -> None:
        first_holds.wait()
        with flock(path, removed=True) as held:
            assert held
            waiter_holds.set()
            done.wait(10)

    thread = threading.Thread(target=waiter)
    thread.start()
    with flock(path, removed=True) as held:
        assert held
        first_holds.set()
        time.sleep(0.2)  # the waiter has opened the file and waits on it
    assert waiter_holds.wait(10)
    with flock(path, timeout=0, removed=True) as newcomer:
        seen.append(newcomer)
    done.set()
    thread.join()
    assert seen == [False]
    assert not os.path.lexists(path)


def test_an_errors_path_is_never_a_descriptors_number() -> None:
    from graft.errors import path_of

    assert path_of(IsADirectoryError(21, "Is a directory", 5), "/v") == "/v"
    assert path_of(FileNotFoundError(2, "No such file", "/v/x"), "/v") == "/v/x"
    assert path_of(OSError(28, "No space left on device"), "/v") == "/v"
