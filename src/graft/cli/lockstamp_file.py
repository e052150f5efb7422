"""The lock stamp's file (:mod:`graft.cli.lockstamp`), standard library only.

Which command lines a stamp may answer (the output read as argparse reads it, anything
doubtful left to the full path), the stamp's key (the command line and its context; for an
edit stamp, its ``-r`` files masked and the output's whole path kept), where the stamp lives
(``<cache>/lock-stamps/``), and its bytes: rows of NUL-separated fields, an empty line, then
the lock it answers with.
"""

from __future__ import annotations

import os
import sys

FORMAT = "graft-lock-stamp 2"  # 2: the output's digest (prefs), edit stamps
_ENVIRONMENT = ("PATH", "HOME", "XDG_CACHE_HOME")
_NOT_FOR_STAMPS = ("--json", "--verbose", "--offline", "--help", "--refresh", "--refresh-package")
# the short options a stamp reads as argparse does: each of graft lock's but -o (read
# apart), -v and -h (no stamp); each alone, its value apart (test_lockstamp checks the list)
_SHORT = ("-q", "-r", "-c", "-C", "-f", "-e", "-U", "-P", "-i", "-b", "-p")


def _output(argv: list[str]) -> tuple[str, list[str]] | None:
    """The output file and *argv* without it; None when unsure how argparse would read it.

    Read: ``-o FILE``, ``-oFILE``, ``--output FILE``, ``--output=FILE`` and ``--output-file``'s
    two forms (the last one wins).
    Anything else that could name it (an abbreviation, ``-qo FILE``) is doubt, and so is a
    short option combined or attached (``-rq.txt`` is ``-r q.txt``, which a guess could read
    as ``-q``), or one graft lock does not have; each of its own, given alone, is read as its
    long form is (:data:`_SHORT`). A ``-C`` is kept in the key with its value: a lock under
    other config settings has its own stamp.
    """
    output, rest, i = "pylock.toml", [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return None
        if arg in ("-o", "--output", "--output-file"):
            if i + 1 >= len(argv):
                return None
            output, i = argv[i + 1], i + 2
            continue
        if arg.startswith(("--output=", "--output-file=")):
            output = arg.partition("=")[2]
        elif arg.startswith("-o"):
            output = arg[2:]
        elif arg.startswith("--ou") or (arg[:1] == "-" and arg[1:2] != "-" and arg not in _SHORT):
            return None
        else:
            rest.append(arg)
        i += 1
    return output, rest


def _stamped(argv: list[str]) -> tuple[str, list[str]] | None:
    """The output and the rest of the command line, if a stamp may answer it."""
    from graft.cli.noop import _has  # noqa: PLC0415

    if argv[:1] != ["lock"] or _has(argv, _NOT_FOR_STAMPS, "v") or _has(argv, (), "h"):
        return None
    found = _output(argv)
    return None if found is None or found[0] == "-" else found  # -o -: no file to answer with


def key_of(argv: list[str], *, edit: bool = False) -> tuple[str, str, list[str]] | None:
    """The stamp's key, the output's absolute path and the ``-r`` files; None when unsure.

    With *edit*, the key of the stamp that answers the lock after an edit
    (:mod:`graft.cli.lockedit`): the ``-r`` files masked, the output's whole path kept.
    """
    from graft import __version__  # noqa: PLC0415
    from graft._home import TOOL_VARIABLES, code_stamp  # noqa: PLC0415
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    stamped = _stamped(argv)
    if stamped is None:
        return None
    output, rest = stamped
    files: list[str] = []
    if edit:
        from graft.cli.lockedit import masked  # noqa: PLC0415

        found = masked(rest)
        if found is None:
            return None
        rest, files = found
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    output = os.path.abspath(output)
    # pip's and uv's variables too: a lock that would refuse or warn never answers from a stamp
    env = [f"{k}={os.environ.get(k, '')}" for k in (*_ENVIRONMENT, *TOOL_VARIABLES)]
    env += sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("GRAFT_"))
    parts = [FORMAT, __version__, str(code_stamp()), sys.executable, cwd]
    place = ["edit", output] if edit else [os.path.dirname(output)]
    parts += [*env, *place, "", *rest]
    key = sha256_hex("\0".join(parts).encode("utf-8", "surrogateescape"))
    return f"edit-{key}" if edit else key, output, files


def _stamp_file(key: str) -> str:
    from graft._home import cache_root  # noqa: PLC0415

    name = f"edit-{key[5:37]}" if key.startswith("edit-") else key[:32]
    return os.path.join(cache_root(), "lock-stamps", name)


def load(key: str) -> tuple[dict[str, list[list[str]]], bytes]:
    """The stamp's rows by kind, and its lock; raises when missing or not this key's."""
    with open(_stamp_file(key), "rb") as fh:
        head, sep, lock = fh.read().partition(b"\n\n")
    fields = [r.split("\0") for r in head.decode("utf-8", "surrogateescape").split("\n")]
    if not sep or fields[0] != [FORMAT] or ["key", key] not in fields:
        raise KeyError(key)
    rows: dict[str, list[list[str]]] = {}
    for row in fields[1:]:
        rows.setdefault(row[0], []).append(row[1:])
    return rows, lock


def file_bytes(path: str) -> bytes | None:
    """The bytes of the file at *path*; None if it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def store(key: str, rows: list[list[str]], lock: bytes) -> None:
    """Write the stamp of *key*: its *rows* (``key`` first, added here), then *lock*."""
    rows = [["key", key], *rows]
    if any("\n" in f or "\0" in f for row in rows for f in row):
        return
    head = "\n".join([FORMAT, *("\0".join(row) for row in rows)])
    path = _stamp_file(key)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write(path, head.encode("utf-8", "surrogateescape") + b"\n\n" + lock)
    except OSError:
        return


def write(path: str, data: bytes) -> None:
    """*data* at *path*, through a temporary file and a rename; nothing if already there."""
    try:
        with open(path, "rb") as fh:
            if fh.read(len(data) + 1) == data:
                return
    except OSError:
        pass
    from graft._atomic import write_atomic  # noqa: PLC0415

    write_atomic(path, data)


def index_ttl() -> float:
    """:data:`graft.resolve.memo.INDEX_TTL`, how long the index's answers hold."""
    from graft.resolve.memo import INDEX_TTL  # noqa: PLC0415

    return INDEX_TTL
