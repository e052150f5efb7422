"""A wheel whose entry the store holds is not downloaded again (decision 154).

``graft cache clean`` empties the download cache, never the store. A sync afterwards of a set
the store holds (a new venv, inputs no memo or stamp answers) takes each wheel's entry by the
sha256 the index or the lock gives, and asks the index for no wheel file: with ``--offline``
too. An entry the store does not vouch for (no verified marker, or gone) is downloaded and
unpacked as before; a lock's size is still checked, against the size the store recorded.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graft.store import seal
from tests.conftest import run_graft
from tests.integration.test_dry_run import downloaded, index, sync, whole_wheels
from tests.integration.test_resolve_sync import installed
from tests.integration.test_warm import snapshot
from tests.support.here import X_Y
from tests.support.venv import visible_files

if TYPE_CHECKING:
    from tests.support.rangeserver import Served

__all__ = ["index"]  # (the loopback index of test_dry_run, reused)

APP, LIB = "app-1.0-py3-none-any.whl", "lib-2.0-py3-none-any.whl"


def cleaned(cache: Path) -> None:
    """``graft cache clean``: downloads, index pages, metadata files, stamps, all gone."""
    run_graft("cache", "clean")
    assert not cache.exists() or not any(cache.iterdir())


def test_a_sync_after_cache_clean_downloads_no_wheel_the_store_holds(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    first = tmp_path / "first"
    sync(first, index, store_dir, "app")
    assert whole_wheels(index) == 2
    cleaned(cache)
    asked = len(index.ranges)
    # another requirement for the same set: no memo, no stamp answers; resolution reads the
    # METADATA from the entries the index's sha256 name (decision 294: before, two range
    # reads), and each wheel comes from its entry
    second = tmp_path / "second"
    sync(second, index, store_dir, "app>=1")
    assert index.ranges[asked:] == []  # no wheel file asked for, whole or in part
    assert downloaded(cache) == []
    assert installed(second) == installed(first) == {"app": "1.0", "lib": "2.0"}
    assert visible_files(second) == visible_files(first)
    assert snapshot(second) == snapshot(first)
    # the memo that sync kept holds no wheel file: a third venv of the same inputs recalls it
    third = tmp_path / "third"
    _, err = sync(third, index, store_dir, "app>=1", "-v")
    assert "recall" in err
    assert snapshot(third) == snapshot(first)
    assert whole_wheels(index, asked) == 0
    # a dry run says so
    out = sync(tmp_path / "fourth", index, store_dir, "app>=1.0", "--dry-run", "--json")[0]
    data = json.loads(out)
    assert {d["fetch"] for d in data["distributions"]} == {"stored"}
    assert data["download"] == {"wheels": 0, "bytes": 0}
    assert data["planned"] is True
    # and with a wheel the store lacks (no plan then: the files, and how each is got)
    text = sync(tmp_path / "fourth", index, store_dir, "app", "lib==1.0", "--dry-run")[0]
    lines = text.splitlines()
    assert lines[0] == f"stored          {APP}"
    assert lines[1].startswith("download        lib-1.0-py3-none-any.whl (")
    assert lines[2].startswith("# 2 distributions, 1 wheel to download (")
    assert whole_wheels(index, asked) == 0


@pytest.fixture
def lock(tmp_path: Path, index: Served) -> Path:
    """A pylock.toml of app (and lib), with each wheel's URL, sha256 and size."""
    path = tmp_path / "pylock.toml"
    url = f"{index.url}/simple/"
    run_graft("lock", "app", "--index-url", url, "-o", path, "--python-version", X_Y)
    assert "size = " in path.read_text()
    return path


def test_an_offline_sync_of_a_lock_after_cache_clean_takes_the_stored_entries(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served, lock: Path
) -> None:
    first = tmp_path / "first"
    run_graft("sync", first, lock, "--store", store_dir)
    cleaned(cache)
    asked = len(index.paths)
    second = tmp_path / "second"
    run_graft("sync", second, lock, "--store", store_dir, "--offline")
    assert index.paths[asked:] == []
    assert snapshot(second) == snapshot(first)
    # a lock whose size disagrees with the wheel's is refused, as a download would be
    text = lock.read_text()
    size = len(index.files[LIB])
    assert f"size = {size}\n" in text
    lock.write_text(text.replace(f"size = {size}\n", f"size = {size + 1}\n"))
    proc = run_graft(
        "sync", tmp_path / "third", lock, "--store", store_dir, "--offline", check=False
    )
    assert proc.returncode != 0
    assert f"{LIB} is not {size + 1} bytes as given here" in proc.stderr
    assert not (tmp_path / "third").exists()


def test_an_entry_the_store_does_not_vouch_for_is_downloaded_again(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    first = tmp_path / "first"
    sync(first, index, store_dir, "app")
    cleaned(cache)
    # lib's entry loses its verified marker (planted, or damaged and found by verify)
    sha = {f"/{n}": s for n, s in _shas(index).items()}
    (marker,) = (store_dir / "verified").glob(f"{sha[f'/{LIB}']}.*")
    marker.unlink()
    asked = len(index.ranges)
    second = tmp_path / "second"
    sync(second, index, store_dir, "app>=1")
    assert whole_wheels(index, asked) == 1
    assert downloaded(cache) == [LIB]
    assert snapshot(second) == snapshot(first)
    assert list((store_dir / "verified").glob(f"{sha[f'/{LIB}']}.*"))  # unpacked afresh
    # every entry gone (the venvs removed, gc): every wheel downloaded again
    for venv in (first, second):
        seal.remove_tree(str(venv))
    run_graft("store", "gc", "--store", store_dir)
    assert not any((store_dir / "entries").iterdir())
    cleaned(cache)
    asked = len(index.ranges)
    third = tmp_path / "third"
    sync(third, index, store_dir, "app>=1.0")
    assert whole_wheels(index, asked) == 2
    assert downloaded(cache) == [APP, LIB]
    assert installed(third) == {"app": "1.0", "lib": "2.0"}


def _shas(served: Served) -> dict[str, str]:
    import hashlib

    return {name: hashlib.sha256(data).hexdigest() for name, data in served.files.items()}


def test_a_url_wheel_without_a_hash_is_downloaded_again_after_cache_clean(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    """A URL names no bytes: after ``graft cache clean`` forgot what it served, its wheel is
    fetched again, as uv 0.13.9 does after ``uv cache clean`` and pip 26.3 does every time (the
    ingest then finds its entry: nothing is unpacked). With its sha256 given in the URL the
    store's entry is taken (decision 154). Checked, not changed: the note to decision 154."""
    url = f"{index.url}/{LIB}"
    sync(tmp_path / "a", index, store_dir, f"lib @ {url}")
    assert whole_wheels(index) == 1
    cleaned(cache)
    asked = len(index.ranges)
    sync(tmp_path / "b", index, store_dir, f"lib @ {url}")
    assert whole_wheels(index, asked) == 1, "fetched again: nothing vouches for the URL's bytes"
    assert installed(tmp_path / "b") == {"lib": "2.0"}
    cleaned(cache)
    asked = len(index.ranges)
    digest = hashlib.sha256(index.files[LIB]).hexdigest()
    sync(tmp_path / "c", index, store_dir, f"lib @ {url}#sha256={digest}")
    assert whole_wheels(index, asked) == 0, "the sha256 names the store's entry"
    assert installed(tmp_path / "c") == {"lib": "2.0"}


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_a_url_wheel_with_its_sha256_is_read_from_the_store_with_no_request(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served, offline: bool
) -> None:
    """After ``graft cache clean``, a URL wheel whose sha256 the URL gives needs no request.

    Before (decision 294): one range read of its last 64 KiB for the METADATA to resolve
    with, although the store held the entry the sync then installed; with ``--offline``,
    `its METADATA is not in the cache and --offline was given`.
    """
    digest = hashlib.sha256(index.files[LIB]).hexdigest()
    spec = f"lib @ {index.url}/{LIB}#sha256={digest}"
    sync(tmp_path / "a", index, store_dir, spec)
    cleaned(cache)
    asked = len(index.paths)
    _, err = sync(tmp_path / "b", index, store_dir, spec, "-v", *(["--offline"] * offline))
    assert index.paths[asked:] == []  # no request at all
    assert installed(tmp_path / "b") == {"lib": "2.0"}
    assert "1 store" in err  # (-v: where each METADATA was read from)
    assert snapshot(tmp_path / "b") == snapshot(tmp_path / "a")


def test_an_entry_of_another_release_under_a_listed_sha256_is_not_read(
    tmp_path: Path, store_dir: Path, cache: Path, index: Served
) -> None:
    """A URL giving the sha256 of another release's wheel the store holds: the wheel is read
    from the URL and refused for its hash, as pip and uv refuse it.

    Before (decision 294): the entry of that sha256 was taken for the URL's wheel (decision
    154): app's files installed for ``lib @ URL``, then `the set is incomplete: app==1.0
    requires lib>=1`, and without that dependency app would have been installed silently.
    """
    digest = hashlib.sha256(index.files[APP]).hexdigest()
    sync(tmp_path / "a", index, store_dir, f"app @ {index.url}/{APP}#sha256={digest}")
    cleaned(cache)
    asked = len(index.paths)
    proc = run_graft(
        "sync",
        tmp_path / "b",
        f"lib @ {index.url}/{LIB}#sha256={digest}",
        "--store",
        store_dir,
        check=False,
    )
    assert [p for p in index.paths[asked:] if p.endswith(LIB)]  # read from the URL
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith(f"graft: error: command line: {LIB} has sha256 "), proc.stderr
    assert "not the hash given here" in proc.stderr
    assert not (tmp_path / "b").exists()
