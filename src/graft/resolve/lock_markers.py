"""The marker of a group of lock environments: true in exactly them among the covered ones.

:func:`marker_for` writes an entry's marker (``graft lock``'s ``lock_write``, and
``lock_variants`` for a variant release's): it only has to be true for the environments in
the group and false for the other covered ones (the lock's ``environments`` key excludes
everything else), so it drops every condition the covered environments do not need. Python
versions become ranges (of micro releases where a series is forked: decision 153). It is
checked by evaluation before use; the plain form, each environment's own marker, stands
where the short one would not hold exactly. The environments are
:mod:`graft.resolve.environments`'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packaging.markers import Marker

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from graft.resolve.environments import Environment

_Bound = tuple[str, str]  # ("python_version", "3.11") or ("python_full_version", "3.11.3")
_Ranges = tuple[tuple[_Bound | None, _Bound | None], ...]


def _bound(env: Environment) -> _Bound:
    """Where *env* starts on the Python axis: its series, or its range (decision 153)."""
    if env.starts_series:
        return ("python_version", env.python)
    return ("python_full_version", env.target.version)


def _py_ranges(chosen: set[Environment], order: Sequence[Environment]) -> _Ranges:
    """Contiguous runs of *chosen* in *order* as (>= lower or None, < upper or None)."""
    runs: list[tuple[_Bound | None, _Bound | None]] = []
    start: int | None = None
    for i, e in enumerate([*order, None]):
        if e is not None and e in chosen:
            start = i if start is None else start
        elif start is not None:
            runs.append(
                (_bound(order[start]) if start > 0 else None, None if e is None else _bound(e))
            )
            start = None
    return tuple(runs)


def _py_terms(ranges: _Ranges) -> list[list[str]]:
    out = []
    for lower, upper in ranges:
        atoms = [f"{lower[0]} >= '{lower[1]}'"] if lower else []
        atoms += [f"{upper[0]} < '{upper[1]}'"] if upper else []
        out.append(atoms)
    return out


def _axis(env: Environment) -> tuple[int, int, int]:
    major, minor = env.python.split(".")
    return (int(major), int(minor), env.start)


def marker_for(chosen: Iterable[Environment], covered: Sequence[Environment]) -> str | None:
    """A marker true in the *chosen* environments and false in the other *covered* ones.

    None when *chosen* is all of *covered*. Python versions become ranges (of micro releases
    where a series is forked: decision 153), and a system or machine condition is dropped
    where every covered environment of it is chosen alike; where CPython and PyPy are both
    covered, each implementation's part is written apart under its ``implementation_name``.
    """
    chosen = tuple(chosen)
    want = {e.span for e in chosen}
    every = {e.span: e for e in covered}
    if want >= every.keys():
        return None
    kinds = dict.fromkeys(e.values[3] for e in covered)
    if len(kinds) > 1:  # CPython and PyPy (--implementation): each apart, then together
        parts = []
        for kind in kinds:
            if picked := [e for e in chosen if e.values[3] == kind]:
                rest = marker_for(picked, [e for e in covered if e.values[3] == kind])
                atom = f"implementation_name == '{kind}'"
                parts.append(atom if rest is None else f"{atom} and ({rest})")
        joined = " or ".join(f"({p})" if len(parts) > 1 else p for p in parts)
        if not _exact(joined, want, covered):  # never expected
            joined = " or ".join(f"({e.range_marker})" for e in covered if e.span in want)
        return str(Marker(joined))
    # python ranges per (system, machine), then per system, then overall where alike
    per_machine: dict[tuple[str, str], _Ranges] = {}
    for system, machine in dict.fromkeys(v[:2] for v in every):
        order = sorted((e for v, e in every.items() if v[:2] == (system, machine)), key=_axis)
        sel = {e for e in order if e.span in want}
        per_machine[system, machine] = _py_ranges(sel, order) if sel else ()
    per_system: dict[str, _Ranges | None] = {}
    for system in dict.fromkeys(s for s, _ in per_machine):
        alike = {r for (s, _), r in per_machine.items() if s == system}
        per_system[system] = alike.pop() if len(alike) == 1 else None
    overall = set(per_system.values())
    terms: list[list[str]] = []
    if len(overall) == 1 and None not in overall:
        terms = _py_terms(per_system[next(iter(per_system))] or ())
    else:
        for system, ranges in per_system.items():
            if ranges is not None:
                terms += [[f"sys_platform == '{system}'", *t] for t in _py_terms(ranges)]
                continue
            for (s, machine), r in per_machine.items():
                if s == system:
                    head = [f"sys_platform == '{s}'", f"platform_machine == '{machine}'"]
                    terms += [[*head, *t] for t in _py_terms(r)]
    text = " or ".join(
        "(" + " and ".join(t) + ")" if len(t) > 1 and len(terms) > 1 else " and ".join(t)
        for t in terms
    )
    if not _exact(text, want, covered):  # never expected; the plain form is always right
        text = " or ".join(f"({e.range_marker})" for e in covered if e.span in want)
    return str(Marker(text))


def _exact(text: str, want: set[tuple[Any, ...]], covered: Sequence[Environment]) -> bool:
    """Whether *text* holds in exactly the *want* environments.

    At each one's first and last micro release: a range holds alike throughout, its bounds
    being the only ones the marker names.
    """
    if not text:
        return False
    from graft.model.target import LATER_MICRO  # noqa: PLC0415

    marker = Marker(text)
    return all(
        marker.evaluate({**e.markers_at(micro), "extra": ""}) == (e.span in want)
        for e in covered
        for micro in {e.start, LATER_MICRO if e.until is None else e.until - 1}
    )
