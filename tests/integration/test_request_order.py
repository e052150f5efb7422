"""The order pins are made in, where a later requirement admits a prerelease (decision 499).

Decision 495's index: ``btool`` 1.0 needs ``lib<3``, ``ctool`` 2.0 ``lib>=2.2`` and 1.0
``lib>=2.0b1``; lib's only final release 2.5 needs a ``missing>=1`` nothing has (a dead end)
and 2.1b1 is a prerelease. ``ctool btool`` gives btool 1.0, ctool 1.0 and lib 2.1b1 in pip
and uv; graft pins btool first (by name), then lib while only ``lib<3`` holds, and fails.
pip's order (the request's own, upper bounds first) would fix it, but made a real request
graft resolves (pip issue 12754's) run out of rounds: decision 499 leaves graft's order, and
the first test pins the failure down. ``btool ctool`` pins btool, then the
upper-bounded lib before ctool in pip's order too: pip fails it as graft does, and uv 0.13.9
(PubGrub) resolves it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.integration.test_prerelease_dead_end import index, pip_would_install
from tests.integration.test_uv_resolver_options import installed, sync, uv_installed

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.rangeserver import Served

__all__ = ["index"]  # (the fixture, shared)

EXPECTED = {"btool": "1.0", "ctool": "1.0", "lib": "2.1b1"}


def pip_fails(tmp_path: Path, served: Served, *args: str) -> str:
    """pip 26.3's error for ``pip install --dry-run ARGS``, which must fail."""
    env = {k: v for k, v in os.environ.items() if k not in {"PIP_FIND_LINKS", "PIP_CERT"}}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_CACHE_DIR": str(tmp_path / "pip-cache")}
    pip = (sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "-q")
    run = subprocess.run(
        [*pip, "--index-url", f"{served.url}/simple/", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert run.returncode != 0, run.stdout
    return run.stderr


def test_graft_fails_the_request_in_its_order_where_pip_and_uv_resolve_it(
    index: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """The defect decision 499 leaves, pinned down: when it is fixed, this fails; make it
    assert graft's answer is pip's and uv's then."""
    failed = sync(tmp_path / "v", store_dir, index, "ctool", "btool", check=False)
    assert "no version of missing matches >=1" in failed
    assert uv_installed(tmp_path, index, "ctool", "btool") == EXPECTED
    assert pip_would_install(tmp_path, index, "ctool", "btool") == EXPECTED


def test_the_other_order_fails_as_pip_fails_it(
    index: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """Guard: pip's order too pins lib (``lib<3``) before ctool, and fails; uv resolves it."""
    failed = sync(tmp_path / "v", store_dir, index, "btool", "ctool", check=False)
    assert "no version of missing matches >=1" in failed
    assert "missing>=1" in pip_fails(tmp_path, index, "btool", "ctool")
    assert uv_installed(tmp_path, index, "btool", "ctool") == EXPECTED


@pytest.mark.parametrize("asked", [("ctool", "btool"), ("btool", "ctool")])
def test_every_prerelease_allowed_either_order_resolves_as_pip_and_uv_resolve_it(
    index: Served, tmp_path: Path, store_dir: Path, cache: Path, asked: tuple[str, str]
) -> None:
    """Guard: with prereleases allowed ``lib<3`` admits 2.1b1 itself."""
    venv = tmp_path / "v"
    sync(venv, store_dir, index, *asked, "--prerelease", "allow")
    assert installed(venv) == EXPECTED
    assert uv_installed(tmp_path, index, *asked, "--prerelease", "allow") == EXPECTED
    assert pip_would_install(tmp_path, index, *asked, "--pre") == EXPECTED
