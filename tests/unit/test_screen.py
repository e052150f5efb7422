"""The screening of a project's files: every file kept or left out with a reason, in order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from graft.resolve.artifacts import ArtifactFile, wheel_rank
from graft.resolve.first_offered import first_offered
from graft.resolve.policy import Policy, Prereleases, format_limit, format_sets
from graft.resolve.screen import Reject, screen
from graft.venv.foreign import foreign_target

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])
RANKS = LINUX.tag_rank()
LIB = NormalizedName("lib")
TAGS = (
    "py3-none-any",
    "cp311-cp311-manylinux_2_17_x86_64",
    "cp311-abi3-win_amd64",
    "cp39-abi3-manylinux_2_17_x86_64",
)
VERSIONS = ("0.9", "1.0", "1.1b1", "2.0", "2.0rc1", "3.0.dev1")

files_strategy = st.lists(
    st.builds(
        lambda version, tag, yanked, python, name, sdist: ArtifactFile(
            f"{name}-{version}.tar.gz" if sdist else f"{name}-{version}-{tag}.whl",
            f"https://files.invalid/{name}-{version}-{tag}",
            yanked="" if yanked else None,
            requires_python=python,
            upload_time=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
        ),
        st.sampled_from(VERSIONS),
        st.sampled_from(TAGS),
        st.booleans(),
        st.sampled_from([None, ">=3.8", ">=3.12"]),
        st.sampled_from(["lib", "lib", "lib", "other"]),
        st.booleans(),
    ),
    max_size=12,
    unique_by=lambda f: f.filename,
)


@given(
    files_strategy,
    st.lists(st.sampled_from(["", ">=1.0", "<2.0", "==2.0", ">=2.0rc1", "!=1.0"]), max_size=2),
    st.sampled_from(list(Prereleases)),
)
def test_every_file_is_kept_or_left_out_and_the_kept_are_in_order(
    files: list[ArtifactFile], specs: list[str], prereleases: Prereleases
) -> None:
    specifiers = [SpecifierSet(s) for s in specs]
    result = screen(LIB, files, specifiers, LINUX, Policy(prereleases=prereleases))
    kept = [f for _, f in result.offered]
    assert sorted(f.filename for f in kept + [f for f, _, _ in result.rejected]) == sorted(
        f.filename for f in files
    )
    versions = [v for v, _ in result.offered]
    assert versions == sorted(versions, reverse=True)  # newest first
    for (v1, f1), (v2, f2) in zip(result.offered, result.offered[1:], strict=False):
        if v1 == v2:  # then not yanked before yanked (PEP 592), then the target's tag order
            r1, r2 = wheel_rank(f1.filename, RANKS), wheel_rank(f2.filename, RANKS)
            assert r1 is not None
            assert r2 is not None
            assert (f1.yanked is not None, r1) <= (f2.yanked is not None, r2)
    for version, file in result.offered:
        assert file.filename.startswith("lib-")
        assert file.filename.endswith(".whl")
        assert all(s.contains(version, prereleases=True) for s in specifiers)
        assert file.yanked is None or any(s.operator == "==" for sp in specifiers for s in sp)
        assert file.requires_python != ">=3.12"
        if version.is_prerelease and prereleases is Prereleases.DISALLOW:
            assert any(sp.prereleases for sp in specifiers)
    if prereleases is Prereleases.IF_NECESSARY and not any(sp.prereleases for sp in specifiers):
        # prereleases only when no final release is left
        assert all(v.is_prerelease for v in versions) or not any(v.is_prerelease for v in versions)
    for file, reason, _ in result.rejected:
        if reason is Reject.SDIST:
            assert file.filename.endswith(".tar.gz")
        if reason is Reject.TAGS:
            assert wheel_rank(file.filename, RANKS) is None


def test_the_preferred_version_comes_first_unless_upgrading() -> None:
    files = [ArtifactFile(f"lib-{v}-py3-none-any.whl", f"https://x/{v}") for v in ("1.0", "2.0")]
    keep = Policy(preferred={LIB: Version("1.0")})
    assert [str(v) for v, _ in screen(LIB, files, [], LINUX, keep).offered] == ["1.0", "2.0"]
    upgrade = Policy(preferred={LIB: Version("1.0")}, upgrade=frozenset({LIB}))
    assert [str(v) for v, _ in screen(LIB, files, [], LINUX, upgrade).offered] == ["2.0", "1.0"]


def _sdist_case() -> list[ArtifactFile]:
    return [
        ArtifactFile("lib-2.0.tar.gz", "https://files.invalid/lib-2.0.tar.gz"),
        ArtifactFile("lib-1.0.tar.gz", "https://files.invalid/lib-1.0.tar.gz"),
        ArtifactFile("lib-1.0-py3-none-any.whl", "https://files.invalid/lib-1.0-py3.whl"),
        ArtifactFile("other-2.0.tar.gz", "https://files.invalid/other-2.0.tar.gz"),
    ]


def test_sdists_are_candidates_only_when_builds_are_allowed() -> None:
    off = screen(LIB, _sdist_case(), [], LINUX, Policy())
    assert [f.filename for _, f in off.offered] == ["lib-1.0-py3-none-any.whl"]
    assert {(f.filename, r) for f, r, _ in off.rejected} == {
        ("lib-2.0.tar.gz", Reject.SDIST),
        ("lib-1.0.tar.gz", Reject.SDIST),
        ("other-2.0.tar.gz", Reject.FILENAME),
    }
    on = screen(LIB, _sdist_case(), [], LINUX, Policy(sdists=True))
    # newest first, and within a version every wheel before the sdist (pip's and uv's order)
    assert [f.filename for _, f in on.offered] == [
        "lib-2.0.tar.gz",
        "lib-1.0-py3-none-any.whl",
        "lib-1.0.tar.gz",
    ]


def test_no_binary_and_only_binary() -> None:
    no_binary = Policy(sdists=True, no_binary=frozenset({"lib"}))
    kept = screen(LIB, _sdist_case(), [], LINUX, no_binary)
    assert [f.filename for _, f in kept.offered] == ["lib-2.0.tar.gz", "lib-1.0.tar.gz"]
    assert ("lib-1.0-py3-none-any.whl", Reject.NO_BINARY) in {
        (f.filename, r) for f, r, _ in kept.rejected
    }
    for names in ({"lib"}, {":all:"}):
        only = Policy(sdists=True, only_binary=frozenset(names))
        kept = screen(LIB, _sdist_case(), [], LINUX, only)
        assert [f.filename for _, f in kept.offered] == ["lib-1.0-py3-none-any.whl"]
    other = Policy(sdists=True, only_binary=frozenset({"other"}), no_binary=frozenset({":all:"}))
    kept = screen(LIB, _sdist_case(), [], LINUX, other)
    assert [f.filename for _, f in kept.offered] == ["lib-2.0.tar.gz", "lib-1.0.tar.gz"]


def test_no_binary_leaves_a_wheel_the_user_names() -> None:
    """A wheel by path or URL, or one built from a named source, is not an index's offer."""
    named = ArtifactFile("lib-1.0-py3-none-any.whl", "file:///w/lib-1.0-py3.whl", direct=True)
    for names in ({"lib"}, {":all:"}):
        policy = Policy(sdists=True, no_binary=frozenset(names))
        kept = screen(LIB, [*_sdist_case(), named], [], LINUX, policy)
        offered = [(f.filename, f.direct) for _, f in kept.offered]
        assert ("lib-1.0-py3-none-any.whl", True) in offered
        assert ("lib-1.0-py3-none-any.whl", False) not in offered  # the index's still is not


@pytest.mark.parametrize(
    ("no_binary", "only_binary", "offered"),
    [
        # a name given to one flag beats :all: in the other, either way round (pip, uv)
        ({"lib"}, {":all:"}, ["lib-2.0.tar.gz", "lib-1.0.tar.gz"]),
        ({":all:"}, {"lib"}, ["lib-1.0-py3-none-any.whl"]),
        # both for one name, or :all: in both: --only-binary is asked first (pip's order)
        ({"lib"}, {"lib"}, ["lib-1.0-py3-none-any.whl"]),
        ({":all:"}, {":all:"}, ["lib-1.0-py3-none-any.whl"]),
        # neither names lib: :all: decides
        ({"other"}, {":all:"}, ["lib-1.0-py3-none-any.whl"]),
        ({":all:"}, {"other"}, ["lib-2.0.tar.gz", "lib-1.0.tar.gz"]),
    ],
)
def test_no_binary_and_only_binary_together_follow_pips_format_control(
    no_binary: set[str], only_binary: set[str], offered: list[str]
) -> None:
    policy = Policy(sdists=True, no_binary=frozenset(no_binary), only_binary=frozenset(only_binary))
    kept = screen(LIB, _sdist_case(), [], LINUX, policy)
    assert [f.filename for _, f in kept.offered] == offered


#: pip 26.3's choice for six and idna under each command line (``pip install --dry-run
#: --report`` of six==1.16.0 idna==3.7, the files it took; decision 326): "source" where it
#: took the sdist, "binary"/None where the wheel (None: either format allowed)
_PIP_MEASURED = [
    ("--no-binary six --no-binary :none: --no-binary idna", None, "source"),
    ("--only-binary six --no-binary six", "source", None),
    ("--no-binary six --only-binary six", "binary", None),
    ("--only-binary :all: --no-binary :all:", "source", "source"),
    ("--no-binary :all: --only-binary :all:", "binary", "binary"),
    ("--no-binary six,:none:,idna", None, "source"),
    ("--no-binary :all:,:none:,six", "source", None),
    ("--no-binary :all: --no-binary :none:", None, None),
    ("--no-binary :all: --only-binary six", "binary", "source"),
    ("--only-binary six --no-binary :all: --no-binary six", "source", "source"),
    ("--no-binary :all:,six", "source", "source"),
]


@pytest.mark.parametrize(("line", "six", "idna"), _PIP_MEASURED)
def test_format_options_are_read_in_order_as_pip_reads_them(
    line: str, six: str | None, idna: str | None
) -> None:
    """``:none:`` emptied every value of its flag, before it and after it, and a name given
    to both flags was always --only-binary's (decision 326)."""
    words = line.split()
    steps = [(flag[2:], value) for flag, value in zip(words[::2], words[1::2], strict=True)]
    only_binary, no_binary = format_sets(steps)
    assert format_limit("six", only_binary, no_binary) == six
    assert format_limit("idna", only_binary, no_binary) == idna


_VALUES = st.lists(st.sampled_from(["six", "Six", "idna", ":all:", ":none:"]), min_size=1)


@given(st.lists(st.tuples(st.sampled_from(["no-binary", "only-binary"]), _VALUES), max_size=6))
def test_format_sets_keep_pips_invariants(given_steps: list[tuple[str, list[str]]]) -> None:
    """A name is never in both sets, and :all: is alone where it stands; the last step that
    names six (not covered by a later :all: or :none:) decides its format."""
    steps = [(flag, ",".join(values)) for flag, values in given_steps]
    only_binary, no_binary = format_sets(steps)
    assert not (only_binary & no_binary - {":all:"})
    assert not ({":none:", "Six"} & (only_binary | no_binary))
    last = steps[-1] if steps else None
    if last is not None and last[1].split(",")[-1] in {"six", "Six"}:
        expected = "source" if last[0] == "no-binary" else "binary"
        assert format_limit("six", only_binary, no_binary) == expected


def test_an_sdist_is_screened_like_a_wheel() -> None:
    files = [
        ArtifactFile("lib-3.0.tar.gz", "https://f.invalid/3", requires_python=">=3.12"),
        ArtifactFile("lib-2.0.tar.gz", "https://f.invalid/2", yanked=""),
        ArtifactFile("lib-1.0.tar.gz", "https://f.invalid/1"),
    ]
    kept = screen(LIB, files, [], LINUX, Policy(sdists=True))
    assert [f.filename for _, f in kept.offered] == ["lib-1.0.tar.gz"]
    assert {(f.filename, r) for f, r, _ in kept.rejected} == {
        ("lib-3.0.tar.gz", Reject.PYTHON),
        ("lib-2.0.tar.gz", Reject.YANKED),
    }


def test_a_specifier_verdict_is_remembered_per_version_but_not_for_arbitrary_equality() -> None:
    def wheel(version: str) -> ArtifactFile:
        return ArtifactFile(f"lib-{version}-py3-none-any.whl", f"https://files.invalid/{version}")

    files = [wheel("1.0.0"), wheel("1.0"), wheel("2.0")]
    # ===1.0 compares text: 1.0.0 is equal to 1.0 as a version, but not this version
    arbitrary = screen(LIB, files, [SpecifierSet("===1.0")], LINUX, Policy())
    assert [f.filename for _, f in arbitrary.offered] == ["lib-1.0-py3-none-any.whl"]
    ranged = [SpecifierSet("<2")]
    first = screen(LIB, files, ranged, LINUX, Policy())
    again = screen(LIB, list(reversed(files)), ranged, LINUX, Policy())  # verdicts remembered
    assert [v for v, _ in first.offered] == [v for v, _ in again.offered] == [Version("1.0")] * 2


odd_files = st.lists(
    st.builds(
        lambda version, tag, shape, yanked, python: ArtifactFile(
            shape.format(v=version, t=tag),
            f"https://files.invalid/{shape.format(v=version, t=tag)}",
            yanked="" if yanked else None,
            requires_python=python,
        ),
        st.sampled_from(["1.0", "1.0.0", "1.1b1", "2.0", "2.0.post1", "not.a.version"]),
        st.sampled_from(TAGS),
        st.sampled_from(
            [
                "lib-{v}-{t}.whl",
                "lib-{v}-1-{t}.whl",  # a build tag
                "lib-{v}-{t}-x86_64_v3.whl",  # a variant label (PEP 825)
                "lib-{v}-extra-field-{t}.whl",  # too many fields: no wheel name
                "Lib-{v}-{t}.whl",
                "other-{v}-{t}.whl",
                "lib-{v}.tar.gz",
                "lib-{v}-variants.json",
            ]
        ),
        st.booleans(),
        st.sampled_from([None, ">=3.8", ">=3.12"]),
    ),
    max_size=14,
    unique_by=lambda f: f.filename,
)


@given(
    st.one_of(odd_files, files_strategy),
    st.lists(
        st.sampled_from(
            ["", ">=1.0", "<2.0", "==1.0", "==2.0.*", "===1.0", "!=1.0.0", ">1.1a0", ">=2.0rc1"]
        ),
        max_size=2,
    ),
    st.sampled_from(list(Prereleases)),
    st.sampled_from([None, "1.0", "1.1b1", "2.0"]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_without_reasons_the_same_candidates_come_in_the_same_order(
    files: list[ArtifactFile],
    specs: list[str],
    prereleases: Prereleases,
    preferred: str | None,
    sdists: bool,
    oldest: bool,
    upgrade: bool,
) -> None:
    specifiers = [SpecifierSet(s) for s in specs]
    prefers = {} if preferred is None else {LIB: Version(preferred)}
    installed = {n: v for n, v in prefers.items() if v.is_prerelease}  # (a venv's: -U keeps it)
    policy = Policy(
        prereleases=prereleases,
        preferred=prefers,
        installed_prereleases=installed,
        upgrade=upgrade,
        sdists=sdists,
        lowest=oldest,
    )
    full = screen(LIB, files, specifiers, LINUX, policy)
    quick = screen(LIB, files, specifiers, LINUX, policy, reasons=False)
    assert quick.offered == full.offered
    assert quick.rejected == ()
    first = first_offered(LIB, files, specifiers, LINUX, policy, tag_rank=RANKS)
    assert first == (full.offered[0] if full.offered else None)  # (a release at a time)
    # the preferred version first, then newest first; one version (however spelt) by the
    # target's tag order (a yanked file after the others: decision 409), then by filename
    keys = [
        (
            v != policy.prefers(LIB),
            f.yanked is not None,
            wheel_rank(f.filename, RANKS) or (1 << 30, 0),
            f.filename,
        )
        for v, f in full.offered
    ]
    for (v1, _), (v2, _), k1, k2 in zip(
        full.offered, full.offered[1:], keys, keys[1:], strict=False
    ):
        assert k1[0] <= k2[0]
        if k1[0] == k2[0]:
            assert v1 <= v2 if oldest else v1 >= v2
            assert v1 != v2 or k1[1:] <= k2[1:]


def test_a_final_release_rules_out_a_newer_prerelease_read_first() -> None:
    files = [
        ArtifactFile("lib-2.0rc1-py3-none-any.whl", "https://files.invalid/a"),
        ArtifactFile("lib-1.0-py3-none-any.whl", "https://files.invalid/b"),
        ArtifactFile("lib-0.9-py3-none-any.whl", "https://files.invalid/c"),
    ]
    for prereleases, expected in [
        (Prereleases.IF_NECESSARY, "1.0"),
        (Prereleases.ALLOW, "2.0rc1"),
        (Prereleases.DISALLOW, "1.0"),
    ]:
        first = first_offered(
            LIB, files, [], LINUX, Policy(prereleases=prereleases), tag_rank=RANKS
        )
        assert first is not None
        assert str(first[0]) == expected
    only_pre = [SpecifierSet(">1.5")]  # (a range that names no prerelease)
    for prereleases, wanted in [
        (Prereleases.IF_NECESSARY, "2.0rc1"),
        (Prereleases.DISALLOW, None),
    ]:
        policy = Policy(prereleases=prereleases)
        found = first_offered(LIB, files, only_pre, LINUX, policy, tag_rank=RANKS)
        assert (None if found is None else str(found[0])) == wanted


def test_the_first_offered_is_the_preferred_version_unless_upgrading() -> None:
    files = [
        ArtifactFile("lib-2.0-py3-none-any.whl", "https://files.invalid/a"),
        ArtifactFile("lib-1.0-py3-none-any.whl", "https://files.invalid/b"),
    ]
    kept = {LIB: Version("1.0")}
    for policy, expected in [
        (Policy(preferred=kept), "1.0"),
        (Policy(preferred=kept, upgrade=True), "2.0"),
        (Policy(preferred={LIB: Version("3.0")}), "2.0"),
    ]:
        first = first_offered(LIB, files, [], LINUX, policy, tag_rank=RANKS)
        assert first is not None
        assert str(first[0]) == expected


def test_a_held_prerelease_is_offered_as_if_a_specifier_named_it() -> None:
    """PEP 440's "already installed pre-releases", as pip and uv keep them (decision 413)."""
    files = [
        ArtifactFile("lib-2.0b1-py3-none-any.whl", "https://files.invalid/a"),
        ArtifactFile("lib-1.5-py3-none-any.whl", "https://files.invalid/b"),
        ArtifactFile("lib-1.0-py3-none-any.whl", "https://files.invalid/c"),
    ]
    held = {LIB: Version("2.0b1")}
    for policy, specs, expected in [
        (Policy(preferred=held), [], ["2.0b1", "1.5", "1.0"]),
        (Policy(preferred=held), [">=1"], ["2.0b1", "1.5", "1.0"]),
        (Policy(preferred=held), ["<2"], ["1.5", "1.0"]),  # (a range that leaves it out)
        (Policy(preferred=held, upgrade=True), [], ["1.5", "1.0"]),  # (a lock's pin)
        (Policy(preferred=held, upgrade=frozenset({LIB})), [], ["1.5", "1.0"]),
        # installed: admitted under -U and -P too, newest first (decision 426)
        (Policy(installed_prereleases=held, upgrade=True), [], ["2.0b1", "1.5", "1.0"]),
        (Policy(installed_prereleases=held, upgrade=frozenset({LIB})), [], ["2.0b1", "1.5", "1.0"]),
        (Policy(installed_prereleases=held, upgrade=True), ["<2"], ["1.5", "1.0"]),
        (
            Policy(installed_prereleases=held, prereleases=Prereleases.DISALLOW),
            [],
            ["1.5", "1.0"],
        ),
        (Policy(preferred=held, prereleases=Prereleases.DISALLOW), [], ["1.5", "1.0"]),
        (Policy(preferred=held, prereleases=Prereleases.ALLOW), [], ["2.0b1", "1.5", "1.0"]),
        (Policy(preferred={LIB: Version("1.0")}), [], ["1.0", "1.5"]),  # (no other: as before)
    ]:
        specifiers = [SpecifierSet(s) for s in specs]
        offered = screen(LIB, files, specifiers, LINUX, policy).offered
        assert [str(v) for v, _ in offered] == expected, (policy, specs)
        first = first_offered(LIB, files, specifiers, LINUX, policy, tag_rank=RANKS)
        assert first is not None
        assert str(first[0]) == expected[0]


def test_under_upgrade_prereleases_alone_offer_the_newest_not_the_held_one() -> None:
    """With no final release every prerelease is allowed: -U takes 2.1a1, as uv and pip do."""
    files = [
        ArtifactFile("lib-2.1a1-py3-none-any.whl", "https://files.invalid/a"),
        ArtifactFile("lib-2.0b1-py3-none-any.whl", "https://files.invalid/b"),
    ]
    policy = Policy(installed_prereleases={LIB: Version("2.0b1")}, upgrade=True)
    offered = screen(LIB, files, [], LINUX, policy).offered
    assert [str(v) for v, _ in offered] == ["2.1a1", "2.0b1"]
    first = first_offered(LIB, files, [], LINUX, policy, tag_rank=RANKS)
    assert first is not None
    assert str(first[0]) == "2.1a1"
    with_final = [*files, ArtifactFile("lib-1.5-py3-none-any.whl", "https://files.invalid/c")]
    first = first_offered(LIB, with_final, [], LINUX, policy, tag_rank=RANKS)
    assert first is not None
    assert str(first[0]) == "2.0b1"  # (a final release rules 2.1a1 out, not the held one)


def test_the_first_offered_is_the_targets_best_wheel_of_the_release() -> None:
    files = [
        ArtifactFile("lib-2.0-py3-none-any.whl", "https://files.invalid/a"),
        ArtifactFile("lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl", "https://files.invalid/b"),
        ArtifactFile("lib-2.0-cp311-abi3-win_amd64.whl", "https://files.invalid/c"),
    ]
    first = first_offered(LIB, files, [], LINUX, Policy(), tag_rank=RANKS)
    assert first is not None
    assert first[1].filename == "lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl"


def test_prereleases_that_cannot_be_the_first_offered_are_not_screened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """keras-nightly (1,838 dev releases) under --prerelease disallow screened each release
    to answer None; under if-necessary, every prerelease after the first (decision 275)."""
    from graft.resolve import first_offered as module
    from graft.resolve import screen as screen_module

    screened: list[str] = []
    real = screen_module.passing  # (what first_offered imports)

    def counting(name: NormalizedName, files: list[ArtifactFile], *args: Any, **kw: Any) -> Any:
        screened.extend(f.filename for f in files)
        return real(name, files, *args, **kw)

    monkeypatch.setattr(module, "passing", counting)
    files = [
        ArtifactFile(f"lib-1.0.dev{n}-py3-none-any.whl", f"https://files.invalid/{n}")
        for n in range(5)
    ]
    for prereleases, wanted, read in [
        (Prereleases.DISALLOW, None, 0),
        (Prereleases.IF_NECESSARY, "1.0.dev4", 1),
        (Prereleases.ALLOW, "1.0.dev4", 1),
    ]:
        screened.clear()
        policy = Policy(prereleases=prereleases)
        found = first_offered(LIB, files, [], LINUX, policy, tag_rank=RANKS)
        assert (None if found is None else str(found[0])) == wanted
        assert len(screened) == read
