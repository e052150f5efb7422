"""The pin record (resolve.pinrecord): steps kept with their age, under one context."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from graft.resolve import memo, pinrecord
from graft.resolve.policy import Policy
from graft.resolve.resolver import resolve
from tests.unit.fakeindex import FakeIndex
from tests.unit.test_pinned import LINUX


def _pages(name: str) -> pinrecord.Pages | None:
    """The pages a project's files came from, as an index of one HTTP page per project says."""
    return [(f"https://i/simple/{name}/", {"etag": f'"{name}"'})]


def _steps() -> dict[str, pinrecord.Step]:
    index = FakeIndex()
    index.add("a", "1.0", ["b==1.0"])
    index.add("b", "1.0")
    return dict(resolve(["a==1.0", "b==1.0"], LINUX, index).steps)


def test_steps_come_back_as_they_were_kept(tmp_path: Path) -> None:
    key = pinrecord.context(LINUX, Policy(), ["https://i/simple/"], dependencies=True)
    steps = _steps()
    pinrecord.save(str(tmp_path), key, steps.items(), {}, _pages)
    loaded = pinrecord.load(str(tmp_path), key)
    assert {a: s for a, (s, _, _) in loaded.items()} == {s.asked: s for s in steps.values()}


def test_a_recalled_step_keeps_its_age_and_old_ones_are_dropped(tmp_path: Path) -> None:
    key = pinrecord.context(LINUX, Policy(), [], dependencies=True)
    steps = _steps()
    old = time.time() - pinrecord.TTL + 5
    kept = {s.asked: (s, old, None) for s in steps.values()}
    pinrecord.save(str(tmp_path), key, steps.items(), kept, _pages)
    assert {c for _, c, _ in pinrecord.load(str(tmp_path), key).values()} == {old}
    assert pinrecord.load(str(tmp_path), key, ttl=1.0) == {}  # older than a page lives


def test_another_context_or_a_damaged_record_recalls_nothing(tmp_path: Path) -> None:
    key = pinrecord.context(LINUX, Policy(), [], dependencies=True)
    other = pinrecord.context(LINUX, Policy(), [], dependencies=False)
    assert other != key
    pinrecord.save(str(tmp_path), key, _steps().items(), {}, _pages)
    assert pinrecord.load(str(tmp_path), other) == {}
    (path,) = (tmp_path / "pinned").iterdir()
    data = json.loads(path.read_text())
    data["steps"][steps_of(data, "a")]["file"] = "not a file row"
    path.write_text(json.dumps(data))
    assert pinrecord.load(str(tmp_path), key) == {}


def test_steps_age_as_the_resolution_memo_does() -> None:
    assert pinrecord.TTL == memo.INDEX_TTL


def test_a_record_whose_steps_were_all_recalled_is_not_written_again(tmp_path: Path) -> None:
    key = pinrecord.context(LINUX, Policy(), [], dependencies=True)
    steps = _steps()
    pinrecord.save(str(tmp_path), key, steps.items(), {}, _pages)
    (path,) = (tmp_path / "pinned").iterdir()
    before = path.stat().st_ino
    kept = pinrecord.load(str(tmp_path), key)
    pinrecord.save(str(tmp_path), key, [("a", steps["a"])], kept, _pages)  # b removed: a recalled
    assert path.stat().st_ino == before
    loaded = pinrecord.load(str(tmp_path), key)
    assert {a: s for a, (s, _, _) in loaded.items()} == {s.asked: s for s in steps.values()}
    other = _steps()["b"]  # the control: a changed step is written
    changed = dataclasses.replace(other, warnings=("new",))
    pinrecord.save(str(tmp_path), key, [("b", changed)], kept, _pages)
    assert path.stat().st_ino != before
    assert pinrecord.load(str(tmp_path), key)[other.asked][0] == changed


def steps_of(data: dict[str, dict[str, dict[str, str]]], ident: str) -> str:
    """The ``asked`` key of the one step of *ident* in a record's JSON."""
    (asked,) = (a for a, row in data["steps"].items() if row["ident"] == ident)
    return asked


def test_a_pin_edited_back_and_forth_finds_both_steps_and_the_oldest_go(tmp_path: Path) -> None:
    key = pinrecord.context(LINUX, Policy(), [], dependencies=True)
    index = FakeIndex()
    for version in ("1.0", "2.0", "3.0", "4.0", "5.0", "6.0"):
        index.add("a", version)
    kept: dict[str, pinrecord.Kept] = {}
    asked = []
    for version in ("1.0", "2.0", "3.0", "4.0", "5.0", "6.0"):
        (step,) = dict(resolve([f"a=={version}"], LINUX, index).steps).values()
        pinrecord.save(str(tmp_path), key, [("a", step)], kept, _pages)
        kept = pinrecord.load(str(tmp_path), key)
        asked.append(step.asked)
        time.sleep(0.01)  # (ages order the steps)
        newest = asked[-pinrecord.PER_IDENTIFIER :]
        assert sorted(kept) == sorted(newest)  # both of an edit back and forth, at most four


def test_a_step_keeps_its_pages_and_a_recalled_one_keeps_those_it_came_with(
    tmp_path: Path,
) -> None:
    key = pinrecord.context(LINUX, Policy(), [], dependencies=True)
    steps = _steps()
    pinrecord.save(str(tmp_path), key, steps.items(), {}, _pages)
    kept = pinrecord.load(str(tmp_path), key)
    assert {s.chosen.name: pages for s, _, pages in kept.values()} == {
        "a": _pages("a"),
        "b": _pages("b"),
    }
    b = kept[steps["b"].asked]
    kept = {steps["b"].asked: (b[0], b[1], None)}  # b recalled, with no pages kept
    changed = dataclasses.replace(steps["a"], warnings=("new",))
    pinrecord.save(str(tmp_path), key, [("a", changed), ("b", steps["b"])], kept, _pages)
    pages = {s.chosen.name: p for s, _, p in pinrecord.load(str(tmp_path), key).values()}
    assert pages == {"a": _pages("a"), "b": None}  # (the index's pages now are not b's)
