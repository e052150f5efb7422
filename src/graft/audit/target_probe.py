"""Runs inside the audited venv's own interpreter (``python -I -B -c <this file>``), never imported.

Standard library only, Python 3.9+ syntax. Two commands, chosen by ``sys.argv[1]``:

``env``
    prints one JSON object: prefix, base prefix, ``sys.path`` after ``site`` ran (``.pth``
    files included), the sysconfig scheme paths, the file suffixes the path finder tries in
    order (extension modules, sources, bytecode), and the interpreter's ``LIBDIR``.
``specs``
    reads ``{"names": [...]}`` (dotted module names, parents before children) on stdin and
    prints, for each name, what the import system finds: the module itself if start-up (a
    ``.pth`` line) imported it already, else what every finder of ``sys.meta_path``, asked in
    order exactly as ``import`` would ask it, finds. No module is imported. A dotted
    name is looked up in the search locations its parent's *spec* gives; a parent that is not
    imported yet is stood in for by an empty module carrying those locations (a namespace
    child needs its parent in ``sys.modules``), removed again afterwards. So no package code
    runs, except what ``site`` already ran (``.pth`` import lines) and custom finders.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import sys
import sysconfig
import types
from typing import Any

# The script runs with -I; on 3.10 and older that still puts "" (the cwd) first for -c.
if sys.path and sys.path[0] == "" and not getattr(sys.flags, "safe_path", False):
    del sys.path[0]


def _finder_name(finder: object) -> str:
    return getattr(finder, "__name__", None) or type(finder).__name__


def _locations(spec: Any) -> list[str] | None:
    raw = spec.submodule_search_locations
    if raw is None:
        return None
    # A _NamespacePath recomputes itself from the parent module; its _path is what was found.
    return [str(p) for p in getattr(raw, "_path", raw)]


def describe(spec: Any, finder: str) -> dict[str, Any]:
    """What *spec*, found by *finder*, is: kind, origin, search locations and finder."""
    locations = _locations(spec)
    origin = spec.origin
    loader = spec.loader
    if origin == "built-in" or loader is importlib.machinery.BuiltinImporter:
        kind = "builtin"
    elif origin == "frozen" or loader is importlib.machinery.FrozenImporter:
        kind = "frozen"
    elif locations is not None and (loader is None or origin in (None, "namespace")):
        kind, origin = "namespace", None
    elif locations is not None:
        kind = "package"
    else:
        kind = "module"
    return {
        "kind": kind,
        "origin": origin if isinstance(origin, str) or origin is None else str(origin),
        "locations": locations,
        "finder": finder,
    }


def imported(module: types.ModuleType) -> dict[str, Any]:
    """A module that start-up already imported: ``import`` returns it as it is.

    Imported by a ``.pth`` line; ``-nspkg.pth`` files make namespace modules by hand, without a
    spec.
    """
    spec = getattr(module, "__spec__", None)
    if spec is not None:
        return describe(spec, "sys.modules")
    raw_path = getattr(module, "__path__", None)
    locations = None if raw_path is None else [str(p) for p in getattr(raw_path, "_path", raw_path)]
    origin = getattr(module, "__file__", None)
    kind = "module" if locations is None else ("package" if origin else "namespace")
    return {"kind": kind, "origin": origin, "locations": locations, "finder": "sys.modules"}


def find(name: str, search: list[str] | None) -> dict[str, Any]:
    """What ``import name`` finds: the module already imported, else the first finder's spec."""
    module = sys.modules.get(name)
    if module is not None:
        return imported(module)
    for finder in list(sys.meta_path):
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            spec = find_spec(name, search)
        except Exception as exc:  # noqa: BLE001 - a finder's failure is a result
            return {"kind": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
        if spec is not None:
            return describe(spec, _finder_name(finder))
    return {"kind": "none"}


def specs(names: list[str]) -> dict[str, dict[str, Any]]:
    """The ``specs`` command: what each of *names* resolves to, parents before children."""
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        parent, _, _tail = name.rpartition(".")
        search: list[str] | None = None
        stand_in = False
        if parent:
            above = out.get(parent)
            if above is None:
                above = out[parent] = specs([parent])[parent]
            if above.get("locations") is None:
                out[name] = {"kind": "none", "error": "parent is not a package"}
                continue
            search = list(above["locations"])
            if parent not in sys.modules:
                module = types.ModuleType(parent)
                module.__path__ = search
                sys.modules[parent] = module
                stand_in = True
        try:
            out[name] = find(name, search)
        finally:
            if stand_in:
                del sys.modules[parent]
    return out


def env() -> dict[str, Any]:
    """The ``env`` command: prefix, ``sys.path``, scheme paths, suffixes and ``LIBDIR``."""
    machinery = importlib.machinery
    paths = sysconfig.get_paths()
    return {
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "executable": sys.executable,
        "version": "%d.%d.%d" % sys.version_info[:3],  # noqa: UP031 - 3.9 syntax on purpose
        "sys_path": list(sys.path),
        "paths": {k: paths.get(k) for k in ("purelib", "platlib", "scripts", "data")},
        "suffixes": [
            *machinery.EXTENSION_SUFFIXES,
            *machinery.SOURCE_SUFFIXES,
            *machinery.BYTECODE_SUFFIXES,
        ],
        "libdir": sysconfig.get_config_var("LIBDIR"),
        "multiarch": getattr(sys.implementation, "_multiarch", None),
    }


def main() -> int:
    """Run the command ``sys.argv[1]`` names and print its JSON; 2 for an unknown command."""
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "env":
        result: Any = env()
    elif command == "specs":
        result = specs(json.load(sys.stdin)["names"])
    else:
        sys.stderr.write(f"audit_probe: unknown command {command!r}\n")
        return 2
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    # Skip interpreter shutdown: whatever .pth files started is not our concern.
    os._exit(main())
