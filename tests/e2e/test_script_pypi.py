"""A PEP 723 script's dependencies from real PyPI, against uv and pip (decisions 432, 433).

``graft sync V -r s.py`` installs what ``uv pip install -r s.py`` 0.13.9 and ``pip install
--requirements-from-script s.py`` 26.3 install, and ``graft lock -r s.py`` locks the projects
``uv pip compile s.py --universal`` pins (a dependency only Pythons below the script's
``requires-python`` need left out by both), all pinned by one upload cut-off.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .venvs import run_graft
from .wheelcache import isolated_pip_env

pytestmark = pytest.mark.e2e

CUTOFF = "2026-11-01T00:00:00Z"
SCRIPT = """\
#!/usr/bin/env python
# /// script
# requires-python = ">=3.10"
# dependencies = [
#   "six==1.16.0",
#   "idna",
#   "tomli; python_version < '3.10'",
# ]
# ///
import six
"""


def _installed(venv: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m; print('\\n'.join(sorted("
        "f'{d.metadata[\"Name\"].lower()}=={d.version}' for d in m.distributions())))"
    )
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split("==") for line in out.split() if not line.startswith("pip=="))


def _env(tmp_path: Path) -> dict[str, str]:
    env = isolated_pip_env()
    env.pop("PIP_CERT", None)
    return {**env, "UV_NO_CONFIG": "1", "UV_CACHE_DIR": str(tmp_path / "uvcache")}


@pytest.mark.usefixtures("online")
def test_a_script_installs_and_locks_as_uv_and_pip_take_it(tmp_path: Path, store_dir: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text(SCRIPT)
    env = _env(tmp_path)
    venv = tmp_path / "graft"
    synced = run_graft(
        "sync", str(venv), "-r", str(script), "--exclude-newer", CUTOFF,
        "--store", str(store_dir), "--python", sys.executable,
    )  # fmt: skip
    assert synced.returncode == 0, synced.stderr
    ours = _installed(venv)
    assert set(ours) == {"six", "idna"}
    uv = [sys.executable, "-m", "uv"]
    theirs = tmp_path / "uv"
    subprocess.run([*uv, "venv", "-q", "-p", sys.executable, str(theirs)], check=True, env=env)
    subprocess.run(
        [*uv, "pip", "install", "-q", "-p", str(theirs / "bin" / "python"), "-r", str(script),
         "--exclude-newer", CUTOFF],
        check=True, env=env,
    )  # fmt: skip
    assert _installed(theirs) == ours
    pips = tmp_path / "pip"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(pips)], check=True, env=env)
    subprocess.run(  # (this pip, 26.3, into that venv)
        [sys.executable, "-m", "pip", "--python", str(pips / "bin" / "python"), "install", "-q",
         "--requirements-from-script", str(script), "--uploaded-prior-to", CUTOFF,
         "--index-url", "https://pypi.org/simple"],
        check=True, env=env,
    )  # fmt: skip
    assert _installed(pips) == ours
    locked = run_graft(
        "lock", "-r", str(script), "--exclude-newer", CUTOFF, "-o", str(tmp_path / "pylock.toml")
    )
    assert locked.returncode == 0, locked.stderr
    text = (tmp_path / "pylock.toml").read_text()
    compiled = subprocess.run(
        [*uv, "pip", "compile", "-q", "--no-header", "--no-annotate", str(script), "--universal",
         "--exclude-newer", CUTOFF],
        capture_output=True, text=True, check=True, env=env,
    ).stdout  # fmt: skip
    pins = {line.split("==")[0] for line in compiled.split() if "==" in line}
    assert pins == {"six", "idna"}  # (tomli left out: below the script's requires-python)
    assert all(f'name = "{name}"' in text for name in pins)
    assert 'name = "tomli"' not in text
