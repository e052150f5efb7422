"""Properties of the resolver on random small indexes, against brute force.

A resolution found must pass graft's completeness check (``resolve.deps``) with every
wheel's own requirements; a resolution refused must have no solution at all (every
assignment of versions to projects is tried). Some releases have only a Windows wheel, so
that candidates needing them are dead ends (decision 91).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.utils import NormalizedName
from packaging.version import Version

from graft.resolve.deps import unmet_requirements
from graft.resolve.policy import Policy
from graft.resolve.resolution_error import ResolutionError
from graft.resolve.resolver import Resolution, resolve
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import LINUX_TAG, WINDOWS_TAG, FakeIndex

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])
NAMES = ("p0", "p1", "p2", "p3")
VERSIONS = ("1.0", "2.0", "3.0")
SPECS = ("", ">=2.0", "<2.0", "==3.0", "!=2.0", ">=2.0,<3.0")
MARKERS = ("", '; sys_platform == "win32"', '; python_version >= "3.10"')

Project = dict[str, tuple[str, ...]]  # version -> requirement lines
Universe = tuple[dict[str, Project], list[str], frozenset[tuple[str, str]]]


@dataclass(frozen=True)
class Dist:
    name: str
    version: str
    requires_dist: tuple[str, ...]
    requires_python: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}-py3-none-any.whl"


@st.composite
def universes(draw: st.DrawFn) -> Universe:
    """Projects, roots, and the releases whose only wheel is for Windows (not the target)."""
    projects: dict[str, Project] = {}
    for index, name in enumerate(NAMES):
        versions = draw(st.lists(st.sampled_from(VERSIONS), min_size=1, max_size=3, unique=True))
        project: Project = {}
        for version in versions:
            later = NAMES[index + 1 :]  # dependencies point forward: no cycles needed
            deps = draw(st.lists(st.sampled_from(later), max_size=2, unique=True)) if later else []
            project[version] = tuple(
                f"{dep}{draw(st.sampled_from(SPECS))}{draw(st.sampled_from(MARKERS))}"
                for dep in deps
            )
        projects[name] = project
    roots = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=2, unique=True))
    releases = sorted((name, v) for name, project in projects.items() for v in project)
    unfit = draw(st.lists(st.sampled_from(releases), max_size=3, unique=True))
    return projects, [f"{r}{draw(st.sampled_from(SPECS))}" for r in roots], frozenset(unfit)


def _applies(line: str) -> Requirement | None:
    req = Requirement(line)
    if req.marker is not None and not req.marker.evaluate({**LINUX.markers, "extra": ""}):
        return None
    return req


def solvable(
    projects: dict[str, Project],
    roots: list[str],
    unfit: frozenset[tuple[str, str]],
    yanked: frozenset[tuple[str, str]] = frozenset(),
) -> bool:
    """Whether any choice of one version (or none) per project meets every requirement.

    A *yanked* release only where a requirement on it has an ``==`` naming it (PEP 592).
    """
    names = sorted(projects)
    choices = [[None, *(v for v in projects[name] if (name, v) not in unfit)] for name in names]
    for combo in itertools.product(*choices):
        chosen = {n: Version(v) for n, v in zip(names, combo, strict=True) if v is not None}
        wanted = [Requirement(r) for r in roots]
        for name, version in chosen.items():
            wanted += [r for line in projects[name][str(version)] if (r := _applies(line))]
        if all(
            r.name in chosen and r.specifier.contains(chosen[r.name], prereleases=True)
            for r in wanted
        ) and all(_named(wanted, n, v) for n, v in chosen.items() if (n, str(v)) in yanked):
            return True
    return False


def _named(wanted: list[Requirement], name: str, version: Version) -> bool:
    """Whether a requirement in *wanted* has an ``==`` clause naming *name* *version*."""
    return any(
        r.name == name and c.operator == "==" and c.contains(version, prereleases=True)
        for r in wanted
        for c in r.specifier
    )


#: Found by this test against a provider that took every candidate given up for a dead end
#: (p1 2.0 is given up while p3 2.0 is pinned, and needed after the backtrack).
BACKTRACK_REVIVES: Universe = (
    {
        "p0": {"1.0": ("p1",), "2.0": ("p1",), "3.0": ("p3>=2.0", "p1")},
        "p1": {"1.0": ("p2>=2.0", "p3"), "2.0": ("p3<2.0",)},
        "p2": {"1.0": ()},
        "p3": {"1.0": (), "2.0": ()},
    },
    ["p0"],
    frozenset(),
)


#: Found by the test below (decision 222): resolvelib's backjump, rolled back one state short,
#: took back r0 2.0 (a root's only release) where r1 2.0 (whose r2 needs a dead end) was due.
BACKJUMP_SKIPS: Universe = (
    {
        "r0": {"2.0": ()},
        "r1": {"1.0": (), "2.0": ("r2",)},
        "r2": {"1.0": ("s0",)},
        "s0": {"1.0": ("r0<2.0",)},
        "s1": {"1.0": ()},
    },
    ["r0", "r1"],
    frozenset(),
)


#: Found by a differential run of both searches (decision 222): refused by resolvelib's backjump.
BACKJUMP_REFUSES: Universe = (
    {
        "r0": {"1.0": (), "2.0": ("r1>=2.0",)},
        "r1": {"1.0": (), "4.0": ()},
        "r2": {"1.0": ("s1!=2.0",), "2.0": (), "3.0": ("s1!=2.0",)},
        "s0": {"1.0": (), "2.0": (), "3.0": ("r1>=2.0,<3.0", "r2<2.0")},
        "s1": {"1.0": ("s0==3.0",), "2.0": ("r1<3.0", "s0<3.0")},
    },
    ["r0", "r1<3.0", "r2"],
    frozenset(),
)


#: Found by the test below (decision 285): resolvelib 1.2.1 re-pins r2 and s0 in a cycle, no
#: conflict ever raised, until its rounds run out (plain resolvelib with a 20-line provider
#: does too): no resolution exists. Since decision 286 the cycle is seen and a strict search
#: refuses it with its conflict.
REPINS_IN_A_CYCLE: Universe = (
    {
        "r0": {"1.0": (), "2.0": ()},
        "r1": {"1.0": ("r0", "r2", "s0")},
        "r2": {"1.0": ("s0==3.0",), "2.0": ("s0<3.0",), "3.0": ("s0",)},
        "s0": {"1.0": ("r2<2.0", "r0"), "3.0": ("r2>=2.0,<3.0", "r0", "r1")},
        "s1": {"1.0": ("r0", "r1", "r2")},
    },
    ["r0", "r1"],
    frozenset(),
)


@st.composite
def tangled(draw: st.DrawFn) -> Universe:
    """Two or three roots of r0-r2 requiring each other and s0, s1, in any direction.

    Roots' releases that clash with other roots' (decision 141) are common here: each
    release names up to three other projects, with a specifier each.
    """
    names = ("r0", "r1", "r2", "s0", "s1")
    specs = (*SPECS, "<3.0", ">=3.0")
    projects: dict[str, Project] = {}
    for name in names:
        versions = draw(st.lists(st.sampled_from((*VERSIONS, "4.0")), min_size=1, max_size=4))
        others = [n for n in names if n != name]
        projects[name] = {
            version: tuple(
                f"{dep}{draw(st.sampled_from(specs))}"
                for dep in draw(st.lists(st.sampled_from(others), max_size=3, unique=True))
            )
            for version in sorted(set(versions))
        }
    roots = draw(st.lists(st.sampled_from(names[:3]), min_size=2, max_size=3, unique=True))
    releases = sorted((name, v) for name, project in projects.items() for v in project)
    unfit = draw(st.lists(st.sampled_from(releases), max_size=2, unique=True))
    return projects, [f"{r}{draw(st.sampled_from(specs))}" for r in roots], frozenset(unfit)


@settings(max_examples=300, deadline=None)
@given(universes(), st.booleans())
@example(BACKTRACK_REVIVES, False)  # (native: False)
def test_resolutions_are_complete_and_refusals_are_right(universe: Universe, native: bool) -> None:
    _check(universe, native)


@settings(max_examples=200, deadline=None)
@given(tangled(), st.booleans())
@example(BACKJUMP_SKIPS, False)  # (native: False)
@example(BACKJUMP_SKIPS, True)
@example(BACKJUMP_REFUSES, False)
@example(REPINS_IN_A_CYCLE, False)
def test_roots_that_require_each_other_are_resolved_or_refused_rightly(
    universe: Universe, native: bool
) -> None:
    """As above, where clashes between roots are learned (decisions 133, 137, 141)."""
    _check(universe, native)


@settings(max_examples=200, deadline=None)
@given(st.one_of(universes(), tangled()), st.booleans(), st.booleans())
def test_oldest_first_resolutions_are_complete_and_refusals_are_right(
    universe: Universe, native: bool, direct: bool
) -> None:
    """``--resolution lowest`` (or ``lowest-direct``: the roots oldest first) is as sound."""
    names = frozenset(NormalizedName(Requirement(r).name) for r in universe[1])
    _check(universe, native, Policy(lowest=names if direct else True))


def _check(
    universe: Universe,
    native: bool,
    policy: Policy | None = None,
    yanked: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    """A resolution is complete and meets the roots; a refusal means brute force finds none."""
    projects, roots, unfit = universe
    index = FakeIndex()
    for name, project in projects.items():
        for version, requires in project.items():
            tag = WINDOWS_TAG if (name, version) in unfit else LINUX_TAG
            gone = "broken" if (name, version) in yanked else None
            index.add(name, version, requires, tag=tag if native else "py3-none-any", yanked=gone)
    result: Resolution | None = None
    try:
        result = resolve(roots, LINUX, index, policy)
    except ResolutionError as exc:  # (never rounds run out: decision 286 ends re-pin cycles)
        refused: ResolutionError | None = exc
    else:
        refused = None
    if refused is not None or result is None:
        assert refused is not None
        assert not solvable(projects, roots, unfit if native else frozenset(), yanked)
        with pytest.raises(ResolutionError) as threaded:
            resolve(roots, LINUX, index, policy, prefetch=3)
        assert threaded.value.lines == refused.lines
        return
    dists = [Dist(p.name, str(p.version), projects[p.name][str(p.version)]) for p in result.pins]
    assert unmet_requirements(dists, LINUX.markers, {}) == []
    wanted = [Requirement(r) for r in roots]
    wanted += [r for d in dists for line in d.requires_dist if (r := _applies(line))]
    for p in result.pins:
        assert (p.name, str(p.version)) not in yanked or _named(wanted, p.name, p.version)
    for root in roots:
        req = Requirement(root)
        assert any(
            p.name == req.name and req.specifier.contains(p.version, prereleases=True)
            for p in result.pins
        )
    assert result.metadata_reads == len(set(index.reads)) == len(index.reads)
    assert {p.file.filename for p in result.pins} <= set(index.reads)
    assert resolve(roots, LINUX, index, policy, prefetch=3).pins == result.pins  # (threads)


@st.composite
def with_yanked(draw: st.DrawFn) -> tuple[Universe, frozenset[tuple[str, str]]]:
    """A universe with up to four of its releases yanked, ``==`` only in the roots.

    An ``==`` a dependency states admits its yanked release only once that dependency is
    pinned, so what a project offers then depends on the order of the pins, and resolvelib's
    search (pip's too) can miss a resolution brute force finds: ``==`` only where every
    search starts keeps brute force the judge of a refusal.
    """
    projects, roots, unfit = draw(st.one_of(universes(), tangled()))
    projects = {
        name: {v: tuple(line.replace("==", ">=") for line in lines) for v, lines in p.items()}
        for name, p in projects.items()
    }
    releases = sorted((name, v) for name, project in projects.items() for v in project)
    yanked = frozenset(draw(st.lists(st.sampled_from(releases), max_size=4, unique=True)))
    return (projects, roots, unfit), yanked


#: Found by the test below against a proof that took every yanked candidate it read for a dead
#: end: ``p1`` 3.0, yanked and named by the request's ``==``, needs only ``p2``, which fits.
YANKED_ROOT: tuple[Universe, frozenset[tuple[str, str]]] = (
    (
        {"p0": {"1.0": ("p1",), "2.0": ("p1",)}, "p1": {"3.0": ("p2",)}, "p2": {"1.0": ()}},
        ["p0", "p1==3.0"],
        frozenset(),
    ),
    frozenset({("p1", "3.0")}),
)


@settings(max_examples=300, deadline=None)
@given(with_yanked(), st.booleans())
@example(YANKED_ROOT, False)
def test_yanked_releases_are_resolved_or_refused_rightly(
    drawn: tuple[Universe, frozenset[tuple[str, str]]], native: bool
) -> None:
    """With yanked releases, some of them dead ends (decision 486: a yanked release widens a
    requirement only where it is no dead end)."""
    universe, yanked = drawn
    _check(universe, native, yanked=yanked)


def test_a_cycle_of_re_pins_is_refused_with_its_conflict() -> None:
    """resolvelib alone ends decision 285's universe as "no resolution found within 20000
    rounds"; graft sees the cycle and a strict search names the requirements in conflict."""
    projects, roots, _ = REPINS_IN_A_CYCLE
    index = FakeIndex()
    for name, project in projects.items():
        for version, requires in project.items():
            index.add(name, version, requires, tag="py3-none-any")
    with pytest.raises(ResolutionError) as refused:
        resolve(roots, LINUX, index)
    assert refused.value.lines[0] == "these requirements cannot all be met:"
    assert "s0==3.0 (s0-3.0-py3-none-any.whl) requires r2<3.0,>=2.0" in refused.value.lines
    assert "  s0==1.0 (s0-1.0-py3-none-any.whl) requires r2<2.0" in refused.value.lines
