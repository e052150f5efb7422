"""A yanked file that would be a dead end widens nothing (decision 486).

``sphinx … nbsphinx`` for Windows CPython 3.13 at ``--exclude-newer 2023-12-09``: no
pywin32 release has a wheel for it, every jupyter-core from 4.6 needs pywin32 on Windows,
and jupyter-core 4.11.0 is yanked. An ``==4.11.0`` could add that file, so no requirement on
jupyter-core admitting 4.11 (jupyter-client's ``>=4.9.2``) was hopeless, no jupyter-client a
dead end, no nbclient or nbconvert 7 either: the search walked every combination of what
was pinned between nbclient and jupyter-client, 20,000 rounds. Here in miniature: ``c``
jupyter-core (4.11 yanked), ``pw`` pywin32 (a Windows wheel only), ``y`` jupyter-client,
``x`` nbclient, ``a`` nbconvert (2.x needs ``x``, 1.0 does not), ``m1``/``m2`` pinned
between ``x`` and ``y`` (mistune, jupyterlab-pygments).
"""

from __future__ import annotations

from packaging.specifiers import SpecifierSet
from resolvelib.structs import State

from graft.resolve.candidates import Need
from graft.resolve.policy import Policy
from graft.resolve.provider import Provider
from graft.resolve.resolver import resolve
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import WINDOWS_TAG, FakeIndex
from tests.unit.test_resolver import pins

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])


def jupyter_core(
    middle: str, needs: tuple[str, ...] = ("pw",), tag: str = "", yanked: str | None = None
) -> FakeIndex:
    """``c`` 5.1-4.6 need ``pw``, which has no wheel for the target; 4.5 fits; *middle* (a
    yanked 4.11 here, a prerelease in decision 495's tests) needs *needs*, with *tag*."""
    index = FakeIndex()
    for version in ("5.1", "5.0", "4.12"):
        index.add("c", version, ["pw"])
    index.add("c", middle, needs, yanked=yanked, tag=tag or "py3-none-any")
    for version in ("4.10", "4.9", "4.6"):
        index.add("c", version, ["pw"])
    index.add("c", "4.5")
    index.add("pw", "306", tag=WINDOWS_TAG)
    return index


def notebook_shape(index: FakeIndex, releases: int) -> FakeIndex:
    """*index* (a :func:`jupyter_core`) with decision 486's chain above ``c`` added."""
    index.add("top", "1.0", ["a"])
    for minor in (3, 2, 1):
        index.add("a", f"2.{minor}", ["c", "m1", "m2", "x"])
    index.add("a", "1.0", ["c"])
    for minor in range(5, 0, -1):
        index.add("x", f"1.{minor}", ["y>=1"])
    for minor in (3, 2, 1):
        index.add("y", f"1.{minor}", ["c>=4.9"])
    for name in ("m1", "m2"):
        for micro in range(releases, 0, -1):
            index.add(name, f"1.{micro}")
    return index


def _jupyter_core(*, yanked_needs: tuple[str, ...] = ("pw",), yanked_tag: str = "") -> FakeIndex:
    return jupyter_core("4.11", yanked_needs, yanked_tag, yanked="broken")


def _notebook_shape(releases: int) -> FakeIndex:
    return notebook_shape(_jupyter_core(), releases)


def test_a_missing_wheel_under_a_yanked_release_gives_up_the_chain_above_it() -> None:
    """On main: 2,146 rounds for eight releases of ``m1`` and ``m2`` (every combination of
    them, for each ``x`` and each ``a`` 2.x); uv 0.13.9 and pip answer ``a`` 1.0, ``c`` 4.5."""
    found = resolve(["top"], LINUX, _notebook_shape(8), Policy(), max_rounds=1_000)
    assert pins(found) == {"top": "1.0", "a": "1.0", "c": "4.5"}
    assert found.rounds < 100  # (17)


def _searching(index: FakeIndex) -> Provider:
    """A provider as resolvelib's search has it: holding the state of a round."""
    provider = Provider(index, LINUX, Policy())
    provider.holding(State({}, {}, []))
    return provider


def test_a_yanked_release_that_is_a_dead_end_widens_nothing() -> None:
    """``c`` 4.11's own ``pw`` admits nothing for the target: an ``==4.11`` adds a dead end."""
    index = _jupyter_core()
    provider = _searching(index)
    assert not provider.widenable(Need("c", None, SpecifierSet(">=4.9")))
    assert ("c", "4.11") in {(c.name, str(c.version)) for c, _ in provider.dead_ends.values()}
    assert index.reads == ["c-4.11-py3-none-any.whl"]


def test_before_a_search_a_yanked_release_is_not_read_to_prove_it() -> None:
    """A guard (passes on main too): the unanimous walk reads no more than what it pins."""
    index = _jupyter_core()
    assert Provider(index, LINUX, Policy()).widenable(Need("c", None, SpecifierSet(">=4.9")))
    assert index.reads == []


def test_a_yanked_release_without_a_file_for_the_target_widens_nothing() -> None:
    provider = _searching(_jupyter_core(yanked_needs=(), yanked_tag=WINDOWS_TAG))
    assert not provider.widenable(Need("c", None, SpecifierSet(">=4.9")))


def test_a_yanked_release_that_could_be_pinned_still_widens() -> None:
    """A guard (passes on main too): ``c`` 4.11 needs nothing, so ``c==4.11`` would pin it."""
    provider = _searching(_jupyter_core(yanked_needs=()))
    assert provider.widenable(Need("c", None, SpecifierSet(">=4.9")))
    assert not provider.dead_ends


def test_a_yanked_release_outside_the_specifier_is_not_asked() -> None:
    """A guard: ``c>=4.12`` admits no yanked file; nothing is read for 4.11."""
    index = _jupyter_core()
    assert not _searching(index).widenable(Need("c", None, SpecifierSet(">=4.12")))
    assert index.reads == []
