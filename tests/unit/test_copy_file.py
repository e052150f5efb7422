"""venv/flat.copy_file: a copy as shutil.copyfile + copystat make it, without importing shutil."""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING

import pytest

from graft.venv.flat import copy_file

if TYPE_CHECKING:
    from pathlib import Path


def _source(tmp_path: Path, size: int) -> Path:
    source = tmp_path / "source.pyc"
    source.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    source.chmod(0o444)  # as in the store
    os.utime(source, ns=(1_000_000_000, 2_000_000_000))
    return source


@pytest.mark.parametrize("size", [0, 1, 3 << 20])
@pytest.mark.parametrize("sendfile", [True, False])
def test_a_copy_has_the_bytes_mode_with_write_and_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, sendfile: bool
) -> None:
    source = _source(tmp_path, size)
    if not sendfile:  # a filesystem (or a system) that refuses sendfile between files

        def refused(*_args: object) -> int:
            raise OSError(errno.EINVAL, "refused")

        monkeypatch.setattr(os, "sendfile", refused)
    out = tmp_path / "out.pyc"
    copy_file(str(source), str(out))
    assert out.read_bytes() == source.read_bytes()
    st = out.stat()
    assert st.st_mode & 0o777 == 0o644
    assert st.st_mtime_ns == 2_000_000_000


def test_a_copy_replaces_what_was_there(tmp_path: Path) -> None:
    source = _source(tmp_path, 10)
    out = tmp_path / "out.pyc"
    out.write_bytes(b"older and longer than the source")
    copy_file(str(source), str(out))
    assert out.read_bytes() == source.read_bytes()
