"""A listing narrowed before its names are parsed whole: by stated version, by stated tags."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from graft.resolve.admit import by_version
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


def test_arbitrary_equality_narrows_nothing() -> None:
    # ===1.0 compares text, and 1.0.0 is 1.0 as a version: no verdict on the value holds
    files = _files("lib-1.0.0-py3-none-any.whl", "lib-1.0-py3-none-any.whl")
    assert by_version(files).admitted([SpecifierSet("===1.0")]) is files


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
       "2.0+x.1", "0.9", "1!0.5")  # fmt: skip
CLAUSES = ("", ">=1.0", ">1.0", "<1.1", "<=1.0", "==1.0", "==1.0.*", "~=1.0", "!=1.0",
           "<2.0", "==1.0+local", "!=1.0+local", ">1.0.post1", "<1.0rc1", ">=1!0")  # fmt: skip


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
