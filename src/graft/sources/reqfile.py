"""pip-style requirements files: ``-r`` and ``-c``, read line by line into the inputs.

They follow pip's syntax: comments, line continuations, ``${NAME}`` variables, nested ``-r``
and ``-c`` (relative to the file, or to its URL), per-line ``--hash``, ``-e`` and the global
options ``--index-url``, ``--extra-index-url``, ``--find-links``, ``--no-index``, ``--pre``,
``--require-hashes``, ``--no-binary`` and ``--only-binary``. Each requirement line is one
spec (:func:`graft.sources.requirements.parse_spec`).
"""

from __future__ import annotations

import dataclasses
import os
import shlex
from typing import TYPE_CHECKING

from graft.errors import SourceError, UsageError
from graft.sources.requirements import (
    VARIABLE,
    editable_path,
    file_url_path,
    parse_line,
    source_path,
    split_extras,
)

if TYPE_CHECKING:
    import re

    from graft.model.requirements import Inputs

_IGNORED_OPTIONS = {"--prefer-binary"}
_VALUE_OPTIONS_IGNORED = {"--trusted-host", "--use-feature"}

#: The options a requirements file takes that take no value.
_FLAGS = {"--no-index", "--pre", "--require-hashes", *_IGNORED_OPTIONS}
#: Those that take one, and what each needs.
_TAKE_A_VALUE = {
    **dict.fromkeys(("-r", "--requirement", "-c", "--constraint"), "a value"),
    **dict.fromkeys(("-i", "--index-url", "--extra-index-url", "-f", "--find-links"), "a value"),
    **dict.fromkeys(("--no-binary", "--only-binary"), "a name or :all:"),
    **dict.fromkeys(("-e", "--editable"), "a project directory"),
    **dict.fromkeys(_VALUE_OPTIONS_IGNORED, "a value"),
}


def is_url(path: str) -> bool:
    """Whether a requirements file is named by an ``http(s)://`` URL (pip reads those too)."""
    return path.startswith(("http://", "https://"))


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


def _fetch_file(url: str) -> bytes:
    """A requirements file by URL, as pip reads one (a sync reads it anew each time)."""
    from graft.sources.http import http_get  # noqa: PLC0415

    got = http_get(url, source="the requirements file's host")
    if got is None:
        raise UsageError("no requirements file at this URL (HTTP 404)", where=url)
    return got.body


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), or the UTF-16/32 a byte-order mark names.

    As pip and uv read a file: Windows PowerShell 5's ``pip freeze > requirements.txt``
    writes UTF-16 with a byte-order mark.
    """
    import codecs  # noqa: PLC0415

    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),  # (before UTF-16's: it begins with the same bytes)
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return name
    return "utf-8-sig"


def _logical_lines(path: str, digests: dict[str, str]) -> list[tuple[int, str]]:
    """The logical lines of *path* (continuations joined, comments dropped), numbered.

    The sha256 of the bytes read goes into *digests*: a lock stamp names exactly these bytes.
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    try:
        if is_url(path):
            data = _fetch_file(path)
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        raise UsageError(f"cannot read requirements file ({exc.strerror})", where=path) from None
    digests[path] = sha256_hex(data)
    try:  # (a byte-order mark, as Windows editors write one, is not part of the first line)
        raw = data.decode(_encoding(data)).splitlines()  # (universal newlines, as text mode)
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})",
            where=path,
            hint="save the requirements file as UTF-8",
        ) from None
    out: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, line in enumerate(raw, 1):
        if not buffer:
            start = number
        stripped = line.split(" #", 1)[0].split("\t#", 1)[0]
        if stripped.lstrip().startswith("#"):
            stripped = ""
        if stripped.rstrip().endswith("\\") and not stripped.endswith("\\"):
            raise UsageError(  # (pip and uv refuse it too, pip as a requirement ending in \)
                "a space after the \\ that continues the line",
                where=f"{path}:{number}",
                hint="end the line with the \\ itself",
            )
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        if buffer.strip():
            out.append((start, buffer.strip()))
        buffer = ""
    if buffer.strip():
        out.append((start, buffer.strip()))
    return out


def read_requirements(
    path: str, inputs: Inputs, _seen: frozenset[str] = frozenset(), *, constraints: bool = False
) -> None:
    """Add the contents of the requirements file *path* to *inputs*.

    With *constraints* (a ``-c`` file), its requirements limit versions and add nothing.
    """
    from graft.sources.pylock import is_pylock  # noqa: PLC0415

    if is_pylock(path):
        _add_lock(path, inputs, constraints=constraints)
        return
    remote = is_url(path)
    if remote:  # (no fingerprint can tell that it changed: nothing read from it is memoized)
        inputs.remote_files.append(path)
    else:
        inputs.files_read.append(path)
    real = path if remote else os.path.realpath(path)
    if real in _seen:
        raise UsageError("requirements files include each other", where=path)
    base = path if remote else os.path.dirname(os.path.abspath(path))
    for number, text in _logical_lines(path, inputs.digests):
        where = f"{path}:{number}"
        line = _expand(text, inputs)
        # as pip: the requirement runs up to the first word starting with "-"; only the
        # options after it are shell-split (a marker's quotes belong to the requirement)
        parts = line.split(" ")
        first = next((i for i, part in enumerate(parts) if part.startswith("-")), len(parts))
        try:
            words = shlex.split(" ".join(parts[first:]))
        except ValueError as exc:
            raise UsageError(f"cannot parse line ({exc})", where=where) from None
        if first == 0:
            _global_options(words, where, base, inputs, _seen | {real}, constraints=constraints)
            continue
        hashes = set()
        for i, word in enumerate(words):
            if word.startswith("--hash="):
                hashes.add(word.removeprefix("--hash="))
            elif word == "--hash" and i + 1 < len(words):
                continue
            elif i > 0 and words[i - 1] == "--hash":
                hashes.add(word)
            else:
                raise UsageError(
                    f"unsupported per-requirement option {word!r}",
                    where=where,
                    hint=_per_requirement_hint(word),
                )
        spec = " ".join(parts[:first]).strip()
        try:  # (a path is read from the current directory, as pip and uv read it)
            wanted = parse_line(spec, where, frozenset(_check_hash(h, where) for h in hashes))
        except SourceError:
            _refuse_beside_the_file(spec, base, where)
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


def _refuse_beside_the_file(spec: str, base: str, where: str) -> None:
    """Say where a path missing here lies, if it lies beside the requirements file.

    pip and uv read a path in a requirements file (a wheel, an sdist, a project directory)
    from the current directory, as graft does; a file's own directory is only for its
    ``-r``, ``-c`` and ``--find-links``.
    """
    path, _ = split_extras(spec.partition(";")[0].strip(), where)
    if is_url(base) or os.path.isabs(path) or not os.path.lexists(os.path.join(base, path)):
        return
    beside = os.path.relpath(os.path.join(base, path))
    raise SourceError(
        "no such file or directory here (a path in a requirements file is read from the"
        " current directory, as pip and uv read it)",
        where=f"{where}: {path}",
        hint=f"write {beside}, or run from {os.path.relpath(base)}",
    )


def _add_lock(path: str, inputs: Inputs, *, constraints: bool) -> None:
    """A PEP 751 lock given with ``-r``; with ``-c`` (*constraints*) it is refused, as uv does."""
    from graft.sources.pylock import check_lock_name  # noqa: PLC0415

    check_lock_name(path, "-c" if constraints else "-r")
    if constraints:  # (a lock pins every package it lists; it limits nothing)
        raise UsageError(
            "a PEP 751 lock is not a constraints file",
            where=f"-c {path}",
            hint=f"give constraints in requirements.txt form, or install the lock: -r {path}",
        )
    inputs.pylocks.append(path)


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
    algorithm, _, digest = value.partition(":")
    if algorithm != "sha256" or len(digest) != 64:  # noqa: PLR2004
        raise UsageError(f"unsupported hash {value!r}", where=where, hint="use --hash=sha256:<hex>")
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
    seen: frozenset[str],
    *,
    constraints: bool,
) -> None:
    """A line of options, each read in turn, as pip's parser reads every option on it.

    A word that is neither an option nor its value (``--pre six``: pip and uv drop the
    requirement without a word) is refused naming it.
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
            raise UsageError(f"unknown option {option!r}", where=where, hint=_option_hint(option))
        if not eq and at < len(words) and not words[at].startswith("-"):
            value, at = words[at], at + 1
        if not value:  # (it was dropped: --index-url alone, PyPI)
            needs = _TAKE_A_VALUE[option]
            raise UsageError(
                f"{option} needs {needs}", where=where, hint=f"{option} VALUE, on one line"
            )
        _valued(
            option, value, where=where, base=base, inputs=inputs, seen=seen, constraints=constraints
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
    seen: frozenset[str],
    constraints: bool,
) -> None:
    """The option *option* with its *value* into *inputs*."""
    if option in {"-r", "--requirement", "-c", "--constraint"}:
        nested = _nested(value, base)
        as_constraints = constraints or option in {"-c", "--constraint"}
        read_requirements(nested, inputs, seen, constraints=as_constraints)
    elif option in {"-i", "--index-url"}:
        inputs.index_url = value
    elif option == "--extra-index-url":
        inputs.extra_index_urls.append(value)
    elif option in {"-f", "--find-links"}:
        inputs.find_links.append(find_links_dir(value, base, where))
    elif option in {"--no-binary", "--only-binary"}:
        binary = inputs.no_binary if option == "--no-binary" else inputs.only_binary
        binary.append(value)
    elif option in {"-e", "--editable"}:
        if constraints:
            raise UsageError(f"{option} is not a constraint", where=where)
        path, extras = split_extras(value, where)
        # relative to the current directory, as pip and uv read -e in a file (and a project
        # directory on a line of its own); only -r and -c are relative to the file
        local = os.path.expanduser(editable_path(path, where))
        inputs.wanted.append(source_path(local, where, editable=True, extras=extras))


#: What a requirements file takes on a line of its own (pip's and uv's options for it).
_FILE_OPTIONS = (
    "-r, -c, -e, -i/--index-url, --extra-index-url, -f/--find-links, --no-index, --pre,"
    " --require-hashes, --no-binary, --only-binary"
)


def _option_hint(option: str) -> str:
    """What to write instead of an option a requirements file does not take."""
    glued = next((short for short in ("-r", "-c", "-e", "-i", "-f") if option[:2] == short), "")
    if glued and len(option) > 2 and not option.startswith("--"):  # noqa: PLR2004
        return f"put a space after {glued}: {glued} {option[2:]}"
    return f"a requirements file takes {_FILE_OPTIONS}; give {option} on the command line"


def _per_requirement_hint(word: str) -> str:
    """What to write instead of an option after a requirement other than ``--hash``."""
    option = word.partition("=")[0]
    if option in {"--config-settings", "--config-setting", "-C"}:
        return "graft takes build settings for every build on the command line: -C KEY=VALUE"
    if option in {"--global-option", "--build-option", "--install-option"}:
        return f"pip no longer takes {option} either; remove it (build settings: -C KEY=VALUE)"
    return "only --hash=sha256:... may follow a requirement on its line"


__all__ = ["find_links_dir", "is_url", "read_requirements"]
