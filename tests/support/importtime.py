"""Run the real CLI under ``-X importtime``: what it said, and which modules it imported."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def imported(stderr: str) -> set[str]:
    """The modules ``-X importtime`` (PYTHONPROFILEIMPORTTIME) reported as imported."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def graft_imports(*args: str | Path) -> tuple[str, set[str]]:
    """``graft ARGS`` (it must succeed): its stderr without the import lines, and its imports."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "graft", *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
    )
    said = "\n".join(x for x in proc.stderr.splitlines() if not x.startswith("import time:"))
    return said, imported(proc.stderr)
