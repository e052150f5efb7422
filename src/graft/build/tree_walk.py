"""How a walk of a project tree reads it: what it leaves out, and the names of its modules.

Shared by the tree and editable keys (:mod:`graft.build.cache`), the snapshot of what an
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
        if d not in _NOT_SOURCE
        and not (top == root and d in output)
        and not d.endswith(".egg-info")
        and not beside_a_venv(d)
        and not os.path.isfile(os.path.join(top, d, "pyvenv.cfg"))  # a venv (`graft sync v .`)
    )


def module_names(root: str) -> str:
    """A digest of the paths of the Python modules (``*.py``) in the tree *root*.

    What an editable install cannot pick up by itself: setuptools' finder maps the top-level
    packages and modules its build found (flat layout, a ``setup.py``), strict mode links
    each file its build found. pip and uv build an editable install every time, and see a
    module added since; a change of these names builds it again (decision 270). The walk
    leaves out what :func:`entered` leaves out; the contents are not read (edits are seen
    live).
    """
    names: list[str] = []
    for top, dirs, files in os.walk(root):
        dirs[:] = entered(root, top, dirs)
        rel = os.path.relpath(top, root).replace(os.sep, "/")
        names.extend(f"{rel}/{name}" for name in files if name.endswith(".py"))
    return sha256_hex("\0".join(sorted(names)).encode("utf-8", "surrogateescape"))
