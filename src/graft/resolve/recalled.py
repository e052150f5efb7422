"""What the resolution memo recalls (:func:`graft.resolve.memo.recall`).

In a module of its own: the daily paths that resolve (a requirements file edited, or new)
miss the memo, so they never create the class (a frozen dataclass costs about 1 ms to
create on CPython 3.11; decision 51).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.model.target import Target


@dataclass(frozen=True, slots=True)
class Recalled:
    """What the memo recalls: the target, each wheel file with its sha256, and their labels."""

    target: Target
    # (wheel file (None: the store held its entry, decision 154), sha256, wheel given as a
    # path, asked for by the user, its direct_url.json, a lock's index file)
    rows: tuple[tuple[str | None, str, str | None, bool, str | None, bool], ...]
    labels: tuple[str, ...]  # "name==version" of each, as resolution named them
    aged: bool = False  # its index answers are older than INDEX_TTL: confirms, never builds
    warnings: tuple[str, ...] = ()  # what the resolution recalled warned about
    left_out: tuple[str, ...] = ()  # --only-deps: the projects named, left out (decision 445)
    # --overrides and --excludes as the resolution read them: Overrides.lines() (decision
    # 477); None: none given, or a memo from before
    overrides: tuple[tuple[str, ...], tuple[str, ...]] | None = None
