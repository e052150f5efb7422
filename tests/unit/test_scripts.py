"""graft's launcher shebangs and ``#!python`` rewrite equal pypa/installer's, byte for byte."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from installer.scripts import Script
from installer.utils import fix_shebang

from graft.model.record import EntryPoint
from graft.plan.scripts import launcher, rewrite_shebang, shebang

PYTHONS = [
    "/venv/bin/python",
    "/" + "a" * 120 + "/python",  # too long for a shebang: the /bin/sh form
    "/" + "a" * 120 + "/py",  # "#!" + path + newline: exactly 127 bytes, the limit
    "/" + "a" * 121 + "/py",  # one byte over it
    "/with space/bin/python",
    "/ünïcode/bin/python",
    "/quote'd/bin/python",
]
ENTRY_POINTS = [
    EntryPoint("tool", "pkg.cli:main", "console_scripts"),
    EntryPoint("tool-gui", "pkg.gui:App.run", "gui_scripts"),
    EntryPoint("extra", "pkg.cli:main [fancy]", "console_scripts"),
]


def installer_launcher(ep: EntryPoint, python: str) -> bytes:
    module, _, attr = ep.value.split("[", 1)[0].strip().partition(":")
    if ep.group == "gui_scripts":
        return Script(ep.name, module, attr, "gui").generate(python, "posix")[1]
    return Script(ep.name, module, attr, "console").generate(python, "posix")[1]


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("ep", ENTRY_POINTS, ids=lambda ep: ep.name)
def test_launcher_equals_installer(ep: EntryPoint, python: str) -> None:
    assert launcher(ep, python) == installer_launcher(ep, python)


@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00\n"), min_size=1))
def test_shebang_equals_installer_for_any_path(python: str) -> None:
    assert launcher(ENTRY_POINTS[0], python) == installer_launcher(ENTRY_POINTS[0], python)
    assert installer_launcher(ENTRY_POINTS[0], python).startswith(shebang(python) + b"\n")


SCRIPTS = [
    b"#!python\nprint('hi')\n",
    b"#!python",
    b"#!pythonw -E\r\nx = 1\n",
    b"#!/usr/bin/env python\nprint(1)\n",
    b"no shebang at all\n",
    b"",
    b"\x00\x01binary",
]


@pytest.mark.parametrize("content", SCRIPTS)
@pytest.mark.parametrize("python", PYTHONS[:2])
def test_rewrite_shebang_equals_installer(content: bytes, python: str) -> None:
    with fix_shebang(io.BytesIO(content), python) as stream:
        expected = stream.read()
    assert rewrite_shebang(content, python) == expected
