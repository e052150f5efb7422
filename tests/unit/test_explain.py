"""Explanations of impossible resolutions: which case, which requirement, which wheel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from graft.errors import BuildError, GraftError, SourceError
from graft.resolve import screenmemo
from graft.resolve.lock_said import why_not
from graft.resolve.no_project import SPELLINGS, spellings
from graft.resolve.policy import Policy, Prereleases
from graft.resolve.resolution_error import Kind, Reason, ResolutionError, nearest
from graft.resolve.resolver import resolve
from graft.resolve.screen import screen
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import WINDOWS_TAG, FailingBuilds, FakeIndex

if TYPE_CHECKING:
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.screen import Screen

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])


def failure(index: FakeIndex, *requirements: str, policy: Policy | None = None) -> ResolutionError:
    with pytest.raises(ResolutionError) as info:
        resolve(requirements, LINUX, index, policy)
    return info.value


def test_no_such_project_suggests_a_close_name() -> None:
    index = FakeIndex()
    index.add("requests", "2.32.3")
    error = failure(index, "reqests>=2")
    assert error.kind is Kind.NO_PROJECT
    assert error.lines == (
        "no project named 'reqests' on the index; did you mean requests?",
        "you asked for reqests>=2",
    )


def test_no_such_project_without_a_close_name() -> None:
    index = FakeIndex()
    index.add("app", "1.0", ["zzzzzz"])
    error = failure(index, "app")
    assert error.kind is Kind.NO_PROJECT
    assert error.lines == (
        "no project named 'zzzzzz' on the index",
        "app==1.0 (app-1.0-py3-none-any.whl) requires zzzzzz",
    )


class Probed(FakeIndex):
    """An index that cannot list its projects: "did you mean" must ask it by name."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def project_names(self) -> Sequence[str]:
        return ()

    def which_exist(self, names: Sequence[NormalizedName]) -> Sequence[NormalizedName]:
        self.asked += names
        return super().which_exist(names)


def test_an_index_that_cannot_list_its_projects_is_asked_for_likely_spellings() -> None:
    index = Probed()
    index.add("requests", "2.32.3")
    index.add("app", "1.0", ["reqeusts"], direct=True)  # the user's own project
    error = failure(index, "app")
    assert error.lines[0] == "no project named 'reqeusts' on the index; did you mean requests?"
    assert "requests" in index.asked
    assert len(index.asked) <= SPELLINGS
    assert "app" not in index.asked  # the requirer is never the typo's target


def test_a_published_wheels_missing_requirement_gets_no_suggestion() -> None:
    """Not a typo the user can fix: no "did you mean", and the index is not asked for one."""
    index = Probed()
    index.add("requests", "2.32.3")
    index.add("app", "1.0", ["reqeusts"])  # found on the index
    error = failure(index, "app")
    assert error.lines == (
        "no project named 'reqeusts' on the index",
        "app==1.0 (app-1.0-py3-none-any.whl) requires reqeusts",
    )
    assert index.asked == []
    error = failure(index, "app", "reqeusts")  # the user wrote it too: a suggestion
    assert error.lines[0] == "no project named 'reqeusts' on the index; did you mean requests?"
    assert "requests" in index.asked
    index.add("lib", "1.0", ["reqeusts", "zzzz"])  # several missing names at once
    assert failure(index, "lib").lines[0] == "no projects named 'reqeusts', 'zzzz' on the index"
    index.add("mine", "1.0", ["reqeusts", "zzzz"], direct=True)
    assert failure(index, "mine").lines[0] == (
        "no projects named 'reqeusts' (did you mean requests?), 'zzzz' on the index"
    )


def test_no_suggestion_when_no_likely_spelling_exists() -> None:
    index = Probed()
    index.add("requests", "2.32.3")
    error = failure(index, "reqwests")  # a wrong letter: not a swap or a letter left out
    assert error.lines[0] == "no project named 'reqwests' on the index"
    assert index.asked


@given(st.from_regex(r"[a-z][a-z0-9]{1,14}", fullmatch=True))
def test_spellings_hold_every_neighbour_swap_and_never_the_name(name: str) -> None:
    found = spellings(name)
    assert name not in found
    assert len(found) == len(set(found)) <= SPELLINGS
    assert all(canonicalize_name(s) == s for s in found)
    for i in range(len(name) - 1):
        swapped = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        assert swapped == name or swapped in found
    assert all(len(s) in (len(name), len(name) - 1) for s in found)


def test_no_version_lists_the_nearest_and_what_was_left_out() -> None:
    index = FakeIndex()
    for version in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5"):
        index.add("lib", version)
    index.add("lib", "2.0", yanked="broken")
    index.add("lib", "3.0", index_python=">=3.12")
    index.add("lib", "4.0a1")  # a prerelease if necessary: chosen for lib>=2 alone; <4 not
    index.add("lib", "4.0", tag=WINDOWS_TAG)
    index.add("app", "1.0", ["lib>=2", "lib<4"])
    error = failure(index, "app")
    assert error.kind is Kind.NO_VERSION
    assert error.lines[0] == "no version of lib matches <4,>=2 for the target"
    assert error.lines[1:3] == (
        "app==1.0 (app-1.0-py3-none-any.whl) requires lib<4",
        "app==1.0 (app-1.0-py3-none-any.whl) requires lib>=2",
    )
    assert error.lines[3:] == (
        # what the target could install but the specifiers exclude
        "nearest versions with a wheel for the target: 4.0a1, 1.5, 1.4, 1.3, 1.2 (of 7)",
        "4.0a1 is a prerelease of 4.0: <4 leaves it out, as PEP 440 reads an exclusive bound",
        # what they admit, and why not
        (
            "the versions that match require another Python: 3.0; the oldest, 3.0, requires"
            " >=3.12 (the target's is 3.11.0)"
        ),
        "the versions that match are yanked: 2.0",
        "left out: 1 the index's requires-python excludes the target, 1 yanked",
    )


def test_a_prerelease_an_exclusive_bound_leaves_out_is_said_to_be_left_out() -> None:
    """``black>=24.1a0,<24.1`` on PyPI admits nothing (PEP 440: ``<24.1`` admits no 24.1
    prerelease), yet the nearest versions named 24.1a1 as if it matched (decision 278)."""
    index = FakeIndex()
    for version in ("23.12.1", "24.1a1", "24.1.0", "24.1.1"):
        index.add("black", version)
    error = failure(index, "black>=24.1a0,<24.1")
    assert error.lines[2:] == (
        "nearest versions with a wheel for the target: 24.1.1, 24.1.0, 24.1a1, 23.12.1",
        "24.1a1 is a prerelease of 24.1: <24.1 leaves it out, as PEP 440 reads an exclusive bound",
    )
    assert failure(index, "black>=24.2").lines[2:] == (  # (no prerelease near: no such line)
        "nearest versions with a wheel for the target: 24.1.1, 24.1.0, 24.1a1, 23.12.1",
    )


def test_every_version_asked_for_requires_a_newer_python() -> None:
    """``django>=5`` for an older Python: the versions that match are named with their Python,
    and the nearest ones the target can take are older, never the ones it cannot."""
    index = FakeIndex()
    for version in ("4.2.1", "4.2.2"):
        index.add("django", version, index_python=">=3.8")
    for version, python in (("5.0", ">=3.12"), ("5.1", ">=3.12"), ("5.2", ">=3.13")):
        index.add("django", version, index_python=python)
    error = failure(index, "django>=5")
    assert error.kind is Kind.NO_VERSION
    assert error.lines == (
        "no version of django matches >=5 for the target",
        "you asked for django>=5",
        "nearest versions with a wheel for the target: 4.2.2, 4.2.1",
        (
            "the versions that match require another Python: 5.2, 5.1, 5.0; the oldest, 5.0,"
            " requires >=3.12 (the target's is 3.11.0)"
        ),
        "left out: 3 the index's requires-python excludes the target",
    )


def test_the_nearest_versions_are_ones_the_target_could_take() -> None:
    """numpy>=2.3 for Python 3.9: 2.3.0rc1 is outside the specifier, and the index's
    requires-python excludes the target from it too; it is not near, 2.2.6 is."""
    index = FakeIndex()
    index.add("numpy", "2.2.6")
    for version in ("2.3.0rc1", "2.3.0"):
        index.add("numpy", version, index_python=">=3.12")
    error = failure(index, "numpy>=2.3")
    assert error.kind is Kind.NO_VERSION
    assert error.lines[2] == "nearest versions with a wheel for the target: 2.2.6"


def test_a_nearest_version_the_target_takes_only_as_an_sdist_is_said_apart() -> None:
    """numpy==1.21.6 for Python 3.11 (decision 391): 1.21.6 requires <3.11, and 1.22.2, the
    nearest other release, has wheels up to cp310 alone: the target takes only its sdist,
    which would be built; it is not a version "with a wheel for the target", 1.23.2 is."""
    index = FakeIndex()
    old = "cp310-cp310-manylinux_2_17_x86_64"
    index.add("numpy", "1.21.6", tag=old, index_python=">=3.7,<3.11")
    index.add_sdist("numpy", "1.21.6", index_python=">=3.7,<3.11")
    index.add("numpy", "1.22.2", tag=old)
    index.add_sdist("numpy", "1.22.2")
    index.add("numpy", "1.23.2", tag="cp311-cp311-manylinux_2_17_x86_64")
    error = failure(index, "numpy==1.21.6", policy=Policy(sdists=True))
    assert error.kind is Kind.NO_VERSION
    assert error.lines[2:4] == (
        "nearest versions with a wheel for the target: 1.23.2",
        "nearest versions with only a source distribution, built for the target: 1.22.2",
    )
    assert error.lines[4].startswith("the versions that match require another Python: 1.21.6")


def test_only_source_distributions() -> None:
    index = FakeIndex()
    index.add_sdist("oldlib", "0.9")
    index.add_sdist("oldlib", "1.0")
    error = failure(index, "oldlib")
    assert error.kind is Kind.ONLY_SDISTS
    assert error.lines[0] == "oldlib has only source distributions (1.0, 0.9)"
    assert error.hint is not None
    assert "builds are off (--no-build, --only-binary oldlib or :all:" in error.hint


def test_no_wheel_for_the_target_names_the_tags_there_are() -> None:
    index = FakeIndex()
    index.add("winonly", "1.0", tag="cp310-cp310-win_amd64")
    index.add("winonly", "2.0", tag=WINDOWS_TAG)
    index.add("winonly", "2.0", tag="cp311-cp311-win32")
    index.add_sdist("winonly", "2.0")
    error = failure(index, "winonly")
    assert error.kind is Kind.NO_WHEEL_FOR_TARGET
    assert error.lines[0].startswith("no wheel of winonly for the target (cp311-cp311-manylinux")
    assert error.lines[2] == (
        "winonly 2.0 has wheels for Windows only: cp311-cp311-win32, cp311-cp311-win_amd64"
    )


@pytest.mark.parametrize(
    ("tags", "said"),
    [
        # pywin32 on Linux: every wheel for another system, named as uv's hint names them
        (("cp311-cp311-win_amd64", "cp311-cp311-win_arm64"), "Windows only: "),
        (("cp311-cp311-macosx_11_0_arm64", "cp311-cp311-win32"), "Windows and macOS only: "),
        # a wheel for Linux (another Python, a newer glibc, another machine): the tags say why
        (("cp311-cp311-win_amd64", "cp39-cp39-manylinux_2_17_x86_64"), ""),
        (("cp311-cp311-musllinux_1_2_x86_64",), ""),
        (("cp311-cp311-manylinux_2_99_x86_64",), ""),
        # a system graft cannot name: not said to be another's only
        (("cp311-cp311-android_21_arm64_v8a", "cp311-cp311-win32"), ""),
    ],
)
def test_a_release_whose_wheels_are_all_for_other_systems_says_which(
    tags: tuple[str, ...], said: str
) -> None:
    index = FakeIndex()
    for tag in tags:
        index.add("syslib", "1.0", tag=tag)
    error = failure(index, "syslib")
    assert error.kind is Kind.NO_WHEEL_FOR_TARGET
    assert error.lines[2] == f"syslib 1.0 has wheels for {said}{', '.join(sorted(tags))}"


def test_where_no_file_fits_an_explanation_reads_only_the_releases_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a lock's environments share a ScreenMemo; one that no wheel of a project fits (Windows
    # arm64 and psycopg-binary) is explained from the releases asked for, word for word
    index = FakeIndex()
    index.add("app", "1.0", ["winonly==2.0"])
    for version in ("1.0", "1.5", "2.0"):
        index.add("winonly", version, tag="cp311-cp311-win32")
        index.add("winonly", version, tag=WINDOWS_TAG)
    alone = failure(index, "app")
    read: list[tuple[str, int]] = []
    whole = screen

    def counted(
        name: NormalizedName, files: Sequence[ArtifactFile], *args: Any, **kwargs: Any
    ) -> Screen:
        if kwargs.get("reasons"):
            read.append((name, len(files)))
        return whole(name, files, *args, **kwargs)

    monkeypatch.setattr(screenmemo, "screen", counted)
    memo = screenmemo.ScreenMemo()
    with pytest.raises(ResolutionError) as info:
        resolve(["app"], LINUX, index, screens=memo)
    shared = info.value
    assert shared.kind is Kind.NO_WHEEL_FOR_TARGET
    assert (shared.lines, shared.hint) == (alone.lines, alone.hint)
    assert alone.lines[2].startswith("winonly 2.0 has wheels for Windows only: cp311-cp311-win32")
    assert [n for name, n in read if name == "winonly"] == [2]  # 2.0's two wheels, not six
    assert memo.fit_none


def test_a_conflict_names_both_wheels() -> None:
    index = FakeIndex()
    index.add("a", "1.0", ["shared<2"])
    index.add("c", "1.0", ["shared>=2"])
    index.add("shared", "1.0")
    index.add("shared", "2.0")
    error = failure(index, "a", "c")
    assert error.kind is Kind.CONFLICT
    assert error.lines[0] == "these requirements cannot all be met:"
    assert error.lines[1:] == (  # (c 1.0 clashes with every a asked for: decision 133)
        "a==1.0 (a-1.0-py3-none-any.whl) requires shared<2",
        "c==1.0 (c-1.0-py3-none-any.whl) requires shared>=2",
        "you asked for a",
        "you asked for c",
    )


def test_a_conflict_with_the_request() -> None:
    index = FakeIndex()
    index.add("a", "1.0", ["shared==1.0"])
    index.add("shared", "1.0")
    index.add("shared", "2.0")
    error = failure(index, "a", "shared>=2")
    assert error.kind is Kind.CONFLICT
    assert set(error.lines[1:]) == {
        "a==1.0 (a-1.0-py3-none-any.whl) requires shared==1.0",
        "you asked for a",
        "you asked for shared>=2",
    }


def test_a_conflict_names_what_you_asked_for_of_each_wheel_it_names() -> None:
    """Each wheel a conflict names was pinned for a requirement of the request: that one is
    named too (``flask==1.1.4 werkzeug>=3``, ``django<3 djangorestframework>=3.15``), as
    uv's reports say "you require flask==1.1.4"."""
    index = FakeIndex()
    index.add("flask", "1.1.4", ["werkzeug<2.0,>=0.15"])
    index.add("flask", "3.0.0", ["werkzeug>=3"])
    index.add("werkzeug", "1.0.1")
    index.add("werkzeug", "3.0.0")
    error = failure(index, "flask==1.1.4", "werkzeug>=3")
    assert error.kind is Kind.CONFLICT
    assert error.lines[1:] == (
        "flask==1.1.4 (flask-1.1.4-py3-none-any.whl) requires werkzeug<2.0,>=0.15",
        "you asked for flask==1.1.4",
        "you asked for werkzeug>=3",
    )
    index = FakeIndex()
    for version in ("2.2", "4.2", "5.2"):
        index.add("django", version)
    index.add("drf", "3.14.0", ["django>=2.2"])
    index.add("drf", "3.15.0", ["django>=3.0"])
    index.add("drf", "3.16.0", ["django>=4.2"])
    error = failure(index, "django<3", "drf>=3.15")
    assert error.kind is Kind.CONFLICT
    assert error.lines[1:] == (
        "drf==3.15.0 (drf-3.15.0-py3-none-any.whl) requires django>=3.0",
        "drf==3.16.0 (drf-3.16.0-py3-none-any.whl) requires django>=4.2",
        "you asked for django<3",
        "you asked for drf>=3.15",
    )


def test_the_targets_python_is_excluded_by_the_wheels() -> None:
    index = FakeIndex()
    index.add("modern", "1.0", python=">=3.12")
    index.add("modern", "2.0", python=">=3.13")
    error = failure(index, "modern")
    assert error.kind is Kind.PYTHON
    assert error.lines[0] == (
        "the target's Python 3.11.0 is excluded by every wheel that was tried:"
    )
    assert set(error.lines[1:]) == {
        "modern==1.0 (modern-1.0-py3-none-any.whl) requires Python >=3.12",
        "modern==2.0 (modern-2.0-py3-none-any.whl) requires Python >=3.13",
    }


def test_disallowed_prereleases_are_named() -> None:
    index = FakeIndex()
    index.add("lib", "1.0b1")
    error = failure(index, "lib", policy=Policy(prereleases=Prereleases.DISALLOW))
    assert error.kind is Kind.NO_VERSION
    assert error.lines[-1] == "left out: 1 a prerelease"
    assert str(error).startswith("no version of lib matches any version for the target\n  ")
    assert error.hint == (  # (uv: "try: --prerelease=allow"; decision 278)
        "prereleases are off (--prerelease disallow); allow them with --prerelease allow or"
        " --pre, or name one (lib==1.0b1)"
    )


def test_what_made_the_resolver_give_up_newer_versions_is_told() -> None:
    index = FakeIndex()
    index.add("a", "1.0", ["shared<2"])
    index.add("a", "0.9", ["shared<1"])
    index.add("c", "1.0", ["shared>=2"])
    index.add("shared", "1.0")
    index.add("shared", "2.0")
    error = failure(index, "a", "c")
    assert error.kind is Kind.CONFLICT  # (a 1.0 clashes with every c: decision 133)
    assert error.lines == (
        "these requirements cannot all be met:",
        "a==1.0 (a-1.0-py3-none-any.whl) requires shared<2",
        "c==1.0 (c-1.0-py3-none-any.whl) requires shared>=2",
        "you asked for a",
        "you asked for c",
        "1 other version of a is ruled out too, each by a requirement nothing meets",
    )


def test_the_nearest_versions_are_those_around_the_bounds() -> None:
    index = FakeIndex()
    for major in range(1, 10):
        index.add("lib", f"{major}.0")
    error = failure(index, "lib<1")
    assert error.lines[2] == (
        "nearest versions with a wheel for the target: 5.0, 4.0, 3.0, 2.0, 1.0 (of 9)"
    )
    many = [Version(f"{m}.0") for m in range(1, 10)]
    assert nearest(many, [SpecifierSet(">5.5,<5.6")]) == [
        Version(f"{m}.0") for m in (8, 7, 6, 5, 4)
    ]
    assert nearest(many, [SpecifierSet("==4.*")]) == [Version(f"{m}.0") for m in (6, 5, 4, 3, 2)]
    assert nearest(many, [SpecifierSet()]) == [Version(f"{m}.0") for m in range(9, 4, -1)]


def test_no_wheel_names_the_tags_of_the_version_asked_for() -> None:
    index = FakeIndex()
    index.add("torch", "2.0.1", tag="cp310-cp310-manylinux1_x86_64")
    index.add("torch", "2.0.1", tag=WINDOWS_TAG)
    index.add("torch", "2.5.0", tag="cp313-cp313-manylinux_2_28_x86_64")
    error = failure(index, "torch==2.0.1")
    assert error.kind is Kind.NO_WHEEL_FOR_TARGET
    assert error.lines[1:] == (
        "you asked for torch==2.0.1",
        "torch 2.0.1 has wheels for cp310-cp310-manylinux1_x86_64, cp311-cp311-win_amd64",
    )
    assert failure(index, "torch>3").lines[-1] == (
        "torch 2.5.0 has wheels for cp313-cp313-manylinux_2_28_x86_64"
    )


def test_a_pin_whose_wheels_do_not_fit_is_told_apart_from_a_missing_version() -> None:
    # tensorflow==2.19.0 for CPython 3.13: the version exists, its wheels stop at cp312, and
    # newer versions do fit; "no version matches" would send the user looking for a typo
    index = FakeIndex()
    index.add("tf", "2.19.0", tag="cp310-cp310-manylinux_2_17_x86_64")
    index.add("tf", "2.19.0", tag=WINDOWS_TAG)
    index.add("tf", "2.20.0")
    index.add("tf", "2.21.0")
    error = failure(index, "tf==2.19.0")
    assert error.kind is Kind.NO_WHEEL_FOR_TARGET
    assert error.lines[0].startswith("no wheel of tf 2.19.0 for the target (cp311-cp311-")
    assert error.lines[1:] == (
        "you asked for tf==2.19.0",
        "tf 2.19.0 has wheels for cp310-cp310-manylinux_2_17_x86_64, cp311-cp311-win_amd64",
        "versions with a wheel for the target: 2.21.0, 2.20.0",
    )
    # a version that does not exist at all is still "no version"
    assert failure(index, "tf==2.18.0").kind is Kind.NO_VERSION
    # a version left out for another reason too (its index requires-python) is "no version"
    index.add("tf", "2.19.0", tag="py3-none-any", index_python=">=3.12")
    assert failure(index, "tf==2.19.0").kind is Kind.NO_VERSION


def test_every_missing_project_is_named_not_only_the_first() -> None:
    index = FakeIndex()
    index.add("requests", "2.32.3")
    index.add("app", "1.0", ["zzzzzz", "yyyyyy>=1"])
    error = failure(index, "reqests", "app", "qqqqqq")
    assert error.kind is Kind.NO_PROJECT
    assert error.lines == (
        "no projects named 'reqests' (did you mean requests?), 'qqqqqq' on the index",
        "you asked for reqests",
        "you asked for qqqqqq",
    )


def test_missing_dependencies_of_one_wheel_are_all_named() -> None:
    index = FakeIndex()
    index.add("app", "1.0", ["zzzzzz", "yyyyyy>=1", "lib"])
    index.add("lib", "1.0")
    error = failure(index, "app")
    assert error.lines == (
        "no projects named 'yyyyyy', 'zzzzzz' on the index",
        "app==1.0 (app-1.0-py3-none-any.whl) requires yyyyyy>=1",
        "app==1.0 (app-1.0-py3-none-any.whl) requires zzzzzz",
    )


def test_without_an_index_the_find_links_directories_are_named() -> None:
    class FindLinksOnly(FakeIndex):
        searched = "in the find-links directories"

    index = FindLinksOnly()
    index.add("app", "1.0", ["zzzzzz"])
    error = failure(index, "app")
    assert error.lines[0] == "no project named 'zzzzzz' in the find-links directories"


def backtracking_into(index: FakeIndex) -> GraftError:
    """app 2.0 needs lib 2.0, which has no wheel for the target; going back to app 1.0 needs
    its sdist: the error *index* gives for it, as the resolution ends with it."""
    index.add("app", "2.0", ["lib==2.0"])
    index.add_sdist("app", "1.0")
    index.add("lib", "2.0", tag=WINDOWS_TAG)
    with pytest.raises(GraftError) as info:
        resolve(["app"], LINUX, index, Policy(sdists=True))
    return info.value


def test_a_build_met_while_backtracking_says_first_what_it_backtracked_from() -> None:
    """The conflict is what the user can act on: it comes first, and the build's own output
    and rerun command stay with the error."""
    error = backtracking_into(FailingBuilds())
    assert isinstance(error, BuildError)
    first, *shown = error.what.split("\n")
    head, _, tail = first.partition(
        "; going back from that to an older release needed a build, which failed: "
    )
    assert head.startswith("no wheel of lib 2.0 for the target (cp311-"), error.what
    assert tail == (
        "app-1.0.tar.gz: get_requires_for_build_wheel of setuptools.build_meta failed"
        " (exit status 1)"
    )
    assert "app==2.0 (app-2.0-py3-none-any.whl) requires lib==2.0" in error.details
    assert "  app==2.0 (app-2.0-py3-none-any.whl) requires lib==2.0" in shown  # (without -v)
    assert str(why_not(error)) == first  # a lock's line on the environment: the first alone
    assert error.log.startswith("Traceback")
    assert error.rerun == "python -m pyproject_hooks ..."
    alone = FailingBuilds()  # no backtrack before the build: its error as it was
    alone.add_sdist("app", "1.0")
    with pytest.raises(BuildError) as plain:
        resolve(["app"], LINUX, alone, Policy(sdists=True))
    assert plain.value.where == "app-1.0.tar.gz"
    assert plain.value.what.startswith("get_requires_for_build_wheel")


def test_releases_passed_over_for_a_requires_dist_that_does_not_parse_are_named() -> None:
    """celery[redis] with kombu<5 on PyPI: celery 5.2 to 3.1.12 say 'pytz (>dev)', which
    packaging (so pip 26) refuses, so the search goes back to celery 3.1.11's sdist, whose build
    fails; the error says why the releases between were not taken (decision 277)."""
    index = FailingBuilds()
    index.add("app", "3.0", ["lib==2.0"])
    for version in ("2.1", "2.0"):
        index.add("app", version, ["pytz (>dev)"])
    index.add_sdist("app", "1.0")
    index.add("lib", "2.0", tag=WINDOWS_TAG)
    with pytest.raises(BuildError) as info:
        resolve(["app"], LINUX, index, Policy(sdists=True))
    assert info.value.what.split("\n")[-1] == (
        "  passed over, as pip passes them over: 2 wheels, app-2.1-py3-none-any.whl to"
        " app-2.0-py3-none-any.whl, whose Requires-Dist 'pytz (>dev)' does not parse"
    )
    assert "passed over" not in backtracking_into(FailingBuilds()).what  # (none passed over)


class Unreadable(FakeIndex):
    """An index whose sdists fail to be read with a :class:`SourceError` at *where*."""

    def __init__(self, where: str | None) -> None:
        super().__init__()
        self.where = where

    def metadata(self, file: ArtifactFile) -> bytes:
        if not file.is_wheel:
            where = self.where or file.filename
            raise SourceError("sdist member 'a/b' is a hard link; refused", where=where)
        return super().metadata(file)


def test_an_unreadable_sdist_met_while_backtracking_ends_it_as_a_failed_build() -> None:
    """As a failed build (a lock skips that environment), its conflict first; an index's
    own failure (where: a URL) stays what it is, and ends a lock."""
    error = backtracking_into(Unreadable(None))
    assert isinstance(error, BuildError)
    assert error.what.startswith("no wheel of lib 2.0 for the target"), error.what
    assert error.what.split("\n")[0].endswith(
        "; going back from that to an older release met an sdist: app-1.0.tar.gz:"
        " sdist member 'a/b' is a hard link; refused"
    )
    index = backtracking_into(Unreadable("https://pypi.invalid/simple/app/"))
    assert type(index) is SourceError
    assert index.where == "https://pypi.invalid/simple/app/"


def test_a_no_wheel_line_keeps_the_targets_tags_as_data() -> None:
    """``graft lock`` groups environments by the line without their tags (decision 178): the
    tags stay data (``ResolutionError.reason``) through the lines explanations add after it."""
    index = FakeIndex()
    index.add("tf", "2.19.0", tag=WINDOWS_TAG)
    index.add("tf", "2.20.0")
    error = failure(index, "tf==2.19.0")  # (and a line on the versions that fit, after it)
    assert error.reason == Reason("no wheel of tf 2.19.0 for the target", LINUX.tags[:2])
    assert error.lines[0] == str(error.reason) == error.what
    assert why_not(error) == error.reason
    index.add("app", "1.0", ["lib==2.0"])  # dead ends: every app needs a lib with no wheel
    index.add("app", "0.9", ["lib==2.0"])
    index.add("lib", "2.0", tag=WINDOWS_TAG)
    deeper = failure(index, "app")
    assert deeper.lines[-1].endswith("is ruled out too, each by a requirement nothing meets")
    assert deeper.reason == Reason("no wheel of lib 2.0 for the target", LINUX.tags[:2])


def test_one_requirement_with_no_version_is_screened_with_reasons_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``numpy==9.9`` screened numpy's 4,400 files with reasons twice, the second time for
    "each requirement alone", which is the same one (decision 275)."""
    from graft.resolve import no_candidates

    screened: list[tuple[str, ...]] = []
    real = no_candidates._screened

    def counting(name: NormalizedName, files: Any, specs: Any, provider: Any) -> Any:
        screened.append(tuple(map(str, specs)))
        return real(name, files, specs, provider)

    monkeypatch.setattr(no_candidates, "_screened", counting)
    index = FakeIndex()
    index.add("lib", "1.0")
    assert failure(index, "lib==9.9").lines[0] == "no version of lib matches ==9.9 for the target"
    assert screened == [("==9.9",)]
