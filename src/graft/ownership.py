"""Who can write the store: its directory, every directory above it, and its own parts.

Everything graft links into a venv comes from the store, so anyone who can rename or
replace a directory on the way to it can put code into every venv. The rule is the
one ssh (``StrictModes``) and sudo apply to the files they trust:

- every directory from ``/`` down to the store (links resolved) is owned by the user
  running graft or by root, and is not writable by others, except for a sticky
  directory such as ``/tmp``, where others cannot rename or remove what they do not
  own: that is accepted when the next directory down is ours (or root's);
- the store's own parts (``entries/``, ``tmp/``, ``locks/``, ``roots/``, ``plans/``,
  ``verified/``)
  are real directories, never links, owned by the user or root, not writable by others.

Group write access is allowed (a store shared by a team's group is a deliberate choice).
The check costs a ``realpath`` and one ``lstat`` per directory, once per process and store.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from graft.errors import StoreError

#: The store's own directories, checked (and created) by :meth:`graft.store.Store.ensure`.
PARTS = ("entries", "tmp", "locks", "roots", "plans", "verified")
_checked: set[str] = set()


@dataclass(frozen=True, slots=True)
class DirectoryFacts:
    """What the rule needs to know about one directory (from ``lstat``)."""

    path: str
    mode: int  # st_mode
    uid: int  # st_uid


@dataclass(frozen=True, slots=True)
class Unsafe:
    """Why a directory cannot be trusted, and what to do about it."""

    path: str
    problem: str
    hint: str


def _trusted_owner(uid: int, me: int) -> bool:
    return uid in {me, 0}


def chain_problem(chain: list[DirectoryFacts], me: int) -> Unsafe | None:
    """The first directory of *chain* (``/`` first, the store last) that others could change.

    Pure: the caller gathers the facts with ``lstat``.
    """
    for i, facts in enumerate(chain):
        if not stat.S_ISDIR(facts.mode):
            return Unsafe(facts.path, "is not a directory", "pass --store DIR")
        if not _trusted_owner(facts.uid, me):
            return Unsafe(
                facts.path,
                f"is owned by another user (uid {facts.uid}), who could replace the store",
                "pass --store DIR, a directory of your own (or chown it, if it is yours)",
            )
        if not facts.mode & stat.S_IWOTH:
            continue
        below = chain[i + 1] if i + 1 < len(chain) else None
        if facts.mode & stat.S_ISVTX and below is not None and _trusted_owner(below.uid, me):
            continue  # /tmp: others cannot rename or remove what is ours below it
        return Unsafe(
            facts.path,
            "is writable by other users, who could replace the store",
            f"run `chmod o-w {facts.path}`, or pass --store DIR somewhere only you can write",
        )
    return None


def part_problem(facts: DirectoryFacts, me: int) -> Unsafe | None:
    """Why one of the store's own directories (``entries/``, ``tmp/``, ...) is not trusted."""
    if stat.S_ISLNK(facts.mode) or not stat.S_ISDIR(facts.mode):
        what = "a symbolic link" if stat.S_ISLNK(facts.mode) else "not a directory"
        return Unsafe(
            facts.path,
            f"is {what}; graft never follows one inside the store",
            "move it away (graft makes the directory again) and run `graft store verify`",
        )
    if not _trusted_owner(facts.uid, me):
        return Unsafe(
            facts.path,
            f"is owned by another user (uid {facts.uid})",
            "pass --store DIR, a store of your own (or chown -R it, if it is yours)",
        )
    if facts.mode & stat.S_IWOTH:
        return Unsafe(
            facts.path,
            "is writable by other users",
            f"run `chmod o-w {facts.path}`",
        )
    return None


def _facts(path: str) -> DirectoryFacts | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return DirectoryFacts(path, st.st_mode, st.st_uid)


def _chain(real: str) -> list[DirectoryFacts]:
    """``/``, then each directory down to *real* (a resolved path), as far as they exist."""
    paths = ["/"]
    for part in real.strip("/").split("/"):
        if part:
            paths.append(os.path.join(paths[-1], part))
    out = []
    for path in paths:
        facts = _facts(path)
        if facts is None:
            break
        out.append(facts)
    return out


def check_store(root: str) -> None:
    """Refuse, in one line, a store that anyone but the user (or root) could change.

    Missing parts are not an error (the caller creates them, or there is nothing to read).
    Checked once per process for each store.
    """
    if root in _checked:
        return
    me = os.geteuid()
    found = chain_problem(_chain(os.path.realpath(root)), me)
    if found is None:
        for part in PARTS:
            facts = _facts(os.path.join(root, part))
            found = None if facts is None else part_problem(facts, me)
            if found is not None:
                break
    if found is not None:
        raise StoreError(found.problem, where=found.path, hint=found.hint)
    _checked.add(root)


__all__ = ["PARTS", "DirectoryFacts", "Unsafe", "chain_problem", "check_store", "part_problem"]
