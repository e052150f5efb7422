"""What a Ctrl-C (or a SIGTERM, a SIGHUP) cut short: the venv this process had changed, if any.

A sync changes a venv at one moment (the swap of a rebuilt venv, the rename of a new one, the
commit of an incremental change). Until then an interrupt leaves the venv as it was; after
it, the venv is the new one (or the change is committed, which the next sync finishes), and
"nothing was changed" would be false. The moments are recorded here, with the standard
library only: the console script's fast paths say it too.
"""

from __future__ import annotations

#: (venv, complete): each venv this process changed; complete False: committed, unfinished
CHANGED: list[tuple[str, bool]] = []
#: the signals that cut this process's command short (SIGINT 2, SIGTERM 15, SIGHUP 1), as
#: they came
SIGNALLED: list[int] = []
#: what each signal but SIGINT ("interrupted") is said as: SIGHUP, a closed terminal's
#: (decision 291), and SIGTERM (decision 269)
_SAID = {1: "hung up", 15: "terminated"}


def status() -> int:
    """The exit status of a command cut short: 128 + the signal, as a shell reports it."""
    return 128 + (SIGNALLED[-1] if SIGNALLED else 2)


def changed(prefix: str, *, complete: bool = True) -> None:
    """The venv at *prefix* is the new one from now on (*complete*: nothing is left to do)."""
    CHANGED.append((prefix, complete))


def message() -> str:
    """What an interrupt of this process leaves, in one line."""
    said = _SAID.get(SIGNALLED[-1], "interrupted") if SIGNALLED else "interrupted"
    if not CHANGED:
        return f"{said}; nothing was changed"
    prefix, complete = CHANGED[-1]
    if complete:
        return f"{said} after {prefix} was synced; it is complete"
    return f"{said} after the change of {prefix} was committed; the next sync finishes it"


__all__ = ["CHANGED", "SIGNALLED", "changed", "message", "status"]
