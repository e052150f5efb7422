"""Incremental sync: change only what differs between the plan that built a venv and the new one.

A graft venv records which kept plan built it (``graft-plan`` in pyvenv.cfg: the plan's key
and where the venv really is). When the venv is still exactly as graft left it (its
``graft-tree``), was made for the same interpreter and store, and the new plan keeps the link
mode, the change is a pure diff of the two plans' flat forms (:mod:`graft.plan.diff`); if it
is small, only that is carried out, in four steps (decision 34):

1. **stage**: every added subtree is built beside the venv, in ``.<name>.graft-<random>``,
   the *i*-th at ``<staging>/<i>`` (decision 210: no parent directories of its own), with the
   journal (``journal.json``: what to take out, what to move in, the new state) and the
   pending pyvenv.cfg (the current one plus ``graft-pending = <staging name>``);
2. **commit**: one rename puts the pending pyvenv.cfg in place. Before it the venv is the old
   one, untouched, and the staging directory is a leftover like any other; after it the
   change is decided, and the venv says that it is incomplete;
3. **roll forward**: each removed destination is taken out (a real directory renamed into
   the staging directory, ``<staging>/trash-<j>``; a link or a file unlinked, decision 210),
   then each staged subtree is renamed into the venv. Every step can be repeated: one
   already done is skipped;
4. **finish**: pyvenv.cfg with the new state (its ``graft-tree`` hashed now) is renamed in
   place, then the staging directory is removed.

A kill after the commit leaves a venv that says ``graft-pending``: no sync takes it for
complete, and the next sync of it (any inputs) rolls the journal forward under the venv
lock before doing anything else. Everything else (a large change, another link mode or
interpreter, a venv graft did not make or someone changed, no kept plan) is rebuilt whole.

The full path (:func:`update_or_rebuild`) and the change of a seen pin set
(``graft.cli.change``, which never builds a Plan) carry out changes with the same functions.
"""

from __future__ import annotations

import os
import stat

from graft import _interrupted, _jsonc
from graft.plan.diff import PlanDiff, diff, owned, worth_updating
from graft.plan.flat import compile_plan
from graft.plan.kept_checks import checked_dest
from graft.store import seal
from graft.store.paths import flat_file
from graft.venv import skeleton
from graft.venv.flat import apply_flat
from graft.venv.kept_flat import read_kept
from graft.venv.staging import discarded_on_failure, staging_path, sweep_leftovers
from graft.venv.state import (
    STALE,
    kept_line,
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

JOURNAL = "journal.json"
#: 2: the *i*-th moved subtree staged at ``<staging>/<i>``, listed as ``staged`` (decision 210).
#: 1 (graft before it): staged at ``<staging>/tree/<path>``, listed as ``move``; still finished.
_FORMAT = 2
_NUMBERED = {1: False, 2: True}  # (by format: whether the moves are staged by number)


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
    walk of the venv that showed it as graft left it (for :func:`update`) and the paths of a
    user's files it keeps (:mod:`graft.venv.keep`).
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
        if _without_state(config) != skeleton.expected_config(template, prefix, own):
            return None  # another interpreter, or a venv moved here
        walked = tree_walk(prefix, kept=kept)
    except (OSError, ValueError):
        return None
    return walked if tree == walk_digest(walked) else None  # else changed: pip, a user


def update(
    prefix: str,
    python: str,
    change: PlanDiff,
    store_root: str,
    state: str,
    *,
    walked: Walk | None = None,
) -> None:
    """Carry out *change* on the venv at *prefix*; *state* is its new ``graft-*`` text.

    *python* is the venv's interpreter (launchers name it). The venv lock is held. Until the
    commit a failure leaves the venv untouched; after it, the next sync finishes the change.
    *walked*: the venv's walk before the change (:func:`previous_flat`), so that the new
    digest reads only the directories the change touched.
    """
    parent, name = os.path.split(prefix)
    staging = staging_path(parent, name)
    config = os.path.join(prefix, "pyvenv.cfg")
    with discarded_on_failure(staging, prefix, "the venv is untouched"):
        os.mkdir(staging)  # (inside the block: a signal from here on removes it)
        apply_flat(change.add, staging, prefix, python, store_root, staged=change.roots)
        journal = {
            "format": _FORMAT,
            "remove": list(change.remove),
            "staged": list(change.roots),  # (not "move": graft before format 2 refuses it)
            "state": state,
        }
        with open(os.path.join(staging, JOURNAL), "w", encoding="utf-8") as fh:
            fh.write(_jsonc.dumps(journal))
        with open(config, "rb") as fh:
            pending = fh.read()
        if not pending.endswith(b"\n"):
            pending += b"\n"
        marked = pending + f"graft-pending = {os.path.basename(staging)}\n".encode()
        _write_config(staging, config, marked)
        os.rename(os.path.join(staging, "pyvenv.cfg"), config)  # the commit
        _interrupted.changed(prefix, complete=False)
    _finish(prefix, staging, (list(change.roots), list(change.remove), state, True), walked)


def recover(prefix: str) -> None:
    """Finish the change a killed sync committed to the venv at *prefix* (venv lock held).

    Without its journal (removed by hand) nothing can be finished: the venv stays marked
    incomplete, and the sync rebuilds it.
    """
    pending = recorded_state(prefix).get("graft-pending")
    if pending is None:
        return
    parent, name = os.path.split(prefix)
    staging = os.path.join(parent, pending)
    if not pending.startswith(f".{name}.graft-") or "/" in pending:
        return
    journal = _read_journal(staging)
    if journal is not None:
        _finish(prefix, staging, journal)


#: What to move in, what to take out, the new state, and whether the moves are staged by
#: number (format 2) or at their paths below ``tree`` (format 1)
Journal = tuple[list[str], list[str], str, bool]


def _read_journal(staging: str) -> Journal | None:
    """The journal in *staging*, or None when it is gone or unreadable.

    Unreadable: not JSON of the expected shape, or naming a path outside the venv. Written
    before the commit and never changed after, it is so only if its bytes never reached the
    disk (a power cut: graft does not fsync a venv, as pip and uv do not) or someone edited
    it; the venv then stays marked incomplete and is rebuilt whole, as without a journal.
    """
    try:
        with open(os.path.join(staging, JOURNAL), encoding="utf-8") as fh:
            journal = _jsonc.loads(fh.read())
        numbered = _NUMBERED[journal["format"]]  # (another format: KeyError, rebuilt)
        moves = [checked_dest(dest) for dest in journal["staged" if numbered else "move"]]
        removes = [checked_dest(dest) for dest in journal["remove"]]
        state = journal["state"]
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):  # (UnicodeDecodeError is a ValueError)
        return None
    except OSError as exc:
        from graft.errors import MaterializeError  # noqa: PLC0415 - (decision 211)

        raise MaterializeError(
            f"cannot read the journal of an unfinished change ({exc.strerror})",
            where=staging,
            hint="check the permissions of the venv's parent directory",
        ) from None
    return (moves, removes, state, numbered) if isinstance(state, str) else None


def _finish(prefix: str, staging: str, journal: Journal, walked: Walk | None = None) -> None:
    """Roll *journal* (in *staging*) forward, record the new state, remove the staging.

    *walked*: the venv's walk before the change, if this process made it (else all is read).
    """
    moves, removes, new_state, numbered = journal
    staged = {
        dest: os.path.join(staging, str(i) if numbered else f"tree/{dest}")
        for i, dest in enumerate(moves)
    }
    try:
        for number, dest in enumerate(removes):
            if dest in staged and not os.path.lexists(staged[dest]):
                continue  # replaced already: what is there now is the new one
            _take_out(os.path.join(prefix, dest), os.path.join(staging, f"trash-{number}"))
        for dest, path in staged.items():
            if os.path.lexists(path):
                os.rename(path, os.path.join(prefix, dest))
        config = os.path.join(prefix, "pyvenv.cfg")
        kept = kept_paths(recorded_state(prefix))  # a user's files: the change kept clear
        with open(config, "rb") as fh:
            base = _without_state(fh.read())
        tree = walk_digest(tree_walk(prefix, walked, (*removes, *moves), kept))
        state = f"{new_state}{kept_line(kept)}graft-tree = {tree}\n"
        _write_config(staging, config, base + state.encode())
        os.rename(os.path.join(staging, "pyvenv.cfg"), config)
        _interrupted.changed(prefix)
    except OSError as exc:
        from graft.errors import MaterializeError  # noqa: PLC0415 - (decision 211)

        raise MaterializeError(
            f"cannot finish changing the venv ({getattr(exc, 'strerror', None) or exc})",
            where=prefix,
            hint="the venv is marked incomplete; the next `graft sync` of it finishes the change",
        ) from None
    seal.remove_tree(staging, sealed=False)


def _take_out(path: str, trash: str) -> None:
    """Take the removed *path* out of the venv, if it is still there.

    A real directory is renamed to *trash* (in the staging directory, removed with it): one
    step, so that a kill never leaves part of it in the venv. A link or a file is unlinked,
    which is one step too (decision 210: a rename into the staging directory and an unlink
    there cost the same removal and a rename more).
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return  # (taken out before a kill)
    if stat.S_ISDIR(st.st_mode):
        os.rename(path, trash)
    else:
        os.unlink(path)


def _write_config(staging: str, config: str, data: bytes) -> None:
    """Write *data* as ``<staging>/pyvenv.cfg``, with *config*'s permissions, ready to rename."""
    out = os.path.join(staging, "pyvenv.cfg")
    with open(out, "wb") as fh:
        fh.write(data)
    os.chmod(out, os.stat(config).st_mode & 0o7777)


def _without_state(config: bytes) -> bytes:
    """pyvenv.cfg less graft's own lines: what ``python -m venv`` wrote."""
    lines = config.splitlines(keepends=True)
    return b"".join(ln for ln in lines if not ln.partition(b"=")[0].strip().startswith(b"graft"))


__all__ = [
    "JOURNAL",
    "previous_flat",
    "recover",
    "small_change",
    "update",
    "update_or_rebuild",
]
