"""``graft sync`` of an sdist picked from find-links under other build options (no network).

A sync remembers what its request resolved to (the resolution memo, and the stamps that
rest on it); a build's wheel is a function of its build options and of the variables the
build reads, so a sync under others must not recall the wheel built before (decision 139).
A recorded build whose build environment held a version ``--build-constraint`` pins
otherwise is not reused either (decision 140).

The sdist's in-tree backend (test_build's, standard library only) writes its ``-C mark=…`` and
``$DEMO_MARK`` into the wheel, and needs the build requirement ``helper``.

``--build-constraint`` reaches every build environment a sync or a lock makes, and what is
kept of one (a recorded build, metadata from ``prepare_metadata_for_build_wheel``) is judged
by it (decisions 166 to 168): the ``dyn`` sdist's metadata is not static, and its backend
(test_sync_builds_gaps's, with the hook) states the dependency its ``helper`` names (helper
1.0: ``one``, 2.0: ``two``), so what a lock or a venv holds says which helper prepared it.
"""

from __future__ import annotations

import contextlib
import os
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.integration.test_build import BACKEND, NEEDS_HELPER
from tests.integration.test_sync_builds import py, sync
from tests.integration.test_sync_builds_gaps import DYN_BACKEND, PREPARE_HOOK
from tests.integration.test_warm import aged
from tests.support.rangeserver import serve
from tests.support.sdistmaker import write_sdist
from tests.support.toml import tomllib
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@pytest.fixture
def links(tmp_path: Path) -> Path:
    """The demo sdist, and two releases of its build requirement ``helper``."""
    folder = tmp_path / "links"
    folder.mkdir()
    for version in ("1.0", "2.0"):
        make_wheel(folder, "helper", version, {"helper.py": f"V = {version!r}\n"})
    files = {
        "demo-1.0/PKG-INFO": "Metadata-Version: 2.2\nName: demo\nVersion: 1.0\n",
        "demo-1.0/pyproject.toml": NEEDS_HELPER,
        "demo-1.0/_backend/backend.py": BACKEND,
        "demo-1.0/demo/__init__.py": "",
    }
    write_sdist(folder / "demo-1.0.tar.gz", files)
    past = time.time() - 60  # not "racy": the first sync leaves its memo
    for item in (*folder.iterdir(), folder):
        os.utime(item, (past, past))
    return folder


def mark(venv: Path) -> str:
    return py(venv, "import demo; print(repr(demo.MARK), demo.HELPER)")


def test_a_sync_under_other_build_options_does_not_recall_the_wheel_built_before(
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    links: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, links, "demo==1.0")
    assert mark(venv) == "'' 2.0"
    assert "already in sync" in sync(venv, store_dir, links, "demo==1.0").stderr
    # a variable the build reads (found in the in-tree backend) picks another build; before
    # decision 139 the memo (and the no-op stamp on it) recalled the wheel built without it
    monkeypatch.setenv("DEMO_MARK", "env")
    sync(venv, store_dir, links, "demo==1.0")
    assert mark(venv) == "'env' 2.0"
    assert "already in sync" in sync(venv, store_dir, links, "demo==1.0").stderr
    # into a new venv (the replay stamp's path), and back to the wheel built first
    sync(tmp_path / "new", store_dir, links, "demo==1.0")
    assert mark(tmp_path / "new") == "'env' 2.0"
    monkeypatch.delenv("DEMO_MARK")
    sync(venv, store_dir, links, "demo==1.0")
    assert mark(venv) == "'' 2.0"
    # config settings are the builder's options: a memo is kept per value of them
    sync(venv, store_dir, links, "demo==1.0", "-C", "mark=c")
    assert mark(venv) == "'c' 2.0"
    sync(tmp_path / "c2", store_dir, links, "demo==1.0", "-C", "mark=c2")
    assert mark(tmp_path / "c2") == "'c2' 2.0"
    # --reuse-builds never builds on every sync, as it does a named source
    for _ in range(2):
        run = sync(venv, store_dir, links, "demo==1.0", "--reuse-builds", "never", "-v")
        assert "graft: built demo-1.0-py3-none-any.whl" in run.stderr, run.stderr
    assert mark(venv) == "'' 2.0"


def test_a_recorded_build_whose_environment_a_build_constraint_excludes_is_not_reused(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, links, "demo==1.0")
    assert mark(venv) == "'' 2.0"
    constraints = tmp_path / "build-constraints.txt"
    constraints.write_text("helper==1.0\n")
    run = sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints, "-v")
    assert "its build environment held helper==2.0 (--build-constraint pins 1.0)" in run.stderr
    assert mark(venv) == "'' 1.0"
    sync(venv, store_dir, links, "demo==1.0")  # (as the first sync)
    assert mark(venv) == "'' 2.0"
    # a recorded build whose environment the constraints allow is reused (a constraint on a
    # project it did not hold says nothing of it); the file is read anew each time
    constraints.write_text("helper==2.0\nunrelated==3.0\n")
    run = sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints, "-v")
    assert "graft: reused demo-1.0-py3-none-any.whl" in run.stderr, run.stderr
    assert mark(venv) == "'' 2.0"
    constraints.write_text("helper==1.0\n")  # (recalled: the same options as before)
    sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints)
    assert mark(venv) == "'' 1.0"


def test_a_changed_build_constraint_file_is_not_answered_by_the_sync_stamp(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """The sync stamp rests on the memo's fingerprints, which now watch the file (decision 166)."""
    venv = tmp_path / "v"
    constraints = tmp_path / "build-constraints.txt"
    constraints.write_text("helper==1.0\n")
    aged(constraints)
    sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints)
    assert "already in sync" in (
        sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints).stderr
    )
    assert mark(venv) == "'' 1.0"
    constraints.write_text("helper==2.0\n")  # the same command line: the stamp's key
    aged(constraints)
    run = sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints)
    assert "already in sync" not in run.stderr
    assert mark(venv) == "'' 2.0"


def test_a_nested_build_constraint_file_is_watched_by_the_sync_stamp_as_the_given_one(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """A ``-r`` line's file holds build constraints too (decision 470): its bytes are watched."""
    venv = tmp_path / "v"
    (tmp_path / "pins").mkdir()
    inner = tmp_path / "pins" / "inner.txt"
    inner.write_text("helper==1.0\n")
    constraints = tmp_path / "build-constraints.txt"
    constraints.write_text("-r pins/inner.txt\n")
    aged(constraints, inner)
    sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints)
    assert "already in sync" in (
        sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints).stderr
    )
    assert mark(venv) == "'' 1.0"
    inner.write_text("helper==2.0\n")  # the given file unchanged: only the nested one
    aged(inner)
    run = sync(venv, store_dir, links, "demo==1.0", "--build-constraint", constraints)
    assert "already in sync" not in run.stderr
    assert mark(venv) == "'' 2.0"


def dyn_links(folder: Path, build_requires: str = "helper") -> Path:
    """``dyn`` 1.0's sdist needing *build_requires*, ``helper`` 1.0 and 2.0, ``one``, ``two``."""
    folder.mkdir()
    for version, needs in (("1.0", "one"), ("2.0", "two")):
        make_wheel(
            folder, "helper", version, {"helper.py": f"V = {version!r}\nNEEDS = {needs!r}\n"}
        )
        make_wheel(folder, needs, "1.0", {f"{needs}.py": ""})
    make_wheel(folder, "outer", "1.0", {"outer.py": ""}, requires=("helper",))
    backend = DYN_BACKEND + PREPARE_HOOK + "\nimport helper\nREQUIRES = [helper.NEEDS]\n"
    files = {
        "dyn-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: dyn\nVersion: 1.0\n",
        "dyn-1.0/meta.txt": "dyn 1.0\n",
        "dyn-1.0/_backend/dynback.py": backend,
        "dyn-1.0/pyproject.toml": textwrap.dedent(
            f"""
            [build-system]
            requires = ["{build_requires}"]
            build-backend = "dynback"
            backend-path = ["_backend"]
            """
        ),
    }
    write_sdist(folder / "dyn-1.0.tar.gz", files)
    aged(*folder.iterdir(), folder)
    return folder


@pytest.fixture
def hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The log of the dyn backend's hooks (``prepare 1.0``, ``build 1.0``)."""
    log = tmp_path / "hooks.log"
    log.touch()
    monkeypatch.setenv("DYN_LOG", str(log))
    return log


def pinning(path: Path, version: str) -> Path:
    """A build constraints file pinning ``helper`` to *version*, not racy."""
    path.write_text(f"# the build helper\nhelper=={version}\n")
    aged(path)
    return path


def test_a_lock_prepares_metadata_under_its_build_constraints_and_its_stamp_watches_them(
    tmp_path: Path, store_dir: Path, cache: Path, hooks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_STORE", str(store_dir))
    folder = dyn_links(tmp_path / "links")
    constraints = pinning(tmp_path / "c.txt", "1.0")
    out = tmp_path / "pylock.toml"
    args = (
        "lock",
        "dyn",
        "--no-index",
        "--find-links",
        folder,
        "-o",
        out,
        "--python-version",
        "3.12",
    )
    lock = (*args, "--platform", "linux", "--build-constraint", constraints)
    run_graft(*lock)
    assert 'name = "one"' in out.read_text()
    assert 'name = "two"' not in out.read_text()
    assert hooks.read_text().splitlines() == ["prepare 1.0"]
    assert list((cache / "lock-stamps").iterdir()), "a stamp that could answer the next lock"
    # the same command line, the file pinning 2.0: not the stamp's lock, nor its metadata
    pinning(constraints, "2.0")
    run_graft(*lock)
    assert 'name = "two"' in out.read_text()
    assert 'name = "one"' not in out.read_text()
    assert hooks.read_text().splitlines() == ["prepare 1.0", "prepare 1.0"]
    # each environment's metadata is kept: 1.0's serves again, and -v says why 2.0's did not
    pinning(constraints, "1.0")
    run = run_graft(*lock, "-v")
    assert "dyn-1.0.tar.gz for cpython" in run.stderr
    assert "kept from an earlier hook" in run.stderr, run.stderr
    assert 'name = "one"' in out.read_text()
    assert hooks.read_text().splitlines() == ["prepare 1.0", "prepare 1.0"]
    # with no constraint, the oldest kept serves, as a recorded build would (decision 140)
    run = run_graft(*args, "--platform", "linux", "-v")
    assert "kept from an earlier hook" in run.stderr, run.stderr


def test_metadata_prepared_under_another_pinned_version_is_not_reused(
    tmp_path: Path, store_dir: Path, cache: Path, hooks: Path
) -> None:
    folder = dyn_links(tmp_path / "links")
    venv = tmp_path / "v"
    # a dry run prepares dyn's metadata (helper 2.0, the newest) and builds nothing
    run = sync(venv, store_dir, folder, "dyn", "--dry-run")
    assert "two" in run.stdout, run.stdout
    assert hooks.read_text().splitlines() == ["prepare 1.0"]
    one = pinning(tmp_path / "one.txt", "1.0")
    run = sync(venv, store_dir, folder, "dyn", "--dry-run", "--build-constraint", one, "-v")
    assert (
        "prepare_metadata_for_build_wheel; not reused: the metadata kept from an earlier hook:"
        " its build environment held helper==2.0 (--build-constraint pins 1.0)"
    ) in run.stderr, run.stderr
    assert "one" in run.stdout
    assert "two" not in run.stdout
    two = pinning(tmp_path / "two.txt", "2.0")
    run = sync(venv, store_dir, folder, "dyn", "--dry-run", "--build-constraint", two, "-v")
    assert "kept from an earlier hook" in run.stderr, run.stderr
    assert "two" in run.stdout
    assert hooks.read_text().splitlines() == ["prepare 1.0", "prepare 1.0"]
    # installed: the metadata the resolution read is the built wheel's
    sync(venv, store_dir, folder, "dyn", "--build-constraint", one)
    assert py(venv, "import one, dyn; print(dyn.VERSION)") == "1.0"
    assert py(venv, "import importlib.util as u; print(u.find_spec('two'))") == "None"


def test_a_dry_run_under_reuse_builds_never_runs_the_metadata_hook_again(
    tmp_path: Path, store_dir: Path, cache: Path, hooks: Path
) -> None:
    """Decision 208: ``never`` reuses nothing kept, metadata from the hook included, as the
    sync's warm path (``known_metadata``) already read it; ``auto`` still takes it."""
    folder = dyn_links(tmp_path / "links")
    venv = tmp_path / "v"
    sync(venv, store_dir, folder, "dyn", "--dry-run")
    assert hooks.read_text().splitlines() == ["prepare 1.0"]
    run = sync(venv, store_dir, folder, "dyn", "--dry-run", "--reuse-builds", "never", "-v")
    assert hooks.read_text().splitlines() == ["prepare 1.0", "prepare 1.0"], run.stderr
    assert "kept from an earlier hook" not in run.stderr
    run = sync(venv, store_dir, folder, "dyn", "--dry-run", "-v")
    assert "kept from an earlier hook" in run.stderr, run.stderr
    assert hooks.read_text().splitlines() == ["prepare 1.0", "prepare 1.0"]


def test_a_build_constraint_pins_what_the_build_requirements_need(
    tmp_path: Path, store_dir: Path, cache: Path, hooks: Path
) -> None:
    """``outer`` needs ``helper``: the constraint pins it in the build environment too."""
    folder = dyn_links(tmp_path / "links", build_requires="outer")
    one = pinning(tmp_path / "one.txt", "1.0")
    run = sync(tmp_path / "v", store_dir, folder, "dyn==1.0", "--build-constraint", one, "-v")
    assert py(tmp_path / "v", "import one; print('one')") == "one", run.stderr
    # the recorded build's environment agrees with the constraint: reused, not built again
    # (spelled otherwise, so that the resolution memo misses)
    run = sync(tmp_path / "w", store_dir, folder, "dyn==1.0.0", "--build-constraint", one, "-v")
    assert "graft: reused dyn-1.0-py3-none-any.whl" in run.stderr, run.stderr
    assert hooks.read_text().splitlines() == ["build 1.0"]


@pytest.mark.parametrize("command", ["lock", "sync"])
@pytest.mark.parametrize(
    ("text", "said"),
    [
        (None, ": cannot read the build constraints (No such file or directory)"),
        (
            "helper==1.0\nhelper @ https://e.invalid/h.whl\n",
            ":2: build constraint 'helper @ https://e.invalid/h.whl' names a URL, not versions",
        ),
    ],
    ids=["missing", "url"],
)
def test_a_bad_build_constraint_file_is_one_line_and_changes_nothing(
    tmp_path: Path, store_dir: Path, cache: Path, command: str, text: str | None, said: str
) -> None:
    folder = dyn_links(tmp_path / "links")
    path = tmp_path / ("missing.txt" if text is None else "c.txt")
    if text is not None:
        path.write_text(text)
    out = tmp_path / "pylock.toml"
    where = ("lock", "-o", out) if command == "lock" else ("sync", tmp_path / "v")
    store = ("--store", store_dir) if command == "sync" else ()
    common = ("--no-index", "-f", folder, "--build-constraint", path, *store)
    run = run_graft(*where, "six", *common, check=False)  # (no build: still checked)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"graft: error: {path}{said}"), run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert not out.exists()
    assert not (tmp_path / "v").exists()
    assert not store_dir.exists()


#: prepare_metadata_for_build_wheel stating what ``-C needs=...`` names (space-separated)
CONFIGURED_HOOK = textwrap.dedent(
    """
    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        REQUIRES[:] = (config_settings or {}).get("needs", "").split()
        _log("prepare")
        info = NAME + "-" + VERSION + ".dist-info"
        os.mkdir(os.path.join(metadata_directory, info))
        with open(os.path.join(metadata_directory, info, "METADATA"), "wb") as fh:
            fh.write(_metadata())
        return info
    """
)


@contextlib.contextmanager
def dyn_locks(tmp_path: Path, hook: str) -> Iterator[Callable[..., set[str]]]:
    """``graft lock dyn ARGS`` from a served index: dyn 1.0's sdist (its metadata *hook*
    stating what it needs), wheels of one and two; each lock's package names."""
    folder = tmp_path / "made"
    folder.mkdir()
    files = {
        "dyn-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: dyn\nVersion: 1.0\n",
        "dyn-1.0/meta.txt": "dyn 1.0\n",
        "dyn-1.0/_backend/dynback.py": DYN_BACKEND + hook,
        "dyn-1.0/pyproject.toml": textwrap.dedent(
            """
            [build-system]
            requires = []
            build-backend = "dynback"
            backend-path = ["_backend"]
            """
        ),
    }
    out = tmp_path / "pylock.toml"
    with serve() as index:
        index.add(write_sdist(folder / "dyn-1.0.tar.gz", files))
        for name in ("one", "two"):
            index.add(make_wheel(folder, name, "1.0", {f"{name}.py": ""}))
        args: tuple[str | Path, ...] = ("lock", "dyn", "--index-url", f"{index.url}/simple/")
        args += ("-o", out, "--python-version", "3.12", "--platform", "linux")

        def locked(*more: str) -> set[str]:
            run_graft(*args, *more)
            return {str(p["name"]) for p in tomllib.loads(out.read_text())["packages"]}

        yield locked


def test_a_lock_prepares_metadata_with_syncs_build_options_and_its_stamp_keys_on_them(
    tmp_path: Path, store_dir: Path, cache: Path, hooks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``graft lock -C KEY=VALUE`` (and ``--no-build-isolation``, ``--reuse-builds``), as sync.

    ``uv pip compile`` takes ``--config-settings`` and ``--no-build-isolation``; graft lock
    took none of them (decision 174). The served sdist's metadata hook states what
    ``-C needs=`` names: a lock without it, then with it, each its own (no stamp, nor
    metadata kept from the other, answers).
    """
    monkeypatch.setenv("GRAFT_STORE", str(store_dir))
    with dyn_locks(tmp_path, CONFIGURED_HOOK) as locked:
        assert locked() == {"dyn"}
        assert hooks.read_text().splitlines() == ["prepare 1.0"]
        stamps = set((cache / "lock-stamps").iterdir())
        assert stamps, "a stamp that could answer the same lock"
        assert locked("-C", "needs=two") == {"dyn", "two"}  # not the stamp's lock
        assert hooks.read_text().splitlines() == ["prepare 1.0"] * 2
        assert set((cache / "lock-stamps").iterdir()) > stamps  # a stamp of its own
        assert locked("--config-settings=needs=one two") == {"dyn", "one", "two"}
        assert locked() == {"dyn"}  # (the first lock's, again)
        assert hooks.read_text().splitlines() == ["prepare 1.0"] * 3
        # without isolation the hook runs in the interpreter running graft: no build env
        made = set((cache / "build-envs").iterdir())
        assert made
        assert locked("-C", "needs=one", "--no-build-isolation") == {"dyn", "one"}
        assert set((cache / "build-envs").iterdir()) == made
        assert hooks.read_text().splitlines() == ["prepare 1.0"] * 4
        # --reuse-builds as a sync's: no recorded build answers (the hook's kept metadata does)
        assert locked("-C", "needs=one", "--reuse-builds", "never") == {"dyn", "one"}
        assert hooks.read_text().splitlines() == ["prepare 1.0"] * 5


#: a metadata hook that says where it ran: one in a build environment, two elsewhere
WHERE_HOOK = CONFIGURED_HOOK.replace(
    'REQUIRES[:] = (config_settings or {}).get("needs", "").split()',
    'import sys; REQUIRES[:] = ["one"] if "build-envs" in sys.prefix else ["two"]',
)


def test_a_lock_runs_the_hooks_of_the_projects_no_build_isolation_package_names_unisolated(
    tmp_path: Path, store_dir: Path, cache: Path, hooks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv's ``--no-build-isolation-package NAME`` in ``graft lock`` (decision 395).

    dyn's metadata hook runs in a build environment, or, for the name given, in the
    interpreter running graft (as ``--no-build-isolation`` runs it); another project's name
    leaves it isolated. Each isolation its own kept metadata.
    """
    monkeypatch.setenv("GRAFT_STORE", str(store_dir))
    assert "import sys" in WHERE_HOOK
    with dyn_locks(tmp_path, WHERE_HOOK) as locked:
        assert locked() == {"dyn", "one"}
        assert locked("--no-build-isolation-package", "Dyn") == {"dyn", "two"}
        assert locked("--no-build-isolation-package", "other") == {"dyn", "one"}
    assert hooks.read_text().splitlines() == ["prepare 1.0"] * 2  # (the third: kept)


def test_a_lock_prepares_the_named_project_s_metadata_with_config_settings_package(
    tmp_path: Path, store_dir: Path, cache: Path, hooks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv's ``--config-settings-package NAME:KEY=VALUE`` in ``graft lock`` (decision 402).

    dyn's metadata hook states what ``needs`` names: given for ``dyn`` it does; given for
    another project it is not dyn's, and the metadata kept from the first lock answers.
    """
    monkeypatch.setenv("GRAFT_STORE", str(store_dir))
    with dyn_locks(tmp_path, CONFIGURED_HOOK) as locked:
        assert locked() == {"dyn"}
        assert locked("--config-settings-package", "Dyn:needs=two") == {"dyn", "two"}
        assert locked("--config-settings-package", "other:needs=two") == {"dyn"}
        assert locked("--config-settings-package", "dyn:needs=one two") == {"dyn", "one", "two"}
    assert hooks.read_text().splitlines() == ["prepare 1.0"] * 3  # (the third: kept)
