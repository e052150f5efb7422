"""What comes up unpinned in backtracks again and again is pinned sooner (decision 483)."""

from __future__ import annotations

from typing import cast

from resolvelib.structs import RequirementInformation

from graft.resolve.candidates import Candidate, Need
from graft.resolve.pin_order import PROMOTE_AFTER, Promotions, narrowed, preference
from graft.resolve.policy import Policy
from graft.resolve.resolver import resolve
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import FakeIndex
from tests.unit.test_resolver import pins

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])


def sphinx_shape(releases: int = 6) -> FakeIndex:
    """``sphinx sphinx-toolbox sphinxcontrib-bibtex …`` on 2023-12-09 in miniature.

    ``bib`` 2.6 (sphinxcontrib-bibtex 2.6.1) needs ``du!=0.18.*`` (docutils); every ``zt``
    (sphinx-tabs, brought by ``tb``, sphinx-toolbox) needs ``du~=0.18.0``, so no ``zt``
    can be pinned beside ``bib`` 2.6, whatever else is pinned. ``pa`` to ``pd`` (sphinx-prompt,
    sphinx-autodoc-typehints …) come with ``tb`` too, each with *releases* releases that
    need ``du``: the conflict on ``du`` names them all, and they sort before ``zt``.
    """
    index = FakeIndex()
    index.add("bib", "2.6", ["du!=0.18.*", "sp"])
    index.add("bib", "2.5", ["du", "sp"])
    index.add("sp", "7.0", ["du<0.21"])
    index.add("tb", "3.5", ["pa", "pb", "pc", "pd", "zt"])
    for minor in ("20", "19", "18"):
        index.add("du", f"0.{minor}")
    for name in ("pa", "pb", "pc", "pd"):
        for micro in range(releases, 0, -1):
            index.add(name, f"1.{micro}", ["du", "sp"])
    index.add("zt", "3.4", ["du~=0.18.0"])
    index.add("zt", "3.3", ["du~=0.18.0"])
    return index


def test_a_dependency_failing_against_the_pins_before_it_is_promoted_as_pip_does() -> None:
    """On main, each time ``zt`` failed the last of ``pa``-``pd`` was taken back and, being a
    cause that sorts first, pinned again before ``zt`` was tried: every combination of their
    releases (5,716 rounds for six each, 10,418 for seven; the real case ran out of its 20,000
    rounds). pip 26.3 promotes ``zt`` after five rounds among the causes unpinned; pinned first, its
    failure goes down to ``bib`` at once. uv 0.13.9 and pip answer ``bib`` 2.5, ``du`` 0.18."""
    found = resolve(["bib", "sp", "tb"], LINUX, sphinx_shape(), Policy(), max_rounds=2_000)
    newest = dict.fromkeys(("pa", "pb", "pc", "pd"), "1.6")
    expected = {"bib": "2.5", "du": "0.18", "sp": "7.0", "tb": "3.5", "zt": "3.4"} | newest
    assert pins(found) == expected
    assert found.rounds < 200  # (79)


def _cause(name: str, parent: str | None = None) -> RequirementInformation[Need, Candidate]:
    candidate = None if parent is None else cast("Candidate", _Parent(parent))
    return RequirementInformation(Need(name), candidate)


class _Parent:
    """A stand-in candidate: only its identifier is read."""

    def __init__(self, identifier: str) -> None:
        self.identifier = identifier


def test_an_identifier_is_promoted_after_five_rounds_unpinned_among_the_causes() -> None:
    """pip's count: each round, each cause (a requirement's identifier or its parent's) not
    pinned; a pinned one is not counted; promoted at five, and ever after."""
    promotions = Promotions()
    causes = [_cause("du", parent="zt"), _cause("du", parent="pa")]
    for _ in range(PROMOTE_AFTER - 1):
        promotions.count(causes, pinned={"du", "pa"})
    assert promotions.promoted == set()
    promotions.count(causes, pinned={"du", "pa"})
    assert promotions.promoted == {"zt"}
    assert promotions.counts == {"zt": PROMOTE_AFTER}
    promotions.count([], pinned=set())
    assert promotions.promoted == {"zt"}


def test_the_promoted_come_after_the_causes_and_before_everything_else() -> None:
    """As pip's ``narrow_requirement_selection``: the causes first, else the promoted, else
    all; a promoted project waits for its extras, which are promoted with it (decision 415)."""
    assert narrowed(["a", "pd", "zt"], [_cause("du", parent="pd")], {"zt"}) == ["pd"]
    assert narrowed(["a", "b", "zt"], [], {"zt"}) == ["zt"]
    assert narrowed(["a", "zt", "zt[x]"], [], {"zt"}) == ["zt[x]"]
    assert narrowed(["a", "b"], [], {"zt"}) == ["a", "b"]
    promoted = preference("zt", iter([]), [], {"zt"})
    assert promoted < preference("a", iter([]), [], {"zt"})
    assert preference("pd", iter([]), [_cause("du", parent="pd")], {"zt"}) < promoted
