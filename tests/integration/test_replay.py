"""A new venv from a kept plan's flat form, with the standard library alone (graft.cli.replay).

It must build exactly what the full path builds (file for file, link for link, pyvenv.cfg,
GC root, what importlib.metadata says), and must not answer when anything it rests on changed.
"""

# ruff: noqa: F811 - the fixtures `links` and `reqs` are test_warm's, imported by name

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graft.cli import flat_build
from graft.sync_result import PREFIX_MARK
from tests.conftest import run_graft
from tests.integration.test_warm import aged, links, reqs, snapshot  # noqa: F401 - fixtures
from tests.support.importtime import graft_imports
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel

#: What the fast path must never load (the full path's first imports, and typing's cost)
HEAVY = {
    "argparse",
    "dataclasses",
    "graft.cli.main",
    "graft.cli.parser",
    "graft.cli.sync_cmd",
    "graft.plan.types",
    "graft.sync",
    "packaging.version",
    "typing",
}
#: What a new venv built by the fast path loads neither: json's and csv's regular expressions,
#: compiled at import (graft._jsonc and _csv do their work there; decision 190)
PATTERNS = {"csv", "json", "re"}
#: What it does not run: the errors of the template's first making, the sweeps' removal
#: (decision 218)
UNUSED = {"graft.errors", "graft.store.seal"}
METADATA = (
    "import importlib.metadata as m, json; print(json.dumps(sorted("
    "(d.metadata['Name'], d.version, sorted(str(f) for f in d.files or []),"
    " d.read_text('INSTALLER'), d.read_text('REQUESTED'))"
    " for d in m.distributions())))"
)


def args(venv: Path, reqs: Path, links: Path, store: Path) -> tuple[str | Path, ...]:
    return ("sync", venv, "-r", reqs, "--no-index", "--find-links", links, "--store", store)


def fast_or_full(venv: Path, reqs: Path, links: Path, store: Path, *extra: str) -> tuple[str, bool]:
    """A plain sync (a stamp may answer): its stderr, and whether the fast path built it."""
    said, modules = graft_imports(*args(venv, reqs, links, store), *extra)
    assert "synced" in said or "already in sync" in said, said
    return said, "graft.sync" not in modules


def replay_stamp(store: Path) -> Path:
    (found,) = (store / "plans").glob("replay-*")
    return found


def edit_stamp(store: Path, name: str, *values: str) -> None:
    """Give row *name* of every replay stamp other values."""
    for path in (store / "plans").glob("replay-*"):
        lines = path.read_text().split("\n")
        edited = ["\0".join([name, *values]) if x.split("\0")[0] == name else x for x in lines]
        path.write_text("\n".join(edited))


def remove_venv(venv: Path) -> None:
    shutil.rmtree(venv)


def drop_tree(text: str) -> list[str]:
    """pyvenv.cfg's lines but ``graft-tree`` (it hashes mtimes)."""
    return [x for x in text.splitlines() if not x.startswith("graft-tree")]


def test_the_mark_is_the_syncs() -> None:
    assert flat_build._PREFIX_MARK == PREFIX_MARK


def test_a_new_venv_from_the_fast_path_equals_the_full_paths(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    first, fast = fast_or_full(tmp_path / "a", reqs, links, store_dir)
    assert not fast  # the control: the first sync resolves and plans
    venv = tmp_path / "b"
    said, modules = graft_imports(*args(venv, reqs, links, store_dir))
    assert "synced" in said
    assert not HEAVY & modules, HEAVY & modules
    assert not PATTERNS & modules, PATTERNS & modules
    assert not UNUSED & modules, UNUSED & modules
    assert "graft.cli.replay" in modules
    # what it prints is what the full path printed, but for the venv's name and the time
    assert (
        said.replace(str(venv), "V").rsplit(" in ", 1)[0]
        == first.replace(str(tmp_path / "a"), "V").rsplit(" in ", 1)[0]
    )
    fast_tree, fast_cfg = snapshot(venv), (venv / "pyvenv.cfg").read_text()
    fast_metadata = py(venv, METADATA)
    roots = {json.loads(p.read_text())["venv"]: p for p in (store_dir / "roots").glob("*.json")}
    fast_root = json.loads(roots[str(venv)].read_text())
    anchor = roots[str(venv)].with_suffix(".anchor")
    assert anchor.stat().st_ino == (venv / "pyvenv.cfg").stat().st_ino

    # the full path finds it exactly as it would have built it (its own no-op check) ...
    verbose = run_graft(*args(venv, reqs, links, store_dir), "-v").stderr
    assert "already in sync" in verbose
    # ... and the fast path left the new venv's sync stamp
    again, modules = graft_imports(*args(venv, reqs, links, store_dir))
    assert "already in sync" in again
    assert "graft.cli.noop" in modules
    assert "graft.cli.replay" not in modules  # (the stamp answered first)

    # the same venv built by the full path
    remove_venv(venv)
    run_graft(*args(venv, reqs, links, store_dir), "-v")
    assert snapshot(venv) == fast_tree
    full_cfg = (venv / "pyvenv.cfg").read_text()
    assert drop_tree(full_cfg) == drop_tree(fast_cfg)
    assert py(venv, METADATA) == fast_metadata
    full_root = json.loads(roots[str(venv)].read_text())
    assert {k: v for k, v in full_root.items() if k != "directory"} == {
        k: v for k, v in fast_root.items() if k != "directory"
    }
    assert py(venv, "import alpha, beta, ns.a, ns.b; print(alpha.VALUE, beta.B)") == "1 1"
    launcher = (venv / "bin" / "alpha-cli").read_text()
    assert launcher.startswith(f"#!{venv}/bin/python\n")


def test_every_change_of_the_inputs_takes_the_full_path(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    def new(name: str, *extra: str) -> bool:
        venv = tmp_path / name
        fast = fast_or_full(venv, reqs, links, store_dir, *extra)[1]
        assert py(venv, "import alpha; print(alpha.VALUE)") == "1"
        return fast

    assert not new("first")
    assert new("control")

    # another pin: the requirement file's bytes
    reqs.write_text(reqs.read_text().replace("beta==1.0", "beta==2.0"))
    aged(reqs)
    assert not new("pin")
    assert py(tmp_path / "pin", "import beta; print(beta.B)") == "2"
    assert new("pin-again")

    # the find-links listing
    make_wheel(links, "gamma", "1.0", {"gamma.py": ""})
    aged(*links.iterdir(), links)
    assert not new("listing")
    assert new("listing-again")

    # an option, an environment variable: other stamps (the full path writes them)
    assert not new("option", "--collisions", "error")
    assert new("option-again", "--collisions", "error")
    os.environ["GRAFT_SOMETHING"] = "1"
    try:
        assert not new("env")
    finally:
        del os.environ["GRAFT_SOMETHING"]

    # a store entry the store no longer vouches for
    from graft.store.paths import root_file

    # an entry the replay would link: one of the last venv made with these inputs (any other
    # root's may name beta 1.0, which no longer is one)
    root = Path(root_file(str(store_dir), str(tmp_path / "listing-again")))
    entries = json.loads(root.read_text())["entries"]
    marker = next(m for m in (store_dir / "verified").iterdir() if m.name.split(".")[0] in entries)
    os.chmod(marker.parent, 0o755)
    marker.unlink()
    assert not new("unverified")
    assert new("verified-again")

    # the store's directories changed (mode): the ownership check must run again
    os.chmod(store_dir / "plans", 0o775)
    assert not new("store-mode")
    assert new("store-mode-again")

    # the interpreter the stamp names is not the one found now; index answers too old
    edit_stamp(store_dir, "interpreter", sys.executable, "/nonexistent/python")
    assert not new("interpreter")
    edit_stamp(store_dir, "build-expires", "1.0")
    assert not new("aged")
    assert new("fresh")


def test_a_damaged_or_forged_flat_form_or_stamp_is_not_used(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    fast_or_full(tmp_path / "a", reqs, links, store_dir)
    (flat,) = (store_dir / "plans").glob("steps-*.json")
    good = json.loads(flat.read_text())
    forged = json.loads(flat.read_text())
    site_dir = os.path.relpath(site(tmp_path / "a"), tmp_path / "a")
    forged["files"].append([f"{site_dir}/evil.pth", "import os\n", False])
    flat.write_text(json.dumps(forged))
    venv = tmp_path / "b"
    assert not fast_or_full(venv, reqs, links, store_dir)[1]
    assert not (site(venv) / "evil.pth").exists()
    forged = dict(good, dir_links=[["escape", "/etc"]])
    flat.write_text(json.dumps(forged))
    assert not fast_or_full(tmp_path / "c", reqs, links, store_dir)[1]
    flat.unlink()
    assert not fast_or_full(tmp_path / "d", reqs, links, store_dir)[1]
    assert flat.exists()  # written again beside its kept plan
    assert fast_or_full(tmp_path / "e", reqs, links, store_dir)[1]
    stamp = replay_stamp(store_dir)
    text = stamp.read_text()
    damaged_forms = ("", text.replace("count\0", "count\0x"), text.replace("form\0", "form\0["))
    for i, damaged in enumerate(damaged_forms):
        stamp.write_text(damaged)
        venv = tmp_path / f"f{i}"
        assert not fast_or_full(venv, reqs, links, store_dir)[1]
        assert not list(tmp_path.glob(".f*.graft-*[!k]"))  # no staging left behind
    assert py(tmp_path / "e", "import alpha; print(alpha.VALUE)") == "1"


def test_a_records_text_is_vouched_for_by_its_identity_once_it_hashed_to_its_name(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    """The replay stamp keeps the identity of each RECORD text that hashed to its name once
    its file had settled; a text replaced since is hashed again and refused (decision 218)."""
    fast_or_full(tmp_path / "a", reqs, links, store_dir)
    time.sleep(2.1)  # (the texts' files settle: no timing is asserted)
    assert fast_or_full(tmp_path / "b", reqs, links, store_dir)[1]
    kept = {
        p.name.removeprefix("record-").removesuffix(".csv"): p
        for p in (store_dir / "plans").glob("record-*.csv")
    }
    rows = [line.split("\0") for line in replay_stamp(store_dir).read_text().splitlines()]
    assert {row[1] for row in rows if row[0] == "text"} == set(kept)
    assert fast_or_full(tmp_path / "c", reqs, links, store_dir)[1]
    (alpha,) = [p for p in kept.values() if b"alpha/__init__.py" in p.read_bytes()]
    other = tmp_path / "other.csv"
    other.write_bytes(alpha.read_bytes().replace(b"alpha/__init__.py", b"alpha/__init__.pth"))
    os.replace(other, alpha)  # (the same size: another inode)
    assert not fast_or_full(tmp_path / "d", reqs, links, store_dir)[1]
    (record,) = site(tmp_path / "d").glob("alpha-*.dist-info/RECORD")
    assert "alpha/__init__.pth" not in record.read_text()


def test_a_full_sync_of_settled_texts_leaves_their_identities_for_the_first_replay(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    """The full sync that writes a replay stamp vouches for the RECORD texts it compiled whose
    files had settled, so the first new venv hashes none and learns nothing (decision 284;
    before, every first replay hashed them all and wrote the stamp again)."""
    fast_or_full(tmp_path / "a", reqs, links, store_dir)
    time.sleep(2.1)  # (the texts' files settle: no timing is asserted)
    replay_stamp(store_dir).unlink()  # (the next new venv takes the full path, as after an edit)
    assert not fast_or_full(tmp_path / "b", reqs, links, store_dir)[1]
    kept = {
        p.name.removeprefix("record-").removesuffix(".csv")
        for p in (store_dir / "plans").glob("record-*.csv")
    }
    stamp = replay_stamp(store_dir)
    rows = [line.split("\0") for line in stamp.read_text().splitlines()]
    assert {row[1] for row in rows if row[0] == "text"} == kept
    before = (stamp.read_bytes(), stamp.stat().st_ino)
    assert fast_or_full(tmp_path / "c", reqs, links, store_dir)[1]
    assert (stamp.read_bytes(), stamp.stat().st_ino) == before, "the first replay learned nothing"


def test_not_for_an_existing_directory_or_a_removed_venvs_moved_copy(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path
) -> None:
    fast_or_full(tmp_path / "a", reqs, links, store_dir)
    (tmp_path / "empty").mkdir()
    assert not fast_or_full(tmp_path / "empty", reqs, links, store_dir)[1]
    # a venv removed (rm -rf): its root is replaced; one moved away keeps its root
    assert fast_or_full(tmp_path / "b", reqs, links, store_dir)[1]
    remove_venv(tmp_path / "b")
    assert fast_or_full(tmp_path / "b", reqs, links, store_dir)[1]
    os.rename(tmp_path / "b", tmp_path / "moved")
    assert not fast_or_full(tmp_path / "b", reqs, links, store_dir)[1]
    roots = [json.loads(p.read_text()) for p in (store_dir / "roots").glob("*.json")]
    assert [r for r in roots if r["venv"] == str(tmp_path / "b") and not r.get("away")]
    assert [r for r in roots if r.get("away")]  # the moved venv's, kept by its anchor


KILLED = """
import os, sys
import graft.venv.flat as flat
steps = []
N = int(sys.argv[1])
def run(chunk):
    for step in chunk:
        step()
        steps.append(1)
        if len(steps) == N:
            os._exit(9)
flat._spread = lambda work, items: work(items)  # one thread: the kill comes at step N
flat._run = run
sys.argv = ["graft", *sys.argv[2:]]
from graft.cli.entry import entrypoint
entrypoint()
"""


@pytest.mark.parametrize("after", [1, 5])
def test_a_kill_during_the_fast_path_leaves_no_visible_venv(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path, after: int
) -> None:
    fast_or_full(tmp_path / "a", reqs, links, store_dir)
    venv = tmp_path / "b"
    argv = [str(a) for a in args(venv, reqs, links, store_dir)]
    proc = subprocess.run([sys.executable, "-c", KILLED, str(after), *argv], check=False)
    assert proc.returncode == 9  # killed in the middle of applying the flat form
    assert not venv.exists()
    assert [p for p in tmp_path.glob(".b.graft-*") if not p.name.endswith("lock")]  # staging
    said, fast = fast_or_full(venv, reqs, links, store_dir)
    assert "synced" in said
    assert not fast  # the staging beside it: the full path sweeps it
    assert not [p for p in tmp_path.glob(".b.graft-*") if not p.name.endswith("lock")]
    assert py(venv, "import alpha; print(alpha.VALUE)") == "1"


class _Gone(io.StringIO):
    """A stream whose reader went away: every write fails as a closed pipe's does."""

    def write(self, text: str) -> int:  # noqa: ARG002 - (what it would have said)
        raise BrokenPipeError(32, "Broken pipe")


def _exit(code: int) -> None:
    raise SystemExit(code)


def test_a_closed_pipe_in_the_fast_path_of_a_new_venv_is_status_141(
    tmp_path: Path, store_dir: Path, links: Path, reqs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new venv made again from its kept plan (the console script's replay) with no reader.

    Before: the BrokenPipeError of its first line left the fast path, a traceback (on the
    closed stream) and status 1, where ``main`` leaves with 141.
    """
    fast_or_full(tmp_path / "a", reqs, links, store_dir)  # (its replay stamp)
    venv = tmp_path / "b"
    from graft.cli import entry

    monkeypatch.setattr(sys, "argv", ["graft", *map(str, args(venv, reqs, links, store_dir))])
    monkeypatch.setattr(entry, "exit_now", _exit)
    monkeypatch.setattr(entry, "stdout_gone", lambda: 141, raising=False)
    monkeypatch.setattr(sys, "stderr", _Gone())
    with pytest.raises(SystemExit) as left:
        entry.entrypoint()
    monkeypatch.undo()
    assert left.value.code == 141
    assert (venv / "pyvenv.cfg").is_file()  # made, then its lines could not be said
