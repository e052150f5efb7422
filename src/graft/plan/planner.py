"""The planner: a pure function from wheel records, a venv layout and a policy to a Plan.

It reads no file and writes none. Steps:

1. *Map*: every archive path of every wheel (and every ``.pyc`` compiled for the
   target) gets a destination under the venv prefix, as a copying installer
   would place it. A destination comes with its *mapping*: which wheel, and
   which archive directory corresponds to which destination directory.
2. *Resolve claims*: a destination claimed by several wheels with identical
   bytes is shared; with different bytes (or file against directory) it is a
   collision, won by the distribution whose normalized name sorts last: the
   result equals a copying install in ascending name order.
3. *Fold*: a directory whose whole subtree comes through one mapping becomes one
   link to the matching store directory. Directories stay real where wheels
   overlap, on the path to a native library whose ``$ORIGIN`` search path a fold
   would send elsewhere (see :mod:`graft.plan.origin`), for every ``.dist-info``, for
   ``__pycache__`` under a real directory, for the venv's own scheme directories,
   and everywhere unless the link mode is ``symlink``.

The three steps share the planner's private per-plan structures (claims, leaves, mappings);
apart, those would have to become a public interface, so the planner stays one module of
about 530 lines. Dist-info files are :mod:`graft.plan.distinfo`, launchers
:mod:`graft.plan.scripts`, the ``$ORIGIN`` rule :mod:`graft.plan.origin`.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graft.errors import PlanError
from graft.plan.collision import Collision
from graft.plan.distinfo import GENERATED, dist_info_actions, join, lib_dir, relative_to
from graft.plan.scripts import launcher_body
from graft.plan.types import (
    Action,
    CopyFile,
    InstallScript,
    LinkDir,
    LinkFile,
    MakeDir,
    Plan,
    PlannedDistribution,
    Policy,
    RecordRow,
    VenvLayout,
    WriteLauncher,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from graft.model.record import EntryPoint, WheelRecord
    from graft.model.request import LinkMode
    from graft.plan.planned import PlannedWheel

_DEFAULT_POLICY = Policy()


@dataclass(frozen=True, slots=True, eq=False)
class _Mapping:  # one per wheel and archive directory (a launcher has its own): by identity
    wheel: int
    archive_prefix: str  # "" for the archive root
    dest_prefix: str

    def source_dir(self, dest_dir: str) -> str:
        rel = dest_dir[len(self.dest_prefix) :].lstrip("/") if self.dest_prefix else dest_dir
        return "/".join(p for p in (self.archive_prefix, rel) if p)


class _DataDirs:
    """One wheel's ``.data`` categories: where each goes, and its one mapping object."""

    def __init__(self, index: int, data_dir: str, targets: dict[str, str]) -> None:
        self.index, self.data_dir, self.targets = index, data_dir, targets
        self._made: dict[str, _Mapping] = {}

    def mapping(self, category: str) -> _Mapping:
        """The mapping of *category* (a known one), the same object every time."""
        found = self._made.get(category)
        if found is None:
            found = _Mapping(self.index, f"{self.data_dir}/{category}", self.targets[category])
            self._made[category] = found
        return found


@dataclass(slots=True)
class _Leaf:  # internal and numerous: a plain slotted class is several times cheaper to create
    dest: str
    mapping: _Mapping
    archive: str | None  # archive path; None for launchers
    digest: str  # RECORD digest; the entry point for launchers; "" for .pyc
    kind: str  # "link" | "script" | "launcher" | "pyc"
    executable: bool = False
    source_dest: str = ""  # for .pyc: the destination of its source file
    native: bool = False
    ep: EntryPoint | None = None  # for launchers


@dataclass
class _Claims:
    leaves: dict[str, list[_Leaf]] = field(default_factory=dict)

    def add(self, leaf: _Leaf) -> None:
        self.leaves.setdefault(leaf.dest, []).append(leaf)


def plan(
    wheels: Sequence[PlannedWheel],
    layout: VenvLayout,
    policy: Policy = _DEFAULT_POLICY,
) -> Plan:
    """Plan the venv at ``layout.prefix`` holding exactly *wheels*."""
    ordered = _dedupe(wheels)
    claims = _Claims()
    record_rows: dict[int, list[RecordRow]] = {}
    for index, wheel in enumerate(ordered):
        record_rows[index] = _map_wheel(index, wheel, layout, claims)
    winners, collisions = _resolve(claims, ordered)
    _release_natives(winners, claims, ordered)
    if collisions and policy.collisions == "error":
        first = collisions[0].describe()
        more = f" (and {len(collisions) - 1} more)" if len(collisions) > 1 else ""
        raise PlanError(
            f"file collision: {first}{more}",
            hint="drop one of the distributions, or pass --collisions warn",
        )
    actions, dir_links = _fold(winners, ordered, layout, policy.link_mode)
    for index, wheel in enumerate(ordered):
        links = dir_links.get(index, [])
        actions.extend(dist_info_actions(wheel, layout, record_rows[index], links))
    actions.sort(key=lambda a: a.dest)
    return Plan(
        prefix=layout.prefix,
        python=layout.python,
        link_mode=policy.link_mode,
        distributions=tuple(
            PlannedDistribution(
                w.record.name, w.record.version, w.record.filename, w.record.sha256, w.requested
            )
            for w in ordered
        ),
        actions=tuple(actions),
        collisions=tuple(collisions),
        files_served=sum(1 for leaf in winners.values() if leaf.kind in {"link", "script"}),
    )


def _dedupe(wheels: Iterable[PlannedWheel]) -> list[PlannedWheel]:
    by_name: dict[str, PlannedWheel] = {}
    for wheel in wheels:
        seen = by_name.get(wheel.record.name)
        if seen is None:
            by_name[wheel.record.name] = wheel
        elif seen.record.sha256 == wheel.record.sha256:
            if wheel.requested and not seen.requested:
                by_name[wheel.record.name] = wheel
        else:
            raise PlanError(
                f"two wheels for one distribution {wheel.record.name!r}:"
                f" {seen.record.filename} and {wheel.record.filename}",
                hint="keep one version and one build of each distribution",
            )
    return [by_name[name] for name in sorted(by_name)]


def _map_wheel(
    index: int, wheel: PlannedWheel, layout: VenvLayout, claims: _Claims
) -> list[RecordRow]:
    """Claim destinations for one wheel; return its RECORD rows (besides generated files)."""
    record = wheel.record
    _check_names(record)
    lib = lib_dir(record, layout)
    root = _Mapping(index, "", lib)
    dist_info = _Mapping(index, record.dist_info, join(lib, record.dist_info))
    data = _DataDirs(
        index,
        record.data_dir,
        {
            "purelib": layout.purelib,
            "platlib": layout.platlib,
            "scripts": layout.scripts,
            "data": layout.data,
            "headers": join(layout.include_site, record.display_name),
        },
    )
    rows = []
    py_dest: dict[str, str] = {}
    add = claims.add
    dist_info_name, data_dir = record.dist_info, record.data_dir
    special = {dist_info_name, data_dir}
    lib_slash = lib + "/" if lib else ""
    native = frozenset(record.native)
    for f in record.files:
        path = f.path
        head, _, rest = path.partition("/")
        if head not in special:  # the common case: the archive root
            dest = lib_slash + path
            add(_Leaf(dest, root, path, f.digest, "link", f.executable, native=path in native))
            rows.append(RecordRow(path, f.digest, str(f.size)))
            if path.endswith(".py"):
                py_dest[path] = dest
            continue
        if head == dist_info_name:
            if rest in GENERATED:
                continue
            mapping = dist_info
        else:
            category, _, inner = rest.partition("/")
            if category not in data.targets or not inner:
                raise PlanError(
                    f"unknown .data category {category!r}",
                    where=record.filename,
                    hint="the wheel is malformed",
                )
            mapping = data.mapping(category)
        dest = join(mapping.dest_prefix, path[len(mapping.archive_prefix) :].lstrip("/"))
        _check_data_dest(record, path, dest, layout)
        script = mapping.dest_prefix == layout.scripts and head == data_dir
        kind = "script" if script else "link"
        add(_Leaf(dest, mapping, path, f.digest, kind, f.executable, native=path in native))
        rel = relative_to(dest, lib)
        if script:
            rows.append(RecordRow(rel, "", "", dest=dest))
        else:
            rows.append(RecordRow(rel, f.digest, str(f.size)))
        if path.endswith(".py"):
            py_dest[path] = dest
    for pyc in sorted(wheel.bytecode):
        cache_dir, _, name = pyc.rpartition("/")
        package_dir = cache_dir.rpartition("/")[0] if "/" in cache_dir else ""
        source = join(package_dir, name.rsplit(".", 2)[0] + ".py")
        src_dest = py_dest.get(source)
        if src_dest is None:
            continue
        src_dir = src_dest.rpartition("/")[0]
        dest = f"{src_dir}/__pycache__/{name}" if src_dir else f"__pycache__/{name}"
        mapping = _mapping_for(source, record, root, data)
        claims.add(_Leaf(dest, mapping, pyc, "", "pyc", source_dest=src_dest))
        rows.append(RecordRow(relative_to(dest, lib), "", ""))
    for ep in record.entry_points:
        dest = join(layout.scripts, ep.name)
        _refuse_skeleton(record, f"{ep.group} entry point {ep.name!r}", dest, layout)
        # same group and value: the same launcher bytes in any venv, so not a collision
        identity = f"launcher:{ep.group}:{ep.value}"
        claims.add(_Leaf(dest, _Mapping(index, "", ""), None, identity, "launcher", True, ep=ep))
        rows.append(RecordRow(relative_to(dest, lib), "", "", dest=dest))
    return rows


def _is_segment(name: str) -> bool:
    return bool(name) and name not in {".", ".."} and not any(c in name for c in "/\\\0")


def _check_names(record: WheelRecord) -> None:
    """Names from the record that become one path segment each (ingest checks them too)."""
    names = [record.display_name, record.dist_info, record.data_dir]
    names.extend(ep.name for ep in record.entry_points)
    bad = next((n for n in names if not _is_segment(n)), None)
    if bad is not None:
        raise PlanError(
            f"the name {bad!r} would write outside its directory",
            where=record.filename,
            hint="its store entry predates this check; refused",
        )


def _refuse_skeleton(record: WheelRecord, what: str, dest: str, layout: VenvLayout) -> None:
    owned = layout.skeleton_path(dest, layout.skeleton())
    if owned is not None:
        raise PlanError(
            f"{what} would replace the venv's own {owned}",
            where=record.filename,
            hint="a venv cannot hold this wheel; refused",
        )


def _check_data_dest(record: WheelRecord, path: str, dest: str, layout: VenvLayout) -> None:
    """A ``.data`` file must not replace the venv's own files nor add a ``.dist-info``."""
    if not path.startswith(record.data_dir + "/"):
        return
    _refuse_skeleton(record, path, dest, layout)
    for lib in {layout.purelib, layout.platlib}:
        top = dest[len(lib) + 1 :].partition("/")[0] if dest.startswith(lib + "/") else ""
        if top.endswith(".dist-info"):
            raise PlanError(
                f"{path} would install {top}, a second distribution's metadata",
                where=record.filename,
                hint="a wheel installs exactly one .dist-info; refused",
            )


def _mapping_for(source: str, record: WheelRecord, root: _Mapping, data: _DataDirs) -> _Mapping:
    head, _, rest = source.partition("/")
    if head == record.data_dir:
        return data.mapping(rest.partition("/")[0])
    return root


def _resolve(
    claims: _Claims, wheels: Sequence[PlannedWheel]
) -> tuple[dict[str, _Leaf], list[Collision]]:
    """Pick one leaf per destination; report real collisions. Later names win."""
    winners: dict[str, _Leaf] = {}
    collisions: list[Collision] = []
    label = [w.record.label for w in wheels]
    pycs = []
    for dest in sorted(claims.leaves):
        leaves = claims.leaves[dest]
        if leaves[0].kind == "pyc":
            pycs.append(dest)
            continue
        if len(leaves) == 1:  # the common case: one wheel claims it
            winners[dest] = leaves[0]
            continue
        winner = max(leaves, key=lambda leaf: leaf.mapping.wheel)
        if len({leaf.digest for leaf in leaves}) > 1:
            losers = sorted({label[leaf.mapping.wheel] for leaf in leaves if leaf is not winner})
            collisions.append(
                Collision(dest, label[winner.mapping.wheel], tuple(losers), "content")
            )
        winners[dest] = winner
    _file_against_directory(winners, collisions, label)
    for dest in pycs:
        leaves = claims.leaves[dest]
        source = winners.get(leaves[0].source_dest)
        if source is None:
            continue
        chosen = [leaf for leaf in leaves if leaf.mapping.wheel == source.mapping.wheel]
        if chosen:
            winners[dest] = chosen[0]
    return winners, collisions


def _release_natives(
    winners: dict[str, _Leaf], claims: _Claims, wheels: Sequence[PlannedWheel]
) -> None:
    """Clear ``native`` on the native files a fold cannot break (see :mod:`graft.plan.origin`)."""
    from graft.plan.origin import needs_real_path  # noqa: PLC0415

    searches = [
        None if w.record.origins is None else {o.path: o for o in w.record.origins} for w in wheels
    ]
    ordered: list[str] | None = None

    def only(mapping: _Mapping) -> Callable[[str], bool]:
        def check(directory: str) -> bool:
            nonlocal ordered
            if ordered is None:
                ordered = sorted(claims.leaves)
            if directory in claims.leaves:
                return False  # a file where the loader expects a directory
            start = bisect.bisect_left(ordered, directory + "/")
            end = bisect.bisect_left(ordered, directory + "0")  # "0" sorts right after "/"
            return all(
                leaf.mapping == mapping for d in ordered[start:end] for leaf in claims.leaves[d]
            )

        return check

    for dest, leaf in winners.items():
        if not leaf.native:
            continue
        by_path = searches[leaf.mapping.wheel]
        if by_path is None:
            continue  # a record from before graft read search paths: keep the old rule
        search = by_path.get(leaf.archive or "")
        leaf.native = needs_real_path(dest, leaf.mapping.dest_prefix, search, only(leaf.mapping))


def _file_against_directory(
    winners: dict[str, _Leaf], collisions: list[Collision], label: list[str]
) -> None:
    """A destination that is a file for one wheel and a directory for another."""
    directories: set[str] = set()
    for dest in winners:
        parent = dest
        while "/" in parent:
            parent = parent.rpartition("/")[0]
            if parent in directories:
                break
            directories.add(parent)
    clashes = sorted(d for d in directories if d in winners)
    if not clashes:
        return
    ordered = sorted(winners)
    for dest in clashes:
        if dest not in winners:
            continue  # removed under an earlier clash
        start = bisect.bisect_left(ordered, dest + "/")
        end = bisect.bisect_left(ordered, dest + "0")  # "0" sorts right after "/"
        below = [d for d in ordered[start:end] if d in winners]
        file_leaf = winners[dest]
        dir_wheels = {winners[d].mapping.wheel for d in below}
        top = max(dir_wheels | {file_leaf.mapping.wheel})
        if top == file_leaf.mapping.wheel:
            for d in below:
                del winners[d]
            losers = sorted({label[w] for w in dir_wheels if w != top})
        else:
            del winners[dest]
            losers = [label[file_leaf.mapping.wheel]]
        if losers:
            collisions.append(Collision(dest, label[top], tuple(losers), "file-vs-directory"))


@dataclass
class _Dir:
    mappings: set[_Mapping] = field(default_factory=set)
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
    - every directory of the configuration directory (``etc``), whose files are copies
      (:class:`~graft.plan.types.CopyFile`).
    """

    def __init__(self, winners: dict[str, _Leaf], layout: VenvLayout) -> None:
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
        self._config = layout.config

    def __call__(self, path: str) -> bool:
        if path.startswith(self._code):
            return self._namespace(path)
        if path == self._config or path.startswith(f"{self._config}/"):
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


def _fold(
    winners: dict[str, _Leaf],
    wheels: Sequence[PlannedWheel],
    layout: VenvLayout,
    link_mode: LinkMode,
) -> tuple[list[Action], dict[int, list[str]]]:
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

    config = f"{layout.config}/"  # its files are copied
    real: set[str] = {""}  # directories created in the venv; anything else lies inside a fold
    for path in sorted(dirs):
        if not path or _parent(path) not in real:
            continue
        node = dirs[path]
        if foldable(path, node):
            (mapping,) = node.mappings
            wheel = wheels[mapping.wheel]
            source = os.path.join(wheel.tree, mapping.source_dir(path))
            actions.append(LinkDir(path, source, wheel.record.filename))
            dir_links.setdefault(mapping.wheel, []).append(path)
        else:
            real.add(path)
            actions.append(MakeDir(path))
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
            step = CopyFile if dest.startswith(config) else LinkFile
            actions.append(step(dest, f"{wheel.tree}/{leaf.archive}", name))
    return actions, dir_links
