"""Leaving the process: a reader that went away, and an exit without teardown."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

_SIGPIPE_STATUS = 141  # 128 + SIGPIPE: what a shell reports for a reader that went away


def stdout_gone() -> int:
    """Exit status 141 (as a process killed by SIGPIPE), nothing more said.

    stdout is pointed at /dev/null so that no later flush fails again.
    """
    _gone(sys.stdout)
    return _SIGPIPE_STATUS


def _gone(stream: TextIO) -> None:
    """*stream*'s descriptor pointed at /dev/null: what is still buffered for it goes there."""
    try:
        fileno = stream.fileno()
    except (OSError, ValueError):  # (not a file: nothing is flushed to a descriptor)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


def say(text: str) -> None:
    """*text* as a line on stderr, or nothing where stderr is gone.

    A closed terminal (SIGHUP: decision 291) fails every write to it with ``EIO``: the line
    cannot be said, and the command ends with its status all the same.
    """
    try:
        print(text, file=sys.stderr)
    except OSError:
        _gone(sys.stderr)


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
