"""``[tool.uv.sources]``: the hint under ``--no-sources`` (decision 171) and the reading (369)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement

from graft.errors import SourceError
from graft.sources.requirements import source_path
from graft.sources.uv_sources import hint, index_pins, lowered, sources_of

if TYPE_CHECKING:
    from pathlib import Path

SOURCES = """\
[project]
name = "app"
version = "1"
dependencies = ["lib", "member", "Remote", "private", "plain"]
[tool.uv.sources]
lib = { path = "../lib", editable = true }
member = { workspace = true }
remote = { git = "https://example.org/remote.git", tag = "v1", subdirectory = "py" }
private = [{ index = "corp", marker = "sys_platform == 'linux'" }]
[[tool.uv.index]]
name = "corp"
url = "https://corp.example/simple"
"""


def test_each_kind_of_uv_source_says_what_to_give_graft(tmp_path: Path) -> None:
    (tmp_path / "ws" / "app").mkdir(parents=True)
    (tmp_path / "ws" / "libs" / "m").mkdir(parents=True)
    (tmp_path / "ws" / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["app", "libs/*"]\n'
    )
    (tmp_path / "ws" / "libs" / "m" / "pyproject.toml").write_text('[project]\nname = "Member"\n')
    (tmp_path / "ws" / "app" / "pyproject.toml").write_text(SOURCES)
    wanted = [source_path(str(tmp_path / "ws" / "app"), "command line", editable=True)]
    where = f"{tmp_path}/ws/app/pyproject.toml: [tool.uv.sources]"
    said = "which --no-sources leaves unread:"
    assert hint(["lib"], wanted) == f"{where}.lib names lib, {said} add -e {tmp_path}/ws/lib"
    assert hint(["member"], wanted) == (
        f"{where}.member names member, {said} add -e {tmp_path}/ws/libs/m"
    )
    assert hint(["remote"], wanted) == (
        f"{where}.remote names remote, {said} add 'remote @ git+https://example.org/remote.git@v1"
        "#subdirectory=py'"
    )
    assert hint(["private"], wanted) == (
        f"{where}.private names private, {said} pass --extra-index-url https://corp.example/simple"
    )
    assert hint(["plain"], wanted) is None
    assert hint(["lib"], [source_path(str(tmp_path / "ws" / "libs" / "m"), "x")]) is None
    # under --no-sources-package, for the projects it names alone (decision 403)
    unread = "which --no-sources-package leaves unread:"
    assert (
        hint(["lib"], wanted, ["lib"])
        == f"{where}.lib names lib, {unread} add -e {tmp_path}/ws/lib"
    )
    assert hint(["lib"], wanted, ["member"]) is None
    assert sources_of(str(tmp_path / "ws" / "app"), frozenset(["lib", "remote"])).named("lib") == ()
    assert sources_of(str(tmp_path / "ws" / "app"), frozenset(["lib"])).named("remote")


def _tree(tmp_path: Path) -> Path:
    """``ws`` (members ``libs/*`` but ``libs/skip``; the root names ``shared``) and ``app``."""
    ws = tmp_path / "ws"
    for member in ("app", "libs/m", "libs/skip", "libs/shared"):
        (ws / member).mkdir(parents=True)
    (ws / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["app", "libs/*"]\nexclude = ["libs/skip"]\n'
        '[tool.uv.sources]\nshared = { workspace = true }\nlib = { path = "elsewhere" }\n'
    )
    for member, name in (("libs/m", "Member"), ("libs/skip", "skip"), ("libs/shared", "shared")):
        (ws / member / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n')
    (ws / "app" / "pyproject.toml").write_text(SOURCES)
    (ws / "lib").mkdir()
    (ws / "files").mkdir()
    (ws / "files" / "w-1.0-py3-none-any.whl").write_bytes(b"")
    return ws


def test_a_members_sources_are_its_own_over_its_workspace_roots(tmp_path: Path) -> None:
    """The root's ``shared`` holds for the member; its own ``lib`` over the root's."""
    ws = _tree(tmp_path)
    sources = sources_of(str(ws / "app"))
    assert sources.read == (str(ws / "app" / "pyproject.toml"), str(ws / "pyproject.toml"))
    (shared,) = lowered(Requirement("shared[x]>=0"), sources) or []
    assert (shared.source, shared.editable, shared.name, shared.extras) == (
        str(ws / "libs" / "shared"),
        True,
        "shared",
        frozenset({"x"}),
    )
    (lib,) = lowered(Requirement("lib ; python_version >= '3'"), sources) or []
    assert (lib.source, lib.editable, lib.marker) == (
        str(ws / "lib"),
        True,
        'python_version >= "3"',
    )
    assert lowered(Requirement("plain"), sources) is None
    excluded = sources_of(str(ws / "libs" / "skip"))  # not a member: the root's do not hold
    assert excluded.entries == ()
    assert excluded.read == (str(ws / "libs" / "skip" / "pyproject.toml"),)


def test_each_kind_is_the_requirement_graft_takes(tmp_path: Path) -> None:
    """git with its tag and subdirectory, a wheel file, a URL; a marker's entry and the rest."""
    ws = _tree(tmp_path)
    (ws / "app" / "pyproject.toml").write_text(
        "[tool.uv.sources]\n"
        'remote = { git = "https://example.org/remote.git", tag = "v1", subdirectory = "py" }\n'
        'w = { path = "../files/w-1.0-py3-none-any.whl" }\n'
        'u = { url = "https://example.org/u-1.0.tar.gz" }\n'
        'mk = [{ path = "../lib", marker = "sys_platform == \'win32\'" }]\n'
        'ex = { path = "../lib", extra = "x" }\n'
        'gr = { path = "../lib", group = "dev" }\n'
    )
    sources = sources_of(str(ws / "app"))
    (remote,) = lowered(Requirement("remote"), sources) or []
    assert remote.source == "git+https://example.org/remote.git@v1#subdirectory=py"
    (wheel,) = lowered(Requirement("w"), sources) or []
    assert wheel.path == str(ws / "files" / "w-1.0-py3-none-any.whl")
    (url,) = lowered(Requirement("u"), sources) or []
    assert url.source == "https://example.org/u-1.0.tar.gz"
    source, rest = lowered(Requirement("mk>=1 ; python_version >= '3'"), sources) or []
    assert (source.source, source.marker) == (
        str(ws / "lib"),
        'python_version >= "3" and sys_platform == "win32"',
    )
    assert (rest.source, rest.specifier, rest.marker) == (None, ">=1", 'python_version >= "3"')
    assert lowered(Requirement("ex"), sources) is None
    assert lowered(Requirement("ex"), sources, extra="X") is not None
    assert lowered(Requirement("gr"), sources, extra="dev") is None
    assert lowered(Requirement("gr"), sources, group="dev") is not None
    assert lowered(Requirement("ex"), sources, under=lambda extra: extra == "x") is not None
    assert lowered(Requirement("gr"), sources, under=lambda _: True) is None


def test_what_cannot_be_honoured_is_one_line_naming_the_entry(tmp_path: Path) -> None:
    """An undeclared index, a member no workspace has, a missing path, an entry not a table."""
    ws = _tree(tmp_path)
    where = f"{ws / 'app' / 'pyproject.toml'}: [tool.uv.sources]"
    cases = {
        'private = { index = "corp" }\n[[tool.uv.index]]\nname = "other"\nurl = "https://c/s"\n': (
            f'{where}.private: private = {{ index = "corp" }}, but no [[tool.uv.index]] is'
            " named corp (declared: other)"
        ),
        'private = { index = "corp" }\n[[tool.uv.index]]\nname = "corp"\n': (
            f'{where}.private: private = {{ index = "corp" }}: [[tool.uv.index]] corp has no url'
        ),
        "nobody = { workspace = true }\n": f"{where}.nobody: nobody = {{ workspace = true }}",
        'gone = { path = "../gone" }\n': f"{where}.gone: {ws / 'gone'}: no such file",
        'odd = "1.0"\n': f"{where}.odd: a source is a table",
    }
    for table, said in cases.items():
        (ws / "app" / "pyproject.toml").write_text(f"[tool.uv.sources]\n{table}")
        name = table.split(" ")[0]
        with pytest.raises(SourceError) as raised:
            lowered(Requirement(name), sources_of(str(ws / "app")))
        assert str(raised.value).startswith(said), str(raised.value)
        assert "\n" not in str(raised.value)


@given(
    marker=st.sampled_from(["", "sys_platform == 'win32'", "python_version < '3.12'"]),
    own=st.sampled_from([None, "os_name == 'nt'", "implementation_name == 'pypy'"]),
)
def test_a_source_holds_where_both_markers_do(marker: str, own: str | None) -> None:
    """The source's marker is the requirement's and the entry's, and-ed (as uv lowers it)."""
    from graft.sources.uv_source_kinds import Entry
    from graft.sources.uv_sources import Sources

    table = (("path", "."),) if own is None else (("path", "."), ("marker", own))
    sources = Sources((("lib", (Entry("lib", table, "/", "/"),)),), ())
    req = Requirement(f"lib ; {marker}" if marker else "lib")
    got = lowered(req, sources) or []
    both = [m for m in (marker, own) if m]
    for env in ENVIRONMENTS:
        holds = all(Marker(m).evaluate(env) for m in both)
        source = got[0].marker
        assert (source is None or Marker(source).evaluate(env)) == holds
    assert len(got) == (1 if own is None else 2)  # (with a marker: the rest, the index's)


_DEFAULT = {k: str(v) for k, v in default_environment().items()}
ENVIRONMENTS: list[dict[str, str]] = [
    {**_DEFAULT, "sys_platform": p, "os_name": o, "python_version": v, "implementation_name": i}
    for p, o in (("win32", "nt"), ("linux", "posix"))
    for v in ("3.11", "3.12")
    for i in ("cpython", "pypy")
]


def test_an_index_entry_keeps_the_requirement_to_its_index(tmp_path: Path) -> None:
    """The requirement as written (its specifier and extras kept, as uv keeps them), with the
    URL of the index the member's or else the root's ``[[tool.uv.index]]`` names."""
    ws = _tree(tmp_path)
    root = (ws / "pyproject.toml").read_text()
    (ws / "pyproject.toml").write_text(
        root + '[[tool.uv.index]]\nname = "corp"\nurl = "https://root.example/simple"\n'
        '[[tool.uv.index]]\nname = "top"\nurl = "https://top.example/simple"\n'
    )
    (ws / "app" / "pyproject.toml").write_text(
        SOURCES.replace("[tool.uv.sources]", '[tool.uv.sources]\nx = { index = "top" }')
    )
    sources = sources_of(str(ws / "app"))
    linux = {**_DEFAULT, "sys_platform": "linux"}
    (got, plain) = lowered(Requirement("Private[a]>=2 ; python_version > '3'"), sources) or []
    assert (got.name, got.specifier, got.extras, got.index) == (
        "private",
        ">=2",
        frozenset({"a"}),
        "https://corp.example/simple",
    )
    assert got.marker == 'python_version > "3" and sys_platform == "linux"'
    assert plain.index is None  # (where the entry's marker does not hold: the default's)
    (top,) = lowered(Requirement("x"), sources) or []
    assert top.index == "https://top.example/simple"  # (the root's declaration)
    assert got.index_marker == 'sys_platform == "linux"'  # (the entry's own: its scope)
    assert index_pins([got, plain, top], [linux]) == (
        {"private": "https://corp.example/simple", "x": "https://top.example/simple"},
        (),
    )
    windows = {**_DEFAULT, "sys_platform": "win32"}
    assert index_pins([got], [windows]) == ({}, ())
    # a lock: where the entry's marker holds in some environments only, forked with it as
    # the marker (decision 377); the requirement's own marker narrows no pin (decision 376)
    assert index_pins([got], [linux, windows]) == (
        {},
        (dataclasses.replace(got, marker='sys_platform == "linux"'),),
    )
    (own,) = lowered(Requirement("x ; sys_platform == 'linux'"), sources) or []
    assert (own.marker, own.index_marker) == ('sys_platform == "linux"', None)
    assert index_pins([own], [linux, windows]) == ({"x": "https://top.example/simple"}, ())
    assert index_pins([own], [windows, windows]) == ({}, ())
    other = dataclasses.replace(got, index="https://else.example/simple")
    with pytest.raises(SourceError, match=r"is kept to https://else\.example/simple here"):
        index_pins([got, other], [linux])
