"""Hand-built wheel records for pure planner tests (no files, no network)."""

from __future__ import annotations

import hashlib

from packaging.utils import canonicalize_name

from graft.model.record import EntryPoint, FileRecord, OriginSearch, WheelRecord, is_native
from graft.plan.planned import PlannedWheel
from graft.plan.types import VenvLayout

LAYOUT = VenvLayout(
    prefix="/venv",
    purelib="lib/python3.11/site-packages",
    platlib="lib/python3.11/site-packages",
    scripts="bin",
    data="",
    include_site="include/site/python3.11",
    lib64=True,  # (python -m venv's lib64 -> lib, as on 64-bit Linux)
)
SP = LAYOUT.purelib


def digest_of(content: str) -> str:
    return "sha256=" + hashlib.sha256(content.encode()).hexdigest()


def wheel(
    name: str,
    files: dict[str, str] | list[str],
    *,
    version: str = "1.0",
    entry_points: tuple[EntryPoint, ...] = (),
    bytecode: frozenset[str] = frozenset(),
    requested: bool = True,
    sha: str | None = None,
    origins: dict[str, tuple[str, ...]] | None = None,
) -> PlannedWheel:
    """A planned wheel whose files have the given contents (a list means: content = path+name).

    *origins* maps native files to their ``$ORIGIN`` search entries; None leaves the record
    unanalysed (every native file keeps its path real).
    """
    contents = files if isinstance(files, dict) else {p: f"{name}:{p}" for p in files}
    dist_info = f"{name}-{version}.dist-info"
    all_files = {**contents, f"{dist_info}/METADATA": f"Name: {name}", f"{dist_info}/RECORD": ""}
    records = tuple(
        FileRecord(path, digest_of(text), len(text)) for path, text in sorted(all_files.items())
    )
    record = WheelRecord(
        filename=f"{name}-{version}-py3-none-any.whl",
        sha256=sha
        or hashlib.sha256(f"{name}{version}{sorted(contents.items())}".encode()).hexdigest(),
        name=canonicalize_name(name),
        display_name=name,
        version=version,
        build="",
        tags=("py3-none-any",),
        dist_info=dist_info,
        data_dir=f"{name}-{version}.data",
        root_is_purelib=True,
        files=records,
        native=tuple(p for p in contents if is_native(p)),
        origins=None
        if origins is None
        else tuple(OriginSearch(p, e) for p, e in sorted(origins.items()) if e),
        entry_points=entry_points,
    )
    return PlannedWheel(
        record=record, tree=f"/store/{record.sha256}/tree", bytecode=bytecode, requested=requested
    )
