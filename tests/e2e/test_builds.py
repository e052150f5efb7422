"""Builds of real sdists across interpreters: reused only where the source cannot differ.

The issue's acceptance sequence (Gentoo bug 931689; research/resolve_build_variants.md §2):
markupsafe 3.0.2 and msgpack 1.1.1 built by PyPy first (a pure ``py3-none-any`` wheel),
then for CPython 3.11 and 3.12 from the same store and cache, by ``graft build`` and by
``graft sync``: CPython must get a wheel with the extension (and import it), where uv 0.13.9
reuses PyPy's pure wheel. A flit_core sdist (tomli) is built
once and reused by every CPython. ``MSGPACK_PUREPYTHON=1`` is a build input: its wheel never
serves a build where the variable is unset.

Sdists and backend wheels come from PyPI once (cached); the build environments come from
a find-links directory with ``--no-index``, so graft's own resolver is not needed (build
requirements are pinned by ``--build-constraint``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from graft.errors import TargetError
from graft.venv.interpreter import find_interpreter
from tests.support.pypifiles import (
    FLIT_CORE,
    HATCH_VCS,
    MARKUPSAFE,
    MSGPACK,
    PACKAGING,
    PLATFORMDIRS,
    PYCPARSER,
    SETUPTOOLS,
    TOMLI,
    ZOPE_EVENT,
    release_files,
)

from .venvs import graft_env

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("builds")]


def interpreter(spec: str) -> str:
    try:
        return find_interpreter(spec)
    except TargetError as exc:
        pytest.skip(f"interpreter {spec} is not installed here ({exc.what})")


@pytest.fixture
def sources() -> Path:
    return release_files(FLIT_CORE, SETUPTOOLS, TOMLI, MARKUPSAFE, MSGPACK)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, Path]:
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("setuptools==75.3.0\nflit_core==3.10.1\n")
    return {
        "cache": tmp_path / "cache",
        "store": tmp_path / "store",
        "out": tmp_path / "out",
        "constraints": constraints,
    }


def build(
    env: dict[str, Path],
    sources: Path,
    sdist: str,
    *args: str,
    extra_env: dict[str, str] | None = None,
) -> list[dict[str, object]]:
    cmd = [
        sys.executable,
        "-m",
        "graft",
        "build",
        str(sources / sdist),
        *args,
        "--find-links",
        str(sources),
        "--no-index",
        "--build-constraint",
        str(env["constraints"]),
        "--store",
        str(env["store"]),
        "-o",
        str(env["out"]),
        "--json",
    ]
    environ = {**graft_env(env["cache"]), **(extra_env or {})}
    run = subprocess.run(
        cmd, env=environ, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    assert run.returncode == 0, f"{' '.join(cmd)}\n{run.stderr}"
    outcomes: list[dict[str, object]] = json.loads(run.stdout)["wheels"]
    return outcomes


def members(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        return zf.namelist()


def has_extension(wheel: Path, stem: str) -> bool:
    return any(m.split("/")[-1].startswith(stem) and m.endswith(".so") for m in members(wheel))


@pytest.mark.parametrize(
    ("sdist", "extension"),
    [("markupsafe-3.0.2.tar.gz", "_speedups"), ("msgpack-1.1.1.tar.gz", "_cmsgpack")],
)
def test_pypy_first_then_cpython_gets_the_extension(
    sources: Path, env: dict[str, Path], sdist: str, extension: str
) -> None:
    pypy = interpreter("pypy3")
    cp311, cp312 = interpreter("3.11"), interpreter("3.12")
    first = build(env, sources, sdist, "--python", pypy)
    assert first[0]["action"] == "built"
    assert str(first[0]["wheel"]).endswith("-py3-none-any.whl")
    assert not has_extension(env["out"] / str(first[0]["wheel"]), extension)
    then = build(env, sources, sdist, "--python", cp311, "--python", cp312)
    assert [o["action"] for o in then] == ["built", "built"]
    for outcome, tag in zip(then, ("cp311", "cp312"), strict=True):
        assert f"-{tag}-{tag}-" in str(outcome["wheel"])
        assert has_extension(env["out"] / str(outcome["wheel"]), extension)
        assert "may build differently" in str(outcome["why"])
    again = build(env, sources, sdist, "--python", cp312)
    assert again[0]["action"] == "reused", "CPython 3.12's own build serves it"
    verify = build(env, sources, sdist, "--python", cp311, "--reuse-builds", "verify")
    differences = verify[0]["differences"]
    assert isinstance(differences, list)
    # compared with CPython 3.11's own wheel: the same files; a compiled file's bytes may
    # differ between two builds (build paths in its debug information), nothing else
    assert all(d["how"] == "content differs" for d in differences), differences
    assert all(str(d["path"]).endswith(".so") for d in differences), differences


@pytest.mark.parametrize(
    ("requirement", "module"),
    [("markupsafe==3.0.2", "markupsafe._speedups"), ("msgpack==1.1.1", "msgpack._cmsgpack")],
)
def test_synced_by_pypy_first_then_cpython_imports_the_extension(
    sources: Path, env: dict[str, Path], tmp_path: Path, requirement: str, module: str
) -> None:
    """The issue's sequence as a user runs it: three ``graft sync`` into one store and cache."""
    pythons = {"pypy": interpreter("pypy3"), "cp311": interpreter("3.11")}
    pythons["cp312"] = interpreter("3.12")
    name = requirement.partition("==")[0]
    environ = graft_env(env["cache"])
    for label, python in pythons.items():
        cmd = [sys.executable, "-m", "graft", "sync", str(tmp_path / label), requirement]
        cmd += ["--python", python, "--no-binary", name, "--find-links", str(sources)]
        cmd += ["--no-index", "--build-constraint", str(env["constraints"])]
        cmd += ["--store", str(env["store"]), "-v"]
        run = subprocess.run(
            cmd, env=environ, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
        )
        assert run.returncode == 0, f"{' '.join(cmd)}\n{run.stderr}"
        made = [
            line
            for line in run.stderr.lower().splitlines()
            if line.startswith(f"graft: built {name}-")
        ]
        assert len(made) == 1, f"{label} builds its own wheel:\n{run.stderr}"
        imported = subprocess.run(
            [str(tmp_path / label / "bin" / "python"), "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if label == "pypy":
            assert "-py3-none-any.whl" in made[0], made
            assert imported.returncode != 0, f"PyPy's wheel has no {module}"
        else:
            assert f"-{label}-{label}-" in made[0], made
            assert imported.returncode == 0, imported.stderr


def test_verify_reports_the_extension_pypy_left_out(sources: Path, env: dict[str, Path]) -> None:
    pypy, cp311 = interpreter("pypy3"), interpreter("3.11")
    build(env, sources, "markupsafe-3.0.2.tar.gz", "--python", pypy)
    verify = build(
        env, sources, "markupsafe-3.0.2.tar.gz", "--python", cp311, "--reuse-builds", "verify"
    )
    assert "the rule refuses it" in str(verify[0]["why"])
    differences = verify[0]["differences"]
    assert isinstance(differences, list)
    added = [d["path"] for d in differences if d["how"] == "only in the rebuilt wheel"]
    assert any(p.startswith("markupsafe/_speedups") and p.endswith(".so") for p in added)


def test_a_flit_core_sdist_is_built_once_for_four_cpythons(
    sources: Path, env: dict[str, Path]
) -> None:
    found = []
    for version in ("3.10", "3.11", "3.12", "3.13"):
        found += ["--python", interpreter(version)]
    outcomes = build(env, sources, "tomli-2.0.1.tar.gz", *found)
    assert [o["action"] for o in outcomes] == ["built", "reused", "reused", "reused"]
    assert len({o["sha256"] for o in outcomes}) == 1
    assert len(list((env["cache"] / "builds").glob("sdist-*/*/*.json"))) == 1


def test_an_opt_out_variable_is_a_build_input(sources: Path, env: dict[str, Path]) -> None:
    cp311, cp312 = interpreter("3.11"), interpreter("3.12")
    pure = build(
        env,
        sources,
        "msgpack-1.1.1.tar.gz",
        "--python",
        cp311,
        "--python",
        cp312,
        extra_env={"MSGPACK_PUREPYTHON": "1"},
    )
    assert [o["action"] for o in pure] == ["built", "built"]  # may differ: per interpreter
    assert all(str(o["wheel"]).endswith("-py3-none-any.whl") for o in pure)
    unset = build(env, sources, "msgpack-1.1.1.tar.gz", "--python", cp311, "--python", cp312)
    assert [o["action"] for o in unset] == ["built", "built"], "never the MSGPACK_PUREPYTHON wheel"
    for outcome in unset:
        assert has_extension(env["out"] / str(outcome["wheel"]), "_cmsgpack")


def test_a_setuptools_namespace_package_is_built_for_each_python(env: dict[str, Path]) -> None:
    """zope.event 5.0 is pure Python, but setuptools names its wheel's ``-nspkg.pth`` for the
    Python that builds it: pip's build on 3.12 ships ``zope.event-5.0-py3.12-nspkg.pth``, and
    graft reused 3.11's wheel (``-py3.11-nspkg.pth``) there before decision 258."""
    sources = release_files(SETUPTOOLS, ZOPE_EVENT)
    made = {}
    for version in ("3.11", "3.12"):
        outcome = build(env, sources, ZOPE_EVENT[1], "--python", interpreter(version))[0]
        assert outcome["action"] == "built", outcome
        assessment = outcome["assessment"]
        assert isinstance(assessment, dict)
        assert ["version-named-file", "setup.py: namespace_packages"] in assessment["evidence"]
        wheel = env["out"] / str(outcome["wheel"])
        made[version] = [m for m in members(wheel) if m.endswith("-nspkg.pth")]
    assert made == {
        "3.11": ["zope.event-5.0-py3.11-nspkg.pth"],
        "3.12": ["zope.event-5.0-py3.12-nspkg.pth"],
    }


@pytest.mark.parametrize(
    ("sdist", "note", "also"),
    [
        # its C files are what its parser's tests and examples read (decision 260)
        (PYCPARSER, ["unbuilt-source", "examples/c_files/basic.c (+12 more)"], ()),
        # hatch-vcs' hook writes the version file (decision 259)
        (
            PLATFORMDIRS,
            ["version-hook", "tool.hatch.build.hooks.vcs writes only the version"],
            HATCH_VCS,
        ),
    ],
    ids=["pycparser", "platformdirs"],
)
def test_a_pure_source_once_judged_otherwise_is_built_once(
    env: dict[str, Path],
    sdist: tuple[str, str],
    note: list[str],
    also: tuple[tuple[str, str], ...],
) -> None:
    sources = release_files(SETUPTOOLS, sdist, *also)
    pythons = ("--python", interpreter("3.12"), "--python", interpreter("3.13"))
    outcomes = build(env, sources, sdist[1], *pythons)
    assert [o["action"] for o in outcomes] == ["built", "reused"], outcomes
    assert "pure source" in str(outcomes[1]["why"])
    assessment = outcomes[1]["assessment"]
    assert isinstance(assessment, dict)
    assert assessment["may_differ"] is False
    assert note in assessment["evidence"]


def test_what_uv_does_on_the_same_sequence(sources: Path, tmp_path: Path) -> None:
    """uv's built-wheel cache ignores the interpreter: CPython reuses PyPy's pure wheel.

    Not graft's behaviour, shown for comparison: the test fails only if uv cannot run the
    sequence; what uv gives is printed (``-s``) and returned in the assertion message.
    """
    pypy, cp311 = interpreter("pypy3"), interpreter("3.11")
    uv = Path(sys.executable).with_name("uv")
    if not uv.is_file():
        pytest.skip("uv is not installed next to this interpreter (pip install -e '.[dev]')")
    environ = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_NO_CONFIG": "1"}
    found = {}
    for name, python in (("pypy", pypy), ("cp311", cp311)):
        venv = tmp_path / name
        subprocess.run([str(uv), "venv", "-q", "-p", python, str(venv)], env=environ, check=True)
        subprocess.run(
            [
                str(uv),
                "pip",
                "install",
                "-q",
                "-p",
                str(venv / "bin" / "python"),
                "--no-index",
                "--find-links",
                str(sources),
                "--no-binary",
                "markupsafe",
                "markupsafe==3.0.2",
            ],
            env=environ,
            check=True,
        )
        found[name] = sorted(
            p.name for p in venv.glob("lib/*/site-packages/markupsafe/_speedups*.so")
        )
    print(f"uv: CPython 3.11 after PyPy built markupsafe: _speedups {found['cp311'] or 'MISSING'}")
    assert found["pypy"] == [], "PyPy builds markupsafe without its extension"
    assert found.keys() == {"pypy", "cp311"}


def sync(cache: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``graft sync`` from PyPI (the network), with the test's own cache."""
    cmd = [sys.executable, "-m", "graft", "sync", *map(str, args), "-v"]
    run = subprocess.run(
        cmd,
        env=graft_env(cache),
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, f"{' '.join(cmd)}\n{run.stderr}"
    return run


def notes(run: subprocess.CompletedProcess[str], project: str) -> list[str]:
    """The -v lines saying what was built or reused for *project*."""
    return [
        line.removeprefix("graft: ")
        for line in run.stderr.splitlines()
        if line.startswith(("graft: built ", "graft: reused ")) and f" {project}-" in line
    ]


def test_docopt_an_sdist_only_release_syncs_from_the_index(tmp_path: Path) -> None:
    cache, store = tmp_path / "cache", tmp_path / "store"
    first = sync(cache, tmp_path / "v1", "docopt==0.6.2", "--store", store)
    assert notes(first, "docopt")[0].startswith("built docopt-0.6.2-py2.py3-none-any.whl")
    python = tmp_path / "v1" / "bin" / "python"
    code = "import docopt; print(docopt.__version__)"
    run = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout == "0.6.2\n"
    again = sync(cache, tmp_path / "v2", "docopt==0.6.2", "--store", store)
    assert not [n for n in notes(again, "docopt") if n.startswith("built")], again.stderr
    assert len(list((cache / "builds").glob("sdist-*/*/*.json"))) == 1, "built once"
    refused = subprocess.run(
        [sys.executable, "-m", "graft", "sync", tmp_path / "v3", "docopt==0.6.2", "--no-build"],
        env={**graft_env(cache), "GRAFT_STORE": str(store)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    assert "docopt has only source distributions (0.6.2, 0.6.1" in refused.stderr


def test_pyyaml_is_never_reused_across_implementations(tmp_path: Path) -> None:
    pypy, cp311 = interpreter("pypy3"), interpreter("3.11")
    cache, store = tmp_path / "cache", tmp_path / "store"
    args = ("pyyaml==6.0.2", "--no-binary", "pyyaml", "--store", store)
    first = sync(cache, tmp_path / "pypy", *args, "--python", pypy)
    assert notes(first, "pyyaml")[0].startswith("built pyyaml-6.0.2-pp")
    assert "may build differently per interpreter" in notes(first, "pyyaml")[0]
    then = sync(cache, tmp_path / "cp311", *args, "--python", cp311)
    made = notes(then, "pyyaml")
    assert made[0].startswith("built pyyaml-6.0.2-cp311-cp311-"), made
    assert not any(n.startswith("reused") and "for pypy" in n for n in made)
    python = tmp_path / "cp311" / "bin" / "python"
    code = "import yaml; print(yaml.__with_libyaml__ or yaml.__version__)"
    run = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() in {"True", "6.0.2"}


#: hatchling 1.27.0 and what it needs on Python 3.11+, and a project it builds (decision 250).
HATCHLING = [
    ("hatchling", "hatchling-1.27.0-py3-none-any.whl"),
    ("pathspec", "pathspec-0.12.1-py3-none-any.whl"),
    ("pluggy", "pluggy-1.5.0-py3-none-any.whl"),
    ("trove-classifiers", "trove_classifiers-2024.10.21.16-py3-none-any.whl"),
    PACKAGING,
]
ANNOTATED_TYPES = ("annotated-types", "annotated_types-0.7.0.tar.gz")


def test_a_hatchling_project_gives_its_sdist_then_a_wheel_of_it(tmp_path: Path) -> None:
    """annotated-types 0.7.0's tree (its sdist unpacked, PKG-INFO and all): hatchling writes
    an sdist holding PKG-INFO twice, whose wheel graft builds (decision 252), and the same
    sdist bytes on every build, so the second ``graft build`` reuses the wheel it built from
    the first (decision 251). pypa/build and uv 0.13.9 write the same two files."""
    import tarfile

    if sys.version_info < (3, 11):
        pytest.skip("hatchling needs tomli below Python 3.11, which this set holds no wheel of")
    links = release_files(*HATCHLING, ANNOTATED_TYPES)
    with tarfile.open(links / ANNOTATED_TYPES[1]) as tf:
        tf.extractall(tmp_path, filter="data")
    project = tmp_path / "annotated_types-0.7.0"
    first, second = _built_twice(project, links, tmp_path)
    dist = project / "dist"
    assert sorted(p.name for p in dist.iterdir()) == [
        "annotated_types-0.7.0-py3-none-any.whl",
        "annotated_types-0.7.0.tar.gz",
    ]
    assert first["sdist"]["sha256"] == second["sdist"]["sha256"], "hatchling: reproducible"
    assert [w["action"] for w in first["wheels"]] == ["built"]
    assert [w["action"] for w in second["wheels"]] == ["reused"]
    with tarfile.open(dist / "annotated_types-0.7.0.tar.gz") as tf:
        names = tf.getnames()
    assert names.count("annotated_types-0.7.0/PKG-INFO") == 2


def _built_twice(project: Path, links: Path, tmp_path: Path) -> tuple[Any, Any]:
    """``graft build PROJECT --json`` run twice over one store and cache: both answers."""
    cmd = [sys.executable, "-m", "graft", "build", str(project), "--python", sys.executable]
    cmd += ["--find-links", str(links), "--no-index", "--store", str(tmp_path / "store")]
    environ = graft_env(tmp_path / "cache")
    runs = []
    for _ in range(2):
        run = subprocess.run(
            [*cmd, "--json"], env=environ, capture_output=True, text=True, check=False
        )
        assert run.returncode == 0, run.stdout + run.stderr
        runs.append(json.loads(run.stdout))
    return runs[0], runs[1]


@pytest.mark.parametrize("sdist", [MARKUPSAFE, PYCPARSER], ids=["markupsafe", "pycparser"])
def test_a_setuptools_tree_built_again_reuses_the_wheel_of_its_first_sdist(
    tmp_path: Path, sdist: tuple[str, str]
) -> None:
    """setuptools 75.3.0 writes another sdist of an unchanged tree each run (new times in the
    tar and the gzip header), which unpacks to the same files: the second ``graft build``
    reuses the wheel built from the first (decision 300), where pip, uv and pypa/build build
    it again (as graft did before)."""
    import tarfile

    links = release_files(SETUPTOOLS, sdist)
    with tarfile.open(links / sdist[1]) as tf:
        tf.extractall(tmp_path, filter="data")
    project = tmp_path / sdist[1].removesuffix(".tar.gz")
    first, second = _built_twice(project, links, tmp_path)
    assert first["sdist"]["sha256"] != second["sdist"]["sha256"], "setuptools: not reproducible"
    assert [w["action"] for w in first["wheels"]] == ["built"]
    (wheel,) = second["wheels"]
    assert wheel["action"] == "reused", wheel["why"]
    assert wheel["why"].endswith("built from another sdist of the same files"), wheel["why"]
    assert wheel["sha256"] == first["wheels"][0]["sha256"]


#: typer-slim 0.12.5's sdist, whose ``pdm_build.py`` adds rich and shellingham to the wheel
#: its static ``[project]`` says needs only click and typing-extensions, with what it needs
TYPER_SLIM = [
    ("typer-slim", "typer_slim-0.12.5.tar.gz"),
    ("pdm-backend", "pdm_backend-2.4.3-py3-none-any.whl"),
    ("click", "click-8.1.7-py3-none-any.whl"),
    ("typing-extensions", "typing_extensions-4.12.2-py3-none-any.whl"),
    ("rich", "rich-13.9.4-py3-none-any.whl"),
    ("markdown-it-py", "markdown_it_py-3.0.0-py3-none-any.whl"),
    ("mdurl", "mdurl-0.1.2-py3-none-any.whl"),
    ("pygments", "pygments-2.18.0-py3-none-any.whl"),
    ("shellingham", "shellingham-1.5.4-py2.py3-none-any.whl"),
]


def test_typer_slim_gets_what_its_wheel_requires_not_what_its_table_states(
    env: dict[str, Path], tmp_path: Path
) -> None:
    """As pip 26.3 installs it (8 distributions; uv 0.13.9 installs 3 and leaves typer-slim's
    Requires-Dist unmet): the resolution runs again with the built wheel's METADATA
    (decision 308); on main: "the set is incomplete: typer-slim==0.12.5 requires rich"."""
    files = release_files(*TYPER_SLIM)
    links = tmp_path / "links"
    links.mkdir()
    for _, filename in TYPER_SLIM:
        (links / filename).symlink_to(files / filename)
    venv = tmp_path / "v"
    cmd = [sys.executable, "-m", "graft", "sync", str(venv), "typer-slim==0.12.5"]
    cmd += ["--no-binary", "typer-slim", "--find-links", str(links), "--no-index"]
    cmd += ["--store", str(env["store"]), "-v"]
    run = subprocess.run(
        cmd, env=graft_env(env["cache"]), capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    added = sorted(line.split()[1] for line in run.stderr.splitlines() if line.startswith(" + "))
    assert added == [
        "click==8.1.7",
        "markdown-it-py==3.0.0",
        "mdurl==0.1.2",
        "pygments==2.18.0",
        "rich==13.9.4",
        "shellingham==1.5.4",
        "typer-slim==0.12.5",
        "typing-extensions==4.12.2",
    ]
    assert "resolved again with the wheel's METADATA" in run.stderr
    audit = subprocess.run(
        [sys.executable, "-m", "graft", "audit", str(venv)],
        env=graft_env(env["cache"]),
        capture_output=True,
        text=True,
        check=False,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_a_build_constraint_range_builds_pyyaml_5_4_1_as_uv_does(tmp_path: Path) -> None:
    """PyYAML 5.4.1's sdist needs Cython<3 (``build_ext.cython_sources`` went in 3.0.0).

    Its ``pyproject.toml`` asks for ``Cython`` unbounded, so without a constraint every
    installer builds with Cython 3 and fails; the fix users are told (pip's and uv's
    issues) is a build constraint ``cython<3``, a range (decision 458). graft's hint names
    that line; with it graft builds the extension, and so does uv with the same file.
    setuptools is pinned so that a later release cannot decide the test.
    """
    cp311 = interpreter("3.11")
    constraints = tmp_path / "build-constraints.txt"
    constraints.write_text("cython<3\nsetuptools==75.3.0\n")
    cache = tmp_path / "cache"
    bare = ["sync", str(tmp_path / "bare"), "pyyaml==5.4.1", "--python", cp311]
    refused = subprocess.run(
        [sys.executable, "-m", "graft", *bare, "--store", str(tmp_path / "store")],
        env=graft_env(cache),
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert refused.returncode == 1, refused.stderr
    assert "this build needs Cython<3.0.0 (that line in a --build-constraint FILE)" in (
        refused.stderr
    )
    args = ("pyyaml==5.4.1", "--python", cp311, "--store", tmp_path / "store")
    built = sync(cache, tmp_path / "graft", *args, "--build-constraint", constraints)
    assert notes(built, "PyYAML")[0].startswith("built PyYAML-5.4.1-cp311-cp311-"), built.stderr
    uv = Path(sys.executable).with_name("uv")
    if not uv.is_file():
        pytest.skip("uv is not installed next to this interpreter (pip install -e '.[dev]')")
    environ = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_NO_CONFIG": "1"}
    environ.pop("PIP_FIND_LINKS", None)
    venv = tmp_path / "uv"
    uv_args = ["pyyaml==5.4.1", "--build-constraint", str(constraints)]
    subprocess.run([str(uv), "venv", "-q", "-p", cp311, str(venv)], env=environ, check=True)
    subprocess.run(
        [str(uv), "pip", "install", "-q", "-p", str(venv / "bin" / "python"), *uv_args],
        env=environ,
        check=True,
    )
    code = "import yaml; print(yaml.__version__, yaml.__with_libyaml__)"
    for prefix in (tmp_path / "graft", venv):
        run = subprocess.run(
            [prefix / "bin" / "python", "-c", code], capture_output=True, text=True, check=True
        )
        assert run.stdout == "5.4.1 True\n", (prefix, run.stdout)
