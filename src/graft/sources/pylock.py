"""PEP 751 ``pylock.toml`` input, through :mod:`packaging.pylock`.

``packaging`` validates the lock (lock-version, field types), checks
``environments`` and ``requires-python``, evaluates package markers with the
requested extras and dependency groups, and picks one wheel per package by the
target's tags. This module turns its answer into :class:`~graft.sources.requirements.Wanted`
items: a wheel by URL or by path (relative to the lock file), with its hashes
and size, which the download and ingest stages then verify.

**Wheel variants (PEP 825).** packaging refuses a variant wheel's filename and knows no
``[packages.variants-json]``. So a package that lists variant wheels is handed to packaging
with stand-in names (the filenames without their labels), which keeps its markers,
extras, groups and tag checks; graft then chooses among the package's listed wheels
itself (:mod:`graft.sources.pylock_variants`, imported only for such a lock): the variant
order for this machine (``variants``, from the package's inlined ``variants-json``), then the
tag order, as a resolution would. Without ``variants`` (or with ``--no-variants``) only the
non-variant wheels are candidates. A package that only some variant choices need
(``[packages.tool.graft] needed-by``, written by ``graft lock``) is kept when one of its
clauses holds for the wheels chosen (:mod:`graft.variants.locked`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from graft.errors import SourceError
from graft.model.requirements import Wanted

if TYPE_CHECKING:
    from collections.abc import Collection

    from packaging.utils import NormalizedName

    from graft.model.target import Target
    from graft.sources.pylock_variants import LockedVariants


def is_pylock(path: str) -> bool:
    """Whether *path* is named as a lock file (``pylock.toml``, ``pylock.<name>.toml``).

    Its inputs then check the name with :func:`check_lock_name`.
    """
    name = os.path.basename(path)
    return name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml"))


def check_lock_name(path: str, where: str) -> None:
    """Refuse a lock's name that is not PEP 751's (``pylock.a.b.toml``: NAME holds a dot).

    As uv refuses it; pip reads such a file as requirements and fails on its first line.
    *where*: how it was given (``-r``, ``-c``, ``command line``).
    """
    from pathlib import Path  # noqa: PLC0415

    from packaging.pylock import is_valid_pylock_path  # noqa: PLC0415

    name = os.path.basename(path)
    if name != "pylock.toml" and not is_valid_pylock_path(Path(name)):
        from graft.errors import UsageError  # noqa: PLC0415

        raise UsageError(
            "not a PEP 751 lock file name (pylock.toml, or pylock.NAME.toml with no dot in NAME)",
            where=f"{where} {path}",
            hint="rename it: pip and uv read no other name as a lock",
        )


def read_pylock(
    path: str,
    target: Target,
    extras: Collection[str] = (),
    groups: Collection[str] | None = None,
    *,
    variants: LockedVariants | None = None,
    all_extras: bool = False,
    digests: dict[str, str] | None = None,
    default_groups: bool = False,
) -> list[Wanted]:
    """The wheels *path* selects for *target*, as :class:`Wanted` items.

    *all_extras* (``--all-extras``): with every extra the lock declares (decision 387).
    *default_groups*: the lock's ``default-groups`` beside *groups* (pip's ``-r LOCK --group
    LOCK:NAME``, decision 498).
    *digests* (``Inputs.digests``): the sha256 of the bytes read goes into it (decision 464).
    """
    from packaging.pylock import (  # noqa: PLC0415
        PackageWheel,
        Pylock,
        PylockSelectError,
        PylockUnsupportedVersionError,
        PylockValidationError,
    )
    from packaging.tags import Tag  # noqa: PLC0415

    from graft._toml import load_toml  # noqa: PLC0415

    data = load_toml(path, digests=digests)
    data, originals = _stand_ins(data, path)
    try:
        lock = Pylock.from_dict(data)
    except PylockUnsupportedVersionError as exc:
        raise SourceError(
            f"unsupported lock-version ({exc})", where=path, hint="graft reads lock-version 1.x"
        ) from None
    except PylockValidationError as exc:
        raise SourceError(f"invalid lock file ({exc})", where=path) from None
    if all_extras:
        extras = tuple(dict.fromkeys((*extras, *(lock.extras or ()))))
    if default_groups and groups is not None:
        groups = tuple(dict.fromkeys((*(lock.default_groups or ()), *groups)))
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
        from graft.sources.pylock_refusals import refusal  # noqa: PLC0415

        raise refusal(str(exc), lock, target, where=path) from None
    positions = {id(p): i for i, p in enumerate(lock.packages)}
    for package, dist in selected:
        where = f"{path}: {package.name}"
        original = originals.get(positions[id(package)])
        if original is not None:
            from graft.sources.pylock_variants import variant_wheel  # noqa: PLC0415

            wanted.append(
                variant_wheel(package, original, target, base, where=where, variants=variants)
            )
            continue
        if not isinstance(dist, PackageWheel):
            wanted.append(_source(package, dist, base, where=where))
            continue
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
                indexed=True,
            )
        )
    if any(isinstance(p.tool, dict) and "graft" in p.tool for p, _ in selected):
        from graft.sources.pylock_variants import needed_here  # noqa: PLC0415

        return needed_here(wanted, [p for p, _ in selected], target, variants, where=path)
    return wanted


def _source(package: Any, dist: Any, base: str, *, where: str) -> Wanted:
    """A locked sdist (by URL or path, sha256 required), archive, directory or git commit.

    The resolution stage builds it as it builds a named source (its recorded build reused
    by the same rule) and checks the sdist's sha256 first; the wheel built is then
    installed with the rest of the lock.
    """
    from packaging.pylock import (  # noqa: PLC0415
        PackageArchive,
        PackageDirectory,
        PackageSdist,
        PackageVcs,
    )

    name = canonicalize_name(package.name)
    version = str(package.version) if package.version else None
    if isinstance(dist, PackageArchive):
        return _archive(package, dist, base, where=where)
    if isinstance(dist, PackageDirectory):
        local = dist.path if os.path.isabs(dist.path) else os.path.join(base, dist.path)
        if dist.subdirectory:
            local = os.path.join(local, dist.subdirectory)
        return _local_source(local, name, version, where, editable=bool(dist.editable))
    if isinstance(dist, PackageVcs) and dist.type == "git":
        return _vcs(dist, name, version, base, where=where)
    if not isinstance(dist, PackageSdist):
        kind = type(dist).__name__.removeprefix("Package").lower()
        raise SourceError(
            f"{package.name} is locked as a {kind}, which graft does not install",
            where=where,
            hint="lock it as a wheel, an sdist or a directory",
        )
    hashes = frozenset(f"{alg}:{value}" for alg, value in dist.hashes.items() if alg == "sha256")
    if not hashes:
        raise SourceError(f"{package.name}: the lock gives the sdist no sha256 hash", where=where)
    if dist.path is not None:
        local = dist.path if os.path.isabs(dist.path) else os.path.join(base, dist.path)
        return _local_source(local, name, version, where, hashes=hashes, indexed=True)
    url = dist.url or ""
    return Wanted(
        name,
        version,
        frozenset(),
        hashes,
        where,
        url=url,
        filename=(dist.name or _filename(url)).strip(),
        size=dist.size,
        source=url,
        indexed=True,
    )


def _vcs(dist: Any, name: NormalizedName, version: str | None, base: str, *, where: str) -> Wanted:
    """A ``[packages.vcs]`` of git: its commit checked out and built (``sources.vcs``)."""
    from pathlib import Path  # noqa: PLC0415

    url = dist.url
    if url is None:
        url = Path(os.path.join(base, dist.path)).as_uri()  # an absolute path stays itself
    fragment = f"#subdirectory={dist.subdirectory}" if dist.subdirectory else ""
    source = f"git+{url}@{dist.commit_id}{fragment}"
    return Wanted(
        name,
        version,
        frozenset(),
        frozenset(),
        where,
        source=source,
        requested_revision=dist.requested_revision,
    )


_SDIST_SUFFIXES = (".tar.gz", ".zip")


def _archive(package: Any, dist: Any, base: str, *, where: str) -> Wanted:
    """A ``[packages.archive]``: a wheel or an sdist by URL or path, as uv and pip read one.

    PEP 751's archive is a direct reference to one file, with its hashes (sha256 required
    here, as for wheels): a wheel is installed as a wheel named by URL or path is; an sdist
    is built as a locked sdist is. An archive whose file is neither, or an sdist with a
    ``subdirectory`` (a project inside the archive, which graft's builds cannot reach),
    is refused naming the entry.
    """
    name = canonicalize_name(package.name)
    version = str(package.version) if package.version else None
    location = dist.path or dist.url or ""
    filename = _filename(location).strip()
    hashes = frozenset(f"{alg}:{value}" for alg, value in dist.hashes.items() if alg == "sha256")
    if not hashes:
        raise SourceError(f"{package.name}: the lock gives the archive no sha256 hash", where=where)
    local = None
    if dist.path is not None:
        local = dist.path if os.path.isabs(dist.path) else os.path.join(base, dist.path)
    if filename.endswith(".whl"):
        if dist.subdirectory:
            raise SourceError(
                f"{package.name}: a wheel archive has no subdirectory ({dist.subdirectory})",
                where=where,
            )
        direct = None
        if local is None:  # a direct reference, as pip and uv write it (by path: the file's)
            from graft.sources.requirements import remote_direct_url  # noqa: PLC0415

            sha = next(iter(hashes)).removeprefix("sha256:")
            direct = remote_direct_url(dist.url, {"sha256": sha})
        return Wanted(
            name,
            version,
            frozenset(),
            hashes,
            where,
            path=local,
            url=None if local else dist.url,
            filename=filename,
            size=dist.size,
            direct_url=direct,
        )
    if dist.subdirectory:
        raise SourceError(
            f"{package.name} is locked as an archive with a subdirectory"
            f" ({dist.subdirectory}), which graft cannot build",
            where=where,
            hint="lock it as a wheel, an sdist or a directory",
        )
    if not filename.endswith(_SDIST_SUFFIXES):
        raise SourceError(
            f"{package.name} is locked as an archive, {filename}, which is neither a wheel nor"
            " an sdist (.tar.gz, .zip)",
            where=where,
            hint="lock it as a wheel, an sdist or a directory",
        )
    if local is not None:
        return _local_source(local, name, version, where, hashes=hashes)
    url = dist.url or ""
    return Wanted(
        name, version, frozenset(), hashes, where, url=url, filename=filename,
        size=dist.size, source=url,
    )  # fmt: skip


def _local_source(
    path: str,
    name: str,
    version: str | None,
    where: str,
    *,
    editable: bool = False,
    hashes: frozenset[str] = frozenset(),
    indexed: bool = False,
) -> Wanted:
    """A locked directory or sdist file, as ``requirements.source_path`` gives one."""
    path = os.path.abspath(path)
    is_sdist = os.path.isfile(path) and path.endswith((".tar.gz", ".zip"))
    if not os.path.isdir(path) and not is_sdist:
        raise SourceError("no such project directory or sdist file", where=f"{where}: {path}")
    return Wanted(
        canonicalize_name(name),
        version,
        frozenset(),
        hashes,
        where,
        source=path,
        editable=editable,
        indexed=indexed,
    )


def _filename(location: str) -> str:
    from urllib.parse import unquote, urlsplit  # noqa: PLC0415

    return unquote(urlsplit(location).path.rsplit("/", 1)[-1])


def _stand_ins(data: dict[str, Any], path: str) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """*data* with variant wheels under label-less names, and the packages as written.

    The second value maps the position of each package that lists a variant wheel (or
    carries ``variants-json``) to its table as the lock wrote it.
    """
    from graft.model.wheelname import InvalidWheelFilename, split_variant_label  # noqa: PLC0415

    packages = data.get("packages")
    if not isinstance(packages, list):
        return data, {}
    originals: dict[int, dict[str, Any]] = {}
    out = []
    for i, package in enumerate(packages):
        wheels = package.get("wheels") if isinstance(package, dict) else None
        if not isinstance(wheels, list):
            out.append(package)
            continue
        renamed = []
        for wheel in wheels:
            name = wheel.get("name") if isinstance(wheel, dict) else None
            try:
                base, label = split_variant_label(name) if isinstance(name, str) else (name, None)
            except InvalidWheelFilename as exc:
                raise SourceError(f"invalid lock file ({exc})", where=path) from None
            renamed.append(wheel if label is None else {**wheel, "name": base})
        if renamed != wheels or "variants-json" in package:
            originals[i] = package
            kept = {k: v for k, v in package.items() if k != "variants-json"}
            out.append({**kept, "wheels": renamed})
        else:
            out.append(package)
    return {**data, "packages": out}, originals
