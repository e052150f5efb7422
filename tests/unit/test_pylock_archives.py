"""``[packages.archive]`` in an input lock (PEP 751): wheels and sdists by URL or path."""

from __future__ import annotations

from pathlib import Path

import pytest

from graft.errors import SourceError
from graft.sources.pylock import read_pylock
from graft.venv.foreign import foreign_target

SHA = "a" * 64
TARGET = foreign_target("3.11", ["manylinux_2_17_x86_64"])


def write_lock(tmp_path: Path, archive: str) -> Path:
    path = tmp_path / "pylock.toml"
    path.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\n\n'
        f'[[packages]]\nname = "app"\nversion = "1.0"\n{archive}\n'
    )
    return path


def test_a_wheel_archive_by_url_is_that_wheel(tmp_path: Path) -> None:
    url = "https://example.invalid/files/app-1.0-py3-none-any.whl"
    lock = write_lock(
        tmp_path, f'archive = {{ url = "{url}", size = 12, hashes = {{ sha256 = "{SHA}" }} }}'
    )
    (wanted,) = read_pylock(str(lock), TARGET)
    assert (wanted.name, wanted.version, wanted.url, wanted.path) == ("app", "1.0", url, None)
    assert wanted.filename == "app-1.0-py3-none-any.whl"
    assert wanted.hashes == frozenset({f"sha256:{SHA}"})
    assert wanted.size == 12
    assert wanted.source is None  # installed as it is, never built


def test_a_wheel_archive_by_path_is_relative_to_the_lock(tmp_path: Path) -> None:
    lock = write_lock(
        tmp_path,
        f'archive = {{ path = "dist/app-1.0-py3-none-any.whl", hashes = {{ sha256 = "{SHA}" }} }}',
    )
    (wanted,) = read_pylock(str(lock), TARGET)
    assert wanted.path == str(tmp_path / "dist" / "app-1.0-py3-none-any.whl")
    assert wanted.url is None


def test_an_sdist_archive_is_a_source_to_build(tmp_path: Path) -> None:
    url = "https://example.invalid/files/app-1.0.tar.gz"
    lock = write_lock(tmp_path, f'archive = {{ url = "{url}", hashes = {{ sha256 = "{SHA}" }} }}')
    (wanted,) = read_pylock(str(lock), TARGET)
    assert (wanted.source, wanted.url, wanted.filename) == (url, url, "app-1.0.tar.gz")
    assert wanted.hashes == frozenset({f"sha256:{SHA}"})
    sdist = tmp_path / "app-1.0.zip"
    sdist.write_bytes(b"")
    lock = write_lock(
        tmp_path, f'archive = {{ path = "app-1.0.zip", hashes = {{ sha256 = "{SHA}" }} }}'
    )
    (wanted,) = read_pylock(str(lock), TARGET)
    assert wanted.source == str(sdist)


@pytest.mark.parametrize(
    ("archive", "said"),
    [
        (
            'url = "https://example.invalid/app-1.0.tar.gz", subdirectory = "sub"',
            "app is locked as an archive with a subdirectory (sub), which graft cannot build",
        ),
        (
            'url = "https://example.invalid/app-1.0.rpm"',
            "app is locked as an archive, app-1.0.rpm, which is neither a wheel nor an sdist",
        ),
    ],
)
def test_an_archive_graft_cannot_build_is_refused_naming_the_entry(
    tmp_path: Path, archive: str, said: str
) -> None:
    lock = write_lock(tmp_path, f'archive = {{ {archive}, hashes = {{ sha256 = "{SHA}" }} }}')
    with pytest.raises(SourceError) as info:
        read_pylock(str(lock), TARGET)
    assert said in info.value.what
    assert info.value.where == f"{lock}: app"


def test_an_archive_without_sha256_is_refused(tmp_path: Path) -> None:
    url = "https://example.invalid/app-1.0-py3-none-any.whl"
    lock = write_lock(tmp_path, f'archive = {{ url = "{url}", hashes = {{ md5 = "{SHA[:32]}" }} }}')
    with pytest.raises(SourceError, match="no sha256"):
        read_pylock(str(lock), TARGET)
