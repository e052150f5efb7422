"""One source shared by the resolutions of a lock: each listing and each METADATA read once.

Each environment's resolution asks for the same projects. :class:`SharedSource` turns each
listing into artifact rows once (the same tuple for every resolution, which is also what lets
:class:`~graft.resolve.screenmemo.ScreenMemo` tell listings apart by identity), reads each
METADATA once, and passes kept surfaces through (:class:`~graft.resolve.artifacts.SurfaceStore`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, TypeVar

from graft.resolve.artifacts import ListingPrefetch, SurfaceStore
from graft.resolve.listing import Listing

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from concurrent.futures import Future

    from packaging.utils import NormalizedName

    from graft.resolve.artifacts import ArtifactFile, ProjectSource
    from graft.resolve.surface import Surface

T = TypeVar("T")


def _fixed(files: Sequence[ArtifactFile]) -> Sequence[ArtifactFile]:
    """*files* as a sequence no one changes: a listing as it is, anything else a tuple."""
    return files if isinstance(files, Listing | tuple) else tuple(files)


class SharedSource:
    """A :class:`ProjectSource` that remembers files and METADATA across the resolutions.

    Each environment's resolution asks for the same projects; the listing is turned into
    artifact rows and each METADATA read once per lock, not once per environment. Safe for
    threads (the resolver's prefetch, environments resolved side by side): a listing or
    METADATA another thread is reading is waited for, not read again.
    """

    def __init__(self, inner: ProjectSource) -> None:
        self._inner = inner
        self._files: dict[object, Sequence[ArtifactFile]] = {}
        self._metadata: dict[object, bytes] = {}
        self._surfaces: dict[tuple[str, str], Surface | None] = {}
        self._reading: dict[object, Future[Any]] = {}  # what one thread is reading now
        self._lock = threading.Lock()
        self._own: Mapping[str, Sequence[ArtifactFile]] = {}  # (seen_with)
        self._kept: Mapping[str, str] = {}  # (seen_with: the index a project is kept to)

    def seen_with(
        self, own: Mapping[str, Sequence[ArtifactFile]], kept: Mapping[str, str] | None = None
    ) -> SharedSource:
        """This source, but *own* files for some projects; every read still shared.

        One lock environment's view: a URL constraint whose marker holds there makes its
        file the project's only one (decision 201), and only there; so does an index a
        ``[tool.uv.sources]`` entry keeps its project to there (its listing: decision 377),
        which *kept* names (by project) for the lines that say where it was looked for
        (:meth:`searched_for`, decision 385).
        """
        if not own:
            return self
        import copy  # noqa: PLC0415

        view = copy.copy(self)  # (the same caches and lock)
        view._own = {**self._own, **own}  # noqa: SLF001 - its own kind
        view._kept = {**self._kept, **(kept or {})}  # noqa: SLF001
        return view

    def searched_for(self, name: str) -> str | None:
        """Where *name* was looked for, if its listing is an index's it is kept to here."""
        url = self._kept.get(name)
        return None if url is None else f"on the index {url}"

    def files(self, name: NormalizedName) -> Sequence[ArtifactFile]:
        """Every file of *name*, listed once (never changed: a listing or a tuple)."""
        own = self._own.get(name)
        if own is not None:
            return own
        return self._once(self._files, ("files", name), lambda: _fixed(self._inner.files(name)))

    def metadata(self, file: ArtifactFile) -> bytes:
        """The METADATA of *file*, read once."""
        key = ("metadata", file.filename, file.url)
        return self._once(self._metadata, key, lambda: self._inner.metadata(file))

    def _once(self, known: dict[object, T], key: object, read: Callable[[], T]) -> T:
        """*known*'s answer for *key*, read by one thread while the others wait for it.

        The environments of a lock may be resolved side by side, and a pure wheel's METADATA
        is what all of them ask for first. A failure is every waiter's, and is not kept.
        """
        with self._lock:
            if key in known:
                return known[key]
            pending = self._reading.get(key)
            mine = pending is None
            if pending is None:
                from concurrent.futures import Future  # noqa: PLC0415 - (3 ms: only on a miss)

                pending = self._reading[key] = Future()
        if not mine:
            answer: T = pending.result()
            return answer
        try:
            value = read()
        except BaseException as exc:
            with self._lock:
                del self._reading[key]
            pending.set_exception(exc)
            raise
        with self._lock:
            known[key] = value
            del self._reading[key]
        pending.set_result(value)
        return value

    def listed(self, name: NormalizedName) -> Sequence[ArtifactFile] | None:
        """The files of *name* if a resolution listed them already; None (nothing read) if not."""
        with self._lock:
            return self._files.get(("files", name))

    def project_names(self) -> Sequence[str]:
        """The inner source's names (for "did you mean")."""
        return self._inner.project_names()

    def prefetch_files(self, names: Sequence[NormalizedName]) -> Sequence[NormalizedName]:
        """The inner source's background listing, where it has one (of names not listed yet)."""
        if not isinstance(self._inner, ListingPrefetch):
            return ()
        with self._lock:
            names = [n for n in names if ("files", n) not in self._files]
        return self._inner.prefetch_files(names)

    def reads_cheaply(self) -> bool:
        """The inner source's answer, where it lists in the background."""
        return isinstance(self._inner, ListingPrefetch) and self._inner.reads_cheaply()

    def which_exist(self, names: Sequence[NormalizedName]) -> Sequence[NormalizedName]:
        """The inner source's answer (for "did you mean")."""
        return self._inner.which_exist(names)

    @property
    def searched(self) -> str:
        """Where the inner source looks for projects (for "no project named X …")."""
        return str(getattr(self._inner, "searched", "on the index"))

    def load_surface(self, file: ArtifactFile) -> Surface | None:
        """The inner source's kept surface (read from disk once per lock)."""
        key = (file.filename, file.url)
        with self._lock:
            if key in self._surfaces:
                return self._surfaces[key]
        surface = self._inner.load_surface(file) if isinstance(self._inner, SurfaceStore) else None
        with self._lock:
            self._surfaces[key] = surface
        return surface

    def save_surface(self, file: ArtifactFile, data: bytes, surface: Surface) -> None:
        """Keep *surface* here and in the inner source."""
        with self._lock:
            self._surfaces[file.filename, file.url] = surface
        if isinstance(self._inner, SurfaceStore):
            self._inner.save_surface(file, data, surface)
