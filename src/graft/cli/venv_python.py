"""The interpreter ``graft sync`` gives an existing venv, and what the no-op stamp checks of it.

Without ``--python`` (or ``GRAFT_PYTHON``) an existing venv keeps its own interpreter, as pip
and uv install into it. With a version, an implementation or a specifier (``3.12``, ``pypy``,
``'>=3.11,<3.13'``: what :func:`graft._pythons.parse` reads), it keeps its own while that one
meets the request, as ``uv sync --python`` keeps a project's venv; otherwise it is rebuilt
on the interpreter the request finds (decision 123). A path or an executable's name
(``python``, ``/usr/bin/python3.12``) names one file: the venv is rebuilt unless it runs it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def keep_venv_python(args: argparse.Namespace, foreign: bool) -> bool:
    """Set ``args.python`` to the venv's own interpreter where the sync keeps it; whether it did.

    *foreign*: sync's foreign-target flags, which name a target of their own. Kept means a
    new venv of the same command would get another interpreter (graft's own, or what the
    request finds): the stamps for new venvs are not left then. ``GRAFT_PYTHON`` (which
    ``graft.cli.main`` puts into ``args.python``, with ``args.python_from``) is checked here,
    once the venv's own interpreter did not meet it, and said as its own.
    """
    from graft.venv.interpreter import venv_interpreter  # noqa: PLC0415

    if foreign:
        return False
    found = venv_interpreter(args.venv) if os.path.isdir(args.venv) else None
    if args.python is None:
        if found is None or os.path.realpath(found) == os.path.realpath(sys.executable):
            return False  # gone, or the default already (graft run from a venv: its base Python)
        args.python = found
        return True
    where = getattr(args, "python_from", "--python")
    kept = found is not None and _kept(args, found, where)
    if not kept and where != "--python":  # (--python's own lookup is the sync's)
        look_up(args.python, where)
    return kept


def look_up(spec: str, where: str) -> str:
    """Find ``GRAFT_PYTHON``'s or a version file's interpreter; an error said as theirs.

    A ``.python-version`` naming an interpreter not found says what to do about the file
    (decision 246); ``graft build`` looks its file's up the same way (decision 280).
    """
    from graft.errors import TargetError  # noqa: PLC0415
    from graft.venv.interpreter import find_interpreter  # noqa: PLC0415

    try:
        return find_interpreter(spec, where=where)
    except TargetError as exc:
        if where == "GRAFT_PYTHON":
            raise
        from graft._python_version_file import OTHERWISE  # noqa: PLC0415

        what = exc.what if exc.where == where else f"{exc.where}: {exc.what}"
        hint = f"install that Python (pyenv install), or change the file; {OTHERWISE}"
        raise TargetError(what, where=where, hint=hint) from None


def _kept(args: argparse.Namespace, found: str, where: str) -> bool:
    """Whether the venv's interpreter *found* meets ``args.python`` where its lookup finds another.

    Then ``args.python`` becomes *found*. Where the lookup finds *found* itself, the request
    stays as given (what the memo and the stamps of new venvs were keyed by).
    """
    from graft.errors import TargetError  # noqa: PLC0415
    from graft.venv.interpreter import find_interpreter  # noqa: PLC0415

    if not meets(args.python, found, where):
        return False
    try:
        if os.path.realpath(find_interpreter(args.python, where)) == os.path.realpath(found):
            return False
    except TargetError:
        pass  # none found on PATH or in pyenv: the venv's is the one there is
    args.python = found
    return True


def meets(spec: str, executable: str, where: str = "--python") -> bool:
    """Whether *executable* is what ``--python SPEC`` asks for, by its own facts.

    Only for a request :func:`graft._pythons.parse` reads; a path or an executable's name
    (``python``) is never met by another file. A spec graft refuses (Python 2, a specifier
    ``packaging`` cannot read) is the error it always is; an interpreter that cannot say
    what it is meets nothing.
    """
    from graft._pythons import parse  # noqa: PLC0415
    from graft.errors import TargetError  # noqa: PLC0415
    from graft.venv.interpreter import introspect  # noqa: PLC0415
    from graft.venv.python_request import mismatch, refuse_unsupported  # noqa: PLC0415

    request = parse(spec)
    if request is None:
        return False
    refuse_unsupported(spec, request, where)
    try:
        return mismatch(request, introspect(executable)) is None
    except TargetError:
        return False


def stamped(spec: str | None, prefix: str) -> str | None:
    """What the no-op stamp of a sync that gave the venv at *prefix* ``--python SPEC`` checks.

    For a request the venv's interpreter meets, that interpreter's path: the next sync of the
    same command keeps it while it does, and the stamp confirms the venv (its recorded inputs
    name the interpreter) and the interpreter's file (its identity, in the memo's
    fingerprints) as they were, so it need not look the request up (a specifier would need
    ``packaging``, a candidate it skips would need running). A path, a name, or no
    ``--python``, as given.
    """
    if spec is None:
        return None
    from graft.venv.interpreter import venv_interpreter  # noqa: PLC0415

    found = venv_interpreter(prefix)
    return found if found is not None and meets(spec, found) else spec
