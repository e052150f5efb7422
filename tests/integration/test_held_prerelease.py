"""A prerelease the venv holds is kept, as PEP 440, pip and uv keep it (decision 413).

A venv synced with ``--prerelease allow`` (``django`` 5.2a1), then synced again without it
(the flag dropped, or a pin ``==5.2a1`` edited into ``>=5``): graft went down to the newest
final release (5.1.5), where uv 0.13.9 (``uv pip install``, and ``uv pip compile`` with the
previous output) and pip 26.3 ("Requirement already satisfied") keep 5.2a1. PEP 440: tools
should "accept already installed pre-releases for all version specifiers" by default.
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
    "upgrade-package": (("lib==2.0b1",), ("lib", "-P", "lib"), "1.5"),
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
    uv = str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
    if case == "upgrade-package":
        return  # (uv 0.13.9 keeps 2.0b1 under -P too, and pip under -U: not done, decision 413)
    theirs = tmp_path / "u"
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    env.pop("PIP_FIND_LINKS", None)
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(theirs)], check=True, env=env)
    for args in (first, then):
        where = ("-p", str(theirs / "bin" / "python"))
        subprocess.run([uv, "pip", "install", "-q", *where, *args, *url], check=True, env=env)
    assert _lib(theirs) == expected
