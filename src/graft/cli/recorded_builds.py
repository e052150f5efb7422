"""The recorded-build lookup: a sync's source answered from the built-wheel cache alone.

The warm path of a source in ``graft sync`` (decisions 328, 330): a recorded build of an
sdist file that the reuse rule lets serve the target (:func:`recorded_build`), or the
METADATA kept from an earlier metadata hook (:func:`kept_metadata`), found by the kept sdist
facts (:mod:`graft.build.recorded`) without importing :mod:`graft.builds`, the evidence scan
or the PEP 517 hooks. :class:`graft.cli.sync_builds.SyncBuilds` asks here first, and builds
only when nothing recorded answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.build.assessment import Assessment
    from graft.model.built import BuiltWheel
    from graft.model.target import Target


def recorded_build(
    source: str,
    target: Target,
    settings: tuple[tuple[str, str], ...],
    *,
    isolated: bool,
    constraints: tuple[str, ...],
) -> BuiltWheel | None:
    """A recorded build of the sdist file *source* the rule lets serve *target*, or None.

    *settings*, *isolated* and *constraints*: what the build would be made with (they pick
    its build-input key). None too when *source* cannot be read.
    """
    from graft._home import cache_root  # noqa: PLC0415
    from graft.build.cache import BuiltWheels  # noqa: PLC0415
    from graft.build.recorded import reusable_sdist_build  # noqa: PLC0415
    from graft.build.reuse import Builder  # noqa: PLC0415
    from graft.model.built import BuiltWheel  # noqa: PLC0415

    try:
        sha = sdist_sha256(source)
    except OSError:
        return None
    hit = reusable_sdist_build(
        BuiltWheels(cache_root()),
        source,
        sha,
        target,
        settings,
        isolated=isolated,
        constraints=constraints,
    )
    if hit is None:
        return None
    note = (
        f"reused {hit.record.filename} for {Builder.of(target)} ({target.executable}):"
        f" {hit.verdict.why}; source: {hit.assessment.describe()}"
    )
    return BuiltWheel(hit.path, hit.record.sha256, note, variable_reads(hit.assessment))


def kept_metadata(
    source: str,
    target: Target,
    settings: tuple[tuple[str, str], ...],
    *,
    isolated: bool,
    constraints: tuple[str, ...],
) -> tuple[bytes, str] | None:
    """The METADATA an earlier metadata hook of the sdist file *source* gave, and a note."""
    from graft._home import cache_root  # noqa: PLC0415
    from graft.build.cache import BuiltWheels  # noqa: PLC0415
    from graft.build.recorded import kept_prepared_metadata  # noqa: PLC0415
    from graft.build.reuse import Builder  # noqa: PLC0415

    data = kept_prepared_metadata(
        BuiltWheels(cache_root()),
        source,
        sdist_sha256(source),
        target,
        settings,
        isolated=isolated,
        constraints=constraints,
    )
    if data is None:
        return None
    who = f"{Builder.of(target)} ({target.executable})"
    return data, f"metadata of {source} for {who}: kept from an earlier hook"


def variable_reads(assessment: Assessment) -> tuple[tuple[str, str], ...]:
    """The environment variables a build reads, as a memo watches them (decision 139).

    Their values pick the build-input key: another value is another build (or another
    recorded one), which a recalled resolution would not know.
    """
    return tuple(("env", name) for name in sorted(set(assessment.variables)))


def sdist_sha256(source: str) -> str:
    """The sha256 of the sdist file *source*: named by its place in the download cache, else read.

    An sdist from an index lies in the download cache, whose directories name their files'
    hashes (:func:`graft.sources.cachenames.stored_sha256`): a warm sync reads no sdist twice.
    """
    from graft._home import cache_root  # noqa: PLC0415
    from graft.sources.cachenames import stored_sha256  # noqa: PLC0415

    sha = stored_sha256(source, cache_root())
    if sha is not None:
        return sha
    from graft._fs import file_sha256  # noqa: PLC0415

    return file_sha256(source)
