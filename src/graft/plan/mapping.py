"""The planner's first step, *map*: every file of one wheel claims its venv destination.

Each archive path (and each ``.pyc`` compiled for the target) becomes a :class:`Leaf` at the
destination a copying installer would give it, through its :class:`Mapping` (which archive
directory of which wheel goes to which destination directory), and is added to the plan's
:class:`Claims`. Names that become path segments, and ``.data`` files that would replace the
venv's own files or add a ``.dist-info``, are refused here. Claims, leaves and mappings are
the structures the planner (:mod:`graft.plan.planner`) resolves and :mod:`graft.plan.fold`
folds. Pure functions; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from graft.errors import PlanError
from graft.plan.distinfo import GENERATED, join, lib_dir, relative_to
from graft.plan.types import RecordRow

if TYPE_CHECKING:
    from graft.model.record import EntryPoint, FileRecord, StatedRow, WheelRecord
    from graft.plan.planned import PlannedWheel
    from graft.plan.types import VenvLayout


@dataclass(frozen=True, slots=True, eq=False)
class Mapping:  # one per wheel and archive directory (a launcher has its own): by identity
    """Which archive directory of one wheel goes to which destination directory."""

    wheel: int
    archive_prefix: str  # "" for the archive root
    dest_prefix: str

    def dest_of(self, archive_path: str) -> str:
        """Where *archive_path* (at or below ``archive_prefix``) goes."""
        return join(self.dest_prefix, archive_path[len(self.archive_prefix) :].lstrip("/"))

    def source_dir(self, dest_dir: str) -> str:
        """The archive directory that *dest_dir* (at or below ``dest_prefix``) comes from."""
        rel = dest_dir[len(self.dest_prefix) :].lstrip("/") if self.dest_prefix else dest_dir
        return "/".join(p for p in (self.archive_prefix, rel) if p)


class _DataDirs:
    """One wheel's ``.data`` categories: where each goes, and its one mapping object.

    With *lib64* (the venv links ``lib64`` to ``lib`` at its data directory, the prefix),
    ``data/lib64`` is a mapping of its own, to ``lib``: pip and uv write it through that
    link (decision 410).
    """

    def __init__(
        self, index: int, data_dir: str, targets: dict[str, str], *, lib64: bool = False
    ) -> None:
        self.index, self.data_dir, self.targets = index, data_dir, targets
        if lib64:
            self.targets = {**targets, _LIB64: join(targets["data"], "lib")}
        self._made: dict[str, Mapping] = {}

    def mapping(self, category: str, inner: str = "") -> Mapping:
        """The mapping of *category* (a known one), the same object every time.

        *inner*: the path below the category, which may make it ``data/lib64``'s.
        """
        if category == "data" and inner.startswith("lib64/") and _LIB64 in self.targets:
            category = _LIB64
        found = self._made.get(category)
        if found is None:
            found = Mapping(self.index, f"{self.data_dir}/{category}", self.targets[category])
            self._made[category] = found
        return found


#: The pseudo-category of a venv's ``.data/data/lib64`` (:class:`_DataDirs`).
_LIB64 = "data/lib64"


@dataclass(slots=True)
class Leaf:  # internal and numerous: a plain slotted class is several times cheaper to create
    """One claim: a file a wheel places at a destination (link, script, launcher or ``.pyc``)."""

    dest: str
    mapping: Mapping
    archive: str | None  # archive path; None for launchers
    digest: str  # RECORD digest; the entry point for launchers; "" for .pyc
    kind: str  # "link" | "script" | "launcher" | "pyc"
    executable: bool = False
    source_dest: str = ""  # for .pyc: the destination of its source file
    native: bool = False
    ep: EntryPoint | None = None  # for launchers


@dataclass
class Claims:
    """Every wheel's leaves, by destination."""

    leaves: dict[str, list[Leaf]] = field(default_factory=dict)

    def add(self, leaf: Leaf) -> None:
        """Claim *leaf*'s destination (beside any other wheel's claim on it)."""
        self.leaves.setdefault(leaf.dest, []).append(leaf)


def map_wheel(
    index: int, wheel: PlannedWheel, layout: VenvLayout, claims: Claims
) -> list[RecordRow]:
    """Claim destinations for one wheel; return its RECORD rows (besides generated files)."""
    record = wheel.record
    _check_names(record)
    lib = lib_dir(record, layout)
    root = Mapping(index, "", lib)
    dist_info = Mapping(index, record.dist_info, join(lib, record.dist_info))
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
        lib64=layout.lib64 and not layout.data,
    )
    rows = []
    py_dest: dict[str, str] = {}
    add = claims.add
    dist_info_name, data_dir = record.dist_info, record.data_dir
    special = {dist_info_name, data_dir}
    lib_slash = lib + "/" if lib else ""
    native, stated = (  # (the rows copied as the wheel gives them: decisions 383, 384)
        frozenset(record.native),
        {r.path: r for r in (*record.stated, *record.copied)},
    )
    for f in record.files:
        path = f.path
        head, _, rest = path.partition("/")
        if head not in special:  # the common case: the archive root
            dest = lib_slash + path
            add(Leaf(dest, root, path, f.digest, "link", f.executable, native=path in native))
            rows.append(  # (a stated row is rare: a RECORD that does not vouch for the file)
                _row(path, f, stated) if path in stated else RecordRow(path, f.digest, str(f.size))
            )
            if path.endswith(".py"):
                py_dest[path] = dest
            continue
        if head == dist_info_name:
            if rest in GENERATED:
                continue
            mapping = scheme = dist_info
        else:
            category, _, inner = rest.partition("/")
            if category not in data.targets or not inner:
                raise PlanError(
                    f"unknown .data category {category!r}",
                    where=record.filename,
                    hint="the wheel is malformed",
                )
            mapping, scheme = data.mapping(category, inner), data.mapping(category)
        dest = mapping.dest_of(path)
        rel = relative_to(scheme.dest_of(path), lib)  # (lib64/… where it lands in lib: 410)
        _check_data_dest(record, path, dest, layout)
        script = mapping.dest_prefix == layout.scripts and head == data_dir
        kind = "script" if script else "link"
        add(Leaf(dest, mapping, path, f.digest, kind, f.executable, native=path in native))
        if script:
            rows.append(RecordRow(rel, "", "", dest=dest))
        else:
            rows.append(_row(rel, f, stated))
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
        claims.add(Leaf(dest, mapping, pyc, "", "pyc", source_dest=src_dest))
        rows.append(RecordRow(relative_to(dest, lib), "", ""))
    for ep in launchers(record.entry_points, layout.python_version):
        dest = join(layout.scripts, ep.name)
        _refuse_skeleton(record, f"{ep.group} entry point {ep.name!r}", dest, layout)
        # same group and value: the same launcher bytes in any venv, so not a collision
        identity = f"launcher:{ep.group}:{ep.value}"
        claims.add(Leaf(dest, Mapping(index, "", ""), None, identity, "launcher", True, ep=ep))
        rows.append(RecordRow(relative_to(dest, lib), "", "", dest=dest))
    return rows


def _row(rel: str, f: FileRecord, stated: dict[str, StatedRow]) -> RecordRow:
    """*f*'s RECORD row at *rel*: the wheel's own row where it does not vouch for the file.

    pip and uv copy such a row as the wheel gives it, and uv lists a member RECORD does not
    with its size alone (decision 383); so is a row that vouches for it spelt otherwise than
    graft's (sha512, no size: decision 384).
    """
    row = stated.get(f.path)
    if row is None:
        return RecordRow(rel, f.digest, str(f.size))
    return (
        RecordRow(rel, row.digest, row.size)
        if row.digest is not None
        else RecordRow(rel, "", str(f.size))
    )


#: pip's and setuptools' launchers named for a Python version: whatever Python built the wheel
#: (``pip3.11`` in pip 23.2.1's), pip and uv install them for the venv's (``pip3.12``), as
#: pip's ``get_console_script_specs`` does: every versioned name dropped, the bare one's
#: entry point given these names.
_VERSIONED = (
    ("pip", re.compile(r"pip(\d+(\.\d+)?)?"), ("pip{major}", "pip{version}")),
    ("easy_install", re.compile(r"easy_install(-\d+\.\d+)?"), ("easy_install-{version}",)),
)


def launchers(entry_points: tuple[EntryPoint, ...], version: str) -> tuple[EntryPoint, ...]:
    """The *entry_points* a venv of Python *version* (``3.12``) gets launchers for.

    As declared, except pip's and easy_install's versioned console scripts (:data:`_VERSIONED`).
    """
    out = list(entry_points)
    for bare, versioned, names in _VERSIONED:
        console = [ep for ep in out if ep.group == "console_scripts"]
        base = next((ep for ep in console if ep.name == bare), None)
        if base is None:
            continue
        out = [ep for ep in out if ep not in console or not versioned.fullmatch(ep.name)]
        major = version.partition(".")[0]
        wanted = [bare, *(n.format(major=major, version=version) for n in names)]
        out += [replace(base, name=name) for name in dict.fromkeys(wanted)]
    return tuple(out)


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


def _mapping_for(source: str, record: WheelRecord, root: Mapping, data: _DataDirs) -> Mapping:
    head, _, rest = source.partition("/")
    if head == record.data_dir:
        category, _, inner = rest.partition("/")
        return data.mapping(category, inner)
    return root
