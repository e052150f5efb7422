"""Runs inside a venv's own interpreter (``python -I probe.py ...``); standard library only.

probe.py imports IN.json OUT.json
    IN: {"modules": [top-level names], "expand": [packages whose children are imported]}
    OUT: {module: {"file": ..., "path": [...]} or {"error": "ExceptionType"}}
    Paths under sys.prefix are made relative to it.
probe.py environment OUT.json
    OUT: distributions, entry points, files() per distribution, sys.path (prefix-relative)
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.metadata
import json
import os
import pkgutil
import sys
import types
import warnings
from typing import Any

IGNORED_DIST_INFO_FILES = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})

# Captured before any imported module can replace them.
_open = open
_prefix = sys.prefix
_real_prefix = os.path.realpath(sys.prefix)


def rel(path: str | None) -> str | None:
    if path is None:
        return None
    for root in (_prefix, _real_prefix):
        if path == root:
            return "."
        if path.startswith(root + os.sep):
            return "{prefix}/" + os.path.relpath(path, root).replace(os.sep, "/")
    return path


def describe_module(name: str) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = importlib.import_module(name)
            raw_path = getattr(module, "__path__", None)
            return {
                "file": rel(getattr(module, "__file__", None)),
                "path": None if raw_path is None else [rel(p) for p in raw_path],
            }
    except BaseException as exc:  # noqa: BLE001 - SystemExit from a module is a result too
        return {"error": type(exc).__name__}


def _plain_paths(paths: Any) -> list[str] | None:
    """A package's search locations as a list, without recomputing a namespace path
    (``_NamespacePath`` recomputes from the parent module, which may not be imported).
    """
    if paths is None:
        return None
    return list(getattr(paths, "_path", paths))


def locate(name: str) -> tuple[dict[str, Any], list[str] | None]:
    """Resolve ``name`` with the path finders alone, executing no package code.

    Parents not yet imported are stood in for by empty modules with the found ``__path__``
    (a namespace child's spec needs its parent in sys.modules), removed again afterwards.
    Returns the (prefix-relative) report and the raw submodule search locations.
    """
    search: list[str] | None = None  # None: sys.path
    origin: str | None = None
    parts = name.split(".")
    stand_ins: list[str] = []
    try:
        for i in range(len(parts)):
            if i:
                parent = ".".join(parts[:i])
                if parent not in sys.modules:
                    stand_in = types.ModuleType(parent)
                    stand_in.__path__ = search or []
                    sys.modules[parent] = stand_in
                    stand_ins.append(parent)
            spec = importlib.machinery.PathFinder.find_spec(".".join(parts[: i + 1]), search)
            if spec is None:
                return {"spec": None}, None
            origin = spec.origin
            search = _plain_paths(spec.submodule_search_locations)
            if search is None and i < len(parts) - 1:
                return {"spec": "parent is not a package"}, None
    except Exception as exc:  # noqa: BLE001
        return {"spec_error": type(exc).__name__}, None
    finally:
        for parent in stand_ins:
            del sys.modules[parent]
    return {
        "origin": rel(origin),
        "locations": None if search is None else [rel(p) for p in search],
    }, search


def children(package: str, locations: list[str] | None) -> list[str]:
    """Direct children of ``package``, from its imported ``__path__`` and its found spec."""
    found: set[str] = set()
    try:
        raw_path = _plain_paths(getattr(sys.modules.get(package), "__path__", None))
        paths = [*(raw_path or []), *(locations or [])]
        found.update(f"{package}.{m.name}" for m in pkgutil.iter_modules(paths))
    except Exception as exc:  # noqa: BLE001
        found.add(f"<cannot list children of {package}: {type(exc).__name__}>")
    return sorted(found)


def probe_imports(request: dict[str, list[str]]) -> dict[str, Any]:
    """Top-level modules are imported; "expand" packages and their children are also
    located without executing code ("spec NAME" entries), then imported.
    """
    report: dict[str, Any] = {}
    for name in request["modules"]:
        report[name] = describe_module(name)
    for package in request["expand"]:
        report[f"spec {package}"], locations = locate(package)
        report[package] = describe_module(package)
        for child in children(package, locations):
            report[f"spec {child}"], _ = locate(child)
            report[child] = describe_module(child)
    return report


def _dist_files(dist: importlib.metadata.Distribution) -> list[str] | None:
    files = dist.files
    if files is None:
        return None
    kept = []
    for path in files:
        parts = path.parts
        if (
            len(parts) == 2
            and parts[0].endswith(".dist-info")
            and parts[1] in (IGNORED_DIST_INFO_FILES)
        ):
            continue
        if path.suffix == ".pyc" or "__pycache__" in parts:
            continue
        kept.append(path.as_posix())
    return sorted(kept)


def probe_environment() -> dict[str, Any]:
    dists = list(importlib.metadata.distributions())
    # 3.8/3.9: a dict of group -> tuple; 3.10/3.11: SelectableGroups; 3.12+: EntryPoints
    eps: Any = importlib.metadata.entry_points()
    if isinstance(eps, dict):
        every = [ep for group in eps.values() for ep in group]
    else:
        every = [ep for group in sorted(eps.groups) for ep in eps.select(group=group)]
    return {
        "distributions": sorted([d.metadata["Name"], d.version] for d in dists),
        "entry_points": sorted([ep.group, ep.name, ep.value] for ep in every),
        "files": {
            f"{d.metadata['Name']}=={d.version}": _dist_files(d)
            for d in sorted(dists, key=lambda d: (d.metadata["Name"], d.version))
        },
        "sys_path": [rel(p) for p in sys.path],
        "prefix": _prefix,
        "base_prefix": sys.base_prefix,
        "version": list(sys.version_info[:3]),
    }


def main(argv: list[str]) -> int:
    command = argv[0]
    if command == "imports":
        with _open(argv[1], encoding="utf-8") as f:
            request = json.load(f)
        result = probe_imports(request)
        out = argv[2]
    elif command == "environment":
        result = probe_environment()
        out = argv[1]
    else:
        raise SystemExit(f"unknown command {command!r}")
    with _open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    # Skip interpreter shutdown: imported modules' atexit hooks and threads are not our concern.
    os._exit(code)
