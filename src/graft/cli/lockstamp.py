"""The unchanged ``graft lock``, answered before argparse, packaging or the resolver load.

A lock with the command line (the output's file name aside), working directory, environment
and graft of an earlier successful lock writes the same ``pylock.toml`` when everything it
read is unchanged:

* the requirement, constraint, pyproject and lock files it read (their bytes), the
  find-links directories (their names, and the identity of every file in them), the wheels
  named by path, ``variants.toml``, and the machine's variant facts if detection ran
  (:mod:`graft.resolve.fingerprints`);
* the index's answers, for as long as the resolution memo trusts them to build a venv
  (:data:`graft.resolve.memo.INDEX_TTL` from the moment the lock started).

The full path leaves a *lock stamp* (``<cache>/lock-stamps/<key>``, keyed by the command line
and its context, the output's directory included since a wheel named by path is written
relative to it) holding those fingerprints, the summary lines and the bytes it wrote. This
module checks them with the standard library alone and writes the same bytes to the output
(nothing at all when the output already holds them). The stamp is a shortcut, never a source
of truth: anything missing, unreadable or different, an ``--offline`` lock (cached pages
change under it), ``--json`` or ``-v`` (output the stamp cannot give) takes the full path.
No stamp is left when a file it read was modified after the lock started (or less than 2 s
before): the lock may have read other bytes than those fingerprinted. The stamp is untrusted
input too: at worst a forged one makes graft write a wrong lock file, which the user's own
cache directory could do anyway; it never makes graft run anything.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

FORMAT = "graft-lock-stamp 1"
_ENVIRONMENT = ("PATH", "HOME", "XDG_CACHE_HOME")
_NOT_FOR_STAMPS = ("--json", "--verbose", "--offline", "--help")
_RACY_NS = 2_000_000_000
_SHORT = ("-q", "-r", "-c")  # the short options a stamp reads as argparse does


def _output(argv: list[str]) -> tuple[str, list[str]] | None:
    """The output file and *argv* without it; None when unsure how argparse would read it.

    Read: ``-o FILE``, ``-oFILE``, ``--output FILE``, ``--output=FILE`` (the last one wins).
    Anything else that could name it (an abbreviation, ``-qo FILE``) is doubt, and so is any
    other short option but ``-q``, ``-r FILE`` and ``-c FILE`` (combined or attached: ``-rq.txt``
    is ``-r q.txt``, which a guess could read as ``-q``).
    """
    output, rest, i = "pylock.toml", [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return None
        if arg in ("-o", "--output"):
            if i + 1 >= len(argv):
                return None
            output, i = argv[i + 1], i + 2
            continue
        if arg.startswith("--output="):
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
    return _output(argv)


def _key(argv: list[str]) -> tuple[str, str] | None:
    """The stamp's key and the output's absolute path; None without a cwd or when unsure."""
    from graft import __version__  # noqa: PLC0415
    from graft._home import code_stamp  # noqa: PLC0415
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    stamped = _stamped(argv)
    if stamped is None:
        return None
    output, rest = stamped
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    output = os.path.abspath(output)
    env = [f"{k}={os.environ.get(k, '')}" for k in _ENVIRONMENT]
    env += sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("GRAFT_"))
    parts = [FORMAT, __version__, str(code_stamp()), sys.executable, cwd]
    parts += [*env, os.path.dirname(output), "", *rest]
    return sha256_hex("\0".join(parts).encode("utf-8", "surrogateescape")), output


def _stamp_file(key: str) -> str:
    from graft._home import cache_root  # noqa: PLC0415

    return os.path.join(cache_root(), "lock-stamps", key[:32])


def answer(argv: list[str]) -> int | None:
    """Exit status 0 once the output holds the lock an unchanged run would write; else None."""
    keyed = _key(argv)
    if keyed is None:
        return None
    started = time.perf_counter()
    key, output = keyed
    try:
        with open(_stamp_file(key), "rb") as fh:
            head, sep, lock = fh.read().partition(b"\n\n")
        fields = [r.split("\0") for r in head.decode("utf-8", "surrogateescape").split("\n")]
        if not sep or fields[0] != [FORMAT] or ["key", key] not in fields:
            return None
        rows: dict[str, list[list[str]]] = {}
        for row in fields[1:]:
            rows.setdefault(row[0], []).append(row[1:])
        if not _holds(rows, lock):
            return None
        _write(output, lock)
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
    if not _quiet(argv):
        for (line,) in rows.get("say", []):
            print(line, file=sys.stderr)
        for (line,) in rows.get("summary", []):
            seconds = f"{time.perf_counter() - started:.2f}"
            line = line.replace("{path}", output).replace("{seconds}", seconds)  # noqa: PLW2901
            print(line, file=sys.stderr)
    return 0


def _quiet(argv: list[str]) -> bool:
    from graft.cli.noop import _has  # noqa: PLC0415

    return _has(argv, ("--quiet",), "q")


def _holds(rows: dict[str, list[list[str]]], lock: bytes) -> bool:
    """Whether the stamp's lock is whole and everything the lock read is unchanged."""
    from graft._sha256 import sha256_hex  # noqa: PLC0415
    from graft.resolve.fingerprints import unchanged  # noqa: PLC0415

    (expires,) = rows["expires"][0]
    return (
        sha256_hex(lock) == rows["lock"][0][0]
        and not (float(expires) and time.time() > float(expires))
        and unchanged([(kind, path, fp) for kind, path, fp in rows.get("watched", [])])
    )


def _write(path: str, data: bytes) -> None:
    """*data* at *path*, through a temporary file and a rename; nothing if already there."""
    try:
        with open(path, "rb") as fh:
            if fh.read(len(data) + 1) == data:
                return
    except OSError:
        pass
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def watched_paths(
    files: tuple[str, ...], dirs: tuple[str, ...], wheels: tuple[str, ...], *, machine: bool
) -> list[tuple[str, str]]:
    """What a lock read, as ``(kind, path)``: files' bytes, directories' names and files."""
    watched = [("content", p) for p in files] + [("stat", p) for p in wheels]
    for directory in dirs:
        watched.append(("listing", directory))
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        watched += [("stat", os.path.join(directory, n)) for n in names]
    if machine:
        watched.append(("machine", ""))
    return watched


def keep(
    argv: list[str],
    *,
    started_ns: int,
    index: bool,
    watched: list[tuple[str, str]],
    say: list[str],
    summary: str,
) -> None:
    """Leave the stamp that lets :func:`answer` repeat this lock (best effort).

    *started_ns* is when the lock began (``time.time_ns()``): a file modified since (or just
    before) may have been read with other bytes than it has now, and then no stamp is left.
    *say* are the lines printed to stderr without ``-q`` before the *summary* line, in which
    ``{path}`` stands for the output and ``{seconds}`` for the time taken.
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    keyed = _key(argv)
    fingerprints = _fingerprints(watched, started_ns)
    if keyed is None or fingerprints is None:
        return
    key, output = keyed
    rows = [["key", key], *fingerprints]
    try:
        with open(output, "rb") as fh:
            lock = fh.read()
    except OSError:
        return
    expires = started_ns / 1e9 + _index_ttl() if index else 0.0
    rows += [["lock", sha256_hex(lock)], ["expires", repr(expires)], *(["say", s] for s in say)]
    rows.append(["summary", summary])
    if any("\n" in f or "\0" in f for row in rows for f in row):
        return
    head = "\n".join([FORMAT, *("\0".join(row) for row in rows)])
    path = _stamp_file(key)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _write(path, head.encode("utf-8", "surrogateescape") + b"\n\n" + lock)
    except OSError:
        return


def _fingerprints(watched: list[tuple[str, str]], started_ns: int) -> list[list[str]] | None:
    """``watched`` rows; None if anything is gone or was modified since the lock started."""
    from graft.resolve.fingerprints import fingerprint  # noqa: PLC0415

    rows = []
    for kind, path in watched:
        if kind != "machine":
            try:
                if os.stat(path).st_mtime_ns > started_ns - _RACY_NS:
                    return None
            except OSError:
                return None
        fp = fingerprint(kind, path)
        if fp is None:
            return None
        rows.append(["watched", kind, path, fp])
    return rows


def _index_ttl() -> float:
    from graft.resolve.memo import INDEX_TTL  # noqa: PLC0415

    return INDEX_TTL
