"""uv's ``--all-extras``, ``--overrides`` and ``--excludes``, done as ``uv pip install`` does them.

Decision 342 refused them with a hint; decisions 387-389 make ``graft sync`` and ``graft
lock`` do what uv 0.13.9 does, on a loopback index of wheels made here. Each case is
compared with uv on the same index where uv is at hand (else that comparison is skipped,
saying so).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from tests.conftest import run_graft
from tests.integration import test_sync_uv_sources as uv_sources_test
from tests.support.importtime import graft_imports
from tests.support.rangeserver import Served, serve_made
from tests.support.toml import tomllib
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Served]:
    """a needs b<2; b 2.0 has an extra x (c); d's extra opt needs b<2; e needs a, and f."""
    folder = tmp_path / "served"
    with serve_made(folder, pep658=True) as served:  # (uv asks a wheel's METADATA so)
        for name, version, requires, extras in (
            ("a", "1.0", ("b<2",), ()),
            ("b", "1.0", (), ()),
            ("b", "2.0", ('c ; extra == "x"',), ("x",)),
            ("c", "1.0", (), ()),
            ("d", "1.0", ('b<2 ; extra == "opt"',), ("opt",)),
            ("e", "1.0", ("a", "f"), ()),
            ("f", "1.0", (), ()),
        ):
            files: dict[str, bytes | str] = {f"{name}/__init__.py": f"V = {version!r}\n"}
            wheel = make_wheel(
                folder, name, version, files, requires=requires, provides_extra=extras
            )
            served.add(wheel)
        yield served


def aged(*paths: Path) -> None:
    """Files older than the memo's two seconds of doubt (content decides, not mtimes)."""
    past = time.time() - 60
    for path in paths:
        os.utime(path, (past, past))


def sync(venv: Path, store: Path, served: Served, *args: str | Path, check: bool = True) -> str:
    url = f"{served.url}/simple/"
    return run_graft("sync", venv, *args, "--index-url", url, "--store", store, check=check).stderr


def installed(venv: Path) -> dict[str, str]:
    code = "import importlib.metadata as m, json; print(json.dumps({d.name: d.version for d in m.distributions()}))"  # noqa: E501
    found: dict[str, str] = json.loads(py(venv, code))
    return found


def uv_installed(tmp_path: Path, served: Served, *args: str | Path) -> dict[str, str]:
    """What ``uv pip install ARGS`` installs into a new venv from the same index."""
    return {
        name: version
        for name, (version, _) in uv_sources_test.uv_installed(tmp_path, served, *args).items()
    }


def written(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("override", "asked", "expected"),
    [
        # an upper bound raised (the dependency's b<2 replaced)
        ("b>=2\n", "a", {"a": "1.0", "b": "2.0"}),
        # an override whose marker does not hold drops the requirement there
        ('b>=2 ; python_version < "3"\n', "a", {"a": "1.0"}),
        # an override naming an extra brings the extra's requirements
        ("b[x]>=2\n", "a", {"a": "1.0", "b": "2.0", "c": "1.0"}),
        # a requirement of an extra stays one of that extra: d alone needs no b
        ("b>=2\n", "d", {"d": "1.0"}),
        ("b>=2\n", "d[opt]", {"d": "1.0", "b": "2.0"}),
        # the request's own requirement is overridden too
        ("b>=2\n", "b<2", {"b": "2.0"}),
        # a project nothing requires is not added
        ("c==1.0\n", "a", {"a": "1.0", "b": "1.0"}),
    ],
)
def test_overrides_replace_every_requirement_on_their_project_as_uv_does(
    tmp_path: Path,
    store_dir: Path,
    index: Served,
    override: str,
    asked: str,
    expected: dict[str, str],
) -> None:
    overrides = written(tmp_path / "overrides.txt", override)
    venv = tmp_path / "v"
    sync(venv, store_dir, index, asked, "--overrides", overrides)
    assert installed(venv) == expected
    assert uv_installed(tmp_path, index, asked, "--overrides", overrides) == expected


def test_excludes_leave_a_project_out_of_the_resolution_as_uv_does(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    excludes = written(tmp_path / "excludes.txt", "b\nf>=9 ; python_version < '3'\n")
    venv = tmp_path / "v"
    sync(venv, store_dir, index, "e", "--excludes", excludes)
    expected = {"a": "1.0", "e": "1.0"}  # (the specifier and marker are not read)
    assert installed(venv) == expected
    assert uv_installed(tmp_path, index, "e", "--excludes", excludes) == expected


def test_a_sync_whose_every_requirement_is_excluded_leaves_the_venv_as_it_was(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    # uv 0.13.9's uv pip install a --excludes (a) into a venv holding a and b: "Checked 1
    # package", exit 0, the venv as it was (decision 398)
    excludes = written(tmp_path / "excludes.txt", "a\n")
    venv = tmp_path / "v"
    sync(venv, store_dir, index, "a")
    said = sync(venv, store_dir, index, "a", "--excludes", excludes)
    line = f"graft: every requirement is excluded (--excludes {excludes}): nothing to install"
    assert said == f"{line}; {venv} left as it was\n"
    assert installed(venv) == {"a": "1.0", "b": "1.0"}
    other = tmp_path / "w"
    assert (
        sync(other, store_dir, index, "a", "--excludes", excludes) == f"{line}; {other} not made\n"
    )
    assert not other.exists()
    # a root left is synced as before: the venv holds what the request resolves to
    sync(venv, store_dir, index, "a", "f", "--excludes", excludes)
    assert installed(venv) == {"f": "1.0"}


def test_all_extras_installs_every_extra_of_the_project_as_uv_does(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    pyproject = written(
        project / "pyproject.toml",
        '[project]\nname = "proj"\nversion = "0.1"\ndependencies = ["a"]\n'
        '[project.optional-dependencies]\none = ["c"]\ntwo = ["d[opt]"]\n',
    )
    venv = tmp_path / "v"
    sync(venv, store_dir, index, "-r", pyproject, "--all-extras")
    expected = {"a": "1.0", "b": "1.0", "c": "1.0", "d": "1.0"}
    assert installed(venv) == expected
    assert uv_installed(tmp_path, index, "-r", pyproject, "--all-extras") == expected
    lock = tmp_path / "pylock.toml"
    url = f"{index.url}/simple/"
    run_graft("lock", "-r", pyproject, "--all-extras", "--index-url", url, "-o", lock)
    locked = {p["name"] for p in tomllib.loads(lock.read_text())["packages"]}
    assert locked == set(expected)


def test_all_extras_without_a_project_says_what_it_needs(tmp_path: Path) -> None:
    proc = run_graft("sync", tmp_path / "v", "a", "--all-extras", check=False)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert "--all-extras asks for the extras of -r pyproject.toml or a pylock.toml" in line
    assert not (tmp_path / "v").exists()


def test_an_edited_overrides_file_is_not_missed_by_a_stamp(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    overrides = written(tmp_path / "overrides.txt", "b>=2\n")
    aged(overrides)
    venv = tmp_path / "v"
    args = ("sync", venv, "a", "--overrides", overrides, "--index-url", f"{index.url}/simple/")
    graft_imports(*args, "--store", store_dir)
    assert installed(venv)["b"] == "2.0"
    _, modules = graft_imports(*args, "--store", store_dir)
    assert "graft.cli.noop" in modules
    assert "packaging.version" not in modules  # the control: the no-op stamp answers
    written(overrides, "b==1.0\n")
    aged(overrides)
    graft_imports(*args, "--store", store_dir)
    assert installed(venv)["b"] == "1.0"
    # a new venv of the same command line (the replay stamp's path)
    other = tmp_path / "w"
    written(overrides, "b>=2\n")
    aged(overrides)
    graft_imports("sync", other, *args[2:], "--store", store_dir)
    assert installed(other)["b"] == "2.0"


def test_a_lock_with_overrides_locks_what_they_give_and_an_edit_is_not_missed(
    tmp_path: Path, index: Served
) -> None:
    overrides = written(tmp_path / "overrides.txt", "b>=2\n")
    aged(overrides)
    lock = tmp_path / "pylock.toml"
    args = ("lock", "a", "--overrides", overrides, "--index-url", f"{index.url}/simple/")

    def versions() -> dict[str, str]:
        return {p["name"]: p["version"] for p in tomllib.loads(lock.read_text())["packages"]}

    graft_imports(*args, "-o", lock)
    assert versions() == {"a": "1.0", "b": "2.0"}
    _, modules = graft_imports(*args, "-o", lock)
    assert "packaging.version" not in modules  # the control: the lock stamp answers
    written(overrides, "b==1.0\n")
    aged(overrides)
    graft_imports(*args, "-o", lock)
    assert versions() == {"a": "1.0", "b": "1.0"}


def test_a_lock_made_with_overrides_installs_with_them(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    # uv pip install -r pylock.toml installs what uv pip compile --overrides locked; graft's
    # set check judges the lock's wheels by their own Requires-Dist, so it is told them too
    overrides = written(tmp_path / "overrides.txt", "b>=2\n")
    lock = tmp_path / "pylock.toml"
    url = f"{index.url}/simple/"
    run_graft("lock", "a", "--overrides", overrides, "--index-url", url, "-o", lock)
    venv = tmp_path / "v"
    said = sync(venv, store_dir, index, lock, check=False)
    assert "a==1.0 requires b<2, but b==2.0 is pinned" in said
    assert "a lock made with --overrides or --excludes: give them here too" in said
    assert not venv.exists()
    sync(venv, store_dir, index, lock, "--overrides", overrides)
    assert installed(venv) == {"a": "1.0", "b": "2.0"}
    other = tmp_path / "w"  # (the lock's wheels in the store now: checked after ingest)
    sync(other, store_dir, index, lock, "--overrides", overrides, "--link-mode", "copy")
    assert installed(other) == {"a": "1.0", "b": "2.0"}


@pytest.mark.parametrize(
    ("override", "asked", "expected"),
    [
        # an override naming a wheel by URL: that file, wherever b is required
        ("b @ {b2}", ("a",), {"a": "1.0", "b": "2.0"}),
        # an override by name replaces a requirement stated as a URL: the request's own,
        ("b<2", ("b @ {b2}",), {"b": "1.0"}),
        # a wheel's URL dependency (g, named by path, requires b @ URL),
        ("b<2", ("{g}",), {"g": "1.0", "b": "1.0"}),
        # and a [tool.uv.sources] entry
        ("b<2", ("-r", "{pyproject}"), {"b": "1.0"}),
        # an override's wheel stands for the one a -c constraint names (uv installs b 2.0)
        ("b @ {b2}", ("a", "-c", "{constraints}"), {"a": "1.0", "b": "2.0"}),
    ],
)
def test_an_override_replaces_a_url_or_source_requirement_and_may_name_a_wheel_as_uv_does(
    tmp_path: Path,
    store_dir: Path,
    index: Served,
    override: str,
    asked: tuple[str, ...],
    expected: dict[str, str],
) -> None:
    b2 = f"{index.url}/b-2.0-py3-none-any.whl"
    g = make_wheel(tmp_path, "g", "1.0", {"g/__init__.py": ""}, requires=(f"b @ {b2}",))
    project = tmp_path / "proj"
    project.mkdir()
    pyproject = written(
        project / "pyproject.toml",
        '[project]\nname = "proj"\nversion = "0.1"\ndependencies = ["b"]\n'
        f'[tool.uv.sources]\nb = {{ url = "{b2}" }}\n',
    )
    constraints = written(tmp_path / "c.txt", f"b @ {index.url}/b-1.0-py3-none-any.whl\n")
    names = {"b2": b2, "g": g, "pyproject": pyproject, "constraints": constraints}
    overrides = written(tmp_path / "overrides.txt", override.format(**names) + "\n")
    args = [a.format(**names) for a in asked]
    venv = tmp_path / "v"
    sync(venv, store_dir, index, *args, "--overrides", overrides)
    assert installed(venv) == expected
    assert uv_installed(tmp_path, index, *args, "--overrides", overrides) == expected
    if override.startswith("b @"):  # (installed from its URL, as a direct reference)
        direct = json.loads(
            (next(venv.glob("lib/*/site-packages/b-2.0.dist-info")) / "direct_url.json").read_text()
        )
        assert direct["url"] == b2


def audited(venv: Path) -> tuple[int, list[tuple[str, str, str]]]:
    """``graft audit VENV --json``'s exit status and its findings (kind, severity, detail)."""
    proc = run_graft("audit", venv, "--json", check=False)
    found = json.loads(proc.stdout)["findings"]
    return proc.returncode, [(f["kind"], f["severity"], f["detail"]) for f in found]


def test_a_venv_synced_with_overrides_is_judged_by_them_until_a_sync_without_them(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    # uv 0.13.9: --strict warns "The package `a` requires `b<2`, but `2.0` is installed" and
    # uv pip check fails on it (as pip check does: the reference below); graft judges the
    # venv by the overrides the user gave the sync, and reports the replaced requirement as
    # a remark (decision 396)
    overrides = written(tmp_path / "overrides.txt", "b>=2\n")
    overridden = [
        (
            "overridden-dependency",
            "info",
            "a==1.0 requires b<2, overridden by b>=2: b 2.0 installed",
        )
    ]
    venv, other = tmp_path / "v", tmp_path / "w"
    for each in (venv, other):  # (the second: a new venv of the same command line)
        said = sync(each, store_dir, index, "a", "--overrides", overrides, "--strict")
        assert "requires" not in said, said
        assert installed(each) == {"a": "1.0", "b": "2.0"}
        assert audited(each) == (0, overridden)
    pip = ["-m", "pip", "--python", str(venv / "bin" / "python"), "check"]
    checked = subprocess.run([sys.executable, *pip], capture_output=True, text=True, check=False)
    assert "a 1.0 has requirement b<2, but you have b 2.0." in checked.stdout
    # a sync without them re-resolves, as uv pip install a does: b 1.0, nothing to remark
    said = sync(venv, store_dir, index, "a", "--strict")
    assert installed(venv) == {"a": "1.0", "b": "1.0"}
    assert audited(venv) == (0, [])
    # the same wheels synced without them (--no-deps): the venv is judged as pip judges it
    sync(other, store_dir, index, "a", "b==2.0", "--no-deps")
    unmet = ("unmet-dependency", "error", "a==1.0 requires b<2, but b 2.0 is installed")
    assert audited(other) == (1, [unmet])


def test_uv_s_override_variable_is_refused_until_overrides_are_given(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = written(tmp_path / "overrides.txt", "b>=2\n")
    monkeypatch.setenv("UV_OVERRIDE", str(overrides))
    venv = tmp_path / "v"
    said = sync(venv, store_dir, index, "a", check=False)
    assert "UV_OVERRIDE is set" in said
    assert "(pass graft --overrides itself, or unset it)" in said
    assert not venv.exists()
    sync(venv, store_dir, index, "a", "--overrides", overrides)
    assert installed(venv) == {"a": "1.0", "b": "2.0"}


@pytest.mark.parametrize(
    ("flag", "line", "said"),
    [
        ("--overrides", "b @ https://example.invalid/b-2.0.tar.gz", "not a source or a hash"),
        ("--overrides", "-e {here}", "not a source or a hash"),
        ("--excludes", "b @ https://example.invalid/b-2.0-py3-none-any.whl", "not a file"),
        ("--excludes", "--index-url https://example.invalid/simple", "not an option"),
    ],
)
def test_an_overrides_or_excludes_file_names_projects_only(
    tmp_path: Path, flag: str, line: str, said: str
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    (here / "pyproject.toml").write_text('[project]\nname = "here"\nversion = "1"\n')
    given = written(tmp_path / "given.txt", line.format(here=here) + "\n")
    venv = tmp_path / "v"
    proc = run_graft("sync", venv, "a", flag, given, "--no-index", check=False)
    assert proc.returncode == 2
    (error,) = proc.stderr.splitlines()
    assert f"{flag} names projects" in error
    assert said in error
    assert not venv.exists()


@contextlib.contextmanager
def index_of(tmp_path: Path, releases: tuple[tuple[str, str, str | None], ...]) -> Iterator[Served]:
    """A loopback index of a wheel per (name, version, upload time or None)."""
    folder = tmp_path / "served"
    with serve_made(folder, pep658=True) as served:
        for name, version, uploaded in releases:
            wheel = make_wheel(folder, name, version, {f"{name}/__init__.py": ""})
            served.add_wheel(wheel, **({"upload_time": uploaded} if uploaded else {}))
        yield served


def both_alike(
    tmp_path: Path,
    store_dir: Path,
    served: Served,
    asked: tuple[str, ...],
    cases: tuple[tuple[tuple[str, ...], dict[str, str]], ...],
) -> None:
    """Each case's options install what is expected, by graft into a new venv and by uv."""
    for args, expected in cases:
        venv = tmp_path / f"v{len(list(tmp_path.glob('v*')))}"
        sync(venv, store_dir, served, *asked, *args)
        assert installed(venv) == expected, args
        assert uv_installed(tmp_path, served, *asked, *args) == expected, args


_OLD, _NEW = "2020-01-01T00:00:00Z", "2022-01-01T00:00:00Z"
#: uv's per-project options: the releases served, the cases, and what one not NAME=VALUE says
PER_PROJECT = {
    "--exclude-newer-package": (
        (("g", "1.0", _OLD), ("g", "2.0", _NEW), ("h", "1.0", _OLD), ("h", "2.0", _NEW)),
        (
            # the project's own cutoff stands for --exclude-newer's, later or earlier
            (("--exclude-newer", "2021-01-01", "--exclude-newer-package", "g=2023-01-01"),
             {"g": "2.0", "h": "1.0"}),
            (("--exclude-newer-package", "G=2021-01-01"), {"g": "1.0", "h": "2.0"}),
            # the last given for a project wins
            (("--exclude-newer-package", "g=2021-01-01", "--exclude-newer-package", "g=P1D"),
             {"g": "2.0", "h": "2.0"}),
        ),
        "--exclude-newer-package takes NAME=DATE, not 'g'",
    ),
    "--prerelease-package": (
        (("g", "1.0", None), ("g", "2.0rc1", None), ("h", "1.0", None), ("h", "2.0rc1", None)),
        (
            (("--prerelease-package", "g=allow"), {"g": "2.0rc1", "h": "1.0"}),
            (("--prerelease", "allow", "--prerelease-package", "G=disallow"),
             {"g": "1.0", "h": "2.0rc1"}),
            # the last given for a project wins
            (("--prerelease-package", "g=allow", "--prerelease-package", "g=disallow"),
             {"g": "1.0", "h": "1.0"}),
        ),
        "--prerelease-package takes NAME=MODE (MODE: allow, if-necessary or disallow), not 'g'",
    ),
}  # fmt: skip


@pytest.mark.parametrize("flag", sorted(PER_PROJECT))
def test_uv_s_per_project_options_are_taken_as_uv_takes_them(
    tmp_path: Path, store_dir: Path, flag: str
) -> None:
    releases, cases, refusal = PER_PROJECT[flag]
    with index_of(tmp_path, releases) as served:
        both_alike(tmp_path, store_dir, served, ("g", "h"), cases)
    proc = run_graft("sync", tmp_path / "w", "g", flag, "g", check=False)
    assert proc.returncode == 2
    assert refusal in proc.stderr
    assert not (tmp_path / "w").exists()


def test_a_lock_applies_the_overrides_in_every_environment_its_wheels_differ_in(
    tmp_path: Path,
) -> None:
    # app 1.0's Linux wheel requires lib<2, its Windows wheel lib>=2,<3 (graft reads each
    # wheel's own METADATA, so the environments resolve apart: decision 201's views); the
    # override stands for both, and each environment's selection takes lib 3.0 (decision
    # 398; uv pip compile --universal --overrides locks lib 3.0 alike)
    from packaging.pylock import Pylock
    from packaging.tags import Tag

    if TYPE_CHECKING:
        from packaging.markers import Environment

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for version in ("1.0", "2.0", "3.0"):
        make_wheel(wheels, "lib", version, {"lib/__init__.py": ""})
    platforms = {"manylinux_2_17_x86_64": "lib<2", "win_amd64": "lib>=2,<3"}
    for platform, requires in platforms.items():
        files: dict[str, bytes | str] = {"app/__init__.py": ""}
        tag = f"py3-none-{platform}"
        make_wheel(wheels, "app", "1.0", files, requires=(requires,), tag=tag)
    overrides = written(tmp_path / "overrides.txt", "lib>=3\n")
    base = {"python_version": "3.12", "python_full_version": "3.12.1", "platform_release": ""}
    base |= {"implementation_name": "cpython", "platform_python_implementation": "CPython"}
    base |= {"implementation_version": "3.12.1", "platform_version": ""}
    envs = {
        "manylinux_2_17_x86_64": {"sys_platform": "linux", "platform_machine": "x86_64",
                                  "platform_system": "Linux", "os_name": "posix"},
        "win_amd64": {"sys_platform": "win32", "platform_machine": "AMD64",
                      "platform_system": "Windows", "os_name": "nt"},
    }  # fmt: skip
    for given, expected in (((), {"1.0", "2.0"}), (("--overrides", overrides), {"3.0"})):
        lock = tmp_path / "pylock.toml"
        run_graft(
            "lock", "app", *given, "--no-index", "-f", wheels, "--platform", "linux",
            "--platform", "windows", "--python-version", "3.12", "-o", lock,
        )  # fmt: skip
        pylock = Pylock.from_dict(tomllib.loads(lock.read_text()))
        chosen = set()
        for platform, env in envs.items():
            tags = [Tag("py3", "none", platform), Tag("py3", "none", "any")]
            environment = cast("Environment", {**base, **env})
            selected = {
                str(p.name): str(p.version)
                for p, _ in pylock.select(environment=environment, tags=tags)
            }
            chosen.add(selected["lib"])
        assert chosen == expected, given
