"""``graft build``'s output: a line per artefact and where each was written, or ``--json``.

Decision 250: the sdist (when one was built), each interpreter's wheel (built or reused, and
why), then ``wrote PATH`` for each file written, as ``uv build`` and pypa/build end with
what they built; ``--json`` names each artefact. A wheel whose RECORD disagrees with its
files says the sync's warning line, once (decision 384).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graft.build.run import BuildOutcome, Built


def built_dict(built: Built, out_dir: str | None) -> dict[str, Any]:
    """``--json``: each artefact written (the sdist, each interpreter's wheel) and where."""
    sdist = built.sdist
    return {
        "out_dir": out_dir,
        "sdist": None
        if sdist is None
        else {
            "interpreter": sdist.interpreter,
            "action": "built",
            "sdist": sdist.filename,
            "path": sdist.path,
            "sha256": sdist.sha256,
            "warning": sdist.warning,
        },
        "wheels_from": built.wheels_from,
        "wheels": [_outcome_dict(o) for o in built.wheels],
    }


def _outcome_dict(outcome: BuildOutcome) -> dict[str, Any]:
    return {
        "interpreter": outcome.interpreter,
        "action": outcome.action,
        "why": outcome.why,
        "wheel": outcome.filename,
        "path": outcome.path,
        "sha256": outcome.sha256,
        "assessment": outcome.assessment.to_dict(),
        "differences": None
        if outcome.differences is None
        else [{"path": d.path, "how": d.how} for d in outcome.differences],
        "warning": outcome.warning,
    }


def render_built(built: Built, verbose: bool) -> None:
    """One line per artefact; then where each was written, as uv and pypa/build end."""
    sdist = built.sdist
    if sdist is not None:
        print(f"{sdist.interpreter}: built {sdist.filename}")
        if verbose:
            print(f"  sdist: {sdist.path} (sha256 {sdist.sha256})")
            if built.wheels_from == "sdist":
                print("  the wheels are built from it")
        if sdist.warning:
            print(f"graft: warning: {sdist.warning}", file=sys.stderr)
    for outcome in built.wheels:
        _render(outcome, verbose)
    for warning in dict.fromkeys(o.warning for o in built.wheels if o.warning):  # (once)
        print(f"graft: warning: {warning}", file=sys.stderr)
    written = [p.path for p in ((sdist,) if sdist else ())] + [o.path for o in built.wheels]
    for path in dict.fromkeys(written):  # (a wheel reused for two interpreters: once)
        print(f"wrote {_shown(path)}")


def _shown(path: str) -> str:
    """*path* relative to the working directory when it lies below it, as uv prints it."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def _render(outcome: BuildOutcome, verbose: bool) -> None:
    print(f"{outcome.interpreter}: {outcome.action} {outcome.filename}: {outcome.why}")
    if verbose:
        print(f"  source: {outcome.assessment.describe()}")
        print(f"  wheel: {outcome.path}")
    if outcome.differences is not None:
        if not outcome.differences:
            print("  verify: no difference in the installed files")
        for difference in outcome.differences:
            print(f"  verify: {difference}")
