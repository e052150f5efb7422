"""Clashes: a candidate no resolution can pin beside any candidate a root may be offered.

A requirement of the request (a *root*) is met in every resolution, by one of the candidates
it may ever be offered (its widened offer, :meth:`~graft.resolve.dead_ends.DeadEnds.widened`).
A candidate one of whose own requirements admits nothing together with one of each of those
candidates' (on the same identifier) is then a dead end (decision 133). Where the root's
*reach* on that identifier is known (every version any of its candidates admits), one
requirement beyond it is enough, and the candidate's older releases that clash the same way
are learned at once (decision 137). So is a candidate whose requirement on the root's own
project admits none of the versions the root admits (:func:`own_clash`, decision 141; when a
root's pin fails, :mod:`.clash_scan` reads its candidates against the other roots' with
these); the versions each side admits are :mod:`.clash_reach`'s. Asked by
:meth:`~graft.resolve.dead_ends.DeadEnds.rule_out_clashes` after resolvelib failed to pin
a root, and by :meth:`~graft.resolve.dead_ends.DeadEnds.rule_out` when it gives a
candidate up; imported only then.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from graft.resolve.admit import by_version
from graft.resolve.candidates import PYTHON, Need, WheelCandidate, candidate_key
from graft.resolve.clash_reach import Clash, apart, beyond, offered_at, reach

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.resolve.candidates import Candidate
    from graft.resolve.clash_reach import Screening

#: How many releases are read ahead of the one a clash is checked against (a scan's root
#: candidates, :mod:`.clash_scan`; a parent's older releases, :func:`older_clashes`).
AHEAD = 8


def learn(screening: Screening, parent: WheelCandidate, root: Need) -> Clash | None:
    """Whether *parent* clashes with every candidate *root* may be offered: then a dead end.

    Recorded as one (with why, for the explanation), and so are its older releases that clash
    the same way (:func:`older_clashes`).
    """
    clash = (
        own_clash(screening, parent, root)
        or clash_at_once(screening, parent, root)
        or clash_with(screening, parent, root)
    )
    if clash is not None:
        record(screening, parent, clash)
    return clash


def record(screening: Screening, parent: WheelCandidate, clash: Clash) -> None:
    """*parent* is a dead end for *clash*, and so are its older releases that clash alike."""
    key = candidate_key(parent)
    screening.dead_ends[key] = (parent, clash.need)
    screening.clashes[key] = clash
    older_clashes(screening, parent, clash)


def live_offer(screening: Screening, root: Need) -> list[WheelCandidate] | None:
    """*root*'s widened offer less the dead ends; None if unknown (or not all wheels)."""
    widened = screening.widened(root)
    if widened is None or not all(isinstance(c, WheelCandidate) for c in widened):
        return None
    ends = screening.dead_ends
    rest = widened[_dead_before(screening, root, widened) :]
    return [c for c in rest if isinstance(c, WheelCandidate) and candidate_key(c) not in ends]


def _dead_before(screening: Screening, root: Need, widened: Sequence[Candidate]) -> int:
    """How many of *root*'s widened offer's first candidates are dead ends, remembered.

    A provider's dead ends only grow and its widened offer per root is one list, so the
    count only grows: a walk over the offer starts past it, not over the same dead ends
    again for each parent asked (``boto3<1.20 botocore awscli``: thousands, decision 488).
    """
    at = screening._dead_before.get(root, 0)  # noqa: SLF001 - the provider's memo
    ends = screening.dead_ends
    while (
        at < len(widened)
        and isinstance(widened[at], WheelCandidate)
        and candidate_key(widened[at]) in ends  # type: ignore[arg-type]
    ):
        at += 1
    screening._dead_before[root] = at  # noqa: SLF001
    return at


def own_clash(screening: Screening, parent: WheelCandidate, root: Need) -> Clash | None:
    """A need of *parent*'s on *root*'s own project that admits no version *root* does, or None.

    Every resolution pins *root*'s project to a version *root* admits
    (:func:`~graft.resolve.clash_reach.offered_at`), and *parent*'s requirement on that
    project must admit it too (an extra's candidate pins its project to its own version).
    ``fastapi`` 0.162.0 requires ``pydantic>=2.9.0``; the request, ``pydantic<2`` (decision
    141). A root that admits no version at all is left to its own explanation.
    """
    if parent.name == root.name or root.filename is not None:
        return None
    own = screening.known_only(parent) or ()
    needs = [n for n in own if n.name == root.name and n.filename is None]
    reached = offered_at(screening, root) if needs else None
    if not reached:
        return None
    grouped = by_version(screening.files(NormalizedName(root.name)))
    for need in needs:
        admitting = grouped.admitting([need.specifier])
        if admitting is not None and not admitting & reached:
            return Clash(need, root, None, None, 0)
    return None


def clash_at_once(screening: Screening, parent: WheelCandidate, root: Need) -> Clash | None:
    """A need of *parent*'s that admits no version any candidate of *root* reaches, or None.

    :func:`clash_with`'s answer where :func:`reach` knows it, without a screening per pair of
    requirements (decision 137).
    """
    own = screening.known_only(parent)
    mine = [n for n in own or () if n.name != PYTHON and n.filename is None]
    for need in mine:
        # (where the offer is all dead ends, the reach is empty: no clash, as before)
        reached = reach(screening, root, need.identifier)
        if reached and beyond(screening, [need], reached):
            theirs = live_offer(screening, root) or []
            if not theirs:
                return None
            known = screening.known_only(theirs[0]) or []
            their_need = next(n for n in known if n.identifier == need.identifier)
            return Clash(need, root, theirs[0], their_need, len(theirs) - 1)
    return None


def older_clashes(screening: Screening, parent: WheelCandidate, clash: Clash) -> None:
    """*parent*'s older releases that clash with *clash*'s root the same way: dead ends.

    Read newest first (their METADATA, as resolvelib would read each on going back to it), up
    to the first that does not, or is no wheel. Each is asked only what :func:`reach` answers
    at once. Without this, every release of ``aiobotocore`` from 3.10 down to 2.11 (50) was a
    search started again, each trying the 1,400 releases of ``boto3<1.34`` first
    (decision 137). A release a requirement of the request on *parent*'s project excludes
    is never pinned, so not read (``apache-airflow==2.9.3 sqlalchemy>=2``: not the hundred
    older airflow releases; decision 224).
    """
    on = clash.need.identifier
    own_project = clash.theirs is None  # (on the root's own project: decision 141)
    reached = offered_at(screening, clash.root) if own_project else reach(screening, clash.root, on)
    mine = [r for r in screening.roots if r.name == parent.name]  # (each bounds every release)
    if reached is None or any(r.filename is not None for r in mine):
        return
    olders = [
        older
        for older in screening._matches(parent.identifier, [], set())  # noqa: SLF001
        if isinstance(older, WheelCandidate)
        and older.version < parent.version
        # (never pinned: not read to learn it, decision 224)
        and all(r.specifier.contains(older.version, prereleases=True) for r in mine)
    ]
    for at, older in enumerate(olders):
        if not older.file.is_wheel:
            return
        _read_ahead(screening, olders, at)
        fixed, own, _ = screening._known(older)  # noqa: SLF001 - the same screening's
        needs = [
            n
            for n in (*fixed, *own)
            if (n.name == clash.root.name if own_project else n.identifier == on)
            and n.filename is None
        ]
        if not needs:
            return
        grouped = by_version(screening.files(NormalizedName(needs[0].name)))
        admitting = grouped.admitting([n.specifier for n in needs])
        if admitting is None or admitting & reached:
            return
        key = candidate_key(older)
        screening.dead_ends[key] = (older, needs[0])
        if admitting:  # (else nothing meets it at all: decision 91's words)
            screening.clashes[key] = replace(clash, need=needs[0])


def _read_ahead(screening: Screening, olders: Sequence[WheelCandidate], at: int) -> None:
    """Once the first older release clashed too, read the next ones in the reader's threads.

    Each is read in turn otherwise, one range read waiting for the last: ``fastapi
    starlette<0.20 pydantic>=2`` reads 330 fastapi releases here (decision 482). Wheels
    only, up to the first sdist (whose read is a build, and where the walk stops).
    """
    if at == 0:
        return
    window = olders[at : at + AHEAD] if at == 1 else olders[at + AHEAD - 1 : at + AHEAD]
    for ahead in window:
        if not ahead.file.is_wheel:
            return
        screening.reader.prefetch(ahead.file)


def clash_with(screening: Screening, parent: WheelCandidate, root: Need) -> Clash | None:
    """How *parent* rules out every candidate *root* may be offered, or None.

    Each candidate of :meth:`~graft.resolve.dead_ends.DeadEnds.widened` is a dead end, or one
    of its own requirements and one of *parent*'s, on the same identifier, admit nothing
    together (``_hopeless``, as one requirement). Only METADATA already read is asked: None if
    one is not.
    """
    own = screening.known_only(parent)
    widened = screening.widened(root)
    if own is None or widened is None:
        return None
    mine = {n.identifier: n for n in own if n.name != PYTHON and n.filename is None}
    found: list[tuple[Need, WheelCandidate, Need]] = []
    for candidate in widened[_dead_before(screening, root, widened) :]:
        if not isinstance(candidate, WheelCandidate):
            return None
        if candidate_key(candidate) in screening.dead_ends:
            continue
        needs = screening.known_only(candidate)
        if needs is None:
            return None
        pair = next(
            (
                (mine[n.identifier], n)
                for n in needs
                if n.identifier in mine and _clashing(screening, mine[n.identifier], n)
            ),
            None,
        )
        if pair is None:
            return None
        found.append((pair[0], candidate, pair[1]))
    if not found:
        return None  # (every candidate a dead end already: decision 91 answers that)
    need, theirs, their_need = found[0]
    return Clash(need, root, theirs, their_need, len(found) - 1)


def _clashing(screening: Screening, one: Need, other: Need) -> bool:
    """Whether two requirements on one identifier admit nothing together, ever.

    By the versions each admits first (:func:`apart`, no screening), then by a screening.
    """
    if other.filename is None and apart(screening, one.name, one, other):
        return True
    return _together_hopeless(screening, one, other)


def _together_hopeless(screening: Screening, one: Need, other: Need) -> bool:
    """Whether two requirements on one identifier admit nothing together, ever."""
    if other.filename is not None:
        return False
    both = ",".join(t for t in (str(one.specifier), str(other.specifier)) if t)
    joined = Need(one.name, one.extra, SpecifierSet(both), text=f"{one.text}, {other.text}")
    return screening._hopeless(joined)  # noqa: SLF001 - the same screening's question


__all__ = [
    "AHEAD",
    "clash_at_once",
    "clash_with",
    "learn",
    "live_offer",
    "older_clashes",
    "own_clash",
    "record",
]
