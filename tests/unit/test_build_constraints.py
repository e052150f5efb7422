"""``--build-constraint`` lines as pip 26.3 and uv 0.13.9 take them: any range, any marker.

A build constraint is a constraint on the build environment's resolution (decision 458):
``constrain`` pins a ``name==version`` line's project as before, keeps a range's requirement
as written (the environment's resolution reads the file as its ``-c``), and refuses a
requirement the constraints leave no version of; ``against_constraints`` judges a kept
build's environment by the same lines, a marker evaluated for the build's interpreter
(decision 459).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from graft.build.project import (
    ConstraintClashError,
    against_constraints,
    constrain,
    origin,
    parse_constraint,
)
from graft.cli.build_constraints import read_constraints
from graft.errors import UsageError

PY311 = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux"}
PY312 = {**PY311, "python_version": "3.12", "python_full_version": "3.12.1"}


def test_a_range_keeps_the_requirement_and_a_pin_pins_it() -> None:
    requires = ("setuptools>=40", "wheel", "cython; python_version < '3.12'")
    constraints = ("setuptools<72", "wheel==0.43.0", "unrelated<1")
    assert constrain(requires, constraints, PY311) == (
        "setuptools>=40",
        "wheel==0.43.0",
        "cython; python_version < '3.12'",
    )


@pytest.mark.parametrize(
    ("constraint", "requirement"),
    [
        ("setuptools<72", "setuptools>=75"),
        ("setuptools>=60,<72", "setuptools>=75"),
        ("setuptools!=75.3.0", "setuptools==75.3.0"),
        ("setuptools<1.0", "setuptools>=1.0rc1"),  # (<1.0 admits no prerelease of 1.0)
        ("Setup_Tools<72", "setup.tools>=75"),  # (names normalized)
    ],
)
def test_a_range_leaving_no_version_of_a_requirement_is_refused(
    constraint: str, requirement: str
) -> None:
    with pytest.raises(ConstraintClashError) as raised:
        constrain((requirement,), (constraint,), PY311)
    assert raised.value.what == (
        f"build constraint {constraint!r} excludes build requirement {requirement!r}"
    )
    assert isinstance(raised.value, UsageError)  # (exit status 2, as a bad file)


def test_a_marker_is_evaluated_for_the_builds_interpreter() -> None:
    constraints = ('setuptools<72; python_version < "3.12"', "wheel==0.43.0; python_version>'3.11'")
    requires = ("setuptools>=75", "wheel")
    with pytest.raises(ConstraintClashError):
        constrain(requires, constraints, PY311)
    assert constrain(requires, constraints, PY312) == ("setuptools>=75", "wheel==0.43.0")
    # no interpreter yet: only a constraint without a marker is judged
    assert constrain(requires, constraints, None) == requires


def test_several_constraints_on_one_project_are_all_met() -> None:
    assert constrain(("setuptools",), ("setuptools>=60", "setuptools<72"), PY311) == ("setuptools",)
    with pytest.raises(ConstraintClashError, match="'setuptools<60'"):
        constrain(("setuptools",), ("setuptools>=72", "setuptools<60"), PY311)


def test_a_kept_environment_is_judged_by_ranges_and_markers() -> None:
    env = ("setuptools==80.9.0", "wheel==0.46.3")
    assert against_constraints(env, ("setuptools<72",), PY311) == (
        "setuptools==80.9.0 (--build-constraint allows setuptools<72)"
    )
    assert against_constraints(env, ("setuptools>=60,<81", "wheel!=0.45"), PY311) is None
    assert against_constraints(env, ("setuptools==75.3.0",), PY311) == (
        "setuptools==80.9.0 (--build-constraint pins 75.3.0)"
    )
    marked = ('wheel<0.45; python_version < "3.12"',)
    assert against_constraints(env, marked, PY311) == (
        "wheel==0.46.3 (--build-constraint allows wheel<0.45)"
    )
    assert against_constraints(env, marked, PY312) is None
    # no interpreter named: every constraint is judged (a reuse refused, never a wrong one)
    assert against_constraints(env, marked, None) is not None
    assert against_constraints(env, ("six<1", "unrelated==3"), PY311) is None


versions = st.builds(
    lambda *parts: Version(".".join(map(str, parts))),
    st.integers(0, 4),
    st.integers(0, 4),
)
specifiers = st.builds(
    lambda op, v: f"{op}{v}",
    st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "~="]),
    st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 4), st.integers(0, 4)),
)


@given(st.lists(specifiers, min_size=1, max_size=3), versions)
def test_the_environment_a_range_allows_is_never_refused(specs: list[str], held: Version) -> None:
    """A held version the constraint's range admits passes; one it excludes is refused."""
    constraint = "helper" + ",".join(specs)
    said = against_constraints((f"helper=={held}", "other==1.0"), (constraint,), PY311)
    admitted = SpecifierSet(",".join(specs)).contains(held, prereleases=True)
    assert (said is None) == admitted


@given(specifiers, specifiers, versions)
def test_a_requirement_a_version_meets_with_its_constraint_is_never_refused(
    requirement: str, constraint: str, version: Version
) -> None:
    both = SpecifierSet(requirement) & SpecifierSet(constraint)
    if not both.contains(version, prereleases=True):
        return
    constrain((f"helper{requirement}",), (f"helper{constraint}",), PY311)  # (no error)


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("setuptools>=1 @ x", "is not a requirement"),
        ("-r other.txt", "is not a requirement"),
        ("setuptools @ https://example.invalid/s.whl", "names a URL, not versions"),
    ],
)
def test_a_line_that_names_no_versions_is_refused(line: str, said: str) -> None:
    with pytest.raises(UsageError, match=said):
        parse_constraint(line)


def test_the_constraint_is_found_in_its_file(tmp_path: Path) -> None:
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("# build pins\nwheel<0.45\n")
    two.write_text("\n  setuptools<72  # the 72 incident\n")
    read = read_constraints([str(one), str(two)])
    assert read.texts == ("wheel<0.45", "setuptools<72")
    assert origin(read.texts, read.wheres, "setuptools<72") == f"{two}:2"
    assert origin(read.texts, read.wheres, "wheel<0.45") == f"{one}:2"
    assert origin(read.texts, read.wheres, "six<1") is None


def test_nested_files_are_read_relative_to_the_file_naming_them(tmp_path: Path) -> None:
    """Decision 470: ``-r``/``-c`` lines name more build constraints, as pip's and uv's."""
    (tmp_path / "pins").mkdir()
    (tmp_path / "pins" / "deep.txt").write_text("wheel<0.45\n")
    (tmp_path / "pins" / "inner.txt").write_text("--constraint=deep.txt\nsetuptools<72\n")
    top = tmp_path / "top.txt"
    top.write_text("six<2\n-r pins/inner.txt  # more\n")
    read = read_constraints([str(top)])
    assert read.texts == ("six<2", "wheel<0.45", "setuptools<72")  # (in the order read)
    pins = tmp_path / "pins"
    assert read.files == (str(top), str(pins / "inner.txt"), str(pins / "deep.txt"))
    assert origin(read.texts, read.wheres, "wheel<0.45") == f"{pins / 'deep.txt'}:1"
    top.write_text("-c https://example.invalid/c.txt\n")
    with pytest.raises(UsageError, match="a nested build constraint file is a path"):
        read_constraints([str(top)])
    (tmp_path / "pins" / "deep.txt").write_text("--pre\n")
    top.write_text("-r pins/inner.txt\n")
    with pytest.raises(UsageError, match="'--pre' is not a requirement") as info:
        read_constraints([str(top)])
    assert info.value.where == f"{pins / 'deep.txt'}:1"


def test_a_variable_is_expanded_as_pip_expands_it_and_an_unset_one_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 476: ``${NAME}`` anywhere on the line, as pip 26.3 reads a build constraint."""
    given = tmp_path / "c.txt"
    given.write_text("setuptools<${SETUPTOOLS_BELOW}  # as a CI matrix sets it\n")
    monkeypatch.setenv("SETUPTOOLS_BELOW", "72")
    read = read_constraints([str(given)])
    assert (read.texts, read.wheres) == (("setuptools<72",), (f"{given}:1",))
    assert read.variables == ("SETUPTOOLS_BELOW",)
    monkeypatch.delenv("SETUPTOOLS_BELOW")
    with pytest.raises(UsageError) as info:
        read_constraints([str(given)])
    assert info.value.where == f"{given}:1"
    assert info.value.hint == (
        "${SETUPTOOLS_BELOW} is not set in the environment: set it, or write its value"
    )
