"""PEP 723 inline script metadata as a source of requirements (decision 432).

``graft sync V -r script.py`` (uv's spelling: a ``-r`` file whose name ends ``.py`` or
``.pyw``, as ``uv pip install -r`` and ``uv pip compile`` take one) and
``--requirements-from-script FILE`` (pip 26.3's, any name) install the ``dependencies`` of the
script's ``# /// script`` block. The block is found by PEP 723's reference regular
expression (:data:`REGEX`): a ``# /// TYPE`` line, lines that are ``#`` alone or ``#`` and a
space and text, a ``# ///`` line. A block of another type is not read; two ``script`` blocks
are an error, as PEP 723 says. Its content (each line without its ``# `` or ``#``) is TOML,
read by :func:`graft._toml.parse_toml` (``tomllib``, or ``tomli`` on 3.10).

The block's ``requires-python`` is checked against the target as pip checks it (uv's ``pip``
interface ignores it): :func:`refuse_python`. ``graft lock`` keeps its range as a project's
``requires-python`` (decision 433). A ``[tool.uv]`` table is ``uv run``'s, which ``uv pip``
ignores: graft ignores it too and warns (:func:`read_script`'s warnings).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from graft.errors import SourceError, UsageError
from graft.sources.reqlines import fetch_file, is_script, is_url

if TYPE_CHECKING:
    from graft.model.requirements import Inputs
    from graft.model.target import Target

#: PEP 723's reference regular expression, as PEP 723 and pip 26.3 give it.
REGEX = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"

_EXAMPLE = "'# /// script', '# dependencies = [\"name>=1.0\"]', '# ///'"


@dataclasses.dataclass(frozen=True)
class Script:
    """What a script's ``script`` block says, and where (its first line, counted from 1)."""

    path: str
    line: int
    dependencies: tuple[str, ...]
    requires_python: str | None
    ignored: tuple[str, ...] = ()  # the [tool.uv] keys set, which uv pip and graft ignore

    @property
    def where(self) -> str:
        """``FILE:LINE`` of the block's opening line."""
        return f"{self.path}:{self.line}"


def parse_script(text: str, path: str) -> Script:
    """The ``script`` block of the script *text* read from *path*; a one-line error if none.

    Raises :class:`~graft.errors.UsageError`: no block, an unclosed one, two, TOML that is
    not valid, ``dependencies`` not a list of strings, ``requires-python`` not a string.
    """
    found = [m for m in re.finditer(REGEX, text) if m.group("type") == "script"]
    if not found:
        _refuse_missing(text, path)
    first = found[0]
    line = text.count("\n", 0, first.start()) + 1
    if len(found) > 1:
        again = text.count("\n", 0, found[1].start()) + 1
        raise UsageError(
            f"a second '# /// script' block (the first is at line {line})",
            where=f"{path}:{again}",
            hint="PEP 723 allows one script block: merge them into one",
        )
    content = "".join(
        row[2:] if row.startswith("# ") else row[1:]
        for row in first.group("content").splitlines(keepends=True)
    )
    from graft._toml import TomlError, parse_toml  # noqa: PLC0415

    where = f"{path}:{line}"
    try:
        data = parse_toml(content.encode("utf-8"))
    except TomlError as exc:
        _refuse_inner(first.group("content"), path, line)
        raise UsageError(
            f"the script block is {exc.why}; its line 1 is the file's line {line + 1}",
            where=where,
            hint="each line of the block is '#', a space, then TOML: fix its TOML",
        ) from None
    dependencies = data.get("dependencies", [])
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise UsageError(
            "the script block's dependencies is not a list of requirement strings",
            where=where,
            hint='write dependencies = ["name", "name>=1.0"]',
        )
    requires_python = data.get("requires-python")
    if requires_python is not None:
        requires_python = _specifier(requires_python, where)
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    ignored = tuple(uv) if isinstance(uv, dict) else ()
    return Script(path, line, tuple(dependencies), requires_python, ignored)


def _specifier(value: object, where: str) -> str:
    """The block's ``requires-python``, checked to be a version specifier."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    if isinstance(value, str):
        try:
            return str(SpecifierSet(value))
        except InvalidSpecifier:
            pass
    raise UsageError(
        f"the script block's requires-python {value!r} is not a version specifier",
        where=where,
        hint='write requires-python = ">=3.10"',
    )


def _refuse_inner(content: str, path: str, line: int) -> None:
    """A ``# /// script`` line inside the block: a second block the first ran into.

    PEP 723's expression ends a block at its last ``# ///`` line before a line that is not a
    comment, so two blocks with only comments between them are read as one.
    """
    for number, row in enumerate(content.splitlines(), line + 1):
        if row == "# /// script":
            raise UsageError(
                f"a second '# /// script' block (the first is at line {line})",
                where=f"{path}:{number}",
                hint="PEP 723 allows one script block: merge them into one",
            )


def _refuse_missing(text: str, path: str) -> None:
    """No ``script`` block in *text*: said at an opening line left unclosed, if there is one."""
    for number, row in enumerate(text.splitlines(), 1):
        if row == "# /// script":
            raise UsageError(
                "this '# /// script' block is not closed",
                where=f"{path}:{number}",
                hint="every line of the block begins with '#', and a line '# ///' ends it",
            )
    raise UsageError(
        "no inline script metadata: no '# /// script' block (PEP 723)",
        where=path,
        hint=f"add one ({_EXAMPLE}), or list the requirements in a requirements file",
    )


def read_script(path: str, inputs: Inputs) -> Script:
    """Add the requirements of the script at *path* to *inputs*; the script's block.

    The file's bytes are an input (``files_read``, ``digests``): an edit of the script,
    its block or its code, is a changed input to the memo and the stamps.
    """
    from graft._reads import note_read  # noqa: PLC0415
    from graft.sources.requirements import parse_spec  # noqa: PLC0415

    remote = is_url(path)
    try:
        if remote:  # (as uv pip install -r URL reads one; decision 447)
            data = fetch_file(path, "script")
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        raise UsageError(f"cannot read script ({exc.strerror})", where=path) from None
    try:  # (Python's source encoding; a byte-order mark as Python takes it)
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"the script is not UTF-8 (byte at offset {exc.start})",
            where=path,
            hint="save the script as UTF-8",
        ) from None
    script = parse_script(text.replace("\r\n", "\n").replace("\r", "\n"), path)
    if remote:  # (no fingerprint can tell that it changed: nothing read is memoized)
        inputs.remote_files.append(path)
    elif path not in inputs.files_read:
        inputs.files_read.append(path)
    note_read(inputs.digests, path, data)
    where = f"{script.where}: dependencies"
    inputs.wanted += [parse_spec(dep, where, base=None) for dep in script.dependencies]
    inputs.scripts.append((script.where, script.requires_python))
    if script.ignored:
        keys = ", ".join(script.ignored)
        inputs.warnings.append(
            f"{script.where}: the script's [tool.uv] ({keys}) is ignored, as uv pip ignores it"
            " (it is uv run's); give such settings on the command line"
        )
    return script


def refuse_python(
    scripts: list[tuple[str, str | None]], target: Target, flag: str = "--python"
) -> None:
    """Refuse a target whose Python a script's ``requires-python`` excludes, as pip refuses it.

    *scripts*: each script block's ``FILE:LINE`` and ``requires-python`` (``Inputs.scripts``);
    *flag*: the option that names another target (a foreign dry run's ``--python-version``).
    """
    if not any(value for _, value in scripts):
        return
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415
    from packaging.version import Version  # noqa: PLC0415

    version = Version(target.version)
    for where, value in scripts:
        if value and not SpecifierSet(value).contains(version, prereleases=True):
            raise SourceError(
                f"the script's requires-python {value} excludes the target's Python"
                f" {target.version}",
                where=where,
                hint=f"sync with a {flag} the script allows ({value})",
            )


__all__ = ["REGEX", "Script", "is_script", "parse_script", "read_script", "refuse_python"]
