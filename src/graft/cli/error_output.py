"""An error as the command line tells it: a line on stderr, or one JSON object on stdout.

With ``--json`` every error (a usage error from :mod:`graft.cli.parser` too) is one JSON
object on stdout, never a line on stderr; with ``-v`` a line is followed by the error's details.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from graft.cli.exits import say, stdout_gone

if TYPE_CHECKING:
    import argparse

    from graft.errors import BuildError, GraftError


def print_json_error(exc: GraftError | None, message: str | None = None) -> None:
    """An error as one JSON object on stdout (``--json``): what, where, hint, the line."""
    if exc is None:  # an internal error or an interrupt: a message only
        out: dict[str, Any] = {"error": message, "where": None, "hint": None, "message": message}
        out["kind"] = "InternalError" if (message or "").startswith("internal") else "Interrupted"
    else:
        out = {"error": exc.what, "where": exc.where, "hint": exc.hint, "message": str(exc)}
        out["kind"] = type(exc).__name__
        if exc.details:
            out["details"] = list(exc.details)
        _build_fields(exc, out)
    print(json.dumps(out, sort_keys=True))


def _build_fields(exc: GraftError, out: dict[str, Any]) -> None:
    """A failed build's output and rerun command as fields (not printed above with ``--json``)."""
    log, rerun = getattr(exc, "log", ""), getattr(exc, "rerun", None)
    if not log and not rerun:
        return
    out["log"], out["rerun"] = log, rerun
    from graft.build.hooks import OUTPUT_ONLY, OUTPUT_SHOWN  # noqa: PLC0415 - a failed build

    said = {OUTPUT_SHOWN: '; rerun it by hand with "rerun"', OUTPUT_ONLY: ""}
    for shown, rerun_said in said.items():  # (the longer first: it begins with the other)
        if exc.hint and exc.hint.startswith(shown):  # (what follows: where its tree stays)
            rest = exc.hint[len(shown) :]
            out["hint"] = f'its whole output is under "log"{rerun_said}{rest}'
            out["message"] = str(exc).replace(f"({exc.hint})", f"({out['hint']})")  # not "above"
            return


def report(args: argparse.Namespace, exc: GraftError | None, message: str | None = None) -> None:
    """One error: a line on stderr, or with ``--json`` one JSON object on stdout.

    With ``-v``, the error's details (each missing requirement, say) follow, one per line.
    """
    if getattr(args, "json", False):
        try:
            print_json_error(exc, message)
            sys.stdout.flush()
        except OSError:  # `graft sync ... --json | head -c 100`: nobody reads it (or a
            stdout_gone()  # closed terminal: EIO)
        return
    text = f"graft: error: {exc}" if exc is not None else f"graft: {message}"
    say(text)
    # (an explanation of several lines, a resolver's, already shows its details)
    if exc is not None and exc.details and getattr(args, "verbose", False) and "\n" not in text:
        for detail in exc.details:
            say(f"graft:   {detail}")


def build_output(args: argparse.Namespace, exc: BuildError) -> None:
    """A failed build's whole output on stderr, then how to rerun it (not with ``--json``)."""
    if args.json:
        return
    if exc.log:
        sys.stderr.write(exc.log if exc.log.endswith("\n") else exc.log + "\n")
    if exc.rerun:
        print(f"graft: to rerun by hand: {exc.rerun}", file=sys.stderr)
