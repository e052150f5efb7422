"""Requirement inputs as pip 26 and uv 0.13 read them, through ``graft sync`` (no network).

Each wheel is made in the test, named by its path or found through ``--find-links``; every
case here was read otherwise by graft before (decisions 304-306).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from tests.conftest import run_graft
from tests.support.sdistmaker import write_sdist
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    import pytest


def installed(venv: Path) -> dict[str, str]:
    code = "import importlib.metadata as m, json; print(json.dumps({d.name: d.version for d in m.distributions()}))"  # noqa: E501
    found: dict[str, str] = json.loads(py(venv, code))
    return found


def test_a_line_of_options_is_read_whole(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--no-index --find-links wheels`` on one line read ``--no-index`` alone: nothing found."""
    monkeypatch.chdir(tmp_path)
    make_wheel(wheels, "lib", "1.0", {"lib.py": ""})
    (tmp_path / "r.txt").write_text("--no-index --find-links wheels\nlib\n")
    run_graft("sync", tmp_path / "v", "-r", "r.txt", "--store", store_dir)
    assert installed(tmp_path / "v") == {"lib": "1.0"}


def test_a_wheel_path_takes_a_marker_as_pip_and_uv_read_it(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``wheels/x.whl ; marker`` was taken for a path with the marker in it: no such file."""
    monkeypatch.chdir(tmp_path)
    make_wheel(wheels, "lib", "1.0", {"lib.py": ""})
    make_wheel(wheels, "speedy", "0.5", {"speedy.py": ""})
    (tmp_path / "r.txt").write_text(
        'wheels/lib-1.0-py3-none-any.whl ; python_version < "3"\n'
        f'speedy @ file://{wheels}/speedy-0.5-py3-none-any.whl;python_version >= "3"\n'
    )
    run_graft("sync", tmp_path / "v", "-r", "r.txt", "--no-index", "--store", store_dir)
    assert installed(tmp_path / "v") == {"speedy": "0.5"}


def test_a_wheel_path_in_a_file_is_the_one_in_the_current_directory(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip and uv read it from the current directory; graft took the one beside the file."""
    monkeypatch.chdir(tmp_path)
    make_wheel(wheels, "lib", "1.0", {"lib.py": "WHERE = 'here'\n"})
    beside = tmp_path / "sub" / "wheels"
    beside.mkdir(parents=True)
    make_wheel(beside, "lib", "1.0", {"lib.py": "WHERE = 'beside the file'\n"})
    (tmp_path / "sub" / "r.txt").write_text("wheels/lib-1.0-py3-none-any.whl\n")
    run_graft("sync", tmp_path / "v", "-r", "sub/r.txt", "--no-index", "--store", store_dir)
    assert py(tmp_path / "v", "import lib; print(lib.WHERE)") == "here"


def test_requirements_on_standard_input_are_read_as_uv_reads_them(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-r -`` and ``-c -`` read standard input, as uv 0.13.9 reads it (pip reads
    ``-r /dev/stdin``); graft said ``-: cannot read requirements file`` (decision 325).

    A nested ``-r`` is the current directory's; nothing read from it answers a later sync
    (another input is another venv, never a stamp's "already in sync").
    """
    monkeypatch.chdir(tmp_path)
    for name, version in (("lib", "1.0"), ("lib", "2.0"), ("extra", "1.0")):
        make_wheel(wheels, name, version, {f"{name}.py": f"V = {version!r}\n"})
    (tmp_path / "more.txt").write_text("extra\n")
    venv, sources = tmp_path / "v", ("--no-index", "-f", wheels, "--store", store_dir)
    run_graft("sync", venv, "-r", "-", *sources, stdin="lib==1.0\n-r more.txt\n")
    assert installed(venv) == {"lib": "1.0", "extra": "1.0"}
    run_graft("sync", venv, "-r", "-", *sources, stdin="lib==2.0\n")
    assert installed(venv) == {"lib": "2.0"}
    run_graft("sync", venv, "lib", "-c", "-", *sources, stdin="lib<2\n")
    assert installed(venv) == {"lib": "1.0"}
    empty = run_graft("sync", venv, "-r", "-", *sources, stdin="# nothing\n", check=False)
    assert empty.returncode == 2
    said = "graft: error: -: no requirement listed: nothing to install (add one (name, name>=1.0);"
    assert empty.stderr.splitlines() == [f"{said} comments, options and -c lines list none)"]
    assert installed(venv) == {"lib": "1.0"}  # (nothing changed)
    bare = run_graft("sync", venv, "-", *sources, stdin="lib\n", check=False)  # (uv pip compile -)
    said = "graft: error: command line: '-' is no requirement (to read requirements from"
    assert bare.returncode == 2
    assert bare.stderr.splitlines() == [f"{said} standard input, give -r -)"]


def _formats_chosen(
    tmp_path: Path, store_dir: Path, wheels: Path, *flags: str | Path
) -> dict[str, str]:
    """Each of lib and other: "sdist" or "wheel", as a dry run chose it."""
    proc = run_graft(
        "sync", tmp_path / "v", "lib", "other", "--no-index", "-f", wheels, "--store", store_dir,
        "--dry-run", "--json", *flags,
    )  # fmt: skip
    chosen = json.loads(proc.stdout)["distributions"]
    return {d["name"]: "sdist" if d["wheel"] is None else "wheel" for d in chosen}


def test_no_binary_and_only_binary_are_read_in_order_as_pip_reads_them(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--no-binary :none:`` emptied the flag of what came after it too, and a name given to
    both flags was --only-binary's whatever their order; pip 26.3 reads them in turn, the
    command line's before a file's (decision 326)."""
    monkeypatch.chdir(tmp_path)
    for name in ("lib", "other"):
        make_wheel(wheels, name, "1.0", {f"{name}.py": ""})
        pkg_info = f"Metadata-Version: 2.2\nName: {name}\nVersion: 1.0\n"
        write_sdist(wheels / f"{name}-1.0.tar.gz", {f"{name}-1.0/PKG-INFO": pkg_info})
    (tmp_path / "none.txt").write_text("--no-binary :none:\n")
    (tmp_path / "only.txt").write_text("--only-binary lib\n")
    cases: list[tuple[tuple[str, ...], dict[str, str]]] = [
        (("--no-binary", "lib", "--no-binary", ":none:", "--no-binary", "other"),
         {"lib": "wheel", "other": "sdist"}),
        (("--no-binary", "lib,:none:,other"), {"lib": "wheel", "other": "sdist"}),
        (("--only-binary", "lib", "--no-binary", "lib"), {"lib": "sdist", "other": "wheel"}),
        (("--only-binary", ":all:", "--no-binary", ":all:"), {"lib": "sdist", "other": "sdist"}),
        (("--no-binary", ":all:,:none:,lib"), {"lib": "sdist", "other": "wheel"}),
        # a file's come after the command line's, wherever -r stands
        (("--no-binary", "lib", "-c", "none.txt"), {"lib": "wheel", "other": "wheel"}),
        (("-c", "only.txt", "--no-binary", "lib"), {"lib": "wheel", "other": "wheel"}),
    ]  # fmt: skip
    for flags, expected in cases:
        assert _formats_chosen(tmp_path, store_dir, wheels, *flags) == expected, flags


def test_a_trailing_comma_is_taken_and_a_stray_one_says_what_to_write(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 455: ``lib>=1.0,`` is taken, as pip 26.3 and uv 0.13.9 take it (and a wheel's
    ``Requires-Dist: lib>=1.0,``); ``lib>=1.0,,``, which they refuse too, is said at its line.
    """
    monkeypatch.chdir(tmp_path)
    make_wheel(wheels, "lib", "1.0", {"lib.py": ""})
    make_wheel(wheels, "lib", "2.0", {"lib.py": ""})
    make_wheel(wheels, "app", "1.0", {"app.py": ""}, requires=("lib<2,",))
    (tmp_path / "r.txt").write_text("app\nlib >= 1.0 ,\n")
    flags = ("--no-index", "-f", wheels, "--store", store_dir)
    run_graft("sync", tmp_path / "v", "-r", "r.txt", *flags)
    assert installed(tmp_path / "v") == {"app": "1.0", "lib": "1.0"}
    (tmp_path / "r.txt").write_text("app\nlib>=1.0,,<3\n")
    proc = run_graft("sync", tmp_path / "v", "-r", "r.txt", *flags, check=False)
    assert (proc.returncode, proc.stderr) == (
        2,
        (
            "graft: error: r.txt:2: cannot parse requirement 'lib>=1.0,,<3' (a comma has no"
            " version clause after it) (write lib>=1.0,<3)\n"
        ),
    )
