"""The command line's grammar: argparse's parsers, and the options resolution reads.

Each command adds its own parser (``add_sync_parser``, ``add_lock_parser`` and the rest,
imported only when that command is parsed); the inputs and sources resolution reads are
shared by ``graft sync`` and ``graft lock``. A usage error is one JSON object on stdout when
``--json`` was given.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn

from graft import __version__
from graft.cli.error_output import print_json_error
from graft.errors import UsageError

_COMMANDS = ("sync", "lock", "audit", "bench", "store", "cache", "inspect", "variants", "build")


def _columns() -> int:
    """The terminal's width as :func:`shutil.get_terminal_size` finds it, fallback 80.

    ``$COLUMNS`` first, then the terminal on stdout. (argparse asks shutil for it each time
    an argument is added, and shutil brings zlib, bz2 and lzma: ~3 ms of a sync's start.)
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help, its width found without importing shutil (:func:`_columns`)."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
        width: int | None = None,
    ) -> None:  # fmt: skip
        width = _columns() - 2 if width is None else width
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one JSON object on stdout when ``--json`` was given."""

    json_errors = False  # set by parse when --json is among the arguments

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)  # (subparsers are _Parsers too)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        from graft.cli.tool_hints import tip  # noqa: PLC0415

        hint = tip(message) or f"see {self.prog} --help"
        if self.json_errors:
            print_json_error(UsageError(message, hint=hint))
            self.exit(2)
        # one line, not argparse's usage first: `graft sync`'s is 20 lines above the error
        self.exit(2, f"{self.prog}: error: {message} ({hint})\n")


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with *only*, just that command's part.

    Building all of argparse's actions costs a warm sync several milliseconds.
    """
    parser: argparse.ArgumentParser = _Parser(  # (its subparsers are _Parsers too)
        prog="graft",
        description="Build virtual environments as link farms over a store of unpacked wheels.",
    )
    parser.add_argument("--version", action="version", version=f"graft {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    if only in {None, "sync"}:
        from graft.cli.sync_parser import add_sync_parser  # noqa: PLC0415

        add_sync_parser(sub, _add_resolution_options)
    if only in {None, "lock"}:
        from graft.cli.lock_cmd import add_lock_parser  # noqa: PLC0415

        add_lock_parser(sub, _add_resolution_options)
    if only in {None, "audit"}:
        from graft.cli.audit_cmd import add_audit_parser  # noqa: PLC0415

        add_audit_parser(sub)
    if only in {None, "bench"}:
        from graft.cli.bench_cmd import add_bench_parser  # noqa: PLC0415

        add_bench_parser(sub)
    if only in {None, "store"}:
        from graft.cli.store_cmd import add_store_parser  # noqa: PLC0415

        add_store_parser(sub)
    if only in {None, "cache"}:
        from graft.cli.cache_cmd import add_cache_parser  # noqa: PLC0415

        add_cache_parser(sub)
    if only in {None, "build"}:
        from graft.cli.build_cmd import add_build_parser  # noqa: PLC0415

        add_build_parser(sub)
    if only in {None, "inspect"}:
        inspect = sub.add_parser("inspect", help="print a wheel's record as graft sees it")
        inspect.add_argument("wheel", metavar="WHEEL")
        inspect.add_argument("--json", action="store_true")
    if only in {None, "variants"}:
        from graft.cli.variants_cmd import add_variants_parser  # noqa: PLC0415

        add_variants_parser(sub)
    return parser


def _add_resolution_options(parser: argparse.ArgumentParser) -> None:
    """The inputs and sources resolution reads: shared by ``graft sync`` and ``graft lock``."""
    parser.add_argument(  # (--requirements, --constraints: uv's spellings)
        "-r", "--requirement", "--requirements", action="append", default=[], metavar="FILE"
    )
    parser.add_argument(  # (pip 26.3's; -r SCRIPT.py is uv's spelling: decision 432)
        "--requirements-from-script",
        action="append",
        default=[],
        metavar="FILE",
        help="install the dependencies of FILE's PEP 723 inline script metadata (once)",
    )
    parser.add_argument(
        "-c",
        "--constraint",
        "--constraints",
        action="append",
        default=[],
        metavar="FILE",
        help="limit versions with FILE's requirements (adds nothing)",
    )
    parser.add_argument(
        "--prerelease",
        choices=("allow", "if-necessary", "disallow"),
        help="when prereleases are candidates (default: if-necessary, as pip and uv)",
    )
    parser.add_argument("--pre", action="store_true", help="same as --prerelease allow")
    parser.add_argument(
        "--prerelease-package",
        action="append",
        default=[],
        metavar="NAME=MODE",
        help="--prerelease for NAME alone, over --prerelease's (as uv's; repeatable)",
    )
    parser.add_argument(
        "--resolution",
        choices=("highest", "lowest", "lowest-direct"),
        default="highest",
        help="which version of each project to prefer: the newest (default), the oldest, or"
        " the oldest of those you name and the newest of their dependencies (as uv's)",
    )
    parser.add_argument(
        "--exclude-newer",
        metavar="DATE",
        help="ignore files uploaded after DATE (YYYY-MM-DD or RFC 3339) or longer ago than a span"
        " (7 days, 24 hours, P7D, as uv's), from the index's upload times",
    )
    parser.add_argument(
        "--exclude-newer-package",
        action="append",
        default=[],
        metavar="NAME=DATE",
        help="--exclude-newer for NAME alone, over --exclude-newer's (as uv's; repeatable)",
    )
    parser.add_argument(
        "-i",
        "--index-url",
        "--default-index",  # (uv's newer name)
        metavar="URL",
        help="simple API root, or a local directory (default: PyPI); -i as in pip and uv",
    )
    parser.add_argument(
        "--extra-index-url",
        "--index",  # (uv's newer name; argparse took it for an ambiguous abbreviation)
        action="append",
        default=[],
        metavar="URL",
        help="another index, asked before --index-url; each project comes from the first"
        " index that has any file for it (never a mix)",
    )
    parser.add_argument(
        "--index-strategy",
        choices=("first-index", "unsafe-best-match"),
        default="first-index",
        help="first-index (default): a project comes from the first index that has it;"
        " unsafe-best-match: from all of them, as pip does (open to dependency confusion)",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="ask the indexes again for every page, however recently cached (uv's --refresh),"
        " and run again a metadata hook whose failure was kept",
    )
    parser.add_argument(
        "--refresh-package",
        action="append",
        default=[],
        metavar="NAME",
        help="as --refresh: graft asks again for every page (uv's, for NAME's; repeatable)",
    )
    parser.add_argument(
        "--keyring-provider",
        choices=("disabled", "subprocess"),
        default=None,
        help="subprocess: ask the keyring command for the credentials of an index that"
        " answers HTTP 401, as pip and uv do (default: disabled; GRAFT_KEYRING_PROVIDER)",
    )
    parser.add_argument("-f", "--find-links", action="append", default=[], metavar="DIR")
    parser.add_argument("--no-index", action="store_true", help="use only --find-links and files")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="use only what is cached: index pages, metadata files, wheels",
    )
    extras = parser.add_mutually_exclusive_group()  # (as uv's: one or the other)
    extras.add_argument(
        "--extra", action="append", default=[], help="pylock.toml or pyproject.toml: an extra"
    )
    extras.add_argument(
        "--all-extras",
        action="store_true",
        help="pylock.toml or pyproject.toml: every extra it declares (as uv's)",
    )
    parser.add_argument(
        "--overrides",
        "--override",
        action="append",
        default=[],
        metavar="FILE",
        help="FILE's requirements replace every requirement on their projects, wherever it is"
        " stated, the request's own too (as uv's; repeatable)",
    )
    parser.add_argument(
        "--excludes",
        "--exclude",
        action="append",
        default=[],
        metavar="FILE",
        help="leave the projects FILE names out of the resolution: every requirement on them"
        " is dropped (as uv's; repeatable)",
    )
    parser.add_argument(
        "--group", action="append", default=[], help="pylock.toml or pyproject.toml: a group"
    )
    parser.add_argument(
        "--only-deps",
        "--only-dependencies",
        action="store_true",
        help="the dependencies of the requirements named, not the projects they name (as pip's):"
        " project directories are read as -r DIR/pyproject.toml (decision 438); any other"
        " requirement is resolved and the projects named left out (decisions 445, 451)",
    )


def parse(argv: list[str]) -> argparse.Namespace:
    """The arguments; ``graft sync``'s options may come between and after its requirements."""
    _Parser.json_errors = "--json" in argv
    parser = _parser(argv[0] if argv and argv[0] in _COMMANDS else None)
    if argv[:1] not in (["sync"], ["lock"]):
        return _index_from_environment(_uv_forms(parser.parse_args(argv)))
    # argparse cannot intermix through subparsers: parse `sync`/`lock` with its own parser
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    sync_parser: argparse.ArgumentParser = sub.choices[argv[0]]
    args, rest = sync_parser.parse_known_args(argv[1:])
    if rest:  # requirements after an option (intermixing costs a warm sync about 1 ms)
        args = sync_parser.parse_intermixed_args(argv[1:])
    args.command = argv[0]
    return _index_from_environment(_uv_forms(args))


def _uv_forms(args: argparse.Namespace) -> argparse.Namespace:
    """The forms of uv's and pip's that stand for graft's options, read as those.

    ``--refresh-package NAME`` is ``--refresh`` (every page asked again, NAME's among them);
    pip's ``--progress-bar off`` is ``--no-progress`` (decision 436).
    """
    if getattr(args, "refresh_package", None):
        args.refresh = True
    if getattr(args, "progress_bar", None) == "off":  # (pip's, decision 436)
        args.no_progress = True
    return args


def _index_from_environment(args: argparse.Namespace) -> argparse.Namespace:
    """The indexes of ``GRAFT_INDEX_URL`` and ``GRAFT_EXTRA_INDEX_URL`` where the flags give none.

    As ``UV_INDEX_URL`` and ``PIP_INDEX_URL`` stand for their tools' flags
    (:func:`graft._home.graft_indexes`, which the change stamp reads them by too).
    """
    from graft._home import graft_indexes  # noqa: PLC0415

    index_url, extra_index_urls = graft_indexes(
        getattr(args, "index_url", None), getattr(args, "extra_index_url", None) or []
    )
    if getattr(args, "index_url", False) is None:
        args.index_url = index_url
    if getattr(args, "extra_index_url", None) == []:
        args.extra_index_url = extra_index_urls
    return args
