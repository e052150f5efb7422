"""Dead ends: candidates no resolution of the target can pin, and roots left with only those.

A candidate one of whose own requirements is *hopeless* (it admits nothing alone, dead ends
aside, and no other requirement could widen it: :meth:`DeadEnds.widenable`) is a dead end
(decision 91): the provider stops offering it. So is a candidate that *clashes* with every
candidate a requirement of the request may be offered (decision 133:
:meth:`DeadEnds.rule_out_clashes`). A requirement of the request every candidate of whose
*widened offer* is a dead end proves that no resolution exists (decision 95):
resolvelib's search ends (:class:`~graft.resolve.reporter.Unsatisfiable`), and the
unanimous walk asks the same question before resolvelib starts.

:class:`DeadEnds` is a part of :class:`~graft.resolve.provider.Provider`, whose screening
(:class:`Screening`) it asks; the proof is :class:`~graft.resolve.no_resolution.NoResolution`'s.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from packaging.utils import NormalizedName

from graft.resolve.admit import by_version
from graft.resolve.candidates import (
    PYTHON,
    Candidate,
    Need,
    WheelCandidate,
    candidate_key,
    offer,
)
from graft.resolve.policy import Prereleases
from graft.resolve.reporter import Restart, Unsatisfiable
from graft.resolve.screen import screen, too_new
from graft.resolve.widening import may_widen, with_yanked

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Collection, Sequence

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version
    from resolvelib.structs import RequirementInformation, State

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.clash_reach import Clash
    from graft.resolve.metadata_reader import MetadataReader
    from graft.resolve.policy import Policy
    from graft.resolve.screenmemo import ScreenMemo

#: A dead end's key (:func:`~graft.resolve.candidates.candidate_key`) and why it is one.
Ends = dict[tuple[str, str, str | None], tuple[WheelCandidate, Need]]


class Screening(Protocol):
    """What dead ends are worked out from: the provider's screening of one target."""

    roots: tuple[Need, ...]
    policy: Policy
    target: Target
    tag_rank: dict[str, int]
    screens: ScreenMemo | None
    dead_ends: Ends
    clashes: dict[tuple[str, str, str | None], Clash]
    _alone: dict[Need, Candidate | None]
    _clash_asked: set[tuple[tuple[str, str, str | None], Need]]
    _reaches: dict[tuple[Need, str], frozenset[int]]
    _unreached: dict[tuple[Need, str], WheelCandidate]
    _widened: dict[Need, list[Candidate] | None]
    _dead_before: dict[Need, int]
    _failing: list[WheelCandidate]
    reader: MetadataReader
    _scanned: dict[tuple[tuple[str, str, str | None], Need], WheelCandidate | None]
    now: State[Need, Candidate, str] | None
    _admits: dict[tuple[str, SpecifierSet], frozenset[int] | None]
    _dependencies: dict[tuple[str, str, str | None], tuple[list[Need], list[Need], tuple[str, ...]]]
    dependencies: bool
    _proving: set[tuple[str, str, str | None]]
    _widening_offers: dict[tuple[Need, Version], list[Candidate]]

    def files(self, name: NormalizedName) -> Sequence[ArtifactFile]:
        """The project's files."""
        ...

    def listed(self, name: NormalizedName) -> Sequence[ArtifactFile] | None:
        """The project's files if listed already; None (nothing read) if not."""
        ...

    def _matches(
        self, identifier: str, needs: list[Need], bad: set[Candidate], *, dead: bool = False
    ) -> list[Candidate]: ...

    def _first_offered(self, needs: Sequence[Need]) -> WheelCandidate | None: ...

    def _known(
        self, candidate: WheelCandidate
    ) -> tuple[list[Need], list[Need], tuple[str, ...]]: ...

    def _hopeless(self, need: Need) -> bool: ...

    def known_only(self, candidate: WheelCandidate) -> list[Need] | None:
        """The candidate's needs if its METADATA was read already; else None."""
        ...

    def _widen(self, need: Need) -> list[Candidate] | None: ...

    def _wide_offer(self, need: Need) -> list[Candidate]: ...

    def widened_past_yanked(self, need: Need) -> list[Candidate] | None:
        """Inside the search, :meth:`widened` with what an ``==`` naming a yanked file adds."""
        ...

    def _admits_alone(self, need: Need) -> bool: ...

    def widenable(self, need: Need) -> bool:
        """Whether another requirement could make *need* admit what it does not alone."""
        ...

    def widened(self, need: Need) -> list[Candidate] | None:
        """Every candidate offered for *need* with any other requirements; None if unknown."""
        ...

    def only_dead_ends(
        self,
        root: Need,
        readable: Callable[[WheelCandidate], bool] | None = None,
        *,
        clashing: bool = False,
    ) -> Ends | None:
        """If no candidate *root* may ever be offered can be pinned: each, with why."""
        ...

    def _ends(
        self,
        widened: list[Candidate],
        readable: Callable[[WheelCandidate], bool] | None,
        *,
        clashing: bool,
    ) -> Ends | None: ...

    def _clashes_with_a_root(self, candidate: WheelCandidate) -> bool: ...

    def _end_if_only_dead_ends(self, identifier: str) -> None: ...

    def _clashing_need(self, candidate: WheelCandidate) -> Need | None: ...

    def _hopeless_parents(self, failing: Sequence[WheelCandidate]) -> bool: ...


class DeadEnds:
    """The dead ends of one target's provider, and the proofs they give."""

    def rule_out(self: Screening, candidate: Candidate, needs: Sequence[Need]) -> None:
        """Remember *candidate* as a dead end if one of its own *needs* admits nothing.

        Called when resolvelib gives *candidate* up because a requirement has no candidate
        left; *needs* are the candidate's own requirements on it. If one of them admits
        nothing alone (dead ends aside) and no other requirement could widen it
        (:meth:`widenable`), no resolution of this target can pin the candidate, and it is
        not offered again (decision 91). Without this, a root that no version can meet (a
        ``psycopg[binary]`` for Windows arm64: no ``psycopg-binary`` wheel) was tried again
        with every release of every project pinned before it.
        """
        if not isinstance(candidate, WheelCandidate):
            return
        if self._failing and self._failing[-1].identifier != candidate.identifier:
            self._failing.clear()  # (those of the pin being tried: learn_failed's)
        self._failing.append(candidate)
        key = candidate_key(candidate)
        need = next((n for n in needs if self._hopeless(n)), None)
        if need is not None:
            self.dead_ends[key] = (candidate, need)
        elif key not in self.dead_ends and not self._clashes_with_a_root(candidate):
            return
        self._end_if_only_dead_ends(candidate.identifier)

    def _end_if_only_dead_ends(self: Screening, identifier: str) -> None:
        """Raise :class:`Unsatisfiable` if a root on *identifier* admits only dead ends."""
        for root in self.roots:  # resolvelib keeps a root's candidates: it would go on trying
            if root.identifier != identifier or self._admits_alone(root):
                continue  # (a witness kept: not a screening per candidate given up)
            ends = self.only_dead_ends(root, clashing=True)  # (what another could add, too)
            if ends is not None:
                self.dead_ends.update(ends)
                raise Unsatisfiable(root)

    def _clashes_with_a_root(self: Screening, candidate: WheelCandidate) -> bool:
        """Whether *candidate*, given up, clashes with a root's own requirement (decision 141).

        Its requirement on a root's project admits none of the versions the root admits
        (:func:`~graft.resolve.clashes.own_clash`): a dead end. Imported only here: a search
        that gives nothing up never asks.
        """
        from graft.resolve.clash_scan import learn_from_roots  # noqa: PLC0415 - on a backtrack

        return learn_from_roots(self, candidate, read=False)

    def rule_out_clashes(
        self: Screening, causes: Collection[RequirementInformation[Need, Candidate]]
    ) -> None:
        """After resolvelib failed to pin a requirement of the request: learn what clashes.

        *causes* are the requirements in conflict. The candidates of a root whose pin failed
        are read against the other roots first
        (:func:`~graft.resolve.clash_scan.learn_failed`, decision 141), and if no candidate
        of it is left, the search ends (:class:`Unsatisfiable`). Then, for each root among
        the causes' parents (so every resolution holds one of its candidates), each other
        candidate among the parents that clashes with all of them
        (:func:`~graft.resolve.clashes.learn`) is a dead end, and :class:`Restart` starts
        the search again without what was learned (decision 133). resolvelib
        itself only walks back one pin at a time: opentelemetry-distro 0.66b2 pins
        opentelemetry-instrumentation==0.66b2, which no opentelemetry-instrumentation-flask
        release needs, and every version of each project pinned after the distro was tried
        against that before the distro itself.
        """
        from graft.resolve.clash_scan import learn_failed  # noqa: PLC0415 - on a conflict
        from graft.resolve.clashes import learn  # noqa: PLC0415

        failing = list(self._failing)
        self._failing.clear()
        learned = self._hopeless_parents(failing)
        learned = learn_failed(self, failing) or learned
        if learned:  # (the root that failed first: its explanation names what it clashes with)
            self._end_if_only_dead_ends(failing[-1].identifier)
        found = {c.parent for c in causes if isinstance(c.parent, WheelCandidate)}
        ids = {p.identifier for p in found}
        # (in an order of their own, not a set's: what is learned first is what is explained)
        parents = sorted(found, key=lambda p: (p.identifier, p.version), reverse=True)
        for root in self.roots:
            if root.identifier not in ids or root.filename is not None:
                continue
            for parent in parents:
                key = candidate_key(parent)
                if parent.name == root.name or key in self.dead_ends:
                    continue
                if (key, root) in self._clash_asked:
                    continue
                self._clash_asked.add((key, root))
                clash = learn(self, parent, root)
                if clash is not None:
                    learned = True
        if learned:
            raise Restart

    def _hopeless_parents(self: Screening, failing: Sequence[WheelCandidate]) -> bool:
        """Whether a pinned parent was learned a dead end: its need on what failed is hopeless.

        *failing* are the candidates just given up, the last on the identifier resolvelib
        failed to pin. A parent whose own requirement on it now admits only dead ends is one
        too (decision 91's rule), but resolvelib never gives it up: it goes back through the
        pins made after it, which the conflict also names. ``numpy==1.21.5 spacy<4
        mlflow>=2.13,<3`` on CPython 3.10: every thinc 8.3 needs ``numpy>=2``, a dead end, so
        spacy 3.8.2 (``thinc>=8.3.0,<8.4.0``) is one; resolvelib went back through scipy's
        releases instead, down to an sdist whose build failed, where pip and uv install
        spacy 3.7.5 (decision 481).
        """
        state = self.now
        if not failing or state is None:
            return False
        criterion = state.criteria.get(failing[-1].identifier)
        learned = False
        for information in () if criterion is None else criterion.information:
            parent, need = information.parent, information.requirement
            if not isinstance(parent, WheelCandidate) or candidate_key(parent) in self.dead_ends:
                continue
            if self._hopeless(need):
                self.dead_ends[candidate_key(parent)] = (parent, need)
                self._end_if_only_dead_ends(parent.identifier)
                learned = True
        return learned

    def _hopeless(self: Screening, need: Need) -> bool:
        """Whether *need* admits no candidate, whatever else is required."""
        return not self._admits_alone(need) and not self.widenable(need)

    def _admits_alone(self: Screening, need: Need) -> bool:
        """Whether *need* alone admits a candidate that is no dead end.

        The first candidate offered, read a release at a time, is enough where it is no dead
        end (decision 225): a whole screening per candidate given up was most of the time of
        ``boto3<1.34 aiobotocore s3fs`` (each of 1,400 boto3 releases' own ``botocore``
        range screened over botocore's 2,000 releases). Remembered with the first candidate
        it admits, while that one is no dead end: a
        search that backtracks rules the same candidates out over the same needs again and
        again (a screening each, in a sync), and restarts (decision 133) add dead ends on
        other projects (``boto3<1.34`` with ``aiobotocore``: each of 1,400 boto3 releases'
        needs screened again after each of 25 restarts, decision 137).
        """
        if need in self._alone:
            witness = self._alone[need]
            if not isinstance(witness, WheelCandidate) or candidate_key(witness) not in (
                self.dead_ends
            ):
                return witness is not None
        if need.name != PYTHON and need.filename is None:  # (a release at a time: decision 225)
            first = self._first_offered([need])
            if first is not None and candidate_key(first) not in self.dead_ends:
                self._alone[need] = first
                return True
        offered = self._matches(need.identifier, [need], set())
        self._alone[need] = offered[0] if offered else None
        return bool(offered)

    def widenable(self: Screening, need: Need) -> bool:
        """Whether another requirement could make *need* admit what it does not alone.

        Others narrow it, but for two things a requirement can add (``screen``): a yanked
        file is offered only when an ``==`` names its version, and a prerelease (unless the
        policy allows them all) when a specifier names one, or under ``if-necessary`` when
        nothing else is left. A file named is left as widenable (unproved). What those could
        add widens nothing where it offers the target nothing or only dead ends
        (:func:`~graft.resolve.widening.may_widen`, decisions 486 and 495).
        """
        if need.name == PYTHON:
            return False
        if need.filename is not None:
            return True
        return may_widen(self, need)

    def widened(self: Screening, need: Need) -> list[Candidate] | None:
        """Every candidate offered for *need* with any other requirements; None if unknown.

        The candidates *need* admits with prereleases allowed (what a specifier naming one
        adds), if no file it admits is yanked (an ``==`` could add that one). Remembered per
        need (it reads no dead end).
        """
        if need in self._widened:
            return self._widened[need]
        self._widened[need] = out = self._widen(need)
        return out

    def widened_past_yanked(self: Screening, need: Need) -> list[Candidate] | None:
        """Inside the search, :meth:`widened` with what an ``==`` naming a yanked file adds.

        For decision 95's proof (:meth:`only_dead_ends`) where a file *need* admits is
        yanked, which :meth:`widened` leaves unknown: each candidate such an ``==`` would
        add must be a dead end too (decision 501, 495's proof at the root). None before the
        search, where no yanked file is taken for a dead end (decision 493).
        """
        if self.now is None or need.filename is not None or need.name == PYTHON:
            return None
        return with_yanked(self, need, self._wide_offer(need))

    def _widen(self: Screening, need: Need) -> list[Candidate] | None:
        """:meth:`widened`'s answer, worked out."""
        if need.filename is not None or need.name == PYTHON:
            return None
        name = NormalizedName(need.name)
        specs = [need.specifier]
        if name in self.policy.constraints:
            specs.append(self.policy.constraints[name])
        admitted = by_version(self.files(name)).admitted(specs)
        if _yanked_among(admitted, self.policy.cutoff(name)):
            return None
        return self._wide_offer(need)

    def _wide_offer(self: Screening, need: Need) -> list[Candidate]:
        """What *need* offers the target with every prerelease allowed."""
        name = NormalizedName(need.name)
        files = self.files(name)
        specs = [need.specifier]
        if name in self.policy.constraints:
            specs.append(self.policy.constraints[name])
        wide = replace(self.policy, prereleases=Prereleases.ALLOW)
        target, rank = self.target, self.tag_rank
        if self.screens is not None:  # (a lock's: shared by its environments)
            found = self.screens.screen(name, files, specs, target, wide, tag_rank=rank)
        else:
            found = screen(name, files, specs, target, wide, tag_rank=rank, reasons=False)
        return offer(found, name, need.extra, set(), set(), fallback=wide.same_version_fallback)

    def dead_ends_of(self: Screening, needs: list[Need]) -> list[tuple[WheelCandidate, Need]]:
        """If *needs* admit only dead ends: each, best first, with the need ruling it out."""
        offered = self._matches(needs[0].identifier, needs, set(), dead=True)
        ends = [
            self.dead_ends.get(candidate_key(c)) for c in offered if isinstance(c, WheelCandidate)
        ]
        if len(ends) < len(offered) or None in ends:
            return []
        return [end for end in ends if end is not None]


def _yanked_among(files: Sequence[ArtifactFile], cutoff: dt.datetime | None) -> bool:
    """Whether one of *files* is yanked: an ``==`` naming its version would admit it.

    Not one ``--exclude-newer`` leaves out (*cutoff*): no requirement admits that one
    (thinc 8.3.5, yanked in 2025, kept spacy 3.8.2 from being learned a dead end in a
    search bounded at 2024-10-22, decision 481).
    """
    return any(file.yanked is not None and not too_new(file, cutoff) for file in files)


__all__ = ["DeadEnds", "Ends", "Screening"]
