"""``--exclude-newer`` chooses among an index's uploads, not a file the user names (decision 412).

``graft sync V 'six @ https://files.pythonhosted.org/…/six-1.16.0-py2.py3-none-any.whl'
--exclude-newer 2026-12-01`` failed with "no version of six matches ==1.16.0 … left out
(uploaded after --exclude-newer)": the URL names a file, which has no upload time, and a remote
file without one was taken as too new. uv 0.13.9 installs it; the cutoff holds for the
index's files only. Here the named wheel is served by the loopback index (so it is remote),
uploaded after the cutoff, beside an older release the cutoff admits.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.rangeserver import serve
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

CUTOFF = "2026-01-01"


def _version(venv: Path) -> str:
    return py(venv, "import importlib.metadata as m; print(m.version('lib'))")


@pytest.mark.parametrize("how", ["requirement", "constraint", "dependency"])
def test_a_wheel_named_by_url_is_installed_whatever_its_upload_time(
    how: str, tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    with serve() as served:
        served.add_wheel(make_wheel(wheels, "lib", "1.0"), upload_time="2025-01-02T03:04:05Z")
        served.add_wheel(make_wheel(wheels, "app", "1.0", requires=("lib",)),
                         upload_time="2025-01-02T03:04:05Z")  # fmt: skip
        named = served.add_wheel(
            make_wheel(wheels, "lib", "2.0"), upload_time="2026-06-01T00:00:00Z"
        )
        args: list[str | Path] = [f"lib @ {named}"]
        if how != "requirement":
            (tmp_path / "c.txt").write_text(f"lib @ {named}\n")
            args = ["app" if how == "dependency" else "lib", "-c", tmp_path / "c.txt"]
        index = ("--index-url", f"{served.url}/simple/", "--exclude-newer", CUTOFF)
        venv = tmp_path / "v"
        run_graft("sync", venv, *args, *index, "--store", store_dir)
        assert _version(venv) == "2.0"
        # the index's own files still meet the cutoff: a range takes 1.0 in a new venv
        run_graft("sync", tmp_path / "w", "lib>=1", *index, "--store", store_dir)
        assert _version(tmp_path / "w") == "1.0"
        # graft lock screens the same way
        locked = run_graft("lock", *args, *index, "--python-version", "3.12", "-o", "-")
        assert 'name = "lib"\nversion = "2.0"' in locked.stdout
        uv = str(Path(sys.executable).parent / "uv")
        if not os.access(uv, os.X_OK):
            pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
        theirs = tmp_path / "u"
        env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
        env.pop("PIP_FIND_LINKS", None)
        subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(theirs)], check=True, env=env)
        subprocess.run(
            [uv, "pip", "install", "-q", "-p", str(theirs / "bin" / "python"), *map(str, args),
             *index],
            check=True, env=env,
        )  # fmt: skip
        assert _version(theirs) == "2.0"
