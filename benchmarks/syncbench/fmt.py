"""Table cells and lookups in a JSON result (pure): `median [min-max]`, ratios."""

from __future__ import annotations

from typing import Any

from .common import fmt_ratio, fmt_s

EN = "\N{EN DASH}"
TIMES = "\N{MULTIPLICATION SIGN}"
EM = "\N{EM DASH}"
LE = "\N{LESS-THAN OR EQUAL TO}"


def med(result: dict[str, Any], name: str, form: str, key: str) -> dict[str, Any] | None:
    try:
        summ: dict[str, Any] = result["sets"][name]["phases"][form]["series"][key]["summary"]
    except KeyError:
        return None
    return summ if summ["n"] else None


def ratio(result: dict[str, Any], name: str, form: str, pair: str) -> dict[str, Any] | None:
    try:
        r: dict[str, Any] = result["sets"][name]["phases"][form]["ratios"][pair]
    except KeyError:
        return None
    return r if r["n"] else None


def cell(summ: dict[str, Any] | None) -> str:
    """`median [min-max]`, the unit written once when all three share it."""
    if summ is None:
        return "n/a"
    mid, lo, hi = (fmt_s(summ[k]) for k in ("median", "min", "max"))
    unit = mid.split()[-1]
    if lo.endswith(f" {unit}") and hi.endswith(f" {unit}"):
        lo, hi = lo.split()[0], hi.split()[0]
    return f"{mid} [{lo}{EN}{hi}]"


def rcell(summ: dict[str, Any] | None, *, bold: bool = True) -> str:
    if summ is None:
        return "n/a"
    mid = fmt_ratio(summ["median"])
    mid = f"**{mid}**" if bold else mid
    return f"{mid} [{fmt_ratio(summ['min'])}{EN}{fmt_ratio(summ['max'])}]"


def overhead_cell(result: dict[str, Any], key: str) -> dict[str, Any] | None:
    try:
        summ: dict[str, Any] = result["overhead"]["series"][key]["summary"]
    except KeyError:
        return None
    return summ if summ["n"] else None


def census_cells(c: dict[str, int] | None, *, dirs: bool) -> list[str]:
    """Table cells: links (directory links), files reachable, links per file, long targets."""
    if not c:
        return ["n/a"] * 4
    files, nlinks = c["site_files_reachable"], c["site_symlinks"]
    links = f"{nlinks:,}" + (f" ({c['site_dir_symlinks']:,})" if dirs else "")
    per = f"{nlinks / files:.3f}" if files else "n/a"
    long = "n/a"
    if "site_symlinks_long_target" in c and nlinks:
        mean = c["site_symlink_target_bytes"] / nlinks
        long = f"{c['site_symlinks_long_target']:,} (mean {mean:.0f} B)"
    return [links, f"{files:,}", per, long]
