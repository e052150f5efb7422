"""pip 26.3's ``--only-deps``: a project directory's dependencies, not the project (decision 438).

``pip install --only-deps '.[fast]'`` (an image's layer of a project's dependencies) was
refused by graft as an unknown option with no word on what to use. pip resolves the project
and drops it from what it installs; graft reads the directory as ``-r DIR/pyproject.toml``
with those extras, the same set.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests.conftest import run_graft
from tests.integration.test_resolve_sync import index, installed, sync  # noqa: F401 - fixture

if TYPE_CHECKING:
    from tests.support.rangeserver import Served

_PYPROJECT = (
    '[project]\nname = "proj"\nversion = "0.1"\ndependencies = ["lib<2"]\n'
    '[project.optional-dependencies]\nFast = ["speedy"]\n'
    '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
)


def test_only_deps_installs_a_project_directory_s_dependencies_not_the_project(
    tmp_path: Path,
    store_dir: Path,
    index: Served,  # noqa: F811 - the fixture imported above
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(_PYPROJECT)
    # pip 26.3 (--only-deps './proj[fast]', the same index): lib 1.0 and speedy 0.5, not proj
    sync(tmp_path / "a", index, store_dir, "--only-deps", f"{project}[fast]")
    assert installed(tmp_path / "a") == {"lib": "1.0", "speedy": "0.5"}
    sync(tmp_path / "b", index, store_dir, "-e", str(project), "--only-dependencies")
    assert installed(tmp_path / "b") == {"lib": "1.0"}
    lock = tmp_path / "pylock.toml"
    url = f"{index.url}/simple/"
    run_graft("lock", "--only-deps", project, "--index-url", url, "-o", lock, "-p", "3.11")
    assert 'name = "lib"' in lock.read_text()
    assert 'name = "proj"' not in lock.read_text()


def test_only_deps_refuses_what_it_cannot_read_in_one_line(
    tmp_path: Path,
    store_dir: Path,
    index: Served,  # noqa: F811 - the fixture imported above
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(_PYPROJECT)
    venv = tmp_path / "v"
    said = {
        ("app",): "graft: error: --only-deps takes a project directory holding a pyproject.toml,"
        " not 'app' (graft reads a project's dependencies from its pyproject.toml; for a"
        " project of an index, name its requirements instead)",
        (str(project), "--no-deps"): "graft: error: --only-deps cannot be combined with --no-deps"
        " (as pip's: --only-deps takes the project directories named on the command line;"
        " -r DIR/pyproject.toml alone installs a project's dependencies)",
        (): "graft: error: --only-deps names no project (as pip's: --only-deps takes the project"
        " directories named on the command line: --only-deps .)",
    }
    for args, line in said.items():
        out = sync(venv, index, store_dir, "--only-deps", *args, check=False)
        assert out.splitlines() == [line], args
    assert not venv.exists()
