"""GC roots kept past a change of their venv's path, and the anchors that find moved venvs.

A root file ``roots/<key>.json`` is keyed by the venv's path. When a sync roots a path
whose previous root belongs to a venv that still exists elsewhere, that root is kept:

- the path was reached through a symlink that now leads elsewhere (its recorded resolved
  path differs and still exists): it becomes the root of that resolved path;
- the venv was moved away and a new one made at the path (its anchor has another link):
  it is set aside as ``<key>.away-<inode>.json``, live only while its anchor says so.

An **anchor** (``<key>.anchor``) is a hard link to the venv's ``pyvenv.cfg``. Only the
store that pyvenv.cfg names makes one, so a file has more links than the store's anchors
to it exactly while a venv (or a copy made with hard links) holds it. See decision 21.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING, Protocol

from graft.store.paths import anchor_path

if TYPE_CHECKING:
    from collections.abc import Iterable


class Roots(Protocol):
    """What root-keeping needs of a store (a :class:`graft.store.entries.Store`)."""

    @property
    def roots_dir(self) -> str: ...
    def root_path(self, venv: str) -> str: ...


def anchor(prefix: str, store_root: str, anchor: str) -> None:
    """Make *anchor* a hard link to the venv's pyvenv.cfg, if that names the store.

    Best effort: without it (no hard links there) the root is found by its paths.
    """
    if not names_store(prefix, store_root):
        return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(anchor)
    with contextlib.suppress(OSError):
        os.link(os.path.join(prefix, "pyvenv.cfg"), anchor, follow_symlinks=False)


def names_store(prefix: str, store_root: str) -> bool:
    """Whether the venv's pyvenv.cfg names the store at *store_root* (its last ``graft-store``).

    A venv being re-synced against another store still holds the previous store's
    pyvenv.cfg when the new store first roots it; that file is not the new store's to anchor.
    """
    named = None
    try:
        with open(os.path.join(prefix, "pyvenv.cfg"), encoding="utf-8") as fh:
            for line in fh:
                key, _, value = line.partition("=")
                if key.strip() == "graft-store":
                    named = value.strip()
    except (OSError, UnicodeDecodeError):
        return False
    return named == store_root


def anchor_counts(roots_dir: str) -> dict[tuple[int, int], int]:
    """How many anchors in *roots_dir* link to each file (a venv rooted by two paths has two)."""
    counts: dict[tuple[int, int], int] = {}
    try:
        names = os.listdir(roots_dir)
    except FileNotFoundError:
        return counts
    for name in names:
        if name.endswith(".anchor"):
            try:
                st = os.lstat(os.path.join(roots_dir, name))
            except OSError:
                continue
            counts[st.st_dev, st.st_ino] = counts.get((st.st_dev, st.st_ino), 0) + 1
    return counts


def held_elsewhere(st: os.stat_result, counts: dict[tuple[int, int], int]) -> bool:
    """Whether the file an anchor links to (*st*) is also held outside the store's anchors."""
    return st.st_nlink > counts.get((st.st_dev, st.st_ino), 1)


def keep_previous(store: Roots, root: str, real: str, held: os.stat_result | None) -> None:
    """Before *root* is replaced for the venv now at its path (resolving to *real*).

    Keep the previous root wherever its venv still exists, and take its anchor out of the way.
    """
    previous = _read(root)
    anchor = anchor_path(root)
    if previous is not None:
        old = previous.get("real")
        if isinstance(old, str) and old != real and os.path.isdir(old):
            moved = store.root_path(old)
            if not os.path.lexists(moved):  # else that venv has a root of its own already
                _write(moved, {**previous, "venv": old})
                if held is not None:
                    _move(anchor, anchor_path(moved))
                return
        if held is not None and held_elsewhere(held, anchor_counts(store.roots_dir)):
            away = root.removesuffix(".json") + f".away-{held.st_ino}.json"
            _write(away, {**previous, "away": True})
            _move(anchor, anchor_path(away))
            return
    if held is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(anchor)


#: How many directory entries gc reads looking for one renamed venv before it gives up.
SEARCH_BUDGET = 20_000


def find_renamed(paths: Iterable[str], directory: tuple[int, int]) -> str | None:
    """Where the venv directory *directory* (st_dev, st_ino) is now, if it was renamed.

    Renamed in its parent, or its parent renamed in the grandparent, of one of *paths* (its
    recorded paths).

    For roots without an anchor (a store on another filesystem). What is found must still
    be a venv that names the store or links into it, so a reused inode number does no harm.
    """
    budget = SEARCH_BUDGET
    for path in paths:
        parent = os.path.dirname(path)
        for base, depth in ((parent, 1), (os.path.dirname(parent), 2)):
            found, budget = _search(base, depth, directory, budget)
            if found is not None:
                return found
    return None


def _search(
    base: str, depth: int, directory: tuple[int, int], budget: int
) -> tuple[str | None, int]:
    try:
        with os.scandir(base) as it:
            children = [e for e in it if e.is_dir(follow_symlinks=False)]
    except OSError:
        return None, budget
    budget -= len(children)
    for child in children:
        if budget <= 0:
            break
        if depth == 1:
            if (
                child.inode() == directory[1]
                and child.stat(follow_symlinks=False).st_dev == (directory[0])
            ):
                return child.path, budget
        else:
            found, budget = _search(child.path, 1, directory, budget)
            if found is not None:
                return found, budget
    return None, budget


def _move(anchor: str, to: str) -> None:
    """Rename *anchor*, unless a sync of the same path running alongside did so first."""
    with contextlib.suppress(FileNotFoundError):
        os.rename(anchor, to)


def _read(root: str) -> dict[str, object] | None:
    try:
        with open(root, encoding="utf-8") as fh:
            payload = json.load(fh)
    except (FileNotFoundError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def _write(root: str, payload: dict[str, object]) -> None:
    from graft._fs import write_read_only  # noqa: PLC0415

    write_read_only(root, json.dumps(payload, indent=1))


__all__ = [
    "anchor",
    "anchor_counts",
    "find_renamed",
    "held_elsewhere",
    "keep_previous",
    "names_store",
]
