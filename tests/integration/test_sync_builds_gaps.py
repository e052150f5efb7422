"""``graft sync`` with sdists: the warm path, ``prepare_metadata_for_build_wheel``, and
``--only-binary`` for named sources (issue 13's gaps).

Real backends (flit_core, setuptools) from a find-links directory, downloaded from PyPI once
and cached (tests/support/pypifiles.py); offline, these tests are skipped with that reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graft._toml import load_toml
from tests.conftest import run_graft
from tests.integration.test_sync_builds import (
    flit_project,
    py,
    site_packages,
    static_sdist,
    sync,
)
from tests.support.here import X_Y
from tests.support.importtime import imported
from tests.support.inbackend import WHEEL_WRITER
from tests.support.pypifiles import FLIT_CORE, SETUPTOOLS, TOMLI, release_files
from tests.support.sdistmaker import write_sdist
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def links(tmp_path: Path) -> Path:
    """A find-links directory: the backends, tomli 2.0.1's sdist, and a static sdist."""
    folder = tmp_path / "links"
    folder.mkdir()
    for item in release_files(FLIT_CORE, SETUPTOOLS, TOMLI).iterdir():
        (folder / item.name).symlink_to(item)
    static_sdist(folder)
    return folder


def test_a_warm_sync_of_sdists_imports_no_build_machinery(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "first.txt"
    first.write_text("statik\n")
    sync(tmp_path / "v1", store_dir, links, "-r", first)
    again = tmp_path / "again.txt"  # another file: the resolution memo misses, as in the benchmark
    again.write_text("statik\n")
    monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")
    run = sync(tmp_path / "v2", store_dir, links, "-r", again, "-v")
    names = imported(run.stderr)
    assert "graft.resolve.sdists" in names, "the sync met the sdists"
    assert not names & {"graft.builds", "graft.build.evidence", "pyproject_hooks"}
    assert "packaging.metadata" not in names, "kept surfaces: no METADATA parsed"
    reused = [line for line in run.stderr.splitlines() if line.startswith("graft: reused")]
    assert sorted(line.split()[2] for line in reused) == [
        "statik-1.0-py2.py3-none-any.whl",
        "tomli-2.0.1-py3-none-any.whl",
    ]
    assert py(tmp_path / "v2", "import statik, tomli; print(statik.__version__)") == "1.0"
    assert not list((cache / "builds").glob("work-*")), "no work directory for a reuse"


DYN_BACKEND = WHEEL_WRITER + textwrap.dedent(
    """
    import os

    NAME, VERSION, *REQUIRES = open("meta.txt").read().split()

    def _log(what):
        with open(os.environ["DYN_LOG"], "a") as fh:
            fh.write(what + " " + VERSION + "\\n")
        if os.environ.get("DYN_FAIL"):
            raise SystemExit("dyn cannot be built here")

    def _metadata():
        lines = ["Metadata-Version: 2.1", "Name: " + NAME, "Version: " + VERSION]
        lines += ["Requires-Dist: " + r for r in REQUIRES]
        return ("\\n".join(lines) + "\\n").encode()

    def _pid(hook):
        if os.environ.get("DYN_PIDS"):
            with open(os.environ["DYN_PIDS"], "a") as fh:
                fh.write(hook + " " + str(os.getpid()) + "\\n")

    def get_requires_for_build_wheel(config_settings=None):
        _pid("requires")
        if os.environ.get("DYN_REQUIRES_FAIL") == "exit":
            raise SystemExit("dyn cannot say what it requires")
        if os.environ.get("DYN_REQUIRES_FAIL") == "raise":
            raise RuntimeError("dyn cannot say what it requires")
        return [r for r in os.environ.get("DYN_REQUIRES", "").split("|") if r]

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        _pid("build")
        _log("build")
        info = NAME + "-" + VERSION + ".dist-info"
        files = {
            NAME + ".py": b"VERSION = " + repr(VERSION).encode() + b"\\n",
            info + "/METADATA": _metadata(),
            info + "/WHEEL": b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
        }
        return write_wheel(wheel_directory, NAME + "-" + VERSION + "-py3-none-any.whl", files)
    """
)
PREPARE_HOOK = textwrap.dedent(
    """
    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        _log("prepare")
        info = NAME + "-" + VERSION + ".dist-info"
        os.mkdir(os.path.join(metadata_directory, info))
        with open(os.path.join(metadata_directory, info, "METADATA"), "wb") as fh:
            fh.write(_metadata())
        return info
    """
)


def dyn_sdist(folder: Path, version: str, requires: str = "", *, hook: bool = True) -> Path:
    """An sdist whose metadata is not static (Metadata 2.1), built by an in-tree backend."""
    top = f"dyn-{version}"
    files = {
        f"{top}/PKG-INFO": f"Metadata-Version: 2.1\nName: dyn\nVersion: {version}\n",
        f"{top}/meta.txt": f"dyn {version} {requires}\n",
        f"{top}/_backend/dynback.py": DYN_BACKEND + (PREPARE_HOOK if hook else ""),
        f"{top}/pyproject.toml": textwrap.dedent(
            """
            [build-system]
            requires = []
            build-backend = "dynback"
            backend-path = ["_backend"]
            """
        ),
    }
    return write_sdist(folder / f"{top}.tar.gz", files)


@pytest.mark.parametrize("hook", [True, False], ids=["prepare-hook", "no-prepare-hook"])
def test_a_version_backtracked_from_is_never_built(
    tmp_path: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, hook: bool
) -> None:
    folder = tmp_path / "links"
    folder.mkdir()
    dyn_sdist(folder, "2.0", "tomli<2", hook=hook)  # conflicts with tomli==2.0.1 below
    dyn_sdist(folder, "1.0", hook=hook)
    make_wheel(folder, "tomli", "2.0.1", {"tomli/__init__.py": ""})
    log = tmp_path / "hooks.log"
    monkeypatch.setenv("DYN_LOG", str(log))
    run = sync(tmp_path / "v1", store_dir, folder, "dyn", "tomli==2.0.1", "-v")
    assert py(tmp_path / "v1", "import dyn; print(dyn.VERSION)") == "1.0"
    calls = log.read_text().splitlines()
    if hook:  # 2.0's metadata came from the hook; only the version chosen is built
        assert calls == ["prepare 2.0", "prepare 1.0", "build 1.0"], run.stderr
        assert "dyn-2.0.tar.gz for cpython" in run.stderr
        assert "prepare_metadata_for_build_wheel" in run.stderr
    else:  # the backend cannot say without building: each version built once, 1.0 reused
        assert calls == ["build 2.0", "build 1.0"], run.stderr
    # spelled otherwise, so the resolution memo misses and 2.0's metadata is read again
    run = sync(tmp_path / "v2", store_dir, folder, "dyn>=0.1", "tomli==2.0.1", "-v")
    assert "1 local, 2 sdist" in run.stderr
    assert log.read_text().splitlines() == calls, "kept metadata and the recorded build"
    if hook:
        assert "dyn-2.0.tar.gz for cpython" in run.stderr
        assert "kept from an earlier hook" in run.stderr
    assert py(tmp_path / "v2", "import dyn; print(dyn.VERSION)") == "1.0"


def flit_sdist(folder: Path, name: str, flit: str) -> Path:
    """A pure flit sdist with static metadata (2.2), its flit_core requirement spelled *flit*."""
    top = f"{name}-1.0"
    files = {
        f"{top}/PKG-INFO": f"Metadata-Version: 2.2\nName: {name}\nVersion: 1.0\nSummary: s\n",
        f"{top}/{name}.py": '"""A module."""\n__version__ = "1.0"\n',
        f"{top}/pyproject.toml": textwrap.dedent(
            f"""
            [build-system]
            requires = ["{flit}"]
            build-backend = "flit_core.buildapi"

            [project]
            name = "{name}"
            version = "1.0"
            description = "s"
            """
        ),
    }
    return write_sdist(folder / f"{top}.tar.gz", files)


def test_builds_share_an_environment_that_meets_their_requirements(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    flit_sdist(links, "alpha", "flit_core>=3.2,<4")
    flit_sdist(links, "beta", "flit_core >=3.4")
    flit_sdist(links, "gamma", "flit_core>=3.2,<4")
    run = sync(tmp_path / "v", store_dir, links, "alpha", "beta", "gamma", "-v")
    built = sorted(line.split()[2] for line in run.stderr.splitlines() if "graft: built" in line)
    assert built == [f"{n}-1.0-py2.py3-none-any.whl" for n in ("alpha", "beta", "gamma")]
    envs = [p for p in (cache / "build-envs").iterdir() if not p.name.startswith(".")]
    assert len(envs) == 1, "one flit_core environment"
    assert "Warning" not in run.stderr
    assert py(tmp_path / "v", "import alpha, beta, gamma; print(beta.__version__)") == "1.0"


@pytest.mark.parametrize(
    ("option", "line"),
    [
        (":all:", "{project}"),
        ("purepkg", "{project}"),
        ("PurePkg", "purepkg @ {uri}"),
    ],
)
def test_only_binary_in_a_requirements_file_applies_to_named_sources(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path, option: str, line: str
) -> None:
    project = flit_project(tmp_path / "proj")
    reqs = tmp_path / "reqs.txt"
    reqs.write_text(
        f"--only-binary {option}\n" + line.format(project=project, uri=project.as_uri()) + "\n"
    )
    run = sync(tmp_path / "v", store_dir, links, "-r", reqs, check=False)
    assert run.returncode == 2, run.stderr
    assert "needs a build, and --only-binary" in run.stderr
    assert not (tmp_path / "v").exists()
    # graft lock refuses as the sync does (its directories were built whatever the file said)
    out = tmp_path / "pylock.toml"
    run = run_graft("lock", "-r", reqs, "--no-index", "-f", links, "-o", out, check=False)
    assert run.returncode == 2, run.stderr
    assert "needs a build, and --only-binary" in run.stderr
    assert not out.exists()


def needy_sdist(folder: Path, name: str, requires: str) -> Path:
    """A flit sdist (static metadata) whose build also requires *requires*."""
    return flit_sdist(folder, name, f'flit_core>=3.4,<4", "{requires}')


def test_a_build_requirement_only_an_sdist_provides_is_built(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    flit_sdist(links, "helperbk", "flit_core>=3.4,<4")  # no wheel of it anywhere
    needy_sdist(links, "needy", "helperbk")
    run = sync(tmp_path / "v", store_dir, links, "needy", "-v")
    built = sorted(line.split()[2] for line in run.stderr.splitlines() if "graft: built" in line)
    assert built == ["needy-1.0-py2.py3-none-any.whl"]
    assert py(tmp_path / "v", "import needy; print(needy.__version__)") == "1.0"
    helper = list((cache / "wheels").glob("*/helperbk-1.0-*.whl"))
    assert len(helper) == 1, "helperbk built for needy's build environment"
    assert not list((tmp_path / "v" / "lib").glob("python3*/site-packages/helperbk.py"))


def test_a_build_requirement_that_needs_itself_is_a_cycle(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    needy_sdist(links, "selfish", "selfish")
    run = sync(tmp_path / "v", store_dir, links, "selfish", check=False)
    assert run.returncode == 1, run.stderr
    assert "build requirement cycle: selfish -> selfish" in run.stderr
    assert run.stderr.count("\n") <= 3, run.stderr
    assert not (tmp_path / "v").exists()


def write_lock(tmp_path: Path, links: Path, project: Path, *, sha: str | None = None) -> Path:
    """A pylock.toml (PEP 751) as another locker writes it: two sdists and a directory."""
    entries = []
    for name, version in (("statik", "1.0"), ("tomli", "2.0.1")):
        sdist = links / f"{name}-{version}.tar.gz"
        digest = sha or hashlib.sha256(sdist.read_bytes()).hexdigest()
        entries.append(
            f"""
            [[packages]]
            name = "{name}"
            version = "{version}"
            [packages.sdist]
            name = "{sdist.name}"
            path = "{os.path.relpath(sdist, tmp_path)}"
            upload-time = 2024-01-01T00:00:00Z
            size = {sdist.stat().st_size}
            hashes = {{sha256 = "{digest}"}}
            """
        )
    entries.append(
        f"""
        [[packages]]
        name = "purepkg"
        [packages.directory]
        path = "{os.path.relpath(project, tmp_path)}"
        """
    )
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "hand"\n' + "".join(textwrap.dedent(e) for e in entries)
    )
    return lock


def test_a_lock_with_sdists_and_a_directory_is_built_and_installed(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    project = flit_project(tmp_path / "proj")
    lock = write_lock(tmp_path, links, project)
    run = sync(tmp_path / "v", store_dir, links, lock, "-v")
    code = "import statik, tomli, purepkg; print(statik.__version__, tomli.loads('a=1'), purepkg.X)"
    assert py(tmp_path / "v", code) == "1.0 {'a': 1} 1"
    built = sorted(line.split()[2] for line in run.stderr.splitlines() if "graft: built" in line)
    assert [b.split("-")[0] for b in built] == ["purepkg", "statik", "tomli"]
    # a locked sdist is an index's file (PEP 751): no direct_url.json, as pip and uv install it
    # (decision 114); the directory is a direct reference
    site = site_packages(tmp_path / "v")
    assert not next(site.glob("statik-1.0.dist-info")).joinpath("direct_url.json").exists()
    direct = next(site.glob("purepkg-*.dist-info")) / "direct_url.json"
    assert "dir_info" in json.loads(direct.read_text())
    bad = write_lock(tmp_path, links, project, sha="0" * 64)
    refused = sync(tmp_path / "r", store_dir, links, bad, check=False)
    assert refused.returncode == 1, refused.stderr
    assert "not the hash given here" in refused.stderr
    assert not (tmp_path / "r").exists()


def test_uv_installs_the_same_lock(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        pytest.skip("uv is not installed here (it is in graft's dev extras)")
    lock = write_lock(tmp_path, links, flit_project(tmp_path / "proj"))
    venv = tmp_path / "uvv"
    subprocess.run([uv, "venv", "-q", str(venv)], check=True, capture_output=True)
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    offline = ["--no-index", "--find-links", str(links), "--offline"]
    run = subprocess.run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "--python",
            str(venv / "bin" / "python"),
            "-r",
            str(lock),
            *offline,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert py(venv, "import statik, tomli, purepkg; print(statik.__version__)") == "1.0"
    site = site_packages(venv)  # graft's rule (decision 114): uv writes none for an sdist
    assert not next(site.glob("statik-1.0.dist-info")).joinpath("direct_url.json").exists()


def test_a_release_pinned_by_the_request_is_built_at_once(
    tmp_path: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "links"
    folder.mkdir()
    dyn_sdist(folder, "2.0")
    dyn_sdist(folder, "1.0")
    log = tmp_path / "hooks.log"
    monkeypatch.setenv("DYN_LOG", str(log))
    sync(tmp_path / "v", store_dir, folder, "dyn==1.0")
    # a root == pin cannot be backtracked from: one backend run gives METADATA and wheel
    assert log.read_text().splitlines() == ["build 1.0"]
    assert py(tmp_path / "v", "import dyn; print(dyn.VERSION)") == "1.0"


def test_graft_lock_writes_sdists_and_sync_builds_them(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:

    lock = tmp_path / "pylock.toml"
    run = run_graft(
        "lock", "statik", "--find-links", links, "--no-index", "--python-version", X_Y,
        "--platform", "linux", "-o", lock, "-v",
    )  # fmt: skip
    assert "statik" in lock.read_text(), run.stderr
    packages = {p["name"]: p for p in load_toml(str(lock))["packages"]}
    assert sorted(packages) == ["statik", "tomli"]  # tomli: only its sdist, METADATA 2.1
    for name, version in (("statik", "1.0"), ("tomli", "2.0.1")):
        sdist = packages[name]["sdist"]
        assert "wheels" not in packages[name]
        path = links / f"{name}-{version}.tar.gz"
        assert sdist["hashes"] == {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        assert sdist["size"] == path.stat().st_size
        assert (lock.parent / sdist["path"]).resolve() == path.resolve()
    sync(tmp_path / "v", store_dir, links, lock)
    assert py(tmp_path / "v", "import statik, tomli; print(statik.__version__)") == "1.0"


def _watched_dyn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """dyn 1.0's sdist in a links folder, its hooks noting their process ids: folder, pids."""
    folder = tmp_path / "links"
    folder.mkdir()
    dyn_sdist(folder, "1.0")
    pids = tmp_path / "pids.log"
    monkeypatch.setenv("DYN_LOG", str(tmp_path / "hooks.log"))
    monkeypatch.setenv("DYN_PIDS", str(pids))
    return folder, pids


def test_get_requires_and_build_run_in_one_backend_process(
    tmp_path: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, pids = _watched_dyn(tmp_path, monkeypatch)
    sync(tmp_path / "v", store_dir, folder, "dyn==1.0")
    (hook1, pid1), (hook2, pid2) = (line.split() for line in pids.read_text().splitlines())
    assert (hook1, hook2) == ("requires", "build")
    assert pid1 == pid2, "one interpreter, the backend imported once"
    assert py(tmp_path / "v", "import dyn; print(dyn.VERSION)") == "1.0"


@pytest.mark.parametrize("how", ["exit", "raise"])
def test_a_failing_get_requires_runs_once_and_is_shown_once(
    tmp_path: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    folder, pids = _watched_dyn(tmp_path, monkeypatch)
    monkeypatch.setenv("DYN_REQUIRES_FAIL", how)
    run = sync(tmp_path / "v", store_dir, folder, "dyn==1.0", check=False)
    assert run.returncode == 1, run.stderr
    assert pids.read_text().split()[::2] == ["requires"], "the hook ran once"
    # as Python says it: a SystemExit's message alone, another exception's traceback, once
    tracebacks = run.stderr.count("Traceback (most recent call last)")
    assert tracebacks == (how == "raise"), run.stderr
    said = "RuntimeError: " if how == "raise" else ""
    lines = run.stderr.splitlines()
    assert lines.count(f"{said}dyn cannot say what it requires") == 1, run.stderr
    assert "get_requires_for_build_wheel of" in run.stderr.splitlines()[-1]
    assert not (tmp_path / "v").exists()


def test_a_build_the_first_hook_asked_more_for_is_done_again_in_the_grown_environment(
    tmp_path: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "links"
    folder.mkdir()
    dyn_sdist(folder, "1.0")
    make_wheel(folder, "buildhelper", "1.0", {"buildhelper.py": ""})
    log = tmp_path / "hooks.log"
    monkeypatch.setenv("DYN_LOG", str(log))
    monkeypatch.setenv("DYN_REQUIRES", 'buildhelper; python_version >= "3"|notthere; extra == "x"')
    run = sync(tmp_path / "v", store_dir, folder, "dyn==1.0", "-v")
    # built in the bare environment with get_requires, thrown away, built again with helper
    assert log.read_text().splitlines() == ["build 1.0", "build 1.0"]
    assert "get_requires_for_build_wheel" not in run.stderr, "no error, no log shown"
    envs = [p for p in (cache / "build-envs").iterdir() if not p.name.startswith(".")]
    helped = [e for e in envs if list(e.glob("lib/python3*/site-packages/buildhelper.py"))]
    assert len(helped) == 1


def test_graft_lock_of_a_project_directory_writes_it_as_a_directory(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    project = flit_project(tmp_path / "proj", deps='"statik"')
    lock = tmp_path / "pylock.toml"
    for path in [links, *links.iterdir()]:  # old enough for graft lock to leave a stamp
        os.utime(path, (time.time() - 60, time.time() - 60))
    first = run_graft(
        "lock", project, "--find-links", links, "--no-index", "--python-version", X_Y,
        "--platform", "linux", "-o", lock,
    )  # fmt: skip
    # pip 26.3 takes the other entries' hashes as --require-hashes and refuses the directory
    # (no file to hash): the one option that installs it is said (decision 120)
    (pip_note,) = [line for line in first.stderr.splitlines() if "--no-require-hashes" in line]
    assert pip_note == (
        "graft: warning: pip installs this lock only with --no-require-hashes (pip install"
        " --no-require-hashes -r LOCK): purepkg is locked as a directory or repository, which"
        " has no file to hash, and pip takes the lock's other hashes as --require-hashes for"
        " all (it still checks them); uv and graft sync install it as it is"
    )
    packages = {p["name"]: p for p in load_toml(str(lock))["packages"]}
    assert sorted(packages) == ["purepkg", "statik", "tomli"]
    assert packages["purepkg"]["directory"] == {"path": "proj"}
    assert "wheels" not in packages["purepkg"]
    sync(tmp_path / "v", store_dir, links, lock)
    assert py(tmp_path / "v", "import purepkg, statik; print(purepkg.X)") == "1"
    flit_project(project, deps="")  # the project drops its dependency: the same command again
    again = tmp_path / "pylock.again.toml"
    alone = run_graft(
        "lock", project, "--find-links", links, "--no-index", "--python-version", X_Y,
        "--platform", "linux", "-o", again,
    )  # fmt: skip
    assert sorted(p["name"] for p in load_toml(str(again))["packages"]) == ["purepkg"]
    assert "--no-require-hashes" not in alone.stderr  # (no hash in it: pip installs it)
    run_graft(  # -e PATH, as sync takes it: the same entry, editable
        "lock", "-e", project, "--find-links", links, "--no-index", "--python-version", X_Y,
        "--platform", "linux", "-o", tmp_path / "pylock.editable.toml",
    )  # fmt: skip
    (entry,) = load_toml(str(tmp_path / "pylock.editable.toml"))["packages"]
    assert entry["directory"] == {"path": "proj", "editable": True}
    sync(tmp_path / "e", store_dir, links, tmp_path / "pylock.editable.toml")
    direct = next(site_packages(tmp_path / "e").glob("purepkg-*.dist-info")) / "direct_url.json"
    assert json.loads(direct.read_text())["dir_info"] == {"editable": True}
    refused = run_graft("lock", links / "statik-1.0.tar.gz", "-o", lock, check=False)
    assert refused.returncode == 2, refused.stderr
    assert "no sdist path or URL" in refused.stderr


def test_a_locked_project_directory_has_no_version_and_installs_as_it_is_now(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """PEP 751: a package's version "MUST NOT be included when it cannot be guaranteed to be
    consistent with the code used (i.e. when a source tree is used)", as uv leaves it out; a
    project whose version was raised after the lock installs at its new version, as `uv pip
    install -r` and pip 26.3 install it (decision 312)."""
    project = flit_project(tmp_path / "proj", deps='"statik"')
    lock = tmp_path / "pylock.toml"
    run_graft(
        "lock", project, "--find-links", links, "--no-index", "--python-version", X_Y,
        "--platform", "linux", "-o", lock,
    )  # fmt: skip
    packages = {p["name"]: p for p in load_toml(str(lock))["packages"]}
    assert packages["purepkg"] == {"name": "purepkg", "directory": {"path": "proj"}}
    assert packages["statik"]["version"] == "1.0"  # (a file's release keeps its version)
    flit_project(project, version="0.2", deps='"statik"')  # the project's next release
    sync(tmp_path / "v", store_dir, links, lock)
    assert [p.name for p in site_packages(tmp_path / "v").glob("purepkg-*.dist-info")] == [
        "purepkg-0.2.dist-info"
    ]


def test_a_project_directory_bounds_the_python_versions_locked_by_default(
    tmp_path: Path, cache: Path, links: Path
) -> None:
    """A project requiring Python 3.12 is locked for 3.12 up, as uv locks a project; where
    the versions are named, one it excludes is left out with the reason in one line."""
    project = flit_project(tmp_path / "proj")
    toml = project / "pyproject.toml"
    toml.write_text(
        toml.read_text().replace(
            'description = "pure"', 'description = "pure"\nrequires-python = ">=3.12"'
        )
    )
    lock = tmp_path / "pylock.toml"
    args = ("--find-links", links, "--no-index", "--platform", "linux", "-o", lock)
    run = run_graft("lock", project, *args)
    assert "not locked" not in run.stderr, run.stderr
    data = load_toml(str(lock))
    assert data["requires-python"] == "<3.15,>=3.12"
    versions = {e.rpartition("python_version == ")[2] for e in data["environments"]}
    assert versions == {'"3.12"', '"3.13"', '"3.14"'}
    named = run_graft(
        "lock", project, *args, "--python-version", "3.11", "--python-version", "3.12"
    )
    skipped = [line for line in named.stderr.splitlines() if "not locked for" in line]
    assert len(skipped) == 1, named.stderr  # 3.11 on x86_64 and aarch64: one reason, one line
    assert "cp311 on manylinux_2_28_x86_64 and manylinux_2_28_aarch64: " in skipped[0]
    assert skipped[0].endswith(
        "excluded by every wheel that was tried (1 wheel; lock that environment alone to see)"
    ), named.stderr
    alone = run_graft("lock", project, *args, "--python-version", "3.11", check=False)
    assert "purepkg==0.1 (purepkg-0.1-py3-none-any.whl) requires Python >=3.12" in alone.stderr


def test_a_lock_leaves_out_the_environments_whose_sdist_does_not_build(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows x86_64 has a wheel; Linux and Windows arm64 need the sdist, whose metadata hook
    fails: they are left out with a warning naming the build (asked once for all three)."""
    folder = tmp_path / "links"
    folder.mkdir()
    dyn_sdist(folder, "1.0")
    make_wheel(folder, "dyn", "1.0", {"dyn.py": ""}, tag="py3-none-win_amd64")
    log = tmp_path / "hooks.log"
    monkeypatch.setenv("DYN_LOG", str(log))
    monkeypatch.setenv("DYN_FAIL", "1")
    lock = tmp_path / "pylock.toml"
    run = run_graft(
        "lock", "dyn==1.0", "--find-links", folder, "--no-index", "--python-version", "3.11",
        "--platform", "linux", "--platform", "windows", "-o", lock,
    )  # fmt: skip
    assert log.read_text().splitlines() == ["prepare 1.0"]  # not built at once, not again
    skipped = [line for line in run.stderr.splitlines() if "not locked for" in line]
    assert len(skipped) == 2, run.stderr  # linux x86_64 and aarch64 (one reason), windows arm64
    assert "cp311 on manylinux_2_28_x86_64 and manylinux_2_28_aarch64: " in skipped[0]
    assert all("prepare_metadata_for_build_wheel" in line for line in skipped), run.stderr
    (package,) = load_toml(str(lock))["packages"]
    assert [w["name"] for w in package["wheels"]] == ["dyn-1.0-py3-none-win_amd64.whl"]


def test_a_lock_that_fails_on_a_build_shows_its_output(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where every environment needs the sdist whose hook fails, the lock's error says "its
    whole output is above": the backend's output is there, as graft sync shows it (not with
    --json), but no command to rerun it: a lock keeps no unpacked sdist (decision 335)."""
    folder = tmp_path / "links"
    folder.mkdir()
    dyn_sdist(folder, "1.0")
    monkeypatch.setenv("DYN_LOG", str(tmp_path / "hooks.log"))
    monkeypatch.setenv("DYN_REQUIRES_FAIL", "exit")
    args = ("dyn", "--find-links", folder, "--no-index", "--python-version", "3.11")
    lock = tmp_path / "pylock.toml"
    run = run_graft("lock", *args, "--platform", "linux", "-o", lock, check=False)
    assert run.returncode == 1, run.stderr
    assert "dyn cannot say what it requires" in run.stderr  # the backend's own output
    assert "to rerun by hand" not in run.stderr
    last = run.stderr.rstrip().splitlines()[-1]
    assert last.startswith("graft: error: ")
    assert last.endswith("(its whole output is above)")
    assert not lock.exists()
    assert [p for p in (cache / "builds").iterdir() if p.name.startswith("work-")] == []
    again = ("lock", *args, "--platform", "linux", "-o", lock, "--json", "--refresh")
    quiet = run_graft(*again, check=False)  # (--refresh: the hook runs again, not remembered)
    error = json.loads(quiet.stdout)
    assert error["kind"] == "BuildError"
    assert "dyn cannot say" not in quiet.stderr
    assert "dyn cannot say what it requires" in error["log"]  # (nothing is above with --json)
    assert error["rerun"] is None
    assert error["hint"] == 'its whole output is under "log"'
    assert error["message"].endswith(f"({error['hint']})")  # (nothing is "above" here either)
    assert "above" not in error["message"]
    remembered = json.loads(run_graft(*again[:-1], check=False).stdout)
    assert "; remembered from " in remembered["error"]
    assert remembered["hint"] == "its output is as it was kept"  # (no tree was ever kept)
