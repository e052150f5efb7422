"""An edited pin set applied with the standard library alone (graft.cli.change).

It must change the venv exactly as the full path changes it (file for file, link for link,
pyvenv.cfg's plan and counts, GC root, what importlib.metadata says, what it prints), and must
leave every input it cannot read as the full path does to the full path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graft.cli import change, changestamp
from graft.store.entries import Store
from graft.venv.state import recorded_state
from tests.integration.test_replay import HEAVY, METADATA
from tests.integration.test_warm import snapshot
from tests.support.importtime import imported
from tests.support.rangeserver import Served, serve
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

FILLERS = "".join(f"filler{i}==1.0\n" for i in range(12))  # (a change then touches a few)
FIRST = f"app==1.0\nlib==2.0\n{FILLERS}"
SECOND = f"app==1.0\nlib==1.0\nextra==1.0\n{FILLERS}"


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    """app needs lib>=1 and has a console script; lib has 0.5, 1.0 and 2.0; the rest alone."""
    with serve() as served:
        served.add(
            make_wheel(
                wheels,
                "app",
                "1.0",
                {"app/__init__.py": "import lib\ndef main():\n    print(lib.V)\n"},
                requires=("lib>=1",),
                entry_points="[console_scripts]\napp = app:main\n",
            )
        )
        for version in ("0.5", "1.0", "2.0"):
            served.add(make_wheel(wheels, "lib", version, {"lib.py": f"V = {version!r}\n"}))
        for name in ("extra", *(f"filler{i}" for i in range(12))):
            served.add(make_wheel(wheels, name, "1.0", {f"{name}/__init__.py": ""}))
        yield served


def graft(
    venv: Path, reqs: Path, served: Served, store: Path, *extra: str, check: bool = True
) -> tuple[subprocess.CompletedProcess[str], bool]:
    """``graft sync VENV -r REQS`` (timed imports): the process, and whether it was fast.

    Fast: the full path (``graft.sync``) not imported; the process's ``args`` are the modules
    it imported.
    """
    argv = ["sync", venv, "-r", reqs, "--index-url", f"{served.url}/simple/", "--store", store]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "graft", *map(str, [*argv, *extra])],
        capture_output=True,
        text=True,
        check=False,
    )
    modules = imported(proc.stderr)
    said = "\n".join(x for x in proc.stderr.splitlines() if not x.startswith("import time:"))
    proc.stderr = said
    proc.args = sorted(modules)
    if check:
        assert proc.returncode == 0, said
    return proc, "graft.sync" not in modules


def edited(tmp_path: Path, text: str, name: str) -> Path:
    """A requirements file never read before, as after a user's edit (a new path, new bytes)."""
    path = tmp_path / f"{name}.txt"
    path.write_text(f"# {name}\n{text}")
    return path


def seen_both(tmp_path: Path, venv: Path, served: Served, store: Path) -> None:
    """Sync *venv* to FIRST, then SECOND (the stamps and plans kept)."""
    for number, text in enumerate((FIRST, SECOND)):
        graft(venv, edited(tmp_path, text, f"{venv.parent.name}-{number}"), served, store)


def state(venv: Path) -> dict[str, str]:
    """pyvenv.cfg's graft lines that do not depend on the venv's path or files' times."""
    recorded = recorded_state(str(venv))
    return {
        "plan": recorded["graft-plan"].split(" ")[0],
        "stats": recorded["graft-stats"],
        "store": recorded["graft-store"],
    }


def assert_alike(fast_venv: Path, full_venv: Path, store_dir: Path) -> None:
    """The fast path's venv as the full path's, file for file; both rooted; app runs lib 2.0."""
    assert snapshot(fast_venv) == snapshot(full_venv)
    assert state(fast_venv) == state(full_venv)
    assert py(fast_venv, METADATA) == py(full_venv, METADATA)
    ran = subprocess.run([fast_venv / "bin" / "app"], capture_output=True, text=True, check=True)
    assert ran.stdout == "2.0\n"
    store = Store(str(store_dir))
    roots = [json.loads(Path(store.root_path(str(v))).read_text()) for v in (fast_venv, full_venv)]
    assert roots[0]["entries"] == roots[1]["entries"]
    anchor = Path(store.root_path(str(fast_venv))).with_suffix(".anchor")
    assert anchor.stat().st_ino == (fast_venv / "pyvenv.cfg").stat().st_ino


def test_an_edited_pin_set_seen_before_changes_the_venv_as_the_full_path_does(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    fast_venv, full_venv = tmp_path / "a" / "venv", tmp_path / "b" / "venv"  # (same depth)
    for venv in (fast_venv, full_venv):
        venv.parent.mkdir()
        seen_both(tmp_path, venv, index, store_dir)
    reqs = edited(tmp_path, FIRST, "edited")
    fast_proc, fast = graft(fast_venv, reqs, index, store_dir)
    full_proc, full = graft(full_venv, reqs, index, store_dir, "-v")  # (-v: the full path)
    assert fast
    assert not full
    assert "graft._reads" not in fast_proc.args  # (no run to note reads in: the stamp hashes)
    assert_alike(fast_venv, full_venv, store_dir)
    changes = [x for x in fast_proc.stderr.splitlines() if x.startswith(" ")]
    assert changes == [" - extra==1.0", " ~ lib 1.0 -> 2.0 (upgraded)"]
    assert changes == [x for x in full_proc.stderr.splitlines() if x.startswith(" ")]
    assert fast_proc.stderr.splitlines()[-1].startswith(
        f"graft: synced {fast_venv}: 14 distributions"
    )
    again, _ = graft(fast_venv, reqs, index, store_dir)  # the same again: the no-op stamp's
    assert "already in sync" in again.stderr
    assert "graft.cli.change" not in again.args
    graft(fast_venv, edited(tmp_path, SECOND, "quiet-0"), index, store_dir, "-q")  # its stamp
    quiet = again
    for number, text in enumerate((FIRST, SECOND), 1):  # lib 2.0 >= 1 is checked, and kept
        quiet, fast = graft(
            fast_venv, edited(tmp_path, text, f"quiet-{number}"), index, store_dir, "-q"
        )
        assert fast
        assert quiet.stderr == ""
    assert not HEAVY & set(quiet.args)  # (nor packaging.specifiers for pairs checked before)


def test_a_file_rewritten_during_the_change_is_not_stamped_as_in_sync(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rewritten after the change read its pins: the sync stamp names the bytes it read
    (decision 465), so the next sync installs the new pins instead of "already in sync"."""
    venv = tmp_path / "venv"
    seen_both(tmp_path, venv, index, store_dir)
    reqs = edited(tmp_path, FIRST, "edited")
    read = changestamp.pins

    def read_then_rewritten(files: list[str], *digests: dict[str, str] | None) -> object:
        found = read(files, *digests)
        reqs.write_text(f"# edited\n{SECOND}")  # (a script's next write, racing this sync)
        return found

    monkeypatch.setattr(changestamp, "pins", read_then_rewritten)
    argv = ["sync", venv, "-r", reqs, "--index-url", f"{index.url}/simple/", "--store", store_dir]
    assert change.answer(list(map(str, argv))) == 0
    assert py(venv, "import lib; print(lib.V)") == "2.0"  # (the bytes read: FIRST's)
    monkeypatch.undo()
    again, _ = graft(venv, reqs, index, store_dir)
    assert "already in sync" not in again.stderr
    assert py(venv, "import lib; print(lib.V)") == "1.0"


#: What the change of an edited pin set never imports (decision 185): json's decoder compiles
#: regular expressions (re, and enum with it), contextlib and csv cost it ~2 ms each, the
#: materializer (for the full path's rebuild) ~1 ms.
NOT_ON_THE_PIN_PATH = {"json", "re", "enum", "contextlib", "csv", "graft.venv.materialize"}
#: ... and what it never runs: the errors (eleven classes) but for a failure, what keeps a
#: user's files but for a venv holding some, the builder of new venvs (decision 211)
NOT_ON_THE_PIN_PATH |= {"graft.errors", "graft.venv.keep", "graft.cli.replay"}
#: ... and the launchers' renderer, for a change that writes none (decision 349)
NOT_ON_THE_PIN_PATH |= {"graft.plan.scripts"}
#: ... nor what the full path's modules bring at their import (decision 360: none is there)
NOT_ON_THE_PIN_PATH |= {"typing", "dataclasses", "inspect", "fnmatch", "shlex", "argparse"}
NOT_ON_THE_PIN_PATH |= {"packaging", "graft.sources.reqfile", "graft.resolve.pinrecord"}


def test_an_edited_pin_set_imports_no_json_re_contextlib_or_csv(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    venv = tmp_path / "venv"
    for number, text in enumerate((FIRST, SECOND)):  # (-q: the stamps are keyed by it)
        graft(venv, edited(tmp_path, text, f"seen-{number}"), index, store_dir, "-q")
    reqs = edited(tmp_path, FIRST, "edited")
    argv = ["sync", venv, "-r", reqs, "--index-url", f"{index.url}/simple/", "--store", store_dir]
    script = "import sys; from graft.cli.entry import entrypoint; sys.exit(entrypoint())"
    proc = subprocess.run(  # as the console script runs it (-m graft imports contextlib)
        [sys.executable, "-X", "importtime", "-c", script, *map(str, [*argv, "-q"])],
        capture_output=True,
        text=True,
        check=True,
    )
    modules = imported(proc.stderr)
    assert "graft.cli.change" in modules  # the control: the change path answered
    assert "graft.sync" not in modules
    assert not NOT_ON_THE_PIN_PATH & modules, NOT_ON_THE_PIN_PATH & modules
    assert py(venv, "import lib; print(lib.V)") == "2.0"


def test_a_quiet_change_does_not_read_what_the_venv_held(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``-q`` the lines that say what changed are left out, and so is their listing."""
    venv = tmp_path / "venv"
    for number, text in enumerate((FIRST, SECOND)):  # (-q: the stamps are keyed by it)
        graft(venv, edited(tmp_path, text, f"seen-{number}"), index, store_dir, "-q")
    reqs = edited(tmp_path, FIRST, "edited")

    def listed(prefix: str, site_dirs: tuple[str, ...]) -> dict[str, str]:
        raise AssertionError(f"{prefix} listed under -q")

    monkeypatch.setattr("graft.venv.state.installed", listed)
    argv = ["sync", venv, "-r", reqs, "--index-url", f"{index.url}/simple/", "--store", store_dir]
    assert change.answer([*map(str, argv), "-q"]) == 0
    assert py(venv, "import lib; print(lib.V)") == "2.0"
    assert recorded_state(str(venv))["graft-stats"].startswith("14,")


def test_a_new_venv_from_an_edited_pin_set_seen_before_is_built_as_the_full_path_builds_it(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """The stamp for new venvs (keyed without the venv's path) builds one at once."""
    home = tmp_path / "home" / "venv"
    home.parent.mkdir()
    seen_both(tmp_path, home, index, store_dir)
    fast_venv, full_venv = tmp_path / "a" / "venv", tmp_path / "b" / "venv"  # (same depth)
    fast_venv.parent.mkdir()
    full_venv.parent.mkdir()
    reqs = edited(tmp_path, FIRST, "new")  # bytes never read: neither replay nor no-op stamps
    fast_proc, fast = graft(fast_venv, reqs, index, store_dir)
    full_proc, full = graft(full_venv, reqs, index, store_dir, "-v")  # (-v: the full path)
    assert fast
    assert "graft.cli.replay" in fast_proc.args  # (asked first: its stamp is for other bytes)
    assert not full
    assert_alike(fast_venv, full_venv, store_dir)
    added = [x for x in fast_proc.stderr.splitlines() if x.startswith(" ")]
    assert added == [x for x in full_proc.stderr.splitlines() if x.startswith(" ")]
    assert " + lib==2.0" in added
    assert len(added) == 14
    assert fast_proc.stderr.splitlines()[-1].startswith(
        f"graft: synced {fast_venv}: 14 distributions"
    )
    again, _ = graft(fast_venv, reqs, index, store_dir)  # the sync stamp it left: a no-op
    assert "already in sync" in again.stderr
    assert "graft.cli.change" not in again.args
    _, fast = graft(fast_venv, edited(tmp_path, SECOND, "then"), index, store_dir)
    assert fast  # and the venv it built is changed in place next
    assert py(fast_venv, "import lib; print(lib.V)") == "1.0"


def _age(cache: Path, seconds: float) -> int:
    """Make the cache's pages and pin records *seconds* older, as time passing would.

    Returns how many steps the records hold.
    """
    for path in (cache / "index").glob("*.json"):
        page = json.loads(path.read_text())
        if "fetched" not in page:
            continue  # (another graft's page, as test_sources leaves one in the session cache)
        page["fetched"] -= seconds
        path.write_text(json.dumps(page))
        os.utime(path, (page["fetched"], page["fetched"]))
    count = 0
    for path in (cache / "pinned").glob("*.json"):
        data = json.loads(path.read_text())
        for row in data["steps"].values():
            row["created"] -= seconds
            count += 1
        path.write_text(json.dumps(data))
    return count


@pytest.mark.parametrize("etag", [True, False], ids=["etag", "bytes"])
def test_an_aged_step_is_renewed_while_its_page_is_unchanged(
    tmp_path: Path, store_dir: Path, index: Served, graft_cache: Path, wheels: Path, etag: bool
) -> None:
    """Steps older than a cached page are renewed by asking for their pages (decision 85).

    A 304 for each of the set's pages (or, from an index without validators, the same bytes)
    keeps them, and the change is made without the full path, as the full path makes it; a
    page that changed sends the sync to the full path.
    """
    index.etag = etag
    status = 304 if etag else 200
    fast_venv, full_venv = tmp_path / "a" / "venv", tmp_path / "b" / "venv"  # (same depth)
    for venv in (fast_venv, full_venv):
        venv.parent.mkdir()
        seen_both(tmp_path, venv, index, store_dir)
    graft(full_venv, edited(tmp_path, FIRST, "full"), index, store_dir, "-v")
    assert _age(graft_cache, 700) >= 15  # (FIRST's 14 steps and lib 1.0's)
    index.pages.clear()
    proc, fast = graft(fast_venv, edited(tmp_path, FIRST, "aged"), index, store_dir)
    assert fast, proc.stderr
    assert index.pages == [status] * 14  # each of the set's pages, once
    assert_alike(fast_venv, full_venv, store_dir)
    index.pages.clear()
    _, fast = graft(fast_venv, edited(tmp_path, SECOND, "renewed"), index, store_dir)
    assert fast
    assert index.pages == [status] * 2  # lib 1.0's and extra's: the others were renewed
    _age(graft_cache, 700)
    served = make_wheel(wheels, "filler3", "1.1", {"filler3/__init__.py": ""})
    index.add(served)  # filler3's page changes (its ETag with it)
    index.pages.clear()
    proc, fast = graft(fast_venv, edited(tmp_path, FIRST, "changed"), index, store_dir)
    assert not fast, proc.stderr  # the full path, which reads the new page
    assert len(index.pages) > 1 + 14  # (filler3's page was asked again by the full path)
    assert py(fast_venv, "import lib; print(lib.V)") == "2.0"


def test_a_new_venv_gets_the_interpreter_the_full_path_would_give_it(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """A stamp left by a sync that kept an existing venv's interpreter is not for new venvs.

    Without ``--python`` the full path keeps an existing venv's interpreter and gives a new
    venv graft's own.
    """
    from graft.errors import TargetError
    from graft.venv.interpreter import find_interpreter

    others = []
    for version in ("3.12", "3.13", "3.10", "3.11"):
        try:
            found = find_interpreter(version)
        except TargetError:
            continue
        if Path(found).resolve() != Path(sys.executable).resolve():
            others.append(found)
    if not others:
        pytest.skip("needs a CPython of 3.10-3.13 besides the one running the tests")
    home = tmp_path / "home" / "venv"
    home.parent.mkdir()
    graft(home, edited(tmp_path, FIRST, "made"), index, store_dir, "--python", others[0])
    for number, text in enumerate((SECOND, FIRST)):  # no --python: the venv's own is kept
        graft(home, edited(tmp_path, text, f"kept-{number}"), index, store_dir)
    version = "import sys; print(sys.version_info[:2])"
    new = tmp_path / "new" / "venv"
    new.parent.mkdir()
    _, fast = graft(new, edited(tmp_path, SECOND, "new"), index, store_dir)
    assert not fast
    assert py(new, version) == str(sys.version_info[:2])  # graft's own, as the full path has it
    assert py(home, version) != py(new, version)
    again = new.parent / "again"
    _, fast = graft(again, edited(tmp_path, SECOND, "again"), index, store_dir)
    assert fast  # the stamp the full path left for graft's interpreter serves new venvs again
    assert py(again, version) == str(sys.version_info[:2])
    # each existing venv keeps a stamp of its own: the two interpreters never take turns
    home_version = py(home, version)
    _, fast = graft(home, edited(tmp_path, SECOND, "home-again"), index, store_dir)
    assert fast
    assert py(home, version) == home_version
    _, fast = graft(
        again, edited(tmp_path, SECOND.replace("extra==1.0\n", ""), "a2"), index, store_dir
    )
    assert not fast  # (a set never planned: the control)
    _, fast = graft(again, edited(tmp_path, SECOND, "a3"), index, store_dir)
    assert fast


def test_a_python_named_by_a_link_is_found_again_by_the_stamps(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """``--python .venv/bin/python`` (a link): the stamps hold the file it leads to."""
    link = tmp_path / "python"
    link.symlink_to(Path(sys.executable).resolve())
    venv = tmp_path / "home" / "venv"
    venv.parent.mkdir()
    for number, text in enumerate((FIRST, SECOND)):
        graft(
            venv, edited(tmp_path, text, f"seen-{number}"), index, store_dir, "--python", str(link)
        )
    _, fast = graft(
        venv, edited(tmp_path, FIRST, "edited"), index, store_dir, "--python", str(link)
    )
    assert fast
    again, _ = graft(
        venv, edited(tmp_path, FIRST, "edited"), index, store_dir, "--python", str(link)
    )
    assert "already in sync" in again.stderr
    assert "graft.cli.change" not in again.args  # (the no-op stamp's, through the link too)


def test_collisions_are_warned_of_on_the_fast_paths_as_on_the_full_path(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    with serve() as served:
        for name in ("left", "right"):  # both ship shared.txt, with different contents
            served.add(make_wheel(wheels, name, "1.0", {"shared.txt": name, f"{name}.py": ""}))
        for version in ("1.0", "2.0"):
            served.add(make_wheel(wheels, "lib", version, {"lib.py": f"V = {version!r}\n"}))
        for filler in (f"filler{i}" for i in range(12)):  # (a change then touches a few)
            served.add(make_wheel(wheels, filler, "1.0", {f"{filler}/__init__.py": ""}))
        first = f"left==1.0\nright==1.0\nlib==1.0\n{FILLERS}"
        second = f"left==1.0\nright==1.0\nlib==2.0\n{FILLERS}"
        home = tmp_path / "home" / "venv"
        home.parent.mkdir()
        for number, text in enumerate((first, second)):
            graft(home, edited(tmp_path, text, f"seen-{number}"), served, store_dir)
        full_proc, full = graft(home, edited(tmp_path, first, "full"), served, store_dir, "-v")
        changed, fast = graft(home, edited(tmp_path, second, "changed"), served, store_dir)
        assert fast
        built, new_fast = graft(tmp_path / "new", edited(tmp_path, first, "new"), served, store_dir)
        assert new_fast
    assert not full
    warned = [x for x in full_proc.stderr.splitlines() if x.startswith("graft: warning:")]
    (line,) = warned
    assert line.startswith("graft: warning: collision: lib/python3")
    assert line.endswith(
        "/shared.txt is provided by left==1.0 and right==1.0 with different"
        " contents; right==1.0 wins"
    )
    for proc in (changed, built):
        assert [x for x in proc.stderr.splitlines() if x.startswith("graft: warning:")] == warned


def test_a_kill_while_the_new_venv_is_built_leaves_no_visible_venv(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    from tests.integration.test_replay import KILLED as KILLED_AT_STEP

    # exit 9 only when the kill lands on the fast path (8: the full path was taken)
    killed = KILLED_AT_STEP.replace(
        "os._exit(9)", 'os._exit(8 if "graft.sync" in sys.modules else 9)'
    )
    assert killed != KILLED_AT_STEP
    home = tmp_path / "home" / "venv"
    home.parent.mkdir()
    seen_both(tmp_path, home, index, store_dir)
    venv = tmp_path / "new" / "venv"
    venv.parent.mkdir()
    reqs = edited(tmp_path, FIRST, "killed")
    argv = ["sync", venv, "-r", reqs, "--index-url", f"{index.url}/simple/", "--store", store_dir]
    proc = subprocess.run(
        [sys.executable, "-c", killed, "5", *map(str, argv)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 9, proc.stderr  # killed while the flat form was applied
    assert not venv.exists()
    assert [p for p in venv.parent.glob(".venv.graft-*") if not p.name.endswith("lock")]
    said, fast = graft(venv, reqs, index, store_dir)
    assert not fast  # the staging beside it: the full path sweeps it
    assert "synced" in said.stderr
    assert not [p for p in venv.parent.glob(".venv.graft-*") if not p.name.endswith("lock")]
    assert py(venv, "import lib; print(lib.V)") == "2.0"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (f"{FIRST}extra==1.0\n", "a set never planned"),
        (
            f"app==1.0\nlib==0.5\n{FILLERS}",
            "a specifier not met (so never planned): the full path explains",
        ),
        (f"app==1.0\nlib==2.0 ; python_version > '3'\n{FILLERS}", "a marker"),
        (f"--pre\n{FIRST}", "an option"),
        (f"app==1.0\nlib>=2\n{FILLERS}", "not pinned"),
        (f"app==1.0\n{FILLERS}", "a dependency the file does not pin"),
        (f"{FIRST}Lib==2.0\n", "a project named twice"),
    ],
)
def test_what_the_stamp_cannot_read_takes_the_full_path(
    tmp_path: Path, store_dir: Path, index: Served, text: str, why: str
) -> None:
    venv = tmp_path / "home" / "venv"
    venv.parent.mkdir()
    seen_both(tmp_path, venv, index, store_dir)
    other = tmp_path / "other" / "venv"  # lib 0.5's step in the pin record, as after any sync
    other.parent.mkdir()
    graft(other, edited(tmp_path, "lib==0.5\n", "other"), index, store_dir)
    proc, fast = graft(venv, edited(tmp_path, text, "edited"), index, store_dir, check=False)
    assert not fast, why
    if "not met" in why:
        assert proc.returncode != 0
        assert "lib" in proc.stderr
        assert py(venv, "import lib; print(lib.V)") == "1.0"  # the venv as it was
    else:
        assert proc.returncode == 0, proc.stderr


def test_a_venv_changed_since_or_a_stale_stamp_takes_the_full_path(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    venv = tmp_path / "home" / "venv"
    venv.parent.mkdir()
    seen_both(tmp_path, venv, index, store_dir)
    pycache = next((venv / "lib").glob("python3*/site-packages")) / "__pycache__"
    pycache.mkdir(exist_ok=True)  # bytecode an interpreter wrote: not as graft left the venv
    (pycache / "stray.cpython-311.pyc").write_bytes(b"")
    _, fast = graft(venv, edited(tmp_path, FIRST, "stray"), index, store_dir)
    assert not fast  # (the full path rebuilds it)
    assert not (pycache / "stray.cpython-311.pyc").exists()
    _, fast = graft(venv, edited(tmp_path, SECOND, "control"), index, store_dir)
    assert fast  # the control: as graft left it again, the stamp reads the file
    for stamp in (store_dir / "plans").glob("change-*"):  # a forged step key: not found
        stamp.write_text(stamp.read_text().replace('"True", "True"', '"False", "True"'))
    _, fast = graft(venv, edited(tmp_path, FIRST, "forged"), index, store_dir)
    assert not fast


def cut_short(
    tmp_path: Path, store_dir: Path, index: Served, how: str, moment: str
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """A venv seen with both sets, then synced to FIRST again, cut short (:data:`CUT_SHORT`)."""
    venv = tmp_path / "home" / "venv"
    venv.parent.mkdir()
    seen_both(tmp_path, venv, index, store_dir)
    reqs = edited(tmp_path, FIRST, "cut")
    argv = ["sync", venv, "-r", reqs, "--index-url", f"{index.url}/simple/", "--store", store_dir]
    proc = subprocess.run(
        [sys.executable, "-c", CUT_SHORT, how, moment, *map(str, argv)],
        capture_output=True,
        text=True,
        check=False,
    )
    return venv, reqs, proc


@pytest.mark.parametrize("moment", ["staging", "committed"])
def test_a_kill_during_the_change_leaves_the_old_venv_or_the_change_to_finish(
    tmp_path: Path, store_dir: Path, index: Served, moment: str
) -> None:
    venv, reqs, proc = cut_short(tmp_path, store_dir, index, "kill", moment)
    assert proc.returncode == 9, proc.stderr  # (8: killed in the full path)
    pending = recorded_state(str(venv)).get("graft-pending")
    if moment == "staging":
        assert pending is None
        assert py(venv, "import lib; print(lib.V)") == "1.0"  # the old venv, whole
    else:
        assert pending is not None  # committed: marked incomplete until it is finished
    _, fast = graft(venv, reqs, index, store_dir)
    assert not fast  # a staging or a pending change beside it: the full path
    assert py(venv, "import lib; print(lib.V)") == "2.0"
    assert "graft-pending" not in recorded_state(str(venv))
    assert not [p for p in venv.parent.glob(".venv.graft-*") if not p.name.endswith("lock")]


#: Runs graft's console entry cut short at the staging's last step or right after the commit:
#: killed (exit 9; 8 in the full path), or by Ctrl-C.
CUT_SHORT = """
import os, sys
import graft.venv.flat as flat
import graft.venv.journal as journal
how, moment = sys.argv[1:3]
def stop(*_):
    if how == "interrupt":
        raise KeyboardInterrupt
    os._exit(8 if "graft.sync" in sys.modules else 9)
if moment == "staging":
    flat._spread = lambda work, items: (work(items), stop())
else:
    journal._finish = stop
sys.argv = ["graft", *sys.argv[3:]]
from graft.cli.entry import entrypoint
entrypoint()
"""


@pytest.mark.parametrize("moment", ["staging", "committed"])
def test_ctrl_c_during_the_change_says_what_it_left(
    tmp_path: Path, store_dir: Path, index: Served, moment: str
) -> None:
    """One line, no traceback (the fast path is the console entry's, before ``main``), and
    true: before the commit nothing was changed; after it, the next sync finishes it."""
    venv, reqs, proc = cut_short(tmp_path, store_dir, index, "interrupt", moment)
    assert proc.returncode == 130, proc.stderr
    if moment == "staging":
        assert proc.stderr == "graft: interrupted; nothing was changed\n"
        assert py(venv, "import lib; print(lib.V)") == "1.0"
    else:
        expected = f"graft: interrupted after the change of {venv} was committed; "
        assert proc.stderr == expected + "the next sync finishes it\n"
    graft(venv, reqs, index, store_dir)
    assert py(venv, "import lib; print(lib.V)") == "2.0"
    assert "graft-pending" not in recorded_state(str(venv))
