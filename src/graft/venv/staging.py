"""The staging directories beside a venv: made, swept, and a set-aside venv put back.

Every sync that changes a venv works in a sibling ``.<name>.graft-<random>``; a kill leaves it
there, and the next sync of the venv sweeps it under the venv lock.
"""

from __future__ import annotations

import os

from graft.venv.state import recorded_state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType


def staging_path(parent: str, name: str) -> str:
    """A new sibling path ``.<name>.graft-<random>`` (the spelling the sweeps look for).

    Not made here: its maker makes it (``os.mkdir``, mkdir's permissions, as for any venv)
    as the first step of the block that removes it on failure (:class:`discarded_on_failure`),
    so that a signal as the mkdir returns leaves nothing behind (decision 292). 48 random
    bits, under the venv lock: a name met again is one a killed sync of the venv left, which
    the sweep would remove.
    """
    return os.path.join(parent, f".{name}.graft-{os.urandom(6).hex()}")


def sweep_staging(prefix: str) -> None:
    """Remove staging a killed sync of *prefix* left, unless another sync holds the venv."""
    from graft._fs import flock  # noqa: PLC0415

    parent, name = os.path.split(prefix)
    if not any(e.startswith(f".{name}.graft-") for e in os.listdir(parent) if "lock" not in e):
        return
    with flock(os.path.join(parent, f".{name}.graft-lock"), timeout=0, removed=True) as held:
        if held:  # else a sync of this venv is running; it sweeps for itself
            sweep_leftovers(parent, name)


#: The suffix of the staging name a venv is renamed to where the swap takes two renames
#: (no ``renameat2``): ``.<name>.graft-<random>-old``.
ASIDE = "-old"


def put_back_aside(parent: str, name: str) -> None:
    """Put back the venv a swap of two renames set aside, if a kill left no venv in its place.

    Between the renames (the old venv aside, the new one in) no venv is there; the old one,
    whose user's files were not yet read again, is the venv (the new one is swept).
    """
    prefix = os.path.join(parent, name)
    if os.path.lexists(prefix):
        return
    stem = f".{name}.graft-"
    aside = [
        os.path.join(parent, e)
        for e in os.listdir(parent)
        if e.startswith(stem) and e.endswith(ASIDE)
    ]
    if aside:  # (one: each sync puts it back before it sets another aside)
        os.rename(max(aside, key=lambda p: os.lstat(p).st_mtime_ns), prefix)


def sweep_leftovers(parent: str, name: str) -> None:
    """Remove staging directories that crashed syncs of this venv left behind.

    Not the one holding the journal of a change the venv says is pending: the next sync
    finishes that change (:mod:`graft.venv.incremental`); and first, a venv a killed swap
    set aside without putting the new one in is put back (:func:`put_back_aside`).
    """
    put_back_aside(parent, name)
    stem = f".{name}.graft-"
    pending = recorded_state(os.path.join(parent, name)).get("graft-pending")
    for entry in os.listdir(parent):
        if entry.startswith(stem) and not entry.endswith("lock") and entry != pending:
            from graft.store import seal  # noqa: PLC0415 - (a new venv never sweeps)

            seal.remove_tree(os.path.join(parent, entry), sealed=False)


class discarded_on_failure:  # noqa: N801 - a context manager, named as the block reads
    """Remove *staging* if the block fails; an OSError becomes one MaterializeError line.

    A class, not :func:`contextlib.contextmanager`: the change of an edited pin set
    (``graft.cli.change``) uses it, and :mod:`contextlib` costs its start ~2 ms (decision 185).
    """

    def __init__(self, staging: str, prefix: str, hint: str) -> None:
        """For the staging directory *staging* of the venv at *prefix*; *hint*: what to do."""
        self.staging, self.prefix, self.hint = staging, prefix, hint

    def __enter__(self) -> None:
        """Nothing to do before the block."""

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Remove the staging directory if the block raised; say an OSError in one line."""
        if exc is None:
            return
        from graft.store import seal  # noqa: PLC0415 - (a new venv from a flat form: decision 218)

        seal.remove_tree(self.staging, sealed=False)
        if isinstance(exc, OSError):
            from graft.errors import MaterializeError  # noqa: PLC0415

            why = exc.strerror or exc
            raise MaterializeError(
                f"cannot write the venv ({why})", where=self.prefix, hint=self.hint
            ) from None


__all__ = [
    "ASIDE",
    "discarded_on_failure",
    "put_back_aside",
    "staging_path",
    "sweep_leftovers",
    "sweep_staging",
]
