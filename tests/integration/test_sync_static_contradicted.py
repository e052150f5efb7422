"""An sdist whose wheel requires more than its static metadata states (decision 308).

typer-slim 0.12.5's sdist states ``dependencies = [click, typing-extensions]`` in its
``pyproject.toml`` (and its PKG-INFO), and its ``pdm_build.py`` hook adds ``rich`` and
``shellingham`` to the wheel it builds: pip installs what the wheel requires, uv what the
table says. Here an in-tree backend does the same with ``helper`` (no network).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.integration.test_build import BACKEND
from tests.support.sdistmaker import write_sdist
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

#: the in-tree backend, writing ``Requires-Dist: helper`` into the wheel's METADATA
ADDING_BACKEND = BACKEND.replace(
    'Version: {version}\\n"', 'Version: {version}\\nRequires-Dist: helper\\n"'
)


def contradicting_sdist(links: Path, dependencies: str = "[]") -> Path:
    """demo 1.0, whose ``[project]`` states *dependencies* (none by default, and its PKG-INFO
    none); its wheel needs helper."""
    assert ADDING_BACKEND != BACKEND
    pyproject = textwrap.dedent(
        f"""
        [build-system]
        requires = []
        build-backend = "backend"
        backend-path = ["_backend"]

        [project]
        name = "demo"
        version = "1.0"
        dependencies = {dependencies}
        """
    )
    files = {
        "demo-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
        "demo-1.0/pyproject.toml": pyproject,
        "demo-1.0/_backend/backend.py": ADDING_BACKEND,
        "demo-1.0/demo/__init__.py": "",
    }
    return write_sdist(links / "demo-1.0.tar.gz", files)


@pytest.mark.parametrize("spec", ["demo==1.0", "demo>=1"])
def test_a_wheel_requiring_more_than_its_sdist_states_gets_its_requirements(
    tmp_path: Path, store_dir: Path, cache: Path, spec: str
) -> None:
    """Pinned (built at once, while resolving) or not (built once chosen), the wheel's
    METADATA decides, as pip installs it: the resolution runs again with it, and a later
    sync (a new venv, a dry run) reads the recorded build, not the static metadata."""
    links = tmp_path / "links"
    links.mkdir()
    contradicting_sdist(links)
    make_wheel(links, "helper", "2.0", {"helper.py": "V = 2\n"})
    common = ("--find-links", links, "--no-index", "--store", store_dir)
    run = run_graft("sync", tmp_path / "v", spec, *common, "-v")
    assert " + helper==2.0" in run.stderr, run.stderr
    assert "demo-1.0.tar.gz: its wheel demo-1.0-py3-none-any.whl states other requirements" in (
        run.stderr
    )
    assert "(adds helper): resolved again with the wheel's METADATA" in run.stderr
    assert py(tmp_path / "v", "import helper, demo; print(helper.V)") == "2"
    assert run_graft("audit", tmp_path / "v").returncode == 0
    again = run_graft("sync", tmp_path / "w", spec, *common, "-v")
    assert " + helper==2.0" in again.stderr
    assert "resolved again" not in again.stderr  # the recorded build answered at once
    dry = run_graft("sync", tmp_path / "d", spec, *common, "--dry-run")
    assert " + helper==2.0" in dry.stderr, dry.stderr


def test_a_wheel_stating_what_its_sdist_states_is_no_contradiction(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """A table stating what the wheel says (the same requirement, other quotes) is believed."""
    links = tmp_path / "links"
    links.mkdir()
    contradicting_sdist(links, dependencies="['helper']")
    make_wheel(links, "helper", "2.0", {"helper.py": "V = 2\n"})
    common = ("--find-links", links, "--no-index", "--store", store_dir)
    run = run_graft("sync", tmp_path / "v", "demo", *common, "-v")
    assert " + helper==2.0" in run.stderr
    assert "built demo-1.0-py3-none-any.whl" in run.stderr
    assert "states other requirements" not in run.stderr
