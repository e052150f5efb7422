"""Safe sdist unpacking (graft.build.sdist_unpack), static metadata (graft.build.sdist),
pyproject reading."""

from __future__ import annotations

import io
import os
import re
import tarfile
import zipfile
from pathlib import Path

import pytest

from graft.build import sdist, sdist_unpack
from graft.build.project import LEGACY_BACKEND, read_project
from graft.errors import SourceError


def make_tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mode = 0o644
                archive.addfile(info, io.BytesIO(data))
    return path


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


PKG_INFO = b"Metadata-Version: 2.2\nName: Demo\nVersion: 1.0\nRequires-Dist: idna>=3\n"


def test_unpacks_into_its_top_directory(tmp_path: Path) -> None:
    archive = make_tar(
        tmp_path / "demo-1.0.tar.gz",
        [
            ("demo-1.0/PKG-INFO", PKG_INFO),
            ("demo-1.0/src/demo/__init__.py", b"x = 1\n"),
            link("demo-1.0/alias.py", "src/demo/__init__.py"),
        ],
    )
    dest = tmp_path / "out"
    dest.mkdir()
    top = sdist_unpack.unpack_sdist(str(archive), str(dest))
    assert top == str(dest / "demo-1.0")
    assert (dest / "demo-1.0" / "src" / "demo" / "__init__.py").read_text() == "x = 1\n"
    assert os.readlink(dest / "demo-1.0" / "alias.py") == "src/demo/__init__.py"
    meta = sdist.read_pkg_info(top)
    assert meta is not None
    assert (meta.name, str(meta.version)) == ("demo", "1.0")
    assert meta.static_requires
    assert meta.requires_dist == ("idna>=3",)


@pytest.mark.parametrize(
    ("member", "words"),
    [
        (("../evil.py", b""), "leaves the sdist"),
        (("demo-1.0/../../evil.py", b""), "leaves the sdist"),
        (("/etc/evil", b""), "absolute"),
        (link("demo-1.0/out", "/etc/passwd"), "outside the sdist"),
        (link("demo-1.0/out", "../../x"), "outside the sdist"),
        (link("demo-1.0/a/out", "../../x"), "outside the sdist"),
        (link("demo-1.0/hard", "demo-1.0/later", tarfile.LNKTYPE), "hard link to 'demo-1.0/later'"),
        (link("demo-1.0/hard", "/etc/passwd", tarfile.LNKTYPE), "no file before it"),
        (link("demo-1.0/hard", "demo-1.0", tarfile.LNKTYPE), "no file before it"),
        (link("demo-1.0/dev", "", tarfile.CHRTYPE), "device"),
    ],
)
def test_hostile_members_are_refused(
    tmp_path: Path, member: tarfile.TarInfo | tuple[str, bytes], words: str
) -> None:
    archive = make_tar(tmp_path / "demo-1.0.tar.gz", [("demo-1.0/PKG-INFO", PKG_INFO), member])
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(SourceError, match=words):
        sdist_unpack.unpack_sdist(str(archive), str(dest))
    assert not (tmp_path / "evil.py").exists()


def test_a_hard_link_is_a_copy_of_the_file_before_it(tmp_path: Path) -> None:
    """As pip and uv unpack it (celery 3.1.11's sdist has one); never a link on disk, and
    never to what is no regular file (a symlink, which could lead outside)."""
    archive = make_tar(
        tmp_path / "demo-1.0.tar.gz",
        [
            ("demo-1.0/PKG-INFO", PKG_INFO),
            link("demo-1.0/copy", "demo-1.0/PKG-INFO", tarfile.LNKTYPE),
        ],
    )
    dest = tmp_path / "out"
    dest.mkdir()
    sdist_unpack.unpack_sdist(str(archive), str(dest))
    copy, original = dest / "demo-1.0" / "copy", dest / "demo-1.0" / "PKG-INFO"
    assert copy.read_bytes() == PKG_INFO
    assert not copy.is_symlink()
    assert copy.stat().st_ino != original.stat().st_ino
    through = make_tar(
        tmp_path / "demo-2.0.tar.gz",
        [
            ("demo-2.0/PKG-INFO", PKG_INFO),
            link("demo-2.0/s", "PKG-INFO"),
            link("demo-2.0/h", "demo-2.0/s", tarfile.LNKTYPE),
        ],
    )
    (tmp_path / "two").mkdir()
    with pytest.raises(
        SourceError, match=re.escape("hard link to 'demo-2.0/s', no file before it")
    ):
        sdist_unpack.unpack_sdist(str(through), str(tmp_path / "two"))


def test_a_file_given_twice_is_the_later_one(tmp_path: Path) -> None:
    """As tar, pip and uv unpack it: hatchling's sdist of a tree that holds a PKG-INFO (an
    unpacked sdist) holds it twice, the tree's and its own (decision 252). A file after a
    link or a directory of its name is still refused, never written through the link."""
    archive = make_tar(
        tmp_path / "demo-1.0.tar.gz",
        [("demo-1.0/PKG-INFO", b"the tree's"), ("demo-1.0/PKG-INFO", PKG_INFO)],
    )
    dest = tmp_path / "out"
    dest.mkdir()
    top = sdist_unpack.unpack_sdist(str(archive), str(dest))
    assert (Path(top) / "PKG-INFO").read_bytes() == PKG_INFO
    for first in (link("demo-2.0/PKG-INFO", "other"), tarfile.TarInfo("demo-2.0/PKG-INFO")):
        if first.type != tarfile.SYMTYPE:
            first.type = tarfile.DIRTYPE
        again = make_tar(tmp_path / "demo-2.0.tar.gz", [first, ("demo-2.0/PKG-INFO", PKG_INFO)])
        into = tmp_path / f"two-{first.type.decode()}"
        into.mkdir()
        with pytest.raises(SourceError, match=re.escape("'demo-2.0/PKG-INFO' appears twice")):
            sdist_unpack.unpack_sdist(str(again), str(into))
        assert not (into / "demo-2.0" / "other").exists()


def test_nothing_is_written_through_a_link(tmp_path: Path) -> None:
    archive = make_tar(
        tmp_path / "demo-1.0.tar.gz",
        [link("demo-1.0/d", "sub"), ("demo-1.0/d/x.py", b"")],
    )
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(SourceError, match="below a link"):
        sdist_unpack.unpack_sdist(str(archive), str(dest))


def test_size_and_member_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = make_tar(tmp_path / "demo-1.0.tar.gz", [("demo-1.0/big", b"x" * 5000)])
    monkeypatch.setattr(sdist_unpack, "MAX_BYTES", 4096)
    (tmp_path / "a").mkdir()
    with pytest.raises(SourceError, match="more than 4096 bytes"):
        sdist_unpack.unpack_sdist(str(archive), str(tmp_path / "a"))
    monkeypatch.setattr(sdist_unpack, "MAX_BYTES", 1 << 20)
    monkeypatch.setattr(sdist_unpack, "MAX_MEMBERS", 2)
    many = make_tar(tmp_path / "m-1.0.tar.gz", [(f"m-1.0/{i}", b"") for i in range(3)])
    (tmp_path / "b").mkdir()
    with pytest.raises(SourceError, match="more than 2 members"):
        sdist_unpack.unpack_sdist(str(many), str(tmp_path / "b"))


def test_zip_sdists(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo-1.0/PKG-INFO", PKG_INFO)
        archive.writestr("../escape", b"")
    (tmp_path / "out").mkdir()
    with pytest.raises(SourceError, match="leaves the sdist"):
        sdist_unpack.unpack_sdist(str(path), str(tmp_path / "out"))


def test_a_corrupt_archive_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(b"not a tarball")
    (tmp_path / "out").mkdir()
    with pytest.raises(SourceError, match="cannot unpack"):
        sdist_unpack.unpack_sdist(str(path), str(tmp_path / "out"))


def test_dynamic_requires_dist_is_not_static() -> None:
    dynamic = sdist.parse_pkg_info(
        "Metadata-Version: 2.2\nName: a\nVersion: 1\nDynamic: Requires-Dist\n", "x"
    )
    assert not dynamic.static_requires
    old = sdist.parse_pkg_info("Metadata-Version: 2.1\nName: a\nVersion: 1\n", "x")
    assert not old.static_requires
    static = sdist.parse_pkg_info("Metadata-Version: 2.4\nName: a\nVersion: 1\n", "x")
    assert static.static_requires


PROJECT = b"""
[project]
name = "Foo_Bar"
version = "1.0"
requires-python = ">= 3.8"
dependencies = ["requests >=2", "tomli; python_version<'3.11'"]

[project.optional-dependencies]
Socks = ["PySocks!=1.5.7; sys_platform != 'win32' or python_version>'3'", "x"]
"""


def test_static_project_tables_state_their_wheels_metadata() -> None:
    from packaging.metadata import Metadata

    name = sdist.sdist_name("foo-bar-1.0.tar.gz")
    data = sdist.pyproject_metadata(PROJECT, name)
    assert data is not None
    meta = Metadata.from_email(data)
    assert (meta.name, str(meta.version), str(meta.requires_python)) == ("Foo_Bar", "1.0", ">=3.8")
    assert [str(r) for r in meta.requires_dist or []] == [
        "requests>=2",
        'tomli; python_version < "3.11"',
        'PySocks!=1.5.7; (sys_platform != "win32" or python_version > "3") and extra == "socks"',
        'x; extra == "socks"',
    ]
    assert meta.provides_extra == ["socks"]
    # a version the sdist's filename fixes may be dynamic; a static one must agree with it
    dynamic_version = PROJECT.replace(b'version = "1.0"', b'dynamic = ["version"]')
    assert sdist.pyproject_metadata(dynamic_version, name) is not None
    assert sdist.pyproject_metadata(PROJECT, sdist.sdist_name("foo-bar-1.1.tar.gz")) is None
    assert sdist.pyproject_metadata(PROJECT, sdist.sdist_name("other-1.0.tar.gz")) is None


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        ((b'version = "1.0"', b'version = "1.0"\ndynamic = ["dependencies"]'), "dynamic"),
        ((b'version = "1.0"', b'version = "1.0"\ndynamic = ["optional-dependencies"]'), "dyn"),
        ((b'version = "1.0"', b'version = "1.0"\ndynamic = ["requires-python"]'), "dyn"),
        ((b'dependencies = ["requests >=2", ', b'dependencies = ["requests >>2", '), "pep 508"),
        ((b'">= 3.8"', b'"3.8"'), "not a specifier"),
        ((b"[project]", b"[projekt]"), "no [project]"),
        ((b'name = "Foo_Bar"', b"name = 1"), "no name"),
        ((b"[project]", b"[project"), "not TOML"),
        ((b'dependencies = ["requests >=2", ', b"dependencies = [2, "), "not strings"),
        ((b"Socks = [", b"Socks = 3\nNone = ["), "not a list"),
    ],
)
def test_a_project_table_that_cannot_say_asks_the_backend(
    edit: tuple[bytes, bytes], why: str
) -> None:
    changed = PROJECT.replace(*edit)
    assert changed != PROJECT
    assert sdist.pyproject_metadata(changed, sdist.sdist_name("foo_bar-1.0.zip")) is None, why


def test_poetry_dependencies_outside_the_project_table_are_not_static() -> None:
    poetry = b'[project]\nname = "p"\nversion = "1"\n[tool.poetry.dependencies]\nx = "*"\n'
    assert sdist.pyproject_metadata(poetry, sdist.sdist_name("p-1.tar.gz")) is None
    bare = b'[project]\nname = "p"\nversion = "1"\n'  # no dependencies: none, statically
    assert sdist.pyproject_metadata(bare, sdist.sdist_name("p-1.tar.gz")) == (
        b"Metadata-Version: 2.2\nName: p\nVersion: 1\n"
    )


def test_top_files_of_an_archive(tmp_path: Path) -> None:
    tar = make_tar(
        tmp_path / "p-1.tar.gz",
        [("p-1/PKG-INFO", b"A"), ("p-1/sub/pyproject.toml", b"B"), ("p-1/pyproject.toml", b"C")],
    )
    assert sdist.archive_top_files(str(tar), ("PKG-INFO", "pyproject.toml")) == {
        "PKG-INFO": b"A",
        "pyproject.toml": b"C",
    }
    zipped = tmp_path / "p-1.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("p-1/pyproject.toml", b"C")
    assert sdist.archive_top_files(str(zipped), ("PKG-INFO", "pyproject.toml")) == {
        "pyproject.toml": b"C"
    }


def test_sdist_names() -> None:
    assert str(sdist.sdist_name("/x/MarkupSafe-3.0.2.tar.gz").version) == "3.0.2"
    with pytest.raises(SourceError, match="not an sdist filename"):
        sdist.sdist_name("/x/whatever.tar.gz")


def test_pyproject_reading(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")
    legacy = read_project(str(tmp_path))
    assert legacy.build_system.legacy
    assert legacy.build_system.backend == LEGACY_BACKEND
    (tmp_path / "pyproject.toml").write_text("[build-system\n")
    with pytest.raises(SourceError, match="not valid TOML"):
        read_project(str(tmp_path))
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "b"\nbackend-path = ["../x"]\n'
    )
    with pytest.raises(SourceError, match="leaves the source tree"):
        read_project(str(tmp_path))
    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = "x"\n')
    with pytest.raises(SourceError, match="list of strings"):
        read_project(str(tmp_path))
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["flit_core"]\n[project]\nname = "p"\nversion = "2"\n'
    )
    project = read_project(str(tmp_path))
    assert project.build_system.backend == LEGACY_BACKEND  # no build-backend: pip's fallback
    assert (project.static_name, project.static_version) == ("p", "2")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match="not a Python project"):
        read_project(str(empty))


def test_an_sdist_states_its_metadata_in_pkg_info_or_its_project_table(tmp_path: Path) -> None:
    from graft.resolve.sdist_static import static_metadata

    def sdist_with(pkg_info: bytes) -> str:
        members: list[tarfile.TarInfo | tuple[str, bytes]] = [
            ("foo_bar-1.0/PKG-INFO", pkg_info),
            ("foo_bar-1.0/pyproject.toml", PROJECT),
        ]
        return str(make_tar(tmp_path / "foo_bar-1.0.tar.gz", members))

    static = b"Metadata-Version: 2.2\nName: foo-bar\nVersion: 1.0\nRequires-Dist: a\n"
    assert static_metadata(sdist_with(static), "foo_bar-1.0.tar.gz") == static
    old = b"Metadata-Version: 2.1\nName: foo-bar\nVersion: 1.0\n"  # not static: the table is
    assert b"Requires-Dist: requests>=2\n" in static_metadata(sdist_with(old), "foo_bar-1.0.tar.gz")
    # a PKG-INFO that says its dependencies are dynamic outweighs a static-looking table
    dynamic = b"Metadata-Version: 2.2\nName: foo-bar\nVersion: 1.0\nDynamic: Requires-Dist\n"
    assert static_metadata(sdist_with(dynamic), "foo_bar-1.0.tar.gz") == b""
    # one whose backend wrote the same projects (however spelt): the table
    alike = old + (
        b"Requires-Dist: Requests (>=2)\nRequires-Dist: tomli ; python_version < '3.11'\n"
        b"Provides-Extra: socks\nRequires-Dist: pysocks!=1.5.7; extra == 'socks'\n"
        b"Requires-Dist: X; extra == 'socks'\n"
    )
    assert b"Requires-Dist: requests>=2\n" in static_metadata(
        sdist_with(alike), "foo_bar-1.0.tar.gz"
    )
    # one naming a project the table does not (sip's PyQt5: decision 234): the backend is
    # asked, the table is not what it writes
    added = alike + b"Requires-Dist: PyQt5-sip (>=12.15, <13)\n"
    assert static_metadata(sdist_with(added), "foo_bar-1.0.tar.gz") == b""


DYNAMIC = "Dynamic: Requires-Python\n"


@pytest.mark.parametrize(
    ("info", "excluded"),
    [
        ("Metadata-Version: 1.2\nName: x\nVersion: 1\nRequires-Python: >=3.99\n", True),
        ("Metadata-Version: 2.1\nName: x\nVersion: 1\nRequires-Python: <3\n", True),
        ("Metadata-Version: 2.1\nName: x\nVersion: 1\nRequires-Python: >=3\n", False),
        ("Metadata-Version: 1.1\nName: x\nVersion: 1\nRequires-Python: >=3.99\n", False),
        ("Metadata-Version: 2.2\nName: x\nVersion: 1\nRequires-Python: >=3.99\n" + DYNAMIC, False),
        ("Metadata-Version: 2.1\nName: x\nVersion: 1\nRequires-Python: >=3.99.x\n", False),
        ("Metadata-Version: 2.1\nVersion: 1\nRequires-Python: >=3.99\n", False),
        (None, False),
    ],
    ids=["1.2", "2.1", "admits", "1.1", "dynamic", "invalid", "unnamed", "none"],
)
def test_the_requires_python_a_pkg_info_states_is_read_before_a_build(
    tmp_path: Path, info: str | None, excluded: bool
) -> None:
    """Decision 205: Metadata 1.2 brought the field; ``Dynamic`` leaves it to the backend,
    and whatever the build would say better (invalid, no Name) is left to it."""
    members: list[tarfile.TarInfo | tuple[str, bytes]] = [("x-1/setup.py", b"")]
    if info is not None:
        members.append(("x-1/PKG-INFO", info.encode()))
    path = make_tar(tmp_path / "x-1.tar.gz", members)
    said = sdist.excluded_python(str(path), "3.11.7")
    assert (said is not None) == excluded
