"""The files a project's dynamic version (or dependencies) is read from: its editable key's too.

An editable wheel's METADATA holds the version its backend read at build time. A project
that reads it from a file of its tree (``__version__`` in ``__init__.py``, a ``VERSION``
file) changes version without touching ``pyproject.toml``, ``setup.cfg`` or ``setup.py``,
so an editable key of those alone reused the old build: ``importlib.metadata.version()``
said 1.0 after the code said 1.1, where pip and ``uv pip install -e`` build again every
time (decision 170). The backends' own configuration names the file:

- hatchling: ``[tool.hatch.version] path``;
- pdm-backend: ``[tool.pdm.version]`` with ``source = "file"`` and ``path``;
- setuptools: ``[tool.setuptools.dynamic] version = {file = …}`` or ``{attr = "pkg.X"}``,
  and ``setup.cfg``'s ``[metadata] version = file: …`` or ``attr: pkg.X`` (the module's
  ``pkg/__init__.py`` or ``pkg.py``, at the top or under ``src/`` or the package directory
  ``package-dir`` maps the root to);
- flit_core: a ``dynamic`` version (and description) from the module's ``__init__.py``
  (``[tool.flit.module] name``, else the project's name with ``-`` as ``_``).

A version a VCS gives (setuptools-scm, hatch-vcs) is read from git's files instead
(:mod:`graft.build.scm_version`, decision 263).

A ``setup.py`` reads what it likes (``open("requirements.txt")``, a ``version.py`` it
searches with a regular expression): the files of the tree it names by string literals
(``"requirements.txt"``, ``os.path.join(here, "pkg", "version.py")``, ``Path(here) / "VERSION"``,
``f"{here}/README.md"``, a module-level constant's string, a glob's matches:
:mod:`graft.build.setup_py_paths`) are taken as read, those that exist (decisions 271, 290).

Files an editable wheel holds a copy of are read the same way (decision 272): hatchling's
``force-include`` and ``shared-data`` (``shared-scripts``); a directory named there stands
for each file under it. (setuptools' editable wheel copies no ``data_files``: pip and uv
install none either.)

Dependencies read from a file change the same way, and an editable build kept for the old
file installed the old set (``graft sync V -e .`` was "already in sync" after a line was added
to ``requirements.txt``; decision 231): setuptools' ``[tool.setuptools.dynamic]
dependencies = {file = …}`` and ``optional-dependencies = {NAME = {file = …}}``,
``setup.cfg``'s ``[options] install_requires = file: …`` and ``[options.extras_require]
NAME = file: …``, and the hatch-requirements-txt hook's ``files`` and
``optional-dependencies``.
"""

from __future__ import annotations

import os
from typing import Any

from graft._toml import load_toml, toml_table


def version_files(root: str, pyproject: dict[str, Any] | None = None) -> tuple[str, ...]:
    """The files (relative to *root*, ``/``-separated, sorted) a dynamic version is read from.

    *pyproject*: the project's ``pyproject.toml`` parsed, if at hand (read here otherwise).
    Paths that do not exist are kept: a file appearing there changes where it comes from.
    """
    if pyproject is None:
        path = os.path.join(root, "pyproject.toml")
        pyproject = load_toml(path) if os.path.isfile(path) else {}
    tool = toml_table(pyproject, "tool")
    found: list[str] = []
    hatch = toml_table(toml_table(tool, "hatch"), "version")
    if isinstance(hatch.get("path"), str):
        found.append(hatch["path"])
    pdm = toml_table(toml_table(tool, "pdm"), "version")
    if pdm.get("source") == "file" and isinstance(pdm.get("path"), str):
        found.append(pdm["path"])
    setuptools = toml_table(tool, "setuptools")
    dynamic = toml_table(setuptools, "dynamic").get("version")
    roots = _package_roots(setuptools.get("package-dir"))
    if isinstance(dynamic, dict):
        found += _setuptools_version(dynamic.get("file"), dynamic.get("attr"), roots)
    found += _setuptools_dependencies(toml_table(setuptools, "dynamic"))
    found += _setup_cfg(root, roots)
    found += _setup_py(root)
    found += _copied(root, tool)
    found += _flit(pyproject, tool)
    hooks = toml_table(toml_table(toml_table(tool, "hatch"), "metadata"), "hooks")
    found += _hatch_requirements(toml_table(hooks, "requirements_txt"))
    return tuple(sorted({os.path.normpath(p).replace(os.sep, "/") for p in found}))


def _copied(root: str, tool: dict[str, Any]) -> list[str]:
    """The files hatchling copies into an editable wheel (decision 272)."""
    build = toml_table(toml_table(tool, "hatch"), "build")
    wheel = toml_table(toml_table(build, "targets"), "wheel")
    sources: list[str] = []
    for table in (build, wheel):
        for option in ("force-include", "shared-data", "shared-scripts"):
            sources += list(toml_table(table, option))
    return [name for source in sources for name in _expanded(root, source)]


def _expanded(root: str, source: str) -> list[str]:
    """A file named (kept if absent), a directory's files, a glob's matches; inside *root*."""
    if os.path.isabs(source) or ".." in source.replace(os.sep, "/").split("/"):
        return []
    path = os.path.join(root, source)
    if any(c in source for c in "*?["):
        import glob  # noqa: PLC0415

        return [os.path.relpath(p, root) for p in glob.glob(path) if os.path.isfile(p)]
    if not os.path.isdir(path):
        return [source]
    from graft.build.tree_walk import entered  # noqa: PLC0415

    out: list[str] = []
    for top, dirs, files in os.walk(path):
        dirs[:] = entered(root, top, dirs)
        out += [os.path.relpath(os.path.join(top, name), root) for name in files]
    return out


def _package_roots(package_dir: object) -> tuple[str, ...]:
    """Where a top-level module may live: the top, ``src/``, and the root ``package-dir`` maps."""
    roots = ["", "src"]
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        roots.append(package_dir[""])
    return tuple(dict.fromkeys(roots))


def _setuptools_version(files: object, attr: object, roots: tuple[str, ...]) -> list[str]:
    """Setuptools' ``file`` (one or a list) and ``attr`` (a module's files) version sources."""
    out = [files] if isinstance(files, str) else []
    if isinstance(files, list):
        out += [f for f in files if isinstance(f, str)]
    if isinstance(attr, str) and "." in attr:
        module = attr.strip().rsplit(".", 1)[0].replace(".", "/")
        for top in roots:
            out += [os.path.join(top, module, "__init__.py"), os.path.join(top, f"{module}.py")]
    return out


def _files_of(value: object) -> list[str]:
    """A file (a string) or files (a list of strings), as the backends' tables name them."""
    if isinstance(value, str):
        return [value]
    return [f for f in value if isinstance(f, str)] if isinstance(value, list) else []


def _setuptools_dependencies(dynamic: dict[str, Any]) -> list[str]:
    """``dependencies = {file = …}`` and each ``optional-dependencies`` extra's ``file``."""
    deps = dynamic.get("dependencies")
    out = _files_of(deps.get("file")) if isinstance(deps, dict) else []
    optional = dynamic.get("optional-dependencies")
    for extra in optional.values() if isinstance(optional, dict) else ():
        out += _files_of(extra.get("file")) if isinstance(extra, dict) else []
    return out


def _hatch_requirements(hook: dict[str, Any]) -> list[str]:
    """hatch-requirements-txt's ``files`` and its ``optional-dependencies`` extras' files."""
    out = _files_of(hook.get("files"))
    optional = hook.get("optional-dependencies")
    for files in optional.values() if isinstance(optional, dict) else ():
        out += _files_of(files)
    return out


def _setup_cfg(root: str, roots: tuple[str, ...]) -> list[str]:
    """``setup.cfg``'s ``version = attr: …`` or ``file: …``, and its requirements' ``file: …``.

    ``[metadata] version``; ``[options] install_requires`` and ``[options.extras_require]``.
    """
    path = os.path.join(root, "setup.cfg")
    if not os.path.isfile(path):
        return []
    import configparser  # noqa: PLC0415

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
        value = parser.get("metadata", "version", fallback="").strip()
        package_dir = parser.get("options", "package_dir", fallback="")
        requires = [parser.get("options", "install_requires", fallback="")]
        if parser.has_section("options.extras_require"):
            requires += [v for _, v in parser.items("options.extras_require")]
    except (configparser.Error, UnicodeDecodeError):
        return []  # (the backend says what is wrong with it)
    for line in package_dir.splitlines():  # "= src" maps the root
        key, _, mapped = line.partition("=")
        if not key.strip() and mapped.strip():
            roots = (*roots, mapped.strip())
    out = [
        f.strip()
        for listed in requires
        if listed.strip().startswith("file:")
        for f in listed.strip()[5:].split(",")
    ]
    if value.startswith("file:"):
        out += _setuptools_version([f.strip() for f in value[5:].split(",")], None, roots)
    if value.startswith("attr:"):
        out += _setuptools_version(None, value[5:], roots)
    return out


def _flit(pyproject: dict[str, Any], tool: dict[str, Any]) -> list[str]:
    """flit_core's dynamic version and description: from the module's docstring and code."""
    backend = toml_table(pyproject, "build-system").get("build-backend")
    project = toml_table(pyproject, "project")
    dynamic = project.get("dynamic")
    if not isinstance(backend, str) or not backend.startswith("flit_core"):
        return []
    if not isinstance(dynamic, list) or not {"version", "description"} & set(dynamic):
        return []
    module = toml_table(toml_table(tool, "flit"), "module").get("name") or project.get("name")
    if not isinstance(module, str):
        return []
    module = module.replace("-", "_").replace(".", "/")
    return [
        os.path.join(top, *name)
        for top in ("", "src")
        for name in ((module, "__init__.py"), (f"{module}.py",))
    ]


def _setup_py(root: str) -> list[str]:
    """The files of the tree a ``setup.py`` names, those that exist (decisions 271, 290).

    As :func:`graft.build.setup_py_paths.named` finds them; a glob stands for its matches.
    """
    from graft.build.setup_py_paths import named, parse  # noqa: PLC0415

    tree = parse(root)
    if tree is None:
        return []
    names: set[str] = set()
    for name in named(tree):
        if any(c in name for c in "*?["):
            names.update(p.replace(os.sep, "/") for p in _expanded(root, name))
        else:
            names.add(name)
    top = os.path.realpath(root)
    return sorted(
        name
        for name in names
        if name != "setup.py"
        and not os.path.isabs(name)
        and ".." not in name.split("/")
        and os.path.isfile(os.path.join(root, name))
        and os.path.realpath(os.path.join(root, name)).startswith(top + os.sep)
    )
