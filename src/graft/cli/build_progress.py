"""The line on stderr as each of ``graft sync``'s and ``graft lock``'s builds starts.

:class:`BuildProgress` is the reporter :mod:`graft.cli.sync_builds` hands each build
(``BuildRequest.reporter``): a build may take minutes, so it is said as it begins, and a
wait for another graft's build environment or metadata hook too.
"""

from __future__ import annotations

import os
import sys
import threading

_LINES = threading.Lock()  # one progress line at a time


class BuildProgress:
    """A line on stderr as each build starts: on a terminal outside CI, or with ``-v``.

    Never with ``-q`` or ``--json``. A build may take minutes (a backend without a
    metadata hook compiles everything), so ``-v`` says so in a log too.
    """

    def __init__(self, quiet: bool, *, verbose: bool = False, progress: bool = True) -> None:
        terminal = sys.stderr.isatty() and os.environ.get("CI", "").lower() != "true"
        self.show = not quiet and (verbose or (terminal and progress))  # (--no-progress)

    def downloads(self, items: int) -> object:
        """No bar for a build environment's downloads."""
        del items
        return None

    def waiting_for_venv(self, prefix: str) -> None:
        """Another graft holds a build environment's lock."""
        if self.show:
            print(f"graft: waiting for another graft using {prefix}", file=sys.stderr)

    def waiting_for_hook(self, source: str) -> None:
        """Another graft runs the metadata hook of the same sdist (a lock's worker, say)."""
        if self.show:
            print(f"graft: waiting for another graft's hook of {source}", file=sys.stderr)

    def stage(self, message: str) -> None:
        """A build begins (builds take seconds to minutes).

        One write per line: builds start on two threads, and ``print`` writes the text and
        its newline apart, so two lines could interleave into one.
        """
        if self.show:
            with _LINES:
                sys.stderr.write(f"graft: {message} ...\n")
                sys.stderr.flush()


__all__ = ["BuildProgress"]
