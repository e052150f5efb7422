"""PEP 751 ``pylock.toml`` input, through :mod:`packaging.pylock`.

``packaging`` validates the lock (lock-version, field types), checks
``environments`` and ``requires-python``, evaluates package markers with the
requested extras and dependency groups, and picks one wheel per package by the
target's tags. This module turns its answer into :class:`~graft.sources.requirements.Wanted`
items: a wheel by URL or by path (relative to the lock file), with its hashes
and size, which the download and ingest stages then verify.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from graft.errors import SourceError
from graft.model.requirements import Wanted

if TYPE_CHECKING:
    from collections.abc import Collection

    from graft.model.target import Target


def is_pylock(path: str) -> bool:
    """Whether *path* names a PEP 751 lock file (``pylock.toml`` or ``pylock.<name>.toml``)."""
    name = os.path.basename(path)
    return name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml"))


def read_pylock(
    path: str,
    target: Target,
    extras: Collection[str] = (),
    groups: Collection[str] | None = None,
) -> list[Wanted]:
    """The wheels *path* selects for *target*, as :class:`Wanted` items."""
    from packaging.pylock import (  # noqa: PLC0415
        PackageWheel,
        Pylock,
        PylockSelectError,
        PylockUnsupportedVersionError,
        PylockValidationError,
    )
    from packaging.tags import Tag  # noqa: PLC0415

    from graft._fs import load_toml  # noqa: PLC0415

    data = load_toml(path)
    try:
        lock = Pylock.from_dict(data)
    except PylockUnsupportedVersionError as exc:
        raise SourceError(
            f"unsupported lock-version ({exc})", where=path, hint="graft reads lock-version 1.x"
        ) from None
    except PylockValidationError as exc:
        raise SourceError(f"invalid lock file ({exc})", where=path) from None
    tags = [Tag(*t.split("-", 2)) for t in target.tags]
    base = os.path.dirname(os.path.abspath(path))
    wanted = []
    try:
        selected = list(
            lock.select(
                environment=target.markers,  # type: ignore[arg-type]
                tags=tags,
                extras=extras,
                dependency_groups=groups,
            )
        )
    except PylockSelectError as exc:
        raise SourceError(
            f"{exc}", where=path, hint=f"the target is {target.implementation} {target.version}"
        ) from None
    for package, dist in selected:
        where = f"{path}: {package.name}"
        if not isinstance(dist, PackageWheel):
            kind = type(dist).__name__.removeprefix("Package").lower()
            raise SourceError(
                f"{package.name} is locked as a {kind}, not a wheel",
                where=path,
                hint="graft installs wheels only (builds come later); lock with wheels",
            )
        hashes = frozenset(
            f"{alg}:{value}" for alg, value in dist.hashes.items() if alg == "sha256"
        )
        if not hashes:
            raise SourceError(f"{package.name}: the lock gives no sha256 hash", where=path)
        local = None
        url = dist.url
        if dist.path is not None:
            local = dist.path if os.path.isabs(dist.path) else os.path.join(base, dist.path)
            url = None
        name = (dist.name or _filename(url or local or "")).strip()
        wanted.append(
            Wanted(
                name=canonicalize_name(package.name),
                version=str(package.version) if package.version else None,
                extras=frozenset(),
                hashes=hashes,
                where=where,
                path=local,
                url=url,
                filename=name,
                size=dist.size,
            )
        )
    return wanted


def _filename(location: str) -> str:
    from urllib.parse import unquote, urlsplit  # noqa: PLC0415

    return unquote(urlsplit(location).path.rsplit("/", 1)[-1])
