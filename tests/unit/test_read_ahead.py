"""Reading ahead (decision 77): a prefetched wheel's dependencies listed and read before a pin."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from graft.resolve.candidates import Need, PythonCandidate
from graft.resolve.metadata_reader import MetadataReader
from graft.resolve.policy import Policy
from graft.resolve.provider import Provider
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import FakeIndex

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from packaging.utils import NormalizedName

    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.surface import Surface

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])


class ListingIndex(FakeIndex):
    """A fake index that lists in the background (``ListingPrefetch``), noting what was asked."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []
        self.fresh: set[str] = set()  # listed without the network: nothing read ahead
        self.cheap = True  # False: a server without ranges, whole downloads for METADATA
        self.lock = threading.Lock()

    def prefetch_files(self, names: Sequence[NormalizedName]) -> Sequence[NormalizedName]:
        with self.lock:
            self.asked += names
        return [n for n in names if n not in self.fresh]

    def reads_cheaply(self) -> bool:
        return self.cheap

    def metadata(self, file: ArtifactFile) -> bytes:
        with self.lock:
            return super().metadata(file)


def _until(done: Callable[[], bool]) -> None:
    """Wait for the reader's threads to get *done* (a guard against a hang, not a timing)."""
    event = threading.Event()
    for _ in range(500):
        if done():
            return
        event.wait(0.02)
    raise AssertionError("the reads ahead never happened")


def test_a_prefetched_surface_is_handed_over_without_waiting_for_on_read() -> None:
    index = ListingIndex()
    file = index.add("a", "1.0", ["b"])
    release = threading.Event()
    seen: list[tuple[str, str, str]] = []
    released: list[bool] = []

    def on_read(read: ArtifactFile, surface: Surface) -> None:
        seen.append((read.filename, surface.name, threading.current_thread().name))
        released.append(release.wait(10))  # False only if surface() waited for this

    reader = MetadataReader(index, workers=2, on_read=on_read)
    try:
        reader.prefetch(file)
        assert reader.surface(file).requires_dist == ("b",)
        release.set()
        _until(lambda: bool(released))
    finally:
        release.set()
        reader.close()
    assert released == [True]
    assert seen[0][:2] == (file.filename, "a")
    assert seen[0][2].startswith("graft-metadata")


def test_without_workers_nothing_is_handed_to_on_read() -> None:
    index = ListingIndex()
    file = index.add("a", "1.0", ["b"])
    seen: list[str] = []
    reader = MetadataReader(index, on_read=lambda f, _: seen.append(f.filename))
    assert reader.surface(file).name == "a"
    reader.close()
    assert seen == []


class HeldIndex(ListingIndex):
    """A fake index whose METADATA reads wait for *release*, counting the reads begun."""

    def __init__(self) -> None:
        super().__init__()
        self.begun = 0
        self.reading = threading.Event()
        self.release = threading.Event()

    def metadata(self, file: ArtifactFile) -> bytes:
        with self.lock:
            self.begun += 1
        self.reading.set()
        self.release.wait(10)
        return super().metadata(file)


def test_a_read_ahead_during_a_read_never_reads_the_file_twice() -> None:
    # the flake of session 19: surface() took the file off the started reads before its
    # surface was known, and a read-ahead in that window read it a second time
    index = HeldIndex()
    file = index.add("a", "1.0", ["b"])
    reader = MetadataReader(index, workers=2)
    got: list[str] = []
    waiter = threading.Thread(target=lambda: got.append(reader.surface(file).name))
    try:
        waiter.start()
        assert index.reading.wait(10)  # surface() is reading it
        reader.prefetch(file)
        index.release.set()
        waiter.join(10)
        reader.prefetch(file)  # and once it is known
    finally:
        index.release.set()
        reader.close()
    assert got == ["a"]
    assert index.begun == reader.reads == 1


def test_a_read_ahead_cancelled_by_close_is_not_counted() -> None:
    index = HeldIndex()
    first, second = index.add("a", "1.0"), index.add("b", "1.0")
    reader = MetadataReader(index, workers=1)
    reader.prefetch(first)
    assert index.reading.wait(10)
    reader.prefetch(second)  # queued behind the first, which the timer lets go
    unblock = threading.Timer(0.2, index.release.set)
    unblock.start()
    try:
        reader.close()
    finally:
        index.release.set()
        unblock.cancel()
    assert index.begun == reader.reads == 1


def _chain() -> ListingIndex:
    index = ListingIndex()
    index.add("a", "1.0", ["b>=1", "w; sys_platform == 'win32'", "x[fast]", "e; extra == 'full'"])
    index.add("b", "1.0")
    index.add("b", "2.0", ["c"])
    index.add("b", "3.0", tag="cp311-cp311-win_amd64")  # (no wheel for Linux: not guessed)
    index.add("c", "1.0")
    index.add("x", "1.0", ["y; extra == 'fast'"], extras=["fast"])
    index.add("y", "1.0")
    for name in ("w", "e"):
        index.add(name, "1.0")
    return index


def _ask(provider: Provider, identifier: str, need: Need) -> None:
    provider.find_matches(identifier, {identifier: iter([need])}, {identifier: iter([])})


def test_dependencies_are_listed_and_read_before_any_pin() -> None:
    index = _chain()
    provider = Provider(index, LINUX, Policy(), prefetch=4)
    try:
        _ask(provider, "a", Need("a", None, SpecifierSet()))
        # a's dependencies, b's (the newest release with a Linux wheel) and x[fast]'s
        _until(lambda: {"y-1.0-py3-none-any.whl", "c-1.0-py3-none-any.whl"} <= set(index.reads))
    finally:
        provider.reader.close()
    assert sorted(set(index.asked)) == ["b", "c", "x", "y"]  # not w (Windows), not e (extra)
    assert "b-2.0-py3-none-any.whl" in index.reads
    assert not any(r.startswith(("w-", "e-", "b-1.0")) for r in index.reads)


def test_an_extra_asked_for_is_read_ahead_too() -> None:
    index = _chain()
    provider = Provider(index, LINUX, Policy(), prefetch=4)
    try:
        _ask(provider, "a[full]", Need("a", canonicalize_name("full"), SpecifierSet()))
        _until(lambda: "e-1.0-py3-none-any.whl" in index.reads)
    finally:
        provider.reader.close()
    assert "e" in index.asked


def test_no_reading_ahead_without_prefetch_threads() -> None:
    index = _chain()
    provider = Provider(index, LINUX, Policy())
    need = Need("a", None, SpecifierSet())
    provider.get_dependencies(provider.find_matches("a", {"a": iter([need])}, {"a": iter([])})[0])
    assert index.reads == ["a-1.0-py3-none-any.whl"]
    assert index.asked == []


def _a_then_w(provider: Provider, index: ListingIndex) -> list[str]:
    """Read a, then w, one reader thread: a's reads ahead, if any, are queued before w's."""
    first, last = index.projects["a"][0], index.projects["w"][0]
    try:
        _ask(provider, "a", Need("a", None, SpecifierSet()))
        provider.reader.surface(first)
        provider.reader.prefetch(last)
        _until(lambda: last.filename in index.reads)
    finally:
        provider.reader.close()
    return [first.filename, last.filename]


def test_no_reading_ahead_without_dependencies() -> None:
    index = _chain()
    provider = Provider(index, LINUX, Policy(), prefetch=1, dependencies=False)
    assert index.reads == _a_then_w(provider, index)
    assert index.asked == []


def test_a_project_listed_without_the_network_is_not_read_ahead() -> None:
    index = _chain()
    index.fresh = {"b"}  # its page cached and fresh: a warm resolution reads what it needs
    provider = Provider(index, LINUX, Policy(), prefetch=4)
    try:
        _ask(provider, "a", Need("a", None, SpecifierSet()))
        _until(lambda: "y-1.0-py3-none-any.whl" in index.reads)
    finally:
        provider.reader.close()
    assert "b" in index.asked
    assert not any(r.startswith(("b-", "c-")) for r in index.reads)


def test_without_cheap_reads_only_listings_are_read_ahead() -> None:
    index = _chain()
    index.cheap = False  # each METADATA read would be a whole wheel: no guesses
    provider = Provider(index, LINUX, Policy(), prefetch=1)
    assert index.reads == _a_then_w(provider, index)  # nothing guessed
    assert sorted(set(index.asked)) == ["b", "x"]  # but a's dependencies listed


B = canonicalize_name("b")


@pytest.mark.parametrize(
    ("policy", "roots"),
    [
        (Policy(constraints={B: SpecifierSet("<2")}), ()),
        (Policy(preferred={B: Version("1.0")}), ()),
        (Policy(), (Need("b", None, SpecifierSet("==1.0")),)),
    ],
    ids=["a constraint", "an existing venv's version", "a compiled file's pin"],
)
def test_the_guess_meets_what_the_request_says_of_the_project(
    policy: Policy, roots: tuple[Need, ...]
) -> None:
    index = _chain()
    provider = Provider(index, LINUX, policy, prefetch=4, roots=roots)
    try:
        _ask(provider, "a", Need("a", None, SpecifierSet()))
        _until(lambda: "b-1.0-py3-none-any.whl" in index.reads)
    finally:
        provider.reader.close()
    assert "b-2.0-py3-none-any.whl" not in index.reads


class KeepingIndex(ListingIndex):
    """A fake index that also keeps parsed surfaces (a ``SurfaceStore``), as graft's does."""

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[str, Surface] = {}

    def load_surface(self, file: ArtifactFile) -> Surface | None:
        return self.kept.get(file.filename)

    def save_surface(self, file: ArtifactFile, data: bytes, surface: Surface) -> None:
        assert data
        with self.lock:
            self.kept[file.filename] = surface


def test_a_read_ahead_the_resolution_never_needed_is_kept_for_the_next_run() -> None:
    index = KeepingIndex()
    needed, unneeded = index.add("a", "1.0", ["b"]), index.add("b", "2.0")
    reader = MetadataReader(index, workers=2)
    try:
        reader.prefetch(unneeded)
        assert reader.surface(needed).requires_dist == ("b",)
        _until(lambda: unneeded.filename in index.kept)
    finally:
        reader.close()
    assert sorted(index.kept) == sorted([needed.filename, unneeded.filename])
    again = MetadataReader(index, workers=2)  # the next run: both known without a read
    try:
        again.prefetch(unneeded)
        assert again.surface(unneeded).name == "b"
    finally:
        again.close()
    assert sorted(index.reads) == sorted([needed.filename, unneeded.filename])  # once each


def _releases(index: ListingIndex) -> list[ArtifactFile]:
    """lib 1.0 to 9.0, newest first, as find_matches offers them."""
    return [index.add("lib", f"{n}.0") for n in range(9, 0, -1)]


def test_resolvelib_trying_a_second_candidate_reads_the_next_ones_ahead() -> None:
    """``requests`` with ``urllib3<1.21``: each release tried is a METADATA read, one after
    another; from the second tried, the next ones (twice as many as tried) are read ahead."""
    index = ListingIndex()
    files = _releases(index)
    provider = Provider(index, LINUX, Policy(), prefetch=2)
    need = Need("lib", None, SpecifierSet())
    try:
        offered = provider.find_matches("lib", {"lib": iter([need])}, {"lib": iter([])})
        assert [c.file for c in offered if not isinstance(c, PythonCandidate)] == files
        provider.get_dependencies(offered[0])
        provider.reader.surface(files[8])  # (a read after which nothing was read ahead)
        assert set(index.reads) == {files[0].filename, files[8].filename}
        provider.get_dependencies(offered[1])  # a second release tried: 9.0's deps conflicted
        wanted = {f.filename for f in files[:6]}  # 9.0, 8.0, and the next 2 x 2 = 4
        _until(lambda: wanted <= set(index.reads))
    finally:
        provider.reader.close()
    assert set(index.reads) == {*wanted, files[8].filename}


def test_without_cheap_reads_no_candidate_is_read_ahead() -> None:
    index = ListingIndex()
    index.cheap = False
    files = _releases(index)
    provider = Provider(index, LINUX, Policy(), prefetch=2)
    need = Need("lib", None, SpecifierSet())
    try:
        offered = provider.find_matches("lib", {"lib": iter([need])}, {"lib": iter([])})
        for candidate in offered[:3]:
            provider.get_dependencies(candidate)
    finally:
        provider.reader.close()
    assert sorted(index.reads) == sorted(f.filename for f in files[:3])
