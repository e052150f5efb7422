"""README's CLI reference against graft's parsers: each command's options are the ones listed.

Every option a command takes (but the hidden ones, which refuse pip's and uv's forms) is named
in the CLI reference's synopsis of that command, or, for the options several commands share,
in a sentence of the README naming it (decision 358); every option a synopsis names is one
its command takes.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from graft.cli import parser as cli_parser

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
_OPTION = re.compile(r"(?<![\w/.`-])(--?[A-Za-z][\w-]*)")


def _synopses() -> dict[str, str]:
    """Each command's lines of the CLI reference's code block."""
    block = README[README.index("## CLI reference") :]
    block = block[block.index("```") + 3 :]
    block = block[: block.index("```")]
    found: dict[str, str] = {}
    command = None
    for line in block.splitlines():
        start = re.match(r"graft (\w+)", line)
        if start:
            command = start.group(1)
        if command is not None:
            found[command] = found.get(command, "") + line + "\n"
    return found


def _options(parser: argparse.ArgumentParser) -> dict[str, bool]:
    """Each option string of *parser* and its subcommands', and whether it is shown."""
    found: dict[str, bool] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.update(_options(sub))
        else:
            for option in action.option_strings:
                found[option] = action.help != argparse.SUPPRESS
    return found


def _commands() -> dict[str, argparse.ArgumentParser]:
    top = cli_parser._parser()
    (sub,) = (a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


#: options said in the README's prose for every command that takes them (decision 342's
#: forms of pip's and uv's, the foreign target's, the variants', sync's shared ones)
SHARED = re.compile(r"`(--?[A-Za-z][\w-]*)")


@pytest.mark.parametrize("command", ["sync", "lock", "build", "variants", "audit", "bench"])
def test_each_option_a_command_takes_is_in_the_reference(command: str) -> None:
    synopsis = _synopses()[command]
    listed = set(_OPTION.findall(synopsis))
    prose = set(SHARED.findall(README))
    options = _options(_commands()[command])
    shown = {o for o, visible in options.items() if visible} - {"-h", "--help"}
    assert sorted(shown - listed - prose) == []
    assert sorted(listed - set(options)) == []
