"""The one TOML reader (decision 358), and the tables graft reads from a parsed file.

:func:`parse_toml` is the one switch between ``tomllib`` and ``tomli`` (Python 3.10), its
errors one line each (:class:`TomlError`); :func:`load_toml` reads a file through it, each
caller's error class naming the file; :func:`toml_table` and :func:`project_table` take a
table out of the parsed data, ``[project]``'s fields checked against PEP 621's types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graft.errors import GraftError


class TomlError(ValueError):
    """Bytes that are not TOML: *why*, one line, and *hint*, what to do (:func:`parse_toml`)."""

    def __init__(self, why: str, hint: str) -> None:
        super().__init__(why)
        self.why, self.hint = why, hint


def parse_toml(data: bytes) -> dict[str, Any]:
    """*data* as TOML: ``tomllib`` (``tomli`` on Python 3.10), the one switch between them.

    Raises :class:`TomlError`: not UTF-8 (TOML is; ``tomllib.load`` lets the decoder's error
    out), or not valid TOML (the parser's own line and column).
    """
    import sys  # noqa: PLC0415

    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # noqa: PLC0415
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TomlError(
            f"not valid TOML (not UTF-8: byte at offset {exc.start})", "save the file as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(f"not valid TOML ({exc})", "fix the file's syntax") from None


def load_toml(
    path: str,
    error: type[GraftError] | None = None,
    digests: dict[str, str] | None = None,
    *,
    seen: bool = True,
) -> dict[str, Any]:
    """The TOML file at *path* (pyproject.toml, pylock.toml); a one-line error if it is broken.

    Raises *error* (default :class:`~graft.errors.SourceError`) naming the file: unreadable,
    or not TOML (:func:`parse_toml`). With *digests* (``Inputs.digests``), the sha256 of the
    bytes read goes into it; and a run open keeps the read (:func:`graft._reads.note_read`;
    decisions 464, 479), unless *seen* is False: a file no request fingerprints by its
    content (``variants.toml``), which is then never hashed.
    """
    from graft.errors import SourceError  # noqa: PLC0415

    raised = error or SourceError
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise raised(f"cannot read it ({exc.strerror})", where=path) from None
    if seen:
        from graft._reads import note_read  # noqa: PLC0415

        note_read(digests, path, data)
    try:
        return parse_toml(data)
    except TomlError as exc:
        raise raised(exc.why, where=path, hint=exc.hint) from None


def toml_table(data: object, key: str) -> dict[str, Any]:
    """The table *key* of a parsed TOML table, or an empty one (absent, or not a table)."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


#: ``[project]`` fields graft reads, and the type PEP 621 gives each (checked where present).
_PROJECT_FIELDS = {
    "name": (str, "a string"),
    "version": (str, "a string"),
    "requires-python": (str, "a string"),
    "dynamic": (list, "a list of field names"),
}


def project_table(data: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The ``[project]`` table of a parsed ``pyproject.toml`` at *path*; None without one.

    Raises a one-line :class:`~graft.errors.SourceError` naming the file and the field when
    the table, or a field graft reads from it (``name``, ``version``, ``requires-python``,
    ``dynamic``), has another type than PEP 621 gives it, as uv and the backends refuse it
    (decision 267): ``dynamic = 3`` was an internal error.
    """
    project = data.get("project")
    if project is None:
        return None
    problem = None if isinstance(project, dict) else "[project] is not a table"
    for field, (kind, said) in _PROJECT_FIELDS.items():
        value = project.get(field) if problem is None else None
        if value is not None and not isinstance(value, kind):
            problem = f"[project] {field} must be {said}, not {type(value).__name__}"
    dynamic = project.get("dynamic") if problem is None else None
    if isinstance(dynamic, list) and not all(isinstance(name, str) for name in dynamic):
        problem = "[project] dynamic must be a list of field names (strings)"
    if problem is not None:
        from graft.errors import SourceError  # noqa: PLC0415

        raise SourceError(problem, where=path, hint="PEP 621 gives each field's type")
    table: dict[str, Any] = project
    return table
