"""A prerelease that would be a dead end widens nothing; one that would not, widens (decision 495).

Another requirement can add a prerelease to what a requirement admits (a specifier naming
one, or under ``if-necessary`` one leaving only prereleases), as an ``==`` can add a yanked
file. Under ``--prerelease disallow`` any prerelease a requirement admitted kept it from being
hopeless, whatever that prerelease is: decision 486's chain in miniature, with ``c`` 4.11rc1
in the place of its yanked 4.11, walked every combination of ``m1`` and ``m2`` (2,146 rounds).
Under ``if-necessary`` none did, which was wrong: ``btool`` needs ``lib<3``, whose only final
release is a dead end, and ``lib>=2.0b1`` asked admits 2.1b1, which pip 26.3 and uv 0.13.9
install with ``btool``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from packaging.specifiers import SpecifierSet
from resolvelib.structs import State

from graft.resolve.candidates import Need
from graft.resolve.policy import Policy, Prereleases
from graft.resolve.provider import Provider
from graft.resolve.resolver import resolve
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import JAN_2025, WINDOWS_TAG, FakeIndex
from tests.unit.test_resolver import pins
from tests.unit.test_yanked_dead_ends import jupyter_core, notebook_shape

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])
DISALLOW = Policy(prereleases=Prereleases.DISALLOW)
MODES = pytest.mark.parametrize("policy", [DISALLOW, Policy()], ids=["disallow", "if-necessary"])


def _jupyter_core(*, rc_needs: tuple[str, ...] = ("pw",), rc_tag: str = "") -> FakeIndex:
    """Decision 486's ``c``, with a prerelease 4.11rc1 in the place of its yanked 4.11."""
    return jupyter_core("4.11rc1", rc_needs, rc_tag)


def _notebook_shape(releases: int) -> FakeIndex:
    return notebook_shape(_jupyter_core(), releases)


@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
def test_a_missing_wheel_under_a_prerelease_gives_up_the_chain_above_it(shortcut: bool) -> None:
    """On main: 2,146 rounds under ``disallow`` (17 under ``if-necessary``); uv 0.13.9's
    ``--prerelease disallow`` and pip answer ``a`` 1.0, ``c`` 4.5."""
    found = resolve(
        ["top"], LINUX, _notebook_shape(8), DISALLOW, max_rounds=1_000, shortcut=shortcut
    )
    assert pins(found) == {"top": "1.0", "a": "1.0", "c": "4.5"}
    assert found.rounds < 100  # (17)


def _lib(index: FakeIndex) -> FakeIndex:
    """lib 2.5 needs a ``missing>=1`` nothing has (a dead end); 2.1b1 needs nothing."""
    index.add("lib", "2.5", ["missing>=1"])
    index.add("lib", "2.1b1")
    index.add("missing", "0.1")
    index.add("btool", "1.0", ["lib<3"])
    index.add("ctool", "2.0", ["lib>=2.2"])
    index.add("ctool", "1.0", ["lib>=2.0b1"])
    return index


@MODES
@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
def test_a_prerelease_another_requirement_names_keeps_a_dependency_pinnable(
    policy: Policy, shortcut: bool
) -> None:
    """``btool``'s ``lib<3`` admits only the dead 2.5 alone; with ``lib>=2.0b1`` 2.1b1 too.
    On main, under ``if-necessary``, btool 1.0 was learned a dead end and the request failed
    ("no version of missing matches >=1"): pip 26.3 and uv 0.13.9 install the three."""
    found = resolve(
        ["btool", "lib>=2.0b1", "ctool"], LINUX, _lib(FakeIndex()), policy, shortcut=shortcut
    )
    assert pins(found) == {"btool": "1.0", "ctool": "1.0", "lib": "2.1b1"}


def _searching(index: FakeIndex, policy: Policy) -> Provider:
    """A provider as resolvelib's search has it: holding the state of a round."""
    provider = Provider(index, LINUX, policy)
    provider.holding(State({}, {}, []))
    return provider


@MODES
def test_a_prerelease_that_is_a_dead_end_widens_nothing(policy: Policy) -> None:
    """``c`` 4.11rc1's own ``pw`` admits nothing for the target: a specifier naming it adds a
    dead end (under ``disallow``, main said it could widen ``c>=4.9``)."""
    index = _jupyter_core()
    provider = _searching(index, policy)
    assert not provider.widenable(Need("c", None, SpecifierSet(">=4.9")))
    assert ("c", "4.11rc1") in {(c.name, str(c.version)) for c, _ in provider.dead_ends.values()}
    assert index.reads == ["c-4.11rc1-py3-none-any.whl"]


@MODES
def test_a_prerelease_that_could_be_pinned_widens(policy: Policy) -> None:
    """``c`` 4.11rc1 needs nothing, so a specifier naming it would pin it (on main, under
    ``if-necessary``, nothing widened ``c>=4.9``)."""
    provider = _searching(_jupyter_core(rc_needs=()), policy)
    assert provider.widenable(Need("c", None, SpecifierSet(">=4.9")))
    assert not provider.dead_ends


@MODES
def test_a_prerelease_without_a_file_for_the_target_widens_nothing(policy: Policy) -> None:
    provider = _searching(_jupyter_core(rc_needs=(), rc_tag=WINDOWS_TAG), policy)
    assert not provider.widenable(Need("c", None, SpecifierSet(">=4.9")))


def test_a_prerelease_newer_than_the_cutoff_widens_nothing() -> None:
    """``--exclude-newer`` leaves 4.11rc1 out: no specifier can add it (main counted it)."""
    index = FakeIndex()
    index.add("c", "4.12", ["pw"])
    index.add("c", "4.11rc1", uploaded=JAN_2025 + dt.timedelta(days=30))
    need = Need("c", None, SpecifierSet(">=4.9"))
    cutoff = dataclasses.replace(DISALLOW, exclude_newer=JAN_2025 + dt.timedelta(days=1))
    assert not _searching(index, cutoff).widenable(need)
    assert _searching(index, DISALLOW).widenable(need)  # (without the cutoff: it could)


@MODES
def test_before_a_search_a_prerelease_is_not_read_to_prove_it(policy: Policy) -> None:
    """The walks read no more than what they pin: before the search, a prerelease offered for
    the target may widen, unread (a guard under ``disallow``, where main said the same)."""
    index = _jupyter_core()
    assert Provider(index, LINUX, policy).widenable(Need("c", None, SpecifierSet(">=4.9")))
    assert index.reads == []


def test_nothing_widens_where_every_prerelease_is_allowed() -> None:
    """A guard (passes on main too): under ``allow`` a requirement admits its prereleases alone."""
    index = _jupyter_core(rc_needs=())
    provider = _searching(index, Policy(prereleases=Prereleases.ALLOW))
    assert not provider.widenable(Need("c", None, SpecifierSet(">=4.9")))
    assert index.reads == []
