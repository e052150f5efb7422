"""An sdist's contents digest: what it unpacks to, not its archive's framing (decision 300)."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from dataclasses import replace
from typing import TYPE_CHECKING

from hypothesis import given, settings
from hypothesis import strategies as st

from graft.build.assessment import Assessment, Evidence
from graft.build.cache import BuildInputs, BuiltRecord, BuiltWheels, KnownSource
from graft.build.project import BuildSystem
from graft.build.reuse import Builder
from graft.build.sdist_contents import ContentsDigest, earlier_alike, keep_alike
from graft.build.sdist_unpack import unpack_sdist
from graft.venv.foreign import foreign_target

if TYPE_CHECKING:
    from pathlib import Path

# A member: (name below the top directory, kind, bytes or link target, mode)
Member = tuple[str, str, bytes, int]

BASE: list[Member] = [
    ("PKG-INFO", "file", b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", 0o644),
    ("setup.py", "file", b"from setuptools import setup\nsetup()\n", 0o644),
    ("demo", "dir", b"", 0o755),
    ("demo/__init__.py", "file", b"", 0o644),
    ("bin/run", "file", b"#!/bin/sh\n", 0o755),
    ("demo/alias.py", "symlink", b"__init__.py", 0o777),
]


def write_tar(path: Path, members: list[Member], *, when: int = 0, owner: str = "") -> Path:
    """A ``.tar.gz`` of *members* under ``demo-1.0/``, its times and owner as given."""
    with (
        gzip.GzipFile(path, "wb", mtime=when) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf,
    ):
        for name, kind, data, mode in members:
            info = tarfile.TarInfo(f"demo-1.0/{name}")
            info.mtime, info.mode, info.uname, info.uid = 1_700_000_000 + when, mode, owner, when
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, data.decode()
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return path


def write_zip(path: Path, members: list[Member]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, kind, data, mode in members:
            info = zipfile.ZipInfo(f"demo-1.0/{name}" + ("/" if kind == "dir" else ""))
            kind_bits = {"dir": 0o040000, "symlink": 0o120000}.get(kind, 0o100000)
            info.external_attr = (kind_bits | mode) << 16
            zf.writestr(info, data)
    return path


def digest_of(path: Path, dest: Path) -> str:
    gathered = ContentsDigest()
    dest.mkdir()
    unpack_sdist(str(path), str(dest), gathered)
    return gathered.hexdigest()


@settings(max_examples=25, deadline=None)
@given(
    order=st.permutations(range(len(BASE))),
    when=st.integers(min_value=1, max_value=2**31),
    owner=st.sampled_from(["", "root", "builder"]),
    listed_dirs=st.booleans(),
)
def test_what_unpacks_alike_digests_alike(
    tmp_path_factory: object, order: list[int], when: int, owner: str, listed_dirs: bool
) -> None:
    """Member order, times, owners, the gzip header and listed directories are no content."""
    tmp = tmp_path_factory.mktemp("alike")  # type: ignore[attr-defined]
    first = digest_of(write_tar(tmp / "a-1.0.tar.gz", BASE), tmp / "a")
    members = [BASE[i] for i in order if listed_dirs or BASE[i][1] != "dir"]
    second = digest_of(write_tar(tmp / "b-1.0.tar.gz", members, when=when, owner=owner), tmp / "b")
    assert (tmp / "a-1.0.tar.gz").read_bytes() != (tmp / "b-1.0.tar.gz").read_bytes()
    assert first == second
    assert digest_of(write_zip(tmp / "c-1.0.zip", members), tmp / "c") == first


def test_every_thing_a_build_sees_is_content(tmp_path: Path) -> None:
    """A byte, an executable bit, a name, a link's target, an empty directory: another digest."""
    changed: list[list[Member]] = [
        [(*m[:2], m[2] + b"#", m[3]) if m[0] == "setup.py" else m for m in BASE],
        [(*m[:3], 0o755) if m[0] == "setup.py" else m for m in BASE],
        [("setup2.py", *m[1:]) if m[0] == "setup.py" else m for m in BASE],
        [(*m[:2], b"../setup.py", m[3]) if m[1] == "symlink" else m for m in BASE],
        [*BASE, ("empty", "dir", b"", 0o755)],
        [m for m in BASE if m[0] != "demo/__init__.py"],
        [*BASE, ("demo/__init__.py", "file", b"x = 1\n", 0o644)],  # the later copy wins
    ]
    digests = {digest_of(write_tar(tmp_path / "base-1.0.tar.gz", BASE), tmp_path / "base")}
    for i, members in enumerate(changed):
        digests.add(digest_of(write_tar(tmp_path / f"c{i}-1.0.tar.gz", members), tmp_path / f"{i}"))
    assert len(digests) == len(changed) + 1
    # A file given twice is its later copy: the same as the archive holding that one alone.
    twice = [*BASE, ("setup.py", "file", b"later\n", 0o644)]
    once = [(*m[:2], b"later\n", m[3]) if m[0] == "setup.py" else m for m in BASE]
    assert digest_of(write_tar(tmp_path / "t-1.0.tar.gz", twice), tmp_path / "t") == digest_of(
        write_tar(tmp_path / "o-1.0.tar.gz", once), tmp_path / "o"
    )


INPUTS = BuildInputs("setuptools.build_meta", ("setuptools",), (), (), (), isolated=True)
PURE = Assessment(False, (), ())
SYSTEM = BuildSystem(("setuptools",), "setuptools.build_meta")
A, B, C = "a" * 64, "b" * 64, "c" * 64


def kept_build(tmp_path: Path, cache: BuiltWheels, sha: str, contents: str | None) -> BuiltRecord:
    """An sdist *sha* unpacking to *contents*, and a pure wheel CPython 3.12 built of it."""
    from graft._fs import file_sha256

    cache.keep_source(f"sdist-{sha}", KnownSource(SYSTEM, PURE, "demo", "1.0", contents))
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("demo/__init__.py", sha)
    wheel_sha = file_sha256(str(wheel))
    cache.keep_wheel(str(wheel), wheel_sha)
    record = BuiltRecord(
        f"sdist-{sha}",
        INPUTS.key(),
        wheel.name,
        wheel_sha,
        Builder("cpython", "3.12"),
        PURE,
        INPUTS,
        ("setuptools==80.0",),
    )
    cache.keep_record(record)
    return record


def test_a_build_of_another_sdist_of_the_same_files_is_judged_by_the_same_rule(
    tmp_path: Path,
) -> None:
    cache = BuiltWheels(str(tmp_path / "cache"))
    contents = "d" * 64
    record = kept_build(tmp_path, cache, A, contents)
    keep_alike(cache, contents, A)
    keep_alike(cache, contents, C)  # (the sdist now built: its own facts, no record yet)
    cache.keep_source(f"sdist-{C}", KnownSource(SYSTEM, PURE, "demo", "1.0", contents))
    cp312 = foreign_target("3.12", ["linux_x86_64"], "cp")
    found = earlier_alike(cache, contents, f"sdist-{C}", INPUTS.key(), cp312, assessment=PURE)
    assert found.reusable is not None
    assert found.reusable[0] == record
    # Another input key (a config setting, a variable's value): nothing.
    other = replace(INPUTS, config_settings=(("x", "1"),)).key()
    assert earlier_alike(cache, contents, f"sdist-{C}", other, cp312, assessment=PURE) == (
        earlier_alike(cache, "e" * 64, f"sdist-{C}", INPUTS.key(), cp312, assessment=PURE)
    )
    # The current assessment decides, as for the sdist's own records (decision 258).
    differs = Assessment(True, (Evidence("compiled-source", "x.c"),), ())
    cp311 = foreign_target("3.11", ["linux_x86_64"], "cp")
    refused = earlier_alike(cache, contents, f"sdist-{C}", INPUTS.key(), cp311, assessment=differs)
    assert refused.reusable is None
    assert refused.refused is not None
    assert "may build differently" in refused.refused[1].why
    assert (
        earlier_alike(cache, contents, f"sdist-{C}", INPUTS.key(), cp311, assessment=PURE).reusable
        is not None
    )
    # A build constraint that pins the backend otherwise refuses it.
    pinned = earlier_alike(
        cache,
        contents,
        f"sdist-{C}",
        INPUTS.key(),
        cp312,
        assessment=PURE,
        constraints=("setuptools==81.0",),
    )
    assert pinned.reusable is None
    # The sdist's own key is not "another sdist".
    assert (
        earlier_alike(cache, contents, f"sdist-{A}", INPUTS.key(), cp312, assessment=PURE).reusable
        is None
    )


def test_an_index_entry_its_kept_facts_do_not_confirm_is_not_used(tmp_path: Path) -> None:
    cache = BuiltWheels(str(tmp_path / "cache"))
    kept_build(tmp_path, cache, B, "f" * 64)  # its facts say other contents
    keep_alike(cache, "d" * 64, B)
    cp312 = foreign_target("3.12", ["linux_x86_64"], "cp")
    found = earlier_alike(cache, "d" * 64, f"sdist-{C}", INPUTS.key(), cp312, assessment=PURE)
    assert found.reusable is None
    kept_build(tmp_path, cache, A, None)  # kept before digests were: never matched
    keep_alike(cache, "d" * 64, A)
    found = earlier_alike(cache, "d" * 64, f"sdist-{C}", INPUTS.key(), cp312, assessment=PURE)
    assert found.reusable is None
