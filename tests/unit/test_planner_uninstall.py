"""``pip uninstall`` removes from a planned venv what it removes from a copy (decision 131).

pip's ``compress_for_rename`` (``pip._internal.req.req_uninstall``) removes a directory whole
when every file ``os.walk`` finds below it (links to directories listed, never entered) is a
path of the distribution it uninstalls, and it asks that of the directory holding each
RECORD path it may remove (one whose parent resolves inside the venv). Modelled here on the
plan's tree and on a copy of the same files; the files left must be the same.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hypothesis import given, settings

from graft.plan.planner import plan
from graft.plan.types import LinkDir, MakeDir, Plan, Policy, WriteRecord

from .records import LAYOUT, SP, wheel
from .test_planner_properties import wheel_sets

if TYPE_CHECKING:
    from collections.abc import Iterable

    from graft.plan.planned import PlannedWheel

SENTINEL = "pyvenv.cfg"  # what python -m venv wrote: pip never finds the prefix one wheel's


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


def _below(path: str, top: str) -> bool:
    return not top or path.startswith(f"{top}/")


@dataclass(frozen=True)
class Tree:
    """A venv as ``os.walk`` sees it: real directories, links to directories, other files."""

    real: frozenset[str]
    links: frozenset[str]
    files: frozenset[str]  # what the walk lists as files: regular files and links to files
    view: frozenset[str]  # every file a program reaches, links followed

    def walk_files(self, top: str) -> set[str]:
        return {f for f in self.files if _below(f, top) and _parent(f) in self.real}


def graft_tree(p: Plan, wheels: Iterable[PlannedWheel]) -> Tree:
    real = {""} | {a.dest for a in p.actions if isinstance(a, MakeDir)}
    links = {a.dest: a.source for a in p.actions if isinstance(a, LinkDir)}
    files = {a.dest for a in p.actions if not isinstance(a, (MakeDir, LinkDir))} | {SENTINEL}
    store = [f"{w.tree}/{f.path}" for w in wheels for f in w.record.files]
    view = set(files)
    for dest, source in links.items():
        view.update(dest + s[len(source) :] for s in store if s.startswith(f"{source}/"))
    return Tree(frozenset(real), frozenset(links), frozenset(files), frozenset(view))


def copy_tree(graft: Tree) -> Tree:
    """The same files copied: every directory real, nothing behind a link."""
    real = {""}
    for f in graft.view:
        parent = _parent(f)
        while parent not in real:
            real.add(parent)
            parent = _parent(parent)
    return Tree(frozenset(real), frozenset(), graft.view, graft.view)


def record_paths(p: Plan) -> dict[str, list[str]]:
    """Each wheel's RECORD paths, as venv destinations."""
    out: dict[str, list[str]] = {}
    for action in p.actions:
        if isinstance(action, WriteRecord):
            rows = [r.path for r in action.rows]
            out[action.wheel] = [posixpath.normpath(f"{SP}/{r}") for r in rows]
    return out


def pip_uninstall(tree: Tree, record: Iterable[str]) -> frozenset[str]:
    """The files left in *tree* after pip removes a distribution with this RECORD."""
    exists = tree.real | tree.links | tree.files
    paths = {p for p in record if p in exists and _parent(p) in tree.real}
    remaining = set(paths)
    wildcards: list[str] = []
    for root in sorted({_parent(p) for p in paths}, key=len):
        if any(_below(root, w) or root == w for w in wildcards):
            continue
        found = tree.walk_files(root)
        if not found - remaining:
            remaining -= found
            wildcards.append(root)
    gone = remaining | set(wildcards)
    return frozenset(f for f in tree.view if not any(f == g or _below(f, g) for g in gone))


@settings(max_examples=300, deadline=None)
@given(wheel_sets())
def test_pip_uninstall_leaves_what_it_leaves_in_a_copy(wheels: list[PlannedWheel]) -> None:
    p = plan(wheels, LAYOUT, Policy(collisions="ignore"))
    graft = graft_tree(p, wheels)
    copy = copy_tree(graft)
    owner = {a.dest: a.wheel for a in p.actions if isinstance(a, LinkDir)}
    for name, rows in record_paths(p).items():
        left = pip_uninstall(graft, rows)
        # a copy has no directory links, and its RECORD none of their rows
        expected = pip_uninstall(copy, [r for r in rows if r not in owner])
        # Known difference: a file this wheel lost to another behind that one's link is the
        # winner's, which pip does not reach in the venv and removes from a copy.
        kept = {r for r in rows if any(_below(r, d) and w != name for d, w in owner.items())}
        assert left - kept == expected - kept, (
            name,
            sorted(expected - left),
            sorted(left - expected - kept),
        )


def test_a_namespace_of_linked_portions_is_not_removed_whole() -> None:
    """The shape real sets have: ``ns/a`` and ``ns/b`` each one wheel's (``azure/mgmt``,
    ``share/jupyter/labextensions``): without the exposure pip removed ``ns/`` whole."""
    wheels = [
        wheel("aaa", {"ns/a/__init__.py": "a", "ns/a/sub/m.py": "a"}),
        wheel("bbb", {"ns/b/__init__.py": "b", "ns/b/sub/m.py": "b"}),
        wheel("ccc", {"ns/c/__init__.py": "c", "ns/c/sub/m.py": "c"}),
    ]
    p = plan(wheels, LAYOUT, Policy())
    graft = graft_tree(p, wheels)
    rows = record_paths(p)
    for name, record in rows.items():
        left = pip_uninstall(graft, record)
        others = {w.record.name for w in wheels} - {name.split("-")[0]}
        for other in others:
            assert f"{SP}/ns/{other[0]}/sub/m.py" in left, (name, other)
    # two portions are exposed (one level down), the third stays one link
    kinds = {a.dest.removeprefix(f"{SP}/"): a.kind for a in p.actions}
    assert [kinds[f"ns/{x}"] for x in "abc"] == ["mkdir", "mkdir", "link_dir"]
    assert kinds["ns/a/sub"] == kinds["ns/b/sub"] == "link_dir"


def test_a_directory_of_links_only_keeps_a_link_whose_files_two_wheels_share() -> None:
    """``b/a`` holds a file both wheels ship with the same bytes, and is bbb's link; ``b/b``
    is aaa's. ``b`` then holds two links and no file: ``pip uninstall bbb`` (RECORD ``b/a``)
    removed ``b`` whole, aaa's ``b/b`` with it, where a copy keeps it (found by the property
    test above under Python 3.10's draw: the link was counted as aaa's, the first sharer's)."""
    wheels = [
        wheel("aaa", {"b/a/n.py": "same", "b/b/a/__init__.py": "same"}),
        wheel("bbb", {"b/a/n.py": "same"}),
    ]
    p = plan(wheels, LAYOUT, Policy())
    kinds = {a.dest.removeprefix(f"{SP}/"): a.kind for a in p.actions}
    assert kinds["b"] == "mkdir"
    left = pip_uninstall(graft_tree(p, wheels), record_paths(p)["bbb-1.0-py3-none-any.whl"])
    assert f"{SP}/b/b/a/__init__.py" in left
    assert f"{SP}/b/a/n.py" not in left  # (bbb's link goes, as pip removes it from a copy)
