"""Re-hash store entries against their wheel records (``graft store verify``)."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.store import Store


@dataclass(frozen=True, slots=True)
class EntryProblem:
    entry: str  # sha256 of the wheel
    wheel: str
    path: str
    problem: str  # "missing", "size", "hash", "unreadable record"


def _digest(path: str, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return algorithm + "=" + base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode()


def verify_store(store: Store) -> tuple[int, list[EntryProblem]]:
    """(entries checked, problems). Every file of every entry must match its record."""
    from graft.errors import StoreError  # noqa: PLC0415

    problems: list[EntryProblem] = []
    try:
        names = sorted(os.listdir(store.entries_dir))
    except FileNotFoundError:
        return 0, []
    checked = 0
    for sha in names:
        try:
            entry = store.peek(sha)
        except StoreError:
            entry = None
        if entry is None:
            if _vanished(store, sha):
                continue
            problems.append(EntryProblem(sha, "?", "record.json", "unreadable record"))
            checked += 1
            continue
        found = []
        for f in entry.record.files:
            path = os.path.join(entry.tree, f.path)
            try:
                if os.lstat(path).st_size != f.size:
                    problem = "size"
                elif _digest(path, f.digest.partition("=")[0]) != f.digest:
                    problem = "hash"
                else:
                    continue
            except FileNotFoundError:
                problem = "missing"
            found.append(EntryProblem(sha, entry.record.filename, f.path, problem))
        if found and _vanished(store, sha):
            continue
        problems.extend(found)
        checked += 1
    return checked, problems


def _vanished(store: Store, sha: str) -> bool:
    """The entry was removed while we read it (``graft store gc`` renames it away whole)."""
    return not os.path.lexists(store.entry_path(sha))
