"""RECORDs against the files.

Missing and modified files, collisions, RECORD-less and duplicate distributions, files no
RECORD lists.

* Rows without a hash (RECORD itself, graft's directory links) are checked for existence only,
  ``.pyc`` rows not at all (Python rebuilds them). Sizes are compared by default, hashes with
  ``--deep``. A path several distributions list may hold any of their copies (a collision);
  which one it holds is always hashed.
* The winner of a collision by graft's rule is the normalized name that sorts last, as the
  planner decides (:class:`graft.plan.collision.Collision`); the audit also says whose copy
  is present.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

from graft.audit.findings import Finding, Kind, finding
from graft.audit.layout import hash_algorithm
from graft.plan.collision import Collision
from graft.plan.types import CONFIG_DIRS

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from graft.audit.layout import DistInfo, Row, Venv

_GRAFT_OWN = (".graft",)  # names graft may keep in site-packages (none today)


def check_records(venv: Venv) -> list[Finding]:
    """Missing files, modified files, collisions; RECORD-less distributions."""
    out = [
        finding(Kind.NO_RECORD, dist.path, [dist.label], "the .dist-info has no readable RECORD")
        for dist in venv.dists
        if not dist.has_record
    ]
    clashes = _file_vs_directory(venv)
    for path in venv.owned_sorted:
        rows = venv.by_path[path]
        if path.endswith(".pyc") or "/__pycache__/" in f"/{path}":
            continue
        if path in clashes:
            out.append(_clash_finding(venv, path, *clashes[path]))
        elif not os.path.lexists(venv.abs(path)):
            if not _under_dangling(venv, path):
                dists = [r.dist for r in rows]
                out.append(finding(Kind.MISSING_FILE, path, dists, "listed in RECORD but missing"))
        elif path not in venv.dangling:
            hashed = [r for r in rows if r.digest]
            if hashed:
                out.extend(_check_bytes(venv, path, hashed))
    return out


def _under_dangling(venv: Venv, rel: str) -> bool:
    parts = rel.split("/")
    return any("/".join(parts[:i]) in venv.dangling for i in range(1, len(parts) + 1))


def _file_vs_directory(venv: Venv) -> dict[str, tuple[set[str], set[str]]]:
    """Paths one distribution lists as a file (with a hash) and another as a directory."""
    as_file = {
        path: {r.dist for r in rows if r.digest}
        for path, rows in venv.by_path.items()
        if any(r.digest for r in rows)
    }
    out: dict[str, tuple[set[str], set[str]]] = {}
    for path, rows in venv.by_path.items():
        parent = path
        while "/" in parent:
            parent = parent.rpartition("/")[0]
            files = as_file.get(parent)
            if files is None:
                continue
            dirs = {r.dist for r in rows} - files
            if dirs:
                clash = out.setdefault(parent, (set(), set()))
                clash[0].update(files)
                clash[1].update(dirs)
    return out


def _check_bytes(venv: Venv, path: str, rows: list[Row]) -> list[Finding]:
    full = venv.abs(path)
    dists = [r.dist for r in rows]
    if os.path.isdir(full):
        return [
            finding(Kind.MODIFIED_FILE, path, dists, "RECORD lists a file; this is a directory")
        ]
    digests = {r.digest for r in rows}
    collision = len(digests) > 1
    if collision or venv.deep:
        try:
            actual = venv.digest(full, hash_algorithm(next(iter(digests))))
        except (OSError, ValueError) as exc:
            actual = f"unreadable ({exc})"
        holders = sorted({r.dist for r in rows if r.digest == actual})
        out = [_content_collision(path, rows, holders)] if collision else []
        if not holders:
            out.append(_modified(path, dists, "bytes differ from RECORD's hash"))
        return out
    try:
        size = os.stat(full).st_size
    except OSError as exc:
        return [finding(Kind.MODIFIED_FILE, path, dists, f"cannot stat it ({exc.strerror})")]
    expected = {r.size for r in rows if r.size is not None}
    if expected and size not in expected:
        detail = f"size {size}, RECORD says {', '.join(map(str, sorted(expected)))}"
        return [_modified(path, dists, detail)]
    return []


def _modified(path: str, dists: list[str], detail: str) -> Finding:
    """A file that differs from its RECORD: only noted for a configuration file.

    One below ``etc/`` or a kernel spec: a tool run in the venv rewrites those, as in any
    flat install (decisions 90, 107).
    """
    if path.startswith(tuple(f"{c}/" for c in CONFIG_DIRS)):
        note = f"{detail}: a configuration file, rewritten in the venv (by a tool's --sys-prefix)"
        return finding(Kind.MODIFIED_FILE, path, dists, note, severity="info")
    return finding(Kind.MODIFIED_FILE, path, dists, detail)


def _winner(labels: Iterable[str]) -> str:
    """Graft's collision rule (``planner._resolve``): the normalized name that sorts last."""
    return max(labels, key=lambda label: (label.partition("==")[0], label))  # ties: by label


def _collision(
    path: str,
    everyone: Collection[str],
    winner: str,
    reason: Literal["content", "file-vs-directory"],
    present: str,
) -> Finding:
    """A collision finding: who provides *path*, who wins, and whose copy is *present*."""
    collision = Collision(path, winner, tuple(sorted(set(everyone) - {winner})), reason)
    return finding(Kind.COLLISION, path, everyone, f"{collision.describe()}; {present}")


def _clash_finding(venv: Venv, path: str, as_file: set[str], as_dir: set[str]) -> Finding:
    everyone = as_file | as_dir
    present = as_dir if os.path.isdir(venv.abs(path)) else as_file
    holds = f"the venv holds {' and '.join(sorted(present))}'s"
    return _collision(path, everyone, _winner(everyone), "file-vs-directory", holds)


def _content_collision(path: str, rows: list[Row], holders: list[str]) -> Finding:
    dists = sorted({r.dist for r in rows})
    winner = _winner(dists)
    if holders:
        holds = f"the venv holds {' and '.join(holders)}'s copy"
        if winner not in holders:
            holds += f" (graft would install {winner}'s)"
    else:
        holds = "the venv holds none of their copies"
    return _collision(path, dists, winner, "content", holds)


def check_duplicates(venv: Venv) -> list[Finding]:
    """Two or more .dist-info directories of one distribution."""
    by_name: dict[str, list[DistInfo]] = {}
    for dist in venv.dists:
        by_name.setdefault(dist.name, []).append(dist)
    out = []
    for name, found in sorted(by_name.items()):
        if len(found) > 1:
            names = ", ".join(d.path.rpartition("/")[2] for d in found)
            detail = f"{len(found)} .dist-info directories for {name}: {names}"
            labels = [d.label for d in found]
            out.append(finding(Kind.DUPLICATE_DISTRIBUTION, found[-1].path, labels, detail))
    return out


def check_unowned(venv: Venv) -> list[Finding]:
    """Files below site-packages that no RECORD lists, one finding per top-level entry."""
    groups: dict[str, list[str]] = {}
    for rel in venv.site_files:
        site = venv.site_of(rel)
        if site is None or rel in venv.by_path or rel.endswith(".pyc"):
            continue
        head = rel[len(site) + 1 :].split("/")[0]
        if not head.startswith(_GRAFT_OWN):
            groups.setdefault(f"{site}/{head}", []).append(rel)
    out = []
    for top, files in sorted(groups.items()):
        if files == [top]:
            detail = "no RECORD lists it"
        else:
            detail = f"{len(files)} files below it that no RECORD lists, e.g. {files[0]}"
        out.append(finding(Kind.UNOWNED_FILE, top, [], detail))
    return out
