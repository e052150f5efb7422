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
states, ``_push_new_state``, ``_patch_criteria``); ``tests/unit/test_backtracking.py``
fails if those change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from resolvelib.resolvers.resolution import Resolution, _build_result

if TYPE_CHECKING:
    from collections.abc import Iterable

    from resolvelib import AbstractProvider, BaseReporter
    from resolvelib.resolvers.abstract import Result
    from resolvelib.structs import RequirementInformation

RT = TypeVar("RT")  # a requirement (graft's: Need)
CT = TypeVar("CT")  # a candidate (graft's: Candidate)
KT = TypeVar("KT")  # an identifier (graft's: str)

#: The states a backtrack leaves at least: the root's (no pin) and a scratch copy of it.
KEPT = 2


class Backtracking(Resolution[RT, CT, KT]):
    """A resolvelib resolution that takes back the last pin on a conflict, never more."""

    def __init__(
        self,
        provider: AbstractProvider[RT, CT, KT],
        reporter: BaseReporter[RT, CT, KT],
    ) -> None:
        super().__init__(provider, reporter)
        self._optimistic_backjumping_ratio = 0.0  # (no states saved, none rolled back)

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
) -> Result[RT, CT, KT]:
    """What resolvelib's ``Resolver.resolve`` answers, found by :class:`Backtracking`."""
    state = Backtracking(provider, reporter).resolve(requirements, max_rounds)
    return _build_result(state)


__all__ = ["Backtracking", "backtracking_search"]
