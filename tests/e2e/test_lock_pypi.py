"""``graft lock`` on real releases whose wheels disagree (and one whose wheels agree).

The issue's cases (docs/resolver.md): uv fails the universal lock of ``tensorflow-cpu==2.19.0``
and drops openmm's ``cuda12`` extra everywhere. graft's index pages and METADATA are kept in a
cache under the test cache (``$GRAFT_TEST_CACHE/graft-lock``), so a second run reads no wheel.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.pylock import Pylock
from packaging.tags import Tag

from graft.resolve.environments import Environment, matrix
from graft.venv.foreign import foreign_target
from tests.support.toml import tomllib

from .wheelcache import cache_dir

pytestmark = pytest.mark.e2e


def graft_lock(
    tmp_path: Path, *args: str, said: list[str] | None = None
) -> tuple[Pylock, list[Environment]]:
    """The lock and the environments it lists; *said*: its stderr's lines appended."""
    out = tmp_path / "pylock.toml"
    env = {**os.environ, "GRAFT_CACHE_DIR": str(cache_dir() / "graft-lock")}
    proc = subprocess.run(
        [sys.executable, "-m", "graft", "lock", *args, "-o", str(out)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    if said is not None:
        said += proc.stderr.splitlines()
    lock = Pylock.from_dict(tomllib.loads(out.read_text()))
    lock.validate()
    pythons = sorted({_first_release(str(m)) for m in lock.environments or ()})
    kinds = [k for k, n in (("cp", "cpython"), ("pp", "pypy")) if n in str(lock.environments)]
    every = matrix(pythons, ["linux", "macos", "windows"], kinds)
    listed = {str(m) for m in lock.environments or ()}
    envs = [e for e in every if str(Marker(e.marker)) in listed]
    assert len(envs) == len(listed)
    return lock, envs


def _first_release(marker: str) -> str:
    """The release an ``environments`` marker covers its series from (``3.9.2``; ``3.11``)."""
    later = re.search(r"python_full_version >= [\"']([0-9.]+)", marker)  # (decisions 120, 157)
    series = re.search(r"python_version == [\"']([0-9.]+)", marker)
    assert series is not None, marker
    return (later or series).group(1)


def select(lock: Pylock, env: Environment) -> dict[str, str]:
    tags = [Tag(*t.split("-", 2)) for t in env.target.tags]
    chosen = lock.select(environment=env.target.markers, tags=tags)  # type: ignore[arg-type]
    return {str(p.name): str(p.version) for p, _ in chosen}


def test_tensorflow_cpu_2_19_locks_without_tensorflow_intel_on_windows(
    online: None, tmp_path: Path
) -> None:
    lock, envs = graft_lock(tmp_path, "tensorflow-cpu==2.19.0")
    windows = [e for e in envs if e.values[0] == "win32"]
    assert windows, "no Windows environment locked"
    for env in envs:
        got = select(lock, env)
        assert got["tensorflow-cpu"] == "2.19.0"
        assert "tensorflow-intel" not in got, env.label


def test_openmm_cuda12_only_on_linux_and_windows(online: None, tmp_path: Path) -> None:
    lock, envs = graft_lock(tmp_path, "openmm[cuda12]==8.3.1", "--python-version", "3.12")
    systems = {e.values[0] for e in envs}
    assert {"linux", "darwin", "win32"} <= systems
    for env in envs:
        got = select(lock, env)
        cuda = env.values[0] in {"linux", "win32"} and env.values[1] in {"x86_64", "AMD64"}
        assert ("openmm-cuda-12" in got) == cuda, env.label


def test_torch_2_0_1_gives_the_same_effective_dependencies_everywhere(
    online: None, tmp_path: Path
) -> None:
    """The negative control: the manylinux x86_64 wheel lists the nvidia-* and triton lines
    (with Linux x86_64 markers) and the others do not, so the surfaces differ and torch gets
    two entries, but every target installs what one version-level metadata would give it."""
    lock, envs = graft_lock(tmp_path, "torch==2.0.1", "--python-version", "3.11")
    assert len(envs) == 5  # no win_arm64 wheel
    torch = [p for p in lock.packages if p.name == "torch"]
    assert sorted(str(p.marker) for p in torch) == [
        (
            '(sys_platform == "linux" and platform_machine == "aarch64")'
            ' or sys_platform == "darwin" or sys_platform == "win32"'
        ),
        'sys_platform == "linux" and platform_machine == "x86_64"',
    ]
    base = {"torch", "filelock", "jinja2", "markupsafe", "mpmath", "networkx", "sympy"}
    base |= {"typing-extensions"}
    for env in envs:
        got = set(select(lock, env))
        if env.values[:2] == ("linux", "x86_64"):
            assert base < got
            assert {"triton", "nvidia-cudnn-cu11", "nvidia-cuda-nvrtc-cu11"} <= got
        else:
            assert got == base, env.label


def test_nmslib_2_1_1_on_cp35(online: None, tmp_path: Path) -> None:
    """The cp35 wheels for macOS and Windows pin numpy<1.17 without markers (the research's
    case); the manylinux cp35 wheel does not, so Linux gets numpy 1.18 from the same release.
    psutil has only an sdist for cp35: its metadata comes from prepare_metadata_for_build_wheel.
    Environments whose numpy is an sdist that does not prepare here (arm64) are left out."""
    lock, envs = graft_lock(tmp_path, "nmslib==2.1.1", "--python-version", "3.5")
    assert {e.values[0] for e in envs} == {"darwin", "linux", "win32"}
    for env in envs:
        got = select(lock, env)
        assert got["nmslib"] == "2.1.1"
        assert "psutil" in got, env.label
        numpy = "1.18." if env.values[0] == "linux" else "1.16."
        assert got["numpy"].startswith(numpy), env.label


def test_pyobjc_cocoa_locks_macos_3_9_with_an_older_release(online: None, tmp_path: Path) -> None:
    """Decision 134: pyobjc-framework-cocoa 12.0 has no cp39 wheel, and its sdist's
    dependencies are dynamic, from a ``setup.py`` that refuses to run off macOS (12.1 on
    require Python 3.10). macOS 3.9 was left out of the lock; it now takes 11.1, as uv
    does, and 3.10 the newest (pyobjc-core 12.0 is yanked: 12.0 is not it)."""
    lock, envs = graft_lock(
        tmp_path, "pyobjc-framework-cocoa", "--exclude-newer", "2026-09-01",
        "--platform", "macos", "--python-version", "3.9", "--python-version", "3.10",
    )  # fmt: skip
    assert len(envs) == 4
    for env in envs:
        got = select(lock, env)
        expected = "11.1" if env.python == "3.9" else "12.2.2"
        assert got["pyobjc-framework-cocoa"] == expected, env.label
        assert got["pyobjc-core"] == expected, env.label


def test_jax_cpu_leaves_out_windows_arm64_rather_than_an_old_release_without_the_extra(
    online: None, tmp_path: Path
) -> None:
    """Decision 233: jax 0.2.11 and 0.2.12 provide ``cpu`` (jaxlib, which has no Windows
    arm64 wheel); 0.2.10 does not, and pip and uv take it there with a warning. The lock
    leaves Windows arm64 out, saying why, and locks 0.2.12 elsewhere."""
    said: list[str] = []
    lock, envs = graft_lock(
        tmp_path, "jax[cpu]>=0.2.10,<=0.2.12", "--exclude-newer", "2026-09-01",
        "--python-version", "3.9", said=said,
    )  # fmt: skip
    assert sorted(e.platforms[0] for e in envs) == [
        "macosx_15_0_arm64", "macosx_15_0_x86_64", "manylinux_2_28_aarch64",
        "manylinux_2_28_x86_64", "win_amd64",
    ]  # fmt: skip
    for env in envs:
        got = select(lock, env)
        assert got["jax"] == "0.2.12", env.label
        assert "jaxlib" in got, env.label
    assert (
        "graft: warning: not locked for cp39 win_arm64: jax 0.2.10, the release that resolves"
        " here, does not provide the extra 'cpu' (jax 0.2.12, locked for other environments,"
        " does)"
    ) in said, said


def test_pyqt5_on_linux_aarch64_is_not_locked_without_pyqt5_sip(
    online: None, tmp_path: Path
) -> None:
    """Decision 234: PyQt5 5.15.11 has no Linux aarch64 wheel; its sdist's ``[project]``
    says ``dependencies = []`` statically, but its backend (sip) writes ``Requires-Dist:
    PyQt5-sip`` (its PKG-INFO shows it). The table was taken: the lock held PyQt5 alone
    for aarch64, which installs without the ``PyQt5.sip`` it imports. Now the backend is
    asked: where it runs (qmake installed) aarch64 gets PyQt5-sip too; where it fails, as
    on a machine without Qt, aarch64 is left out naming the build, as pip fails there."""
    said: list[str] = []
    lock, envs = graft_lock(
        tmp_path, "PyQt5==5.15.11", "--exclude-newer", "2026-09-01",
        "--python-version", "3.12", "--platform", "linux", said=said,
    )  # fmt: skip
    for env in envs:
        got = select(lock, env)
        assert "pyqt5-sip" in got, (env.label, got)
    if not any(e.values[1] == "aarch64" for e in envs):
        (left,) = [line for line in said if "not locked for" in line]
        assert "manylinux_2_28_aarch64" in left
        assert "PyQt5-5.15.11.tar.gz" in left
        assert "sipbuild.api failed" in left


def test_debugpy_1_8_22_lists_its_manylinux_2_34_wheel_beside_the_pure_one(
    online: None, tmp_path: Path
) -> None:
    """debugpy 1.8.22's Linux wheels are for glibc 2.34 only, beside a pure fallback: the
    lock lists both, so a machine with glibc 2.34 or later takes the Linux build from the
    lock as from the index, and an older one the fallback (decision 314)."""
    lock, _ = graft_lock(
        tmp_path, "debugpy==1.8.22", "--python-version", "3.12", "--platform", "linux"
    )
    (entry,) = [p for p in lock.packages if p.name == "debugpy"]
    names = {w.name for w in entry.wheels or ()}
    assert "debugpy-1.8.22-py2.py3-none-any.whl" in names
    assert "debugpy-1.8.22-cp312-cp312-manylinux_2_34_x86_64.whl" in names


def test_orjson_3_10_18_lists_its_musllinux_and_win32_wheels(online: None, tmp_path: Path) -> None:
    """orjson 3.10.18's musllinux and win32 wheels state what its manylinux and win_amd64
    ones do: the lock lists them, so an Alpine job and 32-bit CPython on 64-bit Windows
    (whose markers are those of the lock's environments) take them as they would from the
    index, where they took the sdist before; ppc64le, which no environment is, gets none
    (decision 320)."""
    lock, envs = graft_lock(tmp_path, "orjson==3.10.18", "--python-version", "3.12")
    (entry,) = [p for p in lock.packages if p.name == "orjson"]
    names = {str(w.name) for w in entry.wheels or ()}
    for platform in ("musllinux_1_2_x86_64", "musllinux_1_2_aarch64", "win32"):
        assert f"orjson-3.10.18-cp312-cp312-{platform}.whl" in names
    assert not [n for n in names if "ppc64le" in n or "s390x" in n]
    linux, linux_arm, *_, windows, _ = envs

    def chosen(env: Environment, platforms: list[str]) -> str:
        tags = [Tag(*t.split("-", 2)) for t in foreign_target("3.12", platforms).tags]
        ((_, wheel),) = lock.select(environment=env.target.markers, tags=tags)  # type: ignore[arg-type]
        return str(getattr(wheel, "name", ""))

    assert chosen(linux, ["musllinux_1_2_x86_64"]) == (
        "orjson-3.10.18-cp312-cp312-musllinux_1_2_x86_64.whl"
    )
    assert chosen(linux_arm, ["musllinux_1_2_aarch64"]) == (
        "orjson-3.10.18-cp312-cp312-musllinux_1_2_aarch64.whl"
    )
    assert chosen(windows, ["win32"]) == "orjson-3.10.18-cp312-cp312-win32.whl"
    assert chosen(linux, list(linux.platforms)) == (
        "orjson-3.10.18-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    )


def test_cryptography_46_0_3_on_pypy_and_cpython_picks_what_uv_s_universal_lock_picks(
    online: None, tmp_path: Path
) -> None:
    """``--implementation cp --implementation pp`` (decision 399): PyPy 3.11 takes
    cryptography's ``pp311-pypy311_pp73`` wheels (its sdist on macOS arm64, where it has none)
    and no cffi, which cryptography requires off PyPy only; CPython takes the ``abi3`` wheels
    and cffi. ``Pylock.select()`` gives every environment the files uv's universal lock gives."""
    lock, envs = graft_lock(
        tmp_path, "cryptography==46.0.3", "--python-version", "3.11",
        "--implementation", "cp", "--implementation", "pp",
    )  # fmt: skip
    assert sorted({e.label.split()[0] for e in envs}) == ["cp311", "pp311"]
    assert len(envs) == 6 + 5  # (no PyPy for Windows arm64)
    uv_lock = tmp_path / "uv" / "pylock.toml"
    uv_lock.parent.mkdir()
    (tmp_path / "in.txt").write_text("cryptography==46.0.3\n")
    subprocess.run(
        [sys.executable, "-m", "uv", "pip", "compile", "--universal", "-q", "--python-version",
         "3.11", "--no-config", str(tmp_path / "in.txt"), "-o", str(uv_lock)],
        check=True, env={**os.environ, "UV_CACHE_DIR": str(cache_dir() / "uv-lock")},
    )  # fmt: skip
    theirs = Pylock.from_dict(tomllib.loads(uv_lock.read_text()))

    def files(chosen: Pylock, env: Environment) -> dict[str, str]:
        tags = [Tag(*t.split("-", 2)) for t in env.target.tags]
        picked = chosen.select(environment=env.target.markers, tags=tags)  # type: ignore[arg-type]
        out = {}
        for package, dist in picked:
            name = getattr(dist, "name", None) or str(getattr(dist, "url", "")).rsplit("/", 1)[-1]
            out[str(package.name)] = name
        return out

    for env in envs:
        ours = files(lock, env)
        assert ours == files(theirs, env), env.label
        if env.implementation == "pp":
            assert "cffi" not in ours, env.label
            crypto = ours["cryptography"]
            assert "pp311-pypy311_pp73" in crypto or crypto.endswith(".tar.gz"), env.label
        else:
            assert "cffi" in ours, env.label
            assert "-abi3-" in ours["cryptography"], env.label
