"""A ``pylock.toml`` in the resolution stage: its requirements, each one's file, its set checked.

A lock given with ``-r`` is already a resolution (PEP 751): :func:`read_locks` reads each
lock's packages for the target (:func:`graft.sources.pylock.read_pylock`), and once the
other requirements are resolved, :func:`locked_files` takes each file as the lock names it
(a source the target builds: :func:`graft.resolve.unbuilt.unbuilt_source`). A lock alone
has its set checked before anything is downloaded (:func:`lock_precheck`). Imported by
:func:`graft.resolve.locate.locate` only for a request with a lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from graft.model.request import ResolveRequest
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target
    from graft.resolve.variants import VariantChooser
    from graft.sources.candidates import Candidate
    from graft.sources.coremeta import CoreMetadata
    from graft.sources.find_links import FindLinks
    from graft.sources.indexes import Indexes


def read_locks(
    request: ResolveRequest, inputs: Inputs, target: Target, chooser: VariantChooser
) -> list[Wanted]:
    """The packages of each lock *inputs* names, as *target* installs them."""
    from graft.sources.pylock import read_pylock  # noqa: PLC0415

    locked: list[Wanted] = []
    extras, groups = request.extras, request.groups
    if inputs.pylock_picks:  # pip's -r 'pylock.toml[x]', --group pylock.toml:g (decision 498)
        from graft.sources.pylock_spellings import lock_group  # noqa: PLC0415

        groups = tuple(g for g in groups if lock_group(g) is None)
    for lock in inputs.pylocks:
        lock_extras, lock_groups, defaults = tuple(extras), groups or None, False
        if inputs.pylock_picks:
            from graft.sources.pylock_spellings import selection  # noqa: PLC0415

            lock_extras, lock_groups, defaults = selection(lock, extras, groups, inputs)
        locked += read_pylock(
            lock,
            target,
            lock_extras,
            lock_groups,
            variants=chooser,
            all_extras=request.all_extras,
            digests=inputs.digests,
            default_groups=defaults,
        )
    return locked


def locked_files(
    locked: list[Wanted], find_links: FindLinks, target: Target, index: Indexes | None
) -> list[tuple[Wanted, Candidate]]:
    """Each locked requirement with its file: the one it names, or its source to build."""
    from graft.resolve.fetched import choose  # noqa: PLC0415
    from graft.resolve.unbuilt import unbuilt_source  # noqa: PLC0415

    return [
        (
            w,
            choose(w, find_links, target, index) if w.path or not w.source else unbuilt_source(w),
        )
        for w in locked
    ]


def lock_precheck(
    request: ResolveRequest, inputs: Inputs, target: Target, cache_dir: str, offline: bool
) -> Callable[[list[tuple[Wanted, Candidate]]], dict[str, CoreMetadata]]:
    """A lock alone: its set checked before download (:func:`graft.resolve.fetched.fetch`'s)."""

    def precheck(chosen: list[tuple[Wanted, Candidate]]) -> dict[str, CoreMetadata]:
        from graft.resolve.deps import check_before_download  # noqa: PLC0415

        overrides = None
        if inputs.overrides or inputs.excludes:  # (a lock made with them: 388, 389)
            from graft.resolve.overrides import of_inputs  # noqa: PLC0415

            overrides = of_inputs(inputs)
        return check_before_download(
            chosen, target, request.no_deps, cache_dir, offline, overrides=overrides
        )

    return precheck


__all__ = ["lock_precheck", "locked_files", "read_locks"]
