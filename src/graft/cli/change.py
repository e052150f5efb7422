"""An edited pin set applied to its venv with the standard library (issue 12, decision 79).

A user edits a compiled requirements file (a pin changed, a line added or taken out) and syncs
the venv again. When the set the file now names was resolved and planned before, the full
path imports ``packaging``, the resolver and the planner only to recall what graft keeps: each
project's step in the pin record, the kept plan of that set, a small change of the venv.
:func:`answer` does the same before anything heavy is imported, when:

* the change stamp of the command line reads the files (:mod:`graft.cli.changestamp`): plain
  ``name==version`` lines whose steps the pin record holds, fresh (or renewed: their index
  pages are unchanged, decision 85), closed under their
  dependencies, every specifier met; the interpreter ``--python`` finds and the store's
  ownership are as the full path saw them;
* the chosen set's plan is kept (its flat form, with its counts), every entry is in the store
  as graft unpacked it (verified markers), and the venv is exactly as graft left it from a
  kept plan of that store (:func:`graft.venv.incremental.previous_flat`), rooted by a GC root
  whose anchor is its pyvenv.cfg, with no staging of a killed sync beside it;
* the change is small (:func:`graft.venv.incremental.small_change`).

Then, with the venv lock and a store pin held (never waiting for either: whoever holds one,
the full path waits), it roots the old and the new entries, carries out the change with the
journal of :func:`graft.venv.journal.update` (a kill leaves the old venv, or the change
committed, which the next sync finishes), roots the new entries and anchors the new
pyvenv.cfg, and leaves the sync stamp of :mod:`graft.cli.noop` for the command line, as the
full path does. Anything else takes the full path, which writes the stamp again.

For a venv that does not exist, a stamp keyed without the venv's path answers (decision 80):
the files' set is then built from its kept flat form by :mod:`graft.cli.flat_build`, as
:mod:`graft.cli.replay` builds a new venv.
"""

from __future__ import annotations

import os
import sys
import time

from graft.cli import changestamp, flat_build, noop

TYPE_CHECKING = False
if TYPE_CHECKING:
    from graft.cli.changestamp import Reading
    from graft.plan.diff import PlanDiff
    from graft.venv.state import Walk

Rows = dict[str, list[list[str]]]
Rooted = tuple[str, dict[str, object], list[str]]  # the GC root's file, its JSON, its entries
#: What was done: the stamp's rows, the files read by it, what the venv held before, the new
#: plan's counts (distributions, links, directories, files) and its collisions, described
Done = tuple[Rows, "Reading", tuple[str, ...], list[int], tuple[str, ...]]


def answer(argv: list[str]) -> int | None:
    """Exit status 0 after changing (or making) the venv as the stamp reads the files; else None."""
    parsed = changestamp.command(argv)  # (no -v, --json, --dry-run: those are not read)
    if parsed is None:
        return None
    venv, files, masked = parsed
    prefix = os.path.abspath(venv)
    new = not os.path.lexists(prefix)
    if not new and (os.path.islink(prefix) or not os.path.isdir(prefix)):
        return None
    started = time.perf_counter()
    quiet = noop._has(argv, ("--quiet",), "q")  # noqa: SLF001
    try:
        done = (
            _read_and_build(masked, files, prefix)
            if new
            else _read_and_change(masked, files, prefix, quiet=quiet)
        )
    except (KeyError, IndexError, ValueError, TypeError, OSError):
        return None
    if done is None:
        return None
    rows, reading, before, summary, collisions = done
    said = changestamp.unread(masked)  # UV_RESOLUTION... as the full path says (decision 355)
    try:  # noqa: SIM105 - not contextlib (decision 185); (best effort)
        _stamp_the_venv(argv, rows, reading, files=files, summary=summary, said=said)
    except (KeyError, IndexError, ValueError, TypeError, OSError):
        pass
    if not quiet:
        from graft.venv.state import changes  # noqa: PLC0415

        for warning in said:
            print(f"graft: warning: {warning}", file=sys.stderr)
        for collision in collisions:  # (--collisions is not read: warn, the default)
            print(f"graft: warning: collision: {collision}", file=sys.stderr)
        noop.render_changes(changes(before, reading.labels))
        stats = dict(zip(("links", "directories", "files"), summary[1:], strict=True))
        seconds = time.perf_counter() - started
        line = noop.summary_line("synced", prefix, summary[0], stats, seconds, noop.copying(argv))
        print(line, file=sys.stderr)
    return 0


def _reading(
    masked: list[str], files: list[str], prefix: str
) -> tuple[str, Rows, Reading, set[tuple[str, str]]] | None:
    """The stamp's key and rows, the files read by it, the pairs it had not seen met; or None."""
    found = changestamp.stamp(masked)
    if found is None or not found[1] or not _holds(found[1], prefix):
        return None
    key, rows = found
    read = changestamp.read(rows, files, prefix, masked)
    if read is None or (read[1] and not changestamp.meets(read[1])):
        return None
    return key, rows, *read


def _read_and_change(
    masked: list[str], files: list[str], prefix: str, *, quiet: bool
) -> Done | None:
    """Change the venv at *prefix* as the stamp reads the files; None: the full path.

    *quiet* (``-q``): what the venv held before is not read (only the lines ``-q`` leaves
    out say it: decision 359).

    Not for a venv that keeps seed packages (decision 122): the files do not name them, and
    the full path resolves them (a stamp left before the venv was seeded would drop them).
    """
    from graft.venv.seeds import seed_roots  # noqa: PLC0415

    if seed_roots(prefix, flag=False)[0]:
        return None
    found = _reading(masked, files, prefix)
    if found is None:
        return None
    key, rows, reading, unseen = found
    done = _locked(rows, reading, prefix, quiet=quiet)
    if done is None:
        return None
    if unseen:  # pairs met now: kept, so that the next change needs no packaging
        changestamp.remember(masked, key, rows, unseen)
    return rows, reading, *done


def _read_and_build(masked: list[str], files: list[str], prefix: str) -> Done | None:
    """A new venv at *prefix* from the kept plan the stamp reads the files to; None: full path.

    Built as :mod:`graft.cli.replay` builds one (:func:`graft.cli.flat_build.build`), from the
    chosen set's kept flat form, through the stamp for new venvs
    (:func:`graft.cli.changestamp.for_new_venvs`: left only by syncs that gave their venv the
    interpreter a new one gets).
    """
    shared = changestamp.for_new_venvs(masked)
    found = _reading(shared, files, prefix)
    if found is None:
        return None
    key, rows, reading, unseen = found
    from graft.store.paths import flat_file  # noqa: PLC0415

    store = rows["store"][0][0]
    flat = flat_build.kept_flat(flat_file(store, reading.plan), store)
    if flat is None or flat.summary is None:
        return None
    summary = list(flat.summary)
    plan_rows = {
        "store": rows["store"],
        "entry": [[sha] for sha in reading.shas],
        "form": [[reading.form]],
        "template": rows["template"],
        "python": rows["venv-python"],
        "state": [[",".join(map(str, summary))]],
        "plan": [[reading.plan]],
    }
    if not flat_build.build(plan_rows, prefix, flat):
        return None
    if unseen:
        changestamp.remember(shared, key, rows, unseen)
    own = changestamp.key_of(masked)  # the new venv's own stamp: its next change in place
    if own is not None:
        changestamp.remember(masked, own, rows, unseen)
    return rows, reading, (), summary, flat.collisions


def _holds(rows: Rows, prefix: str) -> bool:
    """The interpreter, the store's ownership and the template, as the stamp recorded them."""
    store = rows["store"][0][0]
    return (
        flat_build.outside(prefix, store)
        and flat_build.trusted(rows, store)
        and os.path.isfile(os.path.join(rows["template"][0][0], "pyvenv.cfg"))
        and noop._finds_the_same(*rows["interpreter"][0])  # noqa: SLF001
    )


def _locked(
    rows: Rows, reading: Reading, prefix: str, *, quiet: bool
) -> tuple[tuple[str, ...], list[int], tuple[str, ...]] | None:
    """Change the venv under its lock and a store pin: what it held, its counts, collisions."""
    store = rows["store"][0][0]
    held = [flat_build.hold_lock(flat_build.venv_lock_path(prefix), shared=False, removed=True)]
    if held[0] is not None:
        held.append(flat_build.hold_lock(os.path.join(store, "locks", "gc.lock"), shared=True))
    try:
        return None if None in held else _change(rows, reading, prefix, store, quiet=quiet)
    finally:
        flat_build.let_go(held, prefix)


def _change(
    rows: Rows, reading: Reading, prefix: str, store: str, *, quiet: bool
) -> tuple[tuple[str, ...], list[int], tuple[str, ...]] | None:
    """Carry out the change (locks held): what the venv held before, its new counts, collisions.

    What it held is read for the lines that say what changed, so not with *quiet*: ``()``.
    """
    from graft.venv.state import installed, real_prefix, recorded_state, state_lines  # noqa: PLC0415

    fit = _fit(rows, reading, prefix, store)
    if fit is None:
        return None
    (summary, collisions), change, (root, previous, entries), walked = fit
    before: tuple[str, ...] = ()
    if not quiet:  # (a listing of site-packages, ~0.9 M instructions: decision 359)
        held = installed(prefix, tuple(site for (site,) in rows["site"]))
        before = tuple(sorted(f"{n}=={v}" for n, v in held.items()))
    stats = ",".join(map(str, summary))
    state = state_lines(store, reading.inputs, stats, reading.plan, real_prefix(prefix))
    python = os.path.join(prefix, rows["venv-python"][0][0])
    _root(root, prefix, [*reading.shas, *entries], anchor=False)
    if not _update(prefix, python, change, store, state, walked=walked):
        if "graft-pending" not in recorded_state(prefix):
            try:  # noqa: SIM105 - not contextlib (decision 185); the venv is the old one: its root as it was
                flat_build.write_root(root, previous)
            except OSError:
                pass
        return None
    _root(root, prefix, reading.shas, anchor=True)
    return before, list(summary), collisions


def _fit(
    rows: Rows, reading: Reading, prefix: str, store: str
) -> tuple[tuple[tuple[int, int, int, int], tuple[str, ...]], PlanDiff, Rooted, Walk] | None:
    """The new plan's counts and collisions, the change, the venv's root and walk, if all fits.

    No staging of a killed sync beside the venv, every entry verified, the new plan's flat
    form kept, the venv as graft left it from a kept plan, the change small, the venv rooted.
    Both flat forms are read for the diff, which checks each where it differs: the part of
    the new one it carries out, the part of the old one it takes out (decision 502).
    """
    from graft.store.paths import all_verified, flat_file  # noqa: PLC0415
    from graft.venv.incremental import previous_flat, small_change  # noqa: PLC0415
    from graft.venv.kept_flat import load_texts, read_kept  # noqa: PLC0415
    from graft.venv.state import recorded_state  # noqa: PLC0415

    parent, name = os.path.split(prefix)
    lock = f".{name}.graft-lock"
    if any(e.startswith(f".{name}.graft-") and e != lock for e in os.listdir(parent)):
        return None  # the full path sweeps it
    if not all_verified(store, reading.shas):
        return None
    if recorded_state(prefix).get("graft-inputs") == reading.inputs:
        return None  # already in sync (a comment edited): the full path says so
    new = read_kept(flat_file(store, reading.plan), store, checked=False)  # (by the diff)
    if new is None or new.summary is None or new.rendered_only:
        return None
    template = rows["template"][0][0]
    previous = previous_flat(prefix, template, store, new.link_mode)
    change = None if previous is None else small_change(previous[0], new, template, previous[2])
    if previous is None or change is None or not load_texts(change.add, store):  # (RECORDs)
        return None
    rooted = _rooted(store, prefix)
    return None if rooted is None else ((new.summary, new.collisions), change, rooted, previous[1])


def _update(
    prefix: str, python: str, change: PlanDiff, store: str, state: str, *, walked: Walk
) -> bool:
    """:func:`graft.venv.journal.update`; False when it failed (the full path says why)."""
    from graft.venv.journal import update  # noqa: PLC0415

    try:
        update(prefix, python, change, store, state, walked=walked)
    except OSError:
        return False
    except Exception as exc:
        from graft.errors import GraftError  # noqa: PLC0415 - (only then: decision 211)

        if isinstance(exc, GraftError):
            return False
        raise
    return True


def _rooted(store: str, prefix: str) -> Rooted | None:
    """The venv's GC root, its JSON and entries, if it is this venv's and anchors pyvenv.cfg.

    Otherwise (no root, a root another venv left, an anchor missing or stale) the full path
    decides what to keep (``Store.register_root``).
    """
    from graft import _jsonc  # noqa: PLC0415
    from graft.store.paths import anchor_path, root_file  # noqa: PLC0415

    root = root_file(store, prefix)
    try:
        with open(root, encoding="utf-8") as fh:
            previous = _jsonc.loads(fh.read())
        held = os.lstat(anchor_path(root))
        config = os.stat(os.path.join(prefix, "pyvenv.cfg"))
    except (OSError, ValueError):
        return None
    if not isinstance(previous, dict) or previous.get("real") != os.path.realpath(prefix):
        return None
    if (held.st_dev, held.st_ino) != (config.st_dev, config.st_ino):
        return None
    entries = previous.get("entries")
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        return None
    return root, previous, entries


def _root(root: str, prefix: str, shas: list[str], *, anchor: bool) -> None:
    """The venv's GC root for *shas*, as ``Store.register_root`` writes it.

    With *anchor*, the anchor is made a hard link to the venv's pyvenv.cfg again (a change
    replaces that file).
    """
    from graft.store.paths import anchor_path  # noqa: PLC0415

    st = os.stat(prefix)
    payload = {
        "venv": prefix,
        "real": os.path.realpath(prefix),
        "directory": [st.st_dev, st.st_ino],
    }
    flat_build.write_root(root, {**payload, "entries": sorted(set(shas))})
    if anchor:
        try:  # noqa: SIM105 - not contextlib (decision 185)
            os.unlink(anchor_path(root))
        except FileNotFoundError:
            pass
        try:  # noqa: SIM105 - not contextlib (decision 185); (found by its paths without it, as gc allows)
            os.link(os.path.join(prefix, "pyvenv.cfg"), anchor_path(root), follow_symlinks=False)
        except OSError:
            pass


def _stamp_the_venv(
    argv: list[str],
    rows: Rows,
    reading: Reading,
    *,
    files: list[str],
    summary: list[int],
    said: list[str],
) -> None:
    """The sync stamp of the command line, as the full path leaves it (best effort).

    Each file is fingerprinted by the bytes its pins were read from (``Reading.read``), not
    read again: a rewrite since is a change the next sync sees (decision 465); the
    interpreter by its identity, unless that is racy (then no stamp, as the memo's rule).
    """
    from graft.resolve.fingerprints import fingerprint, racy  # noqa: PLC0415

    context = noop._context(argv)  # noqa: SLF001
    if context is None:
        return
    interpreter = rows["interpreter"][0][1]
    seen = [["content", os.path.abspath(f), reading.read.get(f, "None")] for f in files]
    seen.append(["stat", interpreter, str(fingerprint("stat", interpreter))])
    if any(fp == "None" for _, _, fp in seen) or racy(interpreter, time.time_ns()):
        return  # (a file gone meanwhile: no stamp)
    noop.write_stamp(
        argv,
        [
            ["key", noop._key(context)],  # noqa: SLF001
            ["prefix", reading.prefix],
            ["inputs", reading.inputs],
            ["store", rows["store"][0][0]],
            ["interpreter", *rows["interpreter"][0]],
            ["expires", repr(0.0)],
            ["count", str(summary[0])],
            ["stats", *map(str, summary[1:])],
            *(["entry", sha] for sha in reading.shas),
            *(["watched", *row] for row in seen),
            *(["warning", warning] for warning in said),  # (its no-op says them again)
        ],
    )


__all__ = ["answer"]
