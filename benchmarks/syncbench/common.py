"""Constants, the tools and paths of a run, the isolated environment, and small helpers."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

HERE = Path(__file__).resolve().parent.parent  # benchmarks/
REPO = HERE.parent
SETS_DIR = HERE / "sets"
DOCS_MD = REPO / "docs" / "benchmarks.md"
DOCS_PNG = REPO / "docs" / "benchmarks-sync.png"
DOCS_PATHS_PNG = REPO / "docs" / "benchmarks-paths.png"
DEFAULT_OUT = HERE / "results" / "bench_sync.json"
DEFAULT_SETS = ("small", "medium", "airflow")
QUICK_SETS = ("small", "medium")
PIP_SET = "medium"  # the copying baseline of the local-wheels forms is timed on this set only
TARGET_SET = "medium"  # the set the targets are stated for
TARGET_RATIO = 0.5
SCHEMA = 2
# A mass delete makes inode allocation slow for about a minute on the reference machine (ext4,
# no journal); wait this long after our own deletes before timing anything.
DEFAULT_SETTLE_S = 75.0
# pip does not expand manylinux_2_28 to the older manylinux tags it implies: list them.
PLATFORMS = (
    *(f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)),
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
)
# The build hook's set: sdists only (built by every tool), and the backends they build with,
# served by a loopback index of their own so that no tool can pick a wheel instead.
BUILD_SDISTS = (
    "six==1.17.0",  # setuptools
    "tomli==2.2.1",  # flit_core
    "docopt==0.6.2",  # setup.py only: setuptools' legacy backend
    "idna==3.10",  # flit_core
    "pyparsing==3.2.0",  # flit_core
)
BUILD_BACKENDS = (
    "setuptools==84.2.1",
    "flit_core==3.12.0",
    "wheel==0.48.0",  # pip adds it to a setup.py project's build requirements
    "packaging==26.2",  # wheel's own dependency
)
# Environment variables of the caller that would change what pip/uv/graft do.
PIP_KEEP = frozenset({"PIP_CERT", "PIP_CLIENT_CERT", "PIP_DEFAULT_TIMEOUT"})
DROP_VARS = frozenset(
    {
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "PYTHONHOME",
        "PYTHONPATH",
        "PYTHONDONTWRITEBYTECODE",
        "XDG_CACHE_HOME",
    }
)

Argv = list[str]


class BenchError(RuntimeError):
    """A step of the benchmark failed; the run stops with this one-line message."""


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sh(script: str, *args: str) -> Argv:
    """Argv running `script` under /bin/sh with positional parameters $1.. = args."""
    return ["/bin/sh", "-c", script, "sh", *args]


def tail(text: str, lines: int = 6) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) if kept else "(no output)"


def capture(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run argv and return its stripped stdout; raise BenchError with stderr on failure."""
    proc = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BenchError(f"`{shlex.join(argv)}` exited {proc.returncode}: {tail(proc.stderr)}")
    return proc.stdout.strip()


@dataclass(frozen=True)
class Tools:
    """The programs a run starts."""

    python: str  # target interpreter (real path, not a shim)
    py_version: str  # "3.11"
    graft: Argv  # how graft is started, e.g. [".venv/bin/graft"] or [python, "-m", "graft"]
    uv: str
    pip: Argv  # [dev python, "-m", "pip"]
    graft_python: Argv  # the interpreter graft runs on, for the start-up floor
    # graft was named by --graft (an editable checkout, say): its bytecode goes to the work dir
    external_graft: bool = False


@dataclass(frozen=True)
class Paths:
    """Where a run keeps things: wheels in the cache, everything else in the work dir."""

    cache: Path  # wheels live here, shared by all work dirs
    work: Path  # uv cache, graft store, venvs
    stamp: str

    @property
    def uv_cache(self) -> Path:
        return self.work / "uvcache"

    @property
    def store(self) -> Path:
        return self.work / "store"

    @property
    def graft_cache(self) -> Path:
        return self.work / "graft-cache"

    @property
    def pip_cache(self) -> Path:
        return self.work / "pip-cache"

    @property
    def pycache(self) -> Path:
        return self.work / "pycache"

    @property
    def runs(self) -> Path:
        return self.work / "runs" / self.stamp

    @property
    def settle_marker(self) -> Path:
        return self.work / "last-delete"

    @property
    def index_files(self) -> Path:
        """Every wheel the loopback index serves (hard links into the per-set directories)."""
        return self.cache / "index-files"

    def wheels(self, name: str) -> Path:
        return self.cache / "wheels" / name


def bench_env(paths: Paths, tools: Tools) -> dict[str, str]:
    """The caller's environment without what changes pip, uv or graft; private caches."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in DROP_VARS
        and not key.startswith(("UV_", "GRAFT_"))
        and (not key.startswith("PIP_") or key in PIP_KEEP)
    }
    env.update(
        {
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_CACHE_DIR": str(paths.pip_cache),
            "UV_NO_CONFIG": "1",
            "UV_CACHE_DIR": str(paths.uv_cache),
            "UV_PYTHON": tools.python,
            "UV_PYTHON_DOWNLOADS": "never",
            "GRAFT_CACHE_DIR": str(paths.graft_cache),
        }
    )
    if tools.external_graft:
        # Tools run from warm bytecode (compiled before timing, prepare.compile_tools), but
        # the bytecode of a graft named by --graft (an editable checkout) goes to the work
        # dir, not into its source tree. Without --graft, graft is installed as users get it,
        # with its bytecode beside it, and every tool reads bytecode where it was installed.
        env["PYTHONPYCACHEPREFIX"] = str(paths.pycache)
    return env


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.0f} ms"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
