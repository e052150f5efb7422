"""SIGTERM ends a command as Ctrl-C does (decision 269).

Before, SIGTERM (a CI timeout, ``kill``, a stopped container) took its default action: no
line, status -15, the venv's staging and lock file left beside it. (A closed pipe in the
console script's fast paths: ``test_replay.py``.)
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

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


def test_sigterm_while_the_index_is_asked_is_one_line_and_status_143(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    make_wheel(wheels, "app", "1.0", {"app/__init__.py": "A = 1\n"})
    venv = tmp_path / "venv"
    run_graft("sync", venv, "app", "-f", wheels, "--no-index", "--store", store_dir)
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/simple/"
        proc = _graft("sync", venv, "app", "other", "--index-url", url, "--store", store_dir)
        ready, _, _ = select.select([silent], [], [], 120)  # graft is waiting for an answer
        assert ready, "graft never asked the index"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err.splitlines() == ["graft: terminated; nothing was changed"]
    assert out == ""
    assert py(venv, "import app; print(app.A)") == "1"  # the venv as it was
    assert _beside(venv) == []


def test_sigterm_while_the_venv_is_written_is_said_as_ctrl_c_is(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """One line and 143, the staging removed as far as Ctrl-C removes it; the next sync sweeps.

    (Before: no line, -15, and the staging and the lock file always left beside the venv.)
    """
    signum = signal.SIGTERM
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
        assert err.splitlines() == ["graft: terminated; nothing was changed"]
        assert not venv.exists()
        run_graft("sync", venv, *args)  # the next sync sweeps what a signal may leave
        assert _beside(venv) == []
        assert os.listdir(store_dir / "tmp") == []
    assert landed, "no signal landed while the venv was written"
