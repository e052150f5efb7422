"""``graft audit VENV [--json] [--deep]``: typed findings about any venv, as a table or JSON.

Exit status: 0 when no finding is an error (warnings and remarks allowed), 1 otherwise,
2 when VENV is not a virtual environment. ``python -m graft.cli.audit_cmd`` runs the command
on its own.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from graft.audit import AuditReport


def add_audit_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``audit`` on the ``graft`` command's subparsers."""
    audit = subparsers.add_parser(
        "audit",
        help="check a venv: links, RECORDs, collisions, imports, native libraries, scripts",
        description=(
            "Check a virtual environment (graft's, pip's, uv's) and list typed findings. "
            "Exit status 1 if any finding is an error."
        ),
    )
    _arguments(audit)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("venv", metavar="VENV")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument(
        "--deep", action="store_true", help="hash every file (default: sizes and links)"
    )
    from graft.cli.variants_cmd import add_variant_options  # noqa: PLC0415

    add_variant_options(parser)


def run_audit(args: argparse.Namespace) -> int:
    """Audit ``args.venv``; print the table (or JSON); 1 if any finding is an error.

    A :class:`UsageError` (not a venv) propagates, like the other commands' errors.
    """
    from graft.audit import audit_venv  # noqa: PLC0415
    from graft.cli.variants_cmd import machine_from, refuse_plugins  # noqa: PLC0415

    refuse_plugins(args)
    report = audit_venv(args.venv, deep=args.deep, machine=lambda: machine_from(args))
    if args.json:
        print(report.to_json())
    else:
        render(report)
    counts = ", ".join(f"{report.count(s)} {s}s" for s in ("error", "warning"))
    infos = report.count("info")
    print(
        f"graft: audited {report.venv}: {counts}, {infos} info"
        f" ({report.stats['distributions']} distributions, {report.seconds:.2f}s)",
        file=sys.stderr,
    )
    return 1 if report.errors else 0


def render(report: AuditReport) -> None:
    """One block per finding: severity, kind, path and owners; then what and what to do."""
    import shutil  # noqa: PLC0415 - rendering only; `graft sync` imports this module too
    import textwrap  # noqa: PLC0415

    width = max(60, min(shutil.get_terminal_size().columns, 120))
    wrap = textwrap.TextWrapper(
        width=width, initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False
    )
    for finding in report.findings:
        owners = f"  [{', '.join(finding.distributions)}]" if finding.distributions else ""
        print(f"{finding.severity:<7} {finding.kind.value:<22} {finding.path}{owners}")
        if finding.detail:
            print(wrap.fill(finding.detail))
        print(wrap.fill(f"fix: {finding.hint}"))
