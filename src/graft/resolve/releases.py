"""One release seen by several targets: the fewest METADATA reads that tell each its wheel.

:func:`read_release` applies :func:`graft.resolve.artifacts.files_to_read`'s rule for
several targets at once (a lock for a matrix). Apart from :mod:`graft.resolve.artifacts`,
which every resolution imports: a sync for one target never creates :class:`ReleaseView`
(decision 51).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.resolve.artifacts import best_wheel, group_nodes

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from graft.resolve.artifacts import ArtifactFile, ArtifactNode
    from graft.resolve.metadata_reader import MetadataReader


@dataclass(frozen=True, slots=True)
class ReleaseView:
    """One release seen by several targets: its nodes, and the node each target installs."""

    nodes: tuple[ArtifactNode, ...]
    chosen: tuple[ArtifactNode | None, ...]  # per target, in order; None: no wheel for it


def read_release(
    release: Sequence[ArtifactFile],
    tag_ranks: Sequence[Mapping[str, int]],
    reader: MetadataReader,
) -> ReleaseView:
    """Read the fewest METADATA files that tell every target its own wheel's surface.

    The rule of :func:`files_to_read`, target after target: a target whose best wheel was
    read already, or shares its metadata hash with one read, costs nothing.
    """
    best = [best_wheel(release, ranks) for ranks in tag_ranks]
    read = {f.filename: (f, reader.surface(f)) for f in best if f is not None}
    nodes = group_nodes(read.values())
    where = {f.filename: node for node in nodes for f in node.files}
    return ReleaseView(nodes, tuple(where[f.filename] if f else None for f in best))
