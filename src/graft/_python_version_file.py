"""The ``.python-version`` file a sync's interpreter is read from, found as ``uv venv`` finds it.

Without ``--python`` and ``GRAFT_PYTHON``, ``graft sync`` takes the interpreter a
``.python-version`` (or ``.python-versions``) file asks for, as ``uv venv`` and ``uv sync``
do (decision 246):

* the file is looked for in the working directory, then in each directory above it, up to and
  including the nearest one that holds a ``pyproject.toml`` (the project's root, where uv
  stops: a file above a project is not the project's); in each directory
  ``.python-version`` first, then ``.python-versions``;
* its lines are read as uv reads them: blank lines and ``#`` comments skipped, each line one
  request; the first is the one taken. A line graft reads as a request (``3.12``,
  ``cpython@3.12.1``, ``pypy3.10``, ``>=3.11``), or a path (it holds a ``/``), is one; uv's
  ``any`` and ``default`` stand for no request (graft's own default, as for none); anything
  else (pyenv's ``system``, ``pypy3.10-7.3.17``, ``python``) is an executable's name, which
  uv ignores with a warning, and so does graft (:attr:`PythonVersionFile.ignored`);
* ``GRAFT_NO_CONFIG`` (set and not ``0``, ``false``, ``no`` or ``off``) or ``--no-config``
  reads no file, as ``UV_NO_CONFIG`` and ``--no-config`` for uv;
* a file that cannot be read, or is not UTF-8 text, is an error naming it, as uv's (decision
  281).

``graft build`` reads the file nearest the source's directory, up to ``/`` past a project's
root, as ``uv build`` does (decision 280).

Finding the file, and what the stamps' keys hold of it, is :mod:`graft._home`'s (standard
library only, a few ``stat`` calls and one small read, no ``re``: every sync stamp's key
holds the file that applies and its text, through :func:`graft.cli.noop.python_version_file`, so
that a file written, edited or removed since is never answered by a stamp made before);
this module reads its lines as requests, on the full path only. Not read: uv's own
global pin (``~/.config/uv/.python-version``, ``uv python pin --global``) and uv workspaces
(a member's search stops at its own ``pyproject.toml``, where uv goes on to the workspace's
root): graft reads no configuration of uv's (decisions 119, 171).
"""

from __future__ import annotations

import codecs
import os

from graft._home import python_version_file
from graft.errors import TargetError

_MAX_BYTES = 1 << 16
#: uv's literals for "any interpreter": no request of their own
_ANY = frozenset({"any", "default"})


class PythonVersionFile:
    """A Python version file found: its path, its request (None: none), the names it ignores.

    (A class with slots, never changed once made, not a frozen dataclass: creating one costs
    every full sync ~1 ms, decision 51; as :class:`graft._pythons.Request`.)
    """

    __slots__ = ("ignored", "path", "request")

    def __init__(self, path: str, request: str | None, ignored: tuple[str, ...]) -> None:
        self.path = path
        self.request = request
        self.ignored = ignored


def discover(start: str | None = None, *, project_stops: bool = True) -> PythonVersionFile | None:
    """The Python version file that applies in *start* (default: the working directory), read.

    *project_stops*: no higher than a project's root (``uv venv``, ``uv sync``), else up to
    ``/`` (``uv build``, from the source's directory: decision 280).
    """
    try:
        directory = os.path.abspath(start if start is not None else os.getcwd())
    except OSError:  # (a working directory removed meanwhile)
        return None
    path = python_version_file(directory, project_stops=project_stops)
    return None if path is None else read(path)


def read(path: str) -> PythonVersionFile:
    """The requests of the Python version file at *path*, as uv reads them (one a line).

    A file that cannot be read, or is not UTF-8 text, is an error, as uv's ``failed to read
    from file …: stream did not contain valid UTF-8`` (decision 281): it names the file and
    what to do, where ignoring it would give another interpreter than the one it was written
    for. (An empty file, or one of comments only, asks for nothing, as for uv.)
    """
    from graft._pythons import parse  # noqa: PLC0415 - standard library only

    try:
        with open(path, "rb") as fh:
            data = fh.read(_MAX_BYTES)
    except OSError as exc:
        raise _unusable(
            path, f"cannot read it ({exc.strerror or exc})", "make it readable"
        ) from None
    try:  # (the first 64 KiB: a character the cut splits is not the file's fault)
        text = codecs.getincrementaldecoder("utf-8")().decode(data, len(data) < _MAX_BYTES)
    except UnicodeDecodeError as exc:
        raise _unusable(
            path,
            f"not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})",
            "write the version as text, 3.12 say",
        ) from None
    taken: list[str] = []
    ignored: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower() in _ANY or parse(line) is not None or "/" in line:
            taken.append(line)
        else:
            ignored.append(line)
    first = taken[0] if taken else None
    return PythonVersionFile(
        path, None if first is None or first.lower() in _ANY else first, tuple(ignored)
    )


#: what else a user can do about a Python version file (decisions 246, 281)
OTHERWISE = "--python or GRAFT_PYTHON names another, --no-config reads no such file"


def _unusable(path: str, what: str, fix: str) -> TargetError:
    """A Python version file that cannot be read as uv reads one: one line, naming it."""
    return TargetError(what, where=path, hint=f"{fix}, or remove the file; {OTHERWISE}")
