"""The paths a user meets, over the loopback index: graft against uv (default and
`--compile-bytecode`) and pip.

Per set, in this order: a **new directory** with warm caches, **cold** (empty store and caches
for every run), then on one venv per tool kept at a fixed path: **one edited pin** (the pin
toggles between two versions, so every run changes it), a **no-op** re-sync, a **removed** and
an **added** package (interleaved: each round removes one root and puts it back). Then the
hooks that run when graft supports them: **resolve** (unpinned roots), **lock**, **build**.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .commands import (
    GRAFT,
    GRAFT_LOCK,
    INDEX_TOOLS,
    PIP,
    UV,
    UV_COMPILE,
    Cmd,
    IndexTools,
    fill,
    fresh_copy,
    pylock_name,
)
from .common import BUILD_BACKENDS, BUILD_SDISTS, log
from .index import link_files, serve
from .prepare import Bench, count_distributions, download, try_once
from .reqs import render
from .runner import Group, fixed_dirs, run_rounds, unique_dirs
from .stats import Phase, phase_to_json, unsupported

if TYPE_CHECKING:
    import argparse

PAIRS = ((GRAFT, UV), (GRAFT, UV_COMPILE), (GRAFT, PIP), (UV_COMPILE, UV))
ALL_PATHS = ("newdir", "cold", "pin", "noop", "addremove", "resolve", "lock", "build")
LOCAL_FORMS = "local"  # the local-wheels forms (forms.py), selectable like a path


def time_paths(
    bench: Bench, args: argparse.Namespace, name: str, inputs: dict[str, Path]
) -> dict[str, Any]:
    """Every selected path on one set; JSON-ready phases keyed by path."""
    assert bench.index_url is not None
    tools = IndexTools(bench.tools, bench.index_url, bench.paths.store, no_deps=args.no_deps)
    prep = bench.prepared[name]
    base = bench.paths.runs / "paths" / name
    rounds = int(args.runs_airflow if name == "airflow" else args.runs)
    selected = set(args.paths)
    out: dict[str, Any] = {}

    def keep(phases: dict[str, Phase], **details: str) -> None:
        for form, phase in phases.items():
            phase.details.update({k: v for k, v in details.items() if v})
            out[form] = phase_to_json(phase)

    full = inputs["full"]
    if "newdir" in selected:
        group = Group("newdir", tools.install(full, create=True), unique_dirs(base / "new"), PAIRS)
        keep(run_rounds(bench, name, rounds, [group]))
    if "cold" in selected and args.cold_runs > 0:
        group = Group("cold", tools.cold(full), unique_dirs(base / "cold"), PAIRS)
        keep(run_rounds(bench, name, args.cold_runs, [group], warmup=False))
    fixed = fixed_dirs(base / "fixed")
    stateful = selected & {"pin", "noop", "addremove"}
    if stateful:
        seed = Group("seed", tools.install(full, create=True), fixed)
        run_rounds(bench, name, 0, [seed])  # round 0 only: untimed
    last = full
    if "pin" in selected and "edited" in inputs:
        group = Group("pin", tools.toggle(inputs["edited"], full), fixed, PAIRS)
        keep(run_rounds(bench, name, rounds, [group]), edited=prep.edited or "")
        last = fresh_copy(inputs["edited"] if rounds % 2 == 0 else full, rounds, "pin")
    if "noop" in selected and stateful:
        # The file of the last change, again: graft's no-op check sees the same inputs.
        group = Group("noop", tools.install(last, create=False), fixed, PAIRS)
        keep(run_rounds(bench, name, rounds, [group]))
    if "addremove" in selected and "minus" in inputs and prep.removable:
        groups = [
            Group("remove", tools.remove(inputs["minus"], prep.removable), fixed, PAIRS),
            Group("add", tools.install(full, create=False, fresh="add"), fixed, PAIRS),
        ]
        keep(run_rounds(bench, name, rounds, groups), package=prep.removable)
    if stateful:
        for key in INDEX_TOOLS:
            venv = Path(fixed(key, 0))
            if (venv / "bin" / "python").exists():
                prep.checks[f"{key}-fixed"] = count_distributions(venv, bench.env)
    if "resolve" in selected:
        out.update(
            resolve_hook(bench, tools, name, rounds=rounds, roots=inputs["roots"], base=base)
        )
    if "lock" in selected:
        out.update(lock_hook(bench, tools, name, rounds=rounds, roots=inputs["roots"], base=base))
    return out


def resolve_hook(
    bench: Bench, tools: IndexTools, name: str, *, rounds: int, roots: Path, base: Path
) -> dict[str, Any]:
    """Unpinned roots (`-r X.in`) into a new directory, once graft resolves them."""
    probe = base / "resolve-probe"
    why = try_once(bench, tools.graft(str(probe), roots))
    if why is not None:
        log(f"resolve on {name}: not supported by this graft ({why})")
        return {"resolve": unsupported("resolve", f"not supported by this graft: {why}")}
    # A new file every round, so graft's resolution memo misses and its resolver runs, as uv's
    # does (warm caches: index pages and wheels were fetched by the warm-up round).
    makers = tools.install(roots, create=True, fresh="resolve")
    group = Group("resolve", makers, unique_dirs(base / "res"), PAIRS)
    phases = run_rounds(bench, name, rounds, [group])
    return {"resolve": phase_to_json(phases["resolve"])}


def lock_hook(
    bench: Bench, tools: IndexTools, name: str, *, rounds: int, roots: Path, base: Path
) -> dict[str, Any]:
    """`graft lock` against `uv pip compile --universal`, once graft locks."""
    template = [*bench.tools.graft, *GRAFT_LOCK]
    makers = tools.lock(roots, template)
    base.mkdir(parents=True, exist_ok=True)
    probe: Cmd = makers[GRAFT](str(base / "lock-probe.out"), 0)
    why = try_once(bench, probe.argv)
    if why is not None:
        log(f"lock on {name}: not supported by this graft ({why})")
        return {"lock": unsupported("lock", f"not supported by this graft: {why}")}
    dest = base / "lock"
    dest.mkdir(parents=True, exist_ok=True)
    group = Group("lock", makers, lambda key, rnd: str(dest / f"{key}-{rnd:02d}.out"), PAIRS)
    phases = run_rounds(bench, name, rounds, [group])
    cost = metadata_cost(bench, [*template, "--json"], roots, base)
    if cost:
        phases["lock"].details["metadata (cold)"] = cost
    # Inputs never locked before (a fresh copy of the roots, a new output): graft has no
    # lock stamp to replay and no output to prefer versions from, so it resolves every
    # environment, as at a project's first lock.
    fresh = tools.lock(roots, template, fresh="lock-new")
    group = Group("lock-new", fresh, lambda key, rnd: str(dest / f"{key}-new-{rnd:02d}.out"), PAIRS)
    phases.update(run_rounds(bench, name, rounds, [group]))
    # One line of the input edited each round, the previous output in place (as a user's
    # `uv pip compile -o` finds it, and uv reads it for preferences).
    edited = tools.lock(roots, template, edit=True)
    group = Group("lock-edit", edited, lambda key, _rnd: str(dest / f"{key}-edit.out"), PAIRS)
    phases.update(run_rounds(bench, name, rounds, [group]))
    return {form: phase_to_json(phase) for form, phase in phases.items()}


def metadata_cost(bench: Bench, template: list[str], roots: Path, base: Path) -> str:
    """What one cold `graft lock` reads for METADATA: files, bytes, against whole downloads.

    Untimed, with a graft cache of its own (empty), so every METADATA is fetched; from the
    ``metadata`` object of ``graft lock --json``.
    """
    assert bench.index_url is not None
    cache = base / "lock-cold-cache"
    shutil.rmtree(cache, ignore_errors=True)
    dest = pylock_name(str(base / "lock-cold.out"))
    argv = fill(template, dest=dest, roots=roots, url=bench.index_url)
    env = {**bench.env, "GRAFT_CACHE_DIR": str(cache)}
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    shutil.rmtree(cache, ignore_errors=True)
    try:
        cost = json.loads(proc.stdout)["metadata"]
    except (ValueError, KeyError, TypeError):
        return ""
    reads = ", ".join(f"{n} {where}" for where, n in sorted(cost.get("read", {}).items()))
    fetched, whole = cost.get("fetched_bytes", 0), cost.get("whole_wheel_bytes", 0)
    baseline = f" of {whole / 1024:.0f} KiB whole wheels" if whole else ""
    return f"{reads}; {fetched / 1024:.0f} KiB fetched{baseline}"


def build_hook(bench: Bench, args: argparse.Namespace) -> dict[str, Any]:
    """Sdists built by every tool: cold (empty caches per run), then warm, once graft builds.

    A loopback index of its own serves the sdists and their build backends only, so no tool
    can take a wheel instead; `-r` names the sdists' pins. **build** is cold: every run starts
    from empty caches and builds each sdist. **build-warm** installs the same set into a new
    directory with every tool's caches warm (uv's and pip's built-wheel caches, graft's
    built-wheel records and store, filled by the untimed warm-up round); each round reads a
    new copy of the file, so graft's resolution memo and replay stamp miss (uv resolves from
    its cache); graft's change stamp reads the pins with vouchers (decision 81).
    """
    cache = bench.paths.cache / "wheels"
    sdists = download(
        bench, cache / "build-sdists", list(BUILD_SDISTS), "\n".join(BUILD_SDISTS), sdists=True
    )
    backends = download(
        bench, cache / "build-backends", list(BUILD_BACKENDS), "\n".join(BUILD_BACKENDS)
    )
    base = bench.paths.runs / "build"
    files = base / "index-files"
    link_files([sdists, backends], files)
    reqs = base / "sdists.txt"
    reqs.write_text(render(BUILD_SDISTS))
    with serve(files) as url:
        tools = IndexTools(bench.tools, url, bench.paths.store)
        makers = tools.cold(reqs)
        probe = makers[GRAFT](str(base / "probe"), 0)
        why = try_once(bench, probe.argv, probe.env)
        if why is not None:
            log(f"build: not supported by this graft ({why})")
            return {"build": unsupported("build", f"not supported by this graft: {why}")}
        group = Group("build", makers, unique_dirs(base / "runs"), PAIRS)
        phases = run_rounds(bench, "build", args.cold_runs or 1, [group], warmup=False)
        warm = Group(
            "build-warm",
            tools.install(reqs, create=True, fresh="build-warm"),
            unique_dirs(base / "warm"),
            PAIRS,
        )
        phases.update(run_rounds(bench, "build", args.runs, [warm]))
    out = {}
    for form in ("build", "build-warm"):
        phases[form].details["sdists"] = ", ".join(BUILD_SDISTS)
        out[form] = phase_to_json(phases[form])
    return out
