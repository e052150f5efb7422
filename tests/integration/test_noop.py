"""The no-op sync answered from a sync stamp (graft.cli.noop), and when it must not be."""

# ruff: noqa: F811 - the fixtures `links` and `reqs` are test_warm's, imported by name

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.integration.test_warm import aged, links, reqs, sync  # noqa: F401 - fixtures
from tests.support.importtime import graft_imports
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel


def plain_sync(venv: Path, reqs: Path, links: Path, store: Path, *extra: str) -> str:
    """``graft sync`` as a user types it (no -v: a stamp may answer); its stderr."""
    args = ("sync", venv, "-r", reqs, "--no-index", "--find-links", links, "--store", store)
    return run_graft(*args, *extra).stderr


def imports_of_sync(
    venv: Path, reqs: Path, links: Path, store: Path, *extra: str
) -> tuple[str, set[str]]:
    """The stderr of a sync and the modules it imported (``-X importtime``)."""
    return graft_imports(
        "sync", venv, "-r", reqs, "--no-index", "--find-links", links, "--store", store, *extra
    )


def stamps(store: Path) -> list[Path]:
    return sorted((store / "plans").glob("stamp-*"))


def test_a_no_op_sync_imports_nothing_of_resolution_or_planning(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    venv = tmp_path / "v"
    first, modules = imports_of_sync(venv, reqs, links, store_dir)
    assert "synced" in first
    assert "packaging.version" in modules  # the control: a real sync loads resolution
    assert len(stamps(store_dir)) == 1
    again, modules = imports_of_sync(venv, reqs, links, store_dir)
    assert "already in sync" in again
    assert "4 distributions" in again
    heavy = {"packaging.version", "argparse", "graft.sync", "graft.plan.types", "typing"}
    assert not heavy & modules, heavy & modules
    assert "graft.cli.noop" in modules


def test_python_given_as_a_path_is_checked_without_the_interpreter_lookup(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    venv = tmp_path / "v"
    python = ("--python", sys.executable)
    assert "synced" in imports_of_sync(venv, reqs, links, store_dir, *python)[0]
    again, modules = imports_of_sync(venv, reqs, links, store_dir, *python)
    assert "already in sync" in again
    assert "graft.cli.noop" in modules
    assert "graft.venv.interpreter" not in modules  # (its imports cost a no-op ~10 ms)
    assert "graft.sync" not in modules


def test_what_the_stamp_cannot_confirm_takes_the_full_path(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    venv = tmp_path / "v"
    plain_sync(venv, reqs, links, store_dir)
    assert "already in sync" in plain_sync(venv, reqs, links, store_dir)

    # another pin: the requirement file's bytes changed
    reqs.write_text(reqs.read_text().replace("beta==1.0", "beta==2.0"))
    aged(reqs)
    assert "synced" in plain_sync(venv, reqs, links, store_dir)
    assert py(venv, "import beta; print(beta.B)") == "2"
    assert "already in sync" in plain_sync(venv, reqs, links, store_dir)

    # a link removed behind graft's back (as pip uninstall would): not what graft built
    (site(venv) / "beta.py").unlink()
    assert "synced" in plain_sync(venv, reqs, links, store_dir)
    assert (site(venv) / "beta.py").is_symlink()
    assert "already in sync" in plain_sync(venv, reqs, links, store_dir)

    # an entry of this venv the store no longer vouches for (not one of an older set's)
    (root,) = (store_dir / "roots").glob("*.json")
    in_use = set(json.loads(root.read_text())["entries"])
    marker = next(m for m in (store_dir / "verified").iterdir() if m.name.split(".")[0] in in_use)
    os.chmod(marker.parent, 0o755)
    marker.unlink()
    assert "synced" in plain_sync(venv, reqs, links, store_dir)
    assert "already in sync" in plain_sync(venv, reqs, links, store_dir)

    # another command line (a flag more) is another stamp, answered by the full path first
    assert "already in sync" in plain_sync(venv, reqs, links, store_dir, "--collisions", "warn")


def test_a_forged_or_damaged_stamp_is_ignored(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    venv = tmp_path / "v"
    plain_sync(venv, reqs, links, store_dir)
    plain_sync(venv, reqs, links, store_dir)
    (stamp,) = stamps(store_dir)
    text = stamp.read_text()
    # a stamp naming another venv's inputs: the venv's own record disagrees
    forged = "\n".join(
        "inputs\0" + "0" * 64 if line.startswith("inputs\0") else line for line in text.split("\n")
    )
    stamp.write_text(forged)
    said, modules = imports_of_sync(venv, reqs, links, store_dir)
    assert "already in sync" in said  # the full path's own check, not the stamp's
    assert "graft.sync" in modules
    damaged_forms = (
        "",
        "graft-sync-stamp 2\nkey\0nonsense\n",
        text.replace("count\0", "count\0x"),
        text.replace("interpreter\0", "interpreter\0a\0b\0"),  # a row of another shape
        text.replace("expires\0", "expires\0x"),
    )
    for damaged in damaged_forms:
        stamp.write_text(damaged)
        assert "already in sync" in plain_sync(venv, reqs, links, store_dir)
        assert stamp.read_text() == text  # the full path wrote a good one again


def test_an_aged_memo_confirms_a_venv_but_upgrade_resolves(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    """As pip's and uv's "already satisfied": old index answers still confirm a no-op."""
    venv = tmp_path / "v"
    assert "resolve" in sync(venv, reqs, links, store_dir)
    (memo,) = (store_dir / "plans").glob("memo-*.json")
    record = json.loads(memo.read_text())
    record["index"], record["created"] = True, 1_000_000.0  # consulted an index, long ago
    memo.write_text(json.dumps(record))
    assert sync(venv, reqs, links, store_dir) == {"recall"}  # confirmed, nothing resolved
    # a venv that does not hold the memo's result yet: old answers never build one
    assert "resolve" in sync(tmp_path / "other", reqs, links, store_dir)
    args = ("sync", venv, "-r", reqs, "--no-index", "--find-links", links, "--store", store_dir)
    upgraded = run_graft(*args, "-U", "-v").stderr
    assert "resolve" in upgraded


@pytest.mark.parametrize(
    "flag", ["--dry-run", "--json", "-v", "--reinstall", "--reinstall-package=beta"]
)
def test_outputs_a_stamp_cannot_give_are_never_stamped(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path, flag: str
) -> None:
    venv = tmp_path / "v"
    plain_sync(venv, reqs, links, store_dir)
    before = stamps(store_dir)
    args = ("sync", venv, "-r", reqs, "--no-index", "--find-links", links, "--store", store_dir)
    run_graft(*args, flag)
    assert stamps(store_dir) == before


def test_with_a_new_wheel_in_find_links_the_stamp_does_not_answer(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    """An unpinned requirement: a newer version in the find-links directory is seen."""
    reqs = tmp_path / "unpinned.txt"
    reqs.write_text("beta\n")
    aged(reqs)
    venv = tmp_path / "v"
    plain_sync(venv, reqs, links, store_dir)
    assert py(venv, "import beta; print(beta.B)") == "2"
    make_wheel(links, "beta", "3.0", {"beta.py": "B = 3\n"})
    aged(*links.iterdir(), links)
    said, modules = imports_of_sync(venv, reqs, links, store_dir)
    # resolution keeps the venv's version (decision 30), but it had to look
    assert "already in sync" in said
    assert "packaging.version" in modules
    assert py(venv, "import beta; print(beta.B)") == "2"


def test_a_venv_whose_directory_is_gone_gets_the_full_paths_answer(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    """The stamp cannot list the venv's parent: the full path says what there is to say."""
    parent = tmp_path / "envs"
    parent.mkdir()
    venv = parent / "v"
    plain_sync(venv, reqs, links, store_dir)
    assert "already in sync" in plain_sync(venv, reqs, links, store_dir)
    shutil.rmtree(parent)
    args = ("sync", venv, "-r", reqs, "--no-index", "--find-links", links, "--store", store_dir)
    proc = run_graft(*args)  # made again, parent and all, as python -m venv makes one
    assert "synced" in proc.stderr
    assert (venv / "pyvenv.cfg").is_file()
    assert "already in sync" in plain_sync(venv, reqs, links, store_dir)


@pytest.mark.parametrize("flag", ["--reinstall", "--force-reinstall"])
def test_reinstall_rebuilds_a_venv_in_sync_keeping_a_users_files(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path, flag: str
) -> None:
    venv = tmp_path / "v"
    plain_sync(venv, reqs, links, store_dir)
    (venv / "notes.txt").write_text("mine\n")
    plain_sync(venv, reqs, links, store_dir)  # (rebuilt once for the new file, then stamped)
    assert "already in sync" in plain_sync(venv, reqs, links, store_dir)
    site_packages = os.stat(site(venv)).st_ino
    said, modules = imports_of_sync(venv, reqs, links, store_dir, flag)
    assert "graft.sync" in modules, said  # never a stamp's answer
    assert "already in sync" not in said
    assert "graft: synced" in said
    assert os.stat(site(venv)).st_ino != site_packages  # a new venv, swapped in
    assert (venv / "notes.txt").read_text() == "mine\n"
    assert "already in sync" in plain_sync(venv, reqs, links, store_dir)  # stamps still answer
