"""May a source build differently for another interpreter? Detected from the source itself.

Gentoo declares ``DISTUTILS_EXT`` by hand for each package; graft reads the evidence
instead (decision "builds (b-builds)" in ``docs/decisions.md``): compiled sources
(``.c``, ``.cpp``, ``.pyx``, ``.pxd``, ``Cargo.toml``…), ``Extension(``/``ext_modules``/
``build_ext`` in ``setup.py``, build requirements that compile (Cython, cffi,
setuptools-rust, pybind11, scikit-build(-core), meson-python, maturin…), an in-tree
``backend-path``, implementation or version checks in the build scripts, and opt-out
variables (``*_NO_EXTENSIONS``, ``*_PUREPYTHON``). Backends that cannot compile
(flit_core, uv_build, and hatchling or pdm-backend without build hooks) make a source pure
whatever files it ships.

:func:`scan` reads the tree into :class:`SourceFacts`; :func:`assess` is a pure function
of those facts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from graft.build.assessment import Assessment, Evidence

if TYPE_CHECKING:
    from graft.build.project import Project

#: File suffixes of sources a build may compile.
COMPILED_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".c++", ".pyx", ".pxd", ".rs", ".f90", ".cu")
#: File names that declare a compiled part (Rust crates, Meson, CMake builds).
COMPILED_FILES = frozenset({"Cargo.toml", "meson.build", "CMakeLists.txt"})
#: Build requirements that exist to compile (normalized names).
COMPILING_REQUIREMENTS = frozenset(
    {
        "cython",
        "cffi",
        "setuptools-rust",
        "pybind11",
        "nanobind",
        "scikit-build",
        "scikit-build-core",
        "meson-python",
        "maturin",
        "numpy",
        "mypy",  # mypyc
    }
)
#: Backends (module part of ``build-backend``) that cannot compile anything.
PURE_BACKENDS = frozenset({"flit_core.buildapi", "uv_build", "hatchling.build", "pdm.backend"})
#: Of those, the ones whose build hooks can run arbitrary code: pure only without hooks.
_HOOKED_BACKENDS = frozenset({"hatchling.build", "pdm.backend"})
#: Variables every compiling build reads (distutils, setuptools, meson, cargo).
COMPILER_VARIABLES = (
    "CC",
    "CXX",
    "CFLAGS",
    "CPPFLAGS",
    "CXXFLAGS",
    "LDFLAGS",
    "LDSHARED",
    "ARCHFLAGS",
    "RUSTFLAGS",
)

_KEPT = 20  # compiled sources named as evidence
_SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".tox", ".nox", ".venv", "__pycache__", "node_modules", ".eggs"}
)
_SCRIPT_NAMES = ("setup.py", "setup.cfg")
_MAX_SCRIPT_BYTES = 2 * 1024 * 1024
_EXTENSION_WORDS = re.compile(
    r"\bExtension\(|\bext_modules\b|\bbuild_ext\b|\bcffi_modules\b|\brust_extensions\b"
    r"|\bcythonize\("
)
_IMPLEMENTATION_CHECKS = re.compile(
    r"python_implementation\(|pypy_version_info|sys\.implementation|implementation_name"
    r"|sys\.version_info|sys\.hexversion|sys\.version\b|platform\.python_version(?:_tuple)?\("
    r"|\bfrom\s+sys\s+import\s[^\n]*\b(?:version_info|hexversion|version)\b"
)
_ENV_READ = re.compile(
    r"""(?:environ\.get|getenv|environ\.pop)\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]"""
    r"""|environ\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\]"""
    r"""|['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s+(?:not\s+)?in\s+os\.environ"""
)
_OPT_OUT = re.compile(r"\b([A-Z][A-Z0-9_]*(?:_NO_EXTENSIONS?|_PUREPYTHON|_PURE_PYTHON|_NO_CEXT))\b")


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """What :func:`scan` read from a source tree: the input of :func:`assess`."""

    backend: str
    requires: tuple[str, ...]
    backend_path: tuple[str, ...]
    compiled: tuple[str, ...]  # relative paths of compiled sources and build files, sorted
    scripts: tuple[tuple[str, str], ...]  # (relative path, text) of setup.py, in-tree backends
    build_hooks: tuple[str, ...]  # declared hooks of hatchling/pdm-backend ("" if none)


def backend_module(backend: str) -> str:
    """The module part of a ``build-backend`` (``pkg.mod:obj`` → ``pkg.mod``)."""
    return backend.split(":", 1)[0].strip()


def requirement_names(requires: tuple[str, ...]) -> tuple[str, ...]:
    """The normalized project names of build requirements (unparseable ones skipped)."""
    names: list[str] = []
    for text in requires:
        try:
            names.append(canonicalize_name(Requirement(text).name))
        except InvalidRequirement:
            continue
    return tuple(names)


def assess(facts: SourceFacts) -> Assessment:
    """Whether the source may build differently per interpreter, from *facts* alone."""
    evidence: list[Evidence] = []
    variables: set[str] = set()
    backend = backend_module(facts.backend)
    if facts.backend_path:
        evidence.extend(Evidence("in-tree-backend", p) for p in facts.backend_path)
    names = tuple(dict.fromkeys(requirement_names(facts.requires)))  # (one per project)
    evidence.extend(
        Evidence("compiling-requirement", n) for n in names if n in COMPILING_REQUIREMENTS
    )
    evidence.extend(Evidence("compiled-source", path) for path in facts.compiled[:_KEPT])
    if len(facts.compiled) > _KEPT:
        evidence.append(Evidence("compiled-source", f"(+{len(facts.compiled) - _KEPT} more)"))
    for path, text in facts.scripts:
        words = sorted(set(_EXTENSION_WORDS.findall(text)))
        evidence.extend(Evidence("extension-setup", f"{path}: {w}") for w in words)
        checks = sorted(set(_IMPLEMENTATION_CHECKS.findall(text)))
        evidence.extend(Evidence("implementation-check", f"{path}: {c}") for c in checks)
        opt_outs = sorted(set(_OPT_OUT.findall(text)))
        evidence.extend(Evidence("opt-out-variable", f"{path}: {v}") for v in opt_outs)
        variables.update(opt_outs)
        for groups in _ENV_READ.findall(text):
            variables.update(g for g in groups if g)
    evidence.extend(Evidence("build-hook", hook) for hook in facts.build_hooks)
    pure_backend = backend in PURE_BACKENDS and not facts.backend_path
    if pure_backend and not (backend in _HOOKED_BACKENDS and facts.build_hooks):
        note = Evidence("pure-backend", f"{backend} cannot compile")
        return Assessment(False, (note, *evidence), tuple(sorted(variables)))
    may_differ = bool(evidence)
    if may_differ:
        variables.update(COMPILER_VARIABLES)
    return Assessment(may_differ, tuple(evidence), tuple(sorted(variables)))


def scan(project: Project) -> SourceFacts:
    """Read the evidence :func:`assess` weighs from the source tree of *project*."""
    tree = project.tree
    system = project.build_system
    compiled: list[str] = []
    for top, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".egg-info"))
        rel_top = os.path.relpath(top, tree)
        for name in files:
            if name.endswith(COMPILED_SUFFIXES) or name in COMPILED_FILES:
                rel = name if rel_top == "." else f"{rel_top}/{name}".replace(os.sep, "/")
                compiled.append(rel)
    scripts = [_read_script(tree, name) for name in _SCRIPT_NAMES]
    for entry in system.backend_path:
        scripts.extend(_python_files(tree, entry))
    return SourceFacts(
        system.backend,
        system.requires,
        system.backend_path,
        tuple(sorted(compiled)),
        tuple((p, t) for p, t in scripts if t),
        _build_hooks(project.pyproject, tree),
    )


def _read_script(tree: str, relative: str) -> tuple[str, str]:
    path = os.path.join(tree, relative)
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return relative, fh.read(_MAX_SCRIPT_BYTES)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return relative, ""


def _python_files(tree: str, entry: str) -> list[tuple[str, str]]:
    """The ``.py`` files of an in-tree backend directory."""
    found: list[tuple[str, str]] = []
    base = os.path.join(tree, entry)
    for top, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                rel = os.path.relpath(os.path.join(top, name), tree).replace(os.sep, "/")
                found.append(_read_script(tree, rel))
    return found


def _build_hooks(pyproject: dict[str, Any], tree: str) -> tuple[str, ...]:
    """Build hooks hatchling or pdm-backend would run (each can run any code)."""
    hooks: list[str] = []
    hatch = pyproject.get("tool", {}).get("hatch", {}).get("build", {})
    if isinstance(hatch, dict):
        hooks.extend(f"tool.hatch.build.hooks.{h}" for h in sorted(hatch.get("hooks", {})))
        targets = hatch.get("targets", {})
        wheel = targets.get("wheel", {}) if isinstance(targets, dict) else {}
        if isinstance(wheel, dict):
            hooks.extend(
                f"tool.hatch.build.targets.wheel.hooks.{h}" for h in sorted(wheel.get("hooks", {}))
            )
    if os.path.isfile(os.path.join(tree, "hatch_build.py")):
        hooks.append("hatch_build.py")
    pdm = pyproject.get("tool", {}).get("pdm", {}).get("build", {})
    if isinstance(pdm, dict) and pdm.get("run-setuptools"):
        hooks.append("tool.pdm.build.run-setuptools")
    if os.path.isfile(os.path.join(tree, "pdm_build.py")):
        hooks.append("pdm_build.py")
    return tuple(hooks)
