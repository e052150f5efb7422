"""Kept surfaces: a wheel's metadata surface parsed once and kept in the cache (decision 87).

``<cache>/surfaces/<wheel sha256>-<URL hash>.json`` holds the surface
(:func:`graft.resolve.surface.surface_to_json`) with the wheel's filename (the name check
was made against it) and the sha256 of the METADATA it was parsed from. Only a remote wheel
with a known sha256 has one: a local wheel is read from itself, a URL without a hash is not
kept, and an sdist's surface is kept by its METADATA (:mod:`graft.resolve.sdists`). A cache:
what cannot be read is not there, and a failed write is forgotten.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING

from graft._atomic import remember
from graft._sha256 import sha256_hex

if TYPE_CHECKING:
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.surface import Surface


def _path(cache_dir: str, file: ArtifactFile) -> str | None:
    """Where *file*'s surface is kept below *cache_dir*; None for a file that keeps none."""
    remote = file.url.startswith(("http://", "https://"))
    if not remote or file.sha256 is None or not file.is_wheel:
        # a local wheel is read from itself; a URL without a hash is not kept; an sdist's
        # metadata may come from a build (its own cache decides what is reused)
        return None
    from graft.sources.cachekey import cache_key  # noqa: PLC0415

    return os.path.join(cache_dir, "surfaces", f"{cache_key(file.sha256, file.url)}.json")


def load(cache_dir: str, file: ArtifactFile) -> Surface | None:
    """The surface parsed from wheel *file*'s METADATA by an earlier run, if kept and valid.

    Kept by the wheel's sha256 and URL with its filename (the name check was made against it)
    and the sha256 of the METADATA it was parsed from, which must equal the hash the
    index announces now, if any.
    """
    path = _path(cache_dir, file)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            kept = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("filename") != file.filename:
        return None
    announced = file.metadata_hash
    if announced and announced != f"sha256={kept.get('metadata_sha256')}":
        return None
    from graft.resolve.surface import surface_from_json  # noqa: PLC0415

    return surface_from_json(kept.get("surface"))


def keep(cache_dir: str, file: ArtifactFile, data: bytes, surface: Surface) -> None:
    """Keep *surface*, parsed from wheel *file*'s METADATA *data*, for the next run."""
    path = _path(cache_dir, file)
    if path is None:
        return
    from graft.resolve.surface import surface_to_json  # noqa: PLC0415

    kept = {
        "filename": file.filename,
        "metadata_sha256": sha256_hex(data),
        "surface": surface_to_json(surface),
    }
    with contextlib.suppress(OSError):
        remember(path, json.dumps(kept, separators=(",", ":")))
