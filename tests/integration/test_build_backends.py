"""``graft build`` with real backends (flit_core, setuptools' legacy fallback) from a
find-links directory: the build environment is a graft venv made by ``graft sync``.

The backend wheels are downloaded from PyPI once and cached (tests/support/pypifiles.py);
offline, these tests are skipped with that reason.
"""

from __future__ import annotations

import json
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from graft.errors import TargetError
from graft.venv.interpreter import find_interpreter
from tests.conftest import run_graft
from tests.support.pypifiles import FLIT_CORE, SETUPTOOLS, release_files


@pytest.fixture
def backends() -> Path:
    return release_files(FLIT_CORE, SETUPTOOLS)


def pythons(*versions: str) -> list[str]:
    found = []
    for version in versions:
        try:
            found.append(find_interpreter(version))
        except TargetError:
            continue
    return found


def build(store: Path, backends: Path, *args: str | Path) -> list[dict[str, object]]:
    """``graft build --wheel``: each interpreter's wheel, straight from the directory."""
    found = ("--find-links", backends, "--no-index")
    run = run_graft("build", *args, "--wheel", "--store", store, *found, "--json")
    outcomes: list[dict[str, object]] = json.loads(run.stdout)["wheels"]
    return outcomes


def flit_project(root: Path) -> Path:
    (root / "src" / "purepkg").mkdir(parents=True)
    (root / "src" / "purepkg" / "__init__.py").write_text('"""A pure package."""\n')
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["flit_core==3.10.1"]
            build-backend = "flit_core.buildapi"

            [project]
            name = "purepkg"
            version = "0.1"
            description = "pure"
            """
        )
    )
    return root


def test_a_pure_project_is_built_once_and_reused(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    found = pythons("3.10", "3.11", "3.12", "3.13")
    if len(found) < 2:
        pytest.skip(f"needs two CPythons of 3.10-3.13; found {found}")
    args: list[str | Path] = [flit_project(tmp_path / "proj")]
    for python in found:
        args += ["--python", python]
    outcomes = build(store_dir, backends, *args, "-o", tmp_path / "out")
    assert [o["action"] for o in outcomes] == ["built"] + ["reused"] * (len(found) - 1)
    assert {o["wheel"] for o in outcomes} == {"purepkg-0.1-py2.py3-none-any.whl"}
    assert all("pure source" in str(o["why"]) for o in outcomes[1:])
    records = list((cache / "builds").glob("tree-*/*/*.json"))
    assert len(records) == 1, "one build, recorded once"
    record = json.loads(records[0].read_text())
    assert record["build_env"] == ["flit-core==3.10.1"]
    assert record["assessment"]["may_differ"] is False
    verify = build(store_dir, backends, *args[:3], "--reuse-builds", "verify")
    assert verify[0]["action"] == "built"
    assert verify[0]["differences"] == []


def test_a_setup_py_project_uses_the_legacy_backend(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    root = tmp_path / "legacy"
    (root / "legacy_mod").mkdir(parents=True)
    (root / "legacy_mod" / "__init__.py").write_text("VALUE = 42\n")
    (root / "setup.py").write_text(
        "from setuptools import setup\n"
        "setup(name='legacy-mod', version='2.0', packages=['legacy_mod'])\n"
    )
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("setuptools==75.3.0\n")
    outcomes = build(
        store_dir,
        backends,
        root,
        "--build-constraint",
        constraints,
        "-o",
        tmp_path / "out",
        "--python",
        sys.executable,
    )
    assert outcomes[0]["action"] == "built"
    wheel = tmp_path / "out" / str(outcomes[0]["wheel"])
    assert wheel.name == "legacy_mod-2.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("legacy_mod/__init__.py") == b"VALUE = 42\n"
    record = json.loads(next((cache / "builds").glob("tree-*/*/*.json")).read_text())
    assert record["inputs"]["backend"] == "setuptools.build_meta:__legacy__"
    assert record["build_env"] == ["setuptools==75.3.0"]


def test_requires_python_bounds_reuse(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    found = pythons("3.11", "3.12")
    if len(found) < 2:
        pytest.skip(f"needs CPython 3.11 and 3.12; found {found}")
    project = flit_project(tmp_path / "proj")
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text + 'requires-python = ">=3.12"\n')
    outcomes = build(store_dir, backends, project, "--python", found[1], "--python", found[0])
    assert [o["action"] for o in outcomes] == ["built", "built"]
    assert "no earlier build" in str(outcomes[1]["why"])


def metadata_of(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return zf.read(name).decode()


@pytest.mark.parametrize(
    ("check", "versions"),
    [
        # cffi's and simplejson's spellings: PyPy's wheel needs nothing, CPython's needs cffi
        ("'__pypy__' in sys.builtin_module_names", ("pypy3", "3.12")),
        ("hasattr(sys, 'pypy_translation_info')", ("pypy3", "3.12")),
        # the version through ``from platform import``: 3.12's wheel needs it, 3.11's not
        ("python_version_tuple() < ('3', '12')", ("3.11", "3.12")),
    ],
)
def test_a_setup_py_that_asks_the_interpreter_is_built_for_each(
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    backends: Path,
    check: str,
    versions: tuple[str, str],
) -> None:
    """Each spelling was missed by the evidence rules once: the first interpreter's wheel,
    without the dependency, was reused by the second, whose own build names it (258)."""
    found = pythons(*versions)
    if len(found) < 2:
        pytest.skip(f"needs the interpreters {versions}; found {found}")
    root = tmp_path / "asks"
    (root / "asks").mkdir(parents=True)
    (root / "asks" / "__init__.py").write_text("")
    (root / "setup.py").write_text(
        "import sys\nfrom platform import python_version_tuple\n"
        "from setuptools import setup\n"
        f"deps = [] if {check} else ['needed-here']\n"
        "setup(name='asks', version='1.0', packages=['asks'], install_requires=deps)\n"
    )
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("setuptools==75.3.0\n")
    args: list[str | Path] = [root, "--build-constraint", constraints]
    outcomes = build(store_dir, backends, *args, "--python", found[0], "--python", found[1])
    assert [o["action"] for o in outcomes] == ["built", "built"], outcomes
    assert "and the source may build differently for" in str(outcomes[1]["why"])
    first, second = (metadata_of(Path(str(o["path"]))) for o in outcomes)
    assert "Requires-Dist: needed-here" not in first
    assert "Requires-Dist: needed-here" in second
    # one name, two wheels: the output directory keeps the first, the second says where it is
    assert "not written to" in str(outcomes[1]["why"]), outcomes[1]
