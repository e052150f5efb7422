"""The edit stamp: the lock stamp kept for an edit of the ``-r`` files, standard library only.

Beside the lock stamp of a lock whose edit can be proven harmless (:mod:`graft.cli.lockedit`),
:func:`save` leaves an *edit stamp* (keyed by the command line with its ``-r`` files masked and
the output's whole path: :func:`graft.cli.lockstamp_file.key_of`): the stamp's rows, each
``-r`` file's plain lines with the project each names (``rfile``, ``root``), other root sets
known to resolve to the same lock (``known``), and every locked version (``locked``).
:func:`roots_allowed` reads them back: the edited files' roots, if the edit proof shows they
resolve to the stamp's lock (the answer itself: :mod:`graft.cli.lockstamp`).
"""

from __future__ import annotations

import os

from graft.cli.lockstamp_file import file_bytes, key_of, store

_KNOWN = 8  # root sets kept per edit stamp, besides the current one


def roots_allowed(
    rows: dict[str, list[list[str]]], contents: list[bytes | None], locked: dict[str, list[str]]
) -> tuple[list[list[tuple[str, str]]], list[list[list[str]]]] | None:
    """The roots the ``-r`` *files* now hold, if they resolve to the stamp's lock; else None.

    Each file's lines with the project each names (a changed line names its old project),
    and the other root sets known to resolve to the lock, to keep: the stamp's current one
    (from the full path, or proven) and earlier proven ones (``known``). New roots equal to a
    known set, or that the edit proof derives from one, resolve to the lock too.
    """
    from graft.cli.lockedit import plain_lines, same_lock  # noqa: PLC0415

    new = []
    for data in contents:
        lines = plain_lines(data) if data is not None else None
        if lines is None:
            return None
        new.append(lines)
    old: list[list[tuple[str, str]]] = [[] for _ in rows.get("rfile", [])]
    for at, line, name in rows.get("root", []):
        old[int(at)].append((line, name))
    sets: dict[str, list[list[str]]] = {}
    for k, at, line in rows.get("known", []):
        sets.setdefault(k, [[] for _ in old])[int(at)].append(line)
    known = [[[line for line, _ in f] for f in old], *sets.values()]
    said = [s for (s,) in rows.get("say", [])] if "left-out" in rows else None
    names = [[name for _, name in f] for f in old]
    if new not in known and not any(  # (a known set first: no proof, nor packaging, needed)
        [len(f) for f in lines] == [len(f) for f in names]
        and same_lock(_named(lines, names), new, locked, said)
        for lines in known
    ):
        return None
    roots = [list(zip(lines, n, strict=True)) for lines, n in zip(new, names, strict=True)]
    return roots, [k for k in known if k != new][:_KNOWN]


def _named(lines: list[list[str]], names: list[list[str]]) -> list[list[tuple[str, str]]]:
    return [list(zip(f, n, strict=True)) for f, n in zip(lines, names, strict=True)]


def save(
    argv: list[str],
    rows: list[list[str]],
    lock: bytes,
    locked: list[tuple[str, str]] | None,
    roots: list[list[tuple[str, str]]] | None = None,
    *,
    known: list[list[list[str]]] | None = None,
) -> None:
    """Write the stamp of *argv*, and with *locked* the stamp for an edit of its ``-r`` files.

    *roots*: each ``-r`` file's lines with the project each names (default: read and parsed);
    *known*: other root sets known to resolve to this lock (each file's lines).
    """
    keyed = key_of(argv)
    if keyed is None:
        return
    store(keyed[0], rows, lock)
    edit = key_of(argv, edit=True) if locked is not None else None
    if edit is None or locked is None:
        return
    if roots is None:
        roots = _roots(edit[2], rows)
        if roots is None:
            return
    extra: list[list[str]] = []
    for at, (path, lines) in enumerate(zip(edit[2], roots, strict=True)):
        extra += [["rfile", path], *(["root", str(at), line, name] for line, name in lines)]
    for k, root_set in enumerate(known or []):
        extra += [["known", str(k), str(at), line] for at, f in enumerate(root_set) for line in f]
    extra += [["locked", name, version] for name, version in locked]
    store(edit[0], [*rows, *extra], lock)


def _roots(files: list[str], rows: list[list[str]]) -> list[list[tuple[str, str]]] | None:
    """Each file's plain lines with the project each names; None unless all are plain.

    The bytes read must be those the lock read (the ``watched`` rows' fingerprints).
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415
    from graft.cli.lockedit import plain_lines, root_names  # noqa: PLC0415

    read = {os.path.abspath(r[2]): r[3] for r in rows if r[:2] == ["watched", "content"]}
    out = []
    for path in files:
        data = file_bytes(path)
        if data is None or read.get(os.path.abspath(path)) != sha256_hex(data):
            return None
        lines = plain_lines(data)
        names = root_names(lines) if lines is not None else None
        if lines is None or names is None:
            return None
        out.append(list(zip(lines, names, strict=True)))
    return out
