"""The ``$ORIGIN`` rule: which native files need every directory above them real.

The dynamic loader expands ``$ORIGIN`` to the directory of the path a library was
opened by, which is inside the venv, and the kernel then resolves ``..`` physically.
Below a folded directory (one link into a store entry) a ``..`` therefore climbs
through the store entry, not through the venv. That is harmless when the directory
finally reached holds, in the venv, exactly the files of the same wheel: numpy's
``$ORIGIN/../../numpy.libs`` finds the same bytes in numpy's entry. It is wrong when
other wheels add files there (torch's ``$ORIGIN/../../nvidia/cublas/lib``), when the
path climbs out of the directory the wheel was installed into, or when graft cannot
tell where the path goes (``$LIB``, ``..`` after a name, an unreadable ELF file).

Only such a native file keeps the directories on its path real, with the file itself
linked alone, so that ``$ORIGIN`` is a venv directory and ``..`` climbs the venv as in
a copy. Every other native file may sit inside a fold. Pure functions; no I/O.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from graft.model.record import OriginSearch

_TOKENS = ("$ORIGIN", "${ORIGIN}")


def reach(dest: str, entry: str, floor: str) -> str | None:
    """The directory *entry* names for a native file at *dest* (paths relative to the prefix).

    None unless *entry* starts with ``$ORIGIN``, uses no other token, climbs (``..``)
    only before it descends, never climbs above *floor*, and ends strictly below it.
    """
    token = next((t for t in _TOKENS if entry.startswith(t)), None)
    if token is None or "$" in entry[len(token) :]:
        return None
    parts = posixpath.dirname(dest).split("/") if "/" in dest else []
    floor_depth = len(floor.split("/")) if floor else 0
    descended = False
    for part in entry[len(token) :].split("/"):
        if part in {"", "."}:
            continue
        if part == "..":
            if descended or len(parts) <= floor_depth:
                return None
            parts.pop()
        else:
            descended = True
            parts.append(part)
    if len(parts) <= floor_depth:
        return None
    return "/".join(parts)


def needs_real_path(
    dest: str,
    floor: str,
    search: OriginSearch | None,
    only_this_wheel: Callable[[str], bool],
) -> bool:
    """Whether the native file at *dest* needs real directories above it.

    *floor* is the destination root of the file's mapping (site-packages, or a ``.data``
    category's directory); *search* its ``$ORIGIN`` entries (None when the file has none);
    *only_this_wheel(dir)* tells whether every file planned at or below ``dir`` comes from
    the file's own wheel through the same mapping.
    """
    if search is None:
        return False
    if not search.readable:
        return True
    for entry in search.entries:
        reached = reach(dest, entry, floor)
        if reached is None or not only_this_wheel(reached):
            return True
    return False


__all__ = ["needs_real_path", "reach"]
