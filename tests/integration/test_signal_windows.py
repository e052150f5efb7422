"""A signal as a staging directory is made leaves nothing behind (decision 292).

Each staging directory was made (``mkdtemp``, ``make_staging``) before the block that removes
it on failure began: a signal handled as its mkdir returned (graft's handler raises
``KeyboardInterrupt`` there) left it, for the next sync's sweep, or, for a build's work
directory, for a week, and for a venv template's, for ever. Here ``os.mkdir`` raises
``KeyboardInterrupt`` as it returns for the staging directory under test, as the handler
would at that moment.
"""

# ruff: noqa: F811 - the fixtures `links` and `reqs` are test_warm's, imported by name

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from graft._fs import file_sha256
from graft.build.run import BuildEnvironment, BuildRequest, running
from graft.cli.main import main
from graft.store.entries import Store
from graft.venv import skeleton
from graft.venv import template as templates
from graft.venv.interpreter import introspect
from tests.conftest import run_graft
from tests.integration.test_crash import staging_dirs
from tests.integration.test_replay import args, fast_or_full
from tests.integration.test_warm import links, reqs  # noqa: F401 - fixtures
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel


def _cut_as_made(monkeypatch: pytest.MonkeyPatch, matches: Callable[[str], bool]) -> list[str]:
    """``os.mkdir`` raising ``KeyboardInterrupt`` as it returns for the first path *matches*.

    The paths it cut, in a list (a test checks that its window was met).
    """
    cut: list[str] = []
    real = os.mkdir

    def mkdir(path: str, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        real(path, mode, dir_fd=dir_fd)
        if not cut and matches(os.fspath(path)):
            cut.append(os.fspath(path))
            raise KeyboardInterrupt  # (as graft's handler raises it: decisions 116, 269)

    monkeypatch.setattr(os, "mkdir", mkdir)
    return cut


def test_a_signal_as_an_ingests_staging_is_made_leaves_nothing_in_tmp(
    store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = make_wheel(wheels, "app", "1.0", {"app/__init__.py": "A = 1\n"})
    sha = file_sha256(str(wheel))
    store = Store(str(store_dir))
    tmp = str(store_dir / "tmp")
    cut = _cut_as_made(
        monkeypatch, lambda p: os.path.dirname(p) == tmp and os.path.basename(p).startswith(sha)
    )
    try:
        with pytest.raises(KeyboardInterrupt):
            store.ingest(str(wheel), sha)
    finally:
        store.release()
    monkeypatch.undo()
    assert cut  # (the window was met)
    assert os.listdir(tmp) == []
    assert not (store_dir / "entries" / sha).exists()


@pytest.mark.parametrize("change", [False, True], ids=["new-venv", "incremental-change"])
def test_a_signal_as_a_venvs_staging_is_made_leaves_nothing_beside_it(
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: bool,
) -> None:
    """The full path's new venv (materializer) and the change of one (its journal's staging)."""
    alpha = make_wheel(wheels, "alpha", "1.0", {"alpha/__init__.py": "A = 1\n"})
    gamma = make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": "G = 1\n"})
    venv = tmp_path / "venv"
    if change:
        run_graft("sync", venv, alpha, "--store", store_dir)
    stem = os.path.join(str(tmp_path), f".{venv.name}.graft-")
    cut = _cut_as_made(monkeypatch, lambda p: p.startswith(stem))
    status = main(["sync", str(venv), str(alpha), str(gamma), "--store", str(store_dir)])
    monkeypatch.undo()
    assert cut  # (the window was met)
    assert status == 130
    assert staging_dirs(venv) == []
    assert not (tmp_path / f".{venv.name}.graft-lock").exists()
    if change:  # the venv as it was
        assert py(venv, "import alpha, importlib.util as u; print(u.find_spec('gamma'))") == "None"
    else:
        assert not venv.exists()


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
        '[project]\nname = "proj"\nversion = "1.0"\n'
    )
    (project / "backend.py").write_text("")
    return project


def _builds(cache: Path) -> list[str]:
    return sorted(os.listdir(cache / "builds"))


@pytest.mark.parametrize("where", ["its-mkdir", "before-the-run"])
def test_a_signal_as_a_builds_work_directory_is_made_leaves_nothing(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Before: a ``work-*`` directory (an unpacked sdist's, for one) kept a week."""
    project = _project(tmp_path)
    if where == "its-mkdir":
        cut = _cut_as_made(monkeypatch, lambda p: os.path.basename(p).startswith("work-"))
    else:  # the build's inputs read, between the source's reading and the run
        cut = ["read_variables"]

        def interrupted(*args: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr("graft.build.run.read_variables", interrupted)
    with pytest.raises(KeyboardInterrupt), running(BuildRequest(str(project)), _no_env):
        pytest.fail("the run began")  # pragma: no cover
    monkeypatch.undo()
    assert cut
    assert _builds(cache) == []


def _no_env(*args: object) -> BuildEnvironment:  # pragma: no cover - (no build runs)
    raise AssertionError(args)


def test_a_signal_while_a_venv_template_is_made_leaves_nothing(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the template's ``.tmp-*`` staging, half a venv, was never removed."""
    target = introspect(sys.executable)
    import subprocess

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # while ``python -m venv`` runs

    monkeypatch.setattr(subprocess, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        templates.venv_template(target)
    monkeypatch.undo()
    assert os.listdir(cache / "venv-templates") == []
    made = templates.venv_template(target)  # and the next one makes it
    assert skeleton.intact(made)
    assert [n for n in os.listdir(cache / "venv-templates") if n.startswith(".")] == []


def _exit(code: int) -> None:
    raise SystemExit(code)


@pytest.mark.usefixtures("signals_at_start")
def test_a_signal_as_the_replays_staging_is_made_leaves_nothing_beside_it(
    tmp_path: Path,
    store_dir: Path,
    links: Path,
    reqs: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new venv made from a kept plan by the console script's fast path (``flat_build``)."""
    fast_or_full(tmp_path / "a", reqs, links, store_dir)  # (its replay stamp)
    venv = tmp_path / "b"
    from graft.cli import entry

    monkeypatch.setattr(sys, "argv", ["graft", *map(str, args(venv, reqs, links, store_dir))])
    monkeypatch.setattr(entry, "exit_now", _exit)
    stem = os.path.join(str(tmp_path), f".{venv.name}.graft-")
    cut = _cut_as_made(monkeypatch, lambda p: p.startswith(stem))
    with pytest.raises(SystemExit) as left:
        entry.entrypoint()
    monkeypatch.undo()
    assert cut  # (the window was met: the fast path made the venv)
    assert left.value.code == 130
    assert staging_dirs(venv) == []
    assert not venv.exists()
