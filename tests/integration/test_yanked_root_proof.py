"""A root whose every release is a dead end is proved so though one is yanked (decision 501).

``zzz`` 1.0-8.0 each need ``bin==N``, which has a Windows wheel only; zzz 4.0 is yanked (and
needs ``bin==4.0`` too); ``aaa`` is unrelated. pip 26.3 and uv 0.13.9 fail ("all versions of
zzz cannot be used"; ResolutionImpossible). graft failed too, but decision 95's proof took
the yanked file for unknown (an ``==4.0`` could add it), so the failure was resolvelib's,
listing every release, where without the yanked release graft proves it and says so:
"you asked for zzz", "6 other versions of zzz are ruled out too". A lock bounded at 2,000
rejections said "given up" where the search was long.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.integration.test_sync_uv_sources import uv_refusal
from tests.integration.test_uv_resolver_options import sync
from tests.support.rangeserver import Served, serve_releases
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Served]:
    folder = tmp_path / "served"
    releases: list[tuple[str, str, tuple[str, ...]]] = [("aaa", f"{n}.0", ()) for n in range(1, 9)]
    releases += [("zzz", f"{n}.0", (f"bin=={n}.0",)) for n in range(1, 9) if n != 4]
    with serve_releases(folder, releases) as served:
        yanked = make_wheel(folder, "zzz", "4.0", {"zzz/__init__.py": ""}, requires=("bin==4.0",))
        served.add_wheel(yanked, yanked="broken")
        for n in range(1, 9):
            files: dict[str, bytes | str] = {"bin/__init__.py": ""}
            served.add(make_wheel(folder, "bin", f"{n}.0", files, tag="py3-none-win_amd64"))
        yield served


def pip_refusal(tmp_path: Path, served: Served, *args: str) -> str:
    """pip 26.3's output and error for ``pip install --dry-run --ignore-installed ARGS``."""
    env = {k: v for k, v in os.environ.items() if k not in {"PIP_FIND_LINKS", "PIP_CERT"}}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_CACHE_DIR": str(tmp_path / "pip-cache")}
    run = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
         "--index-url", f"{served.url}/simple/", *args],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert run.returncode != 0, run.stdout
    return run.stdout + run.stderr


def test_a_root_whose_yanked_release_is_a_dead_end_too_is_proved_hopeless_as_uv_and_pip_fail(
    index: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    venv = tmp_path / "v"
    said = sync(venv, store_dir, index, "aaa", "zzz", check=False)
    lines = said.splitlines()
    assert lines[0].startswith("graft: error: no wheel of bin 8.0 for the target ("), said
    assert lines[1:] == [
        "  zzz==8.0 (zzz-8.0-py3-none-any.whl) requires bin==8.0",
        "  bin 8.0 has wheels for Windows only: py3-none-win_amd64",
        "  you asked for zzz",
        "  6 other versions of zzz are ruled out too, each by a requirement nothing meets",
    ], said  # (main: zzz 1.0 to 8.0, each with its bin, and no "you asked for")
    assert not venv.exists()
    refused = uv_refusal(tmp_path, index, "aaa", "zzz")
    if refused is not None:
        assert "all versions of zzz cannot be used" in refused, refused
    pip_said = pip_refusal(tmp_path, index, "aaa", "zzz")
    assert "ResolutionImpossible" in pip_said, pip_said
    assert "zzz 8.0 depends on bin==8.0" in pip_said, pip_said
    assert "no matching distributions available for your environment:\n    bin" in pip_said
