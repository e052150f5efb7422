"""A wheel's ``.data/data/lib64/…`` lands in ``lib``, where the venv's link leads (decision 410).

blosc2 2.5.1's cp39 wheel (pulled in by ``pandas[all]`` on CPython 3.9) installs CMake files
and its shared library into ``lib64``: pip and uv write them through the ``lib64 -> lib``
link ``python -m venv`` makes on 64-bit Linux, and their RECORD spells ``lib64``. graft
refused the wheel ("would replace the venv's own lib64"). Now the planner places those files
in ``lib`` itself, in every link mode, never writing through the link; a file named
``lib64`` itself is still refused (tests/integration/test_hostile.py).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.venv import py, site, visible_files
from tests.support.wheelmaker import make_wheel

DATA = "tool-1.0.data/data/lib64"


def _wheel(folder: Path) -> Path:
    folder.mkdir()
    files: dict[str, bytes | str] = {
        "tool/__init__.py": "import os, sys\nLIB = os.path.join(sys.prefix, 'lib64', 'x.so')\n",
        f"{DATA}/x.so": b"\x7fELF not really\n",
        f"{DATA}/cmake/Tool/ToolConfig.cmake": "set(TOOL_FOUND 1)\n",
        f"{DATA}/pkgconfig/tool.pc": "Name: tool\n",
    }
    return make_wheel(folder, "tool", "1.0", files)


def _record(venv: Path) -> set[str]:
    with (site(venv) / "tool-1.0.dist-info" / "RECORD").open(newline="") as f:
        return {row[0] for row in csv.reader(f) if "lib64" in row[0]}


@pytest.mark.skipif(sys.platform != "linux", reason="python -m venv links lib64 on Linux only")
@pytest.mark.parametrize("link_mode", ["symlink", "hardlink", "copy"])
def test_data_below_lib64_lands_in_lib_as_pip_and_uv_write_it(
    link_mode: str, tmp_path: Path, store_dir: Path
) -> None:
    wheel = _wheel(tmp_path / "wheels")
    venv = tmp_path / "v"
    run_graft("sync", venv, wheel, "--store", store_dir, "--link-mode", link_mode)
    assert os.readlink(venv / "lib64") == "lib"
    assert (venv / "lib" / "x.so").read_bytes() == b"\x7fELF not really\n"
    assert (venv / "lib64" / "cmake" / "Tool" / "ToolConfig.cmake").is_file()
    assert py(venv, "import tool, os; print(os.path.isfile(tool.LIB))") == "True"
    assert _record(venv) == {
        "../../../lib64/x.so",
        "../../../lib64/cmake/Tool/ToolConfig.cmake",
        "../../../lib64/pkgconfig/tool.pc",
    }
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
    theirs = tmp_path / "u"
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(theirs)], check=True, env=env)
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(theirs / "bin" / "python"), str(wheel)],
        check=True, env=env,
    )  # fmt: skip
    uv_own = {".lock", "CACHEDIR.TAG"}  # (uv's marks in a venv it makes)
    assert visible_files(venv) == {
        path: digest for path, digest in visible_files(theirs).items() if path not in uv_own
    }
    assert _record(venv) == _record(theirs)
