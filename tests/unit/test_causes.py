"""A resolution's causes as lines: releases stating one requirement alike are one line."""

from __future__ import annotations

import itertools
import re

from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.utils import NormalizedName
from packaging.version import Version

from graft.resolve.artifacts import ArtifactFile
from graft.resolve.candidates import Need, WheelCandidate
from graft.resolve.causes import Cause, chain, required_by, stated, who
from tests.unit.fakeindex import FakeIndex
from tests.unit.test_explain import failure


def wheel(name: str, version: str, extra: str | None = None) -> WheelCandidate:
    filename = f"{name}-{version}-py3-none-any.whl"
    file = ArtifactFile(filename, f"https://example.invalid/{filename}")
    return WheelCandidate(
        NormalizedName(name), Version(version), file, NormalizedName(extra) if extra else None
    )


def need(text: str) -> Need:
    requirement = Requirement(text)
    return Need(requirement.name, specifier=requirement.specifier, text=text)


def test_a_run_of_releases_alike_is_one_line_and_a_release_alone_names_its_wheel() -> None:
    """flask>=3 with werkzeug<2: ``>=3.1`` and ``>=3.1.0`` are one requirement, spelt as the
    oldest release spells it; the request's lines come last."""
    causes: list[Cause] = [(need("werkzeug<2"), None)]
    causes += [(need("werkzeug>=3.0.0"), wheel("flask", f"3.0.{i}")) for i in (3, 0, 1, 2)]
    causes += [(need("werkzeug>=3.1"), wheel("flask", "3.1.0"))]
    causes += [(need("werkzeug>=3.1.0"), wheel("flask", f"3.1.{i}")) for i in (1, 2)]
    causes += [(need("werkzeug>=3.2"), wheel("flask", "3.2.0"))]
    assert stated(causes) == [
        "flask 3.0.0 to 3.0.3 (4 wheels) require werkzeug>=3.0.0",
        "flask 3.1.0 to 3.1.2 (3 wheels) require werkzeug>=3.1",
        "flask==3.2.0 (flask-3.2.0-py3-none-any.whl) requires werkzeug>=3.2",
        "you asked for werkzeug<2",
    ]


def test_only_neighbours_join_and_one_release_never_joins_itself() -> None:
    causes: list[Cause] = [
        (need("lib<2"), wheel("app", "1.0")),
        (need("lib>=3"), wheel("app", "1.1")),
        (need("lib<2"), wheel("app", "1.2")),
        (need("lib<4"), wheel("app", "2.0")),
        (need("lib>=2"), wheel("app", "2.0")),
        (need("lib<2"), wheel("app", "1.0", extra="cli")),
        (need("lib<2"), wheel("app", "1.2", extra="cli")),
        (need("lib<2"), wheel("app", "1.0")),  # (resolvelib may repeat a cause)
    ]
    assert stated(causes) == [
        "app==1.0 (app-1.0-py3-none-any.whl) requires lib<2",
        "app==1.1 (app-1.1-py3-none-any.whl) requires lib>=3",
        "app==1.2 (app-1.2-py3-none-any.whl) requires lib<2",
        "app==2.0 (app-2.0-py3-none-any.whl) requires lib<4",
        "app==2.0 (app-2.0-py3-none-any.whl) requires lib>=2",
        "app[cli] 1.0 to 1.2 (2 wheels) require lib<2",
    ]
    assert who((need("lib<2"), None)) == "you asked for lib<2"


SPAN = re.compile(r"^app (\S+) to (\S+) \((\d+) wheels\) require (\S+)$")
ALONE = re.compile(r"^app==(\S+) \(app-\S+\.whl\) requires (\S+)$")


@given(st.lists(st.sampled_from(["lib<2", "lib>=3", "lib<4"]), min_size=1, max_size=12))
def test_every_release_is_told_once_with_what_it_requires(choices: list[str]) -> None:
    """Read back, the lines give each release exactly its requirement, in version order, and
    no two neighbouring lines state the same one (they would have been one)."""
    causes: list[Cause] = [(need(c), wheel("app", f"1.{i}")) for i, c in enumerate(choices)]
    told: list[str] = []
    states: list[str] = []
    for line in stated(reversed(causes)):
        if span := SPAN.match(line):
            first, last, count, text = span.groups()
            versions = [f"1.{i}" for i in range(int(first[2:]), int(last[2:]) + 1)]
            assert len(versions) == int(count)
        else:
            alone = ALONE.match(line)
            assert alone is not None, line
            versions, text = [alone.group(1)], alone.group(2)
        told += [f"{v} {text}" for v in versions]
        states.append(text)
    assert told == [f"1.{i} {c}" for i, c in enumerate(choices)]
    assert all(a != b for a, b in itertools.pairwise(states))


def test_a_conflict_with_many_releases_is_a_few_lines() -> None:
    """Through the resolver: every release of app needs what the request rules out."""
    index = FakeIndex()
    for version in ("1.0", "1.1", "1.2", "1.3"):
        index.add("app", version, ["shared<2"])
    index.add("app", "1.4", ["shared<2.0"])
    index.add("shared", "1.0")
    index.add("shared", "2.0")
    error = failure(index, "app", "shared>=2")
    assert error.lines == (
        "these requirements cannot all be met:",
        "app 1.0 to 1.4 (5 wheels) require shared<2",
        "you asked for app",
        "you asked for shared>=2",
    )


def test_the_shortest_chain_from_a_request_is_said() -> None:
    """``required_by``: the direct requirers, then the shortest chain down from a request.

    ``foo`` is reached from the request ``top`` through ``a`` then ``b`` (three steps) and
    through ``bar`` (two): the shorter is said (decision 378); a requirer the user asked
    for needs no chain; a project no chain reaches keeps its requirers alone.
    """
    parents = {
        "foo": [("b", "b==1"), ("bar", "bar==2")],
        "b": [("a", "a==1")],
        "a": [("top", "top==1")],
        "bar": [("top", "top==1")],
        "lost": [("nobody", "nobody==1")],
    }
    assert chain("foo", {"top"}, parents) == ["bar==2", "top==1"]
    assert required_by("foo", {"top"}, parents) == (
        "required by b==1, bar==2 (you asked for top; top==1 requires bar)"
    )
    assert required_by("b", {"top"}, parents) == (
        "required by a==1 (you asked for top; top==1 requires a)"
    )
    assert chain("a", {"top"}, parents) == ["top==1"]
    assert required_by("a", {"top"}, parents) == "required by top==1"
    assert required_by("foo", {"top", "b"}, parents) == "required by b==1, bar==2"
    assert chain("top", {"top"}, parents) == []
    assert required_by("lost", {"top"}, parents) == "required by nobody==1"
    deep = {"d": [("c", "c==1")], "c": [("b", "b==1")], "b": [("a", "a==1")]}
    assert required_by("d", {"a"}, deep) == (
        "required by c==1 (you asked for a; a==1 requires b; b==1 requires c)"
    )
