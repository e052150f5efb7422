"""Native libraries: is every ``DT_NEEDED`` of every extension module and shared library found?

Each name is looked up as ``ld.so`` would, with the library's own RUNPATH (or RPATH when there
is no RUNPATH; inherited RPATHs and ``LD_LIBRARY_PATH`` are ignored), then the default
directories and their multiarch variants, the interpreter's ``LIBDIR`` (libpython is already
loaded) and ``ldconfig -p``. ``$ORIGIN`` is the directory of the library's path in the venv,
and ``..`` is resolved by the kernel, physically. An unresolved name is an **error** when a
copying install would resolve it (``..`` taken lexically): the venv's links break the loader.
Otherwise it is a **warning**: the library is missing from the venv and the system, or the
wheel relies on it being loaded first.
"""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING

from graft.audit.findings import Finding, Kind, finding
from graft.model.record import is_native
from graft.wheel.elf import read_dynamic

if TYPE_CHECKING:
    from graft.audit.layout import Venv

_DEFAULT_LIB_DIRS = ("/lib", "/usr/lib", "/lib64", "/usr/lib64")
_LDCONFIG = ("/sbin/ldconfig", "/usr/sbin/ldconfig", "/usr/bin/ldconfig")


def check_native(venv: Venv) -> list[Finding]:
    """Unresolved ``DT_NEEDED`` names of the native files below site-packages or in RECORDs."""
    candidates = sorted(
        {p for p in venv.site_files if is_native(p)}
        | {p for p in venv.by_path if is_native(p) and os.path.isfile(venv.abs(p))}
    )
    system_dirs = _system_dirs(venv)
    sonames: frozenset[str] | None = None
    shipped: dict[str, str] = {}
    for rel in candidates:
        shipped.setdefault(rel.rpartition("/")[2], rel)
    out = []
    for rel in candidates:
        info = read_dynamic(venv.abs(rel))
        if info is None:
            continue
        origin = os.path.dirname(venv.abs(rel))
        search = info.runpath or info.rpath
        for needed in info.needed:
            if "/" in needed or _reachable(needed, search, origin, physical=True):
                continue  # (a path is relative to the working directory: not ours to judge)
            if any(os.path.isfile(os.path.join(d, needed)) for d in system_dirs):
                continue
            if sonames is None:
                sonames = _ldconfig_sonames()
            if needed not in sonames:
                out.append(_unresolved(venv, rel, needed, search, shipped.get(needed)))
    return out


def _ldconfig_sonames() -> frozenset[str]:
    for ldconfig in _LDCONFIG:
        if not os.path.exists(ldconfig):
            continue
        try:
            proc = subprocess.run(
                [ldconfig, "-p"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if proc.returncode == 0:
            lines = proc.stdout.splitlines()[1:]
            return frozenset(line.split()[0] for line in lines if "=>" in line)
    return frozenset()


def _system_dirs(venv: Venv) -> list[str]:
    dirs = list(_DEFAULT_LIB_DIRS)
    multiarch = venv.probe.env.get("multiarch")
    if isinstance(multiarch, str) and multiarch:
        dirs += [f"/lib/{multiarch}", f"/usr/lib/{multiarch}"]
    libdir = venv.probe.env.get("libdir")
    if isinstance(libdir, str) and libdir:
        dirs.append(libdir)
    return dirs


def _expand(entry: str, origin: str) -> str | None:
    expanded = entry.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)
    return expanded if os.path.isabs(expanded) and "$" not in expanded else None


def _reachable(needed: str, search: tuple[str, ...], origin: str, *, physical: bool) -> bool:
    """Is *needed* in a RUNPATH/RPATH directory?

    ``..`` resolved by the kernel (physically), or lexically: what the same path would give in
    a copy without links.
    """
    for entry in search:
        directory = _expand(entry, origin)
        if directory is None:
            continue
        if not physical:
            directory = os.path.normpath(directory)
        if os.path.isfile(os.path.join(directory, needed)):
            return True
    return False


def _unresolved(
    venv: Venv, rel: str, needed: str, search: tuple[str, ...], shipped: str | None
) -> Finding:
    """Why *needed* is not found: links in the way (an error), or it is nowhere (a warning)."""
    where = f"RUNPATH/RPATH {list(search)}" if search else "no RUNPATH/RPATH"
    origin = os.path.dirname(venv.abs(rel))
    if _reachable(needed, search, origin, physical=False):
        detail = f"needs {needed}: {where} reaches it only if '..' is taken lexically"
        hint = (
            "a directory on the path to this library is a link, so $ORIGIN/.. leaves the venv;"
            " rebuild the venv (graft keeps such directories real)"
        )
        return finding(
            Kind.NATIVE_UNRESOLVED, rel, venv.owners(rel), detail, severity="error", hint=hint
        )
    detail = f"needs {needed}: not found through {where} nor in the system's library directories"
    hint = f"install the system package that provides {needed}"
    if shipped:
        detail += f" (the venv ships it at {shipped})"
        hint = "the wheel relies on that library being loaded first (by another module)"
    return finding(Kind.NATIVE_UNRESOLVED, rel, venv.owners(rel), detail, hint=hint)
