"""Console-script launchers and ``#!python`` rewriting, as pypa/installer writes them."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.record import EntryPoint


def launcher(entry_point: EntryPoint, python: str) -> bytes:
    """The POSIX launcher for a console_scripts or gui_scripts entry point."""
    from installer.scripts import Script  # noqa: PLC0415

    reference = entry_point.value.split("[", 1)[0].strip()
    module, _, attr = reference.partition(":")
    gui = entry_point.group == "gui_scripts"
    script = Script(entry_point.name, module.strip(), attr.strip(), "gui" if gui else "console")
    _name, content = script.generate(python, "posix")
    return bytes(content)


def rewrite_shebang(content: bytes, python: str) -> bytes:
    """Point a ``#!python`` script at *python*; other scripts are returned unchanged."""
    from installer.utils import fix_shebang  # noqa: PLC0415

    with fix_shebang(io.BytesIO(content), python) as stream:
        return bytes(stream.read())
