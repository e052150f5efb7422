"""Bytecode in the store: ``.pyc`` files compiled into an entry once per interpreter cache tag.

Compiled by worker processes of the target interpreter, one per core
(:mod:`graft.store.compilepool`), entry by entry as entries are handed over, each under the
entry's lock and unsealed only meanwhile. The list of compiled files, each with the sha256 of
its ``.pyc`` (which ``graft store verify`` checks), is ``bytecode/<cache_tag>.json``, written
last; an older graft wrote a plain list, without digests. A cold sync compiles a new entry
before it is published, in its staging directory (:meth:`Compiler.compile_staged`), so that it
is sealed once, compiled; its sources are handed to the workers in batches as the unpack
writes them (:class:`StagedCompile`), so that the workers need not wait for a whole wheel.
A ``.pyc`` a wheel ships is one of its files: never compiled over,
and cleaned up only if graft itself could have written it.
"""

from __future__ import annotations

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
from graft.store.pycs import (
    is_source,
    pyc_paths,
    pycache_parents,
    python_sources,
    remove_compiled,
    remove_partial,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from collections.abc import Set as AbstractSet

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
    it; *staged* is set when its compile ends, and *entry* is None until its unpack is done.
    A job ends with the last answer once it is closed (no more batches to come).
    """

    entry: StoreEntry | None
    lock: FileLock | None
    sources: list[str]
    pending: int = 0
    compiled: set[str] = field(default_factory=set)
    error: str | None = None
    staged: threading.Event | None = None
    open: bool = True


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
            sources = python_sources(entry, self.tag)
            seal.unseal_tree(entry.path)
            remove_partial(entry, sources, self.tag)
        except BaseException:
            _seal(entry)
            lock.release()
            raise
        if sources:
            self.compiling += 1
        job = _Job(entry, lock, [])
        self.put_sources(job, sources)
        self.close_job(job)

    def compile_staged(self, staging: str, final: str) -> StagedCompile | None:
        """The compile of an entry being ingested in *staging*, to be published as *final*.

        The store's ingest makes it (its *finish*) in an ingest thread, under the entry's
        lock; None without a cache tag (nothing to compile).
        """
        return StagedCompile(self, staging, final) if self.tag else None

    def put_sources(
        self, job: _Job, sources: Sequence[str], renamed: tuple[str, str] | None = None
    ) -> None:
        """Hand *sources* of the open *job* to the workers in batches.

        *renamed*: the staging tree the sources are in and the tree they move to, which the
        code objects name.
        """
        job.sources.extend(sources)
        for i in range(0, len(sources), BATCH_FILES):
            part = tuple(sources[i : i + BATCH_FILES])
            names = None
            if renamed is not None:
                staged, final = renamed
                names = tuple(final + src[len(staged) :] for src in part)
            with self._guard:
                job.pending += 1
            with self._feed:
                if self._pool is None:
                    self._pool = CompilePool(self.python, self._answered, self._workers)
                self._pool.put(Batch(job, part, names))

    def close_job(self, job: _Job, error: str | None = None) -> None:
        """No more batches for *job*: it ends with its last answer, or now if none is out."""
        with self._guard:
            if not job.open:
                return
            job.open = False
            job.error = job.error or error
            last = job.pending == 0
        if last:
            self._end(job)

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
            last = job.pending == 0 and not job.open
        if last:
            self._end(job)

    def _end(self, job: _Job) -> None:
        """Record *job*'s bytecode list (or undo its compile), seal the entry, release it.

        A staged job's entry is neither sealed nor released (its ingest does both); one whose
        unpack failed (no entry) is left as it is: its staging directory is removed whole.
        """
        entry, tag = job.entry, self.tag
        assert tag is not None  # noqa: S101 - jobs exist only with a tag
        if entry is None:
            assert job.staged is not None  # noqa: S101 - only a staged job has no entry yet
            job.staged.set()
            return
        pycs = pyc_paths(entry, [s for s in job.sources if s in job.compiled], tag)
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
                remove_compiled(entry, job.sources, tag)
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


class StagedCompile:
    """The compile of a new entry in its staging directory, begun while its wheel is unpacked.

    The unpack (:func:`graft.wheel.archive.unpack_wheel`, this being its watcher) says which
    members it will write, then each one written and verified: a source is handed to the
    workers in a batch as soon as :data:`BATCH_FILES` of them are on disk, so the workers do
    not wait for a whole wheel. A source whose ``__pycache__`` directory the wheel itself
    fills (or names as a file) waits for the unpack's end, so that no worker writes where the
    unpack has yet to. :meth:`finish` hands over the rest (the same sources, byte for byte the
    same ``.pyc`` files, as a compile of the whole unpacked entry) and waits for the workers;
    the code objects name the sources where the published entry will have them. On success
    the list is written too, so the entry is published compiled and sealed once. On a failure
    the ``.pyc`` files written are removed and no list is written: :meth:`Compiler.submit`
    later compiles the published entry as before, and reports. :meth:`cancel` (the unpack
    failed) waits until no batch of the entry is compiling, so its staging can go.
    """

    def __init__(self, compiler: Compiler, staging: str, final: str) -> None:
        self._compiler = compiler
        self._staging = staging
        self._renamed = (os.path.join(staging, "tree"), os.path.join(final, "tree"))
        self._job = _Job(None, None, [], staged=threading.Event())
        self._early: AbstractSet[str] = frozenset()
        self._written: list[str] = []

    def planned(self, members: Sequence[str], dist_info: str, data_dir: str) -> None:
        """The sources that may be handed over as they are written (see the class)."""
        tag = self._compiler.tag
        assert tag is not None  # noqa: S101 - made only with a tag
        listed = set(members)
        filled = pycache_parents(members)
        self._early = {
            m
            for m in members
            if is_source(m, dist_info, data_dir, listed, tag) and m.rpartition("/")[0] not in filled
        }

    def written(self, member: str) -> None:
        """*member* is on disk: a batch goes to the workers once it holds enough sources."""
        if member in self._early:
            self._written.append(os.path.join(self._renamed[0], member))
            if len(self._written) >= BATCH_FILES:
                self._compiler.put_sources(self._job, self._written, self._renamed)
                self._written = []

    def finish(self, record: WheelRecord) -> None:
        """Hand over the sources not yet handed over; return when every batch is answered."""
        tag = self._compiler.tag
        assert tag is not None  # noqa: S101 - made only with a tag
        job = self._job
        entry = StoreEntry(record, self._staging)
        handed = set(job.sources)
        rest = [src for src in python_sources(entry, tag) if src not in handed]
        job.entry = entry
        self._compiler.put_sources(job, rest, self._renamed)
        self._compiler.close_job(job)
        assert job.staged is not None  # noqa: S101 - made with one
        job.staged.wait()

    def cancel(self) -> None:
        """The ingest failed: return once no batch of this entry is compiling."""
        job = self._job
        self._compiler.close_job(job, "the unpack failed")
        assert job.staged is not None  # noqa: S101 - made with one
        job.staged.wait()


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


def _sealed(path: str) -> bool:
    """Whether the last seal of an entry finished: its top directory is always sealed last."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return True
    if mode & 0o222:
        return False
    return not seal.immutable_enabled() or seal.is_immutable(path)
