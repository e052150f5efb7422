"""A store's ``OSError`` as one line: what went wrong, where, and what to do.

Imported only once something failed, or by a dry run (:func:`blocked`), which says what
a sync would fail with without trying.
"""

from __future__ import annotations

import errno
import os

from graft.errors import StoreError


def cannot_create(exc: OSError, root: str) -> StoreError:
    """The store at *root* could not be made (a file on its path, a directory not ours)."""
    return blocked(root) or StoreError(
        f"cannot create the store ({exc.strerror})",
        where=root,
        hint="pass --store DIR or set GRAFT_STORE to a writable directory",
    )


def blocked(root: str) -> StoreError | None:
    """The error of a store at *root* that cannot be made: a file on its path (None: none).

    Read only: what :func:`cannot_create` says then, which a dry run says without trying.
    """
    found = not_a_directory(root)
    if found is None:
        return None
    return StoreError(
        "is a file, not a directory",
        where=found,
        hint="pass --store DIR or set GRAFT_STORE to a directory, or a path that does not exist",
    )


def unrooted(exc: OSError, roots_dir: str) -> StoreError:
    """A venv's GC root could not be written into *roots_dir*: free space only if it is full."""
    return StoreError(
        f"cannot record the venv's GC root ({exc.strerror or exc})",
        where=roots_dir,
        hint="free space and re-sync the venv before any `graft store gc`"
        if full(exc)
        else "a sync records each venv in the store: pass --store DIR (or set"
        " GRAFT_STORE) to a store you can write",
    )


def not_a_directory(path: str) -> str | None:
    """The nearest of *path* and the directories above it that exists and is not one."""
    while True:
        if os.path.lexists(path) and not os.path.isdir(path):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def full(exc: OSError) -> bool:
    """Whether *exc* says the filesystem is full (or the user's quota)."""
    return exc.errno in {errno.ENOSPC, errno.EDQUOT}


def no_room(exc: OSError, wheel_path: str, tmp_dir: str) -> StoreError:
    """An OSError while writing an entry (disk full, quota, permissions) as one line."""
    return StoreError(
        f"cannot unpack {os.path.basename(wheel_path)} into the store ({exc.strerror or exc})",
        where=tmp_dir,
        hint=("free space in the store's filesystem" if full(exc) else "run `graft store verify`")
        + " or pass --store DIR; nothing was added",
    )
