"""What the audit reports: typed :class:`Finding` values, gathered in an :class:`AuditReport`.

Each :class:`Kind` has a default severity and fix hint (:data:`DEFAULTS`); a check passes only
what it knows better (a stricter severity, a more precise hint) to :func:`finding`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


class Kind(str, Enum):
    """What a finding is about. The values are what the table and the JSON show."""

    DANGLING_LINK = "dangling-link"
    LINK_OUTSIDE = "link-outside"
    MISSING_FILE = "missing-file"
    MODIFIED_FILE = "modified-file"
    NO_RECORD = "no-record"
    DUPLICATE_DISTRIBUTION = "duplicate-distribution"
    COLLISION = "collision"
    UNOWNED_FILE = "unowned-file"
    IMPORT_MISMATCH = "import-mismatch"
    PTH_IMPORT = "pth-import"
    NATIVE_UNRESOLVED = "native-unresolved"
    STORE_ENTRY_MISSING = "store-entry-missing"
    STORE_ENTRY_MODIFIED = "store-entry-modified"
    STORE_UNROOTED = "store-unrooted"
    FOREIGN_INTERPRETER = "foreign-interpreter"
    INTERPRETER_FAILED = "interpreter-failed"
    VARIANT_UNSUPPORTED = "variant-unsupported"
    INTERRUPTED_CHANGE = "interrupted-change"
    MISSING_DEPENDENCY = "missing-dependency"
    UNMET_DEPENDENCY = "unmet-dependency"
    OVERRIDDEN_DEPENDENCY = "overridden-dependency"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or remark) about one path.

    *path* is venv-relative (posix) inside the venv, absolute elsewhere (store files).
    *distributions* are sorted ``name==version`` labels; *detail* says what exactly is wrong,
    *hint* what to do about it.
    """

    kind: Kind
    severity: Severity
    path: str
    distributions: tuple[str, ...]
    hint: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON object (the ``--json`` form)."""
        return {
            "kind": self.kind.value,
            "severity": self.severity,
            "path": self.path,
            "distributions": list(self.distributions),
            "detail": self.detail,
            "hint": self.hint,
        }


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The audit of one venv: its findings, what was counted, and how long it took."""

    venv: str
    graft: bool  # pyvenv.cfg names a graft store
    store: str | None
    deep: bool
    findings: tuple[Finding, ...]
    stats: dict[str, int]
    seconds: float

    def count(self, severity: Severity) -> int:
        """How many findings have *severity*."""
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings of severity ``error``."""
        return tuple(f for f in self.findings if f.severity == "error")

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON object: counts by severity, stats and every finding."""
        return {
            "venv": self.venv,
            "graft": self.graft,
            "store": self.store,
            "deep": self.deep,
            "counts": {s: self.count(s) for s in SEVERITIES},
            "stats": dict(self.stats),
            "seconds": round(self.seconds, 4),
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self) -> str:
        """The report as indented JSON, keys sorted."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


_REBUILD = (
    "reinstall the distribution (a graft venv: sync it again, which restores the"
    " distribution's files and keeps your own)"
)

#: The default severity and fix hint of each kind.
DEFAULTS: dict[Kind, tuple[Severity, str]] = {
    Kind.DANGLING_LINK: ("error", _REBUILD),
    Kind.LINK_OUTSIDE: (
        "warning",
        "the venv depends on a path it does not own; rebuild it, or copy the target in",
    ),
    Kind.MISSING_FILE: ("error", _REBUILD),
    Kind.MODIFIED_FILE: ("error", _REBUILD),
    Kind.NO_RECORD: (
        "warning",
        "reinstall it: without RECORD its files cannot be checked or uninstalled",
    ),
    Kind.DUPLICATE_DISTRIBUTION: (
        "error",
        "remove the stale .dist-info (pip uninstall, or rebuild the venv)",
    ),
    Kind.COLLISION: ("warning", "keep only one of these distributions, or accept the winner"),
    Kind.UNOWNED_FILE: ("info", "remove it if nothing needs it, or install it as a distribution"),
    Kind.IMPORT_MISMATCH: (
        "error",
        (
            "type checkers see the static layout: remove the finder or .pth line that"
            " redirects this import, or fix the layout"
        ),
    ),
    Kind.PTH_IMPORT: (
        "warning",
        (
            "PEP 829: Python 3.18 ignores import lines in .pth files; the distribution must"
            " run this code some other way"
        ),
    ),
    Kind.NATIVE_UNRESOLVED: ("warning", "install the system package that provides it"),
    Kind.STORE_ENTRY_MISSING: ("error", "sync the venv again: graft re-ingests a missing entry"),
    Kind.STORE_ENTRY_MODIFIED: (
        "error",
        (
            "run `graft store repair`: it re-creates the entry from its wheel"
            " (without the wheel, the next sync that needs the entry re-ingests it)"
        ),
    ),
    Kind.STORE_UNROOTED: (
        "warning",
        "run `graft sync` on it once (with its requirements): that records its GC root",
    ),
    Kind.FOREIGN_INTERPRETER: (
        "error",
        "reinstall the distribution, so that its script names this venv's python",
    ),
    Kind.INTERPRETER_FAILED: (
        "error",
        "recreate the venv: its python does not run (imports were not compared)",
    ),
    Kind.VARIANT_UNSUPPORTED: (
        "error",
        (
            "sync the venv again on this machine (a variant it supports is chosen), or"
            " describe the machine with --variant-property or variants.toml"
        ),
    ),
    Kind.INTERRUPTED_CHANGE: (
        "error",
        (
            "run `graft sync` on the venv again (with any inputs): it finishes the committed"
            " change before anything else, or rebuilds the venv when the journal is gone"
        ),
    ),
    Kind.MISSING_DEPENDENCY: (
        "error",
        (
            "sync the venv again with its requirements (graft installs what each"
            " distribution requires), or install the missing one"
        ),
    ),
    Kind.UNMET_DEPENDENCY: (
        "error",
        "sync the venv again with its requirements, or install a version the specifier admits",
    ),
    Kind.OVERRIDDEN_DEPENDENCY: (
        "info",
        "as the sync's --overrides or --excludes asked; sync without them to undo it",
    ),
}

#: The order of the report: errors first, then by kind and path.
_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


def finding(
    kind: Kind,
    path: str,
    dists: Iterable[str],
    detail: str,
    *,
    severity: Severity | None = None,
    hint: str | None = None,
) -> Finding:
    """A finding of *kind*, with its default severity and hint unless given."""
    default_severity, default_hint = DEFAULTS[kind]
    return Finding(
        kind,
        severity or default_severity,
        path,
        tuple(sorted(set(dists))),
        hint or default_hint,
        detail,
    )


def report_order(f: Finding) -> tuple[int, str, str]:
    """Sort key of the report: severity (errors first), kind, path."""
    return _ORDER[f.severity], f.kind.value, f.path
