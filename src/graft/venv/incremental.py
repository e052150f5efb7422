"""Incremental sync: change only what differs between the plan that built a venv and the new one.

A graft venv records which kept plan built it (``graft-plan`` in pyvenv.cfg: the plan's key
and where the venv really is). When the venv is still exactly as graft left it (its
``graft-tree``), was made for the same interpreter and store, and the new plan keeps the link
mode, the change is a pure diff of the two plans' flat forms (:mod:`graft.plan.diff`); if it
is small, only that is carried out (decision 34), staged, committed and rolled forward with
a journal (:mod:`graft.venv.journal`). Everything else (a large change, another link mode or
interpreter, a venv graft did not make or someone changed, no kept plan) is rebuilt whole.

The full path (:func:`update_or_rebuild`) and the change of a seen pin set
(``graft.cli.change``, which never builds a Plan) carry out changes with the same functions.
"""

from __future__ import annotations

import os

from graft.plan.diff import PlanDiff, diff, owned, worth_updating
from graft.plan.flat import compile_plan
from graft.store.paths import flat_file
from graft.venv import skeleton
from graft.venv.journal import recover, update, without_state
from graft.venv.kept_flat import read_kept
from graft.venv.staging import sweep_leftovers
from graft.venv.state import (
    STALE,
    kept_paths,
    options_of,
    parse_config,
    real_prefix,
    recorded_state,
    tree_walk,
    walk_digest,
    with_options,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Literal

    from graft.model.target import Target
    from graft.plan.flat import Flat
    from graft.plan.types import Plan
    from graft.venv.state import Options, Walk

    How = Literal["rebuilt", "updated"]
    #: How the venv was made the plan's, and why it was rebuilt whatever it installs (None:
    #: no such cause, or none asked: ``--reinstall``)
    Made = tuple[How, str | None]


def update_or_rebuild(
    plan: Plan,
    target: Target,
    store_root: str,
    inputs: str,
    *,
    plan_key: str | None,
    on_wait: Callable[[], None] | None = None,
    whole: bool = False,
    options: Options = (),
    again: frozenset[str] = frozenset(),
) -> Made:
    """Make the venv at ``plan.prefix`` the one *plan* builds: changed in place, or rebuilt.

    *plan_key* names the kept plan *plan* is (recorded, so that the next sync can diff
    against it). Under the venv lock, a change an earlier sync committed is finished first.
    *whole*: rebuilt, never changed in place (``--reinstall``). *again*: the store entries
    (sha256) whose files are taken out and put in again (``--reinstall-package``; decision
    393), the rest untouched. *options*: the venv tool's
    options asked for; a venv without one of them is rebuilt (decision 111). A rebuild says
    why when the venv itself asked for it (:func:`graft.venv.staleness.why_rebuilt`: read here,
    before the rebuild, and only when no walk of the venv showed it as graft left it).
    """
    from graft.venv.materialize import (  # noqa: PLC0415 - not for the change of a pin set
        rebuild,
        state_text,
        venv_lock,
    )
    from graft.venv.rebuild_checks import check_destination, check_parent  # noqa: PLC0415
    from graft.venv.staleness import why_rebuilt  # noqa: PLC0415
    from graft.venv.template import venv_template  # noqa: PLC0415

    prefix = plan.prefix
    check_parent(prefix)
    template = venv_template(target)
    with venv_lock(prefix, on_wait):
        recover(prefix)
        sweep_leftovers(*os.path.split(prefix))  # what killed syncs left, once finished
        previous = (
            None if whole else previous_flat(prefix, template, store_root, plan.link_mode, options)
        )
        if previous is not None:
            old, walked, kept = previous
            new = compile_plan(plan)
            entries = (os.path.join(store_root, "entries", sha) for sha in sorted(again))
            change = small_change(old, new, template, kept, owned(new, entries))
            if change is not None:
                state = state_text(store_root, inputs, plan, plan_key)
                update(prefix, plan.python, change, store_root, state, walked=walked)
                return "updated", None
        why = None if whole or previous is not None else why_rebuilt(prefix)
        users = check_destination(prefix)
        rebuild(plan, template, store_root, inputs, plan_key, users=users, options=options)
        return "rebuilt", why


def previous_flat(
    prefix: str, template: str, store_root: str, link_mode: str, options: Options = ()
) -> tuple[Flat, Walk, tuple[str, ...]] | None:
    """The flat form of the kept plan that built the venv at *prefix*, if it may be changed.

    Only a graft venv exactly as graft left it (``graft-tree``), at the path it was built at,
    against *store_root*, for the interpreter *template* is for, with nothing pending, not
    marked stale by ``graft store repair``, whose plan's flat form is still kept and has
    *link_mode*, with the venv tool's *options* asked for. The form is read for a diff
    (:func:`small_change`), which checks it where it differs from the new one. With it, the
    walk of the venv that showed it as graft left it (for :func:`graft.venv.journal.update`)
    and the paths of a user's files it keeps (:mod:`graft.venv.keep`).
    """
    if os.path.islink(prefix) or not os.path.isdir(prefix):
        return None
    state = recorded_state(prefix)
    key, _, where = state.get("graft-plan", "").partition(" ")
    if (
        not key
        or where != real_prefix(prefix)
        or state.get("graft-store") != store_root
        or "graft-pending" in state
        or state.get("graft-inputs") == STALE  # repaired entries: copies must be made again
    ):
        return None
    kept = kept_paths(state)
    walked = _as_made(prefix, template, state.get("graft-tree"), kept, options)
    if walked is None:
        return None
    old = read_kept(flat_file(store_root, key), store_root, checked=False)  # (by the diff)
    if old is None or old.link_mode != link_mode or old.rendered_only:
        return None
    return old, walked, kept


def small_change(
    old: Flat, new: Flat, template: str, kept: tuple[str, ...] = (), again: set[str] | None = None
) -> PlanDiff | None:
    """The change from *old* to *new* if it is worth making in place, else None (rebuild).

    Not one that would take out or put in a user's *kept* path, or above or below one: a
    rebuild keeps them, or says why it cannot (:mod:`graft.venv.keep`). *again*: destinations
    made anew even where the plans agree (:func:`graft.plan.diff.owned`).
    """
    directories, others = skeleton.contents(template)
    try:
        change = diff(old, new, directories, again or ())
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None  # *old*, read unchecked, is not a form a planner makes: rebuilt
    if worth_updating(change) and not _touches(change, others) and not _reaches(change, kept):
        return change
    return None


def _reaches(change: PlanDiff, kept: tuple[str, ...]) -> bool:
    """Whether *change* would take out or put in a user's *kept* path, or above or below one."""
    if not kept:  # (most venvs: then graft.venv.keep is not imported, decision 211)
        return False
    from graft.venv.keep import touched  # noqa: PLC0415

    return touched((*change.remove, *change.roots), kept)


def _touches(change: PlanDiff, skeleton_files: frozenset[str]) -> bool:
    """Whether *change* would take out or put in one of the venv's own files, or below one.

    A planner never names them; a kept plan is untrusted input, so such a plan is not diffed.
    """
    for dest in (*change.remove, *change.roots):
        parts = dest.split("/")
        if any("/".join(parts[:i]) in skeleton_files for i in range(1, len(parts) + 1)):
            return True
    return False


def _as_made(
    prefix: str, template: str, tree: str | None, kept: tuple[str, ...], wanted: Options
) -> Walk | None:
    """The venv's walk if it is for *template*'s interpreter, at its path, as graft left it.

    Its user's *kept* paths are left out of the walk, as they were when *tree* was hashed.
    Its pyvenv.cfg is the template's with the venv tool's options it has (kept, decision
    111), which are all those asked for (*wanted*).
    """
    try:
        with open(os.path.join(prefix, "pyvenv.cfg"), "rb") as fh:
            config = fh.read()
        own = options_of(parse_config(config.decode()))
        if with_options(own, wanted) != own:
            return None  # an option asked for that the venv lacks: rebuilt with it
        if without_state(config) != skeleton.expected_config(template, prefix, own):
            return None  # another interpreter, or a venv moved here
        walked = tree_walk(prefix, kept=kept)
    except (OSError, ValueError):
        return None
    return walked if tree == walk_digest(walked, tree) else None  # else changed: pip, a user


__all__ = [
    "previous_flat",
    "small_change",
    "update_or_rebuild",
]
