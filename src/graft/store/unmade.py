"""A store a failed sync made: taken away again, when nothing was written into it.

A sync makes its store's directories before it resolves (``Store.ensure``); when the first
sync of a store fails before writing anything (a requirement nothing answers), the empty
layout would stay behind, where the rule is that bad input touches nothing. Only empty
directories are removed (``os.rmdir``, which refuses any other), so that a store another
process wrote into, or that existed before, is never taken; the store-wide lock file a pin
made is removed only while nobody holds it.
"""

from __future__ import annotations

import os

from graft._fs import PARTS, flock
from graft.store.entries import GC_LOCK, Store


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
    lock = os.path.join(store.locks_dir, GC_LOCK)
    if os.path.lexists(lock):
        with flock(lock, timeout=0, removed=True) as held:
            if not held:  # (another sync uses the store: it is not ours to take)
                return
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
