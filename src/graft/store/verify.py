"""Check store entries all the way down to their wheel (``graft store verify``).

For each entry:

1. every file ``record.json`` lists has its size and sha256;
2. the entry's RECORD (the ``.dist-info/RECORD`` inside it, which came from the wheel) lists
   exactly the files ``record.json`` lists, with the same hashes and sizes, and the tree holds
   nothing else (``__pycache__`` directories aside: graft compiles bytecode into them); the
   rows ingest found not to vouch for their files (``record.json``'s ``stated``, decision 383)
   must be as the wheel gave them, their files checked by step 1 alone;
2b. every ``.pyc`` graft compiled has the sha256 its ``bytecode/<tag>.json`` lists, and a
   ``__pycache__`` holds no other file of a listed tag that RECORD does not list (bytecode of
   a tag without a list, which a killed compile leaves, is a note: the next compile for that
   tag writes it again);
3. the RECORD and ``record.json`` are the ones ingest wrote, by the digests kept in the
   entry's marker in ``verified/`` (:mod:`graft.store.verified`), which lives outside ``entries/``;
4. where the wheel file is at hand (the path it was ingested from, or the download cache),
   its sha256 is the entry's name and its RECORD member equals the entry's RECORD byte for byte;
   for an entry without a marker, ``record.json`` must also equal the record ingest derives
   from the wheel (the wheel is unpacked again into ``tmp/`` for that).

An entry without a marker passes only with step 4; it then gets a marker. Without a marker
and without its wheel, its authenticity cannot be checked: that is a *note*, not a problem
(the next sync that needs it re-ingests it from its wheel, since sync trusts marked entries only).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.store.entries import Store, StoreEntry
    from graft.store.verified import Marker


@dataclass(frozen=True, slots=True)
class EntryProblem:
    """One file of one entry that is not what it should be."""

    entry: str  # sha256 of the wheel
    wheel: str
    path: str
    problem: str  # "missing", "size", "hash", "unreadable record", "not in RECORD", ...


@dataclass(slots=True)
class Verification:
    """What ``graft store verify`` found."""

    checked: int = 0
    problems: list[EntryProblem] = field(default_factory=list)
    notes: list[EntryProblem] = field(default_factory=list)  # authenticity not checkable
    damaged: list[str] = field(default_factory=list)  # sha256 of each entry with a problem


def _digest(path: str, algorithm: str) -> str:
    from graft._fs import file_digest  # noqa: PLC0415
    from graft.model.record import record_hash  # noqa: PLC0415

    return record_hash(algorithm, file_digest(path, algorithm))


def _sha256_hex(path: str) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def verify_store(store: Store, wheel_cache: str | None = None) -> Verification:
    """Check every entry (see the module's docstring); *wheel_cache* is the download cache."""
    from graft._home import cache_root  # noqa: PLC0415

    cache = wheel_cache if wheel_cache is not None else os.path.join(cache_root(), "wheels")
    result = Verification()
    try:
        names = sorted(os.listdir(store.entries_dir))
    except FileNotFoundError:
        return result
    for sha in names:
        problems, notes = verify_entry(store, sha, cache)
        if problems is None:  # removed by gc while we read it
            continue
        result.checked += 1
        result.problems.extend(problems)
        result.notes.extend(notes)
        if problems:
            result.damaged.append(sha)
    return result


def verify_entry(
    store: Store, sha: str, cache: str
) -> tuple[list[EntryProblem] | None, list[EntryProblem]]:
    """(problems, notes) for ``entries/<sha>``; problems is None if the entry vanished."""
    from graft.errors import StoreError  # noqa: PLC0415
    from graft.store import verified  # noqa: PLC0415

    try:
        entry = store.peek(sha)
    except StoreError:
        entry = None
    if entry is None:
        if _vanished(store, sha):
            return None, []
        return [EntryProblem(sha, "?", "record.json", "unreadable record")], []
    marker = verified.read(store.root, sha)
    found = _check_files(entry) + _check_record(entry)
    if entry.record.sha256 != sha:
        found.append(EntryProblem(sha, entry.record.filename, "record.json", "names another wheel"))
    found += _check_marker(entry, marker)
    bytecode_found, notes = _check_bytecode(entry)
    found += bytecode_found
    from graft.store.verified import find_wheel  # noqa: PLC0415

    wheel = find_wheel(store.root, sha, cache)
    if wheel is not None:
        found += _check_wheel(entry, wheel)
    if found and _vanished(store, sha):
        return None, []
    if marker is None and wheel is not None and not found:
        found += _check_derived(store, entry, wheel)
    if marker is None and wheel is not None and not found:
        from graft.store.verified import Marker  # noqa: PLC0415

        record = os.path.join(entry.tree, entry.record.dist_info, "RECORD")
        record_json = os.path.join(entry.path, "record.json")
        digests = _sha256_hex(record) or "", _sha256_hex(record_json) or ""
        try:
            marker = Marker(*digests, wheel, os.path.getsize(wheel))
            os.makedirs(os.path.join(store.root, verified.DIRECTORY), exist_ok=True)
            verified.mark(store.root, sha, marker)
        except OSError:
            pass  # a store we may not write: the next sync re-ingests it instead
    elif marker is None and wheel is None:
        notes.append(
            EntryProblem(
                sha,
                entry.record.filename,
                "RECORD",
                "not authenticated: no wheel file for it here (the next sync that uses it "
                "re-ingests it from its wheel)",
            )
        )
    return found, notes


def _check_files(entry: StoreEntry) -> list[EntryProblem]:
    """Every file record.json lists, by size and hash."""
    import stat  # noqa: PLC0415

    found = []
    for f in entry.record.files:
        path = os.path.join(entry.tree, f.path)
        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                problem = "not a regular file"
            elif st.st_size != f.size:
                problem = "size"
            elif _digest(path, f.digest.partition("=")[0]) != f.digest:
                problem = "hash"
            else:
                continue
        except FileNotFoundError:
            problem = "missing"
        found.append(EntryProblem(entry.record.sha256, entry.record.filename, f.path, problem))
    return found


def _record_rows(path: str, wheel: str) -> dict[str, tuple[str, str]] | None:
    """The entry's RECORD as ingest read it: each path's first row (decision 384)."""
    from graft.errors import WheelError  # noqa: PLC0415
    from graft.wheel.members import parse_record  # noqa: PLC0415

    try:
        with open(path, encoding="utf-8", errors="surrogateescape", newline="") as fh:
            return parse_record(wheel, fh.read())[0]
    except (OSError, WheelError):
        return None


def _check_record(entry: StoreEntry) -> list[EntryProblem]:
    """The wheel's own RECORD against record.json, and the tree against both."""
    record = entry.record
    sha, wheel = record.sha256, record.filename
    record_path = f"{record.dist_info}/RECORD"
    rows = _record_rows(os.path.join(entry.tree, record_path), wheel)
    if rows is None:
        return [EntryProblem(sha, wheel, record_path, "unreadable RECORD")]
    found = []
    listed = {f.path: f for f in record.files}
    signatures = {f"{record.dist_info}/RECORD.jws", f"{record.dist_info}/RECORD.p7s"}
    # rows that did not vouch for their files in the wheel, as ingest took them (decision 383):
    # the files are checked against record.json's digests of the bytes unpacked instead
    stated = {r.path: r for r in record.stated}
    for path, (digest, size) in sorted(rows.items()):
        if path == record_path or path in signatures:
            continue
        row = stated.get(path)
        if row is not None and (row.digest, row.size) == (digest, size):
            continue
        f = listed.get(path)
        if f is None:
            found.append(EntryProblem(sha, wheel, path, "in RECORD, not in record.json"))
            continue
        algorithm = digest.partition("=")[0]
        want = f.digest if algorithm == "sha256" else None
        try:
            if want is None:
                want = _digest(os.path.join(entry.tree, path), algorithm)
        except (OSError, ValueError):
            want = None
        if digest != want or (size and size != str(f.size)):
            found.append(EntryProblem(sha, wheel, path, "record.json disagrees with RECORD"))
    unlisted = {r.path for r in record.stated if r.digest is None}
    unrecorded = sorted(set(listed) - set(rows) - signatures - {record_path} - unlisted)
    found.extend(EntryProblem(sha, wheel, path, "not in RECORD") for path in unrecorded)
    found.extend(
        EntryProblem(sha, wheel, path, "unlisted file")
        for path in _tree_files(entry.tree)
        if path not in listed
    )
    return found


def _tree_files(tree: str) -> list[str]:
    """Every non-directory below *tree* (links included, never followed), ``__pycache__`` aside."""
    out = []
    for dirpath, dirnames, filenames in os.walk(tree):
        rel = os.path.relpath(dirpath, tree)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for name in list(dirnames):
            if os.path.islink(os.path.join(dirpath, name)):
                out.append(prefix + name)
            if name == "__pycache__":
                dirnames.remove(name)
        out.extend(prefix + name for name in filenames)
    return sorted(out)


def _check_bytecode(entry: StoreEntry) -> tuple[list[EntryProblem], list[EntryProblem]]:
    """(problems, notes): the compiled ``.pyc`` files against ``bytecode/<tag>.json``."""
    from graft.store.bytecode import listed_bytecode  # noqa: PLC0415

    sha, wheel = entry.record.sha256, entry.record.filename
    lists, unreadable = listed_bytecode(entry.path)
    found = [
        EntryProblem(sha, wheel, f"bytecode/{n}", "unreadable bytecode list") for n in unreadable
    ]
    notes = []
    for tag, pycs in sorted(lists.items()):
        if any(digest is None for digest in pycs.values()):
            notes.append(
                EntryProblem(sha, wheel, f"bytecode/{tag}.json", "no digests (an older graft)")
            )
        for pyc, digest in sorted(pycs.items()):
            actual = _sha256_hex(os.path.join(entry.tree, pyc))
            if actual is None:
                found.append(EntryProblem(sha, wheel, pyc, "missing bytecode"))
            elif digest is not None and actual != digest:
                found.append(EntryProblem(sha, wheel, pyc, "bytecode hash"))
    shipped = {f.path for f in entry.record.files}
    orphans: dict[str, int] = {}  # tag -> .pyc files of a tag without a list
    for pyc in _pycache_files(entry.tree):
        parts = pyc.rpartition("/")[2].split(".")
        tag = parts[1] if len(parts) >= 3 else ""  # noqa: PLR2004 - <module>.<tag>[.opt-N].pyc
        if pyc in shipped or pyc in lists.get(tag, ()):
            continue
        if tag in lists or f"{tag}.json" in unreadable:
            found.append(EntryProblem(sha, wheel, pyc, "unlisted bytecode"))
        else:
            orphans[tag] = orphans.get(tag, 0) + 1
    notes.extend(
        EntryProblem(
            sha,
            wheel,
            f"bytecode/{tag}.json",
            f"missing; {n} file(s) of that tag, from an unfinished compile (the next compile "
            "for it writes them again)",
        )
        for tag, n in sorted(orphans.items())
    )
    return found, notes


def _pycache_files(tree: str) -> list[str]:
    """Every non-directory inside a ``__pycache__`` below *tree* (never followed)."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(tree):
        if os.path.basename(dirpath) == "__pycache__":
            rel = os.path.relpath(dirpath, tree).replace(os.sep, "/")
            out.extend(f"{rel}/{name}" for name in filenames)
            out.extend(f"{rel}/{name}" for name in dirnames)
            dirnames.clear()
    return sorted(out)


def _check_marker(entry: StoreEntry, marker: Marker | None) -> list[EntryProblem]:
    """RECORD and record.json are the bytes ingest wrote (by the marker's digests)."""
    if marker is None:
        return []
    record = entry.record
    found = []
    record_path = f"{record.dist_info}/RECORD"
    if _sha256_hex(os.path.join(entry.tree, record_path)) != marker.record:
        found.append(
            EntryProblem(record.sha256, record.filename, record_path, "changed since ingest")
        )
    if _sha256_hex(os.path.join(entry.path, "record.json")) != marker.record_json:
        found.append(
            EntryProblem(record.sha256, record.filename, "record.json", "changed since ingest")
        )
    return found


def _check_wheel(entry: StoreEntry, wheel: str) -> list[EntryProblem]:
    """The entry's RECORD is the wheel's, byte for byte."""
    import zipfile  # noqa: PLC0415

    record = entry.record
    member = f"{record.dist_info}/RECORD"
    try:
        with zipfile.ZipFile(wheel) as zf:
            expected = zf.read(member)
    except (OSError, KeyError, zipfile.BadZipFile):
        return [EntryProblem(record.sha256, record.filename, member, f"not in the wheel {wheel}")]
    try:
        with open(os.path.join(entry.tree, member), "rb") as fh:
            actual = fh.read()
    except OSError:
        return []  # reported as missing already
    if actual != expected:
        return [EntryProblem(record.sha256, record.filename, member, f"differs from {wheel}")]
    return []


def _check_derived(store: Store, entry: StoreEntry, wheel: str) -> list[EntryProblem]:
    """record.json is what ingest derives from the wheel.

    Entry points, packages, Requires-Dist and the rest: the wheel is unpacked again into
    ``tmp/`` and its record compared.
    """
    import tempfile  # noqa: PLC0415

    from graft.errors import WheelError  # noqa: PLC0415
    from graft.store import seal  # noqa: PLC0415
    from graft.wheel.archive import unpack_wheel  # noqa: PLC0415

    record = entry.record
    try:
        scratch = tempfile.mkdtemp(prefix=f"{record.sha256}.verify.", dir=store.tmp_dir)
    except OSError:
        return []  # a store we may not write: the entry stays unmarked
    try:
        os.mkdir(os.path.join(scratch, "tree"))
        derived = unpack_wheel(wheel, os.path.join(scratch, "tree"), record.sha256)
        with open(os.path.join(entry.path, "record.json"), encoding="utf-8") as fh:
            same = fh.read() == derived.to_json()
    except (OSError, WheelError):
        same = False
    finally:
        seal.remove_tree(scratch, sealed=False)
    if same:
        return []
    return [EntryProblem(record.sha256, record.filename, "record.json", f"differs from {wheel}")]


def _vanished(store: Store, sha: str) -> bool:
    """The entry was removed while we read it (``graft store gc`` renames it away whole)."""
    return not os.path.lexists(store.entry_path(sha))
