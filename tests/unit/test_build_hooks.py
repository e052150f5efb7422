"""The two-hook sequence in one backend process, and its fallback to pyproject-hooks' API.

graft runs ``get_requires_for_build_wheel`` and ``build_wheel`` in one process through
pyproject-hooks' private in-process module; a release of pyproject-hooks that changes that
module must not break builds: the hooks then run through the public API.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

import pyproject_hooks._in_process
import pytest

from graft.build.hooks import Backend, HookEnv
from graft.build.project import BuildSystem

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

BACKEND = """\
def get_requires_for_build_wheel(config_settings=None):
    return ["more-please"]

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise SystemExit("the sequence's build fails here, as a build without more-please would")
"""


def _backend(tmp_path: Path) -> tuple[Backend, Path]:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "in_tree_backend.py").write_text(BACKEND)
    system = BuildSystem(requires=(), backend="in_tree_backend", backend_path=(".",))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = tmp_path / "work" / "out"
    out.mkdir(parents=True)
    env = HookEnv(sys.executable, (), str(scratch), isolated=False)
    return Backend(str(tree), system, env, "tree"), out


def test_the_sequence_answers_the_first_hook_in_one_process(tmp_path: Path) -> None:
    backend, out = _backend(tmp_path)
    assert backend.requires_then_build(str(out)) == (["more-please"], None)
    assert "the sequence's build fails here" in "".join(backend.log)  # it did try the build


@pytest.mark.parametrize("change", ["script-differs", "name-gone"])
def test_a_changed_in_process_module_falls_back_to_the_public_hooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    backend, out = _backend(tmp_path)
    if change == "name-gone":  # (pyproject-hooks' public API keeps its own reference)
        monkeypatch.delattr(pyproject_hooks._in_process, "_in_proc_script_path")
    else:
        script = tmp_path / "other_in_process.py"
        script.write_text("raise SystemExit(3)  # a module with other names and input\n")

        @contextlib.contextmanager
        def other() -> Iterator[Path]:
            yield script

        monkeypatch.setattr(pyproject_hooks._in_process, "_in_proc_script_path", other)
    assert backend.requires_then_build(str(out)) == (["more-please"], None)
    assert "the sequence's build fails here" not in "".join(backend.log)  # not tried


def test_a_backend_that_cannot_be_imported_is_told_from_one_whose_import_fails() -> None:
    """The backend's own module missing, against a module it imports (distutils on 3.12)."""
    from graft.build.hints import backend_unavailable

    def traceback(last: str) -> str:
        return f'Traceback (most recent call last):\n  File "x.py", line 1\n{last}\n'

    own = backend_unavailable(
        "hatchling.build", traceback("ModuleNotFoundError: No module named 'hatchling'")
    )
    assert own == (
        "the build backend 'hatchling.build' cannot be imported",
        "is it in [build-system] requires? (without build isolation: installed?)",
    )
    what, hint = backend_unavailable(
        "setuptools.build_meta", traceback("ModuleNotFoundError: No module named 'distutils'")
    )
    assert what == (
        "importing the build backend 'setuptools.build_meta' failed:"
        " ModuleNotFoundError: No module named 'distutils'"
    )
    assert "Python 3.12 has no distutils" in hint
    other = backend_unavailable("b:api", traceback("ImportError: cannot import name 'x' from 'y'"))
    assert other[0].endswith("failed: ImportError: cannot import name 'x' from 'y'")


def test_a_build_that_needs_cython_before_3_is_told_so() -> None:
    """PyYAML 5.4.1 on Python 3.12: its setup.py's build_ext meets Cython 3's, which has no
    cython_sources; uv and graft fail alike, and the hint names the constraint (decision 278)."""
    from graft.build.hints import missing_module

    log = "  AttributeError: 'build_ext' object has no attribute 'cython_sources'\n"
    assert missing_module(log, ["setuptools==84.2.1", "Cython==3.2.4", "wheel==0.46.1"]) == (
        "Cython has had no build_ext.cython_sources since 3.0.0, and the build environment held"
        " Cython 3.2.4: this build needs Cython<3.0.0 (that line in a"
        " --build-constraint FILE)"
    )
    assert missing_module(log, ["setuptools==84.2.1", "cython==0.29.37"]) is None
    gone = "ModuleNotFoundError: No module named 'pkg_resources'\n"
    assert missing_module(gone, ["setuptools==84.2.1"]) == (
        "setuptools has had no pkg_resources since 82.0.0, and the build environment held"
        " setuptools 84.2.1: this build needs setuptools<82.0.0 (that line in a"
        " --build-constraint FILE)"
    )


def test_a_build_that_needs_use_2to3_names_the_setuptools_and_the_python_it_needs() -> None:
    """pystache 0.5.4's setup(use_2to3=True) on setuptools 84: uv 0.13.9 and graft failed alike,
    neither saying what would build it; setuptools<58 does, on Python 3.11 (decision 424)."""
    from graft.build.hints import missing_module

    log = "error in pystache setup command: use_2to3 is invalid.\n"
    hint = missing_module(log, ["setuptools==84.2.1"], "3.12.1")
    assert hint == (
        "setuptools has had no use_2to3 since 58.0.0, and the build environment held"
        " setuptools 84.2.1: this build needs setuptools<58.0.0 (that line in a"
        " --build-constraint FILE), and Python 3.11 or older"
        " (--python): setuptools<58.0.0 does not run on Python 3.12"
    )
    assert missing_module(log, ["setuptools==84.2.1"], "3.13.0") == hint
    assert missing_module(log, ["setuptools==84.2.1"], "3.11.7") == hint.partition(", and Py")[0]
    assert missing_module(log, ["setuptools==57.5.0"], "3.10.13") is None


def test_a_header_cpython_moved_is_told_from_a_library_s_by_the_target_s_version() -> None:
    """typed-ast 1.4.3 on Python 3.12 misses ``code.h``, which 3.11 moved to ``cpython/``:
    graft (as uv 0.13.9) said to install a library's development files (decision 425)."""
    from graft.build.hints import missing_header

    log = (
        "ast27/Include/compile.h:5:10: fatal error: code.h: No such file or directory\n"
        "compilation terminated.\nerror: command '/usr/bin/gcc' failed with exit code 1\n"
    )
    assert missing_header(log, "3.12.1") == (
        "its C code includes 'code.h', which Python 3.11 no longer has there (code written for"
        " an older Python, or an older Cython's): build it with Python 3.10 or older"
        " (--python), or take a newer release of the project"
    )
    assert missing_header(log) == missing_header(log, "3.11.0")
    # where the target's Python still has CPython's code.h, the missing one is a library's
    said = missing_header(log, "3.10.13")
    assert said is not None
    assert said.startswith("the compiler found no 'code.h': install the development files")


@pytest.mark.parametrize(
    "error",
    [
        "lib/zoneinfo_module.c:600:19: error: \u2018_PyLong_One\u2019 undeclared (first use)",
        "x.c:9:5: error: implicit declaration of function '_PyUnicode_AsString'",
        "x.c:9:5: error: too few arguments to function '_PyLong_AsByteArray'",
        "x.c:9:5: error: 'PyFrameObject' {aka 'struct _frame'} has no member named 'f_code'",
        "x.c:9:5: error: use of undeclared identifier '_PyLong_One'",
    ],
)
def test_a_compile_that_fails_on_an_older_python_s_c_api_says_to_take_an_older_python(
    error: str,
) -> None:
    """backports.zoneinfo 0.2.1 on 3.10-3.13: uv 0.13.9 and graft failed alike, saying only
    that the build failed (decision 425). numpy's C API is not CPython's."""
    from graft.build.hints import old_c_api

    log = f"{error}\nerror: command '/usr/bin/gcc' failed with exit code 1\n"
    said = old_c_api(log, "3.12.1")
    assert said is not None
    assert said.startswith("its C code was written for an older Python's C API (built for")
    assert said.endswith(
        "): build it with an older Python (--python), or take a newer release of the project"
    )
    assert error.partition(": error: ")[2].removesuffix(" (first use)") in said
    numpy = "x.c:9:5: error: 'PyArray_Descr' has no member named 'subarray'"
    assert old_c_api(numpy, "3.12.1") is None
    assert old_c_api("x.c:9:5: error: 'spam' undeclared", "3.12.1") is None


#: An old ``setup.py``'s first line on Python 3.12 (pathtools 0.1.2: ``import imp``), raised
#: as that interpreter raises it, whatever Python runs the test.
REMOVED = """\
def get_requires_for_build_wheel(config_settings=None):
    raise ModuleNotFoundError("No module named 'imp'", name="imp")
"""


def test_a_build_that_imports_a_module_python_dropped_says_which_python_has_it(
    tmp_path: Path,
) -> None:
    """pathtools 0.1.2 on 3.12: no build requirement brings ``imp`` back (decision 390)."""
    from graft.build.hints import REMOVED_FROM_PYTHON, removed_module
    from graft.errors import BuildError

    backend, _ = _backend(tmp_path)
    (tmp_path / "tree" / "in_tree_backend.py").write_text(REMOVED)
    with pytest.raises(BuildError) as caught:
        backend.requires()
    assert caught.value.hint is not None
    assert caught.value.hint.endswith(
        "; the build imports 'imp', which the standard library dropped in Python 3.12: build"
        " it with Python 3.11 or older (--python), or take a newer release of the project"
    )
    for release, modules in REMOVED_FROM_PYTHON.items():
        for module in modules:
            said = removed_module(f"x\nModuleNotFoundError: No module named '{module}.sub'\n")
            assert said is not None
            assert f"{module!r}, which the standard library dropped in Python {release}" in said
    # the last missing module is the cause; one no Python dropped is no such hint
    mixed = "ModuleNotFoundError: No module named 'imp'\nModuleNotFoundError: No module named 'x'"
    assert removed_module(mixed) is None
    assert removed_module("ModuleNotFoundError: No module named 'important'") is None
    assert removed_module("no traceback at all") is None


#: lxml 4.6.3 on Python 3.12: its shipped etree.c (Cython 0.29.21's) includes a header 3.11
#: moved; the compiler's lines, then setuptools' (as its build prints them).
OLD_CYTHON = """\
import sys

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    print('src/lxml/etree.c:289:12: fatal error: longintrepr.h: No such file or directory')
    print('  289 |   #include "longintrepr.h"')
    print('compilation terminated.')
    print("Compile failed: Command '['gcc', '-c', 'src/lxml/etree.c']' returned non-zero")
    print("error: Command '['gcc', '-c', 'src/lxml/etree.c']' failed with exit code 1")
    sys.exit(1)
"""


def test_a_compile_that_misses_a_header_says_what_provides_it(tmp_path: Path) -> None:
    """A header Python moved needs an older Python; any other, a library's development files;
    a missing header another error follows (a configure probe's) says nothing (decision 392)."""
    from graft.build.hints import MOVED_HEADERS, missing_header
    from graft.errors import BuildError

    backend, out = _backend(tmp_path)
    (tmp_path / "tree" / "in_tree_backend.py").write_text(OLD_CYTHON)
    with pytest.raises(BuildError) as caught:
        backend.build(str(out))
    assert caught.value.hint is not None
    assert caught.value.hint.endswith(
        "; its C code includes 'longintrepr.h', which Python 3.11 no longer has there (code"
        " written for an older Python, or an older Cython's): build it with Python 3.10 or"
        " older (--python), or take a newer release of the project"
    )
    for header, release in MOVED_HEADERS.items():
        said = missing_header(f"x.c:1:10: fatal error: {header}: No such file or directory\n")
        assert said is not None
        assert f"{header!r}, which Python {release} no longer has there" in said
    lib = "psycopg.c:1:10: fatal error: libpq-fe.h: No such file or directory\ncompilation"
    assert missing_header(f"{lib} terminated.\nerror: command '/usr/bin/gcc' failed") == (
        "the compiler found no 'libpq-fe.h': install the development files of the library"
        " that provides it (a -dev or -devel package), or take a release with a wheel for the"
        " target"
    )
    own = "etree.c:96:10: fatal error: Python.h: No such file or directory\ncompilation"
    said = missing_header(f"{own} terminated.\nerror: command '/usr/bin/gcc' failed")
    assert said is not None  # (PyPy from Debian without pypy3-dev: lxml 6.2.1, decision 411)
    assert said.startswith("the compiler found no 'Python.h': install the development files of")
    assert "the Python it builds for (Debian and Ubuntu: python3.X-dev, pypy3-dev" in said
    assert missing_header(f"{lib} terminated.\nRuntimeError: Broken toolchain: error") is None
    assert missing_header("error: Microsoft Visual C++ 14.0 or greater is required.") is None
