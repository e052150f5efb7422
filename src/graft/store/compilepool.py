"""Compiler workers: processes of the target interpreter that turn ``.py`` files into ``.pyc``.

As many workers as graft may use cores, each a ``python -I -c`` of the target running
:data:`WORKER_SCRIPT` (the standard library only: nothing of graft's runs in the target). The
workers take **batches** (a few files of one entry) from one queue as they become idle, so a
large entry is spread over every core and a small one never waits behind it. One thread per
worker in graft feeds it a batch as a JSON line on its stdin and reads the answer line; the
answer, the files compiled or the error that stopped the worker, goes to the caller's
callback, exactly once per batch (also for batches dropped after a failure or an abort).

A worker stops writing as soon as graft is gone (its parent changed, or its stdin closed):
a killed sync leaves no process writing into an unsealed entry.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable

#: Run by the target interpreter (``-I``: no site-packages, no PYTHON* variables). Reads one
#: JSON list of source paths per line (or of ``[path, name]`` pairs: *name* is the path the code
#: objects give as their file, for a source compiled before it is moved there), writes one JSON
#: line back: the list of paths compiled, or ``{"error": ...}`` (then exits).
#: ``py_compile.compile`` with its defaults, as before the workers: the invalidation mode
#: (timestamps, or checked hashes under SOURCE_DATE_EPOCH) and the optimization level are the
#: interpreter's. A source that does not compile (a syntax
#: error, a Python 2 file) is skipped, as pip and uv skip it, and so is one whose ``.pyc`` the
#: wheel's own layout rules out (a file named ``__pycache__``, a directory named like the
#: ``.pyc``); any other error (the store's filesystem full, read-only, failing) stops the
#: worker.
WORKER_SCRIPT = r"""
import importlib.util, json, os, py_compile, sys
parent = int(sys.argv[1])
while True:
    line = sys.stdin.readline()
    if not line:
        break
    done = []
    for item in json.loads(line):
        src, dfile = item if isinstance(item, list) else (item, None)
        if os.getppid() != parent:  # graft was killed: stop writing into its unsealed entries
            sys.exit(1)
        try:
            cfile = importlib.util.cache_from_source(src)
            py_compile.compile(src, cfile=cfile, dfile=dfile, doraise=True)
        except (py_compile.PyCompileError, FileExistsError, NotADirectoryError, IsADirectoryError):
            continue
        except OSError as exc:
            sys.stdout.write(json.dumps({"error": f"{src}: {exc.strerror or exc}"}) + "\n")
            sys.stdout.flush()
            sys.exit(1)
        done.append(src)
    sys.stdout.write(json.dumps(done) + "\n")
    sys.stdout.flush()
"""

#: Files per batch: small enough to spread one large entry over every worker, large enough
#: that the round trip (a JSON line each way) costs nothing next to compiling.
BATCH_FILES = 24


def worker_count() -> int:
    """How many workers: the cores this process may run on (``sched_getaffinity``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # (not on every platform)
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Batch:
    """A few source files of one job, compiled by one worker in one round trip."""

    job: object  # the caller's: handed back to its callback
    sources: tuple[str, ...]
    names: tuple[str, ...] | None = None  # the file each code object names, if not its source


class CompilePool:
    """Workers of the interpreter *python*, started as batches arrive (at most *workers*).

    ``callback(batch, compiled, error)`` is called once per batch, from a worker's thread: the
    sources compiled, and the error that stopped the worker (or the pool) before it finished
    the batch, if any.
    """

    def __init__(
        self,
        python: str,
        callback: Callable[[Batch, frozenset[str], str | None], None],
        workers: int | None = None,
    ) -> None:
        self.python = python
        self.callback = callback
        self.limit = workers or worker_count()
        self._queue: queue.Queue[Batch | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._procs: list[subprocess.Popen[str]] = []
        self._guard = threading.Lock()
        self._stopped: str | None = None  # why queued batches are no longer compiled
        self._batches = 0

    def put(self, batch: Batch) -> None:
        """Queue *batch*, starting another worker while there are fewer than batches queued."""
        self._batches += 1
        if len(self._threads) < min(self.limit, self._batches):
            try:
                self._start()
            except OSError as exc:  # (no worker at all: every batch is answered at once)
                self._stop(f"cannot start the bytecode compiler {self.python} ({exc.strerror})")
        if not self._threads:
            self.callback(batch, frozenset(), self._stopped or "no compiler")
            return
        self._queue.put(batch)

    def close(self) -> None:
        """Wait until every batch queued is answered and every worker has exited."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def abort(self, reason: str) -> None:
        """Answer every batch not yet compiled with *reason*; stop the workers; :meth:`close`."""
        self._stop(reason)
        for proc in list(self._procs):
            with contextlib.suppress(OSError):
                proc.kill()
        self.close()

    def _stop(self, reason: str) -> None:
        with self._guard:
            if self._stopped is None:
                self._stopped = reason

    def _start(self) -> None:
        import subprocess  # noqa: PLC0415

        proc = subprocess.Popen(
            [self.python, "-I", "-c", WORKER_SCRIPT, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # (SyntaxWarnings of the compiled files)
            text=True,
            encoding="utf-8",
        )
        self._procs.append(proc)
        thread = threading.Thread(target=self._serve, args=(proc,), name="graft-compile")
        thread.start()
        self._threads.append(thread)

    def _serve(self, proc: subprocess.Popen[str]) -> None:
        """Feed *proc* batch after batch; after a failure, answer the rest without compiling."""
        stdin, stdout = proc.stdin, proc.stdout
        assert stdin is not None  # noqa: S101 - a pipe
        assert stdout is not None  # noqa: S101 - a pipe
        alive = True
        while (batch := self._queue.get()) is not None:
            if alive and self._stopped is None:
                done, error = self._round_trip(stdin, stdout, batch)
                if error is not None:
                    alive = False
                    error = self._died(proc, error)
                    self._stop(error)
            else:
                done, error = frozenset(), self._stopped or "stopped"
            self.callback(batch, done, error)
        with contextlib.suppress(OSError):
            stdin.close()  # the worker sees the end of its input and exits
        proc.wait()
        stdout.close()

    def _round_trip(
        self, stdin: IO[str], stdout: IO[str], batch: Batch
    ) -> tuple[frozenset[str], str | None]:
        try:
            names, sources = batch.names, batch.sources
            items = sources if names is None else list(zip(sources, names, strict=True))
            stdin.write(json.dumps(items) + "\n")
            stdin.flush()
            line = stdout.readline()
        except OSError:  # (a broken pipe: the worker is gone)
            return frozenset(), ""
        try:
            answer = json.loads(line) if line else None
        except ValueError:
            answer = None
        if isinstance(answer, list):
            return frozenset(answer), None
        if isinstance(answer, dict):
            return frozenset(), str(answer.get("error"))
        return frozenset(), ""

    def _died(self, proc: subprocess.Popen[str], error: str) -> str:
        """The one line that says why the worker *proc* stopped (its own *error*, if it said)."""
        if error:
            return f"cannot write bytecode: {error}"
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        code = proc.wait()
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        return f"the bytecode compiler {self.python} stopped ({how})"


__all__ = ["BATCH_FILES", "WORKER_SCRIPT", "Batch", "CompilePool", "worker_count"]
