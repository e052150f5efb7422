"""The ``graft`` console script: a no-op sync answered at once, else :func:`graft.cli.main.main`.

Only the standard library's ``gc``, ``os`` and ``sys`` are imported on the way (here and in
:mod:`graft.cli.exits`): a no-op ``graft sync`` (:mod:`graft.cli.noop`) costs little more
than the interpreter's own start-up.
"""

from __future__ import annotations

import os
import sys

from graft.cli.exits import exit_now, say, stdout_gone


def entrypoint() -> None:
    """Run ``graft`` with ``sys.argv``, then exit without the interpreter's teardown."""
    argv = sys.argv[1:]
    import gc  # noqa: PLC0415 - built in

    # the cyclic GC every 100,000 allocations, not 700: a resolution allocates millions of
    # short-lived objects on a heap of parsed listings, which every collection walks again
    # (decision 73; mypy raises its threshold for the same reason)
    gc.set_threshold(100_000, 50, 100)
    code = None
    if argv[:1] == ["sync"]:
        import _signal  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415 - built in, loaded at start

        for signum in (_signal.SIGTERM, _signal.SIGHUP):  # (decisions 269, 291)
            if _signal.getsignal(signum) == _signal.SIG_DFL:
                _signal.signal(signum, terminated)
        try:
            code = _sync_answer(argv)
        except KeyboardInterrupt:  # (as main says it: no traceback)
            from graft import _interrupted  # noqa: PLC0415

            say(f"graft: {_interrupted.message()}")
            exit_now(_interrupted.status())
        except BrokenPipeError:  # (a reader of its lines went away: as main leaves, 141)
            code = stdout_gone()
    elif argv[:1] == ["lock"]:
        from graft.cli import lockstamp  # noqa: PLC0415

        code = lockstamp.answer(argv)
    elif argv[:1] in (["--help"], ["-h"], ["--version"]):
        from graft.cli import usage  # noqa: PLC0415

        code = usage.answer(argv)
    if code is None:
        from graft.cli.main import main  # noqa: PLC0415

        code = main(argv)
    exit_now(code)


def terminated(signum: int, frame: object) -> None:
    """SIGTERM or SIGHUP in a fast path: ended as Ctrl-C ends it (decisions 269, 291).

    One line and status 143 or 129.

    ``main`` takes it over with the import machinery's guard (:mod:`graft.cli.interrupt`).
    """
    del frame
    from graft import _interrupted  # noqa: PLC0415 - (only once a SIGTERM has come)

    _interrupted.SIGNALLED.append(signum)
    raise KeyboardInterrupt


def _sync_answer(argv: list[str]) -> int | None:
    """A sync answered from its stamps (a no-op, a new venv, an edited pin set), or None."""
    from graft.cli import noop  # noqa: PLC0415

    noop.answering(hold=True)  # (the stamps' surroundings read once: decision 349)
    try:
        code = noop.answer(argv)
        if code is None and not _named_venv_exists(argv):  # a new venv from a kept plan's
            from graft.cli import replay  # noqa: PLC0415 - flat form, if its stamp says so

            code = replay.answer(argv)
        if code is None:  # an edited pin set recalled, if its change stamp reads it
            from graft.cli import change  # noqa: PLC0415

            code = change.answer(argv)
    finally:
        noop.answering(hold=False)
    return code


def _named_venv_exists(argv: list[str]) -> bool:
    """Whether ``graft sync VENV ...`` names a path where something is: no replay stamp answers.

    :mod:`graft.cli.replay` builds only new venvs (decision 211: not imported for the others).
    """
    return len(argv) > 1 and not argv[1].startswith("-") and os.path.lexists(argv[1])
