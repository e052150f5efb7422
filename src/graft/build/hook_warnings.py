"""The backends' warnings, re-raised by pyproject-hooks in graft's process, go to the build's log.

Builds run two at a time in threads, and ``warnings.catch_warnings`` is process-wide: a
``showwarning`` installed once sends a ``BuildBackendWarning`` to the log of the build running
in the calling thread (:func:`warnings_to`), and shows anything else as before.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator


class _Sink(threading.local):
    log: list[str] | None = None


_SINK = _Sink()
_INSTALLED: list[bool] = []
_INSTALL_LOCK = threading.Lock()


def _install() -> None:
    """Send the backends' warnings (re-raised by pyproject-hooks) to the calling build's log.

    Installed once per process: a ``showwarning`` that appends a ``BuildBackendWarning`` to
    the log of the build running in the current thread, and shows anything else as before.
    """
    with _INSTALL_LOCK:
        if _INSTALLED:
            return
        from pyproject_hooks import BuildBackendWarning  # noqa: PLC0415

        shown = warnings.showwarning

        def show(  # noqa: PLR0917 - showwarning's signature
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: Any = None,
            line: str | None = None,
        ) -> None:
            log = _SINK.log
            if log is not None and issubclass(category, BuildBackendWarning):
                log.append(f"{category.__name__}: {message}\n")
                return
            shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        warnings.filterwarnings("always", category=BuildBackendWarning)
        _INSTALLED.append(True)


@contextlib.contextmanager
def warnings_to(log: list[str]) -> Iterator[None]:
    """While in the block, this thread's backend warnings are appended to *log*."""
    _install()
    _SINK.log = log
    try:
        yield
    finally:
        _SINK.log = None
