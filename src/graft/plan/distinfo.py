"""What graft writes into every ``.dist-info``: INSTALLER, REQUESTED, direct_url.json, RECORD.

Pure functions of a planned wheel, the venv layout and the rows the planner mapped. RECORD
lists every installed path relative to the directory holding the ``.dist-info`` (PEP 376 /
the binary distribution format), with real hashes; rows whose bytes exist only once the
venv does (launchers, ``.data/scripts`` with a rewritten shebang) are left for the
materializer to hash. Directory links are listed too (decision 6).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from graft.plan.types import RecordRow, WriteFile, WriteRecord, record_digest

if TYPE_CHECKING:
    from collections.abc import Iterable

    from graft.model.record import WheelRecord
    from graft.plan.planned import PlannedWheel
    from graft.plan.types import Action, VenvLayout

#: Files of a wheel's own .dist-info that graft writes instead of linking.
GENERATED = ("INSTALLER", "REQUESTED", "direct_url.json", "RECORD")


def lib_dir(record: WheelRecord, layout: VenvLayout) -> str:
    """The site-packages directory a wheel's root goes to: purelib or platlib, as it declares."""
    return layout.purelib if record.root_is_purelib else layout.platlib


def join(*parts: str) -> str:
    """Non-empty *parts* joined with ``/``."""
    return "/".join(p for p in parts if p)


def relative_to(dest: str, lib: str) -> str:
    """*dest* as a RECORD path: relative to the directory holding the .dist-info."""
    if dest.startswith(lib + "/"):
        return dest[len(lib) + 1 :]
    # both are relative to the prefix: no os.path.relpath, which consults the working directory
    to, start = dest.split("/"), lib.split("/") if lib else []
    common = 0
    while common < min(len(to), len(start)) and to[common] == start[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + to[common:])


def _generated(wheel: PlannedWheel) -> list[tuple[str, bytes]]:
    out = [("INSTALLER", b"graft\n")]
    if wheel.requested:
        out.append(("REQUESTED", b""))
    if wheel.direct_url is not None:
        out.append(("direct_url.json", wheel.direct_url.encode()))
    return out


def dist_info_actions(
    wheel: PlannedWheel, layout: VenvLayout, rows: list[RecordRow], dir_links: Iterable[str]
) -> list[Action]:
    """The generated files of one wheel's .dist-info and its RECORD.

    *rows* are the planner's rows for the wheel's own files; *dir_links* the venv paths of
    the directory links made from it.
    """
    record = wheel.record
    lib = lib_dir(record, layout)
    base = join(lib, record.dist_info)
    actions: list[Action] = []
    all_rows = list(rows)
    for name, content in _generated(wheel):
        actions.append(WriteFile(f"{base}/{name}", content, record.filename))
        digest = record_digest(content)
        all_rows.append(RecordRow(relative_to(f"{base}/{name}", lib), digest, str(len(content))))
    all_rows.extend(RecordRow(relative_to(link, lib), "", "") for link in dir_links)
    all_rows.append(RecordRow(f"{record.dist_info}/RECORD", "", ""))
    all_rows.sort(key=lambda r: r.path)
    known = _csv(r for r in all_rows if not r.dest)
    pending = tuple(r for r in all_rows if r.dest)
    actions.append(WriteRecord(f"{base}/RECORD", known, pending, record.filename))
    return actions


def _csv(rows: Iterable[RecordRow]) -> str:
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(row[:3] for row in rows)
    return buffer.getvalue()


def direct_url_for_file(path: str, sha256: str) -> str:
    """PEP 610 ``direct_url.json`` for a wheel installed from a local file."""
    from pathlib import Path  # noqa: PLC0415

    return json.dumps(
        {
            "archive_info": {"hash": f"sha256={sha256}", "hashes": {"sha256": sha256}},
            "url": Path(os.path.abspath(path)).as_uri(),
        },
        sort_keys=True,
    )


__all__ = [
    "GENERATED",
    "direct_url_for_file",
    "dist_info_actions",
    "join",
    "lib_dir",
    "relative_to",
]
