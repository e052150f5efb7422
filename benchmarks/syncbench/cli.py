"""Options and the whole run: prepare, time the forms and the paths, write JSON and the docs."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import forms, paths, reqs
from .checks import tool_versions
from .common import (
    DEFAULT_OUT,
    DEFAULT_SETS,
    DEFAULT_SETTLE_S,
    DOCS_MD,
    PIP_SET,
    QUICK_SETS,
    SCHEMA,
    SETS_DIR,
    BenchError,
    Paths,
    bench_env,
    log,
)
from .index import link_files, serve
from .prepare import (
    Bench,
    compile_tools,
    download,
    find_tools,
    graft_problem,
    plan_edits,
    prepare_set,
    write_inputs,
)
from .quiet import (
    BUSY_CORES,
    DEFAULT_IDLE_WAIT_S,
    IdleBudget,
    delete_tree,
    hold_work_dir,
    loadavg,
    machine_info,
    wait_settle,
)
from .report import merge_runs, print_summary, write_docs
from .stats import phase_to_json

if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_EDIT_PIN = "idna==3.10"  # every set pins idna 3.20; nothing in them excludes 3.10


def setup(args: argparse.Namespace, started: dt.datetime) -> Bench:
    cache = Path(args.cache).expanduser()
    work = Path(args.work).expanduser() if args.work else cache / "work"
    where = Paths(cache=cache, work=work, stamp=started.strftime("%Y%m%dT%H%M%S"))
    hold_work_dir(work)
    if args.fresh:
        for stale in (where.uv_cache, where.store, where.pycache, where.graft_cache):
            delete_tree(stale, where)
        delete_tree(where.pip_cache, where)
    old_runs = work / "runs"
    if old_runs.exists():  # left behind by an interrupted or --keep run
        for leftover in old_runs.iterdir():
            delete_tree(leftover, where)
    where.runs.mkdir(parents=True)
    tools = find_tools(args, work)
    return Bench(
        tools=tools, paths=where, env=bench_env(where, tools), idle=IdleBudget(args.wait_idle)
    )


def config(args: argparse.Namespace, bench: Bench) -> dict[str, Any]:
    return {
        "argv": sys.argv[1:],
        "quick": args.quick,
        "runs": args.runs,
        "runs_airflow": args.runs_airflow,
        "cold_runs": args.cold_runs,
        "pip_runs": args.pip_runs,
        "paths": args.paths,
        "no_deps": args.no_deps,
        "edit_pin": args.edit_pin,
        "settle_s": args.settle,
        "wait_idle_s": args.wait_idle,
        "busy_cores_threshold": BUSY_CORES,
        "work": str(bench.paths.work),
        "wheel_cache": str(bench.paths.cache / "wheels"),
        "env": {
            k: v for k, v in sorted(bench.env.items()) if k.startswith(("UV_", "PIP_", "PYTHON"))
        },
    }


def universal_extras(bench: Bench, names: list[str]) -> list[Path]:
    """The wheels a universal lock of each set also needs, from `sets/<name>.universal`.

    A set is what a Linux x86_64 resolution installs; `uv pip compile --universal` also
    needs what other platforms' markers name (kombu's `tzdata; sys_platform == "win32"`),
    so the loopback index serves those too (graft gives such an environment up instead).
    """
    out = []
    for name in names:
        pins = SETS_DIR / f"{name}.universal"
        if pins.exists():
            text = pins.read_text()
            dest = bench.paths.cache / "wheels" / f"{name}-universal"
            out.append(download(bench, dest, reqs.parse_set(text), text))
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = dt.datetime.now(dt.timezone.utc)
    bench = setup(args, started)
    graft_error = bench.graft_error = graft_problem(bench)
    if graft_error:
        log(f"graft is not usable yet, its side is skipped: {graft_error}")
    compile_tools(bench)
    for name in args.sets:
        bench.prepared[name] = prepare_set(bench, name, graft_error)
    index_paths = [p for p in args.paths if p != paths.LOCAL_FORMS]
    extra = bench.paths.cache / "wheels" / "extra"
    served = [bench.paths.wheels(n) for n in args.sets] + [extra]
    if index_paths:
        download(bench, extra, [args.edit_pin], args.edit_pin)
        served += universal_extras(bench, args.sets)
        for prep in bench.prepared.values():
            plan_edits(bench, prep, args.edit_pin)
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "started": started.isoformat(timespec="seconds"),
        "machine": machine_info(bench.paths),
        "tools": tool_versions(bench, graft_error),
        "config": config(args, bench),
        "loadavg_start": loadavg(),
        "sets": {name: {"prepared": asdict(p)} for name, p in bench.prepared.items()},
    }
    if args.prepare_only:
        log("prepared; --prepare-only given, nothing timed")
        if not args.keep:
            delete_tree(bench.paths.runs, bench.paths)
        return result
    wait_settle(bench.paths, args.settle)
    timed_start = time.perf_counter()
    local = paths.LOCAL_FORMS in args.paths
    phases: dict[str, Any] = {name: {} for name in args.sets}
    if local:
        phases = forms.time_new_directory(bench, args)
    by_path: dict[str, dict[str, Any]] = {name: {} for name in args.sets}
    if index_paths:
        files = bench.paths.runs / "index-files"
        link_files(served, files)
        with serve(files) as url:
            bench.index_url = url
            log(f"loopback index at {url}")
            for name in args.sets:
                inputs = write_inputs(bench.paths, bench.prepared[name])
                by_path[name] = paths.time_paths(bench, args, name, inputs)
        bench.index_url = None
    if "build" in args.paths:
        result.update(paths.build_hook(bench, args))
    if local:
        forms.time_prescribed(bench, args, phases)
    result["timed_seconds"] = time.perf_counter() - timed_start
    result["waited_for_idle_s"] = bench.idle.waited
    if forms.OVERHEAD in phases:
        result["overhead"] = phase_to_json(phases[forms.OVERHEAD]["overhead"])
    result["loadavg_end"] = loadavg()
    for name in args.sets:
        links = forms.inspect_set(bench, name) if local else {}
        result["sets"][name] = {
            "prepared": asdict(bench.prepared[name]),
            "phases": {form: phase_to_json(ph) for form, ph in phases[name].items()}
            | by_path[name],
            "links": links,
        }
    if not args.keep:
        log("removing this run's venvs, stores and caches (pass --keep to inspect them)")
        delete_tree(bench.paths.runs, bench.paths)
    finished = dt.datetime.now(dt.timezone.utc)
    result["finished"] = finished.isoformat(timespec="seconds")
    result["duration_s"] = (finished - started).total_seconds()
    return result


def csv(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    default_cache = os.environ.get("GRAFT_BENCH_CACHE") or str(
        Path("~/.cache/graft-bench").expanduser()
    )
    p = argparse.ArgumentParser(description="Benchmark graft sync against uv pip install and pip.")
    p.add_argument("--quick", action="store_true", help="development run: few rounds, small+medium")
    p.add_argument("--runs", type=int, help="recorded rounds per set (default 10; --quick 3)")
    p.add_argument("--runs-airflow", type=int, help="rounds for airflow (default min(runs, 5))")
    p.add_argument("--cold-runs", type=int, help="rounds of the cold path (default 3; --quick 1)")
    p.add_argument("--pip-runs", type=int, help=f"pip rounds on {PIP_SET} (default 3; --quick 1)")
    p.add_argument("--sets", type=csv, help="names in benchmarks/sets/ (default: all three)")
    p.add_argument(
        "--paths",
        type=csv,
        default=[paths.LOCAL_FORMS, *paths.ALL_PATHS],
        help=f"what to time (default: all): {paths.LOCAL_FORMS},{','.join(paths.ALL_PATHS)}",
    )
    p.add_argument("--no-deps", action="store_true", help="index paths: pass --no-deps to all")
    p.add_argument("--edit-pin", default=DEFAULT_EDIT_PIN, help="the other version of one pin")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="JSON result (default %(default)s)")
    p.add_argument("--no-docs", action="store_true", help="do not regenerate docs/benchmarks.md")
    p.add_argument(
        "--report-only",
        metavar="JSON",
        action="append",
        help="only regenerate the docs from a result (repeatable: the path tables also show the"
        " sets of the later results, e.g. bench_webdata.json's web and data)",
    )
    p.add_argument("--prepare-only", action="store_true", help="download and warm caches, exit")
    p.add_argument("--cache", default=default_cache, help="cache root ($GRAFT_BENCH_CACHE)")
    p.add_argument("--work", help="dir for caches, graft store and venvs (default CACHE/work)")
    p.add_argument("--fresh", action="store_true", help="empty the warm caches and store first")
    p.add_argument("--keep", action="store_true", help="keep this run's venvs for inspection")
    p.add_argument("--settle", type=float, help=f"s after own deletes (default {DEFAULT_SETTLE_S})")
    p.add_argument(
        "--python",
        default=getattr(sys, "_base_executable", sys.executable),
        help="target interpreter (default: the base interpreter running this script)",
    )
    p.add_argument(
        "--wait-idle",
        type=float,
        help=f"wait at most this many s in all for a quiet machine (default {DEFAULT_IDLE_WAIT_S})",
    )
    p.add_argument("--graft", help="command starting graft (default: graft next to this python)")
    p.add_argument("--uv", help="uv executable (default: uv on PATH or next to this python)")
    args = p.parse_args(argv)
    quick = args.quick
    defaults = {
        "runs": 3 if quick else 10,
        "cold_runs": 1 if quick else 3,
        "pip_runs": 1 if quick else 3,
        "sets": list(QUICK_SETS if quick else DEFAULT_SETS),
        "settle": 15.0 if quick else DEFAULT_SETTLE_S,
        "wait_idle": 60.0 if quick else DEFAULT_IDLE_WAIT_S,
    }
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.runs_airflow is None:
        args.runs_airflow = min(args.runs, 5)
    available = sorted(f.stem for f in SETS_DIR.glob("*.txt"))
    unknown = [s for s in args.sets if s not in available]
    if unknown:
        p.error(f"unknown set(s) {unknown}; available: {available}")
    bad = [x for x in args.paths if x not in {paths.LOCAL_FORMS, *paths.ALL_PATHS}]
    if bad:
        p.error(f"unknown path(s) {bad}")
    if min(args.runs, args.runs_airflow) < 1 or min(args.pip_runs, args.cold_runs) < 0:
        p.error("--runs and --runs-airflow must be >= 1, --pip-runs and --cold-runs >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report_only:
        files = [Path(f) for f in args.report_only]
        result = merge_runs([json.loads(f.read_text()) for f in files], files)
        write_docs(result, DOCS_MD)
        print_summary(result)
        return 0
    try:
        result = run(args)
    except BenchError as exc:
        log(f"error: {exc}")
        return 1
    if args.prepare_only:
        return 0  # nothing timed: the result file (often the committed one) is left alone
    out = Path(args.out)
    result["config"]["out"] = str(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    log(f"wrote {out}")
    if not args.no_docs:
        write_docs(result, DOCS_MD)
    print_summary(result)
    return 0
