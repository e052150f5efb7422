"""An sdist whose backend states another release is passed over, as uv passes it over.

uv 0.13.9 takes a version whose sdist's metadata hook names another name or version
(``WheelMetadataVersionMismatch``, ``...NameMismatch``) as one with inconsistent metadata,
which it cannot use, and resolves without it; pip 26.3 installs what the hook said (app 2.5,
or ``other``). graft refused the whole sync. Now the release is a dead end with a warning,
whether it is met while backtracking (app 3.0 needs a project that does not exist) or first
(decision 423). A build that *fails* still ends the resolution, in graft, uv and pip alike.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest

from tests.integration.test_build_failure_chain import failing_sdist
from tests.integration.test_sync_uv_sources import uv_refusal
from tests.integration.test_uv_resolver_options import installed, sync, uv_installed
from tests.support.rangeserver import Served, serve_made
from tests.support.sdistmaker import write_sdist
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: An in-tree backend whose metadata hook names NAME and VERSION, whatever the sdist is.
BACKEND = textwrap.dedent(
    """\
    import os

    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        info = os.path.join(metadata_directory, "said.dist-info")
        os.makedirs(info)
        with open(os.path.join(info, "METADATA"), "w") as fh:
            fh.write(f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n")
        return "said.dist-info"

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        raise SystemExit("not built here")
    """
)


def lying_sdist(folder: Path, said: tuple[str, str]) -> Path:
    """app 2.0, whose backend's metadata says *said* (name, version)."""
    pkg_info = "Metadata-Version: 2.1\nName: app\nVersion: 2.0\nDynamic: Requires-Dist\n"
    pyproject = '[build-system]\nrequires = []\nbuild-backend = "said"\nbackend-path = ["."]\n'
    backend = f"NAME = {said[0]!r}\nVERSION = {said[1]!r}\n{BACKEND}"
    files = {
        "app-2.0/PKG-INFO": pkg_info,
        "app-2.0/pyproject.toml": pyproject,
        "app-2.0/said.py": backend,
    }
    return write_sdist(folder / "app-2.0.tar.gz", files)


@pytest.fixture
def made(tmp_path: Path) -> Iterator[tuple[Path, Served]]:
    folder = tmp_path / "served"
    with serve_made(folder, pep658=True) as served:
        yield folder, served


@pytest.mark.parametrize("said", [("app", "2.5"), ("other", "2.0")])
@pytest.mark.parametrize("backtracked", [True, False])
def test_an_sdist_whose_build_states_another_release_is_passed_over_as_uv_does(
    said: tuple[str, str],
    backtracked: bool,
    made: tuple[Path, Served],
    tmp_path: Path,
    store_dir: Path,
) -> None:
    folder, served = made
    if backtracked:  # the newest release needs what no index has: back to 2.0, then 1.0
        served.add(make_wheel(folder, "app", "3.0", {"app/__init__.py": ""}, requires=("gone",)))
    served.add(lying_sdist(folder, said))
    served.add(make_wheel(folder, "app", "1.0", {"app/__init__.py": ""}))
    venv = tmp_path / "v"
    stderr = sync(venv, store_dir, served, "app")
    assert installed(venv) == {"app": "1.0"}
    assert "graft: warning: app==2.0 (app-2.0.tar.gz): passed over, its build states" in stderr
    assert f"says {said[0]} {said[1]}, but the source is app 2.0" in stderr
    assert uv_installed(tmp_path, served, "app") == installed(venv)


def test_when_every_release_states_another_the_error_says_so_in_one_line(
    made: tuple[Path, Served], tmp_path: Path, store_dir: Path
) -> None:
    folder, served = made
    served.add(lying_sdist(folder, ("app", "2.5")))
    stderr = sync(tmp_path / "v", store_dir, served, "app", check=False)
    error = [line for line in stderr.splitlines() if line.startswith("graft: error:")]
    assert error == [
        "graft: error: every release that was tried builds another release than its sdist's:"
    ], stderr
    assert "app==2.0 (app-2.0.tar.gz) requires a build that states another release" in stderr
    assert "says app 2.5, but the source is app 2.0" in stderr
    assert "hint: pin a release whose sdist builds its own name and version" in stderr


def test_a_failed_metadata_build_met_while_backtracking_ends_it_as_in_uv(
    made: tuple[Path, Served], tmp_path: Path, store_dir: Path
) -> None:
    """A build that fails is no dead end: uv 0.13.9 and pip 26.3 fail there too (423)."""
    folder, served = made
    served.add(make_wheel(folder, "app", "3.0", {"app/__init__.py": ""}, requires=("gone",)))
    served.add(failing_sdist(folder, "app", static=False))  # app 1.0
    served.add(make_wheel(folder, "app", "0.5", {"app/__init__.py": ""}))
    stderr = sync(tmp_path / "v", store_dir, served, "app", check=False)
    error = [line for line in stderr.splitlines() if line.startswith("graft: error:")]
    assert len(error) == 1, stderr
    assert "going back from that to an older release needed a build, which failed" in error[0]
    assert "app-1.0.tar.gz: prepare_metadata_for_build_wheel of failing failed" in error[0]
    refusal = uv_refusal(tmp_path, served, "app")
    assert refusal is None or "prepare_metadata_for_build_wheel` failed" in refusal, refusal
