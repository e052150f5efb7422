"""resolve.backtracking: resolvelib's search going back one pin at a time, on tiny graphs.

The provider here is resolvelib's bare contract (no graft screening, no dead ends), so each
test is about the search alone; it also fails if resolvelib's private ``Resolution`` that
:class:`~graft.resolve.backtracking.Backtracking` builds on changes shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from resolvelib import AbstractProvider, BaseReporter, ResolutionImpossible, Resolver

from graft.resolve.backtracking import backtracking_search

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from resolvelib.structs import RequirementInformation

#: name -> version -> (name, allowed versions) of each dependency
Graph = dict[str, dict[int, tuple[tuple[str, frozenset[int]], ...]]]


@dataclass(frozen=True)
class Req:
    name: str
    allowed: frozenset[int]


@dataclass(frozen=True)
class Cand:
    name: str
    version: int


class GraphProvider(AbstractProvider[Req, Cand, str]):
    """Newest first; the causes of the last backtrack first, as graft's provider prefers."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def identify(self, requirement_or_candidate: Req | Cand) -> str:
        return requirement_or_candidate.name

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Cand],
        candidates: Mapping[str, Iterator[Cand]],
        information: Mapping[str, Iterator[RequirementInformation[Req, Cand]]],
        backtrack_causes: Sequence[RequirementInformation[Req, Cand]],
    ) -> tuple[bool, str]:
        del resolutions, candidates, information
        causes = {c.requirement.name for c in backtrack_causes}
        causes.update(c.parent.name for c in backtrack_causes if c.parent is not None)
        return (identifier not in causes, identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Cand]],
    ) -> Iterable[Cand]:
        reqs = list(requirements[identifier])
        bad = {c.version for c in incompatibilities[identifier]}
        return [
            Cand(identifier, v)
            for v in sorted(self.graph[identifier], reverse=True)
            if v not in bad and all(v in r.allowed for r in reqs)
        ]

    def is_satisfied_by(self, requirement: Req, candidate: Cand) -> bool:
        return candidate.version in requirement.allowed

    def get_dependencies(self, candidate: Cand) -> Iterable[Req]:
        return [Req(n, a) for n, a in self.graph[candidate.name][candidate.version]]


def _any(graph: Graph, name: str) -> tuple[str, frozenset[int]]:
    return (name, frozenset(graph.get(name, {1: ()})))


def _pins(graph: Graph, roots: list[str]) -> dict[str, int]:
    reporter: BaseReporter[Req, Cand, str] = BaseReporter()
    needs = [Req(*_any(graph, r)) for r in roots]
    result = backtracking_search(GraphProvider(graph), reporter, needs, 100)
    return {name: c.version for name, c in result.mapping.items()}


def test_a_pin_is_taken_back_where_a_backjump_skips_it() -> None:
    """resolvelib issue 206's graph: p1 2 pulls in p0 2, whose p2 ==2 clashes with p2 1; p1 1
    is the way out, but resolvelib's backjump skips p1's state (p1 2's dependency, p0, is
    not among the causes) and refuses."""
    graph: Graph = {
        "p0": {2: (("p2", frozenset({2})),)},
        "p1": {2: (("p0", frozenset({2})),), 1: ()},
        "p2": {2: (("p1", frozenset({3})),), 1: (("p1", frozenset({1, 2})),)},
    }
    reporter: BaseReporter[Req, Cand, str] = BaseReporter()
    with pytest.raises(ResolutionImpossible):  # (resolvelib 1.2.1's own search)
        Resolver(GraphProvider(graph), reporter).resolve([Req(*_any(graph, "p2"))])
    assert _pins(graph, ["p2"]) == {"p2": 1, "p1": 1}


def test_a_refusal_is_reached_when_nothing_resolves() -> None:
    graph: Graph = {
        "a": {2: (("b", frozenset({2})),), 1: (("b", frozenset({2})),)},
        "b": {2: (("c", frozenset({1})),), 1: ()},
        "c": {2: ()},
    }
    reporter: BaseReporter[Req, Cand, str] = BaseReporter()
    with pytest.raises(ResolutionImpossible):
        backtracking_search(GraphProvider(graph), reporter, [Req("a", frozenset({1, 2}))], 100)
