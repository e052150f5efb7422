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

Then it builds the venv as the full path does: the venv lock, the GC root *before* anything
is visible, the template copied into a staging directory beside the venv, the flat form
applied (:func:`graft.venv.flat.apply_flat`, the materializer every path uses), pyvenv.cfg's
``graft-*`` lines with the tree hashed, one rename, the root again with its anchor, and the
sync stamp of the new venv. A kill leaves at most a hidden staging directory (swept by the
next sync) and a root for a venv that does not exist (gc's to remove). Anything missing,
unreadable or different, and every ``-v``, ``--json`` and ``--dry-run``, takes the full path,
which writes the stamp again. The stamp is untrusted input: it only names files in the store
(entries that must be verified, a flat form that is checked as a kept plan is) and the
template in graft's cache.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

from graft.cli import noop

TYPE_CHECKING = False
if TYPE_CHECKING:
    from graft.plan.flat import Flat
    from graft.sync import SyncResult

_MARK = "\0venv"  # stands for the venv's path in the stamp's key (no argument holds a NUL)
_PREFIX_MARK = "\0graft-venv\0"  # graft.sync.PREFIX_MARK (a unit test checks they agree)
#: Rows of this stamp that are the new venv's sync stamp (graft.cli.noop) as well
_NOOP_ROWS = ("store", "interpreter", "expires", "count", "stats", "entry", "watched", "warning")
_VENV_AT = 2  # graft sync VENV ...: the venv is the first argument after the command
_PARTS = ("entries", "tmp", "locks", "roots", "plans", "verified")  # graft._fs.PARTS


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
        if len(stats) != len(("links", "directories", "files")) or not _build(rows, prefix):
            return None
        _stamp_the_new_venv(argv, rows, prefix)
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
        _outside(prefix, store)
        and _trusted(rows, store)
        and os.path.isfile(os.path.join(template, "pyvenv.cfg"))
        and noop._finds_the_same(*rows["interpreter"][0])  # noqa: SLF001
        and unchanged([(kind, path, fp) for kind, path, fp in rows["watched"]])
        and (not (float(expires) and time.time() > float(expires)) or _renewed(rows, argv))
    )


def _renewed(rows: dict[str, list[list[str]]], argv: list[str]) -> bool:
    """Whether the index pages the memo's answers came from are unchanged; then renewed.

    The memo (whose bytes the stamp watches) names them with their validators; each is asked
    for once (:func:`graft.sources.revalidate.unchanged`). When every one is as it was, the
    stamp builds venvs for another :data:`graft.resolve.memo.INDEX_TTL` (decision 85). The
    memo itself is left as it is: its file is what the stamp watches.
    """
    import json  # noqa: PLC0415

    (memo,) = rows["memo"][0]
    with open(memo, encoding="utf-8") as fh:
        pages = json.load(fh).get("pages")
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


def _outside(prefix: str, store: str) -> bool:
    """Neither inside the other (links resolved), as ``graft.sync`` requires."""
    real_venv, real_store = os.path.realpath(prefix), os.path.realpath(store)
    return os.path.commonpath([real_venv, real_store]) not in {real_store, real_venv}


def _trusted(rows: dict[str, list[list[str]]], store: str) -> bool:
    """The store's directories as the full path's ownership check (graft._fs) accepted them."""
    if rows["euid"][0] != [str(os.geteuid()), os.path.realpath(store)]:
        return False
    return all(_facts(path) == facts for path, *facts in rows["trust"])


def _facts(path: str) -> list[str]:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ["-"]
    return [f"{st.st_mode:o}", str(st.st_uid)]


def _lock(path: str, *, shared: bool, removed: bool = False) -> int | None:
    """A descriptor holding a ``flock`` on the lock file *path*, or None (held, or not one).

    As ``graft._fs.open_lock_file``: created if need be, a link never followed, a regular
    file only; never waits (whoever holds it, the full path waits for it). *removed*: a lock
    file its holders remove (:mod:`graft._lockfile`; let go with :func:`let_go`).
    """
    import fcntl  # noqa: PLC0415
    import stat  # noqa: PLC0415

    from graft._lockfile import still_named  # noqa: PLC0415

    flags = os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            if not removed or still_named(path, fd):
                return fd
    except OSError:
        pass
    os.close(fd)
    return None


def venv_lock_path(prefix: str) -> str:
    """The venv lock's file: ``.<name>.graft-lock`` beside the venv."""
    parent, name = os.path.split(prefix)
    return os.path.join(parent, f".{name}.graft-lock")


def let_go(held: list[int | None], prefix: str) -> None:
    """Let the venv lock (first in *held*, removing its file) and the other locks go."""
    from graft._lockfile import remove_held  # noqa: PLC0415

    for number, fd in enumerate(held):
        if fd is not None:
            if number == 0:
                remove_held(venv_lock_path(prefix), fd)
            os.close(fd)


def _build(rows: dict[str, list[list[str]]], prefix: str, flat: Flat | None = None) -> bool:
    """Build the venv at *prefix* (the venv lock and a store pin held); False: full path.

    *flat*: the flat form the rows name, when the caller has read it already.
    """
    store = rows["store"][0][0]
    held = [_lock(venv_lock_path(prefix), shared=False, removed=True)]
    held.append(_lock(os.path.join(store, "locks", "gc.lock"), shared=True) if held[0] else None)
    try:
        return None not in held and _build_locked(rows, prefix, store, flat)
    finally:
        let_go(held, prefix)


def _in_the_way(rows: dict[str, list[list[str]]], prefix: str, store: str) -> bool:
    """Whether anything but a free path stands where the venv goes, or an entry is not fit."""
    from graft.store.paths import root_file, verified_marker  # noqa: PLC0415

    parent, name = os.path.split(prefix)
    lock = f".{name}.graft-lock"
    if os.path.lexists(prefix) or any(
        e.startswith(f".{name}.graft-") and e != lock for e in os.listdir(parent)
    ):
        return True  # a killed sync's staging: the full path sweeps it
    for (sha,) in rows.get("entry", []):
        marker = verified_marker(store, sha)
        if marker is None or not os.path.isfile(marker):
            return True
    real = os.path.join(os.path.realpath(parent), name)
    # an earlier venv's root or provider record: the full path knows what to keep
    return not _root_free(root_file(store, prefix), real) or os.path.lexists(
        _providers(store, prefix)
    )


def _root_free(root: str, real: str) -> bool:
    """No GC root for the venv's path, or only one of a venv that is gone (removed, not moved).

    As ``graft.store.gcroots.keep_previous`` decides: a root for the same real path whose
    anchor is the only link left to that venv's pyvenv.cfg is replaced (its anchor removed).
    """
    import json  # noqa: PLC0415

    from graft.store.paths import anchor_path  # noqa: PLC0415

    anchor = anchor_path(root)
    if not os.path.lexists(root):
        return not os.path.lexists(anchor)
    try:
        with open(root, encoding="utf-8") as fh:
            previous = json.load(fh)
        held = os.lstat(anchor)
    except (OSError, ValueError):
        return False
    return isinstance(previous, dict) and previous.get("real") == real and held.st_nlink == 1


def _build_locked(
    rows: dict[str, list[list[str]]], prefix: str, store: str, flat: Flat | None
) -> bool:
    from graft.store.paths import anchor_path, root_file  # noqa: PLC0415

    if _in_the_way(rows, prefix, store):
        return False
    parent, name = os.path.split(prefix)
    shas = [sha for (sha,) in rows.get("entry", [])]
    root = root_file(store, prefix)
    flat = flat or kept_flat(rows["flat"][0][0], store)
    if flat is None:
        return False
    inputs = inputs_digest(rows["form"][0][0], prefix)
    real = os.path.join(os.path.realpath(parent), name)
    with contextlib.suppress(FileNotFoundError):  # (a removed venv's, see _root_free)
        os.unlink(anchor_path(root))
    _write_root(root, {"venv": prefix, "real": real, "entries": sorted(set(shas))})
    from graft.venv.state import make_staging  # noqa: PLC0415

    staging = ""
    try:
        staging = make_staging(parent, name)
        _materialize(rows, flat, staging, prefix, inputs)
        if os.path.lexists(prefix):
            return _undo(staging, root)
        os.rename(staging, prefix)
    except OSError:
        return _undo(staging, root)
    except BaseException:
        _undo(staging, root)
        raise
    try:  # the root again, with the venv directory's identity and the anchor, as gc expects
        st = os.stat(prefix)
        payload = {"venv": prefix, "real": real, "directory": [st.st_dev, st.st_ino]}
        _write_root(root, {**payload, "entries": sorted(set(shas))})
        if st.st_dev == os.lstat(os.path.dirname(root)).st_dev:
            os.link(os.path.join(prefix, "pyvenv.cfg"), anchor_path(root), follow_symlinks=False)
    except OSError:
        pass  # found by its paths (graft.store.gcroots), as when hard links cannot be made
    rows["inputs"] = [[inputs]]
    return True


def _materialize(
    rows: dict[str, list[list[str]]], flat: Flat, staging: str, prefix: str, inputs: str
) -> None:
    from graft.venv import skeleton  # noqa: PLC0415
    from graft.venv.flat import apply_flat  # noqa: PLC0415
    from graft.venv.state import real_prefix, state_lines, tree_digest  # noqa: PLC0415

    store = rows["store"][0][0]
    skeleton.copy_template(rows["template"][0][0], staging, prefix)
    python = os.path.join(prefix, rows["python"][0][0])
    apply_flat(flat, staging, prefix, python, store)
    (stats,), (plan_key,) = rows["state"][0], rows["plan"][0]
    text = state_lines(store, inputs, stats, plan_key, real_prefix(prefix))
    with open(os.path.join(staging, "pyvenv.cfg"), "a", encoding="utf-8") as fh:
        fh.write(text)
    tree = tree_digest(staging)  # pyvenv.cfg's name is listed, its content is not hashed
    with open(os.path.join(staging, "pyvenv.cfg"), "a", encoding="utf-8") as fh:
        fh.write(f"graft-tree = {tree}\n")


def _undo(staging: str, root: str) -> bool:
    """After a failed build: no staging, and no root (there was none before)."""
    from graft.store import seal  # noqa: PLC0415

    try:
        if staging:
            seal.remove_tree(staging, sealed=False)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(root)
    return False


def kept_flat(path: str, store: str) -> Flat | None:
    """The kept flat form at *path* with its RECORDs' texts, checked as a kept plan is.

    None if it is missing or not fit, or is a part of a plan (``rendered_only``).
    """
    from graft.venv.flat import load_texts, read_kept  # noqa: PLC0415

    flat = read_kept(path, store)
    if flat is None or flat.rendered_only:
        return None
    return flat if load_texts(flat, store) else None


def _write_root(path: str, payload: dict[str, object]) -> None:
    """The venv's GC root, as ``Store.register_root`` writes it (read-only, renamed in)."""
    import json  # noqa: PLC0415

    from graft._atomic import write_atomic  # noqa: PLC0415

    write_atomic(path, json.dumps(payload, indent=1), mode=0o444)


def _providers(store: str, prefix: str) -> str:
    """Where ``graft audit`` keeps the venv's provider namespaces (``cli/audit_cmd.py``)."""
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    venv = sha256_hex(os.path.realpath(prefix).encode("utf-8", "surrogateescape"))
    return os.path.join(store, "plans", f"providers-{venv[:32]}.json")


def _stamp_the_new_venv(argv: list[str], rows: dict[str, list[list[str]]], prefix: str) -> None:
    """The sync stamp of the new venv, as the full path leaves it (best effort)."""
    context = noop._context(argv)  # noqa: SLF001
    if context is None:
        return
    head = [["key", noop._key(context)], ["prefix", prefix], ["inputs", rows["inputs"][0][0]]]  # noqa: SLF001
    rest = [[name, *row] for name in _NOOP_ROWS for row in rows.get(name, [])]
    rest = [row if row[0] != "expires" else ["expires", rows["noop-expires"][0][0]] for row in rest]
    noop.write_stamp(argv, head + rest)


def inputs_digest(form: str, prefix: str) -> str:
    """The ``graft-inputs`` of a venv at *prefix* from :func:`graft.sync.inputs_form`'s text."""
    import json  # noqa: PLC0415

    from graft._sha256 import sha256_hex  # noqa: PLC0415

    head, rows = json.loads(form)
    head[4] = head[4].replace(repr(_PREFIX_MARK), repr(prefix))
    return sha256_hex(json.dumps([head, rows]).encode())


def keep(
    argv: list[str],
    result: SyncResult,
    *,
    lines: list[str],
    python: str | None,
    upgrade: bool,
) -> None:
    """After a successful sync: leave the replay stamp for *argv*'s inputs (best effort).

    *lines*: what the sync printed before its summary line for a new venv (warnings,
    collisions, the distributions added).
    """
    prefix = _venv(argv)
    if prefix is None or result.plan is None or result.memo is None:
        return
    if result.inputs is None or result.inputs_form is None or result.template is None:
        return
    rows = _rows(argv, result, python=python, upgrade=upgrade)
    if rows is None:
        return
    noop.write_stamp(argv, [*rows, *(["line", line] for line in lines)], "replay")


def _rows(
    argv: list[str], result: SyncResult, *, python: str | None, upgrade: bool
) -> list[list[str]] | None:
    """The replay stamp's rows for *result* (all but the lines it prints); None: no stamp."""
    import json  # noqa: PLC0415

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
            record = json.load(fh)
        if record["preferred"]:  # resolved preferring what a venv held: not for a new one
            return None
        created, index = float(record["created"]), bool(record["index"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    state = recorded_state(result.prefix)
    plan_key = state.get("graft-plan", "").partition(" ")[0]
    summary = (len(result.distributions), result.stats)
    base = noop.stamp_rows(
        memo, summary=summary, warnings=result.warnings, python=python, upgrade=upgrade
    )
    if not plan_key or "graft-stats" not in state or base is None:
        return None
    store = base[0][1]
    flat = plancache.flat_path(store, plan_key)
    if not os.path.isfile(flat):  # (a plan kept before flat forms were)
        plancache.save_flat(store, plan_key, plan)
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
        *(["trust", path, *_facts(path)] for path in _trust_paths(store)),
    ]


def _trust_paths(store: str) -> list[str]:
    """What the store's ownership check reads: ``/`` down to the store, and its parts."""
    paths = ["/"]
    for part in os.path.realpath(store).strip("/").split("/"):
        if part:
            paths.append(os.path.join(paths[-1], part))
    return [*paths, *(os.path.join(store, part) for part in _PARTS)]
