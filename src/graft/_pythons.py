"""``--python`` by name or version: on PATH (pyenv's shims skipped), then in pyenv's versions.

Standard library only: the no-op sync (:mod:`graft.cli.noop`) checks that ``--python 3.12``
still finds the interpreter its stamp recorded before anything else of graft is imported,
and :func:`graft.venv.interpreter.find_interpreter` finds it the same way.
"""

from __future__ import annotations

import glob
import os
import re

#: ``3``, ``3.12``, ``3.12.1``, ``python3.12``, and free-threaded ``3.13t``
_VERSION_RE = re.compile(r"^(?:python)?(3(?:\.\d+){0,2})(t?)$")


def by_name(spec: str) -> str | None:
    """The interpreter ``--python SPEC`` names when *spec* is no path; None if none is found.

    A version is looked up as ``pythonX.Y`` on PATH, then in pyenv's versions (the newest
    bug-fix release); another name (``pypy3``) on PATH.
    """
    match = _VERSION_RE.match(spec)
    names = [f"python{match.group(1)}{match.group(2)}"] if match else [spec]
    if match and match.group(1).count(".") == 2:  # noqa: PLR2004 - 3.12.1 -> python3.12
        names = [f"python{'.'.join(match.group(1).split('.')[:2])}{match.group(2)}"]
    for name in names:
        found = _which_real(name)
        if found:
            return found
    return _pyenv_lookup(match.group(1), match.group(2)) if match else None


def _which_real(name: str) -> str | None:
    """PATH lookup that skips pyenv shims (they cost a process and depend on the cwd)."""
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or directory.rstrip("/").endswith("/shims"):
            continue
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _pyenv_lookup(version: str, suffix: str) -> str | None:
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    short = ".".join(version.split(".")[:2])
    pattern = os.path.join(root, "versions", f"{version}*", "bin", f"python{short}{suffix}")
    matches = [m for m in glob.glob(pattern) if os.access(m, os.X_OK)]

    def key(path: str) -> tuple[int, ...]:
        name = path.split(os.sep)[-3]
        return tuple(int(p) for p in re.findall(r"\d+", name))

    return max(matches, key=key) if matches else None
