"""Ending the backend processes of builds that are no longer needed, from another thread.

Kept apart from :mod:`graft.build.hooks` so that a resolution that only might start an
early build (:mod:`graft.resolve.sdists`) does not import the hook machinery.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Iterator

_under = threading.local()  # the Stop of the build this thread runs, if any


def current_stop() -> Stop | None:
    """The :class:`Stop` of the build this thread runs, if any."""
    stop: Stop | None = getattr(_under, "stop", None)
    return stop


class Stop:
    """Ends the backend processes of the builds run under it, in any thread.

    A build that resolution started early (a root's ``==`` pin, :mod:`graft.resolve.sdists`)
    runs inside :meth:`running`; when that resolution fails, :meth:`now` terminates every hook
    process such a build is running and kills any it starts afterwards, so that no backend
    runs on after graft has given up (it would outlive graft, which leaves at once).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen[bytes]] = set()
        self._stopped = False

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """The hooks this thread calls until the block ends are ended by :meth:`now`."""
        before = getattr(_under, "stop", None)
        _under.stop = self
        try:
            yield
        finally:
            _under.stop = before

    def started(self, process: subprocess.Popen[bytes]) -> bool:
        """Record a hook process; False once stopped (the caller kills it)."""
        with self._lock:
            if not self._stopped:
                self._processes.add(process)
            return not self._stopped

    def ended(self, process: subprocess.Popen[bytes]) -> None:
        """A hook process has exited."""
        with self._lock:
            self._processes.discard(process)

    def now(self) -> None:
        """Terminate the hook processes under way; those started later are killed at once."""
        with self._lock:
            self._stopped = True
            running = list(self._processes)
        for process in running:
            with contextlib.suppress(OSError):
                process.terminate()
