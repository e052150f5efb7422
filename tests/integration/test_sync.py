"""graft sync end to end on wheels built on the fly (no network)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.here import CACHE_TAG, X_Y
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def basic(wheels: Path) -> dict[str, Path]:
    return {
        "alpha": make_wheel(
            wheels,
            "alpha",
            "1.0",
            {"alpha/__init__.py": "VALUE = 1\n", "alpha/sub/mod.py": "X = 2\n"},
            entry_points="[console_scripts]\nalpha-cli = alpha:main\n",
            requires=("beta>=1",),
        ),
        "beta": make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"}),
        "ns_a": make_wheel(wheels, "ns-a", "1.0", {"ns/a/__init__.py": "A = 1\n"}),
        "ns_b": make_wheel(wheels, "ns-b", "1.0", {"ns/b/__init__.py": "B = 1\n"}),
    }


def test_sync_builds_a_working_link_farm(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    run_graft("sync", venv, *basic.values(), "--store", store_dir)
    sp = site(venv)
    assert (sp / "alpha").is_symlink()
    assert not os.path.isabs(os.readlink(sp / "alpha"))
    assert (sp / "ns").is_dir()
    assert not (sp / "ns").is_symlink()
    assert not (sp / "ns" / "__init__.py").exists()
    out = py(venv, "import alpha.sub.mod, beta, ns.a, ns.b, sys; print(alpha.__file__, sys.prefix)")
    file, prefix = out.split()
    assert file == str(sp / "alpha" / "__init__.py")
    assert prefix == str(venv)
    names = py(
        venv,
        "import importlib.metadata as m;"
        " print(sorted(d.metadata['Name'] for d in m.distributions()))",
    )
    assert names == "['alpha', 'beta', 'ns-a', 'ns-b']"
    script = (venv / "bin" / "alpha-cli").read_text()
    assert script.startswith(f"#!{venv}/bin/python\n")
    assert (sp / "alpha-1.0.dist-info" / "INSTALLER").read_text() == "graft\n"
    direct = json.loads((sp / "alpha-1.0.dist-info" / "direct_url.json").read_text())
    assert direct["url"].startswith("file://")


def test_store_is_read_only_and_has_bytecode(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    run_graft("sync", tmp_path / "v", *basic.values(), "--store", store_dir)
    entries = list((store_dir / "entries").iterdir())
    assert len(entries) == 4
    for entry in entries:
        for path in entry.rglob("*"):
            mode = path.lstat().st_mode
            assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), path
    pycs = list((store_dir / "entries").rglob("__pycache__/*.pyc"))
    assert any(p.name.startswith("__init__.") for p in pycs)


def test_resync_replaces_and_leaves_nothing_stale(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    run_graft("sync", venv, *basic.values(), "--store", store_dir)
    run_graft("sync", venv, basic["beta"], "--store", store_dir)
    sp = site(venv)
    assert sorted(p.name for p in sp.iterdir()) == ["__pycache__", "beta-1.0.dist-info", "beta.py"]
    assert [p.name for p in (sp / "__pycache__").iterdir()] == [f"beta.{CACHE_TAG}.pyc"]
    assert not (venv / "bin" / "alpha-cli").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".venv.graft-") and p.is_dir()]


def test_missing_dependency_fails_and_keeps_the_old_venv(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    # (not beta: a venv holding beta's file keeps it for alpha, as uv and pip do: decision 448)
    run_graft("sync", venv, basic["ns_a"], "--store", store_dir)
    before = sorted(p.name for p in site(venv).iterdir())
    proc = run_graft("sync", venv, basic["alpha"], "--store", store_dir, check=False)
    assert proc.returncode == 1
    assert "no project named 'beta'" in proc.stderr
    assert "alpha==1.0 (alpha-1.0-py3-none-any.whl) requires beta>=1" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 2  # the error, and who asked
    assert sorted(p.name for p in site(venv).iterdir()) == before
    run_graft("sync", venv, basic["alpha"], "--store", store_dir, "--no-deps")


def test_collisions_warn_by_default_and_error_on_request(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    jwt = make_wheel(wheels, "jwt", "1.0", {"jwt/__init__.py": "WHO = 'jwt'\n"})
    pyjwt = make_wheel(wheels, "pyjwt", "2.0", {"jwt/__init__.py": "WHO = 'pyjwt'\n"})
    venv = tmp_path / "venv"
    proc = run_graft("sync", venv, jwt, pyjwt, "--store", store_dir)
    assert "collision" in proc.stderr
    assert "jwt==1.0" in proc.stderr
    assert "pyjwt==2.0 wins" in proc.stderr
    assert py(venv, "import jwt; print(jwt.WHO)") == "pyjwt"
    other = tmp_path / "other"
    proc = run_graft(
        "sync", other, jwt, pyjwt, "--store", store_dir, "--collisions", "error", check=False
    )
    assert proc.returncode == 1
    assert not other.exists()


def test_dry_run_json_prints_the_plan_the_store_allows_and_writes_nothing(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    """A dry run unpacks no wheel (decision 149): its plan needs them all in the store."""
    venv = tmp_path / "venv"
    args: tuple[str | Path, ...] = ("sync", venv, *basic.values(), "--store", store_dir)
    args += ("--dry-run", "--json")
    data = json.loads(run_graft(*args).stdout)
    assert not data["planned"]
    assert data["not_planned"] == f"{len(basic)} wheels not in the store"
    wheels = sorted(p.name for p in basic.values())
    assert sorted(d["wheel"] for d in data["distributions"]) == wheels
    assert {d["fetch"] for d in data["distributions"]} == {"local"}
    assert not store_dir.exists()
    run_graft("sync", tmp_path / "other", *basic.values(), "--store", store_dir)
    data = json.loads(run_graft(*args).stdout)
    assert data["planned"]
    kinds = {a["action"] for a in data["actions"]}
    assert {"link_dir", "mkdir", "link_file", "write_file", "write_record"} <= kinds
    assert data["collisions"] == []
    assert not venv.exists()


@pytest.mark.parametrize("mode", ["copy", "hardlink"])
def test_other_link_modes_give_working_venvs(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path], mode: str
) -> None:
    venv = tmp_path / "venv"
    run_graft("sync", venv, *basic.values(), "--store", store_dir, "--link-mode", mode)
    sp = site(venv)
    assert not any(p.is_symlink() for p in sp.rglob("*"))
    assert py(venv, "import alpha.sub.mod, ns.a; print(alpha.VALUE)") == "1"


def test_refuses_to_replace_a_directory_that_is_not_a_venv(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    target = tmp_path / "precious"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    proc = run_graft("sync", target, basic["beta"], "--store", store_dir, check=False)
    assert proc.returncode == 1
    assert "not a virtual environment" in proc.stderr
    assert (target / "notes.txt").read_text() == "keep me"


def test_two_versions_of_one_distribution_are_refused(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    one = make_wheel(wheels, "beta", "1.0", {"beta.py": "1"})
    two = make_wheel(wheels, "beta", "2.0", {"beta.py": "2"})
    proc = run_graft("sync", tmp_path / "v", one, two, "--store", store_dir, check=False)
    assert proc.returncode == 1
    assert (
        "conflicting requirements: beta-1.0-py3-none-any.whl (command line)"
        " and beta-2.0-py3-none-any.whl (command line)" in proc.stderr
    )


def test_requirements_file_with_hashes_and_find_links(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    import hashlib

    digest = hashlib.sha256(basic["beta"].read_bytes()).hexdigest()
    reqs = tmp_path / "reqs.txt"
    reqs.write_text(f"# pinned\nbeta==1.0 \\\n    --hash=sha256:{digest}\n")
    venv = tmp_path / "venv"
    run_graft(
        "sync",
        venv,
        "-r",
        reqs,
        "--find-links",
        basic["beta"].parent,
        "--no-index",
        "--store",
        store_dir,
    )
    assert py(venv, "import beta; print(beta.B)") == "3"
    reqs.write_text(f"beta==1.0 --hash=sha256:{'0' * 64}\n")
    proc = run_graft(
        "sync",
        tmp_path / "v2",
        "-r",
        reqs,
        "--find-links",
        basic["beta"].parent,
        "--no-index",
        "--store",
        store_dir,
        check=False,
    )
    assert proc.returncode == 1
    assert "reqs.txt:1" in proc.stderr


def test_an_sdist_by_url_needs_a_build(tmp_path: Path, store_dir: Path) -> None:
    url = "docopt @ https://example.invalid/docopt-0.6.2.tar.gz"
    proc = run_graft("sync", tmp_path / "v", url, "--store", store_dir, "--no-build", check=False)
    assert proc.returncode == 2
    assert "docopt-0.6.2.tar.gz needs a build, and --no-build was given" in proc.stderr
    proc = run_graft("sync", tmp_path / "v", url, "--store", store_dir, check=False)
    assert proc.returncode == 1  # the download fails: nothing is made
    assert "example.invalid" in proc.stderr
    assert not (tmp_path / "v").exists()


def test_inspect_prints_the_wheel_record(basic: dict[str, Path]) -> None:
    proc = run_graft("inspect", basic["alpha"], "--json")
    data = json.loads(proc.stdout)
    assert data["name"] == "alpha"
    assert data["packages"] == ["alpha"]
    assert data["namespace_dirs"] == ["alpha/sub"]  # no __init__.py: a PEP 420 portion
    assert data["entry_points"] == [["console_scripts", "alpha-cli", "alpha:main"]]
    assert data["requires_dist"] == ["beta>=1"]


def test_store_verify_detects_a_modified_file(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    from graft.store import seal

    run_graft("sync", tmp_path / "v", basic["beta"], "--store", store_dir)
    assert run_graft("store", "verify", "--store", store_dir).returncode == 0
    (entry,) = (store_dir / "entries").iterdir()
    seal.unseal_tree(str(entry))
    target = entry / "tree" / "beta.py"
    target.chmod(0o644)
    target.write_text("B = 4\n")
    proc = run_graft("store", "verify", "--store", store_dir, check=False)
    assert proc.returncode == 1
    assert "beta.py: hash" in proc.stdout


def test_resync_with_the_same_inputs_changes_nothing(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    run_graft("sync", venv, *basic.values(), "--store", store_dir)
    cfg = (venv / "pyvenv.cfg").stat()
    proc = run_graft("sync", venv, *basic.values(), "--store", store_dir, "--json")
    assert json.loads(proc.stdout)["changed"] is False
    assert (venv / "pyvenv.cfg").stat().st_ino == cfg.st_ino  # not rebuilt
    assert py(venv, "import alpha, beta, ns.a; print(alpha.VALUE)") == "1"


def test_resync_removes_what_pip_added_since(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    run_graft("sync", venv, *basic.values(), "--store", store_dir)
    extra = site(venv) / "ns" / "intruder"  # a real directory gains an entry
    extra.mkdir()
    proc = run_graft("sync", venv, *basic.values(), "--store", store_dir, "--json")
    assert json.loads(proc.stdout)["changed"] is True
    assert not extra.exists()


def test_resync_with_other_inputs_rebuilds(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    run_graft("sync", venv, basic["beta"], "--store", store_dir)
    proc = run_graft(
        "sync", venv, basic["beta"], "--store", store_dir, "--link-mode", "copy", "--json"
    )
    assert json.loads(proc.stdout)["changed"] is True
    assert not (site(venv) / "beta.py").is_symlink()


def test_data_scheme_files_land_where_pip_puts_them(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    wheel = make_wheel(
        wheels,
        "tool",
        "1.0",
        {
            "tool/__init__.py": "",
            "tool-1.0.data/scripts/tool-run": "#!python\nprint('ran')\n",
            "tool-1.0.data/scripts/tool-sh": "#!/bin/sh\necho sh\n",
            "tool-1.0.data/headers/tool.h": "int tool(void);\n",
            "tool-1.0.data/data/share/tool/readme.txt": "hello\n",
            "tool-1.0.data/purelib/tool_extra.py": "EXTRA = 1\n",
        },
        executable=frozenset({"tool-1.0.data/scripts/tool-sh"}),
    )
    venv = tmp_path / "venv"
    run_graft("sync", venv, wheel, "--store", store_dir)
    run = (venv / "bin" / "tool-run").read_text()
    assert run.startswith(f"#!{venv}/bin/python\n")
    assert os.access(venv / "bin" / "tool-run", os.X_OK)
    assert (venv / "bin" / "tool-sh").read_text().startswith("#!/bin/sh\n")
    assert (venv / "include" / "site" / f"python{X_Y}" / "tool" / "tool.h").is_file()
    assert (venv / "share" / "tool" / "readme.txt").read_text() == "hello\n"
    assert py(venv, "import tool_extra; print(tool_extra.EXTRA)") == "1"
    out = subprocess.run(
        [str(venv / "bin" / "tool-run")], capture_output=True, text=True, check=True
    )
    assert out.stdout == "ran\n"
    record = (site(venv) / "tool-1.0.dist-info" / "RECORD").read_text().splitlines()
    rows = {line.split(",")[0]: line for line in record}
    assert (
        rows["../../../bin/tool-run"].split(",")[1].startswith("sha256=")
    )  # hash of what was written
    assert f"../../../include/site/python{X_Y}/tool/tool.h" in rows
    assert "tool_extra.py" in rows


def test_resync_repairs_a_redirected_link_and_an_edited_launcher(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    run_graft("sync", venv, *basic.values(), "--store", store_dir)
    beta = site(venv) / "beta.py"
    target = os.readlink(beta)
    beta.unlink()
    beta.symlink_to("/nonexistent/beta.py")
    launcher = venv / "bin" / "alpha-cli"
    launcher.write_text("#!/bin/sh\necho hijacked\n")
    proc = run_graft("sync", venv, *basic.values(), "--store", store_dir, "--json")
    assert json.loads(proc.stdout)["changed"] is True
    assert os.readlink(beta) == target
    assert "hijacked" not in launcher.read_text()


def test_the_venv_is_as_readable_as_a_new_directory(
    tmp_path: Path, store_dir: Path, basic: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    old = os.umask(0o022)
    try:
        run_graft("sync", venv, basic["beta"], "--store", store_dir)
    finally:
        os.umask(old)
    assert stat.S_IMODE(venv.stat().st_mode) == 0o755
