"""``graft bench VENV [--json] [--runs N] [--plot FILE]``: start-up time against a flat copy.

Exit status: 0 once measured, 1 when the venv's interpreter fails (or matplotlib is missing for
``--plot``), 2 when VENV is not a virtual environment.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from graft.errors import GraftError, UsageError

if TYPE_CHECKING:
    import argparse

    from graft.bench.startup import BenchReport, PathQuality


def add_bench_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``bench`` on the ``graft`` command's subparsers."""
    bench = subparsers.add_parser(
        "bench",
        help="time a venv's start-up against a flat copy; sys.path, .pth files, disk use",
        description=(
            "Time `python -c pass` and importing the venv's top-level modules in VENV and in a "
            "flat copy of it (runs interleaved); report sys.path quality, .pth files, "
            "filesystem entries and bytes on disk."
        ),
    )
    bench.add_argument("venv", metavar="VENV")
    bench.add_argument("--json", action="store_true", help="print the measurements as JSON")
    bench.add_argument("--runs", type=int, default=20, metavar="N", help="runs per side (20)")
    bench.add_argument("--plot", metavar="FILE", help="write a chart of the timings (.png, .svg)")


def run_bench(args: argparse.Namespace) -> int:
    """Measure ``args.venv``; print the table (or JSON); write the chart if asked."""
    from graft.bench.startup import bench_venv  # noqa: PLC0415

    if args.plot and os.path.splitext(args.plot)[1].lower() not in (".png", ".svg"):
        raise UsageError("the chart must be a .png or .svg file", where=args.plot)
    plt = _pyplot() if args.plot else None  # fail before measuring
    report = bench_venv(args.venv, runs=args.runs)
    if plt is not None:
        plot(plt, report, args.plot)
    print(report.to_json() if args.json else render(report))
    return 0


def render(report: BenchReport) -> str:
    """The human table: timings in ms, then sys.path, .pth files and disk use."""
    lines = [f"graft bench {report.venv}  ({report.runs} runs each, interleaved)", ""]
    lines.append(f"{'':28}{'median':>9}{'min':>9}{'max':>9}   (ms)")
    for comp in report.comparisons:
        for side, timing in (("venv", comp.graft), ("flat copy", comp.flat)):
            ms = [timing.median * 1e3, min(timing.samples) * 1e3, max(timing.samples) * 1e3]
            lines.append(f"{comp.name + ' ' + side:28}" + "".join(f"{v:9.2f}" for v in ms))
        lines.append(f"{comp.name + ' ratio venv/flat':28}{comp.ratio_median:9.3f}")
    if report.modules:
        lines.append(f"imported: {', '.join(report.modules)}")
    if report.skipped_modules:
        lines.append(f"skipped (fail in the flat copy): {', '.join(report.skipped_modules)}")
    lines += ["", f"{'sys.path':28}{'venv':>9}{'flat':>9}"]
    pair: tuple[PathQuality, PathQuality] = (report.sys_path, report.flat_sys_path)
    for field in ("entries", "site_packages_roots", "duplicate_realpaths"):
        a, b = (getattr(q, field) for q in pair)
        lines.append(f"{'  ' + field.replace('_', ' '):28}{a:9}{b:9}")
    lines.append(f"{'  same':28}{'yes' if report.same_sys_path else 'NO':>9}")
    names = ", ".join(report.pth_files)
    lines += ["", f"{'.pth files':28}{len(report.pth_files):9}" + (f"  {names}" if names else "")]
    lay = report.layout
    lines.append(f"{'fs entries / files served':28}{lay.fs_entries:9}{lay.files_served:9}")
    kib = (lay.bytes_venv / 1024, lay.bytes_behind_links / 1024)
    lines.append(f"{'KiB in venv / behind links':28}{kib[0]:9.0f}{kib[1]:9.0f}")
    return "\n".join(lines)


def _pyplot() -> Any:
    try:
        import matplotlib as mpl  # noqa: PLC0415

        mpl.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError as exc:
        raise GraftError(
            "--plot needs matplotlib", hint="pip install matplotlib, or graft's dev extras"
        ) from exc
    return plt


def plot(plt: Any, report: BenchReport, path: str) -> None:
    """A box chart of the samples, venv against flat copy, per command (PNG or SVG)."""
    count = len(report.comparisons)
    fig, axes = plt.subplots(1, count, figsize=(4 * count, 4), squeeze=False)
    for ax, comp in zip(axes[0], report.comparisons, strict=True):
        data = [[s * 1e3 for s in comp.graft.samples], [s * 1e3 for s in comp.flat.samples]]
        ax.boxplot(data, tick_labels=["venv", "flat copy"])
        ax.set_title(f"{comp.name} (ratio {comp.ratio_median:.3f})")
        ax.set_ylabel("ms")
    fig.suptitle(os.path.basename(report.venv.rstrip("/")) or report.venv)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
