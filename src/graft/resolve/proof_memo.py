"""A proof that a root has no resolution, shared by a lock's environments it cannot tell apart.

:meth:`~graft.resolve.no_resolution.NoResolution.only_dead_ends` proves that every candidate a root
may be offered has an own requirement that admits nothing (decision 95): the web roots'
``psycopg[binary]`` on Windows arm64, where each of its 63 releases needs a
``psycopg-binary`` that has no wheel there. It reads each candidate's METADATA, works out its
requirements for the target and screens each one; a lock proved it once per CPython series,
a third of the lock's time (decision 180). :func:`proof_key` spells out everything the proof
reads of its environment, so that an environment with the same key gets the same proof:

- the candidates (:meth:`~graft.resolve.dead_ends.DeadEnds.widened`, a shared screening), by
  file and extra;
- each candidate's requirements for the target (:meth:`Provider._known
  <graft.resolve.provider.Provider._known>`): a function of its METADATA (fixed by its file),
  of the provider's ``--no-deps`` and policy, and of the verdicts of its markers, evaluated
  with the environment's markers and its later release's (decision 113), with the extra and
  without. An extra's candidate needs its base (the same for every target) and only the
  lines whose marker names ``extra``; a line whose marker does not holds alike with the extra
  and without, so it is among the base's needs (:func:`~graft.model.target.applying`: or
  held back in both, unless a line on the same project that names ``extra`` holds in one and
  not the other: those lines are keyed too). A base candidate needs its Requires-Python and
  every line;
- whether each requirement admits a candidate (:meth:`DeadEnds._admits_alone`): for the
  target's Python, each Requires-Python's verdict; for a project, its screening, which
  depends on the target through the signature of the files the specifiers admit
  (:mod:`graft.resolve.screenmemo`), itself fixed by the signature of the whole listing, and
  on the policy's word for it (the memo's key) and its constraint. Whether it could be widened
  reads the files and the policy alone.

A proof is shared only where nothing else enters: no dead end known yet (the walk's
question), every candidate a wheel whose METADATA is at hand (nothing is read to make the
key, and the proof reads no file its own order would not), no variant marker (decided per
machine), no clash asked, no ``--overrides`` or ``--excludes``. With the proof go its
candidates' requirements, which the explanation notes again
(:func:`graft.resolve.resolver._proved`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from packaging.utils import canonicalize_name

from graft.errors import BuildError, SourceError
from graft.resolve.candidates import WheelCandidate, candidate_key
from graft.resolve.surface import python_allows

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Mapping, Sequence

    from packaging.utils import NormalizedName

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.candidates import Candidate, Need
    from graft.resolve.metadata_reader import MetadataReader
    from graft.resolve.policy import Policy
    from graft.resolve.screenmemo import ScreenMemo
    from graft.resolve.surface import MarkedLine, Surface


class Proving(Protocol):
    """What a proof's key reads of the provider (:class:`~graft.resolve.dead_ends.Screening`)."""

    screens: ScreenMemo | None
    target: Target
    reader: MetadataReader
    policy: Policy
    tag_rank: dict[str, int]
    dependencies: bool

    @property
    def dead_ends(self) -> Mapping[tuple[str, str, str | None], object]:
        """The candidates known to be dead ends."""
        ...

    def listed(self, name: NormalizedName) -> Sequence[ArtifactFile] | None:
        """The project's files if listed already; None (nothing read) if not."""
        ...


def _lines(surface: Surface, extra: str) -> Sequence[MarkedLine]:
    """The lines a candidate with *extra* may need, as :meth:`Surface.requirements_for` takes them.

    For an extra, only those a marker reading ``extra`` may decide (the module's docstring).
    """
    lines = surface.marked_lines(extra)
    if not extra:
        return lines
    named = {line.name for line in lines if line.reads_extra}
    return [line for line in lines if line.name in named]


def proof_key(
    provider: Proving,
    root: Need,
    widened: Sequence[Candidate],
    readable: Callable[[WheelCandidate], bool] | None,
) -> tuple[Hashable, ...] | None:
    """Everything the proof for *root* over *widened* reads of the environment; None: unshared.

    None where the proof may read something else (the module's docstring): a candidate that
    is no wheel or whose METADATA is not at hand, a variant marker, a failed read, a project
    the provider has not listed yet (its listing is not read for a key).
    """
    screens = provider.screens
    if screens is None or provider.dead_ends or provider.policy.overrides is not None:
        return None  # (an override's marker is not among the lines read: decision 388)
    try:
        read = _read(provider, widened, readable)
    except (BuildError, SourceError):
        return None
    if read is None:
        return None
    keys, verdicts, pythons, names = read
    policy, target = provider.policy, provider.target
    listings = {name: provider.listed(canonicalize_name(name)) for name in names}
    if any(files is None for files in listings.values()):
        return None
    screened = tuple(
        (
            name,
            screens.seen(files, target, provider.tag_rank),
            id(files),
            screens.policy_word(policy, canonicalize_name(name)),
            policy.constraints.get(canonicalize_name(name)),
        )
        for name, files in listings.items()
        if files is not None
    )
    direct = (policy.direct, policy.lowered)
    return (root, provider.dependencies, direct, keys, verdicts, pythons, screened)


_Read = tuple[
    tuple[tuple[str, str, "str | None"], ...],  # the candidates, by file and extra
    tuple[tuple[tuple[str, str], tuple[bool, ...]], ...],  # (marker, extra): verdicts
    tuple[tuple["str | None", bool], ...],  # Requires-Python: verdict
    dict[str, None],  # the projects whose screening the proof may read
]


def _read(
    provider: Proving,
    widened: Sequence[Candidate],
    readable: Callable[[WheelCandidate], bool] | None,
) -> _Read | None:
    """What the candidates' METADATA makes the proof read of the environment; None: unsure."""
    target, reader = provider.target, provider.reader
    env = target.markers
    later = target.later_release_markers()
    worlds = (env,) if later is None else (env, later)
    names: dict[str, None] = {}
    verdicts: dict[tuple[str, str], tuple[bool, ...]] = {}
    pythons: dict[str | None, bool] = {}
    keys = []
    for candidate in widened:
        if not isinstance(candidate, WheelCandidate) or not candidate.file.is_wheel:
            return None
        if not reader.at_hand(candidate.file) or (readable and not readable(candidate)):
            return None
        surface = reader.surface(candidate.file)
        if surface.variant_requires:
            return None
        keys.append(candidate_key(candidate))
        names[candidate.name] = None
        extra = candidate.extra or ""
        if not extra and surface.requires_python not in pythons:
            pythons[surface.requires_python] = python_allows(
                surface.requires_python, target.version
            )
        for name, marker, _, line in _lines(surface, extra):
            parsed = surface.requirement(line).marker if marker else None
            if parsed is None:  # (no marker; or a URL holding "; ")
                names[name] = None
                continue
            said = verdicts.get((marker, extra))
            if said is None:
                said = verdicts[(marker, extra)] = tuple(
                    parsed.evaluate({**world, "extra": value})
                    for world in worlds
                    for value in dict.fromkeys((extra, ""))
                )
            if any(said):  # (else never a need: nothing of it screened)
                names[name] = None
    return tuple(keys), tuple(verdicts.items()), tuple(pythons.items()), names


__all__ = ["proof_key"]
