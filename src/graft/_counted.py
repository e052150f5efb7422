"""``1 distribution``, ``2 distributions``: a count with its noun, as graft's summaries say it.

Standard library only and no imports: the no-op path (:mod:`graft.cli.noop`) uses it.
"""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """*number* and *noun*, or *plural* (``noun + "s"`` by default) unless it is one."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


__all__ = ["counted"]
