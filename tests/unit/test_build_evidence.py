"""Evidence that a source may build differently per interpreter (graft.build.evidence)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

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
