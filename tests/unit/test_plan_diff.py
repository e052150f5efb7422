"""The diff of two plans' flat forms (plan/diff.py): pure, over planned wheel sets.

The model of a venv here is the set of its plan's steps by destination; carrying out a
diff on the old plan's set (take out each removed destination with everything below it,
then put in every added step) must give the new plan's set exactly, and nothing may be
put where something still is.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

from hypothesis import given, settings
from hypothesis import strategies as st

from graft import _jsonc
from graft.model.record import EntryPoint
from graft.plan import diff as flat_diff
from graft.plan.diff import PlanDiff, Step, steps, worth_updating
from graft.plan.flat import compile_plan, from_json, from_json_unchecked
from graft.plan.planner import plan
from graft.plan.types import LinkDir, MakeDir, Plan, Policy

from .records import LAYOUT, SP, wheel
from .test_planner_properties import NAMES, WHEEL_FILES

if TYPE_CHECKING:
    from typing import Any

    from graft.plan.planned import PlannedWheel

SKELETON = frozenset({"bin", "include", "lib", "lib/python3.11", SP})


def diff(old: Plan, new: Plan, skeleton: frozenset[str] = frozenset()) -> PlanDiff:
    return flat_diff.diff(compile_plan(old), compile_plan(new), skeleton)


def carry_out(old: Plan, change: PlanDiff) -> dict[str, Step]:
    """The old venv's steps with *change* applied, as the materializer applies it."""
    venv = steps(compile_plan(old))
    for gone in change.remove:
        assert gone in venv, gone  # only what is there is taken out
        for dest in [d for d in venv if d == gone or d.startswith(gone + "/")]:
            del venv[dest]
    for root in change.roots:
        assert root not in venv, root  # the staged subtree moves into an empty place
        parent = root.rpartition("/")[0]
        assert not parent or parent in venv or parent in SKELETON, root
    for dest, step in steps(change.add).items():
        assert any(dest == r or dest.startswith(r + "/") for r in change.roots)
        venv[dest] = step
    return venv


def without_skeleton(actions: dict[str, Step]) -> dict[str, Step]:
    return {d: a for d, a in actions.items() if d not in SKELETON}


@st.composite
def two_sets(draw: st.DrawFn) -> tuple[list[PlannedWheel], list[PlannedWheel]]:
    """Two wheel sets over the same names: some kept, some changed, dropped or added."""
    old, new = [], []
    for name in NAMES[: draw(st.integers(min_value=1, max_value=4))]:
        files = draw(WHEEL_FILES)
        fate = draw(st.sampled_from(["keep", "change", "drop", "add"]))
        if fate != "add":
            old.append(wheel(name, files))
        if fate == "keep":
            new.append(wheel(name, files))
        elif fate in {"change", "add"}:
            new.append(wheel(name, draw(WHEEL_FILES), version="2.0"))
    return old, new


@settings(max_examples=300, deadline=None)
@given(two_sets(), st.sampled_from(["symlink", "copy"]))
def test_carrying_out_the_diff_gives_the_new_plan(
    sets: tuple[list[PlannedWheel], list[PlannedWheel]], link_mode: str
) -> None:
    policy = Policy("ignore", link_mode)  # type: ignore[arg-type]
    old, new = (plan(s, LAYOUT, policy) for s in sets)
    change = diff(old, new, SKELETON)
    after = carry_out(old, change)
    assert without_skeleton(after) == without_skeleton(steps(compile_plan(new)))
    assert change.empty == (old.actions == new.actions)


def test_the_same_plan_is_no_change() -> None:
    p = plan([wheel("aaa", ["aaa/__init__.py"])], LAYOUT)
    change = diff(p, p)
    assert change.empty
    assert change.touched == 0
    assert worth_updating(change)


def test_a_distribution_that_adds_to_a_folded_package_unfolds_its_link() -> None:
    a = wheel("aaa", ["pkg/__init__.py", "pkg/a.py", "aaa/__init__.py"])
    b = wheel("bbb", ["pkg/plugins/b.py"])
    old, new = plan([a], LAYOUT), plan([a, b], LAYOUT)
    assert isinstance({x.dest: x for x in old.actions}[f"{SP}/pkg"], LinkDir)
    change = diff(old, new, SKELETON)
    assert f"{SP}/pkg" in change.remove  # the fold goes...
    assert f"{SP}/pkg" in change.roots  # ...and a real directory with both comes
    assert f"{SP}/aaa" not in change.remove  # the rest of aaa stays
    assert set(steps(change.add)) >= {f"{SP}/pkg", f"{SP}/pkg/a.py", f"{SP}/pkg/plugins"}


def test_a_namespace_portion_that_comes_in_leaves_the_namespace_in_place() -> None:
    a = wheel("aaa", ["ns/a/__init__.py", "aaa/__init__.py"])
    b = wheel("bbb", ["ns/b/__init__.py"])
    c = wheel("ccc", ["ns/c/__init__.py"])
    old, new = plan([a], LAYOUT), plan([a, b], LAYOUT)
    assert isinstance({x.dest: x for x in old.actions}[f"{SP}/ns"], MakeDir)  # (decision 83)
    change = diff(old, new, SKELETON)
    # the second portion unfolds the first one level, so that pip finds its file (decision 131);
    # aaa's RECORD no longer lists the link
    assert set(change.remove) == {f"{SP}/ns/a", f"{SP}/aaa-1.0.dist-info/RECORD"}
    assert {f"{SP}/ns/a", f"{SP}/ns/b"} <= set(change.roots)
    assert f"{SP}/ns" not in change.roots
    # a third one adds its own link (and its .dist-info) only
    change = diff(new, plan([a, b, c], LAYOUT), SKELETON)
    assert change.remove == ()
    assert change.roots == (f"{SP}/ccc-1.0.dist-info", f"{SP}/ns/c")


def test_skeleton_directories_are_never_taken_out() -> None:
    """A plan names ``include`` only while some wheel has headers; the venv always has it."""
    old = plan([wheel("aaa", ["aaa/__init__.py"])], LAYOUT)
    extra = (MakeDir("include"), MakeDir("include/site"))
    with_headers = replace(old, actions=tuple(sorted((*old.actions, *extra), key=lambda a: a.dest)))
    change = diff(with_headers, old, SKELETON)
    assert change.remove == ("include/site",)
    assert not steps(change.add)


def test_a_large_change_is_not_worth_updating() -> None:
    names = ["aaa", "bbb", "ccc", "ddd"]
    old = plan([wheel(n, [f"{n}/__init__.py"]) for n in names], LAYOUT)
    one = plan(
        [wheel(n, [f"{n}/__init__.py"], version="2.0" if n == "aaa" else "1.0") for n in names],
        LAYOUT,
    )
    every = plan([wheel(n, [f"{n}/__init__.py"], version="2.0") for n in names], LAYOUT)
    assert worth_updating(diff(old, one, SKELETON))
    assert not worth_updating(diff(old, every, SKELETON))


def _maybe_forge(raw: dict[str, Any], data: st.DataObject) -> None:
    """Perhaps forge one step of the form *raw*: a destination or a source out of place."""
    kinds = [k for k in ("dirs", "dir_links", "file_links", "copies") if raw[k]]
    forge: bool = data.draw(st.booleans())
    if kinds and forge:
        kind = data.draw(st.sampled_from(kinds))
        at = data.draw(st.integers(0, len(raw[kind]) - 1))
        forged = data.draw(st.sampled_from(["../out", "/etc", "/store/x/../../etc"]))
        if kind == "dirs":
            raw[kind][at] = forged
        else:
            raw[kind][at][data.draw(st.integers(0, 1))] = forged


@settings(max_examples=200, deadline=None)
@given(two_sets(), st.sampled_from(["symlink", "copy"]), st.data())
def test_the_old_form_read_unchecked_diffs_or_is_refused_as_the_checked_one(
    sets: tuple[list[PlannedWheel], list[PlannedWheel]], link_mode: str, data: st.DataObject
) -> None:
    """Decision 349: the form that built the venv is read for the diff without its checks,
    which the diff makes where it differs from the new one. With one of its steps forged (a
    destination or a source out of place), the diff refuses it exactly when the checked
    reading does; unforged, both give the same change."""
    policy = Policy("ignore", link_mode)  # type: ignore[arg-type]
    old, new = (compile_plan(plan(s, LAYOUT, policy)) for s in sets)
    raw = _jsonc.loads(_jsonc.dumps(old.to_json()))
    _maybe_forge(raw, data)
    try:
        checked = flat_diff.diff(from_json(raw, "/store/"), new, SKELETON)
    except (ValueError, TypeError, KeyError):
        checked = None
    try:
        unchecked = flat_diff.diff(from_json_unchecked(raw, "/store/"), new, SKELETON)
    except (ValueError, TypeError, KeyError):
        unchecked = None
    assert (checked is None) == (unchecked is None)
    if checked is not None and unchecked is not None:
        assert (checked.remove, checked.roots, checked.touched) == (
            unchecked.remove,
            unchecked.roots,
            unchecked.touched,
        )
        assert steps(checked.add) == steps(unchecked.add)


@settings(max_examples=200, deadline=None)
@given(two_sets(), st.sampled_from(["symlink", "copy"]), st.data())
def test_the_new_form_read_unchecked_diffs_or_is_refused_as_the_checked_one(
    sets: tuple[list[PlannedWheel], list[PlannedWheel]], link_mode: str, data: st.DataObject
) -> None:
    """Decision 502: the form a change carries out is read for the diff without its checks
    too, and the diff checks the part it carries out. With one of its steps forged, the
    diff refuses it exactly when the checked reading does; unforged, both give the same
    change, and what is carried out went through the checks."""
    policy = Policy("ignore", link_mode)  # type: ignore[arg-type]
    old, new = (compile_plan(plan(s, LAYOUT, policy)) for s in sets)
    built = from_json_unchecked(_jsonc.loads(_jsonc.dumps(old.to_json())), "/store/")
    raw = _jsonc.loads(_jsonc.dumps(new.to_json()))
    _maybe_forge(raw, data)
    try:
        checked = flat_diff.diff(built, from_json(raw, "/store/"), SKELETON)
    except (ValueError, TypeError, KeyError):
        checked = None
    try:
        unchecked = flat_diff.diff(built, from_json_unchecked(raw, "/store/"), SKELETON)
    except (ValueError, TypeError, KeyError):
        unchecked = None
    assert (checked is None) == (unchecked is None)
    if checked is not None and unchecked is not None:
        assert (checked.remove, checked.roots, checked.touched) == (
            unchecked.remove,
            unchecked.roots,
            unchecked.touched,
        )
        assert steps(checked.add) == steps(unchecked.add)
        assert unchecked.add.unchecked is None


def test_a_distribution_asked_again_is_taken_out_and_put_back_alone() -> None:
    """``--reinstall-package aaa`` (decision 393): its links, ``.dist-info`` and launcher only.

    A directory it shares with bbb (the namespace ``ns``) stays, and bbb's steps are not
    touched; the change counts nothing against the share a rebuild is chosen by.
    """
    script = EntryPoint("aaa", "aaa:main", "console_scripts")
    a = wheel("aaa", ["ns/a/__init__.py", "aaa/__init__.py"], entry_points=(script,))
    b = wheel("bbb", ["ns/b/__init__.py", "bbb/__init__.py"])
    flat = compile_plan(plan([a, b], LAYOUT))
    again = flat_diff.owned(flat, [os.path.dirname(a.tree)])
    info = f"{SP}/aaa-1.0.dist-info"
    assert {f"{SP}/aaa", "bin/aaa", info, f"{info}/RECORD", f"{info}/INSTALLER"} <= again
    assert any(dest.startswith(f"{SP}/ns/a") for dest in again)
    assert not any("bbb" in dest or dest.startswith(f"{SP}/ns/b") for dest in again)
    assert f"{SP}/ns" not in again
    change = flat_diff.diff(flat, flat, SKELETON, again)
    assert set(change.remove) == set(change.roots)
    assert set(steps(change.add)) == again
    assert change.touched == 0
    assert worth_updating(change)
    assert flat_diff.owned(flat, []) == set()
