"""Different sdists' metadata hooks run side by side in a lock; one sdist's once (decision 492).

A loopback index serves three sdists whose metadata only their in-tree backend states
(Metadata 2.1): ``zero``, which every environment needs, ``a`` for Windows and ``b`` for
macOS. The lock resolves its first environment (Linux: ``zero`` alone) by itself, then the
others in threads, which ask for ``a`` and ``b`` at once. Each backend logs when its
``prepare_metadata_for_build_wheel`` starts and ends, and ``a``'s and ``b``'s each wait until
the other's has started: run one after the other (graft before decision 492, pip), the first
gives up after :data:`WAIT` seconds and fails, a lock without it; side by side (graft now,
uv) both end. An ordering fact, not a time: the wait is only how long a hook looks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.inbackend import WHEEL_WRITER
from tests.support.rangeserver import serve_made
from tests.support.sdistmaker import write_sdist

#: seconds a hook waits for the other to start before it fails (generous: a loaded machine)
WAIT = 60

BACKEND = WHEEL_WRITER + textwrap.dedent(
    '''
    import os, time

    NAME, VERSION = open("meta.txt").read().split()

    def _log(what):
        with open(os.environ["SIDE_LOG"], "a") as fh:
            fh.write(what + " " + NAME + "\\n")

    def _metadata():
        return ("Metadata-Version: 2.1\\nName: " + NAME + "\\nVersion: " + VERSION + "\\n").encode()

    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        """Started: said in the log and marked; a and b then wait for the other's mark."""
        _log("start")
        marks = os.environ["SIDE_MARKS"]
        open(os.path.join(marks, NAME), "w").close()
        other = {"a": "b", "b": "a"}.get(NAME)
        deadline = time.monotonic() + float(os.environ["SIDE_WAIT"])
        while other and not os.path.exists(os.path.join(marks, other)):
            if time.monotonic() > deadline:
                _log("alone")
                raise SystemExit(NAME + "'s hook ran alone: " + other + "'s never started")
            time.sleep(0.05)
        info = NAME + "-" + VERSION + ".dist-info"
        os.mkdir(os.path.join(metadata_directory, info))
        with open(os.path.join(metadata_directory, info, "METADATA"), "wb") as fh:
            fh.write(_metadata())
        _log("end")
        return info

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        info = NAME + "-" + VERSION + ".dist-info"
        wheel = b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
        files = {NAME + ".py": b"", info + "/METADATA": _metadata(), info + "/WHEEL": wheel}
        return write_wheel(wheel_directory, NAME + "-" + VERSION + "-py3-none-any.whl", files)
    '''
)

PYPROJECT = """\
[build-system]
requires = []
build-backend = "sideback"
backend-path = ["_backend"]
"""


def _sdist(folder: Path, name: str) -> Path:
    top = f"{name}-1.0"
    files = {
        f"{top}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{top}/meta.txt": f"{name} 1.0\n",
        f"{top}/_backend/sideback.py": BACKEND,
        f"{top}/pyproject.toml": PYPROJECT,
    }
    return write_sdist(folder / f"{top}.tar.gz", files)


def _hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, who: str) -> Path:
    """The log the hooks run for *who* write (its marks beside it)."""
    marks = tmp_path / f"marks-{who}"
    marks.mkdir()
    log = tmp_path / f"hooks-{who}.log"
    monkeypatch.setenv("SIDE_MARKS", str(marks))
    monkeypatch.setenv("SIDE_LOG", str(log))
    monkeypatch.setenv("SIDE_WAIT", str(WAIT))
    return log


def _overlapped(log: Path) -> bool:
    """Whether a's and b's hooks both started before either ended."""
    lines = log.read_text().splitlines()
    starts = [lines.index(f"start {n}") for n in "ab" if f"start {n}" in lines]
    ends = [lines.index(f"end {n}") for n in "ab" if f"end {n}" in lines]
    return len(starts) == 2 and len(ends) == 2 and max(starts) < min(ends)


def test_two_sdists_hooks_run_side_by_side_and_each_once(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """graft's lock runs a's and b's hooks at once (main ran them in turn: a's gave up, and
    Windows was not locked), each once although every Windows environment asks for a and
    every macOS one for b; zero's hook once too. uv runs them side by side as well."""
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    with serve_made(tmp_path / "index") as served:
        for name in ("zero", "a", "b"):
            served.add(_sdist(tmp_path / "index", name))
        index = f"{served.url}/simple/"
        log = _hooks(tmp_path, monkeypatch, "graft")
        run = run_graft(
            "lock", "zero", "a; sys_platform == 'win32'", "b; sys_platform == 'darwin'",
            "--index-url", index, "--python-version", "3.11", "--platform", "linux",
            "--platform", "windows", "--platform", "macos", "-o", tmp_path / "pylock.toml",
            "-v",
        )  # fmt: skip
        hooks = log.read_text().splitlines()
        assert _overlapped(log), (hooks, run.stderr)
        assert sorted(hooks) == ["end a", "end b", "end zero", "start a", "start b", "start zero"]
        assert "not locked for" not in run.stderr, run.stderr
        assert "sdist hooks that failed" not in run.stderr, run.stderr
        lock = (tmp_path / "pylock.toml").read_text()
        assert all(f'name = "{n}"' in lock for n in ("zero", "a", "b")), lock

        uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
        if not os.access(uv, os.X_OK):
            pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
        log = _hooks(tmp_path, monkeypatch, "uv")
        env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
        compiled = subprocess.run(
            [uv, "pip", "compile", "-", "--universal", "--python-version", "3.11",
             "--index-url", index, "--no-header", "--no-annotate"],
            input="zero\na; sys_platform == 'win32'\nb; sys_platform == 'darwin'\n",
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
        assert _overlapped(log), (log.read_text(), compiled.stderr)
        assert "a==1.0" in compiled.stdout, compiled.stdout
        assert "b==1.0" in compiled.stdout, compiled.stdout
