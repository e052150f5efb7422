"""A remote wheel whose entry the store holds is not downloaded (decision 154).

:func:`graft.resolve.fetched.stored` trusts an entry by its verified marker, for the sha256
known before download; a lock's size is checked against the size the marker recorded (an
entry ingested before that was recorded is downloaded as before). :func:`fetch` gives such a
wheel no path, with nothing asked of the network, ``--offline`` too; a wheel the store lost
after that is a one-line error when its entry is loaded.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graft.errors import SourceError, StoreError
from graft.model.request import SilentReporter
from graft.prepare import load_entries
from graft.resolve.fetched import Fetched, fetch, stored
from graft.resolve.located import Located
from graft.sources.candidates import Candidate
from graft.sources.requirements import parse_spec
from graft.store import seal, verified
from graft.store.entries import Store
from graft.venv.foreign import foreign_target
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator

    from graft.model.requirements import Wanted

URL = "https://files.invalid/packages/"  # never asked: nothing here may reach the network


class _Silent(SilentReporter):
    def downloads(self, items: int) -> object:
        raise AssertionError(f"{items} downloads started")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    found = Store(str(tmp_path / "store"))
    yield found
    found.release()
    seal.remove_tree(str(tmp_path / "store"))


@pytest.fixture
def wheel(wheels: Path) -> Path:
    return make_wheel(wheels, "demo", "1.0", {"demo.py": "X = 1\n"})


def _candidate(wheel: Path, sha: str | None) -> Candidate:
    return Candidate(wheel.name, URL + wheel.name, sha, local=False)


def _wanted(size: int | None = None) -> Wanted:
    return dataclasses.replace(parse_spec("demo==1.0", "pylock.toml"), size=size)


def test_only_an_entry_the_store_vouches_for_is_taken(store: Store, wheel: Path) -> None:
    sha = store.ingest(str(wheel)).record.sha256
    assert stored(_wanted(), _candidate(wheel, sha), store)
    assert not stored(_wanted(), _candidate(wheel, None), store)  # no sha256 before download
    assert not stored(_wanted(), _candidate(wheel, "0" * 64), store)  # another wheel's
    local = Candidate(wheel.name, str(wheel), sha, local=True)
    assert not stored(_wanted(), local, store)  # (a local file is at hand anyway)
    verified.forget(store.root, sha)  # planted, or found damaged: no marker
    assert not stored(_wanted(), _candidate(wheel, sha), store)


def test_a_lock_s_size_is_checked_against_the_size_recorded(store: Store, wheel: Path) -> None:
    sha = store.ingest(str(wheel)).record.sha256
    size = wheel.stat().st_size
    marker = verified.read(store.root, sha)
    assert marker is not None
    assert marker.size == size
    assert stored(_wanted(size), _candidate(wheel, sha), store)
    with pytest.raises(SourceError, match=rf"{wheel.name} is not {size + 1} bytes as given here"):
        stored(_wanted(size + 1), _candidate(wheel, sha), store)
    # a marker written before the size was recorded: the wheel is downloaded and checked
    (path,) = Path(store.root, "verified").glob(f"{sha}.*")
    old = json.loads(path.read_text())
    del old["size"]
    path.chmod(0o644)
    path.write_text(json.dumps(old))
    assert verified.read(store.root, sha) == dataclasses.replace(marker, size=None)
    assert not stored(_wanted(size), _candidate(wheel, sha), store)
    assert stored(_wanted(), _candidate(wheel, sha), store)


def test_fetch_gives_a_stored_wheel_no_path_and_downloads_nothing(
    tmp_path: Path, store: Store, wheel: Path
) -> None:
    sha = store.ingest(str(wheel)).record.sha256
    wanted = dataclasses.replace(_wanted(), hashes=frozenset({f"sha256:{sha}"}))
    arrived: list[str] = []
    (got,) = fetch(
        [(wanted, _candidate(wheel, sha))],
        str(tmp_path / "cache"),
        _Silent(),
        offline=True,
        on_fetched=lambda _w, path, _sha: arrived.append(path),
        store=store,
    )
    assert got == Fetched(wanted, None, sha, wheel.name)
    assert got.name == wheel.name
    assert arrived == []  # nothing to ingest
    # without the store: not in the download cache, and offline
    with pytest.raises(SourceError, match="neither in the download cache nor in the store"):
        fetch([(wanted, _candidate(wheel, sha))], str(tmp_path / "cache"), _Silent(), offline=True)


def test_an_entry_gone_after_fetch_is_a_one_line_error(store: Store, wheel: Path) -> None:
    store.ensure()
    target = foreign_target("3.11", ["manylinux_2_17_x86_64"])
    located = Located(target, (Fetched(_wanted(), None, "1" * 64, wheel.name),))
    with pytest.raises(StoreError) as caught:
        load_entries(located, store, _Silent())
    assert str(caught.value).splitlines() == [str(caught.value)]
    assert f"the entry of {wheel.name} is no longer in the store" in str(caught.value)
