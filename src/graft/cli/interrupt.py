"""Ctrl-C held back while the main thread runs the import machinery's own code (decision 116).

Python raises ``KeyboardInterrupt`` wherever the main thread is when SIGINT is handled. Inside
``importlib._bootstrap``'s own functions that can leave the global import lock held: raised
in the weakref callback that drops a module's lock (after ``_imp.acquire_lock()``, before its
``try``), the exception is printed as "Exception ignored in ... _get_module_lock.<locals>.cb"
and lost, and the lock is never released. The sync goes on, and the first ``import`` in one
of its ingest or download threads waits forever; a second Ctrl-C reaches the main thread,
which then waits for those threads: ``graft sync`` hung until killed. graft imports lazily
(in functions, while its threads work), so this window is met in practice.

Here SIGINT raises as Python's own handler does, except while the innermost frame is the
import machinery's code: then the interrupt is delivered again a moment later (a timer
thread sends SIGINT to the main thread again), once that code has run on.
"""

from __future__ import annotations

import contextlib
import signal
import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

_MACHINERY = "<frozen importlib."  # importlib._bootstrap, _bootstrap_external (frozen: CPython)
AGAIN_AFTER = 0.01  # seconds until a held-back interrupt is delivered again


def _interrupted(frame: FrameType | None) -> FrameType | None:
    """The frame SIGINT interrupted: *frame*, or the one an unfinished call of this handler did.

    A held-back interrupt's timer may fire before the handler that started it has returned
    (a main thread starved of CPU for longer than :data:`AGAIN_AFTER`): the handler then runs
    again inside itself, on its own frame, and must judge the frame the first call did.
    """
    found = frame
    while frame is not None:
        if frame.f_code is _on_interrupt.__code__:
            found = frame.f_back
        frame = frame.f_back
    return found


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    """Raise ``KeyboardInterrupt``, unless *frame* is the import machinery's: then later."""
    frame = _interrupted(frame)
    if frame is not None and frame.f_code.co_filename.startswith(_MACHINERY):
        # a real signal, so that a main thread blocked in a wait is woken (interrupt_main's
        # flag alone would wait for that wait to end)
        main = threading.main_thread().ident
        again = threading.Timer(AGAIN_AFTER, signal.pthread_kill, (main, signum))
        again.daemon = True
        again.start()
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """Graft's SIGINT handler while the block runs, where Python's own is in place.

    Not from another thread (only the main thread may set handlers), nor where SIGINT is
    ignored (a background job's) or handled by someone else (whoever called ``main``).
    """
    previous = None
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        previous = signal.signal(signal.SIGINT, _on_interrupt)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
