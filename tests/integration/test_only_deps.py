"""pip 26.3's ``--only-deps``: a project directory's dependencies, not the project (decision 438).

``pip install --only-deps '.[fast]'`` (an image's layer of a project's dependencies) was
refused by graft as an unknown option with no word on what to use. pip resolves the project
and drops it from what it installs; graft reads the directory as ``-r DIR/pyproject.toml``
with those extras, the same set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.integration.test_resolve_sync import index, installed, sync  # noqa: F401 - fixture
from tests.support.rangeserver import serve
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator

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


@pytest.fixture
def chain(wheels: Path) -> Iterator[Served]:
    """app needs mid (and speedy for "fast"), mid needs lib>=1, other needs lib<2."""
    with serve() as served:
        requires = ("mid", 'speedy; extra == "fast"')
        served.add(make_wheel(wheels, "app", "1.0", {"app.py": ""}, requires=requires))
        served.add(make_wheel(wheels, "mid", "1.0", {"mid.py": ""}, requires=("lib>=1",)))
        served.add(make_wheel(wheels, "speedy", "0.5", {"speedy.py": ""}))
        served.add(make_wheel(wheels, "other", "1.0", {"other.py": ""}, requires=("lib<2",)))
        for version in ("1.0", "2.0"):
            served.add(make_wheel(wheels, "lib", version, {"lib.py": ""}))
        yield served


def test_only_deps_resolves_the_requirements_named_and_leaves_them_out_as_pip_does(
    tmp_path: Path, store_dir: Path, chain: Served
) -> None:
    """pip 26.3 ``install --dry-run --ignore-installed --report - --only-deps`` on this index:
    ``app`` gives lib 2.0 and mid 1.0; ``'app[fast]' lib`` mid 1.0 and speedy 0.5 (lib named,
    though mid needs it); ``app other`` lib 1.0 and mid 1.0; ``app mid`` lib 2.0.
    """
    pip = {
        ("app",): {"lib": "2.0", "mid": "1.0"},
        ("app[fast]", "lib"): {"mid": "1.0", "speedy": "0.5"},
        ("app", "other"): {"lib": "1.0", "mid": "1.0"},
        ("app", "mid"): {"lib": "2.0"},
    }
    for i, (named, expected) in enumerate(pip.items()):
        sync(tmp_path / f"v{i}", chain, store_dir, "--only-deps", *named)
        assert installed(tmp_path / f"v{i}") == expected, named
    # the dry run says what it leaves out, in words and in --json
    venv = tmp_path / "v1"
    out = sync(tmp_path / "new", chain, store_dir, "--only-deps", "app[fast]", "lib", "--dry-run")
    assert "graft: would leave out (--only-deps): app==1.0, lib==2.0" in out.splitlines()
    said = json.loads(
        sync(venv, chain, store_dir, "--only-deps", "app[fast]", "lib", "--json", "--dry-run")
    )
    assert said["left_out"] == ["app==1.0", "lib==2.0"]
    assert said["in_sync"] is True
    # the same command is a no-op; without the flag, the projects named are installed
    again = sync(venv, chain, store_dir, "--only-deps", "app[fast]", "lib")
    assert "already in sync" in again
    sync(venv, chain, store_dir, "app[fast]", "lib")
    assert installed(venv) == {"app": "1.0", "lib": "2.0", "mid": "1.0", "speedy": "0.5"}
    sync(venv, chain, store_dir, "app[fast]", "lib", "--only-deps")
    assert installed(venv) == {"mid": "1.0", "speedy": "0.5"}


@pytest.fixture
def forked(wheels: Path) -> Iterator[Served]:
    """``chain``'s projects, with a dependency and a version of lib for Windows alone.

    app also needs ``winonly; sys_platform == "win32"``, mid also ``lib<2; sys_platform ==
    "win32"``: a universal lock holds lib 1.0 for Windows and lib 2.0 elsewhere.
    """
    with serve() as served:
        requires = ("mid", 'speedy; extra == "fast"', 'winonly; sys_platform == "win32"')
        served.add(
            make_wheel(
                wheels, "app", "1.0", {"app.py": ""}, requires=requires, provides_extra=("fast",)
            )
        )
        mid = ("lib>=1", 'lib<2; sys_platform == "win32"')
        served.add(make_wheel(wheels, "mid", "1.0", {"mid.py": ""}, requires=mid))
        for name, version in (("speedy", "0.5"), ("winonly", "1.0"), ("lib", "1.0")):
            served.add(make_wheel(wheels, name, version, {f"{name}.py": ""}))
        served.add(make_wheel(wheels, "other", "1.0", {"other.py": ""}, requires=("lib<2",)))
        served.add(make_wheel(wheels, "lib", "2.0", {"lib.py": ""}))
        yield served


def _locked_for(lock: Path) -> dict[str, dict[str, str]]:
    """The lock's packages whose markers hold on Linux and on Windows (CPython 3.11)."""
    import tomllib
    from packaging.markers import default_environment
    from packaging.pylock import Pylock

    pylock = Pylock.from_dict(tomllib.loads(lock.read_text()))
    pylock.validate()
    sets = {}
    for platform, system in (("linux", "Linux"), ("win32", "Windows")):
        env = {
            **default_environment(),
            "sys_platform": platform,
            "platform_system": system,
            "python_version": "3.11",
            "python_full_version": "3.11.7",
        }
        sets[platform] = {
            str(p.name): str(p.version)
            for p in pylock.packages
            if p.marker is None or p.marker.evaluate(env)  # type: ignore[arg-type]
        }
    return sets


def test_a_lock_of_only_the_dependencies_leaves_the_projects_named_out_of_every_environment(
    tmp_path: Path, store_dir: Path, forked: Served
) -> None:
    """pip 26.3 ``lock --only-deps`` on this index (a lock for the machine, Linux): ``app``
    locks lib 2.0 and mid 1.0; ``'app[fast]' lib`` mid 1.0 and speedy 0.5 (lib named, though
    mid needs it); ``app other`` lib 1.0 and mid 1.0; ``app mid`` lib 2.0; ``lib`` nothing.
    graft's universal lock holds the same for Linux, and for Windows what those
    resolutions give there (winonly, lib 1.0), the projects named in no environment.
    """
    lock = tmp_path / "pylock.toml"
    url = f"{forked.url}/simple/"
    linux = {
        ("app",): {"lib": "2.0", "mid": "1.0"},
        ("app[fast]", "lib"): {"mid": "1.0", "speedy": "0.5"},
        ("app", "other"): {"lib": "1.0", "mid": "1.0"},
        ("app", "mid"): {"lib": "2.0"},
        ("lib",): {},
    }
    windows = {
        ("app",): {"lib": "1.0", "mid": "1.0", "winonly": "1.0"},
        ("app[fast]", "lib"): {"mid": "1.0", "speedy": "0.5", "winonly": "1.0"},
        ("app", "other"): {"lib": "1.0", "mid": "1.0", "winonly": "1.0"},
        ("app", "mid"): {"lib": "1.0", "winonly": "1.0"},
        ("lib",): {},
    }
    for i, (named, expected) in enumerate(linux.items()):  # (each its own: no versions kept)
        out = tmp_path / f"l{i}" / "pylock.toml"
        out.parent.mkdir()
        proc = run_graft("lock", "-v", "--only-deps", *named, "--index-url", url, "-o", out)
        sets = _locked_for(out)
        assert sets == {"linux": expected, "win32": windows[named]}, named
        assert not {"app", *named} & {p for names in sets.values() for p in names}, named
        assert "graft: --only-deps: left out app==1.0" in proc.stderr or named == ("lib",)
    # the lock of app's dependencies installs them, not app
    run_graft("lock", "--only-deps", "app", "--index-url", url, "-o", lock)
    venv = tmp_path / "v"
    run_graft("sync", venv, lock, "--store", store_dir)
    assert installed(venv) == {"lib": "2.0", "mid": "1.0"}
    # a project named that another needs is not in the lock (pip's own lock of it fails to
    # install: pip resolves mid's lib>=1 again): the sync says so, and --no-deps takes it
    run_graft("lock", "--only-deps", "app[fast]", "lib", "--index-url", url, "-o", lock)
    proc = run_graft("sync", venv, lock, "--store", store_dir, check=False)
    assert proc.returncode != 0
    assert proc.stderr.splitlines() == [
        (
            "graft: error: the set is incomplete: mid==1.0 requires lib>=1, which is missing"
            " (add the missing pins, or pass --no-deps (a lock made with --overrides or"
            " --excludes: give them here too; one made with --only-deps lacks the projects it"
            " named, even where others need them))"
        )
    ]
    assert installed(venv) == {"lib": "2.0", "mid": "1.0"}
    run_graft("sync", venv, lock, "--store", store_dir, "--no-deps")
    assert installed(venv) == {"mid": "1.0", "speedy": "0.5"}
