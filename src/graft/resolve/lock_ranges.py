"""A lock's series forked into ranges of micro releases where they resolve apart (decision 153).

Each lock environment is first resolved for its series' first release (decision 113). Then,
per environment, :class:`~graft.resolve.micro_bounds.Bounds` names the micro releases inside
it where what the resolution met changes (a ``python_full_version`` marker, a newer
release's Requires-Python); the series is split there into ranges, each resolved for its own
first release and standing for the releases up to the next (``Target.last_micro``), and each
new range is looked at again, until no range holds such a release inside it (a fixed point)
or the series has :data:`MAX_RANGES` ranges. Neighbouring ranges that resolved alike (the
same files) are one again; a series whose ranges all resolved alike is the environment it
was, and its entries' markers name no micro release.

Beyond :data:`MAX_RANGES`, a range that still holds a boundary is locked as decision 113
locks a series: for its first release, with what its later releases need besides, and
``graft lock`` names the releases it did not fork at. A range whose resolution fails (no
resolution for a later release where the first had one) leaves its series unforked, with
the reason.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.model.target import LATER_MICRO

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from graft.resolve.environments import Environment
    from graft.resolve.lock_envs import Outcome
    from graft.resolve.micro_bounds import Bounds

#: The most ranges one lock environment's series is split into.
MAX_RANGES = 8


@dataclass(frozen=True, slots=True)
class _Range:
    low: int
    high: int | None  # excluded; None: the series' last release
    outcome: Outcome


def part(whole: Environment, low: int, high: int | None) -> Environment:
    """The range *low* to *high* (excluded) of *whole*'s series, as an environment."""
    version = f"{whole.python}.{low}"
    target = dataclasses.replace(
        whole.target,
        version=version,
        markers=whole.markers_at(low),
        last_micro=LATER_MICRO if high is None else high - 1,
    )
    first = whole.series_first or whole.target.version  # (a range of a range: the series')
    return dataclasses.replace(whole, target=target, until=high, series_first=first)


@dataclass(frozen=True)
class Forked:
    """The environments after forking, their outcomes, and what forking cost and said."""

    envs: tuple[Environment, ...]
    outcomes: tuple[Outcome, ...]
    resolved: int  # resolutions of ranges
    warnings: tuple[str, ...]


def _key(outcome: Outcome) -> tuple[tuple[str, str, str, tuple[str, ...]], ...] | None:
    """What tells two ranges' resolutions apart: the files pinned, and the extras."""
    if outcome.resolution is None:
        return None
    return tuple(
        (str(p.name), str(p.version), p.file.url, tuple(p.extras)) for p in outcome.resolution.pins
    )


def fork(
    envs: Sequence[Environment],
    outcomes: Sequence[Outcome],
    bounds: Bounds,
    resolve: Callable[[list[Environment]], list[Outcome]],
) -> Forked:
    """*envs* with each series split into the ranges of micro releases that resolve apart.

    *resolve* resolves a batch of ranges (side by side), in order.
    """
    ranges: dict[int, list[_Range]] = {
        at: [_Range(env.start, env.until, outcome)]
        for at, (env, outcome) in enumerate(zip(envs, outcomes, strict=True))
        if outcome.resolution is not None
    }
    unforked: list[str] = []
    made = 0
    while True:
        todo: list[tuple[int, int, Environment]] = []  # (environment, range index, range)
        for at, parts in ranges.items():
            ranges[at], new = _split(envs[at], parts, bounds)
            todo += [(at, i, e) for i, e in new]
        if not todo:
            break
        made += len(todo)
        for (at, index, env), outcome in zip(todo, resolve([e for _, _, e in todo]), strict=True):
            if at not in ranges:  # (another range of its series failed)
                continue
            ranges[at][index] = dataclasses.replace(ranges[at][index], outcome=outcome)
            if outcome.resolution is None:  # its series is not forked
                del ranges[at]
                unforked.append(
                    f"{envs[at].label}: not forked on python_full_version: {env.label} has no"
                    f" resolution ({_why(outcome)}); the series is locked as its first release"
                    " resolves it (decision 113)"
                )
    return _merged(envs, outcomes, ranges, bounds, made, unforked)


def _split(
    whole: Environment, parts: list[_Range], bounds: Bounds
) -> tuple[list[_Range], list[tuple[int, Environment]]]:
    """*parts*, each split where its resolution may change, up to :data:`MAX_RANGES`.

    With the new ranges to resolve (their index, their environment). The first range of a
    split keeps its resolution when only Requires-Python split it: what its later releases
    need (``Target.last_micro``) is then what its first needs.
    """
    out: list[_Range] = []
    new: list[tuple[int, Environment]] = []
    for at, r in enumerate(parts):
        env = part(whole, r.low, r.high) if len(parts) > 1 else whole
        resolution = r.outcome.resolution
        assert resolution is not None  # noqa: S101 - (a failed range ends its series' fork)
        from_markers, from_python = bounds.within(env, resolution)
        room = MAX_RANGES - (len(out) + len(parts) - at)  # (the ranges if this one is not split)
        cuts = sorted(from_markers | from_python)[: max(room, 0)]
        for i, (low, high) in enumerate(zip([r.low, *cuts], [*cuts, r.high], strict=True)):
            if cuts and (i > 0 or from_markers):
                new.append((len(out), part(whole, low, high)))
            out.append(_Range(low, high, r.outcome))  # (replaced when resolved)
    return out, new


def _why(outcome: Outcome) -> str:
    failure = outcome.failure
    lines = getattr(failure, "lines", None)
    if lines:
        return str(lines[0]).rstrip(":")
    return str(outcome.skip or failure or "none")


def _merged(  # noqa: PLR0917 - the fork's state
    envs: Sequence[Environment],
    outcomes: Sequence[Outcome],
    ranges: dict[int, list[_Range]],
    bounds: Bounds,
    made: int,
    unforked: list[str],
) -> Forked:
    """Neighbouring ranges that resolved alike made one; what the fork could not do said."""
    out_envs: list[Environment] = []
    out: list[Outcome] = []
    warnings = unforked
    for at, env in enumerate(envs):
        parts = ranges.get(at)
        if not parts or len(parts) == 1:
            out_envs.append(env)
            out.append(outcomes[at])
            continue
        joined: list[_Range] = []
        for r in parts:
            if joined and _key(joined[-1].outcome) == _key(r.outcome):
                joined[-1] = dataclasses.replace(joined[-1], high=r.high)
            else:
                joined.append(r)
        left: set[int] = set()
        for r in parts:  # (the ranges as resolved: cuts beyond MAX_RANGES)
            resolution = r.outcome.resolution
            assert resolution is not None  # noqa: S101
            found = bounds.within(part(env, r.low, r.high), resolution)
            left.update(found[0] | found[1])
        if left:
            names = ", ".join(f"{env.python}.{m}" for m in sorted(left))
            warnings.append(
                f"{env.label}: not forked at {names} (at most {MAX_RANGES} ranges of micro"
                " releases per series): the range before each is locked as its first release"
                " resolves it (decision 153)"
            )
        if len(joined) == 1:
            out_envs.append(env)
            out.append(joined[0].outcome)
            continue
        for r in joined:
            out_envs.append(part(env, r.low, r.high))
            out.append(r.outcome)
    return Forked(tuple(out_envs), tuple(out), made, tuple(warnings))


__all__ = ["MAX_RANGES", "Forked", "fork", "part"]
