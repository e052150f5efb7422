"""pip 26.3's ``--only-deps`` of any requirement: the projects named, resolved, then left out.

pip resolves the requirements the command line names and pops each user-supplied project
from what it installs or locks, "even if they were dependencies of other user-supplied
requirements" (``Resolver.resolve``); a dependency reachable only through a project left
out stays. ``graft sync`` drops them from the pins it fetches (:func:`leave_out`, decision
445); ``graft lock``
drops them from every environment's resolution, and from each variant fork's, before the
environments are merged into ``[[packages]]`` entries, so no entry of them is written in any
environment and their dependencies keep the markers their resolutions gave (decision 451).
A project directory alone on the command line never comes here: it is read as ``-r
DIR/pyproject.toml`` (``cli/only_deps``, decision 438).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from graft.model.requirements import Wanted
    from graft.resolve.resolver import Resolution
    from graft.sources.candidates import Candidate


def leave_out(
    resolved: list[tuple[Wanted, Candidate]], named: frozenset[str]
) -> tuple[list[tuple[Wanted, Candidate]], tuple[str, ...]]:
    """A sync's *resolved* without the projects *named*, and their ``name==version``, sorted."""
    left = tuple(sorted(_label(w, c) for w, c in resolved if w.name in named))
    return [(w, c) for w, c in resolved if w.name not in named], left


def _label(wanted: Wanted, chosen: Candidate) -> str:
    """``name==version`` of a project left out, by its file's name (decision 445)."""
    from packaging.utils import InvalidSdistFilename, parse_sdist_filename  # noqa: PLC0415

    from graft.model.wheelname import InvalidWheelFilename, parse_wheel_filename  # noqa: PLC0415

    try:
        if chosen.filename.endswith(".whl"):
            return f"{wanted.name}=={parse_wheel_filename(chosen.filename)[1]}"
        return f"{wanted.name}=={parse_sdist_filename(chosen.filename)[1]}"
    except (InvalidWheelFilename, InvalidSdistFilename):  # (a lock's directory: no version)
        return str(wanted.name)


@dataclass(frozen=True)
class Leaving:
    """The projects a lock leaves out, and (filled as it goes) ``name==version`` of each pin."""

    names: frozenset[str] = frozenset()
    dropped: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls, roots: Iterable[Wanted], only_deps: bool, also: frozenset[str] = frozenset()
    ) -> Leaving:
        """The projects the command line names under *only_deps* (its sources built).

        *also*: projects of ``-r pyproject.toml`` their backend alone describes, locked as
        their directories (:mod:`graft.resolve.prepared_lock`).
        """
        return cls((frozenset(str(w.name) for w in roots) if only_deps else frozenset()) | also)

    def without(self, resolution: Resolution) -> Resolution:
        """*resolution* without the pins of the projects left out (each one's label kept)."""
        if not self.names or not any(pin.name in self.names for pin in resolution.pins):
            return resolution
        self.dropped.extend(pin.label for pin in resolution.pins if pin.name in self.names)
        pins = tuple(pin for pin in resolution.pins if pin.name not in self.names)
        return dataclasses.replace(resolution, pins=pins)

    def notes(self) -> tuple[str, ...]:
        """What ``-v`` says of the projects left out, each ``name==version`` once, sorted."""
        return (note(self.dropped),) if self.dropped else ()


def note(labels: Iterable[str]) -> str:
    """``--only-deps: left out NAME==VERSION, ...``: each label once, sorted."""
    return f"--only-deps: left out {', '.join(sorted(set(labels)))}"
