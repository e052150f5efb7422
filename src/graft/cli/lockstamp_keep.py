"""The lock stamp left after a successful full ``graft lock`` (best effort), standard library only.

:func:`watched_paths` lists what the lock read; :func:`keep` fingerprints it (nothing, and no
stamp, when a file may have been read with other bytes than it has now), and writes the lock
stamp with the index answers' expiry, the index pages to renew it by, the lines printed and the
bytes written (and, for a lock whose edit can be proven harmless, the edit stamp:
:func:`graft.cli.editstamp.save`). :mod:`graft.cli.lockstamp` answers from them.
"""

from __future__ import annotations

import os

from graft.cli.editstamp import save
from graft.cli.lockstamp_file import file_bytes, index_ttl, key_of

_RACY_NS = 2_000_000_000


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
    pages: tuple[tuple[str, dict[str, str]], ...] | None = None,
    watched: list[tuple[str, str]],
    say: list[str],
    summary: str,
    preferred_from: str = "*",
    locked: list[tuple[str, str]] | None = None,
    left_out: bool = False,
    read: dict[str, str] | None = None,
) -> None:
    """Leave the stamp that lets :func:`graft.cli.lockstamp.answer` repeat this lock (best effort).

    *started_ns* is when the lock began (``time.time_ns()``): a file modified since (or just
    before) may have been read with other bytes than it has now, and then no stamp is left.
    *say* are the lines printed to stderr without ``-q`` before the *summary* line, in which
    ``{path}`` stands for the output and ``{seconds}`` for the time taken. *preferred_from*
    is the sha256 of the output the lock preferred versions from (``-``: none, ``*``: not
    read). With *locked* (every entry's name and version), a lock whose edit can be proven
    harmless (:mod:`graft.cli.lockedit`), a second stamp answers the lock after an edit;
    *left_out*: some environments were not locked (the *say* lines tell why). *pages*: the
    index pages the lock's answers came from, with their validators, by which an aged stamp
    is renewed (decision 85; None: it cannot be). *read*: the
    sha256 of the bytes each requirements, pyproject or lock file was parsed from, by path:
    such a file is fingerprinted by it however recently it was written (the lock read exactly
    those bytes), where any other file written since the lock started, or just before, leaves
    no stamp.
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    keyed = key_of(argv)
    fingerprints = _fingerprints(watched, started_ns, read or {})
    lock = file_bytes(keyed[1]) if keyed is not None else None
    if fingerprints is None or lock is None:
        return
    expires = started_ns / 1e9 + index_ttl() if index else 0.0
    rows = [*fingerprints, ["lock", sha256_hex(lock)], ["expires", repr(expires)]]
    import json  # noqa: PLC0415

    rows += [["page", url, json.dumps(v, sort_keys=True)] for url, v in pages or ()]
    rows += [["prefs", preferred_from], *(["say", s] for s in say), ["summary", summary]]
    if left_out:
        rows.append(["left-out"])
    save(argv, rows, lock, locked)


def _fingerprints(
    watched: list[tuple[str, str]], started_ns: int, read: dict[str, str]
) -> list[list[str]] | None:
    """``watched`` rows; None if anything is gone or may have been read with other bytes.

    A file whose reader hashed the bytes the lock parsed (*read*) is fingerprinted by that
    hash, not read again (a rewrite since is a change the next lock sees; decision 464); any
    other file modified since the lock started, or in the two seconds before (timestamps
    can be coarse), may have changed between the lock's read and this one.
    """
    from graft._reads import MIXED  # noqa: PLC0415
    from graft.resolve.fingerprints import fingerprint  # noqa: PLC0415

    rows = []
    for kind, path in watched:
        parsed = read.get(path) if kind == "content" else None
        fp = fingerprint(kind, path) if parsed is None else parsed
        if fp is None or fp == MIXED:  # (gone; read twice with other bytes)
            return None
        if kind != "machine" and parsed is None:
            try:
                if os.stat(path).st_mtime_ns > started_ns - _RACY_NS:
                    return None
            except OSError:
                return None
        rows.append(["watched", kind, path, fp])
    return rows
