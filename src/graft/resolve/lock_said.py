"""What ``graft lock`` says of its environments: each reason once, the environments named compactly.

A lock's matrix holds six platforms per Python series, and most of what one environment's
resolution says holds on its neighbours too: ``cryptography>=44`` has no resolution on any
3.9.0 platform. :func:`said_once` says each reason once (decision 158), headed by the
environments it holds in (:func:`compact`: ``cp39 on 6 platforms``), and reasons that differ
only in the target's tags they name as one, without them (decision 178: the tags are data,
:class:`~graft.resolve.resolution_error.Reason`); :func:`why_not` is why one environment has
no resolution, in one line (:func:`reason_of`, or why it is left out). One asked for by name
(a platform tag) is not left out: :func:`refuse_if_named` says its resolution's failure
whole; and :func:`none_locked` says why a lock holds no environment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from graft.resolve.resolution_error import Reason

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from graft.errors import BuildError
    from graft.resolve.environments import Environment
    from graft.resolve.lock_envs import Outcome
    from graft.resolve.resolution_error import ResolutionError


def _listed(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def compact(labels: Iterable[str]) -> str:
    """Environment labels (``cp39 win_amd64``) as one phrase, grouped by series and platforms.

    One label as it is; else per set of platforms, the series that share it: ``cp39 on
    win_amd64 and win_arm64``, ``cp39 and cp310 on win_arm64``, ``cp39 on 6 platforms``
    (more than two named by their count; ``--json`` lists each), sets apart by ``;``.
    """
    unique = list(dict.fromkeys(labels))
    if len(unique) == 1:
        return unique[0]
    by_series: dict[str, list[str]] = {}
    for label in unique:
        series, _, platform = label.partition(" ")
        by_series.setdefault(series, []).append(platform)
    by_platforms: dict[tuple[str, ...], list[str]] = {}
    for series, platforms in by_series.items():
        by_platforms.setdefault(tuple(platforms), []).append(series)
    parts = []
    for where, which in by_platforms.items():
        named = _listed(where) if len(where) <= 2 else f"{len(where)} platforms"  # noqa: PLR2004
        parts.append(f"{_listed(which)} on {named}")
    return "; ".join(parts)


def said_once(said: Iterable[tuple[str, str | Reason]]) -> list[str]:
    """``ENVIRONMENTS: REASON`` per reason, from (environment label, reason) pairs, in order.

    Reasons that differ only in the target tags they name (:class:`Reason`'s ``tags``; a
    text names none) are one reason, said without them (``cp310, cp311 and cp312 on
    win_arm64: no wheel of x 1.0 for the target``): the environments name their tags, and
    ``--json`` and ``-v`` keep each reason whole. What differs otherwise (the version a
    series lacks) is said apart, as before.
    """
    where: dict[str, list[str]] = {}
    whole: dict[str, set[str]] = {}  # each reason as said, by its text without its tags
    for label, reason in said:
        key = reason.text if isinstance(reason, Reason) else reason
        where.setdefault(key, []).append(label)
        whole.setdefault(key, set()).add(str(reason))
    return [
        f"{compact(labels)}: {next(iter(whole[key])) if len(whole[key]) == 1 else key}"
        for key, labels in where.items()
    ]


def why_not(exc: Exception) -> Reason:
    """One line on why an environment is not locked, the target's tags it names apart."""
    from graft.errors import BuildError  # noqa: PLC0415

    if isinstance(exc, BuildError):  # (one met backtracking has the conflict's lines below)
        what = exc.what.partition("\n")[0]
        return Reason(f"{exc.where + ': ' if exc.where else ''}{what}")
    lines, kind = getattr(exc, "lines", ()), getattr(exc, "kind", "")
    ruled_out = getattr(exc, "gave_up", 0)
    if ruled_out:  # (decision 67: a bound, not a proof; decision 105)
        return Reason(
            f"the search was given up after ruling out {ruled_out} candidates, with no proof"
            " that none fits (graft sync for that target searches on)"
        )
    if not lines:
        return Reason(str(kind))
    head = str(lines[0])
    if not head.endswith(":"):
        reason = getattr(exc, "reason", None)  # (a ResolutionError's first line as data)
        return reason if isinstance(reason, Reason) else Reason(head)
    # "...excluded by every wheel that was tried:", a line per wheel after it: counted, not
    # named, so that the line names no project (a lock after an edit relies on that,
    # cli/lockedit.py); graft lock for that environment alone names them
    n = len(lines) - 1
    return Reason(
        f"{head[:-1]} ({n} wheel{'s' if n != 1 else ''}; lock that environment alone to see)"
    )


def reason_of(env: Environment, outcome: Outcome) -> Reason:
    """Why *env* has no resolution, in one line (its failure's, or why it is skipped)."""
    if outcome.failure is not None:
        return why_not(outcome.failure)
    return Reason(str(outcome.skip).removeprefix(f"{env.label}: "))


def refuse_if_named(env: Environment, exc: Exception) -> None:
    """Raise for an environment asked for by name (a platform tag): it must be locked.

    The resolution's explanation whole, headed by the environment, as ``graft sync`` says
    it (decision 135: its first line alone, the rest behind ``-v``, said little: "excluded
    by every wheel that was tried:" and no wheel); ``--python-version`` is the lock's way
    to another Python, where a sync's hint names ``--python``.
    """
    from graft.resolve.resolution_error import Kind, ResolutionError  # noqa: PLC0415

    if not env.named:
        return
    if not isinstance(exc, ResolutionError):
        raise exc
    hint = "lock another --python-version" if exc.kind is Kind.PYTHON else exc.hint
    lines = [f"{env.label}: {exc.lines[0]}", *exc.lines[1:]]
    raise ResolutionError(exc.kind, lines, hint, gave_up=exc.gave_up) from None


def none_locked(
    first: ResolutionError | BuildError | None,
    skipped: Sequence[tuple[str, Reason]],
    *,
    extraless: bool,  # one of them left out for a release without an extra (decision 233)
) -> NoReturn:
    """Raise why no environment is locked: the first failure, or what left them out."""
    from graft.errors import SourceError, UsageError  # noqa: PLC0415

    if extraless:  # (each lacks an extra another one provides: decision 233)
        raise SourceError(
            f"no environment can be locked: {'; '.join(said_once(skipped))}",
            hint="name the release or the environments (--python-version/--platform)",
        )
    if first is None:
        raise UsageError(
            "the lock files given cover none of the environments to lock",
            hint="name the environments with --python-version/--platform",
            details=tuple(f"{label}: {why}" for label, why in skipped),
        )
    raise first


__all__ = ["compact", "none_locked", "reason_of", "refuse_if_named", "said_once", "why_not"]
