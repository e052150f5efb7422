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

SIGTERM (a CI job's timeout, ``kill``, a container stopped) is handled alike (decision 269):
before, its default action ended graft at once, leaving half-unpacked entries in the store's
``tmp/``, the venv's staging and its lock file beside it, and saying nothing; now the command
ends as Ctrl-C ends it, each stage removing what it made, with one line (``graft:
terminated; nothing was changed``) and status 143. SIGHUP (the terminal closed, an ssh
session dropped) is handled alike too (decision 291: ``graft: hung up; ...``, status 129),
where its action is the default (``nohup`` ignores it: left so). SIGKILL, which no process
can handle, and SIGQUIT (Ctrl-backslash, a core dump asked for: the way out when a handler
would not do) still leave what a kill leaves, which the next sync sweeps.
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
#: the signals a command ends on as on Ctrl-C: its own, a kill's (decision 269) and a closed
#: terminal's (decision 291)
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


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
    from graft import _interrupted as cut  # noqa: PLC0415 - (imported by main already)

    cut.SIGNALLED.append(signum)  # (its status and word: 130 "interrupted", 143 "terminated",
    # 129 "hung up")
    frame = _interrupted(frame)
    if frame is not None and frame.f_code.co_filename.startswith(_MACHINERY):
        cut.SIGNALLED.pop()  # (said when it is delivered again)
        # a real signal, so that a main thread blocked in a wait is woken (interrupt_main's
        # flag alone would wait for that wait to end)
        main = threading.main_thread().ident
        again = threading.Timer(AGAIN_AFTER, signal.pthread_kill, (main, signum))
        again.daemon = True
        again.start()
        return
    raise KeyboardInterrupt


def _ours(signum: int, handler: object) -> bool:
    """Whether *handler* of *signum* is one graft may take over: Python's own, or the entry's.

    SIGINT: Python's ``default_int_handler``; SIGTERM and SIGHUP: the default action, or the
    handler the console script installed for its fast paths (:func:`graft.cli.entry.terminated`).
    """
    if signum == signal.SIGINT:
        return handler is signal.default_int_handler
    return handler == signal.SIG_DFL or getattr(handler, "__module__", "") == "graft.cli.entry"


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """Graft's handler of :data:`SIGNALS` while the block runs, where Python's own is in place.

    Not from another thread (only the main thread may set handlers), nor where a signal is
    ignored (SIGINT in a background job) or handled by someone else (whoever called ``main``).
    """
    previous: list[tuple[int, object]] = []
    if threading.current_thread() is threading.main_thread():
        previous.extend(
            (signum, signal.signal(signum, _on_interrupt))
            for signum in SIGNALS
            if _ours(signum, signal.getsignal(signum))
        )
    try:
        yield
    finally:
        for signum, handler in previous:
            signal.signal(signum, handler)  # type: ignore[arg-type]
