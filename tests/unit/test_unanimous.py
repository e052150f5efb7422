"""A request no requirement disagrees on is answered without search, as resolvelib answers it."""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from graft.resolve.candidates import Need, WheelCandidate
from graft.resolve.policy import Policy, Prereleases
from graft.resolve.provider import Provider
from graft.resolve.resolution_error import ResolutionError
from graft.resolve.resolver import Resolution, resolve
from graft.resolve.surface import read_surface
from graft.resolve.unanimous import unanimous_resolution
from tests.unit.fakeindex import FakeIndex, metadata
from tests.unit.test_pinned import LINUX, NAMES, SPECS, proved, universes
from tests.unit.test_read_ahead import KeepingIndex, ListingIndex

#: Releases of every project: one a prerelease, one yanked in some universes.
RELEASES = ("1.0", "2.0", "3.0", "4.0rc1")
#: What requirements say: ranges that agree or not with the newest release.
RANGES = ("", "", ">=2", "<2", "<3", "!=3.0", "==2.0", ">=4.0rc1", "<=3.0")
MARKS = ("", "", '; extra == "x"')


@st.composite
def requests(draw: st.DrawFn) -> tuple[FakeIndex, list[str], Policy]:
    """Projects, requirements on them as a user writes them, and what the user allows.

    Every release installs on the target, so that most requests resolve: the walk answers,
    or finds a requirement that disagrees and leaves it to resolvelib, which may go back.
    """
    index = FakeIndex()
    for name in NAMES:
        for version in draw(st.lists(st.sampled_from(RELEASES), min_size=1, unique=True)):
            deps = draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
            index.add(
                name,
                version,
                [
                    f"{d}{draw(st.sampled_from(('', '', '[x]')))}{draw(st.sampled_from(RANGES))}"
                    f"{draw(st.sampled_from(MARKS))}"
                    for d in deps
                    if d != name
                ],
                extras=("x",),
                yanked=draw(st.sampled_from((None, None, None, "bad"))),
            )
    roots = [
        f"{name}{draw(st.sampled_from(('', '', '[x]')))}{spec}"
        for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
        for spec in draw(st.lists(st.sampled_from(RANGES), min_size=1, max_size=2))
    ]
    preferred = draw(st.dictionaries(st.sampled_from(NAMES), st.sampled_from(RELEASES)))
    policy = Policy(
        prereleases=draw(st.sampled_from(list(Prereleases))),
        preferred={NormalizedName(k): Version(v) for k, v in preferred.items()},
        # --resolution highest, lowest, or oldest first for some projects (lowest-direct)
        lowest=draw(
            st.one_of(st.booleans(), st.frozensets(st.sampled_from(NAMES).map(NormalizedName)))
        ),
    )
    return index, roots, policy


@st.composite
def odd_requests(draw: st.DrawFn) -> tuple[FakeIndex, list[str], Policy]:
    """The pinned shortcut's universes (wheels per platform, Requires-Python, markers)."""
    index, _ = draw(universes())
    roots = [
        f"{name}{draw(st.sampled_from(('', '', '[x]')))}{spec}"
        for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
        for spec in draw(st.lists(st.sampled_from(SPECS), min_size=1, max_size=2))
    ]
    return index, roots, Policy(prereleases=draw(st.sampled_from(list(Prereleases))))


def _outcome(
    index: FakeIndex, roots: list[str], policy: Policy, *, shortcut: bool
) -> Resolution | tuple[str, ...]:
    try:
        return resolve(roots, LINUX, index, policy, shortcut=shortcut)
    except ResolutionError as exc:
        return tuple(exc.lines)


@settings(max_examples=400, deadline=None)
@given(st.one_of(requests(), odd_requests()))
def test_the_walk_gives_what_resolvelib_gives(request: tuple[FakeIndex, list[str], Policy]) -> None:
    """The same resolution, or the same failure; a failure the walk proves may name another
    cause than the one resolvelib meets first (each is a reason there is none)."""
    index, roots, policy = request
    searched = _outcome(index, roots, policy, shortcut=False)
    short = _outcome(index, roots, policy, shortcut=True)
    if proved(index, roots, policy):
        event("proved: no resolution")
        assert not isinstance(searched, Resolution)
        assert not isinstance(short, Resolution)
        return
    if not isinstance(searched, Resolution) or not isinstance(short, Resolution):
        assert short == searched
        return
    event(short.found)
    assert short.pins == searched.pins
    assert sorted(short.warnings) == sorted(searched.warnings)


def _index() -> FakeIndex:
    index = FakeIndex()
    index.add("app", "1.0", ["lib>=1", "tool"])
    index.add("lib", "1.0")
    index.add("lib", "2.0", ["tool>=1"])
    index.add("tool", "1.0", ['lib<2; python_version < "3.10"'])
    index.add("tool", "2.0", ["lib<2"])
    return index


def test_newest_releases_that_agree_are_taken_without_a_round() -> None:
    index = FakeIndex()
    index.add("app", "1.0", ["lib>=1"])
    index.add("app", "2.0", ["lib>=1", "tool[x]"])
    index.add("lib", "1.0")
    index.add("lib", "2.0", ["tool"])
    index.add("tool", "1.0")
    index.add("tool", "2.0", ['lib; extra == "x"'], extras=("x",))
    result = resolve(["app"], LINUX, index)
    assert result.found == "unanimous"
    assert result.rounds == 0
    assert [p.label for p in result.pins] == ["app==2.0", "lib==2.0", "tool==2.0"]
    assert {str(p.name): p.extras for p in result.pins}["tool"] == ("x",)
    assert {str(p.name): p.requires for p in result.pins}["tool"] == ("lib",)
    assert result.pins == resolve(["app"], LINUX, index, shortcut=False).pins


def test_a_requirement_that_prefers_another_release_is_left_to_resolvelib() -> None:
    index = _index()  # app wants lib>=1 (2.0 first) and tool (2.0, which wants lib<2)
    provider = Provider(index, LINUX, Policy())
    assert unanimous_resolution([Need("app")], provider) is None
    result = resolve(["app"], LINUX, index)
    assert result.found == "search"
    assert result.rounds > 0
    assert {p.label for p in result.pins} == {"app==1.0", "lib==1.0", "tool==2.0"}


def test_a_root_that_disagrees_with_a_dependency_is_left_to_resolvelib() -> None:
    index = _index()
    needs = [Need("app"), Need("lib", None, SpecifierSet("<2"))]  # tool's lib<2 agrees
    found = unanimous_resolution(needs, Provider(index, LINUX, Policy()))
    assert found is not None
    assert {str(c.version) for c in found.mapping.values()} == {"1.0", "2.0"}
    assert str(found.mapping["lib"].version) == "1.0"
    assert str(found.mapping["tool"].version) == "2.0"


def test_an_sdist_first_is_left_to_resolvelib_unless_its_metadata_is_kept() -> None:
    index = KeepingIndex()  # (a ListingPrefetch whose reads are cheap)
    index.add("app", "1.0", ["lib"])
    index.add_sdist("lib", "2.0")
    index.add("lib", "1.0")
    policy = Policy(sdists=True)
    assert unanimous_resolution([Need("app")], Provider(index, LINUX, policy)) is None
    assert not [r for r in index.reads if r.startswith("lib")]  # no build started for it
    index.kept["lib-2.0.tar.gz"] = read_surface(metadata("lib", "2.0", ["tool"]))
    index.add("tool", "1.0")
    found = unanimous_resolution([Need("app")], Provider(index, LINUX, policy))
    assert found is not None
    lib = found.mapping["lib"]
    assert isinstance(lib, WheelCandidate)
    assert lib.file.filename == "lib-2.0.tar.gz"
    assert found.children["lib"] == {"tool"}
    assert not [r for r in index.reads if r.startswith("lib")]


def test_roots_resolvelib_adds_one_by_one_are_screened_one_by_one() -> None:
    index = FakeIndex()
    index.add("lib", "1.0")
    index.add("lib", "2.0", yanked="broken")
    needs = [Need("lib", None, SpecifierSet(">=2")), Need("lib", None, SpecifierSet("==2.0"))]
    assert unanimous_resolution(needs, Provider(index, LINUX, Policy())) is None
    roots = ["lib>=2", "lib==2.0"]  # lib>=2 alone admits nothing: resolvelib stops there
    searched = _outcome(index, roots, Policy(), shortcut=False)
    assert isinstance(searched, tuple)
    assert _outcome(index, roots, Policy(), shortcut=True) == searched


def test_a_read_that_takes_a_whole_download_is_left_to_resolvelib() -> None:
    index = ListingIndex()
    index.cheap = False  # METADATA reads take whole wheels: no range requests
    app, lib = index.add("app", "1.0", ["lib"]), index.add("lib", "1.0")
    provider = Provider(index, LINUX, Policy())
    assert unanimous_resolution([Need("app")], provider) is None
    assert index.reads == []  # a walk that failed later would have cost a wheel
    provider.reader.surface(app)
    provider.reader.surface(lib)  # (known now: resolvelib read them)
    found = unanimous_resolution([Need("app")], provider)
    assert found is not None
    assert sorted(found.mapping) == ["app", "lib"]
    assert index.reads == [app.filename, lib.filename]


def test_a_choice_that_meets_a_later_requirement_but_is_not_its_first_is_left_to_resolvelib() -> (
    None
):
    """The walk reaches lib through tool 2.0's ``lib<3`` first (2.0), then app's ``lib``,
    whose first choice is 3.0. 2.0 meets both, but had resolvelib pinned lib before tool
    it would have taken 3.0 and gone back: its order decides, so the walk cannot vouch."""
    index = FakeIndex()
    index.add("app", "1.0", ["tool", "lib"])
    index.add("tool", "1.0")
    index.add("tool", "2.0", ["lib<3"])
    index.add("lib", "2.0")
    index.add("lib", "3.0")
    assert unanimous_resolution([Need("app")], Provider(index, LINUX, Policy())) is None
    result = resolve(["app"], LINUX, index)
    assert result.found == "search"
    assert result.pins == resolve(["app"], LINUX, index, shortcut=False).pins


def test_a_release_resolvelib_rejects_on_trying_it_is_passed_over() -> None:
    index = FakeIndex()
    index.add("app", "1.0", ["lib", "tool"])
    index.add("lib", "1.0")
    index.add("lib", "2.0", ["kernels>=0.19"])  # no such release: lib 2.0 is rejected
    index.add("kernels", "0.18")
    index.add("tool", "1.0")
    index.add("tool", "2.0", python=">=3.12")  # its own Requires-Python excludes 3.11
    result = resolve(["app"], LINUX, index)
    assert result.found == "unanimous"
    assert [p.label for p in result.pins] == ["app==1.0", "lib==1.0", "tool==1.0"]
    assert result.pins == resolve(["app"], LINUX, index, shortcut=False).pins
    found = unanimous_resolution([Need("app")], Provider(index, LINUX, Policy()))
    assert found is not None
    assert found.passed_over == 2


def test_a_requirement_another_could_widen_is_left_to_resolvelib() -> None:
    index = FakeIndex()
    index.add("app", "1.0", ["lib"])
    index.add("lib", "1.0")
    index.add("lib", "2.0", ["kernels>=0.19"])
    index.add("kernels", "0.19", yanked="broken")  # an == on it would admit it
    index.add("kernels", "0.18")
    assert unanimous_resolution([Need("app")], Provider(index, LINUX, Policy())) is None
    result = resolve(["app"], LINUX, index)
    assert result.found == "search"
    assert result.pins == resolve(["app"], LINUX, index, shortcut=False).pins
    disallowed = Policy(prereleases=Prereleases.DISALLOW)
    index.add("tool", "1.0", ["kernels>=0.20"])
    index.add("kernels", "0.21rc1")  # disallowed, but a specifier naming it would admit it
    assert unanimous_resolution([Need("tool")], Provider(index, LINUX, disallowed)) is None


def test_several_requirements_of_the_request_on_one_project_pass_nothing_over() -> None:
    """``lib<3`` alone admits only 2.5 (a final release rules the prerelease out), which
    needs what no index has; with ``lib>=2.0b1`` 2.1b1 is admitted too. resolvelib rejects
    2.5, and its provider then ends the resolution: ``lib<3`` alone admits only a dead end.
    """
    index = FakeIndex()
    index.add("lib", "2.5", ["missing>=1"])
    index.add("lib", "2.1b1")
    index.add("missing", "0.1")
    roots = ["lib<3", "lib>=2.0b1"]
    needs = [Need("lib", None, SpecifierSet("<3")), Need("lib", None, SpecifierSet(">=2.0b1"))]
    assert unanimous_resolution(needs, Provider(index, LINUX, Policy())) is None
    searched = _outcome(index, roots, Policy(), shortcut=False)
    assert _outcome(index, roots, Policy(), shortcut=True) == searched


def test_a_dependency_that_excludes_a_roots_choice_ends_the_walk_before_its_tree_is_read() -> None:
    """``apache-airflow==2.9.3 sqlalchemy>=2``: airflow's ``sqlalchemy<2.0`` excludes what the
    request's own requirement chooses, so no walk can answer; the rest of airflow's tree (a
    hundred projects, a METADATA read each) is left to resolvelib, which fails at once."""
    index = FakeIndex()
    index.add("app", "1.0", ["tool", "lib<2"])
    index.add("tool", "1.0", ["deep"])
    index.add("deep", "1.0")
    index.add("lib", "1.0")
    index.add("lib", "2.0")
    roots = [Need("app", None, SpecifierSet("==1.0")), Need("lib", None, SpecifierSet(">=2"))]
    assert unanimous_resolution(roots, Provider(index, LINUX, Policy())) is None
    assert sorted(index.reads) == ["app-1.0-py3-none-any.whl", "lib-2.0-py3-none-any.whl"]
    assert "deep" not in index.listed
    searched = _outcome(index, ["app==1.0", "lib>=2"], Policy(), shortcut=False)
    assert _outcome(index, ["app==1.0", "lib>=2"], Policy(), shortcut=True) == searched
