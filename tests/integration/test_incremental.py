"""Incremental sync: a venv changed in place equals one built from scratch, file for file.

The property test runs random sequences of syncs of one venv (add, remove, upgrade and
downgrade distributions, change the link mode, write a user's file into it, which every sync
must keep) over wheels made here: a PEP 420 namespace split across two wheels, a regular
package split across two wheels, a collision whose winner changes, headers (a real directory
outside site-packages) and a configuration file (a copy, decision 90), console scripts and a
``.data/scripts`` file. After each sync a venv is built from scratch for the same inputs at
another path of the same depth and name; the two must hold the same paths (the user's files
aside), the same link targets, the same bytes (the venv's own path written alike) and modes,
and the same RECORD, INSTALLER and other ``.dist-info`` files. ``graft audit`` then passes on
the updated venv.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from graft.audit import audit_venv
from graft.model.sync_request import SyncRequest
from graft.store import seal
from graft.sync import sync
from graft.venv.journal import JOURNAL, recover
from graft.venv.state import kept_paths, recorded_state, tree_digest, tree_walk
from tests.integration.test_crash import staging_dirs
from tests.support.wheelmaker import make_wheel

#: Distributions a sequence may add, remove, upgrade and downgrade, with their versions.
VARIABLE = {
    "alpha": ("1.0", "2.0", "3.0"),
    "beta": ("1.0", "2.0"),
    "plug-core": ("1.0", "1.1"),
    "plug-extra": ("1.0",),
    "hdr": ("1.0", "2.0"),
    "clash-a": ("1.0",),
    "clash-b": ("1.0",),
}
#: Present in every venv, so that one changed distribution is a small change.
FIXED = tuple(f"pad{i}" for i in range(8))
MODES = ("symlink", "hardlink", "copy")
UPDATED = "update (incremental)"

Pool = dict[tuple[str, str], Path]
Snapshot = dict[str, tuple[object, ...]]


def _files(name: str, version: str) -> tuple[dict[str, bytes | str], str | None]:  # noqa: PLR0911
    """The files and entry points of one wheel of the pool."""
    text = f"# {name} {version}\n"
    if name == "alpha":
        files: dict[str, bytes | str] = {
            "alpha/__init__.py": f"V = {version!r}\ndef main():\n    print('alpha')\n",
            "alpha/sub/x.py": text,
            "ns/a/__init__.py": text,  # a PEP 420 portion, shared with beta
        }
        if version == "2.0":
            files["alpha-2.0.data/scripts/alpha-run"] = "#!python\nprint('run')\n"
            files["alpha/extra.py"] = text
        points = "[console_scripts]\nalpha-cli = alpha:main\n"
        if version != "1.0":
            points += "alpha-tool = alpha:main\n"
        return files, points
    if name == "beta":
        files = {"beta/__init__.py": text, "ns/b/__init__.py": text}
        if version == "2.0":
            files["ns/a/beta_part.py"] = text  # now reaches into alpha's portion too
        return files, None
    if name == "plug-core":
        return {"plug/__init__.py": "", "plug/core.py": text}, None
    if name == "plug-extra":  # the rest of plug/ (a package split across wheels)
        return {"plug/__init__.py": "", "plug/extra.py": text}, None
    if name == "hdr":
        return {
            "hdr/__init__.py": text,
            f"hdr-{version}.data/headers/hdr.h": f"/* {version} */",
            f"hdr-{version}.data/data/etc/hdr/conf.d/hdr.json": f'{{"v": "{version}"}}\n',
        }, None
    if name.startswith("clash"):
        return {"clash.py": f"WHO = {name!r}\n"}, None  # one path, other bytes: a collision
    return {f"{name}/__init__.py": text, f"{name}/m.py": text}, None


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Pool:
    where = tmp_path_factory.mktemp("incremental-wheels")
    out = {}
    for name, versions in [*VARIABLE.items(), *((n, ("1.0",)) for n in FIXED)]:
        for version in versions:
            files, points = _files(name, version)
            out[name, version] = make_wheel(where, name, version, files, entry_points=points)
    return out


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory, graft_cache: Path) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("incremental-store") / "store"
    yield path
    seal.remove_tree(str(path))


def _sync(venv: Path, wanted: dict[str, str], mode: str, pool: Pool, store: Path) -> str:
    """Sync *venv* to *wanted* in link mode *mode*; how the venv was made (a timings key)."""
    wheels = tuple(str(pool[name, version]) for name, version in sorted(wanted.items()))
    request = SyncRequest(
        str(venv),
        specs=wheels,
        no_deps=True,
        store=str(store),
        link_mode=mode,  # type: ignore[arg-type]
        collisions="ignore",
    )
    made = [k for k in sync(request).timings if k in {UPDATED, "materialize"}]
    return made[0] if made else "in sync"


def snapshot(venv: Path) -> Snapshot:
    """Every path of the venv: links with their targets, directories, files with bytes and mode.

    Of pyvenv.cfg's graft lines, only those that do not hash the files' mtimes are kept.
    """
    out: Snapshot = {}
    for dirpath, dirnames, filenames in os.walk(venv):
        for name in [*dirnames, *filenames]:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, venv)
            st_ = os.lstat(path)
            if stat.S_ISLNK(st_.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st_.st_mode):
                out[rel] = ("dir", stat.S_IMODE(st_.st_mode))
            else:
                data = Path(path).read_bytes()
                if rel == "pyvenv.cfg":
                    data = _comparable_config(data)
                shared = st_.st_nlink > 1  # a hard link into the store
                out[rel] = ("file", data, stat.S_IMODE(st_.st_mode), shared)
    return out


def from_scratch(
    venv: Path, wanted: dict[str, str], mode: str, pool: Pool, store: Path
) -> Snapshot:
    """The snapshot of a venv built from scratch at *venv*'s path (moved aside meanwhile).

    At the same path, launchers name the same interpreter and links climb as far, so the two
    venvs can be compared byte for byte.
    """
    home = venv.parent
    aside = home.with_name(home.name + "-aside")
    home.rename(aside)
    try:
        home.mkdir()
        assert _sync(venv, wanted, mode, pool, store) == "materialize"
        built = snapshot(venv)
        shutil.rmtree(home)
    finally:
        aside.rename(home)
    return built


def _comparable_config(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    return b"".join(ln for ln in lines if not ln.startswith((b"graft-tree", b"graft-kept")))


def _states() -> st.SearchStrategy[dict[str, str]]:
    choices = {name: st.sampled_from((None, *versions)) for name, versions in VARIABLE.items()}
    return st.fixed_dictionaries(choices).map(lambda d: {k: v for k, v in d.items() if v})


_SET = st.tuples(st.just("set"), st.sampled_from(sorted(VARIABLE)), st.integers(0, 3))
_MODE = st.tuples(st.just("mode"), st.just(""), st.integers(1, 2))
#: A user writes a file of their own into the venv: at its top, in bin/, site-packages or ns/.
_USER = st.tuples(st.just("user"), st.sampled_from(("", "bin", "site", "ns")), st.just(0))
_STEP = st.one_of(_SET, _SET, _SET, _MODE, _USER)


def _write_mine(venv: Path, where: str, number: int, mine: dict[str, str]) -> None:
    """A user's file written into *venv* at *where* (ns/ only while it is a real directory)."""
    directory = {"": venv, "bin": venv / "bin", "site": _site(venv), "ns": _site(venv) / "ns"}
    home = directory[where]
    if home.is_symlink() or not home.is_dir():
        return
    path = home / f"mine{number}.txt"
    path.write_text(f"mine {number}\n")
    mine[str(path.relative_to(venv))] = f"mine {number}\n"


def _without_mine(snap: Snapshot, mine: dict[str, str], built: Snapshot) -> Snapshot:
    """*snap* less a user's files, and the directories made only to hold them."""
    dropped = set(mine)
    for path in mine:
        parent = os.path.dirname(path)
        while parent and parent not in built:
            dropped.add(parent)
            parent = os.path.dirname(parent)
    return {path: entry for path, entry in snap.items() if path not in dropped}


def _apply_step(wanted: dict[str, str], mode: str, step: tuple[str, str, int]) -> str:
    """Change *wanted* in place by *step*; the link mode after it."""
    kind, what, pick = step
    if kind == "mode":  # another link mode
        return MODES[(MODES.index(mode) + pick) % len(MODES)]
    versions = VARIABLE[what]
    if pick >= len(versions):  # remove (or add, when absent: the first version)
        if wanted.pop(what, None) is None:
            wanted[what] = versions[0]
    else:
        wanted[what] = versions[pick]
    return mode


def test_incrementally_updated_venvs_equal_venvs_built_from_scratch(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    seen: collections.Counter[str] = collections.Counter()
    examples = iter(range(1_000_000))

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        start=_states(), mode=st.sampled_from(MODES), steps=st.lists(_STEP, min_size=1, max_size=5)
    )
    # the paths the property is about, whatever the draws: small changes (incremental, one
    # with a user's file in the venv) and a change of link mode (a rebuild)
    @example(
        start={"alpha": "1.0", "beta": "1.0"},
        mode="symlink",
        steps=[("set", "alpha", 1), ("user", "site", 0), ("set", "alpha", 2), ("set", "beta", 1)],
    )
    @example(
        start={"alpha": "2.0", "hdr": "1.0"},
        mode="hardlink",
        steps=[("set", "hdr", 1), ("set", "plug-core", 0), ("set", "alpha", 0), ("mode", "", 1)],
    )
    @example(
        start={"beta": "2.0", "plug-core": "1.1"},
        mode="copy",
        steps=[("set", "beta", 0), ("set", "alpha", 0), ("set", "plug-core", 0), ("set", "hdr", 0)],
    )
    def check(start: dict[str, str], mode: str, steps: list[tuple[str, str, int]]) -> None:
        number = next(examples)
        venv = tmp_path / f"inc{number}" / "venv"
        venv.parent.mkdir()
        wanted = {**start, **dict.fromkeys(FIXED, "1.0")}
        mine: dict[str, str] = {}  # a user's files: kept by every sync, whatever it changes
        _sync(venv, wanted, mode, pool, shared_store)
        try:
            for index, step in enumerate(steps):
                if step[0] == "user":
                    _write_mine(venv, step[1], index, mine)
                else:
                    mode = _apply_step(wanted, mode, step)
                how = _sync(venv, wanted, mode, pool, shared_store)
                seen[how] += 1
                if mine and how == UPDATED:
                    seen["updated, a user's files kept"] += 1
                state = recorded_state(str(venv))
                assert "graft-pending" not in state
                kept = kept_paths(state)
                assert state["graft-tree"] == tree_digest(str(venv), kept)  # (a walk reused)
                assert staging_dirs(venv) == []
                assert {path: (venv / path).read_text() for path in mine} == mine
                assert set(kept) == set(mine)
                updated = snapshot(venv)
                built = from_scratch(venv, wanted, mode, pool, shared_store)
                assert _without_mine(updated, mine, built) == built, (how, index, step, wanted)
            report = audit_venv(str(venv))
            assert report.errors == (), [(f.kind, f.path, f.detail) for f in report.errors]
        finally:
            shutil.rmtree(venv.parent)

    check()
    print(f"\nincremental property: {json.dumps(dict(seen))}")
    # the property is about the incremental path: it must have been taken, and so the rebuild
    # (the explicit examples alone take it ten times: a draw never decides it)
    assert seen[UPDATED] >= 10, seen
    assert seen["materialize"] >= 1, seen
    assert seen["updated, a user's files kept"] >= 1, seen


# -- deterministic cases ----------------------------------------------------------------------


BASE = {**dict.fromkeys(FIXED, "1.0"), "alpha": "1.0", "beta": "1.0", "plug-core": "1.0"}
PINNED = {**BASE, "alpha": "2.0"}


def _site(venv: Path) -> Path:
    (site,) = venv.glob("lib/python3*/site-packages")
    return site


def test_one_changed_pin_changes_only_that_distribution(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    venv = tmp_path / "venv"
    _sync(venv, BASE, "symlink", pool, shared_store)
    site = _site(venv)
    kept = {n: os.lstat(site / n).st_ino for n in ("beta", "pad0", "pad0-1.0.dist-info", "plug")}
    assert _sync(venv, PINNED, "symlink", pool, shared_store) == UPDATED
    assert {n: os.lstat(site / n).st_ino for n in kept} == kept  # untouched
    assert not (site / "alpha-1.0.dist-info").exists()
    assert (site / "alpha-2.0.dist-info" / "RECORD").is_file()
    assert (venv / "bin" / "alpha-tool").is_file()
    assert snapshot(venv) == from_scratch(venv, PINNED, "symlink", pool, shared_store)
    assert _sync(venv, PINNED, "symlink", pool, shared_store) == "in sync"


def test_a_venv_graft_left_with_a_sha_256_tree_digest_is_updated_not_rebuilt(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    """Decision 502: ``graft-tree`` as graft before it wrote it (a bare SHA-256 of the walk's
    lines) still says the venv is as graft left it: the next change is made in place, and
    records the tagged BLAKE2b; a venv changed since is still rebuilt."""
    venv = tmp_path / "venv"
    _sync(venv, BASE, "symlink", pool, shared_store)
    config = venv / "pyvenv.cfg"
    state = recorded_state(str(venv))
    walk = tree_walk(str(venv), kept=kept_paths(state))
    before = hashlib.sha256("".join(line for line, _ in walk.values()).encode()).hexdigest()
    text = config.read_text().replace(state["graft-tree"], before)
    config.write_text(text)  # (in place: the GC root's anchor is its inode)
    assert _sync(venv, BASE, "symlink", pool, shared_store) == "in sync"
    assert _sync(venv, PINNED, "symlink", pool, shared_store) == UPDATED
    assert recorded_state(str(venv))["graft-tree"].startswith("b2:")
    assert snapshot(venv) == from_scratch(venv, PINNED, "symlink", pool, shared_store)
    config.write_text(config.read_text().replace(recorded_state(str(venv))["graft-tree"], before))
    assert _sync(venv, BASE, "symlink", pool, shared_store) == "materialize"  # not as recorded


def test_a_users_files_are_kept_by_a_rebuild_and_left_alone_by_an_update(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    venv = tmp_path / "venv"
    _sync(venv, BASE, "symlink", pool, shared_store)
    mine: dict[str, str] = {}
    for number, where in enumerate(("", "bin", "site", "ns")):
        _write_mine(venv, where, number, mine)
    assert len(mine) == 4
    assert _sync(venv, BASE, "symlink", pool, shared_store) == "materialize"  # they changed it
    assert set(kept_paths(recorded_state(str(venv)))) == set(mine)
    inodes = {path: os.lstat(venv / path).st_ino for path in mine}
    assert _sync(venv, PINNED, "symlink", pool, shared_store) == UPDATED
    assert {path: os.lstat(venv / path).st_ino for path in mine} == inodes
    assert set(kept_paths(recorded_state(str(venv)))) == set(mine)  # the update kept the line
    built = from_scratch(venv, PINNED, "symlink", pool, shared_store)
    assert _without_mine(snapshot(venv), mine, built) == built
    without_beta = {k: v for k, v in PINNED.items() if k != "beta"}  # beta shares ns/
    assert _sync(venv, without_beta, "symlink", pool, shared_store) == UPDATED
    assert {path: (venv / path).read_text() for path in mine} == mine
    assert _sync(venv, without_beta, "symlink", pool, shared_store) == "in sync"
    without_ns = {k: v for k, v in without_beta.items() if k != "alpha"}  # ns/ goes: rebuilt
    assert _sync(venv, without_ns, "symlink", pool, shared_store) == "materialize"
    assert {path: (venv / path).read_text() for path in mine} == mine


def test_a_venv_changed_since_graft_made_it_is_rebuilt_not_updated(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    venv = tmp_path / "venv"
    _sync(venv, BASE, "symlink", pool, shared_store)
    pycache = _site(venv) / "__pycache__"  # bytecode the interpreter wrote: replaceable
    pycache.mkdir()
    (pycache / "stray.cpython-311.pyc").write_bytes(b"")
    assert _sync(venv, PINNED, "symlink", pool, shared_store) == "materialize"
    assert snapshot(venv) == from_scratch(venv, PINNED, "symlink", pool, shared_store)


def test_a_venv_whose_kept_plan_is_gone_is_rebuilt(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    from graft.store import plancache

    venv = tmp_path / "venv"
    _sync(venv, BASE, "copy", pool, shared_store)
    key = recorded_state(str(venv))["graft-plan"].split(" ")[0]
    os.unlink(plancache.flat_path(str(shared_store), key))  # what the diff is taken from
    assert _sync(venv, PINNED, "copy", pool, shared_store) == "materialize"


class Killed(BaseException):
    """A stand-in for SIGKILL: nothing catches it, nothing cleans up after it."""


#: One step of an update on the filesystem, as the tests below see it: a rename from the
#: venv's directory (the commit, a real directory taken out, a staged subtree moved in, the
#: new pyvenv.cfg) or an unlink in the venv (a link or a file taken out, decision 210); with
#: its source, relative to the venv's parent, and whether that was a real directory then
Step = tuple[str, str, bool]


class _Steps:
    """An update's steps as os.rename and os.unlink see them; dying before the *cut*-th."""

    def __init__(self, venv: Path, cut: int | None = None) -> None:
        self.venv, self.cut, self.done = venv, cut, list[Step]()
        self.rename, self.unlink = os.rename, os.unlink

    def _step(self, call: str, path: str) -> None:
        home = str(self.venv.parent)
        if path.startswith(home) and (call == "rename" or path.startswith(f"{self.venv}/")):
            if len(self.done) == self.cut:
                raise Killed
            real = os.path.isdir(path) and not os.path.islink(path)
            self.done.append((call, os.path.relpath(path, home), real))

    def renamed(self, src: str, dst: str) -> None:
        self._step("rename", str(src))
        self.rename(src, dst)

    def unlinked(self, path: str, *args: object, **kwargs: object) -> None:
        self._step("unlink", str(path))
        self.unlink(path, *args, **kwargs)  # type: ignore[arg-type]


@contextlib.contextmanager
def _watched(venv: Path, cut: int | None = None) -> Iterator[_Steps]:
    """The steps of what runs in the block, on *venv* (dying before the *cut*-th, if given)."""
    seen = _Steps(venv, cut)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "rename", seen.renamed)
        patch.setattr(os, "unlink", seen.unlinked)
        yield seen


def _steps_of_an_update(tmp_path: Path, pool: Pool, store: Path) -> list[Step]:
    venv = tmp_path / "count" / "venv"
    venv.parent.mkdir()
    _sync(venv, BASE, "symlink", pool, store)
    with _watched(venv) as seen:
        assert _sync(venv, PINNED, "symlink", pool, store) == UPDATED
    print(f"\nthe steps of an update: {seen.done}")
    return seen.done


def test_an_update_cut_at_every_step_leaves_the_old_venv_or_a_pending_one_finished_next(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    """The update is killed before each of its steps in turn (the commit, each removal, each
    move, the new pyvenv.cfg); then the next sync, asked for the old set or the new one,
    finishes what was committed and makes the venv asked for, equal to one built from scratch.
    """
    steps = len(_steps_of_an_update(tmp_path, pool, shared_store))
    assert steps >= 4  # the commit, alpha's link and dist-info out, theirs in, pyvenv.cfg
    for cut in range(steps):
        venv = tmp_path / f"cut{cut}" / "venv"
        venv.parent.mkdir()
        _sync(venv, BASE, "symlink", pool, shared_store)
        with _watched(venv, cut), pytest.raises(Killed):
            _sync(venv, PINNED, "symlink", pool, shared_store)
        state = recorded_state(str(venv))
        if cut == 0:  # killed before the commit: the old venv, untouched
            assert "graft-pending" not in state
            assert snapshot(venv) == from_scratch(venv, BASE, "symlink", pool, shared_store)
        else:  # committed: the venv says so, and no sync takes it for complete
            assert (venv.parent / state["graft-pending"] / JOURNAL).is_file()
        again = PINNED if cut % 2 else BASE  # the next sync may ask for either
        _sync(venv, again, "symlink", pool, shared_store)
        assert "graft-pending" not in recorded_state(str(venv))
        assert staging_dirs(venv) == []
        assert snapshot(venv) == from_scratch(venv, again, "symlink", pool, shared_store)


def test_an_update_stages_each_subtree_by_number_and_unlinks_what_it_takes_out(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    """Decision 210: the staging directory holds each added subtree at its number (no parent
    directories made to hold it, and removed again), and a link or a file taken out of the
    venv is unlinked there, not renamed into the staging directory first: the only renames
    are the commit, the real directories taken out, the subtrees moved in and pyvenv.cfg.
    """
    steps = _steps_of_an_update(tmp_path, pool, shared_store)
    renamed = [(path, real) for call, path, real in steps if call == "rename"]
    inside = [real for path, real in renamed if path.startswith("venv/")]
    assert inside, renamed
    assert all(inside), renamed  # out of the venv: real directories only
    assert [path for call, path, _ in steps if call == "unlink"], steps  # (alpha's link)
    venv = tmp_path / "venv"
    _sync(venv, BASE, "symlink", pool, shared_store)
    pending = _cut_after_commit(venv, pool, shared_store)
    journal = json.loads((venv.parent / pending / JOURNAL).read_text())
    assert journal["format"] == 2
    numbers = [str(i) for i in range(len(journal["staged"]))]
    assert sorted(os.listdir(venv.parent / pending)) == sorted([*numbers, JOURNAL])


def test_a_change_a_graft_before_decision_210_committed_is_finished(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    """A venv left pending by a graft before decision 210 (journal format 1: the subtrees staged
    at their paths below ``tree``, listed as ``move``) is finished by the next sync."""
    venv = tmp_path / "venv"
    _sync(venv, BASE, "symlink", pool, shared_store)
    staging = venv.parent / _cut_after_commit(venv, pool, shared_store)
    journal = json.loads((staging / JOURNAL).read_text())
    for number, dest in enumerate(journal["staged"]):  # as format 1 staged them
        (staging / "tree" / dest).parent.mkdir(parents=True, exist_ok=True)
        (staging / str(number)).rename(staging / "tree" / dest)
    old = {"format": 1, "remove": journal["remove"], "move": journal["staged"]}
    (staging / JOURNAL).write_text(json.dumps({**old, "state": journal["state"]}))
    recover(str(venv))  # as the next sync does first (else the venv is rebuilt)
    state = recorded_state(str(venv))
    assert "graft-pending" not in state
    assert state["graft-tree"] == tree_digest(str(venv), kept_paths(state))
    assert staging_dirs(venv) == []
    _sync(venv, PINNED, "symlink", pool, shared_store)  # (the GC root's anchor made again)
    assert snapshot(venv) == from_scratch(venv, PINNED, "symlink", pool, shared_store)


def test_audit_reports_a_committed_change_cut_off_until_a_sync_finishes_it(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    """Killed after its commit (the second rename), an update leaves the venv marked
    ``graft-pending``: ``graft audit`` reports it as an error, naming the journal, whether the
    journal is there or not; after the next sync finishes the change, the finding is gone.
    """
    venv = tmp_path / "venv"
    _sync(venv, BASE, "symlink", pool, shared_store)
    assert _kinds(venv) == set()
    pending = _cut_after_commit(venv, pool, shared_store)
    journal = venv.parent / pending / JOURNAL
    (cut,) = [f for f in audit_venv(str(venv)).findings if f.kind.value == "interrupted-change"]
    assert (cut.severity, cut.path) == ("error", "pyvenv.cfg")
    assert f"its journal is {journal}" in cut.detail
    journal.rename(journal.with_suffix(".kept"))  # as if removed by hand
    (gone,) = [f for f in audit_venv(str(venv)).findings if f.kind.value == "interrupted-change"]
    assert f"its journal is gone, was {journal}" in gone.detail
    journal.with_suffix(".kept").rename(journal)
    _sync(venv, PINNED, "symlink", pool, shared_store)
    assert "interrupted-change" not in _kinds(venv)
    assert snapshot(venv) == from_scratch(venv, PINNED, "symlink", pool, shared_store)


@pytest.mark.parametrize(
    "journal_text",
    ["", '{"format": 1, "mo', '{"format": 1, "remove": [], "move": ["../x"], "state": ""}'],
    ids=["empty", "cut-short", "outside-the-venv"],
)
def test_a_committed_change_whose_journal_is_unreadable_is_rebuilt_not_wedged(
    tmp_path: Path, pool: Pool, shared_store: Path, journal_text: str
) -> None:
    """Killed after its commit, an update whose journal never reached the disk (a power cut
    before its bytes were written) or was edited: the next sync rebuilds the venv whole, as
    when the journal is gone, instead of failing on every sync that follows.
    """
    venv = tmp_path / "venv"
    _sync(venv, BASE, "symlink", pool, shared_store)
    pending = _cut_after_commit(venv, pool, shared_store)
    (venv.parent / pending / JOURNAL).write_text(journal_text)
    assert _sync(venv, PINNED, "symlink", pool, shared_store) != UPDATED
    assert "graft-pending" not in recorded_state(str(venv))
    assert snapshot(venv) == from_scratch(venv, PINNED, "symlink", pool, shared_store)
    assert not (tmp_path / "x").exists()


def _cut_after_commit(venv: Path, pool: Pool, store: Path) -> str:
    """Update *venv* to PINNED, killed right after its commit; the pending staging's name."""
    with _watched(venv, cut=1), pytest.raises(Killed):  # the commit done; no removal
        _sync(venv, PINNED, "symlink", pool, store)
    return recorded_state(str(venv))["graft-pending"]


def _kinds(venv: Path) -> set[str]:
    """The kinds of the errors ``graft audit`` finds in *venv*."""
    return {f.kind.value for f in audit_venv(str(venv)).findings if f.severity == "error"}


def test_a_kept_plan_naming_the_venvs_own_files_is_not_diffed(
    tmp_path: Path, pool: Pool, store_dir: Path
) -> None:
    """Kept plans are untrusted: one edited to own ``bin/python3`` would have the diff take the
    interpreter out. Such a plan makes the sync rebuild instead. (A store of its own: the
    forged plan must not reach the other tests.)"""
    from graft.store import plancache

    venv = tmp_path / "home" / "venv"  # (from_scratch moves the parent: not the store's)
    venv.parent.mkdir()
    _sync(venv, BASE, "symlink", pool, store_dir)
    key = recorded_state(str(venv))["graft-plan"].split(" ")[0]
    path = Path(plancache.flat_path(str(store_dir), key))  # (the form the diff reads)
    kept = json.loads(path.read_text())
    source = kept["dir_links"][0][1]
    kept["file_links"].append(["bin/python3", source.rsplit("/", 1)[0] + "/python3"])
    path.write_text(json.dumps(kept))
    assert _sync(venv, PINNED, "symlink", pool, store_dir) == "materialize"
    assert (venv / "bin" / "python3").exists()
    assert snapshot(venv) == from_scratch(venv, PINNED, "symlink", pool, store_dir)


def test_a_venv_made_for_another_interpreter_is_rebuilt_not_updated(
    tmp_path: Path, pool: Pool, shared_store: Path
) -> None:
    """pyvenv.cfg less graft's lines must be what the interpreter's template gives this path."""
    venv = tmp_path / "venv"
    _sync(venv, BASE, "symlink", pool, shared_store)
    config = venv / "pyvenv.cfg"
    text = config.read_text()
    config.write_text(text.replace("\nversion = ", "\nversion = 0.", 1))  # another interpreter's
    assert _sync(venv, PINNED, "symlink", pool, shared_store) == "materialize"
    assert "\nversion = 0." not in config.read_text()
