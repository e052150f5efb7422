"""A candidate's needs state each requirement as packaging spells it, worked out once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import NormalizedName
from packaging.version import Version

from graft.resolve.artifacts import ArtifactFile
from graft.resolve.candidates import WheelCandidate
from graft.resolve.environments import DEFAULT_PYTHONS, matrix
from graft.resolve.policy import Policy
from graft.resolve.requires_dist import candidate_needs
from graft.resolve.surface import read_surface

if TYPE_CHECKING:
    import pytest

METADATA = b"""Metadata-Version: 2.1
Name: app
Version: 1.0
Requires-Python: >=3.9
Provides-Extra: Fast
Requires-Dist: Lib_One[Zeta,alpha] (>=1.0,<2)
Requires-Dist: two; python_version < "3.12"
Requires-Dist: three>=3; sys_platform == "win32"
Requires-Dist: four[B_x]==4.*; extra == "fast"
"""


def _candidate(extra: str | None = None, version: str = "1.0") -> WheelCandidate:
    name = f"app-{version}-py3-none-any.whl"
    file = ArtifactFile(name, f"https://files.invalid/{name}")
    parsed = None if extra is None else NormalizedName(extra)
    return WheelCandidate(NormalizedName("app"), Version(version), file, parsed)


def test_each_requirement_is_said_once_whatever_asks_for_its_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Decision 500: a lock asks one candidate's needs in each of its 36 environments.

    ``str`` of a parsed requirement cost 1.4 s of a warm boto lock profiled; the needs
    now say each requirement once, as packaging spells it (the text explanations quote),
    and two releases stating the same line share its parsed requirement.
    """
    surfaces = {
        version: read_surface(METADATA.replace(b"Version: 1.0", b"Version: " + version.encode()))
        for version in ("1.0", "1.1")
    }
    said: list[str] = []
    spelt = Requirement.__str__

    def counted(req: Requirement) -> str:
        said.append(req.name)
        return spelt(req)

    monkeypatch.setattr(Requirement, "__str__", counted)
    answers = []
    for env in matrix(DEFAULT_PYTHONS):
        for extra in (None, "fast"):
            for version, surface in surfaces.items():
                candidate = _candidate(extra, version)
                answers.append(candidate_needs(candidate, surface, env.target, Policy()))
    lines = {n.text for _, needs, _ in answers for n in needs}
    assert len(answers) == 36 * 2 * 2
    monkeypatch.undo()
    assert lines == {
        "lib-one[alpha,zeta]<2,>=1.0",
        'two; python_version < "3.12"',
        'three>=3; sys_platform == "win32"',
        'four[b-x]==4.*; extra == "fast"',
    }
    assert sorted(said) == ["four", "lib-one", "three", "two"]
    one = [n for _, needs, _ in answers for n in needs if n.name == "lib-one"][:3]
    assert [(n.identifier, str(n.specifier)) for n in one] == [
        ("lib-one", "<2,>=1.0"),
        ("lib-one[alpha]", "<2,>=1.0"),
        ("lib-one[zeta]", "<2,>=1.0"),
    ]
