"""A warm lock's environments in forked workers (decision 92): the same answers, in order."""

from __future__ import annotations

import os
import pickle

import pytest

from graft.errors import BuildError, GraftError
from graft.resolve.explain import Kind, ResolutionError
from graft.resolve.lock_workers import MAX_WORKERS, resolve_forked, workers

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="this platform has no os.fork")


@needs_fork
def test_the_answers_come_in_order_from_several_processes() -> None:
    parent = os.getpid()
    found, processes = resolve_forked(list(range(10)), lambda n: (n * n, os.getpid()), 3)
    assert [square for square, _ in found] == [n * n for n in range(10)]
    pids = {pid for _, pid in found}
    assert parent in pids
    assert len(pids) == 3
    assert processes == 3


@needs_fork
def test_what_a_child_cannot_do_is_done_here() -> None:
    """A child that fails, or whose answer does not pickle, sends nothing: this process
    resolves its share, and says it answered alone."""
    parent = os.getpid()

    def resolve(n: int) -> object:
        if os.getpid() != parent and n == 4:
            raise RuntimeError(n)
        if os.getpid() != parent and n == 5:
            return lambda: n  # (a lambda does not pickle)
        return n

    found, processes = resolve_forked(list(range(6)), resolve, 3)
    assert found == list(range(6))
    assert processes == 1


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
    found, processes = resolve_forked([1, 2, 3], lambda n: (n, os.getpid()), 1)
    assert found == [(n, os.getpid()) for n in (1, 2, 3)]
    assert processes == 1


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
