"""``graft sync`` with sources: project directories, sdists, ``-e``, sdists picked from
find-links, with real backends (flit_core, setuptools) from a find-links directory.

The backend wheels and sdists are downloaded from PyPI once and cached
(tests/support/pypifiles.py); offline, these tests are skipped with that reason. The
in-tree backend of tests/integration/test_build.py serves the failure cases.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.e2e.flatcompare import compare_trees, format_differences
from tests.e2e.venvs import Venv
from tests.integration.test_build import NEEDS_HELPER, make_project
from tests.support.pypifiles import FLIT_CORE, SETUPTOOLS, TOMLI, release_files
from tests.support.sdistmaker import write_sdist
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def backends() -> Path:
    return release_files(FLIT_CORE, SETUPTOOLS, TOMLI)


def sync(
    venv: Path, store: Path, links: Path, *args: str | Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return run_graft(
        "sync", venv, *args, "--find-links", links, "--no-index", "--store", store, check=check
    )


def py(venv: Path, code: str) -> str:
    run = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    )
    return run.stdout.strip()


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def flit_project(root: Path, version: str = "0.1", deps: str = "") -> Path:
    (root / "src" / "purepkg").mkdir(parents=True, exist_ok=True)
    (root / "src" / "purepkg" / "__init__.py").write_text('"""A pure package."""\nX = 1\n')
    (root / "src" / "purepkg" / "data.txt").write_text("data\n")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [build-system]
            requires = ["flit_core>=3.4,<4"]
            build-backend = "flit_core.buildapi"

            [project]
            name = "purepkg"
            version = "{version}"
            description = "pure"
            dependencies = [{deps}]
            """
        )
    )
    return root


def test_a_project_directory_is_built_and_its_dependencies_resolved(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    project = flit_project(tmp_path / "proj", deps='"tomli==2.0.1"')
    venv = tmp_path / "v"
    run = sync(venv, store_dir, backends, project, "-v")
    assert "built purepkg-0.1-py2.py3-none-any.whl" in run.stderr
    assert "pure-backend: flit_core.buildapi cannot compile" in run.stderr  # -v: evidence
    assert "built tomli-2.0.1-py3-none-any.whl" in run.stderr  # an sdist-only dependency
    assert py(venv, "import purepkg, tomli; print(purepkg.X, tomli.__name__)") == "1 tomli"
    direct = json.loads((site_packages(venv) / "purepkg-0.1.dist-info/direct_url.json").read_text())
    assert direct == {"dir_info": {}, "url": project.as_uri()}
    assert "already in sync" in sync(venv, store_dir, backends, project).stderr
    (project / "src" / "purepkg" / "__init__.py").write_text("X = 2\n")  # a new tree key
    run = sync(venv, store_dir, backends, project, "-v")
    assert "built purepkg-0.1-py2.py3-none-any.whl" in run.stderr
    assert py(venv, "import purepkg; print(purepkg.X)") == "2"
    assert run_graft("audit", venv).returncode == 0


def pip_supports_python_option() -> bool:
    from importlib.metadata import version

    from packaging.version import Version

    return Version(version("pip")) >= Version("23.1")


needs_pip = pytest.mark.skipif(
    importlib.util.find_spec("pip") is None or not pip_supports_python_option(),
    reason="pip >= 23.1 (with --python) is not installed beside the tests",
)


def pip(venv: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    environ["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    cmd = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, env=environ)


def venv_of(prefix: Path) -> Venv:
    out = py(prefix, "import json, sysconfig; print(json.dumps(sysconfig.get_paths()))")
    return Venv(prefix, json.loads(out))


@needs_pip
def test_graft_sync_of_a_project_equals_pip_install(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    project = flit_project(tmp_path / "proj")
    ours = tmp_path / "graft"
    sync(ours, store_dir, backends, project)
    theirs = tmp_path / "pip"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", theirs], check=True)
    pip(theirs, "install", "--no-index", "--find-links", backends, project)
    diffs = compare_trees(venv_of(ours), venv_of(theirs), ("graft", "pip"))
    assert not diffs, format_differences(diffs)
    name = "purepkg-0.1.dist-info/direct_url.json"
    mine = json.loads((site_packages(ours) / name).read_text())
    assert mine == json.loads((site_packages(theirs) / name).read_text())


@needs_pip
def test_an_editable_project(tmp_path: Path, store_dir: Path, cache: Path, backends: Path) -> None:
    # (with a dependency: pip uninstall removes a site-packages holding nothing else whole)
    project = flit_project(tmp_path / "proj", deps='"tomli==2.0.1"')
    venv = tmp_path / "v"
    sync(venv, store_dir, backends, "-e", project)
    assert py(venv, "import purepkg; print(purepkg.__file__)") == str(
        project / "src" / "purepkg" / "__init__.py"
    )
    dist_info = site_packages(venv) / "purepkg-0.1.dist-info"
    direct = json.loads((dist_info / "direct_url.json").read_text())
    assert direct == {"dir_info": {"editable": True}, "url": project.as_uri()}
    (project / "src" / "purepkg" / "__init__.py").write_text("X = 'edited'\n")
    assert py(venv, "import purepkg; print(purepkg.X)") == "edited"  # no re-sync
    assert "already in sync" in sync(venv, store_dir, backends, "-e", project).stderr
    assert run_graft("audit", venv).returncode == 0
    found = py(venv, "import importlib.metadata as m; print(m.version('purepkg'))")
    assert found == "0.1"
    listed = json.loads(pip(venv, "list", "--format", "json", "-v").stdout)
    (mine,) = [p for p in listed if p["name"] == "purepkg"]
    assert mine["editable_project_location"] == str(project)
    flit_project(project, "0.2", '"tomli==2.0.1"')  # new metadata: a new editable wheel
    run = sync(venv, store_dir, backends, "-e", project)
    assert "purepkg 0.1 -> 0.2" in run.stderr
    pip(venv, "uninstall", "-y", "purepkg")
    assert not list(site_packages(venv).glob("purepkg*"))
    assert py(venv, "import tomli; print(tomli.__name__)") == "tomli"
    assert (project / "src" / "purepkg" / "__init__.py").is_file()  # the tree is untouched


def test_editable_in_a_requirements_file(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # (-e in a file is read from the current directory)
    flit_project(tmp_path / "proj")
    reqs = tmp_path / "reqs.txt"
    reqs.write_text("-e ./proj\n")
    venv = tmp_path / "v"
    sync(venv, store_dir, backends, "-r", reqs)
    assert py(venv, "import purepkg; print(purepkg.__file__)").startswith(str(tmp_path / "proj"))


def test_extras_of_a_project_directory_editable_or_not(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # (-e in a file is read from the current directory)
    # pip install -e ".[toml]", pip install "./proj[toml]", and -e ./proj[toml] in a file
    project = flit_project(tmp_path / "proj")
    with (project / "pyproject.toml").open("a") as toml:
        toml.write('[project.optional-dependencies]\nToml = ["tomli==2.0.1"]\n')
    check = "import importlib.util as u; print(u.find_spec('tomli') is not None)"
    sync(tmp_path / "plain", store_dir, backends, "-e", project)
    assert py(tmp_path / "plain", check) == "False"
    sync(tmp_path / "e", store_dir, backends, "-e", f"{project}[toml]")
    assert py(tmp_path / "e", check) == "True"
    assert py(tmp_path / "e", "import purepkg; print(purepkg.__file__)").startswith(str(project))
    sync(tmp_path / "b", store_dir, backends, f"{project}[TOML]")
    assert py(tmp_path / "b", check) == "True"
    reqs = tmp_path / "reqs.txt"
    reqs.write_text("-e ./proj[toml]\n")
    sync(tmp_path / "r", store_dir, backends, "-r", reqs)
    assert py(tmp_path / "r", check) == "True"
    bad = sync(tmp_path / "x", store_dir, backends, "-e", f"{project}[to ml]", check=False)
    assert bad.returncode == 2
    assert "cannot parse the extras of" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_setup_py_project_and_its_legacy_backend(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    root = tmp_path / "legacy"
    (root / "legacy_mod").mkdir(parents=True)
    (root / "legacy_mod" / "__init__.py").write_text("VALUE = 42\n")
    (root / "setup.py").write_text(
        "from setuptools import setup\n"
        "setup(name='legacy-mod', version='2.0', packages=['legacy_mod'])\n"
    )
    venv = tmp_path / "v"
    sync(venv, store_dir, backends, f"legacy-mod @ {root.as_uri()}")  # setuptools>=40.8.0
    assert py(venv, "import legacy_mod; print(legacy_mod.VALUE)") == "42"
    edit = tmp_path / "ve"
    sync(edit, store_dir, backends, "-e", root)  # setuptools' PEP 660 hooks
    (root / "legacy_mod" / "__init__.py").write_text("VALUE = 43\n")
    assert py(edit, "import legacy_mod; print(legacy_mod.VALUE)") == "43"
    wrong = sync(tmp_path / "w", store_dir, backends, f"other @ {root.as_uri()}", check=False)
    assert wrong.returncode == 1
    assert "the source builds legacy-mod 2.0, not other" in wrong.stderr


EXT_SOURCE = """#include <Python.h>
static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fast", NULL, -1, methods};
PyMODINIT_FUNC PyInit__fast(void) { return PyModule_Create(&module); }
"""


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler (`cc`) on PATH")
def test_an_editable_build_is_done_again_when_what_it_left_in_the_tree_is_gone(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    """setuptools' build_ext --inplace writes the extension module into the tree, not the wheel."""
    root = tmp_path / "cext"
    (root / "cpkg").mkdir(parents=True)
    (root / "cpkg" / "__init__.py").write_text("X = 1\n")
    (root / "cpkg" / "_fast.c").write_text(EXT_SOURCE)
    (root / "setup.py").write_text(
        "from setuptools import setup, Extension\n"
        "setup(name='cpkg', version='0.1', packages=['cpkg'],\n"
        "      ext_modules=[Extension('cpkg._fast', ['cpkg/_fast.c'])])\n"
    )
    check = "import cpkg._fast as f; print(f.answer())"
    sync(tmp_path / "v1", store_dir, backends, "-e", root)
    assert py(tmp_path / "v1", check) == "42"
    (built,) = (root / "cpkg").glob("_fast*.so")
    again = sync(tmp_path / "v2", store_dir, backends, "-e", root, "-v")
    assert "graft: reused cpkg-0.1" in again.stderr, "all it left is there: reused"
    built.unlink()  # git clean -fdx
    shutil.rmtree(root / "build", ignore_errors=True)
    run = sync(tmp_path / "v3", store_dir, backends, "-e", root, "-v")
    (line,) = [n for n in run.stderr.splitlines() if "cpkg-0.1" in n and "graft: " in n]
    assert line.startswith("graft: built cpkg-0.1"), line
    assert f"not reused: cpkg/{built.name}, which its build left in the project tree" in line
    assert py(tmp_path / "v3", check) == "42"
    assert py(tmp_path / "v1", check) == "42", "the first venv imports it again too"


def test_a_pure_editable_build_in_strict_mode_is_done_again_when_its_links_are_gone(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    """setuptools' strict editable mode links the package from build/, a pure project's too."""
    root = tmp_path / "spure"
    (root / "spkg").mkdir(parents=True)
    (root / "spkg" / "__init__.py").write_text("X = 1\n")
    (root / "setup.py").write_text(
        "from setuptools import setup\nsetup(name='spkg', version='0.1', packages=['spkg'])\n"
    )
    strict = ("-e", root, "-C", "editable_mode=strict")
    check = "import spkg; print(spkg.X)"
    sync(tmp_path / "v1", store_dir, backends, *strict)
    assert py(tmp_path / "v1", check) == "1"
    assert (root / "build").is_dir(), "strict mode's link tree"
    again = sync(tmp_path / "v2", store_dir, backends, *strict, "-v")
    assert "graft: built spkg" not in again.stderr, "all it left is there: reused or recalled"
    shutil.rmtree(root / "build")  # git clean -fdx
    run = sync(tmp_path / "v3", store_dir, backends, *strict, "-v")
    (line,) = [n for n in run.stderr.splitlines() if "spkg-0.1" in n and "graft: " in n]
    assert line.startswith("graft: built spkg-0.1"), line
    assert "which its build left in the project tree, is gone" in line
    assert py(tmp_path / "v3", check) == "1"
    assert py(tmp_path / "v1", check) == "1", "the first venv imports it again too"


def aged(root: Path) -> None:
    """Every file of *root* as if written a minute ago (a memo is not left for racy inputs)."""
    past = time.time() - 60
    for path in [root, *root.rglob("*")]:
        os.utime(path, (past, past), follow_symlinks=False)


def recalled(run: subprocess.CompletedProcess[str]) -> bool:
    (timings,) = [line for line in run.stderr.splitlines() if line.startswith("graft: timings")]
    return "recall" in timings and "resolve" not in timings


def test_a_pure_editable_sync_is_recalled_while_what_its_build_read_holds(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    """The memo watches what the editable key reads: the metadata files, what the build left."""
    root = tmp_path / "spure"
    (root / "spkg").mkdir(parents=True)
    (root / "spkg" / "__init__.py").write_text("X = 1\n")
    setup = "from setuptools import setup\nsetup(name='spkg', version='{}', packages=['spkg'])\n"
    (root / "setup.py").write_text(setup.format("0.1"))
    strict = ("-e", root, "-C", "editable_mode=strict", "-v")
    aged(root)
    assert "graft: built spkg-0.1" in sync(tmp_path / "v", store_dir, backends, *strict).stderr
    again = sync(tmp_path / "v", store_dir, backends, *strict)
    assert recalled(again), again.stderr
    assert "graft: reused spkg" not in again.stderr, "the builder is not asked"
    (root / "spkg" / "__init__.py").write_text("X = 2\n")  # an edit: seen through the link
    assert recalled(sync(tmp_path / "v", store_dir, backends, *strict))
    assert py(tmp_path / "v", "import spkg; print(spkg.X)") == "2"
    (root / "setup.py").write_text(setup.format("0.2"))  # the metadata: built again
    run = sync(tmp_path / "v", store_dir, backends, *strict)
    assert not recalled(run)
    assert "graft: built spkg-0.2" in run.stderr
    aged(root)
    sync(tmp_path / "v", store_dir, backends, *strict)
    assert recalled(sync(tmp_path / "v", store_dir, backends, *strict))
    (root / "setup.cfg").write_text("[metadata]\n")  # a metadata file that was not there
    assert not recalled(sync(tmp_path / "v", store_dir, backends, *strict))
    aged(root)
    sync(tmp_path / "v", store_dir, backends, *strict)
    assert recalled(sync(tmp_path / "v", store_dir, backends, *strict))
    shutil.rmtree(root / "build")  # what the build left (strict mode's links): built again
    run = sync(tmp_path / "v", store_dir, backends, *strict)
    assert not recalled(run)
    assert "which its build left in the project tree, is gone" in run.stderr
    assert py(tmp_path / "v", "import spkg; print(spkg.X)") == "2"
    # the no-op's stamp (a sync without -v) reads the same fingerprints
    plain = strict[:-1]
    aged(root)
    sync(tmp_path / "v", store_dir, backends, *plain)
    assert "already in sync" in sync(tmp_path / "v", store_dir, backends, *plain).stderr
    (root / "setup.py").write_text(setup.format("0.3"))
    assert "already in sync" not in sync(tmp_path / "v", store_dir, backends, *plain).stderr
    version = "import importlib.metadata as m; print(m.version('spkg'))"
    assert py(tmp_path / "v", version) == "0.3"


def static_sdist(folder: Path) -> Path:
    """A flit sdist whose PKG-INFO (Metadata 2.2) states its dependencies statically."""
    files = {
        "statik-1.0/PKG-INFO": (
            "Metadata-Version: 2.2\nName: statik\nVersion: 1.0\nSummary: static\n"
            "Requires-Dist: tomli==2.0.1\n"
        ),
        "statik-1.0/statik.py": '"""Static."""\n__version__ = "1.0"\n',
        "statik-1.0/pyproject.toml": textwrap.dedent(
            """
            [build-system]
            requires = ["flit_core>=3.4,<4"]
            build-backend = "flit_core.buildapi"

            [project]
            name = "statik"
            version = "1.0"
            description = "static"
            dependencies = ["tomli==2.0.1"]
            """
        ),
    }
    return write_sdist(folder / "statik-1.0.tar.gz", files)


def dynamic_sdist(folder: Path) -> Path:
    """A setuptools sdist whose dependencies only its backend knows (``dynamic``, from a file)."""
    files = {
        "dynamo-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: dynamo\nVersion: 1.0\n",
        "dynamo-1.0/dynamo.py": '"""Dynamic."""\n',
        "dynamo-1.0/requirements.txt": "statik==1.0\n",
        "dynamo-1.0/pyproject.toml": textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools>=62"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "dynamo"
            version = "1.0"
            dynamic = ["dependencies"]

            [tool.setuptools]
            py-modules = ["dynamo"]

            [tool.setuptools.dynamic]
            dependencies = {file = ["requirements.txt"]}
            """
        ),
    }
    return write_sdist(folder / "dynamo-1.0.tar.gz", files)


def test_sdists_from_find_links(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    links = tmp_path / "links"
    links.mkdir()
    for item in backends.iterdir():
        (links / item.name).symlink_to(item)
    static_sdist(links)
    dynamic_sdist(links)
    venv = tmp_path / "v"
    run = sync(venv, store_dir, links, "dynamo>=1", "-v")
    assert py(venv, "import dynamo, statik, tomli; print(statik.__version__)") == "1.0"

    lines = run.stderr.splitlines()
    # -v says as each build starts, terminal or not (one may take minutes)
    started = [line.split("/")[-1] for line in lines if line.endswith(" ...")]
    assert sorted(s.split()[0] for s in started) == [  # (builds run two at a time)
        *["dynamo-1.0.tar.gz"] * 2,  # its metadata hook, then its build
        "statik-1.0.tar.gz",
        "tomli-2.0.1.tar.gz",
    ]

    def steps(filename: str) -> list[str]:
        return [s.split()[1] for s in lines if filename in s and not s.endswith(" ...")]

    # dynamo's dependencies are dynamic: its backend's prepare_metadata_for_build_wheel says
    # what they are (a setuptools hook), then it is built once
    assert steps("dynamo-1.0") == ["metadata", "built"], run.stderr
    # statik's PKG-INFO is static (Metadata 2.2, PEP 643), and tomli's PKG-INFO (2.1) is
    # not, but its pyproject.toml's [project] is (PEP 621): both resolve without a backend
    # and are built once, to be installed
    assert steps("statik-1.0") == ["built"], run.stderr
    assert steps("tomli-2.0.1") == ["built"], run.stderr
    for flag in (["--only-binary", "tomli"], ["--only-binary", ":all:"], ["--no-build"]):
        refused = sync(tmp_path / "r", store_dir, links, "tomli==2.0.1", *flag, check=False)
        assert refused.returncode == 1, refused.stderr
        assert "tomli has only source distributions (2.0.1)" in refused.stderr
        assert "builds are off" in refused.stderr
    assert not (tmp_path / "r").exists()


def test_no_binary_builds_the_sdist_beside_a_wheel(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    links = tmp_path / "links"
    links.mkdir()
    for item in backends.iterdir():
        (links / item.name).symlink_to(item)
    make_wheel(links, "tomli", "2.0.1", {"tomli/__init__.py": "MADE = True\n"})
    venv = tmp_path / "v"
    sync(venv, store_dir, links, "tomli==2.0.1")
    assert py(venv, "import tomli; print(tomli.MADE)") == "True"  # the wheel, not a build
    sync(venv, store_dir, links, "tomli==2.0.1", "--no-binary", "tomli")
    assert py(venv, "import tomli; print(hasattr(tomli, 'MADE'), tomli.loads('a=1'))") == (
        "False {'a': 1}"
    )
    sync(venv, store_dir, links, "tomli==2.0.1", "--no-binary", ":all:", "--only-binary", "x")
    assert py(venv, "import tomli; print(hasattr(tomli, 'MADE'))") == "False"
    # a source the user names is built under --no-binary NAME, even with --only-binary :all:
    # (NAME beats :all:, as pip's FormatControl has it), and its wheel is then installed
    named = f"tomli @ {(backends / 'tomli-2.0.1.tar.gz').as_uri()}"
    for flags in (["--no-binary", "tomli"], ["--only-binary", ":all:", "--no-binary", "tomli"]):
        out = tmp_path / f"named{len(flags)}"
        sync(out, store_dir, links, named, *flags)
        assert py(out, "import tomli; print(hasattr(tomli, 'MADE'), tomli.loads('a=1'))") == (
            "False {'a': 1}"
        )
    refused = sync(tmp_path / "r", store_dir, links, named, "--only-binary", ":all:", check=False)
    assert refused.returncode == 2, refused.stderr
    assert "needs a build, and --only-binary :all: was given" in refused.stderr
    assert not (tmp_path / "r").exists()


def test_a_failed_build_shows_its_output_and_changes_nothing(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    project = make_project(tmp_path / "proj")
    venv = tmp_path / "v"
    run = sync(venv, store_dir, backends, project, "-C", "mode=fail", check=False)
    assert run.returncode == 1
    assert "boom: the compiler is on fire" in run.stderr  # the backend's whole output
    assert "graft: to rerun by hand: cd " in run.stderr
    assert run.stderr.rstrip().splitlines()[-1].startswith("graft: error: ")
    assert not venv.exists()
    quiet = run_graft(
        "sync", venv, project, "-C", "mode=fail", "--store", store_dir, "--json", check=False
    )
    error = json.loads(quiet.stdout)
    assert error["kind"] == "BuildError"
    assert "boom" not in quiet.stderr
    assert not venv.exists()
    sync(venv, store_dir, backends, project, "-C", "mark=ok")
    assert py(venv, "import demo; print(demo.MARK)") == "ok"


def test_an_sdist_by_url_and_from_an_index(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    import hashlib

    from tests.support.rangeserver import serve

    sdist = backends / "tomli-2.0.1.tar.gz"
    sha = hashlib.sha256(sdist.read_bytes()).hexdigest()
    with serve() as served:
        url = served.add(sdist)
        venv = tmp_path / "v"
        sync(venv, store_dir, backends, f"tomli @ {url}#sha256={sha}")
        direct = json.loads(
            (site_packages(venv) / "tomli-2.0.1.dist-info/direct_url.json").read_text()
        )
        assert direct == {
            "archive_info": {"hash": f"sha256={sha}", "hashes": {"sha256": sha}},
            "url": url,
        }
        wrong = sync(
            tmp_path / "w", store_dir, backends, f"tomli @ {url}#sha256={'0' * 64}", check=False
        )
        assert wrong.returncode == 1
        assert not (tmp_path / "w").exists()
        wheels = tmp_path / "backend-wheels"  # the backends only: tomli from the index
        wheels.mkdir()
        for item in backends.glob("*.whl"):
            (wheels / item.name).symlink_to(item)
        index = tmp_path / "i"
        run = run_graft(
            "sync", index, "tomli==2.0.1", "--index-url", f"{served.url}/simple/",
            "--find-links", wheels, "--store", store_dir, "-v",
        )  # fmt: skip
        assert "tomli-2.0.1-py3-none-any.whl" in run.stderr
        assert "/simple/tomli/" in served.paths  # the sdist's row on the index page
        assert not (site_packages(index) / "tomli-2.0.1.dist-info/direct_url.json").exists()
        assert py(index, "import tomli; print(tomli.loads('a = 1'))") == "{'a': 1}"


def test_a_venv_inside_the_project_is_not_its_source(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    project = flit_project(tmp_path / "proj")
    venv = project / "env"  # graft sync env . from the project's directory
    first = sync(venv, store_dir, backends, project, "-v")
    assert "built purepkg-0.1" in first.stderr
    again = sync(venv, store_dir, backends, project, "-v")
    assert "reused purepkg-0.1" in again.stderr, again.stderr  # the venv and its lock left out
    assert "already in sync" in again.stderr


def test_reuse_builds_verify_in_a_sync(
    tmp_path: Path, store_dir: Path, cache: Path, backends: Path
) -> None:
    project = flit_project(tmp_path / "proj")
    sync(tmp_path / "v", store_dir, backends, project)
    run = sync(tmp_path / "v", store_dir, backends, project, "--reuse-builds", "verify", "-v")
    (line,) = [n for n in run.stderr.splitlines() if "purepkg-0.1" in n]
    assert line.startswith("graft: built purepkg-0.1-py2.py3-none-any.whl"), line
    assert "verify: rebuilt to compare with purepkg-0.1-py2.py3-none-any.whl" in line
    assert line.endswith("verify: no difference"), line


def test_without_build_isolation_the_hooks_run_in_the_venv(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """As pip and uv run them: what the venv holds serves the build (torch for flash-attn)."""
    project = make_project(tmp_path / "proj")
    backend = project / "_backend" / "backend.py"
    backend.write_text(backend.read_text().replace('settings.get("mark", "")', "sys.prefix"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    (tmp_path / "links").mkdir()
    sync(venv, store_dir, tmp_path / "links", project, "--no-build-isolation")
    assert py(venv, "import demo; print(demo.MARK)") == str(venv)
    fresh = tmp_path / "fresh"  # not made yet: the target interpreter itself, as before
    sync(fresh, store_dir, tmp_path / "links", project, "--no-build-isolation",
         "--reuse-builds", "never", "--python", sys.executable)  # fmt: skip
    assert py(fresh, "import demo; print(demo.MARK)") == sys.prefix


def test_no_build_isolation_package_builds_only_the_named_project_in_the_venv(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """uv's ``--no-build-isolation-package NAME`` (decision 395): NAME's hooks run in the venv.

    The venv holds helper 1.0, a build environment gets the newest, 2.0: the project's build
    says which it imported and where it ran. Each isolation its own recorded build.
    """
    project = make_project(tmp_path / "proj", pyproject=NEEDS_HELPER)
    backend = project / "_backend" / "backend.py"
    backend.write_text(backend.read_text().replace('settings.get("mark", "")', "sys.prefix"))
    links = tmp_path / "links"
    links.mkdir()
    for version in ("1.0", "2.0"):
        make_wheel(links, "helper", version, {"helper.py": f"V = {version!r}\n"})
    venv = tmp_path / "venv"
    sync(venv, store_dir, links, "helper==1.0")

    def built(*args: str) -> tuple[str, str]:
        sync(venv, store_dir, links, "helper==1.0", project, *args)
        mark, helper = py(venv, "import demo; print(demo.MARK, demo.HELPER)").split()
        return mark, helper

    mark, helper = built("--no-build-isolation-package", "other")  # another project's: isolated
    assert (helper, mark.startswith(str(cache))) == ("2.0", True)
    assert built("--no-build-isolation-package", "DEMO") == (str(venv), "1.0")  # not reused
    assert built() == (mark, "2.0")  # the isolated build, recorded
    refused = sync(venv, store_dir, links, project, "--no-build-isolation-package", "demo>1",
                   check=False).stderr  # fmt: skip
    assert refused.startswith("graft: error: --no-build-isolation-package takes a project's name")
