"""``--python`` by name, version or specifier (``graft._pythons``, decision 119): what the
no-op stamps and ``find_interpreter`` both find, with the standard library alone; and what
``find_interpreter`` checks by the interpreter's own facts (``graft.venv.python_request``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graft._pythons import by_name, candidates, parse
from graft.cli.noop import _finds_the_same
from graft.errors import TargetError
from graft.model.target import Target
from graft.venv import interpreter
from graft.venv.interpreter import find_interpreter


def _exe(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def pythons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    shims, bin_dir, root = tmp_path / "pyenv" / "shims", tmp_path / "bin", tmp_path / "pyenv"
    found = {
        "shim": _exe(shims / "python3.11"),
        "path312": _exe(bin_dir / "python3.12"),
        "pypy": _exe(bin_dir / "pypy3"),
        "old311": _exe(root / "versions" / "3.11.2" / "bin" / "python3.11"),
        "new311": _exe(root / "versions" / "3.11.10" / "bin" / "python3.11"),
        "ft313": _exe(root / "versions" / "3.13.1t" / "bin" / "python3.13t"),
        "pyenv3121": _exe(root / "versions" / "3.12.1" / "bin" / "python3.12"),
        "pyenv31210": _exe(root / "versions" / "3.12.10" / "bin" / "python3.12"),
        "rc314": _exe(root / "versions" / "3.14.0rc1" / "bin" / "python3.14"),
        "pypy310": _exe(root / "versions" / "pypy3.10-7.3.17" / "bin" / "pypy3.10"),
        "pypy39": _exe(bin_dir / "pypy3.9"),
    }
    monkeypatch.setenv("PATH", os.pathsep.join([str(shims), str(bin_dir)]))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    for name in ("PYENV_VERSION", "PYENV_DIR"):  # pyenv's choice: the system's (none here)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return found


def test_a_version_is_found_on_path_then_in_pyenv_skipping_shims(pythons: dict[str, str]) -> None:
    assert by_name("3.12") == pythons["path312"]
    assert by_name("python3.12") == pythons["path312"]
    assert by_name("3.12.1") == pythons["pyenv3121"], "pyenv's of that name, not 3.12.10"
    assert candidates("3.12.1") == [pythons["pyenv3121"], pythons["path312"]]
    assert by_name("3.12.10") == pythons["pyenv31210"]
    assert by_name("3.12.5") == pythons["path312"], "PATH's 3.12, for its facts to tell"
    assert by_name("3.11") == pythons["new311"], "not the shim; pyenv's newest 3.11 (10 > 2)"
    assert by_name("3.13t") == pythons["ft313"]
    assert by_name("pypy3") == pythons["pypy"]
    assert by_name("3.14") == pythons["rc314"], "a release candidate, when it is all there is"
    assert by_name("3.10") is None
    assert by_name("ruby") is None


def test_the_stamps_find_what_find_interpreter_finds(pythons: dict[str, str]) -> None:
    from graft.venv.interpreter import find_interpreter

    for spec in ("3.12", "3.11", "pypy3", "3.13t"):
        assert find_interpreter(spec) == by_name(spec)
        assert _finds_the_same(spec, find_interpreter(spec))
    assert not _finds_the_same("3.12", pythons["new311"])
    assert not _finds_the_same("3.10", pythons["new311"]), "found no more: the full path says"


def test_the_no_op_check_of_a_version_imports_nothing_of_graft_but_the_lookup() -> None:
    code = (
        "import sys; from graft.cli.noop import _finds_the_same; _finds_the_same('3.99', 'x');"
        "print(sorted(m for m in sys.modules if m.startswith('graft')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = ["graft", "graft._home", "graft._pythons", "graft.cli", "graft.cli.noop"]
    assert run.stdout.strip() == str(expected)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("3.12", (None, (3, 12), False, False, "")),
        ("312", (None, (3, 12), False, False, "")),
        ("3", (None, (3,), False, False, "")),
        ("3.12.1", (None, (3, 12, 1), False, False, "")),
        ("python3.12", (None, (3, 12), False, False, "")),
        ("cpython", ("cpython", (), False, False, "")),
        ("cpython@3.12", ("cpython", (3, 12), False, False, "")),
        ("cpython3.12", ("cpython", (3, 12), False, False, "")),
        ("cpython-3.12.1", ("cpython", (3, 12, 1), False, False, "")),
        ("cp312", ("cpython", (3, 12), False, False, "")),
        ("pypy", ("pypy", (), False, False, "")),
        ("pypy3", ("pypy", (3,), False, False, "")),
        ("pypy@3.10", ("pypy", (3, 10), False, False, "")),
        ("pp310", ("pypy", (3, 10), False, False, "")),
        ("3.13t", (None, (3, 13), True, False, "")),
        ("3.13+freethreaded", (None, (3, 13), True, False, "")),
        ("3.13+gil", (None, (3, 13), False, True, "")),
        (">=3.11,<3.13", (None, (), False, False, ">=3.11,<3.13")),
        ("cpython@>=3.11", ("cpython", (), False, False, ">=3.11")),
        ("pypy>=3.9", ("pypy", (), False, False, ">=3.9")),
    ],
)
def test_uvs_forms_are_read_as_uv_reads_them(spec: str, expected: tuple[object, ...]) -> None:
    request = parse(spec)
    assert request is not None
    got = (request.implementation, request.version, request.freethreaded, request.gil)
    assert (*got, request.specifier) == expected


@pytest.mark.parametrize("spec", ["python", "pypy3.9-dbg", "python3-dbg", "foo", "3.12.x", ""])
def test_other_names_are_executables_on_path(spec: str) -> None:
    assert parse(spec) is None


def test_implementations_and_specifiers_find_their_candidates(pythons: dict[str, str]) -> None:
    assert by_name("pypy") == pythons["pypy"]
    assert by_name("pypy@3.9") == by_name("pp39") == pythons["pypy39"]
    assert by_name("pypy3.10") == pythons["pypy310"], "pyenv's PyPy, by its Python version"
    assert by_name("cpython@3.12") == by_name("cp312") == pythons["path312"]
    assert candidates(">=3.11") == [
        pythons["rc314"],
        pythons["path312"],
        pythons["pyenv31210"],
        pythons["pyenv3121"],
        pythons["new311"],
        pythons["old311"],
    ], "every series, the newest first; PATH's before pyenv's in one series"
    assert candidates("pypy>=3.9") == [pythons["pypy310"], pythons["pypy39"], pythons["pypy"]]


def _target(version: str, implementation: str = "cpython", *, ft: bool = False) -> Target:
    return Target("x", "x", version, implementation, None, (), {}, {}, gil_disabled=ft)


@pytest.fixture
def facts(pythons: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Target]:
    """What each fake interpreter would say of itself."""
    said = {
        pythons["path312"]: _target("3.12.3"),
        pythons["pyenv3121"]: _target("3.12.1"),
        pythons["pyenv31210"]: _target("3.12.10"),
        pythons["rc314"]: _target("3.14.0rc1"),
        pythons["new311"]: _target("3.11.10"),
        pythons["old311"]: _target("3.11.2"),
        pythons["pypy"]: _target("3.9.16", "pypy"),
        pythons["pypy39"]: _target("3.9.16", "pypy"),
        pythons["pypy310"]: _target("3.10.14", "pypy"),
        pythons["ft313"]: _target("3.13.1", ft=True),
    }
    monkeypatch.setattr(interpreter, "introspect", lambda path: said[path])
    return said


def test_what_a_name_cannot_tell_is_checked_by_the_interpreters_facts(
    pythons: dict[str, str], facts: dict[str, Target]
) -> None:
    assert find_interpreter("3.12.3") == pythons["path312"]
    assert find_interpreter(">=3.11,<3.13") == pythons["path312"]
    assert find_interpreter("<3.12") == pythons["new311"]
    assert find_interpreter("~=3.11.0,!=3.11.10") == pythons["old311"]
    assert find_interpreter(">3.13") == pythons["rc314"], "an installed candidate counts"
    assert find_interpreter("pypy>=3.10") == pythons["pypy310"]
    assert find_interpreter("pypy@3.9.16") == pythons["pypy39"]
    assert find_interpreter("cpython@3.12") == pythons["path312"]
    assert find_interpreter("3.13+freethreaded") == pythons["ft313"]


def test_a_request_nothing_meets_is_one_line_naming_what_was_found(
    pythons: dict[str, str], facts: dict[str, Target]
) -> None:
    with pytest.raises(TargetError) as caught:
        find_interpreter("3.12.2")
    message = str(caught.value)
    assert "no Python 3.12.2 found for '3.12.2'" in message
    assert f"{pythons['path312']} is CPython 3.12.3" in message
    assert "\n" not in message
    assert caught.value.where == "--python"
    with pytest.raises(TargetError, match="; and 3 more"):
        find_interpreter(">=3.99")
    with pytest.raises(TargetError, match=r"is PyPy 3\.9\.16"):
        find_interpreter("pypy@3.9.1")
    with pytest.raises(TargetError, match=r"no interpreter found for 'pypy@3\.11'"):
        find_interpreter("pypy@3.11", where="GRAFT_PYTHON")


@pytest.mark.parametrize(
    ("spec", "what"),
    [
        ("2.7", "Python 2.7 is not supported"),
        ("pypy2", "Python 2 is not supported"),
        ("cpython@2.7", "Python 2.7 is not supported"),
        (">=3.x", "'>=3.x' is not a version specifier"),
    ],
)
def test_a_spec_graft_cannot_take_is_refused_in_one_line(
    pythons: dict[str, str], spec: str, what: str
) -> None:
    with pytest.raises(TargetError) as caught:
        find_interpreter(spec, where="GRAFT_PYTHON")
    assert caught.value.what == what
    assert caught.value.where == "GRAFT_PYTHON"


def test_the_stamps_find_uvs_forms_as_find_interpreter_does(
    pythons: dict[str, str], facts: dict[str, Target]
) -> None:
    for spec in ("cpython@3.12", "pypy", "pp39", "3.12.1", "3.12.3", "cpython", "pypy>=3.10"):
        assert _finds_the_same(spec, find_interpreter(spec)), spec
    assert not _finds_the_same("3.12.1", pythons["path312"])
    assert not _finds_the_same(">=3.11,<3.13", pythons["path312"]), (
        "a specifier's choice is made by the full path: the first candidate (3.14) is not it"
    )


def test_cpython_skips_a_pypy_that_a_python_name_on_path_is(
    pythons: dict[str, str],
    facts: dict[str, Target],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pypy_venv = _exe(tmp_path / "pypy-venv" / "bin" / "python3")  # an activated PyPy venv's
    facts[pypy_venv] = _target("3.9.16", "pypy")
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(pypy_venv).parent), os.environ["PATH"]]))
    assert find_interpreter("3") == pypy_venv, "a version alone takes either implementation"
    assert find_interpreter("cpython") == pythons["rc314"], "pyenv's newest CPython"
    assert not _finds_the_same("cpython", pythons["rc314"]), "the full path decides then"


def test_a_free_threaded_build_below_3_14_meets_only_a_request_for_one() -> None:
    """As uv: before 3.14 a free-threaded build is opted into (decision 123)."""
    from graft.venv.python_request import mismatch

    ft313, ft314 = _target("3.13.1", ft=True), _target("3.14.0", ft=True)
    for spec in ("3.13", ">=3.12", "cpython", "3"):
        request = parse(spec)
        assert request is not None
        assert mismatch(request, ft313) == "CPython 3.13.1 (free-threaded)", spec
    for spec, target in (("3.13t", ft313), ("3.13+freethreaded", ft313), ("3.14", ft314)):
        request = parse(spec)
        assert request is not None
        assert mismatch(request, target) is None, spec


def _venv_of(tmp_path: Path, executable: str, version: str) -> str:
    """A venv whose pyvenv.cfg names *executable* (as Python 3.11+ writes it)."""
    venv = tmp_path / f"venv-{version}"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text(
        f"home = {Path(executable).parent}\nversion = {version}\nexecutable = {executable}\n"
    )
    return str(venv)


def test_a_request_the_venvs_interpreter_meets_keeps_it(
    pythons: dict[str, str], facts: dict[str, Target], tmp_path: Path
) -> None:
    """As ``uv sync --python``: an existing venv is kept while its interpreter meets the request.

    Only where the lookup finds another (else the request stays as given, decision 123).
    """
    import argparse

    from graft.cli.venv_python import keep_venv_python, stamped

    venv = _venv_of(tmp_path, pythons["old311"], "3.11.2")

    def kept(spec: str, where: str = "--python") -> tuple[bool, str]:
        args = argparse.Namespace(venv=venv, python=spec, python_from=where)
        return keep_venv_python(args, foreign=False), args.python

    assert find_interpreter(">=3.11,<3.13") == pythons["path312"]
    assert kept(">=3.11,<3.13") == (True, pythons["old311"]), "not 3.12.3: the venv's meets it"
    assert kept("3.11") == (True, pythons["old311"]), "not pyenv's newest 3.11"
    assert kept("cpython") == (True, pythons["old311"])
    assert kept("3.12") == (False, "3.12"), "not met: rebuilt on what the lookup finds"
    assert kept("pypy") == (False, "pypy")
    assert kept("python3.11") == (True, pythons["old311"])
    assert kept("~=3.11.0,!=3.11.10") == (False, "~=3.11.0,!=3.11.10"), "the lookup's own"
    assert kept(pythons["new311"]) == (False, pythons["new311"]), "a path names its file"
    assert kept(">=3.11,<3.12", "GRAFT_PYTHON") == (True, pythons["old311"])
    with pytest.raises(TargetError) as caught:  # said as its own, as before
        kept("3.10", "GRAFT_PYTHON")
    assert caught.value.where == "GRAFT_PYTHON"
    with pytest.raises(TargetError, match="is not a version specifier"):
        kept(">=3.x")
    assert not keep_venv_python(
        argparse.Namespace(venv=venv, python=">=3.11,<3.13"), foreign=True
    ), "a foreign target's own"
    # the no-op stamp checks the venv's interpreter by its path where a request keeps it
    assert stamped(">=3.11,<3.13", venv) == pythons["old311"]
    assert _finds_the_same(stamped(">=3.11,<3.13", venv) or "", pythons["old311"])
    assert stamped("3.12", venv) == "3.12"
    assert stamped("python", venv) == "python", "an executable's name is looked up"
    assert stamped(None, venv) is None


def _linked_venv(tmp_path: Path, cfg: str, *links: tuple[str, str]) -> Path:
    """A venv of *cfg*'s pyvenv.cfg whose ``bin`` holds *links* (name, target), as venv makes."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(cfg)
    for name, target in links:
        (venv / "bin" / name).symlink_to(target)
    return venv


def test_a_pypy_venv_keeps_pypy_not_the_python_its_home_holds(tmp_path: Path) -> None:
    """PyPy's venvs name no ``executable``, and ``home`` may hold another Python's python3.9.

    ``pypy3 -m venv`` (as uv's and graft's) links ``bin/python -> pypy3 -> /usr/bin/pypy3``:
    pip in it runs PyPy, so a sync without ``--python`` keeps PyPy, not CPython 3.9 (nor,
    with no ``python3.9`` there, graft's own interpreter).
    """
    from graft.venv.interpreter import venv_interpreter

    home = tmp_path / "usr" / "bin"
    pypy = _exe(home / "pypy3")
    cfg = f"home = {home}\ninclude-system-site-packages = false\nversion = 3.9.16\n"
    venv = _linked_venv(tmp_path, cfg, ("python", "pypy3"), ("pypy3", pypy))
    assert venv_interpreter(str(venv)) == pypy, "no python3.9 beside it"
    _exe(home / "python3.9")  # a CPython 3.9 in the same directory
    assert venv_interpreter(str(venv)) == pypy, "not the CPython its home holds"


def test_a_cpython_venv_keeps_the_interpreter_pyvenv_cfg_names(tmp_path: Path) -> None:
    """Its ``executable`` (or ``home``'s pythonX.Y) where ``bin/python`` leads to that file."""
    from graft.venv.interpreter import venv_interpreter

    home = tmp_path / "usr" / "bin"
    exact = _exe(home / "python3.11")
    (home / "python3").symlink_to("python3.11")
    cfg = f"home = {home}\nversion = 3.11.2\nexecutable = {exact}\n"
    venv = _linked_venv(tmp_path, cfg, ("python", "python3"), ("python3", str(home / "python3")))
    assert venv_interpreter(str(venv)) == exact, "pyvenv.cfg's name for it, not the link's"
    (venv / "bin" / "python3").unlink()
    (venv / "bin" / "python3").symlink_to(tmp_path / "gone" / "python3")
    assert venv_interpreter(str(venv)) == exact, "a link to nothing does not overrule it"
    (venv / "bin" / "python").unlink()
    _exe(venv / "bin" / "python")  # (--copies: nothing to follow)
    (venv / "pyvenv.cfg").write_text(f"home = {home}\nversion = 3.11.2\n")
    assert venv_interpreter(str(venv)) == exact


@pytest.fixture
def pyenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """PATH as a pyenv user's: pyenv's shims first, another tool's shims, the system's."""
    root, system = tmp_path / "pyenv", tmp_path / "usr" / "bin"
    for name in ("python", "python3", "python3.11", "python3.12", "python3.13"):
        _exe(root / "shims" / name)
    found = {
        "other-shim": _exe(tmp_path / "asdf" / "shims" / "python"),
        "system3": _exe(system / "python3"),
        "system312": _exe(system / "python3.12"),
        "system313": _exe(system / "python3.13"),
    }
    for version, names in [
        ("3.11.7", ("python", "python3", "python3.11")),
        ("3.12.1", ("python", "python3", "python3.12")),
        ("3.12.3rc1", ("python", "python3", "python3.12")),
        ("3.13.1t", ("python", "python3", "python3.13t")),
    ]:
        for name in names:
            found[f"{version}/{name}"] = _exe(root / "versions" / version / "bin" / name)
    (root / "version").write_text("3.11.7\n")
    path = [tmp_path / "asdf" / "shims", root / "shims", system]
    monkeypatch.setenv("PATH", os.pathsep.join(map(str, path)))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    for name in ("PYENV_VERSION", "PYENV_DIR"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "project" / "src").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "project" / "src")
    return found


def test_a_pyenv_shim_is_the_file_pyenv_runs(
    pyenv: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a shell (and uv) runs ``python``: pyenv's choice, read, never run (decision 124)."""
    assert by_name("python") == pyenv["3.11.7/python"], "the global version's"
    assert by_name("python3") == pyenv["3.11.7/python3"]
    assert by_name("3.11") == pyenv["3.11.7/python3.11"]
    assert by_name("3.12") == pyenv["system312"], "not 3.11.7's: pyenv then tries the system"
    assert not _finds_the_same("python", pyenv["system3"])
    assert _finds_the_same("python", pyenv["3.11.7/python"])
    (tmp_path / "project" / ".python-version").write_text("# pinned\npython-3.12 extra\n")
    assert by_name("python") == pyenv["3.12.1/python"], "the local file, a prefix: 3.12.1"
    assert not _finds_the_same("python", pyenv["3.11.7/python"]), "looked up again"
    monkeypatch.setenv("PYENV_VERSION", "3.10:3.13t")  # (3.10 is not installed: skipped)
    assert by_name("python") == pyenv["3.13.1t/python"]
    assert by_name("python3.13") == pyenv["system313"], "3.13.1t has only python3.13t"
    monkeypatch.setenv("PYENV_VERSION", "system")
    assert by_name("python3") == pyenv["system3"]
    assert by_name("python") is None, "the system has none, nor the other tool's shim"
    monkeypatch.setenv("PYENV_VERSION", "3.99")
    assert by_name("python") is None, "pyenv: command not found"
    monkeypatch.delenv("PYENV_VERSION")
    monkeypatch.setenv("PYENV_DIR", str(tmp_path))  # (no file there: the working directory's)
    assert by_name("python") == pyenv["3.12.1/python"]
