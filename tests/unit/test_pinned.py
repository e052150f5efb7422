"""A fully pinned request answered without search gives resolvelib's answer (resolve.pinned)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from graft.resolve.candidates import Need
from graft.resolve.pinned import Step, exact, pinned_resolution
from graft.resolve.pinrecord import decode, encode
from graft.resolve.policy import Policy
from graft.resolve.provider import Provider
from graft.resolve.resolution_error import ResolutionError
from graft.resolve.resolver import Resolution, resolve, root_needs
from graft.resolve.unanimous import NoResolution, unanimous_resolution
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import LINUX_TAG, FakeIndex

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])
NAMES = ("p0", "p1", "p2", "p3")
VERSIONS = ("1.0", "2.0", "2.0+cpu", "3.0rc1", "3.0")
SPECS = ("", ">=2.0", "<2.0", "==3.0", "!=2.0", "==2.0", "==2.0+cpu", ">=3.0rc1")
MARKERS = ("", '; sys_platform == "win32"', '; python_version >= "3.10"', '; extra == "x"')
TAGS = ("py3-none-any", LINUX_TAG)


@st.composite
def universes(draw: st.DrawFn) -> tuple[FakeIndex, list[str]]:
    """Projects whose wheels (one or two per version) state their own requirements."""
    index = FakeIndex()
    chosen: dict[str, list[str]] = {}
    for name in NAMES:
        versions = draw(st.lists(st.sampled_from(VERSIONS), min_size=1, max_size=3, unique=True))
        chosen[name] = versions
        for version in versions:
            for tag in draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=2, unique=True)):
                deps = draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
                index.add(
                    name,
                    version,
                    [
                        f"{d}{draw(st.sampled_from(('', '[x]')))}{draw(st.sampled_from(SPECS))}"
                        f"{draw(st.sampled_from(MARKERS))}"
                        for d in deps
                        if d != name
                    ],
                    tag=tag,
                    python=draw(st.sampled_from((None, ">=3.8", "<3.10"))),
                    extras=("x",),
                    yanked=draw(st.sampled_from((None, None, "bad"))),
                )
    pinned = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    roots = []
    for name in pinned:
        version = draw(st.sampled_from([*chosen[name], "9.0"]))
        extra = draw(st.sampled_from(("", "", "[x]")))
        roots.append(f"{name}{extra}=={version}")
    return index, roots


def proved(index: FakeIndex, roots: list[str], policy: Policy | None = None) -> bool:
    """Whether the walk proves that *roots* have no resolution (a root of only dead ends).

    Its explanation may then name another cause than the one resolvelib meets first.
    """
    needs = root_needs(roots, LINUX)
    try:
        unanimous_resolution(needs, Provider(index, LINUX, policy or Policy(), roots=needs))
    except NoResolution:
        return True
    return False


def _outcome(index: FakeIndex, roots: list[str], *, shortcut: bool) -> Resolution | tuple[str, ...]:
    try:
        return resolve(roots, LINUX, index, shortcut=shortcut)
    except ResolutionError as exc:
        return tuple(exc.lines)


@settings(max_examples=300, deadline=None)
@given(universes())
def test_the_shortcut_gives_what_resolvelib_gives(universe: tuple[FakeIndex, list[str]]) -> None:
    index, roots = universe
    searched = _outcome(index, roots, shortcut=False)
    reads = len(index.reads)
    short = _outcome(index, roots, shortcut=True)
    if not isinstance(searched, Resolution) and proved(index, roots):
        assert not isinstance(short, Resolution)
        return
    if not isinstance(searched, Resolution) or not isinstance(short, Resolution):
        assert short == searched
        return
    assert short.pins == searched.pins
    assert short.warnings == searched.warnings
    assert len(index.reads) - reads == short.metadata_reads
    if short.found != "search":  # (a failed walk may read what resolvelib then does not pin)
        assert short.metadata_reads <= searched.metadata_reads + _passed_over(index, roots)


def _passed_over(index: FakeIndex, roots: list[str]) -> int:
    """The candidates the walk read and passed over, as resolvelib rejects them on trying.

    The walk asks each requirement alone (its answer must not depend on resolvelib's order):
    ``p3`` from a parent, alone, offers p3 2.0, whose Requires-Python fails, where resolvelib
    already held the root's ``p3<2.0`` and never read 2.0. Those reads are the walk's price.
    """
    needs = root_needs(roots, LINUX)
    walked = unanimous_resolution(needs, Provider(index, LINUX, Policy(), roots=needs))
    return 0 if walked is None else walked.passed_over


def _pinned_set() -> tuple[FakeIndex, list[str]]:
    index = FakeIndex()
    index.add("a", "1.0", ["b>=1", "c[x]==1.0"])
    index.add("a", "2.0", ["b>=1"])
    index.add("b", "1.0", ['c<2; python_version >= "3.10"'])
    index.add("b", "2.0")
    index.add("c", "1.0", ['d; extra == "x"'], extras=("x",))
    index.add("c", "2.0")
    index.add("d", "1.0", python=">=3.8")
    return index, ["a==1.0", "b==1.0", "c[x]==1.0", "d==1.0"]


def test_a_compiled_set_is_answered_without_search() -> None:
    index, roots = _pinned_set()
    result = resolve(roots, LINUX, index)
    assert result.found == "pinned"
    assert result.rounds == 0  # no resolvelib round
    assert {p.label for p in result.pins} == {"a==1.0", "b==1.0", "c==1.0", "d==1.0"}
    assert {str(p.name): p.requires for p in result.pins}["c"] == ("d",)
    assert {str(p.name): p.extras for p in result.pins}["c"] == ("x",)
    assert result.pins == resolve(roots, LINUX, index, shortcut=False).pins


def test_a_dependency_the_request_does_not_pin_is_left_to_the_next_way() -> None:
    index, roots = _pinned_set()
    provider = Provider(index, LINUX, Policy())
    needs = [Need("a", None, SpecifierSet("==1.0")), Need("b", None, SpecifierSet("==1.0"))]
    assert pinned_resolution(needs, provider) is None  # c is not pinned
    result = resolve(roots[:2], LINUX, index)
    assert result.found == "unanimous"  # c[x]==1.0 and d agree
    assert {p.label for p in result.pins} >= {"c==1.0", "d==1.0"}
    assert result.pins == resolve(roots[:2], LINUX, index, shortcut=False).pins


def test_a_conflict_is_left_to_resolvelib_and_explained_as_before() -> None:
    index, roots = _pinned_set()
    bad = [*roots[:1], "b==1.0", "c[x]==2.0", "d==1.0"]
    assert _outcome(index, bad, shortcut=True) == _outcome(index, bad, shortcut=False)
    assert isinstance(_outcome(index, bad, shortcut=True), tuple)


def test_an_extra_a_dependency_asks_for_is_walked_at_its_project_s_pin() -> None:
    """``p0==1.0`` asked; p1 needs ``p0[x]``: resolvelib's provider offers the extra only what
    the project's own requirements admit (1.0), so it never reads 2.0, whose extra needs a
    ``p2<2.0`` nothing has. The walk read 2.0 (the extra's newest), passed it over and took
    1.0: one read more than the search (decision 493; hypothesis found it)."""
    index = FakeIndex()
    index.add("p0", "1.0", ["p1"], extras=("x",))
    index.add("p0", "2.0", ["p1", 'p2<2.0; extra == "x"'], extras=("x",))
    index.add("p1", "1.0", ["p0[x]", "p2"])
    index.add("p2", "2.0")
    searched = resolve(["p0==1.0"], LINUX, index, shortcut=False)
    index.reads.clear()
    short = resolve(["p0==1.0"], LINUX, index)
    assert short.found == "unanimous"
    assert short.pins == searched.pins
    assert "p0-2.0-py3-none-any.whl" not in index.reads
    assert short.metadata_reads == searched.metadata_reads == 3


def test_exact_means_one_release() -> None:
    assert exact(SpecifierSet("==1.0"))
    assert exact(SpecifierSet(">=1,==1.0"))
    assert not exact(SpecifierSet("==1.*"))
    assert not exact(SpecifierSet(">=1.0"))
    assert not exact(SpecifierSet("===1.0"))


@st.composite
def edit_sequences(draw: st.DrawFn) -> tuple[FakeIndex, list[list[str]]]:
    """A universe and requests that follow each other by an edit: add, remove, change a pin."""
    index, first = draw(universes())
    versions: dict[str, list[str]] = {}
    for name, files in index.projects.items():
        versions[name] = sorted({f.filename.split("-")[1] for f in files})
    requests = [first]
    for _ in range(draw(st.integers(1, 5))):
        pins = dict(r.split("==") for r in requests[-1])
        name = draw(st.sampled_from(NAMES))
        what = draw(st.sampled_from(("change", "add", "remove")))
        if what == "remove" and len(pins) > 1:
            pins = {k: v for k, v in pins.items() if k.split("[")[0] != name}
        else:
            pins = {k: v for k, v in pins.items() if k.split("[")[0] != name}
            extra = draw(st.sampled_from(("", "[x]")))
            pins[name + extra] = draw(st.sampled_from(versions[name]))
        requests.append([f"{k}=={v}" for k, v in sorted(pins.items())])
    return index, requests


@settings(max_examples=200, deadline=None)
@given(edit_sequences())
def test_steps_recalled_across_edits_give_what_resolving_afresh_gives(
    sequence: tuple[FakeIndex, list[list[str]]],
) -> None:
    index, requests = sequence
    record: dict[str, Step] = {}
    for roots in requests:
        fresh = _outcome(index, roots, shortcut=False)
        reads = len(index.reads)
        try:
            again: Resolution | tuple[str, ...] = resolve(roots, LINUX, index, recalled=record)
        except ResolutionError as exc:
            again = tuple(exc.lines)
        if not isinstance(fresh, Resolution) and proved(index, roots):
            assert not isinstance(again, Resolution)
            continue
        if not isinstance(fresh, Resolution) or not isinstance(again, Resolution):
            assert again == fresh
            continue
        assert again.pins == fresh.pins
        assert again.warnings == fresh.warnings
        if again.found == "pinned":  # what was recalled is not read again
            assert len(index.reads) - reads <= len(again.steps)
        # through JSON, as the pin record keeps them (about half of these runs recall some)
        record = {
            **record,
            **{
                s.asked: decode(encode(s, ident=i, created=0.0, pages=None)) for i, s in again.steps
            },
        }


def test_an_edit_reads_only_its_project() -> None:
    index, roots = _pinned_set()
    first = resolve(roots, LINUX, index)
    record = {s.asked: decode(encode(s, ident=i, created=0.0, pages=None)) for i, s in first.steps}
    assert {s.chosen.identifier for s in record.values()} == {"a", "b", "c", "c[x]", "d"}
    index.add("b", "2.0", [], tag=LINUX_TAG)  # b 2.0 gets a wheel of its own
    edited = ["a==1.0", "b==2.0", "c[x]==1.0", "d==1.0"]
    reads = len(index.reads)
    again = resolve(edited, LINUX, index, recalled=record)
    assert index.reads[reads:] == [f"b-2.0-{LINUX_TAG}.whl"]  # only the edited project
    assert again.pins == resolve(edited, LINUX, index, shortcut=False).pins
    (a_key,) = (k for k, s in record.items() if s.chosen.identifier == "a")
    stale = {k: s for k, s in record.items() if k != a_key}
    stale["another request"] = record[a_key]  # filed under another key: not this request's
    reads = len(index.reads)
    assert resolve(roots, LINUX, index, recalled=stale).pins == first.pins
    assert [r for r in index.reads[reads:] if r.startswith("a-")]  # a asked again
