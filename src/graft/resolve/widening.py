"""Whether what another requirement could add to a requirement could be no dead end.

A requirement that admits only dead ends alone is *hopeless* (decision 91) unless another
requirement could widen it. Others only narrow what it admits, but for two kinds of file
(``screen``): a yanked file is offered only when an ``==`` names its version (PEP 592), and
a prerelease, unless the policy allows every one, when a specifier names one (or, under
``if-necessary``, when nothing but prereleases is left). So a requirement admitting one
yanked file or one prerelease was never hopeless, whatever that file is, and a missing wheel
deep in a chain stopped there: at ``--exclude-newer 2023-12-09`` no pywin32 release has a
wheel for Windows CPython 3.13, every jupyter-core from 4.6 needs pywin32 on Windows, and
jupyter-core 4.11.0 is yanked, so no requirement on jupyter-core (nbconvert 7's ``>=4.7``,
jupyter-client's) was learned hopeless and no parent a dead end: the sphinx set ran out of
its 20,000 rounds (decision 486). A prerelease under ``--prerelease disallow`` did the same
(decision 495); under ``if-necessary`` one was taken to widen nothing, which was wrong where
the final releases a requirement admits are dead ends and another requirement names a
prerelease (``btool`` needing ``lib<3``, ``lib>=2.0b1`` asked: pip and uv take lib 2.1b1).

Here each such version the requirement admits (its constraint too; a file its project's
``--exclude-newer`` leaves out widens nothing) is screened as an ``==`` naming it would have
it screened, prereleases allowed; what that offers for the target must each be a dead end,
known or proved now by decision 91's rule (one of its own requirements is hopeless, asked in
turn), for the requirement to be widened by nothing. A version with no file for the target
adds nothing at all. Only wheels are read (an sdist's METADATA may need a build), and only
once resolvelib searches (the provider holds its state): the unanimous and pinned walks read
no more than what they pin, and a walk that took a candidate it had read for a dead end
explained a failure by another cause than the search does (decision 493), so before the
search a version that offers anything may widen. A candidate whose proof is under way is
taken as no dead end (a cycle proves nothing): what is not proved widens. Asked by
:meth:`DeadEnds.widenable`, and for a root's widened offer (decision 95's proof) where it
admits a yanked file: inside the search, what an ``==`` naming each yanked version offers
is added to it (:func:`with_yanked`), each candidate to be proved a dead end as the others
(decision 501); before it, the offer stays unknown (the unanimous walk asks it of every
root, and a yanked file taken for a dead end there explained a failure in other words).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from graft.errors import BuildError, SourceError
from graft.resolve.admit import arbitrary, by_version, verdicts
from graft.resolve.artifacts import parse_wheel, sdist_name
from graft.resolve.candidates import WheelCandidate, candidate_key, offer
from graft.resolve.policy import Prereleases
from graft.resolve.screen import screen, too_new

if TYPE_CHECKING:
    from collections.abc import Sequence

    from packaging.version import Version
    from resolvelib.structs import State

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.candidates import Candidate, Need
    from graft.resolve.policy import Policy
    from graft.resolve.screenmemo import ScreenMemo

#: A dead end's key and why it is one (:data:`graft.resolve.dead_ends.Ends`).
Key = tuple[str, str, str | None]


class Proving(Protocol):
    """What the proof asks: the provider's screening, dead ends and reads."""

    policy: Policy
    target: Target
    tag_rank: dict[str, int]
    screens: ScreenMemo | None
    dead_ends: dict[Key, tuple[WheelCandidate, Need]]
    _proving: set[Key]
    _widening_offers: dict[tuple[Need, Version], list[Candidate]]
    now: State[Need, Candidate, str] | None

    def files(self, name: NormalizedName) -> Sequence[ArtifactFile]:
        """The project's files."""
        ...

    def known_only(self, candidate: WheelCandidate) -> list[Need] | None:
        """The candidate's needs if its METADATA was read already; else None."""
        ...

    def _known(
        self, candidate: WheelCandidate
    ) -> tuple[list[Need], list[Need], tuple[str, ...]]: ...

    def _hopeless(self, need: Need) -> bool: ...


def widening_versions(screening: Proving, need: Need, *, prereleases: bool = True) -> list[Version]:
    """The versions *need* admits (its constraint too) that another requirement could add.

    Those with a yanked file, and (*prereleases*), unless the project's policy allows every
    prerelease, the prereleases; newest first, each with a file ``--exclude-newer`` leaves in.
    """
    name = NormalizedName(need.name)
    specs = [need.specifier]
    if name in screening.policy.constraints:
        specs.append(screening.policy.constraints[name])
    prereleases = prereleases and screening.policy.prereleases_for(name) is not Prereleases.ALLOW
    cutoff = screening.policy.cutoff(name)
    grouped = by_version(screening.files(name))
    contains = verdicts(specs)
    spelled = arbitrary(specs)  # (``===``: the one version it may spell, each file's text)
    found: list[Version] = []
    for version, at in grouped.releases(None, specs):
        if not spelled and not contains(version):
            continue
        files = [grouped.files[i] for i in at]
        if spelled:
            files = [file for file in files if contains(_spelling(file) or version)]
        if not (prereleases and version.is_prerelease):
            files = [file for file in files if file.yanked is not None]
        if any(not too_new(file, cutoff) for file in files):
            found.append(version)
    return found


def _spelling(file: ArtifactFile) -> Version | None:
    """The version *file*'s name states, as it spells it (``1.0.0``, not its group's ``1.0``)."""
    if file.is_wheel:
        parsed = parse_wheel(file.filename)
        return None if parsed is None else parsed.version
    sdist = sdist_name(file.filename)
    return None if sdist is None else sdist[1]


def may_widen(screening: Proving, need: Need) -> bool:
    """Whether a file another requirement could add to *need* could be no dead end.

    Before resolvelib searches (the pinned and unanimous walks), any that offers the target
    a candidate: a walk that took a yanked file for a dead end explained a failure by another
    cause than the search does (``p2==1.0 p0==1.0``, p0 1.0 yanked and for Python <3.10:
    "the versions that match are yanked" against the search's Requires-Python; decision 493).
    """
    versions = widening_versions(screening, need)
    if screening.now is None:
        return any(_offered(screening, need, version) for version in versions)
    return any(
        not _dead(screening, candidate)
        for version in versions
        for candidate in _offered(screening, need, version)
    )


def with_yanked(screening: Proving, need: Need, wide: list[Candidate]) -> list[Candidate]:
    """*wide* and what an ``==`` naming each yanked version *need* admits would add.

    *wide*: what *need* offers, prereleases allowed. A root's widened offer, for decision
    95's proof inside the search (decision 501): each candidate added must be proved a dead
    end as the others are.
    """
    out = list(wide)
    seen = {candidate_key(c) for c in wide if isinstance(c, WheelCandidate)}
    for version in widening_versions(screening, need, prereleases=False):
        for candidate in _offered(screening, need, version):
            if not isinstance(candidate, WheelCandidate):
                out.append(candidate)  # (an sdist: no proof, as for the others)
            elif candidate_key(candidate) not in seen:
                seen.add(candidate_key(candidate))
                out.append(candidate)
    return out


def _offered(screening: Proving, need: Need, version: Version) -> list[Candidate]:
    """What *need* with an ``==`` naming *version* offers the target, prereleases allowed."""
    key = (need, version)
    known = screening._widening_offers.get(key)  # noqa: SLF001 - the same screening's
    if known is not None:
        return known
    name = NormalizedName(need.name)
    specs = [need.specifier, SpecifierSet(f"=={version}")]
    if name in screening.policy.constraints:
        specs.append(screening.policy.constraints[name])
    wide = replace(screening.policy, prereleases=Prereleases.ALLOW)
    files, target, rank = screening.files(name), screening.target, screening.tag_rank
    if screening.screens is not None:  # (a lock's: shared by its environments)
        found = screening.screens.screen(name, files, specs, target, wide, tag_rank=rank)
    else:
        found = screen(name, files, specs, target, wide, tag_rank=rank, reasons=False)
    out = offer(found, name, need.extra, set(), set(), fallback=wide.same_version_fallback)
    screening._widening_offers[key] = out  # noqa: SLF001
    return out


def _dead(screening: Proving, candidate: Candidate) -> bool:
    """Whether *candidate* is a dead end: known, or one of its own needs is hopeless now."""
    if not isinstance(candidate, WheelCandidate):
        return False
    key = candidate_key(candidate)
    if key in screening.dead_ends:
        return True
    if key in screening._proving or not candidate.file.is_wheel:  # noqa: SLF001
        return False
    screening._proving.add(key)  # noqa: SLF001
    try:
        needs = _needs(screening, candidate)
        need = next((n for n in needs if screening._hopeless(n)), None)  # noqa: SLF001
    finally:
        screening._proving.discard(key)  # noqa: SLF001
    if need is None:
        return False
    screening.dead_ends[key] = (candidate, need)
    return True


def _needs(screening: Proving, candidate: WheelCandidate) -> list[Need]:
    """*candidate*'s own needs, its METADATA read if need be; none if not to be had."""
    needs = screening.known_only(candidate)
    if needs is not None:
        return needs
    try:
        fixed, own, _ = screening._known(candidate)  # noqa: SLF001 - the same screening's
    except (BuildError, SourceError):  # (resolvelib says so if it ever tries it)
        return []
    return [*fixed, *own]


__all__ = ["Proving", "may_widen", "widening_versions", "with_yanked"]
