"""The memo fingerprints a requirement file by the bytes its reader read (decision 464)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from graft._reads import MIXED, note_read
from graft._sha256 import sha256_hex
from graft.model.requirements import Inputs
from graft.resolve.fingerprints import unchanged
from graft.resolve.located import Located
from graft.resolve.memo import observe
from graft.sources.reqfile import read_requirements
from graft.venv.foreign import foreign_target

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def located(path: Path, digests: dict[str, str]) -> Located:
    target = foreign_target("3.11", ["manylinux_2_17_x86_64"])
    return Located(
        target,
        (),
        files=(str(path),),
        digests=tuple(digests.items()),
        interpreter=os.path.realpath(sys.executable),
    )


def test_a_file_written_just_now_is_watched_by_the_bytes_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("alpha==1.0\n")  # (its mtime now: "racy")
    inputs = Inputs()
    read_requirements(str(reqs), inputs)
    assert inputs.digests == {str(reqs): sha256_hex(b"alpha==1.0\n")}
    observed = observe(located(reqs, inputs.digests))
    assert observed is not None
    assert observed[0] == ["content", str(reqs), sha256_hex(b"alpha==1.0\n")]
    watched = [(str(k), str(p), f) for k, p, f in observed]
    assert unchanged(watched)
    # rewritten after the read (the race the 2 s rule guarded against): the memo's hash is
    # the bytes resolved from, not the new ones, so it no longer holds
    reqs.write_text("alpha==2.0\n")
    assert not unchanged(watched)
    again = observe(located(reqs, inputs.digests))
    assert again is not None
    assert again[0][2] == sha256_hex(b"alpha==1.0\n")


def test_a_file_read_twice_with_other_bytes_leaves_no_memo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("alpha==1.0\n")
    digests: dict[str, str] = {}
    note_read(digests, str(reqs), b"alpha==1.0\n")
    note_read(digests, str(reqs), b"alpha==1.0\n")
    assert digests[str(reqs)] == sha256_hex(b"alpha==1.0\n")
    note_read(digests, str(reqs), b"alpha==2.0\n")
    assert digests[str(reqs)] == MIXED
    assert observe(located(reqs, digests)) is None


def test_a_file_not_hashed_when_read_keeps_the_racy_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A guard (as on main): a file written just now whose bytes no reader hashed."""
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("alpha==1.0\n")
    assert observe(located(reqs, {})) is None
