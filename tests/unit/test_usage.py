"""The top-level help printed without argparse is argparse's own."""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil

import pytest

from graft.cli import main, noop, usage
from graft.cli import parser as cli_parser


def test_top_help_is_what_argparse_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(usage.WIDTH))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exited:
        main.main(["--help"])
    assert exited.value.code == 0
    assert out.getvalue() == usage.TOP_HELP, (
        "graft/cli/usage.py's TOP_HELP is out of date; argparse now prints:\n" + out.getvalue()
    )


def test_version_is_what_argparse_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main.main(["--version"])
    expected = capsys.readouterr().out
    assert usage.answer(["--version"]) == 0
    assert capsys.readouterr().out == expected


@pytest.mark.parametrize(
    ("argv", "columns", "answered"),
    [
        (["--help"], "80", True),
        (["-h"], None, True),
        (["--help"], "120", False),  # argparse wraps for another width
        (["sync", "--help"], "80", False),
        ([], "80", False),
    ],
)
def test_only_the_top_help_at_its_width_is_answered(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    columns: str | None,
    answered: bool,
) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert (usage.answer(argv) == 0) is answered
    assert (capsys.readouterr().out == usage.TOP_HELP) is answered


@pytest.mark.parametrize(
    ("argv", "stamped", "quiet"),
    [
        (["sync", "v", "-r", "reqs.txt"], True, False),
        (["sync", "v", "-q", "requests"], True, True),
        (["sync", "v", "--qui", "requests"], True, True),
        (["sync", "v", "-qv", "requests"], False, True),
        (["sync", "v", "--verb", "requests"], False, False),
        (["sync", "v", "--js", "requests"], False, False),
        (["sync", "v", "--dry", "requests"], False, False),
        (["sync", "v", "--dry-run=x", "requests"], False, False),
        (["sync", "v", "-r", "vreqs.txt"], True, False),
        (["lock", "-r", "reqs.txt"], False, False),
    ],
)
def test_which_sync_command_lines_a_stamp_may_answer(
    argv: list[str], stamped: bool, quiet: bool
) -> None:
    """-v, --json and --dry-run (or argparse's abbreviations of them) print what no stamp has."""
    assert noop._stamped(argv) is stamped
    assert noop._has(argv, ("--quiet",), "q") is quiet


@pytest.mark.parametrize("columns", ["50", "132", "", "abc", "0", "-3", None])
def test_the_help_width_is_what_shutil_finds(
    monkeypatch: pytest.MonkeyPatch, columns: str | None
) -> None:
    """graft's parsers find the width without importing shutil (decision 51), as shutil does."""
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert cli_parser._columns() == shutil.get_terminal_size().columns
    parser = cli_parser._parser("sync")
    assert parser._get_formatter()._width == shutil.get_terminal_size().columns - 2
    sync = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sync_parser = sync.choices["sync"]
    ours = sync_parser.format_help()
    sync_parser.formatter_class = argparse.HelpFormatter  # argparse's own, through shutil
    assert sync_parser.format_help() == ours


def test_a_malformed_variant_property_is_refused_before_anything_runs() -> None:
    from graft.cli.variants_cmd import variant_fields
    from graft.errors import UsageError

    args = argparse.Namespace(
        variant_property=["x86_64 :: level :: v3", "level v3"],
        variants_config=None,
        allow_variant_provider=[],
        no_detect=False,
        no_variants=False,
    )
    with pytest.raises(UsageError, match=r"not a variant property .*'level v3'"):
        variant_fields(args)
    args.variant_property = ["x86_64 :: level :: v3"]
    assert variant_fields(args)["variant_properties"] == ("x86_64 :: level :: v3",)


def test_the_summary_counts_in_the_singular_and_the_plural(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from graft.cli.noop import summary_line
    from graft.venv import flat

    monkeypatch.setattr(flat, "REFUSED", set())  # (an earlier sync in this process: none)

    ones = {"links": 1, "directories": 1, "files": 1}
    one = summary_line("synced", "/v", 1, ones, 0.5, copies=False)
    assert one == "graft: synced /v: 1 distribution, 1 link and 1 directory for 1 file, in 0.50s"
    two = summary_line("synced", "/v", 2, {"links": 0, "directories": 2, "files": 9}, 0.5, False)
    assert two == (
        "graft: synced /v: 2 distributions, 0 links and 2 directories for 9 files, in 0.50s"
    )
    copied = summary_line("synced", "/v", 2, {"links": 3, "directories": 2, "files": 9}, 0.5, True)
    assert copied.startswith("graft: synced /v: 2 distributions, 3 copies and 2 directories")
    assert summary_line("synced", "/v", 1, ones, 0.5, copies=True).count("1 copy and") == 1


@pytest.mark.parametrize(
    ("argv", "copies"),
    [
        (["sync", "v", "--link-mode", "copy"], True),
        (["sync", "v", "--link-mode=copy"], True),
        (["sync", "v", "--link-m", "copy"], True),  # an abbreviation, as argparse takes it
        (["sync", "v", "--link-mode", "copy", "--link-mode", "symlink"], False),  # the last
        (["sync", "v", "--link-mode", "hardlink"], False),
        (["sync", "v", "copy"], False),
        (["sync", "v", "--", "--link-mode", "copy"], False),
        (["sync", "v", "--link-mode"], False),
    ],
)
def test_the_summary_says_copies_when_the_command_line_asks_for_them(
    argv: list[str], copies: bool
) -> None:
    from graft.cli.noop import copying

    assert copying(argv) is copies
