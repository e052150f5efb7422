"""A guard for decision 496's memo: ``<python>``'s matches, each Requires-Python judged once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from graft.resolve.candidates import PYTHON, Need
from graft.resolve.policy import Policy
from graft.resolve.provider import Provider
from tests.unit.fakeindex import FakeIndex
from tests.unit.test_pinned import LINUX

_CLAUSES = st.sampled_from(
    ["", ">=3.8", ">=3.12", "<3.11", "<4", "!=3.11.*", "==3.11.*", "~=3.9", ">3.11.0", "<=3.10"]
)


@given(st.lists(st.lists(st.lists(_CLAUSES, max_size=2), max_size=4), min_size=1, max_size=4))
def test_python_s_matches_are_packaging_s_verdicts_however_often_asked(
    rounds: list[list[list[str]]],
) -> None:
    provider = Provider(FakeIndex(), LINUX, Policy())
    python = provider._python.version
    kept: list[Need] = []
    for texts in rounds:
        # (new needs each round, the old ones dropped: an id used again is no verdict kept)
        needs = [Need(PYTHON, None, SpecifierSet(",".join(t)), text="x") for t in texts]
        expected = all(n.specifier.contains(python, prereleases=True) for n in needs)
        for _ in range(2):  # (asked again: the verdicts kept)
            found = provider._matches(PYTHON, needs, set())  # (find_matches')
            assert bool(found) == expected
        kept += needs[:1]
        found = provider._matches(PYTHON, [*kept, *needs], set())
        assert bool(found) == all(
            n.specifier.contains(python, prereleases=True) for n in (*kept, *needs)
        )
        del needs  # (freed: their ids may come back)
