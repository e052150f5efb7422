"""Reading ahead of a cold resolution: a wheel's dependencies listed and read before a pin.

Without it, a project was listed only once resolvelib pinned a wheel that depends on it, and
the METADATA of its best wheel read only once resolvelib asked for its candidates, one round
at a time: a cold resolution waited for the index level by level (decision 77). With it, a
reader thread that has read a wheel's METADATA hands the surface to :meth:`ReadAhead.on_read`
(in a thread of its own), which

- lists every project the wheel's base, and the extras asked of it so far, depends on where
  the target's markers hold; and,
- for each whose listing came from the network, while no METADATA read has needed a whole
  download (an index without ranges would pay a wheel for a wrong guess), reads the wheel
  likely to be chosen: one that meets the requirement, the request's own requirements on the
  project and the constraints; the preferred release first, else the newest of a few with a
  wheel for the target. Its dependencies are then read ahead in turn.

And while resolvelib goes through one project's candidates, trying one after another,
the next ones are read ahead (:meth:`ReadAhead.trying`).

Only what the reads cost: the resolver's answers are its own. A guess it does not take was
read for nothing; an error in a read ahead is met again where the resolver needs the answer.
A warm resolution reads nothing ahead: its pages are fresh, its surfaces kept.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from graft.errors import GraftError
from graft.resolve.admit import by_version, verdicts
from graft.resolve.candidates import WheelCandidate
from graft.resolve.screen import screen

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.utils import NormalizedName

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile, ListingPrefetch
    from graft.resolve.candidates import Candidate
    from graft.resolve.policy import Policy
    from graft.resolve.surface import Surface

#: Releases screened (the preferred, then the newest) for a guess.
RELEASES = 3
#: How many of a project's next candidates are read ahead at most, once resolvelib has tried
#: more than one of them (:meth:`ReadAhead.trying`).
TRYING_AHEAD = 16


class ReadAhead:
    """One provider's reads ahead: safe in the reader's threads.

    *files* is the provider's listing of a project (asked of the source once), *listed* the
    projects it has listed (a live collection), *read* starts a METADATA read in a reader
    thread, *roots* the request's own specifiers per project.
    """

    def __init__(
        self,
        source: ListingPrefetch,
        target: Target,
        policy: Policy,
        *,
        files: Callable[[NormalizedName], Sequence[ArtifactFile]],
        listed: Collection[NormalizedName],
        read: Callable[[ArtifactFile], None],
        roots: Sequence[tuple[str, SpecifierSet]] = (),
    ) -> None:
        self.source = source
        self.target = target
        self.policy = policy
        self.files = files
        self.listed = listed
        self.read = read
        self._tag_rank: dict[str, int] | None = None  # (made by the first guess)
        # what every guess for a project must meet besides the requirement read
        self._specs: dict[str, list[SpecifierSet]] = {}
        for name, spec in (*roots, *policy.constraints.items()):
            self._specs.setdefault(name, []).append(spec)
        self._extras: dict[str, frozenset[str]] = {}  # asked of a wheel, by its url
        # the resolver's side (its thread only): the last find_matches answer per identifier,
        # and the wheels whose dependencies were asked, by URL
        self._offered: dict[str, Sequence[Candidate]] = {}
        self._tried: dict[str, set[str]] = {}

    def list_projects(self, names: list[NormalizedName]) -> Sequence[NormalizedName]:
        """Have the source list the projects of *names* not listed yet, in the background.

        Returns those listed from the network (:meth:`ListingPrefetch.prefetch_files`).
        """
        if names := [n for n in dict.fromkeys(names) if n not in self.listed]:
            return self.source.prefetch_files(names)
        return ()

    def start(self, file: ArtifactFile, extras: Collection[str] = ()) -> None:
        """Start reading *file*'s METADATA; its dependencies with *extras* are read ahead too."""
        if extras:  # (a new set each time: a reader thread may be reading the old one)
            known = self._extras.get(file.url, frozenset())
            self._extras[file.url] = known | {canonicalize_name(e) for e in extras}
        self.read(file)

    def on_read(self, file: ArtifactFile, surface: Surface) -> None:
        """*file*'s METADATA was read: list its dependencies and read the likely wheels."""
        holds: list[Requirement] = []
        for extra in ("", *sorted(self._extras.get(file.url, ()))):
            env = {**self.target.markers, "extra": extra}
            holds += (
                r
                for r in surface.requirements_for(extra)
                if not r.url and (not r.marker or r.marker.evaluate(env))
            )
        cold = set(self.list_projects([canonicalize_name(r.name) for r in holds]))
        if not self.source.reads_cheaply():
            return
        for req in holds:
            name = canonicalize_name(req.name)
            if name not in cold:  # (a fresh page: a warm resolution reads what it must)
                continue
            try:
                wheel = self._likeliest(name, [req.specifier, *self._specs.get(name, ())])
            except GraftError:
                continue
            if wheel is not None:
                self.start(wheel, req.extras)

    def offered(self, identifier: str, candidates: Sequence[Candidate]) -> None:
        """The order in which resolvelib will try *identifier*'s candidates (find_matches')."""
        self._offered[identifier] = candidates

    def trying(self, candidate: WheelCandidate) -> None:
        """*candidate*'s dependencies are asked for: from its project's second, read ahead.

        resolvelib tries them one after another (each one's dependencies conflicting), each
        a METADATA read: ``requests`` with ``urllib3<1.21`` goes through 44 releases. From the
        second one tried, the next ones (twice as many as tried, at most :data:`TRYING_AHEAD`)
        are read in the reader's threads, while reads are cheap (a wrong guess must not cost a
        wheel).
        """
        tried = self._tried.setdefault(candidate.identifier, set())
        tried.add(candidate.file.url)
        if len(tried) == 1 or not self.source.reads_cheaply():
            return
        offered = self._offered.get(candidate.identifier, ())
        # (by identity first: comparing candidates compares versions, and resolvelib may try
        # each of 1,400 boto3 releases in one round, decision 137)
        at = next((i + 1 for i, other in enumerate(offered) if other is candidate), None)
        if at is None:
            try:
                at = list(offered).index(candidate) + 1
            except ValueError:  # (offered by another answer: first_match's, the walk's)
                return
        for later in offered[at : at + min(2 * len(tried), TRYING_AHEAD)]:
            if isinstance(later, WheelCandidate):
                self.start(later.file, () if later.extra is None else (later.extra,))

    def _likeliest(self, name: NormalizedName, specs: list[SpecifierSet]) -> ArtifactFile | None:
        """The first wheel offered of the releases *specs* admit: the preferred, the newest.

        Screens a few releases, as the screening orders them, not the whole listing.
        """
        if self._tag_rank is None:
            self._tag_rank = self.target.tag_rank()
        grouped = by_version(self.files(name))
        contains = verdicts(specs)
        ordered = grouped.releases(self.policy.prefers(name), oldest=self.policy.oldest_first(name))
        releases = (v for v, _ in ordered if contains(v))
        for version in itertools.islice(releases, RELEASES):
            found = screen(
                name,
                grouped.stating(version),
                specs,
                self.target,
                self.policy,
                tag_rank=self._tag_rank,
            )
            if found.offered:
                file = found.offered[0][1]
                return file if file.is_wheel else None
        return None


__all__ = ["RELEASES", "TRYING_AHEAD", "ReadAhead"]
