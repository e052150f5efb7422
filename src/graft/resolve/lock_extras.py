"""Lock environments whose resolution took a release without an extra asked of it.

``graft lock 'jax[cpu]'``: every jax release that provides ``cpu`` needs a jaxlib wheel, and
Windows arm64 has none, so the resolver goes down to jax 0.2.10, a 2021 sdist that has no
``cpu`` extra and so needs no jaxlib. pip and uv (per platform) do the same and warn that
the release "does not provide the extra"; the other environments take jax 0.4.30 and later,
which do. What the user asked for cannot be installed there, and the release taken is
not what any of them would choose knowingly: such an environment is left out of the lock
with its reason (decision 233), as one with no resolution is.

The rule: an environment whose resolution pins a release of *X* that does not provide an
extra asked of *X* (``Provides-Extra``), where another environment's resolution pins a
*newer* release of *X* that does provide it. A release whose wheels differ by platform in
that (the same version elsewhere provides it) is kept, with pip's warning; so is an extra
no locked release provides (a misspelt one, or one the project dropped). Every range of
the environment's series (decision 153) is left out with it: ``environments`` names whole
series.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.resolve.resolution_error import Reason

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.environments import Environment
    from graft.resolve.lock_envs import Outcome
    from graft.resolve.lock_ranges import Forked
    from graft.resolve.metadata_reader import MetadataReader


def without_extras(
    envs: Sequence[Environment],
    outcomes: Sequence[Outcome],
    provides: Callable[[ArtifactFile], Collection[str]],
) -> dict[int, Reason]:
    """The positions of the environments to leave out, each with why, in one line.

    *provides* gives the extras a pinned file's METADATA provides (read only for pins asked
    with an extra).
    """
    # (position, name, extra, version) of each pin whose release lacks an extra asked of it
    lacking: list[tuple[int, NormalizedName, NormalizedName, Version]] = []
    # per (name, extra): the versions pinned that provide it
    providing: dict[tuple[NormalizedName, NormalizedName], set[Version]] = {}
    for at, outcome in enumerate(outcomes):
        if outcome.resolution is None:
            continue
        for pin in outcome.resolution.pins:
            if not pin.extras:
                continue
            provided = provides(pin.file)
            for extra in pin.extras:
                if extra in provided:
                    providing.setdefault((pin.name, extra), set()).add(pin.version)
                else:
                    lacking.append((at, pin.name, extra, pin.version))
    why: dict[tuple[object, ...], Reason] = {}  # by series and platform: every range of it
    for at, name, extra, version in lacking:
        newer = sorted(v for v in providing.get((name, extra), ()) if v > version)
        if newer:
            why.setdefault(
                _series(envs[at]),
                Reason(
                    f"{name} {version}, the release that resolves here, does not provide the"
                    f" extra {extra!r} ({name} {newer[0]}, locked for other environments,"
                    " does)"
                ),
            )
    return {
        at: why[_series(env)]
        for at, env in enumerate(envs)
        if _series(env) in why and outcomes[at].resolution is not None
    }


def _series(env: Environment) -> tuple[object, ...]:
    """What the ranges of one environment's series share (its platform tags named)."""
    return (*env.values, env.platforms)


def with_extras(ranges: Forked, reader: MetadataReader) -> tuple[list[Outcome], bool]:
    """The outcomes, each that took a release without an extra asked of it skipped.

    Where another environment took a newer release that provides it (:func:`without_extras`);
    one asked for by name (a platform tag) is refused. Whether any was skipped so.
    """
    from graft.resolve.lock_envs import Outcome  # noqa: PLC0415
    from graft.resolve.lock_said import refuse_if_named  # noqa: PLC0415
    from graft.resolve.resolution_error import Kind, ResolutionError  # noqa: PLC0415

    left = without_extras(
        ranges.envs, ranges.outcomes, lambda file: reader.surface(file).provides_extra
    )
    kept = list(ranges.outcomes)
    for at, why in left.items():
        env = ranges.envs[at]
        refuse_if_named(env, ResolutionError(Kind.NO_VERSION, [why]))
        kept[at] = Outcome(kept[at].wanted, None, skip=f"{env.label}: {why}")
    return kept, bool(left)


__all__ = ["with_extras", "without_extras"]
