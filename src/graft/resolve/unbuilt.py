"""A lock's sources in a dry run: checked as the sync checks them, read without a build.

A sync builds each sdist, directory and repository a lock names before it installs
(:func:`graft.resolve.named_sources.build_named`), and checks the set with the built wheels'
METADATA. A dry run (decisions 149, 207 and 239) builds none: it makes the checks the sync
makes before the build (the request's build limits; a local sdist's hash; an sdist by URL
downloaded into the cache, as the sync downloads it, and then its hash; a repository checked
out; a directory's static ``requires-python``, an sdist's PKG-INFO's Requires-Python), then
reads the METADATA the build would give from the backend's
``prepare_metadata_for_build_wheel`` (or a recorded build's, or one kept from an earlier
hook), as the resolution of a dry run reads an sdist it picks; its name and version must be
the lock's, as the built wheel's must. :func:`graft.resolve.locate.locate` calls it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.model.request import SourceBuilder
    from graft.model.requirements import Wanted
    from graft.model.target import Target
    from graft.resolve.named_sources import BuildLimits
    from graft.sources.candidates import Candidate


def unbuilt_source(wanted: Wanted) -> Candidate:
    """A source a dry run does not build: the sdist, directory or repository it names.

    A lock's, or a foreign target's named source (which the target builds: decision 427).
    Its name and version are the lock's (``wanted``); the sync would build it. A
    repository is named by its URL as given, not its last path component (decision 443).
    """
    from graft.sources.candidates import Candidate  # noqa: PLC0415

    source = wanted.source or ""
    shown = source if source.startswith("git+") else os.path.basename(source.rstrip("/"))
    filename = wanted.filename or shown
    remote = source.startswith(("http://", "https://", "git+"))
    return Candidate(filename, source, None, local=not remote, origin=wanted.where)


def read_unbuilt(
    locked: Sequence[Wanted],
    target: Target,
    builder: SourceBuilder | None,
    cache_dir: str,
    limits: BuildLimits,
    *,
    read_for: Target | None = None,
) -> tuple[tuple[str, bytes], ...]:
    """The METADATA each lock's source among *locked* would build, with its source.

    Each is refused first as the sync refuses it: where *limits* allow no build of it (or
    there is no *builder*), then as ``build_named`` refuses before its build. *read_for*:
    the interpreter whose backend run answers in *target*'s place (a foreign target's dry
    run: the one running graft, decision 427).
    """
    from graft.resolve.named_sources import refuse_build  # noqa: PLC0415

    read = []
    for w in locked:
        if w.source is None:
            continue
        refuse_build(w.source, builder, limits, w.name or None)
        assert builder is not None  # noqa: S101 - refuse_build raised otherwise
        offline = limits.offline
        read.append((w.source, _metadata(w, target, builder, cache_dir, offline, read_for)))
    return tuple(read)


def _metadata(  # noqa: PLR0917 - read_unbuilt's, in turn
    w: Wanted,
    target: Target,
    builder: SourceBuilder,
    cache_dir: str,
    offline: bool,
    read_for: Target | None,
) -> bytes:
    from packaging.metadata import parse_email  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.resolve.build_refusals import refuse_excluded  # noqa: PLC0415
    from graft.resolve.named_sources import check_built, source_at_hand  # noqa: PLC0415

    local, _ = source_at_hand(w, cache_dir, offline=offline)
    refuse_excluded(w, local, target, builder)
    data, _ = builder.metadata(local, read_for or target)
    raw, _ = parse_email(data)
    name, version = raw.get("name"), raw.get("version")
    if name and version:  # (a METADATA without them: the build says what is wrong)
        check_built(w, canonicalize_name(name), version)
    return data
