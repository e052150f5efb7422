"""Imports: the static prediction against the import system, and ``.pth`` import lines.

The static prediction walks ``sys.path`` (after ``site``) as ``PathFinder``/``FileFinder`` do,
with the interpreter's suffixes; builtin and frozen modules come from the interpreter's tables;
zip files on ``sys.path`` are opaque to it. A child is looked up in its parent's predicted
locations. Runtime asks every ``sys.meta_path`` finder in order, importing nothing
(:mod:`graft.audit.target_probe`). Any difference is an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.audit.findings import Finding, Kind, finding
from graft.audit.probe import PROBE_ERRORS, Probe, probe_specs

if TYPE_CHECKING:
    from graft.audit.layout import Venv

_PTH_IMPORT = ("import ", "import\t")  # the .pth lines site.addpackage() executes


@dataclass(frozen=True, slots=True)
class ImportCheck:
    """The import findings, and how asking the interpreter went."""

    findings: list[Finding]
    probe: Probe  # the venv's probe, or the failure of asking it for specs
    names: int  # how many names the import system reported on


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


def _import_names(venv: Venv, suffixes: list[str]) -> tuple[list[str], dict[str, str]]:
    """Top-level names in site-packages, then the dotted names of shared directories.

    Shared: directories that two or more distributions share (parents first); with the
    venv-relative path of each.
    """
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


def check_imports(venv: Venv) -> ImportCheck:
    """Each name's static prediction against what the venv's import system finds."""
    if not venv.probe.ok:
        return ImportCheck([], venv.probe, 0)
    env = venv.probe.env
    suffixes = [str(s) for s in env.get("suffixes", [])]
    names, where = _import_names(venv, suffixes)
    try:
        specs = probe_specs(venv.prefix, names)
    except PROBE_ERRORS as exc:
        return ImportCheck([], Probe(ok=False, error=f"probing imports: {exc}", env=env), 0)
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
        out.append(finding(Kind.IMPORT_MISMATCH, rel, venv.owners(rel), detail))
    return ImportCheck(out, venv.probe, len(specs))


def _tuple_or_none(value: object) -> tuple[str, ...] | None:
    return tuple(map(str, value)) if isinstance(value, list) else None


def _describe(venv: Venv, spec: _Spec) -> str:
    if spec.kind == "namespace":
        return f"namespace {[venv.rel(p) for p in spec.locations or ()]}"
    if spec.kind in {"module", "package"}:
        return f"{spec.kind} {venv.rel(spec.origin or '')}"
    return spec.kind


def check_pth_imports(venv: Venv) -> list[Finding]:
    """``.pth`` files with import lines: code that runs at every start-up (until PEP 829)."""
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
                out.append(finding(Kind.PTH_IMPORT, rel, venv.owners(rel), detail))
    return out
