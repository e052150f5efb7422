"""The planner: a pure function from wheel records, a venv layout and a policy to a Plan.

It reads no file and writes none. Steps:

1. *Map*: every archive path of every wheel (and every ``.pyc`` compiled for the
   target) gets a destination under the venv prefix, as a copying installer
   would place it. A destination comes with its *mapping*: which wheel, and
   which archive directory corresponds to which destination directory.
2. *Resolve claims*: a destination claimed by several wheels with identical
   bytes is shared; with different bytes (or file against directory) it is a
   collision, won by the distribution whose normalized name sorts last: the
   result equals a copying install in ascending name order.
3. *Fold*: a directory whose whole subtree comes through one mapping becomes one
   link to the matching store directory. Directories stay real where wheels
   overlap, on the path to a native library whose ``$ORIGIN`` search path a fold
   would send elsewhere (see :mod:`graft.plan.origin`), for every ``.dist-info``, for
   ``__pycache__`` under a real directory, for the venv's own scheme directories,
   and everywhere unless the link mode is ``symlink``.

This module runs the steps and resolves the claims; mapping is :mod:`graft.plan.mapping`
(which also holds the per-plan structures the steps share: claims, leaves, mappings),
folding :mod:`graft.plan.fold`. Dist-info files are :mod:`graft.plan.distinfo`, launchers
:mod:`graft.plan.scripts`, the ``$ORIGIN`` rule :mod:`graft.plan.origin`.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from graft.errors import PlanError
from graft.plan.collision import Collision
from graft.plan.distinfo import dist_info_actions
from graft.plan.fold import fold
from graft.plan.mapping import Claims, map_wheel
from graft.plan.types import (
    Plan,
    PlannedDistribution,
    Policy,
    RecordRow,
    VenvLayout,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from graft.plan.mapping import Leaf, Mapping
    from graft.plan.planned import PlannedWheel

_DEFAULT_POLICY = Policy()


def plan(
    wheels: Sequence[PlannedWheel],
    layout: VenvLayout,
    policy: Policy = _DEFAULT_POLICY,
) -> Plan:
    """Plan the venv at ``layout.prefix`` holding exactly *wheels*."""
    ordered = _dedupe(wheels)
    claims = Claims()
    record_rows: dict[int, list[RecordRow]] = {}
    for index, wheel in enumerate(ordered):
        record_rows[index] = map_wheel(index, wheel, layout, claims)
    winners, collisions = _resolve(claims, ordered)
    _release_natives(winners, claims, ordered)
    if collisions and policy.collisions == "error":
        first = collisions[0].describe()
        more = f" (and {len(collisions) - 1} more)" if len(collisions) > 1 else ""
        raise PlanError(
            f"file collision: {first}{more}",
            hint="drop one of the distributions, or pass --collisions warn",
        )
    actions, dir_links = fold(winners, claims, ordered, layout, policy.link_mode)
    for index, wheel in enumerate(ordered):
        links = dir_links.get(index, [])
        actions.extend(dist_info_actions(wheel, layout, record_rows[index], links))
    actions.sort(key=lambda a: a.dest)
    return Plan(
        prefix=layout.prefix,
        python=layout.python,
        link_mode=policy.link_mode,
        distributions=tuple(
            PlannedDistribution(
                w.record.name, w.record.version, w.record.filename, w.record.sha256, w.requested
            )
            for w in ordered
        ),
        actions=tuple(actions),
        collisions=tuple(collisions),
        files_served=sum(1 for leaf in winners.values() if leaf.kind in {"link", "script"}),
    )


def _dedupe(wheels: Iterable[PlannedWheel]) -> list[PlannedWheel]:
    by_name: dict[str, PlannedWheel] = {}
    for wheel in wheels:
        seen = by_name.get(wheel.record.name)
        if seen is None:
            by_name[wheel.record.name] = wheel
        elif seen.record.sha256 == wheel.record.sha256:
            if wheel.requested and not seen.requested:
                by_name[wheel.record.name] = wheel
        else:
            raise PlanError(
                f"two wheels for one distribution {wheel.record.name!r}:"
                f" {seen.record.filename} and {wheel.record.filename}",
                hint="keep one version and one build of each distribution",
            )
    return [by_name[name] for name in sorted(by_name)]


def _resolve(
    claims: Claims, wheels: Sequence[PlannedWheel]
) -> tuple[dict[str, Leaf], list[Collision]]:
    """Pick one leaf per destination; report real collisions. Later names win."""
    winners: dict[str, Leaf] = {}
    collisions: list[Collision] = []
    label = [w.record.label for w in wheels]
    pycs = []
    for dest in sorted(claims.leaves):
        leaves = claims.leaves[dest]
        if leaves[0].kind == "pyc":
            pycs.append(dest)
            continue
        if len(leaves) == 1:  # the common case: one wheel claims it
            winners[dest] = leaves[0]
            continue
        winner = max(leaves, key=lambda leaf: leaf.mapping.wheel)
        if len({leaf.digest for leaf in leaves}) > 1:
            losers = sorted({label[leaf.mapping.wheel] for leaf in leaves if leaf is not winner})
            collisions.append(
                Collision(dest, label[winner.mapping.wheel], tuple(losers), "content")
            )
        winners[dest] = winner
    _file_against_directory(winners, collisions, label)
    for dest in pycs:
        leaves = claims.leaves[dest]
        source = winners.get(leaves[0].source_dest)
        if source is None:
            continue
        chosen = [leaf for leaf in leaves if leaf.mapping.wheel == source.mapping.wheel]
        if chosen:
            winners[dest] = chosen[0]
    return winners, collisions


def _release_natives(
    winners: dict[str, Leaf], claims: Claims, wheels: Sequence[PlannedWheel]
) -> None:
    """Clear ``native`` on the native files a fold cannot break (see :mod:`graft.plan.origin`)."""
    from graft.plan.origin import needs_real_path  # noqa: PLC0415

    searches = [
        None if w.record.origins is None else {o.path: o for o in w.record.origins} for w in wheels
    ]
    ordered: list[str] | None = None

    def only(mapping: Mapping) -> Callable[[str], bool]:
        def check(directory: str) -> bool:
            nonlocal ordered
            if ordered is None:
                ordered = sorted(claims.leaves)
            if directory in claims.leaves:
                return False  # a file where the loader expects a directory
            start = bisect.bisect_left(ordered, directory + "/")
            end = bisect.bisect_left(ordered, directory + "0")  # "0" sorts right after "/"
            return all(
                leaf.mapping == mapping for d in ordered[start:end] for leaf in claims.leaves[d]
            )

        return check

    for dest, leaf in winners.items():
        if not leaf.native:
            continue
        by_path = searches[leaf.mapping.wheel]
        if by_path is None:
            continue  # a record from before graft read search paths: keep the old rule
        search = by_path.get(leaf.archive or "")
        leaf.native = needs_real_path(dest, leaf.mapping.dest_prefix, search, only(leaf.mapping))


def _file_against_directory(
    winners: dict[str, Leaf], collisions: list[Collision], label: list[str]
) -> None:
    """A destination that is a file for one wheel and a directory for another."""
    directories: set[str] = set()
    for dest in winners:
        parent = dest
        while "/" in parent:
            parent = parent.rpartition("/")[0]
            if parent in directories:
                break
            directories.add(parent)
    clashes = sorted(d for d in directories if d in winners)
    if not clashes:
        return
    ordered = sorted(winners)
    for dest in clashes:
        if dest not in winners:
            continue  # removed under an earlier clash
        start = bisect.bisect_left(ordered, dest + "/")
        end = bisect.bisect_left(ordered, dest + "0")  # "0" sorts right after "/"
        below = [d for d in ordered[start:end] if d in winners]
        file_leaf = winners[dest]
        dir_wheels = {winners[d].mapping.wheel for d in below}
        top = max(dir_wheels | {file_leaf.mapping.wheel})
        if top == file_leaf.mapping.wheel:
            for d in below:
                del winners[d]
            losers = sorted({label[w] for w in dir_wheels if w != top})
        else:
            del winners[dest]
            losers = [label[file_leaf.mapping.wheel]]
        if losers:
            collisions.append(Collision(dest, label[top], tuple(losers), "file-vs-directory"))
