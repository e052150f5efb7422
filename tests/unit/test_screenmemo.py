"""Screenings shared across a lock's environments: never a different answer, fewer screenings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from graft.resolve.artifacts import ArtifactFile
from graft.resolve.environments import DEFAULT_PYTHONS, matrix
from graft.resolve.listing import Listing
from graft.resolve.policy import Policy, Prereleases
from graft.resolve.screen import screen
from graft.resolve.screenmemo import ScreenMemo, policy_key

LIB = NormalizedName("lib")
ENVS = matrix(DEFAULT_PYTHONS)
TAGS = (
    "py3-none-any",
    "py2.py3-none-any",
    "cp311-cp311-manylinux_2_17_x86_64",
    "cp312-cp312-manylinux_2_28_aarch64",
    "cp39-abi3-win_amd64",
    "cp310-abi3-macosx_11_0_arm64",
    "cp313-cp313-macosx_10_13_x86_64",
)
SDIST = "sdist"  # (as a tag: the release's sdist)


def _file(version: str, tag: str, python: str | None = None, yanked: bool = False) -> ArtifactFile:
    name = f"lib-{version}.tar.gz" if tag == SDIST else f"lib-{version}-{tag}.whl"
    return ArtifactFile(
        name,
        f"https://files.invalid/{name}",
        (("sha256", "0" * 64),),
        requires_python=python,
        yanked="" if yanked else None,
        upload_time=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
    )


listings = st.lists(
    st.builds(
        _file,
        st.sampled_from(["1.0", "1.1", "2.0", "2.1rc1"]),
        st.sampled_from((*TAGS, SDIST)),
        st.sampled_from([None, ">=3.10", "<3.12", ">=3.13"]),
        st.booleans(),
    ),
    max_size=10,
    unique_by=lambda f: f.filename,
).map(tuple)


@settings(max_examples=40, deadline=None)
@given(
    listings, st.sampled_from(["", ">=1.1", "==2.1rc1", "<2"]), st.sampled_from(list(Prereleases))
)
def test_the_memo_answers_exactly_what_screen_answers_in_every_environment(
    files: tuple[ArtifactFile, ...], spec: str, prereleases: Prereleases
) -> None:
    memo = ScreenMemo()
    policy = Policy(prereleases=prereleases)
    specs = [SpecifierSet(spec)]
    for env in ENVS:
        ranks = env.target.tag_rank()
        shared = memo.screen(LIB, files, specs, env.target, policy, tag_rank=ranks)
        alone = screen(LIB, files, specs, env.target, policy, tag_rank=ranks)
        assert shared.offered == alone.offered, env.label
        assert shared.rejected == ()  # the resolver's question: no reasons (explain asks again)
    assert memo.screened + memo.shared + memo.fit_none == len(ENVS)


@settings(max_examples=40, deadline=None)
@given(
    listings, st.sampled_from(["", ">=1.1", "==2.1rc1", "<2"]), st.sampled_from(list(Prereleases))
)
def test_an_explanations_screening_is_screen_with_its_reasons_in_every_environment(
    files: tuple[ArtifactFile, ...], spec: str, prereleases: Prereleases
) -> None:
    memo = ScreenMemo()
    policy = Policy(prereleases=prereleases)
    specs = [SpecifierSet(spec)]
    for env in ENVS:
        ranks = env.target.tag_rank()
        shared = memo.explained(LIB, files, specs, env.target, policy, tag_rank=ranks)
        alone = screen(LIB, files, specs, env.target, policy, tag_rank=ranks)
        assert shared == alone, env.label  # the offer and every file's reason, in order
    assert memo.screened + memo.shared == len(ENVS)


def test_an_explanations_screening_is_shared_only_where_the_whole_listing_looks_alike() -> None:
    # 2.0 is outside the specifier, but an explanation reads every file, and 2.0's
    # requires-python tells 3.9 and 3.10 from the other versions (its reason differs)
    files = (_file("1.0", "py3-none-any"), _file("2.0", "py3-none-any", python=">=3.11"))
    memo = ScreenMemo()
    specs = [SpecifierSet("<2")]
    for env in ENVS:
        ranks = env.target.tag_rank()
        memo.explained(LIB, files, specs, env.target, Policy(), tag_rank=ranks)
    assert (memo.screened, memo.shared) == (2, len(ENVS) - 2)
    memo.screen(LIB, files, specs, ENVS[0].target, Policy(), tag_rank=ENVS[0].target.tag_rank())
    assert memo.screened == 3  # (the resolver's question, without reasons, is kept apart)


def test_a_pure_python_listing_is_screened_once_per_python_verdict() -> None:
    files = (_file("1.0", "py3-none-any"), _file("2.0", "py3-none-any", python=">=3.11"))
    memo = ScreenMemo()
    for env in ENVS:
        memo.screen(LIB, files, [], env.target, Policy(), tag_rank=env.target.tag_rank())
    # 3.9 and 3.10 see ">=3.11" fail, the other versions see it pass: two screenings in all
    assert (memo.screened, memo.shared) == (2, len(ENVS) - 2)


def test_a_listing_with_a_wheel_per_platform_is_screened_per_platform() -> None:
    files = (
        _file("1.0", "py3-none-any"),
        _file("1.0", "cp311-cp311-manylinux_2_17_x86_64"),
    )
    memo = ScreenMemo()
    for env in ENVS:
        memo.screen(LIB, files, [], env.target, Policy(), tag_rank=env.target.tag_rank())
    # only CPython 3.11 on Linux x86_64 ranks the cp311 wheel; everyone else sees the pure one
    assert memo.screened == 2


def test_a_listing_no_file_of_which_fits_the_target_is_not_screened_for_it() -> None:
    # a project with wheels for Windows x86_64 only: every other environment is answered
    # from the listing's signature, whatever the specifier (a lock's proof asks for each
    # release in turn), and the first offered is None there too
    files = tuple(_file(v, "cp39-abi3-win_amd64") for v in ("1.0", "1.1", "2.0"))
    memo = ScreenMemo()
    for env in ENVS:
        ranks = env.target.tag_rank()
        for spec in ("==1.0", "==1.1", ">=1.1", ""):
            specs = [SpecifierSet(spec)]
            found = memo.screen(LIB, files, specs, env.target, Policy(), tag_rank=ranks)
            first = memo.first(LIB, files, specs, env.target, Policy(), tag_rank=ranks)
            alone = screen(LIB, files, specs, env.target, Policy(), tag_rank=ranks)
            assert found.offered == alone.offered, env.label
            assert first == (alone.offered[0] if alone.offered else None), env.label
    fitting = sum("cp39-abi3-win_amd64" in env.target.tags for env in ENVS)
    assert fitting
    assert memo.fit_none == 2 * 4 * (len(ENVS) - fitting)
    # an sdist could be built for any target: no shortcut
    with_sdist = (*files, _file("2.0", SDIST))
    memo = ScreenMemo()
    for env in ENVS:
        memo.screen(LIB, with_sdist, [], env.target, Policy(), tag_rank=env.target.tag_rank())
    assert memo.fit_none == 0


def test_the_policy_key_reads_only_what_the_screening_of_that_project_reads() -> None:
    other = NormalizedName("other")
    base = Policy(hashes={other: frozenset({"sha256:" + "1" * 64})})
    assert policy_key(base, LIB) == policy_key(Policy(), LIB)
    assert policy_key(base, other) != policy_key(Policy(), other)
    assert policy_key(Policy(upgrade=True), LIB) == policy_key(Policy(), LIB)
    assert policy_key(Policy(prereleases=Prereleases.ALLOW), LIB) != policy_key(Policy(), LIB)


def test_an_installed_prerelease_is_in_the_key_by_value() -> None:
    """Under -U the venv's prerelease is admitted (decision 426): it tells screenings apart."""
    other = NormalizedName("other")
    held = Policy(upgrade=True, installed_prereleases={LIB: Version("2.0b1")})
    again = Policy(upgrade=True, installed_prereleases={LIB: Version("2.0b1")})
    assert policy_key(held, LIB) != policy_key(Policy(upgrade=True), LIB)
    assert policy_key(held, LIB) == policy_key(again, LIB)
    assert policy_key(held, other) == policy_key(Policy(upgrade=True), other)


def test_the_build_options_are_keyed_by_what_they_mean_for_the_project() -> None:
    other = NormalizedName("other")
    # equal values made anew per environment (as the lock's policies are) share a screening
    one = Policy(sdists=True, no_binary=frozenset({"other"}))
    two = Policy(sdists=True, no_binary=frozenset({"other"}))
    assert policy_key(one, LIB) == policy_key(two, LIB) == policy_key(Policy(sdists=True), LIB)
    assert policy_key(one, other) != policy_key(Policy(sdists=True), other)
    assert policy_key(Policy(sdists=True), LIB) != policy_key(Policy(), LIB)
    only = Policy(sdists=True, only_binary=frozenset({":all:"}))
    assert policy_key(only, LIB) == policy_key(Policy(), LIB)


def test_a_policy_field_the_key_does_not_know_is_keyed_by_identity() -> None:
    @dataclasses.dataclass(frozen=True)
    class Wider(Policy):
        chooser: object = None

    one, two = object(), object()
    assert policy_key(Wider(chooser=one), LIB) == policy_key(Wider(chooser=one), LIB)
    assert policy_key(Wider(chooser=one), LIB) != policy_key(Wider(chooser=two), LIB)


def test_an_identity_in_a_key_is_never_reused_while_the_memo_lives() -> None:
    # a lock's variant forks each screen with a chooser of their own, made and dropped in
    # turn; CPython gives a new object the address of one just freed, so a key holding only
    # the id handed a fork another fork's screening (a flaky lock missing a variant's
    # dependencies on one machine)
    @dataclasses.dataclass(frozen=True)
    class Wider(Policy):
        chooser: object = None

    files = (_file("1.0", "py3-none-any"),)
    target = ENVS[0].target
    memo = ScreenMemo()
    for _ in range(20):
        memo.screen(LIB, files, [], target, Wider(chooser=object()), tag_rank=target.tag_rank())
    assert (memo.screened, memo.shared) == (20, 0)
    kept = Wider(chooser=object())
    memo.screen(LIB, files, [], target, kept, tag_rank=target.tag_rank())
    memo.screen(LIB, files, [], target, kept, tag_rank=target.tag_rank())
    assert (memo.screened, memo.shared) == (21, 1)  # the same chooser: shared


def test_a_pinned_question_in_every_environment_makes_only_the_pinned_releases_files() -> None:
    # a lock asks each listing once per environment; a listing makes a file when it is read
    # (decision 76), and the signature, the tag groups and the versions read names only
    eager = [
        _file(version, tag, python=">=3.10" if version == "2.0" else None)
        for version in ("1.0", "1.1", "2.0")
        for tag in TAGS
    ]
    rows = [[f.filename, f.url, "0" * 64, f.requires_python, None, None, None, None] for f in eager]
    made: list[str] = []

    def make(row: Sequence[Any]) -> ArtifactFile:
        made.append(str(row[0]))
        return eager[[r[0] for r in rows].index(row[0])]

    listing = Listing(rows, make)
    memo = ScreenMemo()
    for env in ENVS:
        ranks = env.target.tag_rank()
        found = memo.first(
            LIB, listing, [SpecifierSet("==1.1")], env.target, Policy(), tag_rank=ranks
        )
        alone = screen(LIB, eager, [SpecifierSet("==1.1")], env.target, Policy(), tag_rank=ranks)
        assert found == (alone.offered[0] if alone.offered else None), env.label
    assert made
    assert {name.split("-")[1] for name in made} == {"1.1"}


def test_the_names_whose_url_requirements_are_followed_are_no_part_of_the_key() -> None:
    # decision 169's Policy.direct is read by the provider, never by the screening, and each
    # lock environment makes its own set: keyed by identity, it kept every environment's
    # screenings apart (decision 181)
    one, two = (
        Policy(direct=frozenset({NormalizedName("app")})),
        Policy(direct=frozenset({NormalizedName("app")})),
    )
    assert policy_key(one, LIB) == policy_key(two, LIB) == policy_key(Policy(), LIB)
    files = (_file("1.0", "py3-none-any"),)
    memo = ScreenMemo()
    for env in ENVS:
        policy = Policy(direct=frozenset({NormalizedName("app")}))
        memo.screen(LIB, files, [], env.target, policy, tag_rank=env.target.tag_rank())
    assert (memo.screened, memo.shared) == (1, len(ENVS) - 1)


def test_specifiers_admitting_the_same_versions_are_screened_once() -> None:
    """Decision 500: a requirement's specifiers arrive in their parents' order, repeated.

    ``autogluon==1.1.1``'s lock asked 3,869 screenings of which 1,398 were different: the
    same specifiers in another order, one stated by several parents, or other specifiers
    admitting the same versions. Each is now screened once.
    """
    files = (
        _file("1.0", "py3-none-any"),
        _file("1.1", "py3-none-any"),
        _file("2.0", "py3-none-any"),
    )
    memo = ScreenMemo()
    env = ENVS[0]
    asked = [
        [SpecifierSet(">=1.0"), SpecifierSet("<2")],
        [SpecifierSet("<2"), SpecifierSet(">=1.0")],
        [SpecifierSet(">=1.0"), SpecifierSet("<2"), SpecifierSet(">=1.0")],
        [SpecifierSet(">=0.5,<2.0")],
    ]
    answers = [
        memo.screen(LIB, files, specs, env.target, Policy(), tag_rank=env.target.tag_rank())
        for specs in asked
    ]
    assert [str(v) for v, _ in answers[0].offered] == ["1.1", "1.0"]
    assert all(answer is answers[0] for answer in answers)
    assert (memo.screened, memo.shared) == (1, 3)


_SPECS = st.sampled_from(
    [
        "",
        ">=1.0",
        ">=1.0.0",
        "<2",
        "<2.1rc1",
        "!=1.1",
        "==1.1",
        "==1.1.0",
        "==2.1rc1",
        "==2.*",
        "~=1.0",
        ">1.0,<=2.0",
        ">=2.1rc1",
    ]
)


@st.composite
def _specifier_lists(draw: st.DrawFn) -> list[SpecifierSet]:
    out = []
    for text in draw(st.lists(_SPECS, max_size=4)):
        named = draw(st.sampled_from([None, None, True, False]))
        out.append(SpecifierSet(text, prereleases=named))
    return out


@settings(max_examples=150, deadline=None)
@given(
    listings,
    st.lists(_specifier_lists(), min_size=1, max_size=6),
    st.sampled_from(list(Prereleases)),
)
def test_one_memo_answers_every_specifier_list_as_screen_does(
    files: tuple[ArtifactFile, ...], asked: list[list[SpecifierSet]], prereleases: Prereleases
) -> None:
    """A guard for decision 500's key: whatever lists one memo was asked before.

    Random lists (orders, repeats, other spellings of one version, explicit prerelease
    flags, ``==`` of yanked files) against :func:`screen`, which asks packaging's
    ``contains`` of each file.
    """
    memo = ScreenMemo()
    policy = Policy(prereleases=prereleases)
    for env in ENVS[::5]:
        ranks = env.target.tag_rank()
        for specs in asked:
            shared = memo.screen(LIB, files, specs, env.target, policy, tag_rank=ranks)
            alone = screen(LIB, files, specs, env.target, policy, tag_rank=ranks)
            assert shared.offered == alone.offered, (env.label, specs)
