"""The lock's environment matrix, and the markers that tell groups of it apart (lock_markers)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from graft.errors import TargetError, UsageError
from graft.resolve.environments import (
    DEFAULT_PYTHONS,
    Environment,
    glibc_machine,
    keep_matching,
    matrix,
    python_versions,
)
from graft.resolve.lock_machines import stands_for
from graft.resolve.lock_markers import marker_for
from graft.venv.interpreter import find_interpreter

if TYPE_CHECKING:
    from collections.abc import Callable

EVERY = matrix(DEFAULT_PYTHONS)


def test_the_default_matrix_is_six_pythons_on_six_platforms() -> None:
    assert len(EVERY) == 36
    machines = {(e.values[0], e.values[1]) for e in EVERY}
    assert machines == {
        ("linux", "x86_64"), ("linux", "aarch64"), ("darwin", "arm64"),
        ("darwin", "x86_64"), ("win32", "AMD64"), ("win32", "ARM64"),
    }  # fmt: skip
    linux = next(e for e in EVERY if e.values[:2] == ("linux", "x86_64"))
    assert linux.platforms[0] == "manylinux_2_28_x86_64"
    assert "manylinux2014_x86_64" in linux.platforms
    assert "cp39-cp39-manylinux_2_17_x86_64" in linux.target.tags
    assert not any(e.named for e in EVERY)
    (tagged,) = matrix(["3.12"], ["manylinux_2_28_x86_64"])
    assert tagged.named
    assert tagged.platforms == ("manylinux_2_28_x86_64",)


def _exactly_theirs(covered: tuple[Environment, ...], seed: int, *more: list[Environment]) -> None:
    """marker_for of random subsets of *covered* (and *more*) holds in exactly each subset."""
    rng = random.Random(seed)  # noqa: S311 - reproducible subsets, not secrets
    subsets = [[e for e in covered if rng.random() < p] for p in (0.1, 0.5, 0.9) for _ in range(20)]
    for chosen in filter(None, [*subsets, *more]):  # an entry always has an environment
        marker = marker_for(chosen, covered)
        parsed = Marker(marker) if marker else None
        want = {e.values for e in chosen}
        for env in covered:
            got = parsed is None or parsed.evaluate({**env.target.markers, "extra": ""})
            assert got == (env.values in want), (marker, env.label)


def test_every_marker_is_true_exactly_in_its_environments() -> None:
    windows = [e for e in EVERY if e.values[0] == "win32"]
    _exactly_theirs(EVERY, 751, windows, [e for e in EVERY if e.python in {"3.9", "3.10"}])


def test_markers_are_short_where_the_environments_allow() -> None:
    assert marker_for(EVERY, EVERY) is None
    windows = [e for e in EVERY if e.values[0] == "win32"]
    assert marker_for(windows, EVERY) == 'sys_platform == "win32"'
    old = [e for e in EVERY if e.python in {"3.9", "3.10"}]
    assert marker_for(old, EVERY) == 'python_version < "3.11"'
    linux_new = [
        e for e in EVERY if e.values[0] == "linux" and e.python in {"3.12", "3.13", "3.14"}
    ]
    assert marker_for(linux_new, EVERY) == 'sys_platform == "linux" and python_version >= "3.12"'
    arm_mac = [e for e in EVERY if e.values[:2] == ("darwin", "arm64")]
    assert marker_for(arm_mac, EVERY) == (
        'sys_platform == "darwin" and platform_machine == "arm64"'
    )


def test_python_versions_follow_requires_python_or_the_command_line() -> None:
    assert python_versions(None) == DEFAULT_PYTHONS
    assert python_versions(">=3.11") == ("3.11", "3.12", "3.13", "3.14")
    # a series from the first release allowed (decision 120): 3.9.0 and 3.9.1 are not locked
    assert python_versions(">=3.9.2,<3.11") == ("3.9.2", "3.10")
    assert python_versions("!=3.10.0,!=3.10.1,>=3.10") == ("3.10.2", *DEFAULT_PYTHONS[2:])
    assert python_versions(">=3.11", ["3.5"]) == ("3.5",)
    with pytest.raises(UsageError, match="allows none"):
        python_versions("<3")


@pytest.mark.parametrize(
    ("asked", "first"),
    [("3.12", "3.12"), ("3.12.0", "3.12"), ("3.12.1", "3.12.1"), ("312", "3.12"), ("39", "3.9")],
)
def test_asked_python_versions_are_series_from_the_release_named(asked: str, first: str) -> None:
    """``--python-version 3.9.1`` keeps its micro (uv's does): the series from 3.9.1 on."""
    assert python_versions(None, [asked, first, "3.14"]) == (first, "3.14")


def test_two_first_releases_of_one_series_are_refused() -> None:
    with pytest.raises(UsageError, match=r"--python-version 3\.12 and 3\.12\.4 name one series"):
        python_versions(None, ["3.12", "3.12.4"])


def test_an_environment_from_a_later_release_says_so_in_its_marker() -> None:
    """Its marker holds from that release on: installers refuse the lock on earlier ones."""
    (later,) = matrix(["3.9.2"], ["manylinux_2_28_x86_64"])
    (whole,) = matrix(["3.9"], ["manylinux_2_28_x86_64"])
    assert (later.python, later.target.version, later.first_release) == ("3.9", "3.9.2", "3.9.2")
    assert (whole.python, whole.target.version, whole.first_release) == ("3.9", "3.9.0", None)
    assert later.marker == whole.marker + " and python_full_version >= '3.9.2'"
    marker = Marker(later.marker)
    at = {**later.target.markers, "extra": ""}
    for micro, holds in ((0, False), (1, False), (2, True), (18, True)):
        full = f"3.9.{micro}"
        assert marker.evaluate({**at, "python_full_version": full}) is holds, full
    assert later.values == whole.values  # (entries' markers need no micro: the lock's do)


@pytest.mark.parametrize("asked", ["2", "3", "3.x", "2.7", "", "3.12.1.0", "three"])
def test_a_python_version_that_is_not_one_is_refused_in_one_line(asked: str) -> None:
    with pytest.raises(UsageError, match=f"unsupported --python-version {asked!r}"):
        python_versions(None, [asked])


@pytest.mark.parametrize(
    ("tag", "machine"),
    [("manylinux_2_28_x86_64", "x86_64"), ("manylinux2014_aarch64", "aarch64"),
     ("musllinux_1_2_x86_64", "x86_64"), ("linux_armv7l", "armv7l"),
     ("manylinux_2_31_riscv64", "riscv64"), ("manylinux1_i686", "i686"),
     ("macosx_14_0_arm64", "arm64"), ("macosx_10_9_universal2", "universal2"),
     ("win_amd64", "AMD64"), ("win32", "x86"), ("win_arm64", "ARM64")],
)  # fmt: skip
def test_platform_tags_graft_can_describe_make_environments(tag: str, machine: str) -> None:
    (env,) = matrix(["3.12"], [tag])
    assert env.platforms == (tag,)
    assert env.target.markers["platform_machine"] == machine


@pytest.mark.parametrize(
    "tag",
    ["martian", "linx", "any", "manylinux", "macosx_arm64", "ios",
     # a glibc level without its machine: once locked as `platform_machine == "2_17"`
     # (decision 313)
     "manylinux_2_17", "manylinux_2_28", "manylinux1_686", "musllinux_1_2_3", "win_64"],
)  # fmt: skip
def test_an_unknown_platform_tag_is_refused_in_one_line(tag: str) -> None:
    with pytest.raises(UsageError, match=f"unknown platform tag {tag!r}"):
        matrix(["3.12"], [tag])


def test_environment_markers_keep_the_matching_environments() -> None:
    kept = keep_matching(EVERY, ["sys_platform == 'linux' and python_version == '3.12'"])
    assert [e.label for e in kept] == [
        "cp312 manylinux_2_28_x86_64",
        "cp312 manylinux_2_28_aarch64",
    ]
    with pytest.raises(UsageError, match="no environment"):
        keep_matching(EVERY, ["sys_platform == 'aix'"])


@pytest.mark.parametrize("spec", ["2.7", "2", "python2.7"])
def test_python_2_is_refused_as_unsupported_not_as_missing(
    spec: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing found: the answer must not depend on it
    with pytest.raises(TargetError, match=r"Python 2(\.7)? is not supported") as info:
        find_interpreter(spec)
    assert info.value.hint == "graft supports CPython 3.9+ and PyPy 3.9+"
    with pytest.raises(TargetError, match=r"no interpreter found for '3\.99'"):
        find_interpreter("3.99")


def test_a_requirement_only_pypy_takes_is_said_not_locked() -> None:
    """The matrix is CPython's (decision 120): a line only PyPy takes is locked nowhere, and
    the lock says so in one line each, where a line some environment takes says nothing."""
    from packaging.utils import canonicalize_name

    from graft.model.requirements import Wanted
    from graft.resolve.environments import pypy_only

    def wanted(name: str, marker: str | None) -> Wanted:
        return Wanted(
            canonicalize_name(name), None, frozenset(), frozenset(), "in.txt:1", marker=marker
        )

    lines = [
        wanted("a", 'implementation_name == "pypy"'),
        wanted("b", "platform_python_implementation == 'PyPy' and python_version >= '3.10'"),
        wanted("c", 'implementation_name != "pypy"'),
        wanted("d", None),
        wanted("e", 'sys_platform == "linux" or implementation_name == "pypy"'),
        wanted("f", 'sys_platform == "freebsd"'),  # (no environment takes it, PyPy's neither)
        wanted("g", 'implementation_name == "pypy" and python_full_version >= "3.12.1"'),
    ]
    said = pypy_only(lines, matrix(["3.12"]))
    assert said == [
        f"in.txt:1: {name}; {marker}: holds on PyPy only, and the lock covers CPython alone"
        " (its environments; decision 120): not locked (--implementation cp --implementation"
        " pp locks PyPy too)"
        for name, marker in [(w.name, w.marker) for w in lines if w.name in {"a", "b", "g"}]
    ]
    assert pypy_only(lines[1:2], matrix(["3.9"])) == []  # (not on PyPy 3.9 either)
    assert pypy_only(lines, matrix(["3.11"], implementations=["cp", "pp"])) == []  # (locked)


#: CPython 3.9-3.14 and PyPy 3.9-3.11 on every system (decision 393)
BOTH = matrix(DEFAULT_PYTHONS, implementations=["cp", "pp"])


def test_pypy_environments_are_its_series_on_the_machines_it_is_built_for() -> None:
    pypy = [e for e in BOTH if e.implementation == "pp"]
    assert [e for e in BOTH if e.implementation == "cp"] == list(EVERY)
    assert {e.python for e in pypy} == {"3.9", "3.10", "3.11"}  # (of 3.9-3.14)
    assert len(pypy) == 3 * 5  # (no Windows arm64 PyPy)
    assert ("win32", "ARM64") not in {e.values[:2] for e in pypy}
    linux = next(e for e in pypy if e.values[:3] == ("linux", "x86_64", "3.11"))
    assert linux.label == "pp311 manylinux_2_28_x86_64"
    assert linux.target.tags[0] == "pp311-pypy311_pp73-manylinux_2_28_x86_64"
    assert "pp311-none-any" in linux.target.tags
    assert not any(t.startswith("cp311-") for t in linux.target.tags)
    assert not any("abi3" in t for t in linux.target.tags)  # (PyPy takes no abi3 wheel)
    assert linux.marker.startswith("implementation_name == 'pypy' and sys_platform == 'linux'")
    markers = {**linux.target.markers, "extra": ""}
    assert markers["platform_python_implementation"] == "PyPy"
    assert [Marker(e.marker).evaluate(markers) for e in BOTH].count(True) == 1
    only = matrix(["3.10", "3.12"], ["manylinux_2_28_x86_64"], ["pp"])
    assert [e.label for e in only] == ["pp310 manylinux_2_28_x86_64"]


def test_pypy_asked_for_a_series_it_never_had_is_refused_in_one_line() -> None:
    with pytest.raises(UsageError, match=r"PyPy has no release for Python 3\.12, 3\.13") as info:
        matrix(["3.12", "3.13"], implementations=["cp", "pp"])
    assert info.value.where == "--implementation pp"
    assert "--python-version" in str(info.value.hint)


def test_an_environment_marker_only_pypy_meets_says_to_lock_pypy() -> None:
    with pytest.raises(UsageError, match="no environment of the matrix") as info:
        keep_matching(EVERY, ["implementation_name == 'pypy'"])
    assert info.value.hint == "--implementation pp locks PyPy"
    with pytest.raises(UsageError, match="no environment of the matrix") as info:
        keep_matching(EVERY, ["sys_platform == 'freebsd'"])
    assert info.value.hint == "widen --python-version/--platform, or check the marker"
    kept = keep_matching(BOTH, ["implementation_name == 'pypy'"])
    assert kept == tuple(e for e in BOTH if e.implementation == "pp")


def test_markers_over_cpython_and_pypy_are_true_exactly_in_their_environments() -> None:
    _exactly_theirs(
        BOTH,
        825,
        [e for e in BOTH if e.implementation == "pp"],
        [e for e in BOTH if e.values[0] == "win32"],
        [e for e in BOTH if e.python == "3.11"],
    )
    assert marker_for([e for e in BOTH if e.implementation == "pp"], BOTH) == (
        'implementation_name == "pypy"'
    )
    windows_pypy = [e for e in BOTH if e.implementation == "pp" and e.values[0] == "win32"]
    assert marker_for(windows_pypy, BOTH) == (
        'implementation_name == "pypy" and sys_platform == "win32"'
    )


def _forked() -> list[Environment]:
    """EVERY with 3.9 forked at 3.9.2 everywhere, 3.11 at 3.11.3 and 3.11.5 on Linux."""
    from graft.resolve.lock_ranges import part

    out: list[Environment] = []
    for env in EVERY:
        if env.python == "3.9":
            out += [part(env, 0, 2), part(env, 2, None)]
        elif env.python == "3.11" and env.values[0] == "linux":
            out += [part(env, 0, 3), part(env, 3, 5), part(env, 5, None)]
        else:
            out.append(env)
    return out


def test_ranges_of_micro_releases_are_told_apart_by_python_full_version() -> None:
    """Decision 153: every micro release of every range, exactly; bounds only between ranges."""
    covered = _forked()
    rng = random.Random(153)  # noqa: S311 - reproducible subsets, not secrets
    subsets = [[e for e in covered if rng.random() < p] for p in (0.1, 0.5, 0.9) for _ in range(8)]
    for chosen in filter(None, subsets):
        marker = marker_for(chosen, covered)
        parsed = Marker(marker) if marker else None
        want = {e.span for e in chosen}
        for env in covered:
            last = 99 if env.until is None else env.until - 1
            for micro in {env.start, min(env.start + 1, last), last}:  # (either side of a bound)
                got = parsed is None or parsed.evaluate({**env.markers_at(micro), "extra": ""})
                assert got == (env.span in want), (marker, env.label, micro)
    early = [e for e in covered if e.python == "3.9" and e.start == 0]
    assert marker_for(early, covered) == 'python_full_version < "3.9.2"'
    middle = [e for e in covered if e.python == "3.11" and e.start == 3]
    assert marker_for(middle, covered) == (
        'sys_platform == "linux" and python_full_version >= "3.11.3"'
        ' and python_full_version < "3.11.5"'
    )
    later = [e for e in covered if not (e.python == "3.9" and e.start == 0)]
    assert marker_for(later, covered) == 'python_full_version >= "3.9.2"'
    # a range's environment: its series' marker, its own label
    (first, *_) = early
    assert first.marker == EVERY[0].marker
    assert first.label == f"{EVERY[0].label} (3.9.0-3.9.1)"
    assert first.target.later_release_markers() == {
        **first.target.markers, "python_full_version": "3.9.1", "implementation_version": "3.9.1"
    }  # fmt: skip


def test_micro_bounds_are_where_a_verdict_changes() -> None:
    """Asked where the text names a micro release of the series; the same as asking all."""
    from graft.resolve.micro_bounds import _flips, _names_series

    def every(verdict: Callable[[int], bool]) -> tuple[int, ...]:
        return tuple(m for m in range(1, 100) if verdict(m) != verdict(m - 1))

    for text in ("!=3.9.0,!=3.9.1,>=3.7", ">3.9", "<=3.9.4", "~=3.9.2", "==3.9.*", ">=3.9.10rc1",
                 "==3.9.3", "===3.9.3", ">=3.10", "<3.9.2.post1"):  # fmt: skip
        spec = SpecifierSet(text)

        def admits(m: int, spec: SpecifierSet = spec) -> bool:
            return spec.contains(f"3.9.{m}", prereleases=True)

        assert _flips(admits, text, "3.9") == every(admits), text
    assert _flips(
        lambda m: SpecifierSet("!=3.9.0,!=3.9.1").contains(f"3.9.{m}"), "!=3.9.0,!=3.9.1", "3.9"
    ) == (2,)
    markers = (
        'python_full_version < "3.11.3"',
        'python_full_version in "3.11.1 3.11.10"',
        'implementation_version >= "3.11.5" and python_full_version != "3.11.7"',
    )
    for text in markers:
        marker = Marker(text)

        def holds(m: int, marker: Marker = marker) -> bool:
            full = f"3.11.{m}"
            return marker.evaluate({"python_full_version": full, "implementation_version": full})

        assert _flips(holds, text, "3.11") == every(holds), text
    assert _names_series(">=3.11.5", "3.11")
    assert _names_series(">3.11", "3.11")  # (3.11.1 > 3.11)
    assert not _names_series(">=3.11.5", "3.1")
    assert not _names_series(">=3.10", "3.1")


@pytest.mark.parametrize(
    ("platform", "system", "met"),
    [("manylinux_2_34_x86_64", 0, "manylinux_2_28_x86_64"),
     ("manylinux_2_29_aarch64", 1, "manylinux_2_28_aarch64"),
     ("manylinux_2_34_aarch64", 0, None),  # another machine
     ("manylinux_2_28_x86_64", 0, None),  # the environment's own
     ("manylinux_2_17_x86_64", 0, None),
     ("musllinux_1_2_x86_64", 0, "manylinux_2_28_x86_64"),  # another C library (320)
     ("musllinux_1_1_aarch64", 1, "manylinux_2_28_aarch64"),
     ("musllinux_1_2_aarch64", 0, None),  # another machine
     ("manylinux_2_17_ppc64le", 0, None),  # a machine no environment is
     ("macosx_26_0_arm64", 2, "macosx_15_0_arm64"),
     ("macosx_26_0_universal2", 2, "macosx_15_0_universal2"),
     ("macosx_15_1_x86_64", 3, "macosx_15_0_x86_64"),
     ("macosx_26_0_x86_64", 2, None),  # an Intel wheel is no arm64 Mac's
     ("macosx_14_0_arm64", 2, None),
     ("win_amd64", 4, None),  # the environment's own
     ("win32", 4, "win_amd64"),  # 32-bit CPython on 64-bit Windows (320)
     ("win32", 5, "win_arm64"),
     ("win_amd64", 5, "win_arm64"),  # x64 CPython emulated on ARM64 Windows
     ("win_arm64", 4, None),
     ("win32", 0, None)],
)  # fmt: skip
def test_a_machine_the_environment_stands_for_meets_one_of_its_platforms(
    platform: str, system: int, met: str | None
) -> None:
    """Decisions 314, 320: what a lock environment lists beyond its tags, never a named tag."""
    env = matrix(["3.12"])[system]
    assert stands_for(env, platform) == met
    (named,) = matrix(["3.12"], ["manylinux_2_28_x86_64"])
    assert stands_for(named, platform) is None


def test_a_glibc_machine_named_as_uv_names_it_takes_every_older_level() -> None:
    """Decision 322: ``ARCH-manylinux_2_N`` is that machine with glibc 2.N and older levels."""
    tags = glibc_machine("x86_64-manylinux_2_34")
    assert tags is not None
    assert tags[:2] == ("manylinux_2_34_x86_64", "manylinux_2_33_x86_64")
    assert {"manylinux_2_28_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"} <= set(tags)
    assert tags[-1] == "manylinux1_x86_64"
    assert glibc_machine("aarch64-manylinux2014") == (
        "manylinux_2_17_aarch64", "manylinux2014_aarch64",
    )  # fmt: skip
    assert (glibc_machine("ppc64le-manylinux_2_28") or ())[-1] == "manylinux2014_ppc64le"
    for other in ("manylinux_2_34_x86_64", "x86_64-manylinux_2_5", "2_17-manylinux_2_28", "linux"):
        assert glibc_machine(other) is None, other
    (env,) = matrix(["3.12"], ["x86_64-manylinux_2_34"])
    assert not env.named
    assert env.values == ("linux", "x86_64", "3.12", "cpython")
    assert env.label == "cp312 manylinux_2_34_x86_64"
    assert stands_for(env, "manylinux_2_36_x86_64") == "manylinux_2_34_x86_64"
    assert stands_for(env, "manylinux_2_31_x86_64") is None  # (one of its own tags)
    assert stands_for(env, "musllinux_1_2_x86_64") == "manylinux_2_34_x86_64"


def test_a_named_tag_and_a_system_with_the_same_platforms_answer_apart_in_any_order() -> None:
    """A guard for decision 500's memo of :func:`stands_for` (by platforms alone).

    An environment of a named tag stands for no other machine, whichever was asked first,
    and each system environment's answers are those of its own platforms.
    """
    (named,) = matrix(["3.12"], ["manylinux_2_28_x86_64"])
    systems = matrix(["3.11", "3.12"])
    asked = ["manylinux_2_34_x86_64", "musllinux_1_2_x86_64", "macosx_26_0_arm64", "win32"]
    first = [[stands_for(env, p) for p in asked] for env in systems]
    assert all(stands_for(named, p) is None for p in asked)
    assert [[stands_for(env, p) for p in asked] for env in systems] == first
    linux = next(e for e in systems if e.platforms[0] == "manylinux_2_28_x86_64")
    assert [stands_for(linux, p) for p in asked] == [
        "manylinux_2_28_x86_64",
        "manylinux_2_28_x86_64",
        None,
        None,
    ]
