"""Download the corpus sets' wheels once, cache them between runs.

Also runnable as a script to warm the cache ahead of a test run::

    python tests/e2e/wheelcache.py            # every seed-*.txt
    python tests/e2e/wheelcache.py jaraco jwt # some sets

This module has no relative imports on purpose, so that it works as a script.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from graft._fs import FileLock

REPO_ROOT = Path(__file__).resolve().parents[2]

# The corpus is CPython 3.11 x86_64 manylinux. The newest manylinux level asked for is
# manylinux_2_28 (what the corpus documents); pip does not expand ``manylinux_2_X`` to the
# older levels itself, so every level down to manylinux1 is listed.
TARGET_PYTHON_VERSION = "3.11"
TARGET_IMPLEMENTATION = "cp"
TARGET_PLATFORMS: tuple[str, ...] = (
    *(f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)),
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
)

COMPLETE_MARKER = ".complete"

# Environment variables that would point pip at something other than PyPI.
_PIP_ENV_DROP = ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX")


def corpus_dir() -> Path:
    """``$GRAFT_CORPUS``, else the sets committed in ``tests/corpus``."""
    env = os.environ.get("GRAFT_CORPUS")
    if env:
        return Path(env)
    return REPO_ROOT / "tests" / "corpus"


def cache_dir() -> Path:
    """``$GRAFT_TEST_CACHE``, else ``~/.cache/graft-tests``."""
    env = os.environ.get("GRAFT_TEST_CACHE")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "graft-tests"


def set_files(directory: Path | None = None) -> list[Path]:
    directory = corpus_dir() if directory is None else directory
    return sorted(directory.glob("seed-*.txt"))


def set_name(set_file: Path) -> str:
    """``seed-google-protobuf.txt`` -> ``google-protobuf``."""
    return set_file.name.removeprefix("seed-").removesuffix(".txt")


def pinned_requirements(set_file: Path) -> dict[str, str]:
    """Normalized name -> pinned version of every ``name==version`` line."""
    pins: dict[str, str] = {}
    for raw in set_file.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        if spec.operator != "==":
            raise ValueError(f"{set_file}: not a pin: {line!r}")
        pins[canonicalize_name(req.name)] = spec.version
    return pins


def isolated_pip_env() -> dict[str, str]:
    """The environment minus the machine's pip configuration (extra indexes, find-links)."""
    env = {k: v for k, v in os.environ.items() if k not in _PIP_ENV_DROP}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def pip_download_command(set_file: Path, dest: Path) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        TARGET_PYTHON_VERSION,
        "--implementation",
        TARGET_IMPLEMENTATION,
        "--index-url",
        "https://pypi.org/simple",
        "--progress-bar",
        "off",
        "-d",
        str(dest),
        "-r",
        str(set_file),
    ]
    for platform in TARGET_PLATFORMS:
        cmd += ["--platform", platform]
    return cmd


@dataclass(frozen=True)
class WheelSet:
    name: str
    set_file: Path
    wheel_dir: Path
    wheels: tuple[Path, ...]  # ascending normalized project name

    @property
    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.wheels)


def _set_digest(set_file: Path) -> str:
    text = "\n".join((*TARGET_PLATFORMS, set_file.read_text(encoding="utf-8")))
    return hashlib.sha256(text.encode()).hexdigest()


def _wheels_for_pins(wheel_dir: Path, pins: dict[str, str]) -> tuple[Path, ...]:
    """One wheel per pin, sorted by normalized name; raise if any is missing or extra."""
    by_name: dict[str, Path] = {}
    for path in wheel_dir.glob("*.whl"):
        name, version, _build, _tags = parse_wheel_filename(path.name)
        if name in by_name:
            raise RuntimeError(f"two wheels for {name} in {wheel_dir}: {by_name[name]}, {path}")
        if pins.get(name) is None or str(version) != str(pins[name]):
            raise RuntimeError(f"unexpected wheel {path.name} in {wheel_dir}")
        by_name[name] = path
    missing = sorted(set(pins) - set(by_name))
    if missing:
        raise RuntimeError(f"no wheel downloaded for {missing} in {wheel_dir}")
    return tuple(by_name[n] for n in sorted(by_name))


def ensure_wheels(set_file: Path, root: Path | None = None) -> WheelSet:
    """The set's wheels in ``<cache>/wheels/<set>/``, downloaded at most once.

    A ``.complete`` marker (holding a digest of the set file and target platforms) is written
    after a successful download; without it, or with a stale digest, the directory is
    redone from scratch. A file lock serialises pytest-xdist workers and parallel runs.
    """
    name = set_name(set_file)
    root = (cache_dir() if root is None else root) / "wheels"
    root.mkdir(parents=True, exist_ok=True)
    wheel_dir = root / name
    marker = wheel_dir / COMPLETE_MARKER
    digest = _set_digest(set_file)
    pins = pinned_requirements(set_file)
    with FileLock(str(root / f"{name}.lock")):
        if not (marker.is_file() and marker.read_text(encoding="utf-8").strip() == digest):
            if wheel_dir.exists():
                shutil.rmtree(wheel_dir)
            partial = root / f"{name}.partial"
            if partial.exists():
                shutil.rmtree(partial)
            partial.mkdir()
            proc = subprocess.run(
                pip_download_command(set_file, partial),
                env=isolated_pip_env(),
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise RuntimeError(
                    f"pip download of {set_file} failed ({proc.returncode}):\n"
                    f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
                )
            _wheels_for_pins(partial, pins)  # validate before publishing
            (partial / COMPLETE_MARKER).write_text(digest + "\n", encoding="utf-8")
            partial.rename(wheel_dir)
        wheels = _wheels_for_pins(wheel_dir, pins)
    return WheelSet(name=name, set_file=set_file, wheel_dir=wheel_dir, wheels=wheels)


def main(argv: list[str]) -> int:
    wanted = set(argv)
    for set_file in set_files():
        if wanted and set_name(set_file) not in wanted:
            continue
        start = time.monotonic()
        ws = ensure_wheels(set_file)
        print(
            f"{ws.name}: {len(ws.wheels)} wheels, {ws.total_bytes / 1e6:.1f} MB, "
            f"{time.monotonic() - start:.1f}s -> {ws.wheel_dir}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
