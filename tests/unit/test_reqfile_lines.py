"""Requirement lines as pip 26 reads them: options on a line, markers on paths (no network)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from graft.errors import UsageError
from graft.model.requirements import Inputs
from graft.sources.reqfile import read_requirements
from graft.sources.requirements import parse_line, parse_spec
from tests.support.wheelmaker import make_wheel


def _read(tmp_path: Path, text: str) -> Inputs:
    path = tmp_path / "r.txt"
    path.write_text(text)
    inputs = Inputs()
    read_requirements(str(path), inputs)
    return inputs


def test_every_option_on_a_line_is_read_as_pip_reads_it(tmp_path: Path) -> None:
    """``--no-index --find-links ./wheels`` read ``--no-index`` alone: no source at all."""
    (tmp_path / "wheels").mkdir()
    inputs = _read(
        tmp_path,
        "--no-index --find-links wheels\n"
        "--index-url https://a.example/simple --extra-index-url=https://b.example/simple\n"
        "--pre --require-hashes --only-binary :all: --no-binary=six\n"
        "six\n",
    )
    assert inputs.no_index
    assert inputs.find_links == [str(tmp_path / "wheels")]
    assert inputs.index_url == "https://a.example/simple"
    assert inputs.extra_index_urls == ["https://b.example/simple"]
    assert (inputs.prereleases, inputs.require_hashes) == (True, True)
    assert inputs.formats == [("only-binary", ":all:"), ("no-binary", "six")]
    assert [str(w.name) for w in inputs.wanted] == ["six"]


def test_nested_files_on_one_line_are_each_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("six\n")
    (tmp_path / "c.txt").write_text("idna<4\n")
    inputs = _read(tmp_path, "-r a.txt --constraint=c.txt\n")
    assert [str(w.name) for w in inputs.wanted] == ["six"]
    assert [str(c.name) for c in inputs.constraints] == ["idna"]


@pytest.mark.parametrize(
    ("line", "what"),
    [
        # pip and uv drop the requirement without a word; a sync would not install it
        ("--prefer-binary idna==3.7", "'idna==3.7' follows --prefer-binary on its line"),
        ("--pre six", "'six' follows --pre on its line"),
        ("--no-index --index-url", "--index-url needs a value"),
        ("--index-url --pre", "--index-url needs a value"),
        ("--pre=yes", "--pre takes no value"),
        ("--no-index --no-deps", "unknown option '--no-deps'"),
    ],
)
def test_a_word_a_line_of_options_cannot_take_is_refused_naming_it(
    tmp_path: Path, line: str, what: str
) -> None:
    with pytest.raises(UsageError) as raised:
        _read(tmp_path, f"{line}\nsix\n")
    assert (raised.value.what, raised.value.where) == (what, f"{tmp_path / 'r.txt'}:1")


@pytest.mark.parametrize(
    "line",
    [
        'dist/lib-1.0-py3-none-any.whl ; python_version < "3"',
        'dist/lib-1.0-py3-none-any.whl;python_version<"3"',  # (uv refuses this one)
        'dist/lib-1.0-py3-none-any.whl[fast] ; python_version < "3"',
        'lib @ file://{dist}/lib-1.0-py3-none-any.whl;python_version<"3"',
        'file://{dist}/lib-1.0-py3-none-any.whl ; python_version < "3"',
        '{dist}/lib-1.0-py3-none-any.whl; python_version < "3"',
    ],
)
def test_a_path_or_url_takes_a_marker_as_pip_and_uv_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    """pip splits a line's marker at its first ``;`` (``"; "`` after a URL); graft parsed
    the whole line as PEP 508 or as a path, and said no such file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dist").mkdir()
    wheel = make_wheel(tmp_path / "dist", "lib", "1.0", {"lib.py": ""})
    inputs = _read(tmp_path, line.format(dist=tmp_path / "dist") + "\n")
    (wanted,) = inputs.wanted
    assert (wanted.name, wanted.path, wanted.marker) == ("lib", str(wheel), 'python_version < "3"')
    assert parse_line(line.format(dist=tmp_path / "dist"), "command line") == dataclasses.replace(
        wanted, where="command line"
    )


def test_a_remote_wheel_and_a_named_requirement_take_a_marker_pip_s_way() -> None:
    url = "https://files.example/lib-1.0-py3-none-any.whl"
    remote = parse_line(f'{url} ; sys_platform == "win32"', "a")
    assert (remote.url, remote.marker) == (url, 'sys_platform == "win32"')
    named = parse_line(f'lib @ {url};sys_platform == "win32"', "a")
    assert (named.url, named.marker) == (url, 'sys_platform == "win32"')
    assert parse_line('six==1.17.0;python_version>"3"', "a") == parse_spec(
        'six==1.17.0 ; python_version > "3"', "a"
    )
    assert parse_line("six ; ", "a") == parse_spec("six", "a")  # (an empty marker: none)


def test_a_marker_that_does_not_parse_is_one_line_and_a_url_keeps_its_semicolon(
    tmp_path: Path,
) -> None:
    with pytest.raises(UsageError) as raised:
        parse_line("./dist/lib-1.0-py3-none-any.whl ; python_version <", "r.txt:2")
    assert raised.value.what.startswith("cannot parse the marker 'python_version <'")
    assert raised.value.where == "r.txt:2"
    # a URL's own ";" is part of it, as pip reads it: no such file
    with pytest.raises(UsageError, match="no such"):
        parse_line(f'file://{tmp_path}/lib-1.0-py3-none-any.whl;python_version<"3"', "a")


def test_a_path_in_a_file_is_read_from_the_current_directory_not_beside_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative wheel path was read beside the file first: another wheel than pip's and uv's."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub" / "dist").mkdir(parents=True)
    (tmp_path / "dist").mkdir()
    here = make_wheel(tmp_path / "dist", "lib", "1.0", {"lib.py": "HERE = 1\n"})
    make_wheel(tmp_path / "sub" / "dist", "lib", "1.0", {"lib.py": "BESIDE = 1\n"})
    (tmp_path / "sub" / "r.txt").write_text("dist/lib-1.0-py3-none-any.whl\n")
    inputs = Inputs()
    read_requirements("sub/r.txt", inputs)
    assert [w.path for w in inputs.wanted] == [str(here)]
    # one that lies only beside the file is refused, saying how to name it from here
    (tmp_path / "sub" / "r.txt").write_text("../dist/lib-1.0-py3-none-any.whl\n")
    with pytest.raises(UsageError) as raised:
        read_requirements("sub/r.txt", Inputs())
    assert raised.value.where == "sub/r.txt:1: ../dist/lib-1.0-py3-none-any.whl"
    assert raised.value.hint == "write dist/lib-1.0-py3-none-any.whl, or run from sub"


def test_find_links_beside_the_file_else_here_as_pip_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--find-links=wheels`` in ``sub/r.txt`` with ``./wheels`` only: pip reads that one."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "wheels").mkdir()
    (tmp_path / "sub" / "r.txt").write_text("--find-links=wheels\nsix\n")
    inputs = Inputs()
    read_requirements("sub/r.txt", inputs)
    assert inputs.find_links == [str(tmp_path / "wheels")]
    (tmp_path / "sub" / "wheels").mkdir()  # beside the file first, where there is one
    inputs = Inputs()
    read_requirements("sub/r.txt", inputs)
    assert inputs.find_links == [str(tmp_path / "sub" / "wheels")]


def test_a_direct_reference_to_a_path_takes_a_marker_as_uv_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lib @ ./proj ; MARKER`` in a file: the path from the current directory, as uv reads
    it (decision 309; pip says "Invalid URL"), with the marker split off pip's way (305)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "proj").mkdir()
    inputs = _read(tmp_path, 'lib @ ./proj ; sys_platform == "win32"\n')
    assert [(w.name, w.source, w.marker) for w in inputs.wanted] == [
        ("lib", str(tmp_path / "proj"), 'sys_platform == "win32"')
    ]


@pytest.mark.parametrize(
    ("digest", "what"),
    [
        (f"sha512:{'a' * 128}", "graft checks sha256 hashes only, not sha512 (pip and uv take"),
        (f"sha384:{'a' * 96}", "graft checks sha256 hashes only, not sha384 (pip and uv take"),
        (f"sha256:{'a' * 63}", "a sha256 digest is 64 hexadecimal digits, not 'aaa"),
        (f"sha256:{'g' * 64}", "a sha256 digest is 64 hexadecimal digits, not 'ggg"),
        (f"md5:{'a' * 32}", "unsupported hash 'md5:aaa"),
    ],
)
def test_a_hash_graft_cannot_check_says_what_to_give(
    tmp_path: Path, digest: str, what: str
) -> None:
    with pytest.raises(UsageError) as raised:
        _read(tmp_path, f"six==1.17.0 --hash={digest}\n")
    assert raised.value.what.startswith(what)
    assert "sha256:<" in (raised.value.hint or "")
    inputs = _read(tmp_path, f"six==1.17.0 --hash=sha256:{'A' * 64}\n")
    assert inputs.wanted[0].hashes == {f"sha256:{'a' * 64}"}


def test_an_editable_line_takes_a_marker_as_uv_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-e ./proj ; sys_platform == "win32"``: uv keeps the marker (pip drops it and installs
    the project everywhere); read as words, it was a refused ``';'`` after the option."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "proj").mkdir()
    inputs = _read(tmp_path, '-e ./proj ; sys_platform == "win32"\n--editable=proj;os_name=="nt"\n')
    assert [(w.source, w.editable, w.marker) for w in inputs.wanted] == [
        (str(tmp_path / "proj"), True, 'sys_platform == "win32"'),
        (str(tmp_path / "proj"), True, 'os_name == "nt"'),
    ]


def test_standard_input_is_read_once_and_a_missing_one_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``-r -`` (decision 325): read to its end once; none or closed is a usage error."""
    import io
    import sys

    from graft.sources import reqlines

    monkeypatch.setattr(reqlines, "_stdin", [])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"six==1.17.0\n# c\nidna\n")))
    assert reqlines.logical_lines("-", {}) == [(1, "six==1.17.0"), (3, "idna")]
    assert reqlines.logical_lines("-", {}) == [(1, "six==1.17.0"), (3, "idna")]  # (once)
    monkeypatch.setattr(reqlines, "_stdin", [])
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(UsageError, match=r"cannot read requirements file \(no standard input"):
        reqlines.logical_lines("-", {})
