"""A ``===`` requirement looks only at the version its text may spell (decision 501).

``===X`` (arbitrary equality) compares a version's text with ``X`` (packaging: ``str`` of
the parsed version, case aside), so only a version equal in value to ``Version(X)`` can
match, in the one spelling of it that is ``X``. The screening, the first candidate a
requirement offers and the versions another requirement could widen it by scanned every
version and file of the listing under one; each answer must stay packaging's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from packaging.specifiers import Specifier, SpecifierSet
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from graft.resolve import admit, screen
from graft.resolve.admit import ByVersion, by_version
from graft.resolve.candidates import Need
from graft.resolve.first_offered import first_offered
from graft.resolve.policy import Policy, Prereleases
from graft.resolve.provider import Provider
from graft.resolve.resolver import resolve
from graft.resolve.widening import widening_versions
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import FakeIndex
from tests.unit.test_resolver import pins

if TYPE_CHECKING:
    from graft.resolve.artifacts import ArtifactFile

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])
NAME = canonicalize_name("p")
#: Spellings of 1.0 and its neighbours, among 300 other releases.
SPELLED = ("1.0", "1.0.0", "1.0rc1", "1.0+local", "1.0.post1", "1!1.0")


def _index(*, yanked: str = "") -> FakeIndex:
    index = FakeIndex()
    for major in range(300, 1, -1):
        index.add("p", f"{major}.0")
    for text in SPELLED:
        index.add("p", text, yanked="broken" if text == yanked else None)
    return index


def _version(file: ArtifactFile) -> Version:
    return parse_wheel_filename(file.filename)[1]


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the screening judged (its checks run on each), and versions parsed."""
    seen: list[str] = []
    passing = screen.passing

    def counting(name: Any, files: Any, *args: Any, **kwargs: Any) -> Any:
        seen.extend(f.filename for f in files)
        return passing(name, files, *args, **kwargs)

    version = ByVersion.version

    def parsed(self: ByVersion, i: int) -> Version:
        seen.append(f"version {i}")
        return version(self, i)

    monkeypatch.setattr(screen, "passing", counting)
    monkeypatch.setattr(ByVersion, "version", parsed)
    admit._BY_VERSION.clear()  # (each test's listing grouped anew)
    return seen


SPECS = [
    "===1.0",
    "===1.0.0",
    "===1.0RC1",
    "===1.0+LOCAL",
    "===1.0-1",  # (1.0.post1's text is not this one)
    "===1!1.0",
    "===foo",
    "===7.0",
    "===1.0,>=0.5",
    "===1.0,<0.5",
    "===3.0.0",  # (no file spells it so)
]


@pytest.mark.parametrize("text", SPECS)
def test_the_screening_under_arbitrary_equality_is_packaging_s_and_reads_one_version(
    text: str, judged: list[str]
) -> None:
    """On main, every one of the 306 files was judged."""
    files = _index().files(NAME)
    by_version(files)  # (the listing's grouping, once per listing, read whole)
    judged.clear()
    specs = [SpecifierSet(text)]
    policy = Policy(prereleases=Prereleases.ALLOW)
    found = screen.screen(NAME, files, specs, LINUX, policy, reasons=False)
    expected = {
        f.filename for f in files if all(s.contains(_version(f), prereleases=True) for s in specs)
    }
    assert {f.filename for _, f in found.offered} == expected
    assert len(judged) <= 20, judged  # (six spellings of 1.0 at most, a binary search)


@pytest.mark.parametrize("text", ["===1.0.0", "===1.0", "===foo", "===2.0"])
def test_the_first_offered_under_arbitrary_equality_is_the_screening_s(
    text: str, judged: list[str]
) -> None:
    """The full screening (with reasons, every file) answers the same first candidate."""
    files = _index().files(NAME)
    by_version(files)
    judged.clear()
    specs, policy = [SpecifierSet(text)], Policy()
    rank = LINUX.tag_rank()
    first = first_offered(NAME, files, specs, LINUX, policy, tag_rank=rank)
    assert len(judged) <= 20, judged  # (every file on main)
    whole = screen.screen(NAME, files, specs, LINUX, policy, tag_rank=rank)
    assert first == (whole.offered[0] if whole.offered else None)
    assert first is None or Specifier(text).contains(first[0])


def test_a_yanked_spelling_another_requirement_could_add_is_found_without_a_scan(
    judged: list[str],
) -> None:
    """``===1.0.0`` admits the yanked ``p-1.0.0`` only; every version was parsed on main."""
    index = _index(yanked="1.0.0")
    provider = Provider(index, LINUX, Policy())
    need = Need("p", None, SpecifierSet("===1.0.0"))
    by_version(index.files(NAME))
    judged.clear()
    assert widening_versions(provider, need) == [Version("1.0")]
    assert len(judged) <= 20, judged
    assert not widening_versions(provider, Need("p", None, SpecifierSet("===1.0")))


@pytest.mark.parametrize(
    ("text", "pinned"), [("===1.0.0", "1.0.0"), ("===1.0", "1.0"), ("===1!1.0", "1!1.0")]
)
def test_a_resolution_pins_the_spelling_arbitrary_equality_names(
    text: str, pinned: str, judged: list[str]
) -> None:
    """The file whose text is the requirement's, yanked or not (PEP 592: it is named)."""
    index = _index(yanked="1.0.0")
    found = resolve([f"p{text}"], LINUX, index, Policy())
    assert pins(found) == {"p": str(Version(pinned))}
    assert index.reads == [f"p-{pinned}-py3-none-any.whl"]
    assert len([j for j in judged if not j.startswith("version")]) <= 12, judged
