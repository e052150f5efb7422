"""Early builds: the sdists a request pins with ``==``, built as soon as the resolver offers them.

The resolver offers such an sdist first for a root requirement it cannot leave, so its
build is certain (:meth:`graft.resolve.sdists.SdistBuilds.metadata` would run it at once);
started as soon as the resolver screens it, the builds of several pinned sdists overlap,
two at a time (each mostly a backend process), instead of running one after another as
the resolver reads them. The resolver's read and the install wait for their answer; a
failed resolution ends them (:meth:`PinnedBuilds.cancel`, decision 48).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future, ThreadPoolExecutor

    from graft.build.stop import Stop
    from graft.model.built import BuiltWheel
    from graft.resolve.artifacts import ArtifactFile


class PinnedBuilds:
    """The builds of the pinned sdists, started in the background, by URL."""

    def __init__(self, pinned: frozenset[tuple[str, str]]) -> None:
        # (name, version) the request pins with ==: never backtracked from, so built at once
        self.pinned = pinned
        # two at a time, by URL; the resolver's read and the install wait for their answer
        self._started: dict[str, Future[BuiltWheel]] = {}
        self._lock = threading.Lock()
        self._stop: Stop | None = None  # ends the early builds' backends (made with the pool)
        self._pool: ThreadPoolExecutor | None = None

    def pins(self, filename: str) -> bool:
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

    def start(self, file: ArtifactFile, build: Callable[[ArtifactFile], BuiltWheel]) -> None:
        """Start *build* of *file* in the background if the request pins its release, once."""
        if not self.pins(file.filename):
            return
        with self._lock:
            if file.url in self._started:
                return
            if self._pool is None or self._stop is None:
                from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

                from graft.build.stop import Stop  # noqa: PLC0415

                self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="graft-build")
                self._stop = Stop()
            self._started[file.url] = self._pool.submit(_running, self._stop, build, file)

    def started(self, url: str) -> Future[BuiltWheel] | None:
        """The build of the file at *url* if :meth:`start` started it."""
        return self._started.get(url)

    def cancel(self) -> None:
        """End the early builds (resolution failed: nothing is installed).

        Those not started are dropped; those under way have their backend processes
        terminated (:class:`graft.build.stop.Stop`), so none runs on after graft exits.
        """
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
            if self._stop is not None:
                self._stop.now()


def _running(
    stop: Stop, build: Callable[[ArtifactFile], BuiltWheel], file: ArtifactFile
) -> BuiltWheel:
    with stop.running():
        return build(file)
