"""The paths' part of docs/benchmarks.md: issue 12's targets, one table per path (pure)."""

from __future__ import annotations

from typing import Any

from .commands import GRAFT, GRAFT_TOP_HELP, PIP, UV, UV_COMPILE
from .common import TARGET_SET
from .fmt import EN, LE, TIMES, cell, med, overhead_cell, ratio, rcell

PATH_TITLES = {
    "cold": "Cold: empty store and caches, every wheel from the loopback index",
    "newdir": "New directory, warm caches",
    "pin": "One edited pin",
    "noop": "No-op re-sync",
    "add": "Added package",
    "remove": "Removed package",
    "resolve": "Resolve: unpinned roots (`-r X.in`, a new file each round), new directory, warm",
    "lock": "Lock: `graft lock` against `uv pip compile --universal` (inputs locked before)",
    "lock-new": "Lock of inputs never locked before (a new file each round, no output in place)",
    "lock-edit": "Lock after editing one line of the input (the previous output in place)",
    "build": "Build: a set with sdists",
}
LOCK_NOTE = (
    "The loopback index lists only the set's own wheels, made for one target (CPython 3.11,"
    " manylinux x86_64), and what `benchmarks/sets/<set>.universal` adds for other platforms'"
    " markers (web: tzdata, which kombu requires on Windows; data has no such file, and uv's"
    " universal lock of it fails for want of appnope, pywinpty and others: n/a). `graft lock`"
    " resolves each of its environments (by default 36: CPython"
    " versions by Linux, macOS and Windows on x86_64 and arm64) with the wheels that target can"
    " install, and gives an environment up with a warning where some distribution has no wheel"
    " for it, so these locks cover fewer environments than the same roots on the real PyPI,"
    " where graft resolves (and writes wheels for) every one of them."
    " `uv pip compile --universal` needs no wheel per platform: it writes one requirements list"
    " with markers. On the real PyPI, with caches warm and a like-for-like uv, graft's lock is"
    " far slower: see [benchmarks-lock-pypi.md](benchmarks-lock-pypi.md)"
    " (`benchmarks/bench_lock_pypi.py`)."
)
#: A paragraph under a path's title (what the table cannot say)
_LOCK_AGAIN = "These locks too cover only the environments the loopback index has wheels for."
PATH_NOTES = {"lock": LOCK_NOTE, "lock-new": _LOCK_AGAIN, "lock-edit": _LOCK_AGAIN}
TOOL_LABELS = {GRAFT: "graft", UV: "uv", UV_COMPILE: "uv --compile-bytecode", PIP: "pip"}
RATIOS = ((GRAFT, UV), (GRAFT, UV_COMPILE), (GRAFT, PIP))
# Issue 12's targets: (path, the ratio's pair, at most, what the row says).
TARGETS = (
    ("cold", (GRAFT, UV_COMPILE), 0.7, "cold, against `uv pip install --compile-bytecode`"),
    ("cold", (GRAFT, UV), 2.5, "cold, against uv's default (no bytecode)"),
    ("pin", (GRAFT, UV), 1.0, "one pin changed in a requirements file"),
    ("noop", (GRAFT, UV), 1.0, "no-op re-sync"),
    ("newdir", (GRAFT, UV), 0.33, "new directory, warm, against uv (hardlink)"),
    ("resolve", (GRAFT, UV), 1.0, "unpinned roots resolved, new directory (issue 11)"),
    ("lock", (GRAFT, UV), 1.5, "`graft lock` against `uv pip compile --universal` (issue 11)"),
    ("lock-new", (GRAFT, UV), 1.5, "the same, inputs never locked before (issue 11)"),
    ("lock-edit", (GRAFT, UV), 1.0, "the lock after editing one line of the input (issue 11)"),
)
HELP_TARGET_S = 0.025
#: Targets issue 11 sets on the web, data and 50-distribution sets: said for every set measured
ISSUE_11_FORMS = frozenset({"resolve", "lock", "lock-new", "lock-edit"})
#: The sets a target names (the resolve target: "on the web, data and 50-distribution sets")
ISSUE_11_SETS = {"resolve": frozenset({TARGET_SET, "web", "data"})}

PATHS_METHOD = """\
Every command here installs from a **loopback simple index** that the benchmark serves itself
(PEP 503 HTML or PEP 691 JSON by the request's Accept header, a sha256 for every file, no core
metadata files, single `Range` requests answered with 206, like the real PyPI here minus the
network), so the network does not decide a run. Unlike the real PyPI, a page lists only the
set's own files (a few wheels, not every release's thousands) over plain HTTP, so what screening
large listings and TLS cost there is not in these figures (decisions 68-70 give real-PyPI
pairs). The requirement files are the set
(`name==version` for every distribution) or a variant of it; graft and uv get `--index-url` the
loopback index, uv and pip the same. Dependencies are checked as a user gets them (no
`--no-deps`){no_deps}.

| tool | command (DEST is a new directory or the path's venv) |
|---|---|
| graft | `graft sync DEST -r REQS --python PY --index-url URL --store STORE -q` |
| uv | `uv venv -q DEST && uv pip install -q -r REQS --index-url URL --python DEST/bin/python` \
(hardlinks from uv's cache, its default on Linux; no bytecode) |
| uv --compile-bytecode | the same with `--compile-bytecode` (bytecode written into the venv, as \
graft has it in its store and pip writes it) |
| pip | `python -m venv --without-pip DEST && pip --python DEST/bin/python install -q \
--index-url URL -r REQS` (compiles bytecode, pip's default) |

- **cold**: for every run, an empty graft store and graft cache (`--store`,
  `GRAFT_CACHE_DIR`), an empty `UV_CACHE_DIR`, an empty `PIP_CACHE_DIR`; no warm-up round.
- **new directory, warm**: caches and store filled by earlier runs of the same set.
- On one venv per tool at a fixed path, seeded (untimed) with the set:
  **one edited pin**: the requirement file alternates between the set and the set with
  `{edited}` (both versions in the store and the caches after the warm-up round), so every timed
  run changes one distribution's version. Both sets were synced minutes before, so graft's
  change stamp answers (decisions 79, 80): it reads only pin-record steps younger than a cached
  index page (10 minutes); a pin changed later than that, or to a version graft has not
  installed in this set, takes the full path (decision 84 gives figures); **no-op**: the last
  file again;
  **removed / added**: each round takes one root of the set out ({removed}: `graft sync` and
  `uv pip sync` to the set without it, `pip uninstall -y`) and puts it back (`graft sync`,
  `uv pip install`, `pip install` with the set).
- The commands alternate graft, uv, uv --compile-bytecode, pip round by round, in the rows
  of a balanced Latin square (over four rounds each runs first once and right after each
  other one once, so no tool always runs right after pip's written files, which the kernel
  is still writing back); ratios are paired within a round (see *What is measured* below)."""


def verdict(summ: dict[str, Any] | None, limit: float) -> str:
    """Whether a summary's median is within a target."""
    if summ is None:
        return "not measured"
    return "**met**" if summ["median"] <= limit else "NOT met"


def every_set_row(result: dict[str, Any], form: str, pair: str, limit: float, what: str) -> str:
    """A target row for every set that measured it, met only if every one meets it.

    Issue 11 sets its resolve target on the web, data and 50-distribution sets (another set is
    shown and marked, not counted) and its lock targets on none in particular; uv's universal
    lock of the medium and data sets fails on the loopback index (see the lock tables), so a
    lock row names the sets that have a ratio.
    """
    found = [(name, ratio(result, name, form, pair)) for name in result["sets"]]
    measured = [(name, r) for name, r in found if r is not None]
    if not measured:
        return f"| {what} | {LE} {limit}{TIMES} | n/a | not measured |"
    named = ISSUE_11_SETS.get(form)
    got = "; ".join(
        f"{name}{'' if named is None or name in named else ' (not an issue-11 set)'}:"
        f" {rcell(r, bold=False)}"
        for name, r in measured
    )
    met = all(r["median"] <= limit for name, r in measured if named is None or name in named)
    return f"| {what} | {LE} {limit}{TIMES} | {got} | {'**met**' if met else 'NOT met'} |"


def targets(result: dict[str, Any]) -> list[str]:
    """Issue 12's targets on the target set, as measured by this run."""
    rows = []
    for form, (a, b), limit, what in TARGETS:
        if form in ISSUE_11_FORMS:
            rows.append(every_set_row(result, form, f"{a}/{b}", limit, what))
            continue
        r = ratio(result, TARGET_SET, form, f"{a}/{b}")
        got = rcell(r, bold=False)
        rows.append(f"| {what} | {LE} {limit}{TIMES} | {got} | {verdict(r, limit)} |")
    helps = overhead_cell(result, GRAFT_TOP_HELP)
    got = cell(helps)
    met = verdict(helps, HELP_TARGET_S)
    rows.append(f"| `graft --help` | {LE} 25 ms | {got} | {met} |")
    return [
        f"### Issue 12's targets ({TARGET_SET} set) and issue 11's (every set measured)",
        "",
        f"Ratios graft / uv, paired medians [min{EN}max] of this run.",
        "",
        "| path | target | measured | verdict |",
        "|---|---|---|---|",
        *rows,
    ]


def path_table(result: dict[str, Any], form: str) -> list[str]:
    """One path's table: a row per set, each tool's time, graft's ratios against each."""
    names = list(result["sets"])
    phases = [result["sets"][n].get("phases", {}).get(form) for n in names]
    if not any(phases):
        return []
    out = [f"### {PATH_TITLES.get(form, form)}", ""]
    reasons = {p["unsupported"] for p in phases if p and p.get("unsupported")}
    if reasons and all(p is None or p.get("unsupported") for p in phases):
        return [*out, *(f"*{reason}*" for reason in sorted(reasons)), ""]
    if form in PATH_NOTES:
        out += [PATH_NOTES[form], ""]
    details = [
        f"{n}: " + ", ".join(f"{k} `{v}`" for k, v in p.get("details", {}).items())
        for n, p in zip(names, phases, strict=True)
        if p and p.get("details")
    ]
    if details:
        out += ["Changed: " + "; ".join(details) + ".", ""]
    tools = [t for t in TOOL_LABELS if any(p and t in p.get("series", {}) for p in phases)]
    pairs = [(a, b) for a, b in RATIOS if a in tools and b in tools]
    head = ["set", "dists", *(TOOL_LABELS[t] for t in tools)]
    head += [f"{TOOL_LABELS[a]} / {TOOL_LABELS[b]}" for a, b in pairs]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n, p in zip(names, phases, strict=True):
        if p is None:
            continue
        dists = result["sets"][n]["prepared"]["distributions"]
        if p.get("unsupported"):
            out.append(f"| {n} | {dists} | *{p['unsupported']}* |")
            continue
        row = [n, str(dists), *(cell(med(result, n, form, t)) for t in tools)]
        row += [rcell(ratio(result, n, form, f"{a}/{b}")) for a, b in pairs]
        out.append("| " + " | ".join(row) + " |")
    return [*out, ""]


def path_sections(result: dict[str, Any], png_name: str | None) -> list[str]:
    """The whole section of the paths, or nothing when the run timed none."""
    view = with_merged(result)  # the tables also show sets of other runs (--report-only A B)
    forms = [f for f in PATH_TITLES if any(f in d.get("phases", {}) for d in view["sets"].values())]
    if not forms:
        return []
    prep = next(iter(result["sets"].values()))["prepared"]
    method = PATHS_METHOD.format(
        no_deps="; **this run passed `--no-deps` to every tool**"
        if result["config"].get("no_deps")
        else "",
        edited=prep.get("edited") or "one pin edited",
        removed=", ".join(
            f"{n}: `{d['prepared'].get('removable')}`" for n, d in result["sets"].items()
        ),
    )
    out = ["## Every path a user meets", "", method, "", *merged_note(result), *targets(view), ""]
    for form in forms:
        out += path_table(view, form)
    out += build_section(result.get("build"))
    out += build_section(result.get("build-warm"), warm=True)
    if png_name:
        out += [f"![Wall time per path, set and tool]({png_name})", ""]
    return out


def with_merged(result: dict[str, Any]) -> dict[str, Any]:
    """*result* with the sets of the runs merged into it (``merged``) after its own."""
    sets = dict(result["sets"])
    for run in result.get("merged", []):
        sets.update({n: d for n, d in run["sets"].items() if n not in sets})
    return {**result, "sets": sets}


def merged_note(result: dict[str, Any]) -> list[str]:
    """Where the rows of other runs come from (none without ``--report-only A B``)."""
    return [
        f"Rows for {' and '.join(run['sets'])} come from another run of the same script:"
        f" {run['started']}, graft at {run.get('git_head') or 'an unknown commit'}, made by"
        f" `{run['command']}`, raw data `{run['out']}`; the load of that run is not described"
        " under Caveats, which describe this page's main run." + "\n"
        for run in result.get("merged", [])
    ]


def build_section(phase: dict[str, Any] | None, *, warm: bool = False) -> list[str]:
    """The build hook's table: one row, the sdists built cold (or warm) by every tool."""
    if phase is None:
        return []
    title = PATH_TITLES["build"] + (", warm caches" if warm else ", cold")
    out = [f"### {title}", ""]
    if phase.get("unsupported"):
        return [*out, f"*{phase['unsupported']}*", ""]

    def summ(key: str) -> dict[str, Any] | None:
        s = phase["series"].get(key, {}).get("summary")
        return s if s and s["n"] else None

    def rat(pair: str) -> dict[str, Any] | None:
        r = phase["ratios"].get(pair)
        return r if r and r["n"] else None

    tools = [t for t in TOOL_LABELS if t in phase["series"]]
    pairs = [(a, b) for a, b in RATIOS if a in tools and b in tools]
    head = ["sdists", *(TOOL_LABELS[t] for t in tools)]
    head += [f"{TOOL_LABELS[a]} / {TOOL_LABELS[b]}" for a, b in pairs]
    row = [phase.get("details", {}).get("sdists", "?"), *(cell(summ(t)) for t in tools)]
    row += [rcell(rat(f"{a}/{b}")) for a, b in pairs]
    how = (
        "Each run installs the sdists' set into a new directory with every tool's caches warm"
        " (built wheels reused), from a loopback index that serves only the sdists and backends,"
        " reading a new copy of the file: graft's resolution memo and replay stamp miss, and"
        " its change stamp reads the pins, vouched for by the built-wheel cache (decision 81)."
        if warm
        else "Each run builds the sdists from empty caches, the backends from a loopback index"
        " that serves only them and the sdists."
    )
    return [
        *out,
        how,
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        "| " + " | ".join(row) + " |",
        "",
    ]
