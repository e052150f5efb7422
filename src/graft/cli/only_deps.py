"""pip 26.3's ``--only-deps``: the dependencies of the projects named, not the projects.

pip resolves the requirements named on the command line and drops them from what it installs
(``Resolver.resolve``: each user-supplied project popped from the set), refusing the option
beside ``--no-deps``, ``-r``, ``--requirements-from-script`` and ``--group``. Its common use
is a container image's layer of a project's dependencies, ``pip install --only-deps .``,
before the project's own sources are copied in. graft reads a project's dependencies without
installing it already: ``-r DIR/pyproject.toml`` (its ``[project]`` table, or its backend's
metadata hook where it has none), the extras by ``--extra``. So a project directory named
with ``--only-deps`` (``DIR``, ``DIR[EXTRA,...]``, ``-e DIR``) is read as ``-r
DIR/pyproject.toml`` with those extras (decision 438). A requirement that is not a project
directory (a project of an index, a wheel, a URL) is refused in one line: graft reads no
dependencies of those without resolving them.
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
    from graft.sources.direct_refs import split_extras  # noqa: PLC0415

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
    files: list[str] = []
    asked: set[frozenset[str]] = set()
    for text in named:
        path, extras = split_extras(text, "command line")
        pyproject = os.path.join(path, "pyproject.toml")
        if not os.path.isfile(pyproject):
            raise UsageError(
                f"--only-deps takes a project directory holding a pyproject.toml, not {text!r}",
                hint="graft reads a project's dependencies from its pyproject.toml; for a"
                " project of an index, name its requirements instead",
            )
        files.append(pyproject)
        asked.add(frozenset(extras))
    if len(asked) > 1:
        raise UsageError(
            "--only-deps names directories with different extras",
            hint="ask each the same extras (they are read as --extra, which applies to every"
            " project), or run graft once per project",
        )
    args.requirement = files
    args.specs = []
    args.editable = []
    args.extra = sorted({*args.extra, *next(iter(asked))})
