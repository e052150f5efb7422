"""The local-wheels forms: new directory, fixed costs, pip baseline, prescribed, no-op.

Every command installs from the set's wheel directory (`--find-links`, no index) with warm
caches; these are the forms the benchmark has always had, kept comparable across runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .checks import link_census
from .commands import GRAFT, PIP, UV_HARDLINK, UV_SYMLINK
from .common import PIP_SET
from .prepare import Bench, count_distributions
from .runner import fixed_dirs, run_phase, unique_dirs

if TYPE_CHECKING:
    import argparse

    from .stats import Phase

OVERHEAD = "_overhead"  # pseudo set name of the fixed-costs phase
RATIO_PAIRS = {
    "create": ((GRAFT, UV_HARDLINK), (GRAFT, UV_SYMLINK), (UV_SYMLINK, UV_HARDLINK)),
    "pip": ((GRAFT, PIP), (PIP, UV_HARDLINK)),
    "prescribed": ((GRAFT, UV_HARDLINK),),
    "resync": ((GRAFT, UV_HARDLINK),),
    "overhead": (),
}


def rounds_for(args: argparse.Namespace, name: str) -> int:
    return int(args.runs_airflow if name == "airflow" else args.runs)


def time_new_directory(bench: Bench, args: argparse.Namespace) -> dict[str, dict[str, Phase]]:
    """New directory per run (first: nothing deleted yet), fixed costs, the pip baseline."""
    runs = bench.paths.runs
    phases: dict[str, dict[str, Phase]] = {name: {} for name in args.sets}
    for name in args.sets:
        phases[name]["create"] = run_phase(
            bench,
            "create",
            name,
            rounds=rounds_for(args, name),
            dest_for=unique_dirs(runs / "create" / name),
            pairs=RATIO_PAIRS["create"],
        )
    overhead = run_phase(
        bench,
        "overhead",
        OVERHEAD,
        rounds=args.runs,
        dest_for=unique_dirs(runs / "overhead" / "all"),
        pairs=(),
    )
    phases[OVERHEAD] = {"overhead": overhead}
    if PIP_SET in args.sets and args.pip_runs > 0:
        phases[PIP_SET]["pip"] = run_phase(
            bench,
            "pip",
            PIP_SET,
            rounds=args.pip_runs,
            dest_for=unique_dirs(runs / "pip" / PIP_SET),
            pairs=RATIO_PAIRS["pip"],
        )
    return phases


def time_prescribed(bench: Bench, args: argparse.Namespace, phases: dict[str, Any]) -> None:
    """rm -rf the venv at a fixed path, then build; then a no-op re-sync of what is left.

    These delete trees inside the timing, so they come after everything else.
    """
    for name in args.sets:
        dest = fixed_dirs(bench.paths.runs / "prescribed" / name)
        for form in ("prescribed", "resync"):
            phases[name][form] = run_phase(
                bench,
                form,
                name,
                rounds=rounds_for(args, name),
                dest_for=dest,
                pairs=RATIO_PAIRS[form],
            )


def inspect_set(bench: Bench, name: str) -> dict[str, Any]:
    """Untimed checks on the warm-up venvs of the new-directory form."""
    prep = bench.prepared[name]
    census: dict[str, Any] = {}
    for key in (GRAFT, UV_HARDLINK, UV_SYMLINK):
        venv = bench.paths.runs / "create" / name / f"{key}-00"
        if (venv / "bin" / "python").exists():
            prep.checks[key] = count_distributions(venv, bench.env)
            census[key] = link_census(venv, bench.tools.py_version)
    return census
