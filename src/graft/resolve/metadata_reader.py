"""Reading a file's METADATA into its surface: once per file, checked, in threads ahead.

:class:`MetadataReader` reads through a :class:`~graft.resolve.artifacts.ProjectSource`:
each file once, a file whose announced metadata hash equals one read before not at all,
a surface the source kept (:class:`~graft.resolve.artifacts.SurfaceStore`) without a read,
and with workers in threads started ahead of the resolver (decision 77). A wheel's METADATA
must name its filename's project and version (:func:`check_names`), as ingest checks.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

from graft.resolve.artifacts import ArtifactFile, EarlyBuilds, SurfaceStore, parse_wheel
from graft.resolve.surface import Surface, header_block, read_surface

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future, ThreadPoolExecutor

    from graft.resolve.artifacts import ProjectSource


def check_names(file: ArtifactFile, data: bytes, *, resolving: bool = True) -> None:
    """A wheel's METADATA must name its filename's project and version (as ingest checks).

    The same check and words as :func:`graft.wheel.names.metadata_name`, so a wheel that lies
    is refused alike whether the resolver or the store meets it first; the resolver's hint
    says how to take another release. uv 0.13.9 refuses such a wheel too (pip 26.3 passes
    its release over): the resolution ends here (decision 440). Not *resolving* (the files
    of a lock or a resolution, checked before download), ingest's words alone.
    """
    parsed = parse_wheel(file.filename)
    if parsed is None:
        return
    from packaging.metadata import parse_email  # noqa: PLC0415

    from graft.errors import WheelError  # noqa: PLC0415
    from graft.wheel.names import metadata_name  # noqa: PLC0415

    fields = parse_email(header_block(data))
    try:
        metadata_name(file.filename, fields, parsed.name, parsed.version)
    except WheelError as exc:
        if not resolving:
            raise
        hint = (
            f"a wheel of {parsed.name} {parsed.version} whose METADATA is not its own is"
            f" refused, as uv refuses it: to take another release, leave this one out"
            f" ({parsed.name}!={parsed.version}) or pin one"
        )
        raise WheelError(exc.what, where=exc.where, hint=hint) from None


@functools.lru_cache(maxsize=1024)
def _read_checked(filename: str, data: bytes) -> Surface:
    """The surface of a wheel's METADATA, checked against its filename; parsed once.

    A lock reads the same METADATA bytes once per environment (the source shares them):
    parsing is the cost, so the result is kept by (filename, bytes).
    """
    check_names(ArtifactFile(filename, ""), data)
    return read_surface(data, where=filename)


class MetadataReader:
    """Reads surfaces through a :class:`ProjectSource` once per file, counting reads.

    A file whose announced metadata hash equals one already read reuses that surface
    without a read: equal hashes prove equal bytes. With *workers*, :meth:`prefetch`
    starts reads in threads (the source must allow concurrent ``metadata`` calls), and
    :meth:`surface` waits for one already started; :meth:`close` ends the threads. A
    prefetched surface is parsed in its thread, and *on_read* gets it in another (the
    provider reads ahead for the wheel's dependencies before the resolver pins it: decision
    77), never holding up :meth:`surface`.
    """

    def __init__(
        self,
        source: ProjectSource,
        workers: int = 0,
        on_read: Callable[[ArtifactFile, Surface], None] | None = None,
    ) -> None:
        self._source = source
        self._by_file: dict[tuple[str, str], tuple[ArtifactFile, Surface]] = {}
        self._by_hash: dict[str, Surface] = {}
        self._pending: dict[tuple[str, str], Future[tuple[bytes, Surface]]] = {}
        self._in_hand: set[tuple[str, str]] = set()  # read or awaited by :meth:`surface`
        self._workers = workers
        self._on_read = on_read
        self._guard = threading.Lock()
        self._closed = False
        self._pool: ThreadPoolExecutor | None = None  # started by the first prefetch
        self._store = source if isinstance(source, SurfaceStore) else None
        self.reads = 0

    def known(self, file: ArtifactFile) -> bool:
        """Whether *file*'s surface is known without a read."""
        return (file.filename, file.url) in self._by_file or (
            file.metadata_hash is not None and file.metadata_hash in self._by_hash
        )

    def at_hand(self, file: ArtifactFile) -> bool:
        """Whether :meth:`surface` would answer for *file* with no read (nor an sdist's build).

        A read started is not asked of the source's store: a read ahead keeps its surface
        there before :meth:`surface` takes it, and would be counted twice.
        """
        if self.known(file):
            return True
        key = (file.filename, file.url)
        with self._guard:
            started = self._pending.get(key)
            if started is not None or key in self._in_hand:
                return started is not None and started.done()
            return self._kept(file) is not None

    def prefetch(self, file: ArtifactFile) -> None:
        """Start reading *file*'s METADATA in a thread, unless known, started, or no workers.

        An sdist's read may be a build: only the source may start it (:class:`EarlyBuilds`).
        """
        if not file.is_wheel:
            if isinstance(self._source, EarlyBuilds):
                self._source.build_early(file)
            return
        key = (file.filename, file.url)
        if key in self._by_file:  # (read: asked again and again while going back, no lock)
            return
        with self._guard:  # (*on_read* prefetches from the reader's threads)
            if self._closed or self._workers <= 0 or self._started(key) or self.known(file):
                return
            if self._kept(file) is not None:
                return
            self._pending[key] = self._threads().submit(self._read, file)

    def _read(self, file: ArtifactFile) -> tuple[bytes, Surface]:
        """*file*'s METADATA and its surface, read in a prefetch thread.

        *on_read* gets the surface in a thread of its own (it may wait for pages); a kept
        surface (a warm run) is not handed to it. The read is counted when it starts: a
        prefetch cancelled by :meth:`close` read nothing.
        """
        with self._guard:
            self.reads += 1
        data = self._source.metadata(file)
        surface = _read_checked(file.filename, data)
        if self._store is not None:  # kept now: a read ahead the resolution did not need
            self._store.save_surface(file, data, surface)  # is not paid for again next run
        with self._guard:
            if self._on_read is not None and not self._closed:
                self._threads().submit(self._on_read, file, surface)
        return data, surface

    def _threads(self) -> ThreadPoolExecutor:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415 - only if read

            self._pool = ThreadPoolExecutor(self._workers, "graft-metadata")
        return self._pool

    def surface(self, file: ArtifactFile) -> Surface:
        """The surface of *file*'s METADATA, read at most once.

        The file stays marked as started until its surface is known, so that a read-ahead
        in that window never starts a second read of it.
        """
        key = (file.filename, file.url)
        surface = self._by_file[key][1] if key in self._by_file else None
        if surface is None and file.metadata_hash is not None:
            surface = self._by_hash.get(file.metadata_hash)
        with self._guard:
            if surface is None and key not in self._pending:
                surface = self._kept(file)
            started = self._pending.get(key) if surface is None else None
            if surface is None:
                self._in_hand.add(key)
            if surface is None and started is None:
                self.reads += 1
        if surface is None:
            if started is None:
                data = self._source.metadata(file)
                surface = _read_checked(file.filename, data)
                if self._store is not None:
                    self._store.save_surface(file, data, surface)
            else:  # a failure surfaces here, where it is needed (kept by the read ahead)
                data, surface = started.result()
        with self._guard:
            if file.metadata_hash is not None:
                self._by_hash[file.metadata_hash] = surface
            self._by_file[key] = (file, surface)
            self._pending.pop(key, None)
            self._in_hand.discard(key)
        return surface

    def _started(self, key: tuple[str, str]) -> bool:
        return key in self._pending or key in self._in_hand

    def _kept(self, file: ArtifactFile) -> Surface | None:
        """A surface the source kept for *file* (counted as a read), remembered here."""
        surface = self._store.load_surface(file) if self._store is not None else None
        if surface is not None:
            self.reads += 1
            self._by_file[file.filename, file.url] = (file, surface)
        return surface

    def close(self) -> None:
        """Stop the threads; reads started and never needed are abandoned."""
        with self._guard:
            self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def seen(self) -> tuple[tuple[ArtifactFile, Surface], ...]:
        """Every (file, surface) known so far, in the order first read; for :func:`group_nodes`."""
        return tuple(self._by_file.values())


__all__ = ["MetadataReader", "check_names"]
