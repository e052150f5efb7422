"""A sync's named sources in the resolution stage: built, or read, under the build limits.

:func:`graft.resolve.locate.locate` meets sources before it resolves: the directories, sdist
files and URLs, repositories and ``-e`` the request names (:mod:`graft.resolve.named_sources`),
their URL dependencies' (:mod:`graft.resolve.url_deps`, handed :meth:`SourceStage.build`), a
``-r pyproject.toml`` only its backend describes, a lock's sources (built, or in a dry run
read: :mod:`graft.resolve.unbuilt`), and a source the venv holds that a dependency may take
(:mod:`graft.resolve.held_sources`, asking :meth:`SourceStage.buildable`). Each is built or
read under the request's build limits, made once (:class:`graft.resolve.named_sources.BuildLimits`),
and for a foreign target read here, by the interpreter running graft, and listed as to be
built there (decisions 427, 442). The stage is made when a source is first met: a sync of
none never imports this module, nor ``named_sources``.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.model.request import ResolveRequest, SourceBuilder
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target
    from graft.resolve.named_sources import BuildLimits


class SourceStage:
    """The sources one resolution meets, for *target*, under *request*'s build limits.

    *reads* gets what a resolution memo watches for each build (as :func:`locate` keeps it
    for the sdists the resolver picks too); *dynamic* the named sources a foreign target's
    backends were asked about (their dependencies not static: decision 442).
    """

    def __init__(  # noqa: PLR0917 - the stage's inputs, as locate has them
        self,
        request: ResolveRequest,
        inputs: Inputs,
        target: Target,
        builder: SourceBuilder | None,
        cache_dir: str,
        reads: list[tuple[tuple[str, str], ...] | None],
        dynamic: list[str],
    ) -> None:
        self.request = request
        self.inputs = inputs
        self.target = target
        self.builder = builder
        self.cache_dir = cache_dir
        self.reads = reads
        self.dynamic = dynamic

    @functools.cached_property
    def limits(self) -> BuildLimits:
        """The request's build limits (``--no-build``, the formats, a foreign target, offline)."""
        from graft.resolve.named_sources import BuildLimits  # noqa: PLC0415
        from graft.resolve.policy import format_sets  # noqa: PLC0415

        request = self.request
        formats = format_sets((*request.formats, *self.inputs.formats))  # (as Policy's: inputs)

        return BuildLimits(
            no_build=request.no_build,
            only_binary=formats[0],
            no_binary=formats[1],
            foreign=request.foreign is not None,
            offline=request.offline,
        )

    @functools.cached_property
    def read_for(self) -> Target | None:
        """Who reads a named source in the target's place: for a foreign one, graft's own."""
        if self.request.foreign is None:
            return None
        from graft.resolve.read_here import interpreter_here  # noqa: PLC0415

        return interpreter_here()

    def build(self, items: list[Wanted]) -> tuple[list[Wanted], list[str]]:
        """*items* with each source among them built (a foreign target's: read), and notes."""
        from graft.resolve.named_sources import build_named  # noqa: PLC0415

        # a foreign target's: read here, as graft lock reads them, listed as to be built
        # there (decisions 427, 442)
        allowed = dataclasses.replace(self.limits, foreign=False)
        return build_named(
            items,
            self.target,
            self.builder,
            self.cache_dir,
            allowed,
            reads=self.reads,
            static_python=True,
            read_for=self.read_for,
            dynamic=self.dynamic,
        )

    def buildable(self, source: Wanted) -> bool:
        """Whether the request allows *source*'s build (else the index's release is taken)."""
        from graft.errors import UsageError  # noqa: PLC0415
        from graft.resolve.named_sources import refuse_build  # noqa: PLC0415

        try:
            refuse_build(source.source or "", self.builder, self.limits, source.name)
        except UsageError:  # (builds are off for it: the index's)
            return False
        return True

    def prepared(self) -> tuple[list[Wanted], list[str]]:
        """The needs of ``-r pyproject.toml`` without ``[project]``: its backend's metadata says."""
        from graft.resolve.named_sources import prepared_requirements  # noqa: PLC0415

        inputs = self.inputs
        needs, notes = prepared_requirements(
            inputs, self.target, self.builder, self.limits, reads=self.reads
        )
        if inputs.overrides or inputs.excludes:  # (roots too: decisions 388, 389)
            from graft.resolve.overrides import roots  # noqa: PLC0415

            needs = roots(needs, inputs)
        return needs, notes

    def unbuilt(self, locked: list[Wanted]) -> tuple[tuple[str, bytes], ...]:
        """A dry run's lock sources among *locked*, read instead of built (decision 239)."""
        from graft.resolve.unbuilt import read_unbuilt  # noqa: PLC0415

        allowed = dataclasses.replace(self.limits, foreign=False)  # (read here: 427)
        return read_unbuilt(
            locked, self.target, self.builder, self.cache_dir, allowed, read_for=self.read_for
        )

    def dynamic_warning(self) -> str:
        """A foreign dry run's warning of the named sources read through their backends (442)."""
        from graft.resolve.read_here import dynamic_warning  # noqa: PLC0415

        return dynamic_warning("named sources", self.dynamic, self.read_for)


__all__ = ["SourceStage"]
