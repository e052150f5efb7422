"""pip 26.3's ``--only-deps``: the dependencies of the projects named, not the projects.

pip resolves the requirements named on the command line and drops them from what it installs
(``Resolver.resolve``: each user-supplied project popped from the set, "even if they were
dependencies of other user-supplied requirements"), refusing the option beside
``--no-deps``, ``-r``, ``--requirements-from-script`` and ``--group``. Its common use is a
container image's layer of a project's dependencies, ``pip install --only-deps .``, before
the project's own sources are copied in. graft reads a project's dependencies without
installing it already: ``-r DIR/pyproject.toml`` (its ``[project]`` table, or its backend's
metadata hook where it has none), the extras by ``--extra``. So where every requirement
named is a project directory (``DIR``, ``DIR[EXTRA,...]``, ``-e DIR``), it is read as ``-r
DIR/pyproject.toml`` with those extras (decision 438). Any other requirement (a project of an
index, a wheel, a URL, or a directory beside them) is resolved as named and the projects
named are left out of what the sync installs (``SyncRequest.only_deps``, decision 445) or
of every environment's ``[[packages]]`` of the lock (``resolve/left_out``, decision 451).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.errors import UsageError

if TYPE_CHECKING:
    import argparse

_HINT = "as pip's: --only-deps takes the project directories named on the command line"


def dependencies_only(args: argparse.Namespace) -> None:
    """``--only-deps DIR[EXTRA]...`` as ``-r DIR/pyproject.toml --extra EXTRA``, in *args*.

    A usage error: beside ``--no-deps``, ``-r``, ``--requirements-from-script`` or ``--group``
    (as pip refuses them), with no requirement named, or naming one that is not a project
    directory holding a ``pyproject.toml``; directories asked for different extras (``--extra``
    applies to every ``-r pyproject.toml``).
    """
    given = (
        ("--no-deps", args.no_deps),
        ("-r", args.requirement),
        ("--requirements-from-script", getattr(args, "requirements_from_script", ())),
        ("--group", args.group),
    )
    conflicts = [option for option, value in given if value]
    if conflicts:
        raise UsageError(
            f"--only-deps cannot be combined with {', '.join(conflicts)}",
            hint=f"{_HINT}; -r DIR/pyproject.toml alone installs a project's dependencies",
        )
    named = [*args.specs, *args.editable]
    if not named:
        raise UsageError("--only-deps names no project", hint=f"{_HINT}: --only-deps .")
    projects = [_project(text) for text in named]
    if not all(projects):  # resolved as named, then left out (decisions 445, 451)
        return
    files = [pyproject for pyproject, _ in filter(None, projects)]
    asked = {extras for _, extras in filter(None, projects)}
    if len(asked) > 1:
        raise UsageError(
            "--only-deps names directories with different extras",
            hint="ask each the same extras (they are read as --extra, which applies to every"
            " project), or run graft once per project",
        )
    args.only_deps = False  # (read as -r DIR/pyproject.toml: nothing left to leave out)
    args.requirement = files
    args.specs = []
    args.editable = []
    args.extra = sorted({*args.extra, *next(iter(asked))})


def _project(text: str) -> tuple[str, frozenset[str]] | None:
    """*text*'s ``pyproject.toml`` and extras, where it names a project directory; else None."""
    from graft.errors import SourceError  # noqa: PLC0415
    from graft.sources.direct_refs import split_extras  # noqa: PLC0415

    try:
        path, extras = split_extras(text, "command line")
    except (SourceError, UsageError):  # (not a path with extras: a requirement of an index)
        return None
    pyproject = os.path.join(path, "pyproject.toml")
    return (pyproject, frozenset(extras)) if os.path.isfile(pyproject) else None
