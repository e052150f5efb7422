"""A resolvelib provider for one target whose candidates are wheel files.

- **Candidates** are wheel files (:class:`WheelCandidate`), the ones
  :func:`graft.resolve.screen.screen` keeps, best first. As pip and uv do, only the
  target's best wheel of a version is offered, unless ``Policy.same_version_fallback``
  also offers the others.
- **Dependencies** of a candidate are *that wheel's own* Requires-Dist, with markers
  evaluated for the target (PEP 508: ``extra`` is ``""`` for the base and each requested
  extra for ``name[extra]``). Extras are separate identifiers, as in pip: ``name[extra]``
  depends on ``name`` pinned to the same wheel file plus the extra's requirements.
- **Requires-Python**: the index's value screens files before any METADATA is read, as
  pip does; the wheel's own value is a dependency on the identifier ``<python>``, whose
  only candidate is the target's Python. Either one excluding the target excludes the
  file, so the result is never more permissive than pip's.
- **Dead ends** (decision 91): a candidate given up because its own requirement admits
  nothing is not offered again; a root left with only dead ends ends the resolution.
- A wheel whose METADATA names another project or version stops the resolution.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider, BaseReporter

from graft.errors import SourceError
from graft.resolve.admit import by_version
from graft.resolve.artifacts import ListingPrefetch, MetadataReader
from graft.resolve.first_offered import first_offered
from graft.resolve.readahead import ReadAhead
from graft.resolve.screen import Prereleases, screen

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterator, Mapping, Sequence

    from packaging.requirements import Requirement
    from resolvelib.structs import RequirementInformation, State

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile, ProjectSource
    from graft.resolve.screen import Policy, Screen
    from graft.resolve.screenmemo import ScreenMemo
    from graft.resolve.surface import Surface

#: The identifier of the target's Python: a wheel's Requires-Python is a dependency on it.
PYTHON = "<python>"


@dataclass(frozen=True, slots=True)
class Need:
    """A requirement on one identifier (a project, ``project[extra]``, or ``<python>``)."""

    name: str  # canonical project name, or PYTHON
    extra: NormalizedName | None = None
    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    filename: str | None = None  # only this wheel file (an extra follows its base's wheel)
    text: str = ""  # the requirement as its source wrote it, for messages

    @property
    def identifier(self) -> str:
        """``name`` or ``name[extra]``."""
        return f"{self.name}[{self.extra}]" if self.extra else self.name


@dataclass(frozen=True, slots=True)
class WheelCandidate:
    """One wheel file offered for a project (or for one of its extras)."""

    name: NormalizedName
    version: Version
    file: ArtifactFile
    extra: NormalizedName | None = None

    @property
    def identifier(self) -> str:
        """``name`` or ``name[extra]``."""
        return f"{self.name}[{self.extra}]" if self.extra else self.name

    @property
    def label(self) -> str:
        """``name==version (filename)``, for messages."""
        return f"{self.name}=={self.version} ({self.file.filename})"


@dataclass(frozen=True, slots=True)
class PythonCandidate:
    """The target's Python, the only candidate for :data:`PYTHON`."""

    version: Version
    identifier: str = PYTHON


Candidate = WheelCandidate | PythonCandidate


class Provider(AbstractProvider[Need, Candidate, str]):
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
        self._python = PythonCandidate(Version(target.version))
        self._satisfied: dict[tuple[int, int], tuple[Need, Candidate, bool]] = {}
        # get_dependencies' answers: (file url, filename, extra) -> (fixed, own, warnings)
        self._dependencies: dict[
            tuple[str, str, str | None], tuple[list[Need], list[Need], tuple[str, ...]]
        ] = {}
        # dead ends (decision 91): candidates one of whose own requirements nothing admits,
        # by (file url, filename, extra), each with that requirement
        self.dead_ends: dict[tuple[str, str, str | None], tuple[WheelCandidate, Need]] = {}
        # rule_out's question per need: (dead ends known when asked, whether it admits any)
        self._alone: dict[Need, tuple[int, bool]] = {}
        self.tag_rank = target.tag_rank()

    def fresh(self) -> Provider:
        """A provider of the same questions with nothing noted, sharing what was read."""
        other = Provider.__new__(Provider)
        other.__dict__.update(self.__dict__)
        other.warnings, other.needed = {}, {}
        return other

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

    def files(self, name: NormalizedName) -> Sequence[ArtifactFile]:
        """The project's files, asked of the source once."""
        files = self._files.get(name)
        if files is None:  # (one answer kept for every thread: setdefault is atomic)
            files = self._files.setdefault(name, self.source.files(name))
        return files

    def identify(self, requirement_or_candidate: Need | Candidate) -> str:
        """``name``, ``name[extra]`` or ``<python>``."""
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[RequirementInformation[Need, Candidate]]],
        backtrack_causes: Sequence[RequirementInformation[Need, Candidate]],
    ) -> tuple[bool, bool, bool, bool, str]:
        """Python first, then what caused backtracking, then exact pins, then roots."""
        del resolutions, candidates
        infos = list(information[identifier])
        causes = {cause.requirement.identifier for cause in backtrack_causes}
        pinned = any(
            info.requirement.filename is not None
            or any(c.operator in {"==", "==="} for c in info.requirement.specifier)
            for info in infos
        )
        root = any(info.parent is None for info in infos)
        return (identifier != PYTHON, identifier not in causes, not pinned, not root, identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Need]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        """The wheel files every requirement on *identifier* admits, best first.

        Less the dead ends (:meth:`rule_out`): resolvelib would only try them again.
        """
        bad = set(incompatibilities[identifier])
        out = self._matches(identifier, list(requirements[identifier]), bad)
        if out:
            self._read_soon(out[0])
        return out

    def first_match(self, identifier: str, needs: Sequence[Need]) -> Candidate | None:
        """The first candidate :meth:`find_matches` offers for *needs* alone, or None.

        Read a release at a time (:func:`~graft.resolve.first_offered.first_offered`), unless the
        answer needs the whole list: the target's Python, a file named, dead ends.
        """
        if identifier == PYTHON or self.dead_ends or any(n.filename for n in needs):
            out = self.find_matches(identifier, {identifier: iter(needs)}, {identifier: iter(())})
            return out[0] if out else None
        name, extra = NormalizedName(needs[0].name), needs[0].extra
        specs = [n.specifier for n in needs]
        if name in self.policy.constraints:
            specs.append(self.policy.constraints[name])
        files, target, policy, rank = self.files(name), self.target, self.policy, self.tag_rank
        if self.screens is not None:
            found = self.screens.first(name, files, specs, target, policy, tag_rank=rank)
        else:
            found = first_offered(name, files, specs, target, policy, tag_rank=rank)
        if found is None:
            return None
        candidate = WheelCandidate(name, found[0], found[1], extra)
        self._read_soon(candidate)
        return candidate

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
            ok = all(n.specifier.contains(self._python.version, prereleases=True) for n in needs)
            return [self._python] if ok and self._python not in bad else []
        if needs:
            name, extra = NormalizedName(needs[0].name), needs[0].extra
        else:  # resolvelib's backjump patches a criterion whose requirements were all taken
            # back (as pip's provider does, every file of the project is then a candidate)
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
            found = screen(
                name, files, specs, self.target, self.policy, tag_rank=self.tag_rank, reasons=False
            )
        if bad or self.screens is None:
            out = self._offer(found, name, extra, only, bad)
        else:  # a lock's usual question: the answer shared by its resolutions
            offer = functools.partial(self._offer, found, name, extra, only, bad)
            out = list(self.screens.offered(found, extra, frozenset(only), offer))
        if self.dead_ends and not dead:
            ends = self.dead_ends
            out = [c for c in out if not isinstance(c, WheelCandidate) or _key(c) not in ends]
        return out

    def rule_out(self, candidate: Candidate, needs: Sequence[Need]) -> None:
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
        need = next((n for n in needs if self._hopeless(n)), None)
        if need is None:
            return
        self.dead_ends[_key(candidate)] = (candidate, need)
        for root in self.roots:  # resolvelib keeps a root's candidates: it would go on trying
            if root.identifier != candidate.identifier or self._matches(
                root.identifier, [root], set()
            ):
                continue
            ends = self.only_dead_ends(root)  # (what another requirement could add, too)
            if ends is not None:
                self.dead_ends.update(ends)
                raise Unsatisfiable(root)

    def _hopeless(self, need: Need) -> bool:
        """Whether *need* admits no candidate, whatever else is required."""
        return not self._admits_alone(need) and not self.widenable(need)

    def _admits_alone(self, need: Need) -> bool:
        """Whether *need* alone admits a candidate that is no dead end.

        Remembered until more dead ends are known: a search that backtracks rules the same
        candidates out over the same needs again and again (a screening each, in a sync).
        """
        known = self._alone.get(need)
        if known is not None and (not known[1] or known[0] == len(self.dead_ends)):
            return known[1]
        admits = bool(self._matches(need.identifier, [need], set()))
        self._alone[need] = (len(self.dead_ends), admits)
        return admits

    def widenable(self, need: Need) -> bool:
        """Whether another requirement could make *need* admit what it does not alone.

        Others narrow it, but for two things a requirement can add (``screen``): a yanked
        file is offered only when an ``==`` names its version, and a prerelease when a
        specifier names one (or, ``if-necessary``, when nothing else is left: then *need*
        alone offers it too). So: a file *need* admits is yanked, or prereleases are
        ``disallow``-ed and it admits one. A file named is left as widenable (unproved).
        """
        if need.name == PYTHON:
            return False
        if need.filename is not None:
            return True
        grouped = by_version(self.files(NormalizedName(need.name)))
        if any(file.yanked is not None for file in grouped.admitted([need.specifier])):
            return True
        if self.policy.prereleases is not Prereleases.DISALLOW:
            return False
        contains = need.specifier.contains
        return any(v.is_prerelease and contains(v, prereleases=True) for v, _ in grouped.versions)

    def widened(self, need: Need) -> list[Candidate] | None:
        """Every candidate offered for *need* with any other requirements; None if unknown.

        The candidates *need* admits with prereleases allowed (what a specifier naming one
        adds), if no file it admits is yanked (an ``==`` could add that one).
        """
        if need.filename is not None or need.name == PYTHON:
            return None
        name = NormalizedName(need.name)
        files = self.files(name)
        specs = [need.specifier]
        if name in self.policy.constraints:
            specs.append(self.policy.constraints[name])
        if any(file.yanked is not None for file in by_version(files).admitted(specs)):
            return None
        wide = replace(self.policy, prereleases=Prereleases.ALLOW)
        found = screen(name, files, specs, self.target, wide, tag_rank=self.tag_rank, reasons=False)
        return self._offer(found, name, need.extra, set(), set())

    def only_dead_ends(
        self, root: Need, readable: Callable[[WheelCandidate], bool] | None = None
    ) -> dict[tuple[str, str, str | None], tuple[WheelCandidate, Need]] | None:
        """If no candidate *root* may ever be offered can be pinned: each, with why; else None.

        Each candidate of :meth:`widened` is a dead end already, or one of its own
        requirements is :meth:`_hopeless` (its METADATA read here, if *readable*; by
        default, a wheel's). Then no resolution holds *root*: every requirement on its
        identifier narrows what it admits, but for what :meth:`widened` adds.
        """
        widened = self.widened(root)
        if widened is None:
            return None
        ends: dict[tuple[str, str, str | None], tuple[WheelCandidate, Need]] = {}
        for candidate in widened:
            if not isinstance(candidate, WheelCandidate):
                return None
            key = _key(candidate)
            known = self.dead_ends.get(key)
            if known is None:
                if not (readable(candidate) if readable else candidate.file.is_wheel):
                    return None
                fixed, own, _ = self._known(candidate)
                need = next((n for n in (*fixed, *own) if self._hopeless(n)), None)
                if need is None:
                    return None
                known = (candidate, need)
            ends[key] = known
        return ends

    def dead_ends_of(self, needs: list[Need]) -> list[tuple[WheelCandidate, Need]]:
        """If *needs* admit only dead ends: each, best first, with the need ruling it out."""
        offered = self._matches(needs[0].identifier, needs, set(), dead=True)
        ends = [self.dead_ends.get(_key(c)) for c in offered if isinstance(c, WheelCandidate)]
        if len(ends) < len(offered) or None in ends:
            return []
        return [end for end in ends if end is not None]

    def _offer(
        self,
        found: Screen,
        name: NormalizedName,
        extra: NormalizedName | None,
        only: set[str],
        bad: set[Candidate],
    ) -> list[Candidate]:
        """The screening's files as candidates: one per version, less *bad* and other files.

        A version one of whose files resolvelib gave up (*bad*) is given up whole, as pip and
        uv give up a version: its next wheel or its sdist is not offered in its place (an
        sdist's metadata build cost the web roots' Windows arm64 lock a build per celery
        release backtracked through), unless ``Policy.same_version_fallback``.
        """
        out: list[Candidate] = []
        versions: set[Version] = set()
        fallback = self.policy.same_version_fallback
        given_up = {c.version for c in bad if isinstance(c, WheelCandidate) and not fallback}
        for version, file in found.offered:
            if only and file.filename not in only:
                continue
            if version in versions and not fallback:
                continue
            if version in given_up:
                continue
            candidate = WheelCandidate(name, version, file, extra)
            if bad and candidate in bad:  # (hashing a candidate hashes its file: not free)
                continue
            versions.add(version)
            out.append(candidate)
        return out

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

    def get_dependencies(self, candidate: Candidate) -> list[Need]:
        """The requirements of *candidate*'s own METADATA that apply to the target.

        Worked out once per wheel and extra: resolvelib asks again each time it tries the
        candidate (after a backtrack, often), and the answer (and its warnings) is the same.
        """
        if isinstance(candidate, PythonCandidate):
            return []
        fixed, own, said = self._known(candidate)
        self.warnings.update(dict.fromkeys(said))
        self.prefetch_files(own)
        return [*fixed, *self.note(own, candidate)]

    def _known(self, candidate: WheelCandidate) -> tuple[list[Need], list[Need], tuple[str, ...]]:
        """:meth:`get_dependencies`' answer, worked out once: fixed, own needs and warnings."""
        key = (candidate.file.url, candidate.file.filename, candidate.extra)
        known = self._dependencies.get(key)
        if known is None:
            before, self.warnings = self.warnings, {}
            try:
                fixed, own = self._dependencies_of(candidate)
            finally:
                said, self.warnings = self.warnings, before
            known = self._dependencies[key] = (fixed, own, tuple(said))
        return known

    def _dependencies_of(self, candidate: WheelCandidate) -> tuple[list[Need], list[Need]]:
        """What :meth:`get_dependencies` answers: needs on Python or the base, then the rest."""
        surface = self.reader.surface(candidate.file)
        if surface.name != candidate.name or surface.parsed_version != candidate.version:
            raise SourceError(
                f"its METADATA describes {surface.name}=={surface.version}",
                where=candidate.file.filename,
                hint="the wheel is inconsistent; report it to the project",
            )
        for line in surface.invalid:
            self.warnings[f"{candidate.label}: ignored unparsable {line}"] = None
        if candidate.extra is None:
            needs = []
            if surface.requires_python is not None:
                spec = SpecifierSet(surface.requires_python)
                text = f"Python {surface.requires_python}"
                needs.append(Need(PYTHON, None, spec, text=text))
            if not self.dependencies:
                return needs, []
            return needs, self._needs(candidate, self._requirements(candidate, surface, ""), "")
        if candidate.extra not in surface.provides_extra:
            self.warnings[f"{candidate.label} does not provide the extra {candidate.extra!r}"] = (
                None
            )
        base = Need(
            candidate.name,
            None,
            SpecifierSet(f"=={candidate.version}"),
            candidate.file.filename,
            text=f"{candidate.name}=={candidate.version}",
        )
        if not self.dependencies:
            return [base], []
        requirements = self._requirements(candidate, surface, candidate.extra)
        return [base], self._needs(candidate, requirements, candidate.extra)

    def _requirements(
        self, candidate: WheelCandidate, surface: Surface, extra: str
    ) -> tuple[Requirement, ...]:
        """The surface's requirements that may hold with *extra*, its variant markers decided.

        Lines only another extra needs are not even parsed (:meth:`Surface.requirements_for`).
        PEP 825: variant markers are decided against the wheel's properties the machine
        supports; without a chooser (variants off), as for a non-variant wheel.
        """
        if not surface.variant_requires:
            return surface.requirements_for(extra)
        from graft.variants.markers import VariantEnvironment, requirement  # noqa: PLC0415

        chooser = self.policy.variants
        env = chooser.environment(candidate.file) if chooser is not None else VariantEnvironment("")
        variant = (requirement(t, env) for t in surface.variant_requires)
        return (*surface.requirements_for(extra), *variant)

    def _needs(
        self, candidate: WheelCandidate, requirements: Sequence[Requirement], extra: str
    ) -> list[Need]:
        env = self.target.markers
        out: list[Need] = []
        for req in requirements:
            if req.marker is not None:
                if not req.marker.evaluate({**env, "extra": extra}):
                    continue
                if extra and req.marker.evaluate({**env, "extra": ""}):
                    continue  # the base candidate already depends on it
            elif extra:
                continue
            if req.url:
                raise SourceError(
                    f"{candidate.label} requires {req}, a direct URL: not supported yet",
                    where=candidate.file.filename,
                )
            name = canonicalize_name(req.name)
            out.append(Need(name, None, req.specifier, text=str(req)))
            out.extend(
                Need(name, canonicalize_name(e), req.specifier, text=str(req))
                for e in sorted(req.extras)
            )
        return out


def _key(candidate: WheelCandidate) -> tuple[str, str, str | None]:
    return (candidate.file.url, candidate.file.filename, candidate.extra)


class Unsatisfiable(Exception):  # noqa: N818 - ends the resolution; explained by the caller
    """Raised by :meth:`Provider.rule_out` once a root requirement admits only dead ends."""

    def __init__(self, need: Need) -> None:
        super().__init__(need.identifier)
        self.need = need


class GaveUp(Exception):  # noqa: N818 - not an error: the resolver is stopped on purpose
    """Raised by :class:`Reporter` once more candidates were ruled out than it allows."""


class Reporter(BaseReporter[Need, Candidate, str]):
    """Counts what the resolver did: rounds, pins and rejected candidates.

    With *max_rejections*, the resolution is stopped (:class:`GaveUp`) once more candidates
    than that were given up.
    """

    def __init__(self, max_rejections: int | None = None, provider: Provider | None = None) -> None:
        """*provider*: told of each candidate given up, to rule out dead ends (decision 91)."""
        self.max_rejections = max_rejections
        self.provider = provider
        self.rounds = 0
        self.pins = 0
        self.rejections = 0
        self.conflicts: list[tuple[RequirementInformation[Need, Candidate], ...]] = []
        # the requirements that ruled out the first candidate given up (a backtrack's start)
        self.first_rejected: tuple[RequirementInformation[Need, Candidate], ...] = ()
        self.final: State[Need, Candidate, str] | None = None  # the state it ended in

    def ending(self, state: State[Need, Candidate, str]) -> None:
        """The resolution found its answer: the state is kept (``resolver._connected``)."""
        self.final = state

    def resolving_conflicts(
        self, causes: Collection[RequirementInformation[Need, Candidate]]
    ) -> None:
        """The resolver backtracks because of *causes*: kept for the explanation."""
        self.conflicts.append(tuple(causes))

    def starting_round(self, index: int) -> None:
        """A new round."""
        self.rounds = index + 1

    def pinning(self, candidate: Candidate) -> None:
        """A candidate was pinned."""
        del candidate
        self.pins += 1

    def rejecting_candidate(self, criterion: object, candidate: Candidate) -> None:
        """A pinned candidate was given up (a backtrack); *criterion* is what ruled it out."""
        self.rejections += 1
        information = tuple(getattr(criterion, "information", ()))
        if not self.first_rejected:
            self.first_rejected = information
        if self.provider is not None:
            own = [info.requirement for info in information if info.parent is candidate]
            self.provider.rule_out(candidate, own)
        if self.max_rejections is not None and self.rejections > self.max_rejections:
            raise GaveUp
