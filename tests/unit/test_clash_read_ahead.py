"""A search that backtracks: older releases read ahead, a screening made once (decision 482)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet

from graft.resolve.candidates import Need
from graft.resolve.policy import Policy
from graft.resolve.provider import Provider
from graft.resolve.resolver import resolve
from graft.resolve.screen import screen
from tests.unit.test_read_ahead import LINUX, ListingIndex

if TYPE_CHECKING:
    import pytest

    from graft.resolve.artifacts import ArtifactFile


class ThreadNoting(ListingIndex):
    """A fake index noting which thread read each METADATA."""

    def __init__(self) -> None:
        super().__init__()
        self.by_thread: dict[str, str] = {}

    def metadata(self, file: ArtifactFile) -> bytes:
        with self.lock:
            self.by_thread[file.filename] = threading.current_thread().name
        return super().metadata(file)


def test_the_older_releases_of_a_clash_are_read_in_the_reader_s_threads() -> None:
    """``fastapi starlette<0.20 pydantic>=2`` in miniature: every app 2.x needs ``lib>=2``,
    which the request's ``lib<2`` excludes; the walk down app's older releases (which learns
    each a dead end) read them one after another in the resolver's thread, 330 range reads
    waiting each for the last on the real index (12 s, uv 2 s)."""
    index = ThreadNoting()
    index.add("lib", "2.0")
    index.add("lib", "1.0")
    for minor in range(30, -1, -1):
        index.add("app", f"2.{minor}", ["lib>=2"])
    index.add("app", "1.0", ["lib"])
    found = resolve(["app", "lib<2"], LINUX, index, prefetch=8)
    assert {p.name: str(p.version) for p in found.pins} == {"app": "1.0", "lib": "1.0"}
    apps = {f: t for f, t in index.by_thread.items() if f.startswith("app-2.")}
    assert len(apps) == 31
    in_resolver = sorted(f for f, t in apps.items() if not t.startswith("graft-metadata"))
    assert len(in_resolver) <= 2, in_resolver  # (the newest, and the first older one)


def test_a_screening_is_worked_out_once_per_project_and_specifiers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """resolvelib asks find_matches again for each criterion it rebuilds after a backtrack:
    ``prefect pydantic<2`` screened prefect's 2,000 files 3,878 times (6 s of 12)."""
    index = ListingIndex()
    for minor in range(9, -1, -1):
        index.add("lib", f"1.{minor}")
    calls: list[str] = []

    def counted(name: str, *args: object, **kwargs: object) -> object:
        calls.append(name)
        return screen(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("graft.resolve.provider.screen", counted)
    provider = Provider(index, LINUX, Policy())
    needs = [Need("lib", None, SpecifierSet("<1.5")), Need("lib", None, SpecifierSet(">1.1"))]
    first = provider.find_matches("lib", {"lib": iter(needs)}, {"lib": iter([])})
    again = provider.find_matches("lib", {"lib": iter(needs)}, {"lib": iter([])})
    bad = {first[0]}
    fewer = provider.find_matches("lib", {"lib": iter(needs)}, {"lib": iter(bad)})
    other = provider.find_matches("lib", {"lib": iter(needs[:1])}, {"lib": iter([])})
    assert [str(c.version) for c in first] == ["1.4", "1.3", "1.2"]
    assert again == first
    assert [str(c.version) for c in fewer] == ["1.3", "1.2"]
    assert [str(c.version) for c in other] == ["1.4", "1.3", "1.2", "1.1", "1.0"]
    assert calls == ["lib", "lib"]  # (the second: other specifiers)
