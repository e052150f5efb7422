"""``--build-constraint FILE`` read once, ``${NAME}`` expanded as pip expands it (decision 476).

A sync opened a build constraint file three times: its lines (``constraint_lines``), the
requirements-file reader again for nested ``-r``/``-c`` lines, and the memo's fingerprint of
its bytes after resolving. The reader's one read now serves all three. ``${NAME}`` in the
file was refused (``helper<${HMAX}`` is no requirement), though a build environment's sync
read the same file as a ``-c`` file, expanded: pip 26.3 expands it (``pip install
--build-constraint``); uv 0.13.9 expands ``${NAME}`` only in a URL or path, in every kind of
file, and refuses ``helper<${HMAX}`` in ``-r``, ``--overrides`` and ``--build-constraints``
alike.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from tests.integration.test_build_constraint_ranges import (  # noqa: F401 - fixtures
    STATED,
    constraints,
    folder,
    hooks,
)
from tests.integration.test_fresh_inputs import assert_answered_by_the_stamp
from tests.integration.test_overrides_read_once import COUNTED
from tests.integration.test_sync_builds import py, sync
from tests.integration.test_warm import aged
from tests.support.importtime import graft_imports
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_a_build_constraint_file_is_opened_once_by_a_sync(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    links = tmp_path / "links"
    links.mkdir()
    make_wheel(links, "app", "1.0", {"app.py": ""})
    (tmp_path / "o.txt").write_text("setuptools<72\n")  # (COUNTED counts o.txt's opens)
    aged(tmp_path / "o.txt", *links.iterdir(), links)
    args = ("sync", tmp_path / "v", "app", "--no-index", "-f", links, "--store", store_dir)
    run = subprocess.run(
        [sys.executable, "-c", COUNTED, *map(str, args), "--build-constraint", "o.txt"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"},
    )
    assert run.stderr.count("opened o.txt") == 1, run.stderr


def pip_stated(tmp_path: Path, links: Path, path: Path) -> str:
    """What dyn's build stated in a venv ``pip install --build-constraint PATH`` made."""
    venv = tmp_path / "pip-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    env = {k: v for k, v in os.environ.items() if k not in {"PIP_FIND_LINKS", "PIP_CERT"}}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_CACHE_DIR": str(tmp_path / "pip-cache")}
    pip = (sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install")
    subprocess.run(
        [*pip, "-q", "--no-index", "-f", str(links), "dyn", "--build-constraint", str(path)],
        check=True,
        capture_output=True,
        env=env,
    )
    return py(venv, STATED)


def test_a_variable_in_a_build_constraint_is_expanded_and_watched(
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    folder: Path,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    top = constraints(tmp_path / "c.txt", "-r pins.txt\n")
    constraints(tmp_path / "pins.txt", "helper<${HELPER_BELOW}\n")  # (in a nested file too)
    monkeypatch.setenv("HELPER_BELOW", "3")
    assert pip_stated(tmp_path, folder, top) == "two"  # pip 26.3: helper<3, helper 2.0
    sync(tmp_path / "v", store_dir, folder, "dyn", "--build-constraint", top)
    assert py(tmp_path / "v", STATED) == "two"
    again: tuple[str | Path, ...] = ("sync", tmp_path / "v", "dyn", "--build-constraint", top)
    again += ("--find-links", folder, "--no-index", "--store", store_dir)
    assert_answered_by_the_stamp(*graft_imports(*again))
    # the files' bytes are unchanged, the variable is not: no stamp answers, built again
    monkeypatch.setenv("HELPER_BELOW", "2")
    said, modules = graft_imports(*again)
    assert "graft.sync" in modules, said
    assert py(tmp_path / "v", STATED) == "one"
    assert_answered_by_the_stamp(*graft_imports(*again))
