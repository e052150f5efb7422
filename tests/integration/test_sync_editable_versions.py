"""An editable project whose version is read from a file of its tree (decision 170).

``importlib.metadata.version()`` of an editable install is what its build read; a project
whose ``__version__`` (flit_core's dynamic version) changes is built again, as pip and
``uv pip install -e`` build it every time, and the memo watches that file too. The backend
comes from a find-links directory (tests/support/pypifiles.py; offline, skipped).
"""

from __future__ import annotations

import os
import textwrap
import time
from typing import TYPE_CHECKING

from tests.integration.test_sync_builds import py, sync
from tests.support.pypifiles import FLIT_CORE, release_files

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path


def _aged(root: Path) -> None:
    """Every file of *root* as if written a minute ago (a memo is not left for racy inputs)."""
    past = time.time() - 60
    for path in [root, *root.rglob("*")]:
        os.utime(path, (past, past), follow_symlinks=False)


def _recalled(run: subprocess.CompletedProcess[str]) -> bool:
    (timings,) = [line for line in run.stderr.splitlines() if line.startswith("graft: timings")]
    return "recall" in timings and "resolve" not in timings


def test_an_editable_projects_version_file_is_watched(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """flit_core's ``dynamic = ["version"]`` from ``__init__.py``: edited, built again."""
    links = release_files(FLIT_CORE)
    root = tmp_path / "dyn"
    (root / "dyn").mkdir(parents=True)
    init = '"""A project whose version its module says."""\n__version__ = "{}"\n'
    (root / "dyn" / "__init__.py").write_text(init.format("1.0"))
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["flit_core>=3.4,<4"]
            build-backend = "flit_core.buildapi"
            [project]
            name = "dyn"
            dynamic = ["version", "description"]
            """
        )
    )
    venv = tmp_path / "v"
    version = "import importlib.metadata as m; print(m.version('dyn'))"
    _aged(root)
    sync(venv, store_dir, links, "-e", root, "-v")
    assert _recalled(sync(venv, store_dir, links, "-e", root, "-v"))
    (root / "dyn" / "__init__.py").write_text(init.format("1.1"))
    _aged(root)  # (not racy: the memo itself must see the edit)
    run = sync(venv, store_dir, links, "-e", root, "-v")
    assert not _recalled(run)
    assert "graft: built dyn-1.1" in run.stderr
    assert " ~ dyn 1.0 -> 1.1 (upgraded)" in run.stderr
    assert py(venv, version) == "1.1"
    (root / "dyn" / "other.py").write_text("X = 1\n")  # any other source: read live
    _aged(root)
    sync(venv, store_dir, links, "-e", root, "-v")
    assert _recalled(sync(venv, store_dir, links, "-e", root, "-v"))
