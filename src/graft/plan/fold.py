"""The planner's last step, *fold*: a directory one mapping fills becomes one link.

A directory whose whole subtree of winning files comes through one mapping
(:class:`~graft.plan.mapping.Mapping`) becomes one :class:`~graft.plan.types.LinkDir` to
the matching store directory. Directories stay real where wheels overlap, on the path to a
native library whose ``$ORIGIN`` search path a fold would send elsewhere (see
:mod:`graft.plan.origin`), for every ``.dist-info``, for ``__pycache__`` under a real
directory, for the venv's own scheme directories, for *open directories* that others add
to, and everywhere unless the link mode is ``symlink``. Files below real directories become
their actions (links, copies, scripts, launchers). Pure functions; no I/O.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graft.plan.distinfo import join, lib_dir
from graft.plan.scripts import launcher_body
from graft.plan.types import (
    Action,
    CopyFile,
    InstallScript,
    LinkDir,
    LinkFile,
    MakeDir,
    VenvLayout,
    WriteLauncher,
)
from graft.plan.uninstall import expose

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.model.request import LinkMode
    from graft.plan.mapping import Claims, Leaf, Mapping
    from graft.plan.planned import PlannedWheel


@dataclass
class _Dir:
    mappings: set[Mapping] = field(default_factory=set)
    blocked: bool = False  # native library, generated file, or dist-info below


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


class _OpenDirectories:
    """Directories that other distributions and tools add to: real even with one owner.

    A fold is the store's, read-only; pip, uv or a tool run in the venv that adds a file
    below it fails (decision 83). Kept real, their own entries are linked one level down:

    - a namespace package's directory (PEP 420: no ``__init__`` module of its own, but a
      module or package inside) directly in a library directory or in another one
      (``google``, ``google/cloud``), where other distributions install their portions;
    - a data directory (outside the library directories and scripts) up to three levels
      below the prefix, or named ``*.d`` (``share/jupyter/kernels``,
      ``etc/jupyter/jupyter_server_config.d``), where extensions and ``--sys-prefix``
      configuration are written;
    - every directory of the configuration directories (``etc``, Jupyter's kernel specs),
      whose files are copies (:class:`~graft.plan.types.CopyFile`).
    """

    def __init__(self, winners: dict[str, Leaf], layout: VenvLayout) -> None:
        self._packages: set[str] = set()  # with an __init__ module
        self._python: set[str] = set()  # with a module or a package inside
        for dest in winners:
            parent, _, name = dest.rpartition("/")
            if name.startswith("__init__."):
                self._packages.add(parent)
                self._python.add(_parent(parent))
            elif name.endswith(".py"):
                self._python.add(parent)
        self._libs = frozenset({layout.purelib, layout.platlib})
        self._code = (f"{layout.purelib}/", f"{layout.platlib}/", f"{layout.scripts}/")
        self._data = f"{layout.data}/" if layout.data else ""
        self._configs = tuple(f"{c}/" for c in layout.configs)

    def __call__(self, path: str) -> bool:
        if path.startswith(self._code):
            return self._namespace(path)
        if f"{path}/".startswith(self._configs):
            return True
        if not path.startswith(self._data):
            return False
        inside = path[len(self._data) :]
        return inside.count("/") < _OPEN_DATA_DEPTH or inside.endswith(".d")

    def _namespace(self, path: str) -> bool:
        parent, _, name = path.rpartition("/")
        if not name.isidentifier() or path in self._packages or path not in self._python:
            return False
        return parent in self._libs or self._namespace(parent)


_OPEN_DATA_DEPTH = 3  # share/jupyter/kernels stays real; share/jupyter/kernels/python3 folds


def _bytecode(dest: str) -> bool:
    """Whether *dest* is a ``.pyc`` in a ``__pycache__`` (of a real directory, here).

    Copied, never linked: py_compile refuses to replace a ``.pyc`` that is a symbolic link,
    and ``python -m compileall -f`` rewrites every one (a venv pip or uv made allows it).
    """
    return dest.endswith(".pyc") and dest.rpartition("/")[0].endswith("/__pycache__")


def fold(
    winners: dict[str, Leaf],
    claims: Claims,
    wheels: Sequence[PlannedWheel],
    layout: VenvLayout,
    link_mode: LinkMode,
) -> tuple[list[Action], dict[int, list[str]]]:
    """The actions for the venv's directories and the files below real ones.

    *claims* are every wheel's, losers' too (:mod:`graft.plan.uninstall` asks whose RECORD
    lists a file). Also returns each wheel's directory links (by wheel index), for its RECORD.
    """
    dirs: dict[str, _Dir] = {}
    for dest, leaf in winners.items():
        blocked = leaf.native or leaf.kind in {"script", "launcher"}
        mapping = leaf.mapping
        parent = dest.rpartition("/")[0]
        while True:
            node = dirs.get(parent)
            if node is None:
                node = dirs[parent] = _Dir()
            elif mapping in node.mappings and (node.blocked or not blocked):
                break  # every ancestor already knows this mapping (and blocking)
            node.mappings.add(mapping)
            node.blocked = node.blocked or blocked
            if not parent:
                break
            parent = parent.rpartition("/")[0]
    skeleton = layout.skeleton()
    dist_infos = {join(lib_dir(w.record, layout), w.record.dist_info) for w in wheels}
    open_to_others = _OpenDirectories(winners, layout)
    actions: list[Action] = []
    dir_links: dict[int, list[str]] = {}

    def foldable(path: str, node: _Dir) -> bool:
        if link_mode != "symlink" or path in skeleton or path in dist_infos:
            return False
        if node.blocked or len(node.mappings) != 1 or open_to_others(path):
            return False
        # reached only when the parent is real: its __pycache__ must be real too
        return path.rpartition("/")[2] != "__pycache__"

    configs = tuple(f"{c}/" for c in layout.configs)  # their files are copied
    ordered = sorted(dirs)
    real: set[str] = {""}  # directories created in the venv; anything else lies inside a fold
    for path in ordered:
        if path and _parent(path) in real and not foldable(path, dirs[path]):
            real.add(path)
    if link_mode == "symlink":
        expose(real, dirs.keys(), winners, claims)  # so that pip uninstalls as from a copy
    for path in ordered:
        if not path or _parent(path) not in real:
            continue
        if path in real:
            actions.append(MakeDir(path))
            continue
        (mapping,) = dirs[path].mappings
        wheel = wheels[mapping.wheel]
        source = os.path.join(wheel.tree, mapping.source_dir(path))
        actions.append(LinkDir(path, source, wheel.record.filename))
        dir_links.setdefault(mapping.wheel, []).append(path)
    for dest, leaf in winners.items():
        if _parent(dest) not in real:
            continue
        wheel = wheels[leaf.mapping.wheel]
        name = wheel.record.filename
        if leaf.kind == "launcher":
            assert leaf.ep is not None  # noqa: S101 - launchers carry their entry point
            ep = leaf.ep
            body = launcher_body(ep)
            actions.append(WriteLauncher(dest, ep.name, ep.value, ep.group, body, name))
        elif leaf.kind == "script":
            assert leaf.archive is not None  # noqa: S101 - scripts come from the archive
            actions.append(InstallScript(dest, f"{wheel.tree}/{leaf.archive}", name))
        else:
            assert leaf.archive is not None  # noqa: S101 - links come from the archive
            copied = dest.startswith(configs) or (link_mode == "symlink" and _bytecode(dest))
            step = CopyFile if copied else LinkFile
            actions.append(step(dest, f"{wheel.tree}/{leaf.archive}", name))
    return actions, dir_links
