"""``graft audit`` on the corpus sets: no error finding in graft venvs, in the flat references
(pypa/installer into ``python -m venv``) nor in uv-made venvs; the time each audit takes is
printed (``-s`` shows it), never asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .harness import CorpusEnvs, corpus_params
from .venvs import graft_env
from .wheelcache import set_name

if TYPE_CHECKING:
    from .venvs import Venv

pytestmark = pytest.mark.e2e

ALL_SETS = corpus_params()


def run_audit(corpus_envs: CorpusEnvs, venv: Path, *extra: str) -> tuple[dict[str, Any], float]:
    """``graft audit VENV --json``: the report and the wall-clock seconds it took."""
    env = graft_env(corpus_envs.graft_cache)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "graft", "audit", str(venv), "--json", *extra],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    assert proc.returncode in {0, 1}, f"graft audit {venv} failed:\n{proc.stderr[-3000:]}"
    report: dict[str, Any] = json.loads(proc.stdout)
    assert (proc.returncode == 1) == (report["counts"]["error"] > 0), proc.stderr
    return report, seconds


def errors(report: dict[str, Any]) -> str:
    return "\n".join(
        f"  {f['kind']} {f['path']} {f['distributions']}: {f['detail']}"
        for f in report["findings"]
        if f["severity"] == "error"
    )


def check(corpus_envs: CorpusEnvs, set_file: Path, label: str, venv: Path, *extra: str) -> None:
    report, seconds = run_audit(corpus_envs, venv, *extra)
    counts = report["counts"]
    print(
        f"\naudit {set_name(set_file)} {label}{''.join(' ' + e for e in extra)}:"
        f" {seconds:.2f}s wall, {report['seconds']:.2f}s in audit;"
        f" {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info;"
        f" {report['stats']}"
    )
    assert not counts["error"], f"{label} venv of {set_name(set_file)}:\n{errors(report)}"


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_audit_graft_venv(corpus_envs: CorpusEnvs, set_file: Path, graft_venv: Venv) -> None:
    check(corpus_envs, set_file, "graft", graft_venv.prefix)
    check(corpus_envs, set_file, "graft", graft_venv.prefix, "--deep")


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_audit_flat_venv(corpus_envs: CorpusEnvs, set_file: Path, flat_venv: Venv) -> None:
    check(corpus_envs, set_file, "flat", flat_venv.prefix)
    check(corpus_envs, set_file, "flat", flat_venv.prefix, "--deep")


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_audit_uv_venv(corpus_envs: CorpusEnvs, set_file: Path) -> None:
    check(corpus_envs, set_file, "uv", corpus_envs.uv(set_file).prefix)
