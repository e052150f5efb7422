"""Alternated timing: the commands of a phase, round by round in a balanced order, each a fresh
process tree."""

from __future__ import annotations

import shlex
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .commands import GRAFT, GRAFT_HELP, GRAFT_TOP_HELP, Cmd, Maker, command_set
from .common import log, tail
from .quiet import BUSY_CORES, cpu_sample, foreign_cpu, graft_fingerprint
from .stats import Phase, Series, add_ratios

if TYPE_CHECKING:
    from pathlib import Path

    from .prepare import Bench

DestFor = Callable[[str, int], str]  # (tool key, round) -> where the command writes


@dataclass(frozen=True)
class Group:
    """The commands of one phase inside a round (several groups interleave, e.g. remove, add)."""

    form: str
    makers: dict[str, Maker]
    dest_for: DestFor
    pairs: Sequence[tuple[str, str]] = ()


def timed(cmd: Cmd, env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    """Wall time from spawn to exit, the exit status and the output to quote on failure."""
    full = {**env, **cmd.env} if cmd.env else env
    start = time.perf_counter()
    proc = subprocess.run(cmd.argv, env=full, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    output = proc.stderr.decode(errors="replace") or proc.stdout.decode(errors="replace")
    return elapsed, proc.returncode, output


def run_rounds(
    bench: Bench, name: str, rounds: int, groups: Sequence[Group], *, warmup: bool = True
) -> dict[str, Phase]:
    """Alternate every group's commands round by round; round 0 is unrecorded when warmup.

    A command that fails is dropped for the rest of the phase and its error kept; graft is
    skipped from the start when it failed during preparation.
    """
    graft_error = bench.prepared[name].graft_error if name in bench.prepared else bench.graft_error
    phases: dict[str, Phase] = {}
    for g in groups:
        series = {
            key: Series(command=shlex.join(make("DEST", 1).argv)) for key, make in g.makers.items()
        }
        for key in (GRAFT, GRAFT_HELP, GRAFT_TOP_HELP):
            if graft_error and key in series:
                series[key].error = graft_error
        phases[g.form] = Phase(form=g.form, rounds=rounds, series=series)
    bench.idle.wait()
    forms = ", ".join(g.form for g in groups)
    log(f"{forms}: {name}, {rounds} round(s){' + warm-up' if warmup else ''}")
    before = cpu_sample()
    source = graft_fingerprint()
    first = 0 if warmup else 1
    for rnd in range(first, rounds + 1):
        for g in groups:
            for key, make in ordered(g.makers, rnd):
                s = phases[g.form].series[key]
                if s.error is not None:
                    if rnd > 0:
                        s.times.append(None)
                    continue
                elapsed, code, output = timed(
                    make(g.dest_for(key, rnd), rnd), bench.env, bench.paths.work
                )
                if code != 0:
                    s.error = f"exit {code} in round {rnd}: {tail(output, 3)}"
                    log(f"  {g.form}/{name}/{key} failed: {s.error}")
                if rnd > 0:
                    s.times.append(elapsed if code == 0 else None)
    changed = graft_fingerprint() != source
    if changed:
        log("  graft's sources changed during this phase")
    used = foreign_cpu(before, cpu_sample())
    if used is not None and used > BUSY_CORES:
        log(f"  other processes used {used:.2f} cores during this phase: noisy")
    for g in groups:
        phase = phases[g.form]
        phase.graft_source = "changed during the phase" if changed else source
        phase.foreign_cpu = used
        add_ratios(phase, g.pairs)
    return phases


def ordered(makers: dict[str, Maker], rnd: int) -> list[tuple[str, Maker]]:
    """The commands of round *rnd*: row *rnd* of a balanced Latin square (Williams design).

    Over n rounds (2n when n is odd) each command runs first, and right after every other
    command, equally often: none always follows pip's thousands of written files while the
    kernel is still writing them back. (A rotation by one each round
    keeps the cyclic order: the command after pip would follow it in every round but one.)
    """
    items = list(makers.items())
    count = len(items)
    if count < 2:
        return items
    first = [0] + [(k + 1) // 2 if k % 2 else count - k // 2 for k in range(1, count)]
    row = [(k + rnd) % count for k in first]
    if count % 2 and (rnd // count) % 2:
        row.reverse()  # (an odd square is balanced with its mirror)
    return [items[k] for k in row]


def legacy_makers(bench: Bench, name: str, form: str) -> dict[str, Maker]:
    """The local-wheels forms' commands as makers (no environment of their own)."""

    def wrap(argv_for: Callable[[str], list[str]]) -> Maker:
        return lambda dest, _rnd: Cmd(argv_for(dest))

    return {
        key: wrap(argv_for)
        for key, argv_for in command_set(bench.tools, bench.paths, name, form).items()
    }


def run_phase(
    bench: Bench,
    form: str,
    name: str,
    *,
    rounds: int,
    dest_for: DestFor,
    pairs: Sequence[tuple[str, str]],
) -> Phase:
    """One local-wheels form on one set."""
    group = Group(form, legacy_makers(bench, name, form), dest_for, pairs)
    return run_rounds(bench, name, rounds, [group])[form]


def unique_dirs(base: Path) -> DestFor:
    """A brand-new directory for every run."""
    base.mkdir(parents=True, exist_ok=True)
    return lambda key, rnd: str(base / f"{key}-{rnd:02d}")


def fixed_dirs(base: Path) -> DestFor:
    """One directory per tool, the same every round."""
    base.mkdir(parents=True, exist_ok=True)
    return lambda key, _rnd: str(base / key)
