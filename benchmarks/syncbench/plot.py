"""The plots of docs/benchmarks.md (matplotlib, imported only when a plot is drawn)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .commands import GRAFT, PIP, UV_HARDLINK, UV_SYMLINK
from .common import fmt_s, log
from .fmt import EN, med

if TYPE_CHECKING:
    from pathlib import Path

PLOT_LABELS = {
    GRAFT: "graft sync",
    UV_HARDLINK: "uv (hardlink)",
    UV_SYMLINK: "uv (symlink)",
    PIP: "pip --no-compile (own rounds)",
}


def plot(result: dict[str, Any], out: Path) -> bool:
    try:
        import matplotlib as mpl  # noqa: PLC0415

        mpl.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        log("matplotlib is not installed; no plot")
        return False
    names = list(result["sets"])
    panels = (
        ("create", "new directory per run", (GRAFT, UV_HARDLINK, UV_SYMLINK, PIP)),
        ("prescribed", "rm -rf previous venv, then build", (GRAFT, UV_HARDLINK)),
    )
    colors = {GRAFT: "#2a9d8f", UV_HARDLINK: "#e9c46a", UV_SYMLINK: "#f4a261", PIP: "#9e9e9e"}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), sharey=True)
    lows: list[float] = []
    highs: list[float] = []
    for ax, (form, title, keys) in zip(axes, panels, strict=True):
        width = 0.8 / len(keys)
        for i, key in enumerate(keys):
            xs: list[float] = []
            ys: list[float] = []
            err: list[list[float]] = [[], []]
            for x, name in enumerate(names):
                summ = med(result, name, "pip" if key == PIP else form, key)
                if summ is None:
                    continue
                xs.append(x + (i - (len(keys) - 1) / 2) * width)
                ys.append(summ["median"])
                err[0].append(summ["median"] - summ["min"])
                err[1].append(summ["max"] - summ["median"])
            if not xs:
                continue
            lows += [y - lo for y, lo in zip(ys, err[0], strict=True)]
            highs += [y + hi for y, hi in zip(ys, err[1], strict=True)]
            ax.bar(xs, ys, width, label=PLOT_LABELS[key], color=colors[key], yerr=err, capsize=2)
            for bx, by, up in zip(xs, ys, err[1], strict=True):
                ax.annotate(
                    fmt_s(by),
                    (bx, by + up),  # above the whisker
                    textcoords="offset points",
                    xytext=(0, 4),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    rotation=90,
                )
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(
            [f"{n}\n({result['sets'][n]['prepared']['distributions']} dists)" for n in names]
        )
        ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    if lows and highs:  # log scale: leave room below the shortest bar and for the labels above
        axes[0].set_ylim(min(lows) / 2, max(highs) * 4)
    axes[0].set_ylabel(f"wall time, median (s, log scale); whiskers min{EN}max")
    fig.suptitle("Build a venv from warm caches (lower is better)", fontsize=11)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


PATH_PANELS = ("cold", "newdir", "pin", "noop", "add", "remove")
PATH_COLORS = {"graft": "#2a9d8f", "uv": "#e9c46a", "uv-compile": "#f4a261", "pip": "#9e9e9e"}


def plot_paths(result: dict[str, Any], out: Path) -> bool:
    """One panel per path: each set's median per tool, whiskers min-max, log scale."""
    from .report_paths import PATH_TITLES, TOOL_LABELS  # noqa: PLC0415  (report_paths is pure)

    panels = [
        f for f in PATH_PANELS if any(med(result, n, f, "graft") for n in result["sets"])
    ] or [f for f in PATH_PANELS if any(f in d.get("phases", {}) for d in result["sets"].values())]
    if not panels:
        return False
    try:
        import matplotlib as mpl  # noqa: PLC0415

        mpl.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        log("matplotlib is not installed; no plot")
        return False
    from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: PLC0415

    names = list(result["sets"])
    cols = 3
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(13, 4 * rows + 0.6), squeeze=False)
    keys = list(PATH_COLORS)
    width = 0.8 / len(keys)
    for ax, form in zip(axes.flat, panels, strict=False):
        top = 0.0
        for i, key in enumerate(keys):
            xs, ys, lo, hi = [], [], [], []
            for x, name in enumerate(names):
                summ = med(result, name, form, key)
                if summ is None:
                    continue
                xs.append(x + (i - (len(keys) - 1) / 2) * width)
                ys.append(summ["median"])
                lo.append(summ["median"] - summ["min"])
                hi.append(summ["max"] - summ["median"])
                top = max(top, summ["max"])
            if not xs:
                continue
            ax.bar(
                xs,
                ys,
                width,
                label=TOOL_LABELS[key],
                color=PATH_COLORS[key],
                yerr=[lo, hi],
                capsize=2,
            )
            for bx, by, up in zip(xs, ys, hi, strict=True):
                ax.annotate(
                    fmt_s(by),
                    (bx, by + up),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=6,
                    rotation=90,
                )
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names)
        ax.set_yscale("log")
        if top > 0:
            ax.set_ylim(top=top * 6)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_s(v)))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_title(PATH_TITLES[form].split(":")[0], fontsize=10)
        ax.grid(axis="y", which="both", alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(keys), fontsize=8)
    fig.suptitle(
        f"Every path a user meets, loopback index (lower is better; whiskers min{EN}max)",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return True
