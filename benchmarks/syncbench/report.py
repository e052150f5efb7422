"""docs/benchmarks.md from a JSON result, and the summary printed at the end of a run."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from .commands import GRAFT
from .common import DEFAULT_OUT, DOCS_PATHS_PNG, DOCS_PNG, REPO, log
from .fmt import EM, cell, rcell
from .plot import plot, plot_paths
from .quiet import BUSY_CORES
from .report_local import COMMANDS, METHOD, interpretation, tables
from .report_paths import path_sections


def caveats(result: dict[str, Any]) -> list[str]:
    lines = []
    graft_ok = result["tools"]["graft"]["available"]
    if not graft_ok:
        lines.append("- **graft was not usable when these figures were taken; its cells are n/a.**")
    for name, data in result["sets"].items():
        prep = data["prepared"]
        err = prep.get("graft_error")
        if err and graft_ok:
            lines.append(f"- {name}: graft failed while warming its store: `{err}`")
        for form, phase in data.get("phases", {}).items():
            for key, s in phase["series"].items():
                if s["error"] and not (key == GRAFT and err):
                    lines.append(f"- {name} / {form} / {key} failed: `{s['error']}`")
        bad = {k: v for k, v in prep.get("checks", {}).items() if v != prep["distributions"]}
        if bad:
            lines.append(
                f"- {name}: distributions visible to `importlib.metadata` differ from the"
                f" {prep['distributions']} pinned: {bad}"
            )
    la0, la1 = result.get("loadavg_start"), result.get("loadavg_end")
    used = [
        phase["foreign_cpu"]
        for data in result["sets"].values()
        for phase in data.get("phases", {}).values()
        if phase.get("foreign_cpu") is not None
    ]
    if la0 and la1 and used:
        lines.append(
            f"- Other work on the machine: CPU used by processes other than the benchmarked ones"
            f" was at most {max(used):.2f} cores during any phase (the script waits before each"
            f" phase while it exceeds {result['config'].get('busy_cores_threshold', BUSY_CORES)}"
            f" cores, for at most {result['config'].get('wait_idle_s', 0):.0f} s in all; it"
            f" waited {result.get('waited_for_idle_s', 0):.0f} s). Load average (1/5/15 min):"
            f" {la0} at the start, {la1} at the end."
        )
    by_source: dict[str, list[str]] = {}
    for name, data in result["sets"].items():
        for form, phase in data.get("phases", {}).items():
            if phase.get("unsupported"):
                continue  # tried once, untimed: no source hash taken
            by_source.setdefault(str(phase.get("graft_source")), []).append(f"{name}/{form}")
    if len(by_source) > 1:
        lines.append(
            "- graft's sources (hash of the package's `.py` files) per phase: "
            + "; ".join(f"`{h}`: {', '.join(ph)}" for h, ph in by_source.items())
            + "."
        )
    lines.append(CAVEATS.format(settle=result["config"]["settle_s"]))
    return lines


CAVEATS = """\
- Filesystem: on ext4 without a journal (the reference machine), creating inodes right after a
  mass delete is slow for about a minute. That penalises whichever command creates inodes
  (symlinks, copies) after a delete. So the new-directory form is timed first, at least
  {settle:.0f} s after the script's own last delete; the prescribed form, which deletes inside the
  timing by design, comes last. Hardlinks allocate no inode and are not affected; a journaled
  ext4 on a workstation shows a much smaller deletion penalty.
- uv caches interpreter information by path: in the new-directory form every uv run pays one
  interpreter query (a Python start-up, ~40 ms); in the prescribed form the path repeats and uv
  skips it. graft's figures include its own Python start-up and imports.
- The tools run as installed for users: graft is installed from the checkout (not editable)
  into a venv of its own by `uv pip install --compile-bytecode`, so its bytecode lies beside
  it; pip's side and the standard library are compiled before timing. (With `--graft CMD`, an
  editable checkout say, its sources are compiled into `PYTHONPYCACHEPREFIX` in the work dir
  instead, which slows every Python start-up by several ms.)
- Bytecode in the built venvs: in the local-wheels forms nobody compiles (`--no-compile` for
  pip; uv's default). On the index paths graft links the bytecode its store entries carry
  (compiled once per entry and interpreter, on the cold path inside the timing), pip and
  `uv --compile-bytecode` compile into the venv on every install, uv's default compiles nothing.
- In the local-wheels forms uv runs `--offline` from a warm cache. On the index paths every tool
  is online against the loopback index: pages are revalidated as each tool's cache rules say.
- One edited pin: each round reads a requirements file graft has not seen (new path and bytes),
  so graft's resolution memo misses as after a user's edit; the two wheel sets alternate, so
  graft may find a plan it kept for the same wheels in an earlier round (decision 33).
- Removed package: uv's figure is `uv pip sync` (uv's command that removes what the file does
  not name), pip's is `pip uninstall -y NAME`.
- Machine speed drifts by 20-30 % over minutes: compare the paired ratios, not medians across
  tables or across runs of the script."""


REPRODUCE = """\
## How to reproduce

The whole benchmark (every path, the three sets; about {full_minutes} minutes on the reference
machine, estimated from the per-command times of a `--quick` run: most of it is pip and
`uv --compile-bytecode`, which compile every file on every install, and the cold path; plus up
to 5 minutes of waiting for a quiet machine):

```sh
.venv/bin/python benchmarks/bench_sync.py
```

A development run (`--quick`: small and medium sets, 3 rounds, 1 cold round, 1 pip round):

```sh
.venv/bin/python benchmarks/bench_sync.py --quick
```

This page was made by:

```sh
{command}
```

The first run downloads the wheels (~140 MB) into `~/.cache/graft-bench/wheels` (move it with
`$GRAFT_BENCH_CACHE` or `--cache`) and warms uv's cache and graft's store in
`~/.cache/graft-bench/work`; later runs reuse them. pip and uv are isolated from machine
configuration: `PIP_CONFIG_FILE=/dev/null`, `PIP_FIND_LINKS` and the other `PIP_*`/`UV_*`
variables removed, `UV_NO_CONFIG=1`, private `UV_CACHE_DIR`, `PIP_CACHE_DIR` and
`GRAFT_CACHE_DIR`. `--sets small,medium` limits the sets, `--paths local,newdir,cold,...` the
paths; `--report-only benchmarks/results/bench_sync.json` regenerates this page and the plots
from a saved result (a second `--report-only benchmarks/results/bench_webdata.json` adds that
run's web and data rows to the path tables). See `benchmarks/README.md`."""
FULL_MINUTES = 60


def made_by(result: dict[str, Any]) -> str:
    """The command line of the run that produced the result."""
    argv = result["config"].get("argv")
    if argv is None:
        return ".venv/bin/python benchmarks/bench_sync.py (options not recorded)"
    return shlex.join([".venv/bin/python", "benchmarks/bench_sync.py", *argv])


def header(result: dict[str, Any]) -> list[str]:
    out = Path(result["config"].get("out", str(DEFAULT_OUT)))
    lines = [
        "# Benchmarks: `graft sync` vs `uv pip install` vs pip",
        "",
        "<!-- Generated by benchmarks/bench_sync.py; edit the script, not this file. -->",
        "",
        (
            f"Last run: {result['started']}, {result['duration_s'] / 60:.1f} min in all"
            f" ({result['timed_seconds']:.0f} s of timed commands), made by"
            f" `{made_by(result)}`. Raw data: `{display_path(out)}`."
        ),
        "",
    ]
    if result["config"].get("quick"):
        lines += [
            (
                "**A `--quick` run (few rounds, small and medium sets): for development, not for"
                " quoting.**"
            ),
            "",
        ]
    return [*lines, "## Summary", "", *interpretation(result), ""]


def machine(result: dict[str, Any]) -> list[str]:
    m, t = result["machine"], result["tools"]
    fs = m.get("filesystem", {})
    g = t["graft"]
    graft_desc = f"graft {g.get('version') or '(version unknown)'}"
    graft_desc += f", git {g['git_head']}" if g.get("git_head") else ", no git commit yet"
    if g.get("src_dirty"):
        graft_desc += f" plus uncommitted changes in src/ (source hash {g.get('source_hash')})"
    if not g["available"]:
        graft_desc += f" {EM} **not usable at the time of this run**"
    return [
        "## Machine",
        "",
        (
            f"- {m.get('cpus')} CPUs ({m.get('cpu', 'unknown CPU')}), {m.get('mem_gib', '?')} GiB"
            f" RAM, Linux {m.get('kernel')}"
        ),
        (
            f"- work dir on {fs.get('type', '?')} ({fs.get('options', '?')}); venvs, caches and"
            " graft store all on it"
        ),
        (
            f"- {t['python']['version']} (`{t['python']['path']}`), {t['uv']['version']},"
            f" {t['pip']['version']}, {graft_desc}"
        ),
    ]


def local_method(result: dict[str, Any]) -> str:
    return METHOD.format(
        commands="\n".join(
            ["| command | exactly |", "|---|---|", *(f"| {k} | {v} |" for k, v in COMMANDS)]
        ),
        runs=result["config"]["runs"],
        runs_airflow=result["config"]["runs_airflow"],
        pip_runs=result["config"]["pip_runs"],
    )


def render_markdown(result: dict[str, Any], png: Path | None, paths_png: Path | None = None) -> str:
    """The whole page: summary, the paths, the local-wheels forms, machine, caveats."""
    out = [*header(result)]
    out += path_sections(result, paths_png.name if paths_png else None)
    if any("create" in d.get("phases", {}) for d in result["sets"].values()):
        out += [
            "## From local wheels: new directory, prescribed rebuild, no-op",
            "",
            local_method(result),
            "",
            *tables(result),
        ]
        if png is not None:
            out += ["", f"![Wall time per set and command]({png.name})"]
        out += [""]
    out += [*machine(result), "", "## Caveats", "", *caveats(result), ""]
    out += [REPRODUCE.format(full_minutes=FULL_MINUTES, command=made_by(result)), ""]
    return "\n".join(out)


def merge_runs(results: list[dict[str, Any]], files: list[Path]) -> dict[str, Any]:
    """The first result, with the other results' sets shown in its path tables.

    Nothing of the first result changes: its own sets, summary, caveats and plots stay as they
    were; each other run adds the sets the first does not have (``merged``), with where they
    come from.
    """
    base = {**results[0], "config": {**results[0]["config"], "out": str(files[0])}}
    merged = []
    for run, path in zip(results[1:], files[1:], strict=True):
        sets = {n: d for n, d in run["sets"].items() if n not in base["sets"]}
        if sets:
            merged.append(
                {
                    "sets": sets,
                    "started": run["started"],
                    "git_head": run["tools"]["graft"].get("git_head"),
                    "command": made_by(run),
                    "out": display_path(path),
                }
            )
    if merged:
        base["merged"] = merged
    return base


def display_path(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(REPO))
    except ValueError:
        return str(p)


def write_docs(result: dict[str, Any], md: Path) -> None:
    """docs/benchmarks.md and its two plots (beside it)."""
    png = md.parent / DOCS_PNG.name
    paths_png = md.parent / DOCS_PATHS_PNG.name
    made = plot(result, png)
    made_paths = plot_paths(result, paths_png)
    md.parent.mkdir(parents=True, exist_ok=True)
    md.write_text(render_markdown(result, png if made else None, paths_png if made_paths else None))
    log(f"wrote {md}" + (f" and {png}" if made else ""))


def print_summary(result: dict[str, Any]) -> None:
    if "overhead" in result:
        parts = [
            f"{k} {cell(s['summary'] if s['summary']['n'] else None)}"
            for k, s in result["overhead"]["series"].items()
        ]
        print("fixed costs: " + "; ".join(parts))
    for name, data in result["sets"].items():
        if "phases" not in data:
            continue
        print(f"{name} ({data['prepared']['distributions']} dists):")
        for form, phase in data["phases"].items():
            if phase.get("unsupported"):
                print(f"  {form:10s} {phase['unsupported']}")
                continue
            parts = [
                f"{k} {cell(s['summary'] if s['summary']['n'] else None)}"
                for k, s in phase["series"].items()
            ]
            parts += [
                f"{pair} {rcell(r if r['n'] else None, bold=False)}"
                for pair, r in phase["ratios"].items()
            ]
            if phase.get("foreign_cpu") is not None:
                parts.append(f"others used {phase['foreign_cpu']:.2f} cores")
            print(f"  {form:10s} " + "; ".join(parts))
