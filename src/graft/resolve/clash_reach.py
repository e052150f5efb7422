"""What a root's candidates reach: the versions requirements admit, as listing positions.

The questions :mod:`.clashes` and :mod:`.clash_scan` ask of a lock's or a sync's dead ends
(:class:`Screening`, the provider's) before a candidate is found to clash with a root
(:class:`Clash`, decision 133): the versions a root admits (:func:`offered_at`, decision
141), every version of an identifier its candidates admit by their own requirements
(:func:`reach`, decisions 137, 143), and whether two requirements admit no version
together by the listing alone (:func:`apart`, :func:`admits`). Each answer is a set of
positions in the project's listing (:meth:`~graft.resolve.admit.ByVersion.admitting`),
whatever the tags, yanked or prerelease. Imported only at a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from packaging.utils import NormalizedName

from graft.resolve.admit import by_version
from graft.resolve.candidates import PYTHON, Need, WheelCandidate, candidate_key

if TYPE_CHECKING:
    from collections.abc import Sequence

    from packaging.specifiers import SpecifierSet

    from graft.resolve.admit import ByVersion
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.candidates import Candidate
    from graft.resolve.metadata_reader import MetadataReader
    from graft.resolve.policy import Policy


class Screening(Protocol):
    """What a clash is worked out from: the provider's dead ends (:mod:`.dead_ends`)."""

    roots: tuple[Need, ...]
    policy: Policy
    dead_ends: dict[tuple[str, str, str | None], tuple[WheelCandidate, Need]]
    clashes: dict[tuple[str, str, str | None], Clash]
    _reaches: dict[tuple[Need, str], frozenset[int]]
    _unreached: dict[tuple[Need, str], WheelCandidate]
    _admits: dict[tuple[str, SpecifierSet], frozenset[int] | None]
    _dead_before: dict[Need, int]
    reader: MetadataReader

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
    *root* with the candidate (*others* of them, dead ends aside). Without *theirs*, *need*
    is on the root's own project and admits none of the versions the root admits (decision
    141): the root itself is the other side.
    """

    need: Need
    root: Need
    theirs: WheelCandidate | None
    their_need: Need | None
    others: int


def offered_at(screening: Screening, root: Need) -> frozenset[int] | None:
    """The versions *root* admits, as positions in its listing (None: ``===``).

    Every version its specifier (and a constraint on its project) contains, whatever the
    tags, yanked or prerelease: ``pydantic<2`` admits the yanked 1.10.3, which an ``==``
    could have offered, so its widened offer is unknown, but not the versions it admits.
    """
    name = NormalizedName(root.name)
    specs = [root.specifier]
    if name in screening.policy.constraints:
        specs.append(screening.policy.constraints[name])
    return by_version(screening.files(name)).admitting(specs)


def reach(screening: Screening, root: Need, identifier: str) -> frozenset[int] | None:
    """Every version of *identifier* a candidate *root* may be offered can take, or None.

    As positions in its listing (:meth:`~graft.resolve.admit.ByVersion.admitting`): the
    versions each candidate of the root's widened offer (dead ends aside) admits by its own
    requirements on *identifier*, whatever the tags, yanked or prerelease. None if one has
    none, names a file, or its METADATA is not read: then nothing is known. Remembered per
    pair (dead ends learned later only make it smaller); so is the candidate that left it
    unknown, while it still does (decision 143).
    """
    key = (root, identifier)
    if key in screening._reaches:  # noqa: SLF001 - the provider's memo
        return screening._reaches[key]  # noqa: SLF001
    widened = screening.widened(root)
    if widened is None or identifier == PYTHON:
        return None
    grouped = by_version(screening.files(NormalizedName(identifier.partition("[")[0])))
    blocker = screening._unreached.get(key)  # noqa: SLF001
    if (
        blocker is not None
        and candidate_key(blocker) not in screening.dead_ends
        and _taken_by(screening, grouped, blocker, identifier) is None
    ):
        return None  # (still unknown: not every candidate asked again, decision 143)
    reached: set[int] = set()
    for candidate in widened:
        if not isinstance(candidate, WheelCandidate):
            return None
        if candidate_key(candidate) in screening.dead_ends:
            continue
        admitting = _taken_by(screening, grouped, candidate, identifier)
        if admitting is None:
            screening._unreached[key] = candidate  # noqa: SLF001
            return None
        reached |= admitting
    screening._reaches[key] = found = frozenset(reached)  # noqa: SLF001
    return found


def _taken_by(
    screening: Screening, grouped: ByVersion, candidate: WheelCandidate, identifier: str
) -> frozenset[int] | None:
    """The versions of *identifier* *candidate*'s requirements admit (None: anything)."""
    needs = [n for n in screening.known_only(candidate) or () if n.identifier == identifier]
    if not needs or any(n.filename is not None for n in needs):
        return None  # (its METADATA not read, or no requirement on it: anything)
    return grouped.admitting([n.specifier for n in needs])


def beyond(screening: Screening, needs: Sequence[Need], reached: frozenset[int]) -> bool:
    """Whether *needs* (on one identifier) together admit no version *reached* holds."""
    grouped = by_version(screening.files(NormalizedName(needs[0].name)))
    admitting = grouped.admitting([n.specifier for n in needs])
    return admitting is not None and not admitting & reached


def apart(screening: Screening, name: str, one: Need, other: Need) -> bool:
    """Whether no version of *name* the listing states meets both *one* and *other*.

    Whatever the tags, yanked or prerelease: nothing another requirement adds changes it.
    """
    mine, theirs = admits(screening, name, one), admits(screening, name, other)
    return mine is not None and theirs is not None and not mine & theirs


def admits(screening: Screening, name: str, need: Need) -> frozenset[int] | None:
    """The positions of the versions *need* admits (None: ``===``), remembered."""
    key = (name, need.specifier)
    memo = screening._admits  # noqa: SLF001 - the provider's memo
    if key not in memo:
        grouped = by_version(screening.files(NormalizedName(name)))
        memo[key] = grouped.admitting([need.specifier])
    return memo[key]


__all__ = ["Clash", "Screening", "admits", "apart", "beyond", "offered_at", "reach"]
