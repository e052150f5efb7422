"""A warm lock's environments in forked workers (decision 92): the same answers, in order."""

from __future__ import annotations

import functools
import multiprocessing
import os
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from graft.errors import BuildError, GraftError
from graft.resolve import lock_workers
from graft.resolve.lock_workers import MAX_WORKERS, resolve_forked, workers
from graft.resolve.resolution_error import Kind, ResolutionError
from graft.resolve.variants import VariantChooser, VariantOptions
from graft.sources.indexes import Indexes

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="this platform has no os.fork")


def _in_a_new_process(body: Callable[[], T]) -> T:
    """*body*'s answer from a new interpreter, whose only thread is its main one.

    ``resolve_forked`` forks only a process with one thread, and a test runner's worker may
    hold others (one left by an earlier test): there it would resolve everything itself, and
    a test of the forked path would pass without forking, or fail for nothing it tests.
    """
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(body).result()


def _squares() -> tuple[int, list[tuple[int, int]], list[tuple[str, int]]]:
    assert threading.active_count() == 1
    found, reports = resolve_forked(
        list(range(10)), lambda n: (n * n, os.getpid()), 3, lambda: ("child", os.getpid())
    )
    return os.getpid(), found, reports


@needs_fork
def test_the_answers_come_in_order_from_several_processes() -> None:
    parent, found, reports = _in_a_new_process(_squares)
    assert [square for square, _ in found] == [n * n for n in range(10)]
    pids = {pid for _, pid in found}
    assert parent in pids
    assert len(pids) == 3
    assert sorted(reports) == sorted(("child", pid) for pid in pids - {parent})


def _failing_children() -> tuple[list[object], list[str], list[int]]:
    parent = os.getpid()
    resolved_here: list[int] = []

    def resolve(n: int) -> object:
        if os.getpid() != parent and n == 4:
            raise RuntimeError(n)
        if os.getpid() != parent and n == 5:
            return lambda: n  # (a lambda does not pickle)
        if os.getpid() == parent:
            resolved_here.append(n)
        return n

    found, reports = resolve_forked(list(range(6)), resolve, 3, lambda: "sent")
    return found, reports, resolved_here


@needs_fork
def test_what_a_child_cannot_do_is_done_here() -> None:
    """A child that fails, or whose answer does not pickle, sends nothing: this process
    resolves its share, and no child reports."""
    found, reports, resolved_here = _in_a_new_process(_failing_children)
    assert found == list(range(6))
    assert reports == []
    # its own share (0, 3), then each child's whole share again (1, 4 and 2, 5)
    assert sorted(resolved_here) == list(range(6))
    assert resolved_here[:2] == [0, 3]


def test_one_process_when_asked_or_when_there_is_little_to_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRAFT_LOCK_WORKERS", "1")
    assert workers(35) == 1
    monkeypatch.setenv("GRAFT_LOCK_WORKERS", "4")
    assert workers(35) == 4
    assert workers(5) == 1  # fewer than three environments for each
    monkeypatch.setenv("GRAFT_LOCK_WORKERS", "64")
    assert workers(1000) == MAX_WORKERS
    found, reports = resolve_forked([1, 2, 3], lambda n: (n, os.getpid()), 1, lambda: "sent")
    assert found == [(n, os.getpid()) for n in (1, 2, 3)]
    assert reports == []


def test_errors_a_worker_sends_arrive_whole() -> None:
    """Outcomes carry graft's errors, whose ``__init__`` takes other arguments than ``args``."""
    errors: list[GraftError] = [
        ResolutionError(Kind.NO_VERSION, ["no version of x", "you asked for x"], "relax it"),
        BuildError("the build failed", where="x-1.0.tar.gz", hint="see the log"),
        GraftError("plain", where="here", details=("one", "two")),
    ]
    for error in errors:
        back = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert type(back) is type(error)
        assert str(back) == str(error)
        assert vars(back) == vars(error)


def test_what_workers_learned_is_added_once(tmp_path: Path) -> None:
    """METADATA reads counted in a worker after the fork, the variant choices it found and
    the pages it read reach the parent: counts as differences from the fork, findings kept
    where missing."""
    indexes = Indexes(["https://a.invalid/simple/"], str(tmp_path))
    projects = SimpleNamespace(
        reads={"cache": 10, "ranges": 1},
        fetched_bytes=100,
        whole_bytes=0,
        indexes=indexes,
        builds=None,
    )
    chooser = VariantChooser(VariantOptions(), read=lambda _f: b"")
    kept, other, new, metadata = (object() for _ in range(4))  # (orders and metadata, opaque)
    chooser.orders[("a", "1")] = kept  # type: ignore[assignment]
    before = lock_workers.learned(projects, chooser)  # type: ignore[arg-type]
    found: tuple[dict[Any, Any], ...] = (
        {("a", "1"): other, ("b", "2"): new},
        {("b", "2"): metadata},
    )
    found += ({}, {}, {}, {})
    read = Indexes(["https://a.invalid/simple/"], str(tmp_path))
    read.indexes[0].seen["https://a.invalid/simple/y/"] = ({"etag": '"2"'}, True)
    child = lock_workers.Learned({"cache": 25, "ranges": 1}, 100, 7, found, read.findings())
    lock_workers.merge([child, child], before, projects, chooser)  # type: ignore[arg-type]
    assert projects.reads == {"cache": 40, "ranges": 1}
    assert (projects.fetched_bytes, projects.whole_bytes) == (100, 14)
    assert chooser.orders == {("a", "1"): kept, ("b", "2"): new}
    assert chooser.known("b", "2") is metadata  # what a lock's variant forks read
    assert [url for url, _ in indexes.answered_from() or ()] == ["https://a.invalid/simple/y/"]


def test_a_workers_index_pages_reach_the_lock_stamp(tmp_path: Path) -> None:
    """The pages a worker's answers came from join the parent's (``answered_from``): the
    lock stamp renews an aged lock only while every one of them is unchanged."""
    parent = Indexes(["https://a.invalid/simple/", "https://b.invalid/simple/"], str(tmp_path))
    worker = Indexes(["https://a.invalid/simple/", "https://b.invalid/simple/"], str(tmp_path))
    parent.indexes[0].seen["https://a.invalid/simple/x/"] = ({"etag": '"1"'}, True)
    before = parent.findings()
    worker.indexes[0].seen["https://a.invalid/simple/x/"] = ({"etag": '"1"'}, True)
    worker.indexes[1].seen["https://b.invalid/simple/y/"] = ({"etag": '"2"'}, True)
    worker.indexes[1].cached_answer = True
    parent.learn(worker.findings())
    assert before.seen[1] == {}
    assert sorted(url for url, _ in parent.answered_from() or ()) == [
        "https://a.invalid/simple/x/",
        "https://b.invalid/simple/y/",
    ]
    assert parent.cached_answers()


def test_the_rest_is_worth_forking_for_by_what_each_took() -> None:
    """Decision 214: the mean CPU of the items done, times the items left, against FORK_WORTH."""
    assert not lock_workers.worth_forking(0.0, 0, 1000)  # nothing known: one more here
    assert not lock_workers.worth_forking(0.001, 2, 34)  # 17 ms left: not worth a fork
    assert lock_workers.worth_forking(0.0027, 1, 34)  # 92 ms left: forked
    assert lock_workers.worth_forking(lock_workers.FORK_WORTH, 10, 10)
    assert not lock_workers.worth_forking(lock_workers.FORK_WORTH, 10, 9)


def _environments_costing(seconds: float) -> tuple[int, list[tuple[int, int]], int]:
    """``lock_envs._resolve_all`` of 36 environments on 4 cores, each taking *seconds* of CPU
    (a clock that only the resolutions advance): this pid, (position, pid) each, processes."""
    import time

    from graft.resolve import lock_envs

    os.environ.pop("GRAFT_LOCK_WORKERS", None)
    os.sched_getaffinity = lambda _pid: {0, 1, 2, 3}  # type: ignore[assignment,unused-ignore]
    clock = [0.0]
    time.process_time = lambda: clock[0]

    def resolved(position: int, _env: object) -> tuple[int, int]:
        clock[0] += seconds
        return position, os.getpid()

    projects = SimpleNamespace(
        reads={}, fetched_bytes=0, whole_bytes=0, indexes=None, reading=lambda: False, builds=None
    )
    chooser = VariantChooser(VariantOptions(), read=lambda _f: b"")
    found, processes = lock_envs._resolve_all(
        list(range(36)),  # type: ignore[arg-type]
        resolved,  # type: ignore[arg-type]
        projects,  # type: ignore[arg-type]
        chooser,
    )
    return os.getpid(), found, processes  # type: ignore[return-value]


@needs_fork
@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no sched_getaffinity")
def test_a_tiny_locks_environments_are_resolved_in_one_process() -> None:
    """Decision 214: 35 environments of 1 ms each are no fork's worth, however many cores."""
    parent, found, processes = _in_a_new_process(functools.partial(_environments_costing, 0.001))
    assert [position for position, _ in found] == list(range(36))
    assert {pid for _, pid in found} == {parent}
    assert processes == 1


@needs_fork
@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no sched_getaffinity")
def test_a_large_locks_environments_are_forked_once_one_is_timed() -> None:
    """Decision 214: the second environment took 50 ms, so the other 34 are shared out."""
    parent, found, processes = _in_a_new_process(functools.partial(_environments_costing, 0.05))
    assert [position for position, _ in found] == list(range(36))
    assert [pid for _, pid in found[:2]] == [parent, parent]  # the first, the one timed
    assert len({pid for _, pid in found[2:]}) == processes == 4


def test_the_items_timed_are_spread_over_those_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decision 214: a lock's oldest Pythons, first in the matrix, often fail at once."""
    monkeypatch.delenv("GRAFT_LOCK_WORKERS", raising=False)
    assert [lock_workers._spread(k) for k in range(5)] == [0.0, 0.5, 0.25, 0.75, 0.125]
    timed: list[int] = []

    def resolve(n: int) -> int:
        timed.append(n)
        return n * n

    found, _, _ = lock_workers.resolve_shared(list(range(35)), resolve)
    assert found == [n * n for n in range(35)]
    assert timed[:4] == [0, 18, 9, 27]  # (each taken from those left)


def _counted_once() -> tuple[int, int]:
    """``resolve_shared`` of 36 items of 50 ms each on 4 cores, each counted where resolved,
    its reports added as ``lock_envs`` adds them: the total, and the items resolved here."""
    import time

    os.environ.pop("GRAFT_LOCK_WORKERS", None)
    os.sched_getaffinity = lambda _pid: {0, 1, 2, 3}  # type: ignore[assignment,unused-ignore]
    clock, count = [0.0], [0]
    time.process_time = lambda: clock[0]

    def resolve(n: int) -> int:
        clock[0] += 0.05
        count[0] += 1
        return n

    found, reports, at_fork = lock_workers.resolve_shared(
        list(range(36)), resolve, lambda: count[0]
    )
    assert found == list(range(36))
    assert at_fork is not None
    assert len(reports) == 3  # (four processes, this one among them)
    return count[0] + sum(said - at_fork for said in reports), at_fork


@needs_fork
@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no sched_getaffinity")
def test_what_workers_report_is_counted_from_the_fork() -> None:
    """Decision 254: the items resolved here before the fork (the timed ones) were counted
    again in every child's report, which started from the parent's count before them."""
    total, before_the_fork = _in_a_new_process(_counted_once)
    assert before_the_fork == 1  # the one timed: the rest is worth a fork
    assert total == 36  # (39 from a count taken before the timed one)


def test_a_workers_sdist_notes_and_failed_hooks_reach_the_parent_once(tmp_path: Path) -> None:
    """Decision 254: what the sdists said under -v in a worker (each hook that failed there,
    each kept failure said instead) is added to the parent's, from the fork on."""
    builds = SimpleNamespace(notes=["a: prepared"], failed_hooks=1, kept_failures=0)
    projects = SimpleNamespace(
        reads={}, fetched_bytes=0, whole_bytes=0, indexes=None, builds=builds
    )
    chooser = VariantChooser(VariantOptions(), read=lambda _f: b"")
    before = lock_workers.learned(projects, chooser)  # type: ignore[arg-type]
    builds.notes.append("b: failed here")  # (the parent, after the fork)
    one = before._replace(builds=(("a: prepared", "c: failed"), 2, 0))
    two = before._replace(builds=(("a: prepared", "c: failed (kept)", "d: kept"), 1, 2))
    lock_workers.merge([one, two], before, projects, chooser)  # type: ignore[arg-type]
    assert builds.notes == [
        "a: prepared",
        "b: failed here",
        "c: failed",
        "c: failed (kept)",
        "d: kept",
    ]
    assert (builds.failed_hooks, builds.kept_failures) == (2, 2)
