"""Planner invariants over random wheel sets (hypothesis).

The reference model is a copying install in ascending name order: for every
destination the last wheel that ships it provides the bytes. The plan, read
back through its links, must give exactly that view, with the fewest links.
"""

from __future__ import annotations

import posixpath
import random
from typing import TYPE_CHECKING

from hypothesis import given, settings
from hypothesis import strategies as st

from graft.model.record import is_native
from graft.plan.planner import plan
from graft.plan.types import LinkDir, LinkFile, MakeDir, Plan, Policy

from .records import LAYOUT, SP, wheel

if TYPE_CHECKING:
    from graft.plan.planned import PlannedWheel

SEGMENTS = st.sampled_from(["a", "b", "ns", "pkg", "sub", "x.libs"])
LEAVES = st.sampled_from(["__init__.py", "m.py", "n.py", "data.txt", "_ext.so", "lib.so.1"])
PATHS = st.builds(
    lambda dirs, leaf: "/".join([*dirs, leaf]), st.lists(SEGMENTS, min_size=1, max_size=3), LEAVES
)
CONTENTS = st.sampled_from(["same", "one", "two"])
WHEEL_FILES = st.dictionaries(PATHS, CONTENTS, min_size=1, max_size=8)
NAMES = ["aaa", "bbb", "ccc", "ddd"]


@st.composite
def wheel_sets(draw: st.DrawFn) -> list[PlannedWheel]:
    count = draw(st.integers(min_value=1, max_value=4))
    return [wheel(NAMES[i], draw(WHEEL_FILES)) for i in range(count)]


def namespace(path: str, view: dict[str, str]) -> bool:
    """Whether *path* is a PEP 420 namespace package's directory in *view* (decision 83).

    A name importable as a package, no ``__init__`` module of its own but a module or a
    package inside, directly in site-packages or in another such directory.
    """
    parent, _, name = path.rpartition("/")
    inside = [d.removeprefix(path + "/") for d in view if d.startswith(path + "/")]
    if not name.isidentifier() or any(d.startswith("__init__.") for d in inside):
        return False
    python = any(d.endswith(".py") and "/" not in d for d in inside) or any(
        d.count("/") == 1 and d.split("/")[1].startswith("__init__.") for d in inside
    )
    return python and (parent == SP or namespace(parent, view))


def shared_above(path: str, wheels: list[PlannedWheel]) -> bool:
    """Whether a directory above *path* in site-packages holds paths of several wheels' RECORDs
    (a file each ships, or one both ship alike): only there does pip's uninstall need a
    directory made real (decision 131)."""
    parent = path.rpartition("/")[0]
    while parent != SP and parent.startswith(SP):
        prefix = parent.removeprefix(SP + "/") + "/"
        claimed = {
            w.record.name for w in wheels for f in w.record.files if f.path.startswith(prefix)
        }
        if len(claimed) > 1:
            return True
        parent = parent.rpartition("/")[0]
    return False


def expected_view(wheels: list[PlannedWheel]) -> dict[str, str]:
    """dest -> store source, as a copying install in ascending name order produces it."""
    view: dict[str, str] = {}
    for w in sorted(wheels, key=lambda w: w.record.name):
        for f in w.record.files:
            if f.path.startswith(w.record.dist_info):
                continue
            dest = f"{SP}/{f.path}"
            # a later file replaces an earlier directory at the same path, and vice versa
            for other in [d for d in view if d.startswith(dest + "/")]:
                del view[other]
            parts = dest.split("/")
            for i in range(1, len(parts)):
                view.pop("/".join(parts[:i]), None)
            view[dest] = f"{w.tree}/{f.path}"
    return view


def resolve(p: Plan) -> dict[str, str]:
    """Read the plan back: every site-packages file reachable and where it points."""
    dir_links = {a.dest: a.source for a in p.actions if isinstance(a, LinkDir)}
    out = {a.dest: a.source for a in p.actions if isinstance(a, LinkFile)}
    return {**out, **{"<dir>" + k: v for k, v in dir_links.items()}}


def reachable(p: Plan, dest: str) -> str | None:
    links = resolve(p)
    if dest in links:
        return links[dest]
    parts = dest.split("/")
    for i in range(len(parts) - 1, 0, -1):
        head = "/".join(parts[:i])
        if "<dir>" + head in links:
            return links["<dir>" + head] + "/" + "/".join(parts[i:])
    return None


@settings(max_examples=300, deadline=None)
@given(wheel_sets())
def test_plan_equals_a_copying_install(wheels: list[PlannedWheel]) -> None:
    p = plan(wheels, LAYOUT, Policy(collisions="ignore"))
    dests = [a.dest for a in p.actions]
    assert len(dests) == len(set(dests)), "two actions share a destination"
    assert all(not d.startswith("/") and ".." not in d.split("/") for d in dests)
    for dest, source in expected_view(wheels).items():
        assert reachable(p, dest) == source, dest


@settings(max_examples=200, deadline=None)
@given(wheel_sets(), st.randoms())
def test_plan_is_independent_of_input_order(wheels: list[PlannedWheel], rnd: random.Random) -> None:
    shuffled = list(wheels)
    rnd.shuffle(shuffled)
    assert plan(wheels, LAYOUT, Policy(collisions="ignore")) == plan(
        shuffled, LAYOUT, Policy(collisions="ignore")
    )


@settings(max_examples=200, deadline=None)
@given(wheel_sets())
def test_folds_are_maximal_and_native_paths_stay_real(wheels: list[PlannedWheel]) -> None:
    p = plan(wheels, LAYOUT, Policy(collisions="ignore"))
    view = expected_view(wheels)
    skeleton = LAYOUT.skeleton()
    for action in p.actions:
        if isinstance(action, LinkDir):
            below = [d for d in view if d.startswith(action.dest + "/")]
            assert not any(is_native(d) for d in below), "a fold hides a native library"
            assert len({view[d].split("/tree/")[0] for d in below}) == 1
            assert not namespace(action.dest, view), f"{action.dest}: others add to it"
        if isinstance(action, MakeDir) and action.dest not in skeleton:
            if action.dest.endswith(".dist-info"):
                continue
            below = [d for d in view if d.startswith(action.dest + "/")]
            owners = {view[d].split("/tree/")[0] for d in below}
            open_to_others = namespace(action.dest, view)  # (decision 83)
            exposed = shared_above(action.dest, wheels)  # for pip's uninstall (decision 131)
            assert (
                len(owners) > 1 or any(is_native(d) for d in below) or open_to_others or (exposed)
            ), f"{action.dest} could have been one link"


@settings(max_examples=100, deadline=None)
@given(wheel_sets())
def test_collision_reports_name_both_sides(wheels: list[PlannedWheel]) -> None:
    p = plan(wheels, LAYOUT, Policy(collisions="warn"))
    labels = {w.record.label for w in wheels}
    for collision in p.collisions:
        assert collision.winner in labels
        assert collision.losers
        assert set(collision.losers) <= labels
        assert collision.winner not in collision.losers
        assert max([collision.winner, *collision.losers]) == collision.winner


ENTRIES = st.sampled_from(
    [
        "$ORIGIN",
        "$ORIGIN/..",
        "$ORIGIN/../x.libs",
        "$ORIGIN/../../x.libs",
        "$ORIGIN/../sub",
        "$ORIGIN/../../ns/pkg",
        "$ORIGIN/../../../..",
        "$ORIGIN/a/../b",
    ]
)


@st.composite
def wheel_sets_with_origins(draw: st.DrawFn) -> list[PlannedWheel]:
    count = draw(st.integers(min_value=1, max_value=4))
    out = []
    for i in range(count):
        files = draw(WHEEL_FILES)
        origins = {p: tuple(draw(st.lists(ENTRIES, max_size=2))) for p in files if is_native(p)}
        out.append(wheel(NAMES[i], files, origins=origins))
    return out


def listing_in_plan(p: Plan, wheels: list[PlannedWheel], start: str, entry: str) -> dict[str, str]:
    """The files the loader finds in *entry* from directory *start* of the planned venv:
    ``..`` taken physically, so after a directory link it climbs the store tree."""
    dir_links = {a.dest: a.source for a in p.actions if isinstance(a, LinkDir)}
    where, path = "venv", ""
    for part in start.split("/"):  # walk down to the native file's directory
        path = f"{path}/{part}" if path else part
        if where == "venv" and path in dir_links:
            where, path = "store", dir_links[path]
    for part in entry.removeprefix("$ORIGIN").split("/"):
        if part in {"", "."}:
            continue
        if part == "..":
            path = path.rpartition("/")[0]
            continue
        path = f"{path}/{part}" if path else part
        if where == "venv" and path in dir_links:
            where, path = "store", dir_links[path]
    if where == "store":
        return {
            f"{w.tree}/{f.path}".rpartition("/")[2]: f"{w.tree}/{f.path}"
            for w in wheels
            for f in w.record.files
            if f"{w.tree}/{f.path}".rpartition("/")[0] == path
        }
    files = {a.dest: a.source for a in p.actions if isinstance(a, LinkFile)}
    return {d.rpartition("/")[2]: s for d, s in files.items() if d.rpartition("/")[0] == path}


@settings(max_examples=300, deadline=None)
@given(wheel_sets_with_origins())
def test_origin_search_finds_what_a_copy_finds(wheels: list[PlannedWheel]) -> None:
    """Every ``$ORIGIN`` entry of every native file lists the same files as in a copy."""
    p = plan(wheels, LAYOUT, Policy(collisions="ignore"))
    view = expected_view(wheels)
    for w in wheels:
        for search in w.record.origins or ():
            dest = f"{SP}/{search.path}"
            if view.get(dest) != f"{w.tree}/{search.path}":
                continue  # lost a collision: not in the venv
            start = dest.rpartition("/")[0]
            for entry in search.entries:
                if entry == "$ORIGIN/a/../b":  # the kernel needs a/ to exist: graft keeps it real
                    linked = {a.dest for a in p.actions if isinstance(a, LinkFile)}
                    assert dest in linked, (search.path, entry)
                    continue
                logical = posixpath.normpath(posixpath.join(start, entry.removeprefix("$ORIGIN/")))
                if entry == "$ORIGIN":
                    logical = start
                expected = {
                    d.rpartition("/")[2]: s
                    for d, s in view.items()
                    if d.rpartition("/")[0] == logical
                }
                got = listing_in_plan(p, wheels, start, entry)
                assert got == expected, (search.path, entry)
