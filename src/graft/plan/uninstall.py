"""Directories kept real so that ``pip uninstall`` removes from a fold what it would from a copy.

pip (``compress_for_rename`` in ``pip._internal.req.req_uninstall``, every release since
10) removes a directory whole when every file ``os.walk`` finds below it is a path of the
distribution it uninstalls; it asks that of the directory holding each path of that
distribution's RECORD. ``os.walk`` lists a link to a directory without entering it. In a copy,
a directory other wheels also fill holds their files, and pip removes the distribution's own
alone. In a link farm those files may all lie behind other wheels' directory links: pip then
finds only the distribution's own files, or none, and removes the directory with every
other wheel's links in it (``pip uninstall ns-a`` took ``ns/b``; uninstalling one JupyterLab
extension took every other one from ``share/jupyter/labextensions``; ``pip install -U``
uninstalls first).

So in each real directory holding a RECORD path of wheel X, a file X does not claim must be
found without entering a link wherever a copy has one below it. Where none is, the shallowest
such file below is *exposed*: every directory down to it is made real (its other entries linked
one level down, its ``__pycache__`` real as under any real directory). Where a copy too has
only X's files below, nothing is done: pip removes that directory from a copy as well. Two
exposures suffice for a directory of any number of portions (each is another wheel's file for
every other wheel). Pure; no I/O.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection

    from graft.plan.mapping import Claims, Leaf


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


class _Owners:
    """Which wheels claim a destination (its RECORD lists it: winner, loser, or sharer)."""

    def __init__(self, claims: Claims) -> None:
        self._claims = claims.leaves
        self._known: dict[str, frozenset[int]] = {}

    def __call__(self, dest: str) -> frozenset[int]:
        found = self._known.get(dest)
        if found is None:
            found = frozenset(leaf.mapping.wheel for leaf in self._claims[dest])
            self._known[dest] = found
        return found


def expose(
    real: set[str],
    directories: Collection[str],
    winners: dict[str, Leaf],
    claims: Claims,
) -> None:
    """Add to *real* the directories pip's uninstall needs (see the module's docstring).

    *real* holds the fold's real directories (a directory's ancestors are real with it),
    *directories* every directory a winning file lies below.
    """
    order = sorted(winners)
    owners = _Owners(claims)
    while _one_round(real, directories, order, owners, winners):
        pass  # directories made real may need their own exposure: until nothing changes


def _one_round(
    real: set[str],
    directories: Collection[str],
    order: list[str],
    owners: _Owners,
    winners: dict[str, Leaf],
) -> bool:
    shown: dict[str, frozenset[int] | None] = {}  # real dir: ∩ owners of the files pip sees
    rows: dict[str, set[int]] = {}  # real dir: wheels with a RECORD path directly inside
    for dest in order:
        parent = _parent(dest)
        if parent in real:
            claimed = owners(dest)
            seen = shown.get(parent)
            shown[parent] = claimed if seen is None else seen & claimed
            rows.setdefault(parent, set()).update(claimed)
    for directory in directories:
        parent = _parent(directory)
        if directory and directory not in real and parent in real:  # a directory link
            # the link is its files' winner's (its RECORD lists it), even where another wheel
            # ships those files with the same bytes and claims them too
            first = order[bisect.bisect_left(order, directory + "/")]
            rows.setdefault(parent, set()).add(winners[first].mapping.wheel)
    changed = False
    for directory in sorted(real, key=lambda d: d.count("/") + bool(d), reverse=True):
        seen = shown.get(directory)
        for wheel in sorted(rows.get(directory, ())):
            if seen is not None and wheel not in seen:
                continue  # pip finds another wheel's file here
            found = _shallowest_not_of(wheel, directory, order, owners)
            if found is None:
                continue  # a copy has only this wheel's files below: pip removes it whole too
            _make_real_down_to(found, directory, real, directories)
            seen = owners(found) if seen is None else seen & owners(found)
            changed = True
        if directory:
            parent = _parent(directory)
            above = shown.get(parent)
            if seen is not None:
                shown[parent] = seen if above is None else above & seen
    return changed


def _shallowest_not_of(wheel: int, directory: str, order: list[str], owners: _Owners) -> str | None:
    """The least deep file below *directory* that *wheel* does not claim (then by name)."""
    prefix = f"{directory}/" if directory else ""
    start = bisect.bisect_left(order, prefix)
    end = bisect.bisect_left(order, f"{directory}0") if directory else len(order)  # "0" > "/"
    best: tuple[int, str] | None = None
    for dest in order[start:end]:
        depth = dest.count("/")
        if (best is None or depth < best[0]) and wheel not in owners(dest):
            best = (depth, dest)
    return None if best is None else best[1]


def _make_real_down_to(dest: str, top: str, real: set[str], directories: Collection[str]) -> None:
    """Every directory between *top* and *dest*'s, with their ``__pycache__``, made real."""
    path = _parent(dest)
    while path != top and path not in real:
        real.add(path)
        cache = f"{path}/__pycache__"
        if cache in directories:
            real.add(cache)
        path = _parent(path)
