"""A root whose pin failed, its candidates read against the other roots' (decision 141).

``pydantic<2 fastapi>=0.100 pydantic-settings`` has no resolution: every ``pydantic-settings``
from 1.99 requires a ``pydantic>=2`` (or a prerelease of 2), and 0.2.5 requires
``typing-extensions<4``, which no ``fastapi>=0.100`` allows (each requires ``>=4.5``). With
``fastapi`` pinned first, resolvelib gave 0.2.5 up at each of 7,564 conflicts over 7,802 rounds
(one per combination of ``fastapi``, ``pydantic`` and ``typing-extensions`` it went back to)
and then refused, blaming the newest ``fastapi``'s ``pydantic>=2.7``.

The newer ``pydantic-settings`` are dead ends as soon as resolvelib gives them up
(:func:`~graft.resolve.clashes.own_clash`: they exclude every version the request's
``pydantic<2`` admits). When the pin of a root fails and some of its candidates are dead ends
already, :func:`learn_failed` asks the others with :func:`scan`: the other roots' candidates
(dead ends aside) are read newest first, each until one does not clash with it (the
*witness*, remembered: the question is asked again only once the witness is a dead end). A
candidate of the root clashes with it if its requirement on the root's project excludes that
candidate's version, or if a requirement of each, on one project, admit no version together
(:func:`~graft.resolve.clashes.apart`: whatever the tags, yanked or prerelease, so nothing
another requirement adds could change it). Only wheels are read (an sdist's METADATA may need
a build): an sdist not read, or a wheel that cannot be, ends the scan without an answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from graft.errors import BuildError, SourceError
from graft.resolve.candidates import PYTHON, Need, WheelCandidate, candidate_key
from graft.resolve.clash_reach import Clash, Screening, apart
from graft.resolve.clashes import AHEAD, live_offer, own_clash, record

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from graft.resolve.metadata_reader import MetadataReader


class Scanning(Screening, Protocol):
    """What a scan asks and remembers: the provider's (:mod:`.provider`)."""

    roots: tuple[Need, ...]
    reader: MetadataReader
    # per (candidate, root): the root's candidate that does not clash with it (None: unknown)
    _scanned: dict[tuple[tuple[str, str, str | None], Need], WheelCandidate | None]


def learn_from_roots(screening: Scanning, candidate: WheelCandidate, *, read: bool) -> bool:
    """Whether *candidate*, given up by resolvelib, clashes with a root: then a dead end.

    Each root of another project is asked :func:`~graft.resolve.clashes.own_clash`, and if
    *read*, :func:`scan`. The first clash found is recorded
    (:func:`~graft.resolve.clashes.record`: older releases that clash alike too).
    """
    for root in screening.roots:
        if root.name in {candidate.name, PYTHON} or root.filename is not None:
            continue
        clash = own_clash(screening, candidate, root)
        if clash is None and read:
            clash = scan(screening, candidate, root)
        if clash is not None:
            record(screening, candidate, clash)
            return True
    return False


def learn_failed(screening: Scanning, failing: Sequence[WheelCandidate]) -> bool:
    """Whether a candidate of a root whose pin just failed was learned to clash with another.

    *failing* are the candidates resolvelib gave up in a row, the last of them on the
    identifier it failed to pin; those are asked, newest first, with :func:`scan`,
    up to the first that clashes with no root (it may yet be pinned), if some of them are
    dead ends already (ruled out by the request, or by nothing). In the request ``a<2 b c``
    where every ``c`` requires ``a>=2`` or a ``t`` every ``b`` excludes, ``c`` is what
    failed, and what clashes; ``b``'s old releases clash with every ``c`` left too, but
    learning that first ended the search explained by ``b``'s newest releases' ``a>=2.7``
    (decision 141). Where none of them is a dead end, the parents pinned before that clash
    with every candidate of the root are learned instead, as before (decision 133).
    """
    if not failing:
        return False
    identifier = failing[-1].identifier
    if not any(r.identifier == identifier and r.filename is None for r in screening.roots):
        return False
    tail: dict[tuple[str, str, str | None], WheelCandidate] = {}
    ruled_out = False  # (some of it by the request alone, or by nothing: what is left clashes)
    for candidate in reversed(failing):
        if candidate.identifier != identifier:
            break
        if candidate_key(candidate) in screening.dead_ends:
            ruled_out = True
        else:
            tail.setdefault(candidate_key(candidate), candidate)
    if not ruled_out:
        return False  # (decision 133's way: the parents pinned before clash with all of it)
    learned = False
    for candidate in sorted(tail.values(), key=lambda c: c.version, reverse=True):
        if candidate_key(candidate) in screening.dead_ends:
            continue  # (an older release learned with a newer one)
        if not learn_from_roots(screening, candidate, read=True):
            break
        learned = True
    return learned


def scan(screening: Scanning, parent: WheelCandidate, root: Need) -> Clash | None:
    """How *parent* clashes with every candidate *root* may be offered, or None.

    The root's candidates are read newest first, up to the first that does not clash (or
    cannot be read); it is remembered, and the question is asked again once it is a dead end.
    """
    key = (candidate_key(parent), root)
    if key in screening._scanned:  # noqa: SLF001 - the provider's memo
        witness = screening._scanned[key]  # noqa: SLF001
        if witness is None or candidate_key(witness) not in screening.dead_ends:
            return None
    mine = _by_project(screening.known_only(parent) or ())
    live = live_offer(screening, root)
    if not mine or not live:
        screening._scanned[key] = None  # noqa: SLF001
        return None
    found: list[tuple[WheelCandidate, Need, Need | None]] = []
    for at, theirs in enumerate(live):
        if at == 1:  # (the first clashed: the next ones are likely read too)
            for ahead in live[1 : 1 + AHEAD]:
                _read_ahead(screening, mine, ahead)
        elif at > 1 and at + AHEAD - 1 < len(live):
            _read_ahead(screening, mine, live[at + AHEAD - 1])
        pair = _pair(screening, mine, theirs)
        if pair is None:
            screening._scanned[key] = theirs  # noqa: SLF001
            return None
        found.append((theirs, *pair))
    theirs, need, their_need = next((f for f in found if f[2] is not None), found[0])
    return Clash(need, root, theirs if their_need else None, their_need, len(found) - 1)


def _read_ahead(screening: Scanning, mine: dict[str, list[Need]], theirs: WheelCandidate) -> None:
    """Start reading *theirs*' METADATA, unless :func:`_pair` answers without it.

    A need of *mine* on *theirs*' project that excludes its version is a clash by the
    version alone: ``boto3`` 1.19's ``botocore<1.23`` against the 1,087 newer botocore
    releases (each a range read of a 13 MB wheel's central directory) was read for nothing
    (decision 488).
    """
    if not _excluded(mine, theirs):
        screening.reader.prefetch(theirs.file)


def _excluded(mine: dict[str, list[Need]], theirs: WheelCandidate) -> Need | None:
    """A need of *mine* on *theirs*' project that excludes its version, or None."""
    for need in mine.get(theirs.name, ()):
        if not need.specifier.contains(theirs.version, prereleases=True):
            return need
    return None


def _by_project(needs: Iterable[Need]) -> dict[str, list[Need]]:
    """*needs* on projects (not the Python, not a file named), by project (extras with it)."""
    out: dict[str, list[Need]] = {}
    for need in needs:
        if need.name != PYTHON and need.filename is None:
            out.setdefault(need.name, []).append(need)
    return out


def _pair(
    screening: Scanning, mine: dict[str, list[Need]], theirs: WheelCandidate
) -> tuple[Need, Need | None] | None:
    """A need of *mine* and one of *theirs* that admit nothing together, or None.

    ``(need, None)``: *need* is on *theirs*' project and excludes its version.
    """
    excluding = _excluded(mine, theirs)
    if excluding is not None:
        return excluding, None
    known = _needs_of(screening, theirs)
    if known is None:
        return None
    for name, needs in _by_project(known).items():
        for one in mine.get(name, ()):
            for other in needs:
                if apart(screening, name, one, other):
                    return one, other
    return None


def _needs_of(screening: Scanning, candidate: WheelCandidate) -> list[Need] | None:
    """*candidate*'s needs, its METADATA read if a wheel's; None if not to be had."""
    known = screening.known_only(candidate)
    if known is not None or not candidate.file.is_wheel:
        return known
    try:
        fixed, own, _ = screening._known(candidate)  # noqa: SLF001 - the same screening's
    except (BuildError, SourceError):  # (resolvelib says so if it ever tries this one)
        return None
    return [*fixed, *own]


__all__ = ["AHEAD", "Scanning", "learn_failed", "learn_from_roots", "scan"]
