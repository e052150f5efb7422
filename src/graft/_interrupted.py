"""What a Ctrl-C cut short: the venv this process had already changed, if any.

A sync changes a venv at one moment (the swap of a rebuilt venv, the rename of a new one, the
commit of an incremental change). Until then an interrupt leaves the venv as it was; after
it, the venv is the new one (or the change is committed, which the next sync finishes), and
"nothing was changed" would be false. The moments are recorded here, with the standard
library only: the console script's fast paths say it too.
"""

from __future__ import annotations

#: (venv, complete): each venv this process changed; complete False: committed, unfinished
CHANGED: list[tuple[str, bool]] = []


def changed(prefix: str, *, complete: bool = True) -> None:
    """The venv at *prefix* is the new one from now on (*complete*: nothing is left to do)."""
    CHANGED.append((prefix, complete))


def message() -> str:
    """What an interrupt of this process leaves, in one line."""
    if not CHANGED:
        return "interrupted; nothing was changed"
    prefix, complete = CHANGED[-1]
    if complete:
        return f"interrupted after {prefix} was synced; it is complete"
    return f"interrupted after the change of {prefix} was committed; the next sync finishes it"


__all__ = ["CHANGED", "changed", "message"]
