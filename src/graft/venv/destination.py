"""Whether a venv can be made at a path: what the path alone tells, before anything is fetched.

A sync finds out that its venv cannot be made when it makes the venv's lock and staging
beside it, after resolving and downloading; and the error then named the lock file
(``/proc/.x.graft-lock``), not the venv. What a look at the path tells is refused first, in
one line naming the venv (decision 343): a link loop or a file on its path, a name longer
than the filesystem allows (with the room graft's names beside the venv take), a directory
that is read only. What only writing tells (``/proc``, an immutable directory as root) is
told by an attempt, for a sync (decision 358): an empty directory made where the sync makes
its lock and staging, and removed at once. A dry run makes none: the sync's own lock then
says it of the venv (:func:`graft.venv.materialize.venv_lock`).
"""

from __future__ import annotations

import errno
import os

from graft.errors import MaterializeError

#: the bytes graft's names beside a venv add to its name: ``.NAME.graft-<12 hex>-old``
#: (staging set aside by a swap), the longest of them (:mod:`graft.venv.staging`)
BESIDE = len(".") + len(".graft-") + 12 + len("-old")
_NAME_MAX = 255  # (where the filesystem does not say)

_ON_PATH = {
    errno.ELOOP: ("a symbolic link on its path leads round in a loop", "fix the link"),
    errno.ENOTDIR: (
        "a file stands on its path where a directory is needed",
        "check the path, or choose another",
    ),
    errno.EACCES: ("a directory on its path cannot be searched", "choose a path you can reach"),
    errno.ENAMETOOLONG: (
        "a name on its path is longer than the filesystem allows",
        "choose shorter names",
    ),
}


def refuse_unmakeable(venv: str, *, attempt: bool = False) -> None:
    """Raise a one-line :class:`MaterializeError` naming *venv* where its path shows it cannot be.

    Its parent directories are made as ``python -m venv`` makes them; the nearest one there
    must be writable, and every name to make must fit the filesystem's limit, the venv's
    with the room of the names graft keeps beside it. *attempt*: that directory must also
    take a new entry when one is made there (:func:`_takes_new_entries`).
    """
    linked = os.path.islink(venv) and os.path.isdir(venv)  # (that directory: decision 112)
    prefix = os.path.realpath(venv) if linked else os.path.abspath(venv)
    parent, name = os.path.split(prefix)
    existing, missing = _nearest(venv, parent)
    limit = _name_max(existing)
    for part in missing:
        if len(os.fsencode(part)) > limit:
            raise MaterializeError(
                f"a name on its path is {len(os.fsencode(part))} bytes, longer than the"
                f" filesystem allows ({limit})",
                where=venv,
                hint="choose shorter names",
            )
    if len(os.fsencode(name)) + BESIDE > limit:
        raise MaterializeError(
            f"its name is {len(os.fsencode(name))} bytes; graft names its lock and staging"
            f" beside the venv after it (.NAME.graft-...), which the filesystem allows only"
            f" up to {limit} bytes",
            where=venv,
            hint=f"choose a name of at most {limit - BESIDE} bytes",
        )
    if not _writable(existing):
        raise MaterializeError(
            f"cannot make the venv: its directory {existing} cannot be written",
            where=venv,
            hint="choose a directory you can write to",
        )
    why = _takes_new_entries(existing) if attempt else None
    if why is not None:  # (the line venv_lock says after the download: decision 343)
        raise MaterializeError(
            f"cannot make the venv: its directory {existing} takes no new file ({why})",
            where=venv,
            hint="choose a directory you can write to",
        )


def _takes_new_entries(directory: str) -> str | None:
    """Why *directory* takes no new entry, told by making one; None where it does.

    ``/proc`` and ``/sys`` (as root), an immutable directory (``chattr +i``), some FUSE
    mounts: ``os.access`` and the mount's flags say yes, and only an attempt says no. An
    empty directory named as graft's staging beside a venv (``.graft-<12 hex>``), removed at
    once: what the sync makes there next, its lock and staging, fails alike.
    """
    probe = os.path.join(directory, f".graft-{os.urandom(6).hex()}")
    try:
        os.mkdir(probe, 0o700)
    except FileExistsError:
        return None  # (someone else's: the directory takes new entries)
    except OSError as exc:
        return exc.strerror or str(exc)
    try:  # noqa: SIM105 - not contextlib (decision 185)
        os.rmdir(probe)
    except OSError:
        pass  # (made, so the directory takes new entries; an empty directory left)
    return None


def _nearest(venv: str, parent: str) -> tuple[str, list[str]]:
    """The nearest directory of *parent* or above that exists, and the names below it to make."""
    missing: list[str] = []
    path = parent
    while True:
        try:
            os.stat(path)
        except FileNotFoundError:
            head, tail = os.path.split(path)
            if head == path:
                break
            missing.insert(0, tail)
            path = head
            continue
        except OSError as exc:
            what, hint = _ON_PATH.get(
                exc.errno or 0, (f"its path cannot be read ({exc.strerror})", "check the path")
            )
            raise MaterializeError(what, where=venv, hint=hint) from None
        if not os.path.isdir(path):
            what, hint = _ON_PATH[errno.ENOTDIR]
            raise MaterializeError(what, where=venv, hint=hint)
        break
    return path, missing


def _name_max(directory: str) -> int:
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        return _NAME_MAX


def _writable(directory: str) -> bool:
    """Whether new entries may be made in *directory*: its mode for us, and a writable mount."""
    if not os.access(directory, os.W_OK | os.X_OK):
        return False
    try:
        return not os.statvfs(directory).f_flag & os.ST_RDONLY
    except OSError:
        return True  # (the attempt will tell)
