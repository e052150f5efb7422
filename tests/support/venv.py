"""Small helpers for looking into a venv from a test."""

from __future__ import annotations

import hashlib
import os
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


def visible_files(root: Path) -> dict[str, str]:
    """Every file a program finds below *root* (links followed), by sha256; bytecode, the
    venv's own files and what each installer writes into a ``.dist-info`` left out."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        rel_dir = os.path.relpath(dirpath, root)
        dirnames[:] = [d for d in dirnames if d != "__pycache__" and (rel_dir, d) != (".", "lib64")]
        if rel_dir == "bin" or rel_dir.endswith(".dist-info"):
            continue
        for name in filenames:
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if rel not in {"pyvenv.cfg", ".gitignore"}:
                with open(os.path.join(dirpath, name), "rb") as fh:
                    out[rel] = hashlib.sha256(fh.read()).hexdigest()
    return out
