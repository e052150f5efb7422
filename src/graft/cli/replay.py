"""A new venv made from a kept plan's flat form with the standard library alone (issue 12).

``graft sync NEWDIR ...`` with the inputs of an earlier successful sync (the same command
line but for the venv's path, the same working directory, environment, interpreter and
graft) builds what that sync built, only elsewhere. After a successful sync, the full path
leaves a *replay stamp* (``<store>/plans/replay-<key>``, keyed like the sync stamp of
:mod:`graft.cli.noop` with the venv's path left out) naming the kept plan's flat form
(:mod:`graft.plan.flat`), the venv template, the inputs' preimage and what the resolution
memo checked. When the named venv does not exist, :func:`answer` confirms, with the standard
library and graft's stdlib-only modules:

* everything the resolution read is unchanged (the memo's fingerprints, and the memo file
  itself: a sync that replaced it, ``--refresh`` say, leaves this stamp behind), and its index
  answers are younger than a cached page (:data:`graft.resolve.memo.INDEX_TTL`): an aged
  memo never builds a venv;
* ``--python SPEC`` still finds the same interpreter;
* the store is as the full path's ownership check saw it (each directory's mode and owner),
  holds every entry as graft unpacked it (verified markers), and no gc is running (the
  store is pinned, as a sync pins it, until the venv's GC root is written);
* nothing is in the way: no venv, no staging or GC root of an earlier venv at that path.

Then it builds the venv as the full path does (:func:`graft.cli.flat_build.build`): the venv
lock, the GC root *before* anything is visible, the template copied into a staging directory
beside the venv, the flat form applied (:func:`graft.venv.flat.apply_flat`, the materializer
every path uses), pyvenv.cfg's ``graft-*`` lines with the tree hashed, one rename, the root
again with its anchor; then it leaves the sync stamp of the new venv. A kill leaves at most
a hidden staging directory (swept by the next sync) and a root for a venv that does not exist
(gc's to remove). Anything missing, unreadable or different, and every ``-v``, ``--json``
and ``--dry-run``, takes the full path, which writes the stamp again. The stamp is untrusted
input: it only names files in the store (entries that must be verified, a flat form that is
checked as a kept plan is) and the template in graft's cache.
"""

from __future__ import annotations

import os
import sys
import time

from graft.cli import noop
from graft.cli.flat_build import build, facts_of, inputs_digest, outside, trust_paths, trusted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from graft.sync_result import SyncResult

_MARK = "\0venv"  # stands for the venv's path in the stamp's key (no argument holds a NUL)
#: Rows of this stamp that are the new venv's sync stamp (graft.cli.noop) as well
_NOOP_ROWS = (
    "store",
    "interpreter",
    "expires",
    "count",
    "stats",
    "entry",
    "watched",
    "warning",
    "option",
)
_VENV_AT = 2  # graft sync VENV ...: the venv is the first argument after the command


def _venv(argv: list[str]) -> str | None:
    """The venv *argv* names, when a replay stamp may answer (or be written for) it."""
    if len(argv) < _VENV_AT or argv[1].startswith("-") or not noop._stamped(argv):  # noqa: SLF001
        return None
    if any(arg.startswith("--allow-v") for arg in argv):  # remembered per venv: full path
        return None
    return os.path.abspath(argv[1])


def _key(argv: list[str]) -> str | None:
    context = noop._context(["sync", _MARK, *argv[2:]])  # noqa: SLF001
    return None if context is None else noop._key(context)  # noqa: SLF001


def answer(argv: list[str]) -> int | None:
    """Exit status 0 after building a new venv from a replay stamp, or None: the full path."""
    prefix = _venv(argv)
    if prefix is None or os.path.lexists(prefix):
        return None
    started = time.perf_counter()
    rows = _read(argv)
    try:
        if rows is None or not _holds(rows, prefix, argv):
            return None
        count, stats = int(rows["count"][0][0]), [int(n) for n in rows["stats"][0]]
        seen = dict(rows.get("text", []))
        known = dict(seen)
        if len(stats) != len(("links", "directories", "files")) or not build(
            rows, prefix, seen=seen
        ):
            return None
        _stamp_the_new_venv(argv, rows, prefix)
        if seen != known:
            _remember_texts(argv, rows, seen)
    except (KeyError, IndexError, ValueError, TypeError, OSError):
        return None
    if not noop._has(argv, ("--quiet",), "q"):  # noqa: SLF001
        for (line,) in rows.get("line", []):
            print(line, file=sys.stderr)
        seconds = time.perf_counter() - started
        stat = dict(zip(("links", "directories", "files"), stats, strict=True))
        line = noop.summary_line("synced", prefix, count, stat, seconds, noop.copying(argv))
        print(line, file=sys.stderr)
    return 0


def _read(argv: list[str]) -> dict[str, list[list[str]]] | None:
    key = _key(argv)
    if key is None:
        return None
    try:
        path = noop._stamp_file(argv, key, "replay")  # noqa: SLF001
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            lines = fh.read().split("\n")
    except OSError:
        return None
    fields = [line.split("\0") for line in lines[1:] if line]
    if lines[0] != noop.FORMAT or fields[:1] != [["key", key]]:
        return None
    rows: dict[str, list[list[str]]] = {}
    for row in fields:
        rows.setdefault(row[0], []).append(row[1:])
    return rows


def _holds(rows: dict[str, list[list[str]]], prefix: str, argv: list[str]) -> bool:
    """Whether the inputs, the store and the place of the new venv are as the stamp says."""
    from graft.resolve.fingerprints import unchanged  # noqa: PLC0415

    (expires,) = rows["build-expires"][0]
    store = rows["store"][0][0]
    template = rows["template"][0][0]
    return (
        outside(prefix, store)
        and trusted(rows, store)
        and os.path.isfile(os.path.join(template, "pyvenv.cfg"))
        and _intact(template)  # (a garbled one: the full path makes it again; decision 268)
        and noop._finds_the_same(*rows["interpreter"][0])  # noqa: SLF001
        and unchanged([(kind, path, fp) for kind, path, fp in rows["watched"]])
        and (not (float(expires) and time.time() > float(expires)) or _renewed(rows, argv))
    )


def _intact(template: str) -> bool:
    from graft.venv.skeleton import intact  # noqa: PLC0415 - (flat_build's, loaded already)

    return intact(template)


def _renewed(rows: dict[str, list[list[str]]], argv: list[str]) -> bool:
    """Whether the index pages the memo's answers came from are unchanged; then renewed.

    The memo (whose bytes the stamp watches) names them with their validators; each is asked
    for once (:func:`graft.sources.revalidate.unchanged`). When every one is as it was, the
    stamp builds venvs for another :data:`graft.resolve.memo.INDEX_TTL` (decision 85). The
    memo itself is left as it is: its file is what the stamp watches.
    """
    from graft import _jsonc  # noqa: PLC0415

    (memo,) = rows["memo"][0]
    with open(memo, encoding="utf-8") as fh:
        pages = _jsonc.loads(fh.read()).get("pages")
    if not isinstance(pages, list) or not pages:
        return False
    from graft.resolve.memo import INDEX_TTL  # noqa: PLC0415
    from graft.sources import revalidate  # noqa: PLC0415

    if not revalidate.unchanged([(str(url), dict(v)) for url, v in pages], argv):
        return False
    rows["build-expires"] = [[repr(time.time() + INDEX_TTL)]]
    again = [[name, *row] for name, table in rows.items() for row in table]
    noop.write_stamp(argv, again, "replay")
    return True


def _remember_texts(
    argv: list[str], rows: dict[str, list[list[str]]], seen: dict[str, str]
) -> None:
    """The stamp again, with the identities of the RECORD texts that hashed to their names.

    The next new venv reads them without hashing them (1 MB for the medium set, ~3 ms of
    CPython's SHA-256) while their files keep those identities (decision 218). Rows the build
    added for this venv (``inputs``) are not the stamp's.
    """
    again = [
        [name, *row]
        for name, table in rows.items()
        if name not in {"inputs", "text"}
        for row in table
    ]
    again += [["text", digest, identity] for digest, identity in sorted(seen.items())]
    noop.write_stamp(argv, again, "replay")


def _stamp_the_new_venv(argv: list[str], rows: dict[str, list[list[str]]], prefix: str) -> None:
    """The sync stamp of the new venv, as the full path leaves it (best effort)."""
    context = noop._context(argv)  # noqa: SLF001
    if context is None:
        return
    head = [["key", noop._key(context)], ["prefix", prefix], ["inputs", rows["inputs"][0][0]]]  # noqa: SLF001
    rest = [[name, *row] for name in _NOOP_ROWS for row in rows.get(name, [])]
    rest = [row if row[0] != "expires" else ["expires", rows["noop-expires"][0][0]] for row in rest]
    noop.write_stamp(argv, head + rest)


def keep(
    argv: list[str],
    result: SyncResult,
    *,
    lines: list[str],
    python: str | None,
    upgrade: bool,
    options: tuple[tuple[str, str], ...] = (),
) -> None:
    """After a successful sync: leave the replay stamp for *argv*'s inputs (best effort).

    *lines*: what the sync printed before its summary line for a new venv (warnings,
    collisions, the distributions added). *options*: the venv tool's options the command
    asks for (``--system-site-packages``), which the new venv is built with.
    """
    prefix = _venv(argv)
    if prefix is None or result.plan is None or result.memo is None:
        return
    if result.inputs is None or result.inputs_form is None or result.template is None:
        return
    rows = _rows(argv, result, python=python, upgrade=upgrade, options=options)
    if rows is None:
        return
    noop.write_stamp(argv, [*rows, *(["line", line] for line in lines)], "replay")


def _rows(
    argv: list[str],
    result: SyncResult,
    *,
    python: str | None,
    upgrade: bool,
    options: tuple[tuple[str, str], ...],
) -> list[list[str]] | None:
    """The replay stamp's rows for *result* (all but the lines it prints); None: no stamp."""
    from graft import _jsonc  # noqa: PLC0415
    from graft.resolve.fingerprints import fingerprint  # noqa: PLC0415
    from graft.resolve.memo import INDEX_TTL  # noqa: PLC0415
    from graft.store import plancache  # noqa: PLC0415
    from graft.venv.state import recorded_state  # noqa: PLC0415

    plan, memo, form = result.plan, str(result.memo), str(result.inputs_form)
    key = _key(argv)
    if plan is None or key is None or inputs_digest(form, result.prefix) != result.inputs:
        return None  # (the preimage no longer matches what the sync digests: no fast path)
    try:
        with open(memo, encoding="utf-8") as fh:
            record = _jsonc.loads(fh.read())
        if record["preferred"]:  # resolved preferring what a venv held: not for a new one
            return None
        created, index = float(record["created"]), bool(record["index"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    state = recorded_state(result.prefix)
    plan_key = state.get("graft-plan", "").partition(" ")[0]
    summary = (len(result.distributions), result.stats)
    base = noop.stamp_rows(
        memo,
        summary=summary,
        warnings=result.warnings,
        python=python,
        upgrade=upgrade,
        options=options,
    )
    if not plan_key or "graft-stats" not in state or base is None:
        return None
    store = base[0][1]
    flat = plancache.flat_path(store, plan_key)
    if not os.path.isfile(flat):  # (a plan kept before flat forms were)
        plancache.save_flat(store, plan_key, plan)
    from graft.plan.flat import compile_plan  # noqa: PLC0415 - (the sync's, compiled once)
    from graft.venv.kept_forms import settled_texts  # noqa: PLC0415

    texts = settled_texts(compile_plan(plan), store)  # (the first replay hashes none of them)
    noop_expires = next(row[1] for row in base if row[0] == "expires")
    # The memo itself is watched: a sync that replaces it (``--refresh`` asked the index
    # again) leaves this stamp behind, and the next new venv follows the new memo
    memo_seen = fingerprint("stat", memo)
    if memo_seen is None:
        return None
    memo_row = ["watched", "stat", memo, memo_seen]
    return [
        ["key", key],
        *base,
        memo_row,
        ["memo", memo],
        ["noop-expires", noop_expires],
        ["build-expires", repr(created + INDEX_TTL if index else 0.0)],
        ["template", str(result.template)],
        ["flat", flat],
        ["python", os.path.relpath(plan.python, plan.prefix)],
        ["form", form],
        ["state", state["graft-stats"]],
        ["plan", plan_key],
        ["euid", str(os.geteuid()), os.path.realpath(store)],
        *(["trust", path, *facts_of(path)] for path in trust_paths(store)),
        *(["text", digest, identity] for digest, identity in sorted(texts.items())),
    ]
