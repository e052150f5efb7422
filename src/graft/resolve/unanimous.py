"""A resolution without search, where every requirement's first choice is the same candidate.

Most resolutions never backtrack: each project's newest fitting release meets every
requirement stated on it. resolvelib still pays for the search it does not need: each round
checks every pin against every requirement on it and ranks every open identifier (O(n²) for
n projects; about a third of a lock's time, decision 93). :func:`unanimous_resolution` asks
the same :class:`~graft.resolve.provider.Provider` the same questions once per requirement
instead, and answers only where the answer is certainly resolvelib's.

**When it answers.** Walk from the request: an identifier the request names takes the first
candidate the provider offers for the request's requirements on it, R(i); any other
identifier takes the first candidate offered for the first requirement that reaches it.
Each chosen candidate's dependencies are read and walked in turn. A candidate one of whose
own requirements admits nothing, whatever else is required (*hopeless*: nothing fits it
alone, and it is about the target's Python, or no yanked file or prerelease it admits offers
the target a candidate, so no other requirement can widen it), is passed over for the next
one: resolvelib rejects it on trying it, before pinning anything, and tries the next. The
walk answers when, for every identifier *i* it reaches and every requirement *r* on *i*
stated by a chosen candidate, the first candidate offered for *r* alone is the chosen C(i),
and C(i) meets every requirement on *i* (R(i) and the chosen candidates'). A walk that fails
may have read what resolvelib never pins, so it reads only what is cheap: a chosen sdist
must have its METADATA kept from an earlier build, and a wheel's is read where a read takes
no whole download. Anything else (a disagreement, an empty offer, a requirement that may be
widened, a failed read) returns None, and resolvelib resolves, over a fresh provider.

**Why the result is resolvelib's.** The provider's offer for a set S of requirements on an
identifier is one ordering, the same for every S (the preferred version, then newest first,
then the target's tags), filtered by conditions each requirement either passes or fails
(specifiers, a file named), except two that a requirement can *widen*: a yanked file is
offered only when some ``==`` names its version, a prerelease only when some specifier names
one (or, by default, when nothing else is left). Suppose C is first for each r in S alone and
some w comes before C in the offer for S. If w is a final release and not yanked, the
filtering conditions that keep w for S keep it for any r in S alone, before C: impossible. If
w is yanked, the ``==`` in S that names it keeps it for that requirement alone: impossible.
If w is a prerelease offered because a specifier in S names one, that specifier alone offers
it; because the policy allows them, every r alone does; because nothing else is left for S,
C is a prerelease too, so prereleases are offered for the r that C is first for: impossible
each time. And C is offered for S: it meets every specifier and named file in S, and if
yanked or a prerelease, each r alone offers it, so one of the widening conditions holds for
S too. So C comes first for every S that holds R(i) (a named identifier) or one chosen
candidate's requirement (any other), and every S resolvelib ever holds for *i* is one of
them: it adds every requirement of the request before pinning anything, and after that only
the requirements of candidates it pins. Read "first" as "first but the hopeless", which
depend on no S, and the same holds. Then, as in :mod:`graft.resolve.pinned`: with every pin
so far in C, resolvelib comes to *i*, rejects the hopeless candidates before C(i) (merging
the requirement no candidate meets fails whatever its criteria hold; it marks them dead ends,
decision 91, which only hides them from later offers), and pins C(i), first of the rest and
meeting every requirement on it. No pin ever fails a requirement, so it never backtracks,
and it pins exactly C, one identifier at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.errors import BuildError, SourceError
from graft.resolve.artifacts import ListingPrefetch
from graft.resolve.candidates import PYTHON, WheelCandidate

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from packaging.specifiers import SpecifierSet

    from graft.resolve.candidates import Candidate, Need
    from graft.resolve.dead_ends import Ends
    from graft.resolve.provider import Provider


class Unanimous:
    """The candidates chosen per identifier and the identifiers each one requires."""

    def __init__(self) -> None:
        self.mapping: dict[str, Candidate] = {}
        self.children: dict[str, set[str]] = {}
        self.passed_over = 0  # candidates resolvelib would reject on trying them


_Choice = tuple["Candidate", list["Need"]]


def _readable(candidate: Candidate, provider: Provider) -> bool:
    """Whether *candidate*'s dependencies are read cheaply, should resolvelib never pin it.

    Known or kept METADATA, or a wheel's where reads are cheap (a range read or a local
    file, not a whole download: as a read ahead's guess, decision 77); an sdist's only if
    kept from an earlier build.
    """
    if not isinstance(candidate, WheelCandidate) or provider.reader.at_hand(candidate.file):
        return True
    source = provider.source
    cheap = not isinstance(source, ListingPrefetch) or source.reads_cheaply()
    return candidate.file.is_wheel and cheap


def one_by_one(asked: Mapping[str, Sequence[Need]], provider: Provider) -> bool:
    """Whether each identifier's requirements from the request admit a candidate as they come.

    resolvelib adds the request's requirements one at a time and stops at the first that
    leaves an identifier no candidate: ``lib>=2`` and then ``lib==2.0``, with 2.0 yanked,
    stop at ``lib>=2`` (only the ``==`` admits a yanked release), though both together admit
    2.0. The requirements as a whole are screened by the caller.
    """
    return all(
        provider.first_match(ident, needs[:k]) is not None
        for ident, needs in asked.items()
        for k in range(1, len(needs))
    )


def unanimous_resolution(roots: Sequence[Need], provider: Provider) -> Unanimous | None:
    """What resolvelib resolves *roots* to when no requirement disagrees; else None.

    Reads the METADATA of each chosen candidate (the ones resolvelib would pin), and of the
    ones it would reject on trying them; a failed read returns None for resolvelib to decide.
    """
    try:
        return _walk(roots, provider)
    except (BuildError, SourceError, _Undecided):
        return None


class _Undecided(Exception):  # noqa: N818 - not an error: resolvelib decides
    """The walk cannot vouch for what resolvelib would do."""


#: Candidates passed over as resolvelib rejects them on trying them, at most, in one walk.
MAX_PASSED_OVER = 50


#: What a question to the provider depends on: the identifier, each need's specifier and file.
_Asked = tuple[str, tuple[tuple["SpecifierSet", "str | None"], ...]]


def _asked(ident: str, needs: Sequence[Need]) -> _Asked:
    return (ident, tuple((n.specifier, n.filename) for n in needs))


class _Walk:
    """The walk's questions to the provider, each asked once."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self._chosen: dict[_Asked, _Choice] = {}
        self._deps: dict[Candidate, list[Need] | None] = {}
        self._firsts: dict[_Asked, Candidate | None] = {}
        self.passed_over = 0

    def first_of(self, ident: str, needs: Sequence[Need]) -> Candidate | None:
        """The provider's first candidate for *needs* alone, asked once per walk."""
        key = _asked(ident, needs)
        if key not in self._firsts:
            self._firsts[key] = self.provider.first_match(ident, needs)
        return self._firsts[key]

    def first(self, ident: str, needs: Sequence[Need], *, root: bool = False) -> _Choice:
        """The first candidate for *needs* alone that resolvelib would keep, and its needs.

        resolvelib rejects a candidate on trying it, and tries the next one, when one of its
        requirements admits no candidate (:meth:`_hopeless`): the walk passes over it too,
        but not for several requirements of the request on one identifier (resolvelib's
        provider ends the resolution once one of them alone admits only candidates it has
        rejected: :meth:`~graft.resolve.dead_ends.DeadEnds.rule_out`). A requirement of the
        request (*root*) whose first candidate is passed over may prove that no resolution
        exists (:meth:`prove_none`).
        """
        key = _asked(ident, needs)
        known = self._chosen.get(key)
        if known is not None:
            return known
        candidate = self.first_of(ident, needs)
        if candidate is None:
            raise _Undecided
        deps = self._dependencies(candidate)
        if deps is None and root and len(needs) == 1:
            self.prove_none(needs[0])
        if deps is None and len(needs) > 1:
            raise _Undecided
        if deps is None:  # (rare: the whole offer, to go on along it)
            offered = self.provider.find_matches(ident, {ident: iter(needs)}, {ident: iter(())})
            for candidate in offered[1:]:
                deps = self._dependencies(candidate)
                if deps is not None:
                    break
            else:
                raise _Undecided
        found = self._chosen[key] = (candidate, deps)
        return found

    def _dependencies(self, candidate: Candidate) -> list[Need] | None:
        """*candidate*'s needs; None if resolvelib would reject it on trying it."""
        if candidate in self._deps:
            return self._deps[candidate]
        if not _readable(candidate, self.provider):
            raise _Undecided
        deps: list[Need] | None = self.provider.get_dependencies(candidate)
        if deps is not None and any(self._hopeless(need) for need in deps):
            self.passed_over += 1
            if self.passed_over > MAX_PASSED_OVER:
                raise _Undecided
            deps = None
        self._deps[candidate] = deps
        return deps

    def _hopeless(self, need: Need) -> bool:
        """Whether *need* admits no candidate whatever else is required.

        It admits none alone, and nothing another requirement adds could widen it
        (:meth:`~graft.resolve.dead_ends.DeadEnds.widenable`). A need that may be widened
        leaves it to resolvelib.
        """
        if self.first_of(need.identifier, [need]) is not None:
            return False
        if self.provider.widenable(need):
            raise _Undecided
        return True

    def prove_none(self, need: Need) -> None:
        """Raise :class:`NoResolution` if no candidate the request's *need* admits can be pinned.

        Each candidate that any requirements on its identifier could be offered
        (:meth:`~graft.resolve.no_resolution.NoResolution.only_dead_ends`, read where reads are
        cheap) has an own requirement that admits nothing whatever else is required: no
        resolution pins one, and the request needs one.
        """
        provider = self.provider
        ends = provider.only_dead_ends(need, lambda c: _readable(c, provider))
        if ends is not None:
            raise NoResolution(need, ends)


class NoResolution(Exception):  # noqa: N818 - a proof, explained by the caller
    """A requirement of the request admits only dead ends (decisions 91, 95): none exists."""

    def __init__(self, need: Need, ends: Ends) -> None:
        super().__init__(need.identifier)
        self.need = need
        self.ends = ends  # each candidate, by its key, with its own requirement nothing meets


def _excludes(
    need: Need, chosen: Mapping[str, Candidate], asked: Mapping[str, Sequence[Need]], walk: _Walk
) -> bool:
    """Whether *need* excludes what its identifier takes: the walk can no longer answer.

    What it takes is its chosen candidate, or, for an identifier the request names and the
    walk has not reached yet, the first candidate of the request's requirements (asked now:
    the walk would ask it on reaching it). The walk then asks only the request's
    requirements still to come, which may prove that none exists (:meth:`_Walk.prove_none`),
    and leaves the rest of the tree to resolvelib (``apache-airflow==2.9.3 sqlalchemy>=2``:
    airflow's ``sqlalchemy<2.0``, and a hundred projects under airflow not read).
    """
    ident = need.identifier
    if ident == PYTHON:
        return False
    taken = chosen.get(ident)
    if taken is None and ident in asked:
        taken = walk.first(ident, asked[ident], root=True)[0]
    return taken is not None and not walk.provider.is_satisfied_by(need, taken)


def _with_base(ident: str, needs: list[Need], asked: Mapping[str, Sequence[Need]]) -> list[Need]:
    """*needs* on an extra not in the request, with the request's own on its project.

    resolvelib's provider offers an extra only its project's files that meet the project's
    requirements too (:meth:`~graft.resolve.provider.Provider.find_matches`), and the
    request's are among them from the start: with ``p0==1.0`` asked, a dependency's
    ``p0[x]`` is offered 1.0 and 2.0 is never read; the walk read 2.0 (and passed it over,
    or gave up where it fits) (decision 493). Only the request's: other requirements on the
    project come and go in resolvelib's order, so the walk keeps asking each alone.
    """
    base, bracket, _ = ident.partition("[")
    if not bracket or ident in asked or base not in asked:
        return needs
    return [*needs, *asked[base]]


def _walk(roots: Sequence[Need], provider: Provider) -> Unanimous:
    asked: dict[str, list[Need]] = {}
    for need in roots:
        asked.setdefault(need.identifier, []).append(need)
    if not one_by_one(asked, provider):
        raise _Undecided
    stated = {ident: list(needs) for ident, needs in asked.items()}
    out = Unanimous()
    walk = _Walk(provider)
    if any(walk.first_of(ident, needs) is None for ident, needs in asked.items()):
        raise _Undecided  # (resolvelib stops at the first, before it pins anything)
    queue = [(ident, asked[ident]) for ident in reversed(list(asked))]
    doomed = False  # (a requirement excludes a choice: only the roots are asked, for proofs)
    while queue:
        ident, needs = queue.pop()
        if doomed and ident not in asked:
            continue
        chosen = out.mapping.get(ident)
        if chosen is not None and ident in asked:
            continue  # (R(i) decided it, and every S resolvelib holds contains R(i))
        wanted = _with_base(ident, asked.get(ident, needs), asked)
        first, deps = walk.first(ident, wanted, root=ident in asked)
        if chosen is not None:
            if first != chosen:
                raise _Undecided  # a requirement prefers another candidate
            continue
        out.mapping[ident] = first
        if doomed:
            continue
        out.children[ident] = {d.identifier for d in deps if d.identifier != PYTHON}
        for dep in reversed(deps):
            stated.setdefault(dep.identifier, []).append(dep)
            queue.append((dep.identifier, [dep]))
        doomed = any(_excludes(dep, out.mapping, asked, walk) for dep in deps)
    if doomed:
        raise _Undecided
    for ident, needs in stated.items():
        if not all(provider.is_satisfied_by(n, out.mapping[ident]) for n in needs):
            raise _Undecided
    out.passed_over = walk.passed_over
    return out


__all__ = ["NoResolution", "Unanimous", "one_by_one", "unanimous_resolution"]
