"""``graft audit``: is a venv (graft's, pip's, uv's) what its RECORDs say, and does what static
tools see equal what Python imports? The answer is a list of typed findings.

Facts are gathered once (pyvenv.cfg, every ``.dist-info/RECORD``, a walk of the venv, and the
venv's own interpreter run twice through :mod:`graft.audit_probe`); each check then turns them
into :class:`Finding` values. The audit only reads: it writes nothing into the venv or the
store, and imports no package of the venv.

Decisions (the kinds are listed in ``docs/glossary.md``):

* **Links** may resolve into the venv, into the store named by ``graft-store`` in pyvenv.cfg,
  or into the base interpreter's prefix (``home`` in pyvenv.cfg and ``sys.base_prefix``: the
  ``bin/python`` links). Anything else is ``link-outside``: an error in a graft venv (graft
  never makes such links), a warning elsewhere (uv's symlink mode links into its cache).
* **RECORD**: rows without a hash (RECORD itself, graft's directory links) are checked for
  existence only, ``.pyc`` rows not at all (Python rebuilds them). Sizes are compared by
  default, hashes with ``--deep``. A path several distributions list may hold any of their
  copies (a collision); which one it holds is always hashed.
* **Collisions**: the winner by graft's rule is the normalized name that sorts last, as the
  planner decides (:class:`graft.plan.Collision`); the audit also says whose copy is present.
* **Static vs runtime**: the static prediction walks ``sys.path`` (after ``site``) as
  ``PathFinder``/``FileFinder`` do, with the interpreter's suffixes; builtin and frozen modules
  come from the interpreter's tables; zip files on ``sys.path`` are opaque to it. A child is
  looked up in its parent's predicted locations. Runtime asks every ``sys.meta_path`` finder
  in order, importing nothing. Any difference is an error.
* **Native libraries**: each ``DT_NEEDED`` is looked up as ``ld.so`` would, with the library's
  own RUNPATH (or RPATH when there is no RUNPATH; inherited RPATHs and ``LD_LIBRARY_PATH``
  are ignored), then the default directories and their multiarch variants, the interpreter's
  ``LIBDIR`` (libpython is already loaded) and ``ldconfig -p``. ``$ORIGIN`` is the directory
  of the library's path in the venv, and ``..`` is resolved by the kernel, physically. An
  unresolved name is an **error** when a copying install would resolve it (``..`` taken
  lexically): the venv's links break the loader. Otherwise it is a **warning**: the library
  is missing from the venv and the system, or the wheel relies on it being loaded first.
"""

from __future__ import annotations

import base64
import bisect
import csv
import hashlib
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from packaging.utils import canonicalize_name

from graft.elf import read_dynamic
from graft.errors import UsageError
from graft.plan import Collision
from graft.record import is_native, record_from_json

if TYPE_CHECKING:
    from collections.abc import Iterable

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

_PROBE_TIMEOUT = 300
_DEFAULT_LIB_DIRS = ("/lib", "/usr/lib", "/lib64", "/usr/lib64")
_LDCONFIG = ("/sbin/ldconfig", "/usr/sbin/ldconfig", "/usr/bin/ldconfig")
_PY_INTERPRETER = re.compile(r"^(python|pypy)[0-9.]*t?$")
_SHEBANG_MAX = 1024
_PTH_IMPORT = ("import ", "import\t")  # the .pth lines site.addpackage() executes
_GRAFT_OWN = (".graft",)  # names graft may keep in site-packages (none today)
_TRAMPOLINE = b"'''exec' "  # installer's launcher for paths a shebang cannot hold


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
    FOREIGN_INTERPRETER = "foreign-interpreter"
    INTERPRETER_FAILED = "interpreter-failed"


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
    venv: str
    graft: bool  # pyvenv.cfg names a graft store
    store: str | None
    deep: bool
    findings: tuple[Finding, ...]
    stats: dict[str, int]
    seconds: float

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    def to_dict(self) -> dict[str, Any]:
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
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


_REBUILD = "reinstall the distribution (a graft venv: remove it and sync again)"

#: The default severity and fix hint of each kind.
_DEFAULTS: dict[Kind, tuple[Severity, str]] = {
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
            "run `graft store verify`, remove the damaged entry, then sync the venv again"
            " (a sync re-ingests a missing entry; it does not re-check a present one)"
        ),
    ),
    Kind.FOREIGN_INTERPRETER: (
        "error",
        "reinstall the distribution, so that its script names this venv's python",
    ),
    Kind.INTERPRETER_FAILED: (
        "error",
        "recreate the venv: its python does not run (imports were not compared)",
    ),
}


def _f(
    kind: Kind,
    path: str,
    dists: Iterable[str],
    detail: str,
    *,
    severity: Severity | None = None,
    hint: str | None = None,
) -> Finding:
    default_severity, default_hint = _DEFAULTS[kind]
    return Finding(
        kind,
        severity or default_severity,
        path,
        tuple(sorted(set(dists))),
        hint or default_hint,
        detail,
    )


# --------------------------------------------------------------------------------------
# Gathered facts


@dataclass(frozen=True, slots=True)
class _Row:
    dist: str  # name==version
    path: str  # venv-relative, normalized
    digest: str  # "" when the row has no hash
    size: int | None


@dataclass
class _DistInfo:
    label: str  # name==version
    name: str  # canonical
    path: str  # venv-relative .dist-info directory
    rows: list[_Row] = field(default_factory=list)
    has_record: bool = True


@dataclass
class _Probe:
    ok: bool
    error: str = ""
    env: dict[str, Any] = field(default_factory=dict)
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Venv:
    """Everything the checks read, gathered once."""

    prefix: str  # absolute, as given
    real: str  # realpath of the prefix
    cfg: dict[str, str]
    store: str | None
    deep: bool
    probe: _Probe
    site_dirs: list[str] = field(default_factory=list)  # venv-relative
    dists: list[_DistInfo] = field(default_factory=list)
    by_path: dict[str, list[_Row]] = field(default_factory=dict)
    owned_sorted: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # venv-rel link -> realpath of target
    dangling: set[str] = field(default_factory=set)
    site_files: list[str] = field(default_factory=list)  # venv-rel, walked through links
    digests: dict[str, str] = field(default_factory=dict)

    def abs(self, rel: str) -> str:
        return os.path.join(self.prefix, rel) if rel else self.prefix

    def rel(self, path: str) -> str:
        """*path* relative to the prefix (posix) if inside it, else unchanged."""
        for root in (self.prefix, self.real):
            if path == root:
                return ""
            if path.startswith(root + os.sep):
                return path[len(root) + 1 :].replace(os.sep, "/")
        return path

    def owners(self, rel: str) -> tuple[str, ...]:
        """Distributions whose RECORD lists *rel* or anything below it."""
        found = {row.dist for row in self.by_path.get(rel, ())}
        start = bisect.bisect_left(self.owned_sorted, rel + "/")
        for path in self.owned_sorted[start:]:
            if not path.startswith(rel + "/"):
                break
            found.update(row.dist for row in self.by_path[path])
        return tuple(sorted(found))

    def site_of(self, rel: str) -> str | None:
        return next((s for s in self.site_dirs if rel.startswith(s + "/")), None)

    def digest(self, path: str, algorithm: str = "sha256") -> str:
        """A file's digest in RECORD spelling, cached by real path (a store file is read once)."""
        real = os.path.realpath(path)
        key = f"{algorithm}:{real}"
        if key not in self.digests:
            h = hashlib.new(algorithm)
            with open(real, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
            encoded = base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode()
            self.digests[key] = f"{algorithm}={encoded}"
        return self.digests[key]


def read_pyvenv_cfg(prefix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    with open(os.path.join(prefix, "pyvenv.cfg"), encoding="utf-8") as fh:
        for line in fh:
            key, sep, value = line.partition("=")
            if sep:
                out[key.strip()] = value.strip()
    return out


def _venv_python(prefix: str) -> str:
    for name in ("python", "python3"):
        candidate = os.path.join(prefix, "bin", name)
        if os.path.lexists(candidate):
            return candidate
    return os.path.join(prefix, "bin", "python")


def _run_probe(prefix: str, command: str, stdin: str | None = None) -> Any:
    """Run :mod:`graft.audit_probe` in the venv's interpreter (isolated: no PYTHON* variables)."""
    with open(os.path.join(os.path.dirname(__file__), "audit_probe.py"), encoding="utf-8") as fh:
        source = fh.read()
    proc = subprocess.run(
        [_venv_python(prefix), "-I", "-B", "-c", source, command],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=_PROBE_TIMEOUT,
        check=False,
        cwd=prefix,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise RuntimeError(last)
    return json.loads(proc.stdout)


def _gather(prefix: str, deep: bool) -> _Venv:
    if not os.path.isfile(os.path.join(prefix, "pyvenv.cfg")):
        raise UsageError(
            "not a virtual environment (no pyvenv.cfg)", where=prefix, hint="pass a venv's path"
        )
    try:
        probe = _Probe(ok=True, env=_run_probe(prefix, "env"))
    except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
        probe = _Probe(ok=False, error=str(exc) or type(exc).__name__)
    cfg = read_pyvenv_cfg(prefix)
    venv = _Venv(
        prefix=prefix,
        real=os.path.realpath(prefix),
        cfg=cfg,
        store=cfg.get("graft-store") or None,
        deep=deep,
        probe=probe,
    )
    venv.site_dirs = _site_dirs(venv)
    for site in venv.site_dirs:
        venv.dists.extend(_read_dists(venv, site))
    for dist in venv.dists:
        for row in dist.rows:
            venv.by_path.setdefault(row.path, []).append(row)
    venv.owned_sorted = sorted(venv.by_path)
    _walk_links(venv)
    venv.site_files = _walk_site(venv)
    return venv


def _site_dirs(venv: _Venv) -> list[str]:
    """site-packages directories inside the venv, deduplicated by real path (lib64 -> lib)."""
    paths = venv.probe.env.get("paths") or {}
    candidates = [str(paths[k]) for k in ("purelib", "platlib") if paths.get(k)]
    for lib in ("lib", "lib64"):
        try:
            names = sorted(os.listdir(venv.abs(lib)))
        except OSError:
            continue
        candidates += [os.path.join(venv.abs(lib), n, "site-packages") for n in names]
    out: list[str] = []
    seen: set[str] = set()
    for path in candidates:
        rel = venv.rel(path)
        real = os.path.realpath(path)
        if not os.path.isabs(rel) and os.path.isdir(path) and real not in seen:
            seen.add(real)
            out.append(rel)
    return out


def _read_dists(venv: _Venv, site: str) -> list[_DistInfo]:
    out = []
    base = venv.abs(site)
    for name in sorted(os.listdir(base)):
        if not name.endswith(".dist-info") or not os.path.isdir(os.path.join(base, name)):
            continue
        raw_name, _, version = name[: -len(".dist-info")].rpartition("-")
        canonical = canonicalize_name(raw_name or name)
        dist = _DistInfo(f"{canonical}=={version}", canonical, f"{site}/{name}")
        out.append(dist)
        try:
            with open(os.path.join(base, name, "RECORD"), encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh))
        except (OSError, UnicodeDecodeError, csv.Error):
            dist.has_record = False
            continue
        for row in rows:
            if not row or not row[0]:
                continue
            rel = venv.rel(os.path.normpath(os.path.join(base, row[0])))
            if not rel or os.path.isabs(rel):
                continue  # outside the venv: not ours to check
            digest = row[1] if len(row) > 1 else ""
            size = row[2] if len(row) > 2 else ""  # noqa: PLR2004 - path, hash, size
            dist.rows.append(_Row(dist.label, rel, digest, int(size) if size.isdigit() else None))
    return out


def _walk_links(venv: _Venv) -> None:
    """Every symlink in the venv (listed, never entered), with its resolved target."""
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            entries = list(os.scandir(venv.abs(rel)))
        except OSError:
            continue
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_symlink():
                # a dangling link resolves as far as it can (into a vanished store entry too)
                venv.links[child] = os.path.realpath(entry.path)
                if not os.path.exists(entry.path):
                    venv.dangling.add(child)
            elif entry.is_dir(follow_symlinks=False):
                pending.append(child)


def _allowed_roots(venv: _Venv) -> list[str]:
    roots = [venv.real]
    if venv.store:
        roots.append(os.path.realpath(venv.store))
    home = venv.cfg.get("home", "").rstrip("/")
    if home:
        roots.append(os.path.realpath(os.path.dirname(home) or home))
    base = venv.probe.env.get("base_prefix")
    if isinstance(base, str) and base:
        roots.append(os.path.realpath(base))
    return roots


def _inside(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _walk_site(venv: _Venv) -> list[str]:
    """Files below site-packages (``__pycache__`` skipped), through directory links that stay
    within the allowed roots, each real directory once."""
    roots = _allowed_roots(venv)
    files: list[str] = []
    seen: set[str] = set()
    pending = list(reversed(venv.site_dirs))
    while pending:
        rel = pending.pop()
        real = os.path.realpath(venv.abs(rel))
        if real in seen or not _inside(real, roots):
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(venv.abs(rel)), key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        for entry in entries:
            child = f"{rel}/{entry.name}"
            try:
                if entry.is_dir():
                    if entry.name != "__pycache__":
                        pending.append(child)
                elif entry.is_file():
                    files.append(child)
            except OSError:
                continue
    return files


# --------------------------------------------------------------------------------------
# Links, RECORDs, distributions, files


def _links(venv: _Venv) -> list[Finding]:
    out = []
    roots = _allowed_roots(venv)
    graft = venv.store is not None
    allowed = "the venv, its store" if graft else "the venv"
    for rel in sorted(venv.links):
        target = venv.links[rel]
        if rel in venv.dangling:
            detail = f"-> {os.readlink(venv.abs(rel))}, which does not exist"
            out.append(_f(Kind.DANGLING_LINK, rel, venv.owners(rel), detail))
        elif not _inside(target, roots):
            detail = f"resolves to {target}: outside {allowed} and the base interpreter's prefix"
            severity: Severity = "error" if graft else "warning"
            out.append(_f(Kind.LINK_OUTSIDE, rel, venv.owners(rel), detail, severity=severity))
    return out


def _under_dangling(venv: _Venv, rel: str) -> bool:
    parts = rel.split("/")
    return any("/".join(parts[:i]) in venv.dangling for i in range(1, len(parts) + 1))


def _file_vs_directory(venv: _Venv) -> dict[str, tuple[set[str], set[str]]]:
    """Paths one distribution lists as a file (with a hash) and another as a directory."""
    as_file = {
        path: {r.dist for r in rows if r.digest}
        for path, rows in venv.by_path.items()
        if any(r.digest for r in rows)
    }
    out: dict[str, tuple[set[str], set[str]]] = {}
    for path, rows in venv.by_path.items():
        parent = path
        while "/" in parent:
            parent = parent.rpartition("/")[0]
            files = as_file.get(parent)
            if files is None:
                continue
            dirs = {r.dist for r in rows} - files
            if dirs:
                clash = out.setdefault(parent, (set(), set()))
                clash[0].update(files)
                clash[1].update(dirs)
    return out


def _records(venv: _Venv) -> list[Finding]:
    """Missing files, modified files, collisions; RECORD-less distributions."""
    out = [
        _f(Kind.NO_RECORD, dist.path, [dist.label], "the .dist-info has no readable RECORD")
        for dist in venv.dists
        if not dist.has_record
    ]
    clashes = _file_vs_directory(venv)
    for path in venv.owned_sorted:
        rows = venv.by_path[path]
        if path.endswith(".pyc") or "/__pycache__/" in f"/{path}":
            continue
        if path in clashes:
            out.append(_clash_finding(venv, path, *clashes[path]))
        elif not os.path.lexists(venv.abs(path)):
            if not _under_dangling(venv, path):
                dists = [r.dist for r in rows]
                out.append(_f(Kind.MISSING_FILE, path, dists, "listed in RECORD but missing"))
        elif path not in venv.dangling:
            hashed = [r for r in rows if r.digest]
            if hashed:
                out.extend(_check_bytes(venv, path, hashed))
    return out


def _winner(labels: Iterable[str]) -> str:
    """graft's collision rule (``planner._resolve``): the normalized name that sorts last."""
    return max(labels, key=lambda label: label.partition("==")[0])


def _clash_finding(venv: _Venv, path: str, as_file: set[str], as_dir: set[str]) -> Finding:
    everyone = as_file | as_dir
    winner = _winner(everyone)
    present = as_dir if os.path.isdir(venv.abs(path)) else as_file
    collision = Collision(path, winner, tuple(sorted(everyone - {winner})), "file-vs-directory")
    detail = f"{collision.describe()}; the venv holds {' and '.join(sorted(present))}'s"
    return _f(Kind.COLLISION, path, everyone, detail)


def _check_bytes(venv: _Venv, path: str, rows: list[_Row]) -> list[Finding]:
    full = venv.abs(path)
    dists = [r.dist for r in rows]
    if os.path.isdir(full):
        return [_f(Kind.MODIFIED_FILE, path, dists, "RECORD lists a file; this is a directory")]
    digests = {r.digest for r in rows}
    collision = len(digests) > 1
    if collision or venv.deep:
        try:
            actual = venv.digest(full, _algorithm(next(iter(digests))))
        except (OSError, ValueError) as exc:
            actual = f"unreadable ({exc})"
        holders = sorted({r.dist for r in rows if r.digest == actual})
        out = [_collision_finding(path, rows, holders)] if collision else []
        if not holders:
            out.append(_f(Kind.MODIFIED_FILE, path, dists, "bytes differ from RECORD's hash"))
        return out
    try:
        size = os.stat(full).st_size
    except OSError as exc:
        return [_f(Kind.MODIFIED_FILE, path, dists, f"cannot stat it ({exc.strerror})")]
    expected = {r.size for r in rows if r.size is not None}
    if expected and size not in expected:
        detail = f"size {size}, RECORD says {', '.join(map(str, sorted(expected)))}"
        return [_f(Kind.MODIFIED_FILE, path, dists, detail)]
    return []


def _algorithm(digest: str) -> str:
    name = digest.partition("=")[0]
    if name not in hashlib.algorithms_available:
        raise ValueError(f"unknown hash {name!r}")
    return name


def _collision_finding(path: str, rows: list[_Row], holders: list[str]) -> Finding:
    dists = sorted({r.dist for r in rows})
    winner = _winner(dists)
    collision = Collision(path, winner, tuple(d for d in dists if d != winner), "content")
    if holders:
        present = f"the venv holds {' and '.join(holders)}'s copy"
        if winner not in holders:
            present += f" (graft would install {winner}'s)"
    else:
        present = "the venv holds none of their copies"
    return _f(Kind.COLLISION, path, dists, f"{collision.describe()}; {present}")


def _duplicates(venv: _Venv) -> list[Finding]:
    by_name: dict[str, list[_DistInfo]] = {}
    for dist in venv.dists:
        by_name.setdefault(dist.name, []).append(dist)
    out = []
    for name, found in sorted(by_name.items()):
        if len(found) > 1:
            names = ", ".join(d.path.rpartition("/")[2] for d in found)
            detail = f"{len(found)} .dist-info directories for {name}: {names}"
            labels = [d.label for d in found]
            out.append(_f(Kind.DUPLICATE_DISTRIBUTION, found[-1].path, labels, detail))
    return out


def _unowned(venv: _Venv) -> list[Finding]:
    """Files below site-packages that no RECORD lists, one finding per top-level entry."""
    groups: dict[str, list[str]] = {}
    for rel in venv.site_files:
        site = venv.site_of(rel)
        if site is None or rel in venv.by_path or rel.endswith(".pyc"):
            continue
        head = rel[len(site) + 1 :].split("/")[0]
        if not head.startswith(_GRAFT_OWN):
            groups.setdefault(f"{site}/{head}", []).append(rel)
    out = []
    for top, files in sorted(groups.items()):
        if files == [top]:
            detail = "no RECORD lists it"
        else:
            detail = f"{len(files)} files below it that no RECORD lists, e.g. {files[0]}"
        out.append(_f(Kind.UNOWNED_FILE, top, [], detail))
    return out


def _pth_imports(venv: _Venv) -> list[Finding]:
    out = []
    for site in venv.site_dirs:
        for name in sorted(os.listdir(venv.abs(site))):
            if not name.endswith(".pth"):
                continue
            rel = f"{site}/{name}"
            try:
                with open(venv.abs(rel), encoding="utf-8", errors="replace") as fh:
                    imports = [line.rstrip() for line in fh if line.startswith(_PTH_IMPORT)]
            except OSError:
                continue
            if imports:
                detail = f"runs at start-up: {imports[0][:120]}"
                out.append(_f(Kind.PTH_IMPORT, rel, venv.owners(rel), detail))
    return out


def _scripts(venv: _Venv) -> list[Finding]:
    """Scripts whose shebang (or installer's trampoline) runs a python outside the venv.

    An error for entry-point launchers (the installer wrote the shebang) and for a shebang
    naming another venv's python (a copied or moved venv); a warning for other scripts, whose
    wheel spelled out the interpreter (installers rewrite only ``#!python``).
    """
    scripts = (venv.probe.env.get("paths") or {}).get("scripts") or venv.abs("bin")
    rel_dir = venv.rel(str(scripts))
    if os.path.isabs(rel_dir) or not os.path.isdir(venv.abs(rel_dir)):
        return []
    own_dirs = {os.path.normpath(venv.abs(rel_dir)), os.path.join(venv.real, rel_dir)}
    launchers = _entry_point_names(venv)
    out = []
    for name in sorted(os.listdir(venv.abs(rel_dir))):
        rel = f"{rel_dir}/{name}"
        full = venv.abs(rel)
        if os.path.islink(full) or not os.path.isfile(full):
            continue  # the bin/python* links; a script linked elsewhere is a link finding
        interpreter = _shebang_interpreter(full)
        if (
            interpreter is None
            or not os.path.isabs(interpreter)
            or not _PY_INTERPRETER.match(os.path.basename(interpreter))
        ):
            continue  # not a python script, or "#!/usr/bin/env python" (the author's choice)
        directory = os.path.dirname(os.path.normpath(interpreter))
        if directory in own_dirs and os.path.exists(interpreter):
            continue
        other_venv = os.path.isfile(os.path.join(os.path.dirname(directory), "pyvenv.cfg"))
        if name in launchers or other_venv:
            detail = f"runs {interpreter}, not this venv's interpreter"
            out.append(_f(Kind.FOREIGN_INTERPRETER, rel, venv.owners(rel), detail))
        else:
            detail = f"runs {interpreter}, as its wheel says (not an entry point)"
            hint = "run it as `python -m ...`, or ask the project to use `#!python`"
            out.append(
                _f(
                    Kind.FOREIGN_INTERPRETER,
                    rel,
                    venv.owners(rel),
                    detail,
                    severity="warning",
                    hint=hint,
                )
            )
    return out


def _entry_point_names(venv: _Venv) -> set[str]:
    """console_scripts and gui_scripts names of every distribution."""
    names: set[str] = set()
    for dist in venv.dists:
        try:
            with open(venv.abs(f"{dist.path}/entry_points.txt"), encoding="utf-8") as fh:
                lines = fh.read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        section = ""
        for raw in lines:
            line = raw.strip()
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1].strip()
            elif section in {"console_scripts", "gui_scripts"} and "=" in line:
                names.add(line.partition("=")[0].strip())
    return names


def _shebang_interpreter(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SHEBANG_MAX)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    lines = head.split(b"\n")
    words = lines[0][2:].decode("utf-8", "replace").split()
    if words and words[0] == "/bin/sh" and len(lines) > 1 and lines[1].startswith(_TRAMPOLINE):
        words = lines[1][len(_TRAMPOLINE) :].decode("utf-8", "replace").split()
        return words[0].strip("'\"") if words else None
    return words[0] if words else None


# --------------------------------------------------------------------------------------
# The store


def _store_entries(venv: _Venv, store: str) -> dict[str, set[str]]:
    """Entries the venv uses (sha -> links into it), from its links and its GC root."""
    entries_dir = os.path.join(os.path.realpath(store), "entries") + "/"
    used: dict[str, set[str]] = {}
    for rel, target in venv.links.items():
        if target.startswith(entries_dir):
            used.setdefault(target[len(entries_dir) :].split("/")[0], set()).add(rel)
    for venv_path in {venv.prefix, venv.real}:
        # the GC root's file name, as Store.register_root computes it
        key = hashlib.sha256(os.path.abspath(venv_path).encode()).hexdigest()[:32]
        try:
            with open(os.path.join(store, "roots", key + ".json"), encoding="utf-8") as fh:
                payload = json.load(fh)
        except (OSError, ValueError):
            continue
        if isinstance(payload, dict) and isinstance(payload.get("entries"), list):
            for sha in payload["entries"]:
                used.setdefault(str(sha), set())
    return used


def _store(venv: _Venv) -> list[Finding]:
    if venv.store is None:
        return []
    out = []
    for sha, links in sorted(_store_entries(venv, venv.store).items()):
        entry = os.path.join(venv.store, "entries", sha)
        dists = {d for link in links for d in venv.owners(link)}
        if os.path.isdir(entry):
            out.extend(_check_entry(venv, entry, dists))
        else:
            detail = f"the venv uses it ({len(links)} links into it)"
            out.append(_f(Kind.STORE_ENTRY_MISSING, entry, dists, detail))
    return out


def _check_entry(venv: _Venv, entry: str, dists: set[str]) -> list[Finding]:
    """What ``graft store verify`` checks for one entry (sizes only, unless --deep).

    ``record.json`` is read directly: ``Store.get`` takes the store's GC lock, and the
    audit writes nothing into the store.
    """
    try:
        with open(os.path.join(entry, "record.json"), encoding="utf-8") as fh:
            record = record_from_json(fh.read())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        path = os.path.join(entry, "record.json")
        return [_f(Kind.STORE_ENTRY_MODIFIED, path, dists, f"unreadable record ({exc})")]
    out = []
    tree = os.path.join(entry, "tree")
    for f in record.files:
        path = os.path.join(tree, f.path)
        try:
            size = os.lstat(path).st_size
        except FileNotFoundError:
            problem = "missing"
        else:
            if size != f.size:
                problem = f"size {size}, the wheel's RECORD says {f.size}"
            elif venv.deep and venv.digest(path, _algorithm(f.digest)) != f.digest:
                problem = "bytes differ from the wheel's RECORD hash"
            else:
                continue
        out.append(_f(Kind.STORE_ENTRY_MODIFIED, path, [record.label], problem))
    return out


# --------------------------------------------------------------------------------------
# Imports: the static prediction against the import system


@dataclass(frozen=True, slots=True)
class _Spec:
    kind: str  # builtin, frozen, module, package, namespace, none, error
    origin: str | None = None
    locations: tuple[str, ...] | None = None
    opaque: bool = False  # a zip file on the search path was skipped

    def key(self) -> tuple[str, str | None, tuple[str, ...] | None]:
        origin = os.path.normpath(self.origin) if self.origin else None
        where = None if self.locations is None else tuple(map(os.path.normpath, self.locations))
        return self.kind, origin, where


class _StaticFinder:
    """``PathFinder`` and ``FileFinder`` (CPython 3.9-3.14), emulated over the filesystem."""

    def __init__(self, suffixes: list[str]) -> None:
        self.suffixes = suffixes  # extension modules, sources, bytecode: the loaders' order
        self._listings: dict[str, frozenset[str] | None] = {}

    def _listing(self, directory: str) -> frozenset[str] | None:
        if directory not in self._listings:
            try:
                self._listings[directory] = frozenset(os.listdir(directory))
            except OSError:
                self._listings[directory] = None
        return self._listings[directory]

    def find(self, tail: str, search: tuple[str, ...]) -> _Spec:
        portions: list[str] = []
        opaque = False
        for entry in search:
            names = self._listing(entry)
            if names is None:
                opaque = opaque or os.path.isfile(entry)  # a zip: zipimport's business
                continue
            base = os.path.join(entry, tail)
            is_namespace = False
            if tail in names:
                for suffix in self.suffixes:
                    init = os.path.join(base, "__init__" + suffix)
                    if os.path.isfile(init):
                        return _Spec("package", init, (base,), opaque)
                is_namespace = os.path.isdir(base)
            for suffix in self.suffixes:
                full = os.path.join(entry, tail + suffix)
                if tail + suffix in names and os.path.isfile(full):
                    return _Spec("module", full, None, opaque)
            if is_namespace:
                portions.append(base)
        if portions:
            return _Spec("namespace", None, tuple(portions), opaque)
        return _Spec("none", opaque=opaque)


def _import_names(venv: _Venv, suffixes: list[str]) -> tuple[list[str], dict[str, str]]:
    """Top-level names in site-packages, then the dotted names of directories that two or more
    distributions share (parents first); with the venv-relative path of each."""
    where: dict[str, str] = {}
    longest_first = sorted(suffixes, key=len, reverse=True)
    for site in venv.site_dirs:
        for entry in sorted(os.scandir(venv.abs(site)), key=lambda e: e.name):
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if name.isidentifier() and name != "__pycache__":
                    where.setdefault(name, f"{site}/{name}")
                continue
            for suffix in longest_first:
                if name.endswith(suffix) and name[: -len(suffix)].isidentifier():
                    where.setdefault(name[: -len(suffix)], f"{site}/{name}")
                    break
    owners: dict[str, set[str]] = {}
    for path, rows in venv.by_path.items():
        home = venv.site_of(path)
        if home is None:
            continue
        parts = path[len(home) + 1 :].split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            if not parts[depth - 1].isidentifier() or parts[depth - 1] == "__pycache__":
                break
            dotted = ".".join(parts[:depth])
            owners.setdefault(dotted, set()).update(r.dist for r in rows)
            where.setdefault(dotted, f"{home}/{'/'.join(parts[:depth])}")
    tops = sorted(n for n in where if "." not in n)
    shared = [n for n, dists in owners.items() if len(dists) > 1 and "." in n]
    return tops + sorted(shared, key=lambda n: (n.count("."), n)), where


def _imports(venv: _Venv) -> list[Finding]:
    if not venv.probe.ok:
        return []
    env = venv.probe.env
    suffixes = [str(s) for s in env.get("suffixes", [])]
    names, where = _import_names(venv, suffixes)
    try:
        specs: dict[str, dict[str, Any]] = _run_probe(
            venv.prefix, "specs", json.dumps({"names": names})
        )
    except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
        venv.probe = _Probe(ok=False, error=f"probing imports: {exc}", env=env)
        return []
    venv.probe.specs = specs
    finder = _StaticFinder(suffixes)
    sys_path = tuple(str(p) for p in env.get("sys_path", []) if p)
    static: dict[str, _Spec] = {}
    out = []
    for name in names:
        parent, _, tail = name.rpartition(".")
        raw = specs.get(name) or {"kind": "error", "error": "not reported"}
        locations = raw.get("locations")
        runtime = _Spec(str(raw.get("kind")), raw.get("origin"), _tuple_or_none(locations))
        if parent:
            above = static.get(parent)
            if above is None:
                continue  # the parent disagreed already: reported once, there
            predicted = _Spec("none")
            if above.locations is not None:
                predicted = finder.find(tail, above.locations)
        elif runtime.kind in {"builtin", "frozen"}:
            predicted = runtime  # the interpreter's own tables, not the filesystem
        else:
            predicted = finder.find(tail, sys_path)
        if predicted.key() == runtime.key() or (
            predicted.opaque and runtime.kind not in {"none", "namespace"}
        ):
            static[name] = predicted
            continue
        if runtime.kind == "error":
            found = f"an error ({raw.get('error')})"
        else:
            found = f"{_describe(venv, runtime)} (by {raw.get('finder', '?')})"
        predicted_text = _describe(venv, predicted)
        detail = (
            f"import {name}: a static walk finds {predicted_text}; the import system finds {found}"
        )
        rel = where.get(name, name)
        out.append(_f(Kind.IMPORT_MISMATCH, rel, venv.owners(rel), detail))
    return out


def _tuple_or_none(value: object) -> tuple[str, ...] | None:
    return tuple(map(str, value)) if isinstance(value, list) else None


def _describe(venv: _Venv, spec: _Spec) -> str:
    if spec.kind == "namespace":
        return f"namespace {[venv.rel(p) for p in spec.locations or ()]}"
    if spec.kind in {"module", "package"}:
        return f"{spec.kind} {venv.rel(spec.origin or '')}"
    return spec.kind


# --------------------------------------------------------------------------------------
# Native libraries


def _ldconfig_sonames() -> frozenset[str]:
    for ldconfig in _LDCONFIG:
        if not os.path.exists(ldconfig):
            continue
        try:
            proc = subprocess.run(
                [ldconfig, "-p"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if proc.returncode == 0:
            lines = proc.stdout.splitlines()[1:]
            return frozenset(line.split()[0] for line in lines if "=>" in line)
    return frozenset()


def _system_dirs(venv: _Venv) -> list[str]:
    dirs = list(_DEFAULT_LIB_DIRS)
    multiarch = venv.probe.env.get("multiarch")
    if isinstance(multiarch, str) and multiarch:
        dirs += [f"/lib/{multiarch}", f"/usr/lib/{multiarch}"]
    libdir = venv.probe.env.get("libdir")
    if isinstance(libdir, str) and libdir:
        dirs.append(libdir)
    return dirs


def _native(venv: _Venv) -> list[Finding]:
    candidates = sorted(
        {p for p in venv.site_files if is_native(p)}
        | {p for p in venv.by_path if is_native(p) and os.path.isfile(venv.abs(p))}
    )
    system_dirs = _system_dirs(venv)
    sonames: frozenset[str] | None = None
    shipped: dict[str, str] = {}
    for rel in candidates:
        shipped.setdefault(rel.rpartition("/")[2], rel)
    out = []
    for rel in candidates:
        info = read_dynamic(venv.abs(rel))
        if info is None:
            continue
        origin = os.path.dirname(venv.abs(rel))
        search = info.runpath or info.rpath
        for needed in info.needed:
            if "/" in needed or _reachable(needed, search, origin, physical=True):
                continue  # (a path is relative to the working directory: not ours to judge)
            if any(os.path.isfile(os.path.join(d, needed)) for d in system_dirs):
                continue
            if sonames is None:
                sonames = _ldconfig_sonames()
            if needed not in sonames:
                out.append(_native_finding(venv, rel, needed, search, shipped.get(needed)))
    return out


def _expand(entry: str, origin: str) -> str | None:
    expanded = entry.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)
    return expanded if os.path.isabs(expanded) and "$" not in expanded else None


def _reachable(needed: str, search: tuple[str, ...], origin: str, *, physical: bool) -> bool:
    """Is *needed* in a RUNPATH/RPATH directory? ``..`` resolved by the kernel (physically),
    or lexically: what the same path would give in a copy without links."""
    for entry in search:
        directory = _expand(entry, origin)
        if directory is None:
            continue
        if not physical:
            directory = os.path.normpath(directory)
        if os.path.isfile(os.path.join(directory, needed)):
            return True
    return False


def _native_finding(
    venv: _Venv, rel: str, needed: str, search: tuple[str, ...], shipped: str | None
) -> Finding:
    where = f"RUNPATH/RPATH {list(search)}" if search else "no RUNPATH/RPATH"
    origin = os.path.dirname(venv.abs(rel))
    if _reachable(needed, search, origin, physical=False):
        detail = f"needs {needed}: {where} reaches it only if '..' is taken lexically"
        hint = (
            "a directory on the path to this library is a link, so $ORIGIN/.. leaves the venv;"
            " rebuild the venv (graft keeps such directories real)"
        )
        return _f(
            Kind.NATIVE_UNRESOLVED, rel, venv.owners(rel), detail, severity="error", hint=hint
        )
    detail = f"needs {needed}: not found through {where} nor in the system's library directories"
    hint = f"install the system package that provides {needed}"
    if shipped:
        detail += f" (the venv ships it at {shipped})"
        hint = "the wheel relies on that library being loaded first (by another module)"
    return _f(Kind.NATIVE_UNRESOLVED, rel, venv.owners(rel), detail, hint=hint)


# --------------------------------------------------------------------------------------


def _interpreter(venv: _Venv) -> list[Finding]:
    if venv.probe.ok:
        return []
    python = venv.rel(_venv_python(venv.prefix))
    return [_f(Kind.INTERPRETER_FAILED, python, [], venv.probe.error[:300])]


_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


def audit_venv(path: str, *, deep: bool = False) -> AuditReport:
    """Audit the venv at *path*. Raises :class:`UsageError` when it is not a venv."""
    started = time.perf_counter()
    venv = _gather(os.path.abspath(path), deep)
    findings = [
        *_links(venv),
        *_records(venv),
        *_duplicates(venv),
        *_unowned(venv),
        *_pth_imports(venv),
        *_scripts(venv),
        *_store(venv),
        *_imports(venv),
        *_native(venv),
        *_interpreter(venv),
    ]
    findings.sort(key=lambda f: (_ORDER[f.severity], f.kind.value, f.path))
    stats = {
        "distributions": len(venv.dists),
        "record_rows": sum(len(d.rows) for d in venv.dists),
        "links": len(venv.links),
        "site_files": len(venv.site_files),
        "import_names": len(venv.probe.specs),
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


__all__ = ["SEVERITIES", "AuditReport", "Finding", "Kind", "Severity", "audit_venv"]
