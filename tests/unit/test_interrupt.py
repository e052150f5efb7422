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


@pytest.mark.usefixtures("signals_at_start")
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


@pytest.mark.usefixtures("signals_at_start")
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


@pytest.mark.usefixtures("signals_at_start")
def test_an_interrupt_elsewhere_is_python_s_own() -> None:
    with installed(), pytest.raises(KeyboardInterrupt):
        _interrupted()


@pytest.mark.usefixtures("signals_at_start")
def test_left_alone_where_sigint_is_ignored_or_handled_by_another() -> None:
    def mine(signum: int, frame: object) -> None:
        del signum, frame

    for handler in (signal.SIG_IGN, mine):
        signal.signal(signal.SIGINT, handler)
        with installed():
            assert signal.getsignal(signal.SIGINT) is handler


@pytest.mark.parametrize(
    ("signum", "status", "word"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGHUP, 129, "hung up")],
)
@pytest.mark.usefixtures("signals_at_start")
def test_sigterm_and_sighup_are_a_ctrl_c_said_as_such_with_their_status(
    signum: int, status: int, word: str
) -> None:
    """Decisions 269 and 291: their default action ended graft with nothing said or removed."""
    from graft import _interrupted

    with installed(), pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signum)
    assert signal.getsignal(signum) == signal.SIG_DFL  # given back
    assert _interrupted.status() == status
    assert _interrupted.message() == f"{word}; nothing was changed"
    _interrupted.changed("/v")
    assert _interrupted.message() == f"{word} after /v was synced; it is complete"
    _interrupted.SIGNALLED.clear()
    assert (_interrupted.status(), _interrupted.message()) == (
        130,
        "interrupted after /v was synced; it is complete",
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.usefixtures("signals_at_start")
def test_the_console_scripts_handler_is_taken_over_and_given_back(signum: int) -> None:
    from graft import _interrupted
    from graft.cli.entry import terminated

    signal.signal(signum, terminated)
    with installed():
        assert signal.getsignal(signum) is not terminated  # (the machinery guard)
    assert signal.getsignal(signum) is terminated
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signum)  # the fast paths' own
    assert [signum] == _interrupted.SIGNALLED


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.usefixtures("signals_at_start")
def test_a_signal_handled_by_another_or_ignored_is_left_alone(signum: int) -> None:
    """``nohup`` ignores SIGHUP: graft leaves it ignored, as whoever calls ``main`` set it."""

    def handler(signum: int, frame: object) -> None:
        del signum, frame

    for action in (handler, signal.SIG_IGN):
        signal.signal(signum, action)
        with installed():
            assert signal.getsignal(signum) is action


def test_sigquit_keeps_its_default_action() -> None:
    """SIGQUIT (Ctrl-backslash) asks for a core dump: the way out where a handler would not do."""
    from graft.cli.interrupt import SIGNALS

    assert signal.SIGQUIT not in SIGNALS
    assert {signal.SIGINT, signal.SIGTERM, signal.SIGHUP} <= set(SIGNALS)
