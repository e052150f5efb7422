"""``graft lock`` against a loopback index whose wheels are made in the test.

Each release's wheels are tagged per platform (compressed tag sets, so one wheel covers
both machines of a system) and state their own METADATA; the lock must fork exactly where
the surfaces differ, and ``Pylock.select()`` must give each listed environment its own set.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker
from packaging.pylock import Pylock, PylockSelectError
from packaging.tags import Tag

from graft.resolve.environments import Environment, matrix
from tests.conftest import run_graft
from tests.support.rangeserver import Served, serve
from tests.support.toml import tomllib
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

LINUX = "py3-none-manylinux_2_17_x86_64.manylinux_2_17_aarch64"
MACOS = "py3-none-macosx_11_0_arm64.macosx_10_9_x86_64"
WINDOWS = "py3-none-win_amd64.win_arm64"


def _release(
    served: Served, wheels: Path, name: str, version: str, per_tag: dict[str, dict[str, Any]]
) -> None:
    for tag, meta in per_tag.items():
        served.add(
            make_wheel(wheels, name, version, {f"{name}_{tag[-5:]}.py": ""}, tag=tag, **meta)
        )


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    with serve() as served:
        for dep in ("linuxdep", "windep", "dep", "gpulib", "a", "b"):
            served.add(make_wheel(wheels, dep, "1.0", {f"{dep}.py": ""}))
        # Linux and macOS wheels need linuxdep, the Windows wheel windep: two nodes
        _release(served, wheels, "plat", "1.0", {
            LINUX: {"requires": ("linuxdep",)},
            MACOS: {"requires": ("LinuxDep",)},  # spelt otherwise, the same surface
            WINDOWS: {"requires": ("windep",)},
        })  # fmt: skip
        # formatting only: one node
        _release(served, wheels, "fmt", "1.0", {
            LINUX: {"requires": ("dep >=1.0, <2.0",)},
            MACOS: {"requires": ("Dep<2.0,>=1.0",)},
            WINDOWS: {"requires": ("dep (<2.0,>=1.0)",)},
        })  # fmt: skip
        # all alike: the negative control
        _release(
            served,
            wheels,
            "same",
            "1.0",
            {t: {"requires": ("dep",)} for t in (LINUX, MACOS, WINDOWS)},
        )
        # Requires-Python: the Linux wheel of 2.0 needs 3.11; 1.0 does not
        _release(served, wheels, "rp", "1.0", {LINUX: {}, WINDOWS: {}})
        _release(served, wheels, "rp", "2.0", {
            LINUX: {"requires_python": ">=3.11"},
            WINDOWS: {"requires_python": ">=3.8"},
        })  # fmt: skip
        # an extra only the Linux wheel declares
        _release(served, wheels, "ex", "1.0", {
            LINUX: {"requires": ('gpulib; extra == "gpu"',), "provides_extra": ("gpu",)},
            WINDOWS: {},
        })  # fmt: skip
        # an extra 2.0 adds, which needs a library with a Linux wheel only; 1.0 has no extra
        served.add(make_wheel(wheels, "acc", "1.0", {"acc.py": ""}))
        served.add(
            make_wheel(
                wheels, "acc", "2.0", {"acc.py": ""},
                requires=('fastlib; extra == "fast"',), provides_extra=("fast",),
            )
        )  # fmt: skip
        _release(served, wheels, "fastlib", "1.0", {LINUX: {}})
        # two Linux wheels that only the manylinux level tells apart
        _release(served, wheels, "amb", "1.0", {
            "py3-none-manylinux_2_17_x86_64": {"requires": ("a",)},
            "py3-none-manylinux_2_28_x86_64": {"requires": ("b",)},
        })  # fmt: skip
        # a rebuilt wheel (build tag 2) with other dependencies: every installer picks it
        served.add(make_wheel(wheels, "bt", "1.0", {"bt.py": ""}, requires=("a",)))
        served.add(
            make_wheel(
                wheels, "bt", "1.0", {"bt.py": ""}, requires=("b",),
                filename="bt-1.0-2-py3-none-any.whl",
            )
        )  # fmt: skip
        yield served


def refused(tmp_path: Path, served: Served, *args: str) -> str:
    """``graft lock`` that must fail; its stderr."""
    out = tmp_path / "pylock.toml"
    proc = run_graft("lock", "--index-url", f"{served.url}/simple/", "-o", out, *args, check=False)
    assert proc.returncode == 1, proc.stderr
    assert not out.exists()
    return proc.stderr


def lock(tmp_path: Path, served: Served, *args: str) -> tuple[Pylock, str]:
    """``graft lock``: the lock (validated by packaging) and stderr."""
    out = tmp_path / "pylock.toml"
    proc = run_graft("lock", "--index-url", f"{served.url}/simple/", "-o", out, *args)
    data = tomllib.loads(out.read_text())
    parsed = Pylock.from_dict(data)
    parsed.validate()
    assert data["created-by"] == "graft"
    return parsed, proc.stderr


def environments(parsed: Pylock) -> list[Environment]:
    """The matrix environments the lock lists (each marker found among all of them)."""
    every = matrix(["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"], ["linux", "macos", "windows"])
    listed = {str(m) for m in parsed.environments or ()}
    found = [e for e in every if str(Marker(e.marker)) in listed]
    assert len(found) == len(listed)
    return found


def selected(parsed: Pylock, env: Environment, extras: tuple[str, ...] = ()) -> dict[str, str]:
    tags = [Tag(*t.split("-", 2)) for t in env.target.tags]
    return {
        str(package.name): str(getattr(dist, "name", ""))
        for package, dist in parsed.select(
            environment=env.target.markers,  # type: ignore[arg-type]
            tags=tags,
            extras=extras,
        )
    }


def entries(parsed: Pylock, name: str) -> list[Any]:
    return [p for p in parsed.packages if p.name == name]


def _disjoint(parsed: Pylock, name: str, envs: list[Environment]) -> None:
    for env in envs:
        holding = [
            p
            for p in entries(parsed, name)
            if p.marker is None or p.marker.evaluate({**env.target.markers, "extra": ""})
        ]
        assert len(holding) <= 1, (env.label, [str(p.marker) for p in holding])


def test_wheels_that_require_different_packages_get_one_entry_each(
    tmp_path: Path, index: Served
) -> None:
    parsed, _ = lock(tmp_path, index, "plat")
    envs = environments(parsed)
    assert len(envs) == 36  # 3.9 to 3.14 x linux, macos, windows x two machines
    plat = entries(parsed, "plat")
    assert len(plat) == 2  # Linux and macOS share a surface; Windows has its own
    assert all(p.marker is not None for p in plat)
    assert sorted(len(p.wheels or ()) for p in plat) == [1, 2]  # each lists its own wheels
    _disjoint(parsed, "plat", envs)
    assert {str(p.marker) for p in entries(parsed, "windep")} == {'sys_platform == "win32"'}
    for env in envs:
        got = selected(parsed, env)
        if env.target.markers["sys_platform"] == "win32":
            assert set(got) == {"plat", "windep"}
            assert got["plat"].endswith("win_amd64.win_arm64.whl")
        else:
            assert set(got) == {"plat", "linuxdep"}


def test_wheels_differing_only_in_formatting_share_one_entry(tmp_path: Path, index: Served) -> None:
    parsed, _ = lock(tmp_path, index, "fmt", "--python-version", "3.12")
    (fmt,) = entries(parsed, "fmt")
    assert fmt.marker is None
    assert len(fmt.wheels or ()) == 3
    assert [p.marker for p in entries(parsed, "dep")] == [None]
    for env in environments(parsed):
        assert set(selected(parsed, env)) == {"fmt", "dep"}


def test_all_wheels_alike_give_one_entry_without_a_marker(tmp_path: Path, index: Served) -> None:
    parsed, _ = lock(tmp_path, index, "same")
    assert len(environments(parsed)) == 36
    assert [(p.name, p.marker, len(p.wheels or ())) for p in parsed.packages] == [
        ("dep", None, 1),
        ("same", None, 3),
    ]
    assert str(parsed.requires_python) == "<3.15,>=3.9"


def test_wheels_differing_in_requires_python_fork_by_version(tmp_path: Path, index: Served) -> None:
    parsed, _ = lock(
        tmp_path, index, "rp", "--python-version", "3.10", "--python-version", "3.11",
        "--platform", "linux", "--platform", "windows",
    )  # fmt: skip
    envs = environments(parsed)
    assert len(envs) == 8
    rp = entries(parsed, "rp")
    assert sorted((str(p.version), str(p.marker)) for p in rp) == [
        ("1.0", 'sys_platform == "linux" and python_version < "3.11"'),
        ("2.0", 'sys_platform == "linux" and python_version >= "3.11"'),
        ("2.0", 'sys_platform == "win32"'),
    ]
    _disjoint(parsed, "rp", envs)
    for env in envs:
        linux_old = env.python == "3.10" and env.target.markers["sys_platform"] == "linux"
        assert selected(parsed, env)["rp"].startswith("rp-1.0" if linux_old else "rp-2.0")


def test_an_extra_only_some_wheels_declare(tmp_path: Path, index: Served) -> None:
    parsed, err = lock(
        tmp_path, index, "ex[gpu]", "--python-version", "3.12",
        "--platform", "linux", "--platform", "windows",
    )  # fmt: skip
    assert err.count("does not provide the extra 'gpu'") == 1  # (both Windows machines: once)
    assert "cp312 on win_amd64 and win_arm64: ex==1.0" in err
    assert [str(p.marker) for p in entries(parsed, "gpulib")] == ['sys_platform == "linux"']
    for env in environments(parsed):
        names = set(selected(parsed, env))
        linux = env.target.markers["sys_platform"] == "linux"
        assert names == ({"ex", "gpulib"} if linux else {"ex"})


def test_an_older_release_without_the_extra_leaves_its_environments_out(
    tmp_path: Path, index: Served
) -> None:
    """``jax[cpu]`` on Windows arm64 (decision 233): where the releases that provide the extra
    have no resolution, the older one that lacks it is not locked in their place."""
    args = ("--python-version", "3.12", "--platform", "linux", "--platform", "windows")
    parsed, err = lock(tmp_path, index, "acc[fast]", *args)
    assert "acc==1.0" not in err, err  # (pip's warning: the release is not locked)
    (said,) = [line for line in err.splitlines() if "not locked for" in line]
    assert said == (
        "graft: warning: not locked for cp312 on win_amd64 and win_arm64: acc 1.0, the"
        " release that resolves here, does not provide the extra 'fast' (acc 2.0, locked"
        " for other environments, does)"
    )
    assert {e.target.markers["sys_platform"] for e in environments(parsed)} == {"linux"}
    assert [str(p.version) for p in entries(parsed, "acc")] == ["2.0"]
    for env in environments(parsed):
        assert selected(parsed, env).keys() == {"acc", "fastlib"}
    # named as a platform tag, it must be locked: the same reason, as an error
    (tmp_path / "named").mkdir()
    err = refused(tmp_path / "named", index, "acc[fast]", *args[:2], "--platform", "linux",
                  "--platform", "win_amd64")  # fmt: skip
    assert err.startswith("graft: error: cp312 win_amd64: acc 1.0, the release that"), err
    # alone, nothing provides it: locked with pip's warning, as before
    (tmp_path / "alone").mkdir()
    parsed, err = lock(tmp_path / "alone", index, "acc[fast]", "--python-version", "3.12",
                       "--platform", "windows")  # fmt: skip
    assert "acc==1.0 (acc-1.0-py3-none-any.whl) does not provide the extra 'fast'" in err, err
    assert [str(p.version) for p in entries(parsed, "acc")] == ["1.0"]


def test_a_warning_many_environments_give_is_said_once(tmp_path: Path, index: Served) -> None:
    """As uv says it: once, naming the environments compactly (decision 158)."""
    _, err = lock(tmp_path, index, "ex[gpu]")
    said = [line for line in err.splitlines() if "does not provide the extra 'gpu'" in line]
    assert len(said) == 1
    windows = "cp39, cp310, cp311, cp312, cp313 and cp314 on win_amd64 and win_arm64"
    assert said[0].startswith(f"graft: warning: {windows}: ex==1.0 ")


def test_a_difference_no_marker_can_state_is_refused(tmp_path: Path, index: Served) -> None:
    err = refused(tmp_path, index, "amb", "--platform", "linux")
    assert "amb-1.0-py3-none-manylinux_2_17_x86_64.whl" in err
    assert "amb-1.0-py3-none-manylinux_2_28_x86_64.whl" in err
    assert "no marker tells their installers apart" in err
    # one explicit platform tag is an environment of its own: then it can be locked
    parsed, _ = lock(tmp_path, index, "amb", "--platform", "manylinux_2_28_x86_64")
    assert {p.name for p in parsed.packages} == {"amb", "b"}


def test_a_named_platform_not_locked_says_why_in_full(tmp_path: Path, index: Served) -> None:
    """A platform tag named with --platform must be locked: its failure is the resolution's
    own explanation, every line of it, as ``graft sync`` says it (decision 135; only the
    first line came before, the rest behind -v, with nothing saying so)."""
    err = refused(
        tmp_path, index, "rp>=2", "--platform", "manylinux_2_17_x86_64", "--python-version", "3.10"
    )
    first, *rest = err.splitlines()
    assert first.startswith("graft: error: cp310 manylinux_2_17_x86_64: "), err
    assert any("rp" in line and ">=3.11" in line for line in rest), err


def test_a_wheel_a_higher_build_shadows_is_left_out(tmp_path: Path, index: Served) -> None:
    parsed, _ = lock(tmp_path, index, "bt", "--python-version", "3.12")
    (bt,) = entries(parsed, "bt")
    assert [w.name for w in bt.wheels or ()] == ["bt-1.0-2-py3-none-any.whl"]
    assert {p.name for p in parsed.packages} == {"bt", "b"}


def test_environments_without_a_wheel_are_left_out_and_said(tmp_path: Path, index: Served) -> None:
    parsed, err = lock(tmp_path, index, "ex")  # no macOS wheel
    # one line for every series and both macOS machines (decision 178: their tags apart)
    (said,) = [line for line in err.splitlines() if "not locked for" in line]
    assert (
        "not locked for cp39, cp310, cp311, cp312, cp313 and cp314 on macosx_15_0_arm64 and" in said
    )
    assert said.endswith(": no wheel of ex 1.0 for the target"), said
    assert {e.target.markers["sys_platform"] for e in environments(parsed)} == {"linux", "win32"}


def _files(venv: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json; print(json.dumps({d.name: d.version"
        " for d in m.distributions()}))"
    )
    return __import__("json").loads(py(venv, code))  # type: ignore[no-any-return]


def _site_files(venv: Path) -> set[str]:
    site = next((venv / "lib").glob("python3.*/site-packages"))
    return {
        str(p.relative_to(site))
        for p in site.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.name not in {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
    }


def _pip_reads_pylock() -> bool:
    """pip 26.1 added ``pip install -r pylock.toml`` (experimental, pypa/pip#13876)."""
    from packaging.version import Version

    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=False
    )
    return proc.returncode == 0 and Version(proc.stdout.split()[1]) >= Version("26.1")


def _install_with(tool: str, lock_file: Path, prefix: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", prefix], check=True)
    python = str(prefix / "bin" / "python")
    command: list[str]
    if tool == "uv":
        command = [sys.executable, "-m", "uv", "pip", "install", "--python", python]
    else:  # pip's documented use: an empty venv, --no-deps (the lock is the whole set)
        command = [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps"]
    env = {"UV_NO_CONFIG": "1", "PIP_CONFIG_FILE": "/dev/null", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [*command, "-q", "-r", str(lock_file)], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("tool", ["uv", "pip"])
def test_graft_uv_and_pip_install_the_lock_to_the_same_files(
    tmp_path: Path, store_dir: Path, index: Served, tool: str
) -> None:
    if tool == "pip" and not _pip_reads_pylock():
        pytest.skip("this pip is older than 26.1, which first reads -r pylock.toml")
    lock(tmp_path, index, "plat", "fmt", "ex[gpu]", "--platform", "linux")
    lock_file = tmp_path / "pylock.toml"
    ours = tmp_path / "graft-venv"
    run_graft("sync", ours, lock_file, "--store", store_dir)
    theirs = tmp_path / f"{tool}-venv"
    _install_with(tool, lock_file, theirs)
    want = dict.fromkeys(("plat", "linuxdep", "fmt", "dep", "ex", "gpulib"), "1.0")
    assert _files(ours) == want
    assert _files(theirs) == want
    assert _site_files(ours) == _site_files(theirs)


PYPY = "/usr/bin/pypy3"


@pytest.mark.skipif(not Path(PYPY).exists(), reason=f"no PyPy at {PYPY}")
def test_pypy_and_musl_are_refused_by_the_lock_s_installers(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """PyPy is not in the matrix (decision 120): ``environments`` says CPython, so that
    ``Pylock.select()``, ``graft sync`` and uv refuse the lock there rather than install
    CPython's resolution (decision 235)."""
    import json

    lock(tmp_path, index, "plat", "ex[gpu]", "--python-version", "3.9", "--platform", "linux")
    lock_file = tmp_path / "pylock.toml"
    code = (
        "import json, os, platform, sys; print(json.dumps({'implementation_name':"
        " sys.implementation.name, 'python_version': '.'.join(platform.python_version_tuple()"
        "[:2]), 'python_full_version': platform.python_version(), 'sys_platform': sys.platform,"
        " 'platform_machine': platform.machine(), 'platform_python_implementation':"
        " platform.python_implementation(), 'os_name': os.name, 'platform_system':"
        " platform.system()}))"
    )
    found = subprocess.run([PYPY, "-c", code], capture_output=True, text=True, check=True)
    markers = json.loads(found.stdout)
    if markers["python_version"] != "3.9" or markers["platform_machine"] != "x86_64":
        pytest.skip(f"this PyPy is not 3.9 on x86_64: {markers}")
    parsed = Pylock.from_dict(tomllib.loads(lock_file.read_text()))
    # (PyPy takes py3-none-manylinux wheels too: only the lock's environments refuse it)
    tags = [Tag(i, a, p) for i, a in (("pp39", "pypy39_pp73"), ("py3", "none"))
            for p in ("manylinux_2_17_x86_64", "any")]  # fmt: skip
    with pytest.raises(PylockSelectError, match="environments"):
        list(parsed.select(environment=markers, tags=tags))
    cpython = {**markers, "implementation_name": "cpython", "python_full_version": "3.9.18"}
    cpython["platform_python_implementation"] = "CPython"
    assert {p.name for p, _ in parsed.select(environment=cpython, tags=tags)} == {  # type: ignore[arg-type]
        "plat", "linuxdep", "ex", "gpulib",
    }  # fmt: skip
    # musllinux: the same markers as manylinux, no wheel for its tags: refused, not
    # installed from glibc's wheels
    musl = [Tag("py3", "none", p) for p in ("musllinux_1_2_x86_64", "linux_x86_64", "any")]
    with pytest.raises(PylockSelectError, match="No wheel found matching"):
        list(parsed.select(environment=cpython, tags=musl))  # type: ignore[arg-type]
    proc = run_graft(
        "sync", tmp_path / "venv", lock_file, "--python", PYPY, "--store", store_dir,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "does not satisfy any of the environments" in proc.stderr, proc.stderr
    assert "(the target is pypy 3.9" in proc.stderr, proc.stderr
    # what to do (decision 331): its environments are CPython's, where the lock would hold
    assert "environments hold on CPython alone: graft lock locks CPython unless" in proc.stderr
    assert "--implementation pp" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert not (tmp_path / "venv").exists()
    subprocess.run([PYPY, "-m", "venv", "--without-pip", tmp_path / "uv-venv"], check=True)
    env = {"UV_NO_CONFIG": "1", "PATH": "/usr/bin:/bin"}
    uv = subprocess.run(
        [sys.executable, "-m", "uv", "pip", "install", "--python", tmp_path / "uv-venv/bin/python",
         "-q", "-r", lock_file],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert uv.returncode != 0
    assert "not supported by the lockfile" in uv.stderr, uv.stderr


def test_pypy_is_locked_beside_cpython_when_asked_each_with_its_own_wheels(
    tmp_path: Path, wheels: Path, store_dir: Path
) -> None:
    """``--implementation cp --implementation pp`` (decision 399): PyPy's environments are
    resolved with PyPy's tags and markers, so a release whose PyPy wheel states other
    requirements, and a requirement only CPython takes, are locked per implementation, and
    the lock installs on PyPy (graft and uv alike) and on CPython (the one running here)."""
    import json

    from graft.resolve.environments import PYPY_PYTHONS

    linux = "manylinux_2_17_x86_64.manylinux_2_17_aarch64"
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    pythons = sorted({"3.9", here}, key=lambda v: int(v.split(".")[1]))
    pypys = [v for v in pythons if v in PYPY_PYTHONS]
    with serve() as served:
        for dep in ("speedups", "fallback", "cffi"):
            served.add(make_wheel(wheels, dep, "1.0", {f"{dep}.py": ""}))
        tags = [(f"cp{v.replace('.', '')}", f"cp{v.replace('.', '')}", "speedups") for v in pythons]
        tags += [
            (f"pp{v.replace('.', '')}", f"pypy{v.replace('.', '')}_pp73", "fallback") for v in pypys
        ]
        for python, abi, needs in tags:
            tag = f"{python}-{abi}-{linux}"
            served.add(
                make_wheel(wheels, "fast", "1.0", {"fast.py": ""}, tag=tag, requires=(needs,))
            )
        reqs = ("fast", "cffi; platform_python_implementation != 'PyPy'")
        served.add(make_wheel(wheels, "app", "1.0", {"app.py": ""}, requires=reqs))
        args = ("--platform", "linux", *(x for v in pythons for x in ("--python-version", v)))
        parsed, said = lock(tmp_path, served, "app", *args, "--implementation", "cp",
                            "--implementation", "pp")  # fmt: skip
        assert "PyPy only" not in said
        envs = matrix(pythons, ["linux"], ["cp", "pp"])
        assert [e.label.split()[0] for e in envs] == [
            *(f"{kind}{v.replace('.', '')}" for kind, vs in (("cp", pythons), ("pp", pypys))
              for v in vs for _ in range(2)),
        ]  # fmt: skip
        assert {str(m) for m in parsed.environments or ()} == {str(Marker(e.marker)) for e in envs}
        for env in envs:
            got = selected(parsed, env)
            if env.implementation == "pp":
                pp = env.label.split()[0]
                assert got == {
                    "app": "app-1.0-py3-none-any.whl",
                    "fast": f"fast-1.0-{pp}-pypy{pp[2:]}_pp73-{linux}.whl",
                    "fallback": "fallback-1.0-py3-none-any.whl",
                }, env.label
            else:
                assert set(got) == {"app", "fast", "speedups", "cffi"}, env.label
        assert {str(p.marker) for p in entries(parsed, "cffi")} == {
            'implementation_name == "cpython"'
        }
        # CPython alone (the default) locks no PyPy environment, as before
        cp_only, _ = lock(tmp_path, served, "app", *args)
        assert all("cpython" in str(m) for m in cp_only.environments or ())
        cpython = run_graft("sync", tmp_path / "cp", tmp_path / "pylock.toml", "--store", store_dir)
        assert "fast==1.0" in cpython.stderr
        if not Path(PYPY).exists():
            pytest.skip(f"no PyPy at {PYPY} to install the lock on")
        code = "import platform, sys; print(platform.python_version(), platform.machine())"
        found = subprocess.run([PYPY, "-c", code], capture_output=True, text=True, check=True)
        if not found.stdout.startswith("3.9.") or "x86_64" not in found.stdout:
            pytest.skip(f"this PyPy is not 3.9 on x86_64: {found.stdout}")
        lock(tmp_path, served, "app", *args, "--implementation", "cp", "--implementation", "pp")
        lock_file = tmp_path / "pylock.toml"
        run_graft("sync", tmp_path / "pp", lock_file, "--python", PYPY, "--store", store_dir)
        subprocess.run([PYPY, "-m", "venv", "--without-pip", tmp_path / "uv-venv"], check=True)
        uv_env = {"UV_NO_CONFIG": "1", "PATH": "/usr/bin:/bin"}
        subprocess.run(
            [sys.executable, "-m", "uv", "pip", "install", "--python",
             tmp_path / "uv-venv/bin/python", "-q", "-r", lock_file],
            capture_output=True, text=True, env=uv_env, check=True,
        )  # fmt: skip
        listing = (
            "import importlib.metadata as m, json;"
            "print(json.dumps(sorted((d.metadata['Name'], d.version) for d in m.distributions())))"
        )
        ours = json.loads(py(tmp_path / "pp", listing))
        theirs = json.loads(py(tmp_path / "uv-venv", listing))
        assert ours == theirs  # (with what PyPy itself ships: its cffi, greenlet)
        names = {name for name, _ in ours}
        assert {"app", "fallback", "fast"} <= names
        assert "speedups" not in names


def test_each_wheel_is_written_with_the_size_the_index_gives(tmp_path: Path, index: Served) -> None:
    parsed, _ = lock(tmp_path, index, "same", "--python-version", "3.12")
    for package in parsed.packages:
        for wheel in package.wheels or ():
            assert wheel.name is not None
            assert wheel.size == len(index.files[wheel.name])


def test_a_lock_environment_is_resolved_for_the_first_release_of_its_series(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    """Decisions 113 and 153: sound for every release its ``python_version`` marker covers.

    cryptography>=44 excludes 3.9.0 and 3.9.1, soupsieve>=4.1 every 3.11 before 3.11.5
    (Debian 12 runs 3.11.2): a lock resolved for a later release would be refused there, so
    the series is forked where a release excludes its first releases: those keep the older
    release, the later ones take the newer, as a flat install on each does.
    """
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    needs = (f'dep; python_full_version >= "{here}.1"',)  # what the later releases need
    index.add(make_wheel(wheels, "fixed", "1.0", {"fixed.py": ""}, requires=needs))
    spec = f"!={here}.0,>=3.9"
    newer = make_wheel(wheels, "fixed", "2.0", {"fixed.py": ""}, requires_python=spec)
    index.add_wheel(newer, requires_python=spec)
    parsed, err = lock(tmp_path, index, "fixed", "--python-version", here, "--platform", "linux")
    # 1.0 (whose dep only later releases need) is what X.Y.0 installs; they install 2.0
    assert [(p.name, str(p.version), str(p.marker)) for p in parsed.packages] == [
        ("fixed", "1.0", f'python_full_version < "{here}.1"'),
        ("fixed", "2.0", f'python_full_version >= "{here}.1"'),
    ]
    assert "needs a later Python" not in err
    assert {str(m) for m in parsed.environments or ()} == {
        f'implementation_name == "cpython" and sys_platform == "linux" and platform_machine'
        f' == "{machine}" and python_version == "{here}"'
        for machine in ("x86_64", "aarch64")
    }  # (the environments are the series, each release of it)
    # the series from its second release (decision 120), in the environments' markers and
    # requires-python: no fork
    from_later, err = lock(  # (-U: not the 1.0 the output holds)
        tmp_path, index, "fixed", "--python-version", f"{here}.1", "--platform", "linux", "-U"
    )
    assert [(p.name, str(p.version), p.marker) for p in from_later.packages] == [
        ("fixed", "2.0", None)
    ]
    assert (
        str(from_later.requires_python)
        == f"<{sys.version_info.major}.{sys.version_info.minor + 1},>={here}.1"
    )
    assert {str(m) for m in from_later.environments or ()} == {
        f'implementation_name == "cpython" and sys_platform == "linux" and platform_machine'
        f' == "{machine}" and python_version == "{here}" and python_full_version >= "{here}.1"'
        for machine in ("x86_64", "aarch64")
    }
    assert "needs a later Python" not in err
    # a root only the first releases need, one only the later ones need, two pins either
    # side of a micro boundary (uv's universal output): each where its marker holds
    (tmp_path / "roots").mkdir()
    early, later = f'python_full_version < "{here}.1"', f'python_full_version >= "{here}.1"'
    roots = (f"a; {early}", f"b; {later}", f"pair==1.0; {early}", f"pair>1; {later}")
    (tmp_path / "roots" / "in.txt").write_text("\n".join(roots) + "\n")
    for version in ("1.0", "2.0"):
        index.add(make_wheel(wheels, "pair", version, {"pair.py": ""}))
    series, _ = lock(
        tmp_path / "roots", index, "-r", str(tmp_path / "roots" / "in.txt"),
        "--python-version", here, "--platform", "linux",
    )  # fmt: skip
    assert [(p.name, str(p.version), str(p.marker)) for p in series.packages] == [
        ("a", "1.0", early),
        ("b", "1.0", later),
        ("pair", "1.0", early),
        ("pair", "2.0", later),
    ]


def test_a_wheel_given_by_path_is_locked_by_its_path(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    mine = tmp_path / "dist"
    mine.mkdir()
    app = make_wheel(mine, "myapp", "0.1", {"myapp.py": ""}, requires=("dep",))
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    parsed, _ = lock(tmp_path, index, str(app), "--python-version", here)
    (entry,) = entries(parsed, "myapp")
    wheel = entry.archive  # a direct reference, as uv locks it (decision 120)
    assert entry.wheels is None
    assert (wheel.path, wheel.url) == ("dist/myapp-0.1-py3-none-any.whl", None)
    assert wheel.size == app.stat().st_size
    import hashlib

    assert wheel.hashes == {"sha256": hashlib.sha256(app.read_bytes()).hexdigest()}
    assert {p.name for p in parsed.packages} == {"myapp", "dep"}  # its own METADATA's deps
    venv = tmp_path / "v"
    run_graft("sync", venv, tmp_path / "pylock.toml", "--store", store_dir)
    assert _files(venv) == {"myapp": "0.1", "dep": "1.0"}


def test_a_wheel_given_by_url_without_a_hash_is_fetched_once_to_hash_it(
    tmp_path: Path, index: Served
) -> None:
    import hashlib

    url = f"{index.url}/plat-1.0-{WINDOWS}.whl"
    parsed, _ = lock(tmp_path, index, f"plat @ {url}", "--platform", "windows")
    (entry,) = entries(parsed, "plat")
    wheel = entry.archive
    assert entry.wheels is None
    assert entry.marker is None  # (the lock covers Windows AMD64 alone: no arm64 wheel)
    data = index.files[f"plat-1.0-{WINDOWS}.whl"]
    assert (wheel.url, wheel.size) == (url, len(data))
    assert wheel.hashes == {"sha256": hashlib.sha256(data).hexdigest()}
    assert {p.name for p in parsed.packages} == {"plat", "windep"}


def test_two_wheels_of_one_project_by_path_are_refused(tmp_path: Path, index: Served) -> None:
    one = tmp_path / "one"
    two = tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first = make_wheel(one, "myapp", "0.1", {"myapp.py": ""})
    second = make_wheel(two, "myapp", "0.2", {"myapp.py": ""})
    proc = run_graft(
        "lock", "--index-url", f"{index.url}/simple/", "-o", tmp_path / "pylock.toml",
        str(first), str(second), check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "a lock takes one file per project" in proc.stderr


def test_a_lock_given_as_input_is_relocked_to_the_same_files(tmp_path: Path, index: Served) -> None:
    parsed, _ = lock(tmp_path, index, "plat", "fmt", "--platform", "linux", "--platform", "windows")
    before = (tmp_path / "pylock.toml").read_text()
    (tmp_path / "pylock.toml").rename(tmp_path / "pylock.old.toml")
    again, err = lock(tmp_path, index, str(tmp_path / "pylock.old.toml"))
    # the old lock covers Linux and Windows only: the other environments are left out, said
    macos = "cp39, cp310, cp311, cp312, cp313 and cp314 on macosx_15_0_arm64 and macosx_15_0_x86_64"
    assert f"not locked for {macos}: " in err  # (one line: decision 158)
    assert (tmp_path / "pylock.toml").read_text() == before
    assert again.packages == parsed.packages


def test_a_relock_keeps_the_locked_version_where_the_index_has_a_newer_one(
    tmp_path: Path, wheels: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock(tmp_path, index, "rp", "--platform", "windows", "--python-version", "3.12")
    (tmp_path / "pylock.toml").rename(tmp_path / "pylock.old.toml")
    index.add(make_wheel(wheels, "rp", "3.0", {"rp_new.py": ""}, tag=WINDOWS))
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))  # the new page, not a kept one
    again, _ = lock(tmp_path, index, str(tmp_path / "pylock.old.toml"))
    assert [str(p.version) for p in entries(again, "rp")] == ["2.0"]
    (tmp_path / "pylock.toml").unlink()  # (else its versions are preferred)
    fresh, _ = lock(tmp_path, index, "rp", "--platform", "windows", "--python-version", "3.12")
    assert [str(p.version) for p in entries(fresh, "rp")] == ["3.0"]


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((), {"rp": "2.0", "bt": "1.0"}),  # the output's versions preferred, as uv does
        (("-U",), {"rp": "3.0", "bt": "2.0"}),
        (("--upgrade-package", "rp"), {"rp": "3.0", "bt": "1.0"}),
        (("-P", "BT"), {"rp": "2.0", "bt": "2.0"}),
    ],
)
def test_the_versions_the_output_holds_are_preferred_unless_upgraded(
    tmp_path: Path,
    wheels: Path,
    index: Served,
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    expected: dict[str, str],
) -> None:
    env = ("--platform", "windows", "--python-version", "3.12")
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache-1"))  # (pages of its own)
    lock(tmp_path, index, "rp", "bt", *env)
    index.add(make_wheel(wheels, "rp", "3.0", {"rp_new.py": ""}, tag=WINDOWS))
    index.add(make_wheel(wheels, "bt", "2.0", {"bt.py": ""}))
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))  # the new pages
    again, _ = lock(tmp_path, index, "rp", "bt", *env, *flags)
    assert {n: str(entries(again, n)[0].version) for n in expected} == expected


def test_a_preferred_version_the_requirements_exclude_moves(
    tmp_path: Path, wheels: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = ("--platform", "windows", "--python-version", "3.12")
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache-1"))  # (pages of its own)
    lock(tmp_path, index, "rp", *env)
    index.add(make_wheel(wheels, "rp", "3.0", {"rp_new.py": ""}, tag=WINDOWS))
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    kept, _ = lock(tmp_path, index, "rp>=1", *env)
    assert [str(p.version) for p in entries(kept, "rp")] == ["2.0"]
    moved, _ = lock(tmp_path, index, "rp!=2.0", *env)
    assert [str(p.version) for p in entries(moved, "rp")] == ["3.0"]
    # a lock whose packages are no array gives no preference, and lock() finds it replaced
    # by a valid lock (one that is not TOML, or has no lock-version 1.x, is refused, as uv
    # refuses it: decisions 358 and 366, test_malformed_toml.py)
    (tmp_path / "pylock.toml").write_text('lock-version = "1.0"\npackages = "not a lock"\n')
    fresh, _ = lock(tmp_path, index, "rp", *env)
    assert [str(p.version) for p in entries(fresh, "rp")] == ["3.0"]


def test_a_lock_with_a_wheel_archive_installs_and_relocks_to_that_url(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``[packages.archive]`` (a direct URL, as uv writes ``name @ URL``).

    Installed as that wheel, and re-locked as that file (no index serves it).
    """
    import hashlib

    # a cache of its own: pages kept under a loopback port a later test's server may reuse
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    wheel = make_wheel(elsewhere, "arch", "1.0", {"arch.py": "A = 1\n"}, requires=("dep",))
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    with serve() as other:
        url = other.add(wheel)
        given = tmp_path / "in" / "pylock.toml"
        given.parent.mkdir()
        given.write_text(
            'lock-version = "1.0"\ncreated-by = "uv"\nrequires-python = ">=3.9"\n\n'
            f'[[packages]]\nname = "arch"\nversion = "1.0"\n'
            f'archive = {{ url = "{url}", size = {wheel.stat().st_size},'
            f' hashes = {{ sha256 = "{sha}" }} }}\n'
        )
        venv = tmp_path / "venv"
        run_graft("sync", venv, given, "--store", store_dir, "--no-deps")
        assert _files(venv) == {"arch": "1.0"}
        parsed, _ = lock(
            tmp_path, index, str(given), "--platform", "linux", "--python-version", "3.12"
        )
    (arch,) = entries(parsed, "arch")
    assert arch.wheels is None  # still an archive, as the lock read had it (decision 120)
    assert (arch.archive.url, arch.archive.hashes["sha256"]) == (url, sha)
    assert [str(p.name) for p in parsed.packages] == ["arch", "dep"]  # its own dependency too


@pytest.mark.parametrize("tool", ["uv", "pip"])
def test_a_wheel_named_by_path_or_url_is_locked_as_an_archive(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch, tool: str
) -> None:
    """``name @ URL`` and ``./dist/x.whl`` are direct references: ``[packages.archive]``.

    As uv writes them. Locked as ``[[packages.wheels]]`` (decision 42), graft, pip and uv
    installed them as an index's files (``pip freeze``: ``name==version``), the reference the
    user wrote lost; as archives every installer writes the direct URL (decision 120).
    """
    if tool == "pip" and not _pip_reads_pylock():
        pytest.skip("this pip is older than 26.1, which first reads -r pylock.toml")
    import hashlib

    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))  # (pages of its own)
    (tmp_path / "dist").mkdir()
    mine = make_wheel(tmp_path / "dist", "mine", "0.1", {"mine.py": ""})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    wheel = make_wheel(elsewhere, "arch", "1.0", {"arch.py": ""}, requires=("dep",))
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    with serve() as other:
        url = other.add(wheel)
        parsed, _ = lock(
            tmp_path, index, str(mine), f"arch @ {url}", "--python-version", here,
            "--platform", "linux",
        )  # fmt: skip
        lock_file = tmp_path / "pylock.toml"
        (by_path,) = entries(parsed, "mine")
        (by_url,) = entries(parsed, "arch")
        assert by_path.wheels is by_url.wheels is None
        assert (by_path.archive.path, by_path.archive.url) == (
            "dist/mine-0.1-py3-none-any.whl",
            None,
        )
        assert by_path.archive.size == mine.stat().st_size
        assert (by_url.archive.url, by_url.archive.hashes) == (url, {"sha256": sha})
        assert by_url.archive.size == wheel.stat().st_size
        assert entries(parsed, "dep")[0].wheels  # its dependency: an index's file
        ours = tmp_path / "graft-venv"
        run_graft("sync", ours, lock_file, "--store", store_dir)
        theirs = tmp_path / f"{tool}-venv"
        _install_with(tool, lock_file, theirs)
        relocked, _ = lock(
            tmp_path, index, str(lock_file), "--python-version", here, "--platform", "linux"
        )
    assert relocked.packages == parsed.packages  # re-locked: the same archives
    want = {"mine": "0.1", "arch": "1.0", "dep": "1.0"}
    assert _files(ours) == _files(theirs) == want
    urls = {n: d["url"] for n, d in _direct_urls(ours).items()}
    assert urls == {"arch": url, "mine": mine.as_uri()}
    assert {n: d["url"] for n, d in _direct_urls(theirs).items()} == urls


def _direct_urls(venv: Path) -> dict[str, Any]:
    """Each distribution's ``direct_url.json``, parsed, where it has one."""
    import json

    site = next((venv / "lib").glob("python3.*/site-packages"))
    return {
        p.parent.name.split("-")[0]: json.loads(p.read_text())
        for p in site.glob("*.dist-info/direct_url.json")
    }


def test_only_a_locked_archive_is_installed_with_a_direct_url_json(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock's wheels (by URL or path) are an index's files; its archive is a direct URL.

    pip and uv write ``direct_url.json`` for ``[packages.archive]`` only; graft wrote one for
    a wheel by path and none for an archived wheel.
    """
    import hashlib

    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))  # (pages of its own)
    (tmp_path / "dist").mkdir()
    mine = make_wheel(tmp_path / "dist", "mine", "0.1", {"mine.py": ""})
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    lock(  # (a find-links wheel is locked by path as [[packages.wheels]])
        tmp_path, index, "mine", "same", "--find-links", str(tmp_path / "dist"),
        "--python-version", here, "--platform", "linux",
    )  # fmt: skip
    lock_file = tmp_path / "pylock.toml"
    assert 'path = "dist/mine-0.1-py3-none-any.whl"' in lock_file.read_text()
    relocked, _ = lock(tmp_path, index, str(lock_file), "--python-version", here)
    (mine_entry,) = entries(relocked, "mine")  # re-locked: still an index's file by path
    assert mine_entry.archive is None
    assert [w.path for w in mine_entry.wheels] == ["dist/mine-0.1-py3-none-any.whl"]
    import os

    for made in (lock_file, mine):  # long made: the memo trusts their fingerprints
        os.utime(made, (1_600_000_000, 1_600_000_000))
    run_graft("sync", tmp_path / "first", lock_file, "--store", store_dir)
    again = run_graft("sync", tmp_path / "again", lock_file, "--store", store_dir, "-v")
    assert "timings: recall" in again.stderr  # the memo keeps which wheels are index files
    assert _direct_urls(tmp_path / "first") == _direct_urls(tmp_path / "again") == {}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    wheel = make_wheel(elsewhere, "arch", "1.0", {"arch.py": ""})
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    url = index.add(wheel)
    with lock_file.open("a") as fh:
        fh.write(
            f'\n[[packages]]\nname = "arch"\nversion = "1.0"\n'
            f'archive = {{ url = "{url}", hashes = {{ sha256 = "{sha}" }} }}\n'
        )
    ours = tmp_path / "graft-venv"
    run_graft("sync", ours, lock_file, "--store", store_dir)
    assert _files(ours) == {"mine": "0.1", "same": "1.0", "dep": "1.0", "arch": "1.0"}
    archive = {"hash": f"sha256={sha}", "hashes": {"sha256": sha}}
    assert _direct_urls(ours) == {"arch": {"archive_info": archive, "url": url}}  # as pip's
    theirs = tmp_path / "uv-venv"
    _install_with("uv", lock_file, theirs)
    assert sorted(_direct_urls(theirs)) == ["arch"]
    assert _direct_urls(theirs)["arch"]["url"] == url


@pytest.mark.parametrize("where", ["missing", "directory"])
def test_an_output_that_cannot_be_written_is_refused_before_resolving(
    tmp_path: Path, index: Served, where: str
) -> None:
    """``-o`` into a directory that does not exist, or naming a directory: one line, exit 2,
    and the index is never asked (the user does not wait for a lock that cannot be kept)."""
    out = tmp_path / "no-such-dir" / "pylock.toml" if where == "missing" else tmp_path
    asked = len(index.paths)
    proc = run_graft("lock", "--index-url", f"{index.url}/simple/", "-o", out, "b", check=False)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft: error: {out}: cannot write the lock (")
    assert line.endswith("(give -o a file in an existing directory you can write to)")
    assert len(index.paths) == asked
    assert not (tmp_path / "no-such-dir").exists()


@pytest.mark.parametrize(
    "name", ["lock.toml", "pylock.a.b.toml", "pylock..toml", "pylock.toml.bak"]
)
def test_an_output_not_named_as_a_lock_is_refused_before_resolving(
    tmp_path: Path, index: Served, name: str
) -> None:
    """PEP 751 names a lock ``pylock.toml`` or ``pylock.<name>.toml``: pip and uv read no other
    file as a lock (``graft sync V lock.toml`` neither), and uv refuses to write one. One line,
    exit 2, nothing written, the index never asked; a lock's name is taken."""
    url = f"{index.url}/simple/"
    asked = len(index.paths)
    proc = run_graft("lock", "--index-url", url, "-o", tmp_path / name, "b", check=False)
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line == (
        f"graft: error: -o {name}: PEP 751 names a lock pylock.toml or pylock.NAME.toml (NAME"
        " without dots), and pip and uv read no other file as a lock (give -o pylock.toml or"
        " pylock.NAME.toml, or - for standard output)"
    )
    assert len(index.paths) == asked
    assert not (tmp_path / name).exists()
    run_graft("lock", "--index-url", url, "-o", tmp_path / "pylock.dev-2.toml", "b")


@pytest.mark.parametrize("flag", ["-r", "-c"])
def test_an_output_that_is_an_input_is_refused_and_left_alone(
    tmp_path: Path, index: Served, flag: str
) -> None:
    """``graft lock -r requirements.in -o requirements.in`` replaced the user's file."""
    given = tmp_path / "requirements.in"
    given.write_text("b\n")
    url = f"{index.url}/simple/"
    asked = len(index.paths)
    spelt = f"{tmp_path}/./requirements.in"  # the same file, named otherwise
    proc = run_graft("lock", "--index-url", url, flag, given, "b", "-o", spelt, check=False)
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line == (
        f"graft: error: {given}: -o names an input of this lock: writing the lock there would"
        " replace it (give -o another file, such as pylock.toml)"
    )
    assert given.read_text() == "b\n"
    assert len(index.paths) == asked
    lock_file = tmp_path / "pylock.toml"
    run_graft("lock", "--index-url", url, "-r", given, "-o", lock_file)  # (another file)
    run_graft("lock", "--index-url", url, lock_file, "-o", lock_file)  # a lock re-locked


def test_a_lock_to_standard_output(
    tmp_path: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-o -`` prints the lock (as ``uv pip compile`` does) and writes no file named ``-``."""
    monkeypatch.chdir(tmp_path)
    url = f"{index.url}/simple/"
    printed = run_graft("lock", "--index-url", url, "-o", "-", "b")
    assert not (tmp_path / "-").exists()
    assert printed.stderr.rstrip().split(" in ")[0].endswith("into standard output")
    run_graft("lock", "--index-url", url, "-o", "pylock.toml", "b")
    assert printed.stdout == (tmp_path / "pylock.toml").read_text()
    Pylock.from_dict(tomllib.loads(printed.stdout)).validate()
    again = run_graft("lock", "--index-url", url, "-o", "-", "b")  # never a stamp's answer
    assert again.stdout == printed.stdout
    both = run_graft("lock", "--index-url", url, "-o", "-", "--json", "b", check=False)
    assert both.returncode == 2
    assert "-o - writes the lock to standard output, where --json would write too" in both.stdout


def test_a_lock_of_a_file_that_lists_nothing_is_a_lock_of_nothing(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """``uv pip compile empty.in`` writes an empty output; graft refused it as a sync does.

    Its lock names every environment as usual and no package (decision 173); ``graft sync``
    of it is ``uv pip sync``'s: a new venv holds nothing, a venv holding something is
    emptied. ``graft sync -r`` of the file itself is still refused (decision 165).
    """
    listed = tmp_path / "requirements.in"
    listed.write_text("# nothing yet\n--index-url https://example.org/simple/\n")
    parsed, said = lock(tmp_path, index, "-r", str(listed))
    data = tomllib.loads((tmp_path / "pylock.toml").read_text())
    assert data["packages"] == []
    assert parsed.packages == []
    assert data["lock-version"] == "1.0"
    assert data["requires-python"] == "<3.15,>=3.9"
    assert len(environments(parsed)) == 36
    assert said.startswith("graft: locked 0 projects (0 entries) for 36 environments into ")
    project = tmp_path / "proj"
    project.mkdir()  # a project without dependencies, of its own Python range
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "1"\nrequires-python = ">=3.12"\ndependencies = []\n'
    )
    narrowed, _ = lock(project, index, "-r", str(project / "pyproject.toml"))
    assert narrowed.packages == []
    assert {e.python for e in environments(narrowed)} == {"3.12", "3.13", "3.14"}
    venv = tmp_path / "v"
    run_graft("sync", venv, tmp_path / "pylock.toml", "--store", store_dir)
    assert _files(venv) == {}
    run_graft("sync", venv, "--index-url", f"{index.url}/simple/", "b", "--store", store_dir)
    assert _files(venv) == {"b": "1.0"}
    emptied = run_graft("sync", venv, tmp_path / "pylock.toml", "--store", store_dir)
    assert " - b==1.0" in emptied.stderr
    assert _files(venv) == {}
    refused = run_graft("sync", venv, "-r", listed, "--store", store_dir, check=False)
    assert refused.returncode == 2
    assert "no requirement listed: nothing to install" in refused.stderr


def test_a_cold_lock_resolved_side_by_side_writes_what_a_warm_one_does(
    tmp_path: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a cache of its own: the first lock fetches every METADATA, so the environments after
    # the first are resolved side by side; the second reads what the first kept, one by one
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    roots = ("plat", "fmt", "same", "rp", "ex[gpu]", "bt")
    cold_dir, warm_dir = tmp_path / "cold", tmp_path / "warm"
    cold_dir.mkdir()
    warm_dir.mkdir()
    _, said = lock(cold_dir, index, *roots, "-v")
    assert " ranges" in said  # METADATA was fetched
    _, again = lock(warm_dir, index, *roots, "-v")
    assert " ranges" not in again
    cold = (cold_dir / "pylock.toml").read_text()
    assert cold == (warm_dir / "pylock.toml").read_text()


def test_a_release_uploaded_since_the_page_was_cached_is_found_by_asking_again(
    tmp_path: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a sync does: a lock that finds no resolution in young cached pages asks them again.

    Once, and then every environment is resolved over what the index says now; a version that
    does not exist still fails, after one more (unchanged) answer.
    """
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    for name in "abc":
        (tmp_path / name).mkdir()
    with serve() as served:
        served.etag = True
        served.add(make_wheel(wheels, "lib", "1.0"))
        first, _ = lock(tmp_path / "a", served, "lib")
        assert [str(p.version) for p in first.packages] == ["1.0"]
        assert served.pages == [200]
        served.add(make_wheel(wheels, "lib", "1.1"))
        again, _ = lock(tmp_path / "b", served, "lib>=1.1")
        assert [str(p.version) for p in again.packages] == ["1.1"]
        assert served.pages == [200, 200]  # the cached page failed, and was asked again
        assert "no version of lib matches" in refused(tmp_path / "c", served, "lib>=9")
        assert served.pages == [200, 200, 304]


def test_a_warm_lock_in_forked_workers_writes_what_one_process_writes(
    tmp_path: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 92: once the first environment has read everything, the other 35 are
    resolved by forked workers; the lock is the same bytes as one process's."""
    roots = ("plat", "fmt", "same", "rp", "ex[gpu]")
    (tmp_path / "cold").mkdir()
    lock(tmp_path / "cold", index, *roots)  # reads every page and METADATA
    written = {}
    for count in ("1", "3"):
        monkeypatch.setenv("GRAFT_LOCK_WORKERS", count)
        out = tmp_path / f"workers-{count}"
        out.mkdir()
        # a root no earlier lock had (its stamp would answer), the same resolution
        _, said = lock(out, index, *roots, f"same!=0.0.{count}", "-v")
        assert ("in 3 processes" in said) is (count == "3"), said
        text = (out / "pylock.toml").read_text()
        written[count] = text.replace(f"same!=0.0.{count}", "same!=0.0.N")
    assert written["1"] == written["3"]


def _long_search(wheels: Path, served: Served, *, app_1_on_new_pythons: bool) -> None:
    """app 2.0-2.9 (Python >= 3.10) need lib>=2, which the roots exclude; app 1.0 does not.

    On 3.9 the newer apps are not candidates, so app 1.0 is taken at once; on 3.12 resolvelib
    rules out every newer app first, which a small bound on the search gives up.
    """
    served.add(make_wheel(wheels, "lib", "1.0", {"lib.py": ""}))
    served.add(make_wheel(wheels, "lib", "2.0", {"lib.py": ""}))
    python = None if app_1_on_new_pythons else "<3.10"
    served.add(
        make_wheel(
            wheels, "app", "1.0", {"app.py": ""}, requires=("lib<2",), requires_python=python
        )
    )
    for minor in range(10):
        served.add(
            make_wheel(
                wheels,
                "app",
                f"2.{minor}",
                {"app.py": ""},
                requires=("lib>=2",),
                requires_python=">=3.10",
            )
        )


def _lock_in_process(
    tmp_path: Path, served: Served, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, Path, bool]:
    """``graft lock -r`` of app and lib<2 for 3.9 and 3.12 on Linux, its search bounded to 5
    candidates; and whether it left a stamp for an edit of the file (``graft.cli.lockedit``)."""
    from graft.cli.lockstamp_file import key_of, load
    from graft.cli.main import main
    from graft.resolve import resolver

    monkeypatch.setattr(resolver, "LOCK_REJECTIONS", 5)
    monkeypatch.setenv("GRAFT_LOCK_WORKERS", "1")  # (in this process: the bound patched)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "roots.in").write_text("app\nlib<2\n")
    out = tmp_path / "pylock.toml"
    args = ["lock", "-r", "roots.in", "--index-url", f"{served.url}/simple/", "-o", str(out)]
    args += ["--python-version", "3.9", "--python-version", "3.12", "--platform", "linux"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(args)
    keyed = key_of(args, edit=True)
    assert keyed is not None
    try:
        load(keyed[0])
    except (OSError, KeyError):
        return code, err.getvalue(), out, False
    return code, err.getvalue(), out, True


def test_an_environment_whose_search_is_given_up_prefers_the_nearest_resolved_versions(
    tmp_path: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 105: 3.12's search is given up; again, preferring 3.9's versions, it resolves
    at once (app 1.0 fits 3.12 too), and the lock covers every environment."""
    with serve() as served:
        _long_search(wheels, served, app_1_on_new_pythons=True)
        code, err, out, edit_stamp = _lock_in_process(tmp_path, served, monkeypatch)
    assert code == 0
    assert "not locked" not in err
    assert edit_stamp  # (every environment resolved: an edit may be proven harmless)
    parsed = Pylock.from_dict(tomllib.loads(out.read_text()))
    envs = environments(parsed)
    assert sorted({e.python for e in envs}) == ["3.12", "3.9"]
    for env in envs:
        assert selected(parsed, env) == {
            "app": "app-1.0-py3-none-any.whl",
            "lib": "lib-1.0-py3-none-any.whl",
        }


def test_a_search_given_up_again_is_said_to_be_no_proof(
    tmp_path: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve() as served:
        _long_search(wheels, served, app_1_on_new_pythons=False)
        code, err, out, edit_stamp = _lock_in_process(tmp_path, served, monkeypatch)
    assert code == 0
    assert not edit_stamp  # (narrowing the roots may let 3.12's search finish: no proof)
    said = [line for line in err.splitlines() if "not locked for cp312" in line]
    assert len(said) == 1  # (both machines, one reason: decision 158)
    assert "cp312 on manylinux_2_28_x86_64 and manylinux_2_28_aarch64: " in said[0]
    assert all("the search was given up after ruling out" in line for line in said)
    assert all("with no proof that none fits" in line for line in said)
    parsed = Pylock.from_dict(tomllib.loads(out.read_text()))
    assert sorted({e.python for e in environments(parsed)}) == ["3.9"]
