"""What ``graft lock`` says of its environments: each reason once, the environments compact.

Decision 158: ``cryptography>=44`` left 3.9 out on each of six platforms in six nearly
identical lines; a reason is now said once, headed by the environments it holds in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from graft.resolve.environments import DEFAULT_PYTHONS, matrix
from graft.resolve.lock_said import compact, said_once

if TYPE_CHECKING:
    from collections.abc import Iterable


EVERY = matrix(DEFAULT_PYTHONS)


def _labels(python: str, systems: Iterable[str] = ("linux", "macos", "windows")) -> list[str]:
    return [e.label for e in matrix([python], list(systems))]


@pytest.mark.parametrize(
    ("labels", "said"),
    [
        (["cp39 win_amd64"], "cp39 win_amd64"),  # one: as it was
        (["cp39 win_amd64", "cp39 win_amd64"], "cp39 win_amd64"),
        (_labels("3.9", ["windows"]), "cp39 on win_amd64 and win_arm64"),
        (_labels("3.9"), "cp39 on 6 platforms"),
        (["cp39 win_arm64", "cp310 win_arm64"], "cp39 and cp310 on win_arm64"),
        (
            [*_labels("3.9"), *_labels("3.10"), *_labels("3.11")],
            "cp39, cp310 and cp311 on 6 platforms",
        ),
        (
            [*_labels("3.9"), "cp310 win_arm64", "cp311 win_arm64"],
            "cp39 on 6 platforms; cp310 and cp311 on win_arm64",
        ),
        (
            ["cp311 manylinux_2_28_x86_64 (3.11.0-3.11.2)", "cp311 win_amd64 (3.11.0-3.11.2)"],
            "cp311 on manylinux_2_28_x86_64 (3.11.0-3.11.2) and win_amd64 (3.11.0-3.11.2)",
        ),
    ],
)
def test_environments_are_named_compactly(labels: list[str], said: str) -> None:
    assert compact(labels) == said


def test_each_reason_is_said_once_in_order() -> None:
    why = "no version of cryptography matches >=44 for the target"
    pairs = [(label, why) for label in _labels("3.9")]
    pairs.insert(2, ("cp39 win_arm64", "no wheel of x for the target"))
    assert said_once(pairs) == [
        f"cp39 on 6 platforms: {why}",
        "cp39 win_arm64: no wheel of x for the target",
    ]
    assert said_once([]) == []


def test_the_default_matrix_left_out_whole_is_one_line() -> None:
    pairs = [(e.label, "why") for e in EVERY]
    assert said_once(pairs) == ["cp39, cp310, cp311, cp312, cp313 and cp314 on 6 platforms: why"]
