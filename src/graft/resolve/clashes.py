"""Clashes: a candidate no resolution can pin beside any candidate a root may be offered.

A requirement of the request (a *root*) is met in every resolution, by one of the candidates
it may ever be offered (its widened offer, :meth:`~graft.resolve.dead_ends.DeadEnds.widened`).
A candidate one of whose own requirements admits nothing together with one of each of those
candidates' (on the same identifier) is then a dead end (decision 133). Asked by
:meth:`~graft.resolve.dead_ends.DeadEnds.rule_out_clashes` after resolvelib failed to pin a
root, and imported only then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from packaging.specifiers import SpecifierSet

from graft.resolve.candidates import PYTHON, Need, WheelCandidate, candidate_key

if TYPE_CHECKING:
    from graft.resolve.candidates import Candidate


class Screening(Protocol):
    """What a clash is worked out from: the provider's dead ends (:mod:`.dead_ends`)."""

    dead_ends: dict[tuple[str, str, str | None], tuple[WheelCandidate, Need]]

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


__all__ = ["Clash", "clash_with"]
