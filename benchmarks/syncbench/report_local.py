"""The local-wheels forms' part of docs/benchmarks.md: summary lines, method, tables."""

from __future__ import annotations

from typing import Any

from .commands import (
    GRAFT,
    GRAFT_HELP,
    GRAFT_TOP_HELP,
    PIP,
    PY_START,
    UV_HARDLINK,
    UV_SYMLINK,
    UV_VENV,
)
from .common import PIP_SET, TARGET_RATIO, TARGET_SET, fmt_s
from .fmt import EM, LE, TIMES, cell, census_cells, med, overhead_cell, ratio, rcell
from .quiet import BUSY_CORES


def noisy_phases(result: dict[str, Any], threshold: float) -> list[str]:
    out = []
    for name, data in result["sets"].items():
        for form, phase in data.get("phases", {}).items():
            used = phase.get("foreign_cpu")
            if used is not None and used > threshold:
                out.append(f"{name}/{form} ({used:.2f} cores)")
    return out


def interpretation(result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    sources = {
        phase.get("graft_source")
        for data in result["sets"].values()
        for phase in data.get("phases", {}).values()
    } - {None}
    if len(sources) > 1:
        lines.append(
            "- **Warning: graft's source code changed while this run was in progress (an"
            " editable install being edited); the graft figures mix versions. Rerun.**"
        )
    noisy = noisy_phases(result, result["config"].get("busy_cores_threshold", BUSY_CORES))
    if noisy:
        lines.append(
            "- **Warning: other processes were using the CPUs during "
            + ", ".join(noisy)
            + "; those figures are unreliable. Rerun on a quiet machine.**"
        )
    if TARGET_SET in result["sets"]:
        tgt = ratio(result, TARGET_SET, "create", f"{GRAFT}/{UV_HARDLINK}")
        goal = f"graft {LE} {TARGET_RATIO}{TIMES} uv hardlink on the {TARGET_SET} set"
        if tgt is None:
            lines.append(
                f"- **Target ({goal}): not measured** {EM} graft did not run (see Caveats)."
            )
        else:
            verdict = "met" if tgt["median"] <= TARGET_RATIO else "NOT met"
            lines.append(
                f"- **Target ({goal}, new-directory form): {verdict}** {EM} paired median ratio"
                f" {rcell(tgt, bold=False)}."
            )
        pre = ratio(result, TARGET_SET, "prescribed", f"{GRAFT}/{UV_HARDLINK}")
        if pre is not None:
            lines.append(
                f"- Prescribed form (delete the previous venv, then build) on {TARGET_SET}:"
                f" graft / uv hardlink = {rcell(pre, bold=False)}; the deletion is inside both"
                " sides' time."
            )
            lines += delete_penalty(result, TARGET_SET)
    for name, data in result["sets"].items():
        parts = []
        r = ratio(result, name, "create", f"{GRAFT}/{UV_HARDLINK}")
        if r is not None:
            faster = r["median"] < 1
            factor = 1 / r["median"] if faster else r["median"]
            word = "faster" if faster else "slower"
            parts.append(f"graft sync is {factor:.1f}{TIMES} {word} than uv hardlink")
        links = data.get("links", {})
        g, u = links.get(GRAFT), links.get(UV_SYMLINK)
        if g and g["site_files_reachable"]:
            per = g["site_symlinks"] / g["site_files_reachable"]
            text = (
                f"graft makes {g['site_symlinks']:,} links to serve"
                f" {g['site_files_reachable']:,} files ({per:.3f} links per file"
            )
            if u:
                text += f"; uv symlink mode makes {u['site_symlinks']:,}"
            parts.append(text + ")")
        if parts:
            lines.append(f"- {name}: " + "; ".join(parts) + ".")
    helps = overhead_cell(result, GRAFT_HELP)
    g_med = med(result, TARGET_SET, "create", GRAFT)
    if helps is not None and g_med is not None:
        lines.append(
            f"- `graft sync --help` (the interpreter, argparse and the sync command's parser) takes"
            f" {fmt_s(helps['median'])}, against graft's {fmt_s(g_med['median'])} for a new venv"
            f" of {TARGET_SET}; a new venv from a kept plan never builds that parser (the replay"
            " stamp answers before it), so this is an upper bound on its fixed start-up, not"
            " a part of its time."
        )
    pip_r = ratio(result, PIP_SET, "pip", f"{PIP}/{UV_HARDLINK}")
    if pip_r is not None:
        lines.append(
            f"- pip, which copies every file (with `--no-compile`), takes"
            f" {pip_r['median']:.1f}{TIMES} uv hardlink's time on {PIP_SET}."
        )
    return lines


def delete_penalty(result: dict[str, Any], name: str) -> list[str]:
    """Explain a prescribed-form graft time well above its new-directory time."""
    fresh = med(result, name, "create", GRAFT)
    rebuilt = med(result, name, "prescribed", GRAFT)
    census = result["sets"][name].get("links", {}).get(GRAFT)
    if fresh is None or rebuilt is None or not census or rebuilt["median"] < 1.5 * fresh["median"]:
        return []
    long = census.get("site_symlinks_long_target")
    return [
        f"  graft's rebuild takes {rebuilt['median'] / fresh['median']:.1f}{TIMES} its"
        f" new-directory time ({fmt_s(rebuilt['median'])} vs {fmt_s(fresh['median'])}): every"
        " link is a new inode, and this filesystem allocates inodes slowly right after a mass"
        " delete (see Caveats)"
        + (
            f"; {long:,} of its {census['site_symlinks']:,} links have targets of 60 bytes or"
            " more and need a data block each"
            if long
            else ""
        )
        + ". uv's hardlinks allocate no inode."
    ]


COMMANDS = (
    (
        "graft sync",
        (
            "`graft sync NEWDIR -r SET --python PY --no-deps --no-index"
            " --find-links WHEELS --store STORE -q`"
        ),
    ),
    (
        "uv (hardlink)",
        (
            "`uv venv -q NEWDIR && uv pip install --offline -q --no-deps --no-index"
            " --link-mode hardlink --find-links WHEELS --python NEWDIR/bin/python -r SET`"
            " (hardlink is uv's default on Linux)"
        ),
    ),
    ("uv (symlink)", "the same with `--link-mode symlink`"),
    (
        "pip --no-compile",
        (
            "`python -m venv --without-pip NEWDIR && pip --python NEWDIR/bin/python"
            " install -q --no-deps --no-index --no-compile --find-links WHEELS -r SET`"
            f" ({PIP_SET} set only; copies every file)"
        ),
    ),
)


METHOD = """\
Start-up and import time of graft venvs against flat copies, for every corpus set, and the cost
of `graft audit` on graft-, uv- and pip-made venvs, are in
[benchmarks-startup.md](benchmarks-startup.md) (`benchmarks/bench_startup.py`, with its chart).

### What is measured

Each set is a pinned, fully resolved requirements file (`benchmarks/sets/`); every distribution
installs from a cp311 manylinux x86_64 wheel, downloaded once. The caches are warm: uv's cache
holds every wheel unpacked and graft's store holds every wheel ingested, each from one untimed
install per set. That install also leaves what graft keeps for a warm sync: the set's plan
(`plans/<key>.json`, prefix-independent) and its resolution memo, so a timed graft command
checks the memo's fingerprints (requirement file bytes, find-links listing, wheel file
identities), loads the kept plan and materializes it; it neither re-resolves nor re-plans
(docs/architecture.md, "The warm path"). Every timed command builds a complete venv for the set,
`--no-deps`, from local wheels only, as one fresh process tree (wall clock from spawn to exit):

{commands}

Forms:

- **new directory**: every run builds into a brand-new unique directory; nothing is deleted
  inside the timing. The commands alternate in the rows of a balanced Latin square (A B C,
  B C A, C A B, then those rows mirrored: each runs first, and right after each other one,
  equally often); the first round is an unrecorded warm-up. {runs} recorded rounds
  ({runs_airflow} for airflow); the pip comparison alternates graft, uv hardlink and pip for
  {pip_runs} round(s).
- **prescribed**: what a user does to rebuild: `rm -rf VENV` at a fixed path, then build
  (`rm -rf VENV && graft sync VENV ...` vs `rm -rf VENV && uv venv ... && uv pip install ...`),
  alternated the same way.
- **no-op re-sync**: the same command run again on the venv the prescribed form left behind
  (`graft sync VENV ...` vs `uv pip install ...` into the existing venv): the cost of confirming
  that a venv is already in sync.

Times are `median [min-max]` of the recorded rounds. Ratios are paired: A/B is computed within
each round (the two runs seconds apart), then the median [min-max] of those ratios is quoted.
They are the robust figures, because the machine's speed drifts over minutes."""


def tables(result: dict[str, Any]) -> list[str]:
    names = list(result["sets"])
    gu, gs = f"{GRAFT}/{UV_HARDLINK}", f"{GRAFT}/{UV_SYMLINK}"
    out = [
        "### New directory per run",
        "",
        (
            "| set | dists | graft sync | uv (hardlink) | uv (symlink) | graft / uv hardlink"
            " | graft / uv symlink |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    out += [
        f"| {n} | {result['sets'][n]['prepared']['distributions']}"
        f" | {cell(med(result, n, 'create', GRAFT))}"
        f" | {cell(med(result, n, 'create', UV_HARDLINK))}"
        f" | {cell(med(result, n, 'create', UV_SYMLINK))}"
        f" | {rcell(ratio(result, n, 'create', gu))} | {rcell(ratio(result, n, 'create', gs))} |"
        for n in names
    ]
    out += fixed_costs(result)
    if "pip" in result["sets"].get(PIP_SET, {}).get("phases", {}):
        out += [
            "",
            f"### Copying baseline: pip, {PIP_SET} set",
            "",
            "| graft sync | uv (hardlink) | pip --no-compile | pip / uv hardlink | graft / pip |",
            "|---|---|---|---|---|",
            (
                f"| {cell(med(result, PIP_SET, 'pip', GRAFT))}"
                f" | {cell(med(result, PIP_SET, 'pip', UV_HARDLINK))}"
                f" | {cell(med(result, PIP_SET, 'pip', PIP))}"
                f" | {rcell(ratio(result, PIP_SET, 'pip', f'{PIP}/{UV_HARDLINK}'))}"
                f" | {rcell(ratio(result, PIP_SET, 'pip', f'{GRAFT}/{PIP}'))} |"
            ),
        ]
    out += [
        "",
        "### Prescribed form (rm -rf the previous venv, then build) and no-op re-sync",
        "",
        (
            "| set | graft, rebuild | uv hardlink, rebuild | graft / uv | graft, re-sync"
            " | uv, re-sync | graft / uv |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    out += [
        f"| {n} | {cell(med(result, n, 'prescribed', GRAFT))}"
        f" | {cell(med(result, n, 'prescribed', UV_HARDLINK))}"
        f" | {rcell(ratio(result, n, 'prescribed', gu))}"
        f" | {cell(med(result, n, 'resync', GRAFT))}"
        f" | {cell(med(result, n, 'resync', UV_HARDLINK))}"
        f" | {rcell(ratio(result, n, 'resync', gu))} |"
        for n in names
    ]
    out += [
        "",
        "### Links created per file served (site-packages)",
        "",
        (
            "Counted on the warm-up venvs of the new-directory form. *links*: symlinks found"
            " walking without following links (file and directory links; for graft the number"
            " of directory links in brackets). *files*: files reachable walking through the"
            " links, `__pycache__` excluded. *long*: links whose target is 60 bytes or more,"
            " which ext4 cannot keep inside the inode (a data block each; slower to create and"
            " delete), with the mean target length. The last column is what"
            " `graft sync --json` reported (`links` / `files`)."
        ),
        "",
        (
            "| set | graft: links | files | links per file | long | uv symlink: links"
            " | files | links per file | long | graft --json |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n in names:
        data = result["sets"][n]
        links = data.get("links", {})
        gj = data["prepared"].get("graft_json") or {}
        gjs = f"{gj.get('links', '?')} / {gj.get('files', '?')}" if gj else "n/a"
        cells = [
            *census_cells(links.get(GRAFT), dirs=True),
            *census_cells(links.get(UV_SYMLINK), dirs=False),
            gjs,
        ]
        out.append(f"| {n} | " + " | ".join(cells) + " |")
    return out


def fixed_costs(result: dict[str, Any]) -> list[str]:
    if "overhead" not in result:
        return []
    return [
        "",
        (
            "Fixed costs, timed the same way (alternated, fresh processes): starting the"
            " Python that graft runs on, graft's CLI start-up with nothing to do, and"
            " creating an empty venv with uv (the first step of each uv command above)."
        ),
        "",
        "| `python -c pass` | `graft --help` | `graft sync --help` | `uv venv -q NEWDIR` |",
        "|---|---|---|---|",
        (
            f"| {cell(overhead_cell(result, PY_START))}"
            f" | {cell(overhead_cell(result, GRAFT_TOP_HELP))}"
            f" | {cell(overhead_cell(result, GRAFT_HELP))}"
            f" | {cell(overhead_cell(result, UV_VENV))} |"
        ),
    ]
