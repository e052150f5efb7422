"""Source keys, build-input keys, built-wheel records, verify's diff, build constraints."""

from __future__ import annotations

import os
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from graft.build.assessment import Assessment, Evidence
from graft.build.cache import (
    WORK_KEPT_S,
    BuildInputs,
    BuiltRecord,
    BuiltWheels,
    read_variables,
)
from graft.build.compare import compare_wheels, differences
from graft.build.hooks import config_dict
from graft.build.project import constrain, satisfied_by
from graft.build.reuse import Builder
from graft.build.source_key import tree_key
from graft.errors import UsageError


def test_tree_key_follows_every_source_change(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    source = tmp_path / "pkg" / "mod.py"
    source.write_text("x = 1\n")
    first = tree_key(str(tmp_path))
    assert tree_key(str(tmp_path)) == first
    for ignored in ("build", ".git", "dist", "__pycache__", "pkg.egg-info", ".pdm-build"):
        (tmp_path / ignored).mkdir(exist_ok=True)
        (tmp_path / ignored / "junk").write_text("j")
    assert tree_key(str(tmp_path)) == first, "build output and VCS data are not the source"
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / ".v.graft-lock").write_text("")
    (tmp_path / ".v.graft-0a1b2c").mkdir()
    assert tree_key(str(tmp_path)) == first, "a venv inside the project is not its source"
    source.write_text("x = 2\n")
    second = tree_key(str(tmp_path))
    assert second != first
    source.chmod(0o755)
    assert tree_key(str(tmp_path)) != second, "the executable bit is part of the source"
    (tmp_path / "pkg" / "new.py").write_text("")
    assert tree_key(str(tmp_path)) not in {first, second}


def inputs(**changes: object) -> BuildInputs:
    base: dict[str, object] = {
        "backend": "setuptools.build_meta",
        "requires": ("setuptools>=70",),
        "backend_path": (),
        "config_settings": (),
        "variables": (("MSGPACK_PUREPYTHON", None),),
        "isolated": True,
    }
    base.update(changes)
    return BuildInputs(**base)  # type: ignore[arg-type]


def test_input_key_covers_every_input() -> None:
    keys = {
        inputs().key(),
        inputs(backend="flit_core.buildapi").key(),
        inputs(requires=("setuptools>=71",)).key(),
        inputs(config_settings=(("pure-python", "1"),)).key(),
        inputs(variables=(("MSGPACK_PUREPYTHON", "1"),)).key(),
        inputs(isolated=False).key(),
        inputs(backend_path=("_b",)).key(),
    }
    assert len(keys) == 7
    assert inputs().key() == inputs().key()


def test_variables_read_from_the_environment() -> None:
    got = read_variables(("B", "A", "B"), {"A": "1"})
    assert got == (("A", "1"), ("B", None))


def make_wheel(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def record_for(wheel: Path, sha: str) -> BuiltRecord:
    assessment = Assessment(True, (Evidence("compiled-source", "a.c"),), ("CC",))
    return BuiltRecord(
        "sdist-abc",
        inputs().key(),
        wheel.name,
        sha,
        Builder("pypy", "3.9"),
        assessment,
        inputs(),
        ("setuptools==75.3.0",),
    )


def test_records_round_trip_and_need_their_wheel(tmp_path: Path) -> None:
    from graft._fs import file_sha256

    wheel = make_wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {"pkg/__init__.py": b""})
    sha = file_sha256(str(wheel))
    cache = BuiltWheels(str(tmp_path / "cache"))
    record = record_for(wheel, sha)
    assert BuiltRecord.from_json(record.to_json()) == record
    kept = cache.keep_wheel(str(wheel), sha)
    cache.keep_record(record)
    assert cache.lookup("sdist-abc", inputs().key()) == [record]
    assert cache.lookup("sdist-abc", inputs(isolated=False).key()) == []
    assert cache.lookup("sdist-other", inputs().key()) == []
    Path(kept).chmod(0o644)
    Path(kept).write_bytes(b"tampered")
    assert cache.lookup("sdist-abc", inputs().key()) == [], "a changed wheel is not reused"


def test_verify_diff_ignores_record_and_shebangs(tmp_path: Path) -> None:
    common = {
        "pkg/__init__.py": b"x = 1\n",
        "pkg-1.0.dist-info/METADATA": b"Name: pkg\n",
    }
    a = make_wheel(
        tmp_path / "a.whl",
        {
            **common,
            "pkg-1.0.dist-info/RECORD": b"one",
            "pkg-1.0.data/scripts/tool": b"#!/usr/bin/pypy3\nprint(1)\n",
        },
    )
    b = make_wheel(
        tmp_path / "b.whl",
        {
            **common,
            "pkg-1.0.dist-info/RECORD": b"two",
            "pkg-1.0.data/scripts/tool": b"#!/usr/bin/python3.12\nprint(1)\n",
            "pkg-1.0.data/platlib/pkg/_speedups.so": b"\x7fELF",
        },
    )
    found = compare_wheels(str(a), str(b))
    assert [str(d) for d in found] == ["only in the rebuilt wheel: pkg/_speedups.so"]
    assert compare_wheels(str(a), str(a)) == ()
    assert [d.how for d in differences({"x": "1", "y": "2"}, {"x": "3"})] == [
        "content differs",
        "only in the reused wheel",
    ]


def test_build_constraints_pin_requirements() -> None:
    pinned = constrain(
        ("setuptools>=70.1", "wheel", "tomli; python_version < '3.11'"),
        ("setuptools==75.3.0", "tomli==2.0.1"),
    )
    assert pinned == ("setuptools==75.3.0", "wheel", 'tomli==2.0.1; python_version < "3.11"')
    with pytest.raises(UsageError, match="excludes"):
        constrain(("setuptools>=80",), ("setuptools==75.3.0",))
    with pytest.raises(UsageError, match="not a requirement"):
        constrain(("x",), ("setuptools>=1 @ x",))


def test_config_settings_repeat_into_lists() -> None:
    got = config_dict([("a", "1"), ("b", "2"), ("a", "3"), ("a", "4")])
    assert got == {"a": ["1", "3", "4"], "b": "2"}


def test_a_package_named_build_or_dist_is_source(tmp_path: Path) -> None:
    """pypa/build's ``src/build``, pip's ``operations/build``: only the top's are output."""
    for package in ("src/build", "pkg/dist", "pkg/.eggs"):
        (tmp_path / package).mkdir(parents=True)
        (tmp_path / package / "__init__.py").write_text("V = 1\n")
        first = tree_key(str(tmp_path))
        (tmp_path / package / "__init__.py").write_text("V = 2\n")
        assert tree_key(str(tmp_path)) != first, package


def test_editable_key_follows_the_metadata_files_only(tmp_path: Path) -> None:
    from graft.build.source_key import editable_key

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '1'\n")
    (tmp_path / "x.py").write_text("A = 1\n")
    first = editable_key(str(tmp_path))
    (tmp_path / "x.py").write_text("A = 2\n")  # an edit of a source: the same editable wheel
    assert editable_key(str(tmp_path)) == first
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '2'\n")
    assert editable_key(str(tmp_path)) != first
    (tmp_path / "setup.cfg").write_text("[metadata]\n")
    second = editable_key(str(tmp_path))
    assert second not in {first, tree_key(str(tmp_path))}
    (tmp_path / "MANIFEST.in").write_text("include x/*.dat\n")  # strict mode's data (289)
    assert editable_key(str(tmp_path)) != second


def test_editable_key_follows_the_compiled_sources_it_is_given(tmp_path: Path) -> None:
    """An edit of a C source is built again (setuptools' build_ext wrote its .so in the tree)."""
    from graft.build.project import read_project
    from graft.build.run import _prepare_tree
    from graft.build.source_key import editable_key
    from graft.build.version_files import version_files

    (tmp_path / "setup.py").write_text(
        "from setuptools import setup, Extension\n"
        "setup(name='x', version='1', ext_modules=[Extension('x._c', ['x/_c.c'])])\n"
    )
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "__init__.py").write_text("A = 1\n")
    (tmp_path / "x" / "_c.c").write_text("/* one */\n")
    pure = editable_key(str(tmp_path))
    first = editable_key(str(tmp_path), ("x/_c.c",))
    assert first != pure
    (tmp_path / "x" / "__init__.py").write_text("A = 2\n")  # read live: the same wheel
    assert editable_key(str(tmp_path), ("x/_c.c",)) == first
    (tmp_path / "x" / "_c.c").write_text("/* two */\n")
    second = editable_key(str(tmp_path), ("x/_c.c",))
    assert second != first
    assert editable_key(str(tmp_path)) == pure  # without compiled sources: as it always was
    work = tmp_path.parent / "work"
    work.mkdir()
    source = _prepare_tree("x", str(tmp_path), str(work), editable=True)
    named = version_files(str(tmp_path))  # (what setup.py names: its C source, decision 271)
    assert named == ("x/_c.c",)
    # the evidence's compiled sources are in the key
    # (the names of its modules are not: a record keeps them where the wheel maps them, 288)
    assert source.key == editable_key(str(tmp_path), ("x/_c.c",), named)
    (tmp_path / "pyproject.toml").write_text(
        "[build-system]\nrequires = ['flit_core']\nbuild-backend = 'flit_core.buildapi'\n"
    )
    (tmp_path / "setup.py").unlink()  # a pure backend: its .c files are never compiled
    assert read_project(str(tmp_path)).build_system.backend == "flit_core.buildapi"
    key = _prepare_tree("x", str(tmp_path), str(work), editable=True).key
    assert key == editable_key(str(tmp_path))


def test_what_an_sdist_said_is_kept_by_its_key(tmp_path: Path) -> None:
    from graft.build.cache import KnownSource
    from graft.build.project import BuildSystem

    cache = BuiltWheels(str(tmp_path))
    assert cache.known_source("sdist-" + "a" * 64) is None
    known = KnownSource(
        BuildSystem(("setuptools>=40.8.0",), "setuptools.build_meta:__legacy__", legacy=True),
        Assessment(True, (Evidence("compiled-source", "x.c"),), ("CC",)),
        "x",
        "1.0",
    )
    cache.keep_source("sdist-" + "a" * 64, known)
    assert cache.known_source("sdist-" + "a" * 64) == known
    assert cache.known_source("sdist-" + "b" * 64) is None
    (tmp_path / "builds" / ("sdist-" + "a" * 64) / "source.json").write_text("{broken")
    assert cache.known_source("sdist-" + "a" * 64) is None  # untrusted: unpacked again


def test_a_build_environment_meets_requirements_by_its_distributions() -> None:
    markers = {"python_version": "3.11", "sys_platform": "linux"}
    held = ("flit-core==3.12.0", "packaging==26.2")
    assert satisfied_by(("flit_core >=3.2,<4",), held, markers)
    assert satisfied_by(("flit_core>=3.4,<4", "packaging"), held, markers)
    assert not satisfied_by(("flit_core>=4",), held, markers)
    assert not satisfied_by(("setuptools",), held, markers)
    assert not satisfied_by(("packaging[extra]",), held, markers), "extras are never met"
    assert satisfied_by(('tomli; python_version < "3.11"',), held, markers), "marker is false"
    assert not satisfied_by(("not a requirement!",), held, markers)


def test_work_directories_older_than_a_week_are_swept(tmp_path: Path) -> None:
    """A failed build's tree kept for a rerun, or a killed graft's, goes after a week."""
    cache = BuiltWheels(str(tmp_path))
    root = Path(cache.root)
    for name in ("work-old", "work-new", "other-old"):
        (root / name / "src-x").mkdir(parents=True)
    (root / "work-file").write_text("")
    now = time.time()
    week_ago = now - WORK_KEPT_S - 60
    for name in ("work-old", "other-old", "work-file"):
        os.utime(root / name, (week_ago, week_ago))
    cache.sweep_work(now)
    assert sorted(p.name for p in root.iterdir()) == ["other-old", "work-file", "work-new"]
    BuiltWheels(str(tmp_path / "none")).sweep_work(now)  # no builds directory: nothing to do


def test_prepared_metadata_is_kept_per_build_environment_and_judged_by_constraints(
    tmp_path: Path,
) -> None:
    """One kept METADATA per environment; the oldest the constraints allow (decision 167)."""
    from graft.build.prepared import Prepared
    from graft.build.recorded import prepared_for

    cache = BuiltWheels(str(tmp_path))
    key = ("sdist-ab", "inputs", "cpython 3.1")
    two = Prepared(b"Name: dyn\nRequires-Dist: two\n\xff", ("helper==2.0", "outer==1.0"))
    one = Prepared(b"Name: dyn\nRequires-Dist: one\n", ("helper==1.0", "outer==1.0"))
    cache.keep_prepared(*key, two)
    cache.keep_prepared(*key, one)
    cache.keep_prepared("sdist-ab", "inputs", "cpython 3.12", Prepared(b"other", ()))
    folder = Path(cache.source_dir("sdist-ab")) / "inputs"
    for age, kept in enumerate((two, one)):  # 2.0's the older one (by mtimes, not names)
        stamp = time.time() - 100 + age * 10
        os.utime(folder / kept.file_name("cpython_3.1"), (stamp, stamp))
    assert cache.prepared(*key) == [two, one], "oldest first, another builder's left out"
    assert prepared_for(cache, key, ()) == (two.metadata, None)
    assert prepared_for(cache, key, ("Helper==1.0", "unrelated==3")) == (one.metadata, None)
    assert prepared_for(cache, key, ("helper==3",)) == (
        None,
        "its build environment held helper==2.0 (--build-constraint pins 3)",
    )
    assert prepared_for(cache, ("sdist-cd", "inputs", "any"), ("helper==3",)) == (None, None)
    (folder / two.file_name("cpython_3.1")).write_text("{not json")  # (untrusted: skipped)
    assert cache.prepared(*key) == [one]


def test_what_older_evidence_rules_decided_is_decided_again(tmp_path: Path) -> None:
    """A pure verdict of rules 1 neither answers for the source nor lets its wheel serve
    another interpreter once the current rules say it may differ (decision 258)."""
    import json

    from graft._fs import file_sha256
    from graft.build.cache import KnownSource
    from graft.build.project import BuildSystem
    from graft.build.recorded import earlier
    from graft.venv.foreign import foreign_target

    cache = BuiltWheels(str(tmp_path / "cache"))
    pure_then = Assessment(False, (), (), rules=1)
    known = KnownSource(BuildSystem(("setuptools",), "setuptools.build_meta"), pure_then, "x", "1")
    cache.keep_source("sdist-" + "a" * 64, known)
    kept = json.loads(
        (tmp_path / "cache" / "builds" / ("sdist-" + "a" * 64) / "source.json").read_text()
    )
    assert kept["assessment"]["rules"] == 1
    assert cache.known_source("sdist-" + "a" * 64) is None, "scanned again by the current rules"
    wheel = make_wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {"pkg/__init__.py": b""})
    sha = file_sha256(str(wheel))
    cache.keep_wheel(str(wheel), sha)
    record = record_for(wheel, sha)  # built by PyPy 3.9
    cache.keep_record(replace(record, assessment=pure_then))
    cpython = foreign_target("3.12", ["linux_x86_64"], "cp")
    now = Assessment(True, (Evidence("implementation-check", "setup.py: __pypy__"),), ())
    refused = earlier(cache, "sdist-abc", inputs().key(), cpython, assessment=now)
    assert refused.reusable is None
    assert refused.refused is not None
    assert "may build differently for cpython 3.12" in refused.refused[1].why
    pure_now = Assessment(False, (), ())
    allowed = earlier(cache, "sdist-abc", inputs().key(), cpython, assessment=pure_now)
    assert allowed.reusable is not None
    assert "pure source" in allowed.reusable[1].why
