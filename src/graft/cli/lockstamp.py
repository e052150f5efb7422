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

The lock prefers the versions the output holds (:mod:`graft.resolve.lock_prefs`), so the
output is read too: a stamp holds only while the output has the bytes it had when the lock
started, or the stamped lock itself. When no stamp holds, an *edit stamp* (keyed by the command
line with its ``-r`` files masked, and the output's whole path) may: :mod:`graft.cli.lockedit`
proves that the edited ``-r`` files resolve to the lock the output holds, and the stamps are
then kept for the new files.

The stamp's key and file are :mod:`graft.cli.lockstamp_file`'s, the edit stamp's rows
:mod:`graft.cli.editstamp`'s; the full path leaves both through :mod:`graft.cli.lockstamp_keep`.
"""

from __future__ import annotations

import os
import sys
import time

from graft.cli.lockstamp_file import file_bytes, index_ttl, key_of, load, store, write


def answer(argv: list[str]) -> int | None:
    """Exit status 0 once the output holds the lock an unchanged run would write; else None."""
    keyed = key_of(argv)
    if keyed is None:
        return None
    started = time.perf_counter()
    key, output, _ = keyed
    rows: dict[str, list[list[str]]] = {}
    lock, now = b"", None
    try:
        rows, lock = load(key)
        now = file_bytes(output)
        expires = rows["expires"][0][0]
        holds = _holds(rows, lock, argv) and _preferred(rows, lock, now)
        if holds and rows["expires"][0][0] != expires:  # renewed: kept so
            store(key, _rows_of(rows), lock)
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        holds = False  # no stamp for this command line, or it does not hold
    try:
        if not holds:
            return _answer_edit(argv, started)
        if now != lock:
            write(output, lock)
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
    _say(argv, rows, output, started)
    return 0


def _preferred(rows: dict[str, list[list[str]]], lock: bytes, now: bytes | None) -> bool:
    """Whether the output gives the preferences the stamped lock was made with.

    The lock prefers the versions the output holds (:mod:`graft.resolve.lock_prefs`): the
    output must hold what it held then, or the stamped lock itself (a lock preferring its
    own versions is itself: :mod:`graft.cli.lockedit`), unless it was not read (``*``).
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    (digest,) = rows["prefs"][0]
    return digest == "*" or now == lock or digest == ("-" if now is None else sha256_hex(now))


def _answer_edit(argv: list[str], started: float) -> int | None:
    """Exit status 0 when an edit of the ``-r`` files cannot change the lock; else None."""
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    keyed = key_of(argv, edit=True)
    if keyed is None:
        return None
    key, output, files = keyed
    try:
        rows, lock = load(key)
    except (OSError, ValueError, KeyError):
        return None
    old_files = {os.path.abspath(p) for (p,) in rows.get("rfile", [])}
    others = [
        r
        for r in rows.get("watched", [])
        if not (r[0] == "content" and os.path.abspath(r[1]) in old_files)
    ]
    if file_bytes(output) != lock or not _holds({**rows, "watched": others}, lock, argv):
        return None  # the proof needs the output to hold the lock (its versions preferred)
    locked: dict[str, list[str]] = {}
    for name, version in rows.get("locked", []):
        locked.setdefault(name, []).append(version)
    contents = [file_bytes(p) for p in files]  # read once: the proof and the new stamp name them
    from graft.cli.editstamp import roots_allowed, save  # noqa: PLC0415

    allowed = roots_allowed(rows, contents, locked)
    if allowed is None:
        return None
    roots, known = allowed
    _say(argv, rows, output, started)
    watched = [["watched", *r] for r in others]
    watched += [
        ["watched", "content", p, sha256_hex(d or b"")]
        for p, d in zip(files, contents, strict=True)
    ]
    (expires,) = rows["expires"][0]
    common = [
        *watched,
        ["lock", rows["lock"][0][0]],
        ["expires", expires],
        ["prefs", rows["prefs"][0][0]],
    ]
    common += [["say", s] for (s,) in rows.get("say", [])] + [
        ["summary", s] for (s,) in rows["summary"]
    ]
    common += [["left-out"]] if "left-out" in rows else []
    versions = [(n, v) for n, vs in locked.items() for v in vs]
    save(argv, common, lock, versions, roots, known=known)
    return 0


def _say(argv: list[str], rows: dict[str, list[list[str]]], output: str, started: float) -> None:
    """The lines the stamped lock printed, without ``-q``."""
    if _quiet(argv):
        return
    for (line,) in rows.get("say", []):
        print(line, file=sys.stderr)
    for (line,) in rows.get("summary", []):
        seconds = f"{time.perf_counter() - started:.2f}"
        line = line.replace("{path}", output).replace("{seconds}", seconds)  # noqa: PLW2901
        print(line, file=sys.stderr)


def _quiet(argv: list[str]) -> bool:
    from graft.cli.noop import _has  # noqa: PLC0415

    return _has(argv, ("--quiet",), "q")


def _holds(rows: dict[str, list[list[str]]], lock: bytes, argv: list[str]) -> bool:
    """Whether the stamp's lock is whole and everything the lock read is unchanged."""
    from graft._sha256 import sha256_hex  # noqa: PLC0415
    from graft.resolve.fingerprints import unchanged  # noqa: PLC0415

    (expires,) = rows["expires"][0]
    return (
        sha256_hex(lock) == rows["lock"][0][0]
        and unchanged([(kind, path, fp) for kind, path, fp in rows.get("watched", [])])
        and (not (float(expires) and time.time() > float(expires)) or _renewed(rows, argv))
    )


def _renewed(rows: dict[str, list[list[str]]], argv: list[str]) -> bool:
    """Whether the index pages the lock's answers came from are unchanged; then renewed.

    Each is asked for once with its validators (:func:`graft.sources.revalidate.unchanged`,
    decision 85; *argv*, the command line, gives its index URLs' credentials); when every
    one is as it was, ``expires`` is set another :data:`graft.resolve.memo.INDEX_TTL` ahead,
    in place (the caller writes the stamp again).
    """
    if not rows.get("page"):
        return False
    import json  # noqa: PLC0415 - only for an aged stamp

    pages = [(url, json.loads(validators)) for url, validators in rows["page"]]
    from graft.sources import revalidate  # noqa: PLC0415

    if not revalidate.unchanged(pages, argv):
        return False
    rows["expires"][0][0] = repr(time.time() + index_ttl())
    return True


def _rows_of(rows: dict[str, list[list[str]]]) -> list[list[str]]:
    """A stamp's rows as :func:`graft.cli.lockstamp_file.store` takes them (its key left out)."""
    return [[name, *row] for name, table in rows.items() if name != "key" for row in table]
