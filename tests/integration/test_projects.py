"""The resolver over a loopback index: METADATA by range reads, PEP 658 files, the cache."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from graft.errors import SourceError
from graft.resolve.projects import IndexProjects
from graft.resolve.resolver import resolve
from graft.sources.find_links import FindLinks
from graft.sources.indexes import Indexes
from graft.venv.foreign import foreign_target
from tests.support.rangeserver import Served, serve
from tests.support.wheelmaker import make_wheel

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])
LINUX_TAG = "cp311-cp311-manylinux_2_17_x86_64"


@pytest.fixture
def served(wheels: Path) -> Iterator[Served]:
    with serve() as state:
        make_wheel(wheels, "app", "1.0", requires=("lib>=1", 'winonly; sys_platform == "win32"'))
        make_wheel(wheels, "lib", "1.0")
        make_wheel(wheels, "lib", "2.0", requires=("leaf",), tag=LINUX_TAG)
        make_wheel(wheels, "lib", "2.0", requires=("leaf", "never-read"))
        make_wheel(wheels, "leaf", "0.1", {"leaf/big.bin": os.urandom(256 * 1024)})
        for path in sorted(wheels.iterdir()):
            state.add(path)
        yield state


def projects(served: Served, cache: Path, *, offline: bool = False) -> IndexProjects:
    indexes = Indexes([f"{served.url}/simple/"], str(cache), offline=offline)
    return IndexProjects(indexes, None, str(cache), offline=offline)


def test_resolves_through_range_reads_then_the_cache(served: Served, tmp_path: Path) -> None:
    source = projects(served, tmp_path / "cache")
    result = resolve(["app"], LINUX, source)
    assert {p.name: p.file.filename for p in result.pins} == {
        "app": "app-1.0-py3-none-any.whl",
        "lib": f"lib-2.0-{LINUX_TAG}.whl",
        "leaf": "leaf-0.1-py3-none-any.whl",
    }
    assert result.metadata_reads == 3
    assert source.reads["ranges"] == 3
    assert len(served.wheel_requests()) == 3  # one range request each: small wheels
    assert all(r is not None and r.startswith("bytes=") for r in served.ranges)
    assert served.sent < sum(len(data) for data in served.files.values()) // 2

    served.paths.clear()
    again = projects(served, tmp_path / "cache")
    assert resolve(["app"], LINUX, again).pins == result.pins
    assert again.reads["cache"] == 3
    assert served.wheel_requests() == []


def test_parsed_surfaces_are_kept_and_used_without_the_metadata(
    served: Served, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = resolve(["app"], LINUX, projects(served, cache))
    kept = sorted((cache / "surfaces").iterdir())
    assert len(kept) == 3
    for path in (cache / "metadata").iterdir():
        path.unlink()  # the bytes are gone: only the parsed surfaces can answer
    served.paths.clear()
    again = projects(served, cache)
    assert resolve(["app"], LINUX, again).pins == first.pins
    assert again.reads["cache"] == 3
    assert served.wheel_requests() == []


def test_a_kept_surface_that_does_not_match_is_not_used(served: Served, tmp_path: Path) -> None:
    import json

    served.pep658 = True  # the index announces each METADATA's sha256
    cache = tmp_path / "cache"
    first = resolve(["app"], LINUX, projects(served, cache))
    for path in (cache / "surfaces").iterdir():
        kept = json.loads(path.read_text())
        kept["metadata_sha256"] = "0" * 64  # parsed from other bytes than announced
        kept["surface"]["requires_dist"] = []
        path.write_text(json.dumps(kept))
    for path in (cache / "metadata").iterdir():
        path.unlink()
    served.paths.clear()
    again = projects(served, cache)
    assert resolve(["app"], LINUX, again).pins == first.pins  # lib and leaf still required
    assert again.reads["pep658"] == 3


def test_the_index_metadata_files_are_used_when_offered(served: Served, tmp_path: Path) -> None:
    served.pep658 = True
    source = projects(served, tmp_path / "cache")
    result = resolve(["app"], LINUX, source)
    assert len(result.pins) == 3
    assert source.reads["pep658"] == 3
    assert served.wheel_requests() == []
    assert sum(p.endswith(".whl.metadata") for p in served.paths) == 3


def test_a_server_without_ranges_costs_whole_downloads(served: Served, tmp_path: Path) -> None:
    served.mode = "ignore"
    source = projects(served, tmp_path / "cache")
    assert len(resolve(["app"], LINUX, source).pins) == 3
    assert source.reads["whole"] == 3
    assert len(served.wheel_requests()) == 3


def test_offline_without_the_metadata_cached(served: Served, tmp_path: Path) -> None:
    projects(served, tmp_path / "cache").files(canonicalize_name("app"))  # the page is cached
    with pytest.raises(SourceError, match="--offline"):
        resolve(["app"], LINUX, projects(served, tmp_path / "cache", offline=True))


def test_find_links_wheels_are_read_locally(wheels: Path, tmp_path: Path) -> None:
    make_wheel(wheels, "solo", "1.0", requires=("duo",))
    make_wheel(wheels, "duo", "2.0")
    source = IndexProjects(None, FindLinks([str(wheels)]), str(tmp_path / "cache"))
    result = resolve(["solo"], LINUX, source)
    assert {p.label for p in result.pins} == {"solo==1.0", "duo==2.0"}
    assert source.reads["local"] == 2


def test_the_resolution_feeds_the_existing_download_step(
    served: Served, tmp_path: Path, wheels: Path
) -> None:
    from graft.model.request import SilentReporter
    from graft.resolve.fetched import chosen_for_fetch, fetch
    from graft.sources.requirements import parse_spec

    cache = tmp_path / "cache"
    result = resolve(["app"], LINUX, projects(served, cache))
    asked = [parse_spec("app==1.0", "reqs.txt:1")]
    chosen = chosen_for_fetch(result, asked)
    assert [(w.name, w.version, w.where) for w, _ in chosen] == [
        ("app", "1.0", "reqs.txt:1"),
        ("leaf", "0.1", "required by lib==2.0 (you asked for app; app==1.0 requires lib)"),
        ("lib", "2.0", "required by app==1.0"),
    ]
    fetched = fetch(chosen, str(cache), SilentReporter())
    for item, pin in zip(fetched, result.pins, strict=True):
        assert item.path is not None
        assert Path(item.path).read_bytes() == (wheels / pin.file.filename).read_bytes()
        assert item.sha256 == pin.file.sha256
        assert item.wanted.name == pin.name


def test_prefetch_threads_give_the_same_result(served: Served, tmp_path: Path) -> None:
    plain = resolve(["app"], LINUX, projects(served, tmp_path / "one"))
    source = projects(served, tmp_path / "two")
    threaded = resolve(["app"], LINUX, source, prefetch=4)
    assert threaded.pins == plain.pins
    assert source.reads["ranges"] == threaded.metadata_reads >= 3


def test_an_index_listing_another_wheels_hash_cannot_plant_its_metadata(
    tmp_path: Path, wheels: Path
) -> None:
    # the liar lists a wheel whose METADATA requires "planted" under the sha256 of the honest
    # wheel of the same name; what it said must not answer for the honest index's file
    honest_dir, liar_dir = wheels / "honest", wheels / "liar"
    honest_dir.mkdir()
    liar_dir.mkdir()
    honest = make_wheel(honest_dir, "victim", "1.0")
    planted = make_wheel(liar_dir, "victim", "1.0", requires=("planted",))
    bait = make_wheel(honest_dir, "planted", "1.0")  # there to be installed, if required
    real_sha = hashlib.sha256(honest.read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    with serve() as liar, serve() as good:
        liar.add_wheel(planted, hashes={"sha256": real_sha})
        liar.add(bait)
        for path in honest_dir.iterdir():
            good.add(path)
        lied = resolve(["victim"], LINUX, projects(liar, cache))
        assert {p.name for p in lied.pins} == {"victim", "planted"}  # (its own claim)
        source = projects(good, cache)
        told = resolve(["victim"], LINUX, source)
    assert {p.name for p in told.pins} == {"victim"}
    assert source.reads["ranges"] == 1  # read from the honest index, not recalled
