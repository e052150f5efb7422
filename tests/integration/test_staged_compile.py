"""A new entry's sources go to the compile workers while its wheel is still being unpacked.

Decision 362: the workers waited for whole wheels to be unpacked. Now the unpack tells the
entry's :class:`~graft.store.bytecode.StagedCompile` of each member written, and batches of
sources go to the workers at once. What must not change: the store (file for file, bytes
included, against one worker compiling entry after entry), a wheel that fills a
``__pycache__`` itself, and an unpack that fails with batches in flight (its staging goes
only once no worker writes there, and the pool stays usable).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from graft.errors import WheelError
from graft.store import bytecode, compilepool, seal
from graft.store.entries import Store
from graft.sync import sync
from graft.venv.interpreter import introspect
from graft.wheel import archive
from tests.integration.test_cold_pipeline import (
    BIG_FILES,
    _entries_consistent,
    _request,
    _wheels,
    compiled_lists,
    entry_files,
    serial_store,
)
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

TAG = sys.implementation.cache_tag


def _staging_of(source: str) -> str:
    return source.rpartition(f"{os.sep}tree{os.sep}")[0]


def test_a_new_entry_s_sources_reach_the_workers_while_its_wheel_is_unpacked(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of the big wheel are queued before its unpack has finished (its record.json,
    written right after the unpack, is not there yet); the store is as complete as before."""
    early: list[bool] = []
    real_put = compilepool.CompilePool.put

    def put(self: compilepool.CompilePool, batch: compilepool.Batch) -> None:
        staging = _staging_of(batch.sources[0])
        early.append(not os.path.exists(os.path.join(staging, "record.json")))
        real_put(self, batch)

    monkeypatch.setattr(compilepool.CompilePool, "put", put)
    monkeypatch.setattr(bytecode, "BATCH_FILES", 7)
    wheel_set = _wheels(wheels)
    sync(_request(tmp_path / "venv", store_dir, wheel_set))
    assert len(early) == -(-(BIG_FILES + 3) // 7) + 1  # every batch of big, and small's one
    assert early.count(True) >= BIG_FILES // 7 - 1  # all but big's last ones, during its unpack
    _entries_consistent(store_dir)
    assert sorted(map(len, compiled_lists(store_dir).values())) == [0, 2, BIG_FILES + 2]
    assert py(tmp_path / "venv", "import big.deep.er.m56 as m; print(m.f56(2))") == "112"


def test_sources_whose_pycache_the_wheel_fills_wait_for_the_unpack(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel that ships files in (or a file named) ``__pycache__`` is unpacked as it is: no
    worker makes that directory first. One file per batch, so every other source goes early;
    the store equals the serial one file for file."""
    other_tag = "cpython-27" if TAG != "cpython-27" else "cpython-26"
    shipped: dict[str, bytes | str] = {
        "shipped/__init__.py": "S = 1\n",
        "shipped/a.py": "A = 1\n",
        f"shipped/__pycache__/a.{other_tag}.pyc": b"not graft's: kept as shipped",
        "shipped/__pycache__/zz/keep.txt": "a directory below __pycache__\n",
        "shipped/sub/b.py": "B = 2\n",
    }
    wheel_set = [
        make_wheel(wheels, "shipped", "1.0", shipped),
        make_wheel(
            wheels, "blocked", "1.0", {"blocked/__init__.py": "", "blocked/__pycache__": ""}
        ),
    ]
    reference = tmp_path / "refer"  # as long as store_dir's "store"
    real_extract = archive._Unpacker.extract

    def extract(self: archive._Unpacker, info: zipfile.ZipInfo, *rest: object) -> object:
        if info.filename == "blocked/__pycache__":  # a worker that compiled blocked's
            made = Path(self.dest, "blocked", "__pycache__")  # __init__.py would have made it
            for _ in range(40):
                if made.is_dir():
                    break
                time.sleep(0.05)
        return real_extract(self, info, *rest)  # type: ignore[arg-type]

    try:
        serial_store(reference, wheel_set)
        monkeypatch.setattr(archive._Unpacker, "extract", extract)
        monkeypatch.setattr(bytecode, "BATCH_FILES", 1)
        sync(_request(tmp_path / "venv", store_dir, wheel_set))
        assert entry_files(store_dir) == entry_files(reference)
        assert compiled_lists(store_dir) == compiled_lists(reference)
        assert sorted(map(len, compiled_lists(store_dir).values())) == [0, 3]
        assert (store_dir / "entries").joinpath(  # (the shipped .pyc: the wheel's bytes)
            *next((store_dir / "entries").glob(f"*/tree/shipped/__pycache__/a.{other_tag}.pyc"))
            .relative_to(store_dir / "entries")
            .parts
        ).read_bytes() == b"not graft's: kept as shipped"
        assert py(tmp_path / "venv", "import shipped.sub.b as b; print(b.B)") == "2"
    finally:
        seal.remove_tree(str(reference))


def test_an_unpack_that_fails_waits_for_its_batches_in_flight_then_removes_its_staging(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member after the first sources fails its RECORD hash while their batch is with a
    worker: the ingest fails only once that batch is answered, its staging is gone, and the
    pool compiles the next entry (no worker found its sources removed under it)."""
    sources = {f"bad/m{i:02d}.py": f"X = {i}\n" for i in range(6)}
    bad = make_wheel(
        wheels,
        "bad",
        "1.0",
        {**sources, "bad/zz.py": "Z = 1\n"},
        record_override={"bad/zz.py": ("sha256=" + "A" * 43, "6")},
    )
    good = make_wheel(wheels, "good", "1.0", {"good/__init__.py": "G = 1\n"})
    in_flight = 0
    raised = threading.Event()
    real_trip = compilepool.CompilePool._round_trip

    def held(
        self: compilepool.CompilePool, stdin: object, stdout: object, batch: compilepool.Batch
    ) -> object:
        nonlocal in_flight
        in_flight += 1
        raised.wait(timeout=3)  # (without the wait for batches, the ingest fails meanwhile)
        try:
            return real_trip(self, stdin, stdout, batch)  # type: ignore[arg-type]
        finally:
            in_flight -= 1

    monkeypatch.setattr(compilepool.CompilePool, "_round_trip", held)
    monkeypatch.setattr(bytecode, "BATCH_FILES", 3)
    store = Store(str(store_dir))
    seen: list[int] = []

    def ingest_bad(compiler: bytecode.Compiler) -> None:
        try:
            store.ingest(str(bad), finish=compiler.compile_staged)
        finally:
            seen.append(in_flight)
            raised.set()

    try:
        with bytecode.Compiler(store, introspect(sys.executable), workers=1) as compiler:
            with pytest.raises(WheelError, match="does not match its RECORD hash"):
                ingest_bad(compiler)
            assert seen == [0]  # every batch of bad was answered before its ingest failed
            assert os.listdir(store_dir / "tmp") == []
            assert not (store_dir / "entries").exists() or not os.listdir(store_dir / "entries")
            entry = store.ingest(str(good), finish=compiler.compile_staged)
            assert compiler.results() == {}  # (staged entries are not submitted)
        assert bytecode.compiled_for(entry, TAG) == frozenset(
            {f"good/__pycache__/__init__.{TAG}.pyc"}
        )
    finally:
        store.release()
