"""``graft sync --python SPEC``: uv's forms, ``GRAFT_PYTHON``, PyPy end to end (decision 119).

Real interpreters (pyenv's CPythons, Debian's PyPy): each test skips, saying which, when the
one it needs is not installed here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from graft.errors import TargetError
from graft.venv.interpreter import find_interpreter, introspect
from tests.conftest import run_graft
from tests.integration.test_warm import aged
from tests.support.importtime import graft_imports
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

_UV = str(Path(sys.executable).with_name("uv"))  # a dev dependency (benchmarks, e2e)
_FACTS = (
    "import sys, sysconfig, importlib.metadata as md, gamma;"
    " print(sys.implementation.name, '%d.%d.%d' % sys.version_info[:3],"
    " sysconfig.get_path('purelib')[len(sys.prefix):], md.version('gamma'), gamma.G)"
)


@pytest.fixture
def wheels_dir(wheels: Path) -> Path:
    make_wheel(
        wheels,
        "gamma",
        "1.0",
        {"gamma/__init__.py": "G = 7\n\ndef main():\n    print('gamma says hi')\n"},
        entry_points="[console_scripts]\ngamma-hi = gamma:main\n",
    )
    aged(*wheels.iterdir(), wheels)
    return wheels


def _found(spec: str) -> str:
    try:
        return find_interpreter(spec)
    except TargetError as exc:
        pytest.skip(f"no interpreter for --python {spec} here ({exc.what})")


def _sync(venv: Path, wheels: Path, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    common = ("gamma", "--no-index", "-f", str(wheels), "--store", str(store))
    return run_graft("sync", venv, *common, *args, check=False)


@pytest.mark.parametrize(
    ("spec", "implementation", "versions"),
    [
        ("cpython@3.12", "cpython", "==3.12.*"),
        ("cp311", "cpython", "==3.11.*"),
        ("cpython3.10", "cpython", "==3.10.*"),
        ("3.12.1", "cpython", "==3.12.1"),
        (">=3.10,<3.12", "cpython", ">=3.10,<3.12"),
        ("cpython@>=3.11,<3.13", "cpython", ">=3.11,<3.13"),
        ("pypy", "pypy", ">=3"),
        ("pypy@3.9", "pypy", "==3.9.*"),
        ("pp39", "pypy", "==3.9.*"),
    ],
)
def test_uvs_forms_build_the_venv_on_the_interpreter_they_name(
    tmp_path: Path, wheels_dir: Path, store_dir: Path, spec: str, implementation: str, versions: str
) -> None:
    chosen = introspect(_found(spec))
    venv = tmp_path / "venv"
    proc = _sync(venv, wheels_dir, store_dir, "--python", spec)
    assert proc.returncode == 0, proc.stderr
    name, version, _, _, _ = py(venv, _FACTS).split()
    assert (name, version) == (implementation, chosen.version)
    assert SpecifierSet(versions).contains(version)
    again = _sync(venv, wheels_dir, store_dir, "--python", spec)
    assert "already in sync" in again.stderr, again.stderr


def test_a_venv_directory_is_its_interpreter_as_pip_and_uv_read_it(
    tmp_path: Path, wheels_dir: Path, store_dir: Path
) -> None:
    """``--python .venv`` said "no executable interpreter at this path"; pip 26.3 and uv
    0.13.9 take a directory's ``bin/python`` (decision 327)."""
    other = tmp_path / "other"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", other], check=True)
    venv = tmp_path / "venv"
    proc = _sync(venv, wheels_dir, store_dir, "--python", str(other))
    assert proc.returncode == 0, proc.stderr
    version = "%d.%d.%d" % sys.version_info[:3]  # noqa: UP031
    assert py(venv, _FACTS).split()[:2] == [sys.implementation.name, version]
    again = _sync(venv, wheels_dir, store_dir, "--python", f"{other}{os.sep}")
    assert "already in sync" in again.stderr, again.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = _sync(tmp_path / "refused", wheels_dir, store_dir, "--python", str(empty))
    assert refused.returncode == 1
    said = "no executable interpreter at this path (pass an existing python, or a venv"
    assert refused.stderr.splitlines() == [
        f"graft: error: {empty}: {said} directory holding bin/python)"
    ]
    assert not (tmp_path / "refused").exists()


def test_a_micro_release_not_installed_is_one_error_line_and_no_venv(
    tmp_path: Path, wheels_dir: Path, store_dir: Path
) -> None:
    version = introspect(_found("3.12")).version.split(".")
    spec = f"3.12.{int(version[2]) + 50}"
    venv = tmp_path / "venv"
    proc = _sync(venv, wheels_dir, store_dir, "--python", spec)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1].startswith("graft: error: --python: no "), proc.stderr
    assert f"'{spec}'" in proc.stderr
    assert [line for line in proc.stderr.splitlines() if "error" in line] == [
        proc.stderr.splitlines()[-1]
    ]
    assert "Traceback" not in proc.stderr
    assert not venv.exists()


def test_a_pypy_venv_is_what_uv_makes_of_the_same_wheel(
    tmp_path: Path, wheels_dir: Path, store_dir: Path
) -> None:
    """Imports, metadata, the install scheme and a console script, as in uv's PyPy venv."""
    pypy = _found("pypy3")
    if not Path(_UV).exists():
        pytest.skip(f"uv is not installed beside {sys.executable}")
    graft_venv, uv_venv = tmp_path / "graft", tmp_path / "uv"
    proc = _sync(graft_venv, wheels_dir, store_dir, "--python", "pypy")
    assert proc.returncode == 0, proc.stderr
    subprocess.run([_UV, "venv", "-q", "--python", pypy, str(uv_venv)], check=True)
    install = [_UV, "pip", "install", "-q", "--python", str(uv_venv / "bin" / "python")]
    subprocess.run([*install, "--no-index", "-f", str(wheels_dir), "gamma"], check=True)
    graft_facts = py(graft_venv, _FACTS)
    assert graft_facts == py(uv_venv, _FACTS)
    assert graft_facts.startswith("pypy ")
    for venv in (graft_venv, uv_venv):
        hi = subprocess.run([venv / "bin" / "gamma-hi"], capture_output=True, text=True, check=True)
        assert hi.stdout == "gamma says hi\n"
        assert (venv / "bin" / "pypy3").exists()


def test_a_pypy_venv_stays_pypy_without_python(
    tmp_path: Path, wheels_dir: Path, store_dir: Path
) -> None:
    """As pip and uv install into a venv's own Python: PyPy's pyvenv.cfg names no executable."""
    pypy = _found("pypy3")
    venvs = {"graft": tmp_path / "graft", "venv": tmp_path / "venv"}
    assert _sync(venvs["graft"], wheels_dir, store_dir, "--python", pypy).returncode == 0
    subprocess.run([pypy, "-m", "venv", "--without-pip", venvs["venv"]], check=True)
    for made_by, venv in venvs.items():
        proc = _sync(venv, wheels_dir, store_dir)
        assert proc.returncode == 0, proc.stderr
        assert "~ python" not in proc.stderr, (made_by, proc.stderr)
        assert py(venv, _FACTS).startswith("pypy "), made_by


def test_from_pypy_to_cpython_keeps_the_versions_and_says_what_changed(
    tmp_path: Path, wheels_dir: Path, store_dir: Path
) -> None:
    """Decision 121 across implementations: PyPy's venv holds them in ``lib/pypy3.X``."""
    pypy = _found("pypy3")
    venv = tmp_path / "venv"
    assert _sync(venv, wheels_dir, store_dir, "--python", pypy).returncode == 0
    make_wheel(wheels_dir, "gamma", "2.0", {"gamma/__init__.py": "G = 2\n"})
    for python in (sys.executable, pypy):
        proc = _sync(venv, wheels_dir, store_dir, "--python", python)
        assert proc.returncode == 0, proc.stderr
        assert py(venv, _FACTS).split()[-2:] == ["1.0", "7"], proc.stderr  # (not 2.0)
        changes = [line for line in proc.stderr.splitlines() if line.startswith(" ")]
        assert len(changes) == 1, proc.stderr  # (not " + gamma==1.0")
        assert changes[0].startswith(" ~ python "), proc.stderr


def test_graft_python_is_the_default_of_python(
    tmp_path: Path, wheels_dir: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    others = [v for v in ("3.10", "3.11", "3.12") if _found(v) != sys.executable]
    first, second = introspect(_found(others[0])), introspect(_found(others[-1]))
    venv = tmp_path / "venv"
    monkeypatch.setenv("GRAFT_PYTHON", others[0])
    assert _sync(venv, wheels_dir, store_dir).returncode == 0
    assert py(venv, _FACTS).split()[1] == first.version
    again = _sync(venv, wheels_dir, store_dir)
    assert "already in sync" in again.stderr, again.stderr
    assert _sync(venv, wheels_dir, store_dir, "--python", others[-1]).returncode == 0
    assert py(venv, _FACTS).split()[1] == second.version, "--python before GRAFT_PYTHON"
    foreign = _sync(tmp_path / "planned", wheels_dir, store_dir, "--python-version", "3.11")
    assert "--python cannot be combined" not in foreign.stderr, "a foreign target's own"
    monkeypatch.setenv("GRAFT_PYTHON", ">=3.x")
    bad = _sync(tmp_path / "other", wheels_dir, store_dir)
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1] == (
        "graft: error: GRAFT_PYTHON: '>=3.x' is not a version specifier"
        " (write one as in requires-python, e.g. '>=3.11,<3.13')"
    )


def _series() -> list[tuple[str, str]]:
    """The CPython series found here, oldest first: (``3.X``, the version its lookup finds)."""
    found = []
    for minor in range(9, 15):
        try:
            path = find_interpreter(f"cpython@3.{minor}")
        except TargetError:
            continue
        found.append((f"3.{minor}", introspect(path).version))
    return found


def _version(venv: Path) -> str:
    return py(venv, "import platform; print(platform.python_version())")


def test_a_specifier_keeps_a_venv_that_meets_it_and_is_answered_by_the_no_op(
    tmp_path: Path, wheels_dir: Path, store_dir: Path
) -> None:
    """As ``uv sync --python``: a venv whose interpreter meets the request is kept (decision 123).

    So the no-op stamp answers without looking the request up (no ``packaging``), and a venv
    that no longer meets it is rebuilt on what the request finds.
    """
    series = _series()
    if len(series) < 3:  # a, b and a newer c the specifier leaves out
        pytest.skip(f"three CPython series needed, found {series}")
    (a, a_version), (_, b_version), (c, c_version) = series[-3:]
    spec = f">={a},<{c}"  # the lookup's first candidate (c) does not meet it
    venv = tmp_path / "venv"
    common = ("gamma", "--no-index", "-f", wheels_dir, "--store", store_dir)
    assert _sync(venv, wheels_dir, store_dir, "--python", spec).returncode == 0
    assert _version(venv) == b_version, "the newest series that meets it"
    said, modules = graft_imports("sync", venv, *common, "--python", spec)
    assert "already in sync" in said
    assert not {"graft.sync", "packaging.version", "graft._pythons"} & modules
    assert _sync(venv, wheels_dir, store_dir, "--python", a).returncode == 0
    kept = _sync(venv, wheels_dir, store_dir, "--python", spec)
    assert "~ python" not in kept.stderr, kept.stderr
    assert _version(venv) == a_version, "kept: it meets the request"
    said, modules = graft_imports("sync", venv, *common, "--python", spec)
    assert "already in sync" in said
    assert "graft.sync" not in modules
    assert _sync(venv, wheels_dir, store_dir, "--python", c).returncode == 0
    moved = _sync(venv, wheels_dir, store_dir, "--python", spec)
    assert f" ~ python {c_version} -> {b_version}" in moved.stderr, moved.stderr
    assert _version(venv) == b_version


def test_graft_python_is_checked_as_python_is(
    tmp_path: Path, wheels_dir: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each value of ``GRAFT_PYTHON`` is its own stamp's; a venv another one made is rebuilt."""
    series = _series()
    if len(series) < 2:
        pytest.skip(f"two CPython series needed, found {series}")
    (a, a_version), (b, b_version) = series[-2:]
    venv = tmp_path / "venv"
    common = ("gamma", "--no-index", "-f", wheels_dir, "--store", store_dir)
    for value, version in ((a, a_version), (b, b_version), (a, a_version)):
        monkeypatch.setenv("GRAFT_PYTHON", value)
        proc = _sync(venv, wheels_dir, store_dir)
        assert proc.returncode == 0, proc.stderr
        assert "already in sync" not in proc.stderr, f"GRAFT_PYTHON={value}: {proc.stderr}"
        assert _version(venv) == version
        said, modules = graft_imports("sync", venv, *common)
        assert "already in sync" in said
        assert "graft.sync" not in modules, "the no-op stamp's answer"
    monkeypatch.setenv("GRAFT_PYTHON", f">={a}")  # a venv that meets it is kept, as --python's
    assert "~ python" not in _sync(venv, wheels_dir, store_dir).stderr
    assert _version(venv) == a_version


def _pyenv_versions() -> list[str]:
    """pyenv's CPython versions here (``3.12.1``), if its shims are on PATH; else none."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    on_path = [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    if root / "shims" not in on_path or not (root / "shims" / "python").exists():
        return []
    names = [p.parents[1].name for p in (root / "versions").glob("3.*/bin/python")]
    found = [name for name in names if re.fullmatch(r"3\.\d+\.\d+", name)]
    return sorted(found, key=lambda name: [int(part) for part in name.split(".")])


def test_python_by_name_is_what_the_pyenv_shim_runs(
    tmp_path: Path, wheels_dir: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--python python`` where PATH holds pyenv's shims: pyenv's choice (decision 124).

    As uv finds it (by running the shim); the no-op stamp looks it up again, so a
    ``.python-version`` written since (not in any stamp's key) is seen.
    """
    versions = _pyenv_versions()
    if len(versions) < 2:
        pytest.skip(f"pyenv's shims on PATH and two pyenv CPythons needed, found {versions}")
    first, second = versions[-2:]
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".python-version").write_text(f"{first}\n")
    venv = tmp_path / "venv"
    proc = _sync(venv, wheels_dir, store_dir, "--python", "python")
    assert proc.returncode == 0, proc.stderr
    assert _version(venv) == first
    assert "already in sync" in _sync(venv, wheels_dir, store_dir, "--python", "python").stderr
    (tmp_path / ".python-version").write_text(f"{second}\n")
    moved = _sync(venv, wheels_dir, store_dir, "--python", "python")
    assert f" ~ python {first} -> {second}" in moved.stderr, moved.stderr
    assert _version(venv) == second
