"""Files written whole or not at all, with the standard library alone.

Here rather than in :mod:`graft._fs` so that the daily fast paths (``graft.cli.noop``,
``replay``, ``change``, ``lockstamp``), which must not import ``dataclasses``, write their
stamps and records the one way the rest of graft does.
"""

from __future__ import annotations

import os


def write_atomic(path: str, text: str | bytes, *, mode: int | None = None) -> None:
    """Write *text* to *path* through ``<path>.tmp.<pid>`` and a rename: readers see old or new.

    The temporary file is removed if anything fails (a full disk, say); one left by a killed
    process keeps that spelling, which the store's sweeps look for.
    """
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:  # noqa: SIM105 - (contextlib's import costs a new venv ~1 ms)
            os.unlink(tmp)
        except OSError:
            pass
        raise


def remember(path: str, text: str | bytes) -> None:
    """Best-effort cache write: a read-only or full cache only costs recomputing next time."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, text)
    except OSError:
        pass


__all__ = ["remember", "write_atomic"]
