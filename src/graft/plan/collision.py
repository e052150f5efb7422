"""A collision: one venv path that two distributions provide differently.

In a module of its own so that a sync whose plan has none (the usual case: a kept plan is
decoded on every warm sync) never creates the class; a frozen dataclass costs about 1 ms
to create on CPython 3.11 (decision 51).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Collision:
    """One path two distributions provide differently. The winner's copy is installed."""

    path: str
    winner: str
    losers: tuple[str, ...]
    reason: Literal["content", "file-vs-directory"]

    def describe(self) -> str:
        """The collision in one line: who provides the path, how they differ, who wins."""
        what = "with different contents" if self.reason == "content" else "as file and directory"
        return (
            f"{self.path} is provided by {', '.join(self.losers)} and {self.winner} {what};"
            f" {self.winner} wins"
        )
