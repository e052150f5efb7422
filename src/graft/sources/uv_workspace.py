"""A ``[tool.uv.workspace]``: the one a project is a member of, and a member by name.

As ``uv pip install`` 0.13.9 finds them (decision 369): the nearest directory at or above
a project with a ``[tool.uv.workspace]`` table holds it when it is that directory or matches
a ``members`` glob and no ``exclude`` glob (:func:`workspace_root`); a ``{ workspace = true
}`` source is the member of that name (:func:`member`). Each ``pyproject.toml`` read through
:func:`load_pyproject`, whose error names the file.
"""

from __future__ import annotations

import glob
import os
from typing import Any

from graft._toml import load_toml, toml_table
from graft.errors import SourceError


def workspace_root(project: str, digests: dict[str, str] | None = None) -> str | None:
    """The ``[tool.uv.workspace]`` whose member *project* is (or that it is), as uv finds it.

    The nearest directory at or above *project* with a ``[tool.uv.workspace]`` table; the
    project is its member when it is that directory, or matches a ``members`` glob and no
    ``exclude`` glob. None when the nearest one does not hold it, or there is none.
    *digests*: as :func:`load_pyproject`'s.
    """
    here = os.path.abspath(project)
    start = here
    while True:
        try:
            uv = toml_table(toml_table(load_pyproject(here, digests), "tool"), "uv")
        except SourceError:  # (a broken pyproject.toml above the project: not its workspace)
            if here == start:
                raise
            uv = {}
        if "workspace" in uv:
            return here if here == start or _is_member(start, here, uv) else None
        up = os.path.dirname(here)
        if up == here:
            return None
        here = up


def _globbed(root: str, uv: dict[str, Any], key: str) -> list[str]:
    patterns = toml_table(uv, "workspace").get(key)
    return [
        os.path.normpath(folder)
        for pattern in (patterns if isinstance(patterns, list) else [])
        for folder in sorted(glob.glob(os.path.join(root, str(pattern))))
    ]


def _is_member(project: str, root: str, uv: dict[str, Any]) -> bool:
    members = _globbed(root, uv, "members")
    return project in members and project not in _globbed(root, uv, "exclude")


def member(name: str, root: str) -> str | None:
    """The directory of workspace member *name* of the workspace at *root*."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    uv = toml_table(toml_table(load_pyproject(root), "tool"), "uv")
    excluded = _globbed(root, uv, "exclude")
    for folder in [root, *_globbed(root, uv, "members")]:
        if folder in excluded:
            continue
        found = toml_table(load_pyproject(folder), "project").get("name")
        if isinstance(found, str) and canonicalize_name(found) == canonicalize_name(name):
            return folder
    return None


def load_pyproject(folder: str, digests: dict[str, str] | None = None) -> dict[str, Any]:
    """The pyproject.toml in *folder*; nothing when there is none.

    One that does not parse is the one-line error naming it. With *digests*
    (``Inputs.digests``), the sha256 of the bytes read goes into it (decision 464).
    """
    path = os.path.join(folder, "pyproject.toml")
    return load_toml(path, digests=digests) if os.path.isfile(path) else {}
