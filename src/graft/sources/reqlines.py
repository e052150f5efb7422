"""A requirements file's logical lines: its bytes read, decoded, joined and uncommented.

As pip reads a file before it parses a line (``req_file.preprocess``): UTF-8 with or without
a byte-order mark (UTF-16 and UTF-32 by theirs), universal newlines, continued lines (a
backslash at the end) joined, ``#`` comments dropped; :mod:`graft.sources.reqfile` reads each.
"""

from __future__ import annotations

from graft.errors import UsageError

#: ``-r -`` and ``-c -``: the requirements on standard input, as uv reads them (decision 325)
STDIN = "-"


def is_url(path: str) -> bool:
    """Whether a requirements file is named by an ``http(s)://`` URL (pip reads those too)."""
    return path.startswith(("http://", "https://"))


def is_script(path: str) -> bool:
    """Whether ``-r`` *path* names a PEP 723 script: a ``*.py`` or ``*.pyw`` file or URL.

    As uv decides, by the extension (read by :mod:`graft.sources.script`, decision 432); a
    URL by its path's, as ``uv pip install -r https://.../s.py`` reads it (decision 447).
    """
    if is_url(path):
        from urllib.parse import urlsplit  # noqa: PLC0415

        path = urlsplit(path).path
    return path.endswith((".py", ".pyw"))


def unwatched(path: str) -> bool:
    """Whether nothing can tell that the file *path* changed: a URL, or standard input.

    Nothing read from one is memoized (no resolution memo, no sync or lock stamp).
    """
    return path == STDIN or is_url(path)


_stdin: list[bytes] = []  # standard input's bytes, once read


def _read_stdin() -> bytes:
    """Standard input, read to its end once.

    A second ``-`` (``-r - -c -``, a resolution run again) reads the same bytes, as uv reads
    them once.
    """
    import sys  # noqa: PLC0415

    if not _stdin:
        try:
            _stdin.append(sys.stdin.buffer.read())
        except (AttributeError, ValueError):  # (none, or closed: said as a file's OSError)
            raise OSError(9, "no standard input to read") from None
    return _stdin[0]


def fetch_file(url: str, what: str = "requirements file") -> bytes:
    """A requirements file (or a script) by URL, as pip reads one (read anew each sync)."""
    from graft.sources.http import http_get  # noqa: PLC0415

    got = http_get(url, source=f"the {what}'s host")
    if got is None:
        raise UsageError(f"no {what} at this URL (HTTP 404)", where=url)
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


def logical_lines(path: str, digests: dict[str, str]) -> list[tuple[int, str]]:
    """The logical lines of *path* (continuations joined, comments dropped), numbered.

    The sha256 of the bytes read goes into *digests*: the memo and the stamps name exactly
    these bytes (decision 464).
    """
    from graft._reads import note_read  # noqa: PLC0415

    try:
        if is_url(path):
            data = fetch_file(path)
        elif path == STDIN:
            data = _read_stdin()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        raise UsageError(f"cannot read requirements file ({exc.strerror})", where=path) from None
    note_read(digests, path, data)
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


__all__ = ["STDIN", "fetch_file", "is_script", "is_url", "logical_lines", "unwatched"]
