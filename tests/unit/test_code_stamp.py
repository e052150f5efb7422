"""graft's code stamp: an installed copy by its RECORD's identity, a source tree by its modules.

Decision 349: a graft an installer put in ``site-packages`` is stamped by one ``stat`` of
``graft-<version>.dist-info/RECORD`` (which every install writes anew), where the modules'
sizes and mtimes cost ~470 ``stat`` calls on every fast path.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft import __version__, _home

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def _package(root: Path) -> Path:
    """A package laid out as graft is: modules, and a subpackage's one level down."""
    package = root / "graft"
    (package / "cli").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "cli" / "entry.py").write_text("x = 1\n")
    return package


def _installed(root: Path, version: str = __version__) -> Path:
    """What an installer leaves beside the package: its ``.dist-info`` with RECORD."""
    record = root / f"graft-{version}.dist-info" / "RECORD"
    record.parent.mkdir()
    record.write_text("graft/__init__.py,,\n")
    return record


def _reinstalled(record: Path) -> None:
    """RECORD written anew, as pip and uv do (a new file, whatever its bytes)."""
    fresh = record.with_name("RECORD.new")
    fresh.write_text(record.read_text())
    os.replace(fresh, record)


def test_a_source_tree_is_stamped_by_every_modules_size_and_mtime(tmp_path: Path) -> None:
    package = _package(tmp_path)
    before = _home._stamp_of(str(package))
    module = package / "cli" / "entry.py"
    module.write_text("x = 22\n")  # (an edit in place: no directory changes)
    edited = _home._stamp_of(str(package))
    assert edited != before
    st = module.stat()
    os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # (same size)
    assert _home._stamp_of(str(package)) != edited


def test_an_installed_copy_is_stamped_by_its_records_identity_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(tmp_path)
    record = _installed(tmp_path)
    listed: list[object] = []
    real_scandir = os.scandir

    def counted(path: object = ".") -> object:
        listed.append(path)
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", counted)
    first = _home._stamp_of(str(package))
    assert listed == []  # the modules are not read: one stat of RECORD
    assert _home._stamp_of(str(package)) == first
    _reinstalled(record)
    assert _home._stamp_of(str(package)) != first


def test_another_versions_dist_info_does_not_stamp_this_graft(tmp_path: Path) -> None:
    """Only ``graft-<this version>.dist-info``: else the modules are read (a source tree)."""
    package = _package(tmp_path)
    _installed(tmp_path, version="0.0.0.dev0")
    before = _home._stamp_of(str(package))
    (package / "cli" / "entry.py").write_text("x = 22\n")
    assert _home._stamp_of(str(package)) != before
