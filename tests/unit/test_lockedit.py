"""The proof that an edit of the roots leaves a lock as it is (graft.cli.lockedit), case by case.

The property test against full resolutions is tests/integration/test_lockedit_property.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from graft.cli.lockedit import masked, narrows, plain_lines, root_names, same_lock

LOCKED = {"requests": ["2.34.2"], "idna": ["3.20"], "beta": ["1.0", "2.0"], "pre": ["2.0rc1"]}


def roots(*lines: str) -> list[list[tuple[str, str]]]:
    """One -r file's lines with the projects they name (as the full path keeps them)."""
    names = root_names(list(lines))
    assert names is not None
    return [list(zip(lines, names, strict=True))]


def test_the_r_files_are_masked_in_the_key() -> None:
    rest = ["-r", "a.in", "--index-url", "U", "-rb.in", "-q"]
    assert masked(rest) == (["-r", "--index-url", "U", "-r", "-q"], ["a.in", "b.in"])


@pytest.mark.parametrize(
    "rest",
    [
        ["--index-url", "U"],  # no -r file: nothing to edit
        ["-r", "a.in", "--upgrade"],  # no preferences: the proof does not hold
        ["-r", "a.in", "--upgrade-package", "x"],
        ["-r", "a.in", "-U"],  # (their short forms: decision 238(f))
        ["-r", "a.in", "-P", "x"],
        ["--requirement", "a.in"],  # (read, but not masked: doubt)
        ["--req", "a.in"],  # an abbreviation of it
        ["-r", "pyproject.toml"],
        ["-r", "pylock.toml"],
        ["-r", "a.in", "--", "x"],
        ["-r"],
        ["-r", "a.in", "--overrides", "o.txt"],  # they change the requirements (decision 388)
        ["-r", "a.in", "--override=o.txt"],
        ["-r", "a.in", "--excludes", "x.txt"],  # (decision 389)
        ["-r", "a.in", "--exclude", "x.txt"],
        ["-r", "s.py"],  # a PEP 723 script: its code is no requirement line (decision 434)
        ["-r", "a.in", "-rtool.pyw"],
    ],
)
def test_what_the_key_cannot_mask_is_doubt(rest: list[str]) -> None:
    assert masked(rest) is None


def test_plain_lines_skip_comments_and_blank_lines() -> None:
    data = b"# a comment\n\nrequests>=2 ; python_version >= '3.9'\n  idna\n"
    assert plain_lines(data) == ["requests>=2 ; python_version >= '3.9'", "idna"]


@pytest.mark.parametrize(
    "line",
    [
        "-r other.in",
        "--index-url https://example.invalid/simple",
        "requests --hash=sha256:00",
        "requests # trailing comment",
        "requests \\",
        "app @ https://example.invalid/app-1.0-py3-none-any.whl",
        "./dist/app-1.0-py3-none-any.whl",
        "app-1.0-py3-none-any.whl",
        "pylock.toml",
        "requests>=${VERSION}",
        ".",
    ],
)
def test_lines_that_are_not_plain_requirements_are_doubt(line: str) -> None:
    assert plain_lines(f"idna\n{line}\n".encode()) is None


def test_an_invalid_encoding_is_doubt() -> None:
    assert plain_lines(b"requests\xff\n") is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("requests", "requests!=0.0.0"),  # the benchmark's edit
        ("requests!=0.0.0", "requests"),  # and back: widening, no environment left out
        ("requests>=2", "requests>=2.30,<3"),
        ("requests==2.34.2", "requests==2.34.2,!=1.0"),  # the == pin stays
        (
            "requests[socks]>=2 ; python_version >= '3.9'",
            "requests[socks]>=2.1 ; python_version >= '3.9'",
        ),
        ("requests", "requests >= 2, != 2.0"),
        ("beta", "beta<3"),  # every locked version (1.0 and 2.0) still allowed
    ],
)
def test_an_edit_of_specifiers_that_every_locked_version_meets_keeps_the_lock(
    old: str, new: str
) -> None:
    assert same_lock(roots("idna", old), [["idna", new]], LOCKED)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("requests", "requests<2.34"),  # excludes the locked version
        ("beta", "beta<2"),  # excludes one of the locked versions
        ("requests", "urllib3"),  # another project
        ("requests", "requests[socks]"),  # other extras
        ("requests", "requests ; python_version >= '3.9'"),  # another marker
        ("requests ; python_version>='3.9'", "requests ; python_version >= '3.9'"),  # (as written)
        ("requests==2.34.2", "requests>=2.34.2"),  # a yanked file needs its == pin
        ("requests", "requests==2.34.2"),  # (and the other way)
        ("requests", "requests (>=2)"),  # a form the text split does not read
        ("requests", "requests>=2,"),  # no valid specifier
        ("requests", "requests>=two"),
        ("pre", "pre!=0.0.0"),  # a prerelease locked: its allowance may change
        ("gone", "gone>=1"),  # a root the lock does not hold
    ],
)
def test_an_edit_the_proof_does_not_cover_takes_the_full_path(old: str, new: str) -> None:
    assert not same_lock(roots("idna", old), [["idna", new]], {**LOCKED, "gone": []})


def test_lines_added_removed_or_reordered_take_the_full_path() -> None:
    old = roots("idna", "requests")
    assert not same_lock(old, [["idna", "requests", "beta"]], LOCKED)
    assert not same_lock(old, [["idna"]], LOCKED)
    assert not same_lock(old, [["requests", "idna"]], LOCKED)
    assert same_lock(old, [["idna", "requests"]], LOCKED)  # the control


def test_with_environments_left_out_an_edit_may_only_narrow_projects_not_named() -> None:
    said = ["graft: warning: not locked for cp39 win_amd64: no wheel of Beta for the target"]
    old = roots("requests>=2", "beta")
    assert same_lock(old, [["requests>=2,!=0.0.0", "beta"]], LOCKED, said)  # narrower
    assert not same_lock(old, [["requests>=1", "beta"]], LOCKED, said)  # wider: may lock more
    assert not same_lock(old, [["requests", "beta"]], LOCKED, said)  # a clause dropped
    assert not same_lock(old, [["requests>=2", "beta!=0.0.0"]], LOCKED, said)  # beta is named
    assert same_lock(old, [["requests>=1", "beta"]], LOCKED, None)  # nothing left out: wider ok
    assert same_lock(old, [["requests>=2.30", "beta"]], LOCKED, said)  # a raised floor
    assert same_lock(old, [["requests>=2.30,<3", "beta"]], LOCKED, said)
    assert same_lock(old, [["requests~=2.31", "beta"]], LOCKED, said)  # >=2.31, ==2.*


@pytest.mark.parametrize(
    ("before", "after", "narrower"),
    [
        (">=2.1", ">=2.3", True),
        (">=2.1", ">2.0", False),  # 2.0.post1 is >2.0 and not >=2.1
        (">2.0", ">=2.0.post1", False),  # >2.0 admits no post-release of 2.0
        (">2.0", ">=2.0.1", True),
        ("<3", "<=2.9", True),
        ("<3", "<=3.0", False),
        ("<=3", "<3.0.1", False),
        (">=2.1", ">=2.3rc1", False),  # a pre-release clause may admit pre-releases
        ("!=2.2", ">=2.3", False),  # (true, but not proven: doubt)
        (">=1.0", ">=1!0.5", True),  # a later epoch
        (">1.0", ">1!0.5", False),  # (true, but not proven: doubt)
        (">=2", "==2.5", True),
        ("<2", "==1.5+local", False),
        (
            "<1.0,<=1.0rc1",
            "<=1.0rc1",
            False,
        ),  # <1.0 admits no 1.0 pre-release (found by the property)
    ],
)
def test_narrowing_is_proven_only_where_it_holds(before: str, after: str, narrower: bool) -> None:
    assert narrows(SpecifierSet(before), SpecifierSet(after)) is narrower


_VERSIONS = ["0.9", "1.0", "1.0.0", "1.0rc1", "1.0.dev1", "1.0.post1", "1.0.1", "1.1", "2.0"]
_VERSIONS += ["2.0b2", "2.0.post2.dev1", "1!0.5", "1.0+local", "1.1+abc"]
_CLAUSE = st.tuples(
    st.sampled_from([">=", ">", "<=", "<", "==", "~=", "!="]),
    st.sampled_from([v for v in _VERSIONS if "+" not in v and "!" not in v] + ["1!0.5"]),
)


def _specifiers(clauses: list[tuple[str, str]]) -> SpecifierSet:
    return SpecifierSet(",".join(f"{op}{v}" for op, v in clauses if op != "~=" or "." in v))


@given(st.lists(_CLAUSE, min_size=1, max_size=3), st.lists(_CLAUSE, min_size=1, max_size=3))
@settings(max_examples=2000, deadline=None)
def test_a_proven_narrowing_admits_no_version_the_old_specifier_did_not(
    before: list[tuple[str, str]], after: list[tuple[str, str]]
) -> None:
    old, new = _specifiers(before), _specifiers(after)
    if not narrows(old, new):
        return
    for text in _VERSIONS:
        version = Version(text)
        for prereleases in (None, True):
            if new.contains(version, prereleases=prereleases):
                assert old.contains(version, prereleases=prereleases), (old, new, text)


def test_root_names_are_canonical_and_refuse_urls() -> None:
    assert root_names(["Charset_Normalizer>=3", "idna"]) == ["charset-normalizer", "idna"]
    assert root_names(["app @ https://example.invalid/app.whl"]) is None
    assert root_names(["not a requirement ("]) is None
