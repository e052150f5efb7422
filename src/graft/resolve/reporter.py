"""What a resolvelib search reports, and the exceptions that end one on purpose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from resolvelib import BaseReporter

from graft.resolve.candidates import Candidate, Need

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from resolvelib.structs import RequirementInformation, State


class RulesOut(Protocol):
    """What the reporter tells of each candidate given up (the provider, decision 91)."""

    def rule_out(self, candidate: Candidate, needs: Sequence[Need]) -> None:
        """*candidate* was given up; *needs* are its own requirements that ruled it out."""

    def rule_out_clashes(self, causes: Collection[RequirementInformation[Need, Candidate]]) -> None:
        """A pin failed because of *causes*: learn the candidates that clash with a root."""

    def holding(self, state: State[Need, Candidate, str]) -> None:
        """The search's *state* after a round: the requirements that hold now (decision 386)."""


class Unsatisfiable(Exception):  # noqa: N818 - ends the resolution; explained by the caller
    """Raised by the provider's ``rule_out`` once a root requirement admits only dead ends."""

    def __init__(self, need: Need) -> None:
        super().__init__(need.identifier)
        self.need = need


class Restart(Exception):  # noqa: N818 - not an error: the search starts again on purpose
    """Raised by the provider's ``rule_out_clashes`` once it learned a dead end (decision 133).

    resolvelib cannot take back a pin made before the ones it is walking through; a search
    started again does not offer the dead end.
    """


class RepinCycle(Restart):
    """Raised by the search once it re-pins from a state it re-pinned from before (decision 286).

    resolvelib would go round the same pins until its rounds ran out; a search started
    again strict (no re-pins) ends with a resolution or a conflict that explains itself.
    """

    def __init__(self, identifier: object) -> None:
        super().__init__(str(identifier))
        self.identifier = identifier


class GaveUp(Exception):  # noqa: N818 - not an error: the resolver is stopped on purpose
    """Raised by :class:`Reporter` once more candidates were ruled out than it allows."""


class Reporter(BaseReporter[Need, Candidate, str]):
    """Counts what the resolver did: rounds, pins and rejected candidates.

    With *max_rejections*, the resolution is stopped (:class:`GaveUp`) once more candidates
    than that were given up.
    """

    def __init__(self, max_rejections: int | None = None, provider: RulesOut | None = None) -> None:
        """*provider*: told of each candidate given up, to rule out dead ends (decision 91)."""
        self.max_rejections = max_rejections
        self.provider = provider
        self.rounds = 0
        self.pins = 0
        self.rejections = 0
        self.conflicts: list[tuple[RequirementInformation[Need, Candidate], ...]] = []
        # the requirements that ruled out the first candidate given up (a backtrack's start)
        self.first_rejected: tuple[RequirementInformation[Need, Candidate], ...] = ()
        self.final: State[Need, Candidate, str] | None = None  # the state it ended in
        self._before = 0  # the rounds of the searches before this one

    def restart(self, provider: RulesOut) -> None:
        """The search starts again with *provider* (:class:`Restart`); counts go on."""
        self.provider = provider
        self._before = self.rounds

    def ending(self, state: State[Need, Candidate, str]) -> None:
        """The resolution found its answer: the state is kept (``resolver._connected``)."""
        self.final = state

    def resolving_conflicts(
        self, causes: Collection[RequirementInformation[Need, Candidate]]
    ) -> None:
        """The resolver backtracks because of *causes*: kept for the explanation.

        The provider is told, and may end this search to start another (:class:`Restart`).
        """
        self.conflicts.append(tuple(causes))
        if self.provider is not None:
            self.provider.rule_out_clashes(causes)

    def ending_round(self, index: int, state: State[Need, Candidate, str]) -> None:
        """A round ended: the provider is told the state the next round goes on from.

        resolvelib's next round changes that state in place until its pin succeeds, so a
        failure met while it reads a candidate's dependencies sees what holds then.
        """
        del index
        if self.provider is not None:
            self.provider.holding(state)

    def starting_round(self, index: int) -> None:
        """A new round (counted across searches)."""
        self.rounds = self._before + index + 1

    def pinning(self, candidate: Candidate) -> None:
        """A candidate was pinned."""
        del candidate
        self.pins += 1

    def rejecting_candidate(self, criterion: object, candidate: Candidate) -> None:
        """A pinned candidate was given up (a backtrack); *criterion* is what ruled it out."""
        self.rejections += 1
        information = tuple(getattr(criterion, "information", ()))
        if not self.first_rejected:
            self.first_rejected = information
        if self.provider is not None:
            own = [info.requirement for info in information if info.parent is candidate]
            self.provider.rule_out(candidate, own)
        if self.max_rejections is not None and self.rejections > self.max_rejections:
            raise GaveUp


__all__ = ["GaveUp", "RepinCycle", "Reporter", "Restart", "Unsatisfiable"]
