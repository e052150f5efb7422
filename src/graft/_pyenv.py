"""What a pyenv shim runs, read from pyenv's version files as ``pyenv which`` reads them.

A pyenv user's PATH starts with ``$PYENV_ROOT/shims``: ``python3`` there is a script that
runs ``pyenv exec python3``, which runs ``python3`` of the version pyenv selects. graft never
runs a shim (a ``bash`` and several processes each time, decision 119); :func:`which` reads
what pyenv would choose instead (decision 124):

* the versions: ``PYENV_VERSION`` (``:``-separated), else the first word of each line of the
  ``.python-version`` found from ``PYENV_DIR`` (else the working directory) upwards, else of
  ``$PYENV_ROOT/version``; none means ``system``;
* each version's directory in ``$PYENV_ROOT/versions``: its name, without a ``python-``
  prefix, or the newest final release whose name it begins (``3.12`` is ``3.12.1``), as
  ``pyenv latest`` finds it;
* the command in the first version's ``bin`` that has it, else (``system``, which pyenv
  tries last) on PATH without the shims. A version not installed is skipped, as ``pyenv
  which`` skips it.

Standard library only: the no-op sync looks an executable's name up before anything else of
graft is imported.
"""

from __future__ import annotations

import os
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_PRERELEASE = re.compile(r"(a|b|rc)\d+$")


def root() -> str:
    """``$PYENV_ROOT``, else ``~/.pyenv`` (as the shims themselves set it)."""
    return os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")


def is_shims(directory: str) -> bool:
    """Whether the PATH entry *directory* is pyenv's shims directory."""
    shims = os.path.join(root(), "shims")
    return os.path.normpath(os.path.abspath(directory)) == os.path.normpath(shims)


def which(name: str, system: Callable[[str], str | None]) -> str | None:
    """The file pyenv's shim *name* runs; None where pyenv says "command not found".

    *system*: the lookup of a name on PATH without pyenv's shims, which is what the version
    ``system`` runs (pyenv tries it after the selected versions too); a version not
    installed, or not holding *name*, is skipped as pyenv skips it.
    """
    versions_dir = os.path.join(root(), "versions")
    for version in (*_selected(), "system"):
        if version == "system":
            found = system(name)
            if found is not None:
                return found
            continue
        installed = _installed(version, versions_dir)
        path = os.path.join(versions_dir, installed or "", "bin", name)
        if installed is not None and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def _selected() -> list[str]:
    """The versions pyenv selects, in order."""
    chosen = os.environ.get("PYENV_VERSION") or _read(_version_file())
    return [v for v in chosen.split(":") if v] or ["system"]


def _version_file() -> str:
    """The ``.python-version`` nearest above ``PYENV_DIR`` or the working directory, else global."""
    try:
        cwd = os.getcwd()
    except OSError:  # (a working directory removed meanwhile)
        cwd = ""
    starts = [os.environ.get("PYENV_DIR") or "", cwd]
    for start in dict.fromkeys(os.path.abspath(s) for s in starts if s):
        directory = start
        while True:
            candidate = os.path.join(directory, ".python-version")
            if os.path.isfile(candidate):
                return candidate
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
    return os.path.join(root(), "version")


def _read(path: str) -> str:
    """The versions a version file names, ``:``-joined: each line's first word but comments."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read(1 << 16).splitlines()
    except OSError:
        return ""
    words = (line.split()[0] for line in lines if line.split())
    return ":".join(w for w in words if not w.startswith("#") and w != ".." and "/" not in w)


def _installed(version: str, versions_dir: str) -> str | None:
    """The directory in *versions_dir* that pyenv runs *version* from; None: not installed."""
    for name in (version, version.removeprefix("python-")):
        if name and os.path.isdir(os.path.join(versions_dir, name)):
            return name
    try:
        names = os.listdir(versions_dir)
    except OSError:
        return None
    for prefix in dict.fromkeys((version, version.removeprefix("python-"))):
        found = _latest(prefix, names)
        if found is not None:
            return found
    return None


def _latest(prefix: str, names: list[str]) -> str | None:
    """The newest final release of *names* that *prefix* begins (``3.12`` -> ``3.12.1``).

    As ``pyenv latest``: a free-threaded build (``3.13.1t``) only for a prefix ending in
    ``t``; no ``-dev``, ``-src``, ``-latest`` nor pre-release.
    """
    suffix = "t" if re.fullmatch(r".*\dt", prefix) else ""
    stem = prefix[: -len(suffix)] if suffix else prefix
    fits = [
        name
        for name in names
        if name.startswith((f"{stem}.", f"{stem}-"))
        and not name.endswith(("-dev", "-src", "-latest"))
        and not _PRERELEASE.search(name)
        and bool(re.search(r"\dt$", name)) == bool(suffix)
    ]
    if not fits:
        return None
    return max(fits, key=lambda name: [int(n) for n in re.findall(r"\d+", name)])
