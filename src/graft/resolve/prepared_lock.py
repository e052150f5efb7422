"""``graft lock -r pyproject.toml`` of a project only its backend describes.

A ``pyproject.toml`` without ``[project]`` (``setup.py``, poetry-core 1), or whose
``dependencies`` (or the ``optional-dependencies`` of the extras asked) are ``dynamic``, says
its dependencies only through its backend's metadata hook (``Inputs.prepared``). A sync asks
the hook for its own target (:func:`graft.resolve.named_sources.prepared_requirements`); a
lock cannot evaluate the metadata's markers for one interpreter, since its environments are
what it is for. So a lock takes the project's directory as a root, with the extras asked
(:func:`as_roots`): it is read, not built, as any directory a lock names (its metadata as the
interpreter running graft gets it, decision 442), each environment resolves its Requires-Dist
with their markers and extras as it would a wheel's, and then the project is left out of every
environment, as ``--only-deps`` leaves a project out (:mod:`graft.resolve.left_out`), so the
lock holds its dependencies only, as ``uv pip compile --universal pyproject.toml`` writes them
(decision 468).
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

from graft.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.model.requirements import Inputs, Wanted
    from graft.resolve.surface import Surface


@dataclasses.dataclass(frozen=True)
class PreparedRoot:
    """One such project, asked as a root: its directory, its ``pyproject.toml``, the extras."""

    folder: str  # absolute, as the directory's root names its source
    path: str  # the pyproject.toml, for messages
    extras: tuple[str, ...]  # as asked; ``ALL_EXTRAS`` for --all-extras


def as_roots(inputs: Inputs) -> tuple[PreparedRoot, ...]:
    """Move each project of ``inputs.prepared`` into ``inputs.wanted`` as its directory.

    The extras asked are the root's (``--all-extras`` waits for the metadata: :func:`settle`).
    """
    if not inputs.prepared:
        return ()
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.sources.direct_refs import source_path  # noqa: PLC0415
    from graft.sources.pyproject import ALL_EXTRAS  # noqa: PLC0415

    roots = tuple(PreparedRoot(os.path.abspath(f), p, tuple(e)) for f, p, e in inputs.prepared)
    for root in roots:
        extras = frozenset(canonicalize_name(e) for e in root.extras if e != ALL_EXTRAS)
        inputs.wanted.append(source_path(root.folder, root.path, extras=extras))
    inputs.prepared.clear()  # (a root now: nothing is asked of a metadata hook per target)
    return roots


def settle(inputs: Inputs, roots: Sequence[PreparedRoot]) -> frozenset[str]:
    """The names of *roots* once read, their extras checked (``--all-extras`` expanded).

    An extra the metadata does not provide is refused in one line, as a sync refuses it.
    """
    if not roots:
        return frozenset()
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.sources.pyproject import ALL_EXTRAS  # noqa: PLC0415

    by_folder = {root.folder: root for root in roots}
    names: set[str] = set()
    for i, wanted in enumerate(inputs.wanted):
        root = by_folder.get(os.path.abspath(wanted.source or ""))
        if root is None or wanted.path is None:
            continue
        surface = _surface(wanted, root)
        names.add(str(surface.name))
        provided = frozenset(surface.provides_extra)
        asked = [canonicalize_name(e) for e in root.extras if e != ALL_EXTRAS]
        for extra in asked:
            if extra not in provided:
                known = ", ".join(surface.provides_extra) or "none"
                raise UsageError(
                    f"no extra {extra!r} in {surface.name} {surface.version}'s metadata"
                    f" (declared: {known})",
                    where=root.path,
                )
        if ALL_EXTRAS in root.extras:
            inputs.wanted[i] = dataclasses.replace(wanted, extras=wanted.extras | provided)
    return frozenset(names)


def _surface(wanted: Wanted, root: PreparedRoot) -> Surface:
    """The surface of the METADATA *wanted*'s read gave (its stand-in or built wheel)."""
    from graft.resolve.surface import read_surface  # noqa: PLC0415
    from graft.sources.localwheel import read_local_metadata  # noqa: PLC0415

    _, data = read_local_metadata(wanted.path or "", wanted.name)
    return read_surface(data, f"{root.path}: the metadata its backend prepared")


__all__ = ["PreparedRoot", "as_roots", "settle"]
