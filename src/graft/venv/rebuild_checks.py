"""What a rebuild of a venv checks before it writes: its parent, what stands at its path.

The parent directory is made if missing (:func:`check_parent`); anything but an empty
directory or a venv is refused, and a venv's user files are found, to be kept
(:func:`check_destination`); the same refusals found without writing, for the dry run
(:func:`would_rebuild`, decision 161). The swap itself is :mod:`graft.venv.materialize`'s.
"""

from __future__ import annotations

import contextlib
import errno
import os

from graft.errors import MaterializeError, path_of
from graft.plan.flat import compile_plan
from graft.venv.staging import put_back_aside

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from graft.plan.types import Plan


def check_parent(prefix: str) -> None:
    """The venv's parent directory, made if missing (its lock and staging live there).

    As ``python -m venv`` and ``uv venv`` make it; only when a venv is about to be built.
    """
    parent = os.path.dirname(prefix)
    if os.path.isdir(parent):
        return
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as exc:
        raise _no_parent(prefix, exc.strerror or str(exc)) from None


def _no_parent(prefix: str, why: str) -> MaterializeError:
    return MaterializeError(
        f"cannot create the parent directory ({why})",
        where=prefix,
        hint="check the path: a file may stand where a directory is needed",
    )


def _parent_blocked(prefix: str) -> int | None:
    """The errno :func:`check_parent`'s ``makedirs`` would fail with (None: it would not).

    Read only: ``makedirs`` climbs while a directory above does not exist (links followed),
    then makes the first missing one: which fails where something else stands there, or
    where what stands above it is not a directory.
    """
    path = os.path.dirname(prefix)
    if os.path.isdir(path):
        return None
    head = os.path.dirname(path)
    while head != path and not os.path.exists(head):
        path, head = head, os.path.dirname(head)
    if os.path.lexists(path):
        return errno.EEXIST
    if not os.path.isdir(head):
        return errno.ENOTDIR
    return None


def check_destination(prefix: str) -> tuple[str, ...]:
    """Refuse to replace anything but an empty directory or a venv; a user's files in it.

    Replacing a venv loses nothing: what in it is neither graft's, a venv tool's nor an
    installed distribution's (:mod:`graft.venv.replaceable`) is a user's, and is returned,
    to be kept in the new venv (:mod:`graft.venv.keep`). Called under the venv lock, so that
    no other sync changes it meanwhile.
    """
    check_parent(prefix)
    put_back_aside(*os.path.split(prefix))
    return _replaceable(prefix)


def _replaceable(prefix: str) -> tuple[str, ...]:
    """:func:`check_destination` once the parent is there: read only."""
    if not os.path.lexists(prefix):
        return ()
    if os.path.islink(prefix):  # (one to a directory was followed: graft.venv.state.followed)
        raise MaterializeError(
            f"is a symbolic link to {os.readlink(prefix)}, which is not a directory",
            where=prefix,
            hint="make the venv where it leads, or give another path",
        )
    if not os.path.isdir(prefix):
        raise MaterializeError(
            "exists and is not a directory", where=prefix, hint="choose another path"
        )
    if not os.listdir(prefix):
        return ()
    if not os.path.isfile(os.path.join(prefix, "pyvenv.cfg")):
        raise MaterializeError(
            "exists and is not a virtual environment (no pyvenv.cfg)",
            where=prefix,
            hint="choose another path or remove it",
        )
    return _users(prefix, prefix)


def would_rebuild(prefix: str, plan: Plan | None) -> tuple[str, ...]:
    """What rebuilding the venv at *prefix* would refuse (its MaterializeError), without writing.

    The refusals of :func:`check_destination` and of keeping a user's files
    (:func:`graft.venv.keep.would_carry`): into the venv *plan* would build, or, without a
    plan, only those that need none (too many files, one that is neither a file, a directory
    nor a link). Returns the paths the user's files would be kept at. For ``graft sync
    --dry-run``; a venv that a killed swap set aside is looked at where it is not put back.
    """
    blocked = _parent_blocked(prefix)
    if blocked is not None:
        raise _no_parent(prefix, os.strerror(blocked))
    users = _replaceable(prefix)
    if not users:
        return ()
    from graft.venv.keep import would_carry  # noqa: PLC0415

    new: dict[str, str] = {}
    if plan is not None:
        flat = compile_plan(plan)
        link = "link" if flat.link_mode == "symlink" else "file"
        new.update((d, "dir") for d in flat.dirs)
        new.update((d, "link") for d, _ in flat.dir_links)
        new.update((d, link) for d, _ in flat.file_links)
        files = (flat.copies, flat.files, flat.launchers, flat.scripts, flat.records)
        new.update((item[0], "file") for made in files for item in made)
    with _reading(prefix, "what the venv holds"):
        return would_carry(prefix, users, prefix, new)


@contextlib.contextmanager
def _reading(prefix: str, what: str) -> Iterator[None]:
    """An OSError while reading the venv *prefix* (*what* it holds or held): one line."""
    try:
        yield
    except OSError as exc:
        raise MaterializeError(
            f"cannot read {what} ({exc.strerror or exc})",
            where=path_of(exc, prefix),
            hint="graft replaces a venv only after checking that nothing in it would be lost",
        ) from None


def _users(path: str, prefix: str) -> tuple[str, ...]:
    """A user's entries in the venv now at *path* (of *prefix*): a one-line error if unreadable."""
    from graft.venv.replaceable import users  # noqa: PLC0415

    with _reading(prefix, "what the venv holds"):
        return tuple(users(path))
