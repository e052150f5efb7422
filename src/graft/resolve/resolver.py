"""Resolve requirements for one target into one wheel file per project.

:func:`resolve` is the entry point ``graft sync`` calls once it has a target and a
:class:`~graft.resolve.artifacts.ProjectSource`; it returns a :class:`Resolution` or
raises :class:`~graft.resolve.resolution_error.ResolutionError` with a readable explanation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from resolvelib import ResolutionImpossible, ResolutionTooDeep

from graft.errors import BuildError, SourceError, UsageError, first_line
from graft.model.target import applying
from graft.resolve.artifacts import ArtifactNode, group_nodes, sdist_name
from graft.resolve.candidates import PYTHON, Need, WheelCandidate
from graft.resolve.pinned import Step, pinned_resolution
from graft.resolve.policy import Policy
from graft.resolve.provider import Provider
from graft.resolve.reporter import GaveUp, RepinCycle, Reporter, Restart, Unsatisfiable
from graft.resolve.unanimous import NoResolution, unanimous_resolution

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from packaging.version import Version
    from resolvelib.structs import DirectedGraph, State

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile, ProjectSource
    from graft.resolve.candidates import Candidate
    from graft.resolve.screenmemo import ScreenMemo

#: resolvelib's rounds before giving up (pip uses 200,000; ours are tiny sets so far).
MAX_ROUNDS = 20_000
#: Candidates a lock's environment may rule out before it is given up (decision 67): one no
#: root can be met in otherwise backtracks through every release of unrelated projects.
LOCK_REJECTIONS = 2_000


@dataclass(frozen=True, slots=True)
class Pin:
    """One project of the result: the wheel file chosen for the target."""

    name: NormalizedName
    version: Version
    file: ArtifactFile
    extras: tuple[NormalizedName, ...]  # extras asked of it, sorted
    requires: tuple[NormalizedName, ...]  # projects its applicable requirements name, sorted

    @property
    def label(self) -> str:
        """``name==version``."""
        return f"{self.name}=={self.version}"


#: How a resolution was found: resolvelib's search, or a way proven to give its answer
#: without one (:mod:`graft.resolve.pinned`, :mod:`graft.resolve.unanimous`).
Found = Literal["search", "pinned", "unanimous"]


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of :func:`resolve`."""

    pins: tuple[Pin, ...]  # sorted by name
    metadata_reads: int  # METADATA files read through the source
    rounds: int
    backtracks: int
    warnings: tuple[str, ...]
    nodes: tuple[ArtifactNode, ...]  # every METADATA read, grouped by surface
    # a request pinned exactly: the provider's answers, to recall next time (resolve.pinned)
    steps: tuple[tuple[str, Step], ...] = ()
    found: Found = "search"


def root_needs(
    requirements: Iterable[Requirement | str | Need], target: Target, where: str = "command line"
) -> list[Need]:
    """The requirements asked for, as resolver needs; markers evaluated for *target*.

    A :class:`Need` is taken as it is (a requirement parsed already, its marker decided).
    """
    needs: list[Need] = []
    parsed: list[Need | Requirement] = []
    for item in requirements:
        if isinstance(item, Need):
            parsed.append(item)
            continue
        try:
            req = item if isinstance(item, Requirement) else Requirement(item)
        except InvalidRequirement as exc:
            why = first_line(exc)
            raise UsageError(f"cannot parse requirement {item!r} ({why})", where=where) from None
        if req.url:
            raise UsageError(f"{req}: direct URL requirements are not supported yet", where=where)
        parsed.append(req)
    kept = applying(  # (a lock environment: what its series needs, decision 113)
        parsed,
        lambda r: r.marker if isinstance(r, Requirement) else None,
        lambda r: canonicalize_name(r.name),
        env=target.markers,
        other=target.later_release_markers(),
    )
    for one in kept:
        if isinstance(one, Need):
            needs.append(one)
            continue
        req = one
        name = canonicalize_name(req.name)
        needs.append(Need(name, None, req.specifier, text=str(req)))
        needs.extend(
            Need(name, canonicalize_name(e), req.specifier, text=str(req))
            for e in sorted(req.extras)
        )
    return needs


def resolve(
    requirements: Iterable[Requirement | str | Need],
    target: Target,
    source: ProjectSource,
    policy: Policy | None = None,
    *,
    max_rounds: int = MAX_ROUNDS,
    prefetch: int = 0,
    dependencies: bool = True,
    screens: ScreenMemo | None = None,
    shortcut: bool = True,
    recalled: Mapping[str, Step] | None = None,
    max_rejections: int | None = None,
) -> Resolution:
    """One wheel per project for *target*, satisfying *requirements*.

    And every chosen wheel's own Requires-Dist and Requires-Python.

    With *prefetch* threads, the METADATA of each identifier's best candidate is read as
    soon as the identifier appears (the source must allow concurrent reads); the result is
    the same, ``metadata_reads`` may count a few reads the resolution did not need.
    Without *dependencies* (``--no-deps``), only the requirements themselves are resolved.
    *screens* shares screenings with other resolutions over the same source (a lock's).
    A request that pins every project exactly is answered without search
    (:mod:`graft.resolve.pinned`), the same answer, unless *shortcut* is off (for tests);
    *recalled* are its steps from an earlier resolution the caller vouches for. With
    *max_rejections*, ruling out more candidates than that ends it as a failure explained by
    the first conflict (a lock's environment: :data:`LOCK_REJECTIONS`).

    Raises :class:`~graft.resolve.resolution_error.ResolutionError` (a ``SourceError``) when no
    such set exists, :class:`~graft.errors.UsageError` for an unparsable requirement.
    """
    roots = root_needs(requirements, target)
    provider = Provider(
        source,
        target,
        policy or Policy(),
        prefetch,
        dependencies=dependencies,
        screens=screens,
        roots=roots,
    )
    try:
        return _search(roots, provider, max_rounds, recalled, shortcut, max_rejections)
    except SourceError as exc:
        from graft.resolve.resolution_error import ResolutionError  # noqa: PLC0415 - on failure

        if isinstance(exc, ResolutionError):  # (a lock looks for a later release: decision 157)
            exc.met = tuple(sorted(provider.known_projects()))
            exc.read = tuple(provider.worked)
        raise


def _search(  # noqa: PLR0915, PLR0917 - resolve()'s; each failure explained where it is raised
    roots: list[Need],
    provider: Provider,
    max_rounds: int,
    recalled: Mapping[str, Step] | None,
    shortcut: bool,
    max_rejections: int | None,
) -> Resolution:
    """:func:`resolve`'s search, from the shortcuts to resolvelib, over *provider*."""
    try:
        pinned = pinned_resolution(roots, provider, recalled) if shortcut else None
    except BaseException:
        provider.reader.close()
        raise
    if pinned is not None:
        provider.reader.close()
        done = _resolution(pinned.mapping, pinned.children.__getitem__, provider, 0, 0)
        steps = tuple(sorted(pinned.steps.items()))
        return dataclasses.replace(done, steps=steps, found="pinned")
    if shortcut:
        provider.prefetch_files(roots)
        try:
            found = unanimous_resolution(roots, provider)
        except NoResolution as proof:
            from graft.resolve.explain import proved  # noqa: PLC0415 - only on failure

            raise proved(proof, roots, provider) from None
        if found is not None:
            provider.reader.close()
            done = _resolution(found.mapping, found.children.__getitem__, provider, 0, 0)
            return dataclasses.replace(done, found="unanimous")
        provider = provider.fresh()  # (what the attempts noted would blur an explanation)
    from graft.resolve.backtracking import backtracking_search  # noqa: PLC0415 - a search's

    provider.note(roots, None)
    provider.prefetch_files(roots)
    reporter = Reporter(max_rejections, provider)
    strict = False  # (after a cycle of re-pins, decision 286: a search without re-pins)
    try:
        result = None
        while result is None:
            try:
                left = max_rounds - reporter.rounds
                result = backtracking_search(provider, reporter, roots, left, strict=strict)
            except Restart as restart:  # a dead end learned (decision 133): a search without it
                strict = strict or isinstance(restart, RepinCycle)
                provider = provider.fresh()
                provider.note(roots, None)
                reporter.restart(provider)
        mapping, children = result.mapping, _children_in(result.graph)
    except RecursionError:  # (resolvelib 1.2's walk of the answer, on a cycle off the root)
        if reporter.final is None:
            raise
        mapping, children = _connected(reporter.final)
    except GaveUp:
        from graft.resolve.explain import gave_up  # noqa: PLC0415 - only on failure

        raise gave_up(reporter, provider) from None
    except ResolutionImpossible as exc:
        from graft.resolve.explain import explain  # noqa: PLC0415 - only on failure

        raise explain(exc.causes, provider, reporter.conflicts) from None
    except Unsatisfiable as exc:  # a root admits only dead ends: no resolution (decision 91)
        from graft.resolve.explain import explain_root  # noqa: PLC0415 - only on failure

        raise explain_root(exc.need, provider) from None
    except ResolutionTooDeep:
        raise SourceError(
            f"no resolution found within {max_rounds} rounds",
            hint="pin some of the requirements more tightly",
        ) from None
    except (BuildError, SourceError) as exc:  # an older release's sdist reached backtracking
        if not (reporter.conflicts or reporter.first_rejected) or _explained(exc):
            raise
        from graft.resolve.explain import backtracked_into  # noqa: PLC0415 - only on failure

        raise backtracked_into(exc, reporter, provider) from None
    finally:
        provider.reader.close()
    return _resolution(mapping, children, provider, reporter.rounds, reporter.rejections)


def _children_in(graph: DirectedGraph[str | None]) -> Callable[[str], set[str]]:
    def children(ident: str) -> set[str]:
        return {c for c in graph.iter_children(ident) if c is not None}

    return children


def _connected(
    state: State[Need, Candidate, str],
) -> tuple[dict[str, Candidate], Callable[[str], set[str]]]:
    """What resolvelib's result holds, taken from its final *state* without recursion.

    resolvelib 1.2 keeps a pin only if a chain of pinned parents leads from a root
    requirement to it, and walks those chains recursively, with no end when two pins require
    each other and no root requirement reaches either (left by backtracking): a
    ``RecursionError`` after the resolution succeeded. This walk finds the same pins and
    edges by a fixed point (a pin is kept once one of its parents is).
    """
    keys: dict[int, str | None] = {id(v): k for k, v in state.mapping.items()}
    keys[id(None)] = None
    parents = {
        key: {keys[id(p)] for p in criterion.iter_parent() if id(p) in keys}
        for key, criterion in state.criteria.items()
    }
    connected: set[str | None] = {None}
    grew = True
    while grew:
        grew = False
        for key, of in parents.items():
            if key not in connected and of & connected:
                connected.add(key)
                grew = True
    below: dict[str, set[str]] = {}
    for key, of in parents.items():
        for parent in of & connected if key in connected else ():
            if parent is not None:
                below.setdefault(parent, set()).add(key)
    mapping = {k: v for k, v in state.mapping.items() if k in connected}
    return mapping, lambda ident: below.get(ident, set())


def _explained(exc: BuildError | SourceError) -> bool:
    """Whether *exc* is not an sdist's failure: a resolution's own explanation, an index's."""
    if isinstance(exc, BuildError):
        return False
    return sdist_name((exc.where or "").rpartition("/")[2]) is None  # (where: its path)


def _yanked_warnings(pins: Iterable[Pin]) -> list[str]:
    """A warning per pin whose file is yanked, with the reason, as pip and uv warn.

    PEP 592: an installer should say so; only an ``==`` naming the version admits such a file.
    """
    said = []
    for pin in pins:
        if pin.file.yanked is None:
            continue
        reason = pin.file.yanked.strip()
        why = f" (reason: {reason})" if reason else ""
        said.append(f"{pin.label} ({pin.file.filename}) is yanked{why}")
    return said


def _resolution(
    mapping: Mapping[str, object],
    children: Callable[[str], Iterable[str]],
    provider: Provider,
    rounds: int,
    backtracks: int,
) -> Resolution:
    """The :class:`Resolution` of the candidates chosen per identifier."""
    extras: dict[str, set[NormalizedName]] = {}
    wheels: dict[str, WheelCandidate] = {}
    for candidate in mapping.values():
        if not isinstance(candidate, WheelCandidate):
            continue
        if candidate.extra is None:
            wheels[candidate.name] = candidate
        else:
            extras.setdefault(candidate.name, set()).add(candidate.extra)
    pins = []
    for name in sorted(wheels):
        candidate = wheels[name]
        below = {
            NormalizedName(child.split("[", 1)[0])
            for ident in (name, *(f"{name}[{e}]" for e in extras.get(name, ())))
            for child in children(ident)
            if child != PYTHON
        } - {name}
        pins.append(
            Pin(
                candidate.name,
                candidate.version,
                candidate.file,
                tuple(sorted(extras.get(name, ()))),
                tuple(sorted(below)),
            )
        )
    return Resolution(
        pins=tuple(pins),
        metadata_reads=provider.reader.reads,
        rounds=rounds,
        backtracks=backtracks,
        warnings=(*provider.warnings, *_yanked_warnings(pins)),
        nodes=group_nodes(provider.reader.seen()),
    )
