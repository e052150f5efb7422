"""resolve/kept_surface: a wheel's parsed surface kept by its sha256 and URL, and read back."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft._sha256 import sha256_hex
from graft.resolve import kept_surface
from graft.resolve.artifacts import ArtifactFile
from graft.resolve.surface import read_surface

if TYPE_CHECKING:
    from pathlib import Path

METADATA = b"Metadata-Version: 2.1\nName: lib\nVersion: 1.0\nRequires-Dist: leaf>=1\n\n"
URL = "https://example.invalid/files/lib-1.0-py3-none-any.whl"


def wheel(
    url: str = URL, sha: str | None = "ab" * 32, announced: str | None = None
) -> ArtifactFile:
    hashes = (("sha256", sha),) if sha else ()
    return ArtifactFile("lib-1.0-py3-none-any.whl", url, hashes, metadata_hash=announced)


def test_a_kept_surface_is_read_back_while_the_announced_hash_agrees(tmp_path: Path) -> None:
    surface = read_surface(METADATA)
    kept_surface.keep(str(tmp_path), wheel(), METADATA, surface)
    assert kept_surface.load(str(tmp_path), wheel()) == surface
    ok = f"sha256={sha256_hex(METADATA)}"
    assert kept_surface.load(str(tmp_path), wheel(announced=ok)) == surface
    assert kept_surface.load(str(tmp_path), wheel(announced="sha256=" + "0" * 64)) is None
    assert kept_surface.load(str(tmp_path), wheel(sha="cd" * 32)) is None  # another wheel
    assert kept_surface.load(str(tmp_path), wheel(url=URL + "?other")) is None  # another URL


def test_a_local_or_unhashed_wheel_keeps_nothing(tmp_path: Path) -> None:
    surface = read_surface(METADATA)
    for file in (wheel(url="/wheels/lib-1.0-py3-none-any.whl"), wheel(sha=None)):
        kept_surface.keep(str(tmp_path), file, METADATA, surface)
        assert kept_surface.load(str(tmp_path), file) is None
    assert not (tmp_path / "surfaces").exists()


def test_a_damaged_kept_surface_or_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    surface = read_surface(METADATA)
    kept_surface.keep(str(tmp_path), wheel(), METADATA, surface)
    (kept,) = (tmp_path / "surfaces").iterdir()
    kept.write_text("{not json")
    assert kept_surface.load(str(tmp_path), wheel()) is None
    kept.write_text('{"filename": "other-1.0-py3-none-any.whl"}')
    assert kept_surface.load(str(tmp_path), wheel()) is None
    blocked = tmp_path / "file"
    blocked.write_text("")  # (a file where the cache directory would be)
    kept_surface.keep(str(blocked), wheel(), METADATA, surface)
    assert os.path.isfile(blocked)
