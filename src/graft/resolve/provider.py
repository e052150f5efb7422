"""A resolvelib provider for one target whose candidates are wheel files.

- **Candidates** are wheel files (:class:`WheelCandidate`), the ones
  :func:`graft.resolve.screen.screen` keeps, best first. As pip and uv do, only the
  target's best wheel of a version is offered (:func:`~graft.resolve.candidates.offer`),
  unless ``Policy.same_version_fallback`` also offers the others.
- **Dependencies** of a candidate are *that wheel's own* Requires-Dist and Requires-Python
  (:mod:`graft.resolve.requires_dist`), worked out once per wheel and extra
  (:mod:`graft.resolve.candidate_deps`).
- **Requires-Python**: the index's value screens files before any METADATA is read, as
  pip does; the wheel's own value is a dependency on the identifier ``<python>``, whose
  only candidate is the target's Python. Either one excluding the target excludes the
  file, so the result is never more permissive than pip's.
- **Dead ends** (decisions 91, 95; :mod:`graft.resolve.dead_ends`): a candidate given up
  because its own requirement admits nothing, whatever else is required, is not offered
  again; a root left with only dead ends ends the resolution
  (:mod:`graft.resolve.no_resolution`).
- **Order**: which identifier to pin next, from the requirements alone
  (:mod:`graft.resolve.pin_order`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from packaging.utils import NormalizedName
from packaging.version import Version
from resolvelib import AbstractProvider

from graft.resolve.artifacts import ListingPrefetch
from graft.resolve.candidate_deps import CandidateDeps
from graft.resolve.candidates import (
    PYTHON,
    Candidate,
    Need,
    PythonCandidate,
    WheelCandidate,
    candidate_key,
    offer,
)
from graft.resolve.dead_ends import DeadEnds
from graft.resolve.first_offered import first_offered
from graft.resolve.metadata_reader import MetadataReader
from graft.resolve.no_resolution import NoResolution
from graft.resolve.pin_order import Promotions, narrowed, preference
from graft.resolve.readahead import ReadAhead
from graft.resolve.screen import screen

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from packaging.specifiers import SpecifierSet
    from resolvelib.structs import RequirementInformation, State

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile, ProjectSource
    from graft.resolve.clash_reach import Clash
    from graft.resolve.policy import Policy
    from graft.resolve.screen import Screen
    from graft.resolve.screenmemo import ScreenMemo

    # a listing and its screening, by specifiers and what each says of prereleases
    Screened = tuple[Sequence[ArtifactFile], Screen]
    ScreenedSpec = tuple[SpecifierSet, bool | None]


class Provider(DeadEnds, NoResolution, CandidateDeps, AbstractProvider[Need, Candidate, str]):
    """resolvelib's view of one target and one :class:`ProjectSource`."""

    def __init__(
        self,
        source: ProjectSource,
        target: Target,
        policy: Policy,
        prefetch: int = 0,
        *,
        dependencies: bool = True,
        screens: ScreenMemo | None = None,
        roots: Sequence[Need] = (),
    ) -> None:
        """*roots*: the request's requirements, which a read ahead's guess must meet too."""
        self.source = source
        self.roots = tuple(roots)
        self.screens = screens  # a lock's screenings, shared across its environments
        self.dependencies = dependencies  # False: --no-deps (Requires-Python still holds)
        self.target = target
        self.policy = policy
        self._files: dict[NormalizedName, Sequence[ArtifactFile]] = {}
        # a cold resolution's reads ahead (decision 77): with prefetch threads and an index
        self.ahead: ReadAhead | None = None
        if prefetch and isinstance(source, ListingPrefetch):
            self.ahead = ReadAhead(
                source,
                target,
                policy,
                files=self.files,
                listed=self._files,
                read=self._prefetch,
                roots=[(n.name, n.specifier) for n in roots],
            )
        on_read = self.ahead.on_read if self.ahead is not None and dependencies else None
        self.reader = MetadataReader(source, prefetch, on_read)
        self.warnings: dict[str, None] = {}  # ordered set
        # every requirement handed to the resolver, with who stated it (None: the request),
        # so that a failure can name every project that does not exist, not only the first
        self.needed: dict[str, list[tuple[Need, WheelCandidate | None]]] = {}
        # the search's state after its last round (the reporter's): the requirements holding
        # now, which a failure chain names rather than one given up since (decision 386)
        self.now: State[Need, Candidate, str] | None = None
        self._python = PythonCandidate(Version(target.version))
        self._satisfied: dict[tuple[int, int], tuple[Need, Candidate, bool]] = {}
        # each Requires-Python need's verdict on the target's Python (decision 496)
        self._pythons: dict[int, tuple[Need, bool]] = {}
        # get_dependencies' answers: (file url, filename, extra) -> (fixed, own, warnings)
        self._dependencies: dict[
            tuple[str, str, str | None], tuple[list[Need], list[Need], tuple[str, ...]]
        ] = {}
        # the wheels (and extras) whose dependencies were worked out, in order (decision 202)
        self.worked: list[tuple[ArtifactFile, str]] = []
        # dead ends (decision 91): candidates one of whose own requirements nothing admits,
        # by (file url, filename, extra), each with that requirement
        self.dead_ends: dict[tuple[str, str, str | None], tuple[WheelCandidate, Need]] = {}
        # rule_out's question per need: the first candidate it admits alone (None: nothing)
        self._alone: dict[Need, Candidate | None] = {}
        # dead ends that clash with a root (decision 133): that root, for the explanation;
        # and the (candidate, root) pairs asked already
        self.clashes: dict[tuple[str, str, str | None], Clash] = {}
        self._clash_asked: set[tuple[tuple[str, str, str | None], Need]] = set()
        # what a root's candidates admit of an identifier, by (root, identifier) (decision 137),
        # and each root's widened offer
        self._reaches: dict[tuple[Need, str], frozenset[int]] = {}
        self._unreached: dict[tuple[Need, str], WheelCandidate] = {}  # (what made it unknown)
        self._widened: dict[Need, list[Candidate] | None] = {}
        # per root, how many of its widened offer's first candidates are dead ends (488)
        self._dead_before: dict[Need, int] = {}
        # decision 141: the candidates given up in a row for one identifier; per (candidate,
        # root) the root's candidate that does not clash with it; a specifier's versions
        self._failing: list[WheelCandidate] = []
        self._scanned: dict[tuple[tuple[str, str, str | None], Need], WheelCandidate | None] = {}
        self._admits: dict[tuple[str, SpecifierSet], frozenset[int] | None] = {}
        self.tag_rank = target.tag_rank()
        # a sync's screenings by project and specifiers, with the listing screened (decision
        # 482: resolvelib asks again for each criterion it rebuilds after a backtrack)
        self._screened: dict[tuple[str, tuple[ScreenedSpec, ...]], Screened] = {}
        # what came up unpinned in backtracks again and again, pinned sooner (decision 483;
        # shared by the searches started again)
        self.promotions = Promotions()
        # decisions 486, 495: the yanked or prerelease candidates whose dead end is being
        # proved, and what an ``==`` naming such a version offers, per need and version
        self._proving: set[tuple[str, str, str | None]] = set()
        self._widening_offers: dict[tuple[Need, Version], list[Candidate]] = {}

    def fresh(self) -> Provider:
        """A provider of the same questions with nothing noted, sharing what was read."""
        other = Provider.__new__(Provider)
        other.__dict__.update(self.__dict__)
        other.warnings, other.needed, other.now = {}, {}, None
        return other

    def holding(self, state: State[Need, Candidate, str]) -> None:
        """The search's *state* after a round, which a failure's chain reads.

        (:func:`graft.resolve.causes.requested_and_parents`; decision 386.)
        """
        self.now = state

    def note(self, needs: Sequence[Need], parent: WheelCandidate | None) -> list[Need]:
        """Remember *needs* as stated by *parent* (for explanations); returns them."""
        for need in needs:
            if need.name != PYTHON:
                self.needed.setdefault(need.name, []).append((need, parent))
        return list(needs)

    def known_projects(self) -> list[NormalizedName]:
        """The projects asked of the source so far that have files."""
        return [name for name, files in self._files.items() if files]

    def prefetch_files(self, needs: Sequence[Need]) -> None:
        """Have the source list the projects of *needs* in the background, where it can.

        Only with prefetch threads (an index): the answers are the same, sooner.
        """
        if self.ahead is not None:
            self.ahead.list_projects([NormalizedName(n.name) for n in needs if n.name != PYTHON])

    def _prefetch(self, file: ArtifactFile) -> None:
        self.reader.prefetch(file)

    def listed(self, name: NormalizedName) -> Sequence[ArtifactFile] | None:
        """The project's files if listed already (here, or by a lock's other resolutions)."""
        from graft.resolve.shared import SharedSource  # noqa: PLC0415 - (a lock's proof only)

        files = self._files.get(name)
        if files is None and isinstance(self.source, SharedSource):
            found = self.source.listed(name)
            files = None if found is None else self._files.setdefault(name, found)
        return files

    def files(self, name: NormalizedName) -> Sequence[ArtifactFile]:
        """The project's files, asked of the source once."""
        files = self._files.get(name)
        if files is None:  # (one answer kept for every thread: setdefault is atomic)
            files = self._files.setdefault(name, self.source.files(name))
        return files

    def identify(self, requirement_or_candidate: Need | Candidate) -> str:
        """``name``, ``name[extra]`` or ``<python>``."""
        return requirement_or_candidate.identifier

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[RequirementInformation[Need, Candidate]]],
        backtrack_causes: Sequence[RequirementInformation[Need, Candidate]],
    ) -> Iterable[str]:
        """What to pin next: :func:`graft.resolve.pin_order.narrowed`.

        Each call is a round: the backtrack causes not pinned are counted (pip's way).
        """
        del candidates, information
        self.promotions.count(backtrack_causes, resolutions)
        return narrowed(identifiers, backtrack_causes, self.promotions.promoted)

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[RequirementInformation[Need, Candidate]]],
        backtrack_causes: Sequence[RequirementInformation[Need, Candidate]],
    ) -> tuple[bool, bool, bool, bool, bool, str]:
        """In what order: :func:`graft.resolve.pin_order.preference`."""
        del resolutions, candidates
        promoted = self.promotions.promoted
        return preference(identifier, information[identifier], backtrack_causes, promoted)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Need]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        """The wheel files every requirement on *identifier* admits, best first.

        Less the dead ends (:meth:`rule_out`): resolvelib would only try them again. An
        extra's candidates are its project's files, so they meet what the project itself
        must as well (pip's factory does the same): else, with the project pinned, every
        older release of the extra is offered and fails against the pin in turn, down to an
        sdist that has to be built (``dask[complete]``: 248 releases, decision 408).
        """
        bad = set(incompatibilities[identifier])
        needs = list(requirements[identifier])
        base, bracket, _ = identifier.partition("[")
        if bracket:
            needs += requirements.get(base, ())
        out = self._matches(identifier, needs, bad)
        if out:
            self._read_soon(out[0])
            if self.ahead is not None:
                self.ahead.offered(identifier, out)
        return out

    def first_match(self, identifier: str, needs: Sequence[Need]) -> Candidate | None:
        """The first candidate :meth:`find_matches` offers for *needs* alone, or None.

        Read a release at a time (:func:`~graft.resolve.first_offered.first_offered`), unless the
        answer needs the whole list: the target's Python, a file named, dead ends.
        """
        if identifier == PYTHON or self.dead_ends or any(n.filename for n in needs):
            out = self.find_matches(identifier, {identifier: iter(needs)}, {identifier: iter(())})
            return out[0] if out else None
        candidate = self._first_offered(needs)
        if candidate is not None:
            self._read_soon(candidate)
        return candidate

    def _first_offered(self, needs: Sequence[Need]) -> WheelCandidate | None:
        """The first candidate :meth:`_matches` offers for *needs*, dead ends and all.

        *needs* on a project, no file named; read a release at a time, no read started.
        """
        name, extra = NormalizedName(needs[0].name), needs[0].extra
        specs = [n.specifier for n in needs]
        if name in self.policy.constraints:
            specs.append(self.policy.constraints[name])
        files, target, policy, rank = self.files(name), self.target, self.policy, self.tag_rank
        if self.screens is not None:
            found = self.screens.first(name, files, specs, target, policy, tag_rank=rank)
        else:
            found = first_offered(name, files, specs, target, policy, tag_rank=rank)
        return None if found is None else WheelCandidate(name, found[0], found[1], extra)

    def _read_soon(self, candidate: Candidate) -> None:
        """Start reading *candidate*'s METADATA: the likeliest next read.

        An sdist's only if its build is certain; with a read ahead, its dependencies too.
        """
        if not isinstance(candidate, WheelCandidate):
            return
        if self.ahead is not None:  # (with *extra*)
            self.ahead.start(candidate.file, () if candidate.extra is None else (candidate.extra,))
        else:
            self.reader.prefetch(candidate.file)

    def _matches(
        self, identifier: str, needs: list[Need], bad: set[Candidate], *, dead: bool = False
    ) -> list[Candidate]:
        """What :meth:`find_matches` answers (with the dead ends if *dead*), nothing started."""
        if identifier == PYTHON:
            ok = all(self._python_meets(n) for n in needs)
            return [self._python] if ok and self._python not in bad else []
        if needs and needs[0].identifier == identifier:
            name, extra = NormalizedName(needs[0].name), needs[0].extra
        else:  # resolvelib's backjump patches a criterion whose requirements were all taken
            # back (as pip's provider does, every file of the project is then a candidate;
            # an extra's may still meet its project's)
            base, _, rest = identifier.partition("[")
            name, extra = NormalizedName(base), NormalizedName(rest[:-1]) if rest else None
        only = {n.filename for n in needs if n.filename is not None}
        specs = [n.specifier for n in needs]
        if name in self.policy.constraints:
            specs.append(self.policy.constraints[name])
        files = self.files(name)
        if self.screens is not None:
            found = self.screens.screen(
                name, files, specs, self.target, self.policy, tag_rank=self.tag_rank
            )
        else:
            found = self._screen(name, files, specs)
        fallback = self.policy.same_version_fallback
        if bad or self.screens is None:
            out = offer(found, name, extra, only, bad, fallback=fallback)
        else:  # a lock's usual question: the answer shared by its resolutions
            offered = functools.partial(offer, found, name, extra, only, bad, fallback=fallback)
            out = list(self.screens.offered(found, extra, frozenset(only), offered))
        if self.dead_ends and not dead:
            ends = self.dead_ends
            out = [
                c for c in out if not isinstance(c, WheelCandidate) or candidate_key(c) not in ends
            ]
        return out

    def _screen(
        self, name: NormalizedName, files: Sequence[ArtifactFile], specs: list[SpecifierSet]
    ) -> Screen:
        """The screening of *files* by *specs*, worked out once per listing and specifiers."""
        key = (name, tuple((s, s.prereleases) for s in specs))
        known = self._screened.get(key)
        if known is not None and known[0] is files:
            return known[1]
        found = screen(
            name, files, specs, self.target, self.policy, tag_rank=self.tag_rank, reasons=False
        )
        self._screened[key] = (files, found)
        return found

    def _python_meets(self, need: Need) -> bool:
        """Whether the target's Python meets *need*, once per need (kept with its verdict).

        resolvelib asks for ``<python>``'s matches with every Requires-Python pinned so far,
        each time one more arrives: ``autogluon==1.1.1``'s 41 resolutions asked 560,000.
        """
        known = self._pythons.get(id(need))
        if known is None or known[0] is not need:
            ok = need.specifier.contains(self._python.version, prereleases=True)
            known = self._pythons[id(need)] = (need, ok)
        return known[1]

    def is_satisfied_by(self, requirement: Need, candidate: Candidate) -> bool:
        """Whether *candidate* meets *requirement* (prereleases already screened).

        Answered once per pair: resolvelib asks again for every pin in every round (the
        pair is kept with the answer, so that neither id is reused while it is remembered).
        """
        key = (id(requirement), id(candidate))
        known = self._satisfied.get(key)
        if known is None:
            known = self._satisfied[key] = (
                requirement,
                candidate,
                self._meets(requirement, candidate),
            )
        return known[2]

    def _meets(self, requirement: Need, candidate: Candidate) -> bool:
        if not requirement.specifier.contains(candidate.version, prereleases=True):
            return False
        if isinstance(candidate, PythonCandidate):
            return True
        return requirement.filename is None or requirement.filename == candidate.file.filename
