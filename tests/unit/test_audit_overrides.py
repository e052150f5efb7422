"""``graft audit``'s dependency check of a venv synced with ``--overrides`` (decision 396).

A requirement the overrides replace is judged by what stands for it, as the resolution judged
it: met that way, it is a remark (info), not an unmet requirement; unmet that way, an error
naming the override. Without overrides the check is ``pip check``'s, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from packaging.utils import canonicalize_name

from graft.audit.dependencies import check_dependencies
from graft.audit.findings import Kind
from graft.audit.layout import DistInfo, Venv
from graft.audit.probe import Probe
from graft.resolve.overrides import Overrides, of_lines

if TYPE_CHECKING:
    from pathlib import Path

MARKERS = {
    "python_version": "3.12",
    "python_full_version": "3.12.1",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "platform_release": "",
    "platform_version": "",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "implementation_version": "3.12.1",
    "os_name": "posix",
}


def venv_of(root: Path, dists: dict[str, tuple[str, ...]]) -> Venv:
    """A venv of *dists* (``name==version`` -> its Requires-Dist), METADATA alone."""
    infos = []
    for label, requires in dists.items():
        name, _, version = label.partition("==")
        rel = f"site/{name}-{version}.dist-info"
        (root / rel).mkdir(parents=True)
        lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
        lines += [f"Requires-Dist: {r}" for r in requires]
        (root / rel / "METADATA").write_text("\n".join(lines) + "\n")
        infos.append(DistInfo(label, name, rel))
    return Venv(str(root), str(root), {}, None, False, Probe(True), dists=tuple(infos))


def said(venv: Venv, overrides: Overrides | None) -> list[tuple[Kind, str, str]]:
    return [(f.kind, f.severity, f.detail) for f in check_dependencies(venv, MARKERS, overrides)]


UNMET, OVERRIDDEN = (Kind.UNMET_DEPENDENCY, "error"), (Kind.OVERRIDDEN_DEPENDENCY, "info")


@pytest.mark.parametrize(
    ("installed", "overrides", "expected"),
    [
        # without overrides: pip check's error
        ("3.0", None, [(*UNMET, ", but lib 3.0 is installed")]),
        # the override the sync was given stands for the requirement: a remark
        ("3.0", ["lib>=2"], [(*OVERRIDDEN, ", overridden by lib>=2: lib 3.0 installed")]),
        # an override not met itself is an error, saying the override
        ("3.0", ["lib>=2,<3"],
         [(*UNMET, ", overridden by lib<3,>=2, but lib 3.0 is installed")]),
        # an override the installed version meets as the METADATA does: nothing to say
        ("1.0", ["lib<1.5"], []),
        # an override whose marker does not hold drops the requirement
        ("3.0", ['lib>=9 ; python_version < "3"'],
         [(*OVERRIDDEN, ', overridden by lib>=9; python_version < "3": lib 3.0 installed')]),
    ],
)  # fmt: skip
def test_a_requirement_the_overrides_replaced_is_judged_by_them(
    tmp_path: Path,
    installed: str,
    overrides: list[str] | None,
    expected: list[tuple[Kind, str, str]],
) -> None:
    venv = venv_of(tmp_path, {"app==1.0": ("lib<2", "other"), f"lib=={installed}": ()})
    given = None if overrides is None else of_lines(overrides, [])
    missing = (Kind.MISSING_DEPENDENCY, "error", "app==1.0 requires other, which is not installed")
    found = [
        (kind, severity, f"app==1.0 requires lib<2{rest}") for kind, severity, rest in expected
    ]
    assert said(venv, given) == [*found, missing]


def test_an_excluded_project_missing_is_a_remark(tmp_path: Path) -> None:
    venv = venv_of(tmp_path, {"app==1.0": ("lib<2",)})
    assert said(venv, of_lines([], ["LIB"])) == [
        (
            Kind.OVERRIDDEN_DEPENDENCY,
            "info",
            "app==1.0 requires lib<2, overridden by nothing (--excludes): lib not installed",
        )
    ]
    assert said(venv, None)[0][:2] == (Kind.MISSING_DEPENDENCY, "error")


def test_overrides_read_back_from_their_lines_are_the_same() -> None:
    given = of_lines(['b[x]>=2 ; python_version >= "3.8"', "c==1", "b<9"], ["E"])
    lines, excludes = given.lines()
    assert of_lines(lines, excludes) == given
    assert excludes == ("e",)
    b = given.by_name[canonicalize_name("b")]
    assert [str(o) for o in b] == ['b[x]>=2; python_version >= "3.8"', "b<9"]
    assert hash(given) == hash(of_lines(lines, excludes))  # (a frozen value, tuples inside)
