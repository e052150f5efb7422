"""What to write instead of a requirements file's line that is refused.

An option a requirements file does not take, an option after a requirement other than
``--hash``, and a path missing here that lies beside the file; a path as an error names it
(:func:`shown`). Imported by :mod:`graft.sources.reqfile` only once a line is refused.
"""

from __future__ import annotations

import os

from graft.errors import UsageError
from graft.sources.reqlines import is_url
from graft.sources.requirements import split_extras

#: What a requirements file takes on a line of its own (pip's and uv's options for it).
_FILE_OPTIONS = (
    "-r, -c, -e, -i/--index-url, --extra-index-url, -f/--find-links, --no-index, --pre,"
    " --require-hashes, --no-binary, --only-binary, --trusted-host"
)


def option_hint(option: str) -> str:
    """What to write instead of an option a requirements file does not take."""
    glued = next((short for short in ("-r", "-c", "-e", "-i", "-f") if option[:2] == short), "")
    if glued and len(option) > 2 and not option.startswith("--"):  # noqa: PLR2004
        return f"put a space after {glued}: {glued} {option[2:]}"
    return f"a requirements file takes {_FILE_OPTIONS}; give {option} on the command line"


def per_requirement_hint(word: str) -> str:
    """What to write instead of an option after a requirement other than ``--hash``."""
    option = word.partition("=")[0]
    if option in {"--config-settings", "--config-setting", "-C"}:
        return "graft takes build settings for every build on the command line: -C KEY=VALUE"
    if option in {"--global-option", "--build-option", "--install-option"}:
        return f"pip no longer takes {option} either; remove it (build settings: -C KEY=VALUE)"
    return "only --hash=sha256:... may follow a requirement on its line"


def shown(path: str) -> str:
    """*path* as said: relative to the current directory below it, else as it is (a URL)."""
    if is_url(path):
        return path
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def refuse_beside_the_file(spec: str, base: str, where: str) -> None:
    """Say where a path missing here lies, if it lies beside the requirements file.

    pip and uv read a path in a requirements file (a wheel, an sdist, a project directory)
    from the current directory, as graft does; a file's own directory is only for its
    ``-r``, ``-c`` and ``--find-links``.
    """
    path, _ = split_extras(spec.partition(";")[0].strip(), where)
    if is_url(base) or os.path.isabs(path) or not os.path.lexists(os.path.join(base, path)):
        return
    beside = os.path.relpath(os.path.join(base, path))
    raise UsageError(
        "no such file or directory here (a path in a requirements file is read from the"
        " current directory, as pip and uv read it)",
        where=f"{where}: {path}",
        hint=f"write {beside}, or run from {os.path.relpath(base)}",
    )


__all__ = ["option_hint", "per_requirement_hint", "refuse_beside_the_file", "shown"]
