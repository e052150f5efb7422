"""The cold path's pipeline: bytecode compiled by one worker per core, entry by entry.

The parallel path (several workers, small batches, entries handed over as they are ingested)
must give the same store as one worker compiling entry after entry; a worker that stops
fails the sync in one line and leaves every entry sealed, as unpacked or fully compiled; a
sync killed while its workers compile leaves the store consistent, and the next sync
completes it. The failing and killing interpreters are wrappers around the real one, put in
place of the target's executable for the compiler only.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from graft.errors import StoreError
from graft.model.sync_request import SyncRequest
from graft.store import bytecode, compilepool, seal
from graft.store.entries import Store
from graft.sync import sync
from graft.venv.interpreter import introspect
from tests.conftest import run_graft
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

TAG = sys.implementation.cache_tag
BIG_FILES = 60  # modules of the big wheel: several batches of every size used here


# -- the wheels -------------------------------------------------------------------------------


def _wheels(directory: Path) -> list[Path]:
    big: dict[str, bytes | str] = {"big/__init__.py": "from big import m01\n"}
    for i in range(BIG_FILES):
        sub = "deep/er/" if i % 4 == 0 else ""
        big[f"big/{sub}m{i:02d}.py"] = f"X = {i}\n" + f"def f{i}(a):\n    return a * {i}\n" * 5
    big["big/py2.py"] = "print 'a Python 2 file: no bytecode, as pip and uv'\n"
    big["big/warns.py"] = "PATTERN = '\\d+'  # a SyntaxWarning, compiled all the same\n"
    big["big/__init__.pyi"] = "X: int\n"  # not a source: not compiled
    return [
        make_wheel(directory, "big", "1.0", big),
        make_wheel(directory, "small", "1.0", {"small/__init__.py": "Y = 1\n", "small/a.py": ""}),
        make_wheel(directory, "nopy", "1.0", {"nopy/data.txt": "no python here\n"}),
    ]


@pytest.fixture
def wheel_set(wheels: Path) -> list[Path]:
    return _wheels(wheels)


def _request(venv: Path, store: Path, wheel_set: list[Path]) -> SyncRequest:
    return SyncRequest(str(venv), specs=tuple(map(str, wheel_set)), store=str(store), no_deps=True)


# -- what a store holds -----------------------------------------------------------------------


def entry_files(store: Path) -> dict[str, tuple[object, ...]]:
    """Every path under ``entries/`` with its kind, mode and bytes (a .pyc's timestamp aside).

    A timestamp .pyc's header holds its source's mtime, which is the time of that store's
    ingest: the header is checked against the source instead, and the rest compared. The code
    objects name their source by its path: the store's root is replaced by ``<root>`` (roots of
    one length are compared, so that the lengths marshalled before the names agree).
    """
    out: dict[str, tuple[object, ...]] = {}
    for path in sorted((store / "entries").rglob("*")):
        rel = str(path.relative_to(store / "entries"))
        st = path.lstat()
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            out[rel] = ("dir", mode, seal.is_immutable(str(path)))
            continue
        data = path.read_bytes()
        if path.parent.name == "bytecode" and path.suffix == ".json":  # digests: per store
            tree = path.parent.parent / "tree"
            digests = json.loads(data)
            assert digests == {
                p: hashlib.sha256((tree / p).read_bytes()).hexdigest() for p in digests
            }
            data = json.dumps(sorted(digests)).encode()
        if path.suffix == ".pyc" and int.from_bytes(data[4:8], "little") == 0:  # timestamps
            source = path.parent.parent / (path.name.split(".")[0] + ".py")
            src = source.stat()
            assert int.from_bytes(data[8:12], "little") == int(src.st_mtime) & 0xFFFFFFFF
            assert int.from_bytes(data[12:16], "little") == src.st_size & 0xFFFFFFFF
            data = data[:8] + data[16:]
        out[rel] = ("file", mode, data.replace(str(store).encode(), b"<root>"))
    return out


def markers(store: Path) -> set[str]:
    """The entries the store trusts (``verified/<sha256>.<inode>``; the inode differs)."""
    return {name.split(".")[0] for name in os.listdir(store / "verified")}


def serial_store(store: Path, wheel_set: list[Path]) -> None:
    """The reference: each wheel ingested, then compiled by a single worker, one after another."""
    target = introspect(sys.executable)
    s = Store(str(store))
    for wheel in wheel_set:
        entry = s.ingest(str(wheel))
        with bytecode.Compiler(s, target, workers=1) as compiler:
            compiler.submit(entry)
            compiler.results()
    s.release()


def compiled_lists(store: Path) -> dict[str, list[str]]:
    """The .pyc files each entry's list names (the keys: each with its digest, store-specific)."""
    return {
        p.parent.parent.name: sorted(json.loads(p.read_text()))
        for p in (store / "entries").glob(f"*/bytecode/{TAG}.json")
    }


# -- the parallel path gives the serial store -------------------------------------------------


@pytest.mark.parametrize("mode", ["timestamp", "checked-hash"])
def test_parallel_compile_gives_the_store_of_a_serial_one(
    mode: str,
    tmp_path: Path,
    store_dir: Path,
    wheel_set: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if mode == "checked-hash":  # py_compile's default under SOURCE_DATE_EPOCH: byte-equal .pyc
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    reference = tmp_path / "refer"  # as long as store_dir's "store"
    try:
        serial_store(reference, wheel_set)
        monkeypatch.setattr(compilepool, "worker_count", lambda: 4)
        monkeypatch.setattr(bytecode, "BATCH_FILES", 7)  # the big entry over every worker
        sync(_request(tmp_path / "venv", store_dir, wheel_set))
        parallel, serial = entry_files(store_dir), entry_files(reference)
        assert parallel == serial
        assert markers(store_dir) == markers(reference) == set(compiled_lists(reference))
        lists = compiled_lists(store_dir)
        assert lists == compiled_lists(reference)
        pycs = sorted(p for listed in lists.values() for p in listed)
        # every module but the Python 2 one (and the .pyi, which is no source)
        assert len(pycs) == BIG_FILES + 2 + 2
        assert f"big/__pycache__/py2.{TAG}.pyc" not in pycs
        assert f"big/__pycache__/warns.{TAG}.pyc" in pycs
        assert py(tmp_path / "venv", "import big.deep.er.m56 as m; print(m.f56(2))") == "112"
    finally:
        seal.remove_tree(str(reference))


def test_a_cold_sync_seals_each_new_entry_once_compiled(
    tmp_path: Path, store_dir: Path, wheel_set: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """New entries are compiled in staging, then sealed: none is unsealed, none sealed twice."""
    calls: list[tuple[str, str]] = []
    for name in ("unseal_tree", "make_read_only"):
        real = getattr(seal, name)

        def counted(root: str, real: object = real, name: str = name, **kw: bool) -> None:
            calls.append((name, root))
            real(root, **kw)  # type: ignore[operator]

        monkeypatch.setattr(seal, name, counted)
    sync(_request(tmp_path / "venv", store_dir, wheel_set))
    assert [c for c in calls if c[0] == "unseal_tree"] == []
    sealed = [root for name, root in calls if name == "make_read_only"]
    assert len(sealed) == len(wheel_set)
    assert all(root.startswith(str(store_dir / "tmp")) for root in sealed)  # before publication
    assert len(compiled_lists(store_dir)) == len(wheel_set)
    _entries_consistent(store_dir)


# -- a worker that stops ----------------------------------------------------------------------


def _wrapper(path: Path, body: str) -> str:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


def _entries_consistent(store: Path) -> None:
    """Every entry sealed and trusted; compiled completely (listed) or not at all."""
    s = Store(str(store))
    for entry_dir in (store / "entries").iterdir():
        entry = s.peek(entry_dir.name)
        assert entry is not None
        assert s.trusted(entry_dir.name)
        assert bytecode._sealed(entry.path)
        written = {str(p.relative_to(entry.tree)) for p in Path(entry.tree).rglob("__pycache__/*")}
        leftovers = [p for p in Path(entry.tree).rglob("*") if p.name.split(".")[-1].isdigit()]
        assert not leftovers  # no temp file of py_compile
        listed = bytecode.compiled_for(entry, TAG)
        assert written == (set(listed) if listed is not None else set()), entry.record.filename
    verify = run_graft("store", "verify", "--store", store, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_worker_that_stops_fails_the_sync_in_one_line_and_leaves_no_half_entry(
    tmp_path: Path,
    store_dir: Path,
    wheel_set: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    # the first worker started dies at once; the others are the real interpreter
    wrapper = _wrapper(
        tmp_path / "python-fails",
        f'if mkdir "{state}/first" 2>/dev/null; then exit 3; fi\nexec "{sys.executable}" "$@"',
    )
    real_init = compilepool.CompilePool.__init__

    def with_wrapper(self: compilepool.CompilePool, python: str, *args: object) -> None:
        real_init(self, wrapper, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(compilepool.CompilePool, "__init__", with_wrapper)
    monkeypatch.setattr(compilepool, "worker_count", lambda: 2)
    monkeypatch.setattr(bytecode, "BATCH_FILES", 5)
    venv = tmp_path / "venv"
    with pytest.raises(StoreError) as failed:
        sync(_request(venv, store_dir, wheel_set))
    message = str(failed.value)
    assert "\n" not in message
    assert "cannot compile the bytecode of" in message
    assert f"the bytecode compiler {wrapper} stopped (exit status 3)" in message
    assert not venv.exists()
    assert any(not (e / "bytecode").exists() for e in (store_dir / "entries").iterdir())
    _entries_consistent(store_dir)

    monkeypatch.undo()  # the real interpreter again: the next sync completes the store
    run_graft("sync", venv, *wheel_set, "--store", store_dir, "--no-deps", "-q")
    _entries_consistent(store_dir)
    assert len(compiled_lists(store_dir)) == len(wheel_set)
    assert py(venv, "import big.m33 as m, small; print(m.X, small.Y)") == "33 1"


def test_a_pyc_the_wheels_layout_rules_out_is_skipped_like_a_syntax_error(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """A file named ``__pycache__`` leaves no room for the package's bytecode: no error."""
    wheel = make_wheel(
        wheels, "blocked", "1.0", {"blocked/__init__.py": "B = 1\n", "blocked/__pycache__": ""}
    )
    run_graft("sync", tmp_path / "venv", wheel, "--store", store_dir, "--no-deps", "-q")
    assert list(compiled_lists(store_dir).values()) == [[]]
    _entries_consistent(store_dir)
    assert py(tmp_path / "venv", "import blocked; print(blocked.B)") == "1"


@pytest.mark.skipif(
    not seal.immutable_enabled(), reason="needs the immutable attribute (Linux, root)"
)
def test_a_pyc_that_cannot_be_written_stops_the_worker_with_the_reason(tmp_path: Path) -> None:
    """Not a source that does not compile: an error of the filesystem is no silent skip."""
    package = tmp_path / "pkg"
    package.mkdir()
    for name in ("a.py", "b.py"):
        (package / name).write_text("A = 1\n")
    (tmp_path / "ok.py").write_text("OK = 1\n")
    seal.seal_directories(str(tmp_path / "pkg"))  # (seals below the root only)
    assert seal._set_immutable(str(package), on=True)
    answers: list[tuple[tuple[str, ...], frozenset[str], str | None]] = []
    pool = compilepool.CompilePool(
        sys.executable, lambda b, done, error: answers.append((b.sources, done, error)), 1
    )
    try:
        pool.put(compilepool.Batch(None, (str(package / "a.py"), str(package / "b.py"))))
        pool.put(compilepool.Batch(None, (str(tmp_path / "ok.py"),)))
        pool.close()
    finally:
        seal._set_immutable(str(package), on=False)
    first, second = answers
    assert first[1] == frozenset()
    assert first[2] == f"cannot write bytecode: {package / 'a.py'}: Operation not permitted"
    assert second == ((str(tmp_path / "ok.py"),), frozenset(), first[2])  # not compiled
    assert not (tmp_path / "__pycache__").exists()


def test_an_interpreter_that_cannot_start_answers_every_batch_with_the_reason(
    tmp_path: Path,
) -> None:
    answers: list[str | None] = []
    missing = str(tmp_path / "no-python")
    pool = compilepool.CompilePool(missing, lambda _b, _done, error: answers.append(error), 2)
    pool.put(compilepool.Batch(None, ("a.py",)))
    pool.put(compilepool.Batch(None, ("b.py",)))
    pool.close()
    reason = f"cannot start the bytecode compiler {missing} (No such file or directory)"
    assert answers == [reason, reason]


# -- a kill while the workers compile ---------------------------------------------------------

# Run by the real interpreter in place of the target for the compiler: relays graft's batches
# to a real worker and, at the first answer, kills graft before passing the answer on. So the
# kill lands when some .pyc files of an entry are written and its list is not.
_KILLER = r"""
import os, signal, subprocess, sys
graft = int(sys.argv[-1])
worker = subprocess.Popen(
    [REAL, *sys.argv[1:-1], str(os.getpid())],  # the worker checks its parent: this relay
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
)
worker.stdin.write(sys.stdin.readline())
worker.stdin.flush()
worker.stdout.readline()  # the first batch is compiled
os.kill(graft, signal.SIGKILL)
worker.stdin.close()
worker.wait()
"""

_DRIVER = r"""
import sys
from graft.store import compilepool
real_init = compilepool.CompilePool.__init__
def with_killer(self, python, *args):
    real_init(self, KILLER, *args)
compilepool.CompilePool.__init__ = with_killer
compilepool.worker_count = lambda: 1
from graft.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("where", ["staged", "published"])
def test_a_kill_while_compiling_leaves_the_store_consistent_and_the_next_sync_completes_it(
    where: str, tmp_path: Path, store_dir: Path, wheel_set: list[Path]
) -> None:
    """*staged*: a cold sync compiles each new entry before it is published, so the kill leaves
    the entry in ``tmp/`` only. *published*: entries ingested earlier are compiled in place
    (unsealed meanwhile), so the kill leaves one unsealed, partly compiled and unlisted."""
    if where == "published":  # ingested without bytecode, as by a sync for another interpreter
        s = Store(str(store_dir))
        for wheel in wheel_set:
            s.ingest(str(wheel))
        s.release()
    killer = tmp_path / "python-kills"
    killer.write_text(f"#!{sys.executable}\n" + _KILLER.replace("REAL", repr(sys.executable)))
    killer.chmod(0o755)
    venv = tmp_path / "venv"
    args = [str(venv), *map(str, wheel_set), "--store", str(store_dir), "--no-deps", "-q"]
    driver = _DRIVER.replace("KILLER", repr(str(killer)))
    proc = subprocess.run(
        [sys.executable, "-c", driver, "sync", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    store = Store(str(store_dir))
    entries = [store.peek(e.name) for e in (store_dir / "entries").iterdir()]
    cut = [
        e
        for e in entries
        if e is not None
        and not bytecode._sealed(e.path)
        and bytecode.compiled_for(e, TAG) is None
        and any(Path(e.tree).rglob(f"__pycache__/*.{TAG}.pyc"))
    ]
    if where == "published":  # an entry has bytecode written, is unsealed, and has no list
        assert len(cut) == 1
    else:  # every published entry is sealed and complete; the cut one is staging in tmp/
        assert cut == []
        _entries_consistent(store_dir)
        staged = list((store_dir / "tmp").iterdir())  # (others may have been unpacking)
        assert any(list(d.rglob(f"__pycache__/*.{TAG}.pyc")) for d in staged)
    run_graft("sync", *args)
    _entries_consistent(store_dir)
    assert len(compiled_lists(store_dir)) == len(wheel_set)
    assert sorted(map(len, compiled_lists(store_dir).values())) == [0, 2, BIG_FILES + 2]
    assert py(venv, "import big.m33 as m, small; print(m.X, small.Y)") == "33 1"


# -- downloads feed ingest --------------------------------------------------------------------


def test_each_downloaded_wheel_is_handed_to_ingest_before_resolution_ends(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fetch`` reports each download as it completes; ``Arrivals`` ingests it at once, and
    the entries are taken over from it after ``locate`` returns."""
    from graft import prepare
    from tests.integration.test_sources import _serve

    unique = str(tmp_path)  # new bytes: not in the session's download cache
    make_wheel(wheels, "alpha", "1.0", {"alpha.py": f"A = 1  # {unique}\n"})
    make_wheel(wheels, "beta", "1.0", {"beta.py": f"B = 2  # {unique}\n"})
    events: list[tuple[str, str]] = []
    real_add, real_load = prepare.Arrivals.add, prepare.load_entries

    def add(self: prepare.Arrivals, wanted: object, path: str, sha: str | None) -> None:
        events.append(("arrived", os.path.basename(path)))
        real_add(self, wanted, path, sha)  # type: ignore[arg-type]

    def load_entries(*args: object, **kwargs: object) -> object:
        events.append(("entries", ""))
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(prepare.Arrivals, "add", add)
    monkeypatch.setattr(prepare, "load_entries", load_entries)
    served = _serve(wheels)
    index = next(served)
    try:
        venv = tmp_path / "venv"
        specs = ("alpha==1.0", "beta==1.0")
        sync(SyncRequest(str(venv), specs, store=str(store_dir), index_url=f"{index.url}/json/"))
    finally:
        next(served, None)  # (the rest of the generator: the server shut down)
    assert sorted(events[:2]) == [
        ("arrived", "alpha-1.0-py3-none-any.whl"),
        ("arrived", "beta-1.0-py3-none-any.whl"),
    ]
    assert events[2:] == [("entries", "")]
    # both downloaded whole (not in the download cache), after range reads of their METADATA
    downloads = [h for h in index.hits if h.path.endswith(".whl") and h.range is None]
    assert len(downloads) == 2
    assert py(venv, "import alpha, beta; print(alpha.A + beta.B)") == "3"
    _entries_consistent(store_dir)
