"""``graft cache dir|info|clean``: graft's caches, as ``uv cache`` and ``pip cache`` show them.

The cache root (``$GRAFT_CACHE_DIR``, else the user's cache directory) holds downloads, index
pages, metadata, built wheels, build environments, git clones and stamps: everything graft
can fetch or compute again. The store is not a cache (venvs link into it) and is never
touched here, even where it lies inside the cache root (its default place): ``graft store
gc`` looks after it. ``clean`` removes everything else, entry by entry, and says how much
it freed; a sync or lock running at the same time may have to fetch again what it removes.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

from graft.errors import CacheError

if TYPE_CHECKING:
    import argparse


def add_cache_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``cache`` subcommand and its actions, added to the ``graft`` parser."""
    cache = subparsers.add_parser("cache", help="show or clean the download and build caches")
    actions = cache.add_subparsers(dest="cache_command", required=True, metavar="ACTION")
    helps = {
        "dir": "print where the caches are",
        "info": "the size of each cache (the store is not one: graft store info)",
        "clean": "remove every cache (never the store), and say how much was freed",
    }
    for name, text in helps.items():
        action = actions.add_parser(name, help=text, description=text)
        if name != "dir":
            action.add_argument("--json", action="store_true", help="print JSON on stdout")


def run_cache(args: argparse.Namespace) -> int:
    """Run the ``cache`` action *args* names; the exit status."""
    from graft._home import cache_root, default_store_path  # noqa: PLC0415

    root = os.path.abspath(cache_root())
    if args.cache_command == "dir":
        print(root)
        return 0
    kept = {os.path.realpath(default_store_path())}  # the store, where it lies inside
    parts = [
        (name, path)
        for name in sorted(_listing(root))
        if os.path.realpath(path := os.path.join(root, name)) not in kept
    ]
    sizes = {name: _size(path) for name, path in parts}
    if args.cache_command == "info":
        _report(root, sizes, args.json, freed=False)
        return 0
    from graft.store.seal import remove_tree  # noqa: PLC0415

    for name, path in parts:
        try:
            remove_tree(path)  # (unsealed first: build environments may be sealed)
        except OSError as exc:
            raise CacheError(
                f"cannot remove {name} ({exc.strerror})",
                where=path,
                hint="check the permissions of the cache directory; what is left is harmless",
            ) from None
    _report(root, sizes, args.json, freed=True)
    return 0


def _listing(root: str) -> list[str]:
    try:
        return os.listdir(root)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CacheError(f"cannot read the cache ({exc.strerror})", where=root) from None


def _size(path: str) -> int:
    """Bytes of the files under *path* (links counted as themselves, never followed)."""
    if not os.path.isdir(path) or os.path.islink(path):
        return os.lstat(path).st_size
    total = 0
    for top, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(top, name)).st_size
            except OSError:
                continue  # gone meanwhile
    return total


def _report(root: str, sizes: dict[str, int], as_json: bool, *, freed: bool) -> None:
    total = sum(sizes.values())
    if as_json:
        key = "freed" if freed else "sizes"
        print(json.dumps({"cache": root, key: sizes, "total": total}, sort_keys=True))
        return
    if freed:
        print(f"graft: removed {len(sizes)} caches from {root}: {_human(total)} freed")
        return
    for name, size in sorted(sizes.items(), key=lambda item: -item[1]):
        print(f"{_human(size):>10}  {name}")
    print(f"{_human(total):>10}  in all, in {root} (the store: graft store info)")
    sys.stdout.flush()


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":  # noqa: PLR2004
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError  # unreachable
