"""May a source build differently for another interpreter? Detected from the source itself.

Gentoo declares ``DISTUTILS_EXT`` by hand for each package; graft reads the evidence
instead (decision "builds (b-builds)" in ``docs/decisions.md``): compiled sources
(``.c``, ``.cpp``, ``.pyx``, ``.pxd``, ``Cargo.toml``…), ``Extension(``/``ext_modules``/
``build_ext`` in ``setup.py`` (or ``ext-modules`` in ``pyproject.toml``), build requirements
that compile (Cython, cffi, setuptools-rust, pybind11, scikit-build(-core), meson-python,
maturin…), an in-tree ``backend-path``, build hooks and poetry's build script,
implementation or version checks in the build scripts, setuptools' ``namespace_packages``
(a ``.pth`` named for the building Python), and opt-out variables (``*_NO_EXTENSIONS``,
``*_PUREPYTHON``). Backends that cannot compile (flit_core, uv_build, and hatchling or
pdm-backend without build hooks; hatch-vcs' version hook is none) make a source pure
whatever files it ships; compiled sources under a top-level ``tests/``, ``examples/`` or
``docs/`` are not built (decisions 258-260).

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
from graft.build.project import inside

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
        "oldest-supported-numpy",
        "mypy",  # mypyc
        "cppy",  # kiwisolver's C++ helpers
        "extension-helpers",  # astropy's get_extensions()
        "pythran",
        "cmake",
        "ninja",
        "swig",
        "setuptools-golang",
        "setuptools-dso",
        "py-build-cmake",
        "hatch-cython",
        "hatch-mypyc",
    }
)
#: Backends (module part of ``build-backend``) that cannot compile anything.
PURE_BACKENDS = frozenset({"flit_core.buildapi", "uv_build", "hatchling.build", "pdm.backend"})
#: Of those, the ones whose build hooks can run arbitrary code: pure only without hooks.
_HOOKED_BACKENDS = frozenset({"hatchling.build", "pdm.backend"})
#: hatchling build hooks that only write the version into a file (hatch-vcs' ``vcs``,
#: hatchling's own ``version``): the same bytes for every interpreter (decision 259).
_VERSION_HOOKS = frozenset({"vcs", "version"})
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
#: Top-level directories whose compiled sources no backend builds into the wheel: test data
#: and examples (pycparser's ``examples/c_files``); a build that did compile one would show
#: it elsewhere (``Extension(`` in ``setup.py``, a compiling requirement, a build file at the
#: top; decision 260).
_UNBUILT_DIRS = frozenset({"tests", "test", "testing", "examples", "example", "docs", "doc"})
_SCRIPT_NAMES = ("setup.py", "setup.cfg")
_HATCH = ("tool", "hatch", "build")
_MAX_SCRIPT_BYTES = 2 * 1024 * 1024
_EXTENSION_WORDS = re.compile(
    r"\bExtension\(|\bext_modules\b|\bbuild_ext\b|\bcffi_modules\b|\brust_extensions\b"
    r"|\bcythonize\("
)
_IMPLEMENTATION_CHECKS = re.compile(
    r"python_implementation\(|pypy_version_info|pypy_translation_info|__pypy__"
    r"|builtin_module_names|sys\.implementation|implementation_name"
    r"|sys\.version_info|sys\.hexversion|sys\.version\b|\bpython_version(?:_tuple)?\("
    r"|get_python_version\(|sys\.abiflags"
    r"|\bfrom\s+sys\s+import\s[^\n]*\b(?:version_info|hexversion|version)\b"
)
#: setuptools' pkg_resources-style namespaces: the wheel holds ``NAME-VERSION-pyX.Y-nspkg.pth``,
#: named for the interpreter that built it (zope.event; decision 258).
_NSPKG = re.compile(r"\bnamespace_packages\b")
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
    build_hooks: tuple[str, ...]  # declared hooks of hatchling/pdm-backend, poetry's script
    extension_tables: tuple[str, ...] = ()  # pyproject.toml tables declaring extensions
    unbuilt: tuple[str, ...] = ()  # compiled sources under tests/, examples/, docs/, sorted


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
        if _NSPKG.search(text):
            evidence.append(Evidence("version-named-file", f"{path}: namespace_packages"))
        opt_outs = sorted(set(_OPT_OUT.findall(text)))
        evidence.extend(Evidence("opt-out-variable", f"{path}: {v}") for v in opt_outs)
        variables.update(opt_outs)
        for groups in _ENV_READ.findall(text):
            variables.update(g for g in groups if g)
    evidence.extend(Evidence("extension-setup", table) for table in facts.extension_tables)
    hooks = [h for h in facts.build_hooks if not _version_hook(backend, h)]
    evidence.extend(Evidence("build-hook", hook) for hook in hooks)
    pure_backend = backend in PURE_BACKENDS and not facts.backend_path
    if pure_backend and not (backend in _HOOKED_BACKENDS and hooks):
        notes = [Evidence("pure-backend", f"{backend} cannot compile")]
        notes += [
            Evidence("version-hook", f"{h} writes only the version")
            for h in facts.build_hooks
            if h not in hooks
        ]
        return Assessment(False, (*notes, *evidence), tuple(sorted(variables)))
    may_differ = bool(evidence)
    if may_differ:
        variables.update(COMPILER_VARIABLES)
    elif facts.unbuilt:
        more = f" (+{len(facts.unbuilt) - 1} more)" if len(facts.unbuilt) > 1 else ""
        evidence.append(Evidence("unbuilt-source", f"{facts.unbuilt[0]}{more}"))
    return Assessment(may_differ, tuple(evidence), tuple(sorted(variables)))


def _version_hook(backend: str, hook: str) -> bool:
    """A hatchling hook that writes only the version (``tool.hatch.build.hooks.vcs``)."""
    if backend != "hatchling.build":
        return False
    prefix, _, name = hook.rpartition(".")
    return prefix.endswith(".hooks") and name in _VERSION_HOOKS


def scan(project: Project) -> SourceFacts:
    """Read the evidence :func:`assess` weighs from the source tree of *project*."""
    tree = project.tree
    system = project.build_system
    compiled: list[str] = []
    unbuilt: list[str] = []
    for top, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".egg-info"))
        rel_top = os.path.relpath(top, tree)
        for name in files:
            if name.endswith(COMPILED_SUFFIXES) or name in COMPILED_FILES:
                rel = name if rel_top == "." else f"{rel_top}/{name}".replace(os.sep, "/")
                first = rel_top.split(os.sep, 1)[0]
                (unbuilt if first in _UNBUILT_DIRS else compiled).append(rel)
    scripts = [_read_script(tree, name) for name in _SCRIPT_NAMES]
    for entry in system.backend_path:
        scripts.extend(_python_files(tree, entry))
    hooks = list(_build_hooks(project.pyproject, tree))
    poetry = _poetry_script(project.pyproject)
    if poetry is not None:  # poetry-core runs it before building (it may compile)
        hooks.append(f"tool.poetry.build script {poetry}")
        if inside(tree, poetry):
            scripts.append(_read_script(tree, poetry))
    return SourceFacts(
        system.backend,
        system.requires,
        system.backend_path,
        tuple(sorted(compiled)),
        tuple((p, t) for p, t in scripts if t),
        tuple(hooks),
        _extension_tables(project.pyproject),
        tuple(sorted(unbuilt)),
    )


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``data[k1][k2]...``, or an empty table where a key is missing or not a table."""
    for key in keys:
        found = data.get(key)
        data = found if isinstance(found, dict) else {}
    return data


def _poetry_script(pyproject: dict[str, Any]) -> str | None:
    """The build script poetry-core runs: ``[tool.poetry.build] script`` or ``build = ...``."""
    poetry = _table(pyproject, "tool", "poetry")
    build = poetry.get("build")
    if isinstance(build, str):  # poetry 1.0's form
        return build
    script = _table(poetry, "build").get("script")
    return script if isinstance(script, str) else None


def _extension_tables(pyproject: dict[str, Any]) -> tuple[str, ...]:
    """Extensions declared in ``pyproject.toml`` (setuptools' ``ext-modules``, 74.1+)."""
    setuptools = _table(pyproject, "tool", "setuptools")
    return ("pyproject.toml: tool.setuptools.ext-modules",) if "ext-modules" in setuptools else ()


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
    hooks = [f"tool.hatch.build.hooks.{h}" for h in sorted(_table(pyproject, *_HATCH, "hooks"))]
    wheel = _table(pyproject, *_HATCH, "targets", "wheel", "hooks")
    hooks += [f"tool.hatch.build.targets.wheel.hooks.{h}" for h in sorted(wheel)]
    if "custom" in _table(pyproject, "tool", "hatch", "metadata", "hooks"):
        hooks.append("tool.hatch.metadata.hooks.custom")  # may ask the interpreter, too
    if os.path.isfile(os.path.join(tree, "hatch_build.py")):
        hooks.append("hatch_build.py")
    pdm = _table(pyproject, "tool", "pdm", "build")
    if pdm.get("run-setuptools"):
        hooks.append("tool.pdm.build.run-setuptools")
    if isinstance(pdm.get("custom-hook"), str):  # another file than pdm_build.py
        hooks.append(f"tool.pdm.build.custom-hook {pdm['custom-hook']}")
    if os.path.isfile(os.path.join(tree, "pdm_build.py")):
        hooks.append("pdm_build.py")
    return tuple(hooks)
