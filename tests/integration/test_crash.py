"""Faults: kill -9 at random moments of ``graft sync``, concurrent syncs, and a full disk.

Kill trials
    ``graft sync`` runs in a subprocess (its own process group) and gets SIGKILL after
    a delay drawn from a seeded RNG, uniform over the time an uncut sync of that
    kind takes here (plus 20%, at least 300 ms), so kills land in every stage:
    start-up, ingest, bytecode, plan, materialize, swap, root registration, and
    after the end (for an incremental sync: staging, then after its commit). Three
    kills in four hit the whole process group (a CI timeout); the rest hit graft
    alone and leave its bytecode workers running (the OOM killer). Trials cycle
    through fresh/warm store x fresh/existing venv; an existing venv is flipped
    between two wheel sets (20 wheels of ~50 files each, some with console scripts;
    16 names in common at another version, 4 dropped, 4 added: a whole rebuild), or,
    on the warm store, between the old set and a near one (one upgraded, one
    dropped, one added: an incremental sync). After each kill: ``graft store
    verify`` passes; the venv is absent (fresh case), holds exactly the old or the
    new set (its .dist-info set equals one of them) and imports all of it, or is
    marked incomplete (``graft-pending`` in pyvenv.cfg, its journal beside it: an
    incremental change was committed and is being rolled forward); an existing venv
    still holds its user's files (:data:`MINE`, kept by every sync); the re-run
    succeeds (finishing any pending change first); then no ``.<name>.graft-*``
    staging directory, no ``tmp/`` item, and no unsealed or half-written file in
    the store remains.

    ``GRAFT_CRASH_TRIALS`` (default 30) and ``GRAFT_CRASH_SEED`` change the loop;
    the ``slow`` test runs 200 trials when selected with ``-m slow`` or
    ``GRAFT_SLOW=1``.
"""

from __future__ import annotations

import collections
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from graft.store import seal
from graft.store.entries import Store
from graft.venv.journal import JOURNAL
from graft.venv.state import recorded_state, up_to_date
from tests.conftest import run_graft
from tests.integration.test_store_ops import store_cli
from tests.support.importtime import graft_imports
from tests.support.rangeserver import serve
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

SEED = int(os.environ.get("GRAFT_CRASH_SEED", "20250505"))
TRIALS = int(os.environ.get("GRAFT_CRASH_TRIALS", "30"))
SLOW_TRIALS = 200
N_WHEELS = 20
N_FILES = 50
CACHE_TAG = sys.implementation.cache_tag


def slow_selected(config: pytest.Config) -> bool:
    """``-m slow`` (or an expression that selects slow without negating it), or GRAFT_SLOW=1."""
    expr = str(config.getoption("markexpr") or "")
    return os.environ.get("GRAFT_SLOW") == "1" or ("slow" in expr and "not slow" not in expr)


# -- the wheels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WheelSet:
    label: str
    wheels: dict[str, tuple[str, Path]]  # name -> (version, wheel file)

    @property
    def paths(self) -> list[Path]:
        return [path for _, path in self.wheels.values()]

    @property
    def dist_infos(self) -> set[str]:
        return {f"{name}-{version}.dist-info" for name, (version, _) in self.wheels.items()}

    @property
    def scripts(self) -> set[str]:
        return {f"{name}-cli" for name in self.wheels if int(name[3:]) % 4 == 0}

    def shas(self) -> set[str]:
        from graft._fs import file_sha256

        return {file_sha256(str(path)) for path in self.paths}


def _wheel(directory: Path, index: int, version: str) -> Path:
    name = f"pkg{index:02d}"
    files: dict[str, bytes | str] = {f"{name}/__init__.py": f"V = {version!r}\n"}
    for j in range(N_FILES - 1):
        sub = "sub/" if j % 3 == 0 else ""
        files[f"{name}/{sub}m{j:02d}.py"] = f"X = {j}\n" + f"# {name} {version} padding\n" * 30
    if index % 4 == 0:
        files[f"{name}/cli.py"] = "def main():\n    print('ok')\n"
    points = f"[console_scripts]\n{name}-cli = {name}.cli:main\n" if index % 4 == 0 else None
    return make_wheel(directory, name, version, files, entry_points=points)


@dataclass(frozen=True)
class Kit:
    old: WheelSet
    new: WheelSet
    near: WheelSet  # the old set less pkg01, with pkg00 upgraded and pkg24 added

    def other(self, current: WheelSet) -> WheelSet:
        return self.new if current is self.old else self.old


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    base = tmp_path_factory.mktemp("crash-wheels")
    old = {f"pkg{i:02d}": ("1.0", _wheel(base, i, "1.0")) for i in range(N_WHEELS)}
    new = {f"pkg{i:02d}": ("2.0", _wheel(base, i, "2.0")) for i in range(4, N_WHEELS + 4)}
    near = {k: v for k, v in old.items() if k != "pkg01"}
    near["pkg00"] = ("1.1", _wheel(base, 0, "1.1"))
    near["pkg24"] = ("1.0", _wheel(base, 24, "1.0"))
    return Kit(WheelSet("old", old), WheelSet("new", new), WheelSet("near", near))


# -- checks -----------------------------------------------------------------------------------


def sync_cmd(venv: Path, wheels: WheelSet, store: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "graft",
        "sync",
        str(venv),
        *map(str, wheels.paths),
        "--store",
        str(store),
        "--no-deps",
        "-q",
    ]


def sync(venv: Path, wheels: WheelSet, store: Path) -> float:
    started = time.monotonic()
    run_graft(*sync_cmd(venv, wheels, store)[3:])
    return time.monotonic() - started


def dist_infos(venv: Path) -> set[str]:
    found = list((venv / "lib").glob("python3*/site-packages"))
    return {p.name for p in found[0].glob("*.dist-info")} if found else set()


def check_venv(venv: Path, wheels: WheelSet) -> None:
    """The venv holds exactly *wheels*: .dist-info set, scripts, and every package imports."""
    assert dist_infos(venv) == wheels.dist_infos, f"{venv} is a mix"
    scripts = {p.name for p in (venv / "bin").glob("pkg*-cli")}
    assert scripts == wheels.scripts
    expected = {name: version for name, (version, _) in wheels.wheels.items()}
    code = (
        "import importlib, importlib.metadata as md, json, sys\n"
        f"for name, version in json.loads({json.dumps(json.dumps(expected))}).items():\n"
        "    module = importlib.import_module(name)\n"
        "    assert module.V == version, (name, module.V)\n"
        "    importlib.import_module(name + '.sub.m00')\n"
        "    importlib.import_module(name + '.m01')\n"
        "    assert md.version(name) == version, name\n"
    )
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"{venv}: {proc.stderr}"
    for script in wheels.scripts:
        head = (venv / "bin" / script).read_text().splitlines()[0]
        assert head == f"#!{venv}/bin/python", head


def verify_clean(store: Path) -> None:
    """The store verifies; a kill before it was made leaves at most its empty directories."""
    if not (store / "entries").is_dir():  # (maintenance refuses a path that is no store)
        left = [p for p in store.rglob("*") if not p.is_dir()] if store.exists() else []
        assert left == [], f"{store}: files in a store that was never made: {left}"
        return
    checked = store_cli("verify", "--store", store)
    assert checked.returncode == 0, checked.stdout + checked.stderr


#: A user's files in the venvs synced again and again: every sync keeps them, cut or not.
MINE = {"notes.txt": "mine\n", "share/mine/kernel.json": "{}\n"}


def write_mine(venv: Path) -> None:
    for path, text in MINE.items():
        (venv / path).parent.mkdir(parents=True, exist_ok=True)
        (venv / path).write_text(text)


def check_mine(venv: Path, where: str) -> None:
    assert {path: (venv / path).read_text() for path in MINE} == MINE, where


def staging_dirs(venv: Path) -> list[str]:
    stem = f".{venv.name}.graft-"
    return sorted(
        n for n in os.listdir(venv.parent) if n.startswith(stem) and not n.endswith("lock")
    )


def store_leftovers(store: Path) -> list[str]:
    """Anything in the store that a finished sync should not leave: tmp items, temp files,
    entries without their seal."""
    out = [f"tmp/{n}" for n in os.listdir(store / "tmp")]
    roots = set(os.listdir(store / "roots"))
    out += [  # every root file may have its anchor (a hard link to its venv's pyvenv.cfg)
        f"roots/{n}"
        for n in roots
        if not n.endswith(".json") and n.removesuffix(".anchor") + ".json" not in roots
    ]
    for entry in (store / "entries").iterdir():
        for dirpath, _dirs, files in os.walk(entry):
            out += [
                os.path.relpath(os.path.join(dirpath, f), store)
                for f in files
                if ".tmp." in f or (".pyc." in f)
            ]
            st = os.lstat(dirpath)
            if st.st_mode & 0o222:
                out.append(f"{os.path.relpath(dirpath, store)} has write bits")
            elif seal.immutable_enabled() and not seal.is_immutable(dirpath):
                out.append(f"{os.path.relpath(dirpath, store)} is not immutable")
    return out


# -- the trials -------------------------------------------------------------------------------


@dataclass
class Lab:
    root: Path
    kit: Kit
    rng: random.Random
    warm: Path
    existing: Path
    existing_set: WheelSet
    existing_store: Path
    horizon: dict[bool, float]  # fresh store? -> seconds an uncut sync takes, with margin
    incremental: float  # the same for an incremental sync (warm store, existing venv)
    moments: collections.Counter[str] = field(default_factory=collections.Counter)
    delays: list[float] = field(default_factory=list)
    notes: collections.Counter[str] = field(default_factory=collections.Counter)

    @classmethod
    def create(cls, root: Path, kit: Kit, seed: int) -> Lab:
        warm = root / "warm-store"
        sync(root / "keep-old", kit.old, warm)  # also makes the session's venv template
        cold = sync(root / "keep-new", kit.new, warm)  # ingests and compiles 20 new wheels
        existing = root / "venvs" / "existing"
        existing.parent.mkdir()
        hot = sync(existing, kit.old, warm)
        sync(existing, kit.near, warm)  # ingests the near set's new wheels, keeps its plan
        step = sync(existing, kit.old, warm)  # an incremental sync with a kept plan
        write_mine(existing)
        sync(existing, kit.old, warm)  # rebuilt, keeping them
        horizon = {True: max(0.3, 1.2 * cold), False: max(0.3, 1.2 * hot)}
        rng = random.Random(seed)  # noqa: S311 - reproducible delays, not cryptography
        return cls(root, kit, rng, warm, existing, kit.old, warm, horizon, max(0.3, 1.2 * step))

    def trial(self, number: int) -> None:
        fresh_store = number % 2 == 0
        fresh_venv = (number // 2) % 2 == 0
        store = self.root / "stores" / f"s{number}" if fresh_store else self.warm
        if fresh_venv:
            venv = self.root / "venvs" / f"v{number}"
            before: WheelSet | None = None
            target = self.rng.choice([self.kit.old, self.kit.new])
        else:
            venv, before = self.existing, self.existing_set
            target = self.next_set(before, fresh_store, number)
        near = self.kit.near
        step = not fresh_venv and near in (before, target) and store == self.existing_store
        delay = self.rng.uniform(0, self.incremental if step else self.horizon[fresh_store])
        whole_group = self.rng.random() < 0.75
        self.delays.append(delay)
        kind = "group" if whole_group else "single"
        where = f"trial {number} (delay {delay * 1000:.0f} ms, {kind}, {venv}, {store})"
        where += f" {before.label if before else 'none'} -> {target.label}"

        pgid, finished = self.kill(sync_cmd(venv, target, store), delay, whole_group, where)
        moment = self.moment(finished, venv, before, target, store, step=step)
        self.moments[moment] += 1
        where += f", killed at {moment}"
        swapped = self.check_after_kill(venv, store, before, target, where)
        run_graft(*sync_cmd(venv, target, store)[3:])  # the re-run
        _wait_for_group(pgid)
        self.check_after_rerun(venv, store, target, swapped=swapped, where=where)

        if fresh_venv:
            seal.remove_tree(str(venv), sealed=False)
        else:
            self.existing_set = target
            if self.existing_store not in {store, self.warm}:
                seal.remove_tree(str(self.existing_store))
            self.existing_store = store
        if fresh_store and store != self.existing_store:
            seal.remove_tree(str(store))

    def next_set(self, before: WheelSet, fresh_store: bool, number: int) -> WheelSet:
        """The set an existing venv is synced to next: mostly the near one on the warm store
        (an incremental sync), else the other of old and new (a rebuild)."""
        kit = self.kit
        if before is not kit.old:
            return kit.old
        return kit.new if fresh_store or (number // 4) % 3 == 0 else kit.near

    def kill(self, cmd: list[str], delay: float, whole_group: bool, where: str) -> tuple[int, bool]:
        """Run *cmd*, SIGKILL it after *delay*; (its process group, whether it ended first)."""
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            finished = False
            if whole_group:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
            proc.wait()
            self.notes["group kill" if whole_group else "graft process only"] += 1
        _, err = proc.communicate()
        if finished:
            assert proc.returncode == 0, f"{where}: {err}"
        return proc.pid, finished

    def check_after_kill(
        self, venv: Path, store: Path, before: WheelSet | None, target: WheelSet, where: str
    ) -> bool:
        """The store verifies; the venv is absent, the old one, the new one, or marked pending.

        Swapped (or changed) already?
        """
        verify_clean(store)
        if not venv.exists():
            assert before is None, f"{where}: the existing venv is gone"
            return False
        if before is not None:
            check_mine(venv, where)
        pending = recorded_state(str(venv)).get("graft-pending")
        if pending is not None:  # committed: never taken for complete, finished by the re-run
            assert before is not None, where
            assert (venv.parent / pending / JOURNAL).is_file(), where
            assert up_to_date(str(venv), recorded_state(str(venv))["graft-inputs"]) is None
            return False
        found = dist_infos(venv)
        allowed = [target] if before is None else [before, target]
        match = [s for s in allowed if s.dist_infos == found]
        assert match, f"{where}: the venv holds {sorted(found)}"
        check_venv(venv, match[0])
        return match[0] is target

    def check_after_rerun(
        self, venv: Path, store: Path, target: WheelSet, *, swapped: bool, where: str
    ) -> None:
        """The re-run converged and left nothing behind."""
        check_venv(venv, target)
        if venv == self.existing:
            check_mine(venv, where)
        assert staging_dirs(venv) == [], where
        leftovers = store_leftovers(store)
        assert leftovers == [], f"{where}: {leftovers}"
        assert _rooted(store, venv, target), f"{where}: the GC root does not list the venv's set"
        if swapped:
            self.notes["re-run found the venv up to date"] += 1

    def moment(  # noqa: PLR0911 - one answer per stage
        self,
        finished: bool,
        venv: Path,
        before: WheelSet | None,
        target: WheelSet,
        store: Path,
        *,
        step: bool,
    ) -> str:
        """Where the kill landed, judged from what it left behind."""
        if finished:
            return "after the end"
        if venv.exists() and "graft-pending" in recorded_state(str(venv)):
            return "incremental, committed"
        swapped = venv.exists() and dist_infos(venv) == target.dist_infos
        if swapped and (before is None or before is not target):
            return "after the swap" if _rooted(store, venv, target) else "swap, before the root"
        if staging_dirs(venv):
            return "incremental, staging" if step else "materialize"
        if store != self.warm:
            shas = target.shas()
            entries, tmp = store / "entries", store / "tmp"  # (a kill may precede either)
            have = shas & {p.name for p in entries.iterdir()} if entries.is_dir() else set()
            busy = tmp.is_dir() and any(tmp.iterdir())
            if not have and not busy:
                return "start-up"
            if have != shas or busy:
                return "ingest"
            tags = [store / "entries" / s / "bytecode" / f"{CACHE_TAG}.json" for s in shas]
            if not all(t.exists() for t in tags):
                return "bytecode"
        return "before materialize"

    def kills(self) -> int:
        return sum(n for moment, n in self.moments.items() if moment != "after the end")

    def finish(self) -> dict[str, object]:
        verify_clean(self.warm)
        check_venv(self.existing, self.existing_set)
        check_venv(self.root / "keep-old", self.kit.old)
        return {
            "trials": len(self.delays),
            "moments": dict(sorted(self.moments.items())),
            "notes": dict(sorted(self.notes.items())),
            "delay_ms": [round(min(self.delays) * 1000), round(max(self.delays) * 1000)],
            "horizon_ms": {
                "fresh store": round(self.horizon[True] * 1000),
                "warm store": round(self.horizon[False] * 1000),
            },
        }


def _rooted(store: Path, venv: Path, target: WheelSet) -> bool:
    try:
        raw = json.loads(Path(Store(str(store)).root_path(str(venv))).read_text())
    except FileNotFoundError:
        return False
    return set(raw["entries"]) == target.shas()


def _wait_for_group(pgid: int, timeout: float = 30) -> None:
    """Let a killed graft's orphaned bytecode workers finish (they are not ours to kill)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    os.killpg(pgid, signal.SIGKILL)


def run_trials(root: Path, kit: Kit, trials: int, seed: int) -> dict[str, object]:
    """Trials until *trials* of them killed graft mid-sync (kills after the end do not count).

    At most four times *trials* are run: the horizons are one uncut sync each, timed when the
    lab is made, and a sync timed under a passing load leaves many later delays past the end
    (26 kills in 60 trials were seen at a load average above 10).
    """
    lab = Lab.create(root, kit, seed)
    try:
        number = 0
        while lab.kills() < trials and number < 4 * trials:
            lab.trial(number)
            number += 1
        summary = lab.finish()
        summary["kills"] = lab.kills()
    finally:
        for path in [*sorted((root / "stores").glob("*")), lab.warm]:
            seal.remove_tree(str(path))
    print(f"\ncrash trials: {json.dumps(summary)}")
    return summary


def test_kill_9_at_random_moments_of_sync(tmp_path: Path, kit: Kit, graft_cache: Path) -> None:
    summary = run_trials(tmp_path, kit, TRIALS, SEED)
    assert summary["kills"] == TRIALS, summary


@pytest.mark.slow
def test_kill_9_at_random_moments_of_sync_many(
    tmp_path: Path, kit: Kit, graft_cache: Path, request: pytest.FixtureRequest
) -> None:
    if not slow_selected(request.config):
        pytest.skip("slow: select with -m slow or GRAFT_SLOW=1")
    summary = run_trials(tmp_path, kit, SLOW_TRIALS, SEED + 1)
    assert summary["kills"] == SLOW_TRIALS, summary


# -- kills during incremental syncs ----------------------------------------------------------

#: Incremental trials (``GRAFT_SLOW``: 200): each kills an incremental sync inside its update.
INCREMENTAL_TRIALS = int(os.environ.get("GRAFT_CRASH_INCREMENTAL_TRIALS", "40"))


def _kill_in_update(
    cmd: list[str], venv: Path, delay: float, *, whole_group: bool, after_commit: bool = False
) -> tuple[str, float]:
    """Run *cmd*; once its staging directory appears, SIGKILL it after *delay* seconds.

    The staging directory appears when the update begins (everything before it, resolving
    and planning, the main loop covers), so the kill lands in staging, at the commit, or
    while the change is rolled forward. With *after_commit*, the clock starts instead when
    pyvenv.cfg says the change is pending (the roll forward takes a few milliseconds).
    Returns where the kill landed, and how long the process ran after the clock started.
    """
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    while proc.poll() is None and not (
        "graft-pending" in recorded_state(str(venv)) if after_commit else staging_dirs(venv)
    ):
        time.sleep(0.0002)
    started = time.monotonic()
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        if whole_group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait()
    else:
        _, err = proc.communicate()
        assert proc.returncode == 0, err
        return "after the end", time.monotonic() - started
    proc.communicate()
    took = time.monotonic() - started
    if "graft-pending" in recorded_state(str(venv)):
        return "committed", took
    return ("staging" if staging_dirs(venv) else "finished"), took


def index_cmd(venv: Path, wheels: WheelSet, store: Path, url: str) -> list[str]:
    """``graft sync VENV -r FILE`` of *wheels* pinned, from the index at *url*.

    Each run reads a new file (as after a user's edit), so that after the first syncs the
    change stamp answers (graft.cli.change).
    """
    reqs = venv.parent / f"{wheels.label}-{time.monotonic_ns()}.txt"
    reqs.write_text("".join(f"{n}=={v}\n" for n, (v, _) in sorted(wheels.wheels.items())))
    argv = ["sync", str(venv), "-r", str(reqs), "--index-url", url, "--store", str(store), "-q"]
    return [sys.executable, "-m", "graft", *argv]


def run_incremental_trials(
    root: Path, kit: Kit, trials: int, seed: int, url: str | None = None
) -> dict[str, object]:
    """Flip one venv between the old and the near set, killing each incremental sync.

    With *url*, from that index by requirement files: the changes are then made by the fast
    path of an edited pin set (checked first), and the kills land in it.
    """
    store, venv = root / "store", root / "venvs" / "v"
    venv.parent.mkdir(parents=True)

    def command(wheels: WheelSet) -> list[str]:
        return sync_cmd(venv, wheels, store) if url is None else index_cmd(venv, wheels, store, url)

    for wheels in (kit.old, kit.near, kit.old):  # ingests both sets and keeps both plans
        run_graft(*command(wheels)[3:])
    write_mine(venv)
    run_graft(*command(kit.old)[3:])  # rebuilt, keeping them
    if url is not None:  # the fast path answers both ways (no full path imported)
        for wheels in (kit.near, kit.old):
            said, modules = graft_imports(*command(wheels)[3:])
            assert "graft.sync" not in modules, said
            check_venv(venv, wheels)
    uncut = [
        _kill_in_update(command(wheels), venv, 60, whole_group=True)
        for wheels in (kit.near, kit.old)
    ]
    assert [moment for moment, _ in uncut] == ["after the end"] * 2
    window = max(took for _, took in uncut)  # from the staging's first sight to the exit
    rng = random.Random(seed)  # noqa: S311 - reproducible delays, not cryptography
    moments: collections.Counter[str] = collections.Counter()
    current = kit.old
    try:
        for number in range(trials):
            target = kit.near if current is kit.old else kit.old
            after_commit = number % 2 == 1
            delay = rng.uniform(0, 0.01 if after_commit else 1.2 * window)
            where = f"incremental trial {number} ({current.label} -> {target.label}, {delay:.4f} s)"
            cmd = command(target)
            group = rng.random() < 0.75
            moment, _ = _kill_in_update(
                cmd, venv, delay, whole_group=group, after_commit=after_commit
            )
            moments[moment] += 1
            where += f", killed: {moment}"
            pending = recorded_state(str(venv)).get("graft-pending")
            if pending is None:  # the old venv or the new one, complete
                check_venv(venv, target if dist_infos(venv) == target.dist_infos else current)
            else:  # marked incomplete, with its journal; never taken for complete
                assert (venv.parent / pending / JOURNAL).is_file(), where
                assert up_to_date(str(venv), recorded_state(str(venv))["graft-inputs"]) is None
                rooted = json.loads(Path(Store(str(store)).root_path(str(venv))).read_text())
                assert set(rooted["entries"]) >= current.shas() | target.shas(), where
            rerun = run_graft(*command(target)[3:-1], "-v")  # finishes, syncs
            where += f", re-run: {rerun.stderr.strip().splitlines()[-2:]}"
            check_venv(venv, target)
            check_mine(venv, where)
            assert "graft-pending" not in recorded_state(str(venv)), where
            assert staging_dirs(venv) == [], where
            assert _rooted(store, venv, target), where
            current = target
        verify_clean(store)
        assert store_leftovers(store) == []
    finally:
        seal.remove_tree(str(store))
    summary = {"trials": trials, "window_ms": round(window * 1000), "moments": dict(moments)}
    print(f"\nincremental crash trials: {json.dumps(summary)}")
    return summary


def test_kill_9_during_incremental_syncs(tmp_path: Path, kit: Kit, graft_cache: Path) -> None:
    run_incremental_trials(tmp_path, kit, INCREMENTAL_TRIALS, SEED + 2)


@pytest.mark.slow
def test_kill_9_during_incremental_syncs_many(
    tmp_path: Path, kit: Kit, graft_cache: Path, request: pytest.FixtureRequest
) -> None:
    if not slow_selected(request.config):
        pytest.skip("slow: select with -m slow or GRAFT_SLOW=1")
    run_incremental_trials(tmp_path, kit, SLOW_TRIALS, SEED + 3)


@pytest.fixture
def kit_index(kit: Kit) -> Iterator[str]:
    """A loopback index serving the old and the near set."""
    with serve() as served:
        for wheels in (kit.old, kit.near):
            for path in wheels.paths:
                if path.name not in served.files:
                    served.add(path)
        yield f"{served.url}/simple/"


def test_kill_9_during_changes_of_an_edited_pin_set(
    tmp_path: Path, kit: Kit, kit_index: str, graft_cache: Path
) -> None:
    run_incremental_trials(tmp_path, kit, INCREMENTAL_TRIALS, SEED + 4, kit_index)


@pytest.mark.slow
def test_kill_9_during_changes_of_an_edited_pin_set_many(
    tmp_path: Path, kit: Kit, kit_index: str, graft_cache: Path, request: pytest.FixtureRequest
) -> None:
    if not slow_selected(request.config):
        pytest.skip("slow: select with -m slow or GRAFT_SLOW=1")
    run_incremental_trials(tmp_path, kit, SLOW_TRIALS, SEED + 5, kit_index)


def test_staging_left_after_the_swap_is_swept_by_an_up_to_date_rerun(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    wheel = make_wheel(wheels, "solo", "1.0", {"solo/__init__.py": "S = 1\n"})
    venv = tmp_path / "venv"
    run_graft("sync", venv, wheel, "--store", store_dir, "--no-deps")
    # what the kill leaves: the previous venv, swapped out into the staging directory
    previous = tmp_path / ".venv.graft-k1ll3d"
    previous.mkdir()
    (previous / "pyvenv.cfg").write_text("home = /usr/bin\n")
    run_graft("sync", venv, wheel, "--store", store_dir, "--no-deps")
    assert staging_dirs(venv) == []


# -- concurrency ------------------------------------------------------------------------------


def test_eight_concurrent_syncs_then_eight_resyncs_alongside_gc(
    tmp_path: Path, store_dir: Path, kit: Kit
) -> None:
    """8 syncs on one fresh store with overlapping wheels; then 8 re-syncs while gc runs."""
    every = sorted([*kit.old.wheels.items(), *kit.new.wheels.items()], key=lambda kv: kv[1][1])
    pool = [(name, version, path) for name, (version, path) in every]

    def window(n: int, size: int) -> WheelSet:
        """Wheels n*3 .. n*3+size of the pool, one version per name (overlapping windows)."""
        chosen: dict[str, tuple[str, Path]] = {}
        for name, version, path in (pool * 2)[n * 3 : n * 3 + size]:
            chosen.setdefault(name, (version, path))
        return WheelSet(f"w{n}", chosen)

    def run_all(sets: list[WheelSet], also_gc: bool) -> None:
        procs = [
            subprocess.Popen(
                sync_cmd(tmp_path / f"v{n}", s, store_dir),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n, s in enumerate(sets)
        ]
        collections_run = 0
        while also_gc and any(p.poll() is None for p in procs):
            result = store_cli("gc", "--store", store_dir)
            assert result.returncode == 0, result.stderr
            collections_run += 1
        for proc in procs:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
        assert collections_run > 0 or not also_gc
        for n, s in enumerate(sets):
            check_venv(tmp_path / f"v{n}", s)

    first = [window(n, 12) for n in range(8)]
    run_all(first, also_gc=False)
    union = set().union(*(s.shas() for s in first))
    names = {p.name for p in (store_dir / "entries").iterdir()}
    assert names == union
    for sha in names:  # each wheel ingested and compiled once
        assert os.listdir(store_dir / "entries" / sha / "bytecode") == [f"{CACHE_TAG}.json"]
    assert store_leftovers(store_dir) == []
    verify_clean(store_dir)

    second = [window(n + 5, 8) for n in range(8)]
    Store(str(store_dir)).ensure()
    run_all(second, also_gc=True)
    assert store_cli("gc", "--store", store_dir).returncode == 0
    assert {p.name for p in (store_dir / "entries").iterdir()} == set().union(
        *(s.shas() for s in second)
    )
    assert store_leftovers(store_dir) == []
    verify_clean(store_dir)


@pytest.mark.parametrize("removed", [False, True], ids=["file-kept", "file-removed"])
def test_a_second_sync_of_one_venv_says_it_waits_and_then_runs(
    tmp_path: Path, store_dir: Path, wheels: Path, removed: bool
) -> None:
    # another sync of this venv holds its lock; graft's own holders remove the file before
    # letting go (graft._lockfile), and the waiter then takes the path's new one
    from graft._fs import flock

    one = make_wheel(wheels, "one", "1.0", {"one/__init__.py": "V = 1\n"})
    two = make_wheel(wheels, "two", "1.0", {"two/__init__.py": "V = 2\n"})
    venv = tmp_path / "venv"
    run_graft("sync", venv, one, "--store", store_dir, "--no-deps")
    lock = tmp_path / ".venv.graft-lock"
    assert not lock.exists()  # removed by the sync that held it
    with flock(str(lock), removed=removed) as held:
        assert held
        proc = subprocess.Popen(
            [sys.executable, "-m", "graft", "sync", str(venv), str(two), "--store", str(store_dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert line == f"graft: waiting for another graft sync of {venv}\n"
        time.sleep(0.3)
        assert proc.poll() is None
        assert dist_infos(venv) == {"one-1.0.dist-info"}
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert dist_infos(venv) == {"two-1.0.dist-info"}
    assert not lock.exists()


def test_concurrent_syncs_of_one_venv_take_turns_and_leave_no_lock_file(
    tmp_path: Path, kit: Kit, graft_cache: Path
) -> None:
    store, venv = tmp_path / "store", tmp_path / "venvs" / "v"
    venv.parent.mkdir()
    sync(venv, kit.old, store)
    sync(venv, kit.near, store)  # both sets ingested and planned: the syncs race on the venv
    sets = [kit.old, kit.near, kit.new] * 2
    procs = [
        subprocess.Popen(
            sync_cmd(venv, wheels, store), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for wheels in sets
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    found = [s for s in (kit.old, kit.near, kit.new) if s.dist_infos == dist_infos(venv)]
    assert found, sorted(dist_infos(venv))
    check_venv(venv, found[0])
    assert sorted(os.listdir(venv.parent)) == ["v"]  # no staging, no lock file


# -- disk full --------------------------------------------------------------------------------


@pytest.fixture
def small_fs(tmp_path: Path) -> object:
    """Mount a tmpfs of the given options on a fresh directory (root and mount(2) needed)."""
    mounted: list[Path] = []

    def mount(name: str, options: str) -> Path:
        where = tmp_path / name
        where.mkdir()
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            pytest.skip(
                f"cannot mount a small tmpfs here: {proc.stderr.strip() or proc.returncode}"
            )
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        seal.remove_tree(str(where / "store"))
        if subprocess.run(["umount", str(where)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], check=False)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("graft: error: "), line
    for fragment in fragments:
        assert fragment in line, line


@pytest.mark.parametrize(
    ("options", "files", "blob"),
    [
        pytest.param("size=2m", 2, 3 << 20, id="bytes"),
        pytest.param("size=16m,nr_inodes=120", 400, 16, id="inodes"),
    ],
)
def test_a_full_store_refuses_the_wheel_and_keeps_the_venv(
    tmp_path: Path,
    wheels: Path,
    small_fs: object,
    options: str,
    files: int,
    blob: int,
) -> None:
    store = small_fs("fs", options) / "store"  # type: ignore[operator]
    small = make_wheel(wheels, "small", "1.0", {"small/__init__.py": "S = 1\n"})
    contents: dict[str, bytes | str] = {f"big/f{i}.bin": os.urandom(blob) for i in range(files)}
    big = make_wheel(wheels, "big", "1.0", {"big/__init__.py": "", **contents})
    venv = tmp_path / "venv"
    run_graft("sync", venv, small, "--store", store, "--no-deps")
    entries_before = sorted(os.listdir(store / "entries"))
    venv_before = sorted(os.listdir(venv / "lib"))

    proc = run_graft("sync", venv, small, big, "--store", store, "--no-deps", check=False)
    assert_one_line_error(proc, big.name, "No space left on device")
    assert sorted(os.listdir(store / "entries")) == entries_before
    assert os.listdir(store / "tmp") == []
    assert sorted(os.listdir(venv / "lib")) == venv_before
    assert dist_infos(venv) == {"small-1.0.dist-info"}
    assert py(venv, "import small; print(small.S)") == "1"
    verify_clean(store)


@pytest.mark.parametrize("link_mode", ["symlink", "copy"])
def test_a_full_venv_filesystem_keeps_the_previous_venv(
    tmp_path: Path, store_dir: Path, wheels: Path, small_fs: object, link_mode: str
) -> None:
    parent = small_fs("fs", "size=2m")  # type: ignore[operator]
    small = make_wheel(wheels, "small", "1.0", {"small/__init__.py": "S = 1\n"})
    if link_mode == "copy":  # every file is copied into the venv
        big = make_wheel(
            wheels, "big", "1.0", {"big/__init__.py": "", "big/b.bin": os.urandom(3 << 20)}
        )
    else:  # scripts are always written into bin/, never linked
        script = b"#!python\n" + b"# padding\n" * 300_000
        big = make_wheel(
            wheels, "big", "1.0", {"big/__init__.py": "", "big-1.0.data/scripts/huge": script}
        )
    venv = parent / "venv"
    run_graft("sync", venv, small, "--store", store_dir, "--no-deps")
    before = sorted(str(p.relative_to(venv)) for p in venv.rglob("*"))

    proc = run_graft(
        "sync",
        venv,
        small,
        big,
        "--store",
        store_dir,
        "--no-deps",
        "--link-mode",
        link_mode,
        check=False,
    )
    assert_one_line_error(proc, str(venv), "No space left on device")
    assert sorted(str(p.relative_to(venv)) for p in venv.rglob("*")) == before
    assert staging_dirs(venv) == []
    assert dist_infos(venv) == {"small-1.0.dist-info"}
    assert py(venv, "import small; print(small.S)") == "1"
    verify_clean(store_dir)
