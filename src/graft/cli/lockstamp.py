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
"""

from __future__ import annotations

import os
import sys
import time

FORMAT = "graft-lock-stamp 2"  # 2: the output's digest (prefs), edit stamps
_ENVIRONMENT = ("PATH", "HOME", "XDG_CACHE_HOME")
_NOT_FOR_STAMPS = ("--json", "--verbose", "--offline", "--help", "--refresh")
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
    found = _output(argv)
    return None if found is None or found[0] == "-" else found  # -o -: no file to answer with


def _key(argv: list[str], *, edit: bool = False) -> tuple[str, str, list[str]] | None:
    """The stamp's key, the output's absolute path and the ``-r`` files; None when unsure.

    With *edit*, the key of the stamp that answers the lock after an edit
    (:mod:`graft.cli.lockedit`): the ``-r`` files masked, the output's whole path kept.
    """
    from graft import __version__  # noqa: PLC0415
    from graft._home import code_stamp  # noqa: PLC0415
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
    env = [f"{k}={os.environ.get(k, '')}" for k in _ENVIRONMENT]
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


def answer(argv: list[str]) -> int | None:
    """Exit status 0 once the output holds the lock an unchanged run would write; else None."""
    keyed = _key(argv)
    if keyed is None:
        return None
    started = time.perf_counter()
    key, output, _ = keyed
    rows: dict[str, list[list[str]]] = {}
    lock, now = b"", None
    try:
        rows, lock = _load(key)
        now = _read(output)
        expires = rows["expires"][0][0]
        holds = _holds(rows, lock, argv) and _preferred(rows, lock, now)
        if holds and rows["expires"][0][0] != expires:  # renewed: kept so
            _store(key, _rows_of(rows), lock)
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        holds = False  # no stamp for this command line, or it does not hold
    try:
        if not holds:
            return _answer_edit(argv, started)
        if now != lock:
            _write(output, lock)
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
    _say(argv, rows, output, started)
    return 0


def _load(key: str) -> tuple[dict[str, list[list[str]]], bytes]:
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


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


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

    keyed = _key(argv, edit=True)
    if keyed is None:
        return None
    key, output, files = keyed
    try:
        rows, lock = _load(key)
    except (OSError, ValueError, KeyError):
        return None
    old_files = {os.path.abspath(p) for (p,) in rows.get("rfile", [])}
    others = [
        r
        for r in rows.get("watched", [])
        if not (r[0] == "content" and os.path.abspath(r[1]) in old_files)
    ]
    if _read(output) != lock or not _holds({**rows, "watched": others}, lock, argv):
        return None  # the proof needs the output to hold the lock (its versions preferred)
    locked: dict[str, list[str]] = {}
    for name, version in rows.get("locked", []):
        locked.setdefault(name, []).append(version)
    contents = [_read(p) for p in files]  # read once: the proof and the new stamp name them
    allowed = _roots_allowed(rows, contents, locked)
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
    _save(argv, common, lock, versions, roots, known=known)
    return 0


_KNOWN = 8  # root sets kept per edit stamp, besides the current one


def _roots_allowed(
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
    if not any(
        lines == new
        or (
            [len(f) for f in lines] == [len(f) for f in names]
            and same_lock(_named(lines, names), new, locked, said)
        )
        for lines in known
    ):
        return None
    roots = [list(zip(lines, n, strict=True)) for lines, n in zip(new, names, strict=True)]
    return roots, [k for k in known if k != new][:_KNOWN]


def _named(lines: list[list[str]], names: list[list[str]]) -> list[list[tuple[str, str]]]:
    return [list(zip(f, n, strict=True)) for f, n in zip(lines, names, strict=True)]


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
    rows["expires"][0][0] = repr(time.time() + _index_ttl())
    return True


def _rows_of(rows: dict[str, list[list[str]]]) -> list[list[str]]:
    """A stamp's rows as :func:`_store` takes them (its key left out)."""
    return [[name, *row] for name, table in rows.items() if name != "key" for row in table]


def _write(path: str, data: bytes) -> None:
    """*data* at *path*, through a temporary file and a rename; nothing if already there."""
    try:
        with open(path, "rb") as fh:
            if fh.read(len(data) + 1) == data:
                return
    except OSError:
        pass
    from graft._atomic import write_atomic  # noqa: PLC0415

    write_atomic(path, data)


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
    """Leave the stamp that lets :func:`answer` repeat this lock (best effort).

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
    sha256 of the bytes each requirements file was parsed from, by path: such a file still
    holding them is fingerprinted however recently it was written (the lock read exactly
    those bytes), where any other file written since the lock started, or just before, leaves
    no stamp.
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    keyed = _key(argv)
    fingerprints = _fingerprints(watched, started_ns, read or {})
    lock = _read(keyed[1]) if keyed is not None else None
    if fingerprints is None or lock is None:
        return
    expires = started_ns / 1e9 + _index_ttl() if index else 0.0
    rows = [*fingerprints, ["lock", sha256_hex(lock)], ["expires", repr(expires)]]
    import json  # noqa: PLC0415

    rows += [["page", url, json.dumps(v, sort_keys=True)] for url, v in pages or ()]
    rows += [["prefs", preferred_from], *(["say", s] for s in say), ["summary", summary]]
    if left_out:
        rows.append(["left-out"])
    _save(argv, rows, lock, locked)


def _save(
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
    keyed = _key(argv)
    if keyed is None:
        return
    _store(keyed[0], rows, lock)
    edit = _key(argv, edit=True) if locked is not None else None
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
    _store(edit[0], [*rows, *extra], lock)


def _roots(files: list[str], rows: list[list[str]]) -> list[list[tuple[str, str]]] | None:
    """Each file's plain lines with the project each names; None unless all are plain.

    The bytes read must be those the lock read (the ``watched`` rows' fingerprints).
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415
    from graft.cli.lockedit import plain_lines, root_names  # noqa: PLC0415

    read = {os.path.abspath(r[2]): r[3] for r in rows if r[:2] == ["watched", "content"]}
    out = []
    for path in files:
        data = _read(path)
        if data is None or read.get(os.path.abspath(path)) != sha256_hex(data):
            return None
        lines = plain_lines(data)
        names = root_names(lines) if lines is not None else None
        if lines is None or names is None:
            return None
        out.append(list(zip(lines, names, strict=True)))
    return out


def _store(key: str, rows: list[list[str]], lock: bytes) -> None:
    rows = [["key", key], *rows]
    if any("\n" in f or "\0" in f for row in rows for f in row):
        return
    head = "\n".join([FORMAT, *("\0".join(row) for row in rows)])
    path = _stamp_file(key)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _write(path, head.encode("utf-8", "surrogateescape") + b"\n\n" + lock)
    except OSError:
        return


def _fingerprints(
    watched: list[tuple[str, str]], started_ns: int, read: dict[str, str]
) -> list[list[str]] | None:
    """``watched`` rows; None if anything is gone or may have been read with other bytes.

    A file whose bytes are those the lock parsed (*read*) is fingerprinted as it is; any
    other file modified since the lock started, or in the two seconds before (timestamps
    can be coarse), may have changed between the lock's read and this one.
    """
    from graft.resolve.fingerprints import fingerprint  # noqa: PLC0415

    rows = []
    for kind, path in watched:
        fp = fingerprint(kind, path)
        if fp is None:
            return None
        if kind != "machine" and not (kind == "content" and read.get(path) == fp):
            try:
                if os.stat(path).st_mtime_ns > started_ns - _RACY_NS:
                    return None
            except OSError:
                return None
        rows.append(["watched", kind, path, fp])
    return rows


def _index_ttl() -> float:
    from graft.resolve.memo import INDEX_TTL  # noqa: PLC0415

    return INDEX_TTL
