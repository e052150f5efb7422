"""The files ``-r`` takes that are no requirements file: a PEP 751 lock, a PEP 723 script.

A ``pylock.toml`` given with ``-r`` is installed as it is (:mod:`graft.sources.pylock`); a
``.py`` file is a script whose inline metadata names its dependencies, as uv reads it
(:mod:`graft.sources.script`, decision 432). Neither is a constraints file (``-c``): each is
refused so, as uv refuses it. Imported by :mod:`graft.sources.reqfile` only for such a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.errors import UsageError

if TYPE_CHECKING:
    from graft.model.requirements import Inputs


def add_lock(path: str, inputs: Inputs, *, constraints: bool) -> None:
    """A PEP 751 lock given with ``-r``; with ``-c`` (*constraints*) it is refused, as uv does."""
    from graft.sources.pylock import check_lock_name  # noqa: PLC0415

    check_lock_name(path, "-c" if constraints else "-r")
    if constraints:  # (a lock pins every package it lists; it limits nothing)
        raise UsageError(
            "a PEP 751 lock is not a constraints file",
            where=f"-c {path}",
            hint=f"give constraints in requirements.txt form, or install the lock: -r {path}",
        )
    inputs.pylocks.append(path)


def add_script(path: str, inputs: Inputs, *, constraints: bool, named_at: str | None) -> None:
    """A PEP 723 script given with ``-r``: its block's dependencies; with ``-c``, refused."""
    from graft.sources.script import read_script  # noqa: PLC0415

    if constraints:  # (uv reads it as a requirements file and fails on its code)
        raise UsageError(
            "a script's inline metadata is not a constraints file",
            where=named_at or f"-c {path}",
            hint=f"install its dependencies with -r {path}; give constraints in a .txt file",
        )
    try:
        read_script(path, inputs)
    except UsageError as exc:
        if named_at is None or not exc.what.startswith("cannot read"):
            raise
        from graft.sources.reqfile_refusals import shown  # noqa: PLC0415

        raise UsageError(
            f"cannot read script {shown(path)}" + exc.what.removeprefix("cannot read script"),
            where=named_at,
            hint="a nested -r or -c path is read relative to the file that names it",
        ) from None


__all__ = ["add_lock", "add_script"]
