"""``[tool.uv.sources]`` honoured as ``uv pip install`` honours them (decision 369).

A monorepo's ``app`` names ``lib`` and ``util`` by ``[tool.uv.sources]`` (a workspace
member, a path); a loopback index also serves *other* releases of ``lib`` and ``util`` (a
name collision, or a member also published): graft took the index's without a word, where
uv takes the local ones. Each case is compared with uv 0.13.9 on the same inputs where uv
is at hand (else that comparison is skipped, saying so). The projects are built with
flit_core, served by the index (tests/support/pypifiles.py; offline, these tests are
skipped with that reason).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.pylock import Pylock

from tests.conftest import run_graft
from tests.support.flitproject import flit_project
from tests.support.pypifiles import FLIT_CORE, release_files
from tests.support.rangeserver import Served, serve
from tests.support.toml import tomllib
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator

THIS = f"{sys.version_info[0]}.{sys.version_info[1]}"  # the tests' interpreter
Installed = dict[str, tuple[str, object]]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Served]:
    """A loopback index with flit_core and impostor releases 9.0 of the projects below."""
    folder = tmp_path / "served"
    folder.mkdir()
    with serve() as served:
        served.pep658 = True  # (uv asks a wheel's METADATA so, or by HEAD, which it lacks)
        served.add(release_files(FLIT_CORE) / FLIT_CORE[1])
        for name in ("lib", "util", "deep", "mk", "wh", "ex", "gr", "gl", "ul", "skip"):
            files: dict[str, bytes | str] = {f"{name}/__init__.py": "WHERE = 'index'\n"}
            served.add(make_wheel(folder, name, "9.0", files=files))
        yield served


def project(root: Path, name: str, *deps: str, tail: str = "") -> Path:
    """A flit_core project *name* (module of the same name, ``WHERE = 'local'``)."""
    return flit_project(root, name, *deps, module='WHERE = "local"\n', tail=tail)


def aged(*paths: Path) -> None:
    """Files older than the memo's two seconds of doubt (content decides, not mtimes)."""
    past = time.time() - 30
    for path in paths:
        os.utime(path, (past, past))


def workspace(tmp_path: Path) -> Path:
    """``ws``: members ``packages/*`` but ``packages/skip``; ``app`` needs lib, util, skip.

    ``lib`` is ``app``'s own ``{ workspace = true }``, ``util`` the root's (members take it).
    """
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "pyproject.toml").write_text(ROOT)
    project(ws / "packages" / "app", "app", "lib", "util", "skip", tail=APP_SOURCES)
    for name in ("lib", "util", "skip"):
        project(ws / "packages" / name, name)
    aged(*ws.rglob("pyproject.toml"))
    return ws


ROOT = """\
[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/skip"]
[tool.uv.sources]
util = { workspace = true }
"""
APP_SOURCES = "[tool.uv.sources]\nlib = { workspace = true }\n"


def sync(venv: Path, store: Path, served: Served, *args: str | Path, check: bool = True) -> str:
    url = f"{served.url}/simple"
    return run_graft("sync", venv, *args, "--index-url", url, "--store", store, check=check).stderr


def installed(venv: Path) -> Installed:
    """Each distribution's version and where ``direct_url.json`` says it came from."""
    out: Installed = {}
    for info in venv.glob("lib/python*/site-packages/*.dist-info"):
        name, version = info.name[: -len(".dist-info")].rsplit("-", 1)
        if name in {"pip", "setuptools"}:
            continue
        text = (info / "direct_url.json").read_text() if (info / "direct_url.json").exists() else ""
        data = json.loads(text) if text else {}
        if "dir_info" in data:
            where: object = ("dir", data["url"], bool(data["dir_info"].get("editable")))
        elif "vcs_info" in data:
            where = ("vcs", data["url"], data["vcs_info"]["commit_id"], data.get("subdirectory"))
        elif "archive_info" in data:
            where = ("archive", data["url"])
        else:
            where = None
        out[name] = (version, where)
    return out


def uv_installed(tmp_path: Path, served: Served, *args: str | Path) -> Installed:
    """What ``uv pip install ARGS`` installs into a new venv from the same index."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
    venv = tmp_path / f"uv{len(list(tmp_path.glob('uv*')))}"
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    env.pop("UV_NO_SOURCES", None)
    subprocess.run(
        [uv, "venv", "-q", "-p", sys.executable, str(venv)],
        check=True,
        capture_output=True,
        env=env,
    )
    run = subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), *map(str, args),
         "--index-url", f"{served.url}/simple"],
        check=False, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return installed(venv)


def uv_refusal(tmp_path: Path, served: Served, *args: str | Path) -> str | None:
    """uv's error for ``uv pip install --dry-run ARGS`` (None: uv is not here)."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        return None
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    run = subprocess.run(
        [uv, "pip", "install", "--dry-run", "--python", sys.executable, *map(str, args),
         "--index-url", f"{served.url}/simple"],
        check=False, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert run.returncode != 0, run.stderr
    return run.stderr


def test_a_workspace_member_is_taken_from_the_workspace_not_the_index(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-e app``, ``app`` and ``-r app/pyproject.toml`` take lib and util from the workspace.

    Editable, as uv installs a member; ``skip`` (excluded) from the index; ``--no-sources``
    and ``UV_NO_SOURCES=1`` take the index's, as before (and as uv's).
    """
    ws = workspace(tmp_path)
    app = ws / "packages" / "app"
    members = {
        name: ("0.1", ("dir", (ws / "packages" / name).as_uri(), True)) for name in ("lib", "util")
    }
    venv = tmp_path / "v"
    url = f"{index.url}/simple"
    dry = run_graft("sync", venv, "-e", app, "--index-url", url, "--store", store_dir,
                    "--dry-run", "--json")  # fmt: skip
    added = json.loads(dry.stdout)["changes"]["added"]
    assert added == ["app==0.1", "lib==0.1", "skip==9.0", "util==0.1"]
    said = sync(venv, store_dir, index, "-e", app, "--dry-run")
    assert [line for line in said.splitlines() if line.startswith(" + ")] == [
        f" + {each}" for each in added
    ]
    sync(venv, store_dir, index, "-e", app)
    got = installed(venv)
    assert {k: got[k] for k in ("lib", "util")} == members
    assert got["skip"] == ("9.0", None)
    assert py(venv, "import lib, util; print(lib.WHERE, util.WHERE)") == "local local"
    assert got == uv_installed(tmp_path, index, "-e", app)
    for args in ([app], ["-r", app / "pyproject.toml"]):
        other = tmp_path / f"v{len(args)}"
        sync(other, store_dir, index, *args)
        assert {k: installed(other)[k] for k in ("lib", "util")} == members
        assert installed(other) == uv_installed(tmp_path, index, *args)
    sync(venv, store_dir, index, "-e", app, "--no-sources")
    assert {k: installed(venv)[k] for k in ("lib", "util")} == {
        "lib": ("9.0", None),
        "util": ("9.0", None),
    }
    sync(venv, store_dir, index, "-e", app)
    assert installed(venv)["lib"][0] == "0.1"
    assert "already in sync" in sync(venv, store_dir, index, "-e", app)
    monkeypatch.setenv("UV_NO_SOURCES", "1")  # past the no-op stamp of the same command line
    assert "lib 0.1 -> 9.0" in sync(venv, store_dir, index, "-e", app)
    monkeypatch.setenv("UV_NO_SOURCES", "false")  # (uv's false values: read)
    assert "lib 9.0 -> 0.1" in sync(venv, store_dir, index, "-e", app)


def test_no_sources_package_leaves_the_entries_of_the_projects_it_names_unread_as_uv_s(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv's ``--no-sources-package NAME`` (decision 403): NAME's entries unread, others followed.

    NAME is the dependency an entry is for, not the project that declares it (``app``: no
    change), nor one no entry names; a value may name several apart by spaces;
    ``UV_NO_SOURCES_PACKAGE`` (names apart by spaces) is read only when the option is not
    given, as uv 0.13.9 reads it. A lock of it takes the index's release too. (Path entries:
    uv 0.13.9 under any ``--no-sources-package`` finds no workspace, and refuses a
    ``workspace = true`` entry as naming no member.)
    """
    monkeypatch.delenv("UV_NO_SOURCES_PACKAGE", raising=False)
    paths = '[tool.uv.sources]\nlib = { path = "../lib" }\nutil = { path = "../util" }\n'
    app = project(tmp_path / "app", "app", "lib", "util", tail=paths)
    for name in ("lib", "util"):
        project(tmp_path / name, name)
    aged(*tmp_path.glob("*/pyproject.toml"))
    venv = tmp_path / "v"

    def versions(*args: str) -> dict[str, str]:
        sync(venv, store_dir, index, app, *args)
        got = installed(venv)
        assert got == uv_installed(tmp_path, index, app, *args), args
        return {name: got[name][0] for name in ("lib", "util")}

    local, index_lib = {"lib": "0.1", "util": "0.1"}, {"lib": "9.0", "util": "0.1"}
    assert versions("--no-sources-package", "LIB") == index_lib
    assert versions("--no-sources-package", "app", "--no-sources-package", "nothere") == local
    assert versions("--no-sources-package", "util lib") == {"lib": "9.0", "util": "9.0"}
    assert versions() == local
    assert "already in sync" in sync(venv, store_dir, index, app)
    monkeypatch.setenv("UV_NO_SOURCES_PACKAGE", " util ")  # past the no-op stamp
    assert versions() == {"lib": "0.1", "util": "9.0"}
    assert versions("--no-sources-package", "lib") == index_lib  # (the option, not the variable)
    monkeypatch.delenv("UV_NO_SOURCES_PACKAGE")
    lock = tmp_path / "pylock.toml"
    run_graft("lock", app, "-o", lock, "--index-url", f"{index.url}/simple",
              "--no-sources-package", "lib")  # fmt: skip
    by_name = {str(p["name"]): p for p in tomllib.loads(lock.read_text())["packages"]}
    assert (by_name["lib"]["version"], "directory" in by_name["util"]) == ("9.0", True)
    refused = run_graft("sync", tmp_path / "w", app, "--no-sources-package", "lib>1",
                        check=False)  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.startswith(
        "graft: error: --no-sources-package takes a project's name, not 'lib>1'"
    ), refused.stderr
    assert not (tmp_path / "w").exists()


def test_markers_files_extras_groups_and_a_path_dependencys_own_sources(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    """Each kind of entry, read as uv reads it.

    ``lib = { path }`` (not editable), whose own sources take ``deep`` from a path too;
    ``wh`` a wheel file; ``mk`` for Windows only (the index's here); ``ex`` under extra
    ``x`` only, ``gr`` under group ``dev`` only.
    """
    files = tmp_path / "files"
    files.mkdir()
    make_wheel(files, "wh", "0.5", files={"wh/__init__.py": "WHERE = 'file'\n"})
    project(tmp_path / "deep", "deep")
    project(
        tmp_path / "lib", "lib", "deep", tail='[tool.uv.sources]\ndeep = { path = "../deep" }\n'
    )
    for name in ("mk", "ex", "gr"):
        project(tmp_path / name, name)
    tail = textwrap.dedent(
        """\
        [project.optional-dependencies]
        x = ["ex"]
        [dependency-groups]
        dev = ["gr", "ex"]
        [tool.uv.sources]
        lib = { path = "../lib" }
        wh = { path = "../files/wh-0.5-py3-none-any.whl" }
        mk = [{ path = "../mk", marker = "sys_platform == 'win32'" }]
        ex = { path = "../ex", extra = "x" }
        gr = { path = "../gr", group = "dev" }
        """
    )
    app = project(tmp_path / "app", "app", "lib", "wh", "mk", tail=tail)
    venv = tmp_path / "v"
    sync(venv, store_dir, index, "-e", app)
    got = installed(venv)
    assert got["lib"] == ("0.1", ("dir", (tmp_path / "lib").as_uri(), False))
    assert got["deep"] == ("0.1", ("dir", (tmp_path / "deep").as_uri(), False))
    wheel = (files / "wh-0.5-py3-none-any.whl").as_uri()
    assert got["wh"] == ("0.5", ("archive", wheel))
    assert got["mk"] == ("9.0", None)
    assert "ex" not in got
    assert got == uv_installed(tmp_path, index, "-e", app)
    asked = ("-e", f"{app}[x]", "--group", f"{app / 'pyproject.toml'}:dev")
    sync(venv, store_dir, index, *asked)
    got = installed(venv)
    assert got["ex"] == ("0.1", ("dir", (tmp_path / "ex").as_uri(), False))
    assert got["gr"] == ("0.1", ("dir", (tmp_path / "gr").as_uri(), False))
    assert got == uv_installed(tmp_path, index, *asked)
    only_group = tmp_path / "g"  # ex by the group alone: its entry is the extra's
    sync(only_group, store_dir, index, "--group", f"{app / 'pyproject.toml'}:dev")
    assert installed(only_group)["ex"] == ("9.0", None)
    assert installed(only_group)["gr"][0] == "0.1"


def test_a_git_and_a_url_source(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    """``{ git, tag, subdirectory }`` from a local repository and ``{ url }`` of a served wheel.

    ``ul @ URL`` of a wheel on a server among a project's own URL requirements no longer
    stops the sync with an internal error either (it did on the code before).
    """
    work = project(tmp_path / "work" / "py", "gl").parent
    for args in (
        ("init", "-q", "-b", "main"),
        ("add", "-A"),
        ("commit", "-qm", "one"),
        ("tag", "v1"),
    ):
        subprocess.run(
            ["git", "-C", str(work), "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
            check=True, capture_output=True,
        )  # fmt: skip
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(work), str(tmp_path / "repo.git")],
        check=True, capture_output=True,
    )  # fmt: skip
    served = tmp_path / "url"
    served.mkdir()
    url = index.add(make_wheel(served, "ul", "0.3", files={"ul/__init__.py": "X = 1\n"}))
    tail = (
        "[tool.uv.sources]\n"
        f'gl = {{ git = "{(tmp_path / "repo.git").as_uri()}", tag = "v1", subdirectory = "py" }}\n'
        f'ul = {{ url = "{url}" }}\n'
    )
    app = project(tmp_path / "app", "app", "gl", "ul", tail=tail)
    venv = tmp_path / "v"
    sync(venv, store_dir, index, "-e", app)
    got = installed(venv)
    assert got["gl"][0] == "0.1"
    assert got["gl"][1][0] == "vcs"  # type: ignore[index]
    assert got["ul"] == ("0.3", ("archive", url))
    assert got == uv_installed(tmp_path, index, "-e", app)
    direct = project(tmp_path / "direct", "direct", f"ul @ {url}")
    sync(tmp_path / "d", store_dir, index, "-e", direct)
    assert installed(tmp_path / "d")["ul"] == ("0.3", ("archive", url))


def test_the_lock_writes_what_the_sources_mean_and_a_sync_of_it_installs_the_same(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    """Members as editable ``[packages.directory]`` (as ``uv pip compile`` writes them); a
    marker's source for its environments alone, the index's file elsewhere."""
    ws = workspace(tmp_path)
    project(tmp_path / "mk", "mk")
    app = ws / "packages" / "app"
    text = (app / "pyproject.toml").read_text().replace('"skip"]', '"skip", "mk"]')
    text += 'mk = [{ path = "../../../mk", marker = "sys_platform == \'win32\'" }]\n'
    (app / "pyproject.toml").write_text(text)
    lock = tmp_path / "pylock.toml"
    run_graft(
        "lock", "-e", app, "-o", lock, "--index-url", f"{index.url}/simple",
        "--python-version", THIS, "--platform", "linux", "--platform", "windows",
    )  # fmt: skip
    parsed = Pylock.from_dict(tomllib.loads(lock.read_text()))
    parsed.validate()
    by_name: dict[str, list[object]] = {}
    for package in parsed.packages:
        by_name.setdefault(str(package.name), []).append(package)
    for name in ("lib", "util"):
        (entry,) = by_name[name]
        assert entry.directory is not None  # type: ignore[attr-defined]
        assert entry.directory.editable is True  # type: ignore[attr-defined]
    (skip,) = by_name["skip"]
    assert skip.wheels  # type: ignore[attr-defined]
    markers = sorted((str(p.marker), p.directory is not None) for p in by_name["mk"])  # type: ignore[attr-defined]
    assert markers == [('sys_platform == "linux"', False), ('sys_platform == "win32"', True)]
    venv = tmp_path / "v"
    sync(venv, store_dir, index, lock)
    got = installed(venv)
    assert got["lib"] == ("0.1", ("dir", (ws / "packages" / "lib").as_uri(), True))
    assert got["mk"] == ("9.0", None)


def test_each_fast_path_follows_an_edit_of_the_sources(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    """The no-op stamp and memo, a new venv's replay, and the lock stamp, after an edit.

    The workspace root's pyproject.toml is read for its sources alone, and so is a path
    dependency's: an edit of either is an edit of the request.
    """
    ws = workspace(tmp_path)
    app = ws / "packages" / "app"
    venv = tmp_path / "v"
    # util's entry added (an entry taken away leaves the venv's editable util, now a plain
    # dependency, where it is, as uv keeps it: decision 461)
    (ws / "pyproject.toml").write_text(ROOT.replace("util = { workspace = true }\n", ""))
    aged(ws / "pyproject.toml")
    sync(venv, store_dir, index, "-e", app)
    assert "already in sync" in sync(venv, store_dir, index, "-e", app)
    (ws / "pyproject.toml").write_text(ROOT)
    aged(ws / "pyproject.toml")
    said = sync(venv, store_dir, index, "-e", app)
    assert "util 9.0 -> 0.1" in said
    assert "already in sync" in sync(venv, store_dir, index, "-e", app)
    sync(tmp_path / "new", store_dir, index, "-e", app)  # a new venv: a kept plan's replay
    assert installed(tmp_path / "new")["util"][0] == "0.1"
    lock = tmp_path / "pylock.toml"
    args = ("lock", "-e", app, "-o", lock, "--index-url", f"{index.url}/simple")
    run_graft(*args, "--python-version", THIS)
    run_graft(*args, "--python-version", THIS)
    (ws / "pyproject.toml").write_text(ROOT.replace("util = { workspace = true }\n", ""))
    aged(ws / "pyproject.toml")
    run_graft(*args, "--python-version", THIS)
    util = [
        p for p in Pylock.from_dict(tomllib.loads(lock.read_text())).packages if p.name == "util"
    ]
    assert [str(p.version) for p in util] == ["9.0"]
    # a path dependency's own sources: deep from the index, then (edited) from its path
    project(tmp_path / "deep", "deep")
    deep_sources = '[tool.uv.sources]\ndeep = { path = "../deep" }\n'
    lib = project(tmp_path / "lib", "lib", "deep", tail=deep_sources)
    other = project(
        tmp_path / "other",
        "other",
        "lib",
        tail='[tool.uv.sources]\nlib = { path = "../lib", editable = true }\n',
    )
    with_deep = (lib / "pyproject.toml").read_text()  # (first without it: decision 461)
    (lib / "pyproject.toml").write_text(with_deep.replace(deep_sources, ""))
    aged(lib / "pyproject.toml", other / "pyproject.toml")
    pathed = tmp_path / "p"
    sync(pathed, store_dir, index, "-e", other)
    assert installed(pathed)["deep"][0] == "9.0"
    assert "already in sync" in sync(pathed, store_dir, index, "-e", other)
    (lib / "pyproject.toml").write_text(with_deep)
    aged(lib / "pyproject.toml")
    assert "deep 9.0 -> 0.1" in sync(pathed, store_dir, index, "-e", other)


def test_a_project_named_by_its_file_and_its_name_is_installed_from_the_file(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    """``./mk mk`` and a marker's entry that holds in ``-r pyproject.toml``: both name ``mk``.

    The build of ``./mk`` was installed without its ``direct_url.json`` when the plain
    requirement came after the one naming the file (decision 370), as if from the index.
    """
    mk = project(tmp_path / "mk", "mk")
    tail = '[tool.uv.sources]\nmk = [{ path = "../mk", marker = "python_version >= \'3\'" }]\n'
    app = project(tmp_path / "app", "app", "mk", tail=tail)
    local = ("0.1", ("dir", mk.as_uri(), False))
    for args in ((mk, "mk"), ("-r", app / "pyproject.toml")):
        venv = tmp_path / f"v{len(list(tmp_path.glob('v*')))}"
        sync(venv, store_dir, index, *args)
        assert installed(venv)["mk"] == local
        assert installed(venv) == uv_installed(tmp_path, index, *args)


def test_a_source_meets_its_projects_requirement_whatever_its_version(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    """``lib>=2`` with ``lib = { path = "../lib" }`` at 0.1: the source, as uv lowers it.

    uv replaces the project's requirement by the source, its specifier dropped (decision
    373): ``-e app``, ``app``, ``-r app/pyproject.toml`` and a lock take lib 0.1 from the
    directory. Another project's ``lib>=2`` is still checked against it (refused, as uv
    refuses it).
    """
    project(tmp_path / "lib", "lib")
    tail = '[tool.uv.sources]\nlib = { path = "../lib" }\n'
    app = project(tmp_path / "app", "app", "lib>=2", tail=tail)
    lib_dir = ("dir", (tmp_path / "lib").as_uri(), False)
    forms: list[list[str | Path]] = [["-e", app], [app], ["-r", app / "pyproject.toml"]]
    for number, args in enumerate(forms):
        venv = tmp_path / f"v{number}"
        sync(venv, store_dir, index, *args)
        assert installed(venv)["lib"] == ("0.1", lib_dir)
        assert installed(venv) == uv_installed(tmp_path, index, *args)
    assert "already in sync" in sync(tmp_path / "v2", store_dir, index, *forms[-1])
    sync(tmp_path / "again", store_dir, index, *forms[-1])  # (the memo's set, checked again)
    assert installed(tmp_path / "again")["lib"] == ("0.1", lib_dir)
    lock = tmp_path / "pylock.toml"
    run_graft("lock", "-e", app, "-o", lock, "--index-url", f"{index.url}/simple",
              "--python-version", THIS)  # fmt: skip
    venv = tmp_path / "locked"
    sync(venv, store_dir, index, lock)
    assert installed(venv)["lib"] == ("0.1", lib_dir)
    folder = tmp_path / "needs"
    folder.mkdir()
    index.add(make_wheel(folder, "needlib", "1.0", requires=("lib>=2",)))
    other = project(tmp_path / "other", "other", "lib", "needlib", tail=tail)
    run = run_graft("sync", tmp_path / "no", "-e", other, "--index-url", f"{index.url}/simple",
                    "--store", store_dir, check=False)  # fmt: skip
    assert run.returncode == 1
    assert "needlib==1.0 (needlib-1.0-py3-none-any.whl) requires lib>=2" in run.stderr
    said = uv_refusal(tmp_path, index, "-e", other)
    assert said is None or "all versions of needlib depend on" in said, said
