"""The change between two plans of one venv: what an incremental sync takes out and puts in.

A plan is a sorted tuple of actions keyed by destination, and every destination lies either
in a real directory (``MakeDir``) of the plan or in the venv's skeleton; nothing of a plan lies
below a link. So two plans of one venv differ destination by destination:

- an action of the old plan that the new plan does not hold unchanged is **removed**, with
  whatever lies below it (a real directory takes its subtree with it);
- an action of the new plan that the old plan does not hold unchanged is **added**.

Only the top-most destinations on each side matter to the filesystem: a removed real
directory goes as one subtree, and an added one is built whole beside the venv (staged) and
moved in by one rename. The two sides line up: a removed destination strictly below an added
one, or the other way round, would need a real directory that both plans hold unchanged,
and then that directory is neither removed nor added (see :func:`diff`).

Directories the venv has without any plan (the skeleton that ``python -m venv`` makes:
``bin``, ``include``, ``lib/pythonX.Y/site-packages``) are never removed: a plan may name
them or not, and a venv built from scratch has them either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.plan.types import MakeDir

if TYPE_CHECKING:
    from collections.abc import Iterable

    from graft.plan.types import Action, Plan

#: An incremental update must touch at most this share of the new plan's actions; past it a
#: whole rebuild (template, every action, one swap) costs about as much and is simpler.
UPDATE_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """What turns a venv built from one plan into the venv of another."""

    remove: tuple[str, ...]  # top-most destinations to take out, each with its subtree, sorted
    add: tuple[Action, ...]  # the new plan's actions to carry out, in plan order
    roots: tuple[str, ...]  # top-most destinations of *add*: each built beside, moved in whole
    touched: int  # actions of either plan that differ (subtrees counted action by action)

    @property
    def empty(self) -> bool:
        """Whether the two plans build the same venv."""
        return not self.remove and not self.add


def diff(old: Plan, new: Plan, skeleton: Iterable[str] = ()) -> PlanDiff:
    """The change from the venv *old* built to the venv *new* builds (same prefix and python).

    *skeleton* lists the venv-relative directories the venv holds without any plan; they count
    as present in both plans. Every added action lies in one of the returned roots, and every
    old action that differs lies in one of the removed destinations.
    """
    before = {a.dest: a for a in old.actions}
    after = {a.dest: a for a in new.actions}
    for path in skeleton:
        before.setdefault(path, MakeDir(path))
        after.setdefault(path, MakeDir(path))
    gone = {dest for dest, action in before.items() if after.get(dest) != action}
    came = {dest for dest, action in after.items() if before.get(dest) != action}
    return PlanDiff(
        remove=tuple(sorted(_top_most(gone))),
        add=tuple(a for a in new.actions if a.dest in came),
        roots=tuple(sorted(_top_most(came))),
        touched=len(gone) + len(came),
    )


def worth_updating(change: PlanDiff, new: Plan) -> bool:
    """Whether changing the venv in place beats rebuilding it: the change is small enough."""
    return change.touched <= UPDATE_SHARE * max(len(new.actions), 1)


def _top_most(paths: set[str]) -> list[str]:
    """The paths of *paths* with no ancestor in *paths*."""
    out = []
    for path in paths:
        parent = path.rpartition("/")[0]
        while parent and parent not in paths:
            parent = parent.rpartition("/")[0]
        if not parent:
            out.append(path)
    return out


__all__ = ["UPDATE_SHARE", "PlanDiff", "diff", "worth_updating"]
