"""A clash question walks a root's offer past its dead ends once, not once per parent.

``boto3<1.20 botocore awscli`` on CPython 3.9 (decision 488): each of the 941 boto3 releases
among a conflict's parents was asked whether it clashes with every awscli the root may be
offered (:func:`graft.resolve.clashes.clash_at_once`), and each question first listed that
offer less its dead ends: 2,429 candidates, most of them dead ends learned on the way back,
33.8 million candidate keys in six conflicts, 27 s of a 55 s profile. Now the dead ends at
the head of an offer are counted once per root (they only grow), and the live offer is
listed only where a clash was found. Counted here through the keys the questions make.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.resolve import clash_reach, clashes
from graft.resolve.candidates import candidate_key
from graft.resolve.resolver import resolve
from graft.venv.foreign import foreign_target
from tests.unit.test_read_ahead import ListingIndex

if TYPE_CHECKING:
    import pytest

    from graft.resolve.candidates import WheelCandidate

#: Releases of each project: 1.0 up to 1.(RELEASES - 1).
RELEASES = 120
#: ``b3<1.BOUND``; aw's releases from 1.NEWER on need Python 3.10.
BOUND, NEWER = 40, 100
PY39 = foreign_target("3.9", ["manylinux_2_17_x86_64"])


def test_a_root_s_dead_ends_are_walked_once_not_per_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = ListingIndex()
    for minor in range(RELEASES - 1, -1, -1):
        index.add("bc", f"1.{minor}")
        index.add("b3", f"1.{minor}", [f"bc>=1.{minor},<1.{minor + 1}"])
        python = ">=3.10" if minor >= NEWER else None
        index.add("aw", f"1.{minor}", [f"bc==1.{minor}"], python=python)
    keys = 0

    def counted(candidate: WheelCandidate) -> tuple[str, str, str | None]:
        nonlocal keys
        keys += 1
        return candidate_key(candidate)

    monkeypatch.setattr(clashes, "candidate_key", counted)
    monkeypatch.setattr(clash_reach, "candidate_key", counted)  # (reach's, decision 496)
    found = resolve([f"b3<1.{BOUND}", "bc", "aw"], PY39, index)
    last = f"1.{BOUND - 1}"
    assert {p.name: str(p.version) for p in found.pins} == dict.fromkeys(("aw", "b3", "bc"), last)
    # (main: 8,340 keys here, each parent's question walking the offer's dead ends again)
    assert keys < 5 * RELEASES, keys
