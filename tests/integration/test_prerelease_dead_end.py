"""A prerelease widens a requirement only where what it offers could help (decision 495).

Decision 486's chain on a loopback index, with jupyter-core's yanked 4.11 replaced by a
prerelease ``c`` 4.11rc1 that needs ``pw`` too (a Windows wheel only): under ``--prerelease
disallow`` a specifier naming 4.11rc1 could add it to ``y``'s ``c>=4.9``, so that was never
hopeless, nothing above it a dead end, and the search walked every combination of ``m1`` and
``m2`` down to ``m2``'s failing sdist, where ``uv pip install --prerelease disallow`` and pip
take ``a`` 1.0 with ``c`` 4.5. And the default policy's converse: ``btool`` needs ``lib<3``,
whose only final release 2.5 needs a ``missing>=1`` nothing has, and ``lib>=2.0b1`` is asked:
2.1b1 fits both, as pip and uv install it, where main learned btool 1.0 a dead end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.integration.test_build_failure_chain import failing_sdist
from tests.integration.test_uv_resolver_options import installed, sync, uv_installed
from tests.integration.test_yanked_dead_end import chain
from tests.support.rangeserver import Served, serve_releases
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Served]:
    folder = tmp_path / "served"
    releases = [
        *chain("4.11rc1"),
        ("lib", "2.5", ("missing>=1",)),
        ("lib", "2.1b1", ()),
        ("missing", "0.1", ()),
        ("btool", "1.0", ("lib<3",)),
        ("ctool", "2.0", ("lib>=2.2",)),
        ("ctool", "1.0", ("lib>=2.0b1",)),
    ]
    with serve_releases(folder, releases) as served:
        served.add(
            make_wheel(folder, "pw", "306", {"pw/__init__.py": ""}, tag="py3-none-win_amd64")
        )
        served.add(failing_sdist(folder, "m2", static=False))
        yield served


def pip_would_install(tmp_path: Path, served: Served, *args: str) -> dict[str, str]:
    """What ``pip install --dry-run --ignore-installed ARGS`` (pip 26.3) would install."""
    env = {k: v for k, v in os.environ.items() if k not in {"PIP_FIND_LINKS", "PIP_CERT"}}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_CACHE_DIR": str(tmp_path / "pip-cache")}
    pip = (sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "-q")
    run = subprocess.run(
        [*pip, "--report", "-", "--index-url", f"{served.url}/simple/", *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    report = json.loads(run.stdout)
    return {item["metadata"]["name"]: item["metadata"]["version"] for item in report["install"]}


def test_a_missing_wheel_under_a_prerelease_is_carried_up_as_uv_and_pip_resolve(
    index: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, index, "top", "--prerelease", "disallow")
    expected = {"top": "1.0", "a": "1.0", "c": "4.5"}
    assert installed(venv) == expected
    assert not [path for path in index.paths if path.endswith(".tar.gz")], index.paths
    assert uv_installed(tmp_path, index, "top", "--prerelease", "disallow") == expected
    assert pip_would_install(tmp_path, index, "top") == expected  # (pip: no prerelease named)


def test_a_prerelease_the_request_names_keeps_a_dependency_pinnable_as_uv_and_pip_resolve(
    index: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    venv = tmp_path / "v"
    asked = ("btool", "lib>=2.0b1", "ctool")
    sync(venv, store_dir, index, *asked)
    expected = {"btool": "1.0", "ctool": "1.0", "lib": "2.1b1"}
    assert installed(venv) == expected
    assert uv_installed(tmp_path, index, *asked) == expected
    assert pip_would_install(tmp_path, index, *asked) == expected
