"""``graft audit VENV [--json] [--deep]``: typed findings about any venv, as a table or JSON.

Exit status: 0 when no finding is an error (warnings and remarks allowed), 1 otherwise,
2 when VENV is not a virtual environment. ``python -m graft.cli.audit_cmd`` runs the command
on its own.

**Variant provider plugins.** ``graft sync --allow-variant-provider NS`` records the
namespaces in the venv's store, never in the venv (``plans/providers-<venv key>.json``,
replaced whole: :func:`remember_providers`); ``graft audit`` allows them again, with its own
``--allow-variant-provider`` and ``variants.toml``'s ``allow-providers``, and asks each such
plugin in the provider venv the sync made for the venv's interpreter
(:class:`graft.cli.provider_envs.MadeProviderEnvs`). An audit installs
nothing: a provider venv that is not there is named in the finding.

**Overrides.** ``graft sync --overrides FILE`` (and ``--excludes``) records the requirement
lines and names it was given beside them (``plans/overrides-<venv key>.json``, with the venv's
``graft-inputs``: a venv changed since by another sync is not judged by them); ``graft audit``
reports a requirement they replaced as ``overridden-dependency`` (info), not as an unmet one
(decision 396). A full sync without them removes the record.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from typing import TYPE_CHECKING

from graft.cli.provider_envs import MadeProviderEnvs

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from graft.audit import AuditReport
    from graft.resolve.overrides import Overrides


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
    from graft.cli.variants_cmd import machine_from  # noqa: PLC0415

    recorded = recorded_providers(args.venv)
    overrides = recorded_overrides(args.venv)
    args.allow_variant_provider = list(dict.fromkeys([*args.allow_variant_provider, *recorded]))
    python = os.path.join(os.path.abspath(args.venv), "bin", "python")
    report = audit_venv(
        args.venv,
        deep=args.deep,
        machine=lambda: machine_from(args),
        plugins=MadeProviderEnvs(args, python),
        overrides=overrides,
    )
    if args.json:
        print(report.to_json())
    else:
        render(report)
    from graft._counted import counted  # noqa: PLC0415

    counts = ", ".join(counted(report.count(s), s) for s in ("error", "warning"))
    infos = report.count("info")
    dists = counted(report.stats["distributions"], "distribution")
    print(
        f"graft: audited {report.venv}: {counts}, {infos} info ({dists}, {report.seconds:.2f}s)",
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


def after_sync(args: argparse.Namespace, overrides: Overrides | None = None) -> None:
    """Record the sync's provider namespaces and *overrides* for its venv (not a dry run).

    *overrides*: its ``--overrides`` and ``--excludes`` (None: remove a record).
    """
    if args.dry_run:
        return
    path = _record(args.venv)
    if path is not None and (args.allow_variant_provider or os.path.exists(path)):
        remember_providers(args.venv, args.allow_variant_provider)
    path = _record(args.venv, "overrides")
    if path is not None and (overrides or os.path.exists(path)):
        _remember_overrides(args.venv, path, overrides)


def _record(prefix: str, kind: str = "providers") -> str | None:
    """Where the *kind* record of the venv *prefix* is kept: in its store (None: no store).

    Not in the venv: pyvenv.cfg is the store's GC anchor (a hard link, so never replaced)
    and a rewrite in place could be torn by a crash.
    """
    from graft.store.paths import venv_record  # noqa: PLC0415
    from graft.venv.state import recorded_state  # noqa: PLC0415 - not graft.audit: every sync

    try:
        store = recorded_state(prefix).get("graft-store")
    except UnicodeDecodeError:
        return None
    return venv_record(store, prefix, kind) if store else None


def _remember_overrides(prefix: str, path: str, overrides: Overrides | None) -> None:
    """The record of *overrides* for the venv *prefix* (with its ``graft-inputs``), or none."""
    from graft.venv.state import recorded_state  # noqa: PLC0415

    inputs = recorded_state(prefix).get("graft-inputs")
    if not overrides or inputs is None:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    lines, excludes = overrides.lines()
    _replace(path, {"inputs": inputs, "overrides": list(lines), "excludes": list(excludes)})


def recorded_overrides(prefix: str) -> Overrides | None:
    """The ``--overrides`` and ``--excludes`` the venv *prefix* was synced with (None: none).

    None too when the venv's ``graft-inputs`` is not the one recorded with them (a sync
    that left no record changed it since) or the record cannot be read.
    """
    from graft.venv.state import recorded_state  # noqa: PLC0415

    recorded = _recorded(prefix, "overrides")
    inputs = recorded_state(prefix).get("graft-inputs")
    if not isinstance(recorded, dict) or recorded.get("inputs") != inputs:
        return None
    from packaging.requirements import InvalidRequirement  # noqa: PLC0415

    from graft.resolve.overrides import of_lines  # noqa: PLC0415

    try:
        return of_lines(recorded.get("overrides", []), recorded.get("excludes", []))
    except (InvalidRequirement, TypeError):
        return None


def _replace(path: str, payload: object) -> None:
    """*payload* as the JSON of *path*, whole or not at all (gc sweeps a killed ``*.tmp.*``)."""
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(payload, fh)
        os.replace(tmp, path)
    except OSError:
        pass


def recorded_providers(prefix: str) -> tuple[str, ...]:
    """The provider namespaces ``graft sync`` recorded for the venv *prefix*."""
    recorded = _recorded(prefix, "providers")
    return tuple(str(n) for n in recorded) if isinstance(recorded, list) else ()


def _recorded(prefix: str, kind: str) -> object:
    """The JSON of the venv's *kind* record (None: none, or unreadable)."""
    path = _record(prefix, kind)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def remember_providers(prefix: str, namespaces: Sequence[str]) -> None:
    """Record *namespaces* for the venv *prefix* (none: remove the record), whole or not at all."""
    path = _record(prefix)
    if path is None:
        return
    if namespaces:
        _replace(path, list(dict.fromkeys(namespaces)))
        return
    with contextlib.suppress(OSError):
        os.unlink(path)
