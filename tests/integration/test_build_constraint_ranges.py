"""``--build-constraint FILE`` holding ranges and markers, as pip 26.3 and uv 0.13.9 take it.

The ``dyn`` sdist of ``test_sync_build_options`` (no network): its in-tree backend imports
its build requirement ``helper`` and states the dependency that helper names (helper 1.0:
``one``, 2.0: ``two``, 3.0: ``three``), so what a venv or a lock holds says which helper the
build environment got. Measured with a setuptools sdist (decision 458): ``setuptools<72``,
``setuptools>=60,<72`` and ``wheel<0.45; python_version < "3.12"`` gave pip and uv the newest
release in range (the marker's only under 3.11), a constraint on a project no build needs
changed nothing, and ``setuptools<72`` against ``requires = ["setuptools>=75"]`` was a
resolution error in both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.integration.test_sync_build_options import dyn_links
from tests.integration.test_sync_builds import py, sync
from tests.integration.test_warm import aged
from tests.support.wheelmaker import make_wheel

#: which dependency dyn's build stated, in a venv
STATED = (
    "import importlib.util as u; print(*[n for n in ('one', 'two', 'three') if u.find_spec(n)])"
)


@pytest.fixture(autouse=True)
def hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The log of the dyn backend's hooks (``prepare 1.0``, ``build 1.0``)."""
    log = tmp_path / "hooks.log"
    log.touch()
    monkeypatch.setenv("DYN_LOG", str(log))
    return log


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """dyn 1.0's sdist needing ``helper``, helper 1.0, 2.0 and 3.0 (each naming its own)."""
    links = dyn_links(tmp_path / "links")
    make_wheel(links, "helper", "3.0", {"helper.py": "V = '3.0'\nNEEDS = 'three'\n"})
    make_wheel(links, "three", "1.0", {"three.py": ""})
    aged(*links.iterdir(), links)
    return links


def constraints(path: Path, text: str) -> Path:
    path.write_text(text)
    aged(path)
    return path


def test_a_range_picks_the_newest_release_it_allows_and_judges_what_is_kept(
    tmp_path: Path, store_dir: Path, cache: Path, folder: Path
) -> None:
    below3 = constraints(tmp_path / "below3.txt", "helper>=1,<3  # as setuptools<72\n")
    sync(tmp_path / "v", store_dir, folder, "dyn", "--build-constraint", below3)
    assert py(tmp_path / "v", STATED) == "two"
    # a kept build whose environment the range allows is reused (here: another range)
    below4 = constraints(tmp_path / "below4.txt", "helper!=3.0\nunrelated<1\n")
    run = sync(tmp_path / "w", store_dir, folder, "dyn==1.0.0", "--build-constraint", below4, "-v")
    assert "graft: reused dyn-1.0-py3-none-any.whl" in run.stderr, run.stderr
    assert py(tmp_path / "w", STATED) == "two"
    # one it excludes is not: built again, with the newest helper the range allows
    below2 = constraints(tmp_path / "below2.txt", "helper<2\n")
    run = sync(tmp_path / "x", store_dir, folder, "dyn==1.0", "--build-constraint", below2, "-v")
    said = "its build environment held helper==2.0 (--build-constraint allows helper<2)"
    assert said in run.stderr, run.stderr
    assert py(tmp_path / "x", STATED) == "one"
    # without a constraint, the newest
    sync(tmp_path / "y", store_dir, folder, "dyn", "--reuse-builds", "never")
    assert py(tmp_path / "y", STATED) == "three"


def test_a_constraints_marker_is_evaluated_for_the_builds_interpreter(
    tmp_path: Path, store_dir: Path, cache: Path, folder: Path
) -> None:
    never = constraints(tmp_path / "never.txt", 'helper<2; python_version < "3"\n')
    sync(tmp_path / "v", store_dir, folder, "dyn", "--build-constraint", never)
    assert py(tmp_path / "v", STATED) == "three"
    # a marker that holds: the kept build (helper 3.0) is refused, and 1.0 builds
    always = constraints(tmp_path / "always.txt", 'helper<2; python_version >= "3"\n')
    run = sync(tmp_path / "w", store_dir, folder, "dyn", "--build-constraint", always, "-v")
    assert "held helper==3.0 (--build-constraint allows helper<2)" in run.stderr, run.stderr
    assert py(tmp_path / "w", STATED) == "one"


def test_a_lock_and_a_build_take_a_range(
    tmp_path: Path, store_dir: Path, cache: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_STORE", str(store_dir))
    below2 = constraints(tmp_path / "below2.txt", "helper<2\n")
    out = tmp_path / "pylock.toml"
    links = ("--no-index", "--find-links", folder, "--build-constraint", below2)
    run_graft("lock", "dyn", "-o", out, *links)
    assert 'name = "one"' in out.read_text()
    assert 'name = "three"' not in out.read_text()
    run_graft("build", folder / "dyn-1.0.tar.gz", "-o", tmp_path / "dist", *links)
    (wheel,) = (tmp_path / "dist").glob("dyn-1.0-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read("dyn-1.0.dist-info/METADATA").decode()
    assert "Requires-Dist: one" in metadata, metadata


@pytest.mark.parametrize("command", ["sync", "lock", "build"])
def test_a_constraint_leaving_no_version_of_a_build_requirement_is_one_line(
    tmp_path: Path, store_dir: Path, cache: Path, command: str
) -> None:
    """pip: ResolutionImpossible in the build's subprocess; uv: "setuptools>=75 and
    setuptools<72 ... unsatisfiable". graft says it before resolving, naming the file."""
    folder = dyn_links(tmp_path / "links", build_requires="helper>=2")
    path = constraints(tmp_path / "c.txt", "# pins\nhelper<2\n")
    sdist = folder / "dyn-1.0.tar.gz"
    where = {
        "sync": ("sync", tmp_path / "v", "dyn", "--store", store_dir),
        "lock": ("lock", "dyn", "-o", tmp_path / "pylock.toml"),
        "build": ("build", sdist, "-o", tmp_path / "dist"),
    }[command]
    run = run_graft(
        *where, "--no-index", "-f", folder, "--build-constraint", path, "-q", check=False
    )
    assert run.returncode == 2, run.stderr
    said = (
        f"graft: error: {path}:2: build constraint 'helper<2' excludes build requirement"
        f" 'helper>=2' of {sdist}"
    )
    assert run.stderr.startswith(said), run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr


def uv_stated(tmp_path: Path, folder: Path, path: Path) -> str:
    """What dyn's build stated in a venv ``uv pip install --build-constraint PATH`` made."""
    exe = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(exe, os.X_OK):
        pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    env.pop("PIP_FIND_LINKS", None)
    venv = tmp_path / f"uv-{path.stem}"
    subprocess.run([exe, "venv", "-q", "-p", sys.executable, venv], check=True, env=env)
    install = ("pip", "install", "-q", "-p", venv / "bin" / "python", "--no-index", "-f", folder)
    args = (*install, "dyn", "--build-constraint", path)
    subprocess.run([exe, *map(str, args)], check=True, capture_output=True, env=env)
    return py(venv, STATED)


@pytest.mark.parametrize("option", ["-r", "-c"])
def test_a_nested_file_holds_build_constraints_and_is_watched_as_uv_reads_it(
    tmp_path: Path, store_dir: Path, cache: Path, folder: Path, option: str
) -> None:
    """pip 26.3 and uv 0.13.9 read a ``-r``/``-c`` line of a build constraint file as more
    constraints, relative to the file naming it (decision 470); graft refused the line."""
    (tmp_path / "pins").mkdir()
    inner = constraints(tmp_path / "pins" / "inner.txt", "helper<2\n")
    top = constraints(tmp_path / "top.txt", f"{option} pins/inner.txt\nunrelated<1\n")
    assert uv_stated(tmp_path, folder, top) == "one"
    # (pins/ is beside top.txt, not in the current directory: relative to the file)
    sync(tmp_path / "v", store_dir, folder, "dyn", "--build-constraint", top)
    assert py(tmp_path / "v", STATED) == "one"
    # the nested file's bytes are watched as the given file's: an edit is no stamp's answer
    constraints(inner, "helper>=2,<3\n")
    run = sync(tmp_path / "v", store_dir, folder, "dyn", "--build-constraint", top, "-v")
    assert "held helper==1.0 (--build-constraint allows helper<3,>=2)" in run.stderr, run.stderr
    assert py(tmp_path / "v", STATED) == "two"
    run = sync(tmp_path / "v", store_dir, folder, "dyn", "--build-constraint", top)
    assert "in sync" in run.stdout + run.stderr, run.stdout + run.stderr


def test_a_loop_of_build_constraint_files_is_one_line_and_changes_nothing(
    tmp_path: Path, store_dir: Path, cache: Path, folder: Path
) -> None:
    """pip 26.3 refuses it ("recursively references itself"); uv 0.13.9 reads each file
    once. graft refuses it, as it refuses a loop of requirements files."""
    one = constraints(tmp_path / "one.txt", "helper<2\n-r two.txt\n")
    constraints(tmp_path / "two.txt", "-c one.txt\n")
    run = sync(tmp_path / "v", store_dir, folder, "dyn", "--build-constraint", one, check=False)
    assert run.returncode == 2, run.stderr
    said = f"graft: error: {tmp_path / 'two.txt'}:1: requirements files include each other ("
    assert run.stderr.startswith(said), run.stderr
    assert f"{one} -> {tmp_path / 'two.txt'} -> {one})" in run.stderr, run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert not (tmp_path / "v").exists()
    # another option line, in a nested file too, is refused as before
    constraints(tmp_path / "two.txt", "--index-url https://example.invalid/simple\n")
    run = sync(tmp_path / "v", store_dir, folder, "dyn", "--build-constraint", one, check=False)
    said = f"graft: error: {tmp_path / 'two.txt'}:1: build constraint '--index-url"
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(said), run.stderr
    assert not (tmp_path / "v").exists()
