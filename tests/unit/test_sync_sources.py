"""Named sources (graft.resolve.named_sources): built through the builder handed in."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graft.errors import SourceError, UsageError
from graft.model.built import BuiltWheel
from graft.model.request import ResolveRequest
from graft.resolve.build_refusals import refuse_builds
from graft.resolve.inputs import gather_inputs
from graft.resolve.named_sources import BuildLimits, build_named
from graft.sources.requirements import parse_spec, source_path
from graft.venv.foreign import foreign_target

if TYPE_CHECKING:
    from graft.model.target import Target

TARGET = foreign_target("3.11", ["manylinux_2_17_x86_64"])


class FakeBuilder:
    """Builds nothing: names the wheel it would give and counts the calls."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.calls: list[tuple[str, bool]] = []

    def wheel(self, source: str, target: Target, *, editable: bool = False) -> BuiltWheel:
        del target
        self.calls.append((source, editable))
        return BuiltWheel(f"/cache/wheels/ab/{self.filename}", "ab" * 32, "built it")

    def metadata(self, source: str, target: Target) -> tuple[bytes, str]:
        del source, target
        raise AssertionError("named sources are built, never prepared")

    def known_metadata(self, source: str, target: Target) -> tuple[bytes, str] | None:
        del source, target
        raise AssertionError("named sources are built, never prepared")

    def recorded(self, source: str, target: Target) -> BuiltWheel | None:
        del source, target
        raise AssertionError("named sources are built, never looked up")

    def options(self) -> tuple[str, ...]:
        return ()

    def reads(self) -> tuple[tuple[str, str], ...]:
        return ()

    def read_digests(self) -> tuple[tuple[str, str], ...]:
        return ()


def test_a_directory_becomes_its_built_wheel_with_pep_610_dir_info(tmp_path: Path) -> None:
    builder = FakeBuilder("proj-1.0-py3-none-any.whl")
    wanted = [source_path(str(tmp_path), "command line"), parse_spec("idna", "command line")]
    out, notes = build_named(wanted, TARGET, builder, str(tmp_path))
    assert builder.calls == [(str(tmp_path), False)]
    assert notes == ["built it"]
    built, idna = out
    assert idna == wanted[1]
    assert (built.name, built.version, built.path) == (
        "proj",
        "1.0",
        "/cache/wheels/ab/proj-1.0-py3-none-any.whl",
    )
    assert built.source == str(tmp_path)  # (the memo leaves such a request alone)
    assert json.loads(built.direct_url or "") == {"dir_info": {}, "url": tmp_path.as_uri()}


def test_an_editable_and_an_sdist_file(tmp_path: Path) -> None:
    builder = FakeBuilder("proj-1.0-py3-none-any.whl")
    editable = source_path(str(tmp_path), "reqs.txt:1", editable=True)
    (out,), _ = build_named([editable], TARGET, builder, str(tmp_path))
    assert builder.calls == [(str(tmp_path), True)]
    assert json.loads(out.direct_url or "")["dir_info"] == {"editable": True}
    sdist = tmp_path / "proj-1.0.tar.gz"
    sdist.write_bytes(b"x")
    (out,), _ = build_named([parse_spec(str(sdist), "x")], TARGET, builder, "")
    direct = json.loads(out.direct_url or "")
    assert direct["url"] == sdist.as_uri()
    assert direct["archive_info"]["hashes"]["sha256"] == out_sha(sdist)
    hashed = parse_spec(str(sdist), "x", frozenset({"sha256:" + "0" * 64}))
    with pytest.raises(SourceError, match="not the hash given here"):
        build_named([hashed], TARGET, builder, "")


def out_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_named_source_must_build_the_name_given(tmp_path: Path) -> None:
    builder = FakeBuilder("proj-1.0-py3-none-any.whl")
    wanted = parse_spec(f"other @ {tmp_path.as_uri()}", "x")
    with pytest.raises(SourceError, match=r"the source builds proj 1\.0, not other"):
        build_named([wanted], TARGET, builder, "")
    only = frozenset({"proj"})
    with pytest.raises(UsageError, match="--only-binary names proj"):
        build_named(
            [source_path(str(tmp_path), "x")], TARGET, builder, "", BuildLimits(only_binary=only)
        )
    with pytest.raises(UsageError, match="which a foreign target cannot run"):
        build_named(
            [source_path(str(tmp_path), "x")], TARGET, builder, "", BuildLimits(foreign=True)
        )


def test_builds_refused_in_one_line() -> None:
    builder = FakeBuilder("proj-1.0-py3-none-any.whl")
    with pytest.raises(UsageError, match="needs a build, and --no-build was given"):
        refuse_builds("./proj", builder, no_build=True)
    with pytest.raises(UsageError, match="--only-binary :all: was given"):
        refuse_builds("./proj", builder, only_binary=frozenset({":all:"}))
    with pytest.raises(UsageError, match="nothing builds here"):
        refuse_builds("./proj", None)
    refuse_builds("./proj", builder)  # allowed: no error


def test_no_binary_name_beats_only_binary_all_for_a_named_source(tmp_path: Path) -> None:
    """``--only-binary :all: --no-binary proj`` builds proj, as pip's FormatControl has it."""
    builder = FakeBuilder("proj-1.0-py3-none-any.whl")
    every, proj = frozenset({":all:"}), frozenset({"proj"})
    refuse_builds("p.tar.gz", builder, only_binary=every, no_binary=proj, name="proj")
    with pytest.raises(UsageError, match="--only-binary :all: was given"):
        refuse_builds("p.tar.gz", builder, only_binary=every, no_binary=proj, name="other")
    with pytest.raises(UsageError, match="--only-binary :all: was given"):  # name not known yet
        refuse_builds("./proj", builder, only_binary=every, no_binary=proj)
    with pytest.raises(UsageError, match="--only-binary names proj"):
        refuse_builds("p.tar.gz", builder, only_binary=proj, no_binary=every, name="proj")
    (built,), _ = build_named(
        [parse_spec(f"proj @ {tmp_path.as_uri()}", "x")],
        TARGET,
        builder,
        "",
        BuildLimits(only_binary=every, no_binary=proj),
    )
    assert built.filename == "proj-1.0-py3-none-any.whl"
    with pytest.raises(UsageError, match="--only-binary names proj"):  # known once built
        build_named(
            [source_path(str(tmp_path), "x")], TARGET, builder, "", BuildLimits(only_binary=proj)
        )


def test_the_build_progress_line_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from graft.cli.build_progress import BuildProgress

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    BuildProgress(quiet=False).stage("building x for cpython 3.12")
    assert capsys.readouterr().err == ""  # not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    BuildProgress(quiet=False).stage("building x for cpython 3.12")
    assert capsys.readouterr().err == "graft: building x for cpython 3.12 ...\n"
    BuildProgress(quiet=True).stage("building x")  # -q or --json
    monkeypatch.setenv("CI", "true")
    BuildProgress(quiet=False).stage("building x")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("requirements.txt", "to install what it lists, give it with -r requirements.txt"),
        ("dev.in", "to install what it lists, give it with -r dev.in"),
        ("pyproject.toml", "to install what it lists, give it with -r pyproject.toml"),
        ("deps.toml", "name a PEP 751 lock pylock.toml or pylock.NAME.toml; a file of"),
    ],
)
def test_a_file_of_requirements_named_without_r_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, hint: str
) -> None:
    # pip and uv would ask the index for a project `requirements-txt` (some such names are
    # squatted on PyPI): the file is here, so the user left out -r
    monkeypatch.chdir(tmp_path)
    absent = gather_inputs(ResolveRequest(specs=(name,)))  # no such file: a project's name
    assert [w.name for w in absent.wanted] == [name.replace(".", "-")]
    (tmp_path / name).write_text("six\n")
    with pytest.raises(UsageError) as refused:
        gather_inputs(ResolveRequest(specs=(name,)))
    assert str(refused.value).startswith(f"command line: {name}: a file here, not a requirement")
    assert hint in str(refused.value)
    (tmp_path / "pylock.toml").write_text("")
    assert gather_inputs(ResolveRequest(specs=("pylock.toml",))).pylocks == ["pylock.toml"]


@pytest.mark.parametrize(
    ("request_", "where"),
    [
        (ResolveRequest(specs=("pylock.a.b.toml",)), "command line: pylock.a.b.toml"),
        (ResolveRequest(requirement_files=("pylock.a.b.toml",)), "-r pylock.a.b.toml"),
        (ResolveRequest(specs=("six",), constraint_files=("pylock.a.b.toml",)), "-c pylock."),
    ],
)
def test_a_lock_named_otherwise_than_pep_751_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request_: ResolveRequest, where: str
) -> None:
    # PEP 751: pylock.toml or pylock.NAME.toml, NAME without dots; uv refuses the rest, pip
    # reads it as requirements and fails on its first line (graft installed it as a lock)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pylock.a.b.toml").write_text('lock-version = "1.0"\n')
    with pytest.raises(UsageError) as refused:
        gather_inputs(request_)
    assert str(refused.value).startswith(f"{where}")
    assert "not a PEP 751 lock file name" in str(refused.value)


def test_a_lock_is_not_a_constraints_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `-c pylock.x.toml six` installed every package of the lock (uv refuses it)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pylock.x.toml").write_text('lock-version = "1.0"\n')
    request = ResolveRequest(specs=("six",), constraint_files=("pylock.x.toml",))
    with pytest.raises(UsageError, match="a PEP 751 lock is not a constraints file"):
        gather_inputs(request)
    assert gather_inputs(ResolveRequest(requirement_files=("pylock.x.toml",))).pylocks == [
        "pylock.x.toml"
    ]
