"""An in-place change of a venv carried out with a journal: staged, committed, rolled forward.

:mod:`graft.venv.incremental` decides that a venv may be changed in place (decision 34); the
change (a :class:`~graft.plan.diff.PlanDiff`) is carried out here in four steps:

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
lock (:func:`recover`) before doing anything else.
"""

from __future__ import annotations

import os
import stat

from graft import _interrupted, _jsonc
from graft.plan.kept_checks import checked_dest
from graft.store import seal
from graft.venv.flat import apply_flat
from graft.venv.staging import discarded_on_failure, staging_path
from graft.venv.state import kept_line, kept_paths, recorded_state, tree_walk, walk_digest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from graft.plan.diff import PlanDiff
    from graft.venv.state import Walk

JOURNAL = "journal.json"
#: 2: the *i*-th moved subtree staged at ``<staging>/<i>``, listed as ``staged`` (decision 210).
#: 1 (graft before it): staged at ``<staging>/tree/<path>``, listed as ``move``; still finished.
_FORMAT = 2
_NUMBERED = {1: False, 2: True}  # (by format: whether the moves are staged by number)


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
    *walked*: the venv's walk before the change
    (:func:`graft.venv.incremental.previous_flat`), so that the new
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
            base = without_state(fh.read())
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


def without_state(config: bytes) -> bytes:
    """pyvenv.cfg less graft's own lines: what ``python -m venv`` wrote."""
    lines = config.splitlines(keepends=True)
    return b"".join(ln for ln in lines if not ln.partition(b"=")[0].strip().startswith(b"graft"))


__all__ = [
    "JOURNAL",
    "recover",
    "update",
    "without_state",
]
