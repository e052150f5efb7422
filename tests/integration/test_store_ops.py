"""``graft store info|list|gc``: numbers, GC by roots, and gc against running syncs.

Syncs run the real CLI in a subprocess. The store commands run through
:func:`graft.cli.store_cmd.run_store` in-process (``store_cli``) so that they are
tested before and after ``graft.cli.main`` wires them; one test runs them in a
subprocess to check the one-line error.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graft.cli.store_cmd import add_store_parser, human, run_store
from graft.store import seal
from graft.store.entries import Store
from graft.store.gc import collect_garbage
from graft.store.ops import TMP_GRACE_SECONDS, disk_usage
from tests.conftest import run_graft
from tests.support.venv import site
from tests.support.wheelmaker import make_wheel


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def store_cli(*args: str | Path) -> Result:
    """``graft store ARGS`` through the store command's own parser and runner, in-process."""
    parser = argparse.ArgumentParser(prog="graft")
    add_store_parser(parser.add_subparsers(dest="command", required=True))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_store(parser.parse_args(["store", *map(str, args)]))
    return Result(code, out.getvalue(), err.getvalue())


STORE_MAIN = """
import argparse, sys
from graft.cli.store_cmd import add_store_parser, run_store
parser = argparse.ArgumentParser(prog="graft")
add_store_parser(parser.add_subparsers(dest="command", required=True))
sys.exit(run_store(parser.parse_args(sys.argv[1:])))
"""


def store_cli_subprocess(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", STORE_MAIN, "store", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def py(venv: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=False
    )


def dist_infos(venv: Path) -> set[str]:
    return {p.name for p in site(venv).glob("*.dist-info")}


def entries(store: Path) -> set[str]:
    return {p.name for p in (store / "entries").iterdir()}


def sha_of(wheel: Path) -> str:
    from graft._fs import file_sha256

    return file_sha256(str(wheel))


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every path below *root* but lock files (taking a lock is not a change)."""
    out: dict[str, tuple[object, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath == str(root):
            dirnames.remove("locks")
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            out[os.path.relpath(path, root)] = (st.st_mode, st.st_ino, st.st_size, st.st_mtime_ns)
    return out


# -- the wheels: a shared library, per-venv packages, a namespace, entry points --------------


@pytest.fixture
def kit(wheels: Path) -> dict[str, Path]:
    return {
        "shared": make_wheel(
            wheels,
            "shared",
            "1.0",
            {"shared/__init__.py": "S = 1\n", "shared/util.py": "U = 2\n"},
            entry_points="[console_scripts]\nshared-cli = shared:main\n",
        ),
        "alpha": make_wheel(wheels, "alpha", "1.0", {"alpha/__init__.py": "A = 1\n"}),
        "beta": make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 2\n" * 2000}),
        "gamma": make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": "G = 3\n"}),
        "ns_one": make_wheel(wheels, "ns-one", "1.0", {"ns/one/__init__.py": "O = 1\n"}),
        "ns_two": make_wheel(wheels, "ns-two", "1.0", {"ns/two/__init__.py": "T = 2\n"}),
    }


IMPORTS = {
    "shared": "import shared.util",
    "alpha": "import alpha",
    "beta": "import beta",
    "gamma": "import gamma",
    "ns_one": "import ns.one",
    "ns_two": "import ns.two",
}


def sync(venv: Path, store: Path, *wheel_paths: Path) -> None:
    run_graft("sync", venv, *wheel_paths, "--store", store, "--no-deps", "-q")


def assert_imports(venv: Path, names: list[str]) -> None:
    code = "; ".join(IMPORTS[n] for n in names)
    proc = py(venv, code)
    assert proc.returncode == 0, f"{venv}: {code}\n{proc.stderr}"
    if "shared" in names:
        cli = venv / "bin" / "shared-cli"
        assert cli.is_file()
        assert cli.read_text().startswith(f"#!{venv}/bin/python")


def build(tmp_path: Path, store: Path, kit: dict[str, Path], plan: dict[str, list[str]]) -> None:
    for venv, names in plan.items():
        sync(tmp_path / venv, store, *(kit[n] for n in names))


def remove_venv(venv: Path) -> None:
    seal.remove_tree(str(venv), sealed=False)


# -- info and list ----------------------------------------------------------------------------


def test_info_and_list_numbers(tmp_path: Path, store_dir: Path, kit: dict[str, Path]) -> None:
    build(tmp_path, store_dir, kit, {"v1": ["shared", "alpha"], "v2": ["shared", "beta"]})
    shas = {n: sha_of(kit[n]) for n in ("shared", "alpha", "beta")}
    store = Store(str(store_dir))
    block = os.statvfs(store_dir).f_frsize

    def copied(name: str) -> int:
        entry = store.peek(shas[name])
        assert entry is not None
        return sum(-(-f.size // block) * block for f in entry.record.files)

    info = store_cli("info", "--store", store_dir, "--json")
    assert info.returncode == 0, info.stderr
    data = info.json()
    du = subprocess.run(
        ["du", "-s", "--block-size=1", str(store_dir)], capture_output=True, text=True, check=True
    )
    expected_copies = 2 * copied("shared") + copied("alpha") + copied("beta")
    assert data == {
        "store": str(store_dir),
        "disk_bytes": int(du.stdout.split()[0]),
        "entries": 3,
        "venvs": 2,
        "dead_roots": 0,
        "copied_bytes": expected_copies,
        "saved_bytes": expected_copies - int(du.stdout.split()[0]),
        "tmp_items": 0,
    }

    text = store_cli("info", "--store", store_dir)
    assert text.returncode == 0
    assert "entries    3\nvenvs      2\n" in text.stdout
    assert f"({data['disk_bytes']} bytes)" in text.stdout

    listed = store_cli("list", "--store", store_dir, "--json").json()
    assert isinstance(listed, list)
    by_name = {row["filename"]: row for row in listed}
    assert sorted(by_name) == sorted(kit[n].name for n in shas)
    for name, sha in shas.items():
        row = by_name[kit[name].name]
        assert row["sha256"] == sha
        assert row["venvs"] == (2 if name == "shared" else 1)
        assert row["disk_bytes"] == disk_usage(str(store_dir / "entries" / sha))
        entry = store.peek(sha)
        assert entry is not None
        assert row["file_bytes"] == sum(f.size for f in entry.record.files)

    lines = store_cli("list", "--store", store_dir).stdout.splitlines()
    assert len(lines) == 3
    shared_line = next(line for line in lines if line.startswith(kit["shared"].name))
    assert shas["shared"][:12] in shared_line
    assert shared_line.endswith("2 venvs")

    remove_venv(tmp_path / "v2")  # a deleted venv stops counting at once
    data = store_cli("info", "--store", store_dir, "--json").json()
    assert isinstance(data, dict)
    assert (data["venvs"], data["dead_roots"]) == (1, 1)
    assert data["copied_bytes"] == copied("shared") + copied("alpha")
    assert data["saved_bytes"] < 0  # one venv, and an entry none uses: the store costs more
    text = store_cli("info", "--store", store_dir)
    more = -data["saved_bytes"]
    assert f"saved      nothing yet: the store takes {human(more)} ({more} bytes) more" in (
        text.stdout
    )
    rows = {
        r["filename"]: r["venvs"] for r in store_cli("list", "--store", store_dir, "--json").json()
    }
    assert rows == {kit["shared"].name: 1, kit["alpha"].name: 1, kit["beta"].name: 0}


def test_store_commands_on_a_missing_store_fail_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "venv").mkdir()  # a directory, not a store: a mistyped --store, say
    for where in ("nowhere", "venv"):
        # verify and repair too: "verified 0 entries: 0 problems" of a typo passed a CI check
        for action in ("info", "list", "gc", "verify", "repair"):
            if (where, action) == ("nowhere", "gc"):
                continue  # (nothing to collect: test_gc_of_a_missing_store_collects_nothing)
            proc = store_cli_subprocess(action, "--store", tmp_path / where)
            assert proc.returncode == 1, proc
            assert "Traceback" not in proc.stderr
            (line,) = proc.stderr.splitlines()
            assert line == (
                f"graft: error: {tmp_path / where}: no graft store here (no entries/ directory)"
                " (pass --store DIR or set GRAFT_STORE)"
            )
    assert not (tmp_path / "nowhere").exists()
    assert list((tmp_path / "venv").iterdir()) == []


# -- gc ---------------------------------------------------------------------------------------


def test_gc_of_a_missing_store_collects_nothing_and_makes_nothing(tmp_path: Path) -> None:
    """Decision 206: as ``uv cache prune`` of a missing cache, exit 0, one line, nothing
    made (it refused in one line, exit 1); ``--dry-run`` and ``--json`` alike."""
    where = tmp_path / "new" / "store"
    proc = store_cli_subprocess("gc", "--store", where)
    assert proc.returncode == 0, proc
    assert proc.stderr.splitlines() == [f"graft: gc {where}: no store here, nothing to collect"]
    assert proc.stdout == ""
    proc = store_cli_subprocess("gc", "--store", where, "--dry-run", "--json")
    assert proc.returncode == 0, proc
    data = json.loads(proc.stdout)
    assert (data["dry_run"], data["removed"], data["freed_bytes"]) == (True, [], 0)
    assert list(tmp_path.iterdir()) == []


def test_gc_makes_no_part_of_a_store_it_only_reads(tmp_path: Path) -> None:
    """A store with only ``entries/`` (made by hand, or an older graft's): a dry run makes
    nothing in it; a gc makes only ``locks/``, which keeps syncs out while it decides (it
    made ``tmp/``, ``roots/``, ``plans/`` and ``verified/`` too)."""
    store = tmp_path / "store"
    (store / "entries").mkdir(parents=True)
    for args in (("--dry-run",), ("--dry-run", "--json"), ()):
        result = store_cli("gc", "--store", store, *args)
        assert result.returncode == 0, result.stderr
        made = {"entries"} if args else {"entries", "locks"}
        assert {p.name for p in store.iterdir()} == made, args


def test_delete_venvs_then_gc(tmp_path: Path, store_dir: Path, kit: dict[str, Path]) -> None:
    plan = {
        "keep1": ["shared", "alpha", "ns_one"],
        "keep2": ["shared", "ns_one", "ns_two"],
        "gone1": ["shared", "beta", "ns_two"],
        "gone2": ["gamma", "alpha"],
    }
    build(tmp_path, store_dir, kit, plan)
    assert len(entries(store_dir)) == 6
    remove_venv(tmp_path / "gone1")
    remove_venv(tmp_path / "gone2")

    result = store_cli("gc", "--store", store_dir, "--json")
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert isinstance(data, dict)

    only_gone = {sha_of(kit["beta"]), sha_of(kit["gamma"])}
    survivors = {sha_of(kit[n]) for n in ("shared", "alpha", "ns_one", "ns_two")}
    assert entries(store_dir) == survivors
    assert {row["sha256"] for row in data["removed"]} == only_gone
    assert {row["venv"] for row in data["dead_roots"]} == {
        str(tmp_path / "gone1"),
        str(tmp_path / "gone2"),
    }
    assert data["kept"] == 4
    assert data["live_roots"] == 2
    assert data["freed_bytes"] > 0
    assert len(list((store_dir / "roots").glob("*.json"))) == 2
    assert not list((store_dir / "tmp").iterdir())
    for venv in ("keep1", "keep2"):
        assert_imports(tmp_path / venv, plan[venv])
    verify = run_graft("store", "verify", "--store", store_dir)
    assert verify.returncode == 0
    assert "verified 4 entries" in verify.stderr

    again = store_cli("gc", "--store", store_dir, "--json").json()
    assert isinstance(again, dict)
    assert (again["removed"], again["dead_roots"], again["kept"]) == ([], [], 4)
    # a removed entry comes back on the next sync that needs it
    sync(tmp_path / "gone2", store_dir, kit["gamma"], kit["alpha"])
    assert_imports(tmp_path / "gone2", plan["gone2"])


def test_gc_frees_what_a_resync_dropped(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    sync(venv, store_dir, kit["shared"], kit["alpha"], kit["beta"], kit["gamma"])
    sync(venv, store_dir, kit["shared"], kit["gamma"])
    gc = store_cli("gc", "--store", store_dir)
    assert gc.returncode == 0, gc.stderr
    assert entries(store_dir) == {sha_of(kit["shared"]), sha_of(kit["gamma"])}
    assert "removed 2 entries" in gc.stderr
    assert kit["alpha"].name in gc.stdout
    assert kit["beta"].name in gc.stdout
    assert_imports(venv, ["shared", "gamma"])
    assert dist_infos(venv) == {"shared-1.0.dist-info", "gamma-1.0.dist-info"}


def test_gc_dry_run_changes_nothing(tmp_path: Path, store_dir: Path, kit: dict[str, Path]) -> None:
    build(tmp_path, store_dir, kit, {"a": ["shared", "alpha"], "b": ["beta", "gamma"]})
    remove_venv(tmp_path / "b")
    stale = store_dir / "tmp" / ("0" * 64 + ".crashed")
    stale.mkdir()
    old = time.time() - 2 * TMP_GRACE_SECONDS
    os.utime(stale, (old, old))
    before = snapshot(store_dir)

    dry = store_cli("gc", "--store", store_dir, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    data = dry.json()
    assert isinstance(data, dict)
    assert snapshot(store_dir) == before
    assert data["dry_run"] is True
    assert {r["sha256"] for r in data["removed"]} == {sha_of(kit["beta"]), sha_of(kit["gamma"])}
    assert data["swept"] == [str(stale)]
    assert len(data["dead_roots"]) == 1
    text = store_cli("gc", "--store", store_dir, "--dry-run")
    assert "would remove 2 entries" in text.stderr
    assert snapshot(store_dir) == before

    real = store_cli("gc", "--store", store_dir, "--json").json()
    assert isinstance(real, dict)
    assert real["removed"] == data["removed"]
    assert real["swept"] == data["swept"]
    assert not stale.exists()


def test_a_venv_resynced_against_another_store_stops_counting(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    venv = tmp_path / "venv"
    other = tmp_path / "other-store"
    sync(venv, store_dir, kit["alpha"])
    try:
        sync(venv, other, kit["alpha"])
        data = store_cli("gc", "--store", store_dir, "--json").json()
        assert isinstance(data, dict)
        assert [r["reason"] for r in data["dead_roots"]] == [f"venv now uses the store {other}"]
        assert entries(store_dir) == set()
        assert_imports(venv, ["alpha"])
        kept = store_cli("gc", "--store", other, "--json").json()
        assert isinstance(kept, dict)
        assert (kept["removed"], kept["kept"]) == ([], 1)
    finally:
        seal.remove_tree(str(other))


def test_gc_keeps_what_a_venv_links_to_even_if_its_root_is_stale(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    """A sync killed between the swap and writing its root leaves the previous root behind."""
    venv = tmp_path / "venv"
    sync(venv, store_dir, kit["alpha"], kit["shared"])
    root = Store(str(store_dir)).root_path(str(venv))
    stale = Path(root).read_text()
    sync(venv, store_dir, kit["gamma"], kit["shared"])
    Path(root).write_text(stale)  # as if killed right after the swap
    store_cli("gc", "--store", store_dir)
    assert_imports(venv, ["gamma", "shared"])
    # kept: what the venv links to, and (conservatively) what the stale root still lists
    assert entries(store_dir) == {sha_of(kit[n]) for n in ("alpha", "gamma", "shared")}


def test_a_venv_whose_root_was_lost_in_a_crash_survives_gc(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    """A no-op re-sync registers the root again (a crash may have lost it)."""
    venv = tmp_path / "venv"
    sync(venv, store_dir, kit["alpha"])
    os.unlink(Store(str(store_dir)).root_path(str(venv)))  # lost
    sync(venv, store_dir, kit["alpha"])  # the re-run: "already in sync"
    store_cli("gc", "--store", store_dir)
    assert_imports(venv, ["alpha"])


def test_gc_sweeps_stale_leftovers_nobody_holds(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    sync(tmp_path / "venv", store_dir, kit["alpha"])
    tmp = store_dir / "tmp"
    old = time.time() - 2 * TMP_GRACE_SECONDS
    stale_free = tmp / ("a" * 64 + ".x1")  # crashed ingest staging, entry lock free
    stale_held = tmp / ("b" * 64 + ".x2")  # an ingest of that wheel is running right now
    fresh = tmp / ("c" * 64 + ".x3")  # too young to judge
    crashed_gc = tmp / "gc-0123456789abcdef.x4"  # a gc killed before deleting what it took out
    for path in (stale_free, stale_held, fresh, crashed_gc):
        (path / "tree").mkdir(parents=True)
        (path / "tree" / "f.py").write_text("x")
    root_tmp = store_dir / "roots" / "0123.json.tmp.999"
    root_tmp.write_text("{")
    plan_tmp = store_dir / "plans" / "abcd.json.tmp.998"  # a sync killed while keeping its plan
    plan_tmp.write_text("{")
    stamp_tmp = store_dir / "plans" / "stamp-abcd.tmp.997"  # one killed while stamping
    stamp_tmp.write_text("graft")
    for path in (stale_free, stale_held, crashed_gc, root_tmp, plan_tmp, stamp_tmp):
        os.utime(path, (old, old))
    seal.make_read_only(str(crashed_gc))  # what gc takes out is sealed (immutable as root)
    seal.seal_tree(str(crashed_gc))
    store = Store(str(store_dir))
    with store.lock("b" * 64):
        result = collect_garbage(store)
    swept = (stale_free, crashed_gc, root_tmp, plan_tmp, stamp_tmp)
    assert sorted(result.swept) == sorted(map(str, swept))
    assert sorted(p.name for p in tmp.iterdir()) == sorted([stale_held.name, fresh.name])
    assert not root_tmp.exists()
    assert not plan_tmp.exists()
    assert not stamp_tmp.exists()
    assert list((store_dir / "plans").glob("*.json"))  # the kept plan and memo stay
    assert entries(store_dir) == {sha_of(kit["alpha"])}


def test_an_unreadable_root_stops_gc(tmp_path: Path, store_dir: Path, kit: dict[str, Path]) -> None:
    sync(tmp_path / "venv", store_dir, kit["alpha"])
    remove_venv(tmp_path / "venv")
    bad = store_dir / "roots" / "bad.json"
    bad.write_text("{not json")
    before = entries(store_dir)
    result = store_cli("gc", "--store", store_dir)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"graft: error: {bad}: GC root is unreadable")
    assert entries(store_dir) == before


# -- gc against running syncs -----------------------------------------------------------------


def test_gc_waits_for_a_sync_that_has_read_entries_but_not_rooted_them(
    tmp_path: Path, store_dir: Path, kit: dict[str, Path]
) -> None:
    """The race: sync reads an entry, materializes, and only then registers its root."""
    sync(tmp_path / "old", store_dir, kit["alpha"])
    remove_venv(tmp_path / "old")  # alpha's entry is now garbage
    sha = sha_of(kit["alpha"])
    store = Store(str(store_dir))
    assert store.get(sha) is not None  # a sync about to link alpha: the store is pinned

    gc = subprocess.Popen(
        [sys.executable, "-c", STORE_MAIN, "store", "gc", "--store", str(store_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (store_dir / "locks" / "gc-run.lock").exists():
            time.sleep(0.02)
        time.sleep(0.5)
        assert gc.poll() is None, gc.communicate()
        assert sha in entries(store_dir)
        # the sync finishes: a venv that uses the store, then its root
        new = tmp_path / "new"
        new.mkdir()
        (new / "pyvenv.cfg").write_text(f"home = /usr/bin\ngraft-store = {store_dir}\n")
        store.register_root(str(new), [sha])
        time.sleep(0.3)
        assert gc.poll() is None  # the sync has not ended yet
        store.release()
        _, err = gc.communicate(timeout=30)
    finally:
        if gc.poll() is None:
            gc.kill()
    assert gc.returncode == 0, err
    assert "waiting for running syncs" in err
    assert sha in entries(store_dir)
    assert "removed 0 entries" in err


def test_gc_running_alongside_syncs_never_breaks_a_venv(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """Syncs flip venvs between two wheel sets while gc runs in a loop; nothing breaks."""
    sets = [
        [make_wheel(wheels, f"p{i}", v, {f"p{i}/__init__.py": f"V = {v!r}\n"}) for i in range(6)]
        for v in ("1.0", "2.0")
    ]
    script = tmp_path / "flip.sh"
    rounds = 4
    lines = ["set -e"]
    for r in range(rounds):
        args = " ".join(str(w) for w in sets[r % 2])
        lines.append(f'"{sys.executable}" -m graft sync "$1" {args} --store "{store_dir}" -q')
    script.write_text("\n".join(lines) + "\n")
    Store(str(store_dir)).ensure()
    flippers = [
        subprocess.Popen(
            ["bash", str(script), str(tmp_path / f"v{n}")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    collections = 0
    while any(p.poll() is None for p in flippers):
        result = store_cli("gc", "--store", store_dir)
        assert result.returncode == 0, result.stderr
        collections += 1
    for proc in flippers:
        _, err = proc.communicate()
        assert proc.returncode == 0, err
    assert collections > 0
    for n in range(3):
        code = "; ".join(f"import p{i}; assert p{i}.V == '2.0', p{i}.V" for i in range(6))
        imported = py(tmp_path / f"v{n}", code)
        assert imported.returncode == 0, imported.stderr
    assert store_cli("gc", "--store", store_dir).returncode == 0
    assert entries(store_dir) == {sha_of(w) for w in sets[1]}
    assert run_graft("store", "verify", "--store", store_dir).returncode == 0
