"""Bytecode in the store: ``.pyc`` files compiled into an entry once per interpreter cache tag.

Compiled by the target interpreter (two worker processes), under the entry's lock, the entry
unsealed only meanwhile; the list of compiled files is ``bytecode/<cache_tag>.json``. A ``.pyc``
a wheel ships is one of its files: never compiled over, and cleaned up only if graft itself
could have written it.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING

from graft._fs import write_read_only
from graft.errors import StoreError
from graft.store import seal

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from graft.model.target import Target
    from graft.store.entries import Store, StoreEntry

_COMPILE_SCRIPT = r"""
import importlib.util, json, os, py_compile, sys
parent = int(sys.argv[1])
done = []
for src in json.load(sys.stdin):
    if os.getppid() != parent:  # graft was killed: stop writing into its unsealed entries
        sys.exit(1)
    try:
        py_compile.compile(src, cfile=importlib.util.cache_from_source(src), doraise=True)
    except Exception:
        continue
    done.append(src)
json.dump(done, sys.stdout)
"""


def compile_bytecode(
    store: Store, entries: Sequence[StoreEntry], target: Target
) -> dict[str, frozenset[str]]:
    """The .pyc archive paths compiled for *target*'s cache tag, per entry sha256.

    Entries not yet compiled for this tag are compiled now, in the target
    interpreter, two processes at a time; each entry is unsealed only while
    its ``__pycache__`` directories are written. A ``.pyc`` the wheel ships is
    never compiled over (nor listed here: it is one of the wheel's files). An entry
    whose seal a killed process left unfinished is sealed again.
    """
    tag = target.cache_tag
    result: dict[str, frozenset[str]] = {}
    missing = []
    for entry in entries:
        known = _read_bytecode(entry, tag)
        if known is None or not _sealed(entry.path):
            missing.append(entry)
        else:
            result[entry.record.sha256] = known
    if missing:
        result.update(_compile(store, missing, target))
    for entry in missing:
        result.setdefault(entry.record.sha256, frozenset())
    return result


def _read_bytecode(entry: StoreEntry, tag: str | None) -> frozenset[str] | None:
    if not tag:
        return frozenset()
    try:
        with open(os.path.join(entry.path, "bytecode", tag + ".json"), encoding="utf-8") as fh:
            return frozenset(json.load(fh))
    except FileNotFoundError:
        return None


def _compile(
    store: Store, entries: Sequence[StoreEntry], target: Target
) -> dict[str, frozenset[str]]:
    tag = target.cache_tag
    sources: dict[str, list[str]] = {}
    reseal: set[str] = set()  # compiled already, but a killed process left the seal undone
    locks = []
    try:
        for entry in entries:
            lock = store.lock(entry.record.sha256)
            lock.acquire()
            locks.append(lock)
            if not tag or _read_bytecode(entry, tag) is not None:
                if not _sealed(entry.path):
                    seal.unseal_tree(entry.path)
                    reseal.add(entry.record.sha256)
                continue
            sources[entry.record.sha256] = _python_sources(entry, tag)
            seal.unseal_tree(entry.path)
            _remove_partial_bytecode(entry, sources[entry.record.sha256], tag)
        compiled = _run_compile(target.executable, [s for v in sources.values() for s in v])
        out: dict[str, frozenset[str]] = {}
        for entry in entries:
            sha = entry.record.sha256
            if sha not in sources:
                out[sha] = _read_bytecode(entry, tag) or frozenset()
                continue
            assert tag is not None  # noqa: S101 - sources are only gathered with a tag
            pycs = _pyc_paths(entry, [s for s in sources[sha] if s in compiled], tag)
            try:
                os.makedirs(os.path.join(entry.path, "bytecode"), exist_ok=True)
                write_read_only(
                    os.path.join(entry.path, "bytecode", tag + ".json"),
                    json.dumps(sorted(pycs), indent=0),
                )
            except OSError as exc:
                raise StoreError(
                    f"cannot record the bytecode of {entry.record.filename} ({exc.strerror})",
                    where=entry.path,
                    hint="free space in the store's filesystem; the wheel's files are intact",
                ) from None
            out[sha] = frozenset(pycs)
    finally:
        for entry in entries:
            if entry.record.sha256 in sources or entry.record.sha256 in reseal:
                seal.make_read_only(entry.path)
                seal.seal_tree(entry.path)
        for lock in locks:
            lock.release()
    return out


def _python_sources(entry: StoreEntry, tag: str) -> list[str]:
    """The entry's importable ``.py`` files whose bytecode for *tag* the wheel does not ship.

    A ``.pyc`` listed in RECORD is the wheel's file: kept as shipped, never compiled over.
    """
    from graft.wheel.archive import importable_path  # noqa: PLC0415

    record = entry.record
    listed = {f.path for f in record.files}
    return [
        os.path.join(entry.tree, f.path)
        for f in record.files
        if f.path.endswith(".py")
        and importable_path(f.path, record.dist_info, record.data_dir)
        and _pyc_path(f.path, tag) not in listed
    ]


def _sealed(path: str) -> bool:
    """Whether the last seal of an entry finished: its top directory is always sealed last."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return True
    if mode & 0o222:
        return False
    return not seal.immutable_enabled() or seal.is_immutable(path)


def _remove_partial_bytecode(entry: StoreEntry, sources: Iterable[str], tag: str) -> None:
    """Temp files a killed compile of *sources* left.

    py_compile's ``<name>.<tag>.pyc.<id>`` beside a ``.pyc`` graft compiles, and
    ``bytecode/<tag>.json.tmp.<pid>``. Nothing RECORD lists is ever removed (a wheel may ship a
    file spelled like that).
    """
    listed = {os.path.join(entry.tree, f.path) for f in entry.record.files}
    prefix = entry.tree + os.sep
    compiled: dict[str, set[str]] = {}  # __pycache__ directory -> the .pyc names graft writes
    for src in sources:
        pyc = os.path.join(entry.tree, _pyc_path(src[len(prefix) :], tag))
        compiled.setdefault(os.path.dirname(pyc), set()).add(os.path.basename(pyc))
    compiled[os.path.join(entry.path, "bytecode")] = {f"{tag}.json.tmp"}
    for directory, names in compiled.items():
        try:
            found = os.listdir(directory)
        except FileNotFoundError:
            continue
        for name in found:
            stem, dot, suffix = name.rpartition(".")
            path = os.path.join(directory, name)
            if dot and suffix.isdigit() and stem in names and path not in listed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)


def _pyc_path(source: str, tag: str) -> str:
    """The archive path of the ``.pyc`` for *tag* of the archive path *source* (PEP 3147)."""
    head, _, name = source.rpartition("/")
    pyc = f"__pycache__/{name[:-3]}.{tag}.pyc"
    return f"{head}/{pyc}" if head else pyc


def _pyc_paths(entry: StoreEntry, compiled: Iterable[str], tag: str) -> list[str]:
    prefix = entry.tree + os.sep
    return [_pyc_path(src[len(prefix) :], tag) for src in compiled]


def _run_compile(python: str, sources: list[str]) -> set[str]:
    import subprocess  # noqa: PLC0415

    if not sources:
        return set()
    workers = max(1, min(os.cpu_count() or 1, 4, len(sources) // 200 + 1))
    chunks = [sources[i::workers] for i in range(workers)]
    procs = [
        subprocess.Popen(
            [python, "-I", "-c", _COMPILE_SCRIPT, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in chunks
    ]
    done: set[str] = set()
    for proc, chunk in zip(procs, chunks, strict=True):
        out, _ = proc.communicate(json.dumps(chunk))
        if proc.returncode == 0:
            done.update(json.loads(out))
    return done
