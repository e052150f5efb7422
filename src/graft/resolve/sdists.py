"""Sdists picked in resolution: their METADATA and their builds.

An sdist of an index or find-links is a candidate when no wheel of its version fits the
target, or with ``--no-binary``. :class:`SdistBuilds` gives the resolver its METADATA
(PKG-INFO when static, PEP 643, or ``pyproject.toml``'s static ``[project]``, PEP 621:
:mod:`graft.resolve.sdist_static`; otherwise what the built wheel says), and starts early
the builds of those the request pins with ``==`` (:mod:`graft.resolve.early_builds`);
:func:`built_all_picked` turns the chosen sdists, once downloaded, into their wheels. An
sdist is downloaded by :func:`graft.resolve.fetched.sdist_file`, and written as a lock's
``[packages.sdist]`` by :mod:`graft.resolve.lock_write`.
Sources named in the request are built before resolution (:mod:`graft.resolve.named_sources`).

The builder (:class:`graft.model.request.SourceBuilder`) is passed in by the command line;
without one, or with ``--no-build``, no sdist is a candidate. For targets graft builds
nothing for (a lock's environments, a foreign target's dry run), an :class:`SdistBuilds`
reads sdists with the interpreter running graft
(:func:`graft.resolve.read_here.read_here`; decisions 45, 420).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import threading
from typing import TYPE_CHECKING

from graft.errors import BuildError, SourceError, UsageError
from graft.resolve.early_builds import PinnedBuilds
from graft.resolve.sdist_static import kept_static, sdist_sha256, static_path

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from graft.model.built import BuiltWheel
    from graft.model.request import SourceBuilder
    from graft.model.requirements import Wanted
    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.surface import Surface


def built_picked(
    wanted: Wanted, path: str, target: Target, builder: SourceBuilder | None
) -> tuple[Wanted, BuiltWheel]:
    """A chosen sdist, downloaded, built into its wheel (its recorded build reused)."""
    if builder is None:
        raise UsageError(f"{os.path.basename(path)} needs a build", where=path)
    try:
        built = builder.wheel(path, target)
    except BuildError as exc:
        if wanted.requested:
            raise
        from graft.resolve.causes import brought  # noqa: PLC0415

        # which requirement brought it (its where: the chain to a request; decision 378)
        raise brought(exc, wanted.name, wanted.version, wanted.where) from None
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


class SdistBuilds:
    """The METADATA of sdist candidates for one target: static metadata, else a build.

    Resolution may read several versions' sdists; each is downloaded into the cache (where
    the install takes it from) and built only when neither its PKG-INFO nor its
    ``pyproject.toml`` states its dependencies. Each sdist is read once at a time and
    answered once: a second asker waits for the first and takes its answer or its kept
    failure (decision 254). Different sdists are read side by side (a lock's environments
    resolved in threads), their hooks at most :func:`hooks_at_once` at a time (decision 492).
    """

    def __init__(
        self,
        builder: SourceBuilder,
        target: Target | Callable[[], Target],
        cache_dir: str,
        *,
        offline: bool,
        pinned: frozenset[tuple[str, str]] = frozenset(),
        python_first: bool = False,
    ) -> None:
        self.builder = builder
        # the target is the interpreter installed for (a sync's, not a lock's): an sdist whose
        # PKG-INFO's Requires-Python excludes it is answered by that, never built (decision 205)
        self.python_first = python_first
        # the target, or how to find it when first needed (a lock: the running interpreter)
        self._target = target
        self.cache_dir = cache_dir
        self.offline = offline
        self.notes: list[str] = []
        # the sdists (filenames) whose metadata the builder gave: not static (decision 421)
        self.dynamic: set[str] = set()
        self._lock = threading.Lock()  # (what follows, notes, counts; never across a hook)
        self._failed: dict[str, BaseException] = {}  # a source that did not build: not again
        self._answers: dict[str, bytes] = {}  # each sdist's METADATA, by URL: answered once
        self._reading: dict[str, threading.Lock] = {}  # per sdist (URL): one asker at a time
        self._hooks = threading.BoundedSemaphore(hooks_at_once())  # different sdists' at once
        self._target_lock = threading.Lock()  # (introspected once)
        # for -v: hooks that failed here, and failures kept from a hook said instead (254)
        self.failed_hooks = 0
        self.kept_failures = 0
        # builds of pinned sdists started as soon as the resolver offers them (build_early)
        self.early = PinnedBuilds(pinned)

    @property
    def target(self) -> Target:
        """The interpreter whose builds answer (found on first use when given lazily)."""
        if callable(self._target):
            with self._target_lock:
                if callable(self._target):
                    self._target = self._target()
        return self._target

    def local(self, file: ArtifactFile) -> str:
        """The sdist as a local file (downloaded into the cache when remote)."""
        if not file.url.startswith(("http://", "https://")):
            return file.url.removeprefix("file://")
        from graft.sources.candidates import Candidate  # noqa: PLC0415

        candidate = Candidate(file.filename, file.url, file.sha256, local=False)
        from graft.resolve.fetched import sdist_file  # noqa: PLC0415

        return sdist_file(candidate, self.cache_dir, offline=self.offline, where=file.url)[0]

    def metadata(self, file: ArtifactFile) -> bytes:
        """The sdist's static metadata (PKG-INFO or ``[project]``), else the builder's.

        The builder answers with a recorded build's METADATA or runs the backend's
        ``prepare_metadata_for_build_wheel`` (a backend without it builds the wheel, kept):
        a version the resolver then leaves is never built where the backend can say. A
        release the request pins with ``==`` cannot be left (a root requirement stays), so
        it is built at once and its wheel's METADATA read: one backend run, not two.
        """
        with self._one(file.url):  # (another sdist's read goes on meanwhile: decision 492)
            with self._lock:
                known = self._answers.get(file.url)
            if known is None:
                known = self._read(file)
                with self._lock:
                    self._answers[file.url] = known
            return known

    def _one(self, url: str) -> threading.Lock:
        with self._lock:  # (the lock of the sdist at *url*)
            return self._reading.setdefault(url, threading.Lock())

    def _read(self, file: ArtifactFile) -> bytes:
        """:meth:`metadata`'s answer, read now (its sdist's lock held)."""
        path = self.local(file)
        with self._lock:
            failed = self._failed.get(path)
        if failed is not None:  # (a lock's later environments: the same interpreter)
            raise failed
        static = kept_static(path, file.filename, self.cache_dir)
        if static:
            return static
        excluded = self._excluded(path, file.filename)
        if excluded is not None:
            return excluded
        with self._lock:
            self.dynamic.add(file.filename)
        try:
            if self.early.pins(file.filename):  # installed for sure: its build answers
                early = self.early.started(file.url)
                if early is not None:  # started by build_early: its answer, or its error
                    built = early.result()
                else:
                    with self._hooks:
                        built = self.builder.wheel(path, self.target)
                self._note(built.note)
            else:
                with self._hooks:
                    data, note = self.builder.metadata(path, self.target)
                self._note(note)
                return data
        except BuildError as exc:
            with self._lock:
                self._failed[path] = exc
            self._said_failed(file.filename, exc)
            raise
        from graft.sources.localwheel import read_local_metadata  # noqa: PLC0415

        return read_local_metadata(built.path)[1]

    def _note(self, note: str) -> None:
        with self._lock:  # (the notes of reads side by side)
            self.notes.append(note)

    def _said_failed(self, filename: str, exc: BuildError) -> None:
        """A note for ``-v`` of a failed read, counted: a hook that failed, or a kept failure."""
        first = exc.what.partition("\n")[0]
        with self._lock:
            if exc.kept_at is not None:
                self.kept_failures += 1
            elif exc.status is not None:
                self.failed_hooks += 1
            self.notes.append(f"{filename}: {first}")

    def build_early(self, file: ArtifactFile) -> None:
        """Start building *file* in the background if the request pins its release with ``==``.

        The resolver offers such an sdist first for a root requirement it cannot leave, so
        the build is certain (:meth:`metadata` would run it at once); started as soon as the
        resolver screens it, the builds of several pinned sdists overlap, two at a time
        (each mostly a backend process; :mod:`graft.resolve.early_builds`).
        :meth:`metadata` and the install (the builder's own answer for the same source)
        wait for it. Nothing for a builder that builds in turn (one building a build
        requirement), or a request that pins nothing.
        """
        if getattr(self.builder, "parallel", True):
            self.early.start(file, self._build)

    def _build(self, file: ArtifactFile) -> BuiltWheel:
        path = self.local(file)
        if self._excluded(path, file.filename) is not None:  # (metadata answers without it)
            raise SourceError("not built: its Requires-Python excludes the target", where=path)
        return self.builder.wheel(path, self.target)

    def _excluded(self, path: str, filename: str) -> bytes | None:
        """METADATA of the Requires-Python its PKG-INFO states, if that excludes the target.

        With :attr:`python_first` alone: the resolver then leaves this release for its Python
        requirement, as pip and uv do once its metadata hook has said so, without the hook.
        Only where a hook or a build would run: a recorded build's METADATA, or one kept from
        the hook, answers with its own Requires-Python (and the warm path reads no archive).
        """
        if not self.python_first or self.builder.known_metadata(path, self.target) is not None:
            return None
        from graft.build.sdist import excluded_python  # noqa: PLC0415

        target = self.target
        said = excluded_python(path, target.version)
        if said is None:
            return None
        self._note(
            f"{filename}: its PKG-INFO's Requires-Python is {said.requires_python!r}, which"
            f" excludes Python {target.version}; not built"
        )
        lines = ["Metadata-Version: 1.2", f"Name: {said.name}", f"Version: {said.version}"]
        lines.append(f"Requires-Python: {said.requires_python}")
        return ("\n".join(lines) + "\n").encode()

    def cancel(self) -> None:
        """End the early builds (resolution failed: nothing is installed; decision 48)."""
        self.early.cancel()

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
        try:
            with open(static_path(self.cache_dir, sdist_sha256(path, self.cache_dir)), "rb") as fh:
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
            self.dynamic.add(file.filename)
        return known[0]


def hooks_at_once() -> int:
    """How many sdists' hooks one :class:`SdistBuilds` runs at once: one per core, at least 2.

    A hook is mostly a backend process: more than the cores would only share them; two, as
    the builds after resolution run, keep a core busy while the other hook waits for a
    download. uv builds as many at once as there are cores; pip one at a time (decision 492).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(2, cores or 1)
