"""Clashes: a candidate no resolution can pin beside any candidate a root may be offered.

A requirement of the request (a *root*) is met in every resolution, by one of the candidates
it may ever be offered (its widened offer, :meth:`~graft.resolve.dead_ends.DeadEnds.widened`).
A candidate one of whose own requirements admits nothing together with one of each of those
candidates' (on the same identifier) is then a dead end (decision 133). Where the root's
*reach* on that identifier is known (every version any of its candidates admits), one
requirement beyond it is enough, and the candidate's older releases that clash the same way
are learned at once (decision 137). Asked by
:meth:`~graft.resolve.dead_ends.DeadEnds.rule_out_clashes` after resolvelib failed to pin a
root, and imported only then.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from graft.resolve.admit import by_version
from graft.resolve.candidates import PYTHON, Need, WheelCandidate, candidate_key

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.candidates import Candidate


class Screening(Protocol):
    """What a clash is worked out from: the provider's dead ends (:mod:`.dead_ends`)."""

    dead_ends: dict[tuple[str, str, str | None], tuple[WheelCandidate, Need]]
    clashes: dict[tuple[str, str, str | None], Clash]
    _reaches: dict[tuple[Need, str], frozenset[int]]

    def files(self, name: NormalizedName) -> Sequence[ArtifactFile]:
        """The project's files."""
        ...

    def _matches(
        self, identifier: str, needs: list[Need], bad: set[Candidate], *, dead: bool = False
    ) -> list[Candidate]: ...

    def _known(
        self, candidate: WheelCandidate
    ) -> tuple[list[Need], list[Need], tuple[str, ...]]: ...

    def widened(self, need: Need) -> list[Candidate] | None:
        """Every candidate offered for *need* with any other requirements; None if unknown."""
        ...

    def known_only(self, candidate: WheelCandidate) -> list[Need] | None:
        """The candidate's needs if its METADATA was read already; else None."""
        ...

    def _hopeless(self, need: Need) -> bool: ...


@dataclass(frozen=True, slots=True)
class Clash:
    """Why a candidate clashes with a requirement of the request (decision 133).

    The candidate's *need* and the best candidate *root* admits, *theirs*, with its own
    requirement *their_need*: they admit nothing together; nor does any other candidate of
    *root* with the candidate (*others* of them, dead ends aside).
    """

    need: Need
    root: Need
    theirs: WheelCandidate
    their_need: Need
    others: int


def learn(screening: Screening, parent: WheelCandidate, root: Need) -> Clash | None:
    """Whether *parent* clashes with every candidate *root* may be offered: then a dead end.

    Recorded as one (with why, for the explanation), and so are its older releases that clash
    the same way (:func:`older_clashes`).
    """
    clash = clash_at_once(screening, parent, root) or clash_with(screening, parent, root)
    if clash is not None:
        key = candidate_key(parent)
        screening.dead_ends[key] = (parent, clash.need)
        screening.clashes[key] = clash
        older_clashes(screening, parent, clash)
    return clash


def clash_at_once(screening: Screening, parent: WheelCandidate, root: Need) -> Clash | None:
    """A need of *parent*'s that admits no version any candidate of *root* reaches, or None.

    :func:`clash_with`'s answer where :func:`reach` knows it, without a screening per pair of
    requirements (decision 137).
    """
    own = screening.known_only(parent)
    theirs = [
        c
        for c in screening.widened(root) or ()
        if isinstance(c, WheelCandidate) and candidate_key(c) not in screening.dead_ends
    ]
    mine = [n for n in own or () if n.name != PYTHON and n.filename is None]
    for need in mine if theirs else ():
        reached = reach(screening, root, need.identifier)
        if reached and _beyond(screening, [need], reached):
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
    (decision 137).
    """
    on = clash.need.identifier
    reached = reach(screening, clash.root, on)
    if reached is None:
        return
    for older in screening._matches(parent.identifier, [], set()):  # noqa: SLF001
        if not isinstance(older, WheelCandidate) or older.version >= parent.version:
            continue
        if not older.file.is_wheel:
            return
        fixed, own, _ = screening._known(older)  # noqa: SLF001 - the same screening's
        needs = [n for n in (*fixed, *own) if n.identifier == on and n.filename is None]
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


def reach(screening: Screening, root: Need, identifier: str) -> frozenset[int] | None:
    """Every version of *identifier* a candidate *root* may be offered can take, or None.

    As positions in its listing (:meth:`~graft.resolve.admit.ByVersion.admitting`): the
    versions each candidate of the root's widened offer (dead ends aside) admits by its own
    requirements on *identifier*, whatever the tags, yanked or prerelease. None if one has
    none, names a file, or its METADATA is not read: then nothing is known. Remembered per
    pair (dead ends learned later only make it smaller).
    """
    if (root, identifier) in screening._reaches:  # noqa: SLF001 - the provider's memo
        return screening._reaches[(root, identifier)]  # noqa: SLF001
    widened = screening.widened(root)
    if widened is None or identifier == PYTHON:
        return None
    grouped = by_version(screening.files(NormalizedName(identifier.partition("[")[0])))
    reached: set[int] = set()
    for candidate in widened:
        if not isinstance(candidate, WheelCandidate):
            return None
        if candidate_key(candidate) in screening.dead_ends:
            continue
        needs = [n for n in screening.known_only(candidate) or () if n.identifier == identifier]
        named = any(n.filename is not None for n in needs)
        admitting = grouped.admitting([n.specifier for n in needs]) if not named else None
        if not needs or admitting is None:
            return None  # (its METADATA not read, or no requirement on it: anything)
        reached |= admitting
    screening._reaches[(root, identifier)] = found = frozenset(reached)  # noqa: SLF001
    return found


def _beyond(screening: Screening, needs: Sequence[Need], reached: frozenset[int]) -> bool:
    """Whether *needs* (on one identifier) together admit no version *reached* holds."""
    grouped = by_version(screening.files(NormalizedName(needs[0].name)))
    admitting = grouped.admitting([n.specifier for n in needs])
    return admitting is not None and not admitting & reached


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
    for candidate in widened:
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
                if n.identifier in mine and _together_hopeless(screening, mine[n.identifier], n)
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


def _together_hopeless(screening: Screening, one: Need, other: Need) -> bool:
    """Whether two requirements on one identifier admit nothing together, ever."""
    if other.filename is not None:
        return False
    both = ",".join(t for t in (str(one.specifier), str(other.specifier)) if t)
    joined = Need(one.name, one.extra, SpecifierSet(both), text=f"{one.text}, {other.text}")
    return screening._hopeless(joined)  # noqa: SLF001 - the same screening's question


__all__ = ["Clash", "clash_at_once", "clash_with", "learn", "older_clashes", "reach"]
