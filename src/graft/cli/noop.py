"""The no-op ``graft sync``, answered before argparse, packaging, the planner or the store load.

A sync with the command line, working directory, environment, interpreter and graft of an
earlier successful sync has nothing to do when three things still hold:

* everything its resolution read is unchanged: the resolution memo's fingerprints
  (:mod:`graft.resolve.fingerprints`: requirement files' bytes, find-links listings, wheel
  files and the interpreter), and, with ``--upgrade``, the index answers are not older than
  a cached page (:data:`graft.resolve.memo.INDEX_TTL`);
* the venv is what those inputs built: ``graft-inputs`` and ``graft-tree`` in its pyvenv.cfg
  (:func:`graft.venv.state.up_to_date`, which notices anything pip or a user changed), no
  change pending and no staging left beside it;
* the store still holds every entry as graft unpacked it, and the venv's GC root.

The full path checks exactly these, and after a successful sync it leaves a *sync stamp*
(``<store>/plans/stamp-<key>``, keyed by the command line and its context) that lets this
module check them with the standard library alone. The stamp is a shortcut, never a source of
truth: anything missing, unreadable or different sends the sync down the full path. It is
also untrusted input: at worst a forged stamp makes graft say "already in sync" and change
nothing; it never makes graft write, delete or run anything.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False  # (not typing's: the no-op path imports nothing it does not run)
if TYPE_CHECKING:
    from collections.abc import Sequence

FORMAT = "graft-sync-stamp 2"
# What else a sync reads from the environment (besides GRAFT_*): as the resolution memo keys
_ENVIRONMENT = ("PATH", "PYENV_VERSION", "PYENV_ROOT", "HOME", "XDG_CACHE_HOME")
# Outputs that the stamp cannot give: they go down the full path, which prints them
_NOT_FOR_STAMPS = (
    "--dry-run",
    "--json",
    "--verbose",
    "--refresh",
    "--refresh-package",
    "--reinstall",
    "--force-reinstall",
    "--reinstall-package",
)


def copying(argv: list[str]) -> bool:
    """Whether *argv* asks for ``--link-mode copy`` (its last ``--link-mode``, as argparse).

    Only for the summary's words: the stamps are keyed by the whole command line anyway.
    """
    mode = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if len(name) > len("--l") and "--link-mode".startswith(name):
            mode = value if eq else (argv[i + 1] if i + 1 < len(argv) else None)
    return mode == "copy"


def _has(argv: list[str], long: tuple[str, ...], short: str) -> bool:
    """Whether *argv* holds a *long* flag, an abbreviation of one, or the *short* letter.

    As argparse reads them: ``--verb`` is ``--verbose``, and ``-qv`` holds ``-v``. A guess
    erring on the side of the full path: ``-r vreqs.txt`` is not ``-v``, but an attached
    ``-rv.txt`` counts as one.
    """
    for arg in argv:
        if arg == "--":
            return False
        name = arg.partition("=")[0]
        if arg.startswith("--") and name != "--" and any(f.startswith(name) for f in long):
            return True
        if arg.startswith("-") and not arg.startswith("--") and short in arg[1:]:
            return True
    return False


def _stamped(argv: list[str]) -> bool:
    """Whether a stamp may answer (or be written for) this command line."""
    return argv[:1] == ["sync"] and not _has(argv, _NOT_FOR_STAMPS, "v")


def summary_line(  # noqa: PLR0917 - the line's parts
    verb: str, prefix: str, count: int, stats: dict[str, int], seconds: float, copies: bool
) -> str:
    """The line ``graft sync`` ends with (on stderr); *copies*: ``--link-mode copy``.

    Hard links the filesystem refused (``graft.venv.flat.REFUSED``, when this process wrote
    a venv) were copies, and the line says so and why.
    """
    from graft._counted import counted  # noqa: PLC0415 - (importing noop imports no more)

    links = stats["links"]
    wrote = sys.modules.get("graft.venv.flat")  # (a no-op never imports it)
    refused = sorted(getattr(wrote, "REFUSED", ()))
    linked = counted(links, "copy", "copies") if copies or refused else counted(links, "link")
    why = f" (hard links into the store refused: {', '.join(refused)})" if refused else ""
    return (
        f"graft: {verb} {prefix}: {counted(count, 'distribution')}, {linked}{why} and"
        f" {counted(stats['directories'], 'directory', 'directories')}"
        f" for {counted(stats['files'], 'file')}, in {seconds:.2f}s"
    )


def render_changes(changes: dict[str, list[str]], venv_changes: Sequence[str] = ()) -> None:
    """Uv's marks: ``+`` added, ``-`` removed, ``~`` upgraded, downgraded or reinstalled.

    Then ``~`` for each of *venv_changes* (the venv itself: ``python 3.12.1 -> 3.11.7``).
    """
    kinds = (("-", "removed"), ("+", "added"), ("~", "upgraded"), ("~", "downgraded"))
    for mark, kind in (*kinds, ("~", "reinstalled")):
        for item in changes.get(kind, ()):
            suffix = f" ({kind})" if mark == "~" else ""
            print(f" {mark} {item}{suffix}", file=sys.stderr)
    for change in venv_changes:
        print(f" ~ {change}", file=sys.stderr)


#: What :func:`_context` read around the command line, while :func:`answering` holds it: one
#: sync's stamps (the no-op's, the replay's, the change's, each read and written) are keyed
#: by the same surroundings, read once (decision 349). Keyed by the working directory and
#: whether ``--no-config`` is given.
_AROUND: dict[tuple[str, bool], str] = {}
_HOLDING: list[bool] = []


def answering(*, hold: bool) -> None:
    """Start (*hold*) or end one sync's answer from its stamps: its surroundings read once."""
    _AROUND.clear()
    _HOLDING[:] = [True] if hold else []


def _context(argv: list[str]) -> str | None:
    """The command line and everything around it that a sync reads; None without a cwd."""
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    from graft._home import no_config  # noqa: PLC0415

    key = (cwd, no_config(argv))
    around = _AROUND.get(key)
    if around is None:
        around = _surroundings(cwd, argv)
        if _HOLDING:
            _AROUND[key] = around
    return "\0".join([around, "", *argv])


def _surroundings(cwd: str, argv: list[str]) -> str:
    """What :func:`_context` holds besides the command line."""
    from graft import __version__  # noqa: PLC0415
    from graft._home import TOOL_VARIABLES, code_stamp  # noqa: PLC0415

    # pip's and uv's variables too: a sync that would refuse them never answers from a stamp,
    # nor one that warns about them from a stamp made without (decisions 115, 341)
    env = [f"{k}={os.environ.get(k, '')}" for k in (*_ENVIRONMENT, *TOOL_VARIABLES)]
    env += sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("GRAFT_"))
    parts = [FORMAT, __version__, str(code_stamp()), sys.executable, cwd, *env]
    return "\0".join([*parts, python_version_key(argv)])


def python_version_key(argv: list[str]) -> str:
    """What the ``.python-version`` file that applies here asks for (decision 246), as text.

    Its path and its text: a file written, edited or removed since a stamp was made gives
    another key, so that no stamp answers for an interpreter it no longer names.
    Empty with none, or with ``--no-config`` or ``GRAFT_NO_CONFIG``.
    """
    from graft._home import no_config, python_version_file_key  # noqa: PLC0415

    return "" if no_config(argv) else python_version_file_key()


def _stamp_file(argv: list[str], key: str, kind: str = "stamp") -> str:
    """Where the stamp of *argv* lives: the plans directory of the store the sync names."""
    from graft._home import default_store_path  # noqa: PLC0415

    store = None
    for i, arg in enumerate(argv):  # (a mistaken guess only puts the stamp in another store)
        if arg == "--store" and i + 1 < len(argv):
            store = argv[i + 1]
        elif arg.startswith("--store="):
            store = arg.partition("=")[2]
    store = os.path.abspath(store or default_store_path())
    return os.path.join(store, "plans", f"{kind}-{key[:32]}")


def _key(context: str) -> str:
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    return sha256_hex(context.encode("utf-8", "surrogateescape"))


def answer(argv: list[str]) -> int | None:
    """Exit status 0 after printing what a no-op sync prints, or None: take the full path."""
    if not _stamped(argv):
        return None
    started = time.perf_counter()
    rows = _read(argv)
    try:
        if rows is None or not _holds(rows):
            return None
        prefix, count = rows["prefix"][0][0], int(rows["count"][0][0])
        links, directories, files = (int(n) for n in rows["stats"][0])
    except (KeyError, IndexError, ValueError, TypeError, OSError):
        return None  # a damaged stamp, or a venv (or its directory) gone: the full path says

    if not _has(argv, ("--quiet",), "q"):
        for (warning,) in rows.get("warning", []):
            print(f"graft: warning: {warning}", file=sys.stderr)
        stats = {"links": links, "directories": directories, "files": files}
        seconds = time.perf_counter() - started
        line = summary_line("already in sync:", prefix, count, stats, seconds, copying(argv))
        print(line, file=sys.stderr)
    return 0


def _read(argv: list[str]) -> dict[str, list[list[str]]] | None:
    """The stamp of *argv*'s sync as rows by their first field; None if there is none."""
    context = _context(argv)
    if context is None:
        return None
    key = _key(context)
    try:
        with open(_stamp_file(argv, key), encoding="utf-8", errors="surrogateescape") as fh:
            lines = fh.read().split("\n")
    except OSError:
        return None
    fields = [line.split("\0") for line in lines[1:] if line]
    if lines[0] != FORMAT or ["key", key] not in fields:
        return None
    rows: dict[str, list[list[str]]] = {}
    for row in fields:
        rows.setdefault(row[0], []).append(row[1:])
    return rows


def _holds(rows: dict[str, list[list[str]]]) -> bool:
    """Whether the inputs, the store and the venv are still what the stamp recorded."""
    from graft.resolve.fingerprints import unchanged  # noqa: PLC0415

    (expires,) = rows["expires"][0]
    return (
        not (float(expires) and time.time() > float(expires))
        and _finds_the_same(*rows["interpreter"][0])
        and unchanged([(kind, path, fp) for kind, path, fp in rows["watched"]])
        and _store_holds(rows["store"][0][0], rows["prefix"][0][0], rows.get("entry", []))
        and _venv_holds(rows["prefix"][0][0], rows["inputs"][0][0], rows.get("option", []))
        and all(os.path.realpath(link) == rows["prefix"][0][0] for (link,) in rows.get("via", []))
    )


def _finds_the_same(spec: str, interpreter: str) -> bool:
    """Whether ``--python SPEC`` still finds *interpreter* (which one it finds may change).

    A sync stamp names a path for a request the venv's interpreter met (decision 123: the
    next sync keeps it while it does, so there is nothing to look up); by name a stamp
    looks up an executable's name, and the replay and change stamps any request (the
    interpreter a new venv gets is the first candidate that meets it).
    """
    if not spec:  # the interpreter running graft: part of the stamp's key
        return True
    from graft._home import interpreter_at  # noqa: PLC0415

    path = interpreter_at(spec)
    if path is not None:  # a path: no lookup (and nothing heavy imported)
        # (a link to it, a venv's bin/python say, finds it too: the stamps record the file)
        return path == interpreter or (
            bool(path) and os.path.realpath(path) == os.path.realpath(interpreter)
        )
    from graft._pythons import by_name  # noqa: PLC0415 - standard library only

    return by_name(spec) == interpreter


def _store_holds(store: str, prefix: str, entries: list[list[str]]) -> bool:
    """Every entry as graft unpacked it, and the venv's GC root."""
    from graft.store.paths import all_verified, root_file  # noqa: PLC0415

    if not all_verified(store, [sha for (sha,) in entries]):
        return False
    return os.path.isfile(root_file(store, prefix))


def _venv_holds(prefix: str, inputs: str, options: list[list[str]]) -> bool:
    """The venv built from *inputs*, unchanged since, with no killed sync's staging beside it.

    And with the venv tool's *options* the command asks for (``--system-site-packages``).
    """
    from graft.venv.state import up_to_date  # noqa: PLC0415

    parent, name = os.path.split(prefix)
    if any(e.startswith(f".{name}.graft-") and "lock" not in e for e in os.listdir(parent)):
        return False  # the full path sweeps it
    wanted = tuple((key, value) for key, value in options)
    return up_to_date(prefix, inputs, wanted) is not None


def keep(
    argv: list[str],
    *,
    prefix: str,
    memo: str,
    inputs: str,
    summary: tuple[int, dict[str, int]],
    warnings: tuple[str, ...],
    python: str | None,
    upgrade: bool,
    options: tuple[tuple[str, str], ...] = (),
    via: str | None = None,
) -> None:
    """Leave the stamp that lets :func:`answer` confirm the next identical sync (best effort).

    *options*: the venv tool's options the command asks for, checked in the venv's pyvenv.cfg.
    *via*: the symbolic link the command named the venv by (decision 112): the stamp answers
    only while it still leads to *prefix*.
    """
    if not _stamped(argv):
        return
    context = _context(argv)
    rows = stamp_rows(
        memo, summary=summary, warnings=warnings, python=python, upgrade=upgrade, options=options
    )
    if context is None or rows is None:
        return
    head = [["key", _key(context)], ["prefix", prefix], ["inputs", inputs]]
    write_stamp(argv, [*head, *rows, *([["via", via]] if via else [])])


def stamp_rows(
    memo: str,
    *,
    summary: tuple[int, dict[str, int]],
    warnings: tuple[str, ...],
    python: str | None,
    upgrade: bool,
    options: tuple[tuple[str, str], ...] = (),
) -> list[list[str]] | None:
    """A stamp's rows from the resolution memo *memo*, all but ``key``, ``prefix``, ``inputs``.

    None when the memo cannot be read, or does not fingerprint everything it read.
    """
    import json  # noqa: PLC0415

    from graft.resolve.memo import INDEX_TTL  # noqa: PLC0415

    try:
        with open(memo, encoding="utf-8") as fh:
            record = json.load(fh)
        watched = [[str(k), str(p), str(f)] for k, p, f in record["watched"] if f is not None]
        shas = [str(row[1]) for row in record["rows"]]
        created, index = float(record["created"]), bool(record["index"])
        interpreter = str(record["interpreter"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    if len(watched) != len(record["watched"]):
        return None
    count, stats = summary
    store = os.path.dirname(os.path.dirname(os.path.abspath(memo)))  # <store>/plans/memo-*
    expires = created + INDEX_TTL if index and upgrade else 0.0
    return [
        ["store", store],
        ["interpreter", python or "", interpreter],
        ["expires", repr(expires)],
        ["count", str(count)],
        ["stats", str(stats["links"]), str(stats["directories"]), str(stats["files"])],
        *(["entry", sha] for sha in shas),
        *(["watched", *w] for w in watched),
        *(["warning", w] for w in warnings),
        *(["option", key, value] for key, value in options),
    ]


def write_stamp(
    argv: list[str], rows: list[list[str]], kind: str = "stamp", header: str = FORMAT
) -> None:
    """Write a stamp (rows, the first ``key``) for *argv* into its store (best effort).

    *kind* names the file: ``stamp`` (this module's), ``replay`` (:mod:`graft.cli.replay`)
    or ``change`` (:mod:`graft.cli.changestamp`, with its own *header*).
    """
    if any("\n" in f or "\0" in f for row in rows for f in row):
        return  # (a path with a newline: no stamp, the full path every time)
    text = "\n".join([header, *("\0".join(row) for row in rows)]) + "\n"
    from graft._atomic import remember  # noqa: PLC0415

    remember(_stamp_file(argv, rows[0][1], kind), text)
