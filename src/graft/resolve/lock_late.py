"""A series whose first release has no resolution, locked from one that has (decision 157).

Each lock environment is first resolved for its series' first release (decision 113). Where
that fails, a later micro release of the series may still resolve: cryptography 44 and later
say ``Requires-Python: !=3.9.0,!=3.9.1,>=3.7``, so ``cryptography>=44`` has no resolution on
3.9.0 and one on 3.9.2. The micro releases where that can change are those of decision
153's bounds (:meth:`~graft.resolve.micro_bounds.Bounds.later_starts`): a root's marker, and
the Requires-Python of the releases of the projects the failed resolution met
(``ResolutionError.met``). The environment is resolved again from the first of them, and
from the next while it fails (its own failure may meet more projects), at most
:data:`MAX_TRIES` times. The first that resolves stands for the series from that release on
(``python_full_version >= "3.9.2"`` in ``environments``, as ``--python-version 3.9.2``
asks: decision 120), and the lock says what was left out; one that never resolves is left
out with its first release's failure, as before.

A lock read as input that does not cover a series' first release (its ``environments`` say
``python_full_version >= "3.9.2"``) is tried alike, at its markers' bounds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.environments import Environment
    from graft.resolve.lock_envs import Outcome
    from graft.resolve.micro_bounds import Bounds

#: The later micro releases one series is tried from, at most.
MAX_TRIES = 4


@dataclass(frozen=True)
class Late:
    """The environments after the later starts, their outcomes, what it cost and said."""

    envs: tuple[Environment, ...]
    outcomes: tuple[Outcome, ...]
    resolved: int  # resolutions from a later release
    said: tuple[tuple[str, str], ...]  # (environment label, what was left out and why)


def starting_at(whole: Environment, micro: int) -> Environment:
    """*whole*'s series from its micro release *micro* on, as ``--python-version`` names it."""
    from graft.resolve.lock_ranges import part  # noqa: PLC0415

    later = part(whole, micro, None)
    return dataclasses.replace(later, series_first=later.target.version)


def _retried(outcome: Outcome) -> bool:
    """Whether a later release may resolve where *outcome*'s first release did not.

    A proven failure (a search given up is no proof, and long: decision 105), or a lock read
    as input that does not cover the first release. A failed build is the build's.
    """
    from graft.resolve.resolution_error import ResolutionError  # noqa: PLC0415

    if outcome.skip is not None:
        return True
    failure = outcome.failure
    return isinstance(failure, ResolutionError) and not failure.gave_up


def _met(outcome: Outcome) -> tuple[str, ...]:
    return tuple(getattr(outcome.failure, "met", ()))


def _read(outcome: Outcome) -> tuple[tuple[ArtifactFile, str], ...]:
    return tuple(getattr(outcome.failure, "read", ()))


def start_later(
    envs: Sequence[Environment],
    outcomes: Sequence[Outcome],
    bounds: Bounds,
    resolve: Callable[[list[Environment]], list[Outcome]],
    why_not: Callable[[Environment, Outcome], str],
) -> Late:
    """*envs*, each whose first release failed resolved from a later one where one resolves.

    *resolve* resolves a batch of environments side by side, in order; *why_not* says in one
    line why an environment's outcome has no resolution. Where the releases before the
    later start resolve as a range of their own (decision 203), the series is those two
    ranges, nothing left out.
    """
    from graft.resolve.lock_ranges import part  # noqa: PLC0415

    placed = [[(env, outcome)] for env, outcome in zip(envs, outcomes, strict=True)]
    trying = {  # environment: (its latest try, that try's outcome)
        at: (env, outcome)
        for at, (env, outcome) in enumerate(zip(envs, outcomes, strict=True))
        if outcome.resolution is None and env.until is None and _retried(outcome)
    }
    said: list[tuple[str, str]] = []
    made = 0
    for _ in range(MAX_TRIES):
        batch: list[tuple[int, Environment]] = []
        for at, (env, outcome) in trying.items():
            starts = bounds.later_starts(env, _met(outcome), _read(outcome))
            if starts:
                batch.append((at, starting_at(envs[at], starts[0])))
        if not batch:
            break
        made += len(batch)
        trying = {}
        started: list[tuple[int, Environment, Outcome]] = []
        for (at, env), outcome in zip(batch, resolve([e for _, e in batch]), strict=True):
            if outcome.resolution is None:
                if _retried(outcome):
                    trying[at] = (env, outcome)
                continue
            started.append((at, env, outcome))
        # the releases before the start, as a range of their own: what only later releases
        # need (decision 113) may be all that failed the first (decision 203); not where no
        # marker the failure met names a release of the series (the same resolution again)
        early = {
            at: part(envs[at], envs[at].start, env.start)
            for at, env, _ in started
            if bounds.marker_flips(envs[at], _read(outcomes[at]))
        }
        made += len(early)
        before = dict(zip(early, resolve(list(early.values())) if early else [], strict=True))
        for at, env, outcome in started:
            if at in before and before[at].resolution is not None:  # (two ranges, all covered)
                placed[at] = [(early[at], before[at]), (part(envs[at], env.start, None), outcome)]
                continue
            placed[at] = [(env, outcome)]
            why = why_not(envs[at], outcomes[at])
            said.append((envs[at].label, _left_out(envs[at], env, outcome, bounds, why)))
    flat = [pair for pairs in placed for pair in pairs]
    return Late(tuple(e for e, _ in flat), tuple(o for _, o in flat), made, tuple(said))


def _left_out(
    whole: Environment, later: Environment, outcome: Outcome, bounds: Bounds, why: str
) -> str:
    """What locking *whole*'s series from *later*'s first release leaves out, and why."""
    assert outcome.resolution is not None  # noqa: S101 - (resolved: said)
    first, start = whole.start, later.start
    left = f"{whole.python}.{first}" + (f"-{whole.python}.{start - 1}" if start - 1 > first else "")
    because = bounds.excluding(outcome.resolution, whole.python, range(first, start))
    reason = "; ".join(because) if because else f"{left} has no resolution"
    return (
        f"locked from {later.target.version} on, without {left}: {reason}"
        f" ({whole.target.version}: {why})"
    )


__all__ = ["MAX_TRIES", "Late", "start_later", "starting_at"]
