"""The resolver on in-memory indexes: each wheel's own METADATA, for one target."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from packaging.utils import NormalizedName
from packaging.version import Version

from graft.errors import BuildError, GraftError, SourceError, UsageError
from graft.resolve.artifacts import ArtifactFile
from graft.resolve.candidates import WheelCandidate
from graft.resolve.policy import Policy, Prereleases
from graft.resolve.provider import Provider
from graft.resolve.resolution_error import ResolutionError
from graft.resolve.resolver import Pin, Resolution, resolve, root_needs
from graft.resolve.screen import screen
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import LINUX_TAG, WINDOWS_TAG, FailingBuilds, FakeIndex, metadata

if TYPE_CHECKING:
    from graft.resolve.screen import Screen

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])
WINDOWS = foreign_target("3.11", ["win_amd64"])
MAC = foreign_target("3.11", ["macosx_11_0_arm64"])


def pins(resolution: Resolution) -> dict[str, str]:
    return {p.name: str(p.version) for p in resolution.pins}


def files(resolution: Resolution) -> dict[str, str]:
    return {p.name: p.file.filename for p in resolution.pins}


def test_newest_versions_and_only_the_metadata_needed() -> None:
    index = FakeIndex()
    index.add("app", "1.0", ["lib>=1"])
    for version in ("1.0", "2.0", "3.0"):
        index.add("lib", version, ["Leaf"])
    index.add("leaf", "0.1")
    index.add("unrelated", "1.0")
    result = resolve(["app"], LINUX, index)
    assert pins(result) == {"app": "1.0", "lib": "3.0", "leaf": "0.1"}
    assert result.metadata_reads == 3
    assert sorted(index.reads) == sorted(
        ["app-1.0-py3-none-any.whl", "lib-3.0-py3-none-any.whl", "leaf-0.1-py3-none-any.whl"]
    )
    assert "unrelated" not in index.listed
    by_name: dict[str, Pin] = {p.name: p for p in result.pins}
    assert by_name["app"].requires == ("lib",)
    assert by_name["lib"].requires == ("leaf",)
    assert len(result.nodes) == 3


def test_backtracks_to_an_older_version() -> None:
    index = FakeIndex()
    index.add("a", "1.0", ["b"])
    index.add("a", "2.0", ["b<2"])
    index.add("c", "1.0", ["b>=2"])
    index.add("b", "1.0")
    index.add("b", "2.0")
    result = resolve(["a", "c"], LINUX, index)
    assert pins(result) == {"a": "1.0", "b": "2.0", "c": "1.0"}


@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
@pytest.mark.parametrize("prefetch", [0, 3])
def test_a_pin_above_a_dead_end_is_taken_back_not_the_root_below_it(
    shortcut: bool, prefetch: int
) -> None:
    """Decision 222 (found by the property test): r1 2.0 leads through r2 to s0, whose
    ``r0<2.0`` nothing meets; resolvelib's optimistic backjump skipped r1 and rolled back one
    state short, and the next conflict (r2 1.0, now a dead end's parent) took back r0 2.0,
    the only release of a root, instead of r1 2.0: "no version of r0 matches <2.0"."""
    index = FakeIndex()
    index.add("r0", "2.0")
    index.add("r1", "1.0")
    index.add("r1", "2.0", ["r2"])
    index.add("r2", "1.0", ["s0"])
    index.add("s0", "1.0", ["r0<2.0"])
    result = resolve(["r0", "r1"], LINUX, index, shortcut=shortcut, prefetch=prefetch)
    assert pins(result) == {"r0": "2.0", "r1": "1.0"}


def test_a_backtrack_keeps_the_newest_release_of_a_root_nothing_excludes() -> None:
    """Decision 222 (a differential run of the property strategies): r1 4.0 is a dead end
    through s1 and r2; resolvelib's backjump also took back r0 4.0, which nothing excludes,
    and answered r0 2.0."""
    index = FakeIndex()
    for version in ("1.0", "2.0", "4.0"):
        index.add("r0", version)
    index.add("r1", "2.0")
    index.add("r1", "3.0")
    index.add("r1", "4.0", ["s1<2.0", "r0>=2.0"])
    index.add("r2", "2.0", ["r1<2.0"])
    for version in ("1.0", "2.0", "3.0", "4.0"):
        index.add("s0", version)
    index.add("s1", "1.0", ["r2", "s0"])
    result = resolve(["r0", "r1"], LINUX, index, shortcut=False)
    assert pins(result) == {"r0": "4.0", "r1": "3.0"}


@pytest.mark.parametrize("genai", ["google-genai", "zz-genai"])  # pinned before tenacity, after
@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
def test_a_later_pin_narrows_an_earlier_one_as_pip_does(genai: str, shortcut: bool) -> None:
    """Decision 145 (``apache-airflow<2.8`` with the google and amazon providers): every
    google-genai release aiplatform 2.x allows needs tenacity<9.2, which airflow leaves open.
    resolvelib keeps the newest genai and pins tenacity 9.1.4 (again, if 9.2.1 was pinned
    first): pip 26.3 on these wheels says the same. uv 0.13.9 keeps the tenacity it decided
    first (9.2.1) and walks genai down to 1.20.0, and aiplatform with it to 1.115.0."""
    index = FakeIndex()
    index.add("airflow", "2.7.3", ["tenacity"])
    index.add("provider", "10.0", ["aiplatform>=1", "tenacity>=8"])
    for version in ("2.7.0", "2.6.0"):
        index.add("aiplatform", version, [f"{genai}>=1.66,<3"])
    index.add("aiplatform", "1.115.0", [f"{genai}>=1,<2"])
    for version in ("2.34.0", "2.33.0", "1.67.0", "1.66.0"):
        index.add(genai, version, ["tenacity<9.2"])
    index.add(genai, "1.20.0")
    index.add("tenacity", "9.2.1")
    index.add("tenacity", "9.1.4")
    result = resolve(["airflow", "provider"], LINUX, index, shortcut=shortcut)
    expected = {"aiplatform": "2.7.0", genai: "2.34.0", "tenacity": "9.1.4"}
    assert pins(result) == {"airflow": "2.7.3", "provider": "10.0", **expected}
    assert result.backtracks == 0


def test_a_version_given_up_is_given_up_whole() -> None:
    """Backtracking from app 2.0's wheel never offers app 2.0's sdist (or another wheel of it)
    in its place, as pip and uv give up a version: its metadata build would be the cost."""
    index = FailingBuilds()
    index.add("lib", "1.0")
    index.add("lib", "2.0")
    index.add("dep", "1.0", ["lib>=2"])
    index.add("app", "2.0", ["dep"])
    index.add("app", "2.0", ["dep"], tag="py3-none-manylinux_2_17_x86_64")
    index.add_sdist("app", "2.0")
    index.add("app", "1.0")
    result = resolve(["app", "lib==1.0"], LINUX, index, Policy(sdists=True))
    assert pins(result) == {"app": "1.0", "lib": "1.0"}
    best = "app-2.0-py3-none-manylinux_2_17_x86_64.whl"  # the target's best wheel of 2.0
    assert [f for f in index.reads if f.startswith("app-2.0")] == [best]
    with pytest.raises(BuildError):  # every file of a version offered: the sdist comes too
        resolve(["app", "lib==1.0"], LINUX, index, Policy(sdists=True, same_version_fallback=True))
    assert "app-2.0-py3-none-any.whl" in index.reads


def unmeetable() -> FakeIndex:
    """``zzz`` needs a ``bin`` with no wheel for LINUX; ``aaa`` (pinned first) is unrelated."""
    index = FakeIndex()
    for n in range(1, 9):
        index.add("aaa", f"{n}.0")
        index.add("zzz", f"{n}.0", [f"bin=={n}.0"])
        index.add("bin", f"{n}.0", tag=WINDOWS_TAG)
    return index


def test_a_resolution_may_be_bounded_by_the_candidates_it_rules_out() -> None:
    """resolvelib backtracks through every release of the unrelated ``aaa`` (zzz's releases
    ruled out again for each); bounded, it ends at once, explained by the first conflict.
    (Without the walk, which proves at once that zzz admits only dead ends.)"""
    with pytest.raises(ResolutionError) as unbounded:
        resolve(["aaa", "zzz"], LINUX, unmeetable(), shortcut=False)
    assert "given up" not in unbounded.value.lines[0]
    with pytest.raises(ResolutionError) as bounded:
        resolve(["aaa", "zzz"], LINUX, unmeetable(), max_rejections=5, shortcut=False)
    head = bounded.value.lines[0]
    assert head.startswith("no wheel of bin 8.0 for the target (cp311-"), head
    assert head.endswith("(given up after ruling out 5 candidates)")
    assert "zzz==8.0 (zzz-8.0-py3-none-any.whl) requires bin==8.0" in bounded.value.lines


@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
def test_a_root_whose_every_candidate_is_a_dead_end_ends_at_once(shortcut: bool) -> None:
    """Decision 91: each zzz release is ruled out once (its own ``bin==N`` has no wheel for
    LINUX), not again with every release of aaa, and the eighth proves that no resolution
    exists, before a bound of eight rejections ends it unproved. The walk proves it before
    resolvelib starts, with the same explanation."""
    with pytest.raises(ResolutionError) as proved:
        resolve(["aaa", "zzz"], LINUX, unmeetable(), max_rejections=8, shortcut=shortcut)
    lines = proved.value.lines
    assert lines[0].startswith("no wheel of bin 8.0 for the target (cp311-"), lines[0]
    assert "given up" not in lines[0]
    assert "zzz==8.0 (zzz-8.0-py3-none-any.whl) requires bin==8.0" in lines
    assert "you asked for zzz" in lines
    assert lines[-1] == (
        "7 other versions of zzz are ruled out too, each by a requirement nothing meets"
    )


@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
@pytest.mark.parametrize(
    "roots",
    [["lib<3", "lib>=2.0b1"], ["lib<3", "atool"]],
    ids=["two-roots", "from-a-dependency"],
)
def test_a_root_is_not_given_up_while_a_prerelease_another_requirement_admits_is_left(
    roots: list[str], shortcut: bool
) -> None:
    """``lib<3`` alone admits only 2.5 (a final release leaves the prerelease out), a dead end;
    ``lib>=2.0b1`` (a root, or atool's requirement) admits 2.1b1 too, as pip and uv take it.
    The provider ended the search once ``lib<3`` alone admitted only dead ends."""
    index = FakeIndex()
    index.add("lib", "2.5", ["missing>=1"])
    index.add("lib", "2.1b1")
    index.add("missing", "0.1")
    index.add("atool", "1.0", ["lib>=2.0b1"])
    result = resolve(roots, LINUX, index, shortcut=shortcut)
    assert {p.label for p in result.pins} >= {"lib==2.1b1"}
    assert resolve(["lib<3,>=2.0b1"], LINUX, index, shortcut=shortcut).pins[0].label == (
        "lib==2.1b1"
    )


@pytest.mark.parametrize(
    ("requirement", "policy", "widenable"),
    [
        ("kernels>=0.19,<0.20", Policy(), True),  # 0.19 is yanked: an == naming it admits it
        ("kernels>=0.23", Policy(), False),  # nothing at all
        ("kernels>=0.21", Policy(prereleases=Prereleases.DISALLOW), True),  # 0.22rc1, named
        ("kernels>=0.23", Policy(prereleases=Prereleases.DISALLOW), False),
    ],
)
def test_a_requirement_another_could_widen_makes_no_dead_end(
    requirement: str, policy: Policy, widenable: bool
) -> None:
    """A candidate is a dead end (decision 91) only if its own requirement admits nothing
    whatever else is required: another's ``==`` admits a yanked file, and under ``disallow``
    a specifier naming a prerelease admits it."""
    index = FakeIndex()
    index.add("kernels", "0.19", yanked="broken")
    index.add("kernels", "0.17")
    index.add("kernels", "0.22rc1")
    lib = index.add("lib", "2.0", [requirement])
    provider = Provider(index, LINUX, policy)
    (need,) = root_needs([requirement], LINUX)
    assert provider.widenable(need) is widenable
    candidate = WheelCandidate(NormalizedName("lib"), Version("2.0"), lib)
    provider.rule_out(candidate, [need])
    assert bool(provider.dead_ends) is not widenable


def test_dead_ends_are_followed_down_to_what_is_missing() -> None:
    """top needs mid, every mid needs a bin with no wheel for LINUX: top is a dead end too,
    and the explanation goes down to bin."""
    index = unmeetable()
    index.add("mid", "1.0", ["bin==1.0"])
    index.add("mid", "2.0", ["bin==2.0"])
    index.add("top", "1.0", ["mid"])
    with pytest.raises(ResolutionError) as proved:
        resolve(["aaa", "top"], LINUX, index, max_rejections=4)
    lines = proved.value.lines
    assert lines[0].startswith("no wheel of bin 2.0 for the target (cp311-"), lines[0]
    assert "mid==2.0 (mid-2.0-py3-none-any.whl) requires bin==2.0" in lines
    assert "top==1.0 (top-1.0-py3-none-any.whl) requires mid" in lines


def test_a_dead_end_is_passed_over_for_an_older_release() -> None:
    index = unmeetable()
    index.add("app", "1.0", ["aaa<8"])
    for n in range(2, 6):
        index.add("app", f"{n}.0", [f"bin=={n}.0"])
    result = resolve(["aaa", "app"], LINUX, index)
    assert pins(result) == {"aaa": "7.0", "app": "1.0"}
    assert result.backtracks <= 4  # each dead release of app given up once


def clashing() -> FakeIndex:
    """As opentelemetry's: ``distro`` N needs ``instr==N``; ``zflask`` 1.0 needs ``instr==1.0``.

    The older zflask releases need an ``api`` the distro excludes, so ``api``'s requirements
    are among the causes of the conflict, and ``m1``-``m3`` (ten releases each, pinned after
    the distro and before zflask) state some of them.
    """
    index = FakeIndex()
    for n in (1, 2):
        index.add("distro", f"{n}.0", [f"instr=={n}.0", "api>=5"])
        index.add("instr", f"{n}.0", ["api"])
    for n in range(1, 11):
        index.add("api", f"{n}.0")
    index.add("zflask", "1.0", ["instr==1.0", "api"])
    for n in range(1, 6):
        index.add("zflask", f"0.{n}", ["api<2"])
    for name in ("m1", "m2", "m3"):
        for n in range(1, 11):
            index.add(name, f"{n}.0", ["api"])
    return index


@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
def test_a_candidate_that_clashes_with_every_release_of_a_root_is_given_up(
    shortcut: bool,
) -> None:
    """Decision 133: distro 2.0 needs instr==2.0, which no zflask release allows, and zflask
    is asked for: distro 2.0 is a dead end, and the search starts again without it. resolvelib
    alone tried each of the 1,000 m1-m3 combinations against distro 2.0 first (the
    opentelemetry set: no resolution within 20,000 rounds)."""
    roots = ["api", "distro", "m1", "m2", "m3", "zflask"]
    result = resolve(roots, LINUX, clashing(), shortcut=shortcut)
    expected = {"api": "10.0", "distro": "1.0", "instr": "1.0", "zflask": "1.0"}
    assert pins(result) == {**expected, "m1": "10.0", "m2": "10.0", "m3": "10.0"}
    assert result.rounds < 30, result.rounds  # (2,120 rounds without decision 133)


def test_a_candidate_that_clashes_only_with_the_releases_offered_now_is_kept() -> None:
    """zflask 2.0 allows distro 2.0's instr, but q 2.0 (pinned before zflask) excludes it:
    every zflask offered clashes, yet distro 2.0 is no dead end; resolvelib takes q back."""
    index = clashing()
    index.add("zflask", "2.0", ["instr==2.0", "api"])
    index.add("q", "1.0")
    index.add("q", "2.0", ["zflask<2"])
    result = resolve(["distro", "q", "zflask"], LINUX, index, shortcut=False)
    expected = {"api": "10.0", "distro": "2.0", "instr": "2.0", "zflask": "2.0"}
    assert pins(result) == {**expected, "q": "1.0"}


@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
def test_a_wheel_with_an_unparsable_requirement_is_never_pinned(shortcut: bool) -> None:
    """Decision 136: boto3 1.2.0's ``botocore>=1.3.0,<1.4.0',`` was ignored, so it was the
    first boto3 that "met" aiobotocore's botocore, and the completeness check then refused
    the set; pip >= 24.1 ignores such a version. Here the older, sound release is taken."""
    index = FakeIndex()
    index.add("core", "1.0")
    index.add("core", "2.0")
    index.add("sdk", "3.0", ["core<2"])
    index.add("sdk", "2.0", ["core>=1.0,<1.1',"])
    index.add("sdk", "1.0", ["core"])
    index.add("aio", "1.0", ["core>=2"])
    result = resolve(["sdk", "aio"], LINUX, index, shortcut=shortcut)
    assert pins(result) == {"aio": "1.0", "core": "2.0", "sdk": "1.0"}


def test_every_wheel_with_an_unparsable_requirement_is_explained() -> None:
    index = FakeIndex()
    index.add("sdk", "2.0", ["core>=1.0,<1.1',"])
    with pytest.raises(ResolutionError) as refused:
        resolve(["sdk"], LINUX, index, shortcut=False)
    assert refused.value.lines[0] == (
        "every wheel that was tried has an unparsable Requires-Dist (pip ignores those):"
    )
    assert (
        "sdk==2.0 (sdk-2.0-py3-none-any.whl) requires a Requires-Dist that parses"
        in (refused.value.lines[1])
    )


def boto_like(releases: int = 40) -> FakeIndex:
    """As ``boto3<1.34`` with ``aiobotocore``: each ``sdk`` release pins its own ``core`` minor,
    each ``aio`` release a newer ``core`` than any ``sdk<50`` allows, but for ``aio`` 1.0."""
    index = FakeIndex()
    for n in range(1, 2 * releases + 1):
        index.add("core", f"{n}.0")
        index.add("sdk", f"{n}.0", [f"core>={n}.0,<{n + 1}.0"])
    for n in range(2, releases + 1):
        index.add("aio", f"{n}.0", [f"core>={releases + n}.0,<{releases + n + 1}.0"])
    index.add("aio", "1.0", ["core>=3.0,<4.0"])
    return index


def test_older_releases_that_clash_with_a_root_the_same_way_are_learned_at_once() -> None:
    """Decision 137: aio 40.0 clashes with every ``sdk<41``; so do aio 39.0 to 2.0, learned
    from their METADATA at once, not by a search started again for each (each trying every
    sdk release first: 82 rounds without it)."""
    result = resolve(["sdk<41", "aio"], LINUX, boto_like(), shortcut=False)
    assert pins(result) == {"aio": "1.0", "core": "3.0", "sdk": "3.0"}
    assert result.rounds < 20, result.rounds


@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
def test_older_releases_a_root_excludes_are_not_read_for_a_clash(shortcut: bool) -> None:
    """``apache-airflow==2.9.3 sqlalchemy>=2``: 2.9.3's ``sqlalchemy<2.0`` clashes with the
    request, and so would every older airflow's, but ``==2.9.3`` admits none of them: their
    METADATA (a hundred range reads, cold) is not read to learn that."""
    index = FakeIndex()
    for n in range(1, 10):
        index.add("app", f"1.{n}", ["lib<2"])
    index.add("lib", "1.0")
    index.add("lib", "2.0")
    with pytest.raises(ResolutionError) as refused:
        resolve(["app==1.9", "lib>=2"], LINUX, index, shortcut=shortcut)
    assert refused.value.lines[1:] == (
        "app==1.9 (app-1.9-py3-none-any.whl) requires lib<2",
        "you asked for app==1.9",
        "you asked for lib>=2",
    )
    assert {read for read in index.reads if read.startswith("app")} == {"app-1.9-py3-none-any.whl"}
    with pytest.raises(ResolutionError):
        resolve(["app>=1.7", "lib>=2"], LINUX, index, shortcut=shortcut)
    assert "app-1.6-py3-none-any.whl" not in index.reads  # (1.7 and 1.8 are read: admitted)


def test_a_candidate_given_up_is_not_screened_whole_to_learn_whether_it_is_a_dead_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Decision 225: each of the 40 ``sdk`` releases given up asked whether its own ``core``
    range admits anything alone with a screening of every ``core`` release (botocore's 2,000
    for each of boto3's 1,400); the first candidate, read a release at a time, answers."""
    screened: list[str] = []

    def counted(name: NormalizedName, *args: Any, **kwargs: Any) -> Screen:
        screened.append(name)
        return screen(name, *args, **kwargs)

    monkeypatch.setattr("graft.resolve.provider.screen", counted)
    result = resolve(["sdk<41", "aio"], LINUX, boto_like(), shortcut=False)
    assert pins(result) == {"aio": "1.0", "core": "3.0", "sdk": "3.0"}
    assert result.backtracks == 40
    assert screened.count("core") < 50, screened.count("core")  # (84 before: 2 per sdk)


def test_a_clash_with_every_release_of_a_root_everywhere_is_explained() -> None:
    """Every distro clashes with zflask: no resolution, and the explanation names both."""
    index = FakeIndex()
    for n in (1, 2):
        index.add("distro", f"{n}.0", [f"instr=={n}.0"])
        index.add("instr", f"{n}.0")
    index.add("instr", "3.0")
    index.add("zflask", "1.0", ["instr==3.0"])
    with pytest.raises(ResolutionError) as refused:
        resolve(["distro", "zflask"], LINUX, index, shortcut=False)
    lines = refused.value.lines
    assert list(lines[:3]) == [
        "these requirements cannot all be met:",
        "distro==2.0 (distro-2.0-py3-none-any.whl) requires instr==2.0",
        "zflask==1.0 (zflask-1.0-py3-none-any.whl) requires instr==3.0",
    ], lines
    assert (
        "1 other version of distro is ruled out too, each clashing with a requirement you asked for"
    ) in lines


def settings_like(newer: str = "c", older: str = "b", releases: int = 60) -> FakeIndex:
    """As ``pydantic<2``, ``fastapi>=0.100`` and ``pydantic-settings`` (decision 141).

    Every *newer* (pydantic-settings) from 2.0 requires ``a>=2.0`` (a prerelease too), its
    0.x a ``t<4``. The newest *older* (fastapi) releases require ``a>=2.7``, the others a
    ``t>=4.5``; ``a`` 1.5 is yanked, as pydantic 1.10.3 is.
    """
    index = FakeIndex()
    for n in range(1, 10):
        index.add("a", f"1.{n}", ["t>=3"], yanked="broken" if n == 5 else None)
    for n in range(10):
        index.add("a", f"2.{n}", ["t>=4"])
    for n in range(30, 50):
        index.add("t", f"{n // 10}.{n % 10}")
    for n in range(1, releases + 1):
        newest = n > releases // 2
        index.add(older, f"{n}.0", ["a>=2.7" if newest else "a>=1,<3", "t>=4.5"])
    for n in range(10):
        index.add(newer, f"2.{n}", ["a>=2.0", "t>=4"])
    index.add(newer, "3.0b1", ["a>=2.0b1"])
    for n in range(1, 6):
        index.add(newer, f"0.{n}", ["a", "t<4"])
    return index


@pytest.mark.parametrize("shortcut", [False, True], ids=["resolvelib", "walk"])
@pytest.mark.parametrize(("newer", "older"), [("c", "b"), ("b", "c")], ids=["b-first", "c-first"])
def test_a_root_left_only_with_releases_that_clash_with_another_root_ends_the_search(
    newer: str, older: str, shortcut: bool
) -> None:
    """Decision 141: the search went back through every older ``b`` and every ``a`` and ``t``
    under it before refusing (558 rounds; 7,802 for the real set), and blamed the newest
    ``b``'s ``a>=2.7``. Now each ``c`` from 2.0 is a dead end once given up (it excludes every
    version ``a<2`` admits, a yanked one too), and when ``c`` cannot be pinned its 0.x are read
    against every ``b`` left: no resolution, said at once, with every reason."""
    index = settings_like(newer, older)
    with pytest.raises(ResolutionError) as refused:
        resolve(["a<2", "b", "c"], LINUX, index, shortcut=shortcut, max_rounds=20)
    lines = refused.value.lines
    assert lines[0] == "these requirements cannot all be met:"
    assert f"{newer} 2.0 to 2.9 (10 wheels) require a>=2.0" in lines, lines
    assert f"{older} 31.0 to 60.0 (30 wheels) require a>=2.7" in lines, lines
    assert "you asked for a<2" in lines
    if newer == "c":  # (c's pin fails: its 0.x are what clash with every b left)
        assert lines[1] == "c 0.1 to 0.5 (5 wheels) require t<4", lines
        assert "b==30.0 (b-30.0-py3-none-any.whl) requires t>=4.5" in lines
        assert lines[-1] == "29 other versions of b clash with c==0.5 too"


def test_a_requirement_that_excludes_every_version_a_root_admits_is_stated_with_it() -> None:
    """Each release of ``b`` excludes what ``a<2`` admits (a yanked 1.5 among them): every
    release and the request are stated, not the newest and "each by a requirement nothing
    meets" (the root's specifier joined into the dead-end question said that)."""
    index = FakeIndex()
    index.add("a", "1.4")
    index.add("a", "1.5", yanked="broken")
    index.add("a", "2.2")
    index.add("b", "1.0", ["a>=2"])
    index.add("b", "1.1", ["a>=2"])
    index.add("b", "2.0", ["a>=2.1"])
    with pytest.raises(ResolutionError) as refused:
        resolve(["a<2", "b"], LINUX, index, shortcut=False)
    assert refused.value.lines == (
        "these requirements cannot all be met:",
        "b 1.0 to 1.1 (2 wheels) require a>=2",
        "b==2.0 (b-2.0-py3-none-any.whl) requires a>=2.1",
        "you asked for a<2",
        "you asked for b",
    )


def test_each_wheel_brings_its_own_requirements() -> None:
    # tensorflow-cpu 2.19.0: only the Linux wheels name tensorflow-intel (for Windows), and
    # tensorflow-intel has no 2.19.0. The Windows wheel's own METADATA is the truth there.
    index = FakeIndex()
    linux = index.add(
        "tf", "2.19.0", ['tf-intel==2.19.0; platform_system == "Windows"'], tag=LINUX_TAG
    )
    windows = index.add("tf", "2.19.0", ["numpy"], tag=WINDOWS_TAG)
    index.add("numpy", "2.0")
    on_windows = resolve(["tf"], WINDOWS, index)
    assert files(on_windows) == {"tf": windows.filename, "numpy": "numpy-2.0-py3-none-any.whl"}
    assert linux.filename not in index.reads
    index.reads.clear()
    on_linux = resolve(["tf"], LINUX, index)
    assert files(on_linux) == {"tf": linux.filename}
    assert index.reads == [linux.filename]


def test_an_extra_only_some_wheels_provide() -> None:
    # openmm 8.3.1: Linux and Windows wheels declare cuda12; the macOS wheel does not.
    index = FakeIndex()
    cuda = ['openmm-cuda-12; extra == "cuda12"', "numpy"]
    index.add("openmm", "8.3.1", cuda, tag=LINUX_TAG, extras=["cuda12"])
    index.add("openmm", "8.3.1", ["numpy"], tag="cp311-cp311-macosx_11_0_arm64")
    index.add("openmm-cuda-12", "8.3.1")
    index.add("numpy", "2.0")
    linux = resolve(["openmm[cuda12]"], LINUX, index)
    assert pins(linux) == {"openmm": "8.3.1", "openmm-cuda-12": "8.3.1", "numpy": "2.0"}
    assert [p.extras for p in linux.pins if p.name == "openmm"] == [("cuda12",)]
    assert linux.warnings == ()
    mac = resolve(["openmm[CUDA12]"], MAC, index)
    assert pins(mac) == {"openmm": "8.3.1", "numpy": "2.0"}
    assert any("does not provide the extra 'cuda12'" in w for w in mac.warnings)


def test_extras_asked_by_a_dependency_and_markers_for_the_target() -> None:
    index = FakeIndex()
    index.add("app", "1.0", ["lib[Fast]>=1", 'old; python_version < "3.10"'])
    index.add(
        "lib",
        "1.0",
        ['speedup; extra == "fast"', 'slow; extra == "slow"', 'win; sys_platform == "win32"'],
        extras=["fast", "slow"],
    )
    for name in ("speedup", "slow", "old", "win"):
        index.add(name, "1.0")
    result = resolve(["app"], LINUX, index)
    assert pins(result) == {"app": "1.0", "lib": "1.0", "speedup": "1.0"}
    assert pins(resolve(["app"], WINDOWS, index)) == {
        "app": "1.0",
        "lib": "1.0",
        "speedup": "1.0",
        "win": "1.0",
    }


def test_an_extra_follows_the_wheel_of_its_base() -> None:
    index = FakeIndex()
    index.add("lib", "1.0", ['x; extra == "e"'], extras=["e"], tag=LINUX_TAG)
    index.add("lib", "1.0", ['y; extra == "e"'], extras=["e"])
    index.add("x", "1.0")
    index.add("y", "1.0")
    result = resolve(["lib[e]"], LINUX, index)
    assert pins(result) == {"lib": "1.0", "x": "1.0"}
    assert files(result)["lib"].endswith(f"{LINUX_TAG}.whl")


def test_the_wheels_requires_python_is_a_dependency() -> None:
    index = FakeIndex()
    index.add("app", "1.0", python=">=3.8")
    index.add("app", "2.0", python=">=3.12")
    assert pins(resolve(["app"], LINUX, index)) == {"app": "1.0"}
    assert pins(resolve(["app"], foreign_target("3.12", ["manylinux_2_17_x86_64"]), index)) == {
        "app": "2.0"
    }


def test_the_index_requires_python_screens_before_any_read() -> None:
    index = FakeIndex()
    index.add("app", "1.0")
    index.add("app", "2.0", index_python=">=3.12")
    index.add("app", "3.0", index_python=">=3.8,junk")  # invalid: ignored, as pip does
    index.add("app", "4.0", index_python=">=3.12", python=">=3.8")  # the index wins too
    result = resolve(["app<3"], LINUX, index)
    assert pins(result) == {"app": "1.0"}
    assert index.reads == ["app-1.0-py3-none-any.whl"]
    assert pins(resolve(["app"], LINUX, index)) == {"app": "3.0"}


@pytest.mark.parametrize(
    ("versions", "spec", "policy", "expected"),
    [
        (["1.0", "2.0b1"], "lib", Prereleases.IF_NECESSARY, "1.0"),
        (["1.0", "2.0b1"], "lib>=2.0b1", Prereleases.IF_NECESSARY, "2.0b1"),
        (["1.0", "2.0b1"], "lib>=2.0b1", Prereleases.DISALLOW, "2.0b1"),  # named: asked for
        (["1.0b1", "1.0b2"], "lib", Prereleases.IF_NECESSARY, "1.0b2"),  # nothing else
        (["1.0", "2.0b1"], "lib", Prereleases.ALLOW, "2.0b1"),
        (["1.0", "2.0b1"], "lib>1", Prereleases.IF_NECESSARY, "2.0b1"),
    ],
)
def test_prereleases(versions: list[str], spec: str, policy: Prereleases, expected: str) -> None:
    index = FakeIndex()
    for version in versions:
        index.add("lib", version)
    result = resolve([spec], LINUX, index, Policy(prereleases=policy))
    assert pins(result) == {"lib": expected}


def test_prereleases_disallowed_are_never_chosen() -> None:
    index = FakeIndex()
    index.add("lib", "1.0b1")
    with pytest.raises(SourceError, match="1 a prerelease"):
        resolve(["lib"], LINUX, index, Policy(prereleases=Prereleases.DISALLOW))


def test_yanked_files_only_when_pinned() -> None:
    index = FakeIndex()
    index.add("lib", "1.0")
    index.add("lib", "2.0", yanked="broken")
    assert pins(resolve(["lib"], LINUX, index)) == {"lib": "1.0"}
    assert pins(resolve(["lib==2.0"], LINUX, index)) == {"lib": "2.0"}
    assert pins(resolve(["lib===2.0"], LINUX, index)) == {"lib": "2.0"}


def test_a_yanked_file_chosen_is_warned_of_with_its_reason() -> None:
    """PEP 592: an installer should warn when an ``==`` takes a yanked file, with the reason
    (pip and uv do); a release that is not yanked says nothing."""
    index = FakeIndex()
    index.add("lib", "1.0")
    index.add("lib", "2.0", yanked="broken on Windows")
    index.add("other", "3.0", yanked="")
    assert resolve(["lib"], LINUX, index).warnings == ()
    (said,) = resolve(["lib==2.0"], LINUX, index).warnings
    assert said == "lib==2.0 (lib-2.0-py3-none-any.whl) is yanked (reason: broken on Windows)"
    (bare,) = resolve(["other==3.0"], LINUX, index).warnings
    assert bare.endswith(") is yanked")
    for shortcut in (True, False):  # answered without search, or by resolvelib
        result = resolve(["lib==2.0", "other==3.0"], LINUX, index, shortcut=shortcut)
        assert [w.split(" ", 1)[0] for w in result.warnings] == ["lib==2.0", "other==3.0"]


def test_yanked_files_not_pinned_are_refused() -> None:
    index = FakeIndex()
    index.add("lib", "1.0")
    index.add("lib", "2.0", yanked="")
    for spec in ("lib>=1.5", "lib==2.*"):
        with pytest.raises(SourceError, match="1 yanked"):
            resolve([spec], LINUX, index)


def test_preferred_versions_unless_upgrading() -> None:
    index = FakeIndex()
    for version in ("1.0", "2.0"):
        index.add("lib", version)
        index.add("other", version)
    keep = {NormalizedName("lib"): Version("1.0"), NormalizedName("other"): Version("1.0")}
    assert pins(resolve(["lib", "other"], LINUX, index, Policy(preferred=keep))) == {
        "lib": "1.0",
        "other": "1.0",
    }
    assert pins(resolve(["lib>1", "other"], LINUX, index, Policy(preferred=keep))) == {
        "lib": "2.0",
        "other": "1.0",
    }
    some = Policy(preferred=keep, upgrade=frozenset({NormalizedName("lib")}))
    assert pins(resolve(["lib", "other"], LINUX, index, some)) == {"lib": "2.0", "other": "1.0"}
    every = Policy(preferred=keep, upgrade=True)
    assert pins(resolve(["lib", "other"], LINUX, index, every)) == {"lib": "2.0", "other": "2.0"}


def test_exclude_newer() -> None:
    index = FakeIndex()
    index.add("lib", "1.0")
    index.add("lib", "2.0", uploaded=dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc))
    cutoff = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert pins(resolve(["lib"], LINUX, index, Policy(exclude_newer=cutoff))) == {"lib": "1.0"}
    assert pins(resolve(["lib"], LINUX, index)) == {"lib": "2.0"}


def test_exclude_newer_without_upload_times() -> None:
    index = FakeIndex()
    unknown = index.add("lib", "3.0")
    index.projects["lib"] = [
        dataclasses.replace(unknown, upload_time=None),  # remote, no upload time: dropped
        ArtifactFile("lib-2.0-py3-none-any.whl", "/wheels/lib-2.0-py3-none-any.whl"),  # local
    ]
    index.meta["lib-2.0-py3-none-any.whl"] = metadata("lib", "2.0")
    cutoff = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert pins(resolve(["lib"], LINUX, index, Policy(exclude_newer=cutoff))) == {"lib": "2.0"}
    assert pins(resolve(["lib"], LINUX, index)) == {"lib": "3.0"}


def test_the_targets_tag_order_picks_the_wheel() -> None:
    index = FakeIndex()
    index.add("lib", "1.0")
    native = index.add("lib", "1.0", tag=LINUX_TAG)
    index.add("lib", "1.0", tag=WINDOWS_TAG)
    assert files(resolve(["lib"], LINUX, index)) == {"lib": native.filename}
    assert files(resolve(["lib"], MAC, index)) == {"lib": "lib-1.0-py3-none-any.whl"}


def test_only_the_best_wheel_of_a_version_unless_fallback() -> None:
    index = FakeIndex()
    index.add("lib", "1.0")
    index.add("lib", "2.0", python=">=3.12", tag=LINUX_TAG)
    index.add("lib", "2.0")
    assert pins(resolve(["lib"], LINUX, index)) == {"lib": "1.0"}
    fallback = resolve(["lib"], LINUX, index, Policy(same_version_fallback=True))
    assert files(fallback) == {"lib": "lib-2.0-py3-none-any.whl"}


def test_root_markers_and_bad_requirements() -> None:
    index = FakeIndex()
    index.add("lib", "1.0")
    assert pins(resolve(['lib; sys_platform == "win32"'], LINUX, index)) == {}
    with pytest.raises(UsageError, match="cannot parse"):
        resolve(["lib >>> 1"], LINUX, index)
    with pytest.raises(UsageError, match="direct URL"):
        resolve(["lib @ https://example.invalid/lib-1.0-py3-none-any.whl"], LINUX, index)


def test_metadata_that_contradicts_the_filename_is_refused() -> None:
    index = FakeIndex()
    index.add("lib", "1.0", meta=b"Metadata-Version: 2.1\nName: lib\nVersion: 9.9\n")
    with pytest.raises(GraftError, match=r"METADATA says 'lib' '9\.9', the filename lib 1\.0"):
        resolve(["lib"], LINUX, index)


def test_hashes_leave_out_files_with_another_sha256() -> None:
    index = FakeIndex()
    old, new = index.add("lib", "1.0"), index.add("lib", "2.0")
    unknown = index.add("lib", "3.0")
    index.projects["lib"] = [
        dataclasses.replace(old, hashes=(("sha256", "aa" * 32),)),
        dataclasses.replace(new, hashes=(("sha256", "bb" * 32),)),
        unknown,
    ]
    allowed = {NormalizedName("lib"): frozenset({f"sha256:{'aa' * 32}"})}
    policy = Policy(hashes=allowed)
    assert pins(resolve(["lib<3"], LINUX, index, policy)) == {"lib": "1.0"}
    assert pins(resolve(["lib"], LINUX, index, policy)) == {"lib": "3.0"}  # checked on download
    with pytest.raises(SourceError, match=r"no file of lib==2\.0 .* among its --hash values"):
        resolve(["lib==2.0"], LINUX, index, policy)


@pytest.mark.parametrize(
    "text",
    ["app", "App_X[Fast,b]>=1,<2", "lib==2.0", "x[y] ~= 1.4", "name===1.0", "a[B]!=3.*,>1"],
)
def test_a_parsed_requirement_gives_the_needs_its_text_would(text: str) -> None:
    from graft.resolve.inputs import resolver_needs
    from graft.resolve.resolver import root_needs
    from graft.sources.requirements import parse_spec

    wanted = parse_spec(text, "test")
    again = root_needs([wanted.requirement], LINUX)
    needs = resolver_needs(wanted)
    assert needs == again
    assert [n.text for n in needs if not isinstance(n, str)] == [n.text for n in again]
    assert len(again) == 1 + len(wanted.extras)


def test_a_criterion_left_without_requirements_is_offered_every_version() -> None:
    """resolvelib's backjump may ask for matches of an identifier it holds no requirement on."""
    from graft.resolve.provider import Provider

    index = FakeIndex()
    for version in ("1.0", "2.0"):
        index.add("lib", version, ["x", 'y; extra == "fast"'], extras=("fast",))
    provider = Provider(index, LINUX, Policy())
    for ident, extra in (("lib", None), ("lib[fast]", "fast")):
        found = provider.find_matches(ident, {ident: iter(())}, {ident: iter(())})
        offered = [(str(c.version), getattr(c, "extra", "?")) for c in found]
        assert offered == [("2.0", extra), ("1.0", extra)]


def test_a_yanked_file_comes_after_a_file_of_its_version_that_is_not() -> None:
    # PEP 592: a yanked file only where no other fits, even for an == naming its version
    # (pip's sort key); before decision 409 the Linux wheel, first in the tag order, was
    # taken yanked (this index once also left a cycle of extras behind by backtracking:
    # the test of resolver._connected below)
    plain = FakeIndex()
    plain.add("p0", "3.0rc1", [], tag=LINUX_TAG, yanked="bad")
    plain.add("p0", "3.0rc1", [])
    for shortcut in (False, True):
        taken = resolve(["p0==3.0rc1"], LINUX, plain, shortcut=shortcut)
        assert [p.file.filename for p in taken.pins] == ["p0-3.0rc1-py3-none-any.whl"]
    index = FakeIndex()  # its extra needed back by a dependency: the same file serves both
    index.add("p0", "3.0rc1", ["p1>=2.0"], tag=LINUX_TAG, extras=("x",), yanked="bad")
    index.add("p0", "3.0rc1", ['p1[x]==2.0; extra == "x"'], extras=("x",))
    index.add("p1", "2.0+cpu", ["p0[x]>=3.0rc1"], extras=("x",))
    searched = resolve(["p0==3.0rc1"], LINUX, index, shortcut=False)
    assert [p.file.filename for p in searched.pins] == ["p0-3.0rc1-py3-none-any.whl"]
    assert searched.pins == resolve(["p0==3.0rc1"], LINUX, index).pins  # the pinned shortcut
    alone = FakeIndex()  # the yanked file alone: still taken for the == naming it
    alone.add("p0", "3.0rc1", [], tag=LINUX_TAG, yanked="bad")
    taken = resolve(["p0==3.0rc1"], LINUX, alone, shortcut=False)
    assert [p.file.filename for p in taken.pins] == [f"p0-3.0rc1-{LINUX_TAG}.whl"]


def test_a_cycle_of_pins_no_root_reaches_is_left_out_of_the_answer() -> None:
    # found by test_pinned's property test: resolvelib 1.2 walks its answer from each pin to
    # the root recursively, with no end where two pins left by backtracking require each
    # other and no root reaches them (a RecursionError after the resolution had succeeded);
    # resolver._connected finds the same answer by a fixed point
    from resolvelib.resolvers import Criterion
    from resolvelib.structs import RequirementInformation, State

    from graft.resolve.candidates import Need
    from graft.resolve.resolver import _connected

    def pin(name: str, extra: str | None = None) -> WheelCandidate:
        file = ArtifactFile(f"{name}-1.0-py3-none-any.whl", f"https://x/{name}.whl")
        extra_name = None if extra is None else NormalizedName(extra)
        return WheelCandidate(NormalizedName(name), Version("1.0"), file, extra_name)

    def criterion(name: str, *parents: WheelCandidate | None) -> Criterion[Any, Any]:
        need = Need(NormalizedName(name.partition("[")[0]))
        information = [RequirementInformation(need, parent) for parent in parents]
        return Criterion([], information, [])

    a, b, c, cx = pin("a"), pin("b"), pin("c"), pin("c", "x")
    mapping = {"a": a, "b": b, "c": c, "c[x]": cx}
    criteria = {  # the root needs a, a needs b; c and c[x] need each other, reached by none
        "a": criterion("a", None),
        "b": criterion("b", a),
        "c": criterion("c", cx),
        "c[x]": criterion("c[x]", c),
    }
    kept, children = _connected(State(mapping, criteria, []))  # type: ignore[arg-type]
    assert kept == {"a": a, "b": b}
    assert children("a") == {"b"}
    assert children("c") == set()


def test_an_sdist_that_fails_to_state_its_dependencies_here_is_left_for_another_system() -> None:
    """Decision 134: pyobjc-framework-cocoa 12.0 has no cp39 wheel, and its sdist's
    dependencies are dynamic; its backend refuses to run off macOS. A lock of cp39 macOS on
    Linux gave that environment up ("not locked for cp39 macosx_15_0_arm64: …tar.gz:
    get_requires_for_build_wheel … failed"); the build on this machine says nothing of the
    target, so the release is left there (as one its Requires-Python excludes) and an
    older one taken, with a warning. For a target of this machine's system the build's
    failure ends the resolution, as before (and as pip's does)."""
    index = FailingBuilds()
    index.add("cocoa", "2.0", ["core"], tag="cp312-cp312-macosx_11_0_arm64")
    index.add_sdist("cocoa", "2.0")
    index.add("cocoa", "1.0", ["core"])
    index.add("core", "1.0")
    result = resolve(["cocoa"], MAC, index, Policy(sdists=True))
    assert pins(result) == {"cocoa": "1.0", "core": "1.0"}
    assert index.reads.count("cocoa-2.0.tar.gz") == 1
    failed = "get_requires_for_build_wheel of setuptools.build_meta failed (exit status 1)"
    warning = (
        f"cocoa==2.0 (cocoa-2.0.tar.gz): its dependencies need a build, which failed on this"
        f" machine ({failed}): another release taken for a target of another system than linux"
    )
    assert result.warnings == (warning,)
    here = dataclasses.replace(LINUX, tags=("py3-none-any",))  # (no wheel of 2.0 fits)
    with pytest.raises(BuildError):  # for this machine's system: the build's failure stands
        resolve(["cocoa"], here, index, Policy(sdists=True))
    only = FailingBuilds()  # nothing else to take: said as the build's failure
    only.add_sdist("cocoa", "2.0")
    with pytest.raises(ResolutionError) as info:
        resolve(["cocoa"], MAC, only, Policy(sdists=True))
    build = f"a build, which failed on this linux machine ({failed})"
    assert info.value.lines == (
        f"the releases tried state their dependencies only through {build}",
        f"cocoa==2.0 (cocoa-2.0.tar.gz) requires {build}",
    )
