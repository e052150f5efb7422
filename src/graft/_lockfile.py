"""Lock files that leave nothing behind: removed by their holder, checked by each taker.

A venv's lock is ``.<name>.graft-lock`` beside it (the venv itself is replaced by a sibling
directory, so its lock cannot live inside it). Left in place, that file would sit in every
project directory between syncs. So its holder removes it before letting it go, and every
taker, once its ``flock`` succeeds, checks that the path still names the file it locked: if
the holder removed it meanwhile, the taker lets that file go and takes the path's new one.
With that rule two processes never both hold the lock of one path. A killed holder leaves
the file (the kernel drops the lock); the next holder removes it. Standard library only:
the fast paths of ``graft sync`` take this lock.
"""

from __future__ import annotations

import os


def still_named(path: str, fd: int) -> bool:
    """Whether *path* still names the file open as *fd* (not removed, not replaced)."""
    try:
        named = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def remove_held(path: str, fd: int) -> None:
    """Remove the lock file *path*, held as *fd*, before the lock is let go."""
    if still_named(path, fd):
        try:  # noqa: SIM105 - (contextlib's import costs a new venv ~1 ms)
            os.unlink(path)
        except OSError:
            pass


__all__ = ["remove_held", "still_named"]
