"""The reuse decision for one source and its evidence: plain data, kept with built wheels.

:mod:`graft.build.evidence` reads a source tree and decides; this module holds only the
decision, so that finding a recorded build (:mod:`graft.build.recorded`) reads it back
without importing the scan and its patterns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_SHOWN = 6  # evidence items in one line
#: The version of the evidence rules (:mod:`graft.build.evidence`): raised whenever a rule
#: changes what makes a source "may differ", so that what older rules decided (kept sdist
#: facts, the assessment a built wheel's record holds) is decided again (decision 258).
RULES = 2


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a source may (or cannot) build differently per interpreter."""

    kind: str  # "compiled-source", "extension-setup", "compiling-requirement", ...
    detail: str  # a path, a requirement, a word found

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Assessment:
    """The decision: may the source build differently for another interpreter, and why."""

    may_differ: bool
    evidence: tuple[Evidence, ...]
    variables: tuple[str, ...]  # environment variables the build is known to read, sorted
    rules: int = RULES  # the version of the rules that decided (1: before it was kept)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping, kept with the built wheel's record."""
        return {
            "may_differ": self.may_differ,
            "evidence": [[e.kind, e.detail] for e in self.evidence],
            "variables": list(self.variables),
            "rules": self.rules,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        """The inverse of :meth:`to_dict`."""
        return cls(
            bool(data["may_differ"]),
            tuple(Evidence(str(k), str(d)) for k, d in data["evidence"]),
            tuple(str(v) for v in data["variables"]),
            int(data.get("rules", 1)),
        )

    def describe(self) -> str:
        """One line: the decision and its evidence (``graft build -v``)."""
        verdict = "may build differently per interpreter" if self.may_differ else "pure"
        shown = "; ".join(str(e) for e in self.evidence[:_SHOWN])
        extra = len(self.evidence) - _SHOWN
        more = f" (+{extra} more)" if extra > 0 else ""
        return f"{verdict}: {shown}{more}" if shown else verdict
