"""A prerelease the venv holds is kept, as PEP 440, pip and uv keep it (decision 413).

A venv synced with ``--prerelease allow`` (``django`` 5.2a1), then synced again without it
(the flag dropped, or a pin ``==5.2a1`` edited into ``>=5``): graft went down to the newest
final release (5.1.5), where uv 0.13.9 (``uv pip install``, and ``uv pip compile`` with the
previous output) and pip 26.3 ("Requirement already satisfied") keep 5.2a1. PEP 440: tools
should "accept already installed pre-releases for all version specifiers" by default.

Under ``-U`` and ``-P lib`` graft still took 1.5, where uv keeps 2.0b1 under both and pip
under ``-U``: the installed prerelease stays a candidate, the newest where it is, and a newer
prerelease on the index is not taken for it (decision 426).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.rangeserver import Served, serve
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    """lib 1.0, 1.5 and 2.0b1; app needs lib>=1."""
    with serve() as served:
        for version in ("1.0", "1.5", "2.0b1"):
            served.add(make_wheel(wheels, "lib", version))
        served.add(make_wheel(wheels, "app", "1.0", requires=("lib>=1",)))
        yield served


def _lib(venv: Path) -> str:
    return py(venv, "import importlib.metadata as m; print(m.version('lib'))")


# (first sync's arguments, the next sync's, what the venv holds after it)
STEPS = {
    "flag-dropped": (("lib", "--prerelease", "allow"), ("lib",), "2.0b1"),
    "pin-to-range": (("lib==2.0b1",), ("lib>=1",), "2.0b1"),
    "dependency": (("app", "lib==2.0b1"), ("app",), "2.0b1"),
    "range-excludes-it": (("lib==2.0b1",), ("lib<2",), "1.5"),
    "upgrade-package": (("lib==2.0b1",), ("lib", "-P", "lib"), "2.0b1"),
    "upgrade": (("lib==2.0b1",), ("lib", "-U"), "2.0b1"),
    "upgrade-dependency": (("app", "lib==2.0b1"), ("app", "-U"), "2.0b1"),
}


@pytest.mark.parametrize("case", STEPS)
def test_a_held_prerelease_is_kept_as_pip_and_uv_keep_it(
    case: str, tmp_path: Path, store_dir: Path, index: Served
) -> None:
    first, then, expected = STEPS[case]
    url = ("--index-url", f"{index.url}/simple/")
    venv = tmp_path / "v"
    run_graft("sync", venv, *first, *url, "--store", store_dir)
    assert _lib(venv) == "2.0b1"
    run_graft("sync", venv, *then, *url, "--store", store_dir)
    assert _lib(venv) == expected
    # a new venv takes the newest final release, as before
    run_graft("sync", tmp_path / "w", *then, *url, "--store", store_dir)
    assert _lib(tmp_path / "w") == "1.5"
    uv, env = _uv_env(tmp_path)
    theirs = tmp_path / "u"
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(theirs)], check=True, env=env)
    for args in (first, then):
        where = ("-p", str(theirs / "bin" / "python"))
        subprocess.run([uv, "pip", "install", "-q", *where, *args, *url], check=True, env=env)
    assert _lib(theirs) == expected


def _uv_env(tmp_path: Path) -> tuple[str, dict[str, str]]:
    uv = str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    env.pop("PIP_FIND_LINKS", None)
    return uv, env


# (what the venv holds, the next sync's flag, what it holds after it)
UPGRADES = [
    ("2.0b1", "-U", "2.0b1"),  # (not 2.0b2: a prerelease the venv does not hold is not named)
    ("2.0b1", "-P", "2.0b1"),
    ("1.2b1", "-U", "1.5"),  # (admissible, not preferred: the newest wins)
]


@pytest.mark.parametrize(("held", "flag", "expected"), UPGRADES)
def test_under_upgrade_the_held_prerelease_is_one_candidate_among_the_others(
    held: str, flag: str, expected: str, tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """``-U``/``-P lib`` with lib 2.0b2 and 1.5 on the index, as uv 0.13.9 and pip 26.3 take it."""
    upgrade = (flag, "lib") if flag == "-P" else (flag,)
    with serve() as served:
        for version in ("1.0", "1.2b1", "1.5", "2.0b1", "2.0b2"):
            served.add(make_wheel(wheels, "lib", version))
        url = ("--index-url", f"{served.url}/simple/")
        venv = tmp_path / "v"
        run_graft("sync", venv, f"lib=={held}", *url, "--store", store_dir)
        run_graft("sync", venv, "lib", *upgrade, *url, "--store", store_dir)
        assert _lib(venv) == expected
        uv, env = _uv_env(tmp_path)
        theirs = tmp_path / "u"
        subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(theirs)], check=True, env=env)
        where = ("-p", str(theirs / "bin" / "python"))
        for args in ((f"lib=={held}",), ("lib", *upgrade)):
            subprocess.run([uv, "pip", "install", "-q", *where, *args, *url], check=True, env=env)
        assert _lib(theirs) == expected
