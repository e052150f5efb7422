"""`lock_merge.compatible`: the wheels of a release an installer in one environment may pick."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graft.model.target import Target
from graft.resolve.artifacts import ArtifactFile, WheelName, parse_wheel
from graft.resolve.environments import Environment
from graft.resolve.lock_merge import compatible

#: The environment's tags, most preferred first, and tags it does not accept
ACCEPTED = ("cp311-cp311-manylinux_2_17_x86_64", "cp311-abi3-manylinux_2_17_x86_64", "py3-none-any")
OTHERS = ("cp311-cp311-win_amd64", "cp312-cp312-manylinux_2_17_x86_64", "py2-none-any")
ENV = Environment(
    "3.11",
    ("manylinux_2_17_x86_64",),
    Target("python", "python", "3.11.7", "cpython", "cpython-311", ACCEPTED, {}, {}),
)


def _wheel(tags: str, build: int, yanked: bool) -> ArtifactFile:
    middle = f"-{build}" if build else ""
    name = f"demo-1.0{middle}-{tags}.whl"
    return ArtifactFile(name, f"https://example.org/{name}", yanked="" if yanked else None)


wheels = st.lists(
    st.builds(
        _wheel,
        st.sampled_from(ACCEPTED + OTHERS + ("cp311.cp312-abi3-manylinux_2_17_x86_64",)),
        st.integers(0, 2),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda f: f.filename,
)


def _fits(f: ArtifactFile) -> bool:
    parsed = parse_wheel(f.filename)
    return parsed is not None and any(tag in ACCEPTED for tag in parsed.tags)


@given(wheels, st.data())
def test_an_installer_may_pick_exactly_the_fitting_wheels_of_the_highest_build(
    release: list[ArtifactFile], data: st.DataObject
) -> None:
    chosen = data.draw(st.sampled_from(release))
    picked = compatible(tuple(release), ENV, chosen)
    assert list(picked) == sorted(picked, key=lambda f: f.filename)
    assert all(_fits(f) for f in picked)  # never a wheel of another platform or Python
    assert all(f.yanked is None or f == chosen for f in picked)  # yanked: only if chosen
    eligible = [f for f in release if _fits(f) and (f.yanked is None or f == chosen)]
    groups: dict[tuple[str, ...], list[ArtifactFile]] = {}
    for f in eligible:
        groups.setdefault(_parsed(f).tags, []).append(f)
    # one wheel per set of tags, of the highest build tag there; of equal builds the chosen
    assert len(picked) == len(groups)
    for group in groups.values():
        (one,) = [f for f in picked if f in group]
        top = max(_parsed(f).build for f in group)
        assert _parsed(one).build == top
        if chosen in group and _parsed(chosen).build == top:
            assert one == chosen


def _parsed(f: ArtifactFile) -> WheelName:
    parsed = parse_wheel(f.filename)
    assert parsed is not None
    return parsed


def test_a_wheel_whose_tags_the_environment_lacks_is_never_offered() -> None:
    windows = _wheel("cp311-cp311-win_amd64", 0, False)
    linux = _wheel("cp311-cp311-manylinux_2_17_x86_64", 0, False)
    pure = _wheel("py3-none-any", 0, False)
    assert compatible((windows, linux, pure), ENV, linux) == (linux, pure)
    assert compatible((windows,), ENV, windows) == ()


def test_of_two_builds_only_the_higher_is_offered_and_a_yanked_one_only_when_chosen() -> None:
    old, new = _wheel("py3-none-any", 1, False), _wheel("py3-none-any", 2, False)
    assert compatible((old, new), ENV, old) == (new,)
    yanked = _wheel("py3-none-any", 2, True)
    assert compatible((old, yanked), ENV, old) == (old,)
    assert compatible((old, yanked), ENV, yanked) == (yanked,)
