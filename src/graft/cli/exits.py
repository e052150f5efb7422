"""Leaving the process: a reader that went away, and an exit without teardown."""

from __future__ import annotations

import os
import sys

_SIGPIPE_STATUS = 141  # 128 + SIGPIPE: what a shell reports for a reader that went away


def stdout_gone() -> int:
    """Exit status 141 (as a process killed by SIGPIPE), nothing more said.

    stdout is pointed at /dev/null so that no later flush fails again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return _SIGPIPE_STATUS


def exit_now(code: int) -> None:
    """Leave without the interpreter's teardown, which costs a warm sync about 8 ms.

    Everything graft writes is closed (or renamed into place) before ``main`` returns,
    locks and pins are released by the kernel with the process, and no thread is left;
    only the standard streams need flushing. Under a tracer or profiler (coverage,
    cProfile), which write their results at exit, the normal exit is kept.
    """
    if sys.gettrace() is not None or sys.getprofile() is not None:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            code = stdout_gone()
        sys.exit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = stdout_gone()
    except (OSError, ValueError):
        sys.exit(code)
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)
