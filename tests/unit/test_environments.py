"""The lock's environment matrix and the markers that tell groups of environments apart."""

from __future__ import annotations

import random

import pytest
from packaging.markers import Marker

from graft.errors import UsageError
from graft.resolve.environments import (
    DEFAULT_PYTHONS,
    keep_matching,
    marker_for,
    matrix,
    python_versions,
)

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


def test_every_marker_is_true_exactly_in_its_environments() -> None:
    rng = random.Random(751)  # noqa: S311 - reproducible subsets, not secrets
    subsets = [[e for e in EVERY if rng.random() < p] for p in (0.1, 0.5, 0.9) for _ in range(20)]
    subsets += [[e for e in EVERY if e.values[0] == "win32"]]
    subsets += [[e for e in EVERY if e.python in {"3.9", "3.10"}]]
    for chosen in filter(None, subsets):  # an entry always has an environment
        marker = marker_for(chosen, EVERY)
        parsed = Marker(marker) if marker else None
        want = {e.values for e in chosen}
        for env in EVERY:
            got = parsed is None or parsed.evaluate({**env.target.markers, "extra": ""})
            assert got == (env.values in want), (marker, env.label)


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
    assert python_versions(">=3.9.2,<3.11") == ("3.9", "3.10")
    assert python_versions(">=3.11", ["3.5"]) == ("3.5",)
    with pytest.raises(UsageError, match="allows none"):
        python_versions("<3")


def test_environment_markers_keep_the_matching_environments() -> None:
    kept = keep_matching(EVERY, ["sys_platform == 'linux' and python_version == '3.12'"])
    assert [e.label for e in kept] == [
        "cp312 manylinux_2_28_x86_64",
        "cp312 manylinux_2_28_aarch64",
    ]
    with pytest.raises(UsageError, match="no environment"):
        keep_matching(EVERY, ["sys_platform == 'aix'"])
