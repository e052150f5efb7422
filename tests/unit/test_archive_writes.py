"""An unpacked member is written through its descriptor, whole even when writes fall short."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft._fs import file_sha256
from graft.wheel import archive
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


class ShortWrites:
    """The ``os`` module, but ``write`` takes at most 7 bytes a call (as a full pipe might)."""

    def __init__(self) -> None:
        self.calls = 0

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)

    def write(self, fd: int, data: bytes) -> int:
        self.calls += 1
        return os.write(fd, bytes(data[:7]))


def test_a_member_written_in_short_writes_is_unpacked_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = bytes(range(256)) * 8
    wheel = make_wheel(
        tmp_path, "short", "1.0", {"short/__init__.py": "X = 1\n", "short/a.bin": body}
    )
    short = ShortWrites()
    monkeypatch.setattr(archive, "os", short)
    dest = tmp_path / "tree"
    dest.mkdir()
    record = archive.unpack_wheel(str(wheel), str(dest), file_sha256(str(wheel)))
    assert (dest / "short" / "a.bin").read_bytes() == body
    assert (dest / "short" / "__init__.py").read_text() == "X = 1\n"
    assert short.calls >= len(body) // 7  # every short write was followed by the rest
    sizes = {f.path: f.size for f in record.files}
    assert sizes["short/a.bin"] == len(body)


def test_members_are_unpacked_read_only_so_the_seal_changes_no_mode(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path,
        "modes",
        "1.0",
        {"modes/__init__.py": "X = 1\n", "modes/tool.sh": "#!/bin/sh\n"},
        executable=frozenset({"modes/tool.sh"}),
    )
    dest = tmp_path / "tree"
    dest.mkdir()
    archive.unpack_wheel(str(wheel), str(dest), file_sha256(str(wheel)))
    umask = os.umask(0)
    os.umask(umask)
    modes = {
        str(path.relative_to(dest)): path.stat().st_mode & 0o777
        for path in dest.rglob("*")
        if path.is_file()
    }
    assert modes["modes/tool.sh"] == 0o555 & ~umask
    assert {mode for name, mode in modes.items() if name != "modes/tool.sh"} == {0o444 & ~umask}
