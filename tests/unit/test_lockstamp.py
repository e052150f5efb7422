"""How the lock stamp reads a command line: the output apart, doubt as no stamp."""

from __future__ import annotations

import argparse

import pytest

from graft.cli.lockstamp_file import _output, _stamped
from graft.cli.parser import _parser


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


def _lock_options() -> list[argparse.Action]:
    parser = _parser("lock")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices["lock"]._actions)


def test_each_short_option_of_graft_lock_is_read_as_its_long_one() -> None:
    """Decision 238(f): ``-f DIR``, ``-e PATH``, ``-U`` and ``-P NAME`` are argparse's
    aliases of options a stamp answers in their long form; the short ones were doubt, so
    ``graft lock -r in.txt -f wheels`` never had a stamp. An option added later is read too
    (or this fails)."""
    checked = 0
    for action in _lock_options():
        shorts = [o for o in action.option_strings if len(o) == 2]
        longs = [o for o in action.option_strings if o.startswith("--")]
        if not shorts or not longs or shorts[0] in ("-o", "-h"):
            continue
        value = [] if action.nargs == 0 else ["x"]
        long_form = _stamped(["lock", "app", longs[0], *value, "-o", "a.toml"])
        short_form = _stamped(["lock", "app", shorts[0], *value, "-o", "a.toml"])
        assert (short_form is None) == (long_form is None), shorts[0]
        if short_form is not None:
            assert short_form == ("a.toml", ["lock", "app", shorts[0], *value]), shorts[0]
        checked += 1
    assert checked >= 9  # (-r -c -f -e -U -P -q -v -C)
