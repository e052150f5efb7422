"""What ``graft lock``'s resolutions become: its entries, and what it advises of them.

Each resolution that pins a variant release is forked over every other variant choice
(:mod:`~graft.resolve.lock_forks`, decision 43); the resolutions are merged into entries
(:mod:`~graft.resolve.lock_merge`), the variant metadata inlined
(:mod:`~graft.resolve.lock_variants`) and each entry checked to be writable as a marker;
what the user may want to know of the lock comes last (:func:`advice`).
:mod:`graft.resolve.lock` orders these steps among the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.resolve.lock_merge import check_markable, compatible, merge, release_of

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from graft.model.request import ResolveRequest
    from graft.model.requirements import Inputs, Wanted
    from graft.resolve.artifacts import ArtifactFile, ProjectSource
    from graft.resolve.environments import Environment
    from graft.resolve.lock_envs import Conditional
    from graft.resolve.lock_forks import Forks
    from graft.resolve.lock_merge import Entry
    from graft.resolve.lock_variants import LockEntry
    from graft.resolve.metadata_reader import MetadataReader
    from graft.resolve.resolver import Pin, Resolution
    from graft.resolve.screenmemo import ScreenMemo
    from graft.resolve.shared import SharedSource
    from graft.resolve.variants import VariantChooser


def with_forks(  # noqa: PLR0917 - one environment's resolution and the lock's readers
    env: Environment,
    wanted: list[Wanted],
    base: Resolution,
    chooser: VariantChooser,
    context: tuple[ResolveRequest, Inputs, SharedSource, ScreenMemo, Conditional, bool],
    reader: MetadataReader,
    found: Forks,
    locked: dict[str, str],
) -> Resolution:
    """*base* with every other variant choice's pins; clauses, warnings in *found*.

    A fork prefers the base's versions, then the output lock's (*locked*). It resolves as
    its environment did (``lock_envs.resolve_one``): over the same view of the source (the
    URL constraints whose marker holds there) and with sdists where a builder is at hand.
    """
    from graft.resolve.inputs import resolver_requirement  # noqa: PLC0415
    from graft.resolve.lock_envs import seen_in  # noqa: PLC0415
    from graft.resolve.lock_forks import forked  # noqa: PLC0415
    from graft.resolve.request_policy import resolver_policy  # noqa: PLC0415
    from graft.resolve.resolver import resolve  # noqa: PLC0415

    asked, inputs, shared, screens, conditional, builds = context
    source = seen_in(shared, conditional, env)

    def again(fork: VariantChooser, prefer: dict[str, str]) -> Resolution:
        preferred = {**locked, **prefer}
        policy = resolver_policy(asked, inputs, wanted, env.target, preferred, fork, sdists=builds)
        requirements = [resolver_requirement(w) for w in wanted]
        return resolve(
            requirements, env.target, source, policy, dependencies=not asked.no_deps,
            screens=screens,
        )  # fmt: skip

    def files_of(pin: Pin) -> tuple[ArtifactFile, ...]:
        release = release_of(source, pin.name, pin.version, found.releases)
        return compatible(release, env, pin.file)

    roots = [w.name for w in wanted]
    overrides = None
    if inputs.overrides or inputs.excludes:  # (read through them, as the forks resolve: 398)
        from graft.resolve.overrides import of_inputs  # noqa: PLC0415

        overrides = of_inputs(inputs)
    return forked(env, base, chooser, again, files_of, reader, roots, found, overrides)


def entries_of(  # noqa: PLR0917 - the resolutions and what the lock read
    results: list[tuple[Environment, Resolution]],
    source: ProjectSource,
    reader: MetadataReader,
    chooser: VariantChooser,
    forks: Forks,
    warnings: dict[str, None],
    seen: Callable[[Environment], tuple[ProjectSource, Mapping[str, str]]],
) -> tuple[Entry, ...]:
    """The lock's entries: merged, variant metadata inlined, clauses, checked markable.

    *seen*: each environment's view of *source*, and the index each project is kept to
    there (``lock_merge.merge``).
    """
    from graft.resolve.lock_variants import (  # noqa: PLC0415
        unlocked_variant_needs,
        with_needs,
        with_variants,
    )

    covered = tuple(env for env, _ in results)
    entries = with_variants(merge(results, source, reader, seen), source, chooser)
    warnings.update(forks.warnings)
    if forks.needs:
        entries = tuple(with_needs(e, forks.needs, covered) for e in entries)
    if any(e.variants_json for e in entries):
        warnings.update(dict.fromkeys(unlocked_variant_needs(entries, reader)))
    check_markable(entries)
    warnings.update(dict.fromkeys(chooser.warnings))
    return entries


def advice(
    results: Sequence[tuple[Environment, Resolution]],
    seen: Callable[[Environment], tuple[ProjectSource, Mapping[str, str]]],
    entries: Sequence[LockEntry],
    sources: Mapping[str, str],
) -> list[str]:
    """What the user may want to know of the lock: what else it could have done, and how.

    A newer release only later micro releases take (decision 113), or only a newer glibc
    (decision 322), a release whose macOS wheels need a macOS newer than its machine's
    floor (decisions 418, 490), each from the releases of the index the environment reads
    (*seen*: decision 385); the option pip needs for a lock with a directory (decision
    120).
    """
    from graft.resolve.lock_macos import newer_macos_only  # noqa: PLC0415
    from graft.resolve.lock_merge import held_back  # noqa: PLC0415
    from graft.resolve.lock_micro import passed_over  # noqa: PLC0415
    from graft.resolve.lock_write import pip_hashes_note  # noqa: PLC0415

    return [
        *passed_over(results, seen),
        *held_back(results, seen),
        *newer_macos_only(results, seen),
        *filter(None, [pip_hashes_note(entries, sources)]),
    ]
