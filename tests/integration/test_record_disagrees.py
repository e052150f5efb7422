"""Wheels whose RECORD disagrees with their files install as pip and uv install them (decision 383).

Each wheel is made here with one kind of RECORD row that does not vouch for its file, and
served from a loopback index: graft installs it with one warning naming the wheel, its venv
equal to what ``uv pip install`` makes of the same index (the files, and each RECORD row as
uv copies it from the wheel), ``graft store verify`` finds nothing, and a byte changed in the
store afterwards is still found. A RECORD uv cannot read stays refused
(``tests/integration/test_hostile.py``'s ``record-*`` cases).
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from graft.store import seal
from tests.conftest import run_graft
from tests.e2e.flatcompare import (
    compare_record_rows,
    compare_trees,
    directory_links_of,
    format_differences,
)
from tests.integration.test_sync_builds import venv_of
from tests.support.rangeserver import Served, serve
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

DATA = b"VALUE = 1\n"


def b64(data: bytes, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}={base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


STALE = (b64(b"an older file\n"), "14")  # a row written before the file changed

#: name -> (RECORD override of ``<name>/mod.py``, RECORD lines added, members it does not list)
CASES: dict[str, tuple[tuple[str, str] | None, tuple[str, ...], list[tuple[str, bytes]]]] = {
    "wrong-hash": ((b64(b"VALUE = 2\n"), str(len(DATA))), (), []),
    "wrong-size": ((b64(DATA), "99"), (), []),
    "stale": (STALE, (), []),  # PyNvVideoCodec 2.0.4's rows
    "hex": (("sha256=" + hashlib.sha256(DATA).hexdigest(), str(len(DATA))), (), []),  # uv_build
    "no-hash": (("", str(len(DATA))), (), []),
    "unknown-algorithm": (("md5=" + hashlib.md5(DATA).hexdigest(), ""), (), []),  # noqa: S324
    "wrong-sha512": ((b64(b"other", "sha512"), str(len(DATA))), (), []),
    "absent-file": (None, (f"absent_file/ghost.py,{b64(b'boo')},3",), []),
    "unlisted": (None, (), [("unlisted/stowaway.py", b"X = 1\n")]),
    # decision 384: a path's later rows dropped, the first kept, as uv keeps it
    "repeated": (None, (f"repeated/mod.py,{b64(DATA)},{len(DATA)}",), []),
    "repeated-other": (None, (f"repeated_other/mod.py,{STALE[0]},{STALE[1]}",), []),
    "repeated-first-wrong": (STALE, (f"repeated_first_wrong/mod.py,{b64(DATA)},{len(DATA)}",), []),
    # a row for a file the archive lacks, naming a path outside the wheel: dropped
    "outside-row": (None, (f"../evil.py,{b64(b'boo')},3",), []),
    "rooted-row": (None, (f"/etc/evil.py,{b64(b'boo')},3",), []),
}
#: as CASES: rows that vouch for their files spelt otherwise than graft's, copied as uv
#: copies them, without a warning (decision 384)
SPELT: dict[str, tuple[tuple[str, str] | None, tuple[str, ...], list[tuple[str, bytes]]]] = {
    "sha512-row": ((b64(DATA, "sha512"), str(len(DATA))), (), []),
    "sha384-row": ((b64(DATA, "sha384"), ""), (), []),
    "sizeless-row": ((b64(DATA), ""), (), []),
    # (old selenium wheels: a row's leading / , which uv drops)
    "leading-slash": (
        None,
        (f"/leading_slash/more.py,{b64(DATA)},{len(DATA)}",),
        [("leading_slash/more.py", DATA)],
    ),
}


def module(name: str) -> str:
    return name.replace("-", "_")


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    with serve() as served:
        for name, (override, rows, members) in {**CASES, **SPELT}.items():
            pkg = module(name)
            path = make_wheel(
                wheels,
                name,
                files={f"{pkg}/__init__.py": "", f"{pkg}/mod.py": DATA},
                record_override=None if override is None else {f"{pkg}/mod.py": override},
                extra_rows=rows,
                extra_members=list(members),
            )
            served.add(path)
        served.add(make_wheel(wheels, "sound", files={"sound/__init__.py": DATA}))
        yield served


def uv_install(venv: Path, index_url: str, cache: Path, *names: str) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    env = {"UV_NO_CONFIG": "1", "UV_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    python = str(venv / "bin" / "python")
    command = [sys.executable, "-m", "uv", "pip", "install", "-q", "--python", python]
    proc = subprocess.run(
        [*command, "--index-url", index_url, *names],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (venv / ".lock").unlink(missing_ok=True)  # uv's lock of the venv, which it leaves


def entry_of(store: Path, name: str) -> Path:
    for entry in (store / "entries").iterdir():
        if json.loads((entry / "record.json").read_text())["name"] == name:
            return entry
    raise AssertionError(name)


def change_a_byte(entry: Path, rel: str) -> None:
    """One byte of *rel* in the entry changed, its size kept, the entry sealed again."""
    seal.unseal_tree(str(entry))
    path = entry / "tree" / rel
    data = bytearray(path.read_bytes())
    data[0] ^= 0x20
    path.chmod(0o644)
    path.write_bytes(bytes(data))
    seal.make_read_only(str(entry))
    seal.seal_tree(str(entry))


def test_each_disagreement_installs_as_uv_installs_it_and_verifies(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    names = [*CASES, *SPELT, "sound"]
    venv = tmp_path / "graft"
    proc = run_graft(
        "sync", venv, *names, "--index-url", f"{index.url}/simple/", "--store", store_dir
    )
    warned = [line for line in proc.stderr.splitlines() if line.startswith("graft: warning:")]
    assert len(warned) == len(CASES), proc.stderr
    for name in CASES:
        (line,) = [w for w in warned if f" {module(name)}-1.0-py3-none-any.whl: " in w]
        assert "its RECORD disagrees with the archive on 1 file" in line, line
        assert "installed as pip and uv install it" in line, line
    assert "Traceback" not in proc.stderr

    theirs = tmp_path / "uv"
    uv_install(theirs, f"{index.url}/simple/", tmp_path / "uv-cache", *names)
    ours_venv, uv_venv = venv_of(venv), venv_of(theirs)
    diffs = compare_trees(ours_venv, uv_venv)
    links = directory_links_of(venv, ours_venv.site_packages)
    diffs += compare_record_rows(ours_venv, uv_venv, directory_links=links)
    assert not diffs, format_differences(diffs)
    records = "".join(r.read_text() for r in venv.glob("lib/python*/site-packages/*/RECORD"))
    assert "evil" not in records  # (a row for no file, where pip uninstall would act on it)
    assert f"sha512_row/mod.py,{b64(DATA, 'sha512')},{len(DATA)}" in records.splitlines()
    check = "import " + ", ".join(module(n) for n in names)
    subprocess.run([venv / "bin" / "python", "-c", check], check=True)

    verified = run_graft("store", "verify", "--store", store_dir, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert ": 0 problems" in verified.stderr, verified.stderr

    # graft audit notes a file its wheel's RECORD row got wrong, as shipped: no error
    audited = run_graft("audit", venv, "--json", "--deep", check=False)
    assert audited.returncode == 0, audited.stdout
    findings = json.loads(audited.stdout)["findings"]
    assert {f["severity"] for f in findings} == {"info"}, findings
    # (--deep compares the hashes: wrong-size's is right; no-hash's row has none)
    rows_wrong = (
        *("wrong-hash", "stale", "hex", "unknown-algorithm", "wrong-sha512"),
        "repeated-first-wrong",  # (its first row, the one kept)
    )
    assert sorted(f["distributions"][0] for f in findings) == sorted(
        f"{n}==1.0" for n in rows_wrong
    )

    # the store is still checked byte for byte: a changed file is found, row or no row
    change_a_byte(entry_of(store_dir, "stale"), "stale/mod.py")
    change_a_byte(entry_of(store_dir, "unlisted"), "unlisted/stowaway.py")
    audited = run_graft("audit", venv, "--json", "--deep", check=False)
    assert audited.returncode == 1, audited.stdout
    errors = [f for f in json.loads(audited.stdout)["findings"] if f["severity"] == "error"]
    assert {(f["kind"], f["path"].rpartition("/tree/")[2]) for f in errors} == {
        ("store-entry-modified", "stale/mod.py"),
        ("store-entry-modified", "unlisted/stowaway.py"),
    }, errors
    verified = run_graft("store", "verify", "--store", store_dir, check=False)
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert "stale/mod.py: hash" in verified.stdout, verified.stdout
    assert "unlisted/stowaway.py: hash" in verified.stdout, verified.stdout
    found = [line for line in verified.stdout.splitlines() if line.strip()]
    assert len([line for line in found if ": hash" in line]) == 2, verified.stdout


def test_the_rows_are_kept_in_the_entry_and_a_replay_says_nothing_new(
    tmp_path: Path, store_dir: Path, index: Served, wheels: Path
) -> None:
    """record.json keeps each row as the wheel gave it (``graft inspect`` shows it); a second
    venv of the same wheel replays the kept plan, with the same RECORD, and warns no more."""
    shown = run_graft("inspect", wheels / "stale-1.0-py3-none-any.whl").stdout.splitlines()
    assert f"record_disagrees stale/mod.py: {STALE[0]},{STALE[1]}" in shown
    shown = run_graft("inspect", wheels / "unlisted-1.0-py3-none-any.whl").stdout.splitlines()
    assert "record_disagrees unlisted/stowaway.py: no row" in shown
    dropped = run_graft("inspect", wheels / "repeated_other-1.0-py3-none-any.whl").stdout
    assert f"repeated_other/mod.py: {STALE[0]},{STALE[1]} (again; dropped)" in dropped
    url = f"{index.url}/simple/"
    first = run_graft("sync", tmp_path / "a", "stale", "--index-url", url, "--store", store_dir)
    assert "graft: warning: stale-1.0-py3-none-any.whl:" in first.stderr
    raw = json.loads((entry_of(store_dir, "stale") / "record.json").read_text())
    assert raw["stated"] == [["stale/mod.py", *STALE]]
    (row,) = [f for f in raw["files"] if f[0] == "stale/mod.py"]
    assert row[1:3] == [b64(DATA), len(DATA)]  # the bytes unpacked, not the row
    again = run_graft("sync", tmp_path / "b", "stale", "--index-url", url, "--store", store_dir)
    assert "warning" not in again.stderr, again.stderr
    records = [
        next((tmp_path / v).glob("lib/python*/site-packages/stale-1.0.dist-info/RECORD"))
        for v in ("a", "b")
    ]
    assert records[0].read_text() == records[1].read_text()
    assert f"stale/mod.py,{STALE[0]},{STALE[1]}" in records[0].read_text().splitlines()
