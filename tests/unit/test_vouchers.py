"""Vouchers: what a recorded build's lookup reads, and the change stamp's check of them."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from graft._fs import file_sha256
from graft.build.assessment import Assessment, Evidence
from graft.build.cache import BuiltWheels, KnownSource
from graft.build.project import BuildSystem
from graft.build.recorded import lookup_reads
from graft.build.source_key import sdist_key
from graft.cli import vouchers
from graft.resolve.fingerprints import fingerprint
from tests.unit.test_build_cache import make_wheel, record_for

SDIST = "a" * 64


def kept(tmp_path: Path) -> tuple[BuiltWheels, Path]:
    """A cache holding one sdist's facts (its build reads CC) and one record of its wheel."""
    cache = BuiltWheels(str(tmp_path / "cache"))
    known = KnownSource(
        BuildSystem(("setuptools>=40.8.0",), "setuptools.build_meta", legacy=False),
        Assessment(True, (Evidence("compiled-source", "x.c"),), ("CC",)),
        "pkg",
        "1.0",
    )
    cache.keep_source(sdist_key(SDIST), known)
    wheel = make_wheel(tmp_path / "pkg-1.0-cp311-cp311-linux_x86_64.whl", {"pkg/a.py": b""})
    sha = file_sha256(str(wheel))
    cache.keep_wheel(str(wheel), sha)
    cache.keep_record(dataclasses.replace(record_for(wheel, sha), source_key=sdist_key(SDIST)))
    return cache, Path(cache.wheel_path(sha, wheel.name))


def test_what_a_lookup_reads_is_every_file_of_the_source_the_wheels_and_the_variables(
    tmp_path: Path,
) -> None:
    cache, wheel = kept(tmp_path)
    reads = lookup_reads(cache, SDIST)
    assert reads is not None
    top = cache.source_dir(sdist_key(SDIST))
    files = {p for kind, p in reads if kind == "content"}
    assert os.path.join(top, "source.json") in files
    assert str(wheel) in files  # the wheel a record names, byte for byte
    assert any(p.endswith(".json") and p != os.path.join(top, "source.json") for p in files)
    assert ("listing", top) in reads
    assert ("env", "CC") in reads
    assert lookup_reads(cache, "b" * 64) is None  # a source never seen: nothing to vouch


@pytest.mark.parametrize("change", ["wheel", "record", "variable", "new input key"])
def test_a_voucher_holds_until_anything_the_lookup_reads_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    monkeypatch.delenv("CC", raising=False)
    cache, wheel = kept(tmp_path)
    reads = lookup_reads(cache, SDIST)
    assert reads is not None
    rows = {
        "built": [[SDIST, "w" * 64, f"{'w' * 64}||1"]],
        "vouch": [[SDIST, kind, path, str(fingerprint(kind, path))] for kind, path in reads],
    }
    assert vouchers.vouched(rows, {SDIST})
    assert not vouchers.vouched(rows, {SDIST, "c" * 64})  # one without a voucher
    top = Path(cache.source_dir(sdist_key(SDIST)))
    if change == "wheel":
        wheel.chmod(0o644)
        wheel.write_bytes(b"other")
    elif change == "record":
        (record,) = [p for p in top.rglob("*.json") if p.name != "source.json"]
        record.write_text(record.read_text() + " ")
    elif change == "variable":
        monkeypatch.setenv("CC", "clang")
    else:
        (top / "another-input-key").mkdir()
    assert not vouchers.vouched(rows, {SDIST})


def test_a_stamp_keeps_the_vouchers_of_other_sdists_up_to_a_bound() -> None:
    before = {
        "built": [[f"{n:064x}", "w", "w||1"] for n in range(vouchers.KEPT + 5)],
        "vouch": [[f"{n:064x}", "listing", "/x", "f"] for n in range(vouchers.KEPT + 5)],
    }
    now = [["built", "0" * 64, "v", "v||1"], ["vouch", "0" * 64, "listing", "/y", "g"]]
    merged = vouchers.merged(before, now)
    built = [row[1] for row in merged if row[0] == "built"]
    assert built[0] == "0" * 64  # the sync's own, fresh, first
    assert len(built) == vouchers.KEPT
    assert len(set(built)) == len(built)
    assert ["vouch", "0" * 64, "listing", "/x", "f"] not in merged  # its old voucher replaced
