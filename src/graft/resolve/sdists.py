"""Sources in resolution: what is built, through the builder ``graft sync`` is handed.

Three ways a source reaches a sync:

- **named** on the command line or in a requirements file: a project directory, an sdist
  file, ``name @ file:///…`` or ``name @ https://…/x.tar.gz``, ``-e DIR``.
  :func:`build_named` builds each (or reuses its recorded build) before resolution, and the
  resolver then sees the built wheel as a wheel given by path: its dependencies are the
  built wheel's own. ``direct_url.json`` names the source (PEP 610), as pip writes it.
- **picked** from an index or find-links when no wheel of a version fits the target, or
  with ``--no-binary``: :class:`SdistBuilds` gives the resolver its METADATA (PKG-INFO when
  static, PEP 643, or ``pyproject.toml``'s static ``[project]``, PEP 621; otherwise what the
  built wheel says), and :func:`build_picked` turns the
  chosen sdist, once downloaded, into its wheel.

The builder (:class:`graft.model.request.SourceBuilder`) is passed in by the command line;
without one, or with ``--no-build``, a source is refused in one line naming it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import threading
from typing import TYPE_CHECKING, Any

from graft.errors import SourceError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from concurrent.futures import Future, ThreadPoolExecutor

    from graft.build.stop import Stop
    from graft.model.built import BuiltWheel
    from graft.model.request import ResolveRequest, SourceBuilder
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.surface import Surface


def _static_metadata(path: str, filename: str) -> bytes:
    """What the sdist states its wheels require, without a build; ``b""`` when it does not.

    Its PKG-INFO when static (PEP 643), else the core metadata its ``pyproject.toml``'s
    ``[project]`` states statically (PEP 621, :func:`~graft.build.sdist.pyproject_metadata`),
    unless the PKG-INFO declares ``Requires-Dist`` dynamic (then the backend is asked).
    """
    from graft.build.sdist import (  # noqa: PLC0415
        archive_top_files,
        parse_pkg_info,
        pyproject_metadata,
        sdist_name,
    )

    found = archive_top_files(path, ("PKG-INFO", "pyproject.toml"))
    raw = found.get("PKG-INFO")
    if raw is not None:
        said = parse_pkg_info(raw.decode("utf-8", "surrogateescape"), filename)
        if said.static_requires:
            return raw
        if "requires-dist" in said.dynamic:  # the backend says it may add some: ask it
            return b""
    pyproject = found.get("pyproject.toml")
    if pyproject is None:
        return b""
    return pyproject_metadata(pyproject, sdist_name(filename)) or b""


def built_picked(
    wanted: Wanted, path: str, target: Target, builder: SourceBuilder | None
) -> tuple[Wanted, BuiltWheel]:
    """A chosen sdist, downloaded, built into its wheel (its recorded build reused)."""
    if builder is None:
        raise UsageError(f"{os.path.basename(path)} needs a build", where=path)
    built = builder.wheel(path, target)
    return dataclasses.replace(wanted, hashes=frozenset()), built  # the sdist's hash: checked


def built_all_picked(
    picked: Sequence[tuple[Wanted, str]], target: Target, builder: SourceBuilder | None
) -> list[tuple[Wanted, BuiltWheel]]:
    """:func:`built_picked` for each chosen sdist, two at a time, in the order given.

    A build is mostly a backend process: two of them use two cores while graft waits.
    The first failure is raised (the other build finishes first; nothing is installed).
    A builder whose ``parallel`` is false (one building a build requirement) builds in turn.
    """
    if len(picked) < 2 or not getattr(builder, "parallel", True):  # noqa: PLR2004
        return [built_picked(w, path, target, builder) for w, path in picked]
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="graft-build") as pool:
        futures = [pool.submit(built_picked, w, path, target, builder) for w, path in picked]
        return [future.result() for future in futures]


def is_sdist_file(path: str) -> bool:
    """Whether *path* names an sdist (not a wheel)."""
    return path.endswith((".tar.gz", ".zip"))


def refuse_builds(
    what: str,
    builder: SourceBuilder | None,
    *,
    no_build: bool = False,
    only_binary: frozenset[str] = frozenset(),
    no_binary: frozenset[str] = frozenset(),
    name: str | None = None,
) -> None:
    """A build is needed for *what* (of project *name*, if known): refused when builds are off.

    *only_binary*, *no_binary*: every ``--only-binary`` and ``--no-binary`` value given, the
    command line's and the requirement files', as canonical names or ``:all:``; a project
    they limit to wheels is not built (``graft.resolve.screen.format_limit``, as for
    candidates from an index). A source whose name is not known before its build is refused
    by ``--only-binary :all:``.
    """
    if no_build:
        raise UsageError(f"{what} needs a build, and --no-build was given", where=what)
    _refuse_binary_only(what, name, only_binary, no_binary)
    if builder is None:
        raise UsageError(
            f"{what} needs a build, and nothing builds here",
            where=what,
            hint="graft sync builds sources; this command installs wheels only",
        )


def _refuse_binary_only(
    what: str, name: str | None, only: frozenset[str], no: frozenset[str]
) -> None:
    from graft.resolve.screen import format_limit  # noqa: PLC0415 - sources only

    if name is not None and name in only:
        raise UsageError(f"{what} needs a build, and --only-binary names {name}", where=what)
    if ":all:" in only and (name is None or format_limit(name, only, no) == "binary"):
        raise UsageError(f"{what} needs a build, and --only-binary :all: was given", where=what)


def build_named(
    wanted: Sequence[Wanted],
    target: Target,
    builder: SourceBuilder | None,
    cache_dir: str,
    *,
    no_build: bool = False,
    only_binary: frozenset[str] = frozenset(),
    no_binary: frozenset[str] = frozenset(),
    foreign: bool = False,
    offline: bool = False,
) -> tuple[list[Wanted], list[str]]:
    """Each named source built (or reused) for *target*: a wheel given by path. With notes.

    *no_build*, *only_binary*, *no_binary*: as :func:`refuse_builds` takes them; *foreign*:
    the target is not this machine (nothing can be built for it); *offline*: sources come
    from the cache.
    """
    only, no = only_binary, no_binary
    out: list[Wanted] = []
    notes: list[str] = []
    for w in wanted:
        if w.source is None:
            out.append(w)
            continue
        formats = {"only_binary": only, "no_binary": no}
        refuse_builds(w.source, builder, no_build=no_build, name=w.name or None, **formats)
        if foreign:
            raise UsageError(f"{w.source} needs a build, which a foreign target cannot run")
        assert builder is not None  # noqa: S101 - refuse_builds raised otherwise
        if w.source.startswith("git+"):  # sources.vcs (checked and refused others at parse)
            from graft.sources.vcs import checkout, parse_vcs, vcs_direct_url  # noqa: PLC0415

            url = parse_vcs(w.source, w.where)
            local, commit = checkout(url, cache_dir, offline=offline, where=w.where)
            direct = vcs_direct_url(url, commit, w.requested_revision)
        else:
            local, sha = _local_source(w, cache_dir, offline=offline)
            direct = _direct_url(w, local, sha)
        built = builder.wheel(local, target, editable=w.editable)
        notes.append(built.note)
        out.append(_as_wheel(w, built, direct, (only, no)))
    return out, notes


def _local_source(w: Wanted, cache_dir: str, *, offline: bool) -> tuple[str, str | None]:
    """The source as a local path (an sdist URL downloaded into the cache), its sha256."""
    assert w.source is not None  # noqa: S101 - only sources come here
    if w.url is None:
        if os.path.isdir(w.source):
            return w.source, None
        from graft._fs import file_sha256  # noqa: PLC0415

        sha = file_sha256(w.source)
        _check_hash(w, sha)
        return w.source, sha
    from graft.sources.candidates import Candidate  # noqa: PLC0415

    given = next(iter(w.hashes)).removeprefix("sha256:") if len(w.hashes) == 1 else None
    candidate = Candidate(w.filename or "", w.url, given, local=False, origin=w.where)
    path, sha = _download(candidate, cache_dir, offline=offline, where=w.where)
    _check_hash(w, sha)
    return path, sha


def _download(candidate: object, cache_dir: str, *, offline: bool, where: str) -> tuple[str, str]:
    from graft.sources.candidates import Candidate  # noqa: PLC0415
    from graft.sources.fetch import cached_path, download  # noqa: PLC0415

    assert isinstance(candidate, Candidate)  # noqa: S101
    if offline:
        hit = cached_path(candidate, cache_dir)
        if hit is None or not candidate.sha256:
            raise SourceError(
                f"{candidate.filename} is not in the download cache and --offline was given",
                where=where,
            )
        return hit, candidate.sha256
    path, sha = download(candidate, cache_dir)
    if not sha:
        from graft._fs import file_sha256  # noqa: PLC0415

        sha = file_sha256(path)
    return path, sha


def _check_hash(w: Wanted, sha: str) -> None:
    if w.hashes and f"sha256:{sha}" not in w.hashes:
        raise SourceError(
            f"the sdist has sha256 {sha}, not the hash given here",
            where=w.where,
            hint="the file changed, or the hash is wrong; nothing was installed",
        )


def _direct_url(w: Wanted, local: str, sha: str | None) -> str:
    """PEP 610 ``direct_url.json`` for a source, as pip writes it (keys sorted)."""
    if sha is None:  # a directory
        info: dict[str, object] = {"editable": True} if w.editable else {}
        data: dict[str, object] = {"dir_info": info, "url": _file_url(local)}
    else:
        archive = {"hash": f"sha256={sha}", "hashes": {"sha256": sha}}
        data = {"archive_info": archive, "url": w.url or _file_url(local)}
    return json.dumps(data, sort_keys=True)


def _file_url(path: str) -> str:
    """``file://`` URL of an absolute *path* (pathlib only here: not on a sync without sources)."""
    from pathlib import Path  # noqa: PLC0415

    return Path(path).as_uri()


def _as_wheel(
    w: Wanted, built: BuiltWheel, direct_url: str, formats: tuple[frozenset[str], frozenset[str]]
) -> Wanted:
    """The named source as the wheel it built: its name and version, given by path."""
    from graft.model.wheelname import parse_wheel_filename  # noqa: PLC0415

    filename = os.path.basename(built.path)
    name, version = parse_wheel_filename(filename)[:2]
    if w.name and w.name != name:
        raise SourceError(
            f"the source builds {name} {version}, not {w.name}",
            where=w.where,
            hint=f"write {name} @ …",
        )
    from packaging.version import Version  # noqa: PLC0415

    if w.version is not None and Version(w.version) != Version(str(version)):  # a lock's
        raise SourceError(
            f"the source builds {name} {version}, not {w.version}",
            where=w.where,
            hint="the lock file and the source disagree; lock again",
        )
    _refuse_binary_only(w.source or "", name, *formats)  # (a name known only now)
    return dataclasses.replace(
        w,
        name=name,
        version=str(version),
        path=built.path,
        url=None,
        filename=filename,
        hashes=frozenset(),  # the source's hash was checked; the wheel is graft's own
        size=None,  # a lock's size is the sdist's
        direct_url=direct_url,
    )


class SdistBuilds:
    """The METADATA of sdist candidates for one target: static metadata, else a build.

    Resolution may read several versions' sdists; each is downloaded into the cache (where
    the install takes it from) and built only when neither its PKG-INFO nor its
    ``pyproject.toml`` states its dependencies. Reads of one file happen once, one at a
    time (builds are not threaded).
    """

    def __init__(
        self,
        builder: SourceBuilder,
        target: Target | Callable[[], Target],
        cache_dir: str,
        *,
        offline: bool,
        pinned: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        self.builder = builder
        # the target, or how to find it when first needed (a lock: the running interpreter)
        self._target = target
        # (name, version) the request pins with ==: never backtracked from, so built at once
        self.pinned = pinned
        self.cache_dir = cache_dir
        self.offline = offline
        self.notes: list[str] = []
        self._lock = threading.Lock()
        self._failed: dict[str, BaseException] = {}  # a source that did not build: not again
        # builds of pinned sdists started as soon as the resolver offers them (build_early),
        # two at a time, by URL; the resolver's read and the install wait for their answer
        self._early: dict[str, Future[BuiltWheel]] = {}
        self._early_lock = threading.Lock()
        self._stop: Stop | None = None  # ends the early builds' backends (made with the pool)
        self._pool: ThreadPoolExecutor | None = None

    @property
    def target(self) -> Target:
        """The interpreter whose builds answer (found on first use when given lazily)."""
        if callable(self._target):
            self._target = self._target()
        return self._target

    def local(self, file: ArtifactFile) -> str:
        """The sdist as a local file (downloaded into the cache when remote)."""
        if not file.url.startswith(("http://", "https://")):
            return file.url.removeprefix("file://")
        from graft.sources.candidates import Candidate  # noqa: PLC0415

        candidate = Candidate(file.filename, file.url, file.sha256, local=False)
        return _download(candidate, self.cache_dir, offline=self.offline, where=file.url)[0]

    def metadata(self, file: ArtifactFile) -> bytes:
        """The sdist's static metadata (PKG-INFO or ``[project]``), else the builder's.

        The builder answers with a recorded build's METADATA or runs the backend's
        ``prepare_metadata_for_build_wheel`` (a backend without it builds the wheel, kept):
        a version the resolver then leaves is never built where the backend can say. A
        release the request pins with ``==`` cannot be left (a root requirement stays), so
        it is built at once and its wheel's METADATA read: one backend run, not two.
        """
        from graft.errors import BuildError  # noqa: PLC0415

        with self._lock:
            path = self.local(file)
            static = self._static(path, file.filename)
            if static:
                return static
            if path in self._failed:  # (a lock's later environments: the same interpreter)
                raise self._failed[path]
            try:
                if self._pinned(file.filename):  # installed for sure: its build is the answer
                    early = self._early.get(file.url)
                    if early is not None:  # started by build_early: its answer, or its error
                        built = early.result()
                    else:
                        built = self.builder.wheel(path, self.target)
                    self.notes.append(built.note)
                else:
                    data, note = self.builder.metadata(path, self.target)
                    self.notes.append(note)
                    return data
            except BuildError as exc:
                self._failed[path] = exc
                raise
        from graft.sources.localwheel import read_local_metadata  # noqa: PLC0415

        return read_local_metadata(built.path)[1]

    def build_early(self, file: ArtifactFile) -> None:
        """Start building *file* in the background if the request pins its release with ``==``.

        The resolver offers such an sdist first for a root requirement it cannot leave, so
        the build is certain (:meth:`metadata` would run it at once); started as soon as the
        resolver screens it, the builds of several pinned sdists overlap, two at a time
        (each mostly a backend process), instead of running one after another as the
        resolver reads them. :meth:`metadata` and the install (the builder's own answer for
        the same source) wait for it. Nothing for a builder that builds in turn (one
        building a build requirement), or a request that pins nothing.
        """
        if not self.pinned or not getattr(self.builder, "parallel", True):
            return
        if not self._pinned(file.filename):
            return
        with self._early_lock:
            if file.url in self._early:
                return
            if self._pool is None or self._stop is None:
                from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

                from graft.build.stop import Stop  # noqa: PLC0415

                self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="graft-build")
                self._stop = Stop()
            self._early[file.url] = self._pool.submit(self._build, file, self._stop)

    def _build(self, file: ArtifactFile, stop: Stop) -> BuiltWheel:
        with stop.running():
            return self.builder.wheel(self.local(file), self.target)

    def cancel(self) -> None:
        """End the early builds (resolution failed: nothing is installed).

        Those not started are dropped; those under way have their backend processes
        terminated (:class:`graft.build.stop.Stop`), so none runs on after graft exits.
        """
        with self._early_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
            if self._stop is not None:
                self._stop.now()

    def _pinned(self, filename: str) -> bool:
        """Whether the request pins this sdist's release with ``==`` (a root requirement)."""
        if not self.pinned:
            return False
        from packaging.utils import (  # noqa: PLC0415
            InvalidSdistFilename,
            canonicalize_name,
            parse_sdist_filename,
        )
        from packaging.version import InvalidVersion, Version  # noqa: PLC0415

        try:
            name, version = parse_sdist_filename(filename)
        except (InvalidSdistFilename, InvalidVersion):
            return False
        return any(canonicalize_name(n) == name and Version(v) == version for n, v in self.pinned)

    def load_surface(self, file: ArtifactFile) -> Surface | None:
        """The surface kept for the METADATA this sdist gives, when that is known cheaply.

        Known cheaply: static metadata kept by the sdist's sha256, or a METADATA the
        builder has without running a hook (a recorded build, metadata kept from the hook).
        The surface is kept by the sha256 of that METADATA (``surfaces/sdist-<sha>.json``),
        so a warm resolution parses nothing, as for a wheel.
        """
        known = self._known(file)
        if known is None:
            return None
        import json  # noqa: PLC0415

        from graft.resolve.surface import surface_from_json  # noqa: PLC0415

        try:
            with open(self._surface_path(known), encoding="utf-8") as fh:
                return surface_from_json(json.load(fh))
        except (OSError, ValueError):
            return None

    def save_surface(self, file: ArtifactFile, data: bytes, surface: Surface) -> None:
        """Keep *surface* by the sha256 of the METADATA *data* it was parsed from."""
        del file
        from graft._atomic import remember  # noqa: PLC0415
        from graft.resolve.surface import surface_to_json  # noqa: PLC0415

        with contextlib.suppress(OSError):
            remember(self._surface_path(data), json.dumps(surface_to_json(surface)))

    def _surface_path(self, data: bytes) -> str:
        from graft._sha256 import sha256_hex  # noqa: PLC0415

        digest = sha256_hex(data)
        return os.path.join(self.cache_dir, "surfaces", f"sdist-{digest}.json")

    def _known(self, file: ArtifactFile) -> bytes | None:
        """The sdist's METADATA if known without a download, a read through it or a hook."""
        if file.url.startswith(("http://", "https://")):
            from graft.sources.candidates import Candidate  # noqa: PLC0415
            from graft.sources.fetch import cached_path  # noqa: PLC0415

            candidate = Candidate(file.filename, file.url, file.sha256, local=False)
            path = cached_path(candidate, self.cache_dir)
        else:
            path = file.url.removeprefix("file://")
        if path is None:
            return None
        from graft.sources.cachenames import stored_sha256  # noqa: PLC0415

        sha = stored_sha256(path, self.cache_dir)
        if sha is None:
            from graft._fs import file_sha256  # noqa: PLC0415

            sha = file_sha256(path)
        kept = static_path(self.cache_dir, sha)
        try:
            with open(kept, "rb") as fh:
                static = fh.read()
        except OSError:
            return None
        if static:
            return static
        known = self.builder.known_metadata(path, self.target)
        if known is None:
            return None
        with self._lock:
            self.notes.append(known[1])
        return known[0]

    def _static(self, path: str, where: str) -> bytes:
        """:func:`_static_metadata`, remembered by the sdist's sha256 (the same for any target).

        ``<cache>/metadata/sdist-<sha256>.static`` holds that metadata, or nothing when the
        sdist states none; so a warm sync does not read through the archive again.
        """
        from graft._atomic import remember  # noqa: PLC0415
        from graft._fs import file_sha256  # noqa: PLC0415

        kept = static_path(self.cache_dir, file_sha256(path))
        try:
            with open(kept, "rb") as fh:
                return fh.read()
        except OSError:
            pass
        found = _static_metadata(path, where)
        remember(kept, found)
        return found


def static_path(cache_dir: str, sha256: str) -> str:
    """Where the static METADATA of the sdist with this sha256 is kept (empty: it has none)."""
    return os.path.join(cache_dir, "metadata", f"sdist-{sha256}.static")


def lock_directories(
    inputs: Inputs, asked: ResolveRequest, builder: SourceBuilder | None, cache_dir: str
) -> dict[str, str]:
    """Project directories and repositories among the inputs, built for graft's interpreter.

    Each becomes the wheel it builds (its METADATA is what the lock resolves), and the map
    returned gives each such wheel's source as PEP 610 text, for ``[packages.directory]`` or
    ``[packages.vcs]`` (the commit checked out). An sdist file or URL as a source is
    refused (lock it from an index or find-links instead).
    """
    from graft.errors import UsageError  # noqa: PLC0415

    sources = [w for w in inputs.wanted if w.source]
    if not sources:
        return {}
    if builder is None or any(
        not os.path.isdir(w.source or "") and not (w.source or "").startswith("git+")
        for w in sources
    ):
        raise UsageError(
            "graft lock takes requirements, wheels, project directories, git repositories"
            " and lock files (no sdist path or URL)",
            hint="put the sdist in a directory and pass --find-links DIR",
        )
    from graft.resolve.screen import format_names  # noqa: PLC0415
    from graft.resolve.sdists import build_named  # noqa: PLC0415
    from graft.venv.interpreter import find_interpreter, introspect  # noqa: PLC0415

    here = introspect(find_interpreter(None))
    built, _ = build_named(
        inputs.wanted,
        here,
        builder,
        cache_dir,
        no_build=asked.no_build,
        only_binary=format_names(asked.only_binary),
        no_binary=format_names(asked.no_binary),
        offline=asked.offline,
    )
    sources_of = {
        b.path or "": b.direct_url or ""
        for w, b in zip(inputs.wanted, built, strict=True)
        if w.source
    }
    inputs.wanted = built
    return sources_of


def package_sdist(file: ArtifactFile, lock_dir: str) -> Any:
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
