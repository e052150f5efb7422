"""The sha256 of a download-cache file, from where it lies (``wheels/<sha256>/<filename>``)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from graft.sources.cachenames import stored_sha256
from graft.sources.candidates import Candidate
from graft.sources.fetch import cached_path

if TYPE_CHECKING:
    from pathlib import Path

DATA = b"an sdist's bytes"
SHA = hashlib.sha256(DATA).hexdigest()


def _cached(cache: Path, digest: str = SHA, name: str = "demo-1.0.tar.gz") -> Path:
    path = cache / "wheels" / digest / name
    path.parent.mkdir(parents=True)
    path.write_bytes(DATA)
    return path


def test_a_file_of_the_download_cache_is_named_by_its_directory(tmp_path: Path) -> None:
    path = _cached(tmp_path)
    assert stored_sha256(str(path), str(tmp_path)) == SHA
    # the path the resolver holds is the one cached_path gives (a warm sync's sdists)
    found = cached_path(Candidate(path.name, "https://x/demo-1.0.tar.gz", SHA, local=False),
                        str(tmp_path))  # fmt: skip
    assert found is not None
    assert stored_sha256(found, str(tmp_path)) == SHA


def test_a_file_elsewhere_or_not_so_named_is_read_instead(tmp_path: Path) -> None:
    elsewhere = tmp_path / "links" / SHA / "demo-1.0.tar.gz"  # not under <cache>/wheels
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_bytes(DATA)
    cache = tmp_path / "cache"
    assert stored_sha256(str(elsewhere), str(cache)) is None
    assert stored_sha256(str(_cached(cache, "ab" * 31)), str(cache)) is None  # too short
    assert stored_sha256(str(_cached(cache, SHA.upper())), str(cache)) is None  # not lowercase
    assert stored_sha256(str(_cached(cache, "g" * 64)), str(cache)) is None  # not hex
    missing = cache / "wheels" / ("0" * 64) / "gone-1.0.tar.gz"
    assert stored_sha256(str(missing), str(cache)) is None  # (hashing it says what is wrong)
