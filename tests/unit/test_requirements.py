"""Requirement files' index options, the index order, and conflicting pins (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement

from graft.errors import PlanError, SourceError, UsageError
from graft.model.requirements import Inputs
from graft.sources.indexes import index_order
from graft.sources.reqfile import read_requirements
from graft.sources.requirements import (
    check_one_version_each,
    editable_path,
    parse_spec,
    source_path,
    split_extras,
)
from graft.sources.spec_hints import malformed
from graft.sources.vcs import VcsUrl, parse_vcs, vcs_direct_url
from tests.support.wheelmaker import make_wheel


def test_an_extra_index_in_a_file_is_added_and_never_replaces_the_main_index(
    tmp_path: Path,
) -> None:
    reqs = tmp_path / "reqs.txt"
    reqs.write_text(
        "--extra-index-url https://private.example/simple/\n"
        "--extra-index-url=https://other.example/simple/\n"
        "idna==3.10\n"
    )
    inputs = Inputs()
    read_requirements(str(reqs), inputs)
    assert inputs.index_url is None  # PyPI stays the main index
    assert inputs.extra_index_urls == [
        "https://private.example/simple/",
        "https://other.example/simple/",
    ]


def test_index_order_is_extra_indexes_first_then_the_main_one_each_once() -> None:
    main = "https://pypi.org/simple/"
    extras = ["https://a.example/", "https://b.example/", "https://a.example/", main]
    assert index_order(main, extras) == ["https://a.example/", "https://b.example/", main]


def test_one_version_per_distribution() -> None:
    same = [parse_spec("idna==3.10", "a"), parse_spec("IDNA==3.10.0", "b")]
    check_one_version_each(same)  # one version, spelled two ways
    with pytest.raises(PlanError) as caught:
        check_one_version_each([*same, parse_spec("idna==3.7", "reqs.txt:4")])
    assert str(caught.value) == (
        "idna: conflicting requirements: idna==3.10 (a) and idna==3.7 (reqs.txt:4)"
        " (ask for one version of idna)"
    )


def test_a_pin_and_a_file_of_that_version_go_together_two_files_do_not(tmp_path: Path) -> None:
    one, two = tmp_path / "a", tmp_path / "b"
    one.mkdir()
    two.mkdir()
    for directory in (one, two):
        (directory / "idna-3.10-py3-none-any.whl").write_bytes(b"")
    first = parse_spec(str(one / "idna-3.10-py3-none-any.whl"), "command line")
    check_one_version_each([parse_spec("idna==3.10", "reqs.txt:1"), first])
    second = parse_spec(str(two / "idna-3.10-py3-none-any.whl"), "command line")
    with pytest.raises(PlanError, match=r"conflicting requirements: idna-3\.10-py3-none-any\.whl"):
        check_one_version_each([first, second])


def test_any_pep_508_requirement_is_accepted() -> None:
    bare = parse_spec("Requests", "command line")
    assert (bare.name, bare.version, bare.specifier, bare.requirement) == (
        "requests", None, "", "requests",
    )  # fmt: skip
    ranged = parse_spec("flask>=3,<4", "r.txt:2")
    assert ranged.version is None
    assert ranged.requirement == "flask<4,>=3"
    pinned = parse_spec("requests[socks,Security]==2.34.2; python_version >= '3.9'", "x")
    assert pinned.version == "2.34.2"
    assert pinned.extras == frozenset({"socks", "security"})
    assert pinned.marker == 'python_version >= "3.9"'
    assert pinned.requirement == "requests[security,socks]==2.34.2"
    assert parse_spec("lib==1.*", "x").version is None  # a wildcard is a range


def test_a_direct_reference_names_a_wheel_by_url_or_file(tmp_path: Path) -> None:
    remote = parse_spec(
        "lib @ https://example.org/files/lib-1.0-py3-none-any.whl#sha256=" + "AB" * 32, "x"
    )
    assert remote.url == "https://example.org/files/lib-1.0-py3-none-any.whl"
    assert remote.hashes == frozenset({"sha256:" + "ab" * 32})
    assert (remote.version, remote.filename) == ("1.0", "lib-1.0-py3-none-any.whl")
    wheel = make_wheel(tmp_path, "lib", "2.0")
    local = parse_spec(f"lib[x] @ file://{wheel}", "x")
    assert (local.path, local.version, local.extras) == (str(wheel), "2.0", frozenset({"x"}))
    sdist = parse_spec("lib @ https://example.org/lib-1.0.tar.gz", "x")
    assert (sdist.name, sdist.source, sdist.version) == (
        "lib",
        "https://example.org/lib-1.0.tar.gz",
        None,
    )
    with pytest.raises(SourceError, match="neither a wheel nor an sdist"):
        parse_spec("lib @ https://example.org/lib-1.0.exe", "x")
    with pytest.raises(SourceError, match="is not a distribution of other"):
        parse_spec(f"other @ file://{wheel}", "x")
    with pytest.raises(SourceError, match="unsupported URL scheme 'ftp'"):
        parse_spec("lib @ ftp://example.org/lib-1.0-py3-none-any.whl", "x")


def test_constraints_pre_and_require_hashes_from_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # (-e paths are read from the current directory)
    (tmp_path / "c.txt").write_text("lib<2 ; sys_platform == 'linux'\n")
    (tmp_path / "r.txt").write_text("--pre\n--require-hashes\n-c c.txt\napp\n")
    inputs = Inputs()
    read_requirements(str(tmp_path / "r.txt"), inputs)
    assert [w.requirement for w in inputs.wanted] == ["app"]
    assert [(c.name, c.specifier) for c in inputs.constraints] == [("lib", "<2")]
    assert inputs.prereleases
    assert inputs.require_hashes
    (tmp_path / "bad.txt").write_text("lib @ https://example.org/lib-1.0.tar.gz\n")
    with pytest.raises(UsageError, match="a constraint names a project's versions or one wheel"):
        read_requirements(str(tmp_path / "bad.txt"), Inputs(), constraints=True)
    (tmp_path / "e.txt").write_text("-e ./proj\n")
    with pytest.raises(UsageError, match="no such directory"):
        read_requirements(str(tmp_path / "e.txt"), Inputs())
    (tmp_path / "proj").mkdir()
    editable = Inputs()
    read_requirements(str(tmp_path / "e.txt"), editable)
    assert [(w.source, w.editable, w.name) for w in editable.wanted] == [
        (str(tmp_path / "proj"), True, "")
    ]
    (tmp_path / "ce.txt").write_text("-e ./proj\n")
    with pytest.raises(UsageError, match="is not a constraint"):
        read_requirements(str(tmp_path / "ce.txt"), Inputs(), constraints=True)


def test_an_editable_directory_that_is_gone_is_said_to_be_gone(tmp_path: Path) -> None:
    """A project deleted or moved since the last sync: not "-e needs a project directory"."""
    gone = str(tmp_path / "proj")
    with pytest.raises(UsageError, match=r"command line: .*/proj: no such directory \(-e takes"):
        source_path(gone, "command line", editable=True)
    (tmp_path / "proj.txt").write_text("")
    with pytest.raises(UsageError, match=r"proj.txt: -e needs a project directory \(-e ./project"):
        source_path(str(tmp_path / "proj.txt"), "command line", editable=True)


def test_an_editable_vcs_url_is_refused_naming_what_to_write(tmp_path: Path) -> None:
    """pip's ``-e git+URL#egg=name`` checkout: refused with the URL as written, not a path."""
    (tmp_path / "r.txt").write_text("-e git+https://example.org/x.git#egg=x\n")
    with pytest.raises(UsageError) as raised:
        read_requirements(str(tmp_path / "r.txt"), Inputs())
    assert raised.value.where == f"{tmp_path / 'r.txt'}:1: git+https://example.org/x.git#egg=x"
    assert "not a URL" in str(raised.value)
    assert "NAME @ git+URL" in (raised.value.hint or "")
    with pytest.raises(UsageError, match="not a URL"):
        editable_path("hg+https://example.org/x", "command line")
    assert editable_path("./git-tools", "command line") == "./git-tools"  # what -e takes


def test_a_directory_or_an_sdist_is_a_source_to_build(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "lib-1.0.tar.gz").write_bytes(b"")
    here = parse_spec(str(tmp_path / "proj"), "x")
    assert (here.source, here.editable, here.path) == (str(tmp_path / "proj"), False, None)
    sdist = parse_spec(str(tmp_path / "lib-1.0.tar.gz"), "x")
    assert sdist.source == str(tmp_path / "lib-1.0.tar.gz")
    named = parse_spec(f"lib @ file://{tmp_path / 'proj'}", "x")
    assert (named.name, named.source) == ("lib", str(tmp_path / "proj"))
    assert parse_spec("proj", "x").source is None  # a bare name is a project on an index
    with pytest.raises(SourceError, match="no such project directory or sdist"):
        parse_spec(f"lib @ file://{tmp_path / 'missing'}", "x")


def test_a_path_where_pep_508_has_a_url_is_that_file_url_as_uv_takes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lib @ ./proj`` (uv 0.13.9 installs it; pip 26.3 says "Invalid URL"): the directory,
    wheel or sdist that path names, from the current directory or the given *base*; where
    there is no directory to be relative to (a wheel's METADATA), one line says so."""
    (tmp_path / "proj").mkdir()
    (tmp_path / "dist").mkdir()
    wheel = make_wheel(tmp_path / "dist", "lib", "2.0")
    (tmp_path / "lib-1.0.tar.gz").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    named = parse_spec("lib[x] @ ./proj", "x")
    assert (named.name, named.source, named.extras) == (
        "lib",
        str(tmp_path / "proj"),
        frozenset({"x"}),
    )
    assert parse_spec(f"lib @ {tmp_path / 'proj'}", "x").source == str(tmp_path / "proj")
    assert parse_spec("lib @ ./dist/lib-2.0-py3-none-any.whl", "x").path == str(wheel)
    assert parse_spec("lib @ ./lib-1.0.tar.gz", "x").source == str(tmp_path / "lib-1.0.tar.gz")
    beside = parse_spec("lib @ ../proj", "x", base=str(tmp_path / "dist"))
    assert beside.source == str(tmp_path / "proj")
    with pytest.raises(SourceError, match="no such project directory or sdist"):
        parse_spec("lib @ ./missing", "x")
    with pytest.raises(SourceError, match=r"is a path, which names no directory it is relative"):
        parse_spec("lib @ ./proj", "x", base=None)


def test_ranges_never_count_as_conflicting_pins() -> None:
    check_one_version_each([parse_spec("a>=1", "x"), parse_spec("a==2", "y"), parse_spec("a", "z")])


def test_no_binary_and_only_binary_in_a_requirements_file(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text("--no-binary :all:\n--only-binary=lib\napp\n")
    inputs = Inputs()
    read_requirements(str(tmp_path / "r.txt"), inputs)
    assert inputs.formats == [("no-binary", ":all:"), ("only-binary", "lib")]
    (tmp_path / "bad.txt").write_text("--no-binary\n")
    with pytest.raises(UsageError, match="--no-binary needs a name or :all:"):
        read_requirements(str(tmp_path / "bad.txt"), Inputs())


@pytest.mark.parametrize(
    ("text", "path", "extras"),
    [
        (".[cli]", ".", {"cli"}),
        ("./proj[Dev_Tools, docs]", "./proj", {"dev-tools", "docs"}),
        ("dist/x-1.0-py3-none-any.whl[socks]", "dist/x-1.0-py3-none-any.whl", {"socks"}),
        ("./proj", "./proj", set()),
        ("./a[b]/c", "./a[b]/c", set()),  # brackets in a directory's name, not extras
        ("[x]", "[x]", set()),  # nothing before them: no path
    ],
)
def test_a_path_may_end_in_extras(text: str, path: str, extras: set[str]) -> None:
    assert split_extras(text, "here") == (path, frozenset(extras))


def test_extras_of_a_path_are_parsed_or_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    wanted = parse_spec(f"{tmp_path / 'proj'}[a,b]", "command line")
    assert wanted.source == str(tmp_path / "proj")
    assert wanted.extras == {"a", "b"}
    with pytest.raises(UsageError, match="cannot parse the extras of"):
        split_extras("./proj[a b]", "here")


@pytest.mark.parametrize(
    ("text", "name", "source", "marker"),
    [
        (
            "git+https://github.com/psf/requests.git",
            "",
            "git+https://github.com/psf/requests.git",
            None,
        ),
        (
            "Requests[socks] @ git+https://host/requests.git@v2.32.0 ; python_version>'3'",
            "requests",
            "git+https://host/requests.git@v2.32.0",
            'python_version > "3"',
        ),
        (
            "git+ssh://git@host/r.git@main#egg=Pkg_A",
            "pkg-a",
            "git+ssh://git@host/r.git@main#egg=Pkg_A",
            None,
        ),
    ],
)
def test_a_git_requirement_is_a_source(
    text: str, name: str, source: str, marker: str | None
) -> None:
    wanted = parse_spec(text, "command line")
    assert (wanted.name, wanted.source, wanted.marker) == (name, source, marker)


def test_git_url_parts_follow_pip() -> None:
    url = parse_vcs("git+ssh://git@host/r.git@v1.0#subdirectory=pkgs/a&egg=a", "here")
    assert url == VcsUrl("ssh://git@host/r.git", "v1.0", "pkgs/a", "a")
    assert parse_vcs("git+https://host/r", "here") == VcsUrl("https://host/r", None, None, None)
    assert vcs_direct_url(url, "c" * 40) == (
        '{"subdirectory": "pkgs/a", "url": "ssh://git@host/r.git", "vcs_info":'
        f' {{"commit_id": "{"c" * 40}", "requested_revision": "v1.0", "vcs": "git"}}}}'
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("pkg @ hg+https://example.org/repo", "only git repositories are supported, not hg"),
        ("svn+https://example.org/repo", "only git repositories are supported, not svn"),
        ("pkg @ git+nothing", "not a repository URL"),
    ],
)
def test_other_version_control_systems_are_refused_in_one_line(text: str, said: str) -> None:
    with pytest.raises(UsageError, match=said) as info:
        parse_spec(text, "command line")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text", ["requests >= 2 ; python_version >", "a b", "x[y"])
def test_a_requirement_that_does_not_parse_is_one_line(text: str) -> None:
    with pytest.raises(UsageError, match="cannot parse requirement") as info:
        parse_spec(text, "command line")
    assert "\n" not in str(info.value)
    assert "^" not in str(info.value)  # packaging's caret drawing is left out


@pytest.mark.parametrize(
    ("text", "what", "hint"),
    [
        (
            "flask>=",
            "the operator >= has no version after it",
            "write the version after it (flask>=VERSION), or flask alone for any release",
        ),
        (
            "flask>=1,<",
            "the operator < has no version after it",
            "write the version after it (flask>=1,<VERSION), or flask alone for any release",
        ),
        (
            "flask==1.0 ==2.0",
            "the version clauses are not separated by commas",
            "write flask==1.0,==2.0",
        ),
        (
            "flask[async] = 1.0",
            "= is not an operator",
            "write flask[async]==1.0 for that release, or another operator: != <= >= ~= < >",
        ),
        (
            "flask 1.0",
            "a version needs an operator before it",
            "write flask==1.0 for that release, or flask>=1.0 for it and newer ones",
        ),
        (
            "flask~=1",
            "~= needs a version of two parts or more, and ~=1 has one",
            "write flask~=1.0 (1.0 and newer 1.x releases), or flask>=1",
        ),
    ],
)
def test_a_common_slip_in_a_requirement_says_what_to_write(text: str, what: str, hint: str) -> None:
    """Decision 441: packaging's "Expected semicolon ..." said for these, as pip says it."""
    with pytest.raises(UsageError) as info:
        parse_spec(text, "command line")
    assert (info.value.what, info.value.where, info.value.hint) == (
        f"cannot parse requirement {text!r} ({what})",
        "command line",
        hint,
    )


def test_a_slip_in_a_requirements_file_is_said_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text('six\nflask>= ; python_version >= "3"\n')
    with pytest.raises(UsageError) as info:
        read_requirements(str(path), Inputs())
    assert (info.value.what, info.value.where) == (
        "cannot parse requirement 'flask>=' (the operator >= has no version after it)",
        f"{path}:2",
    )


@pytest.mark.parametrize(
    ("text", "what", "hint"),
    [
        ("flask>=1.0,,", "a comma has no version clause after it", "write flask>=1.0"),
        ("flask >= 1.0 ,, <2", "a comma has no version clause after it", "write flask>=1.0,<2"),
        ("flask,", "a comma has no version clause before it", "write flask"),
        ("x[a] , >=1.0", "a comma has no version clause before it", "write x[a]>=1.0"),
    ],
)
def test_a_comma_without_a_clause_says_what_to_write(text: str, what: str, hint: str) -> None:
    """Decision 455: pip 26.3 and uv 0.13.9 refuse these too; packaging's words were said."""
    with pytest.raises(UsageError) as info:
        parse_spec(text, "command line")
    assert info.value.what == f"cannot parse requirement {text!r} ({what})"
    assert info.value.hint == hint


#: Clauses of a version specifier, each as a user might space it.
SPEC_CLAUSES = (">=1.0", " < 2", "!=1.5.*", "~=1.2", "==1.4", "> 0.9 ")  # (=== takes commas)


@given(
    st.sampled_from(["flask", "Zope.Interface", "a-b_c", "x[extra]", "x[a,b] "]),
    st.lists(st.sampled_from(SPEC_CLAUSES), min_size=1, max_size=3),
    st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=3),
    st.sampled_from(["", ' ; python_version >= "3"']),
)
def test_a_stray_comma_s_rewrite_is_the_requirement_without_it(
    name: str, clauses: list[str], strays: list[int], marker: str
) -> None:
    """Empty clauses put among the clauses: the rewrite parses to the clean requirement.

    Only where packaging refuses the text (one trailing comma it takes, as pip and uv take
    it: the requirement is then the clean one, decision 455).
    """
    spaced = list(clauses)
    for at in strays:
        spaced.insert(min(at, len(spaced)), "")
    text, clean = name + ",".join(spaced) + marker, Requirement(name + ",".join(clauses) + marker)
    try:
        taken = Requirement(text)
    except InvalidRequirement:
        said = malformed(text)
        assert said is not None
        assert said[0] in {f"a comma has no version clause {s} it" for s in ("before", "after")}
        assert str(Requirement(said[1].removeprefix("write "))) == str(clean)
    else:
        assert spaced[-1] == ""  # (one trailing comma alone)
        assert "" not in spaced[:-1]
        assert str(taken) == str(clean)
        assert parse_spec(text.partition(";")[0], "here").specifier == str(clean.specifier)


@pytest.mark.parametrize("text", ["a b", "flask (>=1.0", "flask>=1.0.*.x"])
def test_other_refusals_keep_packaging_s_words(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_spec(text, "command line")
    assert info.value.hint == (
        "write a PEP 508 requirement (name, name>=1.0, name[extra]) or a .whl path"
    )


def test_a_requirements_extras_are_not_taken_for_a_paths() -> None:
    # requests[so cks] is a bad requirement, not a bad path: packaging's error names it
    with pytest.raises(UsageError, match="cannot parse requirement 'requests\\[so cks\\]'"):
        parse_spec("requests[so cks]", "command line")
    assert parse_spec("requests[socks]>=2", "command line").extras == {"socks"}


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("git+https://user:tok@host/r.git", "https://host/r.git"),
        ("git+ssh://git@host/r.git", "ssh://git@host/r.git"),  # a user, no secret: kept
        ("git+https://${USER}:${TOKEN}@host/r", "https://${USER}:${TOKEN}@host/r"),  # PEP 610
        ("git+https://host/r", "https://host/r"),
    ],
)
def test_a_repositorys_password_never_reaches_direct_url_json(url: str, public: str) -> None:
    parsed = parse_vcs(f"{url}@v1", "here")
    assert parsed.public == public
    assert parsed.label == f"git+{public}@v1"
    assert f'"url": "{public}"' in vcs_direct_url(parsed, "c" * 40)


def test_a_requirements_file_with_a_byte_order_mark_or_not_utf8(tmp_path: Path) -> None:
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbfidna==3.10\r\n")  # as a Windows editor saves it
    inputs = Inputs()
    read_requirements(str(bom), inputs)
    assert [(w.name, w.version) for w in inputs.wanted] == [("idna", "3.10")]
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"idna\n# caf\xe9\n")
    with pytest.raises(UsageError, match=r"not UTF-8 text \(byte 0xe9 at offset 10\)"):
        read_requirements(str(latin), Inputs())


def test_a_toml_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    from graft._toml import load_toml

    bad = tmp_path / "pyproject.toml"
    bad.write_bytes(b'[project]\nname = "caf\xe9"\n')
    with pytest.raises(SourceError, match=r"not valid TOML \(not UTF-8: byte at offset 21\)"):
        load_toml(str(bad))


def test_editable_paths_in_a_file_are_read_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as pip and uv: requirements/dev.txt with "-e ." installs the project it is run from;
    # a nested -r is found beside the file that names it
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "dev.txt").write_text("-r base.txt\n-e .\n")
    (tmp_path / "requirements" / "base.txt").write_text("app\n")
    monkeypatch.chdir(tmp_path)
    inputs = Inputs()
    read_requirements("requirements/dev.txt", inputs)
    assert [(w.requirement, w.source, w.editable) for w in inputs.wanted] == [
        ("app", None, False),
        ("", str(tmp_path), True),
    ]


def test_a_bare_wheel_or_sdist_url_is_named_by_its_filename() -> None:
    # pip install https://.../six-1.17.0-py2.py3-none-any.whl, as uv takes it too
    url = "https://files.example/packages/ab/six-1.17.0-py2.py3-none-any.whl"
    wheel = parse_spec(url, "command line")
    assert (wheel.name, wheel.url) == ("six", url)
    sdist = parse_spec("https://files.example/Foo_Bar-2.0.tar.gz", "command line")
    assert sdist.name == "foo-bar"
    with pytest.raises(UsageError, match="cannot tell the project of") as raised:
        parse_spec("https://files.example/download?id=3", "command line")
    assert raised.value.hint == "name it: NAME @ URL"


@pytest.mark.parametrize(
    "text", ["./nowhere", "../libs/liba", "libs/liba", "x-1.0-py3-none-any.whl"]
)
def test_a_path_that_is_not_there_says_so(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="no such file or directory") as raised:
        parse_spec(text, "reqs.txt:3")
    assert raised.value.where == f"reqs.txt:3: {text}"
    assert parse_spec("requests>=2; sys_platform == 'linux'", "x").name == "requests"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_requirements_file_in_utf16_or_utf32_with_its_byte_order_mark(
    tmp_path: Path, encoding: str
) -> None:
    """Windows PowerShell 5's ``pip freeze > requirements.txt`` writes UTF-16 (pip, uv read it)."""
    import codecs

    path = tmp_path / "r.txt"
    bom = codecs.BOM_UTF16_BE if encoding == "utf-16-be" else b""
    path.write_bytes(bom + "idna==3.10\r\nsix==1.16.0\r\n".encode(encoding))
    inputs = Inputs()
    read_requirements(str(path), inputs)
    assert [(w.name, w.version) for w in inputs.wanted] == [("idna", "3.10"), ("six", "1.16.0")]


def test_a_global_option_without_its_value_is_refused_naming_the_line(tmp_path: Path) -> None:
    """``--index-url`` alone on its line was dropped: the sync used PyPI without a word."""
    for option in ("--index-url", "-i", "--extra-index-url=", "-f", "-r", "-c"):
        path = tmp_path / "r.txt"
        path.write_text(f"{option}\nsix\n")
        with pytest.raises(UsageError) as info:
            read_requirements(str(path), Inputs())
        assert (info.value.what, info.value.where) == (
            f"{option.rstrip('=')} needs a value",
            f"{path}:1",
        )


def test_find_links_takes_a_directory_or_a_file_url_and_refuses_a_page_url(
    tmp_path: Path,
) -> None:
    """``-f https://…`` was joined to the file's directory as a path and failed as missing."""
    (tmp_path / "wheels").mkdir()
    path = tmp_path / "r.txt"
    path.write_text(f"-f wheels\n-f file://{tmp_path / 'wheels'}\nsix\n")
    inputs = Inputs()
    read_requirements(str(path), inputs)
    assert inputs.find_links == [str(tmp_path / "wheels")] * 2
    path.write_text("-f https://download.example/whl/torch_stable.html\nsix\n")
    with pytest.raises(UsageError, match="--find-links takes a directory, not a URL") as info:
        read_requirements(str(path), Inputs())
    assert info.value.where == f"{path}:1"


def test_a_constraint_with_extras_limits_its_project_and_adds_nothing(tmp_path: Path) -> None:
    """pip-compile's output as ``-c`` (pip-tools' layered files): uv takes it, pip refuses it."""
    digest = "a" * 64
    path = tmp_path / "requirements.txt"
    path.write_text(f"requests[socks]==2.32.5 \\\n    --hash=sha256:{digest}\n    # via -r r.in\n")
    inputs = Inputs()
    read_requirements(str(path), inputs, constraints=True)
    (constraint,) = inputs.constraints
    assert (constraint.name, constraint.specifier, constraint.extras) == (
        "requests",
        "==2.32.5",
        frozenset(),
    )
    assert constraint.hashes == {f"sha256:{digest}"}
    assert inputs.wanted == []


def test_a_constraint_naming_a_wheel_is_that_file_and_asks_for_nothing(tmp_path: Path) -> None:
    """``lib @ file:///…whl`` in ``-c``, as pip and uv take it (decision 172): refused before."""
    from graft.resolve.inputs import constrained_files

    wheel = make_wheel(tmp_path, "lib", "1.5", {"lib.py": ""})
    path = tmp_path / "c.txt"
    path.write_text(f"lib[x] @ {wheel.as_uri()}\nother<2\n")
    inputs = Inputs()
    read_requirements(str(path), inputs, constraints=True)
    assert inputs.wanted == []
    url, plain = inputs.constraints
    assert (plain.name, plain.specifier, plain.path) == ("other", "<2", None)
    assert (url.name, url.path, url.version, url.extras, url.requested) == (
        "lib",
        str(wheel),
        "1.5",
        frozenset(),
        False,
    )
    asked = [parse_spec("app", "r.txt:1")]
    assert constrained_files(inputs.constraints, asked) == {"lib": url}
    assert constrained_files(inputs.constraints, [parse_spec(str(wheel), "r.txt:1")]) == {
        "lib": url
    }
    other = make_wheel(tmp_path, "lib", "2.0", {"lib.py": ""})
    with pytest.raises(UsageError, match="two wheels of lib are named") as raised:
        constrained_files(inputs.constraints, [parse_spec(str(other), "r.txt:1")])
    assert raised.value.where == f"{path}:1"


def test_a_constraint_naming_a_directory_is_refused_not_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project directory in ``-c`` was kept as a constraint on no project: it limited nothing."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "proj").mkdir()
    path = tmp_path / "c.txt"
    path.write_text("./proj\n")
    with pytest.raises(UsageError, match="a constraint names a project's versions or one wheel"):
        read_requirements(str(path), Inputs(), constraints=True)


def test_a_file_url_is_the_path_it_names_as_pip_and_uv_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-e file:///abs/project`` and a bare ``file:`` URL (pip freeze, pip-compile write them)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "proj").mkdir()
    wheel = make_wheel(tmp_path, "lib", "1.0", {"lib.py": ""})
    path = tmp_path / "r.txt"
    path.write_text(f"-e {(tmp_path / 'proj').as_uri()}\n{(tmp_path / 'proj').as_uri()}\n")
    inputs = Inputs()
    read_requirements(str(path), inputs)
    assert [(w.source, w.editable) for w in inputs.wanted] == [
        (str(tmp_path / "proj"), True),
        (str(tmp_path / "proj"), False),
    ]
    bare = parse_spec(wheel.as_uri(), "command line")
    assert (bare.name, bare.version, bare.path) == ("lib", "1.0", str(wheel))


def test_a_relative_path_with_a_slash_is_a_project_as_pip_and_uv_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``packages/app`` (no leading ``./``): the directory, not a requirement to parse."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "packages" / "app").mkdir(parents=True)
    got = parse_spec("packages/app[cli]", "command line")
    assert (got.source, got.extras) == (str(tmp_path / "packages" / "app"), frozenset({"cli"}))
    (tmp_path / "r.txt").write_text("packages/app\n")
    inputs = Inputs()
    read_requirements(str(tmp_path / "r.txt"), inputs)
    assert [w.source for w in inputs.wanted] == [str(tmp_path / "packages" / "app")]


def test_only_a_hash_option_asks_a_hash_of_every_distribution() -> None:
    """A URL's ``#sha256=`` checks its file; pip and uv then ask no hash of the others."""
    from graft.resolve.inputs import hash_checking

    digest = "b" * 64
    url = f"https://files.example/lib-1.0-py3-none-any.whl#sha256={digest}"
    by_fragment = parse_spec(f"lib @ {url}", "r.txt:1")
    assert by_fragment.hashes == {f"sha256:{digest}"}
    assert not by_fragment.hash_checking
    assert not hash_checking(Inputs(), [by_fragment, parse_spec("six", "r.txt:2")])
    by_option = parse_spec(f"lib @ {url}", "r.txt:1", frozenset({f"sha256:{digest}"}))
    assert by_option.hash_checking
    hashed_constraint = Inputs(constraints=[parse_spec("six==1.17.0", "c.txt:1", by_option.hashes)])
    assert hash_checking(hashed_constraint, [parse_spec("six", "r.txt:1")])  # as pip


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("--no-deps", "give --no-deps on the command line"),
        ("-rbase.txt", "put a space after -r: -r base.txt"),
        ("six --config-settings=editable_mode=compat", "on the command line: -C KEY=VALUE"),
        ("six --global-option=--no-user-cfg", "pip no longer takes --global-option either"),
        ("six --no-deps", "only --hash=sha256:... may follow a requirement on its line"),
    ],
)
def test_an_option_a_file_does_not_take_says_what_to_write(
    tmp_path: Path, line: str, hint: str
) -> None:
    path = tmp_path / "r.txt"
    path.write_text(f"{line}\n")
    with pytest.raises(UsageError) as raised:
        read_requirements(str(path), Inputs())
    assert raised.value.where == f"{path}:1"
    assert hint in (raised.value.hint or "")


def test_a_requirements_file_that_lists_nothing_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty file (or one of comments) said "nothing to install … or -r FILE", -r given."""
    from graft.model.request import ResolveRequest
    from graft.resolve.inputs import gather_inputs

    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("# none yet\n\n")
    with pytest.raises(UsageError) as raised:
        gather_inputs(ResolveRequest(requirement_files=("requirements.txt",)))
    assert (raised.value.what, raised.value.where) == (
        "no requirement listed: nothing to install",
        "requirements.txt",
    )


def test_a_space_after_a_continuing_backslash_is_named(tmp_path: Path) -> None:
    """``six==1.17.0 \\ `` then ``--hash=…``: "cannot parse requirement 'six==1.17.0 \\'"."""
    path = tmp_path / "r.txt"
    path.write_text(f"idna\nsix==1.17.0 \\ \n    --hash=sha256:{'c' * 64}\n")
    with pytest.raises(UsageError) as raised:
        read_requirements(str(path), Inputs())
    assert (raised.value.what, raised.value.where) == (
        "a space after the \\ that continues the line",
        f"{path}:2",
    )
