"""The ``.python-version`` a sync reads its interpreter from, as ``uv venv`` finds it.

Decision 246.

Which file applies (the working directory and up, ``.python-version`` before
``.python-versions``, no further up than a project's ``pyproject.toml``), how its lines are
read (comments, blank lines, the first request, uv's ignored executable names), the opt-outs,
and the no-op stamp's key changing with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graft._home import no_config, python_version_file
from graft._python_version_file import discover, read
from graft.cli import noop
from graft.errors import TargetError

if TYPE_CHECKING:
    from pathlib import Path


def test_the_nearest_file_up_from_the_working_directory(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("")  # (nothing above tmp_path is read)
    assert python_version_file(str(deep)) is None
    (tmp_path / ".python-version").write_text("3.11\n")
    assert python_version_file(str(deep)) == str(tmp_path / ".python-version")
    (tmp_path / "a" / ".python-versions").write_text("3.12\n3.11\n")
    assert python_version_file(str(deep)) == str(tmp_path / "a" / ".python-versions")
    (tmp_path / "a" / ".python-version").write_text("3.13\n")  # preferred in one directory
    assert python_version_file(str(deep)) == str(tmp_path / "a" / ".python-version")
    (deep / ".python-version").mkdir()  # a directory of that name is no file
    assert python_version_file(str(deep)) == str(tmp_path / "a" / ".python-version")


def test_a_project_root_ends_the_search(tmp_path: Path) -> None:
    """As ``uv venv`` in a project: a file above the project's ``pyproject.toml`` is not read."""
    (tmp_path / ".python-version").write_text("3.11\n")
    project = tmp_path / "proj"
    (project / "src").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\nversion = '1'\n")
    assert python_version_file(str(project / "src")) is None
    (project / ".python-version").write_text("3.12\n")  # the project's own: read
    assert python_version_file(str(project / "src")) == str(project / ".python-version")
    assert python_version_file(str(tmp_path)) == str(tmp_path / ".python-version")


def test_uv_builds_search_goes_past_the_project_root(tmp_path: Path) -> None:
    """``uv build`` looks from the source's directory up to ``/``, a ``pyproject.toml`` on the
    way no stop (decision 280); a directory of that name is still no file."""
    (tmp_path / ".python-version").write_text("3.11\n")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\nversion = '1'\n")
    (project / ".python-version").mkdir()
    assert python_version_file(str(project)) is None
    assert python_version_file(str(project), project_stops=False) == str(
        tmp_path / ".python-version"
    )
    found = discover(str(project), project_stops=False)
    assert found is not None
    assert found.request == "3.11"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"3.12\xff\n", "not UTF-8 text (byte 0xff at offset 4)"),
        (b"\xff\xfe3\x00.\x001\x002\x00", "not UTF-8 text (byte 0xff at offset 0)"),  # UTF-16
        (b"# \xe9t\xe9\n3.12\n", "not UTF-8 text (byte 0xe9 at offset 2)"),  # Latin-1
    ],
)
def test_a_file_not_utf8_is_an_error_naming_it(tmp_path: Path, content: bytes, said: str) -> None:
    """As uv: "failed to read from file …: stream did not contain valid UTF-8" (decision 281;
    before, graft read such a file as asking for nothing and used its own interpreter)."""
    path = tmp_path / ".python-version"
    path.write_bytes(content)
    with pytest.raises(TargetError) as caught:
        read(str(path))
    assert (caught.value.where, caught.value.what) == (str(path), said)
    assert "--no-config reads no such file" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_file_that_cannot_be_read_is_an_error_naming_it(tmp_path: Path) -> None:
    """A read that fails (here: a directory where the file was found) says why, as uv does."""
    with pytest.raises(TargetError) as caught:
        read(str(tmp_path))
    assert caught.value.where == str(tmp_path)
    assert caught.value.what.startswith("cannot read it ("), caught.value.what
    assert "make it readable, or remove the file" in str(caught.value)


def test_a_character_the_64_kib_cut_splits_is_no_error(tmp_path: Path) -> None:
    """Only the first 64 KiB are read: a UTF-8 sequence cut there is the cut's, not the file's."""
    path = tmp_path / ".python-version"
    path.write_bytes(b"3.12\n#" + b"x" * ((1 << 16) - 7) + "é".encode() + b"\n")
    assert read(str(path)).request == "3.12"


@pytest.mark.parametrize(
    ("text", "request_", "ignored"),
    [
        ("3.12\n", "3.12", ()),
        ("  3.12.1  \n", "3.12.1", ()),
        ("# pinned by uv\n\n3.11\n3.12\n", "3.11", ()),  # the first request
        ("system\n3.12\n", "3.12", ("system",)),  # pyenv's name: uv ignores it, warning
        ("pypy3.10-7.3.17\n", None, ("pypy3.10-7.3.17",)),
        ("cpython@3.12\n", "cpython@3.12", ()),
        (">=3.11,<3.13\n", ">=3.11,<3.13", ()),
        ("pypy3.10\n", "pypy3.10", ()),
        ("3.13t\n", "3.13t", ()),
        ("/opt/python/bin/python3\n", "/opt/python/bin/python3", ()),
        ("any\n3.12\n", None, ()),  # uv's literal: any interpreter, graft's own default
        ("", None, ()),
        ("# nothing\n", None, ()),
    ],
)
def test_lines_are_read_as_uv_reads_them(
    tmp_path: Path, text: str, request_: str | None, ignored: tuple[str, ...]
) -> None:
    path = tmp_path / ".python-version"
    path.write_text(text)
    found = read(str(path))
    assert (found.path, found.request, found.ignored) == (str(path), request_, ignored)


@given(
    st.lists(
        st.sampled_from(["3.12", "3.11.7", "pypy", "system", "# c", "", "  ", "cp313", "foo"]),
        max_size=6,
    )
)
def test_the_request_is_the_first_line_that_is_one(lines: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/.python-version"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
        found = read(path)
    requests = [
        line.strip() for line in lines if line.strip() in {"3.12", "3.11.7", "pypy", "cp313"}
    ]
    names = [line.strip() for line in lines if line.strip() in {"system", "foo"}]
    assert found.request == (requests[0] if requests else None)
    assert list(found.ignored) == names


@pytest.mark.parametrize(
    ("value", "off"),
    [("1", True), ("true", True), ("yes", True), ("", False), ("0", False), ("false", False)],
)
def test_graft_no_config_reads_no_file(
    monkeypatch: pytest.MonkeyPatch, value: str, off: bool
) -> None:
    monkeypatch.setenv("GRAFT_NO_CONFIG", value)
    assert no_config(["sync", "v", "six"]) is off
    monkeypatch.delenv("GRAFT_NO_CONFIG")
    assert no_config(["sync", "v", "six", "--no-config"])
    assert not no_config(["sync", "v", "--", "--no-config"])


def test_the_stamps_key_follows_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Written, edited, emptied of requests, removed: each gives another key (no stale stamp).

    Read, never parsed: the fast paths import no ``re`` (decisions 185, 190)."""
    monkeypatch.delenv("GRAFT_NO_CONFIG", raising=False)
    (tmp_path / "pyproject.toml").write_text("")  # (no file above tmp_path is read)
    monkeypatch.chdir(tmp_path)
    argv = ["sync", "v", "six"]
    keys = [noop._context(argv)]
    path = tmp_path / ".python-version"
    for text in ("3.12\n", "3.11\n", "# 3.11\n", "system\n"):
        path.write_text(text)
        keys.append(noop._context(argv))
    path.unlink()
    assert noop._context(argv) == keys[0]
    assert len(set(keys)) == len(keys)
    path.write_text("3.12\n")
    assert noop._context([*argv, "--no-config"]) != keys[1]
    monkeypatch.setenv("GRAFT_NO_CONFIG", "1")
    assert "3.12" not in (noop._context(argv) or "")


def test_discover_reads_the_working_directorys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / ".python-versions").write_text("3.13\n3.12\n")
    monkeypatch.chdir(tmp_path)
    found = discover()
    assert found is not None
    assert (found.path, found.request) == (str(tmp_path / ".python-versions"), "3.13")
    (tmp_path / "sub").mkdir()
    found = discover(str(tmp_path / "sub"))
    assert found is not None
    assert found.path == str(tmp_path / ".python-versions")
