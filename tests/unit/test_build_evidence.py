"""Evidence that a source may build differently per interpreter (graft.build.evidence)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from graft.build.assessment import RULES
from graft.build.evidence import COMPILER_VARIABLES, SourceFacts, assess, scan
from graft.build.project import read_project


def facts(
    backend: str = "setuptools.build_meta",
    requires: tuple[str, ...] = ("setuptools>=61",),
    backend_path: tuple[str, ...] = (),
    compiled: tuple[str, ...] = (),
    scripts: tuple[tuple[str, str], ...] = (),
    hooks: tuple[str, ...] = (),
) -> SourceFacts:
    return SourceFacts(backend, requires, backend_path, compiled, scripts, hooks)


def kinds(assessment: object) -> set[str]:
    return {e.kind for e in assessment.evidence}  # type: ignore[attr-defined]


def test_a_plain_setuptools_project_is_pure() -> None:
    result = assess(facts(scripts=(("setup.py", "from setuptools import setup\nsetup()\n"),)))
    assert not result.may_differ
    assert result.evidence == ()


def test_markupsafe_like_setup_py() -> None:
    setup = (
        "import platform\nfrom setuptools import Extension, setup\n"
        "from setuptools.command.build_ext import build_ext\n"
        "if platform.python_implementation() not in {'PyPy'}:\n"
        "    setup(ext_modules=[Extension('m._speedups', ['src/m/_speedups.c'])])\n"
    )
    result = assess(facts(compiled=("src/m/_speedups.c",), scripts=(("setup.py", setup),)))
    assert result.may_differ
    assert {"compiled-source", "extension-setup", "implementation-check"} <= kinds(result)
    assert set(COMPILER_VARIABLES) <= set(result.variables)


def test_version_checks_in_any_spelling_are_evidence() -> None:
    """``install_requires`` chosen by the interpreter's version: a wheel of another metadata."""
    for check in (
        "if sys.hexversion < 0x030B0000:\n    deps.append('x')\n",
        "from sys import argv, version_info\nif version_info < (3, 11): deps.append('x')\n",
        "PY2 = sys.version[0] == '2'\n",
        "if sys.version.startswith('2'): pass\n",
        "if platform.python_version_tuple() < ('3', '11'): pass\n",
        "if sys.version_info < (3, 11): pass\n",
    ):
        result = assess(facts(scripts=(("setup.py", check),)))
        assert result.may_differ, check
        assert kinds(result) == {"implementation-check"}, check
    for harmless in ("from sys import argv\n", "__version_info__ = (1, 2)\nVERSION = '1'\n"):
        assert not assess(facts(scripts=(("setup.py", harmless),))).may_differ, harmless


def test_opt_out_variables_are_evidence_and_inputs() -> None:
    setup = "import os\nPURE = os.environ.get('MSGPACK_PUREPYTHON')\nX = 'AIOHTTP_NO_EXTENSIONS'\n"
    result = assess(facts(scripts=(("setup.py", setup),)))
    assert result.may_differ
    assert "MSGPACK_PUREPYTHON" in result.variables
    assert "AIOHTTP_NO_EXTENSIONS" in result.variables
    assert "opt-out-variable" in kinds(result)


def test_variables_read_by_a_pure_setup_py_are_inputs() -> None:
    result = assess(facts(scripts=(("setup.py", "import os\nV = os.getenv('MYPKG_VERSION')\n"),)))
    assert not result.may_differ
    assert result.variables == ("MYPKG_VERSION",)


def test_compiling_requirements() -> None:
    for req in ("Cython>=3", "cffi", "setuptools-rust", "pybind11", "scikit-build-core", "maturin"):
        assert assess(facts(requires=("setuptools", req))).may_differ, req
    assert "compiling-requirement" in kinds(assess(facts(requires=("cython",))))
    # pyyaml names Cython twice, each line with its own marker: one line of evidence
    twice = ('Cython<3; python_version < "3.13"', 'Cython>=3.0.11; python_version >= "3.13"')
    said = [str(e) for e in assess(facts(requires=twice)).evidence]
    assert len(said) == len(set(said)) == 1, said


def test_in_tree_backend_is_never_pure() -> None:
    result = assess(facts(backend="flit_core.buildapi", backend_path=("_build",)))
    assert result.may_differ
    assert "in-tree-backend" in kinds(result)


@given(
    st.sampled_from(["flit_core.buildapi", "uv_build", "hatchling.build", "pdm.backend"]),
    st.lists(st.sampled_from(["a.c", "b.pyx", "Cargo.toml", "x.cpp"]), max_size=3),
)
def test_pure_backends_cannot_compile(backend: str, compiled: list[str]) -> None:
    result = assess(facts(backend=backend, requires=("x",), compiled=tuple(sorted(compiled))))
    assert not result.may_differ
    assert "pure-backend" in kinds(result)


def test_build_hooks_make_hatchling_and_pdm_not_pure() -> None:
    for backend in ("hatchling.build", "pdm.backend"):
        result = assess(facts(backend=backend, hooks=("hatch_build.py",)))
        assert result.may_differ
        assert "build-hook" in kinds(result)
    # flit_core has no hooks to run: a hook name there means nothing
    assert not assess(facts(backend="flit_core.buildapi", hooks=("x",))).may_differ


def test_assessment_round_trips() -> None:
    result = assess(facts(compiled=("a.c",)))
    assert type(result).from_dict(result.to_dict()) == result
    assert "a.c" in result.describe()


def test_scan_reads_the_tree(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        "[tool.hatch.build.targets.wheel.hooks.custom]\n"
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "fast.c").write_text("int x;\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "ignored.c").write_text("")
    found = scan(read_project(str(tmp_path)))
    assert found.compiled == ("src/fast.c",)
    assert found.build_hooks == ("tool.hatch.build.targets.wheel.hooks.custom",)
    assert assess(found).may_differ


def test_pypy_checks_in_any_spelling_are_evidence() -> None:
    """simplejson's ``pypy_translation_info``, cffi's ``__pypy__`` (decision 258)."""
    for check in (
        "IS_PYPY = hasattr(sys, 'pypy_translation_info')\n",
        "if '__pypy__' in sys.builtin_module_names:\n    deps = []\n",
        "try:\n    import __pypy__\nexcept ImportError:\n    deps.append('cffi')\n",
        "from platform import python_version_tuple\nif python_version_tuple() < ('3',): pass\n",
        "from distutils.sysconfig import get_python_version\nV = get_python_version()\n",
        "ABI = sys.abiflags\n",
    ):
        result = assess(facts(scripts=(("setup.py", check),)))
        assert result.may_differ, check
        assert kinds(result) == {"implementation-check"}, check


def test_more_compiling_requirements() -> None:
    for req in ("cppy>=1.2", "extension-helpers", "pythran", "cmake", "ninja", "hatch-mypyc"):
        result = assess(facts(requires=("setuptools", req)))
        assert result.may_differ, req
        assert kinds(result) == {"compiling-requirement"}, req


@given(st.sampled_from(["vcs", "version"]), st.booleans())
def test_a_hatchling_hook_that_writes_the_version_is_no_evidence(name: str, wheel: bool) -> None:
    """hatch-vcs' ``vcs`` hook (platformdirs, filelock) writes a version file (decision 259)."""
    where = "tool.hatch.build.targets.wheel.hooks" if wheel else "tool.hatch.build.hooks"
    result = assess(facts(backend="hatchling.build", hooks=(f"{where}.{name}",)))
    assert not result.may_differ
    assert kinds(result) == {"pure-backend", "version-hook"}
    with_custom = assess(
        facts(backend="hatchling.build", hooks=(f"{where}.{name}", "hatch_build.py"))
    )
    assert with_custom.may_differ
    assert [str(e) for e in with_custom.evidence] == ["build-hook: hatch_build.py"]
    # only hatchling names its hooks so; another backend's hook of that name is evidence
    assert assess(facts(backend="pdm.backend", hooks=(f"{where}.{name}",))).may_differ


def test_scan_finds_poetrys_build_script_and_pyproject_extensions(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
        '[tool.poetry.build]\nscript = "build.py"\n'
    )
    (tmp_path / "build.py").write_text("import platform\nIMPL = platform.python_implementation()\n")
    found = scan(read_project(str(tmp_path)))
    assert found.build_hooks == ("tool.poetry.build script build.py",)
    assert ("build.py", "import platform\nIMPL = platform.python_implementation()\n") in (
        found.scripts
    )
    result = assess(found)
    assert result.may_differ
    assert kinds(result) == {"build-hook", "implementation-check"}
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
        '[tool.poetry]\nbuild = "../outside.py"\n'
    )
    outside = scan(read_project(str(tmp_path)))
    assert outside.build_hooks == ("tool.poetry.build script ../outside.py",)
    assert outside.scripts == ()
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=74.1"]\nbuild-backend = "setuptools.build_meta"\n'
        '[[tool.setuptools.ext-modules]]\nname = "pkg._fast"\nsources = ["gen/fast.c"]\n'
    )
    declared = assess(scan(read_project(str(tmp_path))))
    assert declared.may_differ
    assert "extension-setup: pyproject.toml: tool.setuptools.ext-modules" in declared.describe()


def test_scan_of_a_hatch_vcs_project_is_pure(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n'
        '[tool.hatch.build.hooks.vcs]\nversion-file = "src/pkg/version.py"\n'
    )
    result = assess(scan(read_project(str(tmp_path))))
    assert not result.may_differ
    assert "version-hook: tool.hatch.build.hooks.vcs writes only the version" in result.describe()


def test_old_assessments_say_their_rules() -> None:
    """An assessment kept before the rules were versioned reads as rules 1 (decision 258)."""
    result = assess(facts())
    assert result.rules == RULES >= 2
    kept = result.to_dict()
    del kept["rules"]
    assert type(result).from_dict(kept).rules == 1


def test_compiled_sources_of_tests_and_examples_are_not_built(tmp_path: Path) -> None:
    """pycparser's ``examples/c_files/*.c`` and ``tests/c_files``: C it parses (decision 260)."""
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup(name='p')\n")
    for folder in ("examples/c_files", "tests/c_files", "docs"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "x.c").write_text("int x;\n")
    (tmp_path / "docs" / "CMakeLists.txt").write_text("")
    found = scan(read_project(str(tmp_path)))
    assert found.compiled == ()
    assert found.unbuilt == (
        "docs/CMakeLists.txt",
        "docs/x.c",
        "examples/c_files/x.c",
        "tests/c_files/x.c",
    )
    pure = assess(found)
    assert not pure.may_differ
    assert [str(e) for e in pure.evidence] == ["unbuilt-source: docs/CMakeLists.txt (+3 more)"]
    (tmp_path / "pkg" / "tests").mkdir(parents=True)
    (tmp_path / "pkg" / "tests" / "ext.c").write_text("int y;\n")  # inside the package: built
    inside = assess(scan(read_project(str(tmp_path))))
    assert inside.may_differ
    assert [str(e) for e in inside.evidence] == ["compiled-source: pkg/tests/ext.c"]
    (tmp_path / "setup.py").write_text(
        "from setuptools import Extension, setup\n"
        "setup(name='p', ext_modules=[Extension('p._x', ['tests/c_files/x.c'])])\n"
    )
    (tmp_path / "pkg" / "tests" / "ext.c").unlink()
    named = assess(scan(read_project(str(tmp_path))))
    assert named.may_differ, "a test source an Extension( names is built: setup.py says so"


def test_tool_tables_of_another_shape_are_no_hooks(tmp_path: Path) -> None:
    """``[tool] hatch = 1`` is nothing hatchling reads: no hook, and no traceback."""
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[tool]\nhatch = 1\npdm = "x"\npoetry = {build = 3}\nsetuptools = []\n'
    )
    found = scan(read_project(str(tmp_path)))
    assert found.build_hooks == ()
    assert found.extension_tables == ()


def test_setuptools_namespace_packages_are_evidence() -> None:
    """zope.event's wheel holds ``zope.event-5.0-py3.12-nspkg.pth``: named for its builder."""
    for path, text in (
        ("setup.py", "setup(name='zope.event', namespace_packages=['zope'])\n"),
        ("setup.cfg", "[options]\nnamespace_packages = zope\n"),
    ):
        result = assess(facts(scripts=((path, text),)))
        assert result.may_differ, path
        assert [str(e) for e in result.evidence] == [
            f"version-named-file: {path}: namespace_packages"
        ]
    # PEP 420 namespaces write no .pth: setuptools' finder of them is no evidence
    for pep420 in (
        "from setuptools import find_namespace_packages as f\nsetup(packages=f())\n",
        "[options]\npackages = find_namespace:\n",
    ):
        assert not assess(facts(scripts=(("setup.py", pep420),))).may_differ, pep420
