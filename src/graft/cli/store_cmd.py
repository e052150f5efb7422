"""``graft store info|list|verify|repair|gc``: look after the store.

Wired into :mod:`graft.cli.parser` by :func:`add_store_parser` and into :mod:`graft.cli.main`
by :func:`run_store`.
Exit status: 0 success, 1 error (or, for ``verify``, any problem found).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from graft.errors import GraftError

if TYPE_CHECKING:
    import argparse

    from graft.store.entries import Store
    from graft.store.gc import GcResult
    from graft.store.ops import EntryInfo, StoreInfo


def add_store_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``store`` subcommand and its actions, added to the ``graft`` parser."""
    store = subparsers.add_parser("store", help="look after the store")
    actions = store.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    helps = {
        "info": "size, entries, venvs using the store, and bytes saved against copying",
        "list": "one line per entry: wheel, sha256, size, live venvs using it",
        "verify": "check every entry against its RECORD and its wheel (exit 1 on any problem)",
        "gc": "remove entries no live venv uses, dead GC roots and crash leftovers",
        "repair": "re-create damaged entries from their wheels (what verify finds)",
    }
    for name, text in helps.items():
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("--store", metavar="DIR", help="store location (default: $GRAFT_STORE)")
        action.add_argument("--json", action="store_true", help="print JSON on stdout")
        if name == "gc":
            action.add_argument(
                "--dry-run",
                action="store_true",
                help="report what would be removed; change nothing",
            )


def run_store(args: argparse.Namespace) -> int:  # noqa: PLR0911 - one return per action
    """Run the ``store`` action *args* names; the exit status."""
    try:
        command = args.store_command
        if command == "gc" and _no_store(args):
            return 0
        store = _store(args)
        if command == "verify":
            return _verify(store, args.json)
        if command == "info":
            return _info(store, args.json)
        if command == "list":
            return _list(store, args.json)
        if command == "repair":
            return _repair(store, args.json)
        return _gc(store, args.json, args.dry_run)
    except GraftError as exc:
        if args.json:
            raise  # graft.cli.main prints it as one JSON object
        print(f"graft: error: {exc}", file=sys.stderr)
        return 1


def _saved(saved: int) -> str:
    """The ``saved`` row: what the store saves, or how much more it takes than copies."""
    if saved >= 0:
        return f"{human(saved)} ({saved} bytes)"
    more = -saved
    return (
        f"nothing yet: the store takes {human(more)} ({more} bytes) more than the copies"
        " (its bytecode, and entries no venv uses; `graft store gc` removes those)"
    )


def _store(args: argparse.Namespace) -> Store:
    from graft._home import default_store_path  # noqa: PLC0415
    from graft.store.ops import open_store  # noqa: PLC0415

    # every action, verify and repair too: "verified 0 entries" of a mistyped --store is no answer
    store = open_store(args.store or default_store_path())
    store.check()
    return store


def _no_store(args: argparse.Namespace) -> bool:
    """Whether the store path of a gc is free: nothing to collect, said; nothing made.

    As ``uv cache prune`` says of a missing cache (exit 0): a gc run on a machine that never
    synced makes no store and fails nothing (decision 206). A path where something else is
    (a directory that holds no ``entries/``: the wrong ``--store``, most likely) is still
    refused by :func:`_store`, as by every other action.
    """
    import os  # noqa: PLC0415

    from graft._home import default_store_path  # noqa: PLC0415

    root = os.path.abspath(args.store or default_store_path())
    if os.path.lexists(root):
        return False
    if args.json:
        from graft.store.gc import GcResult  # noqa: PLC0415

        print(json.dumps(gc_dict(GcResult(dry_run=args.dry_run)), indent=2))
    else:
        print(f"graft: gc {root}: no store here, nothing to collect", file=sys.stderr)
    return True


def human(n: int) -> str:
    """Bytes for people: 0 B, 512 B, 1.5 KiB, 12.0 MiB (negative numbers keep their sign)."""
    sign, value = ("-" if n < 0 else ""), float(abs(n))
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":  # noqa: PLR2004
            return f"{sign}{value:.0f} {unit}" if unit == "B" else f"{sign}{value:.1f} {unit}"
        value /= 1024
    raise AssertionError  # pragma: no cover - the loop always returns


def _verify(store: Store, as_json: bool) -> int:
    from graft.store.verify import verify_store  # noqa: PLC0415

    found = verify_store(store)
    problems, notes = found.problems, found.notes
    if as_json:
        rows = [
            {"entry": p.entry, "wheel": p.wheel, "path": p.path, "problem": p.problem}
            for p in problems
        ]
        remarks = [
            {"entry": p.entry, "wheel": p.wheel, "path": p.path, "note": p.problem} for p in notes
        ]
        payload = {"store": store.root, "entries": found.checked, "problems": rows}
        print(json.dumps({**payload, "notes": remarks}, indent=2))
    else:
        for p in problems:
            print(f"{p.wheel}: {p.path}: {p.problem} (entry {p.entry[:12]})")
        for p in notes:
            print(f"{p.wheel}: {p.path}: note: {p.problem} (entry {p.entry[:12]})")
        repair = " (`graft store repair` re-creates damaged entries)" if problems else ""
        print(
            f"graft: verified {found.checked} entries in {store.root}: {len(problems)} problems,"
            f" {len(notes)} notes{repair}",
            file=sys.stderr,
        )
    return 1 if problems else 0


def info_dict(info: StoreInfo) -> dict[str, Any]:
    """``graft store info`` as a JSON object."""
    return {
        "store": info.root,
        "disk_bytes": info.disk_bytes,
        "entries": info.entries,
        "venvs": info.venvs,
        "dead_roots": info.dead_roots,
        "copied_bytes": info.copied_bytes,
        "saved_bytes": info.saved_bytes,
        "tmp_items": info.tmp_items,
    }


def _info(store: Store, as_json: bool) -> int:
    from graft.store.ops import store_info  # noqa: PLC0415

    info = store_info(store)
    if as_json:
        print(json.dumps(info_dict(info), indent=2, sort_keys=True))
        return 0
    dead = (
        f" ({info.dead_roots} dead roots; `graft store gc` removes them)" if info.dead_roots else ""
    )
    rows = [
        ("store", info.root),
        ("size", f"{human(info.disk_bytes)} on disk ({info.disk_bytes} bytes)"),
        ("entries", str(info.entries)),
        ("venvs", f"{info.venvs}{dead}"),
        ("as copies", f"{human(info.copied_bytes)} (the venvs' files, each venv its own copy)"),
        ("saved", _saved(info.saved_bytes)),
    ]
    if info.tmp_items:
        rows.append(("tmp", f"{info.tmp_items} items (a running ingest, or crash leftovers)"))
    for key, value in rows:
        print(f"{key:10} {value}")
    return 0


def entry_dict(entry: EntryInfo) -> dict[str, Any]:
    """One store entry as a JSON object (``graft store list``)."""
    return {
        "sha256": entry.sha256,
        "filename": entry.filename,
        "disk_bytes": entry.disk_bytes,
        "file_bytes": entry.file_bytes,
        "venvs": entry.venvs,
    }


def _list(store: Store, as_json: bool) -> int:
    from graft.store.ops import list_entries  # noqa: PLC0415

    entries = list_entries(store)
    if as_json:
        print(json.dumps([entry_dict(e) for e in entries], indent=2))
        return 0
    width = max((len(e.filename) for e in entries), default=0)
    for e in entries:
        venvs = f"{e.venvs} venv" + ("" if e.venvs == 1 else "s")
        print(f"{e.filename:{width}}  {e.sha256[:12]}  {human(e.disk_bytes):>10}  {venvs}")
    return 0


def gc_dict(result: GcResult) -> dict[str, Any]:
    """``graft store gc`` as a JSON object: what was removed, freed, swept and kept."""
    return {
        "dry_run": result.dry_run,
        "removed": [entry_dict(e) for e in result.removed],
        "freed_bytes": result.freed_bytes,
        "dead_roots": [{"venv": r.venv, "reason": r.dead} for r in result.dead_roots],
        "swept": result.swept,
        "kept": result.kept,
        "live_roots": result.live_roots,
    }


def _gc(store: Store, as_json: bool, dry_run: bool) -> int:
    from graft.store.gc import collect_garbage  # noqa: PLC0415

    def waiting() -> None:
        print("graft: waiting for running syncs of this store to finish", file=sys.stderr)

    result = collect_garbage(store, dry_run=dry_run, on_wait=None if as_json else waiting)
    if as_json:
        print(json.dumps(gc_dict(result), indent=2))
        return 0
    verb = "would remove" if dry_run else "removed"
    for root in result.dead_roots:
        print(f"{verb} root {root.venv} ({root.dead})")
    for e in result.removed:
        print(f"{verb} {e.filename} {e.sha256[:12]} {human(e.disk_bytes)}")
    for path in result.swept:
        print(f"{verb} leftover {path}")
    print(
        f"graft: gc {store.root}: {verb} {len(result.removed)} entries"
        f" ({human(result.freed_bytes)}), {len(result.dead_roots)} dead roots,"
        f" {len(result.swept)} leftovers; kept {result.kept} entries"
        f" for {result.live_roots} venvs",
        file=sys.stderr,
    )
    return 0


def _repair(store: Store, as_json: bool) -> int:
    from graft.repair import repair_store  # noqa: PLC0415

    done, checked = repair_store(store)
    if as_json:
        rows = [
            {
                "entry": r.sha256,
                "wheel": r.wheel,
                "repaired_from": r.source,
                "venvs": list(r.venvs),
                "bytecode": list(r.bytecode),
                "stale": list(r.stale),
            }
            for r in done
        ]
        print(json.dumps({"store": store.root, "entries": checked, "damaged": rows}, indent=2))
        return 0 if all(r.repaired for r in done) else 1
    for r in done:
        users = f"; used by {len(r.venvs)} venvs: {', '.join(r.venvs)}" if r.venvs else ""
        if r.repaired:
            tags = f", bytecode for {', '.join(r.bytecode)} compiled again" if r.bytecode else ""
            rebuild = "; the next sync of each rebuilds it" if r.stale else ""
            print(
                f"repaired {r.wheel} (entry {r.sha256[:12]}) from {r.source}{tags}{users}{rebuild}"
            )
        else:
            print(
                f"cannot re-create {r.wheel} (entry {r.sha256[:12]}): no wheel file for it here;"
                f" the next `graft sync` that needs it re-ingests it and rebuilds its venv{users}"
            )
    failed = sum(1 for r in done if not r.repaired)
    print(
        f"graft: repair {store.root}: checked {checked} entries, {len(done) - failed} repaired,"
        f" {failed} left for the next sync to re-ingest",
        file=sys.stderr,
    )
    return 1 if failed else 0
