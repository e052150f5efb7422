"""The venv's own interpreter, asked through :mod:`graft.audit.target_probe`.

The I/O edge of the import checks: its ``sys.path`` and scheme once (``env``), then what it
imports (``specs``).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import Any

_PROBE_TIMEOUT = 300
#: The script, a sibling of this package; read as text and run with ``-c``, never imported.
_PROBE_SCRIPT = os.path.join(os.path.dirname(__file__), "target_probe.py")

#: What a failed probe raises: no interpreter, a non-zero exit, bad JSON, a hang.
PROBE_ERRORS = (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired)


@dataclass(frozen=True, slots=True)
class Probe:
    """The outcome of asking the venv's interpreter: its ``env`` answer, or why it failed."""

    ok: bool
    error: str = ""
    env: dict[str, Any] = field(default_factory=dict)


def venv_python(prefix: str) -> str:
    """The venv's interpreter: ``bin/python`` or ``bin/python3``, whichever exists."""
    for name in ("python", "python3"):
        candidate = os.path.join(prefix, "bin", name)
        if os.path.lexists(candidate):
            return candidate
    return os.path.join(prefix, "bin", "python")


def run_probe(prefix: str, command: str, stdin: str | None = None) -> Any:
    """Run :mod:`graft.audit.target_probe` in the venv's interpreter (no PYTHON* variables)."""
    with open(_PROBE_SCRIPT, encoding="utf-8") as fh:
        source = fh.read()
    proc = subprocess.run(
        [venv_python(prefix), "-I", "-B", "-c", source, command],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=_PROBE_TIMEOUT,
        check=False,
        cwd=prefix,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise RuntimeError(last)
    return json.loads(proc.stdout)


def probe_env(prefix: str) -> Probe:
    """The interpreter's ``sys.path``, scheme paths, suffixes and library directory."""
    try:
        return Probe(ok=True, env=run_probe(prefix, "env"))
    except PROBE_ERRORS as exc:
        return Probe(ok=False, error=str(exc) or type(exc).__name__)


def probe_specs(prefix: str, names: list[str]) -> dict[str, dict[str, Any]]:
    """What the import system finds for each of *names*; raises one of :data:`PROBE_ERRORS`."""
    specs: dict[str, dict[str, Any]] = run_probe(prefix, "specs", json.dumps({"names": names}))
    return specs
