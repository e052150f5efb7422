"""A wheel built from a source: what a :class:`~graft.model.request.SourceBuilder` returns.

In a module of its own so that a sync that builds nothing never creates the class (a frozen
dataclass costs about 1 ms to create on CPython 3.11; decision 51).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BuiltWheel:
    """A wheel built (or a recorded build reused) from a source for one target."""

    path: str  # the wheel file (in the download cache)
    sha256: str
    note: str  # "built" or "reused", why, and the source's assessment: for -v
    # what a resolution memo may watch to know the source still gives this wheel, as
    # (kind, path) of graft.resolve.fingerprints; None: it cannot (a tree is read anew)
    reads: tuple[tuple[str, str], ...] | None = None
