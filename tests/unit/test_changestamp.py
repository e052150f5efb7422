"""How the change stamp reads an edited pin set without packaging (cli/changestamp.py).

Its reading must be the resolver's: the same ``asked`` keys for the same lines, the same
conditions under which a pinned resolution answers, the same specifier checks. Anything it
cannot read exactly is None (the full path).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from graft._home import TOOL_ADDED_VARIABLES, TOOL_CHOICE_VARIABLES
from graft.cli import changestamp, pin_lines, sync_cmd
from graft.cli import main as cli_main
from graft.cli.parser import parse
from graft.resolve import pinrecord
from graft.resolve.candidates import PYTHON
from graft.resolve.pinned import asked_key, plain_word
from graft.resolve.policy import Policy
from graft.resolve.resolver import root_needs
from graft.sources.tool_sources import pin_set_warnings
from tests.unit.test_pinned import LINUX

NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,8}[A-Za-z0-9])?", fullmatch=True)
VERSIONS = st.from_regex(
    r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}(\.post[0-9]|rc[0-9]|\+local)?", fullmatch=True
)
SPACES = st.sampled_from(["", " ", "  "])


def test_the_constants_are_the_resolvers() -> None:
    assert changestamp.PYTHON == PYTHON
    assert changestamp.TTL == pinrecord.TTL
    assert changestamp.RECORD_FORMAT == pinrecord.FORMAT


@settings(max_examples=300, deadline=None)
@given(NAMES, VERSIONS, SPACES, SPACES, st.booleans())
def test_a_line_is_asked_for_by_the_resolvers_key(
    name: str, version: str, before: str, after: str, sdists: bool
) -> None:
    """The key spelled from a plain line is the one the resolver asks its step by."""
    line = f"{name}{before}=={after}{version}"
    with tempfile.TemporaryDirectory(prefix="graft-changestamp-") as work:
        path = Path(work, "requirements.txt")
        path.write_text(f"# a comment\n{line}  # and another\n")
        read = changestamp.pins([str(path)])
    (need,) = root_needs([line], LINUX)
    policy = Policy(sdists=sdists)
    word = plain_word(policy)
    assert word is not None
    assert read == {canonicalize_name(name): version}
    assert changestamp.asked_key(need.name, version, word) == asked_key(need.name, [need], policy)


def test_a_policy_that_says_something_of_one_project_has_no_plain_word() -> None:
    assert plain_word(Policy()) is not None
    assert plain_word(Policy(no_binary=frozenset({"lib"}))) is None
    assert plain_word(Policy(only_binary=frozenset({":all:"}))) is None
    assert plain_word(Policy(hashes={canonicalize_name("lib"): frozenset({"sha256:ab"})})) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a==1.0\nB_c==2.0\n", {"a": "1.0", "b-c": "2.0"}),
        ("# top\n\na == 1.0   # why\n", {"a": "1.0"}),
        ("a==1.0#not-a-comment\n", None),  # (pip: a # needs whitespace before it)
        ("a==1.*\n", None),
        ("a===1.0\n", None),
        ("a>=1.0\n", None),
        ("a[x]==1.0\n", None),
        ("a==1.0; python_version > '3'\n", None),
        ("a==1.0 --hash=sha256:ab\n", None),
        ("-r other.txt\n", None),
        ("--index-url https://example.org/simple\na==1.0\n", None),
        ("a==${VERSION}\n", None),
        ("a==1.0 \\\n", None),
        ("a @ https://example.org/a-1.0-py3-none-any.whl\n", None),
        ("a==1.0\nA==1.0\n", None),
        ("# nothing\n", None),
    ],
)
def test_only_plain_pins_are_read(
    tmp_path: Path, text: str, expected: dict[str, str] | None
) -> None:
    path = tmp_path / "reqs.txt"
    path.write_text(text)
    assert changestamp.pins([str(path)]) == expected


def test_each_file_is_named_by_the_sha256_of_the_bytes_its_pins_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file named twice and read with other bytes the second time is for the full path:
    no one digest names what was read (decision 479), and the stamp is left unmade."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("a==1.0\n")
    b.write_bytes(b"")
    digests: dict[str, str] = {}
    assert changestamp.pins([str(a), str(b), str(b)], digests) == {"a": "1.0"}
    assert digests == {
        str(a): hashlib.sha256(b"a==1.0\n").hexdigest(),
        str(b): hashlib.sha256(b"").hexdigest(),
    }
    real_open = open
    reads: list[str] = []

    def rewritten_between(path: str, mode: str) -> object:
        reads.append(path)
        if reads.count(path) == 2:  # (the second read of b: written meanwhile)
            b.write_text("b==2.0\n")
        return real_open(path, mode)

    monkeypatch.setattr(pin_lines, "open", rewritten_between, raising=False)
    assert changestamp.pins([str(a), str(b), str(b)], {}) is None
    assert changestamp.pins([str(a)], None) == {"a": "1.0"}  # (no digests: nothing compared)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["sync", "v", "-r", "a.txt"], ("v", ["a.txt"], ["sync", "v", "-r", "\0file"])),
        (
            ["sync", "v", "-ra.txt", "--requirement=b.txt", "-q", "--store", "s", "--python=3.11"],
            (
                "v",
                ["a.txt", "b.txt"],
                [
                    "sync",
                    "v",
                    "-r",
                    "\0file",
                    "--requirement",
                    "\0file",
                    "-q",
                    "--store",
                    "s",
                    "--python",
                    "3.11",
                ],
            ),
        ),
        (["sync", "v", "-r", "a.txt", "--no-deps"], None),
        (["sync", "v", "-r", "a.txt", "lib==1.0"], None),
        (["sync", "v", "-r", "a.txt", "-v"], None),
        (["sync", "v", "-r", "a.txt", "--index"], None),  # (an abbreviation: argparse's)
        (["sync", "v", "--store", "s"], None),
        (["sync", "-q", "v", "-r", "a.txt"], None),
        (["lock", "v", "-r", "a.txt"], None),
        # standard input (decision 325): a file named "-" here is not what it read
        (["sync", "v", "-r", "-"], None),
        (["sync", "v", "-r", "a.txt", "--requirement=-"], None),
        # a PEP 723 script (decision 434): its code may read as pins (lib==1.0 compares)
        (["sync", "v", "-r", "s.py"], None),
        (["sync", "v", "-r", "a.txt", "-rtool.pyw"], None),
    ],
)
def test_the_command_lines_it_reads(argv: list[str], expected: object) -> None:
    assert changestamp.command(argv) == expected


def test_the_stamp_for_new_venvs_leaves_the_venvs_path_out() -> None:
    one = changestamp.command(["sync", "a", "-r", "x.txt", "--python", "3.11"])
    two = changestamp.command(["sync", "b", "-r", "y.txt", "--python", "3.11"])
    assert one is not None
    assert two is not None
    assert one[2] != two[2]  # an existing venv's own stamp
    assert changestamp.for_new_venvs(one[2]) == changestamp.for_new_venvs(two[2])
    assert changestamp.for_new_venvs(one[2]) == [
        "sync",
        "\0venv",
        "-r",
        "\0file",
        "--python",
        "3.11",
    ]


def _row(
    name: str, version: str, deps: list[list[object]], warnings: tuple[str, ...] = ()
) -> dict[str, object]:
    """A pin record's step as JSON holds it (what choose reads of it)."""
    return {
        "ident": name,
        "name": name,
        "version": version,
        "extra": None,
        "deps": deps,
        "warnings": list(warnings),
    }


WORD = plain_word(Policy())


def _record(*rows: dict[str, object]) -> dict[str, dict[str, object]]:
    assert WORD is not None
    return {changestamp.asked_key(str(r["name"]), str(r["version"]), WORD): r for r in rows}


def test_the_steps_and_the_pairs_a_pinned_resolution_checks() -> None:
    assert WORD is not None
    record = _record(
        _row(
            "app", "1.0", [["lib", None, ">=1", None, "lib>=1"], [PYTHON, None, ">=3.9", None, ""]]
        ),
        _row("lib", "2.0", []),
        _row("lib", "0.5", []),
    )
    chosen, pairs = changestamp.choose({"app": "1.0", "lib": "2.0"}, record, WORD, "3.11.7") or (
        {},
        set(),
    )
    assert {n: r["version"] for n, r in chosen.items()} == {"app": "1.0", "lib": "2.0"}
    assert pairs == {(">=1", "2.0"), (">=3.9", "3.11.7")}
    assert changestamp.meets(pairs)
    _, pairs = changestamp.choose({"app": "1.0", "lib": "0.5"}, record, WORD, "3.11.7") or (
        {},
        set(),
    )
    assert not changestamp.meets(pairs)  # the control: 0.5 is not >=1


@pytest.mark.parametrize(
    ("wanted", "deps", "why"),
    [
        ({"app": "1.0"}, [["lib", None, ">=1", None, ""]], "a dependency the file does not pin"),
        ({"app": "1.0", "lib": "2.0"}, [["lib", "x", ">=1", None, ""]], "an extra of a dependency"),
        ({"app": "1.0", "lib": "2.0"}, [["lib", None, "", "lib-2.0.whl", ""]], "a file named"),
        ({"app": "1.0", "lib": "3.0"}, [], "a step never recorded"),
    ],
)
def test_what_a_pinned_resolution_would_not_answer_is_none(
    wanted: dict[str, str], deps: list[list[object]], why: str
) -> None:
    assert WORD is not None
    record = _record(_row("app", "1.0", deps), _row("lib", "2.0", []))
    assert changestamp.choose(wanted, record, WORD, "3.11.7") is None, why
    control = _record(_row("app", "1.0", []), _row("lib", "2.0", []))
    assert changestamp.choose({"app": "1.0", "lib": "2.0"}, control, WORD, "3.11.7") is not None


def test_a_step_with_warnings_is_for_the_full_path() -> None:
    assert WORD is not None
    record = _record(_row("app", "1.0", [], ("an extra no wheel provides",)))
    assert changestamp.choose({"app": "1.0"}, record, WORD, "3.11.7") is None


def test_prereleases_meet_a_specifier_as_the_provider_checks_them() -> None:
    assert changestamp.meets({(">=1", "2.0rc1")})  # (screened already: the provider allows)
    assert not changestamp.meets({("<2", "2.0")})


_ORACLE_LINE = re.compile(
    r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*==\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)"
)


def _read_by_regex(raw: str) -> tuple[str, str] | str | None:
    """How a line was read with :mod:`re` before decision 185 (the oracle)."""
    line = re.sub(r"(^|\s)#.*$", "", raw).strip()
    if not line:
        return "blank"
    found = _ORACLE_LINE.fullmatch(line)
    return None if found is None else (re.sub(r"[-_.]+", "-", found[1]).lower(), found[2])


_PIECES = st.sampled_from(
    ["a", "Z", "0", "9", ".", "_", "-", "+", "!", "=", "==", "#", " ", "\t", "\xa0", "\u2028",
     "é", ";", "[", "]", "@", "*", "<", "~", "Foo.Bar__baz", "x-y"]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=12).map("".join))
@settings(max_examples=2000, deadline=None)
def test_a_line_is_read_without_re_as_the_regular_expressions_read_it(raw: str) -> None:
    line = pin_lines._uncommented(raw).strip()
    assert (changestamp.pin_line(line) if line else "blank") == _read_by_regex(raw)


ADDED = (
    "PIP_FIND_LINKS is set, and graft reads no pip or uv variable: it asked PyPI alone (to use"
    " it, pass --extra-index-url URL or --find-links DIR)"
)
CHOSE = (
    "UV_PYTHON is set, and graft reads no pip or uv variable: it chose the interpreter without"
    " it (pass --python or GRAFT_PYTHON)"
)


@pytest.mark.parametrize(
    ("options", "environ", "said"),
    [
        ((), {"PIP_FIND_LINKS": "/opt/wheels", "UV_PYTHON": "3.12"}, [CHOSE, ADDED]),
        (("--python", "3.12"), {"PIP_FIND_LINKS": "/opt/wheels", "UV_PYTHON": "3.12"}, [ADDED]),
        (("--index-url", "u"), {"PIP_FIND_LINKS": "/opt/wheels"}, []),
        (("--extra-index-url", "u"), {"PIP_FIND_LINKS": "/opt/wheels"}, []),
        ((), {"PIP_FIND_LINKS": "/opt/wheels", "GRAFT_INDEX_URL": "u"}, []),
        ((), {"PIP_FIND_LINKS": "/opt/wheels", "GRAFT_EXTRA_INDEX_URL": "u"}, []),
        ((), {"UV_PYTHON": "3.12", "GRAFT_PYTHON": "3.12"}, []),
        ((), {"UV_PYTHON": "3.12", "GRAFT_PYTHON": ""}, [CHOSE]),
        (("-q", "--store", "s"), {}, []),
    ],
)
def test_the_change_stamp_warns_of_pip_s_and_uv_s_variables_as_the_full_path(
    options: tuple[str, ...],
    environ: dict[str, str],
    said: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # decision 355: an edited pin answered without a resolution said none of them
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    parsed = changestamp.command(["sync", "v", "-r", "reqs.txt", *options])
    assert parsed is not None
    assert changestamp.unread(parsed[2]) == said


_OPTIONS = st.lists(
    st.sampled_from(
        [
            ("--python", "3.12"),
            ("--python=3.12",),
            ("--python", ""),
            ("--index-url", "u"),
            ("--index-url", ""),
            ("--index-url=u",),
            ("--extra-index-url", "u"),
            ("--extra-index-url", ""),
            ("-q",),
            ("--store", "s"),
        ]
    ),
    max_size=4,
).map(lambda groups: [arg for group in groups for arg in group])
_UNSET_OR = st.sampled_from([None, "", " ", "u"])


@given(
    options=_OPTIONS,
    graft_python=st.sampled_from([None, "", "3.12"]),
    graft_index=_UNSET_OR,
    graft_extra=_UNSET_OR,
)
@settings(max_examples=150, deadline=None)
def test_the_change_stamp_reads_graft_s_variables_as_the_parser_does(
    options: list[str],
    graft_python: str | None,
    graft_index: str | None,
    graft_extra: str | None,
) -> None:
    # decision 365: one mechanism, so the change stamp's warnings are the full path's for
    # every way of naming (or not) graft's interpreter and sources, by flag or variable
    environ = {
        "GRAFT_PYTHON": graft_python,
        "GRAFT_INDEX_URL": graft_index,
        "GRAFT_EXTRA_INDEX_URL": graft_extra,
        "GRAFT_NO_CONFIG": "1",  # (no .python-version file of the test's directory)
        "UV_PYTHON": "3.12",
        "PIP_FIND_LINKS": "/opt/wheels",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environ.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        argv = ["sync", "v", "-r", "reqs.txt", *options]
        parsed = changestamp.command(argv)
        assert parsed is not None
        args = parse(argv)
        cli_main._python_from_environment(args)
        full = pin_set_warnings(
            python_told=sync_cmd._python_told(args),
            defaults_alone=not (args.index_url or args.extra_index_url),
        )
        assert changestamp.unread(parsed[2]) == full


@pytest.mark.parametrize("told", [True, False])
@pytest.mark.parametrize("index", [True, False])
@pytest.mark.parametrize(
    "name", ["PIP_PRE", "UV_PRERELEASE", "UV_RESOLUTION", "UV_PYTHON", *TOOL_ADDED_VARIABLES]
)
@pytest.mark.parametrize("value", ["1", "true", "allow", "lowest", "u", " ", ""])
def test_the_change_stamp_looks_for_pip_s_and_uv_s_variables_before_it_words_them(
    told: bool, index: bool, name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # decision 502: with none of the variables a warning names set, none is said and the
    # module that words them is not imported; with one set, the warnings are the full path's
    for other in (*TOOL_CHOICE_VARIABLES, *TOOL_ADDED_VARIABLES, "GRAFT_PYTHON"):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv("GRAFT_NO_CONFIG", "1")
    monkeypatch.delenv("GRAFT_INDEX_URL", raising=False)
    monkeypatch.delenv("GRAFT_EXTRA_INDEX_URL", raising=False)
    monkeypatch.setenv(name, value)
    options = [*(["--python", "3.12"] if told else []), *(["--index-url", "u"] if index else [])]
    parsed = changestamp.command(["sync", "v", "-r", "reqs.txt", *options])
    assert parsed is not None
    full = pin_set_warnings(python_told=told, defaults_alone=not index)
    assert changestamp.unread(parsed[2]) == full


def test_an_edited_pin_with_none_of_the_variables_set_imports_no_words_for_them(
    tmp_path: Path,
) -> None:
    # decision 502: as the benchmark runs it (UV_PYTHON set, --python given)
    code = (
        "import sys\n"
        "from graft.cli import changestamp\n"
        "parsed = changestamp.command(['sync', 'v', '-r', 'r.txt', '--python', '3.12'])\n"
        "assert changestamp.unread(parsed[2]) == []\n"
        "assert 'graft.sources.tool_sources' not in sys.modules, 'imported'\n"
    )
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {*TOOL_CHOICE_VARIABLES, *TOOL_ADDED_VARIABLES, "GRAFT_PYTHON"}
    }
    source = str(Path(changestamp.__file__).parents[2])  # (this graft, not an installed one)
    environ.update({"UV_PYTHON": "3.11", "GRAFT_NO_CONFIG": "1", "PYTHONPATH": source})
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
