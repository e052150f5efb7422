"""Console-script launchers and ``#!python`` rewriting, as pypa/installer writes them.

A POSIX launcher is a shebang line for the venv's interpreter followed by a body that
depends only on the entry point. The body is rendered by pypa/installer when planning
(a plan holds no prefix-dependent byte); the materializer adds the shebang. Importing
installer costs a warm sync more than its whole plan, so the shebang and the
``#!python`` rewrite follow installer's rules here, and
``tests/unit/test_scripts.py`` checks byte equality with installer on every case the
rules distinguish (length limit, spaces, non-ASCII, gui and console).
"""

from __future__ import annotations

TYPE_CHECKING = False  # (not typing's: a new venv made from a flat form imports this module)
if TYPE_CHECKING:
    from graft.model.record import EntryPoint

_PLACEHOLDER = "/python"
_SHEBANG_MAX = 127  # installer (after distlib): "#!" + path + "\n" at most this long


def launcher_body(entry_point: EntryPoint) -> bytes:
    """The launcher's bytes after its shebang line, rendered by pypa/installer."""
    from installer.scripts import Script  # noqa: PLC0415

    reference = entry_point.value.split("[", 1)[0].strip()
    module, _, attr = reference.partition(":")
    gui = entry_point.group == "gui_scripts"
    script = Script(entry_point.name, module.strip(), attr.strip(), "gui" if gui else "console")
    _name, content = script.generate(_PLACEHOLDER, "posix")
    head = f"#!{_PLACEHOLDER}\n".encode()
    if not content.startswith(head):  # pragma: no cover - installer changed its layout
        msg = f"unexpected launcher layout from pypa/installer: {content[:40]!r}"
        raise RuntimeError(msg)
    return bytes(content[len(head) :])


def shebang(python: str) -> bytes:
    """The launcher's first line(s) for *python*, without the final newline."""
    raw = python.encode()
    if b" " not in raw and len(raw) + 3 <= _SHEBANG_MAX:
        return b"#!" + raw
    from installer.scripts import Script  # noqa: PLC0415 - the rare, complex form

    script = Script("x", "m", "f", "console")
    body = script.generate(_PLACEHOLDER, "posix")[1][len(f"#!{_PLACEHOLDER}\n") :]
    content = script.generate(python, "posix")[1]
    return bytes(content[: len(content) - len(body) - 1])


def launcher(entry_point: EntryPoint, python: str) -> bytes:
    """The POSIX launcher for a console_scripts or gui_scripts entry point."""
    return render(launcher_body(entry_point), python)


def render(body: bytes, python: str) -> bytes:
    """A launcher or script: the shebang for *python*, a newline, then *body*."""
    return shebang(python) + b"\n" + body


def rewrite_shebang(content: bytes, python: str) -> bytes:
    """Point a ``#!python`` script at *python*, as installer's ``fix_shebang`` does."""
    if not content.startswith(b"#!python"):
        return content
    _first, newline, rest = content.partition(b"\n")
    return f"#!{python}\n".encode() + (rest if newline else b"")
