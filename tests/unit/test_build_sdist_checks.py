"""A built sdist is checked as a built wheel is: the project's release, PKG-INFO inside it,
and a name PEP 625 spells otherwise said in a warning (decision 250)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from graft.build.checks import check_sdist
from graft.build.hooks import Backend, HookEnv
from graft.build.project import BuildSystem
from graft.errors import BuildError

if TYPE_CHECKING:
    from pathlib import Path


def pkg_info(name: str, version: str) -> bytes:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()


def test_the_pep_625_name_of_the_projects_release_passes() -> None:
    said = check_sdist(
        "foo_bar-1.0.tar.gz", pkg_info("Foo-Bar", "1.0"), "p", ("Foo-Bar", "1.0"), []
    )
    assert said is None


@pytest.mark.parametrize(
    ("filename", "wanted"),
    [
        ("Foo.Bar-1.0.tar.gz", "foo_bar-1.0.tar.gz"),  # an old setuptools' spelling
        ("foo-bar-1.0.tar.gz", "foo_bar-1.0.tar.gz"),
        ("foo_bar-1.00.tar.gz", "foo_bar-1.0.tar.gz"),  # a version not normalized
        ("foo_bar-1.0.zip", "foo_bar-1.0.tar.gz"),
    ],
)
def test_another_spelling_of_the_release_is_kept_with_a_warning(filename: str, wanted: str) -> None:
    said = check_sdist(filename, pkg_info("foo-bar", "1.0"), "p", ("foo-bar", "1.0"), [])
    assert said == f"the backend named its sdist {filename}, where PEP 625 wants {wanted}"


@pytest.mark.parametrize(
    ("filename", "info", "expected", "message"),
    [
        ("other-1.0.tar.gz", pkg_info("other", "1.0"), ("demo", "1.0"), "the project is demo 1.0"),
        ("demo-2.0.tar.gz", pkg_info("demo", "2.0"), ("demo", "1.0"), "the project is demo 1.0"),
        ("demo.tar.gz", pkg_info("demo", "1.0"), ("demo", "1.0"), "not a valid sdist name"),
        ("demo-1.0.tar.gz", None, ("demo", "1.0"), "no PKG-INFO in its top directory"),
        ("demo-1.0.tar.gz", pkg_info("demo", "1.1"), (None, None), "PKG-INFO says demo 1.1"),
        ("demo-1.0.tar.gz", b"Summary: x\n", (None, None), "PKG-INFO has no Name or Version"),
    ],
)
def test_another_release_or_no_pkg_info_is_an_error(
    filename: str, info: bytes | None, expected: tuple[str | None, str | None], message: str
) -> None:
    with pytest.raises(BuildError) as raised:
        check_sdist(filename, info, "proj", expected, ["the backend's output\n"])
    assert message in raised.value.what
    assert raised.value.where == "proj"
    assert raised.value.log == "the backend's output\n"  # shown before the error line


_NAME = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?", fullmatch=True)
_VERSION = st.builds(
    lambda parts: ".".join(map(str, parts)), st.lists(st.integers(0, 30), min_size=1, max_size=4)
)


@given(_NAME, _VERSION)
def test_only_the_pep_625_spelling_passes_without_a_warning(name: str, version: str) -> None:
    normalized = canonicalize_name(name).replace("-", "_")
    info = pkg_info(name, version)
    from packaging.version import Version

    canonical = f"{normalized}-{Version(version)}.tar.gz"
    assert check_sdist(canonical, info, "p", (name, version), []) is None
    spelled = f"{name}-{version}.tar.gz"
    said = check_sdist(spelled, info, "p", (name, version), [])
    assert (said is None) == (spelled == canonical)
    if said is not None:
        assert said.endswith(f"PEP 625 wants {canonical}")


BACKEND = """\
import os, tarfile, io

def get_requires_for_build_sdist(config_settings=None):
    return ["sdist-helper"]

def build_sdist(sdist_directory, config_settings=None):
    mode = (config_settings or {}).get("mode", "")
    if mode == "fail":
        print("no sdist today")
        raise SystemExit(4)
    if mode == "escape":
        open(os.path.join(sdist_directory, "..", "stray.txt"), "w").close()
    name = "demo-1.0.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tf:
        data = b"Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n"
        info = tarfile.TarInfo("demo-1.0/PKG-INFO")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return name
"""


def _backend(tmp_path: Path, mode: str = "") -> tuple[Backend, Path]:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "sdist_backend.py").write_text(BACKEND)
    system = BuildSystem(requires=(), backend="sdist_backend", backend_path=(".",))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = tmp_path / "work" / "out"
    out.mkdir(parents=True)
    env = HookEnv(sys.executable, (), str(scratch), isolated=False)
    settings: dict[str, str | list[str]] = {"mode": mode} if mode else {}
    return Backend(str(tree), system, env, "tree", settings), out


def test_the_sdist_hooks_run_through_pyproject_hooks(tmp_path: Path) -> None:
    backend, out = _backend(tmp_path)
    assert backend.requires("sdist") == ["sdist-helper"]
    assert backend.build_sdist(str(out)) == str(out / "demo-1.0.tar.gz")


def test_a_failed_build_sdist_is_one_error_with_its_output_and_rerun(tmp_path: Path) -> None:
    backend, out = _backend(tmp_path, "fail")
    with pytest.raises(BuildError) as raised:
        backend.build_sdist(str(out))
    error = raised.value
    assert error.what == "build_sdist of sdist_backend failed (exit status 4)"
    assert "no sdist today" in error.log
    assert error.rerun is not None
    assert ".build_sdist(out, " in error.rerun  # into a new temporary directory
    # The rerun makes its output directory with tempfile: here, not in the machine's /tmp.
    scratch = {**os.environ, "TMPDIR": str(tmp_path)}
    again = subprocess.run(
        ["sh", "-c", error.rerun], capture_output=True, text=True, check=False, env=scratch
    )
    assert again.returncode == 4
    assert "no sdist today" in again.stdout


def test_an_sdist_build_that_writes_beside_its_directory_keeps_nothing(tmp_path: Path) -> None:
    backend, out = _backend(tmp_path, "escape")
    with pytest.raises(BuildError) as raised:
        backend.build_sdist(str(out))
    assert raised.value.what == (
        "the build wrote outside its output directory (stray.txt beside it); nothing was kept"
    )
    assert raised.value.hint is not None
    assert "only the sdist it names" in raised.value.hint


def test_an_output_directory_that_cannot_be_written_is_one_error(tmp_path: Path) -> None:
    from graft.build.run import check_out_dir, deliver
    from graft.errors import UsageError

    wheel = tmp_path / "demo-1.0.tar.gz"
    wheel.write_bytes(b"x")
    a_file = tmp_path / "dist"
    a_file.write_text("")
    with pytest.raises(UsageError) as refused:
        check_out_dir(str(a_file))
    assert str(refused.value) == f"{a_file}: the output directory is not a directory (pass -o DIR)"
    with pytest.raises(BuildError) as failed:  # (below a file: no directory can be made)
        deliver(str(wheel), str(a_file / "sub"))
    assert failed.value.what.startswith("cannot write demo-1.0.tar.gz there (")
    assert failed.value.where == str(a_file / "sub")
    check_out_dir(str(tmp_path / "new"))  # not there yet: made by the delivery
    assert deliver(str(wheel), str(tmp_path / "new")) == str(tmp_path / "new" / wheel.name)
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == [wheel.name]
