"""``graft lock`` forked on ``python_full_version`` for real releases (decision 153).

redis says ``async-timeout>=4.0.3; python_full_version < "3.11.3"``; cryptography 44 and
later say ``Requires-Python: !=3.9.0,!=3.9.1,>=3.7`` (keyring needs it on Linux). Each lock
is compared with ``uv pip compile --universal``, and installed into a venv of a real later
micro release (3.11.7, 3.9.18) by ``graft sync``, ``uv pip install -r`` and (3.11 only: pip
26.3 runs on 3.10 and later) ``pip install -r``: they install the same distributions, which
are what uv's universal resolution holds there.
graft's index pages and METADATA are cached under ``$GRAFT_TEST_CACHE/graft-lock``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from packaging.markers import Marker
from packaging.pylock import PylockSelectError

from graft.errors import TargetError
from graft.venv.interpreter import find_interpreter

from .test_lock_pypi import graft_lock, select

if TYPE_CHECKING:
    from pathlib import Path

    from packaging.pylock import Pylock

    from graft.resolve.environments import Environment

pytestmark = pytest.mark.e2e

_QUIET = {"UV_NO_CONFIG": "1", "PIP_CONFIG_FILE": "/dev/null", "PIP_FIND_LINKS": ""}


def _interpreter(spec: str) -> str:
    try:
        return find_interpreter(spec)
    except TargetError as exc:
        pytest.skip(f"interpreter {spec} is not installed here ({exc.what})")


def _at(lock: Pylock, env: Environment, full: str) -> dict[str, str]:
    """What ``Pylock.select()`` installs in *env* on its micro release *full*."""
    import dataclasses

    markers = {**env.target.markers, "python_full_version": full, "implementation_version": full}
    moved = dataclasses.replace(env, target=dataclasses.replace(env.target, markers=markers))
    return select(lock, moved)


def _uv_universal(tmp_path: Path, python: str, *roots: str) -> list[tuple[str, str, Marker]]:
    """``uv pip compile --universal``: (name, version, marker) per pin."""
    requirements = tmp_path / "uv.in"
    requirements.write_text("\n".join(roots) + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "uv", "pip", "compile", "--universal", "--python-version", python,
         "--no-header", "--no-annotate", "-q", str(requirements)],
        capture_output=True, text=True, check=False, env={**os.environ, **_QUIET},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = []
    for line in proc.stdout.splitlines():
        pin, _, marker = line.partition(";")
        name, _, version = pin.strip().partition("==")
        out.append((name, version, Marker(marker.strip() or "python_version >= '3'")))
    return out


def _uv_at(pins: list[tuple[str, str, Marker]], env: Environment, full: str) -> dict[str, str]:
    markers = {**env.target.markers, "python_full_version": full, "implementation_version": full}
    return {n: v for n, v, m in pins if m.evaluate({**markers, "extra": ""})}


def _installed(tool: str, python: str, lock_file: Path, prefix: Path) -> dict[str, str]:
    """The distributions *tool* installs from *lock_file* into a new venv of *python*."""
    if tool == "graft":
        store = prefix.parent / "store"
        command = [sys.executable, "-m", "graft", "sync", str(prefix), str(lock_file),
                   "--python", python, "--store", str(store)]  # fmt: skip
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
    else:
        subprocess.run([python, "-m", "venv", "--without-pip", str(prefix)], check=True)
        venv_python = str(prefix / "bin" / "python")
        if tool == "uv":
            command = [sys.executable, "-m", "uv", "pip", "install", "--python", venv_python]
        else:  # pip's documented use: an empty venv, --no-deps (the lock is the whole set)
            command = [sys.executable, "-m", "pip", "--python", venv_python, "install", "--no-deps"]
        env = {**os.environ, **_QUIET}  # (the certificates' variables kept)
        proc = subprocess.run(
            [*command, "-q", "-r", str(lock_file)], capture_output=True, text=True, env=env,
            check=False,
        )  # fmt: skip
    assert proc.returncode == 0, (tool, proc.stderr)
    code = (
        "import importlib.metadata as m, json; print(json.dumps({m.Distribution.at(p)"
        ".metadata['Name'].lower(): m.Distribution.at(p).version for p in [d._path for d in"
        " m.distributions()]}))"
    )
    found = subprocess.run(
        [str(prefix / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    )
    return {k.replace("_", "-"): v for k, v in json.loads(found.stdout).items()}


def _install_everywhere(
    tmp_path: Path, python: str, tools: tuple[str, ...] = ("graft", "uv", "pip")
) -> dict[str, dict[str, str]]:
    lock_file = tmp_path / "pylock.toml"
    return {tool: _installed(tool, python, lock_file, tmp_path / tool) for tool in tools}


@pytest.mark.usefixtures("online")
def test_redis_needs_async_timeout_only_before_3_11_3(tmp_path: Path) -> None:
    python = _interpreter("3.11")
    lock, envs = graft_lock(tmp_path, "redis", "--python-version", "3.11", "--platform", "linux")
    (entry,) = [p for p in lock.packages if p.name == "async-timeout"]
    assert str(entry.marker) == 'python_full_version < "3.11.3"'
    uv = _uv_universal(tmp_path, "3.11", "redis")
    for env in envs:
        for micro in ("3.11.0", "3.11.2", "3.11.3", "3.11.9"):
            got, theirs = _at(lock, env, micro), _uv_at(uv, env, micro)
            assert ("async-timeout" in got) == (micro < "3.11.3") == ("async-timeout" in theirs)
            assert got.get("async-timeout") == theirs.get("async-timeout")
    installed = _install_everywhere(tmp_path, python)
    assert installed["graft"] == installed["uv"] == installed["pip"]
    assert "redis" in installed["graft"]
    version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert ("async-timeout" in installed["graft"]) == (
        tuple(map(int, version.split("."))) < (3, 11, 3)
    )


@pytest.mark.usefixtures("online")
def test_keyring_takes_the_newest_cryptography_from_3_9_2(tmp_path: Path) -> None:
    python = _interpreter("3.9")
    lock, envs = graft_lock(tmp_path, "keyring", "--python-version", "3.9", "--platform", "linux")
    crypto = sorted(
        (str(p.version), str(p.marker)) for p in lock.packages if p.name == "cryptography"
    )
    assert len(crypto) == 2, crypto
    assert {m for _, m in crypto} == {
        'python_full_version < "3.9.2"',
        'python_full_version >= "3.9.2"',
    }
    uv = _uv_universal(tmp_path, "3.9", "keyring")
    for env in envs:
        early, later = _at(lock, env, "3.9.1"), _at(lock, env, "3.9.18")
        assert early["cryptography"].split(".")[0] == "43"  # the last that admits 3.9.0
        # the newest, as uv's universal lock (and a flat install on 3.9.18) takes it
        assert later["cryptography"] == _uv_at(uv, env, "3.9.18")["cryptography"]
        assert set(later) == set(_uv_at(uv, env, "3.9.18"))
    # (pip 26.1, the first to read a pylock.toml, runs on 3.10 and later only; pip 26.3
    # refuses --python-version with a lock: the redis case installs with pip on 3.11)
    installed = _install_everywhere(tmp_path, python, ("graft", "uv"))
    assert installed["graft"] == installed["uv"]
    assert installed["graft"]["cryptography"] == _at(lock, envs[0], "3.9.18")["cryptography"]


@pytest.mark.usefixtures("online")
def test_cryptography_44_locks_3_9_from_3_9_2(tmp_path: Path) -> None:
    """``cryptography>=44``: no release admits 3.9.0 or 3.9.1, so 3.9 is locked from 3.9.2.

    Before decision 157, 3.9 was left out of the lock. uv's universal resolution (0.13.9)
    reads a Requires-Python's lower bound alone and answers 47.0.0 for ``python_full_version
    <= '3.9'`` and the newest above, though every release from 44 on excludes 3.9.0 and
    3.9.1: graft's lock refuses those two releases (``requires-python``, ``environments``),
    and agrees with uv from 3.9.2 on; graft sync and uv install it alike into 3.9.18.
    """
    python = _interpreter("3.9")
    root = "cryptography>=44"
    lock, envs = graft_lock(tmp_path, root, "--python-version", "3.9", "--platform", "linux")
    assert len(envs) == 2  # (x86_64 and aarch64: none left out)
    assert all(e.first_release == "3.9.2" for e in envs)
    assert str(lock.requires_python) == "<3.10,>=3.9.2"
    uv = _uv_universal(tmp_path, "3.9", root)
    for env in envs:
        for early in ("3.9.0", "3.9.1"):
            with pytest.raises(PylockSelectError):
                _at(lock, env, early)
        for later in ("3.9.2", "3.9.18"):
            assert _at(lock, env, later) == _uv_at(uv, env, later)
    installed = _install_everywhere(tmp_path, python, ("graft", "uv"))
    assert installed["graft"] == installed["uv"]
    assert installed["graft"]["cryptography"] == _at(lock, envs[0], "3.9.18")["cryptography"]
