"""The proof that no resolution exists: a root every candidate of whose widened offer is a dead end.

A requirement of the request every candidate of whose *widened offer*
(:meth:`~graft.resolve.dead_ends.DeadEnds.widened`) is a dead end proves that no resolution
exists (decision 95): resolvelib's search ends, and the unanimous walk asks the same question
before resolvelib starts. A lock's proofs are shared by the environments it cannot tell
apart (:mod:`graft.resolve.proof_memo`, decision 180).

:class:`NoResolution` is a part of :class:`~graft.resolve.provider.Provider`, beside
:class:`~graft.resolve.dead_ends.DeadEnds`, over the same screening
(:class:`~graft.resolve.dead_ends.Screening`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.errors import BuildError, SourceError
from graft.resolve.candidates import PYTHON, WheelCandidate, candidate_key

if TYPE_CHECKING:
    from collections.abc import Callable

    from graft.resolve.candidates import Candidate, Need
    from graft.resolve.dead_ends import Ends, Screening


class NoResolution:
    """The proofs one target's provider gives that a root has no resolution."""

    def only_dead_ends(
        self: Screening,
        root: Need,
        readable: Callable[[WheelCandidate], bool] | None = None,
        *,
        clashing: bool = False,
    ) -> Ends | None:
        """If no candidate *root* may ever be offered can be pinned: each, with why; else None.

        Each candidate of :meth:`widened` is a dead end already, or one of its own
        requirements is :meth:`_hopeless` (its METADATA read here, if *readable*; by
        default, a wheel's), or (if *clashing*) it clashes with another root by what is read
        already (:func:`~graft.resolve.clashes.learn`: recorded as a dead end). Then no
        resolution holds *root*: every requirement on its identifier narrows what it admits,
        but for what :meth:`widened` adds. (``pydantic-settings`` 2.0b1, a prerelease no
        requirement asked for, is never offered, so never given up; it requires
        ``pydantic>=2.0b1``, and the request ``pydantic<2``: decision 141.)
        """
        widened = self.widened(root)
        if widened is None:  # (a yanked file admitted: inside the search, proved too)
            past = self.widened_past_yanked(root)
            return None if past is None else self._ends(past, readable, clashing=clashing)
        if clashing or self.screens is None or self.dead_ends:
            return self._ends(widened, readable, clashing=clashing)
        from graft.resolve.proof_memo import proof_key  # noqa: PLC0415 - only for a proof

        key = proof_key(self, root, widened, readable)  # (a lock's: shared, decision 180)
        kept = None if key is None else self.screens.proof(key)
        if kept is not None:
            for at, (fixed, own, said) in kept[1].items():  # (what the explanation notes)
                self._dependencies.setdefault(at, (list(fixed), list(own), said))
            return dict(kept[0])
        ends = self._ends(widened, readable, clashing=False)
        if key is None and ends is not None:  # (what it read is at hand now: the same key)
            key = proof_key(self, root, widened, readable)
        if key is not None and ends is not None:
            known = {at: self._dependencies[at] for at in ends}  # (each candidate's: read)
            self.screens.keep_proof(key, ends, known)
        return ends

    def _ends(
        self: Screening,
        widened: list[Candidate],
        readable: Callable[[WheelCandidate], bool] | None,
        *,
        clashing: bool,
    ) -> Ends | None:
        """:meth:`only_dead_ends`' answer over the root's *widened* offer, worked out."""
        ends: Ends = {}
        for candidate in widened:
            if not isinstance(candidate, WheelCandidate):
                return None
            key = candidate_key(candidate)
            known = self.dead_ends.get(key)
            if known is None:
                if not (readable(candidate) if readable else candidate.file.is_wheel):
                    return None
                try:
                    fixed, own, _ = self._known(candidate)
                except (BuildError, SourceError):  # (never tried: resolvelib says so if it is)
                    return None
                need = next((n for n in (*fixed, *own) if self._hopeless(n)), None)
                if need is None and clashing:
                    need = self._clashing_need(candidate)
                if need is None:
                    return None
                known = (candidate, need)
            ends[key] = known
        return ends

    def _clashing_need(self: Screening, candidate: WheelCandidate) -> Need | None:
        """*candidate*'s need that clashes with a root by what is read (recorded), or None."""
        from graft.resolve.clashes import learn  # noqa: PLC0415 - only on a conflict

        for root in self.roots:
            if root.name in {candidate.name, PYTHON} or root.filename is not None:
                continue
            clash = learn(self, candidate, root)
            if clash is not None:
                return clash.need
        return None


__all__ = ["NoResolution"]
