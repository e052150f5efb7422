"""Scripts whose shebang (or installer's trampoline) runs a python outside the venv.

An error for entry-point launchers (the installer wrote the shebang) and for a shebang naming
another venv's python (a copied or moved venv); a warning for other scripts, whose wheel
spelled out the interpreter (installers rewrite only ``#!python``).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from graft.audit.findings import Finding, Kind, Severity, finding

if TYPE_CHECKING:
    from graft.audit.layout import Venv

_PY_INTERPRETER = re.compile(r"^(python|pypy)[0-9.]*t?$")
_SHEBANG_MAX = 1024
_TRAMPOLINE = b"'''exec' "  # installer's launcher for paths a shebang cannot hold


def check_scripts(venv: Venv) -> list[Finding]:
    """Python scripts of the venv's scripts directory that name another interpreter."""
    scripts = (venv.probe.env.get("paths") or {}).get("scripts") or venv.abs("bin")
    rel_dir = venv.rel(str(scripts))
    if os.path.isabs(rel_dir) or not os.path.isdir(venv.abs(rel_dir)):
        return []
    own_dirs = {os.path.normpath(venv.abs(rel_dir)), os.path.join(venv.real, rel_dir)}
    launchers = _entry_point_names(venv)
    out = []
    for name in sorted(os.listdir(venv.abs(rel_dir))):
        rel = f"{rel_dir}/{name}"
        interpreter = _foreign_python(venv.abs(rel), own_dirs)
        if interpreter is None:
            continue
        home = os.path.dirname(os.path.dirname(os.path.normpath(interpreter)))
        other_venv = os.path.isfile(os.path.join(home, "pyvenv.cfg"))
        severity: Severity | None = None  # the kind's: an error
        hint: str | None = None
        if name in launchers or other_venv:
            detail = f"runs {interpreter}, not this venv's interpreter"
        else:
            detail = f"runs {interpreter}, as its wheel says (not an entry point)"
            severity = "warning"
            hint = "run it as `python -m ...`, or ask the project to use `#!python`"
        owners = venv.owners(rel)
        out.append(
            finding(Kind.FOREIGN_INTERPRETER, rel, owners, detail, severity=severity, hint=hint)
        )
    return out


def _foreign_python(path: str, own_dirs: set[str]) -> str | None:
    """The absolute python a script's shebang names, unless it is one of the venv's own."""
    if os.path.islink(path) or not os.path.isfile(path):
        return None  # the bin/python* links; a script linked elsewhere is a link finding
    interpreter = _shebang_interpreter(path)
    if (
        interpreter is None
        or not os.path.isabs(interpreter)
        or not _PY_INTERPRETER.match(os.path.basename(interpreter))
    ):
        return None  # not a python script, or "#!/usr/bin/env python" (the author's choice)
    directory = os.path.dirname(os.path.normpath(interpreter))
    if directory in own_dirs and os.path.exists(interpreter):
        return None
    return interpreter


def _entry_point_names(venv: Venv) -> set[str]:
    """console_scripts and gui_scripts names of every distribution."""
    names: set[str] = set()
    for dist in venv.dists:
        try:
            with open(venv.abs(f"{dist.path}/entry_points.txt"), encoding="utf-8") as fh:
                lines = fh.read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        section = ""
        for raw in lines:
            line = raw.strip()
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1].strip()
            elif section in {"console_scripts", "gui_scripts"} and "=" in line:
                names.add(line.partition("=")[0].strip())
    return names


def _shebang_interpreter(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SHEBANG_MAX)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    lines = head.split(b"\n")
    words = lines[0][2:].decode("utf-8", "replace").split()
    if words and words[0] == "/bin/sh" and len(lines) > 1 and lines[1].startswith(_TRAMPOLINE):
        words = lines[1][len(_TRAMPOLINE) :].decode("utf-8", "replace").split()
        return words[0].strip("'\"") if words else None
    return words[0] if words else None
