"""A lock written as PEP 751: ``packaging.pylock`` builds and validates it, tomli-w writes it.

:func:`emit` writes the merged entries of :mod:`graft.resolve.lock` to ``-o`` (or returns
the text for ``-o -``): one ``[[packages]]`` per entry with its marker and its own wheels,
a named source as ``[packages.directory]`` or ``[packages.vcs]``, the variant tables put
back by :mod:`graft.resolve.lock_variants`. :func:`check_output` refuses an unwritable
``-o`` before any resolving.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, NoReturn

from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.environments import Environment
    from graft.resolve.lock_variants import LockEntry


def _locked_source(direct_url: str, lock_dir: str) -> tuple[str, Any]:
    """The source a PEP 610 *direct_url* names, as a lock's: ``directory`` or ``vcs``."""
    import json  # noqa: PLC0415
    import urllib.parse  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    from packaging.pylock import PackageDirectory, PackageVcs  # noqa: PLC0415

    data = json.loads(direct_url)
    if "vcs_info" in data:
        info = data["vcs_info"]
        vcs = PackageVcs(
            type=info["vcs"],
            url=data["url"],
            requested_revision=info.get("requested_revision"),
            commit_id=info["commit_id"],
            subdirectory=data.get("subdirectory"),
        )
        return "vcs", vcs
    local = urllib.request.url2pathname(urllib.parse.urlsplit(data["url"]).path)
    editable = bool(data.get("dir_info", {}).get("editable")) or None
    directory = PackageDirectory(path=os.path.relpath(local, lock_dir), editable=editable)
    return "directory", directory


def pylock_table(
    entries: tuple[LockEntry, ...],
    covered: tuple[Environment, ...],
    lock_dir: str,
    sources: dict[str, str] | None = None,
    archived: frozenset[str] = frozenset(),
) -> Mapping[str, Any]:
    """The PEP 751 lock of *entries* over the *covered* environments, as packaging's table.

    Validated as ``Pylock.validate`` does (the table read back), without making the table
    twice: it is what is written.

    *sources* maps the wheel built from a named source to the source's PEP 610 text: its
    entry is ``[packages.directory]`` or ``[packages.vcs]``, not the wheel. A wheel whose URL
    (or path) is in *archived* is a direct reference the user named: ``[packages.archive]``,
    which installers install as ``name @ URL``, as uv writes it (decision 120). An entry
    kept to one index by a ``[tool.uv.sources]`` ``index`` entry (``Entry.index``) has that
    URL as its ``index``, as ``uv export`` writes it (decisions 372, 377).
    """
    from packaging.markers import Marker  # noqa: PLC0415
    from packaging.pylock import Package, Pylock  # noqa: PLC0415
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415
    from packaging.version import Version  # noqa: PLC0415

    from graft.resolve.lock_markers import marker_for  # noqa: PLC0415

    pythons = sorted({e.python for e in covered}, key=Version)
    top = Version(pythons[-1])
    # from the lowest series' first release covered (3.9.2 for --python-version 3.9.2:
    # decision 120; where no 3.9 platform resolves before 3.9.2: decision 157)
    firsts = [e.first_release for e in covered if e.python == pythons[0]]
    bottom = pythons[0] if None in firsts else min(filter(None, firsts), key=Version)
    packages = []
    built_from = sources or {}
    markers: dict[frozenset[tuple[Any, ...]], Marker | None] = {}  # (entries share sets)
    for entry in entries:
        chosen = frozenset(e.span for e in entry.environments)  # (all marker_for reads)
        if chosen not in markers:
            text = marker_for(entry.environments, covered)
            markers[chosen] = Marker(text) if text else None
        marker = markers[chosen]
        source = next((built_from[f.url] for f in entry.wheels if f.url in built_from), None)
        if source is not None:  # a directory or a repository: that, not the wheel it built
            kind, found = _locked_source(source, lock_dir)
            # PEP 751: no version "when a source tree is used" (a directory, edited after
            # the lock); a repository's commit fixes its code, so its version stays
            # (decision 312, as uv writes both)
            version = None if kind == "directory" else entry.version
            packages.append(
                Package(name=entry.name, version=version, marker=marker, **{kind: found})
            )
            continue
        if len(entry.wheels) == 1 and entry.wheels[0].url in archived:
            archive = _archive(entry.wheels[0], lock_dir)
            packages.append(
                Package(name=entry.name, version=entry.version, marker=marker, archive=archive)
            )
            continue
        sdists = [_sdist(f, lock_dir) for f in entry.wheels if not f.is_wheel]
        index = entry.index
        packages.append(
            Package(
                name=entry.name,
                version=entry.version,
                marker=marker,
                index=None if index is None else index.rstrip("/"),
                wheels=[_wheel(f, lock_dir) for f in entry.wheels if f.is_wheel] or None,
                sdist=sdists[0] if sdists else None,
            )
        )
    lock = Pylock(
        lock_version=Version("1.0"),
        # each series once, its ranges aside (decision 153)
        environments=[Marker(m) for m in dict.fromkeys(e.marker for e in covered)],
        requires_python=SpecifierSet(f">={bottom},<{top.major}.{top.minor + 1}"),
        created_by="graft",
        packages=packages,
    )
    table = lock.to_dict()
    Pylock.from_dict(table)  # (Pylock.validate: raises PylockValidationError)
    return table


def _wheel(file: ArtifactFile, lock_dir: str) -> Any:
    from packaging.pylock import PackageWheel  # noqa: PLC0415

    from graft.model.wheelname import split_variant_label  # noqa: PLC0415

    remote = file.url.startswith(("http://", "https://"))
    sha, size = file.sha256, file.size
    if not remote:
        from graft._fs import file_sha256  # noqa: PLC0415

        found = file_sha256(file.url) if sha is None or file.direct else sha
        if sha is not None and sha != found:  # a user's #sha256= (or a lock's) checked
            raise SourceError(
                f"{file.filename} has sha256 {found}, not the hash given here",
                where=file.constraint or file.url,
                hint="the file changed, or the hash is wrong; nothing was written",
            )
        sha, size = found, os.path.getsize(file.url) if size is None else size
    elif sha is None and file.direct:  # a URL given without a hash: fetched once to hash it
        from graft._home import cache_root  # noqa: PLC0415
        from graft.sources.candidates import Candidate  # noqa: PLC0415
        from graft.sources.fetch import download  # noqa: PLC0415

        local, sha = download(Candidate(file.filename, file.url, None, False), cache_root())
        size = os.path.getsize(local)
    if sha is None:
        raise SourceError("the index gives no sha256 for it; a lock needs one", where=file.url)
    return PackageWheel(
        name=split_variant_label(file.filename)[0],  # a stand-in: packaging refuses labels
        url=file.url if remote else None,
        path=None if remote else os.path.relpath(file.url, lock_dir),
        size=size,
        upload_time=file.upload_time,
        hashes={"sha256": sha},
    )


def pip_hashes_note(entries: Sequence[LockEntry], sources: Mapping[str, str]) -> str | None:
    """What pip needs to install a lock holding a directory or a repository beside files.

    PEP 751 requires a hash for every wheel, sdist and archive, and a directory or a
    repository has none; pip (26.1 to 26.3 at least) takes any hash in its input as
    ``--require-hashes`` for everything and then refuses the entry with no file to hash. With
    ``--no-require-hashes`` it installs the lock and still checks every hash it holds.
    """
    named = sorted({str(e.name) for e in entries if any(f.url in sources for f in e.wheels)})
    if not named or all(any(f.url in sources for f in e.wheels) for e in entries):
        return None
    return (
        f"pip installs this lock only with --no-require-hashes (pip install"
        f" --no-require-hashes -r LOCK): {', '.join(named)} {'is' if len(named) == 1 else 'are'}"
        " locked as a directory or repository, which has no file to hash, and pip takes the"
        " lock's other hashes as --require-hashes for all (it still checks them); uv and graft"
        " sync install it as it is"
    )


def _sdist(file: ArtifactFile, lock_dir: str) -> Any:
    """``[packages.sdist]`` (PEP 751): url or path, size, upload-time, sha256."""
    from packaging.pylock import PackageSdist  # noqa: PLC0415

    remote = file.url.startswith(("http://", "https://"))
    sha, size = file.sha256, file.size
    if not remote:
        from graft._fs import file_sha256  # noqa: PLC0415

        sha = sha or file_sha256(file.url.removeprefix("file://"))
        size = os.path.getsize(file.url.removeprefix("file://")) if size is None else size
    if sha is None:
        raise SourceError("the index gives no sha256 for it; a lock needs one", where=file.url)
    return PackageSdist(
        name=file.filename,
        url=file.url if remote else None,
        path=None if remote else os.path.relpath(file.url.removeprefix("file://"), lock_dir),
        size=size,
        upload_time=file.upload_time,
        hashes={"sha256": sha},
    )


def _archive(file: ArtifactFile, lock_dir: str) -> Any:
    """A wheel named by URL or path as ``[packages.archive]``: where, size and sha256."""
    from packaging.pylock import PackageArchive  # noqa: PLC0415

    wheel = _wheel(file, lock_dir)
    return PackageArchive(
        url=wheel.url,
        path=wheel.path,
        size=wheel.size,
        upload_time=wheel.upload_time,
        hashes=wheel.hashes,
    )


def write(data: dict[str, Any], path: str) -> None:
    """Write the lock's table *data* as TOML, atomically (tomli-w: packaging has a reader only).

    A path that cannot be written is a one-line :class:`UsageError`; an existing file there
    is left as it was.
    """
    import tomli_w  # noqa: PLC0415

    from graft._atomic import write_atomic  # noqa: PLC0415

    try:
        write_atomic(path, tomli_w.dumps(data))
    except OSError as exc:
        _cannot_write(path, exc)


#: ``-o -``: the lock is written to standard output, as ``uv pip compile`` writes it.
STDOUT = "-"


def emit(
    entries: tuple[LockEntry, ...],
    covered: tuple[Environment, ...],
    sources: dict[str, str],
    output: str,
    archived: frozenset[str] = frozenset(),
) -> str | None:
    """Write the lock to *output*; its text instead when that is :data:`STDOUT`."""
    from graft.resolve.lock_variants import to_toml_dict  # noqa: PLC0415

    lock_dir = os.getcwd() if output == STDOUT else os.path.dirname(output)  # paths relative
    table = pylock_table(entries, covered, lock_dir, sources, archived)
    data = to_toml_dict(table, entries)
    if output != STDOUT:
        write(data, output)
        return None
    import tomli_w  # noqa: PLC0415

    return str(tomli_w.dumps(data))


def check_output(path: str, inputs: Sequence[str] = ()) -> None:
    """The lock's path must be a file in an existing directory (UsageError otherwise).

    Asked by ``graft lock`` before it resolves: minutes of work never end in "cannot write".
    Its name must be a lock's (PEP 751: ``pylock.toml`` or ``pylock.<name>.toml``), which
    installers read as a lock; any other is read as requirements, or refused.
    Nor may it be one of the requirement or constraint files *inputs* (``-o requirements.in``
    would replace the user's own file with the lock), unless that is a lock re-locked.
    """
    if path == STDOUT:
        return
    path = os.path.abspath(path)
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        _cannot_write(path, FileNotFoundError(2, f"no directory {parent}"))
    if os.path.isdir(path):
        _cannot_write(path, IsADirectoryError(21, "it is a directory"))
    from graft.sources.pylock import is_pylock  # noqa: PLC0415

    for given in inputs:
        if is_pylock(given) or "://" in given or not os.path.exists(path):
            continue
        try:
            same = os.path.samefile(given, path)
        except OSError:
            continue
        if same:
            from graft.errors import UsageError  # noqa: PLC0415

            raise UsageError(
                "-o names an input of this lock: writing the lock there would replace it",
                where=path,
                hint="give -o another file, such as pylock.toml",
            )
    from pathlib import Path  # noqa: PLC0415

    from packaging.pylock import is_valid_pylock_path  # noqa: PLC0415

    if not is_valid_pylock_path(Path(path)):  # (as uv refuses it; pip warns)
        from graft.errors import UsageError  # noqa: PLC0415

        raise UsageError(
            f"-o {os.path.basename(path)}: PEP 751 names a lock pylock.toml or pylock.NAME.toml"
            " (NAME without dots), and pip and uv read no other file as a lock",
            hint="give -o pylock.toml or pylock.NAME.toml, or - for standard output",
        )


def _cannot_write(path: str, exc: OSError) -> NoReturn:
    from graft.errors import UsageError  # noqa: PLC0415

    raise UsageError(
        f"cannot write the lock ({exc.strerror or exc})",
        where=path,
        hint="give -o a file in an existing directory you can write to",
    ) from None
