"""The command line's edges: argument order, JSON errors, a closed pipe."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from graft.cli import main as cli
from tests.conftest import run_graft
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel


def test_inspect_into_a_closed_pipe_exits_quietly(wheels: Path) -> None:
    wheel = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    read, write = os.pipe()
    os.close(read)  # the reader is gone before graft writes anything: `| head` that quit
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "graft", "inspect", str(wheel)],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write)
    assert proc.stderr == ""
    assert proc.returncode == 141  # as a process SIGPIPE killed


def test_a_json_error_into_a_closed_pipe_exits_with_the_errors_status(tmp_path: Path) -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "graft", "sync", str(tmp_path / "v"), "x", "--json",
             "--no-index", "--find-links", str(tmp_path)],
            stdout=write, stderr=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
    finally:
        os.close(write)
    assert proc.stderr == ""  # was a BrokenPipeError traceback
    assert proc.returncode == 1


def test_options_may_come_between_and_after_the_requirements(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    gamma = make_wheel(wheels, "gamma", "1.0", {"gamma.py": "G = 1\n"})
    venv = tmp_path / "v"
    run_graft(
        "sync", venv, "--link-mode", "copy", beta, "--store", store_dir, "--no-deps", gamma, "-q"
    )
    assert py(venv, "import beta, gamma; print(beta.B + gamma.G)") == "4"
    copied = site(venv) / "beta.py"  # (any target's X.Y: the suite runs on 3.10+)
    assert copied.is_file()
    assert not copied.is_symlink()


def test_with_json_an_error_is_one_json_object_on_stdout(tmp_path: Path, store_dir: Path) -> None:
    proc = run_graft(
        "sync", tmp_path / "v", "--json", "nothing==1.0", "--no-index", "--store", store_dir,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr == ""
    error = json.loads(proc.stdout)
    assert error["kind"] == "ResolutionError"
    assert error["error"] == "no project named 'nothing' anywhere (--no-index and no --find-links)"
    assert error["details"] == ["you asked for nothing==1.0"]
    assert error["message"].splitlines()[0] == error["error"]


def test_with_json_a_usage_error_is_json_too_with_exit_status_2(tmp_path: Path) -> None:
    proc = run_graft("sync", tmp_path / "v", "--json", "--collisions", "bogus", check=False)
    assert proc.returncode == 2
    assert proc.stderr == ""
    error = json.loads(proc.stdout)
    assert error["kind"] == "UsageError"
    assert "invalid choice: 'bogus'" in error["error"]


def test_pips_and_uvs_commands_are_told_their_graft_command_as_uv_tips() -> None:
    """``graft install six`` said only which commands there are; uv says what is similar."""
    tips = {
        "install": "to install: graft sync VENV REQ...",
        "pip": "to install: graft sync VENV REQ...",
        "uninstall": "to remove: graft sync VENV with the requirements it keeps",
        "venv": "a venv of pip: graft sync VENV --seed",
        "compile": "a lock: graft lock REQ... -o pylock.toml",
        "frobnicate": "see graft --help",
    }
    for command, tip in tips.items():
        proc = run_graft(command, "six", check=False)
        assert proc.returncode == 2
        (line,) = proc.stderr.splitlines()
        assert line.startswith(f"graft: error: argument COMMAND: invalid choice: '{command}'")
        assert f") ({tip}" in line, line


def test_a_usage_error_is_one_line_naming_the_help(tmp_path: Path) -> None:
    # argparse printed the usage first: 19 lines of `graft sync`'s options above the error
    cases: list[tuple[tuple[str | Path, ...], str]] = [
        ((tmp_path / "v", "six", "--no-such"), "unrecognized arguments: --no-such"),
        ((), "the following arguments are required: VENV, REQ"),
    ]
    for rest, message in cases:
        args, line = ("sync", *rest), f"graft sync: error: {message} (see graft sync --help)"
        proc = run_graft(*args, check=False)
        assert (proc.returncode, proc.stdout, proc.stderr.splitlines()) == (2, "", [line])
    store = run_graft("store", check=False)
    required = "the following arguments are required: ACTION"
    assert store.stderr.splitlines() == [f"graft store: error: {required} (see graft store --help)"]
    assert not (tmp_path / "v").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [(("sync", "{v}", "six", "--dry-run", "--platform", "bogus"), "unknown platform tag 'bogus'"),
     (("sync", "{v}", "six", "--dry-run", "--python-version", "abc"),
      "unsupported --python-version 'abc'"),
     (("lock", "six", "-o", "-", "--platform", "manylinux_2_17"),
      "unknown platform tag 'manylinux_2_17'"),
     (("lock", "six", "-o", "-", "--python-version", "2.7"), "unsupported --python-version '2.7'")],
)  # fmt: skip
def test_a_value_an_option_cannot_take_is_a_usage_error_with_exit_status_2(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    """As ``--exclude-newer bogus`` and ``-C novalue`` were: exit 1 was a run that failed.

    README's exit statuses: 2 for a usage error; these two options' bad values said 1
    (decision 324). One line, nothing made.
    """
    venv = tmp_path / "v"
    argv = [str(venv) if a == "{v}" else a for a in args]
    proc = run_graft(*argv, "--no-index", check=False)
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("graft: error: "), line
    assert message in line, line
    assert proc.stdout == ""
    assert not venv.exists()
    as_json = run_graft(*argv, "--no-index", "--json", check=False)
    assert as_json.returncode == 2
    assert json.loads(as_json.stdout)["kind"] == "UsageError"


def test_a_path_named_that_is_not_there_is_a_usage_error_as_a_missing_r_file_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-r``, ``-c``, ``-e``, ``--build-constraint`` and ``graft build``'s SRC said so with
    status 2; a requirement's path, a wheel's and ``-f DIR`` with 1 (decision 327)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.txt").write_text("./gone\n")
    venv = tmp_path / "v"
    for args in (("./gone",), ("gone/x-1.0-py3-none-any.whl",), ("six", "-f", "gone"),
                 ("-r", "r.txt"), ("-r", "missing.txt"), ("-e", "./gone")):  # fmt: skip
        proc = run_graft("sync", venv, *args, "--no-index", check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        (line,) = proc.stderr.splitlines()
        assert line.startswith("graft: error: "), line
        assert "gone" in line or "missing.txt" in line, line
    assert not venv.exists()


def test_with_json_a_store_error_is_json_too(tmp_path: Path) -> None:
    proc = run_graft("store", "info", "--store", tmp_path / "nothing", "--json", check=False)
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["kind"] == "StoreError"


def test_inspect_json_error(tmp_path: Path) -> None:
    proc = run_graft("inspect", tmp_path / "missing.whl", "--json", check=False)
    assert proc.returncode == 2
    assert json.loads(proc.stdout) == {
        "error": "no such file",
        "hint": None,
        "kind": "UsageError",
        "message": f"{tmp_path / 'missing.whl'}: no such file",
        "where": str(tmp_path / "missing.whl"),
    }


def test_with_json_an_internal_error_is_json_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        del args
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "_run_inspect", broken)
    assert cli.main(["inspect", "some.whl", "--json"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    error = json.loads(out)
    assert error["kind"] == "InternalError"
    assert error["error"].startswith("internal error: RuntimeError: a bug")


def test_an_internal_error_of_a_command_without_v_does_not_ask_for_v(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `graft store gc` has no -v, and "rerun with -v for the traceback" was refused as
    # "unrecognized arguments: -v"; where graft failed is said on the line instead
    import graft.cli.store_cmd

    def broken(args: object) -> int:
        del args
        return int("a bug")

    monkeypatch.setattr(graft.cli.store_cmd, "run_store", broken)
    assert cli.main(["store", "gc", "--store", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("graft: internal error: ValueError: invalid literal"), line
    assert "-v" not in line
    assert re.search(r" \(at graft/cli/main\.py:\d+; please report it\)$", line), line

    def broken_sync(args: object, argv: object) -> int:
        del args, argv
        raise RuntimeError("a bug")

    import graft.cli.sync_cmd

    monkeypatch.setattr(graft.cli.sync_cmd, "run_sync", broken_sync)
    assert cli.main(["sync", str(tmp_path / "v"), "idna"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("(rerun with -v for the traceback, and please report it)"), line


def test_the_venv_graft_runs_in_is_refused_not_left_without_graft(
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``.venv/bin/graft sync .venv six``: the venv was rebuilt without graft, then graft's
    next lazy import failed (an internal error); its dry run and other venvs are fine."""
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    venv = tmp_path / "own"
    run_graft("sync", venv, beta, "--store", store_dir, "--no-index")
    monkeypatch.setattr(sys, "prefix", str(venv))
    sync = ["sync", str(venv), str(beta), "--store", str(store_dir), "--no-index", "--reinstall"]
    assert cli.main(sync) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"graft: error: {venv}: is the venv graft itself runs in: "), line
    assert line.endswith(
        "(run graft from another environment: pipx, uv tool install, or another venv)"
    )
    assert cli.main([*sync, "--dry-run"]) == 0


def test_quiet_and_verbose_together_are_a_usage_error_as_uv_says(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    # -q silenced the summary and -v printed the timings anyway; uv refuses the pair
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    venv = tmp_path / "v"
    sync = ("sync", venv, beta, "--store", store_dir, "--no-index")
    run_graft(*sync)  # leaves the stamps a no-op and a new venv answer from
    run_graft("sync", tmp_path / "other", beta, "--store", store_dir, "--no-index")
    for args in (
        (*sync, "-q", "-v"),  # the no-op's stamp
        ("sync", tmp_path / "new", beta, "--store", store_dir, "--no-index", "-qv"),  # replay
        ("lock", beta, "-o", "-", "--no-index", "--quiet", "--verbose"),
        ("build", tmp_path, "-v", "-q"),
    ):
        proc = run_graft(*args, check=False)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines()[-1].endswith(f"(see graft {args[0]} --help)")
        assert "not allowed with argument" in proc.stderr
    assert not (tmp_path / "new").exists()


def test_counts_of_one_are_singular(tmp_path: Path, store_dir: Path, wheels: Path) -> None:
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    venv = tmp_path / "v"
    sync = ("sync", venv, beta, "--store", store_dir, "--no-index")
    dry = run_graft(*sync, "--dry-run").stdout.splitlines()[-1]
    assert dry.startswith("# 1 distribution, "), dry  # was "1 distributions"
    run_graft(*sync)
    audited = run_graft("audit", venv).stderr.splitlines()[-1]
    assert audited.startswith(f"graft: audited {venv}: 0 errors, 0 warnings, 0 info")
    assert audited.partition(" info (")[2].startswith("1 distribution, "), audited


def test_a_dry_run_says_what_it_would_change_as_uv_does(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    # it printed the whole plan, and nothing of what the venv would gain or lose
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    gamma = make_wheel(wheels, "gamma", "1.0", {"gamma.py": "G = 1\n"})
    venv = tmp_path / "v"
    run_graft("sync", venv, beta, "--store", store_dir, "--no-index")
    dry = run_graft("sync", venv, gamma, "--store", store_dir, "--no-index", "--dry-run")
    assert dry.stderr.splitlines() == [" - beta==1.0", " + gamma==1.0"]
    assert dry.stdout.splitlines()[-1].startswith("# 1 distribution, ")
    plan = json.loads(
        run_graft(
            "sync", venv, gamma, "--store", store_dir, "--no-index", "--dry-run", "--json"
        ).stdout
    )
    assert plan["changes"] == {
        "added": ["gamma==1.0"], "removed": ["beta==1.0"], "upgraded": [], "downgraded": [],
        "reinstalled": [],
    }  # fmt: skip
    # gamma is not in the store: no plan without unpacking it (decision 149), only the file
    assert (plan["planned"], plan["not_planned"]) == (False, "1 wheel not in the store")
    assert [(d["wheel"], d["fetch"]) for d in plan["distributions"]] == [(gamma.name, "local")]
    assert "actions" not in plan
    assert py(venv, "import beta; print(beta.B)") == "3"  # (nothing changed)


@pytest.mark.parametrize("mode", ["symlink", "hardlink", "copy"])
def test_the_same_version_from_another_wheel_is_said_reinstalled_as_uv_says_it(
    tmp_path: Path, store_dir: Path, wheels: Path, mode: str
) -> None:
    """A rebuilt project (``graft sync V .`` after an edit, ``-e .`` then ``.``) said nothing.

    uv says ``~ name==version``; so does ``--reinstall`` of each distribution, in a dry run too.
    In every link mode (decision 283: before, hardlink and copy venvs said nothing of it).
    """
    (wheels / "a").mkdir()
    (wheels / "b").mkdir()
    first = make_wheel(wheels / "a", "beta", "1.0", {"beta.py": "B = 1\n"})
    second = make_wheel(wheels / "b", "beta", "1.0", {"beta.py": "B = 2\n"})
    gamma = make_wheel(wheels / "a", "gamma", "1.0", {"gamma.py": "G = 1\n"})
    venv = tmp_path / "v"

    def sync(*args: str | Path) -> list[str]:
        said = run_graft(
            "sync", venv, *args, gamma, "--store", store_dir, "--no-index", "--link-mode", mode
        ).stderr
        return [line for line in said.splitlines() if line.startswith(" ")]

    assert sync(first) == [" + beta==1.0", " + gamma==1.0"]
    assert sync(second, "--dry-run") == [" ~ beta==1.0 (reinstalled)"]
    assert sync(second) == [" ~ beta==1.0 (reinstalled)"]
    assert py(venv, "import beta; print(beta.B)") == "2"
    assert sync(second) == []
    assert sync(second, "--reinstall", "--dry-run") == [
        " ~ beta==1.0 (reinstalled)", " ~ gamma==1.0 (reinstalled)"
    ]  # fmt: skip
    summary = run_graft(
        "sync", venv, first, gamma, "--store", store_dir, "--no-index", "--json",
        "--link-mode", mode,
    ).stdout  # fmt: skip
    assert json.loads(summary)["changes"]["reinstalled"] == ["beta==1.0"]


def test_a_venv_path_with_a_line_break_is_refused_in_one_line(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """pyvenv.cfg is read line by line: graft's own lines (graft-plan names the venv) would
    split. Nothing is made."""
    beta = make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    home = tmp_path / "home"
    home.mkdir()
    for venv in (home / "a\nb", home / "a\rb"):
        proc = run_graft("sync", venv, beta, "--store", store_dir, "--no-index", check=False)
        assert proc.returncode == 2, proc.stderr
        (line,) = proc.stderr.splitlines()
        assert line.endswith(
            "the venv path holds a line break, which pyvenv.cfg cannot hold "
            "(choose a path without one)"
        ), line
    assert list(home.iterdir()) == []
