"""The rules for names from inside a wheel: METADATA against the filename, entry points."""

from __future__ import annotations

import pytest
from packaging.metadata import parse_email
from packaging.utils import canonicalize_name
from packaging.version import Version

from graft.errors import WheelError
from graft.wheel.names import check_entry_point, metadata_name, names_project

WHEEL = "demo_pkg-1.0-py3-none-any.whl"
NAME, VERSION = canonicalize_name("demo_pkg"), Version("1.0")


@pytest.mark.parametrize(
    ("name", "version"),
    [("demo_pkg", "1.0"), ("Demo.Pkg", "1.0.0"), ("DEMO-PKG", "v1.0"), ("demo__pkg", "1.0")],
)
def test_metadata_spelling_the_filenames_project_is_accepted(name: str, version: str) -> None:
    text = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    assert metadata_name(WHEEL, parse_email(text), NAME, VERSION) == name


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Name: ../../x\nVersion: 1.0\n", "METADATA Name '../../x' is not a valid project name"),
        ("Name: demo/pkg\nVersion: 1.0\n", "is not a valid project name"),
        ("Name: other\nVersion: 1.0\n", "METADATA says 'other' '1.0', the filename demo-pkg 1.0"),
        ("Name: demo_pkg\nVersion: 1.1\n", "METADATA says 'demo_pkg' '1.1'"),
        ("Name: demo_pkg\nVersion: 1.0/..\n", "METADATA Version '1.0/..' is not a valid version"),
        ("Version: 1.0\n", "METADATA has no Name"),
        ("Name: demo_pkg\n", "METADATA has no Version"),
        ("Name: \nVersion: 1.0\n", "METADATA has no Name"),
        ("Name: demo_pkg\nName: other\nVersion: 1.0\n", "more than one or an unreadable Name"),
    ],
)
def test_metadata_naming_anything_else_is_refused(text: str, problem: str) -> None:
    fields = parse_email(f"Metadata-Version: 2.1\n{text}".encode())
    with pytest.raises(WheelError) as info:
        metadata_name(WHEEL, fields, NAME, VERSION)
    assert info.value.where == WHEEL
    assert problem in info.value.what


@pytest.mark.parametrize(
    ("stem", "same"),
    [
        ("demo_pkg-1.0", True),
        ("Demo.Pkg-1.0.0", True),
        ("demo_pkg-2.0", False),
        ("other-1.0", False),
        ("demo_pkg", False),
        ("-1.0", False),
        ("demo_pkg-x", False),
    ],
)
def test_a_directory_stem_names_the_project_at_its_version(stem: str, *, same: bool) -> None:
    assert names_project(stem, NAME, VERSION) is same


@pytest.mark.parametrize(
    "value",
    ["demo:main", "demo.cli:App.run", " demo : main ", "demo:main [extra]", "d\u00e9mo:m\u00e4in"],
)
def test_module_attr_references_are_accepted(value: str) -> None:
    check_entry_point(WHEEL, "console_scripts", "tool", value)


@pytest.mark.parametrize(
    "value",
    [
        "demo",
        "demo:",
        ":main",
        "os:system('id')",
        "../demo:main",
        "demo/cli:main",
        "1demo:main",
        "demo:main:x",
        "demo..cli:main",
        "demo:main [a b]",
        "demo:main [a,,b]",
        "demo:main [a] junk",
        "",
    ],
)
def test_anything_else_as_an_entry_point_value_is_refused(value: str) -> None:
    with pytest.raises(WheelError, match="is not a module:attr reference") as info:
        check_entry_point(WHEEL, "console_scripts", "tool", value)
    assert info.value.where == WHEEL


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a\\b", "a\0b", "../../evil"])
def test_a_script_name_must_be_one_file_name(name: str) -> None:
    with pytest.raises(WheelError, match="would write outside bin/"):
        check_entry_point(WHEEL, "gui_scripts", name, "demo:main")
