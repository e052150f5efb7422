"""The reuse rule (graft.build.reuse.may_serve): properties over interpreters and wheels."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from graft.build.reuse import Builder, is_pure, may_serve, wheel_tags
from graft.venv.foreign import foreign_target

if TYPE_CHECKING:
    from graft.model.target import Target

PLATFORM = "linux_x86_64"
MINORS = (9, 10, 11, 12, 13, 14)


def target(implementation: str, minor: int, gil_disabled: bool = False) -> Target:
    impl = "cp" if implementation == "cpython" else "pp"
    if gil_disabled:
        made = foreign_target(f"3.{minor}", [PLATFORM], "cp", [f"cp3{minor}t"])
        # free-threaded CPython lists no abi3 tags; the rule must refuse abi3 even if it did
        return dataclasses.replace(made, gil_disabled=True)
    return foreign_target(f"3.{minor}", [PLATFORM], impl)


interpreters = st.one_of(
    st.tuples(st.just("cpython"), st.sampled_from(MINORS), st.booleans()),
    st.tuples(st.just("pypy"), st.sampled_from(MINORS), st.just(False)),
)


def wheel_for(kind: str, minor: int) -> str:
    return {
        "pure": "pkg-1.0-py3-none-any.whl",
        "pure2": "pkg-1.0-py2.py3-none-any.whl",
        "abi3": f"pkg-1.0-cp3{minor}-abi3-{PLATFORM}.whl",
        "cp": f"pkg-1.0-cp3{minor}-cp3{minor}-{PLATFORM}.whl",
        "pp": f"pkg-1.0-pp3{minor}-pypy3{minor}_pp73-{PLATFORM}.whl",
        "platform": f"pkg-1.0-py3-none-{PLATFORM}.whl",
    }[kind]


wheels = st.tuples(
    st.sampled_from(["pure", "pure2", "abi3", "cp", "pp", "platform"]), st.sampled_from(MINORS)
).map(lambda kv: wheel_for(*kv))


def fits(filename: str, to: Target) -> bool:
    return bool({str(t) for t in wheel_tags(filename)} & set(to.tags))


@given(wheels, st.booleans(), interpreters, interpreters)
def test_the_rule(
    filename: str, may_differ: bool, by: tuple[str, int, bool], to: tuple[str, int, bool]
) -> None:
    built_by = Builder(by[0], f"3.{by[1]}", by[2])
    there = target(*to)
    verdict = may_serve(filename, may_differ, built_by, there)
    tags = wheel_tags(filename)
    same = Builder.of(there) == built_by
    assert verdict.why
    assert verdict.fits == fits(filename, there)
    if verdict.reuse:
        assert fits(filename, there), "reused a wheel whose tags do not fit"
    if verdict.reuse and may_differ and not same:
        assert not is_pure(tags), "a pure wheel of an extension-capable source crossed interpreters"
        assert any(t.abi == "abi3" for t in tags), "only abi3 may cross for such sources"
    if verdict.reuse and any(t.abi == "abi3" for t in tags) and not same:
        assert there.implementation == "cpython"
        assert not there.gil_disabled
        floor = min(int(t.interpreter[3:]) for t in tags if t.abi == "abi3")
        assert int(there.version_short.split(".")[1]) >= floor
    # reuse whenever it is safe: a pure source's fitting wheel, or the same interpreter's
    if (
        fits(filename, there)
        and (same or not may_differ)
        and not (any(t.abi == "abi3" for t in tags) and there.gil_disabled)
    ):
        assert verdict.reuse, verdict.why


def test_markupsafe_built_by_pypy_never_serves_cpython() -> None:
    pypy = Builder("pypy", "3.9")
    for minor in (11, 12):
        verdict = may_serve(
            "MarkupSafe-3.0.2-py3-none-any.whl", True, pypy, target("cpython", minor)
        )
        assert not verdict.reuse
        assert "may build differently" in verdict.why
    same = may_serve("MarkupSafe-3.0.2-py3-none-any.whl", True, pypy, target("pypy", 9))
    assert same.reuse


def test_pure_source_serves_every_interpreter() -> None:
    by = Builder("cpython", "3.11")
    for minor in MINORS:
        assert may_serve("flit-1.0-py3-none-any.whl", False, by, target("cpython", minor)).reuse
    assert may_serve("flit-1.0-py3-none-any.whl", False, by, target("pypy", 10)).reuse


def test_abi3_serves_later_gil_cpython_only() -> None:
    by = Builder("cpython", "3.10")
    wheel = f"pkg-1.0-cp310-abi3-{PLATFORM}.whl"
    assert may_serve(wheel, True, by, target("cpython", 13)).reuse
    assert not may_serve(wheel, True, by, target("cpython", 9)).reuse
    assert not may_serve(wheel, True, by, target("cpython", 13, gil_disabled=True)).reuse
    assert not may_serve(wheel, True, by, target("pypy", 10)).reuse


def test_free_threaded_is_another_interpreter() -> None:
    by = Builder("cpython", "3.13")
    verdict = may_serve("pkg-1.0-py3-none-any.whl", True, by, target("cpython", 13, True))
    assert not verdict.reuse


def test_tags_that_do_not_fit() -> None:
    by = Builder("cpython", "3.11")
    verdict = may_serve(f"pkg-1.0-cp311-cp311-{PLATFORM}.whl", False, by, target("cpython", 12))
    assert not verdict.reuse
    assert "do not fit" in verdict.why
