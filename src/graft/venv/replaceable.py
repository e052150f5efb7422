"""What in a venv directory is a user's: everything a replacement must keep.

``graft sync DIR`` replaces *DIR* wholesale (a new venv built beside it, then swapped in).
Everything in it is either

- graft's: a graft venv whose real directories are still as graft recorded them
  (``graft-tree`` in pyvenv.cfg, :func:`graft.venv.state.tree_digest`), or
- a venv tool's: the skeleton ``python -m venv``, virtualenv or ``uv venv`` make (pyvenv.cfg,
  ``bin/python*`` and the activate scripts, ``include/``, ``lib/pythonX.Y/site-packages``,
  ``lib64 -> lib``, uv's ``.gitignore``/``CACHEDIR.TAG``/``.lock``), an installed
  distribution's (a path some ``site-packages/*.dist-info/RECORD`` lists, as pip, uv and graft
  write them, pip and setuptools from ``ensurepip`` included), bytecode in ``__pycache__``, or
  an empty directory, or
- a **user's**: anything else (notes, a kernel spec under ``share/``, a hand-made script in
  ``bin/``), which the new venv keeps (:mod:`graft.venv.keep`).

Links are listed, never followed: a link is accounted for by its own name, and nothing
behind it is read or removed.
"""

from __future__ import annotations

import csv
import os
import re

_PYTHON = r"(python|pypy)(3(\.\d+t?)?)?"
#: What a rebuild makes again (graft's venv is ``python -m venv``'s skeleton). The scripts
#: only other tools write (``activate.nu``, ``activate.xsh``, ``activate_this.py``, the
#: ``.bat`` files of uv and virtualenv) are kept like a user's files: pip and uv never remove
#: them, and a nushell user activates the venv with one.
_SKELETON_FILES = re.compile(
    rf"bin/({_PYTHON}|pythonw|activate|activate\.(csh|fish)|Activate\.ps1)"
    # virtualenv's (and older uv's) import hook, which no RECORD lists
    rf"|lib/{_PYTHON}/site-packages/_virtualenv\.(py|pth)"
)
_SKELETON_DIRS = re.compile(rf"bin|include|include/{_PYTHON}|lib|lib/{_PYTHON}(/site-packages)?")
_SITE = re.compile(rf"lib/{_PYTHON}/site-packages")
_CACHEDIR_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"
#: How many entries an error names.
SHOWN = 3


def users(prefix: str, *, trust_recorded_state: bool = True) -> list[str]:
    """A user's top-most entries below *prefix* (relative; directories end in ``/``).

    Empty when a replacement loses nothing by dropping all it does not rebuild. With
    *trust_recorded_state*, a graft venv whose real directories are exactly as graft recorded
    them is taken at its word without reading RECORDs: its user's entries are the ones it
    records as kept.
    """
    if trust_recorded_state:
        kept = _as_graft_left_it(prefix)
        if kept is not None:
            return kept
    recorded = _recorded_paths(prefix)
    expected = {os.path.dirname(path) for path in recorded}
    for path in list(expected):
        parent = path
        while parent:
            parent = os.path.dirname(parent)
            expected.add(parent)
    out: list[str] = []
    _walk(prefix, "", recorded, expected, out)
    return out


def _as_graft_left_it(prefix: str) -> list[str] | None:
    """The entries a graft venv keeps for its user, if it is as graft left it; else None."""
    from graft.venv.state import kept_paths, recorded_state, tree_digest  # noqa: PLC0415

    state = recorded_state(prefix)
    recorded = state.get("graft-tree")
    kept = kept_paths(state)
    if recorded is None or recorded != tree_digest(prefix, kept, recorded):
        return None
    return [_spelled(prefix, path) for path in kept if os.path.lexists(os.path.join(prefix, path))]


def _spelled(prefix: str, path: str) -> str:
    """*path* as :func:`users` names it: a real directory ends in ``/``."""
    full = os.path.join(prefix, path)
    return f"{path}/" if os.path.isdir(full) and not os.path.islink(full) else path


def _walk(prefix: str, rel: str, recorded: set[str], expected: set[str], out: list[str]) -> None:
    with os.scandir(os.path.join(prefix, rel) if rel else prefix) as it:
        entries = sorted(it, key=lambda e: e.name)
    in_pycache = os.path.basename(rel) == "__pycache__"
    for entry in entries:
        path = f"{rel}/{entry.name}" if rel else entry.name
        is_dir = entry.is_dir(follow_symlinks=False)
        if not is_dir and (path in recorded or _skeleton_file(path, entry)):
            continue
        if not is_dir and in_pycache and entry.name.endswith(".pyc"):
            continue  # written by the interpreter at import time
        if is_dir and (
            path in expected
            or path in recorded
            or entry.name == "__pycache__"
            or _SKELETON_DIRS.fullmatch(path)
        ):
            _walk(prefix, path, recorded, expected, out)
        elif is_dir and not _holds_files(entry.path):
            continue  # an empty directory holds nothing to lose
        else:
            out.append(path + "/" if is_dir else path)


def _skeleton_file(path: str, entry: os.DirEntry[str]) -> bool:
    """A file or link a venv tool makes, identified by name (and content, where it has one)."""
    if _SKELETON_FILES.fullmatch(path):
        return True
    checks = {
        "pyvenv.cfg": lambda: entry.is_file(follow_symlinks=False),
        # the link venv makes on 64-bit POSIX
        "lib64": lambda: entry.is_symlink() and os.readlink(entry.path) == "lib",
        # venv (3.13+), uv and graft write one ignoring everything; a user's edit of it is
        # kept by the rebuild (keep.carry_edited_skeleton), never in the way of the new one
        ".gitignore": lambda: entry.is_file(follow_symlinks=False),
        "CACHEDIR.TAG": lambda: _head(entry).startswith(_CACHEDIR_SIGNATURE),  # uv
        ".lock": lambda: _head(entry) == b"" and entry.is_file(follow_symlinks=False),  # uv
    }
    check = checks.get(path)
    return check is not None and bool(check())


def _head(entry: os.DirEntry[str]) -> bytes:
    """The first 4 kB of a regular file (never through a link); empty for anything else."""
    if not entry.is_file(follow_symlinks=False):
        return b""
    try:
        fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return b""
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def _holds_files(path: str) -> bool:
    """Whether a real directory holds anything but (recursively) empty real directories."""
    with os.scandir(path) as it:
        for entry in it:
            if not entry.is_dir(follow_symlinks=False) or _holds_files(entry.path):
                return True
    return False


def _recorded_paths(prefix: str) -> set[str]:
    """Every path inside *prefix* that an installed distribution's RECORD lists (relative)."""
    out: set[str] = set()
    for version in _real_dirs(prefix, "lib"):
        site = f"lib/{version}/site-packages"
        if not _SITE.fullmatch(site):
            continue
        for dist_info in _real_dirs(prefix, site):
            if dist_info.endswith(".dist-info"):
                out |= _record_rows(prefix, site, dist_info)
    return out


def _real_dirs(prefix: str, rel: str) -> list[str]:
    """Names of the real directories (not links) in ``prefix/rel``, if that is a real directory."""
    path = os.path.join(prefix, rel)
    if os.path.islink(path) or not os.path.isdir(path):
        return []
    with os.scandir(path) as it:
        return [e.name for e in it if e.is_dir(follow_symlinks=False)]


def _record_rows(prefix: str, site: str, dist_info: str) -> set[str]:
    """The paths one RECORD lists, relative to *prefix*; rows leading outside are ignored."""
    path = os.path.join(prefix, site, dist_info, "RECORD")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return set()
    try:
        with open(fd, encoding="utf-8", errors="replace", newline="") as fh:
            rows = list(csv.reader(fh))
    except OSError:  # (a directory named RECORD: as one that cannot be opened, none)
        return set()
    real_prefix = os.path.abspath(prefix)
    out = set()
    for row in rows:
        if not row or not row[0]:
            continue
        full = os.path.normpath(os.path.join(real_prefix, site, row[0]))
        rel = os.path.relpath(full, real_prefix)
        if rel not in {".", ".."} and not rel.startswith("../"):
            out.add(rel)
    return out


def describe(found: list[str]) -> str:
    """The first few of *found*, for a one-line error."""
    shown = ", ".join(found[:SHOWN])
    more = f" (+{len(found) - SHOWN} more)" if len(found) > SHOWN else ""
    return f"{shown}{more}"


__all__ = ["SHOWN", "describe", "users"]
