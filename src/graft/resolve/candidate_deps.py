"""A candidate's dependencies, as the provider answers resolvelib: worked out once per wheel.

:class:`CandidateDeps` is a part of :class:`~graft.resolve.provider.Provider`: its
``get_dependencies`` (what :mod:`graft.resolve.requires_dist` makes of a candidate's metadata
surface, kept per wheel and extra with its warnings, in the order worked out: decision 202),
the wheels tried whose Requires-Dist does not parse, and a failed build of a dependency's
sdist said with the requirement that brought it in (decision 378).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol

from graft.errors import BuildError, WrongReleaseError
from graft.resolve.candidates import UNREADABLE, PythonCandidate, candidate_key
from graft.resolve.requires_dist import built_elsewhere, candidate_needs, wrong_release

if TYPE_CHECKING:
    from collections.abc import Sequence

    from resolvelib.structs import State

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.candidates import Candidate, Need, WheelCandidate
    from graft.resolve.metadata_reader import MetadataReader
    from graft.resolve.policy import Policy
    from graft.resolve.readahead import ReadAhead


class Answering(Protocol):
    """What the dependencies are worked out with: the provider's reader, target and notes."""

    target: Target
    policy: Policy
    dependencies: bool
    reader: MetadataReader
    ahead: ReadAhead | None
    warnings: dict[str, None]
    needed: dict[str, list[tuple[Need, WheelCandidate | None]]]
    now: State[Need, Candidate, str] | None
    _dependencies: dict[tuple[str, str, str | None], tuple[list[Need], list[Need], tuple[str, ...]]]
    worked: list[tuple[ArtifactFile, str]]

    def prefetch_files(self, needs: Sequence[Need]) -> None:
        """Have the source list the projects of *needs* in the background, where it can."""
        ...

    def note(self, needs: Sequence[Need], parent: WheelCandidate | None) -> list[Need]:
        """Remember *needs* as stated by *parent*; returns them."""
        ...

    def _known(
        self, candidate: WheelCandidate
    ) -> tuple[list[Need], list[Need], tuple[str, ...]]: ...

    def _dependencies_of(self, candidate: WheelCandidate) -> tuple[list[Need], list[Need]]: ...

    def _brought(self, candidate: WheelCandidate, exc: BuildError) -> BuildError: ...


class CandidateDeps:
    """The provider's answers about each candidate's dependencies."""

    def get_dependencies(self: Answering, candidate: Candidate) -> list[Need]:
        """The requirements of *candidate*'s own METADATA that apply to the target.

        Worked out once per wheel and extra: resolvelib asks again each time it tries the
        candidate (after a backtrack, often), and the answer (and its warnings) is the same.
        """
        if isinstance(candidate, PythonCandidate):
            return []
        if self.ahead is not None:  # (resolvelib going through its candidates: the next ones)
            self.ahead.trying(candidate)
        fixed, own, said = self._known(candidate)
        self.warnings.update(dict.fromkeys(said))
        self.prefetch_files(own)
        return [*fixed, *self.note(own, candidate)]

    def _known(
        self: Answering, candidate: WheelCandidate
    ) -> tuple[list[Need], list[Need], tuple[str, ...]]:
        """:meth:`get_dependencies`' answer, worked out once: fixed, own needs and warnings."""
        key = (candidate.file.url, candidate.file.filename, candidate.extra)
        known = self._dependencies.get(key)
        if known is None:
            before, self.warnings = self.warnings, {}
            try:
                fixed, own = self._dependencies_of(candidate)
            finally:
                said, self.warnings = self.warnings, before
            self.worked.append((candidate.file, candidate.extra or ""))  # (its METADATA read)
            known = self._dependencies[key] = (fixed, own, tuple(said))
        return known

    def unparsable(self: Answering) -> list[tuple[str, str]]:
        """The wheels tried that no resolution pins for an unparsable Requires-Dist: file, line.

        In the order they were read (newest first, as resolvelib went back through them).
        """
        return [
            (key[1], need.text.partition(", not ")[2])
            for key, (fixed, _, _) in self._dependencies.items()
            for need in fixed
            if key[2] is None and need.specifier == UNREADABLE
        ]

    def known_only(self: Answering, candidate: WheelCandidate) -> list[Need] | None:
        """:meth:`_known`'s needs (fixed and own) if worked out already; else None."""
        known = self._dependencies.get(candidate_key(candidate))
        return None if known is None else [*known[0], *known[1]]

    def _dependencies_of(
        self: Answering, candidate: WheelCandidate
    ) -> tuple[list[Need], list[Need]]:
        """What :meth:`get_dependencies` answers (:mod:`~graft.resolve.requires_dist`)."""
        try:
            surface = self.reader.surface(candidate.file)
        except BuildError as exc:
            if isinstance(exc, WrongReleaseError):  # passed over, as uv does (decision 423)
                need, said = wrong_release(candidate, exc)
            elif self.target.markers.get("sys_platform") == sys.platform:
                raise self._brought(candidate, exc) from None
            else:
                need, said = built_elsewhere(candidate, exc)
            self.warnings[said] = None
            return [need], []
        fixed, own, warned = candidate_needs(
            candidate, surface, self.target, self.policy, dependencies=self.dependencies
        )
        self.warnings.update(dict.fromkeys(warned))
        return fixed, own

    def _brought(self: Answering, candidate: WheelCandidate, exc: BuildError) -> BuildError:
        """*exc*, saying which requirement brought *candidate* in (decision 378).

        The shortest chain down from one the user gave, of the requirements that hold in the
        search's state now (decision 386; before a search, those stated so far); *exc*
        itself where the user asked for the project.
        """
        from graft.resolve.causes import (  # noqa: PLC0415
            brought,
            requested_and_parents,
            required_by,
        )

        asked, parents = requested_and_parents(self.needed, self.now)
        if candidate.name in asked:
            return exc
        where = required_by(candidate.name, asked, parents)
        return brought(exc, candidate.name, candidate.version, where)


__all__ = ["Answering", "CandidateDeps"]
