"""A pin set's files read by the change stamp: plain ``name==version`` lines, without :mod:`re`.

Apart from :mod:`graft.cli.changestamp` (decision 465): :func:`pins` reads each file's bytes
once, their sha256 kept for the sync stamp the change leaves.
"""

from __future__ import annotations


def pins(files: list[str], digests: dict[str, str] | None = None) -> dict[str, str] | None:
    """``{canonical name: version}`` of files of plain ``name==version`` lines; else None.

    As pip reads them: a ``#`` at the start or after whitespace begins a comment. Anything
    else (an option, an extra, a marker, a hash, a URL, a wildcard, a continued line, a
    project named twice) is for the full path. *digests*: the sha256 of each file's bytes
    read goes into it, by path (the sync stamp left after the change names them: 465). No
    run of :mod:`graft._reads` is open here (a resolution's or a lock's), so the hash goes
    straight into *digests*, not through ``note_read`` (one module less on the edited pin's
    path); a file named twice and read with other bytes is for the full path too (479).
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    out: dict[str, str] = {}
    for path in files:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            lines = data.decode("utf-8").splitlines()  # (as text mode's universal newlines)
        except (OSError, UnicodeDecodeError):
            return None
        if digests is not None:
            digest = sha256_hex(data)
            if digests.setdefault(path, digest) != digest:
                return None
        for raw in lines:
            line = _uncommented(raw).strip()
            if not line:
                continue
            found = pin_line(line)
            if found is None:
                return None
            name, version = found
            if name in out:
                return None
            out[name] = version
    return out or None


_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_NAME = _ALNUM | frozenset("._-")
_VERSION = _ALNUM | frozenset(".+!_-")


def _uncommented(raw: str) -> str:
    """*raw* up to its comment: a ``#`` at the start or after whitespace (pip's rule)."""
    at = raw.find("#")
    while at > 0 and not raw[at - 1].isspace():  # (str.isspace: re's \s for str)
        at = raw.find("#", at + 1)
    return raw if at < 0 else raw[:at]


def pin_line(line: str) -> tuple[str, str] | None:
    """The canonical name and the version of a stripped ``name==version`` line; else None.

    The name as PEP 508 spells one (ASCII letters and digits, with ``.``, ``_`` and ``-``
    inside), the version a run of what versions are written with (``packaging`` judges
    it, on the full path, when the stamp does not know it); spaces around ``==`` allowed.
    Without :mod:`re`, whose import (with :mod:`enum`) costs this path ~3 ms (decision 185).
    """
    name, eq, version = line.partition("==")
    name, version = name.rstrip(), version.lstrip()
    if (
        not eq
        or not name
        or not version
        or not _NAME.issuperset(name)
        or name[0] not in _ALNUM
        or name[-1] not in _ALNUM
        or not _VERSION.issuperset(version)
        or version[0] not in _ALNUM
    ):
        return None
    canonical: list[str] = []
    for char in name:  # runs of "-", "_" and "." become one "-" (packaging's rule)
        if char in "-_.":
            if canonical[-1] != "-":
                canonical.append("-")
        else:
            canonical.append(char)
    return "".join(canonical).lower(), version


__all__ = ["pin_line", "pins"]
