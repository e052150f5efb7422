"""Start-up cost of graft venvs and the cost of `graft audit`, on every corpus set, in one run.

For each set in tests/corpus: a graft venv (CPython 3.11, wheels from PyPI through graft's
cache), then `graft bench VENV --json` (graft venv against a flat copy of itself, interleaved).
For the airflow set, the same wheels are also installed by uv and by pip into fresh venvs, and
`graft audit` is timed on all three. Writes docs/benchmarks-startup.md and a chart.

    python benchmarks/bench_startup.py [--runs 20] [--audit-runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("GRAFT_CORPUS", REPO / "tests" / "corpus"))
PYTHON = os.environ.get("GRAFT_BENCH_PYTHON", "/root/.pyenv/versions/3.11.7/bin/python3.11")
DOC = REPO / "docs" / "benchmarks-startup.md"
STARTUP = "startup"  # graft bench's key for `python -c pass`
CHART = REPO / "docs" / "benchmarks-startup.png"


def graft(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graft", *args], env=env, capture_output=True, text=True, check=True
    )


def isolated() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"):
        env.pop(key, None)
    env["PIP_CONFIG_FILE"] = os.devnull
    env["UV_NO_CONFIG"] = "1"
    return env


def wheel_files(venv: Path, requirements: Path, env: dict[str, str]) -> list[str]:
    """The wheel files graft chose for *requirements*, from its download cache."""
    plan = json.loads(
        graft("sync", str(venv), "-r", str(requirements), "--python", PYTHON, "--no-deps",
              "--dry-run", "--json", env=env).stdout
    )  # fmt: skip
    cache = Path(env["GRAFT_CACHE_DIR"]) / "wheels"
    return [str(cache / d["sha256"] / d["wheel"]) for d in plan["distributions"]]


def timed_audit(venv: Path, runs: int, env: dict[str, str]) -> dict[str, Any]:
    seconds, errors = [], None
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "graft", "audit", str(venv), "--json"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        seconds.append(time.perf_counter() - start)
        report = json.loads(proc.stdout)
        errors = sum(1 for f in report["findings"] if f["severity"] == "error")
    return {"median_s": statistics.median(seconds), "max_s": max(seconds), "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--audit-runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="graft-bench-startup-"))
    env = isolated()
    env.setdefault("GRAFT_CACHE_DIR", str(Path.home() / ".cache" / "graft-bench" / "graft-cache"))
    env["GRAFT_STORE"] = str(work / "store")
    rows: list[dict[str, Any]] = []
    audits: dict[str, Any] = {}
    try:
        for requirements in sorted(CORPUS.glob("seed-*.txt")):
            name = requirements.stem.removeprefix("seed-")
            venv = work / f"graft-{name}"
            graft("sync", str(venv), "-r", str(requirements), "--python", PYTHON, "--no-deps",
                  "-q", env=env)  # fmt: skip
            report = json.loads(
                graft("bench", str(venv), "--json", "--runs", str(args.runs), env=env).stdout
            )
            rows.append({"set": name, **report})
            ratios = {k: round(v["ratio_median"], 3) for k, v in report["timings"].items()}
            print(f"{name}: {ratios}", flush=True)
            if name == "airflow":
                wheels = wheel_files(venv, requirements, env)
                uv_venv, pip_venv = work / "uv-airflow", work / "pip-airflow"
                for target in (uv_venv, pip_venv):
                    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(target)], check=True)
                subprocess.run(
                    [sys.executable, "-m", "uv", "pip", "install", "-q", "--no-deps",
                     "--python", str(uv_venv / "bin" / "python"), *wheels],
                    env=env, check=True,
                )  # fmt: skip
                subprocess.run(
                    [sys.executable, "-m", "pip", "--python", str(pip_venv / "bin" / "python"),
                     "install", "-q", "--no-deps", "--no-index", *wheels],
                    env=env, check=True,
                )  # fmt: skip
                for label, target in (("graft", venv), ("uv", uv_venv), ("pip", pip_venv)):
                    audits[label] = timed_audit(target, args.audit_runs, env)
                    print(f"audit {label}: {audits[label]}", flush=True)
    finally:
        from graft.store import seal  # noqa: PLC0415 - graft may live in src/ only

        seal.remove_tree(str(work / "store"))
        shutil.rmtree(work, ignore_errors=True)
    write_doc(rows, audits, args.runs)
    return 0


def _timing(row: dict[str, Any], key: str) -> dict[str, Any]:
    timings: dict[str, Any] = row["timings"][key]
    return timings


def ms(timing: dict[str, Any], side: str) -> str:
    return f"{timing[side]['median'] * 1000:.1f}"


def write_doc(rows: list[dict[str, Any]], audits: dict[str, Any], runs: int) -> None:
    lines = [
        "# Start-up of graft venvs, and the cost of `graft audit`",
        "",
        "<!-- Generated by benchmarks/bench_startup.py; edit the script, not this file. -->",
        "",
        (
            f"Each corpus set as a graft venv (CPython 3.11), measured by `graft bench --runs"
            f" {runs}`: the venv against a flat copy of itself (every link dereferenced), runs"
            " interleaved, medians; ratio = median of per-run venv/flat ratios."
        ),
        "",
        (
            "| set | `-c pass` venv / flat (ms) | ratio | import top-level (ms) venv / flat"
            " | ratio | sys.path same | .pth | fs entries / files served |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        start, imp = _timing(row, STARTUP), _timing(row, "import")
        lines.append(
            f"| {row['set']} | {ms(start, 'graft')} / {ms(start, 'flat')}"
            f" | **{start['ratio_median']:.3f}** | {ms(imp, 'graft')} / {ms(imp, 'flat')}"
            f" | **{imp['ratio_median']:.3f}**"
            f" | {'yes' if row['sys_path']['same'] else 'NO'} | {row['pth_files']['count']}"
            f" | {row['layout']['fs_entries']} / {row['layout']['files_served']} |"
        )
    lines += [
        "",
        "## `graft audit` on the airflow set (147 distributions)",
        "",
        "| venv made by | audit median (s) | max (s) | error findings |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {k} | {v['median_s']:.2f} | {v['max_s']:.2f} | {v['errors']} |"
        for k, v in audits.items()
    ]
    lines += ["", f"![start-up ratios]({CHART.name})", ""]
    DOC.write_text("\n".join(lines))
    import matplotlib as mpl  # noqa: PLC0415 - a benchmark-only dependency

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(8, 3.5))
    names = [r["set"] for r in rows]
    x = range(len(names))
    ax.bar([i - 0.2 for i in x], [_timing(r, STARTUP)["ratio_median"] for r in rows], 0.4,
           label="python -c pass")  # fmt: skip
    ax.bar([i + 0.2 for i in x], [_timing(r, "import")["ratio_median"] for r in rows], 0.4,
           label="import top-level modules")  # fmt: skip
    ax.axhline(1.03, color="red", linestyle="--", linewidth=1, label="1.03 target")
    ax.set_xticks(list(x), names, rotation=20)
    ax.set_ylabel("graft venv / flat copy (median)")
    ax.set_ylim(0.8, 1.2)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(CHART, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
