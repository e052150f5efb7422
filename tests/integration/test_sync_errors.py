"""Sync-level errors: each one line saying what is wrong, and nothing left behind."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.integration.test_crash import small_fs  # noqa: F401 - a tmpfs mount fixture
from tests.integration.test_sources import index  # noqa: F401 - the loopback index fixture
from tests.support.venv import site
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.integration.test_sources import Served


def test_a_missing_requirement_is_explained_by_the_wheel_that_asked(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    app = make_wheel(
        wheels, "app", "1.0", {"app.py": ""}, requires=("beta>=1", "gamma", "delta", "eps<2")
    )
    args = ("sync", tmp_path / "v", app, "--no-index", "--store", store_dir)
    quiet = run_graft(*args, check=False)
    assert quiet.returncode == 1
    assert quiet.stderr.splitlines() == [  # every missing project, not only the first
        (
            "graft: error: no projects named 'beta', 'delta', 'eps', 'gamma'"
            " anywhere (--no-index and no --find-links)"
        ),
        "  app==1.0 (app-1.0-py3-none-any.whl) requires beta>=1",
        "  app==1.0 (app-1.0-py3-none-any.whl) requires delta",
        "  app==1.0 (app-1.0-py3-none-any.whl) requires eps<2",
        "  app==1.0 (app-1.0-py3-none-any.whl) requires gamma",
    ]
    with_links = run_graft(*args, "--find-links", wheels, check=False)
    assert with_links.stderr.splitlines()[0] == (
        "graft: error: no projects named 'beta', 'delta', 'eps', 'gamma'"
        " in the find-links directories"
    )
    as_json = json.loads(run_graft(*args, "--json", check=False).stdout)
    assert as_json["kind"] == "ResolutionError"
    assert not (tmp_path / "v").exists()


def test_two_pins_of_one_distribution_are_a_conflict_naming_both(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    make_wheel(wheels, "beta", "1.0", {"beta.py": "1"})
    make_wheel(wheels, "beta", "2.0", {"beta.py": "2"})
    make_wheel(wheels, "app", "1.0", {"app.py": ""}, requires=("beta>=2",))
    reqs = tmp_path / "reqs.txt"
    reqs.write_text("app==1.0\n\nbeta==2.0\n")
    proc = run_graft(
        "sync", tmp_path / "v", "-r", reqs, "beta==1.0", "--find-links", wheels,
        "--no-index", "--store", store_dir, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert "conflicting requirements: beta==1.0 (command line) and beta==2.0 (" in line, line
    assert f"{reqs}:3)" in line
    assert not (tmp_path / "v").exists()


def test_two_pins_on_the_command_line_conflict(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    make_wheel(wheels, "idna", "3.10", {"idna.py": "1"})
    make_wheel(wheels, "idna", "3.7", {"idna.py": "2"})
    proc = run_graft(
        "sync", tmp_path / "v", "idna==3.10", "idna==3.7", "--find-links", wheels,
        "--no-index", "--store", store_dir, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr == (
        "graft: error: idna: conflicting requirements: idna==3.10 (command line) and"
        " idna==3.7 (command line) (ask for one version of idna)\n"
    )


def _roots(store: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in (store / "roots").iterdir()}


def test_a_failed_first_sync_leaves_no_gc_root(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    run_graft("sync", tmp_path / "other", beta, "--store", store_dir)
    before = _roots(store_dir)
    (tmp_path / "afile").write_text("a file where a directory is needed")
    venv = tmp_path / "afile" / "no" / "v"
    proc = run_graft("sync", venv, beta, "--store", store_dir, check=False)
    assert proc.returncode == 1
    said = "a file stands on its path where a directory is needed"  # (before any fetch: 343)
    hint = "(check the path, or choose another)"
    assert proc.stderr.strip().splitlines() == [f"graft: error: {venv}: {said} {hint}"]
    assert _roots(store_dir) == before


def test_a_failed_resync_leaves_the_gc_root_as_it_was(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    gamma = make_wheel(wheels, "gamma", "1.0", {"gamma.py": "G = 1\n"})
    venv = tmp_path / "v"
    run_graft("sync", venv, beta, "--store", store_dir)
    before = _roots(store_dir)
    (site(venv) / "gamma.py").write_text("mine = 1\n")  # a user's file where gamma's goes
    proc = run_graft("sync", venv, gamma, "--store", store_dir, check=False)
    assert proc.returncode == 1
    assert "gamma.py" in proc.stderr
    assert _roots(store_dir) == before


@pytest.mark.parametrize("inside", ["tmp/x", "entries/v", "roots", ".", "link/x"])
def test_a_venv_inside_the_store_is_refused(
    tmp_path: Path, store_dir: Path, wheels: Path, inside: str
) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    run_graft("sync", tmp_path / "ok", beta, "--store", store_dir)
    (tmp_path / "link").symlink_to(store_dir / "tmp")
    before = sorted(str(p.relative_to(store_dir)) for p in store_dir.rglob("*"))
    venv = tmp_path / inside if inside.startswith("link") else store_dir / inside
    proc = run_graft("sync", venv, beta, "--store", store_dir, check=False)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"graft: error: {venv}: is inside the store {store_dir}"
        " (keep the venv and the store apart)\n"
    )
    assert sorted(str(p.relative_to(store_dir)) for p in store_dir.rglob("*")) == before
    verify = run_graft("store", "verify", "--store", store_dir)
    assert verify.returncode == 0


@pytest.mark.parametrize("existing", [False, True])
def test_a_store_inside_the_venv_is_refused_before_it_is_made(
    tmp_path: Path, store_dir: Path, wheels: Path, existing: bool
) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    venv = tmp_path / "v"
    if existing:
        run_graft("sync", venv, beta, "--store", store_dir)
    before = sorted(p.name for p in tmp_path.iterdir())
    inner = venv / ".store"
    proc = run_graft("sync", venv, beta, "--store", inner, check=False)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"graft: error: {venv}: holds the store {inner} (keep the venv and the store apart)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing made, nothing lost
    assert not inner.exists()


def _wheel_and_home(tmp_path: Path, wheels: Path) -> tuple[Path, Path]:
    home = tmp_path / "home"
    home.write_text("a file where a directory should be: as unwritable as a read-only HOME\n")
    return make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"}), home


@pytest.mark.parametrize("variable", ["HOME", "XDG_CACHE_HOME"])
def test_an_unwritable_cache_is_a_one_line_error_naming_it(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    beta, home = _wheel_and_home(tmp_path, wheels)
    monkeypatch.delenv("GRAFT_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv(variable, str(home))
    proc = run_graft("sync", tmp_path / "v", beta, "--store", store_dir, check=False)
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    cache = home / ".cache" / "graft" if variable == "HOME" else home / "graft"
    assert line.startswith(f"graft: error: {cache}: cannot write graft's cache (Not a directory")
    assert "XDG_CACHE_HOME" in line
    assert "GRAFT_STORE or --store" in line
    assert not (tmp_path / "v").exists()


def test_a_read_only_home_is_a_one_line_error_naming_the_cache(
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    small_fs: Callable[[str, str], Path],  # noqa: F811 - the fixture imported above
) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    home = small_fs("home", "ro,size=1m")  # a read-only filesystem (root and mount(2) needed)
    monkeypatch.delenv("GRAFT_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    proc = run_graft("sync", tmp_path / "v", beta, "--store", store_dir, check=False)
    assert proc.returncode == 1
    assert proc.stderr == (
        f"graft: error: {home}/.cache/graft: cannot write graft's cache (Read-only file system:"
        f" {home}/.cache) (set XDG_CACHE_HOME or GRAFT_CACHE_DIR to a writable directory;"
        " for the store, GRAFT_STORE or --store)\n"
    )


def test_a_store_path_that_is_a_file_says_so(tmp_path: Path, wheels: Path) -> None:
    # was "cannot create the store (File exists)", with a hint to pass a writable directory
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    store = tmp_path / "store"
    store.write_text("not a store\n")
    for where, args in ((store, ()), (store / "sub", ())):
        proc = run_graft("sync", tmp_path / "v", beta, "--store", where, *args, check=False)
        assert proc.returncode == 1
        assert proc.stderr == (
            f"graft: error: {store}: is a file, not a directory"
            " (pass --store DIR or set GRAFT_STORE to a directory, or a path that does not exist)\n"
        )
        assert not (tmp_path / "v").exists()
    assert store.read_text() == "not a store\n"


def test_an_unwritable_download_cache_is_a_one_line_error(
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    index: Served,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, home = _wheel_and_home(tmp_path, wheels)
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(home))
    proc = run_graft(
        "sync", tmp_path / "v", "beta==1.0", "--index-url", f"{index.url}/json/",
        "--store", store_dir, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"graft: error: {home}: cannot write graft's cache"), proc.stderr
    assert len(proc.stderr.splitlines()) == 1


def test_a_kept_plan_that_fails_to_build_is_dropped_and_the_next_sync_plans_anew(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    run_graft("sync", tmp_path / "one", beta, "--store", store_dir)
    (kept,) = (store_dir / "plans").glob("[0-9a-f]*.json")  # (not its flat form, steps-*)
    plan = json.loads(kept.read_text())
    record = next(a for a in plan["actions"] if a[0] == "write_record")
    plan["actions"].append(record)  # passes every load check; the second write finds the first
    kept.write_text(json.dumps(plan))
    failed = run_graft("sync", tmp_path / "two", beta, "--store", store_dir, "-v", check=False)
    assert failed.returncode == 1
    assert "cannot write the venv (File exists)" in failed.stderr  # the damaged plan was used
    assert not kept.exists()
    again = run_graft("sync", tmp_path / "two", beta, "--store", store_dir, "-v")
    assert re.search(r", plan \d+ ms", again.stderr)  # planned anew (no kept plan was found)
    assert kept.exists()  # a new, good plan
    assert json.loads(kept.read_text())["actions"].count(record) == 1


def test_a_missing_parent_directory_is_made(tmp_path: Path, store_dir: Path, wheels: Path) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    venv = tmp_path / "projects" / "new" / ".venv"
    run_graft("sync", venv, beta, "--store", store_dir)
    assert (venv / "pyvenv.cfg").is_file()


def test_a_venv_path_that_is_a_link_is_the_venv_it_leads_to(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    # decision 112 (it was refused): uv and pip install into the venv a link leads to
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    venv = tmp_path / "v"
    run_graft("sync", venv, beta, "--store", store_dir)
    (tmp_path / "vlink").symlink_to("v")
    proc = run_graft("sync", tmp_path / "vlink", beta, "--store", store_dir, "--reinstall")
    assert f"synced {venv}:" in proc.stderr
    assert (tmp_path / "vlink").is_symlink()
    assert (venv / "pyvenv.cfg").is_file()


def test_a_python_that_is_not_one_is_named_in_one_line(tmp_path: Path, store_dir: Path) -> None:
    # `--python /bin/ls`: ls ran, listed a directory, and the error said "the interpreter's
    # description is not JSON"
    not_python = (
        "not a Python interpreter: it printed no description of itself"
        " (pass a python executable; graft supports CPython 3.9+ and PyPy 3.9+)"
    )
    missing = "no executable interpreter at this path (pass an existing python, or a venv"
    missing += " directory holding bin/python)"
    for python, line in (("/bin/ls", not_python), (str(tmp_path / "nothing"), missing)):
        args = ("sync", tmp_path / "v", "six", "--python", python, "--no-index")
        proc = run_graft(*args, "--store", store_dir, check=False)
        assert proc.returncode == 1
        assert proc.stderr.splitlines() == [f"graft: error: {python}: {line}"]
    assert not (tmp_path / "v").exists()


def test_a_python_that_never_answers_is_named_in_one_line(
    tmp_path: Path,
    store_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # a wrapper that waits (for input, a lock, a network mount): the introspection's timeout
    # was an "internal error: TimeoutExpired" to report as graft's bug
    from graft.cli import main as cli
    from graft.venv import interpreter

    python = tmp_path / "python"
    python.write_text("#!/bin/sh\nexec sleep 600\n")
    python.chmod(0o755)
    monkeypatch.setattr(interpreter, "INTROSPECT_TIMEOUT", 0.5)
    args = ["sync", str(tmp_path / "v"), "six", "--python", str(python), "--no-index"]
    assert cli.main([*args, "--store", str(store_dir)]) == 1
    line = (
        f"graft: error: {python}: the interpreter did not describe itself within 0.5 s"
        " (pass a python executable; graft supports CPython 3.9+ and PyPy 3.9+)"
    )
    assert capsys.readouterr().err.splitlines() == [line]
    assert not (tmp_path / "v").exists()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("project = 3\n", "[project] is not a table"),
        ('[project]\nname = "x"\ndynamic = 3\n', "[project] dynamic must be a list of field"),
    ],
)
def test_a_pyproject_field_of_another_type_is_one_line_from_lock_and_sync(
    tmp_path: Path, store_dir: Path, text: str, said: str
) -> None:
    """Decision 267: an internal error (TypeError, AttributeError) before."""
    (tmp_path / "pyproject.toml").write_text(text)
    out = tmp_path / "pylock.toml"
    for args in (
        ("lock", "--no-index", "-r", tmp_path / "pyproject.toml", "-o", out),
        (
            "sync",
            tmp_path / "venv",
            "--no-index",
            "-r",
            tmp_path / "pyproject.toml",
            "--store",
            store_dir,
        ),
        ("sync", tmp_path / "venv", "--no-index", tmp_path, "--store", store_dir),
    ):
        got = run_graft(*args, check=False)
        assert got.returncode == 1, got.stderr
        (line,) = got.stderr.splitlines()
        assert line.startswith(f"graft: error: {tmp_path / 'pyproject.toml'}: {said}")
        assert not out.exists()
        assert not (tmp_path / "venv").exists()


def test_a_venv_path_that_cannot_be_made_is_one_line_naming_the_venv(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    # decision 343: `graft sync /proc/x` named the lock file beside it (/proc/.x.graft-lock),
    # and a name near the filesystem's limit failed on that lock's longer name
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": ""})
    (tmp_path / "file").write_text("")
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    long, near = "a" * 300, "b" * 240  # (over NAME_MAX; under it, but not with graft's lock)
    cases = {
        tmp_path / "file" / "v": "a file stands on its path where a directory is needed",
        tmp_path / "loop1" / "v": "a symbolic link on its path leads round in a loop",
        tmp_path / long / "v": "a name on its path is longer than the filesystem allows",
        tmp_path / "new" / long / "v": "a name on its path is 300 bytes, longer than the"
        " filesystem allows (255)",
        tmp_path / near: "its name is 240 bytes; graft names its lock and staging beside the"
        " venv after it (.NAME.graft-...), which the filesystem allows only up to 255 bytes",
        Path("/proc/graft-x"): "cannot make the venv: its directory /proc takes no new file",
    }
    for venv, what in cases.items():
        proc_fs = venv.parent == Path("/proc")  # (only writing tells: a dry run writes nothing)
        for dry in ((),) if proc_fs else ((), ("--dry-run",)):
            args = ("sync", venv, beta, "--no-index", "--store", store_dir, *dry)
            proc = run_graft(*args, check=False)
            assert proc.returncode == 1, proc.stderr
            (line,) = proc.stderr.splitlines()
            assert line.startswith(f"graft: error: {venv}: {what}"), line
        # refused before the store was made (/proc too, by an attempt: decision 358, where
        # it was refused after the download, the store keeping what it ingested)
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "file",
            "loop1",
            "loop2",
            "wheels",
        ]


def test_a_read_only_directory_is_refused_naming_the_venv_before_anything_is_fetched(
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    small_fs: Callable[[str, str], Path],  # noqa: F811 - the fixture imported above
) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": ""})
    read_only = small_fs("ro", "ro,size=1m")
    for venv in (read_only / "v", read_only / "sub" / "v"):
        proc = run_graft("sync", venv, beta, "--no-index", "--store", store_dir, check=False)
        assert proc.stderr == (
            f"graft: error: {venv}: cannot make the venv: its directory {read_only} cannot be"
            " written (choose a directory you can write to)\n"
        )
        assert proc.returncode == 1
    assert not store_dir.exists()  # (refused before the store was made)


def test_a_nested_file_that_cannot_be_read_or_closes_a_loop_is_said_at_the_line_naming_it(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """Decision 429: the ``-r``/``-c`` line that names the file, where main named the file alone.

    ``-r inner.txt`` whose ``-r nope.txt`` is missing said "nope.txt: cannot read requirements
    file" (uv: "in `inner.txt` at position 4"); a loop said "requirements files include each
    other" naming one file (pip names both).
    """
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": ""})
    venv = tmp_path / "v"
    run_graft("sync", venv, beta, "--no-index", "--store", store_dir)
    (venv / "notes.txt").write_text("mine\n")
    before = sorted(str(p) for p in venv.rglob("*"))
    (tmp_path / "inner.txt").write_text("beta\n-c sub/nope.txt\n")
    (tmp_path / "a.txt").write_text("beta\n-r b.txt\n")
    (tmp_path / "b.txt").write_text("# loops\n-r a.txt\n")

    def shown(name: str) -> str:  # (relative to the current directory below it)
        path = tmp_path / name
        return str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)

    said = {
        "inner.txt": f"graft: error: {tmp_path / 'inner.txt'}:2: cannot read requirements file"
        f" {shown('sub/nope.txt')} (No such file or directory) (a nested -r or -c path is read"
        " relative to the file that names it)",
        "a.txt": f"graft: error: {tmp_path / 'b.txt'}:2: requirements files include each other"
        f" ({shown('a.txt')} -> {shown('b.txt')} -> {shown('a.txt')}) (remove the -r or -c line"
        " that closes the loop)",
    }
    for name, line in said.items():
        args = ("sync", venv, "-r", tmp_path / name, "--find-links", wheels, "--no-index")
        proc = run_graft(*args, "--store", store_dir, check=False)
        assert (proc.returncode, proc.stderr.splitlines()) == (2, [line])
    assert sorted(str(p) for p in venv.rglob("*")) == before
    assert (venv / "notes.txt").read_text() == "mine\n"


def test_a_lock_whose_requires_python_excludes_the_target_says_so_and_where_to_go(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """Decision 431: packaging's refusal in graft's words, with what to do.

    graft passed on "python_full_version '3.11.7' in provided environment does not satisfy
    the Python version requirement '>=3.99'" (the target is cpython 3.11.7); uv: "The
    requested interpreter resolved to Python 3.12.1, which is incompatible with the
    `pylock.toml`'s Python requirement: `>=3.14`".
    """
    import hashlib
    import sys

    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": ""})
    venv = tmp_path / "v"
    run_graft("sync", venv, beta, "--no-index", "--store", store_dir)
    (venv / "notes.txt").write_text("mine\n")
    before = sorted(str(p) for p in venv.rglob("*"))
    sha = hashlib.sha256(beta.read_bytes()).hexdigest()
    locked = (
        '[[packages]]\nname = "beta"\nversion = "1.0"\nOWN'
        f'[[packages.wheels]]\npath = "{beta}"\nhashes = {{ sha256 = "{sha}" }}\n'
    )
    head = 'lock-version = "1.0"\ncreated-by = "test"\n'
    lock_file = tmp_path / "pylock.toml"
    here = ".".join(map(str, sys.version_info[:3]))
    hint = (
        "(sync with a --python the lock allows ({}), or relock for this one"
        f" (graft lock --python-version {'.'.join(here.split('.')[:2])}))"
    )
    own = 'requires-python = ">=3.99"\n'  # (the package's own)
    cases = {
        f'{head}requires-python = ">=3.99"\n\n{locked.replace("OWN", "")}': (
            f"the lock's requires-python >=3.99 excludes the target's Python {here}"
            f" {hint.format('>=3.99')}"
        ),
        f'{head}requires-python = ">=3.8"\n\n{locked.replace("OWN", own)}': (
            f"beta 1.0 (packages[0]) requires Python >=3.99, which excludes the target's"
            f" Python {here} {hint.format('>=3.8')}"
        ),
    }
    for text, line in cases.items():
        lock_file.write_text(text)
        proc = run_graft("sync", venv, lock_file, "--store", store_dir, check=False)
        assert (proc.returncode, proc.stderr.splitlines()) == (
            1,
            [f"graft: error: {lock_file}: {line}"],
        )
    assert sorted(str(p) for p in venv.rglob("*")) == before
    assert (venv / "notes.txt").read_text() == "mine\n"
