"""A resolution that cannot be: the case it falls into, and the lines that say why.

:class:`ResolutionError` is what :mod:`graft.resolve.explain` and
:mod:`graft.resolve.no_candidates` raise: a ``SourceError`` whose first line is the message and
whose other lines are the details (each requirement, each wheel that stated it). Its first
line is also kept as data (:class:`Reason`): the target's tags it names apart, so that
``graft lock`` says reasons that differ only in them once (decision 178).
"""

from __future__ import annotations

import bisect
import contextlib
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from packaging.specifiers import SpecifierSet

    from graft.resolve.artifacts import ArtifactFile

#: How many versions or tags a message lists at most.
SHOWN = 5


class Kind(enum.Enum):
    """The case a failure falls into."""

    NO_PROJECT = "no-project"
    ONLY_SDISTS = "only-sdists"
    NO_WHEEL_FOR_TARGET = "no-wheel-for-target"
    NO_VERSION = "no-version"
    PYTHON = "python"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Reason:
    """A line that says why, with the target's tags it names kept apart.

    ``no wheel of x 1.0 for the target (cp310-cp310-win_arm64, cp310-abi3-win_arm64, ...)``
    is ``Reason("no wheel of x 1.0 for the target", ("cp310-cp310-win_arm64",
    "cp310-abi3-win_arm64"))``: the tags are each lock environment's own, the text what
    environments alike share (:func:`graft.resolve.lock_said.said_once`).
    """

    text: str
    tags: tuple[str, ...] = ()  # the target's first tags, best first: the line ends in them

    def __str__(self) -> str:
        return f"{self.text} ({', '.join(self.tags)}, ...)" if self.tags else self.text


class ResolutionError(SourceError):
    """No set of wheels satisfies the requirements; ``lines`` say why.

    The first of *lines* may be given as a :class:`Reason` (kept as ``reason``; a text is a
    reason that names no tags); ``lines`` holds each as text.
    """

    def __init__(
        self,
        kind: Kind,
        lines: Sequence[str | Reason],
        hint: str | None = None,
        *,
        gave_up: int = 0,
    ) -> None:
        head = lines[0]
        self.reason = head if isinstance(head, Reason) else Reason(head)
        self.lines = tuple(map(str, lines))
        super().__init__(self.lines[0], hint=hint, details=self.lines[1:])
        self.kind = kind
        # the candidates ruled out when a lock's search was given up (decision 67): no proof
        # that none exists, only that the search went on too long; 0: the failure is proven
        self.gave_up = gave_up
        # the projects the failed resolution listed (set by resolver.resolve): where a lock
        # looks for the later micro release of a series that may resolve (decision 157)
        self.met: tuple[str, ...] = ()
        # the wheels whose dependencies it worked out, with the extra: their Requires-Dist
        # markers naming a micro release are such releases too (decision 202)
        self.read: tuple[tuple[ArtifactFile, str], ...] = ()
        # the projects no index or find-links directory has (Kind.NO_PROJECT): where a
        # sync looks for what [tool.uv.sources] says of them (sources.uv_sources.hint)
        self.missing: tuple[str, ...] = ()

    def headed(self, lead: str) -> None:
        """Put *lead* before the first line, in ``lines`` and ``reason`` alike (tags kept)."""
        self.reason = Reason(lead + self.reason.text, self.reason.tags)
        self.lines = (str(self.reason), *self.lines[1:])

    def __str__(self) -> str:
        text = "\n  ".join(self.lines)
        return f"{text}\n  hint: {self.hint}" if self.hint else text


def nearest(versions: Sequence[Version], specs: Sequence[SpecifierSet]) -> list[Version]:
    """Up to :data:`SHOWN` of *versions* closest to the bounds *specs* name, newest first.

    Closeness is by position among the versions, from the nearest bound (ties: the newer).
    Without a bound, the newest.
    """
    ordered = sorted(set(versions))
    bounds = []
    for spec in specs:
        for clause in spec:
            with contextlib.suppress(InvalidVersion):
                bounds.append(Version(clause.version.removesuffix(".*")))
    if not bounds:
        return ordered[::-1][:SHOWN]

    def distance(index: int) -> int:  # positions from the closest bound
        return min(
            at - index if index < at else index - at + 1
            for at in (bisect.bisect_left(ordered, bound) for bound in bounds)
        )

    closest = sorted(range(len(ordered)), key=lambda i: (distance(i), -i))[:SHOWN]
    return [ordered[i] for i in sorted(closest, reverse=True)]


def nearest_text(versions: Sequence[Version], specs: Sequence[SpecifierSet]) -> str:
    """:func:`nearest` of *versions* as a line's text, with how many there are."""
    shown = nearest(versions, specs)
    total = len(set(versions))
    return ", ".join(str(v) for v in shown) + (f" (of {total})" if total > len(shown) else "")


def within(versions: Sequence[Version], specs: Sequence[SpecifierSet]) -> list[Version]:
    """The *versions* every specifier of *specs* allows (prereleases too: they were named).

    Each version is judged once: *versions* holds one per file (thousands, for a project
    with a wheel per platform and Python).
    """
    judged = {v: all(s.contains(v, prereleases=True) for s in specs) for v in set(versions)}
    return [v for v in versions if judged[v]]


def bounded_prereleases(versions: Sequence[Version], specs: Sequence[SpecifierSet]) -> list[str]:
    """A line for each prerelease of *versions* that only a ``<V`` of *specs* leaves out.

    PEP 440's exclusive ordered comparison: ``<24.1`` admits no prerelease of 24.1, although
    24.1a1 sorts below it, so ``black>=24.1a0,<24.1`` admits nothing, and a list of the
    nearest versions that shows 24.1a1 says why it is not taken (uv calls the two
    incompatible).
    """
    out = []
    for version in versions:
        if not version.is_prerelease:
            continue
        clauses = [clause for spec in specs for clause in spec]
        refusing = [c for c in clauses if not c.contains(version, prereleases=True)]
        if len(refusing) != 1 or refusing[0].operator != "<":
            continue
        with contextlib.suppress(InvalidVersion):
            bound = Version(refusing[0].version)
            if version < bound and not bound.is_prerelease:
                out.append(
                    f"{version} is a prerelease of {version.base_version}: {refusing[0]} leaves"
                    " it out, as PEP 440 reads an exclusive bound"
                )
    return out


def listed(versions: Sequence[Version]) -> str:
    """Up to :data:`SHOWN` of *versions*, newest first, and how many older ones there are."""
    newest = sorted(set(versions), reverse=True)
    shown = ", ".join(str(v) for v in newest[:SHOWN])
    return shown + (f" (and {len(newest) - SHOWN} older)" if len(newest) > SHOWN else "")


__all__ = [
    "SHOWN",
    "Kind",
    "Reason",
    "ResolutionError",
    "bounded_prereleases",
    "listed",
    "nearest",
    "nearest_text",
    "within",
]
