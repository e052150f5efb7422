"""What an editable build left in its project tree (graft.build.intree), and its reuse."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from graft._fs import file_sha256
from graft.build.assessment import Assessment, Evidence
from graft.build.cache import BuildInputs, BuiltRecord, BuiltWheels
from graft.build.intree import first_missing, left_by_build, snapshot
from graft.build.recorded import earlier
from graft.build.reuse import Builder
from graft.venv.foreign import foreign_target

SO = "pkg/_fast.cpython-312-x86_64-linux-gnu.so"


def test_a_build_leaves_what_it_made_or_changed_and_every_extension_module(
    tmp_path: Path,
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("X = 1\n")
    (tmp_path / "pkg" / "_fast.c").write_text("/* c */\n")
    (tmp_path / "pkg" / "_old.cpython-311-x86_64-linux-gnu.so").write_bytes(b"old")
    (tmp_path / "pkg" / "_version.py").write_text("v = 1\n")
    before = snapshot(str(tmp_path))
    assert "pkg/__init__.py" in before
    (tmp_path / SO).write_bytes(b"\x7fELF")  # build_ext --inplace
    os.replace(tmp_path / "pkg" / "_version.py", tmp_path / "pkg" / "v.tmp")  # a new inode
    (tmp_path / "pkg" / "_version.py").write_text("v = 1\n")
    os.unlink(tmp_path / "pkg" / "v.tmp")
    link_tree = tmp_path / "build" / "__editable__.pkg-1-cp312" / "pkg"  # strict mode
    link_tree.mkdir(parents=True)
    (link_tree / "__init__.py").symlink_to(tmp_path / "pkg" / "__init__.py")
    for ignored in (".git", "pkg/__pycache__", "pkg.egg-info", "dist", ".eggs", "venv"):
        (tmp_path / ignored).mkdir(parents=True)
        (tmp_path / ignored / "x.so").write_bytes(b"")
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    left = left_by_build(before, snapshot(str(tmp_path)))
    assert left == (
        "build/__editable__.pkg-1-cp312/pkg/__init__.py",
        "pkg/_fast.cpython-312-x86_64-linux-gnu.so",
        "pkg/_old.cpython-311-x86_64-linux-gnu.so",  # untouched, but the install may load it
        "pkg/_version.py",
    )
    assert first_missing(str(tmp_path), left) is None
    (tmp_path / "pkg" / "__init__.py").unlink()  # the link tree's link leads nowhere now
    assert first_missing(str(tmp_path), left) == "build/__editable__.pkg-1-cp312/pkg/__init__.py"


def test_a_recorded_path_outside_the_tree_counts_as_gone(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "outside").write_text("")
    assert first_missing(str(tmp_path / "proj"), ("../outside",)) == "../outside"
    assert first_missing(str(tmp_path / "proj"), (str(tmp_path / "outside"),)) is not None
    assert first_missing(str(tmp_path / "proj"), ()) is None


def _inputs() -> BuildInputs:
    return BuildInputs("setuptools.build_meta", ("setuptools",), (), (), (), isolated=True)


def _kept(
    cache: BuiltWheels, tmp_path: Path, may_differ: bool, left: tuple[str, ...] | None
) -> BuiltRecord:
    wheel = tmp_path / "pkg-1.0-0.editable-cp312-cp312-linux_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pkg.pth", f"{tmp_path}\n{may_differ}{left}")
    sha = file_sha256(str(wheel))
    evidence = (Evidence("compiled-source", "pkg/_fast.c"),) if may_differ else ()
    record = BuiltRecord(
        "editable-abc",
        _inputs().key(),
        wheel.name,
        sha,
        Builder("cpython", "3.12"),
        Assessment(may_differ, evidence, ()),
        _inputs(),
        ("setuptools==75.3.0",),
        left_in_tree=left,
    )
    cache.keep_wheel(str(wheel), sha)
    cache.keep_record(record)
    return record


def test_an_editable_build_is_reused_only_while_what_it_left_is_there(tmp_path: Path) -> None:
    tree = tmp_path / "proj"
    (tree / "pkg").mkdir(parents=True)
    (tree / SO).write_bytes(b"\x7fELF")
    cache = BuiltWheels(str(tmp_path / "cache"))
    record = _kept(cache, tmp_path, True, (SO,))
    assert BuiltRecord.from_json(record.to_json()) == record
    target = foreign_target("3.12", ["linux_x86_64"], "cp")
    found = earlier(
        cache, "editable-abc", _inputs().key(), target, str(tree), assessment=record.assessment
    )
    assert found.reusable is not None
    assert found.reusable[0] == record
    (tree / SO).unlink()  # git clean -fdx
    found = earlier(
        cache, "editable-abc", _inputs().key(), target, str(tree), assessment=record.assessment
    )
    assert found.reusable is None
    assert found.refused is not None
    assert found.refused[1].why == f"{SO}, which its build left in the project tree, is gone"
    # not an editable build:
    no_tree = earlier(cache, "editable-abc", _inputs().key(), target, assessment=record.assessment)
    assert no_tree.reusable is not None


def test_a_record_without_the_list_is_refused_pure_or_not(tmp_path: Path) -> None:
    tree = tmp_path / "proj"
    tree.mkdir()
    cache = BuiltWheels(str(tmp_path / "cache"))
    old = record = _kept(cache, tmp_path, True, None)
    text = json.loads(old.to_json())
    assert "left_in_tree" not in text, "a record without the list is as it always was"
    assert BuiltRecord.from_json(json.dumps(text)).left_in_tree is None
    target = foreign_target("3.12", ["linux_x86_64"], "cp")
    found = earlier(
        cache, "editable-abc", _inputs().key(), target, str(tree), assessment=record.assessment
    )
    assert found.reusable is None
    assert found.refused is not None
    assert "were not recorded" in found.refused[1].why
    pure_cache = BuiltWheels(str(tmp_path / "pure"))
    pure_record = _kept(pure_cache, tmp_path, False, None)
    pure = earlier(
        pure_cache,
        "editable-abc",
        _inputs().key(),
        target,
        str(tree),
        assessment=pure_record.assessment,
    )
    assert pure.reusable is None, "a pure project's editable build may leave links too"
    assert pure.refused is not None
    assert "were not recorded" in pure.refused[1].why
    _kept(pure_cache, tmp_path, False, ())
    again = earlier(
        pure_cache,
        "editable-abc",
        _inputs().key(),
        target,
        str(tree),
        assessment=pure_record.assessment,
    )
    assert again.reusable
