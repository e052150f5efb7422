"""Wheel files on offer (:class:`Candidate`) and the choice of one by the target's tag order.

Selection is per wheel file: of the wheels a release offers, the one whose best
tag ranks highest in the *target's* own tag order is chosen, and everything
graft later projects comes from that one file. The files come from find-links
directories (:mod:`graft.sources.find_links`) and simple-API indexes
(:mod:`graft.sources.index`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from graft.model.wheelname import InvalidWheelFilename, parse_wheel_filename

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.model.target import Target


@dataclass(frozen=True, slots=True)
class Candidate:
    """One wheel file on offer: its name, where it is, and the hashes known before download."""

    filename: str
    url: str  # file path for local wheels
    sha256: str | None  # known before download (index hash, or computed locally)
    local: bool
    origin: str = ""  # who vouched for sha256 (a lock entry, a URL's #sha256=); "" the index
    # The core metadata file the index offers beside the wheel (PEP 658/714): None for none,
    # "" for one without a usable hash, "<algorithm>=<hex>" (sha256, sha384, sha512) otherwise.
    core_metadata: str | None = None
    requires_python: str | None = None  # the index's data-requires-python (per release)
    yanked: str | None = None  # PEP 592: None, or the reason ("" when none is given)
    upload_time: str | None = None  # PEP 700, ISO 8601 as the index wrote it
    size: int | None = None  # bytes, as PEP 700's JSON ``size`` says (HTML pages do not)


def _version_matches(filename: str, name: str, version: str) -> tuple[bool, tuple[str, ...]]:
    try:
        wname, wversion, build, tags, _ = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return False, ()
    if str(wname) != name:
        return False, ()
    try:
        same = wversion == Version(version)
    except InvalidVersion:
        same = str(wversion) == version
    return same, tuple(str(t) for t in tags) + (("build", str(build[0])) if build else ())


def rank(filename: str, target_rank: dict[str, int]) -> tuple[int, int] | None:
    """Lower is better: the best tag's position in the target's order, then build tag."""
    try:
        _, _, build, tags, variant = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return None
    if variant is not None:  # a pinned choice is variant-unaware; the resolver orders variants
        return None
    positions = [target_rank[str(t)] for t in tags if str(t) in target_rank]
    if not positions:
        return None
    return min(positions), -(build[0] if build else 0)


def select(candidates: Sequence[Candidate], target: Target) -> Candidate | None:
    """The best candidate for *target*; local files win ties."""
    order = target.tag_rank()
    best: tuple[tuple[int, int, int], Candidate] | None = None
    for candidate in candidates:
        ranked = rank(candidate.filename, order)
        if ranked is None:
            continue
        key = (*ranked, 0 if candidate.local else 1)
        if best is None or key < best[0]:
            best = (key, candidate)
    return best[1] if best else None
