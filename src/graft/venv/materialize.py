"""The materializer: apply a Plan to the filesystem, atomically.

The venv is built in a hidden sibling directory (same parent, so relative links
are the same) and then swapped in with one ``renameat2(RENAME_EXCHANGE)``: an
observer sees either the old complete venv or the new complete one. Syncs into
one venv are serialised by a lock file beside it.
"""

from __future__ import annotations

import contextlib
import errno
import os

from graft import _interrupted
from graft.errors import MaterializeError
from graft.plan.flat import compile_plan
from graft.store import seal
from graft.venv import skeleton
from graft.venv.flat import apply_flat
from graft.venv.rebuild_checks import _reading, _users, check_destination, check_parent
from graft.venv.staging import (
    ASIDE,
    discarded_on_failure,
    staging_path,
    sweep_leftovers,
)
from graft.venv.state import (
    kept_line,
    real_prefix,
    state_lines,
    tree_digest,
    venv_options,
    with_options,
)
from graft.venv.template import venv_template

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from graft.model.target import Target
    from graft.plan.types import Plan
    from graft.venv.state import Options

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def state_text(store_root: str, inputs: str, plan: Plan, plan_key: str | None) -> str:
    """The ``graft-*`` lines of a venv's pyvenv.cfg, all but ``graft-tree`` (hashed last).

    See :func:`graft.venv.state.state_lines`.
    """
    stats = f"{len(plan.distributions)},{plan.links},{plan.directories},{plan.files_served}"
    where = None if plan_key is None else real_prefix(plan.prefix)
    return state_lines(store_root, inputs, stats, plan_key, where)


def _write_state(
    staging: str,
    store_root: str,
    inputs: str,
    plan: Plan,
    plan_key: str | None = None,
    *,
    kept: tuple[str, ...] = (),
) -> None:
    with open(os.path.join(staging, "pyvenv.cfg"), "a", encoding="utf-8") as fh:
        fh.write(state_text(store_root, inputs, plan, plan_key) + kept_line(kept))
    tree = tree_digest(staging, kept)  # pyvenv.cfg's name is listed, its content is not hashed
    with open(os.path.join(staging, "pyvenv.cfg"), "a", encoding="utf-8") as fh:
        fh.write(f"graft-tree = {tree}\n")


@contextlib.contextmanager
def venv_lock(prefix: str, on_wait: Callable[[], None] | None = None) -> Iterator[bool]:
    """Serialise syncs into one venv: a lock file beside it, removed after (waits as needed).

    A directory that takes no new file (``/proc``, an immutable one) is said of the venv,
    whose directory it is, not of the lock file graft could not make there (decision 343).
    """
    from graft._fs import flock  # noqa: PLC0415
    from graft.errors import LockFileError  # noqa: PLC0415

    parent, name = os.path.split(prefix)
    with contextlib.ExitStack() as stack:
        try:
            held = stack.enter_context(
                flock(os.path.join(parent, f".{name}.graft-lock"), on_wait, removed=True)
            )
        except LockFileError as exc:
            raise MaterializeError(
                f"cannot make the venv: its directory {parent} takes no new file ({exc.strerror})",
                where=prefix,
                hint="choose a directory you can write to",
            ) from None
        yield held


def _refuse_if_lost(old: str, new: str, prefix: str) -> None:
    """A one-line error if the venv *prefix* had, now at *old*, holds a user's file *new* lacks."""
    from graft.venv.keep import lost  # noqa: PLC0415
    from graft.venv.replaceable import describe  # noqa: PLC0415

    with _reading(prefix, "what the venv held"):  # (unread: the old venv stays)
        missing = lost(old, new, _users(old, prefix))
    if missing:
        raise MaterializeError(
            f"files were written into the venv while graft replaced it: {describe(missing)}",
            where=prefix,
            hint="run the sync again; nothing was changed",
        )


def materialize(
    plan: Plan,
    target: Target,
    store_root: str,
    inputs: str,
    on_wait: Callable[[], None] | None = None,
    *,
    options: Options = (),
) -> None:
    """Build the venv described by *plan* and swap it in place of ``plan.prefix``.

    *inputs* identifies what the plan was made from; it is recorded in pyvenv.cfg so
    that the next sync with the same inputs can see that nothing needs doing. *options*:
    the venv tool's options asked for (:func:`rebuild`).
    """
    prefix = plan.prefix
    check_parent(prefix)
    template = venv_template(target)
    with venv_lock(prefix, on_wait):
        users = check_destination(prefix)
        rebuild(plan, template, store_root, inputs, users=users, options=options)


def rebuild(
    plan: Plan,
    template: str,
    store_root: str,
    inputs: str,
    plan_key: str | None = None,
    *,
    users: tuple[str, ...] = (),
    options: Options = (),
) -> None:
    """Build the whole venv beside ``plan.prefix`` and swap it in (the venv lock held).

    *users*: a user's entries in the venv there now
    (:func:`graft.venv.rebuild_checks.check_destination`), kept. *options*: the venv tool's
    options asked for (``--system-site-packages``), set over
    those of the venv there now, which it keeps (decision 111).
    """
    prefix = plan.prefix
    parent, name = os.path.split(prefix)
    sweep_leftovers(parent, name)
    own = venv_options(prefix)
    options = with_options(own, options)
    staging = staging_path(parent, name)
    with discarded_on_failure(staging, prefix, "the previous venv, if any, is untouched"):
        os.mkdir(staging)  # (inside the block: a signal from here on removes it)
        skeleton.copy_template(template, staging, prefix, options)
        apply(plan, staging, store_root)
        _carry_configs(prefix, staging, plan, store_root)
        _carry_edited_skeleton(prefix, staging, template, own)
        kept = _keep(prefix, staging, users)
        _write_state(staging, store_root, inputs, plan, plan_key, kept=kept)
        _swap(staging, prefix)


def _carry_configs(prefix: str, staging: str, plan: Plan, store_root: str) -> None:
    """The configuration files the venv there now holds, rewritten or not (decision 90).

    Each only where the venv's copy was made from the same file of the store as the new one
    (the same wheel's), by the flat form of the plan that built it (decision 247).
    """
    from graft.plan.types import CopyFile, WriteRecord  # noqa: PLC0415

    records = {a.wheel: a.dest for a in plan.actions if isinstance(a, WriteRecord)}
    copies = [
        (a.dest, records[a.wheel], a.source)
        for a in plan.actions
        if isinstance(a, CopyFile) and a.wheel in records
    ]
    if copies and os.path.isdir(prefix):
        from graft.venv.keep import carry_configs  # noqa: PLC0415

        carry_configs(prefix, staging, copies, _copied_from(prefix, store_root))


def _copied_from(prefix: str, store_root: str) -> dict[str, str] | None:
    """``{destination: store file}`` of the copies the plan that built *prefix* made.

    From its kept flat form (``graft-plan`` in pyvenv.cfg); None where that is not at hand (a
    venv another store or tool made, a flat form of an older format).
    """
    from graft.store.paths import flat_file  # noqa: PLC0415
    from graft.venv.kept_flat import read_kept  # noqa: PLC0415
    from graft.venv.state import recorded_state  # noqa: PLC0415

    state = recorded_state(prefix)
    key = state.get("graft-plan", "").partition(" ")[0]
    if not key or state.get("graft-store") != store_root:
        return None
    flat = read_kept(flat_file(store_root, key), store_root)
    return None if flat is None else dict(flat.copies)


def _carry_edited_skeleton(prefix: str, staging: str, template: str, own: Options) -> None:
    """The activate scripts and .gitignore the venv there now holds, if its user edited them.

    Not those the template gives with the venv's *own* options (a prompt ``--prompt``
    changes): those are not edits.
    """
    if os.path.isdir(prefix):
        from graft.venv.keep import carry_edited_skeleton  # noqa: PLC0415

        def as_written(rel: str) -> tuple[bytes | None, ...]:
            # (and as graft wrote them before their prompt was quoted: decision 242)
            return tuple(
                skeleton.fresh(template, prefix, rel, own, quoted=q) for q in (True, False)
            )

        carry_edited_skeleton(prefix, staging, prefix, as_written)


def _keep(prefix: str, staging: str, users: tuple[str, ...]) -> tuple[str, ...]:
    if not users:
        return ()
    from graft.venv.keep import carry  # noqa: PLC0415

    return carry(prefix, staging, users, prefix)


def _swap(staging: str, prefix: str) -> None:
    if not os.path.lexists(prefix):
        os.rename(staging, prefix)
        _interrupted.changed(prefix)
        return
    # A user's files in the previous venv were linked into the new one; whatever was
    # written into it since is checked once it is out of the way, and it is put back if
    # that would be lost, or if the check is cut short (Ctrl-C: "nothing was changed").
    if _exchange(staging, prefix):
        try:
            _refuse_if_lost(staging, prefix, prefix)  # staging now holds the previous venv
        except BaseException:
            _exchange(staging, prefix)
            raise
        _interrupted.changed(prefix)
        seal.remove_tree(staging, sealed=False)
        return
    old = staging + ASIDE  # a kill before the second rename: the next sync puts it back
    os.rename(prefix, old)
    try:
        _refuse_if_lost(old, staging, prefix)
    except BaseException:
        os.rename(old, prefix)
        raise
    os.rename(staging, prefix)
    _interrupted.changed(prefix)
    seal.remove_tree(old, sealed=False)


def _exchange(a: str, b: str) -> bool:
    import ctypes  # noqa: PLC0415

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP}:
        return False
    raise OSError(err, os.strerror(err), b)


def apply(plan: Plan, root: str, store_root: str = "/") -> None:
    """Carry out every action of *plan* below *root* (links are relative to ``plan.prefix``).

    Through the plan's flat form (:mod:`graft.plan.flat`, :mod:`graft.venv.flat`), the one
    way graft writes a venv's files.
    """
    apply_flat(compile_plan(plan), root, plan.prefix, plan.python, store_root)
