"""A PEP 723 script's inline metadata as requirements (decisions 432, 433, 434).

``uv pip install -r s.py``, ``uv pip sync s.py`` and ``uv pip compile s.py`` 0.13.9 resolve a
script's ``dependencies``, and pip 26.3 takes ``--requirements-from-script s.py``; graft said
"s.py:5: cannot parse requirement 'import six'".
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.rangeserver import Served, serve
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

SCRIPT = """\
#!/usr/bin/env python
# /// script
# requires-python = ">=3.9"
# dependencies = ["app", "lib==1.0"]
# ///
import lib
"""


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    """lib 1.0 and 2.0; app 1.0 needs lib; old 1.0, a project for Pythons before 3.12."""
    with serve() as served:
        for version in ("1.0", "2.0"):
            served.add(make_wheel(wheels, "lib", version))
        served.add(make_wheel(wheels, "app", "1.0", requires=("lib",)))
        served.add(make_wheel(wheels, "old", "1.0"))
        yield served


def _versions(venv: Path) -> dict[str, str]:
    out = py(
        venv,
        "import importlib.metadata as m; print(' '.join(sorted("
        "f'{d.metadata[\"Name\"]}={d.version}' for d in m.distributions())))",
    )
    return dict(pair.split("=") for pair in out.split())


def _url(index: Served) -> tuple[str, str]:
    return ("--index-url", f"{index.url}/simple/")


def test_a_script_given_with_r_installs_its_dependencies_and_an_edit_is_noticed(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """Decision 432: ``-r s.py`` as uv takes it; each edit of the block a changed input."""
    script = tmp_path / "s.py"
    script.write_text(SCRIPT)
    venv = tmp_path / "v"
    sync = ("sync", venv, "-r", script, *_url(index), "--store", store_dir)
    run_graft(*sync)
    assert _versions(venv) == {"app": "1.0", "lib": "1.0"}
    again = run_graft(*sync)
    assert "already in sync" in again.stderr  # (the no-op path reads the script's bytes)
    script.write_text(SCRIPT.replace("lib==1.0", "lib==2.0"))  # (the same size)
    run_graft(*sync)
    assert _versions(venv) == {"app": "1.0", "lib": "2.0"}
    script.write_text(SCRIPT.replace("lib==1.0", "lib==2.0") + "print(lib)\n")  # (code only)
    run_graft(*sync)
    assert _versions(venv) == {"app": "1.0", "lib": "2.0"}
    script.write_text(SCRIPT.replace('"app", "lib==1.0"', '"lib"'))
    run_graft(*sync)
    assert _versions(venv) == {"lib": "2.0"}
    uv, env = _uv_env(tmp_path)
    if uv is not None:  # (uv 0.13.9 installs the same from the same script)
        theirs = tmp_path / "u"
        subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(theirs)], check=True, env=env)
        where = ("-p", str(theirs / "bin" / "python"), *_url(index))
        subprocess.run([uv, "pip", "install", "-q", *where, "-r", str(script)], check=True, env=env)
        assert _versions(theirs) == {"lib": "2.0"}


def test_requirements_from_script_is_pips_spelling_given_once_beside_other_requirements(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """pip 26.3's ``--requirements-from-script`` takes any file name, joins the other
    requirements, and is refused a second time ("can only be given once")."""
    script = tmp_path / "tool"  # (an executable script, no .py)
    script.write_text(SCRIPT.replace('"app", "lib==1.0"', '"lib==1.0"'))
    venv = tmp_path / "v"
    flag = ("--requirements-from-script", script)
    run_graft("sync", venv, "old", *flag, *_url(index), "--store", store_dir)
    assert _versions(venv) == {"lib": "1.0", "old": "1.0"}
    twice = run_graft("sync", venv, *flag, *flag, *_url(index), "--store", store_dir, check=False)
    assert twice.returncode == 2
    assert twice.stderr == (
        f"graft: error: --requirements-from-script {script}: --requirements-from-script is"
        f" given once (as pip takes it) (for several scripts named *.py, give each with -r:"
        f" -r {script} -r {script})\n"
    )


def _uv_env(tmp_path: Path) -> tuple[str | None, dict[str, str]]:
    uv = str(Path(sys.executable).parent / "uv")
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    env.pop("PIP_FIND_LINKS", None)
    return (uv if os.access(uv, os.X_OK) else None), env


ERRORS = {
    "no block": ("import lib\n", "s.py: no inline script metadata: no '# /// script' block"),
    "unclosed": (
        '# /// script\n# dependencies = ["lib"]\nimport lib\n',
        "s.py:1: this '# /// script' block is not closed",
    ),
    "two blocks": (
        '# /// script\n# dependencies = ["lib"]\n# ///\nx = 1\n# /// script\n#\n# ///\n',
        "s.py:5: a second '# /// script' block (the first is at line 1)",
    ),
    "bad toml": (
        '# /// script\n# dependencies = ["lib"\n# ///\n',
        "s.py:1: the script block is not valid TOML",
    ),
    "not a list": (
        '# /// script\n# dependencies = "lib"\n# ///\n',
        "s.py:1: the script block's dependencies is not a list of requirement strings",
    ),
    "bad requirement": (
        '# /// script\n# dependencies = ["lib ==="]\n# ///\n',
        "s.py:1: dependencies: ",
    ),
}


@pytest.mark.parametrize("case", ERRORS)
def test_a_script_without_a_good_block_is_one_line_and_the_venv_is_left_as_it_was(
    case: str, tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, said = ERRORS[case]
    monkeypatch.chdir(tmp_path)
    venv = tmp_path / "v"
    run_graft("sync", venv, "lib==1.0", *_url(index), "--store", store_dir)
    (venv / "notes.txt").write_text("mine\n")
    before = sorted(str(p) for p in venv.rglob("*"))
    Path("s.py").write_text(text)
    for args in (("sync", venv, "--store", store_dir), ("lock", "-o", tmp_path / "pylock.toml")):
        failed = run_graft(*args, "-r", "s.py", *_url(index), check=False)
        assert failed.returncode == 2, failed.stderr
        assert failed.stderr.startswith(f"graft: error: {said}"), failed.stderr
        assert failed.stderr.count("\n") == 1, failed.stderr
    assert sorted(str(p) for p in venv.rglob("*")) == before
    assert not (tmp_path / "pylock.toml").exists()


def test_a_script_named_without_r_or_with_c_is_refused_pointing_at_r(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv asks its index for a project ``s-py``; graft said "no project named 's-py'"."""
    monkeypatch.chdir(tmp_path)
    Path("s.py").write_text(SCRIPT)
    venv = tmp_path / "v"
    named = run_graft("sync", venv, "s.py", *_url(index), "--store", store_dir, check=False)
    assert named.returncode == 2
    assert named.stderr == (
        "graft: error: command line: s.py: a file here, not a requirement (to install the"
        " dependencies its inline script metadata lists, give it with -r s.py)\n"
    )
    constrained = run_graft(
        "sync", venv, "lib", "-c", "s.py", *_url(index), "--store", store_dir, check=False
    )
    assert constrained.returncode == 2
    assert constrained.stderr == (
        "graft: error: -c s.py: a script's inline metadata is not a constraints file (install"
        " its dependencies with -r s.py; give constraints in a .txt file)\n"
    )
    assert not venv.exists()


def test_a_scripts_requires_python_that_excludes_the_target_is_refused_as_pip_refuses_it(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 433: pip 26.3 refuses ("Script 's.py' requires a different Python"); uv's
    pip interface installs regardless."""
    monkeypatch.chdir(tmp_path)
    Path("s.py").write_text(SCRIPT.replace(">=3.9", ">=3.99"))
    venv = tmp_path / "v"
    run_graft("sync", venv, "lib==1.0", *_url(index), "--store", store_dir)
    refused = run_graft("sync", venv, "-r", "s.py", *_url(index), "--store", store_dir, check=False)
    here = ".".join(map(str, sys.version_info[:3]))
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr == (
        f"graft: error: s.py:2: the script's requires-python >=3.99 excludes the target's"
        f" Python {here} (sync with a --python the script allows (>=3.99))\n"
    )
    assert _versions(venv) == {"lib": "1.0"}
    foreign = ("--dry-run", "--python-version", "3.12", "--platform", "manylinux_2_28_x86_64")
    dry = run_graft("sync", tmp_path / "w", "-r", "s.py", *foreign, *_url(index), check=False)
    assert dry.stderr == (
        "graft: error: s.py:2: the script's requires-python >=3.99 excludes the target's"
        " Python 3.12.0 (sync with a --python-version the script allows (>=3.99))\n"
    )


def test_a_lock_of_a_script_keeps_its_requires_python_as_uv_pip_compile_universal(
    tmp_path: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 433: ``uv pip compile s.py --universal`` leaves out what only Pythons below
    the script's requires-python need; a lock of the script covers its range alone."""
    monkeypatch.chdir(tmp_path)
    Path("s.py").write_text(
        SCRIPT.replace(">=3.9", ">=3.12").replace(
            '"app", "lib==1.0"', '"lib", "old; python_version < \'3.12\'"'
        )
    )
    run_graft("lock", "-r", "s.py", *_url(index), "-o", "pylock.toml", "--platform", "linux")
    text = Path("pylock.toml").read_text()
    assert 'name = "lib"' in text
    assert 'name = "old"' not in text
    assert 'requires-python = "<3.15,>=3.12"' in text
    assert 'python_version == \\"3.11\\"' not in text
    assert 'python_version == \\"3.12\\"' in text


def test_a_script_whose_code_reads_as_pins_is_never_taken_for_a_file_of_pins(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """Decision 434: the change stamp is keyed by the command line with the files' paths
    left out, and reads files of ``name==version`` lines; a script whose code is such a line
    (``lib==1.0``, a Python comparison) must be read for its block, not for its code."""
    pins = tmp_path / "pins.txt"
    pins.write_text("lib==1.0\n")
    script = tmp_path / "s.py"
    script.write_text('# /// script\n# dependencies = ["lib==2.0"]\n# ///\nlib==1.0\n')
    venv = tmp_path / "v"
    sync = ("sync", venv, "-r", pins, *_url(index), "--store", store_dir)
    for pin in ("lib==1.0", "lib==2.0", "lib==1.0", "lib==2.0"):  # (both sets planned, kept)
        pins.write_text(f"{pin}\n")
        run_graft(*sync)
    assert _versions(venv) == {"lib": "2.0"}
    run_graft("sync", venv, "-r", script, *_url(index), "--store", store_dir)
    assert _versions(venv) == {"lib": "2.0"}


def test_a_script_named_by_url_is_read_as_uv_pip_install_reads_it(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """Decision 447: ``-r https://.../s.py`` (uv 0.13.9 installs the block's dependencies;
    graft read its code as requirement lines: "s.py:5: cannot parse requirement ...")."""
    index.files["s.py"] = SCRIPT.encode()
    url = f"{index.url}/s.py"
    venv = tmp_path / "v"
    run_graft("sync", venv, "-r", url, *_url(index), "--store", store_dir)
    assert _versions(venv) == {"app": "1.0", "lib": "1.0"}
    index.files["s.py"] = SCRIPT.replace("lib==1.0", "lib==2.0").encode()  # (read anew)
    run_graft("sync", venv, "-r", url, *_url(index), "--store", store_dir)
    assert _versions(venv) == {"app": "1.0", "lib": "2.0"}
    uv, env = _uv_env(tmp_path)
    if uv is not None:  # (uv 0.13.9 installs the same from the same URL)
        theirs = tmp_path / "u"
        subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(theirs)], check=True, env=env)
        where = ("-p", str(theirs / "bin" / "python"), *_url(index))
        subprocess.run([uv, "pip", "install", "-q", *where, "-r", url], check=True, env=env)
        assert _versions(theirs) == {"app": "1.0", "lib": "2.0"}
    gone = run_graft("sync", venv, "-r", f"{index.url}/gone.py", *_url(index), check=False)
    assert gone.stderr == f"graft: error: {index.url}/gone.py: no script at this URL (HTTP 404)\n"


def test_a_script_that_lists_no_dependencies_is_said_so_and_allowed_to_empty_the_venv(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """Decision 447: the hint names the script's block, not "comments, options and -c
    lines"; ``--allow-empty-requirements`` empties the venv, as ``uv pip sync`` of it."""
    script = tmp_path / "s.py"
    script.write_text("# /// script\n# dependencies = []\n# ///\nprint(1)\n")
    venv = tmp_path / "v"
    run_graft("sync", venv, "lib", *_url(index), "--store", store_dir)
    for given in (("-r", script), ("--requirements-from-script", script)):
        refused = run_graft("sync", venv, *given, *_url(index), "--store", store_dir, check=False)
        assert refused.returncode == 2
        assert refused.stderr == (
            f"graft: error: {script}:1: the script's inline metadata lists no dependencies:"
            " nothing to install (add them to its '# /// script' block (dependencies ="
            ' ["name"]), or give --allow-empty-requirements to empty the venv, as uv pip'
            " sync's)\n"
        )
    assert _versions(venv) == {"lib": "2.0"}
    empty = ("-r", script, "--allow-empty-requirements")
    said = run_graft("sync", venv, *empty, *_url(index), "--store", store_dir).stderr
    assert " - lib==2.0" in said
    assert _versions(venv) == {}
