"""Medians, spreads and paired ratios of timed rounds (pure)."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass
class Series:
    """One command's times in a phase, one per recorded round (None: that run failed)."""

    command: str  # shell-quoted example of the command line
    times: list[float | None] = field(default_factory=list)
    error: str | None = None

    def ok(self) -> list[float]:
        return [t for t in self.times if t is not None]


@dataclass
class Phase:
    """The commands of one form or path on one set, alternated round by round."""

    form: str
    rounds: int
    series: dict[str, Series]
    ratios: dict[str, dict[str, Any]] = field(default_factory=dict)
    # CPU used by other processes while the phase ran, in cores (quiet.cpu_sample()).
    foreign_cpu: float | None = None
    # Hash of graft's sources when the phase started: an editable install can change mid-run.
    graft_source: str | None = None
    # What the path changed (the edited pin, the package added or removed), for the report.
    details: dict[str, str] = field(default_factory=dict)


def summary(values: Sequence[float]) -> dict[str, Any]:
    """n, median, min and max of the values (None for all three when there are none)."""
    if not values:
        return {"n": 0, "median": None, "min": None, "max": None}
    return {
        "n": len(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def paired_ratio(a: Series, b: Series) -> dict[str, Any]:
    """A/B within each round where both ran, then the summary of those ratios."""
    ratios = [
        ta / tb
        for ta, tb in zip(a.times, b.times, strict=True)
        if ta is not None and tb is not None and tb > 0
    ]
    return {**summary(ratios), "values": ratios}


def add_ratios(phase: Phase, pairs: Sequence[tuple[str, str]]) -> None:
    """Fill the phase's paired ratios for each (A, B) whose two series both exist."""
    for a, b in pairs:
        if a in phase.series and b in phase.series:
            phase.ratios[f"{a}/{b}"] = paired_ratio(phase.series[a], phase.series[b])


def phase_to_json(phase: Phase) -> dict[str, Any]:
    """The phase as JSON, each series with its summary."""
    data = asdict(phase)
    for key, s in phase.series.items():
        data["series"][key]["summary"] = summary(s.ok())
    return data


def unsupported(form: str, reason: str) -> dict[str, Any]:
    """The JSON of a path that this graft cannot run yet (the report says so, no figures)."""
    return {"form": form, "rounds": 0, "series": {}, "ratios": {}, "unsupported": reason}
