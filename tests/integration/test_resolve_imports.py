"""What the resolve side of the daily paths imports: only what it uses (issues 11 and 12).

An edited pin (the pin record recalls the other projects, the kept plan changes the venv in
place) and an unpinned resolve into a new directory (index pages and METADATA surfaces from
the cache, a kept plan) run under ``-X importtime``. Each module kept out here cost those
paths measurable CPU (the commits that took them out say how much); a change that imports
one again fails here, not silently in a benchmark.
"""

# ruff: noqa: F811 - the fixture `index` is test_resolve_sync's, imported by name

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.integration.test_resolve_sync import index, installed, sync  # noqa: F401 - fixture
from tests.support.importtime import graft_imports

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.rangeserver import Served

#: Never needed by either path: the audit (6 dataclasses, ELF), OpenSSL, the variant
#: machinery (a non-variant sync), the builds, the lock.
NEVER = {
    "graft.audit",
    "graft.audit.layout",
    "hashlib",
    "_hashlib",
    "graft.variants",
    "graft.model.variants",
    "graft.builds",
    "graft.build.hooks",
    "graft.resolve.lock",
    "graft.resolve.explain",
    "graft.resolve.no_candidates",
    "graft.resolve.named_sources",  # (nothing to build: decision 195)
    "graft.resolve.source_stage",  # (made when a source is first met)
    "graft.resolve.read_here",  # (a lock's or a foreign target's reads)
}
#: Not needed when every wheel is in the store and the plan is kept: ingest and its thread
#: pool, bytecode, records, the planner, and the index client (the cached pages are fresh).
WARM = {
    "concurrent.futures",
    "graft.store.bytecode",
    "graft.store.compilepool",
    "graft.model.record",
    "graft.plan.planner",
    "urllib.request",
    "urllib.error",
    "tempfile",
    "graft.sources.fetch",
    "graft.sources.lazywheel",
    "pathlib",
    "datetime",
}


def _sync_imports(
    venv: Path, served: Served, store: Path, *args: str | Path
) -> tuple[str, set[str]]:
    return graft_imports(
        "sync", venv, "--index-url", f"{served.url}/simple/", "--store", store, "-v", *args
    )


def test_an_edited_pin_imports_only_the_pinned_resolution_and_the_in_place_update(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    venv = tmp_path / "v"
    first = "app[fast]==1.0\nlib==2.0\nspeedy==0.5\n"
    edited = "app[fast]==1.0\nlib==1.0\nspeedy==0.5\n"
    for i, text in enumerate((first, edited, first)):  # both plans kept, the pin record made
        reqs = tmp_path / f"r{i}.txt"
        reqs.write_text(text)
        sync(venv, index, store_dir, "-r", reqs)
    again = tmp_path / "again.txt"  # a new file, as after a user's edit: the memo misses
    again.write_text(edited)
    said, modules = _sync_imports(venv, index, store_dir, "-r", again)
    assert "pinned exactly, without search" in said
    assert "plan (kept)" in said  # (three distributions: rebuilt, not changed in place)
    assert installed(venv) == {"app": "1.0", "lib": "1.0", "speedy": "0.5"}
    assert {"graft.resolve.pinned", "graft.resolve.pinrecord"} <= modules  # the control
    assert not (NEVER | WARM) & modules, (NEVER | WARM) & modules


def test_an_unpinned_resolve_into_a_new_directory_imports_no_audit_ingest_or_planner(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    roots = tmp_path / "first.in"
    roots.write_text("app[fast]\n")
    sync(tmp_path / "v1", index, store_dir, "-r", roots)  # pages, surfaces and the plan kept
    again = tmp_path / "again.in"  # a new file: the memo misses, the resolver resolves
    again.write_text("# another round\napp[fast]\n")
    said, modules = _sync_imports(tmp_path / "v2", index, store_dir, "-r", again)
    assert "every requirement's first choice agreed" in said  # (graft.resolve.unanimous)
    assert "METADATA read: 3 cache" in said
    assert "plan (kept)" in said
    assert installed(tmp_path / "v2") == {"app": "1.0", "lib": "2.0", "speedy": "0.5"}
    assert "graft.resolve.unanimous" in modules  # the control: a real resolution ran
    unneeded = NEVER | (WARM - {"concurrent.futures"})  # (the materializer's threads)
    unneeded.add("graft.resolve.pinrecord")  # not pinned exactly: no step could be recalled
    assert not unneeded & modules, unneeded & modules
