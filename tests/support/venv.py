"""Small helpers for looking into a venv from a test."""

from __future__ import annotations

import subprocess
from pathlib import Path


def site(venv: Path) -> Path:
    """The venv's one site-packages directory."""
    (found,) = (venv / "lib").glob("python3*/site-packages")
    return found


def py(venv: Path, code: str) -> str:
    """Run *code* in the venv's interpreter; its stripped stdout (fails the test on error)."""
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    )
    return proc.stdout.strip()
