"""A warm lock's environments resolved side by side in forked processes (decision 92).

Once its first environment is resolved with nothing left to read, a lock is Python on one
core: one resolution per environment (36 by default), each 30-150 ms on real roots. Threads
cannot share that work (the GIL), so the remaining environments are dealt out, interleaved,
to forked copies of this process (one per core, this one among them, at most
:data:`MAX_WORKERS`), each of which sends back its outcomes pickled through a pipe.

Forking has a price (the fork, the child's copies of the pages it writes, the outcomes pickled
both ways: 10-25 ms of CPU on the benchmark's small and web locks, decision 214), which a tiny
lock's 35 environments (0.5 ms each) do not repay: some are resolved here one by one, timed,
until what is left is worth forking for (:func:`resolve_shared`, :data:`FORK_WORTH`).

A child is a copy of a process with one thread, made only when this process has one thread
(no lock or connection is held by a thread the child would lack). Whatever a child cannot
do (an exception that is not an outcome, an outcome that does not pickle, a signal) ends it
without a word, and this process resolves that child's environments itself: the answer is
the same, only later. A child reads and writes graft's caches as any concurrent graft does.
"""

from __future__ import annotations

import gc
import io
import os
import signal
import sys
import threading
import time
import types
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from graft.resolve.projects import IndexProjects
    from graft.resolve.variants import VariantChooser
    from graft.sources.indexes import PageFindings

T = TypeVar("T")
E = TypeVar("E")
R = TypeVar("R")

#: At most this many processes resolve a lock's environments (this one included).
MAX_WORKERS = 8
#: Fewer environments than this per process are not worth a fork.
MIN_PER_WORKER = 3
#: Seconds of CPU the environments left must be expected to take in this process before
#: they are forked for. A fork costs 10-25 ms of CPU and ~15 ms of wall time (the fork, the
#: pages a child copies, the outcomes pickled both ways) and saves at most half of what is
#: left on two cores: with 50 ms left it gains a little on a quiet machine; with less, it
#: loses (decision 214).
FORK_WORTH = 0.05


def _asked() -> int | None:
    """The number of processes ``GRAFT_LOCK_WORKERS`` asks for, if it is set to one."""
    asked = os.environ.get("GRAFT_LOCK_WORKERS", "")
    return int(asked) if asked.isdigit() and int(asked) > 0 else None


def workers(count: int) -> int:
    """How many processes should resolve *count* environments here (1: this one alone).

    ``GRAFT_LOCK_WORKERS`` sets it (1 turns forking off); else one per core available, on
    Linux only (macOS's system libraries are not safe to use in a forked child).
    """
    cores = _asked()
    if cores is None and not sys.platform.startswith("linux"):
        cores = 1
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_WORKERS, count // MIN_PER_WORKER))


def worth_forking(spent: float, done: int, left: int) -> bool:
    """Whether *left* items are worth forking for, *done* items having taken *spent* s of CPU.

    Their expected time is the mean of those done times their number; nothing done, nothing
    is known yet (one more is resolved here first).
    """
    return done > 0 and spent / done * left >= FORK_WORTH


def _spread(k: int) -> float:
    """Where in what is left the *k*-th item timed is taken: 0, 1/2, 1/4, 3/4, 1/8, ...

    A lock's environments are ordered by Python, and the oldest often fail at once (their
    Python excluded): timed in order, they would say little of the newer ones.
    """
    at, step = 0.0, 1.0
    while k:
        step /= 2
        at += step * (k & 1)
        k >>= 1
    return at


def resolve_shared(
    items: Sequence[E],
    resolve: Callable[[E], T],
    report: Callable[[], R] | None = None,
) -> tuple[list[T], list[R], R | None]:
    """``[resolve(item) for item in items]``, the rest forked once it is worth it; the reports.

    Without ``GRAFT_LOCK_WORKERS``, items spread over the sequence (:func:`_spread`) are
    resolved here one by one while what is left is not worth a fork (:func:`worth_forking`,
    by the CPU each took); then what is left is shared with forked children
    (:func:`resolve_forked`). With it, they are forked at once. The answers are in the
    order of *items* whatever the order they were resolved in; then each child's report,
    and what *report* said here as they were forked (what they started from: a child's
    report less that is what it learned; decision 254 found the items resolved here first
    counted again).
    """
    done: dict[int, T] = {}
    left = list(range(len(items)))
    spent = 0.0
    while left and _asked() is None and not worth_forking(spent, len(done), len(left)):
        at = left.pop(int(_spread(len(done)) * len(left)))
        began = time.process_time()
        done[at] = resolve(items[at])
        spent += time.process_time() - began
    at_fork = report() if report is not None else None
    found, reports = resolve_forked([items[at] for at in left], resolve, workers(len(left)), report)
    done.update(zip(left, found, strict=True))
    return [done[at] for at in range(len(items))], reports, at_fork


def resolve_forked(
    items: Sequence[E],
    resolve: Callable[[E], T],
    processes: int,
    report: Callable[[], R] | None = None,
) -> tuple[list[T], list[R]]:
    """``[resolve(item) for item in items]``, shared with ``processes - 1`` forked children.

    And from each child whose answers it holds, what *report* said there once its share was
    resolved (what the child learned that this process should know too).
    """
    if processes < 2 or not hasattr(os, "fork") or threading.active_count() != 1:  # noqa: PLR2004
        return [resolve(item) for item in items], []
    shares = [list(range(k, len(items), processes)) for k in range(processes)]
    children: list[tuple[int, int, list[int]]] = []
    results: dict[int, T] = {}
    reports: list[R] = []
    try:
        gc.freeze()  # (a child's collections then leave the parent's objects, and pages, alone)
        try:
            for share in shares[1:]:  # (one by one: each child is reaped if a later fork fails)
                children.append(_spawn(share, items, resolve, report))  # noqa: PERF401
        finally:
            gc.unfreeze()
        results.update((at, resolve(items[at])) for at in shares[0])
        for pid, fd, share in children:
            sent: tuple[dict[int, T], R] | None = _collect(pid, fd, share)
            if sent is not None:
                results.update(sent[0])
                reports.append(sent[1])
            for at in share:  # what the child did not send: resolved here
                if at not in results:
                    results[at] = resolve(items[at])
    finally:
        for pid, fd, _ in children:
            _reap(pid, fd)
    return [results[at] for at in range(len(items))], reports


def _spawn(
    share: list[int],
    items: Sequence[E],
    resolve: Callable[[E], T],
    report: Callable[[], R] | None,
) -> tuple[int, int, list[int]]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_fd)
        return pid, read_fd, share
    os.close(read_fd)  # the child: resolve, send, and leave without the parent's exit handlers
    try:
        answers = [(at, resolve(items[at])) for at in share]
        said = report() if report is not None else None
        data = _dumps((answers, said))
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
    finally:
        os._exit(0)


def _dumps(value: object) -> bytes:
    """*value* pickled, read-only mappings (``MappingProxyType``: a variant order's) too."""
    import copyreg  # noqa: PLC0415 - (pickle only where a fork is: decision 214)
    import pickle  # noqa: PLC0415

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, types.MappingProxyType: _proxy}
    pickler.dump(value)
    return buffer.getvalue()


def _proxy(mapping: Any) -> tuple[Callable[..., Any], tuple[dict[Any, Any]]]:
    return _read_only, (dict(mapping),)


def _read_only(mapping: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    """A pickled ``MappingProxyType`` made again (its class has no importable name)."""
    return types.MappingProxyType(mapping)


def _collect(pid: int, fd: int, share: list[int]) -> tuple[dict[int, T], R] | None:
    """What the child *pid* sent through *fd* (None if it failed), once it has ended."""
    with os.fdopen(fd, "rb", closefd=False) as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    import pickle  # noqa: PLC0415

    try:
        answers, said = pickle.loads(data)  # noqa: S301 - our own child's bytes
    except Exception:  # noqa: BLE001 - as if the child had sent nothing
        return None
    return {at: outcome for at, outcome in answers if at in share}, said


def _reap(pid: int, fd: int) -> None:
    """Close *fd*; end the child *pid* if it still runs (this process failed first)."""
    os.close(fd)
    try:
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except ChildProcessError:  # already reaped by _collect
        pass


class Learned(NamedTuple):
    """What resolving taught a process that the lock reads afterwards (a worker's report)."""

    reads: dict[str, int]  # IndexProjects.reads: METADATA read, per where from
    fetched_bytes: int
    whole_bytes: int
    choices: tuple[dict[Any, Any], ...]  # the variant chooser's findings
    pages: PageFindings | None  # the index pages the answers came from (the lock stamp's)
    # the sdists' -v notes, hooks that failed, failures kept said instead (decision 254)
    builds: tuple[tuple[str, ...], int, int] = ((), 0, 0)
    # the files read, (path, sha256), as the lock's run keeps them (graft._reads: 479)
    files: tuple[tuple[str, str], ...] = ()


def learned(projects: IndexProjects, chooser: VariantChooser) -> Learned:
    """What *projects* and *chooser* hold now, and the files read (copies)."""
    from graft._reads import kept  # noqa: PLC0415

    pages = projects.indexes.findings() if projects.indexes is not None else None
    counts = (dict(projects.reads), projects.fetched_bytes, projects.whole_bytes)
    b = projects.builds
    builds = ((), 0, 0) if b is None else (tuple(b.notes), b.failed_hooks, b.kept_failures)
    return Learned(*counts, chooser.findings(), pages, builds, kept())


def merge(
    reports: Sequence[Learned], before: Learned, projects: IndexProjects, chooser: VariantChooser
) -> None:
    """Add what each worker learned after *before* (the fork) to *projects* and *chooser*.

    And the files it read after the fork to the lock's run (a request's file a worker's
    build read with other bytes leaves no stamp: decision 479).
    """
    from graft._reads import add  # noqa: PLC0415

    for report in reports:
        add(report.files[len(before.files) :])
        for where, count in report.reads.items():
            projects.reads[where] = (
                projects.reads.get(where, 0) + count - before.reads.get(where, 0)
            )
        projects.fetched_bytes += report.fetched_bytes - before.fetched_bytes
        projects.whole_bytes += report.whole_bytes - before.whole_bytes
        chooser.learn(report.choices)
        if projects.indexes is not None and report.pages is not None:
            projects.indexes.learn(report.pages)
        builds = projects.builds
        if builds is not None:  # (what a worker's sdists said under -v, and its counts)
            notes, failed, kept = report.builds
            builds.notes.extend(notes[len(before.builds[0]) :])
            builds.failed_hooks += failed - before.builds[1]
            builds.kept_failures += kept - before.builds[2]
