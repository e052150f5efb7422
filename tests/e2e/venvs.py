"""Build the environments the e2e tests compare: flat references and graft venvs."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from installer import install
from installer.destinations import SchemeDictionaryDestination
from installer.sources import WheelFile
from installer.utils import parse_metadata_file

from .wheelcache import REPO_ROOT, TARGET_PYTHON_VERSION, WheelSet, isolated_pip_env


def _corpus_python() -> Path:
    """The corpus's CPython 3.11: the base interpreter behind the dev venv where that is it.

    ``python -m venv`` from inside a venv would chain to the base anyway. Where the tests run
    graft under another CPython (3.10, 3.13: decision 368), graft still targets the corpus's
    3.11, found as ``--python 3.11`` finds it; none found, the running one (whose syncs then
    fail naming the corpus's cp311 wheels).
    """
    base = Path(getattr(sys, "_base_executable", sys.executable))
    if "{}.{}".format(*sys.version_info[:2]) == TARGET_PYTHON_VERSION:
        return base
    from graft.errors import TargetError
    from graft.venv.interpreter import find_interpreter

    try:
        return Path(find_interpreter(TARGET_PYTHON_VERSION))
    except TargetError:
        return base


# The interpreter graft targets and the flat reference is built with (the corpus's)
BASE_PYTHON = _corpus_python()

GRAFT_TIMEOUT = 900
INSTALL_SCHEMES = ("purelib", "platlib", "scripts", "data")


@dataclass(frozen=True)
class Venv:
    """A virtual environment on disk: its prefix, interpreter and scheme paths."""

    prefix: Path
    paths: dict[str, str]  # sysconfig.get_paths() as seen by the venv's interpreter

    @property
    def python(self) -> Path:
        return self.prefix / "bin" / "python"

    @property
    def bin(self) -> Path:
        return self.prefix / "bin"

    @property
    def site_packages(self) -> Path:
        return Path(self.paths["purelib"])

    def relative(self, path: str) -> str:
        """``path`` relative to the prefix (posix), or unchanged when outside it."""
        for root in (str(self.prefix), os.path.realpath(self.prefix)):
            if path == root:
                return "."
            if path.startswith(root + os.sep):
                return Path(os.path.relpath(path, root)).as_posix()
        return path


def scheme_paths(prefix: Path) -> dict[str, str]:
    """``sysconfig.get_paths()`` of the venv's own interpreter."""
    out = subprocess.run(
        [
            str(prefix / "bin" / "python"),
            "-I",
            "-c",
            "import json, sysconfig; print(json.dumps(sysconfig.get_paths()))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    paths: dict[str, str] = json.loads(out)
    return paths


def open_venv(prefix: Path) -> Venv:
    return Venv(prefix=prefix, paths=scheme_paths(prefix))


def create_venv(prefix: Path) -> Venv:
    subprocess.run(
        [str(BASE_PYTHON), "-m", "venv", "--without-pip", str(prefix)],
        check=True,
        capture_output=True,
    )
    return open_venv(prefix)


def metadata_name(source: WheelFile) -> str:
    """The Name field of a wheel's METADATA (``zope.proxy``; the filename says ``zope_proxy``)."""
    return str(parse_metadata_file(source.read_dist_info("METADATA"))["Name"])


def headers_dir(venv: Venv, dist_name: str) -> str:
    """Where a wheel's ``.data/headers`` go in a venv: ``include/site/pythonX.Y/NAME``, NAME
    as graft gives it, METADATA's Name (pip's for that spelling; uv's is the normalized name:
    decision 132)."""
    version = TARGET_PYTHON_VERSION
    return str(venv.prefix / "include" / "site" / f"python{version}" / dist_name)


def install_flat(venv: Venv, wheel_set: WheelSet) -> None:
    """Install every wheel with pypa/installer, in ascending order of normalized name,
    later files overwriting earlier ones: the definition of what a graft venv must equal.
    """
    for wheel in wheel_set.wheels:  # sorted by normalized name
        with WheelFile.open(wheel) as source:
            schemes = {k: venv.paths[k] for k in INSTALL_SCHEMES}
            schemes["headers"] = headers_dir(venv, metadata_name(source))
            destination = SchemeDictionaryDestination(
                schemes,
                interpreter=str(venv.python),
                script_kind="posix",
                overwrite_existing=True,
            )
            install(source, destination, {"INSTALLER": b"flat"})


def build_flat_reference(prefix: Path, wheel_set: WheelSet) -> Venv:
    venv = create_venv(prefix)
    install_flat(venv, wheel_set)
    return venv


def build_uv_reference(prefix: Path, wheel_set: WheelSet, uv_cache: Path) -> Venv:
    """A second flat install, by ``uv pip install --link-mode copy`` (harness cross-check)."""
    venv = create_venv(prefix)
    env = isolated_pip_env()
    for key in [k for k in env if k.startswith("UV_")]:
        del env[key]
    env["UV_CACHE_DIR"] = str(uv_cache)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "install",
            "--no-config",
            "--offline",
            "--no-deps",
            "--no-index",
            "--link-mode",
            "copy",
            "--python",
            str(venv.python),
            *map(str, wheel_set.wheels),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return venv


def graft_env(cache_dir: Path | None = None) -> dict[str, str]:
    """Environment for running ``python -m graft``: importable from ``src`` if not installed,
    and with its own cache directory (``GRAFT_CACHE_DIR``) when one is given.
    """
    env = isolated_pip_env()
    if cache_dir is not None:
        env["GRAFT_CACHE_DIR"] = str(cache_dir)
    if importlib.util.find_spec("graft") is None:
        src = str(REPO_ROOT / "src")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    return env


@dataclass(frozen=True)
class GraftRun:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        return (
            f"$ {' '.join(self.args)}\nexit {self.returncode} after {self.seconds:.1f}s\n"
            f"--- stdout (tail) ---\n{self.stdout[-3000:]}\n"
            f"--- stderr (tail) ---\n{self.stderr[-6000:]}"
        )


def run_graft(
    *args: str, cache_dir: Path | None = None, timeout: float = GRAFT_TIMEOUT
) -> GraftRun:
    cmd = [sys.executable, "-m", "graft", *args]
    start = time.monotonic()
    proc = subprocess.run(
        cmd,
        env=graft_env(cache_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return GraftRun(cmd, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def graft_sync_args(venv: Path, wheel_set: WheelSet, store: Path, *extra: str) -> list[str]:
    return [
        "sync",
        str(venv),
        "-r",
        str(wheel_set.set_file),
        "--no-deps",
        "--no-index",
        "--find-links",
        str(wheel_set.wheel_dir),
        "--store",
        str(store),
        "--python",
        str(BASE_PYTHON),
        # A graft venv is defined as "equal to the flat install with last-name-wins"; the
        # jwt set has real collisions, so they must be reported, not refused.
        "--collisions",
        "warn",
        *extra,
    ]


def remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
