"""The reads a run keeps, for the memo's mixed-read check (decision 479, and 491).

Decision 479 kept every read hashed in the process in a module-level list that grew for
the process's life: the store's ``_fs.file_sha256`` appended each wheel and RECORD it
hashed, and ``_toml.load_toml`` hashed every TOML file it read, needed or not. Reads are
now kept by the run open (``_reads.Reads``, opened by ``locate`` and ``lock``), only while
it is open; a reader without digests hashes nothing outside one; the store's hashing is
no read of a request's; and a ``graft lock`` worker's reads reach the lock's run.
"""

from __future__ import annotations

import os
import threading
from types import SimpleNamespace
from typing import TYPE_CHECKING

import graft._sha256
from graft._fs import file_sha256
from graft._reads import MIXED, Reads, note_read
from graft._sha256 import sha256_hex
from graft._toml import load_toml
from graft.build.source_key import editable_key
from graft.resolve import lock_workers
from graft.resolve.variants import VariantChooser, VariantOptions
from graft.variants.machine import load_config
from tests.unit.test_lock_workers import _in_a_new_process, needs_fork

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def _hashes_counted(monkeypatch: pytest.MonkeyPatch, path: Path, text: str) -> list[int]:
    """*path* written with *text*; a list that grows by one for each ``sha256_hex`` from now."""
    path.write_text(text)
    taken: list[int] = []
    real = graft._sha256.sha256_hex

    def counted(data: bytes) -> str:
        taken.append(len(data))
        return real(data)

    monkeypatch.setattr(graft._sha256, "sha256_hex", counted)
    return taken


def test_a_toml_file_read_outside_a_run_is_not_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No memo or stamp needs it: on main every ``load_toml`` hashed its bytes."""
    pyproject = tmp_path / "pyproject.toml"
    taken = _hashes_counted(monkeypatch, pyproject, '[project]\nname = "app"\n')
    assert load_toml(str(pyproject)) == {"project": {"name": "app"}}
    assert taken == []
    digests: dict[str, str] = {}  # the control: a request's reader hashes what it read
    load_toml(str(pyproject), digests=digests)
    assert digests == {str(pyproject): sha256_hex(pyproject.read_bytes())}
    assert len(taken) == 1


def test_variants_toml_is_not_hashed_even_in_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``variants.toml`` is fingerprinted by stat (decision 464): its bytes are no read's."""
    config = tmp_path / "variants.toml"
    taken = _hashes_counted(monkeypatch, config, "namespace_priorities = []\n")
    with Reads() as reads:
        load_config(str(config))
    assert (taken, reads.seen) == ([], [])


def test_reads_are_kept_by_the_run_open_and_only_while_it_is(tmp_path: Path) -> None:
    """Outside a run nothing is kept: a long process no longer grows a list of every read."""
    assert not hasattr(graft._sha256, "READS")
    first = tmp_path / "requirements.txt"
    first.write_bytes(b"a==1\n")
    note_read(None, str(first), b"a==1\n")  # (before any run: kept nowhere)
    with Reads() as outer:
        note_read(None, str(first), b"a==1\n")
        with Reads() as inner:  # (a build environment's sync, a resolution started again)
            note_read(None, str(first), b"a==2\n")
        note_read(None, str(first), b"a==3\n")
    note_read(None, str(first), b"a==4\n")  # (after: kept nowhere)
    hashes = [sha256_hex(b"a==%d\n" % n) for n in (1, 2, 3)]
    assert outer.seen == [(str(first), digest) for digest in hashes]  # the inner's read too
    assert inner.seen == [(str(first), hashes[1])]
    digests = {str(first): hashes[0]}
    outer.fold(digests)
    assert digests == {str(first): MIXED}


def test_the_stores_hash_is_no_read_of_the_run_a_build_keys_are(tmp_path: Path) -> None:
    """``_fs.file_sha256`` (the store's, a wheel's) keeps nothing; an editable's build key
    hashes its pyproject.toml, a file a request's reader may have hashed: kept."""
    wheel = tmp_path / "a-1.0-py3-none-any.whl"
    wheel.write_bytes(b"not a zip")
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "app"\n')
    with Reads() as reads:
        file_sha256(str(wheel))
        assert reads.seen == []
        editable_key(str(project))
    pyproject = str(project / "pyproject.toml")
    assert reads.seen == [(pyproject, sha256_hex(b'[project]\nname = "app"\n'))]


def _forked_reads() -> tuple[list[tuple[str, str]], int]:
    """A run's reads when a lock's environments are resolved by forked workers too."""
    assert threading.active_count() == 1
    projects = SimpleNamespace(reads={}, fetched_bytes=0, whole_bytes=0, indexes=None, builds=None)
    chooser = VariantChooser(VariantOptions(), read=lambda _f: b"")

    def resolve(n: int) -> int:
        note_read(None, f"/p/{n}", b"%d" % n)  # (say a worker's build reading a pyproject)
        return os.getpid()

    with Reads() as reads:
        note_read(None, "/p/before", b"")
        before = lock_workers.learned(projects, chooser)  # type: ignore[arg-type]
        found, reports = lock_workers.resolve_forked(
            list(range(6)),
            resolve,
            3,
            lambda: lock_workers.learned(projects, chooser),  # type: ignore[arg-type]
        )
        lock_workers.merge(reports, before, projects, chooser)  # type: ignore[arg-type]
    return reads.seen, len(set(found))


@needs_fork
def test_a_lock_workers_reads_reach_the_locks_run() -> None:
    """Decision 479 left the reads of ``graft lock``'s forked workers theirs: a request's
    file a worker's build read with other bytes did not keep the stamp from being left."""
    seen, processes = _in_a_new_process(_forked_reads)
    assert processes == 3
    assert seen[0] == ("/p/before", sha256_hex(b""))
    assert sorted(seen[1:]) == sorted((f"/p/{n}", sha256_hex(b"%d" % n)) for n in range(6))
