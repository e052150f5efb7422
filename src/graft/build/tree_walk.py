"""How a walk of a project tree reads it: what it leaves out, and the names of its modules.

Shared by the tree and editable keys (:mod:`graft.build.source_key`), the snapshot of what an
editable build left (:mod:`graft.build.intree`) and the memo's ``modules`` fingerprint
(:mod:`graft.resolve.fingerprints`, which the no-op stamp checks before anything else of
graft is imported): the standard library's ``os`` and SHA-256 only.
"""

from __future__ import annotations

import os

from graft._sha256 import sha256_hex

#: Directories a tree fingerprint leaves out: VCS data, caches.
_NOT_SOURCE = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
#: Build output, left out at the top of the tree only (where setuptools writes it): a
#: package of that name deeper down (pypa/build's ``src/build``, pip's
#: ``_internal/operations/build``, hatch's ``cli/build``) is source. pdm-backend writes
#: ``.pdm-build/`` there on every build: read as source, each sync after an edit built the
#: project twice (decision 232).
_BUILD_OUTPUT = frozenset({"build", "dist", ".eggs", ".pdm-build"})


def beside_a_venv(name: str) -> bool:
    """Whether *name* is graft's lock or staging entry beside a venv (``.<venv>.graft-*``)."""
    return name.startswith(".") and ".graft-" in name


def _kept(root: str, top: str, name: str, output: frozenset[str]) -> bool:
    """Whether a walk enters the directory *name* of *top* by its name (venvs aside)."""
    return (
        name not in _NOT_SOURCE
        and not (top == root and name in output)
        and not name.endswith(".egg-info")
        and not beside_a_venv(name)
    )


def entered(
    root: str, top: str, dirs: list[str], output: frozenset[str] = _BUILD_OUTPUT
) -> list[str]:
    """The directories *dirs* in *top* a walk of the project tree *root* enters, sorted.

    Left out: VCS data, caches, ``*.egg-info``, any venv (a directory holding a
    ``pyvenv.cfg``, and graft's lock and staging entries beside it), and the build output
    *output* at the top of the tree.
    """
    return sorted(
        d
        for d in dirs
        if _kept(root, top, d, output)
        and not os.path.isfile(os.path.join(top, d, "pyvenv.cfg"))  # a venv (`graft sync v .`)
    )


def walked(root: str, rel: str) -> bool:
    """Whether a walk of the tree *root* enters its directory *rel* (``/``-separated, or ``.``).

    What :func:`entered` leaves out on the way down is not entered: a directory under
    ``build/`` (setuptools' strict-mode link tree), a cache, a venv.
    """
    top = root
    for name in [] if rel == "." else rel.split("/"):
        if name in ("", ".", "..") or not _kept(root, top, name, _BUILD_OUTPUT):
            return False
        top = os.path.join(top, name)
        if os.path.isfile(os.path.join(top, "pyvenv.cfg")):
            return False
    return True


def module_names(root: str) -> str:
    """A digest of the paths of the Python modules (``*.py``) in the tree *root*.

    What an editable install that maps modules by name cannot pick up by itself:
    setuptools' finder maps the top-level packages and modules its build found (flat
    layout, a ``setup.py``), strict mode links each file its build found. pip and uv build
    an editable install every time, and see a module added since; a change of these names
    builds it again (decision 270), for an editable wheel that maps names (decision 288:
    :mod:`graft.build.editable_wheel`). The walk leaves out what :func:`entered` leaves out
    (a venv found by its own listing, not a ``stat`` more); the contents are not read
    (edits are seen live).
    """
    return _digest(root, ".py")


def file_names(root: str) -> str:
    """A digest of the paths of every file in the tree *root*, walked as :func:`module_names`.

    What setuptools' strict mode cannot pick up by itself: its link tree links each file its
    build found, package data too, so a data file added to a package is not there until
    the project is built again, as pip and uv do on every install (decision 289).
    """
    return _digest(root, "")


#: The kinds of names a walk digests, as the memo's fingerprints name them.
NAME_KINDS = ("modules", "files")


def names_digest(kind: str, path: str) -> str | None:
    """The digest of the names of *kind* (:data:`NAME_KINDS`) under *path*; None if not one."""
    if kind not in NAME_KINDS or not os.path.isdir(path):
        return None
    return module_names(path) if kind == "modules" else file_names(path)


def _digest(root: str, suffix: str) -> str:
    names: list[str] = []
    _modules(root, root, "", names, suffix)
    return sha256_hex("\0".join(sorted(names)).encode("utf-8", "surrogateescape"))


def _modules(root: str, top: str, rel: str, names: list[str], suffix: str) -> None:
    """Add the files under *top* (``rel/``-prefixed) ending in *suffix* to *names*.

    A venv adds none.
    """
    try:
        with os.scandir(top) as listing:
            entries = list(listing)
    except OSError:  # (gone meanwhile, or unreadable: as os.walk skips it)
        return
    if top != root and any(e.name == "pyvenv.cfg" and e.is_file() for e in entries):
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if _kept(root, top, entry.name, _BUILD_OUTPUT):
                _modules(root, entry.path, f"{rel}{entry.name}/", names, suffix)
        elif entry.name.endswith(suffix) and not beside_a_venv(entry.name):
            names.append(rel + entry.name)
