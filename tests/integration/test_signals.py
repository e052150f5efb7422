"""SIGTERM and SIGHUP end a command as Ctrl-C does (decisions 269, 291).

Before, SIGTERM (a CI timeout, ``kill``, a stopped container) and SIGHUP (a closed terminal)
took their default action: no line, status -15 or -1, the venv's staging and lock file left
beside it. (A closed pipe in the console script's fast paths: ``test_replay.py``.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import socket
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel


def _graft(*args: str | Path, new_session: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "graft", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=new_session,
    )


def _beside(venv: Path) -> list[str]:
    """What graft left beside *venv* (its staging, its lock file)."""
    return sorted(n for n in os.listdir(venv.parent) if n.startswith(f".{venv.name}."))


_SAID: dict[int, str] = {signal.SIGTERM: "terminated", signal.SIGHUP: "hung up"}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_the_index_is_asked_is_one_line_and_its_status(
    tmp_path: Path, store_dir: Path, wheels: Path, signum: int
) -> None:
    """SIGTERM 143 (decision 269), SIGHUP 129 (decision 291); before, -15 and -1, no line."""
    make_wheel(wheels, "app", "1.0", {"app/__init__.py": "A = 1\n"})
    venv = tmp_path / "venv"
    run_graft("sync", venv, "app", "-f", wheels, "--no-index", "--store", store_dir)
    with _silent_index() as (silent, url):
        proc = _graft("sync", venv, "app", "other", "--index-url", url, "--store", store_dir)
        ready, _, _ = select.select([silent], [], [], 120)  # graft is waiting for an answer
        assert ready, "graft never asked the index"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, err
    assert err.splitlines() == [f"graft: {_SAID[signum]}; nothing was changed"]
    assert out == ""
    assert py(venv, "import app; print(app.A)") == "1"  # the venv as it was
    assert _beside(venv) == []


@contextlib.contextmanager
def _silent_index() -> Iterator[tuple[socket.socket, str]]:
    """A socket that accepts connections (the kernel does) and never answers; its index URL."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        yield silent, f"http://127.0.0.1:{silent.getsockname()[1]}/simple/"


def _on_a_terminal() -> None:
    """(In the child, after ``setsid``:) its stdin, a terminal's slave, its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_a_closed_terminal_ends_a_sync_as_ctrl_c_does(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """The terminal graft runs on is closed (a window, an ssh session): SIGHUP, status 129.

    Every write to the closed terminal fails (``EIO``): the line cannot be said, and the
    status and the clean-up stand all the same. Before (decision 291): killed by SIGHUP (-1),
    with what a kill leaves.
    """
    make_wheel(wheels, "app", "1.0", {"app/__init__.py": "A = 1\n"})
    venv = tmp_path / "venv"
    run_graft("sync", venv, "app", "-f", wheels, "--no-index", "--store", store_dir)
    master, slave = os.openpty()
    with _silent_index() as (silent, url):
        proc = subprocess.Popen(
            [sys.executable, "-m", "graft", "sync", venv, "app", "other", "--index-url", url],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            preexec_fn=_on_a_terminal,  # noqa: PLW1509 - (no threads in this test's process)
            env={**os.environ, "GRAFT_STORE": str(store_dir)},
        )
        os.close(slave)
        try:
            ready, _, _ = select.select([silent], [], [], 120)
            assert ready, "graft never asked the index"
        finally:
            os.close(master)  # the terminal closes: the kernel sends its session SIGHUP
        assert proc.wait(timeout=120) == 128 + signal.SIGHUP
    assert py(venv, "import app; print(app.A)") == "1"
    assert _beside(venv) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_the_venv_is_written_is_said_as_ctrl_c_is(
    tmp_path: Path, store_dir: Path, wheels: Path, signum: int
) -> None:
    """One line and 143 (129), the staging removed as far as Ctrl-C removes it; the next
    sync sweeps.

    (Before: no line, -15 (-1), and the staging and the lock file always left beside the venv.)
    """
    names = []
    for i in range(6):
        make_wheel(wheels, f"big{i}", "1.0", {f"big{i}/m{j}.py": f"X = {j}\n" for j in range(300)})
        names.append(f"big{i}")
    args: tuple[str | Path, ...] = (
        *names,
        "-f",
        wheels,
        "--no-index",
        "--store",
        store_dir,
        "--link-mode",
        "copy",
    )
    landed = 0
    for attempt in range(5):  # until the signal lands while the venv is being written
        venv = tmp_path / f"venv{attempt}"
        proc = _graft("sync", venv, *args, new_session=True)
        while proc.poll() is None and not [n for n in _beside(venv) if not n.endswith("-lock")]:
            time.sleep(0.001)  # (polling for the staging to appear: no time is asserted)
        if proc.poll() is None:
            os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=120)
        if proc.returncode == 0:  # (it finished before the staging was seen, or the signal)
            continue
        landed += 1
        assert proc.returncode == 128 + signum, err
        assert err.splitlines() == [f"graft: {_SAID[signum]}; nothing was changed"]
        assert not venv.exists()
        run_graft("sync", venv, *args)  # the next sync sweeps what a signal may leave
        assert _beside(venv) == []
        assert os.listdir(store_dir / "tmp") == []
    assert landed, "no signal landed while the venv was written"
