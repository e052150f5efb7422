"""pip-style requirements files: ``-r`` and ``-c``, read line by line into the inputs.

They follow pip's syntax: comments, line continuations, ``${NAME}`` variables, nested ``-r``
and ``-c`` (relative to the file, or to its URL), per-line ``--hash``, ``-e`` and the global
options ``--index-url``, ``--extra-index-url``, ``--find-links``, ``--no-index``, ``--pre``,
``--require-hashes``, ``--no-binary`` and ``--only-binary``, as many as a line holds. The
lines are :mod:`graft.sources.reqlines`'; each requirement line is one spec
(:func:`graft.sources.requirements.parse_line`). What to write instead of a line that is
refused is :mod:`graft.sources.reqfile_refusals`'; a lock or a script given with ``-r`` is
:mod:`graft.sources.reqfile_kinds`'.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import string
from typing import TYPE_CHECKING

from graft.errors import SourceError, UsageError
from graft.sources.reqlines import is_script, is_url, logical_lines, unwatched
from graft.sources.requirements import (
    VARIABLE,
    editable_path,
    file_url_path,
    parse_line,
    source_path,
    split_extras,
    split_marker,
)

if TYPE_CHECKING:
    import re
    from collections.abc import Callable

    from graft.model.requirements import Inputs

_IGNORED_OPTIONS = {"--prefer-binary"}
_VALUE_OPTIONS_IGNORED = {"--use-feature"}

#: The options a requirements file takes that take no value.
_FLAGS = {"--no-index", "--pre", "--require-hashes", *_IGNORED_OPTIONS}
#: Those that take one, and what each needs.
_TAKE_A_VALUE = {
    **dict.fromkeys(("-r", "--requirement", "-c", "--constraint"), "a value"),
    **dict.fromkeys(("-i", "--index-url", "--extra-index-url", "-f", "--find-links"), "a value"),
    **dict.fromkeys(("--no-binary", "--only-binary"), "a name or :all:"),
    **dict.fromkeys(("-e", "--editable"), "a project directory"),
    "--trusted-host": "a host",
    **dict.fromkeys(_VALUE_OPTIONS_IGNORED, "a value"),
}


def find_links_dir(value: str, base: str, where: str | None = None) -> str:
    """A ``--find-links`` value as the directory it names: absolute, or relative to *base*.

    In a requirements file (*base*: its directory), one that is not beside the file is the
    one in the current directory, if there is one, as pip reads it.

    A ``file://`` URL is its path, as pip and uv take it. An ``http(s)://`` page of links is
    refused in one line: joined to *base* as a path (``/cwd/http:/host/...``), it failed as a
    directory that does not exist, naming a path the user never wrote.
    """
    if value.startswith("file:"):
        return file_url_path(value)
    if is_url(value) or "://" in value:
        raise UsageError(
            f"--find-links takes a directory, not a URL: {value}",
            where=where,
            hint="download its wheels into a directory and give -f DIR, or use a simple"
            " repository with --extra-index-url",
        )
    if os.path.isabs(value):
        return value
    beside = os.path.join(base, value)
    if base and not os.path.exists(beside) and os.path.isdir(value):  # (pip's rule)
        return os.path.abspath(value)  # (none beside the file: the one here)
    return beside


def read_requirements(
    path: str,
    inputs: Inputs,
    _seen: tuple[str, ...] = (),
    *,
    constraints: bool = False,
    named_at: str | None = None,
    on_line: Callable[[str, str], None] | None = None,
) -> None:
    """Add the contents of the requirements file *path* to *inputs*.

    With *constraints* (a ``-c`` file), its requirements limit versions and add nothing.
    *named_at*: the ``FILE:LINE`` whose ``-r``/``-c`` names *path* (a nested file), which a
    file that cannot be read or that includes itself is said at (decision 429). *on_line*:
    shown each line (``FILE:LINE``, its text with ``${NAME}`` expanded) of every file read,
    before it is taken, by a reader with its own rule for them (``--build-constraint``'s,
    decision 476), which may refuse one.
    """
    from graft.sources.pylock import is_pylock  # noqa: PLC0415

    if is_pylock(path):
        from graft.sources.reqfile_kinds import add_lock  # noqa: PLC0415

        add_lock(path, inputs, constraints=constraints)
        return
    if is_script(path):  # (uv's rule: a .py file is a PEP 723 script; decision 432)
        from graft.sources.reqfile_kinds import add_script  # noqa: PLC0415

        add_script(path, inputs, constraints=constraints, named_at=named_at)
        return
    remote = is_url(path)
    if unwatched(path):  # (no fingerprint can tell that it changed: nothing read is memoized)
        inputs.remote_files.append(path)
    else:
        inputs.files_read.append(path)
    real = path if remote else os.path.realpath(path)
    if real in _seen:
        from graft.sources.reqfile_refusals import shown  # noqa: PLC0415

        loop = " -> ".join(map(shown, (*_seen[_seen.index(real) :], real)))
        raise UsageError(
            f"requirements files include each other ({loop})",
            where=named_at or path,
            hint="remove the -r or -c line that closes the loop",
        )
    # (standard input's nested files are the current directory's, as uv reads them)
    base = path if remote else os.path.dirname(os.path.abspath(path))
    for number, text in _lines(path, inputs, named_at):
        where = f"{path}:{number}"
        line, marker = _expand(text, inputs), None
        if on_line is not None:
            on_line(where, line)
        if line.split(maxsplit=1)[0].partition("=")[0] in {"-e", "--editable"}:
            line, marker = split_marker(line, where)  # (uv's reading; pip drops the marker)
        # as pip: the requirement runs up to the first word starting with "-"; only the
        # options after it are shell-split (a marker's quotes belong to the requirement)
        parts = line.split(" ")
        first = next((i for i, part in enumerate(parts) if part.startswith("-")), len(parts))
        try:
            words = shlex.split(" ".join(parts[first:]))
        except ValueError as exc:
            raise UsageError(f"cannot parse line ({exc})", where=where) from None
        if first == 0:
            seen = (*_seen, real)
            _global_options(
                words,
                where,
                base,
                inputs,
                seen,
                constraints=constraints,
                marker=marker,
                on_line=on_line,
            )
            continue
        spec = " ".join(parts[:first]).strip()
        try:  # (a path is read from the current directory, as pip and uv read it)
            wanted = parse_line(spec, where, _hash_options(words, where))
        except (SourceError, UsageError):  # (a missing path: UsageError, decision 327)
            from graft.sources.reqfile_refusals import refuse_beside_the_file  # noqa: PLC0415

            refuse_beside_the_file(spec, base, where)
            raise
        if not constraints:
            inputs.wanted.append(wanted)
        elif wanted.source:
            raise UsageError(
                f"a constraint names a project's versions or one wheel, not {spec!r}",
                where=where,
                hint="name the source in the requirements (-r) instead, or constrain its version",
            )
        else:  # (its extras add nothing, as uv reads pip-compile's output given with -c);
            # a wheel by path or URL: that file, if anything needs its project (decision 172)
            constraint = dataclasses.replace(wanted, extras=frozenset(), requested=False)
            inputs.constraints.append(constraint)


def _lines(path: str, inputs: Inputs, named_at: str | None) -> list[tuple[int, str]]:
    """*path*'s logical lines; a nested file that cannot be read is said at its ``-r`` line."""
    try:
        return logical_lines(path, inputs.digests)
    except UsageError as exc:
        if named_at is None or not exc.what.startswith("cannot read"):
            raise
        from graft.sources.reqfile_refusals import shown  # noqa: PLC0415

        raise UsageError(
            exc.what.replace(" file (", f" file {shown(path)} (", 1),
            where=named_at,
            hint="a nested -r or -c path is read relative to the file that names it",
        ) from None


def _hash_options(words: list[str], where: str) -> frozenset[str]:
    """The ``--hash`` values that follow a requirement (checked); any other option refused."""
    hashes = set()
    for i, word in enumerate(words):
        if word.startswith("--hash="):
            hashes.add(word.removeprefix("--hash="))
        elif word == "--hash" and i + 1 < len(words):
            continue
        elif i > 0 and words[i - 1] == "--hash":
            hashes.add(word)
        else:
            from graft.sources.reqfile_refusals import per_requirement_hint  # noqa: PLC0415

            raise UsageError(
                f"unsupported per-requirement option {word!r}",
                where=where,
                hint=per_requirement_hint(word),
            )
    return frozenset(_check_hash(h, where) for h in hashes)


def _expand(line: str, inputs: Inputs) -> str:
    """*line* with each ``${NAME}`` replaced by that environment variable, as pip and uv do.

    Only that form (upper case, digits, ``_``; so a private index's token need not be written
    in the file); an unset variable is left as it is. Every name is kept in ``variables``: its
    value is an input the resolution memo watches.
    """
    if "${" not in line:
        return line

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in inputs.variables:
            inputs.variables.append(name)
        return os.environ.get(name, match.group(0))

    return VARIABLE.sub(value, line)


def _check_hash(value: str, where: str) -> str:
    """A ``--hash`` value as ``sha256:<hex>``; any other is refused saying what to give."""
    algorithm, _, digest = value.partition(":")
    if algorithm in {"sha384", "sha512"}:  # (pip and uv take them; graft's store is sha256's)
        raise UsageError(
            f"graft checks sha256 hashes only, not {algorithm} (pip and uv take {algorithm})",
            where=where,
            hint="give each file's sha256: --hash=sha256:<hex> (`pip hash FILE` prints it;"
            " pip-compile and uv pip compile --generate-hashes write sha256)",
        )
    if algorithm != "sha256":
        raise UsageError(f"unsupported hash {value!r}", where=where, hint="use --hash=sha256:<hex>")
    if len(digest) != 64 or not all(c in string.hexdigits for c in digest):  # noqa: PLR2004
        raise UsageError(
            f"a sha256 digest is 64 hexadecimal digits, not {digest!r}",
            where=where,
            hint="copy the whole digest: --hash=sha256:<64 hex digits>",
        )
    return f"sha256:{digest.lower()}"


def _nested(value: str, base: str) -> str:
    """A ``-r``/``-c`` of a file: a URL, an absolute path, or relative to the file (or URL)."""
    if is_url(value) or os.path.isabs(value):
        return value
    if is_url(base):
        import urllib.parse  # noqa: PLC0415

        return urllib.parse.urljoin(base, value)
    return os.path.join(base, value)


def _global_options(
    words: list[str],
    where: str,
    base: str,
    inputs: Inputs,
    seen: tuple[str, ...],
    *,
    constraints: bool,
    marker: str | None = None,
    on_line: Callable[[str, str], None] | None = None,
) -> None:
    """A line of options, each read in turn, as pip's parser reads every option on it.

    A word that is neither an option nor its value (``--pre six``: pip and uv drop the
    requirement without a word) is refused naming it. *marker*: an ``-e PATH ; MARKER``'s.
    """
    at = 0
    while at < len(words):
        option, eq, value = words[at].partition("=")
        at += 1
        if not option.startswith("-"):  # (the line's first word is an option)
            raise UsageError(
                f"{words[at - 1]!r} follows {words[at - 2]} on its line",
                where=where,
                hint="put each requirement on a line of its own",
            )
        if option in _FLAGS:
            if eq:
                raise UsageError(f"{option} takes no value", where=where, hint=f"write {option}")
            _flag(option, inputs)
            continue
        if option not in _TAKE_A_VALUE:
            from graft.sources.reqfile_refusals import option_hint  # noqa: PLC0415

            raise UsageError(f"unknown option {option!r}", where=where, hint=option_hint(option))
        if not eq and at < len(words) and not words[at].startswith("-"):
            value, at = words[at], at + 1
        if not value:  # (it was dropped: --index-url alone, PyPI)
            needs = _TAKE_A_VALUE[option]
            raise UsageError(
                f"{option} needs {needs}", where=where, hint=f"{option} VALUE, on one line"
            )
        _valued(
            option,
            value,
            where=where,
            base=base,
            inputs=inputs,
            seen=seen,
            constraints=constraints,
            marker=marker,
            on_line=on_line,
        )


def _flag(option: str, inputs: Inputs) -> None:
    if option == "--no-index":
        inputs.no_index = True
    elif option == "--pre":
        inputs.prereleases = True
    elif option == "--require-hashes":
        inputs.require_hashes = True


def _valued(
    option: str,
    value: str,
    *,
    where: str,
    base: str,
    inputs: Inputs,
    seen: tuple[str, ...],
    constraints: bool,
    marker: str | None,
    on_line: Callable[[str, str], None] | None = None,
) -> None:
    """The option *option* with its *value* into *inputs* (*marker*: an ``-e``'s)."""
    if option in {"-r", "--requirement", "-c", "--constraint"}:
        nested = _nested(value, base)
        as_constraints = constraints or option in {"-c", "--constraint"}
        read_requirements(
            nested, inputs, seen, constraints=as_constraints, named_at=where, on_line=on_line
        )
    elif option in {"-i", "--index-url"}:
        inputs.index_url = value
    elif option == "--extra-index-url":
        inputs.extra_index_urls.append(value)
    elif option in {"-f", "--find-links"}:
        inputs.find_links.append(find_links_dir(value, base, where))
    elif option in {"--no-binary", "--only-binary"}:
        inputs.formats.append((option[2:], value))  # (NO_BINARY, ONLY_BINARY: in order)
    elif option == "--trusted-host":  # (pip's; uv ignores it there: decision 419)
        from graft.sources.tls import InsecureHost  # noqa: PLC0415

        try:
            InsecureHost.parse(value, option)
        except UsageError as exc:
            raise UsageError(exc.what, where=where, hint=exc.hint) from None
        inputs.insecure_hosts.append(value)
    elif option in {"-e", "--editable"}:
        if constraints:
            raise UsageError(f"{option} is not a constraint", where=where)
        path, extras = split_extras(value, where)
        # relative to the current directory, as pip and uv read -e in a file (and a project
        # directory on a line of its own); only -r and -c are relative to the file
        local = os.path.expanduser(editable_path(path, where))
        wanted = source_path(local, where, editable=True, extras=extras, marker=marker)
        inputs.wanted.append(wanted)


__all__ = ["find_links_dir", "is_url", "read_requirements"]
