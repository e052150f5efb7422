"""Artifact nodes and the rule deciding which files' METADATA must be read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pytest

from graft.resolve.artifacts import (
    ArtifactFile,
    best_wheel,
    files_to_read,
    group_nodes,
    parse_wheel,
)
from graft.resolve.metadata_reader import MetadataReader
from graft.resolve.releases import read_release
from graft.venv.foreign import foreign_target

if TYPE_CHECKING:
    from packaging.utils import NormalizedName

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"]).tag_rank()
WINDOWS = foreign_target("3.11", ["win_amd64"]).tag_rank()

TF_LINUX = "tensorflow_cpu-2.19.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
TF_WINDOWS = "tensorflow_cpu-2.19.0-cp311-cp311-win_amd64.whl"
TF_ANY = "tensorflow_cpu-2.19.0-py3-none-any.whl"

# The two spellings differ only in formatting; the Linux one adds a Windows-only requirement.
META = {
    TF_LINUX: b"Metadata-Version: 2.1\nName: tensorflow-cpu\nVersion: 2.19.0\n"
    b"Requires-Dist: numpy <2.2.0, >=1.26.0\n"
    b'Requires-Dist: tensorflow-intel ==2.19.0 ; platform_system == "Windows"\n',
    TF_WINDOWS: b"Metadata-Version: 2.1\nName: tensorflow_cpu\nVersion: 2.19.0\n"
    b"Requires-Dist: numpy>=1.26.0,<2.2.0\n",
    TF_ANY: b"Metadata-Version: 2.1\nName: tensorflow-cpu\nVersion: 2.19.0\n"
    b"Requires-Dist: numpy (>=1.26.0,<2.2.0)\n",
}


class Source:
    def __init__(self, files: Sequence[ArtifactFile]) -> None:
        self._files = files
        self.reads: list[str] = []

    def files(self, name: NormalizedName) -> Sequence[ArtifactFile]:  # noqa: ARG002
        return self._files

    def metadata(self, file: ArtifactFile) -> bytes:
        self.reads.append(file.filename)
        return META[file.filename]

    def project_names(self) -> Sequence[str]:
        return ()

    def which_exist(self, names: Sequence[NormalizedName]) -> Sequence[NormalizedName]:  # noqa: ARG002
        return ()


def test_nodes_group_files_by_surface_not_bytes() -> None:
    files = [ArtifactFile(f, f"https://files.invalid/{f}") for f in (TF_LINUX, TF_WINDOWS, TF_ANY)]
    reader = MetadataReader(Source(files))
    nodes = group_nodes((f, reader.surface(f)) for f in files)
    assert len(nodes) == 2
    by_size = sorted(nodes, key=lambda n: len(n.files))
    assert [f.filename for f in by_size[0].files] == [TF_LINUX]
    assert [f.filename for f in by_size[1].files] == [TF_WINDOWS, TF_ANY]
    assert reader.reads == 3


def test_best_wheel_follows_the_target_tag_order() -> None:
    files = [ArtifactFile(f, f) for f in (TF_ANY, TF_LINUX, TF_WINDOWS, "tf-1.0.tar.gz")]
    linux, windows = best_wheel(files, LINUX), best_wheel(files, WINDOWS)
    assert linux is not None
    assert linux.filename == TF_LINUX
    assert windows is not None
    assert windows.filename == TF_WINDOWS
    mac = foreign_target("3.11", ["macosx_11_0_arm64"]).tag_rank()
    fallback = best_wheel(files, mac)
    assert fallback is not None
    assert fallback.filename == TF_ANY
    assert best_wheel([ArtifactFile("tf-1.0.tar.gz", "")], LINUX) is None


def test_only_the_targets_best_unseen_wheel_is_read() -> None:
    files = [
        ArtifactFile(TF_LINUX, "l", metadata_hash="sha256=aa"),
        ArtifactFile(TF_WINDOWS, "w", metadata_hash="sha256=bb"),
        ArtifactFile(TF_ANY, "a", metadata_hash="sha256=aa"),
    ]
    nothing: frozenset[str] = frozenset()
    assert [f.filename for f in files_to_read(files, LINUX, nothing, nothing)] == [TF_LINUX]
    # read before, by name
    assert files_to_read(files, LINUX, frozenset({TF_LINUX}), nothing) == ()
    # an equal metadata hash proves an equal surface: no read
    assert files_to_read(files, LINUX, nothing, frozenset({"sha256=aa"})) == ()
    # a different hash only means "maybe different": read
    assert [
        f.filename for f in files_to_read(files, WINDOWS, nothing, frozenset({"sha256=aa"}))
    ] == [TF_WINDOWS]
    assert files_to_read([ArtifactFile("x-1.0.tar.gz", "")], LINUX, nothing, nothing) == ()


def test_reader_reads_each_file_once_and_shares_equal_hashes() -> None:
    files = [
        ArtifactFile(TF_LINUX, "l", metadata_hash="sha256=aa"),
        ArtifactFile(TF_ANY, "a", metadata_hash="sha256=aa"),
        ArtifactFile(TF_WINDOWS, "w"),
    ]
    source = Source(files)
    reader = MetadataReader(source)
    assert not reader.known(files[1])
    first = reader.surface(files[0])
    assert reader.known(files[1])
    assert reader.surface(files[1]) is first  # same hash: no read
    reader.surface(files[0])
    reader.surface(files[2])
    reader.surface(files[2])
    assert source.reads == [TF_LINUX, TF_WINDOWS]
    assert reader.reads == 2
    assert [f.filename for f, _ in reader.seen()] == [TF_LINUX, TF_ANY, TF_WINDOWS]


def test_parse_wheel() -> None:
    parsed = parse_wheel("Foo_Bar-1.0-7-py2.py3-none-any.whl")
    assert parsed is not None
    assert (parsed.name, str(parsed.version), parsed.build) == ("foo-bar", "1.0", 7)
    assert parsed.tags == ("py2-none-any", "py3-none-any")
    assert parse_wheel("not-a-wheel.whl") is None


def test_wheel_rank_is_the_index_modules_rank() -> None:
    from graft.resolve.artifacts import wheel_rank
    from graft.sources.candidates import rank

    names = [
        TF_LINUX,
        TF_WINDOWS,
        TF_ANY,
        "x-1.0-3-py3-none-any.whl",
        "x-1.0-cp38-abi3-manylinux_2_17_x86_64.whl",
        "x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "x-1.0-py2.py3-none-any.whl",
        "bad.whl",
    ]
    for target in (LINUX, WINDOWS):
        assert [wheel_rank(n, target) for n in names] == [rank(n, target) for n in names]
    assert wheel_rank(TF_LINUX, LINUX) is not None
    assert wheel_rank(TF_LINUX, WINDOWS) is None


def test_a_release_for_several_targets_reads_each_best_wheel_once() -> None:
    files = [ArtifactFile(f, f"https://files.invalid/{f}") for f in (TF_LINUX, TF_WINDOWS, TF_ANY)]
    source = Source(files)
    reader = MetadataReader(source)
    newer_linux = foreign_target("3.11", ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64"])
    mac = foreign_target("3.11", ["macosx_11_0_arm64"])
    view = read_release(files, [LINUX, newer_linux.tag_rank(), WINDOWS], reader)
    assert source.reads == [TF_LINUX, TF_WINDOWS]  # both Linux targets install one wheel
    assert len(view.nodes) == 2
    assert view.chosen[0] is view.chosen[1]
    assert view.chosen[0] is not None
    assert "tensorflow-intel==2.19.0" in view.chosen[0].surface.requires_dist[1]
    assert view.chosen[2] is not None
    assert view.chosen[2].surface.requires_dist == ("numpy<2.2.0,>=1.26.0",)
    again = read_release(files, [WINDOWS, mac.tag_rank()], reader)
    assert source.reads == [TF_LINUX, TF_WINDOWS, TF_ANY]  # only the unseen best wheel
    assert again.chosen[0] == again.chosen[1] is not None  # equal surfaces: one node
    gone = foreign_target("3.11", ["musllinux_1_2_aarch64"]).tag_rank()
    assert read_release([files[0]], [gone], reader).chosen == (None,)


def test_equal_metadata_hashes_spare_the_read() -> None:
    files = [
        ArtifactFile(TF_WINDOWS, "w", metadata_hash="sha256=bb"),
        ArtifactFile(TF_ANY, "a", metadata_hash="sha256=bb"),
    ]
    source = Source(files)
    mac = foreign_target("3.11", ["macosx_11_0_arm64"]).tag_rank()
    view = read_release(files, [WINDOWS, mac], MetadataReader(source))
    assert source.reads == [TF_WINDOWS]
    assert view.chosen[0] is view.chosen[1]


def test_prefetch_reads_in_a_thread_and_reports_failures_where_needed() -> None:
    import threading

    threads: list[str] = []

    class Threaded(Source):
        def metadata(self, file: ArtifactFile) -> bytes:
            threads.append(threading.current_thread().name)
            if file.filename == TF_ANY:
                msg = "the network is down"
                raise OSError(msg)
            return super().metadata(file)

    files = [ArtifactFile(f, f) for f in (TF_LINUX, TF_ANY)]
    reader = MetadataReader(Threaded(files), workers=2)
    try:
        reader.prefetch(files[0])
        reader.prefetch(files[0])  # once only
        reader.prefetch(files[1])  # fails in its thread, silently so far
        assert "tensorflow-intel" in reader.surface(files[0]).requires_dist[1]
        assert threads[0].startswith("graft-metadata")
        with pytest.raises(OSError, match="network is down"):
            reader.surface(files[1])
        reader.prefetch(files[0])  # known: nothing started
        assert reader.reads == 2
    finally:
        reader.close()
    unthreaded = MetadataReader(Threaded(files))
    unthreaded.prefetch(files[0])  # no workers: nothing happens until surface()
    assert unthreaded.reads == 0
