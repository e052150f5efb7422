"""``graft build`` end to end on projects made here, with an in-tree backend (no network).

The backend (``_backend/backend.py`` in each project, standard library only) writes a wheel
by hand; its config settings choose a misbehaviour: fail, write outside the output
directory, build another name or version.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graft.store import seal
from tests.conftest import run_graft
from tests.support.inbackend import WHEEL_WRITER
from tests.support.rangeserver import serve
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

BACKEND = WHEEL_WRITER + textwrap.dedent(
    """
    import os, sys

    def get_requires_for_build_wheel(config_settings=None):
        return []

    def build_sdist(sdist_directory, config_settings=None):
        import gzip, io, tarfile, time
        mode = (config_settings or {}).get("sdist", "")
        print("backend builds an sdist")
        if mode == "fail":
            print("boom: no sdist today")
            raise SystemExit(5)
        name = {"wrongname": "other-1.0", "oldname": "Demo-1.0"}.get(mode, "demo-1.0")
        files = ["pyproject.toml", "_backend/backend.py", "demo/__init__.py"]
        if mode == "nopackage":  # (a MANIFEST that forgot the package)
            files.remove("demo/__init__.py")
        members = [("PKG-INFO", b"Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n")]
        members += [(f, open(f, "rb").read()) for f in files]
        if mode == "stamped":  # (not byte-reproducible, as setuptools' sdists are not)
            members.append(("stamp.txt", str(time.time_ns()).encode()))
        when = 0  # (mtimes: the same files, made now, as setuptools' sdists are)
        if mode == "mtimes":
            when = time.time_ns() % 1_000_000_000
        path = os.path.join(sdist_directory, name + ".tar.gz")
        with gzip.GzipFile(path, "wb", mtime=when) as gz, tarfile.open(fileobj=gz, mode="w") as tf:
            for member, data in members:
                info = tarfile.TarInfo("demo-1.0/" + member)
                info.size, info.mtime = len(data), 1700000000 + when
                tf.addfile(info, io.BytesIO(data))
        return name + ".tar.gz"

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        settings = config_settings or {}
        mode = settings.get("mode", "")
        print("backend says hello from", sys.implementation.name)
        if mode == "fail":
            print("boom: the compiler is on fire")
            raise SystemExit(3)
        if mode == "old-setup":  # an old setup.py's import (no project here ships it)
            raise ModuleNotFoundError("No module named 'pkg_resources'")
        if mode == "escape":
            with open(os.path.join(wheel_directory, "..", "escaped.txt"), "w") as fh:
                fh.write("x")
        if not os.path.isfile(os.path.join("demo", "__init__.py")):
            print("demo/__init__.py is not in", os.getcwd())
            raise SystemExit(6)
        name = "other" if mode == "wrongname" else "demo"
        version = "9.9" if mode == "wrongversion" else "1.0"
        init = "MARK = %r\\n" % (settings.get("mark", "") + os.environ.get("DEMO_MARK", ""))
        try:  # (a build requirement some tests give it)
            import helper
            init += "HELPER = %r\\n" % helper.V
        except ImportError:
            pass
        files = {
            "demo/__init__.py": init.encode(),
            f"{name}-{version}.dist-info/METADATA": (
                f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n"
            ).encode(),
            f"{name}-{version}.dist-info/WHEEL": (
                b"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\n"
                b"Tag: py3-none-any\\n"
            ),
        }
        tail = {  # (a RECORD row of two fields, which uv cannot read either; a row for a file
            # the wheel lacks: decision 384)
            "badrecord": b"demo/extra.py,sha256=x\\n",
            "ghostrow": b"demo/ghost.py,sha256=x,3\\n",
        }.get(mode, b"")
        return write_wheel(wheel_directory, f"{name}-{version}-py3-none-any.whl", files, tail)
    """
)


#: The demo project with the in-tree backend, which needs the build requirement ``helper``.
NEEDS_HELPER = textwrap.dedent(
    """
    [build-system]
    requires = ["helper"]
    build-backend = "backend"
    backend-path = ["_backend"]

    [project]
    name = "demo"
    version = "1.0"
    """
)


#: The demo project with the in-tree backend, which needs the build requirement ``setuptools``.
NEEDS_SETUPTOOLS = NEEDS_HELPER.replace('requires = ["helper"]', 'requires = ["setuptools"]')


def make_project(root: Path, pyproject: str | None = None) -> Path:
    root.mkdir(parents=True)
    (root / "_backend").mkdir()
    (root / "_backend" / "backend.py").write_text(BACKEND)
    (root / "demo").mkdir()
    (root / "demo" / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(
        pyproject
        or textwrap.dedent(
            """
            [build-system]
            requires = []
            build-backend = "backend"
            backend-path = ["_backend"]

            [project]
            name = "demo"
            version = "1.0"
            """
        )
    )
    return root


def build(store: Path, *args: str | Path, check: bool = True) -> list[dict[str, object]]:
    """``graft build --wheel``: the wheels' outcomes (straight from a directory)."""
    wheel = ("--wheel",) if Path(args[0]).is_dir() else ()
    run = run_graft("build", *args, *wheel, "--store", store, "--json", check=check)
    return json.loads(run.stdout)["wheels"] if check else []


def entries(store: Path) -> list[str]:
    folder = store / "entries"
    return sorted(os.listdir(folder)) if folder.is_dir() else []


def test_built_then_reused_by_the_same_interpreter(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    first = build(store_dir, project, "-o", out)
    assert [o["action"] for o in first] == ["built"]
    assert first[0]["wheel"] == "demo-1.0-py3-none-any.whl"
    assert (out / "demo-1.0-py3-none-any.whl").is_file()
    assessment = first[0]["assessment"]
    assert isinstance(assessment, dict)
    assert assessment["may_differ"] is True  # an in-tree backend
    assert ["in-tree-backend", "_backend"] in assessment["evidence"]
    assert len(entries(store_dir)) == 1
    inspect = run_graft("inspect", out / "demo-1.0-py3-none-any.whl").stdout
    assert "built_from       tree-" in inspect
    assert "reuse            may build differently per interpreter: in-tree-backend" in inspect
    second = build(store_dir, project)
    assert second[0]["action"] == "reused"
    assert "same interpreter" in str(second[0]["why"])
    assert second[0]["sha256"] == first[0]["sha256"]
    never = build(store_dir, project, "--reuse-builds", "never")
    assert never[0]["action"] == "built"
    assert "never" in str(never[0]["why"])


def test_a_project_whose_static_requires_python_excludes_the_target_is_not_built(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """``[project].requires-python`` is read before the build, as uv reads it: the
    interpreter it excludes is refused in one line naming the file, and the backend is never
    called; a dynamic one is the backend's to say, as before."""
    called = tmp_path / "called.txt"
    pyproject = NEEDS_HELPER.replace('["helper"]', "[]") + 'requires-python = ">=3.99"\n'
    project = make_project(tmp_path / "proj", pyproject)
    backend = project / "_backend" / "backend.py"
    backend.write_text(BACKEND + f"open({str(called)!r}, 'a').write('called')\n")
    venv = tmp_path / "v"
    for how in ((project,), ("-e", project)):
        run = run_graft("sync", venv, *how, "--store", store_dir, "--no-index", check=False)
        assert run.returncode == 1, run.stderr
        line = run.stderr.strip()
        assert "\n" not in line, line
        assert line.startswith(f"graft: error: {project / 'pyproject.toml'}: "), line
        assert "[project].requires-python is '>=3.99', which excludes the target's Python" in line
        assert not called.exists(), "the backend was called"
        assert not venv.exists()
    dynamic = pyproject.replace('requires-python = ">=3.99"', 'dynamic = ["requires-python"]')
    (project / "pyproject.toml").write_text(dynamic)
    run_graft("sync", venv, project, "--store", store_dir, "--no-index")
    assert called.read_text() == "called"


def test_a_failed_build_leaves_no_store_it_made(tmp_path: Path, cache: Path) -> None:
    """Decision 206, as 176 for a sync: a store ``graft build`` made for a wheel ingest then
    refused is taken back with the directories made for it (its ``locks/<sha256>.lock``
    stayed, and the whole layout with it); one that was there stays; a build that succeeds
    makes it."""
    project = make_project(tmp_path / "proj")
    store = tmp_path / "new" / "deep" / "store"
    run = run_graft(
        "build", project, "--wheel", "--store", store, "-C", "mode=badrecord", check=False
    )
    assert run.returncode == 1, run.stderr
    assert "does not have three fields" in run.stderr.splitlines()[-1]
    assert not (tmp_path / "new").exists()
    store.mkdir(parents=True)  # the user's own, empty: never taken
    run = run_graft(
        "build", project, "--wheel", "--store", store, "-C", "mode=badrecord", check=False
    )
    assert run.returncode == 1, run.stderr
    assert store.is_dir()
    try:
        assert build(tmp_path / "other", project)[0]["action"] == "built"
        assert len(entries(tmp_path / "other")) == 1
    finally:
        seal.remove_tree(str(tmp_path / "other"))


def test_a_built_wheel_whose_record_disagrees_is_said_as_a_sync_says_it(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """Decision 384: the wheel is ingested (as a sync would install it), with the one warning
    a sync planning it says, once, on stderr and in ``--json``; reused, the same."""
    project = make_project(tmp_path / "proj")
    line = (
        "demo-1.0-py3-none-any.whl: its RECORD disagrees with the archive on 1 file"
        " ('demo/ghost.py'); installed as pip and uv install it, with the files' own hashes"
    )
    for action in ("built", "reused"):
        run = run_graft("build", project, "--wheel", "--store", store_dir, "-C", "mode=ghostrow")
        assert f": {action} demo-1.0-py3-none-any.whl" in run.stdout, run.stdout
        warned = [w for w in run.stderr.splitlines() if w.startswith("graft: warning:")]
        assert warned == [f"graft: warning: {line}"], run.stderr
    (wheel,) = build(store_dir, project, "-C", "mode=ghostrow")
    assert wheel["warning"] == line
    (sound,) = build(store_dir, project)
    assert sound["warning"] is None


def _future_sdist(folder: Path, *, dynamic: bool = False) -> Path:
    """``dyn`` 2.0, whose PKG-INFO and backend state Requires-Python >=3.99."""
    from tests.integration.test_sync_builds_gaps import DYN_BACKEND, PREPARE_HOOK
    from tests.support.sdistmaker import write_sdist

    # (2.1: its Requires-Dist is not static, so only a hook or a build could say them)
    info = "Metadata-Version: 2.1\nName: dyn\nVersion: 2.0\nRequires-Python: >=3.99\n"
    if dynamic:  # (2.2 brought Dynamic)
        info = info.replace("2.1", "2.2") + "Dynamic: Requires-Python\nDynamic: Requires-Dist\n"
    stating = textwrap.dedent(
        """
        _plain = _metadata

        def _metadata():
            return _plain() + b"Requires-Python: >=3.99\\n"
        """
    )
    files = {
        "dyn-2.0/PKG-INFO": info,
        "dyn-2.0/meta.txt": "dyn 2.0\n",
        "dyn-2.0/_backend/dynback.py": DYN_BACKEND + PREPARE_HOOK + stating,
        "dyn-2.0/pyproject.toml": textwrap.dedent(
            """
            [build-system]
            requires = []
            build-backend = "dynback"
            backend-path = ["_backend"]
            """
        ),
    }
    return write_sdist(folder / "dyn-2.0.tar.gz", files)


def test_an_sdist_whose_pkg_info_excludes_the_target_is_not_built(
    tmp_path: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 205, as 175 for a project directory: an sdist given by path or URL whose
    PKG-INFO's Requires-Python excludes the interpreter is refused in one line, the backend
    never called (pip 26 and uv 0.13.9 run its metadata hook, then refuse); one the
    resolver meets is left for an older release without its hook; a ``Dynamic`` one is
    the backend's to say, as before."""
    from tests.integration.test_sync_builds_gaps import dyn_sdist

    log = tmp_path / "hooks.log"
    log.touch()
    monkeypatch.setenv("DYN_LOG", str(log))
    links = tmp_path / "links"
    links.mkdir()
    sdist = _future_sdist(links)
    dyn_sdist(links, "1.0")
    venv = tmp_path / "v"
    with serve() as served:
        url = served.add(sdist)
        for given in (str(sdist), f"dyn @ {url}"):
            run = run_graft("sync", venv, given, "--store", store_dir, "--no-index", check=False)
            assert run.returncode == 1, run.stderr
            shown = url if given.startswith("dyn @") else given
            said = (
                f"graft: error: {shown}: its PKG-INFO's Requires-Python is '>=3.99', which"
                f" excludes the target's Python {platform.python_version()}; nothing was built"
                " (pass --python for an interpreter it admits)"
            )
            assert run.stderr.splitlines() == [said]
    assert log.read_text() == "", "the backend was called"
    assert not venv.exists()
    found = ("--find-links", links, "--no-index", "--store", store_dir)
    run = run_graft("sync", venv, "dyn==2.0", *found, check=False)
    assert run.returncode == 1
    assert "dyn==2.0 (dyn-2.0.tar.gz) requires Python >=3.99" in run.stderr
    run_graft("sync", venv, "dyn", *found, "--dry-run")
    run_graft("sync", venv, "dyn", *found)
    assert "2.0" not in log.read_text(), log.read_text()
    assert py(venv, "import importlib.metadata as m; print(m.version('dyn'))") == "1.0"
    _future_sdist(links, dynamic=True)
    run = run_graft("sync", tmp_path / "w", sdist, *found, check=False)
    assert run.returncode == 1
    assert "prepare 2.0" in log.read_text() or "build 2.0" in log.read_text()


def test_a_changed_tree_is_built_again(tmp_path: Path, store_dir: Path, cache: Path) -> None:
    project = make_project(tmp_path / "proj")
    assert build(store_dir, project)[0]["action"] == "built"
    (project / "demo" / "__init__.py").write_text("changed = True\n")
    assert build(store_dir, project)[0]["action"] == "built"
    (project / "build").mkdir()
    (project / "build" / "junk.txt").write_text("build output is not source")
    assert build(store_dir, project)[0]["action"] == "reused"


def test_config_settings_reach_the_backend_and_the_key(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    import zipfile

    project = make_project(tmp_path / "proj")
    plain = build(store_dir, project)
    marked = build(store_dir, project, "-C", "mark=hello", "-o", tmp_path / "out")
    assert marked[0]["action"] == "built", "other config settings, another build"
    assert marked[0]["sha256"] != plain[0]["sha256"]
    with zipfile.ZipFile(tmp_path / "out" / "demo-1.0-py3-none-any.whl") as zf:
        assert zf.read("demo/__init__.py") == b"MARK = 'hello'\n"


def test_a_failing_build_shows_its_output_and_keeps_nothing(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    project = make_project(tmp_path / "proj")
    run = run_graft(
        "build", project, "--wheel", "--store", store_dir, "-C", "mode=fail", check=False
    )
    assert run.returncode == 1
    assert "boom: the compiler is on fire" in run.stderr
    assert "backend says hello" in run.stderr
    assert "graft: to rerun by hand: cd " in run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("graft: error:")]
    assert len(errors) == 1
    assert "build_wheel of backend failed (exit status" in errors[0]
    assert "Traceback" not in run.stderr.split("boom")[0]
    assert entries(store_dir) == []
    assert not list((cache / "builds").glob("tree-*")), "no record of a failed build"
    # The command shown reruns the failing hook, and writes nothing into the project.
    rerun = run.stderr.split("graft: to rerun by hand: ", 1)[1].splitlines()[0]
    before = sorted(p.name for p in project.iterdir())
    scratch = {**os.environ, "TMPDIR": str(tmp_path)}  # (its output directory goes there)
    again = subprocess.run(
        ["sh", "-c", rerun], capture_output=True, text=True, check=False, env=scratch
    )
    assert again.returncode != 0
    assert "boom: the compiler is on fire" in again.stdout + again.stderr
    assert sorted(p.name for p in project.iterdir()) == before


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("escape", "wrote outside its output directory"),
        ("wrongname", "but the source is demo 1.0"),
        ("wrongversion", "but the source is demo 1.0"),
    ],
)
def test_a_wrong_build_is_one_error_and_leaves_nothing(
    tmp_path: Path, store_dir: Path, cache: Path, mode: str, words: str
) -> None:
    project = make_project(tmp_path / "proj")
    run = run_graft(
        "build", project, "--wheel", "--store", store_dir, "-C", f"mode={mode}", check=False
    )
    assert run.returncode == 1, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("graft: error:")]
    assert len(errors) == 1
    assert words in errors[0]
    assert entries(store_dir) == []
    assert not list(cache.glob("wheels/*/*.whl")), "the refused wheel is not kept"
    assert not list((cache / "builds").glob("tree-*"))


def test_a_broken_pyproject_is_one_line(tmp_path: Path, store_dir: Path, cache: Path) -> None:
    project = make_project(tmp_path / "proj", pyproject="[build-system\nrequires = [")
    run = run_graft("build", project, "--store", store_dir, check=False)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1
    assert "pyproject.toml: not valid TOML" in run.stderr


def test_a_missing_backend_is_named(tmp_path: Path, store_dir: Path, cache: Path) -> None:
    project = make_project(
        tmp_path / "proj",
        pyproject='[build-system]\nrequires = []\nbuild-backend = "no_such_backend"\n',
    )
    run = run_graft("build", project, "--store", store_dir, check=False)
    assert run.returncode == 1
    assert "the build backend 'no_such_backend' cannot be imported" in run.stderr
    assert entries(store_dir) == []


def test_a_backend_whose_import_fails_on_another_module_says_which(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """Not "is it in [build-system] requires?": the backend is there, its import fails."""
    project = make_project(
        tmp_path / "proj",
        pyproject='[build-system]\nrequires = []\nbuild-backend = "backend"\n'
        'backend-path = ["_backend"]\n',
    )
    (project / "_backend" / "backend.py").write_text("import no_such_module_h6\n")
    run = run_graft("build", project, "--store", store_dir, check=False)
    assert run.returncode == 1
    last = run.stderr.splitlines()[-1]
    assert "importing the build backend 'backend' failed: ModuleNotFoundError: No module" in last
    assert "no_such_module_h6" in last
    assert "requires?" not in last


def test_a_build_requirement_nowhere_to_be_found_names_the_build(
    tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """Not "no project named X, you asked for X": the user asked for the project, not X."""
    project = make_project(
        tmp_path / "proj",
        pyproject='[build-system]\nrequires = ["no-such-backend==1.0"]\nbuild-backend = "x"\n',
    )
    (tmp_path / "links").mkdir()
    args = ("--store", store_dir, "--no-index", "--find-links", tmp_path / "links")
    run = run_graft("build", project, *args, check=False)
    assert run.returncode == 1
    assert f"{project}: its build requirements cannot be installed: no project named" in run.stderr
    run = run_graft("sync", tmp_path / "v", project, *args, "--json", check=False)
    error = json.loads(run.stdout)
    assert (error["where"], error["kind"]) == (str(project), "ResolutionError")
    assert error["error"].startswith("its build requirements cannot be installed: no project")
    assert not (tmp_path / "v").exists()
    assert entries(store_dir) == []


def test_not_a_source(tmp_path: Path, store_dir: Path, cache: Path) -> None:
    (tmp_path / "x.txt").write_text("")
    run = run_graft("build", tmp_path / "x.txt", "--store", store_dir, check=False)
    assert run.returncode == 2
    assert "not a project directory or an sdist" in run.stderr


def test_without_src_the_current_directory_is_built_as_uv_build_and_pypa_build_do(
    tmp_path: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``graft build`` alone said "the following arguments are required: SRC"; ``uv build``
    and ``python -m build`` build the current directory (decision 327)."""
    project = make_project(tmp_path / "proj")
    monkeypatch.chdir(project)
    run = run_graft("build", "--store", store_dir, "--json")
    built = json.loads(run.stdout)
    assert built["out_dir"] == str(project / "dist")
    assert os.path.basename(built["sdist"]["path"]) == "demo-1.0.tar.gz"
    assert [w["wheel"] for w in built["wheels"]] == ["demo-1.0-py3-none-any.whl"]
    assert sorted(os.listdir(project / "dist")) == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    run_graft("build", "--store", store_dir, "--outdir", tmp_path / "out", "--wheel", "-q")
    assert os.listdir(tmp_path / "out") == ["demo-1.0-py3-none-any.whl"]  # (pypa/build's flag)


@pytest.mark.parametrize(
    "unisolated",
    [("--no-build-isolation",), ("--no-build-isolation-package", "DEMO")],  # (decision 395)
    ids=["all", "package"],
)
def test_without_build_isolation(
    tmp_path: Path, store_dir: Path, cache: Path, unisolated: tuple[str, ...]
) -> None:
    project = make_project(tmp_path / "proj")
    got = build(store_dir, project, *unisolated, "--python", sys.executable)
    assert got[0]["action"] == "built"
    isolated = build(store_dir, project, "--python", sys.executable)
    assert isolated[0]["action"] == "built", "isolation is a build input"
    other = ("--no-build-isolation-package", "other", "--python", sys.executable)
    assert build(store_dir, project, *other)[0]["action"] == "reused"  # (isolated: recorded)


def test_an_sdist_is_unpacked_and_checked(tmp_path: Path, store_dir: Path, cache: Path) -> None:
    import tarfile

    project = make_project(tmp_path / "demo-1.0")
    (project / "PKG-INFO").write_text("Metadata-Version: 2.2\nName: demo\nVersion: 1.0\n")
    archive = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(project, arcname="demo-1.0")
    first = build(store_dir, archive)
    assert first[0]["action"] == "built"
    assert build(store_dir, archive)[0]["action"] == "reused"
    renamed = tmp_path / "demo-2.0.tar.gz"
    renamed.write_bytes(archive.read_bytes())
    run = run_graft("build", renamed, "--store", store_dir, check=False)
    assert run.returncode == 1
    assert "PKG-INFO says demo 1.0, the filename demo 2.0" in run.stderr


@pytest.mark.parametrize(
    ("cutoffs", "expected"),
    [
        (("--exclude-newer", "2022-01-01"), "1.0"),
        # uv's per-project cutoff, over a later global one, and alone (decision 394)
        (("--exclude-newer", "2025-01-01", "--exclude-newer-package", "Helper=2022-01-01"), "1.0"),
        (("--exclude-newer-package", "helper=2022-01-01"), "1.0"),
        (("--exclude-newer-package", "other=2022-01-01"), "2.0"),
    ],
)
def test_build_requirements_are_resolved_with_the_syncs_exclude_newer(
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    wheels: Path,
    cutoffs: tuple[str, ...],
    expected: str,
) -> None:
    """As uv resolves ``build-system.requires``: the cut-off holds for the build environment
    too (it was left out: helper 2.0, uploaded after it, built the project; then the
    ``--exclude-newer-package`` form was left out alike)."""
    project = make_project(tmp_path / "proj", pyproject=NEEDS_HELPER)
    with serve() as served:
        for version, uploaded in (("1.0", "2020-01-01T00:00:00Z"), ("2.0", "2024-06-01T00:00:00Z")):
            wheel = make_wheel(wheels, "helper", version, {"helper.py": f"V = {version!r}\n"})
            served.add_wheel(wheel, upload_time=uploaded)
        index = ("--index-url", f"{served.url}/simple/", "--store", store_dir)
        run_graft("sync", tmp_path / "v", project, *index, *cutoffs)
    code = "import demo; print(demo.HELPER)"
    assert py(tmp_path / "v", code) == expected


@pytest.mark.parametrize("setuptools", ["84.2.1", "80.9.0"])
def test_a_failed_import_of_pkg_resources_names_the_setuptools_that_dropped_it(
    tmp_path: Path, store_dir: Path, cache: Path, wheels: Path, setuptools: str
) -> None:
    """Decision 147 (scikit-learn 0.24.2's setup.py on CPython 3.12): the output ends in
    ``No module named 'pkg_resources'``; the hint says why when the build environment held a
    setuptools without it (82.0.0 and later), and nothing more for an older one."""
    project = make_project(tmp_path / "proj", pyproject=NEEDS_SETUPTOOLS)
    with serve() as served:
        served.add_wheel(make_wheel(wheels, "setuptools", setuptools, {"setuptools.py": ""}))
        index = ("--index-url", f"{served.url}/simple/", "--store", store_dir)
        run = run_graft("build", project, "--wheel", *index, "-C", "mode=old-setup", check=False)
    assert run.returncode == 1
    assert "No module named 'pkg_resources'" in run.stderr
    error = next(line for line in run.stderr.splitlines() if line.startswith("graft: error:"))
    cause = (
        "setuptools has had no pkg_resources since 82.0.0, and the build environment held "
        "setuptools 84.2.1: this build needs setuptools<82.0.0 (that line in a "
        "--build-constraint FILE)"
    )
    assert (cause in error) == (setuptools == "84.2.1"), error
