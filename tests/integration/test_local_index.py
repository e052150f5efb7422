"""A simple repository laid out in a local directory (PEP 503), as pip and uv take it.

``--index-url DIR`` (or ``file:///DIR/``) reads ``DIR/<project>/index.html``; the wheels it
links to are used where they lie, checked against the ``#sha256=`` the page gives them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.toml import tomllib
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel


def _tree(tmp_path: Path) -> Path:
    """``simple/<project>/index.html`` linking to ``wheels/*.whl`` with their sha256."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    made = [
        make_wheel(
            wheels, "localapp", "1.0", {"localapp.py": "WHO = 'app'\n"}, requires=("localdep>=1",)
        ),
        make_wheel(wheels, "localdep", "1.0", {"localdep.py": "WHO = 'dep 1.0'\n"}),
        make_wheel(wheels, "localdep", "2.0", {"localdep.py": "WHO = 'dep 2.0'\n"}),
    ]
    simple = tmp_path / "simple"
    for project in ("localapp", "localdep"):
        links = "".join(
            f'<a href="../../wheels/{w.name}#sha256={hashlib.sha256(w.read_bytes()).hexdigest()}">'
            f"{w.name}</a>\n"
            for w in made
            if w.name.startswith(f"{project}-")
        )
        (simple / project).mkdir(parents=True)
        (simple / project / "index.html").write_text(f"<html><body>\n{links}</body></html>\n")
    return simple


@pytest.mark.parametrize("form", ["path", "file-url"])
def test_a_local_simple_repository_installs_like_a_remote_one(
    tmp_path: Path, store_dir: Path, form: str
) -> None:
    simple = _tree(tmp_path)
    url = str(simple) if form == "path" else simple.as_uri() + "/"
    venv = tmp_path / "venv"
    run_graft("sync", venv, "localapp", "--index-url", url, "--store", store_dir)
    out = py(venv, "import localapp, localdep; print(localapp.WHO, localdep.WHO)")
    assert out.strip() == "app dep 2.0"
    lock_file = tmp_path / "pylock.toml"
    run_graft("lock", "localapp", "--index-url", url, "-o", lock_file, "--python-version", "3.12")
    wheels = [w for p in tomllib.loads(lock_file.read_text())["packages"] for w in p["wheels"]]
    assert sorted(w["path"] for w in wheels) == [
        "wheels/localapp-1.0-py3-none-any.whl",
        "wheels/localdep-2.0-py3-none-any.whl",
    ]
    missing = run_graft("sync", venv, "localnope", "--index-url", url, check=False)
    assert missing.returncode == 1
    assert missing.stderr.startswith("graft: error: no project named 'localnope' on the index")


def test_i_is_index_url_on_the_command_line_as_in_pip_and_uv(
    tmp_path: Path, store_dir: Path
) -> None:
    """``-i URL`` (pip's and uv's short form, which graft read in a requirements file only)
    was "unrecognized arguments" on the command line (decision 327)."""
    simple = _tree(tmp_path)
    venv = tmp_path / "venv"
    run_graft("sync", venv, "localapp", "-i", simple, "--store", store_dir)
    assert py(venv, "import localdep; print(localdep.WHO)").strip() == "dep 2.0"
    lock_file = tmp_path / "pylock.toml"
    run_graft("lock", "localapp", "-i", simple, "-o", lock_file, "--python-version", "3.12")
    assert len(tomllib.loads(lock_file.read_text())["packages"]) == 2


def test_a_local_wheel_that_is_not_what_its_page_lists_is_refused(
    tmp_path: Path, store_dir: Path
) -> None:
    simple = _tree(tmp_path)
    listed = tmp_path / "wheels" / "localdep-2.0-py3-none-any.whl"
    (tmp_path / "other").mkdir()
    make_wheel(tmp_path / "other", "localdep", "2.0", {"localdep.py": "WHO = 'swapped'\n"})
    listed.write_bytes((tmp_path / "other" / listed.name).read_bytes())
    venv = tmp_path / "venv"
    proc = run_graft(
        "sync", venv, "localdep==2.0", "--index-url", simple, "--store", store_dir, check=False
    )
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft: error: {listed}: localdep-2.0-py3-none-any.whl has sha256 ")
    assert "not the " in line
    assert "listed for it" in line
    assert not venv.exists()


def test_an_index_url_that_is_neither_a_url_nor_a_directory_is_one_line(tmp_path: Path) -> None:
    proc = run_graft("sync", tmp_path / "venv", "x", "--index-url", tmp_path / "nope", check=False)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"graft: error: index URL '{tmp_path / 'nope'}' is not an http://")


def test_a_release_whose_only_sdist_is_a_tar_bz2_says_so(tmp_path: Path, store_dir: Path) -> None:
    """Twisted 20.3.0 on CPython 3.9: wheels for cp27-cp37 and ``Twisted-20.3.0.tar.bz2``.
    Neither graft nor uv 0.13.9 builds an sdist PEP 625 does not name (pip 26.3 cannot run
    on 3.9); the error now names the file it passed over (decision 311), for that release
    only."""
    files = tmp_path / "files"
    files.mkdir()
    names = ["Old_Thing-1.0.tar.bz2", "Old_Thing-0.9.tgz", "old_thing-1.0.tar.gz.asc"]
    for name in names:
        (files / name).write_bytes(b"not read")
    make_wheel(files, "old-thing", "1.0", tag="cp27-cp27m-manylinux1_x86_64")
    links = "".join(
        f'<a href="../../files/{f.name}#sha256={hashlib.sha256(f.read_bytes()).hexdigest()}">'
        f"{f.name}</a>\n"
        for f in sorted(files.iterdir())
    )
    (tmp_path / "simple" / "old-thing").mkdir(parents=True)
    (tmp_path / "simple" / "old-thing" / "index.html").write_text(f"<html>{links}</html>\n")
    run = run_graft(
        "sync", tmp_path / "v", "old-thing==1.0", "--index-url", tmp_path / "simple",
        "--store", store_dir, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert "no wheel of old-thing 1.0 for the target" in run.stderr
    said = "Old_Thing-1.0.tar.bz2: an sdist neither .tar.gz nor .zip (PEP 625), which graft"
    assert said in run.stderr
    assert "uv 0.13.9" not in run.stderr  # (a version-pinned aside: decision 311 keeps it)
    assert "Old_Thing-0.9.tgz" not in run.stderr  # (another release)
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "v").exists()
