"""A listing narrowed before its names are parsed whole: by stated version, by stated tags."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from graft.resolve.admit import by_version, verdicts
from graft.resolve.artifacts import ArtifactFile, parse_wheel, stated_tags


def _files(*names: str) -> tuple[ArtifactFile, ...]:
    return tuple(ArtifactFile(name, f"https://files.invalid/{name}") for name in names)


LISTING = _files(
    "lib-1.0-py3-none-any.whl",
    "lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
    "lib-2.0-1-py3-none-any.whl",
    "lib-2.0.tar.gz",
    "lib-2.0-py3-none-any-x86_64_v3.whl",
    "lib-3.0b1-py3-none-any.whl",
    "lib-nonsense-py3-none-any.whl",
    "lib-1.0-too-many-fields-py3-none-any.whl",
    "lib-2.0-variants.json",
)


def _names(files: object) -> list[str]:
    assert isinstance(files, tuple | list)
    return [f.filename for f in files]


def test_only_the_admitted_versions_files_stay_in_order() -> None:
    admitted = by_version(LISTING).admitted([SpecifierSet("==2.0")])
    assert _names(admitted) == [
        "lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "lib-2.0-1-py3-none-any.whl",  # a build tag: still release 2.0
        "lib-2.0.tar.gz",
        "lib-2.0-py3-none-any-x86_64_v3.whl",  # a variant label (PEP 825)
    ]  # what states no version (nonsense, too many fields, variants.json) is never offered


def test_prereleases_count_and_the_answer_is_kept_per_specifier_list() -> None:
    grouped = by_version(LISTING)
    first = grouped.admitted([SpecifierSet(">2")])
    assert "lib-3.0b1-py3-none-any.whl" in _names(first)
    assert "lib-2.0.tar.gz" not in _names(first)
    assert grouped.admitted([SpecifierSet(">2")]) is first  # a memo keys by its identity
    assert by_version(LISTING) is grouped


def test_arbitrary_equality_keeps_every_spelling_of_the_one_version_it_may_spell() -> None:
    # ===1.0 compares text, and 1.0.0 is 1.0 as a version: the screening asks each file's
    # own text; no other version's file can match (decision 501: every file was kept)
    files = _files(
        "lib-1.0.0-py3-none-any.whl", "lib-2.0-py3-none-any.whl", "lib-1.0-py3-none-any.whl"
    )
    grouped = by_version(files)
    assert _names(grouped.admitted([SpecifierSet("===1.0")])) == _names(files[::2])
    assert _names(grouped.admitted([SpecifierSet("===1.0.0")])) == _names(files[::2])
    assert not grouped.admitted([SpecifierSet("===nonsense")])
    assert not grouped.admitted([SpecifierSet("===3.0")])


def test_a_release_is_every_spelling_of_its_version() -> None:
    files = _files(
        "lib-1.0-py3-none-any.whl", "lib-1.0.0-cp39-abi3-win_amd64.whl", "lib-1.1-py3-none-any.whl"
    )
    assert _names(by_version(files).stating(Version("1"))) == _names(files[:2])


@given(
    st.sampled_from(["lib", "Lib_x", "other"]),
    st.sampled_from(["1.0", "2.0.post1", "bad!"]),
    st.sampled_from(["", "-1", "-12b"]),
    st.sampled_from(
        [
            "py3-none-any",
            "py2.py3-none-any",
            "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
            "CP39-abi3-Win_AMD64",
            "cp312-cp312",
        ]
    ),
    st.sampled_from(["", "-x86_64_v3", "-Bad-Label"]),
)
def test_the_stated_tags_are_the_parsed_ones_whenever_the_name_parses(
    name: str, version: str, build: str, tags: str, label: str
) -> None:
    filename = f"{name}-{version}{build}-{tags}{label}.whl"
    parsed = parse_wheel(filename)
    stated = stated_tags(filename)
    if parsed is not None and parsed.variant is None:
        assert stated == parsed.tags
    if parsed is not None and parsed.variant is not None:
        assert stated is None  # variant wheels are screened one by one


#: Versions either side of each bound a clause may state: locals, posts, prereleases, devs.
ODD = ("1.0", "1.0+local", "1.0.post1", "1.0rc1", "1.0.dev0", "1.0.0", "1.1", "1.1a1", "2.0",
       "2.0+x.1", "0.9", "1!0.5", "1.0.post1.dev2", "1.0.post1+l", "1.0.1.dev0", "1.0.0.1",
       "1.1.dev0", "2", "1!1.0", "1!0.5+l")  # fmt: skip
CLAUSES = ("", ">=1.0", ">1.0", "<1.1", "<=1.0", "==1.0", "==1.0.*", "~=1.0", "!=1.0",
           "<2.0", "==1.0+local", "!=1.0+local", ">1.0.post1", "<1.0rc1", ">=1!0",
           "==1.0.post1", "<=1.0.post1", "~=1.0.0", "~=1.0rc1", "==1!0.5", "~=1!0.5", "==2",
           "<=1!0.5", "==1.0.dev0", "<=2.0")  # fmt: skip


@given(
    st.lists(st.sampled_from(ODD), min_size=1, unique=True),
    st.lists(st.lists(st.sampled_from(CLAUSES), max_size=3), min_size=1, max_size=2),
)
def test_the_window_by_bounds_admits_what_every_version_asked_admits(
    versions: list[str], clauses: list[list[str]]
) -> None:
    """Decision 137: only the versions between the bounds are asked; the same answer."""
    listing = _files(*(f"lib-{v}-py3-none-any.whl" for v in versions))
    specs = [SpecifierSet(",".join(c for c in one if c)) for one in clauses]
    everyone = [
        f.filename
        for f in listing
        if all(s.contains(Version(f.filename.split("-")[1]), prereleases=True) for s in specs)
    ]
    grouped = by_version(listing)
    assert _names(grouped.admitted(specs)) == everyone
    admitting = grouped.admitting(specs)
    assert admitting is not None
    assert {grouped.version(i) for i in admitting} == {
        Version(name.split("-")[1]) for name in everyone
    }
    # (and the screening's order offers each of them: decision 225's window, 496's bounds)
    offered = {version for version, _ in grouped.releases(None, specs)}
    assert offered >= {grouped.version(i) for i in admitting}


_RELEASES = st.lists(st.integers(0, 3), min_size=1, max_size=3)
_VERSIONS = st.builds(
    lambda epoch, release, pre, post, dev, local: (
        f"{epoch}{'.'.join(map(str, release))}{pre}{post}{dev}{local}"
    ),
    st.sampled_from(["", "", "1!"]),
    _RELEASES,
    st.sampled_from(["", "", "a0", "b1", "rc2"]),
    st.sampled_from(["", "", ".post0", ".post1"]),
    st.sampled_from(["", "", ".dev0", ".dev1"]),
    st.sampled_from(["", "", "+l", "+l.2"]),
)


@st.composite
def _clauses(draw: st.DrawFn) -> str:
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~=", "==*", "!=*"]))
    version = Version(draw(_VERSIONS))
    public = version.public
    if op in {"==*", "!=*"}:
        return f"{op[:2]}{'.'.join(map(str, version.release))}.*"
    if op == "~=":
        release = version.release if len(version.release) > 1 else (*version.release, 0)
        return f"~={version.epoch}!{'.'.join(map(str, release))}"
    return f"{op}{version if op in {'==', '!='} else public}"


@given(
    st.lists(_VERSIONS, min_size=1, max_size=12),
    st.lists(st.lists(_clauses(), max_size=3), min_size=1, max_size=2),
)
def test_admitting_is_packaging_s_contains_on_random_versions(
    versions: list[str], clauses: list[list[str]]
) -> None:
    """A guard for decision 496's upper bounds: every version packaging admits, no other."""
    listing = _files(*(f"lib-{v}-py3-none-any.whl" for v in versions))
    specs = [SpecifierSet(",".join(one)) for one in clauses]
    grouped = by_version(listing)
    admitting = grouped.admitting(specs)
    assert admitting is not None
    expected = {
        Version(v) for v in versions if all(s.contains(Version(v), prereleases=True) for s in specs)
    }
    assert {grouped.version(i) for i in admitting} == expected
    assert (
        set(
            SpecifierSet(",".join(c for one in clauses for c in one)).filter(
                [Version(v) for v in versions], prereleases=True
            )
        )
        == expected
    )
    offered = {version for version, _ in grouped.releases(None, specs)}
    assert offered >= expected


def test_an_exact_version_s_window_is_its_release_not_every_newer_one() -> None:
    """``==0.68.0`` among 2,500 releases once asked each newer one (decision 496)."""
    listing = _files(*(f"lib-0.{minor}.0-py3-none-any.whl" for minor in range(200)))
    grouped = by_version(listing)
    for clause, admitted in (("==0.68.0", 1), ("<=0.68", 69), ("~=0.68.0", 1)):
        window = grouped._window([SpecifierSet(clause)])
        assert len(window) == admitted, clause
        assert len(grouped.admitting([SpecifierSet(clause)]) or ()) == admitted


@given(
    st.lists(_VERSIONS, min_size=1, max_size=12),
    st.lists(st.lists(_clauses(), max_size=3), min_size=1, max_size=3),
    st.randoms(use_true_random=False),
)
def test_specifiers_in_any_order_or_repeated_admit_what_packaging_admits(
    versions: list[str], clauses: list[list[str]], rng: random.Random
) -> None:
    """Decision 500: the memos keep by the specifiers as a set (main: by their list).

    The same specifiers asked in another order or repeated (as a screening's come from
    their parents) get the very answer the first order got, and it is packaging's.
    """
    listing = _files(*(f"lib-{v}-py3-none-any.whl" for v in versions))
    specs = [SpecifierSet(",".join(one)) for one in clauses]
    again = [*specs, *rng.sample(specs, k=rng.randint(0, len(specs)))]
    rng.shuffle(again)
    grouped = by_version(listing)
    expected = [
        f.filename
        for f in listing
        if all(s.contains(Version(f.filename.split("-")[1]), prereleases=True) for s in specs)
    ]
    first = grouped.admitted(specs)
    assert _names(first) == expected
    assert grouped.admitted(again) is first
    assert grouped.admitting(again) == grouped.admitting(specs)
    contains = verdicts(again)
    assert [f.filename for f in listing if contains(Version(f.filename.split("-")[1]))] == expected
