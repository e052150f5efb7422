"""How the lock stamp reads a command line: the output apart, doubt as no stamp."""

from __future__ import annotations

import pytest

from graft.cli.lockstamp_file import _output, _stamped


@pytest.mark.parametrize(
    ("argv", "output", "rest"),
    [
        (["lock", "-r", "in.txt"], "pylock.toml", ["lock", "-r", "in.txt"]),
        (["lock", "-r", "in.txt", "-o", "a.toml"], "a.toml", ["lock", "-r", "in.txt"]),
        (["lock", "-oa.toml", "x"], "a.toml", ["lock", "x"]),
        (["lock", "--output", "a.toml", "-q"], "a.toml", ["lock", "-q"]),
        (["lock", "--output=a.toml", "-o", "b.toml"], "b.toml", ["lock"]),
        (["lock", "x", "-C", "k=v", "-o", "a.toml"], "a.toml", ["lock", "x", "-C", "k=v"]),
    ],
)
def test_the_output_is_read_as_argparse_reads_it(
    argv: list[str], output: str, rest: list[str]
) -> None:
    assert _output(argv) == (output, rest)


@pytest.mark.parametrize(
    "argv",
    [
        ["lock", "--out", "a.toml"],  # an abbreviation
        ["lock", "-qo", "a.toml"],  # combined flags
        ["lock", "-rq.txt"],  # an attached value a guess could read as -q
        ["lock", "-Ck=v"],  # (attached: read as argparse reads it only apart)
        ["lock", "-o"],  # no value
        ["lock", "--", "-o", "a.toml"],
    ],
)
def test_anything_else_is_doubt(argv: list[str]) -> None:
    assert _output(argv) is None


@pytest.mark.parametrize(
    "argv",
    [["lock", "x", "-v"], ["lock", "x", "--json"], ["lock", "x", "--offline"], ["sync", "v"]],
)
def test_commands_a_stamp_cannot_answer(argv: list[str]) -> None:
    assert _stamped(argv) is None
    assert _stamped(["lock", "x", "-q"]) is not None  # the control
