"""``graft build``'s interpreter from a ``.python-version``, as ``uv build`` takes it.

Decisions 280 and 281. uv 0.13.9 reads the file from the source's directory (an sdist's: the
directory it is in) and every directory above it, a project's root no stop, takes its first
request alone, and lets ``--python``, ``UV_PYTHON`` and ``--no-config`` come first. Projects
made here with the in-tree backend of ``test_build`` (no build requirement: no network);
pyenv's CPython 3.9 and 3.12, each test skipping, saying which, where one is missing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import run_graft
from tests.integration.test_build import make_project
from tests.integration.test_python_version_file import installed_versions

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def reading(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Version files read (the session reads none: decision 246), from a directory elsewhere."""
    monkeypatch.delenv("GRAFT_NO_CONFIG", raising=False)
    monkeypatch.delenv("GRAFT_PYTHON", raising=False)
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # (the source's directory decides, not the working one)
    return tmp_path


def _built(store: Path, source: Path, *more: str) -> list[str]:
    """The version of each interpreter ``graft build`` built or reused a wheel for."""
    run = run_graft("build", source, "--store", store, "--json", *more)
    built: dict[str, Any] = json.loads(run.stdout)
    return [w["interpreter"].split()[1] for w in built["wheels"]]


def _series(version: str) -> str:
    return ".".join(version.split(".")[:2])


def test_the_sources_file_picks_the_interpreter(
    reading: Path, store_dir: Path, cache: Path
) -> None:
    """The file in the source's directory, not the working directory's; the first request of
    a ``.python-versions`` alone; ``--python`` first; ``--no-config`` reads none."""
    v39, v312 = (_series(v) for v in installed_versions("3.9", "3.12"))
    project = make_project(reading / "proj")
    (reading / "elsewhere" / ".python-version").write_text("3.12\n")  # not the source's
    (project / ".python-version").write_text("# pinned\n3.9\n")
    assert _built(store_dir, project) == [v39]
    assert _built(store_dir, project, "--python", "3.12") == [v312]
    assert _built(store_dir, project, "--no-config") == [_series(introspect_own())]
    (project / ".python-version").unlink()
    (project / ".python-versions").write_text("3.12\n3.9\n")
    assert _built(store_dir, project) == [v312], "the first request only, as uv build"


def test_a_file_above_the_project_is_read_and_an_sdist_reads_its_directorys(
    reading: Path, store_dir: Path, cache: Path
) -> None:
    """As ``uv build``: up from the source's directory past the project's root; an sdist's
    search starts in the directory it is in."""
    v39, v312 = (_series(v) for v in installed_versions("3.9", "3.12"))
    (reading / ".python-version").write_text("3.9\n")
    project = make_project(reading / "repo" / "proj")
    assert _built(store_dir, project, "--sdist") == []
    (sdist,) = (project / "dist").glob("*.tar.gz")
    assert _built(store_dir, project, "--wheel") == [v39]
    (project / "dist" / ".python-version").write_text("3.12\n")
    assert _built(store_dir, sdist) == [v312]


def test_graft_python_comes_before_the_file(
    reading: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _v39, v312 = (_series(v) for v in installed_versions("3.9", "3.12"))
    project = make_project(reading / "proj")
    (project / ".python-version").write_text("3.9\n")
    monkeypatch.setenv("GRAFT_PYTHON", "3.12")
    assert _built(store_dir, project, "--wheel") == [v312]
    monkeypatch.delenv("GRAFT_PYTHON")
    monkeypatch.setenv("GRAFT_NO_CONFIG", "1")
    assert _built(store_dir, project, "--wheel") == [_series(introspect_own())]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"3.4\n", "no interpreter found for '3.4'"),
        (b"3.12\xff\n", "not UTF-8 text (byte 0xff at offset 4)"),
    ],
)
def test_a_file_that_cannot_serve_is_one_line_naming_it(
    reading: Path, store_dir: Path, cache: Path, content: bytes, said: str
) -> None:
    """uv errors for both (exit 2); graft says which file and what to do, and builds nothing."""
    project = make_project(reading / "proj")
    pin = project / ".python-version"
    pin.write_bytes(content)
    run = run_graft("build", project, "--store", store_dir, check=False)
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"graft: error: {pin}: {said}"), line
    assert "--no-config reads no such file" in line
    assert not (project / "dist").exists()
    assert _built(store_dir, project, "--no-config", "--wheel"), "--no-config: built"


def introspect_own() -> str:
    """The version of the interpreter running graft (the tests run it as graft does)."""
    import platform

    return platform.python_version()


UV_PYTHON_WARNING = (
    "graft: warning: UV_PYTHON is set, and graft reads no pip or uv variable: it chose the"
    " interpreter without it (pass --python or GRAFT_PYTHON)"
)


def test_uv_python_is_warned_about_as_sync_warns_about_it(
    reading: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``uv build`` takes ``UV_PYTHON`` where no ``--python`` is given; graft's build said
    nothing of it where its sync and lock warn (decision 356): now the same line, unless
    ``--python`` or ``GRAFT_PYTHON`` chose (a ``.python-version`` file comes after it in uv)."""
    project = make_project(reading / "proj")
    monkeypatch.setenv("UV_PYTHON", "3.12")

    def warned(*more: str) -> list[str]:
        run = run_graft("build", project, "--store", store_dir, "--wheel", *more)
        return [x for x in run.stderr.splitlines() if x.startswith("graft: warning:")]

    assert warned() == [UV_PYTHON_WARNING]
    assert warned("-q") == []
    assert warned("--python", introspect_own()) == []
    (project / ".python-version").write_text(f"{_series(introspect_own())}\n")
    assert warned() == [UV_PYTHON_WARNING]
    monkeypatch.setenv("GRAFT_PYTHON", introspect_own())
    assert warned() == []


PIP_PRE_WARNING = (
    "graft: warning: PIP_PRE is set, and graft reads no pip or uv variable: it took prereleases"
    " for the build environments only where needed (pass --build-constraint FILE pinning the"
    " prerelease)"
)


def test_pip_pre_is_warned_about_where_pip_wheel_reads_it_for_the_build_environment(
    reading: Path, store_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pip wheel`` installs the build requirements with ``PIP_PRE`` read (a prerelease
    where graft takes the final release); ``uv build`` takes neither ``UV_PRERELEASE`` nor
    ``UV_RESOLUTION`` (nor their flags) for them, uv 0.13.9 (decision 367)."""
    project = make_project(reading / "proj")
    python = ("--python", introspect_own())

    def warned(*more: str) -> list[str]:
        run = run_graft("build", project, "--store", store_dir, "--wheel", *python, *more)
        assert run.returncode == 0, run.stderr
        return [x for x in run.stderr.splitlines() if x.startswith("graft: warning:")]

    monkeypatch.setenv("UV_RESOLUTION", "lowest")
    monkeypatch.setenv("UV_PRERELEASE", "allow")
    assert warned() == []
    monkeypatch.setenv("PIP_PRE", "0")
    assert warned() == []
    monkeypatch.setenv("PIP_PRE", "1")
    assert warned() == [PIP_PRE_WARNING]
    assert warned("-q") == []
    assert warned("--no-build-isolation") == []  # (no build environment: pip wheel's too)
