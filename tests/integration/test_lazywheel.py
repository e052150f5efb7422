"""Range reads of a wheel's METADATA against loopback servers, counting requests and bytes."""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graft.errors import SourceError
from graft.sources.lazywheel import TAIL, read_metadata
from tests.support.rangeserver import Served, serve
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def served() -> Iterator[Served]:
    with serve() as state:
        yield state


def member_bytes(path: Path) -> tuple[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return name, archive.read(name)


REQUIRES = ("numpy >=1.16.0, <2.0.0", 'black (==24.10.0) ; extra == "fmt"')


def test_a_small_wheel_takes_one_request(wheels: Path, served: Served) -> None:
    wheel = make_wheel(wheels, "small", "1.0", {"small.py": "x = 1\n"}, requires=REQUIRES)
    url = served.add(wheel)
    got = read_metadata(url, "Small")
    name, expected = member_bytes(wheel)
    assert (got.member, got.metadata) == (name, expected)
    assert got.sha256 == "sha256=" + hashlib.sha256(expected).hexdigest()
    assert (got.requests, got.ranged) == (1, True)
    assert served.ranges == [f"bytes=-{TAIL}"]
    assert got.bytes_read == served.sent == wheel.stat().st_size  # smaller than the tail


def test_metadata_far_from_the_end_takes_a_second_small_request(
    wheels: Path, served: Served
) -> None:
    payload = os.urandom(2 * 1024 * 1024)  # incompressible, stored after the dist-info
    wheel = make_wheel(
        wheels, "big", "2.0", requires=REQUIRES, extra_members=[("big/blob.bin", payload)]
    )
    url = served.add(wheel)
    got = read_metadata(url)
    assert got.metadata == member_bytes(wheel)[1]
    assert got.requests == 2
    assert got.ranged
    assert got.bytes_read == served.sent
    assert got.bytes_read < TAIL + 4096 < wheel.stat().st_size // 10


def test_a_directory_larger_than_the_tail(wheels: Path, served: Served) -> None:
    files: dict[str, bytes | str] = {f"pkg/module_{i:05d}_{'x' * 60}.py": "" for i in range(1500)}
    wheel = make_wheel(wheels, "many", "3.0", files, requires=REQUIRES)
    url = served.add(wheel)
    got = read_metadata(url, tail=4096)
    assert got.metadata == member_bytes(wheel)[1]
    assert got.requests == 3  # the tail, the rest of the directory, then METADATA
    assert got.bytes_read < wheel.stat().st_size


def test_a_server_ignoring_range_sends_the_whole_file_once(wheels: Path, served: Served) -> None:
    served.mode = "ignore"
    wheel = make_wheel(wheels, "plain", "1.0", requires=REQUIRES)
    got = read_metadata(served.add(wheel))
    assert got.metadata == member_bytes(wheel)[1]
    assert (got.requests, got.ranged) == (1, False)
    assert got.bytes_read == served.sent == wheel.stat().st_size


def test_a_refused_suffix_range_falls_back_to_the_whole_file(wheels: Path, served: Served) -> None:
    served.mode = "no-suffix"
    wheel = make_wheel(wheels, "nosuffix", "1.0", requires=REQUIRES)
    got = read_metadata(served.add(wheel))
    assert got.metadata == member_bytes(wheel)[1]
    assert (got.requests, got.ranged) == (2, False)
    assert served.ranges == [f"bytes=-{TAIL}", None]


def test_stored_members_and_zip64(wheels: Path, served: Served) -> None:
    path = wheels / "wide-1.0-py3-none-any.whl"
    metadata = b"Metadata-Version: 2.1\nName: wide\nVersion: 1.0\nRequires-Dist: a>1\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("wide-1.0.dist-info/METADATA", metadata)
        for i in range(0x10000):  # more entries than a 16-bit count: a ZIP64 end record
            archive.writestr(f"w/{i}", b"")
    got = read_metadata(served.add(path), "wide")
    assert got.metadata == metadata
    assert got.ranged
    assert got.requests == 3  # tail, directory, METADATA at the very start
    assert got.bytes_read < path.stat().st_size


def test_errors_name_the_url(wheels: Path, served: Served) -> None:
    with pytest.raises(SourceError, match="HTTP 404"):
        read_metadata(f"{served.url}/missing-1.0-py3-none-any.whl")
    bare = wheels / "bare-1.0-py3-none-any.whl"
    with zipfile.ZipFile(bare, "w") as archive:
        archive.writestr("bare.py", b"")
    with pytest.raises(SourceError, match=r"its \.dist-info/METADATA is missing"):
        read_metadata(served.add(bare))
    junk = wheels / "junk-1.0-py3-none-any.whl"
    junk.write_bytes(b"not a zip at all" * 10)
    with pytest.raises(SourceError, match="not a zip archive"):
        read_metadata(served.add(junk))


def test_the_project_picks_its_dist_info(wheels: Path, served: Served) -> None:
    wheel = make_wheel(
        wheels,
        "two",
        "1.0",
        extra_members=[("other-9.dist-info/METADATA", b"Name: other\nVersion: 9\n")],
    )
    url = served.add(wheel)
    assert read_metadata(url, "two").member == "two-1.0.dist-info/METADATA"
    with pytest.raises(SourceError, match=r"2 \.dist-info/METADATA"):
        read_metadata(url)


@pytest.fixture(scope="module")
def shared_server() -> Iterator[Served]:
    with serve() as state:
        yield state


@settings(max_examples=40, deadline=None)
@given(
    before=st.lists(st.integers(0, 6000), max_size=6),
    after=st.lists(st.integers(0, 6000), max_size=6),
    requires=st.lists(st.sampled_from((*REQUIRES, "a>1", "b<2; os_name == 'nt'")), max_size=40),
    method=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2]),
    tail=st.sampled_from([64, 200, 1024, 5000, TAIL]),
    seed=st.binary(min_size=8, max_size=8),
)
def test_any_layout_reads_what_zipfile_reads(
    tmp_path_factory: pytest.TempPathFactory,
    shared_server: Served,
    before: list[int],
    after: list[int],
    requires: list[str],
    method: int,
    tail: int,
    seed: bytes,
) -> None:
    path = tmp_path_factory.mktemp("layouts") / f"lay-{seed.hex()}-py3-none-any.whl"
    lines = ["Metadata-Version: 2.1", "Name: lay", f"Version: {int.from_bytes(seed, 'big')}"]
    metadata = "\n".join(lines + [f"Requires-Dist: {r}" for r in requires]).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for i, size in enumerate(before):
            archive.writestr(f"lay/a{i}.bin", os.urandom(size), compress_type=method)
        archive.writestr("lay-1.0.dist-info/METADATA", metadata, compress_type=method)
        for i, size in enumerate(after):
            archive.writestr(f"lay/b{i}.bin", os.urandom(size), compress_type=method)
    url = shared_server.add(path)
    got = read_metadata(url, "lay", tail=tail)
    assert got.metadata == metadata
    assert got.member == "lay-1.0.dist-info/METADATA"
    assert got.requests <= (3 if method != zipfile.ZIP_BZIP2 else 5)
    assert got.ranged == (method != zipfile.ZIP_BZIP2)


def test_metadata_cut_by_the_start_of_the_tail(wheels: Path, served: Served) -> None:
    path = wheels / "cut-1.0-py3-none-any.whl"
    metadata = b"Metadata-Version: 2.1\nName: cut\nVersion: 1.0\n" + os.urandom(3000).hex().encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("cut/big.bin", os.urandom(20000))
        archive.writestr("cut-1.0.dist-info/METADATA", metadata)  # last: its end is in the tail
    got = read_metadata(served.add(path), tail=1024)
    assert got.metadata == metadata
    assert got.requests == 2
    assert served.ranges[1] is not None
    first, last = (int(n) for n in served.ranges[1].removeprefix("bytes=").split("-"))
    assert 20000 < first < last + 1 == path.stat().st_size - 1024  # only what the tail lacked
    assert got.bytes_read < 1024 + len(metadata) + 200


def test_transient_failures_are_retried(wheels: Path, served: Served) -> None:
    wheel = make_wheel(wheels, "flaky", "1.0", requires=REQUIRES)
    url = served.add(wheel)
    served.fail_next = 2
    got = read_metadata(url, backoff=0)
    assert got.metadata == member_bytes(wheel)[1]
    assert got.requests == 3
    assert served.ranges == [f"bytes=-{TAIL}"] * 3
    served.fail_next = 3
    with pytest.raises(SourceError, match="HTTP 503"):
        read_metadata(url, backoff=0)
    with pytest.raises(SourceError, match="cannot fetch the wheel"):  # nothing listens there
        read_metadata("http://127.0.0.1:9/flaky-1.0-py3-none-any.whl", backoff=0)


@pytest.mark.parametrize("mode", ["ranges", "ignore"])
def test_another_dist_info_member_is_read_alike(wheels: Path, served: Served, mode: str) -> None:
    text = '{"$schema": "x", "variants": {"v3": {}}}'
    wheel = make_wheel(
        wheels,
        "demo",
        "1.0",
        {"demo.py": "", "demo-1.0.dist-info/variant.json": text},
        filename="demo-1.0-py3-none-any-v3.whl",
    )
    served.mode = mode
    got = read_metadata(served.add(wheel), "demo", leaf="variant.json")
    assert (got.member, got.metadata, got.ranged) == (
        "demo-1.0.dist-info/variant.json",
        text.encode(),
        mode == "ranges",
    )
    plain = make_wheel(wheels, "plain", "1.0", {"plain.py": ""})
    with pytest.raises(SourceError, match=r"its \.dist-info/variant\.json is missing"):
        read_metadata(served.add(plain), leaf="variant.json")
