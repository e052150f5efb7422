"""`graft lock` against `uv pip compile --universal` on the real PyPI, caches warm (issue 11).

The loopback index of `bench_sync.py` lists only each set's cp311 manylinux wheels, so
there graft's lock leaves most environments out and times mostly fixed costs. Here both tools
lock issue 11's web, data and ML roots against PyPI itself, as a user does: caches warm (one
untimed lock of each first), every round a new input (the first root gains `!=0.0.N`, which
no release matches) at a new output path, so that neither graft's lock stamp nor its edit
proof answers and neither tool has an earlier output to prefer. Both cover Python 3.9 and
later: graft's default matrix (CPython 3.9-3.14 on Linux, macOS and Windows, x86_64 and
arm64), uv with `--python-version 3.9`. The commands alternate, rotated each round.

Index pages: graft answers from a page it read less than ten minutes ago (its TTL, the
max-age pypi.org sends) without asking; uv follows each response's HTTP caching headers. The
index these machines reach sends pages without `Cache-Control` or validators, so uv fetches
every page again on every lock (a data lock: ~300 pages), which it would not do on pypi.org
within the max-age. The like-for-like figure is therefore against `uv --offline` (uv's cached
pages as they are, as pypi.org's max-age lets it use them); uv as it runs here is shown too.
Writes `benchmarks/results/bench_lock_pypi.json` and `docs/benchmarks-lock-pypi.md`.

    .venv/bin/python benchmarks/bench_lock_pypi.py [--runs 7] [--sets web,data,ml]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from syncbench.common import fmt_ratio, fmt_s, log
from syncbench.prepare import install_graft
from syncbench.stats import Series, paired_ratio, summary

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "results" / "bench_lock_pypi.json"
DOC = REPO / "docs" / "benchmarks-lock-pypi.md"
#: Issue 11's real inputs.
SETS = {
    "web": ["django", "djangorestframework", "celery", "redis", "psycopg[binary]"],
    "data": ["pandas", "scikit-learn", "matplotlib", "jupyterlab"],
    "ml": ["transformers", "tokenizers", "safetensors"],
}
TARGET = 1.5  # issue 11: graft lock <= 1.5x uv pip compile --universal, caches warm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7, help="timed rounds per set")
    parser.add_argument("--sets", default="web,data,ml", help=f"of {', '.join(SETS)}")
    default_work = Path.home() / ".cache" / "graft-bench" / "lock-pypi"
    parser.add_argument("--work", type=Path, default=default_work, help="caches and inputs")
    args = parser.parse_args()
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    work: Path = args.work
    inputs = work / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    graft = str(install_graft(uv, work / "graft-install") / "bin" / "graft")
    env = {
        **os.environ,
        "GRAFT_CACHE_DIR": str(work / "graft-cache"),
        "UV_CACHE_DIR": str(work / "uv-cache"),
    }
    tools = {"graft": graft, "uv-offline": uv, "uv": uv}
    results: dict[str, Any] = {}
    for name in args.sets.split(","):
        series = {
            tool: Series(" ".join(_argv(tool, at, "ROOTS", "OUT"))) for tool, at in tools.items()
        }
        for rnd in range(args.runs + 1):  # round 0: the untimed warm-up
            shift = rnd % len(tools)
            order = list(tools)[shift:] + list(tools)[:shift]
            for tool in order:
                roots, out = _new_input(inputs, name, tool, rnd)
                start = time.perf_counter()
                proc = subprocess.run(_argv(tool, tools[tool], roots, out), env=env, check=False)
                took = time.perf_counter() - start
                if proc.returncode:
                    log(f"{name}/{tool} failed in round {rnd} (exit {proc.returncode})")
                if rnd:
                    series[tool].times.append(None if proc.returncode else took)
            log(f"{name}: round {rnd} done")
        results[name] = {
            "roots": SETS[name],
            **{t: {"command": s.command, **summary(s.ok())} for t, s in series.items()},
            "ratio": paired_ratio(series["graft"], series["uv-offline"]),
            "ratio_network": paired_ratio(series["graft"], series["uv"]),
        }
    made = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    made["graft"] = _capture(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    made["uv"] = _capture([uv, "--version"])
    made["command"] = " ".join(["benchmarks/bench_lock_pypi.py", *sys.argv[1:]])
    OUT.write_text(json.dumps({"made": made, "sets": results}, indent=1) + "\n")
    DOC.write_text(report(made, results))
    log(f"wrote {OUT.relative_to(REPO)} and {DOC.relative_to(REPO)}")
    return 0


def _argv(tool: str, program: str, roots: str, out: str) -> list[str]:
    """The command of *tool* (its executable: *program*) locking *roots* into *out*."""
    if tool == "graft":
        return [program, "lock", "-r", roots, "-o", out, "-q"]
    universal = ("pip", "compile", "-q", "--universal", "--python", sys.executable)
    offline = ("--offline",) if tool == "uv-offline" else ()
    return [program, *universal, *offline, "--python-version", "3.9", "-o", out, roots]


def _new_input(inputs: Path, name: str, tool: str, rnd: int) -> tuple[str, str]:
    """Roots never locked before (the first one excludes a version no release has)."""
    nonce = time.time_ns()
    roots = list(SETS[name])
    roots[0] = f"{roots[0]}!=0.0.{nonce}"
    path = inputs / f"{name}-{tool}-r{rnd:02d}-{nonce}.in"
    path.write_text("\n".join(roots) + "\n")
    # (a new path each round; graft writes a lock by its PEP 751 name only)
    graft = path.with_name(f"pylock.{path.stem}.toml")
    out = graft if tool == "graft" else path.with_suffix(".txt")
    return str(path), str(out)


def _capture(argv: list[str]) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "unknown"


def report(made: dict[str, str], results: dict[str, Any]) -> str:
    """The page: one row per set, graft and uv medians [min-max] and their paired ratio."""
    lines = [
        "# Benchmarks: `graft lock` on the real PyPI",
        "",
        f"Made {made['when']} by `{made['command']}` (graft at {made['graft']}, {made['uv']});",
        f"raw data `benchmarks/results/{OUT.name}`. How and why: the docstring of",
        "`benchmarks/bench_lock_pypi.py`. Ratios are medians of paired ratios per round;",
        f"issue 11's target ({TARGET}x or less) is read against `uv --offline`, which uses its",
        "cached pages as pypi.org's max-age lets it (the index here sends no caching headers, so",
        "uv as it runs here fetches every page on every lock: the last two columns).",
        "",
        "| set | roots | graft | uv --offline | graft / uv --offline | target | uv | graft / uv |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in results.items():
        ratio = row["ratio"]
        verdict = "met" if ratio["median"] is not None and ratio["median"] <= TARGET else "NOT met"
        spread = f"[{fmt_ratio(ratio['min'])}-{fmt_ratio(ratio['max'])}]"
        network = row["ratio_network"]
        lines.append(
            f"| {name} | {', '.join(row['roots'])} | {_cell(row['graft'])} "
            f"| {_cell(row['uv-offline'])} | **{fmt_ratio(ratio['median'])}** {spread} "
            f"| {verdict} | {_cell(row['uv'])} | {fmt_ratio(network['median'])} |"
        )
    return "\n".join(lines) + "\n"


def _cell(stats: dict[str, Any]) -> str:
    return f"{fmt_s(stats['median'])} [{fmt_s(stats['min'])}-{fmt_s(stats['max'])}]"


if __name__ == "__main__":
    sys.exit(main())
