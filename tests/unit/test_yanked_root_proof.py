"""A root whose every candidate is a dead end ends the search though one release is yanked.

Decision 95's proof (a root every candidate of whose *widened offer* is a dead end) took a
yanked file the root admits as unknown: an ``==`` naming it could add it. Decision 486's
proof for a requirement's widening (what such an ``==`` offers must be a dead end too) now
holds there, inside the search only (decision 493: before it, no yanked file is taken for
one). ``zzz`` 1.0-8.0 each need a ``bin`` with only a Windows wheel; 4.0 is yanked.
On main the search went on without the proof: bounded, "given up after ruling out 8
candidates"; unbounded, resolvelib's list of every release (decision 501).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from packaging.specifiers import SpecifierSet
from resolvelib.structs import State

from graft.resolve.candidates import Need
from graft.resolve.policy import Policy
from graft.resolve.provider import Provider
from graft.resolve.resolution_error import ResolutionError
from graft.resolve.resolver import resolve
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import WINDOWS_TAG, FakeIndex
from tests.unit.test_resolver import pins

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])
ZZZ = Need("zzz", None, SpecifierSet())
PROVED = [
    "zzz==8.0 (zzz-8.0-py3-none-any.whl) requires bin==8.0",
    "bin 8.0 has wheels for Windows only: cp311-cp311-win_amd64",
    "you asked for zzz",
    "6 other versions of zzz are ruled out too, each by a requirement nothing meets",
]


def unmeetable(yanked_needs: Sequence[str] = ("bin==4.0",)) -> FakeIndex:
    """``test_resolver.unmeetable`` with zzz 4.0 yanked, needing *yanked_needs*."""
    index = FakeIndex()
    for n in range(1, 9):
        index.add("aaa", f"{n}.0")
        yanked = n == 4
        needs = list(yanked_needs) if yanked else [f"bin=={n}.0"]
        index.add("zzz", f"{n}.0", needs, yanked="broken" if yanked else None)
        index.add("bin", f"{n}.0", tag=WINDOWS_TAG)
    return index


def _searching(index: FakeIndex) -> Provider:
    """A provider as resolvelib's search has it: holding the state of a round."""
    provider = Provider(index, LINUX, Policy())
    provider.holding(State({}, {}, []))
    return provider


@pytest.mark.parametrize("bound", [8, None], ids=["bounded", "unbounded"])
@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
def test_a_root_whose_yanked_release_is_a_dead_end_too_is_proved_hopeless(
    shortcut: bool, bound: int | None
) -> None:
    """The text graft gives with no release yanked (decision 91's test), for either bound."""
    with pytest.raises(ResolutionError) as proved:
        resolve(["aaa", "zzz"], LINUX, unmeetable(), max_rejections=bound, shortcut=shortcut)
    lines = proved.value.lines
    assert lines[0].startswith("no wheel of bin 8.0 for the target (cp311-"), lines[0]
    assert "given up" not in lines[0]
    assert list(lines[1:]) == PROVED


def test_the_proof_reads_the_yanked_release_inside_the_search() -> None:
    index = unmeetable()
    ends = _searching(index).only_dead_ends(ZZZ)
    assert ends is not None
    assert sorted(str(c.version) for c, _ in ends.values()) == [f"{n}.0" for n in range(1, 9)]
    assert "zzz-4.0-py3-none-any.whl" in index.reads


def test_before_the_search_no_yanked_release_is_read_for_the_proof() -> None:
    """A guard (passes on main too): decision 493, the walks read no more than they pin."""
    index = unmeetable()
    assert Provider(index, LINUX, Policy()).only_dead_ends(ZZZ) is None
    assert "zzz-4.0-py3-none-any.whl" not in index.reads


def test_a_yanked_release_that_could_be_pinned_proves_nothing() -> None:
    """A guard (main answers None too): zzz 4.0 needs nothing, ``zzz==4.0`` would pin it."""
    assert _searching(unmeetable(yanked_needs=())).only_dead_ends(ZZZ) is None


@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
@pytest.mark.parametrize("roots", [["zzz", "other"], ["other", "zzz"]])
def test_a_yanked_release_another_requirement_pins_is_still_taken(
    roots: list[str], shortcut: bool
) -> None:
    """A guard (passes on main too): every final zzz is a dead end, and other's
    ``zzz==4.0`` adds the yanked 4.0, which needs nothing, as pip and uv take it."""
    index = unmeetable(yanked_needs=())
    index.add("other", "1.0", ["zzz==4.0"])
    found = resolve(roots, LINUX, index, Policy(), shortcut=shortcut)
    assert pins(found) == {"zzz": "4.0", "other": "1.0"}
