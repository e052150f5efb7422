"""resolvelib's search, going back one pin at a time: a refusal it ends in is sound.

resolvelib 1.2's ``Resolution._backjump`` is not sound: it can raise
``ResolutionImpossible`` for a request that has a resolution (decision 222). Its optimistic
backjump skips pins unrelated to a conflict and, once that fails, rolls the states back to
a stack whose last state is a pinned one, not a scratch copy of it: the next conflict's
backjump then deletes that state as the scratch, dropping its pin (``r1 2.0``) without
marking it incompatible, and marks the pin before it (the root ``r0 2.0``, the only
release) incompatible instead. Its safe backjump skips a pin whose project is among a
conflict's causes but whose dependencies are not (resolvelib issue 206, open).

:class:`Backtracking` is resolvelib's search (its rounds, preferences and pinning) with
backtracking as resolvelib had it before backjumping: the last pin is taken back, marked
incompatible with the pins before it, and the state before it patched; if that leaves a
criterion without candidates, the pin before that is taken back, and so on. Every
incompatibility it records holds given the pins below it, so a search it exhausts proves
that no resolution exists (given a provider whose offers leave out only candidates no
resolution can pin: graft's dead ends). It uses resolvelib's private ``Resolution`` (its
states, ``_push_new_state``, ``_patch_criteria``, ``_attempt_to_pin_criterion``,
``_get_updated_criteria``, ``_remove_information_from_criteria``);
``tests/unit/test_backtracking.py`` fails if those change.

resolvelib also *re-pins*: a pin whose project a later pin's requirements exclude loses its
own requirements and is pinned again in a later round. resolvelib keeps it pinned meanwhile,
and if the requirement excluding it goes too, it is satisfied again without its
requirements: an answer missing them. Here it is taken out instead (decision 286). On some
requests the re-pins go round a cycle that never meets a conflict (decision 285): so each
state of the search a re-pin starts from is remembered, and once one comes again the search
ends (:class:`RepinCycle`) to be started again *strict*: a candidate whose requirements
exclude a pin is given up like one whose requirements admit nothing, so that no pin is ever
excluded, nothing is re-pinned, and the search is the plain chronological one, which ends
(decision 286).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from resolvelib.resolvers import RequirementsConflicted
from resolvelib.resolvers.resolution import Resolution, _build_result

from graft.resolve.reporter import RepinCycle

if TYPE_CHECKING:
    from collections.abc import Collection, Hashable, Iterable

    from resolvelib import AbstractProvider, BaseReporter
    from resolvelib.resolvers import Criterion
    from resolvelib.resolvers.abstract import Result
    from resolvelib.structs import RequirementInformation

RT = TypeVar("RT")  # a requirement (graft's: Need)
CT = TypeVar("CT")  # a candidate (graft's: Candidate)
KT = TypeVar("KT")  # an identifier (graft's: str)

#: The states a backtrack leaves at least: the root's (no pin) and a scratch copy of it.
KEPT = 2


class Backtracking(Resolution[RT, CT, KT]):
    """A resolvelib resolution that takes back the last pin on a conflict, never more.

    *strict*: a candidate that would leave a pin unsatisfied is given up (no re-pins).
    """

    def __init__(
        self,
        provider: AbstractProvider[RT, CT, KT],
        reporter: BaseReporter[RT, CT, KT],
        *,
        strict: bool = False,
    ) -> None:
        super().__init__(provider, reporter)
        self._optimistic_backjumping_ratio = 0.0  # (no states saved, none rolled back)
        self._strict = strict
        self._repinned_from: set[Hashable] = set()
        self._went_stale: set[KT] = set()  # (pinned once, then excluded by a later pin)
        # (criterion, pin) -> verdict, kept with both (decision 496)
        self._satisfying: dict[tuple[int, int], tuple[object, object, bool]] = {}

    def _is_current_pin_satisfying(self, name: KT, criterion: Criterion[RT, CT]) -> bool:
        """Whether *name*'s pin meets *criterion*, once per criterion and pin (kept with both).

        resolvelib asks it of every criterion in every round, each asking its provider of
        every requirement (``autogluon==1.1.1``'s 41 resolutions: 1.35 million questions,
        4.7 million requirements). A criterion is never changed (resolvelib makes a new one
        for each change, :class:`~resolvelib.resolvers.Criterion` says so) and the provider's
        verdict on a pair is its own (:meth:`~graft.resolve.provider.Provider.is_satisfied_by`),
        so the answer for the same two objects is the same.
        """
        pin = self.state.mapping.get(name)
        if pin is None:
            return False
        key = (id(criterion), id(pin))
        known = self._satisfying.get(key)
        if known is None or known[0] is not criterion or known[1] is not pin:
            ok = all(self._p.is_satisfied_by(r, pin) for r in criterion.iter_requirement())
            known = self._satisfying[key] = (criterion, pin, ok)
        return known[2]

    def _attempt_to_pin_criterion(self, name: KT) -> list[Criterion[RT, CT]]:
        """Pin *name* as resolvelib does; a re-pin from a state seen before ends the search.

        Only a re-pin can start a cycle: without one, each round pins a project more or
        takes one back with what it learned, and chronological search never comes back.
        """
        if not self._strict and name in self._went_stale:
            state = self._signature()
            if state in self._repinned_from:
                raise RepinCycle(name)
            self._repinned_from.add(state)
        return super()._attempt_to_pin_criterion(name)

    def _remove_information_from_criteria(
        self, criteria: dict[KT, Criterion[RT, CT]], parents: Collection[KT]
    ) -> None:
        """What the pins a round's pin excludes required is dropped, and those pins with it.

        resolvelib drops the requirements but keeps the pin, which is pinned again only while
        it stays excluded: once the requirement excluding it goes too (its own parent
        excluded in turn), the pin is satisfied again without its requirements, and the
        answer misses them (``b 2`` kept without the ``c==2`` it needs: decision 286). Taken
        out, it is pinned again like any other, with its requirements.
        """
        super()._remove_information_from_criteria(criteria, parents)
        for name in parents:
            self.state.mapping.pop(name, None)
            self._went_stale.add(name)

    def _get_updated_criteria(self, candidate: CT) -> dict[KT, Criterion[RT, CT]]:
        """The criteria with *candidate*'s requirements; strict, a conflict if a pin fails."""
        criteria = super()._get_updated_criteria(candidate)
        if self._strict:
            before = self.state.criteria
            for key, pin in self.state.mapping.items():
                criterion = criteria[key]
                if criterion is before[key]:
                    continue  # (no requirement of *candidate*'s on it)
                if not all(self._p.is_satisfied_by(r, pin) for r in criterion.iter_requirement()):
                    raise RequirementsConflicted(criterion)
        return criteria

    def _signature(self) -> Hashable:
        """All of the state the next rounds depend on: pins, criteria, backtrack causes."""
        state = self.state
        criteria = tuple(
            (key, tuple(c.information), tuple(c.incompatibilities))
            for key, c in state.criteria.items()
        )
        return (tuple(state.mapping.items()), criteria, tuple(state.backtrack_causes))

    def _backjump(self, causes: list[RequirementInformation[RT, CT]]) -> bool:
        """Take back pins, last first, until one taken back leaves a candidate for each.

        The stack is ``[..., X, Y, Z]``: Z the round's scratch state, whose pin failed, and
        Y the state whose last pin (y) led to it. No resolution extends X's pins with y:
        y is marked incompatible in a copy of X, with what Y had learned (over X's pins too).
        *causes* are resolvelib's; a backtrack needs none.
        """
        del causes
        while len(self._states) > KEPT:
            del self._states[-1]
            broken = self._states.pop()
            name, candidate = broken.mapping.popitem()
            learned = [(key, list(c.incompatibilities)) for key, c in broken.criteria.items()]
            learned.append((name, [candidate]))
            self._push_new_state()
            if self._patch_criteria(learned):
                return True
        return False


def backtracking_search(
    provider: AbstractProvider[RT, CT, KT],
    reporter: BaseReporter[RT, CT, KT],
    requirements: Iterable[RT],
    max_rounds: int,
    *,
    strict: bool = False,
) -> Result[RT, CT, KT]:
    """What resolvelib's ``Resolver.resolve`` answers, found by :class:`Backtracking`.

    Raises :class:`RepinCycle` unless *strict*: the caller starts a strict search.
    """
    state = Backtracking(provider, reporter, strict=strict).resolve(requirements, max_rounds)
    return _build_result(state)


__all__ = ["Backtracking", "backtracking_search"]
