"""Bytecode in the store: ``.pyc`` files compiled into an entry once per interpreter cache tag.

Compiled by worker processes of the target interpreter, one per core
(:mod:`graft.store.compilepool`), entry by entry as entries are handed over, each under the
entry's lock and unsealed only meanwhile. The list of compiled files, each with the sha256 of
its ``.pyc`` (which ``graft store verify`` checks), is ``bytecode/<cache_tag>.json``, written
last; an older graft wrote a plain list, without digests. A cold sync compiles a new entry
before it is published, in its staging directory (:meth:`Compiler.compile_staged`), so that it
is sealed once, compiled. A ``.pyc`` a wheel ships is one of its files: never compiled over,
and cleaned up only if graft itself could have written it.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graft._fs import write_read_only
from graft.errors import StoreError
from graft.store import seal
from graft.store.compilepool import BATCH_FILES, Batch, CompilePool
from graft.store.entries import StoreEntry

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from graft._fs import FileLock
    from graft.model.record import WheelRecord
    from graft.model.target import Target
    from graft.store.entries import Store


def compile_bytecode(
    store: Store, entries: Sequence[StoreEntry], target: Target
) -> dict[str, frozenset[str]]:
    """The .pyc archive paths compiled for *target*'s cache tag, per entry sha256.

    Entries not yet compiled for this tag are compiled now (:class:`Compiler`). A ``.pyc`` the
    wheel ships is never compiled over (nor listed here: it is one of the wheel's files). An
    entry whose seal a killed process left unfinished is sealed again.
    """
    with Compiler(store, target) as compiler:
        for entry in entries:
            compiler.submit(entry)
        return compiler.results()


@dataclass
class _Job:
    """One entry being compiled: unsealed and locked from :meth:`Compiler.submit` to its end.

    Or a staged entry (:meth:`Compiler.compile_staged`): its ingest holds the lock and seals
    it; *staged* is set when its compile ends.
    """

    entry: StoreEntry
    lock: FileLock | None
    sources: list[str]
    pending: int
    compiled: set[str] = field(default_factory=set)
    error: str | None = None
    staged: threading.Event | None = None


class Compiler:
    """Bytecode for entries handed over one by one, compiled by workers of the target.

    :meth:`submit` returns at once for an entry compiled already; otherwise it takes the
    entry's lock (waiting while another process holds it), unseals it, removes what a killed
    compile left, and queues its sources in batches for the workers
    (:mod:`graft.store.compilepool`). When an entry's last batch is answered, a worker's
    thread writes ``bytecode/<tag>.json``, seals the entry and lets its lock go; an entry whose
    compile failed gets no list and loses the ``.pyc`` files graft wrote into it, so it is
    exactly as ingest left it. A job holds one lock and never waits for another, so two syncs
    submitting the same entries in different orders cannot deadlock. :meth:`results` waits for
    everything, then raises the first failure as one line. Used as a context manager: leaving
    it on an error stops the workers and leaves every entry sealed and unlocked.
    """

    def __init__(self, store: Store, target: Target, workers: int | None = None) -> None:
        self.store = store
        self.tag = target.cache_tag
        self.python = target.executable
        self._workers = workers
        self._pool: CompilePool | None = None
        self._guard = threading.Lock()
        self._feed = threading.Lock()  # the pool is fed from ingest threads too
        self._done: dict[str, frozenset[str]] = {}
        self._failures: list[tuple[StoreEntry, str]] = []
        self._submitted: set[str] = set()
        self.compiling = 0  # published entries queued for the workers (for progress)

    def __enter__(self) -> Compiler:  # noqa: PYI034 - (typing.Self is 3.11+)
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if self._pool is not None:
            if kind is None:
                self._pool.close()
            else:
                self._pool.abort("stopped: the sync failed")

    def submit(self, entry: StoreEntry) -> None:
        """Compile *entry* for the target's cache tag unless it is compiled already."""
        sha = entry.record.sha256
        if sha in self._submitted:
            return
        self._submitted.add(sha)
        known = compiled_for(entry, self.tag)
        if known is not None and _sealed(entry.path):
            self._finished(sha, known)
            return
        lock = self.store.lock(sha)
        lock.acquire()
        try:
            known = compiled_for(entry, self.tag)
            if known is not None:  # compiled meanwhile, or a killed process left the seal undone
                if not _sealed(entry.path):
                    _seal(entry)
                self._finished(sha, known)
                lock.release()
                return
            assert self.tag is not None  # noqa: S101 - without a tag, known is empty, not None
            sources = _python_sources(entry, self.tag)
            seal.unseal_tree(entry.path)
            _remove_partial_bytecode(entry, sources, self.tag)
        except BaseException:
            _seal(entry)
            lock.release()
            raise
        self._queue(_Job(entry, lock, sources, 0))

    def compile_staged(self, staging: str, final: str, record: WheelRecord) -> None:
        """Compile an entry being ingested in its staging directory, before it is sealed.

        The store's ingest calls this (its *finish*) in an ingest thread, under the entry's
        lock, and it waits for the workers; the code objects name the sources where *final*
        will have them. On success the list is written too, so the entry is published compiled
        and sealed once. On a failure the ``.pyc`` files written are removed and no list is
        written: :meth:`submit` later compiles the published entry as before, and reports.
        """
        tag = self.tag
        if not tag:
            return
        entry = StoreEntry(record, staging)
        ended = threading.Event()
        job = _Job(entry, None, _python_sources(entry, tag), 0, staged=ended)
        self._queue(job, renamed=(entry.tree, os.path.join(final, "tree")))
        ended.wait()

    def _queue(self, job: _Job, renamed: tuple[str, str] | None = None) -> None:
        """Hand *job*'s sources to the workers in batches (*renamed*: the tree they move to)."""
        sources = job.sources
        batches = [tuple(sources[i : i + BATCH_FILES]) for i in range(0, len(sources), BATCH_FILES)]
        job.pending = len(batches)
        if not batches:
            self._end(job)
            return
        with self._feed:
            if self._pool is None:
                self._pool = CompilePool(self.python, self._answered, self._workers)
            if renamed is None:  # (a staged entry's ingest waits for it: no stage of its own)
                self.compiling += 1
            for part in batches:
                names = None
                if renamed is not None:
                    staged, final = renamed
                    names = tuple(final + src[len(staged) :] for src in part)
                self._pool.put(Batch(job, part, names))

    def results(self) -> dict[str, frozenset[str]]:
        """The compiled .pyc archive paths per sha256, once every entry submitted is done."""
        self.close()
        if self._failures:
            entry, error = self._failures[0]
            others = len(self._failures) - 1
            more = f" (and {others} more wheels)" if others else ""
            raise StoreError(
                f"cannot compile the bytecode of {entry.record.filename}: {error}{more}",
                where=entry.path,
                hint="the entry is as unpacked, without bytecode; sync again once that is mended",
            )
        return dict(self._done)

    def close(self) -> None:
        """Wait for every entry submitted; stop the workers."""
        if self._pool is not None:
            self._pool.close()

    def _finished(self, sha: str, pycs: frozenset[str]) -> None:
        with self._guard:
            self._done[sha] = pycs

    def _answered(self, batch: Batch, compiled: frozenset[str], error: str | None) -> None:
        """A worker's answer for one batch (in that worker's thread); the job ends with its last."""
        job = batch.job
        assert isinstance(job, _Job)  # noqa: S101 - only jobs are queued
        with self._guard:
            job.compiled |= compiled
            if error is not None and job.error is None:
                job.error = error
            job.pending -= 1
            last = job.pending == 0
        if last:
            self._end(job)

    def _end(self, job: _Job) -> None:
        """Record *job*'s bytecode list (or undo its compile), seal the entry, release it.

        A staged job's entry is neither sealed nor released (its ingest does both).
        """
        entry, tag = job.entry, self.tag
        assert tag is not None  # noqa: S101 - jobs exist only with a tag
        pycs = _pyc_paths(entry, [s for s in job.sources if s in job.compiled], tag)
        try:  # (in a worker's thread: nothing may escape, or batches would go unanswered)
            if job.error is None:
                try:
                    os.makedirs(os.path.join(entry.path, "bytecode"), exist_ok=True)
                    write_read_only(
                        os.path.join(entry.path, "bytecode", tag + ".json"),
                        json.dumps(_digests(entry, pycs), indent=0),
                    )
                except OSError as exc:
                    job.error = f"cannot record the list ({exc.strerror})"
            if job.error is not None:
                _remove_compiled(entry, job.sources, tag)
        except OSError as exc:
            job.error = job.error or f"cannot clean up ({exc.strerror})"
        finally:
            if job.lock is not None:
                try:
                    _seal(entry)
                except OSError as exc:
                    job.error = job.error or f"cannot seal the entry ({exc.strerror})"
                job.lock.release()
        if job.staged is not None:
            job.staged.set()
            return
        with self._guard:
            if job.error is None:
                self._done[entry.record.sha256] = frozenset(pycs)
            else:
                self._failures.append((entry, job.error))


def _seal(entry: StoreEntry) -> None:
    seal.make_read_only(entry.path)
    seal.seal_tree(entry.path)


def compiled_for(entry: StoreEntry, tag: str | None) -> frozenset[str] | None:
    """The ``.pyc`` archive paths compiled into *entry* for *tag*; None: not compiled for it.

    Only read: an entry a killed compile left unsealed is not sealed here, as
    :meth:`Compiler.submit` seals it (a dry run's plan reads this, decision 149).
    """
    if not tag:
        return frozenset()
    try:
        with open(os.path.join(entry.path, "bytecode", tag + ".json"), encoding="utf-8") as fh:
            return frozenset(json.load(fh))
    except FileNotFoundError:
        return None


def _digests(entry: StoreEntry, pycs: Iterable[str]) -> dict[str, str]:
    """The sha256 (hex) of each compiled ``.pyc``, by archive path, for ``graft store verify``."""
    from graft._fs import file_sha256  # noqa: PLC0415

    return {pyc: file_sha256(os.path.join(entry.tree, pyc)) for pyc in sorted(pycs)}


def listed_bytecode(entry_path: str) -> tuple[dict[str, dict[str, str | None]], list[str]]:
    """Every ``bytecode/<tag>.json`` of the entry at *entry_path*: ``.pyc`` digests per tag.

    A list written before digests were kept gives None for each ``.pyc``. Second: the names of
    the lists that cannot be read. Temp files a killed compile left are not lists.
    """
    directory = os.path.join(entry_path, "bytecode")
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".json"))
    except (FileNotFoundError, NotADirectoryError):
        return {}, []
    lists: dict[str, dict[str, str | None]] = {}
    unreadable = []
    for name in names:
        try:
            with open(os.path.join(directory, name), encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
            lists[name[: -len(".json")]] = {str(k): v for k, v in data.items()}
        elif isinstance(data, list) and all(isinstance(v, str) for v in data):
            lists[name[: -len(".json")]] = dict.fromkeys(data)
        else:
            unreadable.append(name)
    return lists, unreadable


def _python_sources(entry: StoreEntry, tag: str) -> list[str]:
    """The entry's importable ``.py`` files whose bytecode for *tag* the wheel does not ship.

    A ``.pyc`` listed in RECORD is the wheel's file: kept as shipped, never compiled over.
    """
    from graft.wheel.layout import importable_path  # noqa: PLC0415

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
        except (FileNotFoundError, NotADirectoryError):  # (a wheel may ship a file there)
            continue
        for name in found:
            stem, dot, suffix = name.rpartition(".")
            path = os.path.join(directory, name)
            if dot and suffix.isdigit() and stem in names and path not in listed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)


def _remove_compiled(entry: StoreEntry, sources: Sequence[str], tag: str) -> None:
    """Undo a failed compile of *sources*: the ``.pyc`` files graft writes, and temp files.

    Nothing RECORD lists is removed (a ``.pyc`` the wheel ships is never compiled over anyway).
    """
    listed = {os.path.join(entry.tree, f.path) for f in entry.record.files}
    for pyc in _pyc_paths(entry, sources, tag):
        path = os.path.join(entry.tree, pyc)
        if path not in listed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    _remove_partial_bytecode(entry, sources, tag)


def _pyc_path(source: str, tag: str) -> str:
    """The archive path of the ``.pyc`` for *tag* of the archive path *source* (PEP 3147)."""
    head, _, name = source.rpartition("/")
    pyc = f"__pycache__/{name[:-3]}.{tag}.pyc"
    return f"{head}/{pyc}" if head else pyc


def _pyc_paths(entry: StoreEntry, compiled: Iterable[str], tag: str) -> list[str]:
    prefix = entry.tree + os.sep
    return [_pyc_path(src[len(prefix) :], tag) for src in compiled]
