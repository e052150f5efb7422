"""Fingerprints of what a resolution read, including the machine variant detection reads."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from graft import _sha256
from graft.resolve import fingerprints

if TYPE_CHECKING:
    import pytest


def test_sha256_without_hashlib_gives_hashlib_digests() -> None:
    for data in (b"", b"graft", bytes(range(256)) * 100):
        assert _sha256.sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_kinds(tmp_path: Path) -> None:
    f = tmp_path / "reqs.txt"
    f.write_text("a==1\n")
    content = fingerprints.fingerprint("content", str(f))
    stat = fingerprints.fingerprint("stat", str(f))
    listing = fingerprints.fingerprint("listing", str(tmp_path))
    assert content == hashlib.sha256(b"a==1\n").hexdigest()
    watched = [
        ("content", str(f), content),
        ("stat", str(f), stat),
        ("listing", str(tmp_path), listing),
    ]
    assert fingerprints.unchanged(watched)
    f.write_text("a==2\n")
    assert not fingerprints.unchanged(watched[:1])
    (tmp_path / "new.whl").write_text("")
    assert not fingerprints.unchanged(watched[2:])
    assert not fingerprints.unchanged([("content", str(tmp_path / "gone"), None)])
    assert not fingerprints.unchanged([("unknown-kind", str(f), "x")])


def test_the_machine_is_its_cpu_flags_and_driver_not_its_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cpuinfo, driver = tmp_path / "cpuinfo", tmp_path / "nvidia-version"
    monkeypatch.setattr(
        fingerprints,
        "_MACHINE",
        ((str(cpuinfo), ("flags", "Features")), (str(driver), ("NVRM",))),
    )

    def cpu(mhz: str, flags: str) -> None:
        cpuinfo.write_text(
            "".join(f"processor\t: {i}\ncpu MHz\t\t: {mhz}\nflags\t\t: {flags}\n\n" for i in (0, 1))
        )

    cpu("2400.000", "fpu sse2 avx2")
    before = fingerprints.fingerprint("machine", "")
    watched = [("machine", "", before)]
    cpu("3100.512", "fpu sse2 avx2")  # another clock speed: the same machine
    assert fingerprints.unchanged(watched)
    cpu("3100.512", "fpu sse2")  # moved to a CPU without AVX2 (a container on another host)
    assert not fingerprints.unchanged(watched)
    cpu("2400.000", "fpu sse2 avx2")
    driver.write_text("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14\n")
    assert not fingerprints.unchanged(watched)  # a GPU driver appeared
