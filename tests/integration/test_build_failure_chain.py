"""A dependency whose sdist cannot be built says which requirement brought it (decision 378).

A find-links directory: ``top`` needs ``bar``, which needs ``foo``, an sdist whose metadata
is static (PKG-INFO 2.2, read without a hook) and whose build fails; ``top2`` needs
``qux``, which needs ``baz``, an sdist whose dependencies are dynamic, so its metadata hook
runs while resolving, and fails. Each failure is one ``graft: error`` line that names the
sdist, then the shortest chain from the user's requirement down to it, as uv says "`foo`
was included because `bar` (v1.0) depends on `foo`"; ``--json`` says the same; so does the
refusal of an sdist-only dependency under ``--no-build``. After a backtrack, the chain is
the one that holds at the failure (``pick``).
"""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING

from tests.conftest import run_graft
from tests.support.sdistmaker import write_sdist
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

#: An in-tree backend whose hooks fail: no build requirement, nothing from the network.
BACKEND = textwrap.dedent(
    """\
    import sys

    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        sys.exit("boom: no metadata here")

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        sys.exit("boom: the compiler is on fire")
    """
)


def failing_sdist(folder: Path, name: str, *, static: bool) -> Path:
    """*name* 1.0 with the failing backend; its metadata static (PEP 643) or dynamic."""
    pkg_info = f"Metadata-Version: {'2.2' if static else '2.1'}\nName: {name}\nVersion: 1.0\n"
    if not static:
        pkg_info += "Dynamic: Requires-Dist\n"
    pyproject = textwrap.dedent(
        f"""\
        [build-system]
        requires = []
        build-backend = "failing"
        backend-path = ["."]

        [project]
        name = "{name}"
        version = "1.0"
        {"" if static else 'dynamic = ["dependencies"]'}
        """
    )
    files = {
        f"{name}-1.0/PKG-INFO": pkg_info,
        f"{name}-1.0/pyproject.toml": pyproject,
        f"{name}-1.0/failing.py": BACKEND,
    }
    return write_sdist(folder / f"{name}-1.0.tar.gz", files)


def links(tmp_path: Path) -> Path:
    folder = tmp_path / "links"
    folder.mkdir()
    make_wheel(folder, "top", "1.0", {"top/__init__.py": ""}, requires=("bar",))
    make_wheel(folder, "bar", "1.0", {"bar/__init__.py": ""}, requires=("foo>=1",))
    failing_sdist(folder, "foo", static=True)
    make_wheel(folder, "top2", "1.0", {"top2/__init__.py": ""}, requires=("qux",))
    make_wheel(folder, "qux", "1.0", {"qux/__init__.py": ""}, requires=("baz",))
    failing_sdist(folder, "baz", static=False)
    # pick 2.0 needs left, which needs pin<2 (the request pins pin==2) and fails: given up,
    # pick 1.0 needs right, which needs fails too (decision 386)
    make_wheel(folder, "pick", "2.0", {"pick/__init__.py": ""}, requires=("left",))
    make_wheel(folder, "pick", "1.0", {"pick/__init__.py": ""}, requires=("right",))
    make_wheel(folder, "left", "1.0", {"left/__init__.py": ""}, requires=("fails", "pin<2"))
    make_wheel(folder, "right", "1.0", {"right/__init__.py": ""}, requires=("fails",))
    for version in ("1.0", "2.0"):
        make_wheel(folder, "pin", version, {"pin/__init__.py": ""})
    failing_sdist(folder, "fails", static=False)
    return folder


def sync(tmp_path: Path, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    venv = tmp_path / "v"
    run = run_graft(
        "sync", venv, *args, "--find-links", links_of(tmp_path), "--no-index", "--store", store,
        check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert not venv.exists()
    return run


def links_of(tmp_path: Path) -> Path:
    return tmp_path / "links" if (tmp_path / "links").exists() else links(tmp_path)


def said(run: subprocess.CompletedProcess[str]) -> str:
    """The one ``graft: error`` line (the backend's output above it is its own)."""
    errors = [line for line in run.stderr.splitlines() if line.startswith("graft: error")]
    assert len(errors) == 1, run.stderr
    assert run.stderr.rstrip().splitlines()[-1] == errors[0], run.stderr  # (the last line)
    return errors[0]


def failed(tmp_path: Path, store: Path, request: str, sdist: str) -> str:
    """The one error line of a sync of *request*, which names the sdist *sdist* first."""
    line = said(sync(tmp_path, store, request))
    assert line.startswith(f"graft: error: {links_of(tmp_path) / sdist}: "), line
    return line


def test_a_failed_dependency_build_names_the_requirements_that_brought_it(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    folder = links_of(tmp_path)
    line = failed(tmp_path, store_dir, "top", "foo-1.0.tar.gz")
    assert "; foo==1.0 is required by bar==1.0 (you asked for top; top==1.0 requires bar)" in line
    # one step from the request: its requirer alone
    line = failed(tmp_path, store_dir, "bar", "foo-1.0.tar.gz")
    assert line.split(" (its whole output")[0].endswith("; foo==1.0 is required by bar==1.0")
    # --json: the error says the same, and the build's output is under "log"
    run = run_graft(
        "sync", tmp_path / "v", "top", "--find-links", folder, "--no-index", "--store",
        store_dir, "--json", check=False,
    )  # fmt: skip
    error = json.loads(run.stdout)
    assert error["kind"] == "BuildError"
    assert error["error"].endswith(
        "; foo==1.0 is required by bar==1.0 (you asked for top; top==1.0 requires bar)"
    )
    assert "boom: the compiler is on fire" in error["log"]


def test_a_failed_metadata_hook_while_resolving_names_them_too(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    line = failed(tmp_path, store_dir, "top2", "baz-1.0.tar.gz")
    assert "; baz==1.0 is required by qux==1.0 (you asked for top2; top2==1.0 requires qux)" in line


def test_after_a_backtrack_the_chain_names_the_requirer_that_holds(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """Decision 386: pick 2.0 and left, given up, stated fails too; the chain at the failure
    is the search's state then, pick 1.0 and right, as uv's hint says ("`pick` (v1.0)
    depends on `right` (v1.0) which depends on `fails`")."""
    run = sync(tmp_path, store_dir, "pick", "pin==2")
    # (the conflict it went back from first, its lines under the error's)
    (line,) = [line for line in run.stderr.splitlines() if line.startswith("graft: error")]
    assert line.startswith("graft: error: these requirements cannot all be met; going back")
    assert f"{links_of(tmp_path) / 'fails-1.0.tar.gz'}: prepare_metadata_for_build_wheel" in line
    assert line.endswith(
        "; fails==1.0 is required by right==1.0 (you asked for pick; pick==1.0 requires right)"
    ), line


def test_an_sdist_only_dependency_under_no_build_names_them(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    run = sync(tmp_path, store_dir, "top", "--no-build")
    lines = run.stderr.splitlines()
    assert lines[0] == "graft: error: foo has only source distributions (1.0)", run.stderr
    assert "  foo is required by bar==1.0 (you asked for top; top==1.0 requires bar)" in lines
