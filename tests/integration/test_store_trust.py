"""The store trusts nothing it did not check: its directories, lock files, entries, memos.

Each test plants what a careless tool or another user could leave in or around a store and
checks that graft refuses in one line (or ignores the planted file), never following it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from graft._fs import file_sha256
from tests.conftest import run_graft
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def alpha(wheels: Path) -> Path:
    return make_wheel(wheels, "alpha", "1.0", {"alpha/__init__.py": "A = 1\n"})


def sync(venv: Path, store: Path, *wheels: Path, check: bool = True) -> tuple[int, str]:
    proc = run_graft("sync", venv, *wheels, "--store", store, "--no-deps", "-q", check=check)
    return proc.returncode, proc.stderr


def one_line_error(stderr: str, *needles: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("graft: error:"), stderr
    for needle in needles:
        assert needle in lines[0], stderr


# -- lock files are never opened through a link -------------------------------------------------


def test_a_venv_lock_planted_as_a_symlink_is_refused(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    victim = tmp_path / "victim"  # does not exist: opening through the link would create it
    (tmp_path / ".venv.graft-lock").symlink_to(victim)
    code, err = sync(tmp_path / "venv", store_dir, alpha, check=False)
    assert code == 1
    one_line_error(err, ".venv.graft-lock", "symbolic link")
    assert not os.path.lexists(victim)


def test_an_entry_lock_planted_as_a_symlink_is_refused(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me\n")
    (store_dir / "locks").mkdir(parents=True)
    (store_dir / "locks" / f"{file_sha256(str(alpha))}.lock").symlink_to(victim)
    code, err = sync(tmp_path / "venv", store_dir, alpha, check=False)
    assert code == 1
    one_line_error(err, f"{file_sha256(str(alpha))}.lock", "symbolic link")
    assert victim.read_text() == "keep me\n"
    assert not (tmp_path / "venv").exists()


def test_the_gc_lock_planted_as_a_fifo_is_refused(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    (store_dir / "locks").mkdir(parents=True)
    os.mkfifo(store_dir / "locks" / "gc.lock")  # opening a FIFO for reading waits for a writer
    code, err = sync(tmp_path / "venv", store_dir, alpha, check=False)
    assert code == 1
    one_line_error(err, "gc.lock", "not a regular file")


# -- the store and the directories above it are the user's (or root's) ---------------------------


def test_a_store_below_a_world_writable_directory_is_refused(tmp_path: Path, alpha: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # anyone could rename the store away and put their own in its place
    code, err = sync(tmp_path / "venv", shared / "store", alpha, check=False)
    assert code == 1
    one_line_error(err, f"{shared}: is writable by other users", "chmod o-w")
    assert not (tmp_path / "venv").exists()


def test_a_store_below_a_sticky_directory_is_used(tmp_path: Path, alpha: Path) -> None:
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)  # like /tmp: others cannot rename what is ours
    sync(tmp_path / "venv", sticky / "store", alpha)
    assert (tmp_path / "venv" / "bin" / "python").exists()


def test_a_foreign_store_below_a_sticky_directory_is_refused(tmp_path: Path, alpha: Path) -> None:
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    (sticky / "store").mkdir()
    os.chown(sticky / "store", 4242, 4242)  # another user made it first
    code, err = sync(tmp_path / "venv", sticky / "store", alpha, check=False)
    assert code == 1
    one_line_error(err, f"{sticky}: is writable by other users")


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_a_store_owned_by_another_user_is_refused(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    store_dir.mkdir()
    os.chown(store_dir, 4242, 4242)
    code, err = sync(tmp_path / "venv", store_dir, alpha, check=False)
    assert code == 1
    one_line_error(err, f"{store_dir}: is owned by another user (uid 4242)")


def test_world_writable_entries_are_refused_by_sync_and_store_commands(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    sync(tmp_path / "venv", store_dir, alpha)
    (store_dir / "entries").chmod(0o777)
    code, err = sync(tmp_path / "venv2", store_dir, alpha, check=False)
    assert code == 1
    one_line_error(err, f"{store_dir / 'entries'}: is writable by other users")
    for command in ("verify", "gc", "list", "info"):
        proc = run_graft("store", command, "--store", store_dir, check=False)
        assert proc.returncode == 1
        one_line_error(proc.stderr, "is writable by other users")


# -- no link inside the store is ever followed ----------------------------------------------------


def test_gc_refuses_a_store_whose_tmp_is_a_symlink(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    sync(tmp_path / "venv", store_dir, alpha)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    precious = elsewhere / ("a" * 64 + ".old")
    precious.write_text("not the store's\n")
    os.utime(precious, (1_600_000_000, 1_600_000_000))  # older than gc's grace period
    (store_dir / "tmp").rmdir()
    (store_dir / "tmp").symlink_to(elsewhere)
    proc = run_graft("store", "gc", "--store", store_dir, check=False)
    assert proc.returncode == 1
    one_line_error(proc.stderr, f"{store_dir / 'tmp'}: is a symbolic link")
    assert precious.read_text() == "not the store's\n"
    code, err = sync(tmp_path / "venv2", store_dir, alpha, check=False)
    assert code == 1
    one_line_error(err, "is a symbolic link")


def test_sync_refuses_a_store_whose_entries_is_a_symlink(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    store_dir.mkdir()
    (store_dir / "entries").symlink_to(elsewhere)
    code, err = sync(tmp_path / "venv", store_dir, alpha, check=False)
    assert code == 1
    one_line_error(err, f"{store_dir / 'entries'}: is a symbolic link")
    assert list(elsewhere.iterdir()) == []


# -- memos are untrusted input ----------------------------------------------------------------


def test_a_memo_naming_another_interpreter_never_runs_it(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    import json
    import sys

    make_wheel(wheels, "alpha", "1.0", {"alpha/__init__.py": "A = 1\n"})
    reqs = tmp_path / "reqs.txt"
    reqs.write_text("alpha==1.0\n")
    old = (1_600_000_000, 1_600_000_000)  # not "racy": the memo is written
    for path in (reqs, *wheels.iterdir(), wheels):
        os.utime(path, old)
    args = ("-r", reqs, "--no-index", "--find-links", wheels, "--store", store_dir, "-v")
    run_graft("sync", tmp_path / "v1", *args)
    (memo,) = (store_dir / "plans").glob("memo-*.json")
    ran = tmp_path / "ran"
    impostor = tmp_path / "impostor"
    impostor.write_text(f'#!/bin/sh\ntouch {ran}\nexec {sys.executable} "$@"\n')
    impostor.chmod(0o755)
    os.utime(impostor, old)
    record = json.loads(memo.read_text())
    record["interpreter"] = str(impostor)
    record["watched"] = [w for w in record["watched"] if w[1] != sys.executable]
    memo.write_text(json.dumps(record))
    proc = run_graft("sync", tmp_path / "v2", *args)
    assert not ran.exists()  # the impostor never ran
    assert "resolve" in proc.stderr.rsplit("graft: timings:", 1)[1]  # the memo was ignored
    cfg = (tmp_path / "v2" / "pyvenv.cfg").read_text()
    assert str(impostor) not in cfg


# -- an entry is trusted only if graft unpacked it from its wheel --------------------------------


def plant(store: Path, genuine: Path, wheels: Path) -> None:
    """Put a self-consistent entry of another wheel (same name and version, other code) at the
    genuine wheel's sha256, as something with write access to ``entries/`` could."""
    import json

    from graft.store import seal

    evil_dir = wheels / "evil"
    evil_dir.mkdir(exist_ok=True)
    evil = make_wheel(evil_dir, "alpha", "1.0", {"alpha/__init__.py": "A = 'planted'\n"})
    run_graft("sync", store.parent / "scratch-venv", evil, "--store", store, "--no-deps", "-q")
    sha, evil_sha = file_sha256(str(genuine)), file_sha256(str(evil))
    entries = store / "entries"
    if (entries / sha).exists():
        seal.unseal_tree(str(entries / sha))
        away = entries / f"{sha}.moved-away-{len(list(entries.iterdir()))}"
        (entries / sha).rename(away)  # renamed away, not deleted: its inode stays in use
    seal.unseal_tree(str(entries / evil_sha))
    record = json.loads((entries / evil_sha / "record.json").read_text())
    record["sha256"] = sha
    (entries / evil_sha / "record.json").chmod(0o644)
    (entries / evil_sha / "record.json").write_text(json.dumps(record))
    (entries / evil_sha).rename(entries / sha)
    seal.make_read_only(str(entries / sha))
    seal.seal_tree(str(entries / sha))


def test_an_entry_planted_under_a_wheels_sha256_is_never_linked(
    tmp_path: Path, store_dir: Path, alpha: Path, wheels: Path
) -> None:
    from tests.support.venv import py

    plant(store_dir, alpha, wheels)
    sync(tmp_path / "venv", store_dir, alpha)
    assert py(tmp_path / "venv", "import alpha; print(alpha.A)") == "1"
    proc = run_graft("store", "verify", "--store", store_dir)
    assert "0 problems" in proc.stderr


def test_a_planted_entry_is_replaced_on_the_warm_path_and_by_a_no_op_resync(
    tmp_path: Path, store_dir: Path, alpha: Path, wheels: Path
) -> None:
    from tests.support.venv import py

    sync(tmp_path / "venv", store_dir, alpha)
    plant(store_dir, alpha, wheels)  # after the venv (and its kept plan) were made
    sync(tmp_path / "venv2", store_dir, alpha)  # the kept plan's entries are not trusted
    assert py(tmp_path / "venv2", "import alpha; print(alpha.A)") == "1"
    plant(store_dir, alpha, wheels)
    sync(tmp_path / "venv", store_dir, alpha)  # the same inputs into the same venv
    assert py(tmp_path / "venv", "import alpha; print(alpha.A)") == "1"


def b64_sha256(data: bytes) -> str:
    import base64
    import hashlib

    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def rewrite_consistently(entry: Path, rel: str, data: bytes) -> None:
    """Change one file of an entry together with its rows in RECORD and record.json."""
    import json

    from graft.store import seal

    seal.unseal_tree(str(entry))
    tree = entry / "tree"
    old = (tree / rel).read_bytes()
    (tree / rel).chmod(0o644)
    (tree / rel).write_bytes(data)
    (record_file,) = tree.glob("*.dist-info/RECORD")
    record_file.chmod(0o644)
    text = record_file.read_text()
    old_row = f"{rel},{b64_sha256(old)},{len(old)}"
    assert old_row in text
    record_file.write_text(text.replace(old_row, f"{rel},{b64_sha256(data)},{len(data)}"))
    raw = json.loads((entry / "record.json").read_text())
    for row in raw["files"]:  # [path, digest, size, executable]
        if row[0] == rel:
            row[1], row[2] = b64_sha256(data), len(data)
        if row[0].endswith("/RECORD"):
            new = record_file.read_bytes()
            row[1], row[2] = b64_sha256(new), len(new)
    (entry / "record.json").chmod(0o644)
    (entry / "record.json").write_text(json.dumps(raw))
    seal.make_read_only(str(entry))
    seal.seal_tree(str(entry))


def uncache(graft_cache: Path, wheel: Path) -> Path:
    """The download cache's directory for *wheel*, emptied (the cache is the session's)."""
    import shutil

    directory = graft_cache / "wheels" / file_sha256(str(wheel))
    shutil.rmtree(directory, ignore_errors=True)
    return directory


def verify(store: Path) -> tuple[int, str, str]:
    proc = run_graft("store", "verify", "--store", store, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def test_verify_finds_a_file_changed_with_its_record_rows(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    sync(tmp_path / "venv", store_dir, alpha)
    entry = store_dir / "entries" / file_sha256(str(alpha))
    rewrite_consistently(entry, "alpha/__init__.py", b"A = 'changed'\n")
    code, out, err = verify(store_dir)
    assert code == 1, err
    assert "alpha-1.0.dist-info/RECORD: changed since ingest" in out
    assert "record.json: changed since ingest" in out
    assert f"alpha-1.0.dist-info/RECORD: differs from {alpha}" in out  # the wheel it came from


def test_verify_finds_a_planted_entry_against_the_cached_wheel(
    tmp_path: Path, store_dir: Path, alpha: Path, wheels: Path, graft_cache: Path
) -> None:
    cached = uncache(graft_cache, alpha)
    plant(store_dir, alpha, wheels)
    code, out, err = verify(store_dir)
    assert code == 0, out + err  # no wheel at hand: a note, not a problem
    assert "alpha-1.0-py3-none-any.whl: RECORD: note: not authenticated" in out
    cached.mkdir(parents=True)
    (cached / alpha.name).write_bytes(alpha.read_bytes())  # as a download would have left it
    code, out, err = verify(store_dir)
    assert code == 1, out + err
    assert f"alpha-1.0.dist-info/RECORD: differs from {cached / alpha.name}" in out


def test_verify_authenticates_an_unmarked_entry_by_its_wheel(
    tmp_path: Path, store_dir: Path, alpha: Path, graft_cache: Path
) -> None:
    cached = uncache(graft_cache, alpha)
    sync(tmp_path / "venv", store_dir, alpha)
    sha = file_sha256(str(alpha))
    for marker in (store_dir / "verified").iterdir():
        marker.unlink()  # as a store copied from elsewhere (or written by an older graft)
    code, out, _ = verify(store_dir)
    assert "note: not authenticated" in out
    cached.mkdir(parents=True)
    (cached / alpha.name).write_bytes(alpha.read_bytes())
    code, out, err = verify(store_dir)
    assert code == 0, out + err
    assert "note" not in out
    assert len(list((store_dir / "verified").glob(f"{sha}.*"))) == 1
    _, err = sync(tmp_path / "venv", store_dir, alpha)
    inode = (store_dir / "entries" / sha).stat().st_ino
    assert (store_dir / "verified" / f"{sha}.{inode}").is_file()  # the same entry, kept


# -- as root, nothing writes into the store through a venv ---------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="the immutable attribute needs root")
def test_as_root_a_store_file_cannot_be_written_through_a_venv(
    tmp_path: Path, store_dir: Path, alpha: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.venv import py, site

    monkeypatch.delenv("GRAFT_IMMUTABLE", raising=False)
    sync(tmp_path / "venv", store_dir, alpha)
    sync(tmp_path / "other", store_dir, alpha)
    through = site(tmp_path / "venv") / "alpha" / "__init__.py"
    assert os.path.realpath(through).startswith(str(store_dir))  # a link into the store
    with pytest.raises(PermissionError):
        through.write_text("A = 'edited in one venv'\n")
    with pytest.raises(PermissionError):
        os.truncate(through, 0)
    assert py(tmp_path / "other", "import alpha; print(alpha.A)") == "1"
    code, _, err = verify(store_dir)
    assert code == 0, err


def damage(entry: Path, rel: str, data: bytes) -> None:
    """Change one file of an entry as a write through a venv would (no record touched)."""
    from graft.store import seal

    seal.unseal_tree(str(entry))
    if (entry / "tree" / rel).exists():
        (entry / "tree" / rel).chmod(0o644)
    (entry / "tree" / rel).write_bytes(data)
    seal.make_read_only(str(entry))
    seal.seal_tree(str(entry))


def test_repair_re_creates_a_damaged_entry_from_its_wheel(
    tmp_path: Path, store_dir: Path, alpha: Path, graft_cache: Path
) -> None:
    from graft.store import seal
    from tests.support.venv import py

    uncache(graft_cache, alpha)
    sync(tmp_path / "v1", store_dir, alpha)
    sync(tmp_path / "v2", store_dir, alpha)
    sha = file_sha256(str(alpha))
    entry = store_dir / "entries" / sha
    (tag_file,) = (entry / "bytecode").glob("*.json")
    damage(entry, "alpha/__init__.py", b"A = 'damaged'\n")
    assert py(tmp_path / "v2", "import alpha; print(alpha.A)") == "damaged"
    assert verify(store_dir)[0] == 1
    proc = run_graft("store", "repair", "--store", store_dir)
    assert f"repaired alpha-1.0-py3-none-any.whl (entry {sha[:12]}) from {alpha}" in proc.stdout
    assert f"bytecode for {tag_file.stem} compiled again" in proc.stdout
    assert f"used by 2 venvs: {tmp_path / 'v1'}, {tmp_path / 'v2'}" in proc.stdout
    assert py(tmp_path / "v2", "import alpha; print(alpha.A)") == "1"
    assert (entry / "bytecode" / tag_file.name).is_file()
    code, out, err = verify(store_dir)
    assert code == 0, out + err
    assert not list((store_dir / "tmp").iterdir())
    if seal.immutable_enabled():
        assert seal.is_immutable(str(entry))
        assert seal.is_immutable(str(entry / "tree" / "alpha" / "__init__.py"), directory=False)
    assert run_graft("store", "repair", "--store", store_dir).stdout == ""  # nothing left


def test_repair_makes_the_next_sync_rebuild_a_venv_that_copied_the_damage(
    tmp_path: Path, store_dir: Path, alpha: Path, graft_cache: Path
) -> None:
    """A copy-mode venv made from a damaged entry holds the damage itself; after repair its
    next sync rebuilds it (it is no longer "already in sync")."""
    from tests.support.venv import py

    uncache(graft_cache, alpha)
    sha = file_sha256(str(alpha))
    sync(tmp_path / "linked", store_dir, alpha)
    damage(store_dir / "entries" / sha, "alpha/__init__.py", b"A = 'damaged'\n")
    copied = tmp_path / "copied"
    run_graft("sync", copied, alpha, "--store", store_dir, "--no-deps", "-q", "--link-mode", "copy")
    assert py(copied, "import alpha; print(alpha.A)") == "damaged"
    proc = run_graft("store", "repair", "--store", store_dir)
    assert "the next sync of each rebuilds it" in proc.stdout, proc.stdout
    assert py(tmp_path / "linked", "import alpha; print(alpha.A)") == "1"  # linked: at once
    run_graft("sync", copied, alpha, "--store", store_dir, "--no-deps", "-q", "--link-mode", "copy")
    assert py(copied, "import alpha; print(alpha.A)") == "1"
    assert (copied / "pyvenv.cfg").read_text().count("graft-tree") == 1


def test_repair_without_the_wheel_leaves_the_entry_to_the_next_sync(
    tmp_path: Path, store_dir: Path, alpha: Path, graft_cache: Path
) -> None:
    from tests.support.venv import py

    uncache(graft_cache, alpha)
    sync(tmp_path / "v1", store_dir, alpha)
    sha = file_sha256(str(alpha))
    damage(store_dir / "entries" / sha, "alpha/__init__.py", b"A = 'damaged'\n")
    kept = alpha.read_bytes()
    alpha.unlink()  # nowhere to re-create it from
    proc = run_graft("store", "repair", "--store", store_dir, check=False)
    assert proc.returncode == 1
    assert f"cannot re-create alpha-1.0-py3-none-any.whl (entry {sha[:12]})" in proc.stdout
    alpha.write_bytes(kept)  # the wheel is back (downloaded again, say)
    sync(tmp_path / "v1", store_dir, alpha)  # no longer "already in sync": re-ingested, rebuilt
    assert py(tmp_path / "v1", "import alpha; print(alpha.A)") == "1"
    assert verify(store_dir)[0] == 0


def test_verify_finds_a_file_added_to_an_entry(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    from graft.store import seal

    sync(tmp_path / "venv", store_dir, alpha)
    entry = store_dir / "entries" / file_sha256(str(alpha))
    seal.unseal_tree(str(entry))
    (entry / "tree" / "alpha" / "extra.py").write_text("import os\n")  # no row anywhere
    seal.make_read_only(str(entry))
    seal.seal_tree(str(entry))
    code, out, err = verify(store_dir)
    assert code == 1, err
    assert "alpha/extra.py: unlisted file" in out


# -- bytecode: each .pyc graft compiled has the digest its list gives -------------------------

TAG = sys.implementation.cache_tag


def rewrite_list(entry: Path, data: object) -> None:
    """Replace the entry's ``bytecode/<TAG>.json`` (as an older graft, or damage, left it)."""
    from graft.store import seal

    seal.unseal_tree(str(entry))
    listed = entry / "bytecode" / f"{TAG}.json"
    listed.chmod(0o644)
    listed.write_text(json.dumps(data))
    seal.make_read_only(str(entry))
    seal.seal_tree(str(entry))


def test_verify_finds_compiled_bytecode_changed_and_repair_compiles_it_again(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    from tests.support.venv import py

    sync(tmp_path / "venv", store_dir, alpha)
    entry = store_dir / "entries" / file_sha256(str(alpha))
    pyc = f"alpha/__pycache__/__init__.{TAG}.pyc"
    listed = json.loads((entry / "bytecode" / f"{TAG}.json").read_text())
    assert listed == {pyc: file_sha256(str(entry / "tree" / pyc))}
    good = (entry / "tree" / pyc).read_bytes()
    damage(entry, pyc, good[:16] + b"\0" * (len(good) - 16))  # the header kept: still loaded
    code, out, err = verify(store_dir)
    assert code == 1, out + err
    assert f"{pyc}: bytecode hash" in out
    proc = run_graft("store", "repair", "--store", store_dir)
    assert "repaired alpha-1.0-py3-none-any.whl" in proc.stdout
    assert (entry / "tree" / pyc).read_bytes()[16:] == good[16:]  # compiled again (its header
    assert verify(store_dir)[0] == 0  # names the new source's mtime)
    assert py(tmp_path / "venv", "import alpha; print(alpha.A)") == "1"


def test_verify_finds_bytecode_planted_beside_the_compiled_one(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    sync(tmp_path / "venv", store_dir, alpha)
    entry = store_dir / "entries" / file_sha256(str(alpha))
    pyc = f"alpha/__pycache__/__init__.{TAG}.pyc"
    planted = f"alpha/__pycache__/evil.{TAG}.pyc"  # no evil.py: a sourceless import still runs it
    damage(entry, planted, (entry / "tree" / pyc).read_bytes())
    code, out, err = verify(store_dir)
    assert code == 1, out + err
    assert f"{planted}: unlisted bytecode" in out


def test_verify_reads_an_older_list_without_digests_and_says_so(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    sync(tmp_path / "venv", store_dir, alpha)
    entry = store_dir / "entries" / file_sha256(str(alpha))
    pyc = f"alpha/__pycache__/__init__.{TAG}.pyc"
    rewrite_list(entry, [pyc])
    code, out, err = verify(store_dir)
    assert code == 0, out + err
    assert f"bytecode/{TAG}.json: note: no digests (an older graft)" in out
    rewrite_list(entry, [])  # the .pyc is no longer listed: unlisted, whatever the format
    code, out, err = verify(store_dir)
    assert code == 1, out + err
    assert f"{pyc}: unlisted bytecode" in out


def test_bytecode_of_a_tag_without_a_list_is_a_note(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    """What a compile killed before its list was written leaves (for another interpreter)."""
    sync(tmp_path / "venv", store_dir, alpha)
    entry = store_dir / "entries" / file_sha256(str(alpha))
    pyc = f"alpha/__pycache__/__init__.{TAG}.pyc"
    damage(entry, "alpha/__pycache__/__init__.other-99.pyc", (entry / "tree" / pyc).read_bytes())
    code, out, err = verify(store_dir)
    assert code == 0, out + err
    assert "bytecode/other-99.json: note: missing; 1 file(s) of that tag" in out


def test_gc_sweeps_the_marker_of_an_entry_removed_by_hand(
    tmp_path: Path, store_dir: Path, alpha: Path
) -> None:
    from graft.store import seal

    sync(tmp_path / "venv", store_dir, alpha)
    sha = file_sha256(str(alpha))
    (marker,) = (store_dir / "verified").glob(f"{sha}.*")
    seal.remove_tree(str(store_dir / "entries" / sha))
    proc = run_graft("store", "gc", "--store", store_dir)
    assert f"removed leftover {marker}" in proc.stdout
    assert not marker.exists()
    sync(tmp_path / "venv", store_dir, alpha)  # re-ingested, marked again
    assert len(list((store_dir / "verified").glob(f"{sha}.*"))) == 1


# -- kept plans are untrusted input ---------------------------------------------------------------


@pytest.mark.parametrize("tamper", ["pth", "launcher", "link"])
def test_a_kept_plan_cannot_add_code_to_a_venv(
    tmp_path: Path, store_dir: Path, wheels: Path, tamper: str
) -> None:
    import json

    from tests.support.venv import site

    tool = make_wheel(
        wheels,
        "tool",
        "1.0",
        {"tool/__init__.py": "def main():\n    print('tool')\n"},
        entry_points="[console_scripts]\ntool = tool:main\n",
    )
    sync(tmp_path / "v1", store_dir, tool)
    (plan,) = (store_dir / "plans").glob("[0-9a-f]*.json")
    raw = json.loads(plan.read_text())
    payload = f"import os; open({str(tmp_path / 'ran')!r}, 'w')\n"
    if tamper == "pth":
        action = next(a for a in raw["actions"] if a[0] == "write_file")
        action[1] = action[1].rsplit("/", 2)[0] + "/evil.pth"  # into site-packages
        action[3] = payload
    elif tamper == "link":  # a genuine file of an entry, linked under a startup-hook name
        action = next(a for a in raw["actions"] if a[0] == "link_file")
        action[1] = action[1].rsplit("/", 2)[0] + "/evil.pth"
    else:
        action = next(a for a in raw["actions"] if a[0] == "write_launcher")
        action[6] = payload  # [kind, dest, wheel, name, value, group, body]
    plan.write_text(json.dumps(raw))
    # -v: the full path, which reads the kept plan (a new venv from the same inputs is otherwise
    # made from the plan's flat form, whose forgeries test_replay.py and test_flat.py refuse)
    run_graft("sync", tmp_path / "v2", tool, "--store", store_dir, "--no-deps", "-v")
    assert not (site(tmp_path / "v2") / "evil.pth").exists()
    launcher = (tmp_path / "v2" / "bin" / "tool").read_text()
    assert "from tool import main" in launcher
    assert "open(" not in launcher
    assert not (tmp_path / "ran").exists()


def test_verify_compares_an_unmarked_record_json_with_the_wheels_record(
    tmp_path: Path, store_dir: Path, alpha: Path, graft_cache: Path
) -> None:
    import json

    from graft.store import seal

    cached = uncache(graft_cache, alpha)
    sync(tmp_path / "venv", store_dir, alpha)
    sha = file_sha256(str(alpha))
    for marker in (store_dir / "verified").iterdir():
        marker.unlink()
    entry = store_dir / "entries" / sha
    seal.unseal_tree(str(entry))
    raw = json.loads((entry / "record.json").read_text())
    raw["entry_points"].append(["console_scripts", "ls", "alpha:A"])  # files and RECORD intact
    (entry / "record.json").chmod(0o644)
    (entry / "record.json").write_text(json.dumps(raw, sort_keys=True, indent=1))
    seal.make_read_only(str(entry))
    seal.seal_tree(str(entry))
    cached.mkdir(parents=True)
    (cached / alpha.name).write_bytes(alpha.read_bytes())
    code, out, err = verify(store_dir)
    assert code == 1, out + err
    assert f"record.json: differs from {cached / alpha.name}" in out
    assert not list((store_dir / "verified").iterdir())  # not authenticated, so not marked
