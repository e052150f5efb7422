"""pip 26.3's spellings of a lock's selection: ``-r 'pylock.toml[x]'``, ``--group pylock.toml:g``.

pip 26.3 reads ``-r FILE[extras]`` as FILE's extras where FILE is named as a PEP 751 lock, and
``--group FILE:NAME`` as that lock's dependency group; a lock named by both is one lock, with
its default groups and the named ones. A lock named by ``--group`` alone gives only the groups
named (``pip._internal.cli.req_command._collect_requirement_sources``). uv 0.13.9 reads
neither (``File not found: pylock.toml[x]``; ``The `--group` path is required to end in
`pyproject.toml```); graft reads both as pip does (decision 498). Imported by
:mod:`graft.resolve.inputs` only when a ``-r`` file or a ``--group`` is spelt so.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, NamedTuple

from graft.sources.pylock import check_lock_name, is_pylock

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.model.requirements import Inputs


class LockPick(NamedTuple):
    """What pip 26.3's spellings select of one lock (``Inputs.pylock_picks``' values).

    *extras*: ``-r 'pylock.toml[a,b]'``'s; *groups*: ``--group pylock.toml:NAME``'s; *named*:
    whether a ``-r`` names the lock too (its default groups then come as well, as pip's).
    """

    extras: tuple[str, ...]
    groups: tuple[str, ...]
    named: bool


#: pip's ``strip_extras``: a trailing ``[...]`` (its text without brackets)
_EXTRAS = re.compile(r"^(.+)\[([^\]]+)\]$")


def spelt(files: Sequence[str], groups: Sequence[str]) -> bool:
    """Whether any ``-r`` file or ``--group`` is spelt as pip 26.3 spells a lock's selection."""
    return any(lock_extras(f) for f in files) or any(lock_group(g) for g in groups)


def lock_extras(text: str) -> tuple[str, tuple[str, ...]] | None:
    """``pylock.toml[a, b]`` → (``pylock.toml``, (``a``, ``b``)); None for any other ``-r``."""
    m = _EXTRAS.match(text)
    if m is None or not is_pylock(m.group(1).rstrip()):
        return None
    extras = tuple(e.strip() for e in m.group(2).split(","))
    if not all(extras):
        from graft.errors import UsageError  # noqa: PLC0415

        raise UsageError(
            "an empty extra in a lock's [extras]",
            where=f"-r {text}",
            hint="write the lock's extras as pip does: -r 'pylock.toml[a,b]'",
        )
    return m.group(1).rstrip(), extras


def lock_group(text: str) -> tuple[str, str] | None:
    """``path/pylock.toml:dev`` → (``path/pylock.toml``, ``dev``); None for a pyproject's group."""
    path, colon, name = text.rpartition(":")
    if not colon or not path or not is_pylock(path):
        return None
    if not name:
        from graft.errors import UsageError  # noqa: PLC0415

        raise UsageError(
            "no group named after the lock's path",
            where=f"--group {text}",
            hint=f"name one of the lock's dependency groups: --group {path}:NAME",
        )
    return path, name


def take(
    files: Sequence[str], groups: Sequence[str], inputs: Inputs
) -> tuple[list[str], list[str]]:
    """The ``-r`` files and ``--group``s left once pip's spellings of a lock are taken.

    A ``-r 'LOCK[x]'`` becomes ``-r LOCK`` with its extras kept in ``inputs.pylock_picks``; a
    ``--group LOCK:NAME`` keeps its group there, and its lock, unless a ``-r`` names it too,
    is added to ``inputs.pylocks``.
    """
    left_files: list[str] = []
    extras: dict[str, tuple[str, ...]] = {}
    named = {os.path.abspath(path) for path in inputs.pylocks}  # (a lock named as an argument)
    for text in files:
        split = lock_extras(text)
        path = text if split is None else split[0]
        if split is not None:
            check_lock_name(path, "-r")
            key = os.path.abspath(path)
            extras[key] = tuple(dict.fromkeys((*extras.get(key, ()), *split[1])))
        if is_pylock(path):
            named.add(os.path.abspath(path))
        left_files.append(path)
    left_groups: list[str] = []
    picked: dict[str, tuple[str, ...]] = {}
    for text in groups:
        split_group = lock_group(text)
        if split_group is None:
            left_groups.append(text)
            continue
        path, name = split_group
        check_lock_name(path, "--group")
        key = os.path.abspath(path)
        if key not in named and key not in picked:
            inputs.pylocks.append(path)
        picked[key] = (*picked.get(key, ()), name)
    for key in dict.fromkeys((*extras, *picked)):
        inputs.pylock_picks[key] = LockPick(
            extras=extras.get(key, ()), groups=picked.get(key, ()), named=key in named
        )
    return left_files, left_groups


def selection(
    lock: str, extras: Sequence[str], groups: Sequence[str], inputs: Inputs
) -> tuple[tuple[str, ...], tuple[str, ...] | None, bool]:
    """The extras, groups (None: the lock's default groups) and whether to add the defaults.

    *extras* and *groups* are the command line's ``--extra`` and ``--group NAME``, which apply
    to every lock; pip's spellings add to them for their one lock.
    """
    found = inputs.pylock_picks.get(os.path.abspath(lock))
    if found is None:
        return tuple(extras), tuple(groups) or None, False
    pick = LockPick(*found)
    chosen = (*groups, *pick.groups)
    return (*extras, *pick.extras), chosen or None, bool(pick.groups) and pick.named


__all__ = ["LockPick", "lock_extras", "lock_group", "selection", "spelt", "take"]
