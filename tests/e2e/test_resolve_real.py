"""``graft sync`` of unpinned real-world sets against PyPI, compared with ``uv pip compile``.

Both resolve the same input on the same index with the same ``--exclude-newer`` cut-off (so
the answer cannot drift as PyPI publishes), for the interpreter running the tests. The graft
venv is then checked by two parties that are not graft's resolver: ``pip check`` and a
check here that reads every installed ``.dist-info/METADATA`` with packaging and evaluates
each Requires-Dist (markers and requested extras) against what is installed.

Downloads, METADATA and index pages are cached in ``$GRAFT_TEST_CACHE/resolve-graft`` and
``$GRAFT_TEST_CACHE/resolve-uv`` across runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from graft.errors import TargetError
from graft.venv.interpreter import find_interpreter

from .wheelcache import cache_dir, isolated_pip_env

pytestmark = pytest.mark.e2e

CUTOFF = "2026-11-01T00:00:00Z"
# opentelemetry-distro 0.66b2 pins an opentelemetry-instrumentation no
# opentelemetry-instrumentation-flask release allows: no resolution within 20,000 rounds
# before decision 133 (uv and pip: the 0.66b1 family)
OTEL = [
    "opentelemetry-api", "opentelemetry-sdk", "opentelemetry-exporter-otlp",
    "opentelemetry-exporter-prometheus", "opentelemetry-exporter-zipkin-json",
    "opentelemetry-instrumentation-requests", "opentelemetry-instrumentation-flask",
    "opentelemetry-instrumentation-sqlalchemy", "opentelemetry-instrumentation-logging",
    "opentelemetry-instrumentation-urllib3", "opentelemetry-distro",
    "opentelemetry-propagator-b3", "opentelemetry-resource-detector-azure",
    "opentelemetry-sdk-extension-aws", "opentelemetry-util-http", "flask", "requests",
    "sqlalchemy",
]  # fmt: skip
SETS = {
    "web": ["django", "djangorestframework", "celery", "redis", "psycopg[binary]"],
    "data": ["pandas", "scikit-learn", "matplotlib", "jupyterlab"],
    "ml": ["transformers", "tokenizers", "safetensors"],
    "otel": OTEL,
    # boto3 1.2.0's Requires-Dist does not parse (decision 136), and every aiobotocore
    # release from 3.10 down clashes with every boto3<1.34 (decision 137)
    "boto": ["boto3<1.34", "aiobotocore", "s3fs"],
}
#: Where graft and uv may both be right and differ: none so far (a new entry says why).
ALLOWED_DIFFERENCES: dict[str, dict[str, str]] = {}


def _env(**extra: str) -> dict[str, str]:
    env = isolated_pip_env()
    for key in [k for k in env if k.startswith("UV_")]:
        del env[key]
    return {**env, "UV_NO_CONFIG": "1", **extra}


def _dry_run(
    requirements: Path, *options: str, cutoff: str = CUTOFF
) -> tuple[list[dict[str, Any]], str]:
    """``graft sync --dry-run --json`` of *requirements* into a new venv: its distributions
    and what it said on stderr.

    Against the test cache's index pages and metadata; the sync must succeed.
    """
    command = [
        sys.executable, "-m", "graft", "sync", str(requirements.parent / "venv"),
        "-r", str(requirements), "--exclude-newer", cutoff, "--dry-run", "--json", *options,
    ]  # fmt: skip
    env = {**os.environ, "GRAFT_CACHE_DIR": str(cache_dir() / "resolve-graft")}
    proc = subprocess.run(
        command, capture_output=True, text=True, check=False, env=env, stdin=subprocess.DEVNULL
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows: list[dict[str, Any]] = json.loads(proc.stdout)["distributions"]
    return rows, proc.stderr


def _versions(run: tuple[list[dict[str, Any]], str]) -> dict[str, str]:
    return {row["name"]: row["version"] for row in run[0]}


def _uv_versions(
    requirements: Path, *options: str, cutoff: str = CUTOFF, python: str = sys.executable
) -> dict[str, str]:
    command = [
        sys.executable, "-m", "uv", "pip", "compile", str(requirements), "-q", "--no-header",
        "--no-annotate", "--python", python, "--exclude-newer", cutoff,
        "--index-url", "https://pypi.org/simple", *options,
    ]  # fmt: skip
    cache = str(cache_dir() / "resolve-uv")
    proc = subprocess.run(
        command, capture_output=True, text=True, check=False, env=_env(UV_CACHE_DIR=cache)
    )
    assert proc.returncode == 0, proc.stderr
    pins: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, _, version = line.split(";")[0].strip().partition("==")
            pins[canonicalize_name(name.split("[")[0])] = version
    return pins


def _installed(venv: Path) -> dict[str, tuple[str, list[str], list[str]]]:
    """name -> (version, Requires-Dist, Provides-Extra) from every installed METADATA."""
    out: dict[str, tuple[str, list[str], list[str]]] = {}
    for metadata in venv.glob("lib/python*/site-packages/*.dist-info/METADATA"):
        message = BytesParser().parse(metadata.open("rb"), headersonly=True)
        name = canonicalize_name(message["Name"])
        requires = message.get_all("Requires-Dist") or []
        out[name] = (str(message["Version"]), requires, message.get_all("Provides-Extra") or [])
    return out


def _unmet(installed: dict[str, tuple[str, list[str], list[str]]], asked: list[str]) -> list[str]:
    """Every applicable Requires-Dist of every installed wheel, checked against the venv."""
    environment = {k: str(v) for k, v in default_environment().items()}
    extras: dict[str, set[str]] = {}
    for text in asked:
        req = Requirement(text)
        extras.setdefault(canonicalize_name(req.name), set()).update(req.extras)
    problems = []
    pending = list(installed)
    while pending:  # extras asked of a dependency bring their own requirements
        name = pending.pop()
        for text in installed[name][1]:
            req = Requirement(text)
            wanted = ["", *sorted(extras.get(name, ()))]
            if req.marker is not None and not any(
                req.marker.evaluate({**environment, "extra": e}) for e in wanted
            ):
                continue
            dep = canonicalize_name(req.name)
            have = installed.get(dep)
            if have is None or not req.specifier.contains(Version(have[0]), prereleases=True):
                problems.append(f"{name} requires {req}; installed: {have and have[0]}")
            elif req.extras - extras.get(dep, set()):
                extras.setdefault(dep, set()).update(req.extras)
                pending.append(dep)
    return problems


@pytest.mark.parametrize("name", sorted(SETS))
def test_unpinned_set_resolves_installs_and_agrees_with_uv(
    name: str, tmp_path: Path, e2e_store: Path
) -> None:
    requirements = tmp_path / f"{name}.in"
    requirements.write_text("\n".join(SETS[name]) + "\n")
    venv = tmp_path / "venv"
    command = [
        sys.executable, "-m", "graft", "sync", str(venv), "-r", str(requirements),
        "--exclude-newer", CUTOFF, "--store", str(e2e_store), "--json",
    ]  # fmt: skip
    env = {**os.environ, "GRAFT_CACHE_DIR": str(cache_dir() / "resolve-graft")}
    proc = subprocess.run(
        command, capture_output=True, text=True, check=False, env=env, stdin=subprocess.DEVNULL
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ours = dict(label.split("==") for label in json.loads(proc.stdout)["distributions"])
    theirs = _uv_versions(requirements)
    differences = {
        n: f"graft {ours.get(n)}, uv {theirs.get(n)}"
        for n in sorted(ours.keys() | theirs.keys())
        if ours.get(n) != theirs.get(n)
    }
    assert differences == ALLOWED_DIFFERENCES.get(name, {})
    installed = _installed(venv)
    assert {n: v for n, (v, _, _) in installed.items()} == ours
    assert _unmet(installed, SETS[name]) == []
    check = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "check"],
        capture_output=True,
        text=True,
        check=False,
        env=_env(),
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("resolution", ["lowest", "lowest-direct"])
def test_the_lowest_strategies_agree_with_uv(resolution: str, tmp_path: Path) -> None:
    """``--resolution lowest|lowest-direct`` (decision 276) of bounded roots, as uv takes them."""
    asked = ["flask>=2.2", "requests>=2.28"]
    requirements = tmp_path / "low.in"
    requirements.write_text("\n".join(asked) + "\n")
    command = [
        sys.executable, "-m", "graft", "sync", str(tmp_path / "venv"), "-r", str(requirements),
        "--exclude-newer", CUTOFF, "--resolution", resolution, "--dry-run", "--json",
    ]  # fmt: skip
    env = {**os.environ, "GRAFT_CACHE_DIR": str(cache_dir() / "resolve-graft")}
    proc = subprocess.run(
        command, capture_output=True, text=True, check=False, env=env, stdin=subprocess.DEVNULL
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    added = json.loads(proc.stdout)["changes"]["added"]
    ours = dict(label.split("==") for label in added)
    assert ours == _uv_versions(requirements, "--resolution", resolution)
    assert (ours["flask"], ours["requests"]) == ("2.2.0", "2.28.0")


def test_an_extra_whose_dependency_was_never_released_goes_back_as_uv_does(
    tmp_path: Path,
) -> None:
    """``dask[complete]`` on 2026-12-01: dask 2026.11.0's extra needs ``distributed`` 2026.11,
    then not on this index; uv and pip took dask 2026.8.0. graft walked ``dask[distributed]``'s
    247 older releases against the pin of dask 2026.11.0, down to the sdist of dask 0.8.2,
    whose metadata build fails, and failed (decision 408). ``distributed`` 2026.11.0 appeared
    later with an upload time before the cutoff, so a constraint now keeps it out, as the
    index did. A dry run: metadata only."""
    cutoff = "2026-12-01T00:00:00Z"
    requirements = tmp_path / "dask.in"
    requirements.write_text("dask[complete]\n-c dask.txt\n")
    (tmp_path / "dask.txt").write_text("distributed<2026.11\n")
    ours = _versions(_dry_run(requirements, cutoff=cutoff))
    assert ours["dask"] == ours["distributed"] == "2026.8.0"
    assert ours == _uv_versions(requirements, cutoff=cutoff)


def test_a_parent_needing_only_dead_ends_is_given_up_as_pip_and_uv_do(tmp_path: Path) -> None:
    """``numpy==1.21.5 spacy<4 mlflow>=2.13,<3`` on CPython 3.10, on 2024-10-22 (pip issue
    13037): every thinc 8.3 needs ``numpy>=2``, so spacy 3.8.2 can never be pinned; graft went
    back through scipy's releases instead, down to scipy 1.6.1's sdist, whose build failed.
    pip 26.3 and uv 0.13.9 take spacy 3.7.5 and scipy 1.10.1 (decision 481). A dry run; the
    constraint keeps out what a later upload dated before the cutoff could add."""
    try:
        python = find_interpreter("3.10")
    except TargetError as exc:
        pytest.skip(f"CPython 3.10 is not installed here ({exc.what})")
    cutoff = "2024-10-22T14:00:00Z"
    requirements = tmp_path / "spacy.in"
    requirements.write_text("numpy==1.21.5\nspacy<4.0.0,>=3.0.0\nmlflow<3.0.0,>=2.13.0\n-c c.txt\n")
    (tmp_path / "c.txt").write_text("spacy<=3.8.2\nthinc<=8.3.2\nscipy<=1.14.1\n")
    ours = _versions(_dry_run(requirements, "--python", python, cutoff=cutoff))
    assert (ours["spacy"], ours["thinc"], ours["scipy"]) == ("3.7.5", "8.2.5", "1.10.1")
    assert ours == _uv_versions(requirements, cutoff=cutoff, python=python)


def test_what_fails_against_the_pins_before_it_is_promoted_as_pip_does(tmp_path: Path) -> None:
    """``sphinx sphinx-rtd-theme sphinx-toolbox myst-parser sphinxcontrib-bibtex nbsphinx`` on
    CPython 3.11, on 2023-12-09: every sphinx-tabs release needs a docutils that
    sphinxcontrib-bibtex 2.6.1 or sphinx 7.2.6 excludes, and graft went back through every
    combination of the sphinx extensions pinned before it until its 20,000 rounds ran out.
    pip 26.3 promotes sphinx-tabs, as it comes up unpinned among the causes again and again;
    pip and uv 0.13.9 install the same 79 distributions (decision 483). A dry run."""
    try:
        python = find_interpreter("3.11")
    except TargetError as exc:
        pytest.skip(f"CPython 3.11 is not installed here ({exc.what})")
    cutoff = "2023-12-09T14:00:00Z"
    requirements = tmp_path / "sphinx.in"
    asked = ["sphinx", "sphinx-rtd-theme", "sphinx-toolbox", "myst-parser", "sphinxcontrib-bibtex"]
    requirements.write_text("\n".join([*asked, "nbsphinx", ""]))
    ours = _versions(_dry_run(requirements, "--python", python, cutoff=cutoff))
    assert (ours["sphinxcontrib-bibtex"], ours["docutils"]) == ("2.5.0", "0.18.1")
    assert ours == _uv_versions(requirements, cutoff=cutoff, python=python)


def test_a_wheel_missing_under_a_yanked_release_is_carried_up_as_uv_resolves(
    tmp_path: Path,
) -> None:
    """The same set for CPython 3.13 on Windows: no pywin32 release has a wheel for it on
    2023-12-09, every jupyter-core from 4.6 needs pywin32 there, and jupyter-core 4.11.0 is
    yanked, so nothing above it was learned a dead end and graft ran out of its 20,000 rounds
    (decision 484). uv 0.13.9 takes nbconvert 5.6.1 with jupyter-core 4.5.0: 75 distributions
    (decision 486). A dry run for that target."""
    cutoff = "2023-12-09T14:00:00Z"
    requirements = tmp_path / "sphinx.in"
    asked = ["sphinx", "sphinx-rtd-theme", "sphinx-toolbox", "myst-parser", "sphinxcontrib-bibtex"]
    requirements.write_text("\n".join([*asked, "nbsphinx", ""]))
    target = ("--python-version", "3.13", "--platform", "win_amd64")
    ours = _versions(_dry_run(requirements, *target, cutoff=cutoff))
    assert (ours["nbconvert"], ours["jupyter-core"]) == ("5.6.1", "4.5.0")
    assert "nbclient" not in ours
    uv_target = ("--python-platform", "x86_64-pc-windows-msvc", "--python-version", "3.13")
    assert ours == _uv_versions(requirements, *uv_target, cutoff=cutoff)


def test_an_extra_is_pinned_before_its_project_as_uv_resolves_it(tmp_path: Path) -> None:
    """``jax[cuda12]`` on 2026-12-01 for CPython 3.12 on x86_64 glibc 2.28: jax 0.12.1's extra
    needs a ``jax-cuda12-plugin`` 0.12.1, never released; uv and pip take jax 0.12.0.1 with
    the plugin. graft pinned jax 0.12.1 first, then tried the extra's older releases against
    its pin of jaxlib 0.12.1 in one round, down to jax 0.4.21, which has no extra
    ``cuda12``: a warning and no CUDA at all (decision 415). A dry run for that target."""
    cutoff = "2026-12-01T00:00:00Z"
    requirements = tmp_path / "jax.in"
    requirements.write_text("jax[cuda12]\n")
    levels = [f"manylinux_2_{n}_x86_64" for n in range(28, 16, -1)] + ["manylinux2014_x86_64"]
    platforms = [option for level in levels for option in ("--platform", level)]
    run = _dry_run(requirements, "--python-version", "3.12", *platforms, cutoff=cutoff)
    assert "does not provide the extra" not in run[1]
    ours = _versions(run)
    assert ours["jax"] == ours["jax-cuda12-plugin"] == "0.12.0.1"
    target = ("--python-platform", "x86_64-manylinux_2_28", "--python-version", "3.12")
    assert ours == _uv_versions(requirements, *target, cutoff=cutoff)


def test_a_foreign_dry_run_takes_an_sdist_as_uv_compile_does(tmp_path: Path) -> None:
    """cryptography for CPython 3.12 on Windows arm64, on 2026-12-01: 50.0.2 has no wheel for
    it, only an sdist (whose PKG-INFO states its dependencies); uv takes it, as ``graft lock``
    does. graft's foreign dry run refused every sdist and took 46.0.3, the newest with a
    ``win_arm64`` wheel (decision 420). Nothing is built: the sdist is said to be built there."""
    cutoff = "2026-12-01T00:00:00Z"
    requirements = tmp_path / "crypto.in"
    requirements.write_text("cryptography\n")
    run = _dry_run(
        requirements, "--python-version", "3.12", "--platform", "win_arm64", cutoff=cutoff
    )
    rows, ours = run[0], _versions(run)
    assert ours["cryptography"] == "50.0.2"
    assert [d.get("sdist") for d in rows if d["fetch"] == "build"] == ["cryptography-50.0.2.tar.gz"]
    uv = _uv_versions(
        requirements,
        "--python-version", "3.12", "--python-platform", "aarch64-pc-windows-msvc",
        cutoff=cutoff,
    )  # fmt: skip
    assert ours == uv
