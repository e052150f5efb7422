"""An sdist's static metadata: what it states its wheels require without a build.

PKG-INFO when static (PEP 643), else ``pyproject.toml``'s static ``[project]`` (PEP 621),
read from the archive's top files without unpacking it (:func:`static_metadata`), and kept
by the sdist's sha256 under ``<cache>/metadata/`` (:func:`kept_static`, :func:`static_path`),
the same for every target, so a warm sync reads no archive. The resolver's sdist candidates
(:class:`graft.resolve.sdists.SdistBuilds`), a named source read for a foreign target
(:mod:`graft.resolve.named_reads`) and the check of built wheels against what was read
(:mod:`graft.resolve.static_checked`) share it. The standard library alone at import: the
change stamp's vouchers (:mod:`graft.cli.vouchers`) read :func:`static_path`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


def static_metadata(path: str, filename: str) -> bytes:
    """What the sdist states its wheels require, without a build; ``b""`` when it does not.

    Its PKG-INFO when static (PEP 643), else the core metadata its ``pyproject.toml``'s
    ``[project]`` states statically (PEP 621, :func:`~graft.build.sdist.pyproject_metadata`),
    unless the PKG-INFO declares ``Requires-Dist`` dynamic, or names projects the table does
    not (or the table names projects it does not): then its backend does not write what the
    table says (sip's adds ``PyQt5-sip`` to PyQt5's ``dependencies = []``, decision 234), and
    the backend is asked.
    """
    from graft.build.sdist import (  # noqa: PLC0415
        archive_top_files,
        parse_pkg_info,
        pyproject_metadata,
        sdist_name,
    )

    found = archive_top_files(path, ("PKG-INFO", "pyproject.toml"))
    raw = found.get("PKG-INFO")
    said = None
    if raw is not None:
        said = parse_pkg_info(raw.decode("utf-8", "surrogateescape"), filename)
        if said.static_requires:
            return raw
        if "requires-dist" in said.dynamic:  # the backend says it may add some: ask it
            return b""
    pyproject = found.get("pyproject.toml")
    if pyproject is None:
        return b""
    table = pyproject_metadata(pyproject, sdist_name(filename))
    if table is None:
        return b""
    if said is not None and said.requires_dist:  # (one that states none says nothing)
        stated = parse_pkg_info(table.decode("utf-8"), filename).requires_dist
        if _projects(said.requires_dist) != _projects(stated):
            return b""
    return table


def _projects(lines: Sequence[str]) -> frozenset[str] | None:
    """The projects Requires-Dist *lines* name (canonical); None if one does not parse."""
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    try:
        return frozenset(canonicalize_name(Requirement(line).name) for line in lines)
    except InvalidRequirement:
        return None


def static_path(cache_dir: str, sha256: str) -> str:
    """Where the static METADATA of the sdist with this sha256 is kept (empty: it has none)."""
    # (".static2": since decision 234 a PKG-INFO that contradicts the table is not its)
    return os.path.join(cache_dir, "metadata", f"sdist-{sha256}.static2")


def kept_static(path: str, where: str, cache_dir: str) -> bytes:
    """:func:`static_metadata`, remembered by the sdist's sha256 (the same for any target).

    ``<cache>/metadata/sdist-<sha256>.static2`` holds that metadata, or nothing when the
    sdist states none; so a warm sync does not read through the archive again.
    """
    from graft._atomic import remember  # noqa: PLC0415

    kept = static_path(cache_dir, sdist_sha256(path, cache_dir))
    try:
        with open(kept, "rb") as fh:
            return fh.read()
    except OSError:
        pass
    found = static_metadata(path, where)
    remember(kept, found)
    return found


def sdist_sha256(path: str, cache_dir: str) -> str:
    """The sdist's sha256: its directory's name in the download cache, else read.

    An sdist from an index lies in the download cache, whose directories name their
    files' hashes: a lock's environments read each release's metadata once per
    environment, and hashed every file each time (2 s of a warm ``graft lock PyQt5``
    whose hooks' failures were kept, decision 254).
    """
    from graft.sources.cachenames import stored_sha256  # noqa: PLC0415

    sha = stored_sha256(path, cache_dir)
    if sha is None:
        from graft._fs import file_sha256  # noqa: PLC0415

        sha = file_sha256(path)
    return sha
