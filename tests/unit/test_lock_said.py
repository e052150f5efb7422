"""What ``graft lock`` says of its environments: each reason once, the environments compact.

Decision 158: ``cryptography>=44`` left 3.9 out on each of six platforms in six nearly
identical lines; a reason is now said once, headed by the environments it holds in. And
decision 157: a series whose first release has no resolution is tried from the later
releases where one may (stand-ins for the bounds and the resolutions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from graft.cli.build_venv import for_source
from graft.resolve.environments import DEFAULT_PYTHONS, matrix
from graft.resolve.lock_envs import Outcome
from graft.resolve.lock_late import MAX_TRIES, start_later
from graft.resolve.lock_said import compact, said_once, why_not
from graft.resolve.resolution_error import Kind, Reason, ResolutionError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from graft.resolve.environments import Environment
    from graft.resolve.lock_late import Late

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


def test_reasons_that_differ_only_in_their_tags_are_one_line() -> None:
    """``psycopg[binary]`` left each series out on win_arm64 in a line of its own, naming its
    own tags: one line now, without them; a series lacking another version stays apart, and
    one environment's reason keeps its tags. The tags are the reason's data (``Reason``), so
    a text that merely ends like them is said as it is."""

    def no_wheel(series: str, version: str) -> tuple[str, Reason]:
        tags = (f"{series}-{series}-win_arm64", f"{series}-abi3-win_arm64")
        return (
            f"{series} win_arm64",
            Reason(f"no wheel of psycopg-binary {version} for the target", tags),
        )

    newest = [no_wheel(s, "3.3.9") for s in ("cp310", "cp311", "cp312", "cp313", "cp314")]
    older = no_wheel("cp39", "3.2.10")
    assert str(older[1]) == (  # (the line a sync says)
        "no wheel of psycopg-binary 3.2.10 for the target (cp39-cp39-win_arm64,"
        " cp39-abi3-win_arm64, ...)"
    )
    series = "cp310, cp311, cp312, cp313 and cp314 on win_arm64"
    assert said_once([older, *newest]) == [
        f"{older[0]}: {older[1]}",  # (alone: as it was, its tags named)
        f"{series}: no wheel of psycopg-binary 3.3.9 for the target",
    ]
    assert said_once([newest[0], newest[0]]) == [f"cp310 win_arm64: {newest[0][1]}"]
    other = ("cp310 win_amd64", "no version of x matches >=2 for the target (a, b, ...)")
    assert said_once([other]) == [f"{other[0]}: {other[1]}"]  # (not tags: not taken off)
    text = ("cp311 win_arm64", str(newest[1][1]))  # a text: its own reason, tags and all
    assert said_once([newest[0], text]) == [
        f"cp310 win_arm64: {newest[0][1]}",
        f"cp311 win_arm64: {newest[1][1]}",
    ]


def test_a_lock_environment_without_a_wheel_is_told_with_its_tags_as_data() -> None:
    """``no_candidates``' line, through the explanations that keep it first, to ``why_not``."""
    head = Reason(
        "no wheel of lib 1.0 for the target", ("cp39-cp39-win_arm64", "cp39-abi3-win_arm64")
    )
    error = ResolutionError(Kind.NO_WHEEL_FOR_TARGET, [head, "app 1.0 requires lib==1.0"])
    assert error.lines[0] == str(head) == error.what
    assert why_not(error) == head
    assert why_not(ResolutionError(Kind.NO_VERSION, ["no version of lib matches >=2"])) == Reason(
        "no version of lib matches >=2"
    )


def test_a_build_requirement_that_fails_is_told_with_the_build_it_is_for() -> None:
    """``build_venv.for_source`` heads the line with the sdist: a lock's skipped environments
    say it too (they said ``no project named 'x'`` alone, as if the user had asked for x)."""
    head = Reason("no wheel of x 1.0 for the target", ("cp39-cp39-win_arm64",))
    error = ResolutionError(Kind.NO_WHEEL_FOR_TARGET, [head, "you asked for x==1.0"])

    def make() -> None:
        raise error

    with pytest.raises(ResolutionError) as raised:
        for_source("dep-1.0.tar.gz", make)  # type: ignore[arg-type]
    said = "dep-1.0.tar.gz: its build requirements cannot be installed: no wheel of x 1.0"
    assert why_not(raised.value) == Reason(f"{said} for the target", head.tags)
    assert raised.value.lines == (str(why_not(raised.value)), "you asked for x==1.0")
    assert str(raised.value).splitlines()[0] == raised.value.lines[0]


def test_the_default_matrix_left_out_whole_is_one_line() -> None:
    pairs = [(e.label, "why") for e in EVERY]
    assert said_once(pairs) == ["cp39, cp310, cp311, cp312, cp313 and cp314 on 6 platforms: why"]


# decision 157: the later releases tried


@dataclass
class _Bounds:
    """Stand-in bounds: the later starts per series' current start, by the projects met."""

    starts: Mapping[int, tuple[int, ...]]
    asked: list[tuple[int, tuple[str, ...]]]

    def later_starts(
        self, env: Environment, names: Iterable[str], _read: object = ()
    ) -> tuple[int, ...]:
        self.asked.append((env.start, tuple(names)))
        return self.starts.get(env.start, ())

    def marker_flips(self, _env: Environment, _read: object) -> tuple[int, ...]:
        return (2,)  # (a marker names 3.11.2: the releases before a start are tried alone)

    def excluding(self, _resolution: object, series: str, micros: range) -> list[str]:
        return [f"lib 2.0 requires Python !={series}.{micros[0]}"]


def _failed(*, gave_up: int = 0, met: tuple[str, ...] = ("lib",)) -> Outcome:
    error = ResolutionError(Kind.NO_VERSION, ["no version of lib matches >=2"], gave_up=gave_up)
    error.met = met
    return Outcome([], None, error)


def _resolved() -> Outcome:
    return Outcome([], object())  # type: ignore[arg-type]


def _why(_env: Environment, _outcome: Outcome) -> str:
    return "why"


def _late(
    starts: Mapping[int, tuple[int, ...]], resolves_at: set[int], first: Outcome
) -> tuple[list[list[str]], _Bounds, Late]:
    envs = matrix(["3.11"], ["linux"])[:1]
    bounds = _Bounds(starts, [])
    tried: list[list[str]] = []

    def resolve(batch: list[Environment]) -> list[Outcome]:
        tried.append([e.target.version for e in batch])
        return [
            _resolved() if e.start in resolves_at else _failed(met=("lib", "dep")) for e in batch
        ]

    late = start_later(envs, [first], bounds, resolve, _why)  # type: ignore[arg-type]
    return tried, bounds, late


def test_a_failed_first_release_is_tried_from_the_next_bound_on() -> None:
    tried, bounds, late = _late({0: (2, 5)}, {2}, _failed())
    assert tried == [["3.11.2"], ["3.11.0"]]  # (and the releases before, alone: decision 203)
    assert bounds.asked == [(0, ("lib",))]  # (the projects the failure met)
    (env,) = late.envs
    assert env.first_release == "3.11.2"
    assert env.marker.endswith("python_full_version >= '3.11.2'")
    left = "without 3.11.0-3.11.1: lib 2.0 requires Python !=3.11.0 (3.11.0: why)"
    assert late.said == (("cp311 manylinux_2_28_x86_64", f"locked from 3.11.2 on, {left}"),)


def test_a_later_release_that_fails_too_leads_to_its_own_next_bound() -> None:
    tried, bounds, late = _late({0: (2,), 2: (5,)}, {5}, _failed())
    assert tried == [["3.11.2"], ["3.11.5"], ["3.11.0"]]
    assert bounds.asked[-1] == (2, ("lib", "dep"))  # (what the try at 3.11.2 met)
    assert late.envs[0].first_release == "3.11.5"


def test_the_tries_end_and_the_first_failure_stays() -> None:
    first = _failed()
    starts = {m: (m + 1,) for m in range(20)}
    tried, _, late = _late(starts, set(), first)
    assert len(tried) == MAX_TRIES
    assert late.outcomes == (first,)
    assert late.said == ()


def test_the_releases_before_a_later_start_that_resolve_alone_are_a_range_of_their_own() -> None:
    """What only later releases need failed the first (decision 203): nothing is left out."""
    tried, _, late = _late({0: (2,)}, {0, 2}, _failed())
    assert tried == [["3.11.2"], ["3.11.0"]]
    assert [(e.start, e.until, e.first_release) for e in late.envs] == [
        (0, 2, None),
        (2, None, None),  # (the series whole in `environments`)
    ]
    assert late.said == ()


@pytest.mark.parametrize(
    "first",
    [_failed(gave_up=3), _resolved(), Outcome([], None, None, skip="cp311 x: none")],
    ids=["gave-up", "resolved", "skipped-without-bound"],
)
def test_no_later_release_is_tried_without_cause_or_bound(first: Outcome) -> None:
    tried, _, late = _late({}, {2}, first)
    assert tried == []
    assert late.outcomes == (first,)
