"""A wheel whose METADATA names another release ends the resolution, as uv 0.13.9 ends it.

``app-2.0-py3-none-any.whl`` whose METADATA says app 2.5 (or ``other`` 2.0), with app 1.0 a
good wheel on the same index: uv 0.13.9 refuses it (another name: "Package metadata name
`other` does not match given name `app`"; another version: resolved, then "Wheel version
does not match filename (2.5 != 2.0)" on install); pip 26.3 discards the file ("has
inconsistent version") and installs app 1.0. graft refuses it as uv does, and its hint says
how to take another release (decision 440), as a sdist's build that states another release
is passed over only because uv passes it over (decision 423).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.test_uv_resolver_options import installed, sync
from tests.support.rangeserver import Served, serve_made
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(params=[True, False], ids=["pep658", "in-wheel"])
def made(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, Served]]:
    folder = tmp_path / "served"
    with serve_made(folder, pep658=request.param) as served:
        yield folder, served


def uv_install(tmp_path: Path, served: Served, *args: str) -> subprocess.CompletedProcess[str]:
    """``uv pip install ARGS`` into a new venv from the same index (skipped without uv)."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    venv = tmp_path / "uvv"
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True, env=env)
    return subprocess.run(
        [uv, "pip", "install", "--python", str(venv / "bin" / "python"), *args,
         "--index-url", f"{served.url}/simple"],
        check=False, capture_output=True, text=True, env=env,
    )  # fmt: skip


@pytest.mark.parametrize("said", [("app", "2.5"), ("other", "2.0")])
def test_a_wheel_whose_metadata_names_another_release_is_refused_as_uv_refuses_it(
    said: tuple[str, str], made: tuple[Path, Served], tmp_path: Path, store_dir: Path
) -> None:
    folder, served = made
    name, version = said
    lying = make_wheel(
        folder,
        name,
        version,
        {f"{name}/__init__.py": ""},
        filename="app-2.0-py3-none-any.whl",
        dist_info_name="app-2.0",
    )
    served.add(lying)
    served.add(make_wheel(folder, "app", "1.0", {"app/__init__.py": ""}))
    venv = tmp_path / "v"
    stderr = sync(venv, store_dir, served, "app", check=False)
    error = [line for line in stderr.splitlines() if line.startswith("graft: error:")]
    said_line = (
        f"graft: error: app-2.0-py3-none-any.whl: METADATA says {name!r} {version!r}, the"
        " filename app 2.0 (a wheel of app 2.0 whose METADATA is not its own is refused, as"
        " uv refuses it: to take another release, leave this one out (app!=2.0) or pin one)"
    )
    assert error == [said_line], stderr
    assert not venv.exists()
    uv = uv_install(tmp_path, served, "app")
    assert uv.returncode != 0, uv.stderr
    assert "does not match" in uv.stderr, uv.stderr
    sync(venv, store_dir, served, "app!=2.0")  # as the hint says
    assert installed(venv) == {"app": "1.0"}
