"""Malformed and hostile wheels are refused whole: one error line, nothing written.

``graft sync VENV wheel.whl --no-deps --store S`` must exit 1 with a single
``graft: error:`` line naming the wheel file and the problem (no traceback),
leave nothing in the store's ``entries/`` or ``tmp/``, write no file outside the
store (a ``../`` or absolute member name must not land beside it), and leave an
existing venv at VENV exactly as it was.

A hypothesis test drives :func:`graft.wheel.archive.unpack_wheel` directly with random
small archives (hostile names, symlinks, duplicates, corrupted RECORDs): it must
either return a record that matches what it wrote under *dest*, or raise
:class:`~graft.errors.WheelError`; nothing else, and nothing outside *dest*.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from packaging.version import Version

from graft.errors import WheelError
from graft.store import seal
from graft.store.entries import Store
from graft.wheel.archive import unpack_wheel
from graft.wheel.names import SCHEME_KEYS
from tests.conftest import run_graft
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from graft.model.record import WheelRecord

DIST_INFO = "hostile-1.0.dist-info"
DATA_DIR = "hostile-1.0.data"
FILENAME = "hostile-1.0-py3-none-any.whl"
METADATA = b"Metadata-Version: 2.1\nName: hostile\nVersion: 1.0\n"
PACKAGE = ("hostile/__init__.py", b"VALUE = 1\n")


def digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def wheel_meta(version: str = "1.0") -> bytes:
    return f"Wheel-Version: {version}\nRoot-Is-Purelib: true\nTag: py3-none-any\n".encode()


@dataclass
class Member:
    """One archive member; *listed* members get a correct RECORD row unless overridden."""

    name: str
    data: bytes
    listed: bool = True
    mode: int = 0o100644  # st_mode stored in external_attr

    def info(self, compression: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(self.name, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = self.mode << 16
        info.compress_type = compression
        return info


@dataclass
class Spec:
    """A wheel to build, valid unless told otherwise."""

    members: list[Member] = field(default_factory=lambda: [Member(*PACKAGE)])
    filename: str = FILENAME
    dist_info: str = DIST_INFO
    metadata: bool = True
    metadata_text: bytes = METADATA
    wheel_version: str = "1.0"
    entry_points: str | None = None
    record: bool = True
    row_override: dict[str, list[str]] = field(default_factory=dict)
    extra_rows: list[list[str]] = field(default_factory=list)
    compression: int = zipfile.ZIP_DEFLATED

    def all_members(self) -> list[Member]:
        out = list(self.members)
        if self.metadata:
            out.append(Member(f"{self.dist_info}/METADATA", self.metadata_text))
        out.append(Member(f"{self.dist_info}/WHEEL", wheel_meta(self.wheel_version)))
        if self.entry_points is not None:
            out.append(Member(f"{self.dist_info}/entry_points.txt", self.entry_points.encode()))
        return out

    def record_text(self, members: Sequence[Member]) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for member in members:
            if member.name in self.row_override:
                writer.writerow(self.row_override[member.name])
            elif member.listed:
                writer.writerow([member.name, digest(member.data), len(member.data)])
        writer.writerows(self.extra_rows)
        writer.writerow([f"{self.dist_info}/RECORD", "", ""])
        return buffer.getvalue()

    def build(self, directory: Path) -> Path:
        members = self.all_members()
        path = directory / self.filename
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about duplicate names
            with zipfile.ZipFile(path, "w") as zf:
                for member in members:
                    zf.writestr(member.info(self.compression), member.data)
                if self.record:
                    record = Member(f"{self.dist_info}/RECORD", b"")
                    zf.writestr(record.info(self.compression), self.record_text(members).encode())
        return path


# -- byte-level damage ------------------------------------------------------------------------


def truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def patch_uncompressed_size(path: Path, member: str, delta: int, *, local: bool = True) -> Path:
    """Make the central (and local) header of a *stored* member claim ``size + delta`` bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    assert info.compress_type == zipfile.ZIP_STORED
    name = member.encode()
    central = _find_header(data, b"PK\x01\x02", 46, 28, name)
    (size,) = struct.unpack_from("<I", data, central + 24)
    struct.pack_into("<I", data, central + 24, size + delta)
    if local:
        offset = info.header_offset
        assert data[offset : offset + 4] == b"PK\x03\x04"
        struct.pack_into("<I", data, offset + 22, size + delta)
    path.write_bytes(bytes(data))
    return path


def _find_header(data: bytearray, magic: bytes, fixed: int, name_len_at: int, name: bytes) -> int:
    start = 0
    while (at := data.find(magic, start)) >= 0:
        (length,) = struct.unpack_from("<H", data, at + name_len_at)
        if data[at + fixed : at + fixed + length] == name:
            return at
        start = at + 4
    raise AssertionError(f"no header for {name!r}")


def patch_every_header(path: Path, *, flag: int = 0, method: int | None = None) -> Path:
    """Set general-purpose *flag* bits and/or the compression *method* in every header."""
    data = bytearray(path.read_bytes())
    for magic, flags_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = 0
        while (at := data.find(magic, start)) >= 0:
            (old,) = struct.unpack_from("<H", data, at + flags_at)
            struct.pack_into("<H", data, at + flags_at, old | flag)
            if method is not None:
                struct.pack_into("<H", data, at + method_at, method)
            start = at + 4
    path.write_bytes(bytes(data))
    return path


# -- the cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    build: Callable[[Path, Path], Path]  # (wheels dir, tmp_path) -> wheel file
    problem: str  # a fragment of the error line that names the problem
    # a sound archive refused when planning a venv: its checked entry may stay in the store
    # (as any ingested wheel's does, until gc), but nothing else changes
    planned: bool = False


def with_member(name: str) -> Callable[[Path, Path], Path]:
    def build(wheels: Path, tmp_path: Path) -> Path:
        del tmp_path
        return Spec(members=[Member(*PACKAGE), Member(name, b"EVIL = 1\n")]).build(wheels)

    return build


def absolute_member(wheels: Path, tmp_path: Path) -> Path:
    """An absolute name pointing right beside the store: it must not appear there."""
    target = tmp_path / "abs-escape.py"
    return Spec(members=[Member(*PACKAGE), Member(str(target), b"EVIL = 1\n")]).build(wheels)


def spec_case(spec: Spec) -> Callable[[Path, Path], Path]:
    def build(wheels: Path, tmp_path: Path) -> Path:
        del tmp_path
        return spec.build(wheels)

    return build


def symlink_member(wheels: Path, tmp_path: Path) -> Path:
    del tmp_path
    link = Member("hostile/passwd.py", b"/etc/passwd", mode=0o120777)
    return Spec(members=[Member(*PACKAGE), link]).build(wheels)


def duplicate_member(wheels: Path, tmp_path: Path) -> Path:
    del tmp_path
    twice = [Member(*PACKAGE), Member("hostile/__init__.py", b"EVIL = 1\n", listed=False)]
    return Spec(members=twice).build(wheels)


def record_row(row: list[str]) -> Callable[[Path, Path], Path]:
    """The package's RECORD row replaced by *row*: one uv refuses (decision 383)."""

    def build(wheels: Path, tmp_path: Path) -> Path:
        del tmp_path
        return Spec(row_override={PACKAGE[0]: row}).build(wheels)

    return build


def two_dist_infos(wheels: Path, tmp_path: Path) -> Path:
    del tmp_path
    other = Member("other-1.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: other\n")
    return Spec(members=[Member(*PACKAGE), other]).build(wheels)


def invalid_filename(wheels: Path, tmp_path: Path) -> Path:
    del tmp_path
    return Spec(filename="notawheel.whl").build(wheels)


def truncated(wheels: Path, tmp_path: Path) -> Path:
    del tmp_path
    return truncate(Spec().build(wheels))


def size_lie(delta: int) -> Callable[[Path, Path], Path]:
    def build(wheels: Path, tmp_path: Path) -> Path:
        del tmp_path
        path = Spec(compression=zipfile.ZIP_STORED).build(wheels)
        return patch_uncompressed_size(path, PACKAGE[0], delta)

    return build


def evil_entry_point(wheels: Path, tmp_path: Path) -> Path:
    del tmp_path
    return Spec(entry_points="[console_scripts]\n../../evil = hostile:main\n").build(wheels)


SITE = f"lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"


def metadata(name: str = "hostile", version: str = "1.0") -> bytes:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()


def metadata_case(text: bytes) -> Callable[[Path, Path], Path]:
    return spec_case(Spec(metadata_text=text))


def name_escapes(wheels: Path, tmp_path: Path) -> Path:
    """METADATA's Name is the headers directory: ``../`` in it once wrote beside the venv."""
    precious = tmp_path / "escape" / "x.h"
    precious.parent.mkdir()
    precious.write_text("precious\n")
    header = Member(f"{DATA_DIR}/headers/x.h", b"int evil;\n")
    return Spec(
        members=[Member(*PACKAGE), header], metadata_text=metadata("../../../../escape")
    ).build(wheels)


def entry_points_case(text: str) -> Callable[[Path, Path], Path]:
    return spec_case(Spec(entry_points=text))


def deep_tree(wheels: Path, tmp_path: Path) -> Path:
    """1,500 nested directories: os.makedirs and friends recurse once per level."""
    del tmp_path
    deep = "hostile/" + "d/" * 1500 + "m.py"
    return Spec(members=[Member(*PACKAGE), Member(deep, b"X = 1\n")]).build(wheels)


def long_path(wheels: Path, tmp_path: Path) -> Path:
    """A member path of 4,028 bytes: with the store's prefix it exceeds PATH_MAX."""
    del tmp_path
    long = "hostile/" + "/".join(["x" * 250] * 16) + "/m.py"
    return Spec(members=[Member(*PACKAGE), Member(long, b"X = 1\n")]).build(wheels)


CASES: dict[str, Case] = {
    "dotdot": Case(with_member("../evil.py"), "escapes the wheel root"),
    "dotdot-deep": Case(with_member("../../../../evil.py"), "escapes the wheel root"),
    "inner-dotdot": Case(with_member("hostile/../../evil.py"), "escapes the wheel root"),
    "absolute": Case(absolute_member, "absolute"),
    "abs-slash": Case(with_member("/abs.py"), "absolute"),
    "data-dotdot": Case(with_member(f"{DATA_DIR}/purelib/../../x.py"), "escapes the wheel root"),
    "data-dotdot-deep": Case(
        with_member(f"{DATA_DIR}/purelib/../../../../../../evil.py"), "escapes the wheel root"
    ),
    "backslash": Case(with_member("hostile\\..\\..\\evil.py"), "non-posix"),
    "symlink": Case(symlink_member, "is a symlink"),
    "duplicate": Case(duplicate_member, "appears twice"),
    "record-missing": Case(spec_case(Spec(record=False)), "RECORD is missing"),
    # a RECORD that disagrees with the files is installed, as pip and uv install it (decision
    # 383: tests/integration/test_record_disagrees.py); one uv cannot read is refused
    "record-two-fields": Case(
        record_row([PACKAGE[0], digest(PACKAGE[1])]), "does not have three fields"
    ),
    "record-four-fields": Case(
        record_row([PACKAGE[0], digest(PACKAGE[1]), str(len(PACKAGE[1])), "x"]),
        "does not have three fields",
    ),
    "record-size-not-a-number": Case(
        record_row([PACKAGE[0], digest(PACKAGE[1]), "many"]), "RECORD size 'many' for"
    ),
    "metadata-missing": Case(spec_case(Spec(metadata=False)), "METADATA is missing"),
    "two-dist-infos": Case(two_dist_infos, "two .dist-info directories"),
    "wheel-version-2": Case(
        spec_case(Spec(wheel_version="2.0")), "Wheel-Version 2.0 is not supported"
    ),
    "invalid-filename": Case(invalid_filename, "invalid wheel filename"),
    "truncated-zip": Case(truncated, "not a readable zip archive"),
    "size-lie-smaller": Case(size_lie(-3), "corrupt"),
    "size-lie-larger": Case(size_lie(+7), "hostile/__init__.py"),
    "entry-point-dotdot": Case(evil_entry_point, "'../../evil' would write outside bin/"),
    # names from inside the wheel that become paths (issue 9)
    "metadata-name-dotdot": Case(name_escapes, "METADATA Name '../../../../escape' is not a valid"),
    "metadata-name-other": Case(metadata_case(metadata("other")), "METADATA says 'other' '1.0'"),
    "metadata-version-other": Case(metadata_case(metadata(version="2.0")), "METADATA says"),
    "metadata-version-invalid": Case(
        metadata_case(metadata(version="1.0/../x")),
        "METADATA Version '1.0/../x' is not a valid version",
    ),
    "metadata-no-name": Case(
        metadata_case(b"Metadata-Version: 2.1\nVersion: 1.0\n"), "METADATA has no Name"
    ),
    "metadata-two-names": Case(
        metadata_case(metadata() + b"Name: other\n"), "more than one or an unreadable Name"
    ),
    "data-unknown-category": Case(
        with_member(f"{DATA_DIR}/evil/x.py"), f"{DATA_DIR}/evil is not a .data category"
    ),
    "data-category-is-a-file": Case(with_member(f"{DATA_DIR}/purelib"), "is a file where"),
    "data-purelib-dist-info": Case(
        with_member(f"{DATA_DIR}/purelib/other-1.0.dist-info/METADATA"),
        "ships other-1.0.dist-info, a second distribution's metadata",
    ),
    "data-platlib-own-dist-info": Case(
        with_member(f"{DATA_DIR}/platlib/{DIST_INFO}/METADATA"), "a second distribution's"
    ),
    "data-data-dist-info": Case(
        with_member(f"{DATA_DIR}/data/{SITE}/other-1.0.dist-info/METADATA"),
        "would install other-1.0.dist-info, a second distribution's metadata",
        planned=True,
    ),
    "data-dir-of-another-project": Case(
        with_member("other-1.0.data/purelib/x.py"), "other-1.0.data does not match"
    ),
    "two-data-dirs": Case(
        spec_case(
            Spec(
                members=[
                    Member(*PACKAGE),
                    Member(f"{DATA_DIR}/purelib/a.py", b"A = 1\n"),
                    Member("Hostile-1.0.data/purelib/b.py", b"B = 1\n"),
                ]
            )
        ),
        "two .data directories",
    ),
    "data-pyvenv-cfg": Case(
        with_member(f"{DATA_DIR}/data/pyvenv.cfg"),
        "would replace the venv's own pyvenv.cfg",
        planned=True,
    ),
    "data-bin-python": Case(
        with_member(f"{DATA_DIR}/data/bin/python"),
        "would replace the venv's own bin/python",
        planned=True,
    ),
    "data-lib64": Case(  # (below it is lib's, as pip writes it: test_data_lib64.py)
        with_member(f"{DATA_DIR}/data/lib64"),
        "would replace the venv's own lib64",
        planned=True,
    ),
    "data-scripts-python3": Case(
        with_member(f"{DATA_DIR}/scripts/python3"),
        "would replace the venv's own bin/python3",
        planned=True,
    ),
    "data-file-for-venv-dir": Case(
        with_member(f"{DATA_DIR}/data/bin"), "would replace the venv's own bin", planned=True
    ),
    "console-script-python": Case(
        entry_points_case("[console_scripts]\npython = hostile:main\n"),
        "console_scripts entry point 'python' would replace the venv's own bin/python",
        planned=True,
    ),
    "gui-script-activate": Case(
        entry_points_case("[gui_scripts]\nactivate = hostile:main\n"),
        "would replace the venv's own bin/activate",
        planned=True,
    ),
    "entry-point-no-attr": Case(
        entry_points_case("[console_scripts]\ntool = hostile\n"),
        "entry point tool = 'hostile' is not a module:attr reference",
    ),
    "entry-point-call": Case(
        entry_points_case("[console_scripts]\ntool = os:system('id')\n"),
        "is not a module:attr reference",
    ),
    "entry-point-path": Case(
        entry_points_case("[console_scripts]\ntool = ../hostile:main\n"),
        "is not a module:attr reference",
    ),
    "entry-point-bad-extras": Case(
        entry_points_case("[console_scripts]\ntool = hostile:main [a b]\n"),
        "is not a module:attr reference",
    ),
    "deep-1500": Case(deep_tree, "1502 levels deep (at most 256)"),
    "path-too-long": Case(long_path, "is 4028 bytes long (at most 2048)"),
}

KNOWN_BUGS: dict[str, str] = {}  # case id -> reason, for cases graft still gets wrong


def tree_snapshot(root: Path, skip: Sequence[Path]) -> dict[str, tuple[str, ...]]:
    """Every path below *root* (not below *skip*): kind, mode, and content or link target."""
    out: dict[str, tuple[str, ...]] = {}
    skipped = {str(p) for p in skip}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in skipped]
        for name in [*dirnames, *filenames]:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            rel = os.path.relpath(path, root)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", oct(st.st_mode))
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as fh:
                    out[rel] = ("file", oct(st.st_mode), hashlib.sha256(fh.read()).hexdigest())
            else:
                out[rel] = ("other", oct(st.st_mode))
    return out


def assert_refused(proc: subprocess.CompletedProcess[str], wheel: Path, problem: str) -> None:
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    (line,) = lines
    assert line.startswith("graft: error: "), line
    assert wheel.name in line, line
    assert problem in line, line


@pytest.fixture
def good_venv(tmp_path: Path, store_dir: Path, wheels: Path) -> Path:
    """An existing graft venv at VENV, built from the same store."""
    good = make_wheel(wheels, "good", "1.0", {"good/__init__.py": "GOOD = 1\n"})
    venv = tmp_path / "venv"
    run_graft("sync", venv, good, "--store", store_dir)
    return venv


def _check_case(
    case_id: str,
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    venv: Path,
    link_mode: str = "symlink",
) -> None:
    case = CASES[case_id]
    bad_dir = wheels / "bad"
    bad_dir.mkdir()
    wheel = case.build(bad_dir, tmp_path)
    Store(str(store_dir)).ensure()  # an existing store: its creation is not a change
    entries_before = set(os.listdir(store_dir / "entries"))
    markers_before = set(os.listdir(store_dir / "verified"))
    # everything around the store (venv, wheels, the store's parent), and the store's own data;
    # a wheel refused only when planning is a sound wheel: its entry and its marker may stay
    planned = [store_dir / "entries", store_dir / "verified"] if case.planned else []
    skip = [store_dir / "locks", *planned]
    before = tree_snapshot(tmp_path, skip=skip)

    proc = run_graft(
        "sync",
        venv,
        wheel,
        "--no-deps",
        "--store",
        store_dir,
        "--link-mode",
        link_mode,
        check=False,
    )

    added = set(os.listdir(store_dir / "entries")) - entries_before
    assert added <= ({hashlib.sha256(wheel.read_bytes()).hexdigest()} if case.planned else set())
    markers = set(os.listdir(store_dir / "verified")) - markers_before
    assert {m.split(".")[0] for m in markers} <= added  # only the marker of that entry
    assert entries_before <= set(os.listdir(store_dir / "entries"))
    assert os.listdir(store_dir / "tmp") == []
    after = tree_snapshot(tmp_path, skip=skip)
    assert after == before, {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(k for k in before if k in after and before[k] != after[k]),
    }
    assert_refused(proc, wheel, case.problem)


def _params() -> list[object]:
    return [
        pytest.param(
            case_id,
            id=case_id,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case_id])]
            if case_id in KNOWN_BUGS
            else [],
        )
        for case_id in CASES
    ]


@pytest.mark.parametrize("case_id", _params())
def test_hostile_wheel_is_refused_into_a_new_venv(
    case_id: str, tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    venv = tmp_path / "venv"
    _check_case(case_id, tmp_path, store_dir, wheels, venv)
    assert not os.path.lexists(venv)


@pytest.mark.parametrize("case_id", _params())
def test_hostile_wheel_leaves_an_existing_venv_untouched(
    case_id: str, tmp_path: Path, store_dir: Path, wheels: Path, good_venv: Path
) -> None:
    _check_case(case_id, tmp_path, store_dir, wheels, good_venv)
    proc = subprocess.run(
        [str(good_venv / "bin" / "python"), "-c", "import good; print(good.GOOD)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout.strip() == "1", proc.stderr


#: The cases where a name from inside the wheel would become a path in the venv.
PATH_CASES = (
    "metadata-name-dotdot",
    "data-unknown-category",
    "data-purelib-dist-info",
    "data-data-dist-info",
    "data-pyvenv-cfg",
    "data-bin-python",
    "data-lib64",
    "console-script-python",
    "deep-1500",
)


@pytest.mark.parametrize("link_mode", ["copy", "hardlink", "symlink"])
@pytest.mark.parametrize("case_id", PATH_CASES)
def test_names_from_the_wheel_never_write_outside_in_any_link_mode(
    case_id: str, link_mode: str, tmp_path: Path, store_dir: Path, wheels: Path, good_venv: Path
) -> None:
    _check_case(case_id, tmp_path, store_dir, wheels, good_venv, link_mode)


def test_invalid_filename_is_refused_and_writes_nothing(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """The message for a bad filename names the file and the problem."""
    wheel = invalid_filename(wheels, tmp_path)
    Store(str(store_dir)).ensure()
    before = tree_snapshot(tmp_path, skip=[store_dir / "locks"])
    proc = run_graft(
        "sync", tmp_path / "venv", wheel, "--no-deps", "--store", store_dir, check=False
    )
    assert tree_snapshot(tmp_path, skip=[store_dir / "locks"]) == before
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("graft: error: ")
    assert "invalid wheel filename" in line
    assert "'notawheel'" in line


IMPORT_INQUIRERPY = (
    "import InquirerPy, importlib.metadata as m; print(InquirerPy.NAME, m.version('inquirerpy'))"
)


def test_dist_info_spelled_differently_from_the_filename_is_accepted(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    wheel = make_wheel(
        wheels,
        "inquirerpy",
        "0.3.4",
        {"InquirerPy/__init__.py": "NAME = 'InquirerPy'\n"},
        dist_info_name="InquirerPy-0.3.4",
    )
    assert wheel.name == "inquirerpy-0.3.4-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        assert "InquirerPy-0.3.4.dist-info/METADATA" in zf.namelist()
    venv = tmp_path / "venv"
    proc = run_graft("sync", venv, wheel, "--no-deps", "--store", store_dir)
    assert "Traceback" not in proc.stderr
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", IMPORT_INQUIRERPY],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == "InquirerPy 0.3.4"
    (site,) = (venv / "lib").glob("python3*/site-packages")
    assert (site / "InquirerPy-0.3.4.dist-info" / "METADATA").is_file()


SPELLED = "Hostile.Pkg-1.0.0"  # the filename says hostile_pkg 1.0: the same project and version
CHECK_SPELLED = """
import importlib.metadata as m, os, sys
short = f"python{sys.version_info[0]}.{sys.version_info[1]}"
include = os.path.join(sys.prefix, "include", "site", short)
print(m.version("hostile-pkg"), sorted(d.metadata["Name"] for d in m.distributions()))
print(open(os.path.join(include, "Hostile.Pkg", "x.h")).read().strip())
print(sorted(e.name for e in m.entry_points(group="console_scripts")))
python = os.path.realpath(os.path.join(sys.prefix, "bin", "python"))
print(python == os.path.realpath(sys.executable))
"""


@pytest.mark.parametrize("link_mode", ["copy", "symlink"])
def test_names_spelled_otherwise_but_equal_to_the_filename_are_installed(
    link_mode: str, tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """Name, Version, .dist-info and .data may spell the filename's project as pip accepts."""
    files: dict[str, bytes | str] = {
        "hostile_pkg/__init__.py": "def main() -> None: print('main')\n",
        f"{SPELLED}.data/headers/x.h": "int ok;\n",
        f"{SPELLED}.data/scripts/hp-tool": "#!python\nprint('tool')\n",
    }
    wheel = make_wheel(
        wheels,
        "hostile_pkg",
        "1.0",
        files,
        dist_info_name=SPELLED,
        entry_points="[console_scripts]\npython-hp = hostile_pkg : main [extra1, extra-2]\n",
    )
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(f"{SPELLED}.dist-info/METADATA").replace(
            b"Name: hostile_pkg", b"Name: Hostile.Pkg"
        )
        text = text.replace(b"Version: 1.0", b"Version: 1.0.0")
    assert text != zf_read(wheel, f"{SPELLED}.dist-info/METADATA")
    rewrite_member(wheel, f"{SPELLED}.dist-info/METADATA", text)
    venv = tmp_path / "venv"
    run_graft("sync", venv, wheel, "--no-deps", "--store", store_dir, "--link-mode", link_mode)
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", CHECK_SPELLED],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out == ["1.0.0 ['Hostile.Pkg']", "int ok;", "['python-hp']", "True"]
    assert (venv / "bin" / "hp-tool").is_file()
    assert (venv / "bin" / "python-hp").is_file()


def zf_read(wheel: Path, member: str) -> bytes:
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(member)


def rewrite_member(wheel: Path, member: str, data: bytes) -> None:
    """Replace *member* and its RECORD row (the RECORD is rewritten last)."""
    with zipfile.ZipFile(wheel) as zf:
        items = [(info, zf.read(info)) for info in zf.infolist()]
    record = next(info.filename for info, _ in items if info.filename.endswith(".dist-info/RECORD"))
    out = []
    for info, old in items:
        if info.filename == member:
            out.append((info, data))
        elif info.filename == record:
            rows = [r for r in old.decode().splitlines() if not r.startswith(member + ",")]
            rows.append(f"{member},{digest(data)},{len(data)}")
            out.append((info, ("\n".join(rows) + "\n").encode()))
        else:
            out.append((info, old))
    with zipfile.ZipFile(wheel, "w") as zf:
        for info, content in out:
            zf.writestr(info, content)


@pytest.mark.parametrize("link_mode", ["copy", "hardlink", "symlink"])
def test_the_deepest_tree_accepted_installs_and_imports(
    link_mode: str, tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """A member MAX_DEPTH levels deep: every stage (unpack, seal, bytecode, copy) copes."""
    from graft.wheel.members import MAX_DEPTH

    package = "hostile/" + "d/" * (MAX_DEPTH - 2)
    deep = package + "m.py"
    assert len(deep.split("/")) == MAX_DEPTH
    wheel = make_wheel(wheels, "hostile", "1.0", {"hostile/__init__.py": "", deep: "X = 7\n"})
    venv = tmp_path / "venv"
    run_graft("sync", venv, wheel, "--no-deps", "--store", store_dir, "--link-mode", link_mode)
    # Python's import system recurses per package level too, so the file is run by path
    (site,) = (venv / "lib").glob("python3*/site-packages")
    out = subprocess.run(
        [str(venv / "bin" / "python"), str(site / deep)], capture_output=True, text=True, check=True
    )
    assert out.returncode == 0
    assert (site / deep).read_text() == "X = 7\n"


# -- beyond the brief: inputs that escape graft's error handling today -----------------------


def clash(wheels: Path) -> Path:
    """``hostile/a`` is a file and ``hostile/a/b.py`` needs it to be a directory."""
    return Spec(
        members=[Member(*PACKAGE), Member("hostile/a", b"x"), Member("hostile/a/b.py", b"y")]
    ).build(wheels)


def long_name(wheels: Path) -> Path:
    return Spec(members=[Member(*PACKAGE), Member("hostile/" + "a" * 300 + ".py", b"x")]).build(
        wheels
    )


def encrypted(wheels: Path) -> Path:
    return patch_every_header(Spec().build(wheels), flag=0x1)


def deflate64(wheels: Path) -> Path:
    return patch_every_header(Spec(compression=zipfile.ZIP_STORED).build(wheels), method=9)


def huge_record_field(wheels: Path) -> Path:
    return Spec(extra_rows=[["x" * 200_000, "", ""]]).build(wheels)


MORE_DAMAGE: dict[str, Callable[[Path], Path]] = {
    "file-dir-clash": clash,
    "name-too-long": long_name,
    "encrypted": encrypted,
    "unsupported-compression": deflate64,
    "huge-record-field": huge_record_field,
}


@pytest.mark.parametrize("bug", sorted(MORE_DAMAGE))
def test_more_damage_is_refused_with_one_line(
    bug: str, tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    wheel = MORE_DAMAGE[bug](wheels)
    Store(str(store_dir)).ensure()
    before = tree_snapshot(tmp_path, skip=[store_dir / "locks"])
    proc = run_graft(
        "sync", tmp_path / "venv", wheel, "--no-deps", "--store", store_dir, check=False
    )
    assert os.listdir(store_dir / "entries") == []
    assert os.listdir(store_dir / "tmp") == []
    assert tree_snapshot(tmp_path, skip=[store_dir / "locks"]) == before
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith(f"graft: error: {wheel.name}: ")


# -- property: unpack_wheel returns a faithful record or raises WheelError --------------------

HP_DIST_INFO = "demo-1.0.dist-info"
BENIGN = [
    "demo/__init__.py",
    "demo/mod.py",
    "demo/sub/x.py",
    "demo.py",
    "demo/",
    "demo/sub/",
    "demo/_ext.so",
    "demo.libs/libz.so.1",
    "demo-1.0.data/purelib/extra.py",
    "demo-1.0.data/scripts/tool",
    "demo-1.0.data/headers/demo.h",
    "demo-1.0.data/data/share/demo/x.txt",
    "demo-1.0.data/platlib/demo_ext.py",
    "Demo-1.0.data/purelib/spelled.py",
    f"{HP_DIST_INFO}/entry_points.txt",
    f"{HP_DIST_INFO}/RECORD.jws",
    f"{HP_DIST_INFO}/licenses/LICENSE",
]
HOSTILE = [
    "../evil.py",
    "../../../../evil.py",
    "/abs.py",
    "demo/../../evil.py",
    "demo-1.0.data/purelib/../../x.py",
    "./x.py",
    "demo//x.py",
    "demo/./x.py",
    "demo\\x.py",
    "C:/x.py",
    "c:x.py",
    ".",
    "..",
    "../",
    "demo/..",
    "other-1.0.dist-info/METADATA",
    "Demo-1.0.dist-info/METADATA",
    "demo-1.0.data/unknown/x",
    "demo-1.0.data/purelib",
    "demo-1.0.data/PURELIB/x.py",
    "demo-1.0.data/purelib/other-1.0.dist-info/METADATA",
    "demo-1.0.data/platlib/demo-1.0.dist-info/RECORD",
    "demo-1.0.data/data/pyvenv.cfg",
    "demo-1.0.data/scripts/python",
    "other-1.0.data/purelib/x.py",
    "demo-2.0.data/purelib/x.py",
    "demo.data/purelib/x.py",
]
SAFE_PATHS = st.lists(
    st.sampled_from(["demo", "sub", "a", "x.py", "__init__.py", "lib.so.2", "data.txt"]),
    min_size=1,
    max_size=3,
).map("/".join)
SAFE_NAMES = st.one_of(st.sampled_from(BENIGN), SAFE_PATHS)
ANY_NAMES = st.one_of(
    SAFE_NAMES,
    st.sampled_from(HOSTILE),
    st.text(alphabet="ab/.\\:", min_size=1, max_size=7),
)
MODES = st.sampled_from([0o100644, 0o100755, 0o120777, 0o040755, 0, 0o020644])
ROW_DAMAGE = st.sampled_from(["drop", "hash", "size", "negative", "nan", "md5", "sha512", "bare"])
WHEEL_VERSIONS = st.sampled_from(["1.9", "2.0", "", "one"])
DIST_INFOS = st.sampled_from(
    [
        "Demo-1.0.dist-info",
        "demo-1.0.0.dist-info",
        "demo-2.0.dist-info",
        "other-1.0.dist-info",
        "demo.dist-info",
    ]
)
ENTRY_POINT_NAMES = st.sampled_from(
    ["demo", "python", "..", "a/b", "a\\b", "t\u00e9", "x y", "-", "activate", "demo.exe"]
)
ENTRY_POINT_VALUES = st.sampled_from(
    [
        "demo:main",
        "demo.sub:a.b",
        " demo : main ",
        "demo:main [x, y-z]",
        "demo",
        "demo:",
        ":main",
        "os:system('id')",
        "../demo:main",
        "demo:main [a b]",
        "1demo:main",
        "demo:main:x",
        "d\u00e9mo:m\u00e4in",
    ]
)
ENTRY_POINTS = st.sampled_from(
    [
        "[console_scripts]\ndemo = demo:main\n",
        "[console_scripts]\n../../evil = demo:main\n",
        "[gui_scripts]\n.. = demo:main\n",
        "[console_scripts]\na/b = demo:main\n",
        "[console_scripts\nbroken",
        "[console_scripts]\ndup = a:b\ndup = c:d\n",
    ]
)
EXTRA_ROWS = st.lists(
    st.sampled_from(
        [
            ["demo/ghost.py", "", ""],
            ["../evil.py", "", ""],
            ["demo/mod.py", "sha256=AAAA", "1"],
            ["only-two", "fields"],
            ["a", "b", "c", "d"],
            ["demo/x.py", "sha1=AAAA", "3"],
        ]
    ),
    min_size=1,
    max_size=2,
)


@dataclass
class Archive:
    members: list[tuple[str, bytes, int, str]]  # name, data, mode, row damage
    dist_info: str
    metadata: bytes | None  # METADATA's contents, None = no METADATA
    wheel: str | None  # WHEEL contents version, None = no WHEEL file
    record: bool
    extra_rows: list[list[str]]
    entry_points: str | None


def _sometimes(draw: st.DrawFn, one_in: int) -> bool:
    return draw(st.integers(0, one_in - 1)) == 0


def _wheel_version(draw: st.DrawFn) -> str | None:
    if _sometimes(draw, 12):
        return None  # no WHEEL file
    return draw(WHEEL_VERSIONS) if _sometimes(draw, 8) else "1.0"


ODD_NAMES = st.one_of(
    st.sampled_from(
        [
            *("Demo", "DEMO", "de.mo", "demo ", "", "../demo", "../../../../escape", "demo/../x"),
            *("d\u00e9mo", "demo\x00", "other", "..", ".", "-demo", "demo-", "de_mo"),
        ]
    ),
    st.text(alphabet="demo./-_ \u00e9\\", max_size=8),
)
ODD_VERSIONS = st.one_of(
    st.sampled_from(["1.0.0", "1", "01.0", "v1.0", " 1.0 ", "1.0.post0", "2.0", "", "..", "1/0"]),
    st.text(alphabet="01./v-", max_size=6),
)


@st.composite
def metadata_texts(draw: st.DrawFn) -> bytes:
    """METADATA: mostly right, sometimes with an odd, missing or repeated Name or Version."""
    name = draw(ODD_NAMES) if _sometimes(draw, 5) else "demo"
    version = draw(ODD_VERSIONS) if _sometimes(draw, 5) else "1.0"
    lines = ["Metadata-Version: 2.1"]
    if not _sometimes(draw, 10):
        lines.append(f"Name: {name}")
    if not _sometimes(draw, 10):
        lines.append(f"Version: {version}")
    if _sometimes(draw, 10):
        lines.append(f"Name: {draw(ODD_NAMES)}")
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")


@st.composite
def entry_point_texts(draw: st.DrawFn) -> str:
    if _sometimes(draw, 4):
        return draw(ENTRY_POINTS)
    group = draw(st.sampled_from(["console_scripts", "gui_scripts", "other"]))
    rows = draw(
        st.lists(
            st.tuples(ENTRY_POINT_NAMES, ENTRY_POINT_VALUES), max_size=3, unique_by=lambda r: r[0]
        )
    )
    return f"[{group}]\n" + "".join(f"{n} = {v}\n" for n, v in rows)


@st.composite
def archives(draw: st.DrawFn) -> Archive:
    """Mostly well-formed archives, each with a few independent kinds of damage."""
    names_from = ANY_NAMES if _sometimes(draw, 3) else SAFE_NAMES
    names = draw(st.lists(names_from, max_size=6, unique=True))
    if names and _sometimes(draw, 10):
        names.append(draw(st.sampled_from(names)))  # a duplicate member
    members = [
        (
            name,
            draw(st.binary(max_size=24)),
            draw(MODES) if _sometimes(draw, 8) else 0o100644,
            draw(ROW_DAMAGE) if _sometimes(draw, 8) else "none",
        )
        for name in names
    ]
    return Archive(
        members=members,
        dist_info=draw(DIST_INFOS) if _sometimes(draw, 8) else HP_DIST_INFO,
        metadata=None if _sometimes(draw, 12) else draw(metadata_texts()),
        wheel=_wheel_version(draw),
        record=not _sometimes(draw, 12),
        extra_rows=draw(EXTRA_ROWS) if _sometimes(draw, 8) else [],
        entry_points=draw(entry_point_texts()) if _sometimes(draw, 4) else None,
    )


def _row(name: str, data: bytes, damage: str) -> list[str] | None:
    good = digest(data)
    rows: dict[str, list[str] | None] = {
        "none": [name, good, str(len(data))],
        "drop": None,
        "hash": [name, digest(data + b"!"), str(len(data))],
        "size": [name, good, str(len(data) + 1)],
        "negative": [name, good, "-1"],
        "nan": [name, good, "many"],
        "md5": [name, "md5=" + base64.urlsafe_b64encode(hashlib.md5(data).digest()).decode(), ""],  # noqa: S324
        "sha512": [
            name,
            "sha512="
            + base64.urlsafe_b64encode(hashlib.sha512(data).digest()).rstrip(b"=").decode(),
            str(len(data)),
        ],
        "bare": [name, "", ""],
    }
    return rows[damage]


def write_archive(archive: Archive, path: Path) -> None:
    members = list(archive.members)
    meta = archive.dist_info
    if archive.metadata is not None:
        members.append((f"{meta}/METADATA", archive.metadata, 0o100644, "none"))
    if archive.wheel is not None:
        members.append((f"{meta}/WHEEL", wheel_meta(archive.wheel), 0o100644, "none"))
    if archive.entry_points is not None:
        members.append(
            (f"{meta}/entry_points.txt", archive.entry_points.encode(), 0o100644, "none")
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for name, data, _mode, damage in members:
        row = _row(name, data, damage)
        if row is not None:
            writer.writerow(row)
    writer.writerows(archive.extra_rows)
    writer.writerow([f"{meta}/RECORD", "", ""])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data, mode, _damage in members:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = mode << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
            if archive.record:
                zf.writestr(f"{meta}/RECORD", buffer.getvalue())


def assert_names_are_the_filenames(record: WheelRecord) -> None:
    """What an accepted record may turn into paths: the filename's project, PEP 427 keys."""
    assert canonicalize_name(record.display_name) == "demo", record.display_name
    assert "/" not in record.display_name
    for directory in (record.dist_info, record.data_dir):
        stem = directory.rpartition(".")[0]
        assert canonicalize_name(stem.rpartition("-")[0]) == "demo", directory
        assert Version(stem.rpartition("-")[2]) == Version("1.0"), directory
    assert set(record.data_categories) <= set(SCHEME_KEYS)
    tops = {f.path.split("/")[0] for f in record.files if "/" in f.path}
    assert {t for t in tops if t.endswith((".dist-info", ".data"))} <= {
        record.dist_info,
        record.data_dir,
    }
    for f in record.files:
        parts = f.path.split("/")
        if parts[0] == record.data_dir and parts[1] in {"purelib", "platlib"}:
            assert not parts[2].endswith(".dist-info"), f.path
    for ep in record.entry_points:
        assert ep.name not in {"", ".", ".."}
        assert not set(ep.name) & {"/", "\\", "\0"}, ep.name
        module, _, attr = ep.value.partition("[")[0].partition(":")
        assert all(p.strip().isidentifier() for p in module.split(".")), ep.value
        assert all(p.strip().isidentifier() for p in attr.split(".")), ep.value


def _listing(root: str) -> set[str]:
    out: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        out.update(os.path.relpath(os.path.join(dirpath, n), root) for n in dirnames + filenames)
    return out


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(archive=archives())
def test_unpack_wheel_returns_a_faithful_record_or_raises_wheel_error(archive: Archive) -> None:
    with tempfile.TemporaryDirectory(prefix="graft-hyp-") as tmp:
        wheel = Path(tmp) / "whl" / "demo-1.0-py3-none-any.whl"
        wheel.parent.mkdir()
        write_archive(archive, wheel)
        # dest is four levels deep so that "../../../../x" would still land inside tmp
        dest = os.path.join(tmp, "a", "b", "c", "dest")
        os.makedirs(dest)
        outside_before = {p for p in _listing(tmp) if not p.startswith("a/b/c/dest/")}
        refused: WheelError | None = None
        try:
            record = unpack_wheel(str(wheel), dest, "0" * 64)
        except WheelError as exc:
            refused, record = exc, None
        if refused is not None:
            assert str(refused).startswith("demo-1.0-py3-none-any.whl: ")
            assert "\n" not in str(refused)
            event("refused: " + re.sub(r"'[^']*'|\(.*\)|[0-9.]+", "_", refused.what)[:48])
        outside_after = {p for p in _listing(tmp) if not p.startswith("a/b/c/dest/")}
        assert outside_after == outside_before
        real_dest = os.path.realpath(dest)
        for dirpath, dirnames, filenames in os.walk(dest):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                assert not os.path.islink(path), path
                assert os.path.realpath(path).startswith(real_dest + os.sep), path
        if record is None:
            return
        event("accepted")
        written = {
            os.path.relpath(os.path.join(d, n), dest)
            for d, _dirs, files in os.walk(dest)
            for n in files
        }
        assert written == {f.path for f in record.files}
        with zipfile.ZipFile(wheel) as zf:
            for f in record.files:
                path = os.path.join(dest, f.path)
                assert os.path.isfile(path), f.path
                data = Path(path).read_bytes()
                assert os.path.getsize(path) == f.size == len(data), f.path
                assert f.digest == digest(data), f.path
                assert data == zf.read(f.path), f.path
        assert record.dist_info.endswith(".dist-info")
        assert record.filename == wheel.name
        assert_names_are_the_filenames(record)
        shutil.rmtree(dest)


# -- property: `graft sync` installs or refuses any wheel, and writes nothing outside ---------

DATA_DIRS = st.sampled_from(["demo-1.0.data", "Demo-1.0.0.data", "other-1.0.data", "demo.data"])
ODD_CATEGORIES = st.sampled_from(["unknown", "PURELIB", "..", ""])
SAFE_INNER = st.sampled_from(
    ["x.py", "pkg/y.py", "share/demo/z.txt", "t\u00e9.txt", "include/x.h", f"{SITE}/evil.py"]
)
ODD_INNER = st.sampled_from(
    [
        *("bin", "lib", "pyvenv.cfg", ".gitignore", "bin/python", "python3", "activate"),
        *("lib64/x", "other-1.0.dist-info/METADATA", "demo-1.0.dist-info/METADATA"),
        *(f"{SITE}/other-1.0.dist-info/METADATA", "../escape.py", "a/../../escape.py"),
    ]
)


@dataclass
class SyncCase:
    spec: Spec
    link_mode: str


@st.composite
def sync_cases(draw: st.DrawFn) -> SyncCase:
    """A wheel whose METADATA, .data tree and entry points vary; the archive itself is sound."""
    members = [Member("demo/__init__.py", b"def main() -> None:\n    pass\n")]
    data_dir = draw(DATA_DIRS) if _sometimes(draw, 4) else "demo-1.0.data"
    for _ in range(draw(st.integers(0, 3))):
        category = draw(ODD_CATEGORIES if _sometimes(draw, 6) else st.sampled_from(SCHEME_KEYS))
        inner = draw(ODD_INNER if _sometimes(draw, 4) else SAFE_INNER)
        name = "/".join(p for p in (data_dir, category, inner) if p)
        if all(m.name != name for m in members):
            members.append(Member(name, b"#!python\nDATA = 1\n"))
    spec = Spec(
        members=members,
        filename="demo-1.0-py3-none-any.whl",
        dist_info=HP_DIST_INFO,
        metadata_text=draw(metadata_texts()),
        entry_points=draw(entry_point_texts()) if _sometimes(draw, 2) else None,
    )
    return SyncCase(spec, draw(st.sampled_from(["symlink", "hardlink", "copy"])))


def _escaping_links(venv: Path, store: Path) -> list[str]:
    """Links in *venv* that resolve outside it, the store's entries and the base interpreter."""
    inside = (str(venv.resolve()) + os.sep, str((store / "entries").resolve()) + os.sep)
    interpreter = os.path.realpath(sys.executable)
    out = []
    for dirpath, dirnames, filenames in os.walk(venv):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                real = os.path.realpath(path)
                if not real.startswith(inside) and real != interpreter:
                    out.append(f"{path} -> {real}")
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=sync_cases())
def test_sync_installs_or_refuses_any_wheel_and_writes_nothing_outside(
    case: SyncCase, graft_cache: Path
) -> None:
    del graft_cache  # targets and venv templates go to the session's cache, not the user's
    with tempfile.TemporaryDirectory(prefix="graft-sync-hyp-") as tmp:
        root = Path(tmp)
        (root / "wheels").mkdir()
        wheel = case.spec.build(root / "wheels")
        store, venv = root / "store", root / "venv"
        Store(str(store)).ensure()
        before = tree_snapshot(root, skip=[store])
        try:
            proc = run_graft(
                *("sync", venv, wheel, "--no-deps", "--store", store),
                *("--link-mode", case.link_mode),
                check=False,
            )
            assert "Traceback" not in proc.stderr, proc.stderr
            assert os.listdir(store / "tmp") == []
            after = tree_snapshot(root, skip=[store, venv])
            after.pop(".venv.graft-lock", None)  # the venv's lock file, beside it
            assert after == before, sorted(set(after) ^ set(before))
            if proc.returncode == 0:
                event("installed")
                assert _escaping_links(venv, store) == []
                assert (venv / "pyvenv.cfg").is_file()
            else:
                assert proc.returncode == 1, proc.stderr
                (line,) = proc.stderr.splitlines()
                head = f"graft: error: {wheel.name}: "
                assert line.startswith(head), line
                assert not os.path.lexists(venv)
                what = line[len(head) :]
                event("refused: " + re.sub(r"'[^']*'|\(.*\)|[0-9.]+", "_", what)[:48])
        finally:
            seal.remove_tree(str(store))
