"""One corpus set per interpreter (CPython 3.9-3.13, PyPy): graft venv == flat install.

graft chooses the wheels from PyPI by the target's own tag order; pip, run *in* the
target interpreter (``pip --python``), must choose the same files, and a copying
install (pypa/installer) of those files must equal the graft venv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from installer import install
from installer.destinations import SchemeDictionaryDestination
from installer.sources import WheelFile

from graft.errors import TargetError
from graft.venv.interpreter import find_interpreter, introspect
from tests.conftest import run_graft

from .flatcompare import (
    compare_metadata,
    compare_sys_path,
    compare_trees,
    directory_links_of,
    environment_report,
    format_differences,
)
from .venvs import metadata_name, open_venv
from .wheelcache import corpus_dir, isolated_pip_env

pytestmark = pytest.mark.e2e

# (interpreter, corpus set, an import that exercises the native code of that set)
CASES = [
    *(
        (version, "seed-abi3.txt", "import cryptography.hazmat.bindings._rust, _cffi_backend")
        for version in ("3.9", "3.10", "3.11", "3.12", "3.13")
    ),
    ("pypy3", "pypy-namespace", "import jaraco.classes.properties, jaraco.functools"),
]
# The corpus pins are for CPython 3.11 (more-itertools 11 needs 3.11); Debian's PyPy is 3.9,
# so its case uses the same PEP 420 namespace shape with pins that support 3.9.
PYPY_SET = "jaraco-classes==3.4.0\njaraco-functools==4.1.0\nmore-itertools==10.5.0\n"


def _interpreter(spec: str) -> str:
    try:
        return find_interpreter(spec)
    except TargetError as exc:
        pytest.skip(f"interpreter {spec} is not installed here ({exc.what})")


def _flat(python: str, prefix: Path, wheels: list[Path]) -> None:
    subprocess.run([python, "-m", "venv", "--without-pip", str(prefix)], check=True)
    venv = open_venv(prefix)
    target = introspect(str(prefix / "bin" / "python"))
    for wheel in sorted(wheels, key=lambda p: p.name.lower()):
        with WheelFile.open(wheel) as source:
            schemes = {k: venv.paths[k] for k in ("purelib", "platlib", "scripts", "data")}
            schemes["headers"] = str(prefix / target.include_site / metadata_name(source))
            destination = SchemeDictionaryDestination(
                schemes, interpreter=str(venv.python), script_kind="posix", overwrite_existing=True
            )
            install(source, destination, {"INSTALLER": b"flat"})


def _against_flat(
    python: str, venv: Path, flat: Path, wheels: list[Path]
) -> tuple[list[str], dict[str, Any]]:
    """How graft's *venv* differs from a copying install of *wheels* into *flat*: the trees,
    ``importlib.metadata`` as each interpreter answers it (3.9's ``entry_points()`` is a
    dict) and ``sys.path``; and graft's venv's report."""
    _flat(python, flat, wheels)
    ours, theirs = open_venv(venv), open_venv(flat)
    diffs = compare_trees(ours, theirs)
    ours_report, flat_report = (environment_report(v, os.environ) for v in (ours, theirs))
    links = directory_links_of(ours.prefix, ours.site_packages)
    diffs += compare_metadata(ours_report, flat_report, directory_links=links)
    diffs += compare_sys_path(ours_report, flat_report)
    return diffs, ours_report


@pytest.mark.parametrize(("version", "set_name", "probe"), CASES, ids=[c[0] for c in CASES])
def test_set_per_interpreter_equals_flat(
    tmp_path: Path, store_dir: Path, graft_cache: Path, version: str, set_name: str, probe: str
) -> None:
    python = _interpreter(version)
    requirements = corpus_dir() / set_name
    if set_name == "pypy-namespace":
        requirements = tmp_path / "pypy.txt"
        requirements.write_text(PYPY_SET)
    venv = tmp_path / "graft"
    # --no-deps: the sets are complete for CPython 3.11; on 3.9/3.10 cryptography also wants
    # typing-extensions (graft reports that, correctly); the comparison is about the wheels.
    base: list[str | Path] = ["--python", python, "--store", store_dir, "--no-deps"]
    base += ["--index-url", "https://pypi.org/simple"]
    proc = run_graft("sync", venv, "-r", requirements, *base, "--dry-run", "--json", check=False)
    assert proc.returncode == 0, proc.stderr
    chosen = {d["wheel"]: d["sha256"] for d in json.loads(proc.stdout)["distributions"]}
    run_graft("sync", venv, "-r", requirements, *base)

    # pip, running in the target interpreter, picks the same files: graft's pip through
    # --python where it supports the target, else the target's own pip (pip 26 needs 3.10+)
    picked = tmp_path / "pip-picked"
    download = ["download", "--no-deps", "--only-binary=:all:", "-q", "-r", str(requirements),
                "--index-url", "https://pypi.org/simple", "-d", str(picked)]  # fmt: skip
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, *download],
        env=isolated_pip_env(), check=False, capture_output=True, text=True,
    )  # fmt: skip
    if "does not support python" in pip.stderr:
        pip = subprocess.run(
            [python, "-m", "pip", *download],
            env=isolated_pip_env(), check=False, capture_output=True, text=True,
        )  # fmt: skip
        if "No module named pip" in pip.stderr:
            pytest.xfail(f"no pip can choose wheels for {version}: the choice is not cross-checked")
    assert pip.returncode == 0, pip.stderr
    assert sorted(chosen) == sorted(p.name for p in picked.iterdir())

    wheels = [graft_cache / "wheels" / sha / name for name, sha in chosen.items()]
    assert all(w.is_file() for w in wheels)
    flat = tmp_path / "flat"
    diffs, ours_report = _against_flat(python, venv, flat, wheels)
    if set_name == "seed-abi3.txt":  # cffi's distutils.setup_keywords: entry points to compare
        assert ours_report["entry_points"], ours_report
    assert not diffs, format_differences(diffs)
    for prefix in (venv, flat):
        subprocess.run([str(prefix / "bin" / "python"), "-c", probe], check=True, env=os.environ)
    audit = run_graft("audit", venv, "--json", check=False)
    found = json.loads(audit.stdout)["findings"]
    errors = [f for f in found if f["severity"] == "error"]
    missing = [f["detail"] for f in errors if f["kind"] == "missing-dependency"]
    assert [f for f in errors if f["kind"] != "missing-dependency"] == [], audit.stdout
    # synced --no-deps (above): on 3.9 and 3.10 cryptography's typing-extensions is missing
    # (its marker holds there only), and the audit says so, as pip check would
    if version in {"3.9", "3.10"}:
        assert missing, audit.stdout
        assert all(" requires typing-extensions" in detail for detail in missing), missing
    else:
        assert missing == [], audit.stdout


@pytest.mark.usefixtures("online")
def test_pypy_builds_an_sdist_no_pypy_wheel_replaces_and_stays_in_sync(
    tmp_path: Path, store_dir: Path
) -> None:
    """markupsafe 3.0.4 has no pp39 wheel: PyPy builds its sdist (pure there, speedups left
    out), the venv equals a copy of that wheel, and a dry run of the synced venv says it is
    in sync, naming the recorded build (decision 328); CPython builds its own (decision 331).
    """
    python = _interpreter("pypy3")
    venv = tmp_path / "graft"
    base: list[str | Path] = ["markupsafe==3.0.4", "--store", store_dir]
    base += ["--index-url", "https://pypi.org/simple"]
    built = run_graft("sync", venv, *base, "--python", python, "-v").stderr
    assert "built markupsafe-3.0.4-py3-none-any.whl for pypy 3.9" in built, built
    dry = run_graft("sync", venv, *base, "--python", python, "--dry-run", "--json")
    data = json.loads(dry.stdout)
    assert (data["in_sync"], data["changes"]["reinstalled"]) == (True, []), dry.stdout
    [offered] = data["distributions"]
    assert (offered["wheel"], offered["fetch"]) == ("markupsafe-3.0.4-py3-none-any.whl", "built")
    wheel = next((Path(os.environ["GRAFT_CACHE_DIR"]) / "wheels").rglob(offered["wheel"]))
    diffs, _ = _against_flat(python, venv, tmp_path / "flat", [wheel])
    assert not diffs, format_differences(diffs)
    probe = "import markupsafe, sys; assert markupsafe.escape('<') == '&lt;'"
    subprocess.run([str(venv / "bin" / "python"), "-c", probe], check=True)
    # the Gentoo rule: PyPy's pure build never serves CPython, whose build has _speedups
    cpython = _interpreter("3.12")
    other = run_graft(
        "sync", tmp_path / "cp", *base, "--python", cpython, "--no-binary", "markupsafe", "-v"
    ).stderr
    assert "built markupsafe-3.0.4-cp312-cp312-linux_x86_64.whl" in other, other
