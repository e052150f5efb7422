"""``graft audit``: is a venv (graft's, pip's, uv's) what its RECORDs say?

And does what static tools see equal what Python imports? The answer is a list of typed
findings.

Facts are gathered once (pyvenv.cfg, every ``.dist-info/RECORD``, a walk of the venv, and the
venv's own interpreter run twice through :mod:`graft.audit.target_probe`); each check then
turns them into :class:`Finding` values. The audit only reads: it writes nothing into the venv
or the store, and imports no package of the venv.

The modules (the decisions of each check are in its docstring; the kinds are listed in
``docs/glossary.md``):

* :mod:`~graft.audit.findings`: :class:`Finding`, :class:`Kind`, :class:`AuditReport`, and each
  kind's default severity and hint.
* :mod:`~graft.audit.layout` and :mod:`~graft.audit.probe`: the facts, read once.
* The checks: :mod:`~graft.audit.links`, :mod:`~graft.audit.records` (RECORDs, collisions,
  duplicate and unowned files), :mod:`~graft.audit.scripts`, :mod:`~graft.audit.store`,
  :mod:`~graft.audit.imports` (static vs runtime, ``.pth`` import lines) and
  :mod:`~graft.audit.native` (``DT_NEEDED`` through RUNPATH/RPATH), :mod:`~graft.audit.variants`
  (installed variant wheels this machine does not support), :mod:`~graft.audit.dependencies`
  (each distribution's requirements met, as ``pip check`` asks).
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from graft.audit.dependencies import check_dependencies
from graft.audit.findings import (
    SEVERITIES,
    AuditReport,
    Finding,
    Kind,
    Severity,
    finding,
    report_order,
)
from graft.audit.imports import check_imports, check_pth_imports
from graft.audit.layout import Venv, gather
from graft.audit.links import check_links
from graft.audit.native import check_native
from graft.audit.probe import Probe, venv_python
from graft.audit.records import check_duplicates, check_records, check_unowned
from graft.audit.scripts import check_scripts
from graft.audit.store import as_shipped, check_rooted, check_store
from graft.audit.variants import check_variants
from graft.venv.interpreter import read_pyvenv_cfg

if TYPE_CHECKING:
    from collections.abc import Callable

    from graft.model.variants import ProviderPlugins
    from graft.resolve.overrides import Overrides
    from graft.variants.machine import Machine


def _this_machine() -> Machine:
    from graft.variants.machine import machine  # noqa: PLC0415

    return machine()


def audit_venv(
    path: str,
    *,
    deep: bool = False,
    machine: Callable[[], Machine] | None = None,
    plugins: ProviderPlugins | None = None,
    overrides: Overrides | None = None,
) -> AuditReport:
    """Audit the venv at *path*. Raises :class:`UsageError` when it is not a venv.

    *machine* describes this machine for installed variant wheels (PEP 825); by default,
    built-in detection and the user's ``variants.toml``. *plugins* answers for the
    provider plugins of the namespaces the machine allows (None: none is run). *overrides*:
    the ``--overrides`` and ``--excludes`` the venv was synced with (decision 396).
    """
    started = time.perf_counter()
    venv = gather(os.path.abspath(path), deep)
    findings = [
        *check_links(venv),
        *check_records(venv),
        *check_duplicates(venv),
        *check_unowned(venv),
        *check_pth_imports(venv),
        *check_scripts(venv),
        *check_store(venv),
        *check_rooted(venv),
        *check_variants(venv, machine or _this_machine, plugins),
    ]
    findings = as_shipped(venv, findings)  # (a RECORD row its wheel got wrong: decision 383)
    imports = check_imports(venv)  # asks the interpreter again: it may fail now
    findings += [*imports.findings, *check_native(venv), *_check_interpreter(venv, imports.probe)]
    findings += _check_pending(venv)
    markers = _markers(venv) if imports.probe.ok else None
    findings += check_dependencies(venv, markers, overrides)
    findings.sort(key=report_order)
    stats = {
        "distributions": len(venv.dists),
        "record_rows": sum(len(d.rows) for d in venv.dists),
        "links": len(venv.links),
        "site_files": len(venv.site_files),
        "import_names": imports.names,
    }
    return AuditReport(
        venv=venv.prefix,
        graft=venv.store is not None,
        store=venv.store,
        deep=deep,
        findings=tuple(findings),
        stats=stats,
        seconds=time.perf_counter() - started,
    )


def dependency_gaps(path: str, overrides: Overrides | None = None) -> list[str]:
    """Each requirement of a distribution installed at *path* that is not met, said in a line.

    What ``graft sync --strict`` warns of, as ``uv pip install --strict`` (decision 342); one
    the sync's *overrides* replaced is judged by them (decision 396).
    """
    venv = gather(os.path.abspath(path), deep=False)
    found = check_dependencies(venv, _markers(venv), overrides)
    return [f.detail for f in found if f.severity != "info"]


def _markers(venv: Venv) -> dict[str, str] | None:
    """The marker values of the venv's interpreter, or None when it cannot be asked."""
    from graft.errors import GraftError  # noqa: PLC0415
    from graft.venv.interpreter import introspect  # noqa: PLC0415

    try:
        return dict(introspect(venv_python(venv.prefix)).markers)
    except (GraftError, OSError):
        return None


def _check_interpreter(venv: Venv, probe: Probe) -> list[Finding]:
    """The venv's python did not run (or failed when asked for imports)."""
    if probe.ok:
        return []
    python = venv.rel(venv_python(venv.prefix))
    return [finding(Kind.INTERPRETER_FAILED, python, [], probe.error[:300])]


def _check_pending(venv: Venv) -> list[Finding]:
    """An in-place change (decision 34) committed and cut off: pyvenv.cfg says ``graft-pending``.

    From its commit to its end the venv may hold a mix of the old and the new set; the next
    sync finishes it from the journal in the staging directory the mark names.
    """
    pending = venv.cfg.get("graft-pending")
    if pending is None:
        return []
    from graft.venv.journal import JOURNAL  # noqa: PLC0415 - only for a marked venv

    journal = os.path.join(os.path.dirname(venv.prefix), pending, JOURNAL)
    left = "its journal is" if os.path.isfile(journal) else "its journal is gone, was"
    detail = (
        "an in-place change was committed and cut off before it finished: the venv may hold"
        f" part of the old set and part of the new one ({left} {journal})"
    )
    return [finding(Kind.INTERRUPTED_CHANGE, "pyvenv.cfg", [], detail)]


__all__ = [
    "SEVERITIES",
    "AuditReport",
    "Finding",
    "Kind",
    "Severity",
    "audit_venv",
    "read_pyvenv_cfg",
]
