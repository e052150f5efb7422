"""A store a failed sync or build made: taken away again, when nothing was written into it.

A sync makes its store's directories before it resolves (``Store.ensure``), ``graft build``
as it ingests the wheel it built; when the first use of a store fails before writing
anything into it (a requirement nothing answers, a built wheel ingest refuses), the empty
layout would stay behind, where the rule is that bad input touches nothing. Only empty
directories are removed (``os.rmdir``, which refuses any other), so that a store another
process wrote into, or that existed before, is never taken; the lock files a pin or an
ingest made (``locks/gc.lock``, ``locks/<sha256>.lock``) are removed only while nobody
holds them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft._fs import PARTS, flock
from graft.errors import GraftError

if TYPE_CHECKING:
    from graft.store.entries import Store


def missing_top(path: str) -> str:
    """The top-most of *path* and its parents that does not exist: ``os.makedirs``'s first."""
    path = os.path.abspath(path)
    while not os.path.lexists(os.path.dirname(path)):
        path = os.path.dirname(path)
    return path


def take_back(store: Store, top: str) -> None:
    """Remove *store* and the directories above it up to *top*, each only if empty.

    *top*: :func:`missing_top` of the store's root before it was made. Whatever is not
    empty (an entry, a root, another process's lock) stays, and all above it.
    """
    store.release()
    for name in _listdir(store.locks_dir):  # the pin's gc.lock, an ingest's entry lock
        if not name.endswith(".lock") or not _free(os.path.join(store.locks_dir, name)):
            return  # (another process uses the store, or wrote into it: not ours to take)
    parts = [os.path.join(store.root, part) for part in PARTS]
    try:
        if set(os.listdir(store.root)) - set(PARTS) or any(os.listdir(p) for p in parts):
            return  # (written into: by this sync before it failed, or by another)
        for path in parts:
            os.rmdir(path)
        path = store.root
        while True:
            os.rmdir(path)
            if path == top:
                break
            path = os.path.dirname(path)
    except OSError:  # (written into meanwhile, or not ours to change: leave it)
        return


def _free(lock: str) -> bool:
    """Whether the lock file *lock* was held by nobody: then it is removed, else kept."""
    try:
        with flock(lock, timeout=0, removed=True) as held:
            return held
    except (GraftError, OSError):  # (not a lock file graft made: leave the store)
        return False


def _listdir(path: str) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []
