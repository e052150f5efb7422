"""Ctrl-C is held back while the main thread runs the import machinery's code (decision 116)."""

from __future__ import annotations

import signal
import threading

import pytest

from graft.cli.interrupt import installed

# code compiled under the import machinery's file name: where a KeyboardInterrupt raised
# between ``_imp.acquire_lock()`` and its ``try`` leaks the global import lock
_MACHINERY_CODE = """
def machinery(lock, raise_signal, signum):
    lock.acquire()          # as _imp.acquire_lock() in _get_module_lock's callback
    raise_signal(signum)    # SIGINT handled here (a C function: this is the frame), before try
    try:
        pass
    finally:
        lock.release()
"""


def _machinery() -> object:
    namespace: dict[str, object] = {}
    exec(compile(_MACHINERY_CODE, "<frozen importlib._bootstrap>", "exec"), namespace)  # noqa: S102
    return namespace["machinery"]


def _interrupted_in_the_machinery(lock: threading.Lock) -> None:
    _machinery()(lock, signal.raise_signal, signal.SIGINT)  # type: ignore[operator]
    assert not lock.locked()  # the machinery released its lock: no interrupt inside it
    # until the interrupt held back arrives (a timer's, 10 ms on); a bound, so that a lost
    # one fails here instead of hanging the suite (a helper's -n 2 run once hung here 48 min)
    threading.Event().wait(120)
    pytest.fail("the interrupt held back never came")  # pragma: no cover


def test_an_interrupt_in_the_import_machinery_comes_once_it_has_run_on() -> None:
    lock = threading.Lock()
    with installed(), pytest.raises(KeyboardInterrupt):
        _interrupted_in_the_machinery(lock)
    assert not lock.locked()  # (held: the interrupt came between its acquire and its try)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


class _TimerFiringAtOnce(threading.Timer):
    """A held-back interrupt's timer whose first signal comes before the handler returns."""

    fired = 0

    def start(self) -> None:
        if _TimerFiringAtOnce.fired == 0:  # fired at once (as a starved main thread meets it)
            _TimerFiringAtOnce.fired += 1
            signal.raise_signal(signal.SIGINT)
            return
        super().start()


def test_an_interrupt_held_back_stays_held_when_its_timer_fires_inside_the_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The handler runs again on its own frame: it judges the frame its first call did."""
    monkeypatch.setattr(threading, "Timer", _TimerFiringAtOnce)
    lock = threading.Lock()
    with installed(), pytest.raises(KeyboardInterrupt):
        _interrupted_in_the_machinery(lock)
    assert _TimerFiringAtOnce.fired == 1  # the control: the signal came inside the handler
    assert not lock.locked()


def _interrupted() -> None:
    signal.raise_signal(signal.SIGINT)
    for _ in range(1000):  # (the handler runs at the next check of the eval loop)
        pass
    pytest.fail("no KeyboardInterrupt")  # pragma: no cover


def test_an_interrupt_elsewhere_is_python_s_own() -> None:
    with installed(), pytest.raises(KeyboardInterrupt):
        _interrupted()


def test_left_alone_where_sigint_is_ignored_or_handled_by_another() -> None:
    def mine(signum: int, frame: object) -> None:
        del signum, frame

    for handler in (signal.SIG_IGN, mine):
        previous = signal.signal(signal.SIGINT, handler)
        try:
            with installed():
                assert signal.getsignal(signal.SIGINT) is handler
        finally:
            signal.signal(signal.SIGINT, previous)


def test_sigterm_is_a_ctrl_c_said_as_terminated_with_status_143(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Decision 269: SIGTERM's default action ended graft with nothing said or removed."""
    from graft import _interrupted

    # (this process's own record: a sync an earlier test ran in it recorded its venv)
    monkeypatch.setattr(_interrupted, "CHANGED", [])
    monkeypatch.setattr(_interrupted, "SIGNALLED", [])
    # (the default action, as a process starts: an earlier test that ran the console
    # script's entry in this process left its fast paths' handler in place)
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with installed(), pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGTERM)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # restored
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert _interrupted.status() == 143
    assert _interrupted.message() == "terminated; nothing was changed"
    _interrupted.SIGNALLED.clear()
    assert (_interrupted.status(), _interrupted.message()) == (
        130,
        "interrupted; nothing was changed",
    )


def test_the_console_scripts_sigterm_handler_is_taken_over_and_given_back() -> None:
    from graft import _interrupted
    from graft.cli.entry import terminated

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        with installed():
            assert signal.getsignal(signal.SIGTERM) is not terminated  # (the machinery guard)
        assert signal.getsignal(signal.SIGTERM) is terminated
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGTERM)  # the fast paths' own
        assert _interrupted.SIGNALLED[-1] == signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)
        _interrupted.SIGNALLED.clear()


def test_sigterm_handled_by_another_is_left_alone() -> None:
    def handler(signum: int, frame: object) -> None:
        del signum, frame

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        with installed():
            assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, previous)
