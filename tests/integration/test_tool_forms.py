"""pip's and uv's options as their users type them: taken as meant, or refused saying what to use.

Decision 342: uv's ``--system`` was read as an abbreviation of ``--system-site-packages``,
``--index URL`` was an ambiguous abbreviation, ``--strict``, ``--compile-bytecode``,
``--no-progress``... were unknown options with no word on what to use instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graft._toml import load_toml
from tests.conftest import run_graft
from tests.integration.test_resolve_sync import index, installed  # noqa: F401 - the fixture

if TYPE_CHECKING:
    from tests.support.rangeserver import Served


def test_uv_s_system_is_refused_not_read_as_system_site_packages(
    tmp_path: Path,
    index: Served,  # noqa: F811 - the fixture imported above
) -> None:
    # `uv pip install --system` installs into the interpreter itself; graft made a venv that
    # sees the system's site-packages, without a word
    venv = tmp_path / "v"
    proc = run_graft(
        "sync", venv, "lib", "--index-url", f"{index.url}/simple/", "--system", check=False
    )
    assert proc.returncode == 2
    said = (
        "graft sync: error: unrecognized arguments: --system (graft installs into a venv it makes:"
        " graft sync VENV REQ... (pip or uv install into the interpreter itself))"
    )
    assert proc.stderr.splitlines() == [said]
    assert not venv.exists()


def test_pip_and_uv_options_graft_has_not_are_refused_saying_what_to_use(tmp_path: Path) -> None:
    instead = {
        ("--break-system-packages",): "graft installs into a venv it makes",
        ("--user",): "graft installs into a venv it makes",
        ("--target", "/tmp/t"): "graft installs into a venv it makes",
        ("--prefix", "/tmp/p"): "graft installs into a venv it makes",
        ("--no-cache",): "graft's venvs link into its store and cache",
        ("--cache-dir", "/tmp/c"): "GRAFT_CACHE_DIR=DIR",
        ("-n",): "uv's --no-cache",
        ("--no-verify-hashes",): "graft checks every --hash it is given",
        ("--uploaded-prior-to", "P3D"): "--exclude-newer DATE or a span",
        ("--python-platform", "linux"): "graft lock --python-platform locks for it",
        ("--link-mode", "clone"): "graft has no clone mode: copy gives the venv files",
        ("--index-strategy", "unsafe-first-match"): "unsafe-best-match merges every index",
        ("--prerelease", "if-necessary-or-explicit"): "if-necessary is uv's default",
    }
    for args, hint in instead.items():
        proc = run_graft("sync", tmp_path / "v", "six", *args, check=False)
        assert proc.returncode == 2, args
        (line,) = proc.stderr.splitlines()
        assert line.startswith("graft sync: error: "), line
        assert hint in line, line
        assert "see graft sync --help" not in line
    assert not (tmp_path / "v").exists()


@pytest.mark.parametrize(
    ("args", "has"),
    [
        (("--no-header",), "it has no header comment"),
        (("--custom-compile-command", "make lock"), "it has no header comment"),
        (("--no-annotate",), "it has no '# via' comments"),
        (("--annotation-style", "line"), "it has no '# via' comments"),
        (("--emit-index-url",), "it records each package's index and each file's URL"),
        (("--no-emit-index-url",), "it records each package's index and each file's URL"),
        (("--emit-find-links",), "it records each package's index and each file's URL"),
        (("--emit-build-options",), "it records each package's index and each file's URL"),
        (("--strip-extras",), "it lists each package once, without extras"),
        (("--no-strip-extras",), "it lists each package once, without extras"),
        (("--no-strip-markers",), "it keeps each package's marker"),
        (("--allow-unsafe",), "it lists every package the resolution needs"),
        (("--no-emit-package", "six"), "it lists every package the resolution needs"),
        (("--reuse-hashes",), "it records each file's sha256"),
    ],
)
def test_requirements_txt_output_options_say_what_graft_lock_writes(
    tmp_path: Path, args: tuple[str, ...], has: str
) -> None:
    # decision 357: pip-compile's and uv pip compile's options for a requirements.txt were
    # refused with "see graft lock --help" alone
    proc = run_graft("lock", "six", *args, "-o", tmp_path / "pylock.toml", check=False)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft lock: error: unrecognized arguments: {args[0]}"), line
    said = "(graft lock writes a PEP 751 pylock.toml, which pip 26.1+, uv and graft sync install;"
    assert f"{said} {has}" in line, line
    assert line.endswith(f": drop {args[0]})"), line
    assert not (tmp_path / "pylock.toml").exists()


def test_uv_s_forms_graft_takes_as_they_are_meant(
    tmp_path: Path,
    index: Served,  # noqa: F811 - the fixture imported above
) -> None:
    url = f"{index.url}/simple/"
    forms: tuple[str, ...] = (
        "--compile-bytecode",
        "--exact",
        "--verify-hashes",
        "--color",
        "never",
        "--no-progress",
    )
    forms += ("--no-sources", "--refresh-package", "lib", "-p", sys.executable)
    run_graft("sync", tmp_path / "v", "app", "--default-index", url, *forms)
    assert installed(tmp_path / "v") == {"app": "1.0", "lib": "2.0"}
    (tmp_path / "req.txt").write_text("app\n")
    (tmp_path / "con.txt").write_text("lib<2\n")
    reqs = ("--requirements", tmp_path / "req.txt", "--constraints", tmp_path / "con.txt")
    run_graft("sync", tmp_path / "y", *reqs, "--index-url", url)
    assert installed(tmp_path / "y") == {"app": "1.0", "lib": "1.0"}
    # uv's --index is an extra index, asked before --index-url's (graft's --extra-index-url)
    proc = run_graft("sync", tmp_path / "x", "lib", "--index", url, "--index-url", url)
    assert "+ lib==2.0" in proc.stderr


def test_strict_warns_of_each_requirement_not_met_as_uv_does(
    tmp_path: Path,
    index: Served,  # noqa: F811 - the fixture imported above
) -> None:
    url = f"{index.url}/simple/"
    args = ("sync", tmp_path / "v", "app", "--no-deps", "--index-url", url)
    assert "warning" not in run_graft(*args).stderr  # (as uv without --strict)
    warned = "graft: warning: app==1.0 requires lib>=1, which is not installed"
    for _ in range(2):  # the sync, then its no-op stamp
        assert warned in run_graft(*args, "--strict").stderr.splitlines()
    quiet = run_graft("sync", tmp_path / "w", "app", "--index-url", url, "--strict")
    assert "warning" not in quiet.stderr


def test_uv_pip_compile_s_forms_of_graft_lock(
    tmp_path: Path,
    index: Served,  # noqa: F811 - the fixture imported above
) -> None:
    url = f"{index.url}/simple/"
    (tmp_path / "req.in").write_text("app\n")
    (tmp_path / "con.txt").write_text("lib<2\n")
    (tmp_path / "build.txt").write_text("setuptools==80.0.0\n")
    ours = tmp_path / "pylock.toml"
    run_graft(
        "lock", "-r", tmp_path / "req.in", "-c", tmp_path / "con.txt", "-i", url, "-o", ours,
        "--platform", "linux", "--python-version", "3.12",
        "--build-constraint", tmp_path / "build.txt",
    )  # fmt: skip
    theirs = tmp_path / "uv" / "pylock.toml"
    theirs.parent.mkdir()
    run_graft(
        "lock", "--requirements", tmp_path / "req.in", "--constraints", tmp_path / "con.txt",
        "--default-index", url, "--output-file", theirs, "--python-platform", "linux",
        "--python", "3.12", "--universal", "--generate-hashes", "--no-progress",
        "--format", "pylock.toml", "-b", tmp_path / "build.txt",
    )  # fmt: skip
    locked = load_toml(str(theirs))
    assert locked == load_toml(str(ours))
    assert {p["name"]: p["version"] for p in locked["packages"]} == {"app": "1.0", "lib": "1.0"}
