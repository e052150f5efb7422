"""Why a sync rebuilds a graft venv whatever it installs, apart from the no-op path.

Marked stale by ``graft store repair`` (:func:`mark_stale`), moved from the path it was
built at, or changed since graft made it (:func:`why_rebuilt`).
"""

from __future__ import annotations

import os

from graft.venv.state import STALE, kept_paths, real_prefix, recorded_state, tree_digest


def why_rebuilt(prefix: str) -> str | None:
    """Why a sync would rebuild the graft venv at *prefix*, whatever it installs (None: no cause).

    Marked stale by ``graft store repair`` (:func:`mark_stale`), moved from the path it was
    built at (``graft-plan`` names it: its scripts name that path), or changed since graft
    made it (its real directories are not as ``graft-tree`` recorded them: a file edited,
    pip): a sync then rebuilds it whole, never changes it in place. The summary of a sync and
    of its dry run say so (``~ rebuilt: ...``).
    """
    state = recorded_state(prefix)
    if state.get("graft-inputs") == STALE:
        return "marked stale by `graft store repair`"
    tree = state.get("graft-tree")
    if tree is None or "graft-pending" in state:
        return None  # (not graft's; or a change the sync finishes first)
    built_at = state.get("graft-plan", "").partition(" ")[2]
    if built_at and built_at != real_prefix(prefix):
        return f"moved from {built_at}"
    try:
        changed = tree != tree_digest(prefix, kept_paths(state), tree)
    except OSError:
        return None
    return "changed since graft made it" if changed else None


def mark_stale(prefix: str) -> bool:
    """Make the next sync of *prefix* rebuild it: its recorded inputs then match none.

    Only graft's ``graft-inputs`` line changes, in place (same inode: the store's anchor to
    pyvenv.cfg stays valid; ``graft-tree`` does not hash pyvenv.cfg's content, so the venv
    still counts as graft's to replace). False if there was no such line to change.
    """
    path = os.path.join(prefix, "pyvenv.cfg")
    try:
        with open(path, "r+", encoding="utf-8") as fh:
            lines = fh.readlines()
            stale = f"graft-inputs = {STALE}\n"
            changed = [
                stale if line.partition("=")[0].strip() == "graft-inputs" else line
                for line in lines
            ]
            if changed == lines:
                return False
            fh.seek(0)
            fh.writelines(changed)
            fh.truncate()
    except OSError:
        return False
    return True
