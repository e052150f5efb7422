"""resolve.backtracking: resolvelib's search going back one pin at a time, on tiny graphs.

The provider here is resolvelib's bare contract (no graft screening, no dead ends), so each
test is about the search alone; it also fails if resolvelib's private ``Resolution`` that
:class:`~graft.resolve.backtracking.Backtracking` builds on changes shape.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from resolvelib import (
    AbstractProvider,
    BaseReporter,
    ResolutionImpossible,
    ResolutionTooDeep,
    Resolver,
)
from resolvelib.resolvers import Resolution

from graft.resolve.backtracking import Backtracking, backtracking_search
from graft.resolve.reporter import RepinCycle

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from resolvelib.resolvers import Criterion
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


#: Decision 285's universe (``REPINS_IN_A_CYCLE`` in test_resolver_properties): no
#: resolution exists, and resolvelib re-pins r2 and s0 in a cycle that meets no conflict.
REPINS: Graph = {
    "r0": {1: (), 2: ()},
    "r1": {1: (("r0", frozenset({1, 2})), ("r2", frozenset({1, 2, 3})), ("s0", frozenset({1, 3})))},
    "r2": {
        1: (("s0", frozenset({3})),),
        2: (("s0", frozenset({1})),),
        3: (("s0", frozenset({1, 3})),),
    },
    "s0": {
        1: (("r2", frozenset({1})), ("r0", frozenset({1, 2}))),
        3: (("r2", frozenset({2})), ("r0", frozenset({1, 2})), ("r1", frozenset({1}))),
    },
}


class Rounds(BaseReporter[Req, Cand, str]):
    def __init__(self) -> None:
        self.rounds = 0

    def starting_round(self, index: int) -> None:
        self.rounds = index + 1


def test_a_cycle_of_re_pins_ends_the_search_where_resolvelib_runs_out_of_rounds() -> None:
    roots = [Req(*_any(REPINS, "r0")), Req(*_any(REPINS, "r1"))]
    with pytest.raises(ResolutionTooDeep):  # (resolvelib 1.2.1's own search)
        Resolver(GraphProvider(REPINS), BaseReporter()).resolve(roots, max_rounds=2000)
    reporter = Rounds()
    with pytest.raises(RepinCycle):
        backtracking_search(GraphProvider(REPINS), reporter, roots, 2000)
    assert reporter.rounds < 50


def test_a_strict_search_refuses_the_cycle_with_its_conflict() -> None:
    roots = [Req(*_any(REPINS, "r0")), Req(*_any(REPINS, "r1"))]
    reporter = Rounds()
    with pytest.raises(ResolutionImpossible) as refused:
        backtracking_search(GraphProvider(REPINS), reporter, roots, 2000, strict=True)
    assert reporter.rounds < 50
    assert {c.requirement.name for c in refused.value.causes} & {"r2", "s0"}


class Pins(BaseReporter[Req, Cand, str]):
    def __init__(self) -> None:
        self.pinned: list[Cand] = []

    def pinning(self, candidate: Cand) -> None:
        self.pinned.append(candidate)


@pytest.mark.parametrize(("strict", "b_pins"), [(False, 2), (True, 1)])
def test_a_strict_search_resolves_without_re_pins(strict: bool, b_pins: int) -> None:
    """b 2 is pinned before c (by name), and c 2 needs b 1: the plain search keeps c 2 and
    pins b again; the strict one gives c 2 up (it excludes the pin b 2) for c 1. Both
    resolve."""
    graph: Graph = {
        "a": {2: (("b", frozenset({1, 2})), ("c", frozenset({1, 2})))},
        "b": {2: (), 1: ()},
        "c": {2: (("b", frozenset({1})),), 1: (("b", frozenset({1, 2})),)},
    }
    reporter = Pins()
    needs = [Req(*_any(graph, "a"))]
    result = backtracking_search(GraphProvider(graph), reporter, needs, 100, strict=strict)
    pins = {name: c.version for name, c in result.mapping.items()}
    assert pins == ({"a": 2, "b": 1, "c": 2} if not strict else {"a": 2, "b": 2, "c": 1})
    assert [c.name for c in reporter.pinned].count("b") == b_pins


NAMES = ("a", "b", "c", "d")


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    """Up to four projects of versions 1-3, each release needing others in a version set."""
    graph: Graph = {}
    for name in NAMES:
        versions = draw(st.sets(st.sampled_from((1, 2, 3)), min_size=1))
        others = [n for n in NAMES if n != name]
        graph[name] = {
            v: tuple(
                (dep, frozenset(draw(st.sets(st.sampled_from((1, 2, 3)), min_size=1))))
                for dep in draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
            )
            for v in versions
        }
    return graph


def _solvable(graph: Graph, roots: Sequence[str]) -> bool:
    """Brute force: some choice of a version (or none) per project meets every need."""
    names = tuple(graph)
    for picked in itertools.product(*([None, *graph[n]] for n in names)):
        pins = dict(zip(names, picked, strict=True))
        if any(pins[r] is None for r in roots):
            continue
        if all(
            pins[dep] in allowed
            for name, version in pins.items()
            if version is not None
            for dep, allowed in graph[name][version]
        ):
            return True
    return False


#: Found by the test below (decision 286): b 2 is pinned, then c 2, which excludes it (b's
#: requirements dropped), then a 2, which excludes c 2 (c 2's requirement on b dropped, so b 2
#: is satisfied again): resolvelib 1.2.1 answers b 2 without the c==2 and d it needs.
STALE_PIN_SATISFIED_AGAIN: Graph = {
    "a": {2: (("c", frozenset({1})),)},
    "b": {1: (), 2: (("d", frozenset({1})), ("c", frozenset({2})))},
    "c": {1: (), 2: (("a", frozenset({2})), ("b", frozenset({1}))), 3: ()},
    "d": {1: ()},
}


@settings(max_examples=300, deadline=None)
@given(graphs(), st.lists(st.sampled_from(NAMES), min_size=1, max_size=2, unique=True))
@example(REPINS, ["r0", "r1"])
@example(STALE_PIN_SATISFIED_AGAIN, ["b"])
def test_searches_resolve_or_refuse_rightly_and_a_cycle_ends_in_a_strict_one(
    graph: Graph, roots: list[str]
) -> None:
    """A resolution meets every pin's needs; a refusal means brute force finds none; a
    re-pin cycle (the plain search's only other end) is followed by a strict search."""
    needs = [Req(*_any(graph, r)) for r in roots]
    for strict in (False, True):
        search = Backtracking(GraphProvider(graph), Rounds(), strict=strict)
        try:  # (the state, not resolvelib's walk of it: that recurses on a cycle off the root)
            state = search.resolve(needs, 5000)
        except RepinCycle:
            assert not strict
            continue
        except ResolutionImpossible:
            assert not _solvable(graph, roots)
            continue
        pins = {name: c.version for name, c in state.mapping.items()}
        assert set(roots) <= set(pins)
        for name, version in pins.items():
            for dep, allowed in graph[name][version]:
                assert pins.get(dep) in allowed


def test_a_pin_excluded_then_satisfied_again_is_pinned_again_with_its_requirements() -> None:
    graph, roots = STALE_PIN_SATISFIED_AGAIN, [Req(*_any(STALE_PIN_SATISFIED_AGAIN, "b"))]
    state = Resolution(GraphProvider(graph), BaseReporter()).resolve(roots, 100)
    assert state.mapping["b"].version == 2  # (resolvelib's own: c==2 and d missing)
    assert state.mapping["c"].version == 1
    state = Backtracking(GraphProvider(graph), BaseReporter()).resolve(roots, 100)
    assert state.mapping["b"].version == 1


class _Unremembered(Backtracking[Req, Cand, str]):
    """Backtracking asking resolvelib's own question each time (no memo: decision 496)."""

    def _is_current_pin_satisfying(self, name: str, criterion: Criterion[Req, Cand]) -> bool:
        return Resolution._is_current_pin_satisfying(self, name, criterion)


def _outcome(search: Backtracking[Req, Cand, str], needs: list[Req]) -> object:
    try:
        state = search.resolve(needs, 5000)
    except (RepinCycle, ResolutionImpossible) as exc:
        return type(exc).__name__
    return sorted((name, c.version) for name, c in state.mapping.items())


@settings(max_examples=300, deadline=None)
@given(graphs(), st.lists(st.sampled_from(NAMES), min_size=1, max_size=2, unique=True))
@example(REPINS, ["r0", "r1"])
@example(STALE_PIN_SATISFIED_AGAIN, ["b"])
def test_the_pin_verdicts_kept_per_criterion_change_no_search(
    graph: Graph, roots: list[str]
) -> None:
    """A guard: each search ends as it does asking resolvelib's question every round."""
    needs = [Req(*_any(graph, r)) for r in roots]
    for strict in (False, True):
        kept = _outcome(Backtracking(GraphProvider(graph), Rounds(), strict=strict), needs)
        asked = _outcome(_Unremembered(GraphProvider(graph), Rounds(), strict=strict), needs)
        assert kept == asked
