"""A store a failed sync made, taken back only while nothing was written into it."""

from __future__ import annotations

from pathlib import Path

from graft._fs import flock
from graft.store.entries import GC_LOCK, Store
from graft.store.unmade import missing_top, take_back


def made(tmp_path: Path) -> tuple[Store, str]:
    root = tmp_path / "a" / "b" / "store"
    top = missing_top(str(root))
    assert top == str(tmp_path / "a")
    store = Store(str(root))
    store.ensure()
    return store, top


def test_an_empty_store_and_the_directories_made_for_it_are_taken_back(tmp_path: Path) -> None:
    store, top = made(tmp_path)
    store.pin()  # (its lock file: made by this sync, held by nobody else)
    take_back(store, top)
    assert list(tmp_path.iterdir()) == []


def test_a_store_written_into_stays_whole(tmp_path: Path) -> None:
    store, top = made(tmp_path)
    (Path(store.roots_dir) / "someone").write_text("")
    take_back(store, top)
    assert sorted(p.name for p in Path(store.root).iterdir()) == sorted(
        ["entries", "tmp", "locks", "roots", "plans", "verified"]
    )


def test_a_store_another_process_holds_stays(tmp_path: Path) -> None:
    store, top = made(tmp_path)
    with flock(str(Path(store.locks_dir) / GC_LOCK)):  # (as a gc or another sync holds it)
        take_back(store, top)
    assert Path(store.entries_dir).is_dir()
    assert (Path(store.locks_dir) / GC_LOCK).exists()


def test_an_entry_lock_an_ingest_left_is_taken_back_with_the_store(tmp_path: Path) -> None:
    """Decision 206: an ingest that failed leaves ``locks/<sha256>.lock``; held by nobody,
    it no longer keeps the empty store (a sync's or a build's) behind."""
    store, top = made(tmp_path)
    with store.lock("ab" * 32):
        pass
    take_back(store, top)
    assert list(tmp_path.iterdir()) == []


def test_an_entry_lock_another_holds_keeps_the_store(tmp_path: Path) -> None:
    store, top = made(tmp_path)
    with flock(str(Path(store.locks_dir) / f"{'ab' * 32}.lock")):
        take_back(store, top)
    assert Path(store.entries_dir).is_dir()
