"""The command line: parse arguments, call the library, render the result.

Exit status: 0 success (warnings allowed), 1 error, 2 usage error.
A :class:`~graft.errors.GraftError` is printed as one line, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any, NoReturn

from graft import __version__
from graft.cli.exits import stdout_gone
from graft.errors import GraftError, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.model.foreign import ForeignTarget
    from graft.plan.types import Plan
    from graft.sync import SyncResult


class ConsoleReporter:
    """Progress on stderr: a rich bar on a terminal, nothing otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def downloads(self, items: int) -> object:
        """A progress bar for *items* downloads, or ``None`` when quiet or not on a terminal."""
        if self.quiet or not sys.stderr.isatty():
            return None
        from graft.cli.progress import DownloadProgress  # noqa: PLC0415

        return DownloadProgress(items)

    def waiting_for_venv(self, prefix: str) -> None:
        """Say that another sync holds the venv's lock (unless quiet)."""
        if not self.quiet:
            print(f"graft: waiting for another graft sync of {prefix}", file=sys.stderr)

    def stage(self, message: str) -> None:
        """A stage name on a terminal (unless quiet)."""
        if not self.quiet and sys.stderr.isatty():
            print(f"graft: {message}", file=sys.stderr)


_COMMANDS = ("sync", "lock", "audit", "bench", "store", "cache", "inspect", "variants", "build")


def _columns() -> int:
    """The terminal's width as :func:`shutil.get_terminal_size` finds it, fallback 80.

    ``$COLUMNS`` first, then the terminal on stdout. (argparse asks shutil for it each time
    an argument is added, and shutil brings zlib, bz2 and lzma: ~3 ms of a sync's start.)
    """
    import os  # noqa: PLC0415

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

    json_errors = False  # set by main when --json is among the arguments

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)  # (subparsers are _Parsers too)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        if self.json_errors:
            _print_json_error(UsageError(message, hint=f"see {self.prog} --help"))
            self.exit(2)
        super().error(message)


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
        _add_sync_parser(sub)
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


def _add_sync_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = sub.add_parser(
        "sync", help="build or update a venv holding exactly the requirements and their deps"
    )
    sync.add_argument("venv", metavar="VENV")
    sync.add_argument(
        "specs",
        nargs="*",
        metavar="REQ",
        help="a PEP 508 requirement (name, name>=1, name[extra], name @ URL), a .whl, or a"
        " pylock.toml",
    )
    _add_resolution_options(sync)
    sync.add_argument("--python", metavar="PY", help="interpreter path, or a version like 3.12")
    sync.add_argument(
        "--no-deps", action="store_true", help="install only what is named, not its dependencies"
    )
    sync.add_argument(
        "--reinstall",
        "--force-reinstall",
        action="store_true",
        help="rebuild the venv from the store even when it is in sync (uv's --reinstall)",
    )
    sync.add_argument(
        "-U",
        "--upgrade",
        action="store_true",
        help="newest allowed versions (default: keep what the venv has, if allowed)",
    )
    sync.add_argument(
        "-P",
        "--upgrade-package",
        action="append",
        default=[],
        metavar="NAME",
        help="upgrade NAME only (repeatable)",
    )
    sync.add_argument("--store", metavar="DIR", help="store location (default: $GRAFT_STORE)")
    sync.add_argument("--collisions", choices=("error", "warn", "ignore"), default="warn")
    sync.add_argument("--link-mode", choices=("symlink", "hardlink", "copy"), default="symlink")
    sync.add_argument("--dry-run", action="store_true", help="plan only; change nothing")
    foreign = sync.add_argument_group(
        "foreign target (with --dry-run; as pip download's flags)",
    )
    foreign.add_argument("--python-version", metavar="X.Y", help="plan for this Python version")
    foreign.add_argument("--platform", action="append", default=[], metavar="TAG")
    foreign.add_argument("--implementation", choices=("cp", "pp"), help="default: cp")
    foreign.add_argument("--abi", action="append", default=[], metavar="ABI")
    sync.add_argument("--json", action="store_true", help="print the plan or summary as JSON")
    sync.add_argument("-q", "--quiet", action="store_true")
    sync.add_argument("-v", "--verbose", action="store_true")
    from graft.cli.variants_cmd import add_variant_options  # noqa: PLC0415

    add_variant_options(sync)
    _add_build_options(sync)


def _add_build_options(sync: argparse.ArgumentParser) -> None:
    """Sources in a sync: editables, which projects may be built, and how."""
    builds = sync.add_argument_group("builds (project directories, sdists, -e)")
    builds.add_argument(
        "-e",
        "--editable",
        action="append",
        default=[],
        metavar="PATH",
        help="install the project directory PATH editable (PEP 660); repeatable",
    )
    builds.add_argument(
        "--no-binary",
        action="append",
        default=[],
        metavar="NAME",
        help="build NAME from its sdist, never a wheel (:all: for every project)",
    )
    builds.add_argument(
        "--only-binary",
        action="append",
        default=[],
        metavar="NAME",
        help="never build NAME (:all: for every project)",
    )
    builds.add_argument("--no-build", action="store_true", help="never build anything")
    from graft.cli.build_cmd import add_build_options  # noqa: PLC0415

    add_build_options(builds)


def _add_resolution_options(parser: argparse.ArgumentParser) -> None:
    """The inputs and sources resolution reads: shared by ``graft sync`` and ``graft lock``."""
    parser.add_argument("-r", "--requirement", action="append", default=[], metavar="FILE")
    parser.add_argument(
        "-c",
        "--constraint",
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
        "--exclude-newer",
        metavar="DATE",
        help="ignore files uploaded after DATE (YYYY-MM-DD or RFC 3339), from the index's"
        " upload times",
    )
    parser.add_argument(
        "--index-url", metavar="URL", help="simple API root, or a local directory (default: PyPI)"
    )
    parser.add_argument(
        "--extra-index-url",
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
        help="ask the indexes again for every page, however recently cached (uv's --refresh)",
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
    parser.add_argument(
        "--extra", action="append", default=[], help="pylock.toml or pyproject.toml: an extra"
    )
    parser.add_argument(
        "--group", action="append", default=[], help="pylock.toml or pyproject.toml: a group"
    )


def _run_sync(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from graft.cli.noop import render_changes, summary_line  # noqa: PLC0415
    from graft.cli.sync_builds import SyncBuilds  # noqa: PLC0415
    from graft.cli.variants_cmd import Plugins, variant_fields  # noqa: PLC0415
    from graft.errors import BuildError  # noqa: PLC0415
    from graft.model.request import SyncRequest  # noqa: PLC0415
    from graft.sync import sync  # noqa: PLC0415

    started = time.perf_counter()
    kept = _keep_venv_python(args)
    plugins = Plugins(args, args.python)  # asked only for namespaces the user allowed
    request = SyncRequest(
        venv=args.venv,
        specs=tuple(args.specs),
        requirement_files=tuple(args.requirement),
        constraint_files=tuple(args.constraint),
        prerelease=args.prerelease or ("allow" if args.pre else None),
        exclude_newer=args.exclude_newer,
        upgrade=args.upgrade,
        upgrade_packages=tuple(args.upgrade_package),
        python=args.python,
        no_deps=args.no_deps,
        reinstall=args.reinstall,
        index_url=args.index_url,
        extra_index_urls=tuple(args.extra_index_url),
        index_strategy=args.index_strategy,
        refresh=args.refresh,
        find_links=tuple(args.find_links),
        no_index=args.no_index,
        offline=args.offline,
        foreign=_foreign(args),
        extras=tuple(args.extra),
        groups=tuple(args.group),
        store=args.store,
        collisions=args.collisions,
        link_mode=args.link_mode,
        dry_run=args.dry_run,
        reporter=ConsoleReporter(args.quiet),
        **variant_fields(args),
        editables=tuple(args.editable),
        no_binary=tuple(args.no_binary),
        only_binary=tuple(args.only_binary),
        no_build=args.no_build,
        builder=SyncBuilds(args),
        variant_plugins=plugins,
    )
    try:
        result = sync(request)
    except BuildError as exc:  # the backend's whole output, then how to rerun it
        if not args.json:
            if exc.log:
                sys.stderr.write(exc.log if exc.log.endswith("\n") else exc.log + "\n")
            if exc.rerun:
                print(f"graft: to rerun by hand: {exc.rerun}", file=sys.stderr)
        raise
    from graft.cli.audit_cmd import after_sync  # noqa: PLC0415

    after_sync(args)  # graft audit allows the provider plugins this venv was synced with
    plan = result.plan
    elapsed = time.perf_counter() - started
    if args.verbose:
        stages = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in result.timings.items())
        print(f"graft: timings: {stages}", file=sys.stderr)
        for note in (*plugins.notes, *result.notes):
            print(f"graft: {note}", file=sys.stderr)
    if not args.quiet:
        for warning in result.warnings:
            print(f"graft: warning: {warning}", file=sys.stderr)
    if plan is not None and args.collisions == "warn" and not args.quiet:
        for collision in plan.collisions:
            print(f"graft: warning: collision: {collision.describe()}", file=sys.stderr)
    if args.json:
        out = plan.to_dict() if args.dry_run and plan else _summary(result, elapsed)
        if result.variants:  # PEP 825: the variant choice per release, only when there was one
            out["variants"] = list(result.variants)
        print(json.dumps(out, indent=2, sort_keys=True))
    elif args.dry_run and plan is not None:
        _render_plan(plan)
    elif not args.quiet:
        verb = "synced" if plan is not None else "already in sync:"
        render_changes(result.changes())
        count = len(result.distributions)
        copies = args.link_mode == "copy"
        line = summary_line(verb, result.prefix, count, result.stats, elapsed, copies)
        print(line, file=sys.stderr)
    if request.foreign is None and not args.dry_run:
        _keep_stamps(args, argv, result, kept=kept)
    return 0


def _keep_stamps(
    args: argparse.Namespace, argv: Sequence[str], result: SyncResult, *, kept: bool
) -> None:
    """After a successful sync: the stamps that let the next syncs skip the full path.

    The sync stamp (a no-op, :mod:`graft.cli.noop`), the replay stamp (a new venv,
    :mod:`graft.cli.replay`), the change stamp (an edited pin set, :mod:`graft.cli.changestamp`).
    """
    from graft.cli import changestamp, noop, replay  # noqa: PLC0415

    changestamp.keep(list(argv), result, python=args.python, kept=kept)
    if result.memo is None or result.inputs is None:
        return
    upgrade = bool(args.upgrade or args.upgrade_package)
    noop.keep(
        list(argv),
        prefix=result.prefix,
        memo=result.memo,
        inputs=result.inputs,
        summary=(len(result.distributions), result.stats),
        warnings=result.warnings,
        python=args.python,
        upgrade=upgrade,
    )
    if kept:  # (a new directory has no interpreter to keep: it gets graft's own)
        return
    lines = _new_venv_lines(result, args.collisions)
    replay.keep(list(argv), result, lines=lines, python=args.python, upgrade=upgrade)


def _keep_venv_python(args: argparse.Namespace) -> bool:
    """Without ``--python``, an existing venv keeps its interpreter; whether one was kept.

    As pip and uv install into the venv's own Python. A new venv, or one whose interpreter
    is gone, gets the interpreter running graft.
    """
    if args.python is not None or _foreign(args) is not None or not os.path.isdir(args.venv):
        return False
    from graft.venv.interpreter import venv_interpreter  # noqa: PLC0415

    found = venv_interpreter(args.venv)
    if found is None or os.path.realpath(found) == os.path.realpath(sys.executable):
        return False  # gone, or the default already (graft run from a venv: its base Python)
    args.python = found
    return True


def _new_venv_lines(result: SyncResult, collisions: str) -> list[str]:
    """What this sync would print before its summary line, into a new venv (unless -q)."""
    import dataclasses  # noqa: PLC0415

    lines = [f"graft: warning: {warning}" for warning in result.warnings]
    if result.plan is not None and collisions == "warn":
        lines += [f"graft: warning: collision: {c.describe()}" for c in result.plan.collisions]
    added = dataclasses.replace(result, before=()).changes()["added"]
    return lines + [f" + {item}" for item in added]


def _foreign(args: argparse.Namespace) -> ForeignTarget | None:
    if not (args.python_version or args.platform or args.implementation or args.abi):
        return None
    if args.python:
        raise UsageError("--python cannot be combined with foreign-target flags")
    if not args.dry_run:
        raise UsageError(
            "a foreign target can only be planned",
            where="--python-version/--platform/--implementation/--abi",
            hint="add --dry-run",
        )
    version = args.python_version or "{}.{}".format(*sys.version_info[:2])
    from graft.model.foreign import ForeignTarget  # noqa: PLC0415

    return ForeignTarget(
        version, tuple(args.platform), args.implementation or "cp", tuple(args.abi)
    )


def _summary(result: SyncResult, elapsed: float) -> dict[str, Any]:
    return {
        "prefix": result.prefix,
        "changed": result.plan is not None,
        "distributions": list(result.distributions),
        **result.stats,
        "collisions": [c.describe() for c in result.plan.collisions] if result.plan else [],
        "seconds": round(elapsed, 4),
        "changes": result.changes(),
    }


def _render_plan(plan: Plan) -> None:
    for action in plan.actions:
        source = getattr(action, "source", "")
        print(f"{action.kind:15} {action.dest}" + (f" -> {source}" if source else ""))
    print(
        f"# {len(plan.distributions)} distributions, {plan.links} links,"
        f" {plan.directories} directories, {plan.files_served} files served"
    )


def _run_inspect(args: argparse.Namespace) -> int:
    import os  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from graft._fs import file_sha256  # noqa: PLC0415
    from graft.model.record import record_to_dict  # noqa: PLC0415
    from graft.wheel.archive import unpack_wheel  # noqa: PLC0415

    if not os.path.isfile(args.wheel):
        raise UsageError("no such file", where=args.wheel)
    with tempfile.TemporaryDirectory(prefix="graft-inspect-") as tmp:
        record = unpack_wheel(args.wheel, tmp, file_sha256(args.wheel))
    if args.json:
        print(record.to_json())
        return 0
    data = record_to_dict(record)
    for key in ("filename", "sha256", "name", "version", "tags", "requires_python"):
        print(f"{key:16} {data[key]}")
    if record.variant_label is not None:
        print(f"{'variant_label':16} {record.variant_label}")
        props = ", ".join(record.variant_properties) or "- (the null variant)"
        print(f"{'variant':16} {props}")
    for key in ("top_level", "packages", "namespace_dirs", "native", "data_categories"):
        print(f"{key:16} {', '.join(data[key]) or '-'}")
    for ep in record.entry_points:
        print(f"{ep.group:16} {ep.name} = {ep.value}")
    for req in record.requires_dist:
        print(f"{'requires_dist':16} {req}")
    print(f"{'files':16} {len(record.files)}")
    from graft.cli.build_cmd import print_built_from  # noqa: PLC0415

    print_built_from(record.sha256)
    return 0


def _parse(argv: list[str]) -> argparse.Namespace:
    """The arguments; ``graft sync``'s options may come between and after its requirements."""
    _Parser.json_errors = "--json" in argv
    parser = _parser(argv[0] if argv and argv[0] in _COMMANDS else None)
    if argv[:1] not in (["sync"], ["lock"]):
        return _index_from_environment(parser.parse_args(argv))
    # argparse cannot intermix through subparsers: parse `sync`/`lock` with its own parser
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    sync_parser: argparse.ArgumentParser = sub.choices[argv[0]]
    args, rest = sync_parser.parse_known_args(argv[1:])
    if rest:  # requirements after an option (intermixing costs a warm sync about 1 ms)
        args = sync_parser.parse_intermixed_args(argv[1:])
    args.command = argv[0]
    return _index_from_environment(args)


def _index_from_environment(args: argparse.Namespace) -> argparse.Namespace:
    """The indexes of ``GRAFT_INDEX_URL`` and ``GRAFT_EXTRA_INDEX_URL`` where the flags give none.

    As ``UV_INDEX_URL`` and ``PIP_INDEX_URL`` stand for their tools' flags; the extra indexes
    are separated by spaces.
    """
    if getattr(args, "index_url", False) is None:
        args.index_url = os.environ.get("GRAFT_INDEX_URL") or None
    if getattr(args, "extra_index_url", None) == []:
        args.extra_index_url = os.environ.get("GRAFT_EXTRA_INDEX_URL", "").split()
    return args


def _keyring_provider(args: argparse.Namespace) -> None:
    """``--keyring-provider``, else ``GRAFT_KEYRING_PROVIDER`` (as ``UV_KEYRING_PROVIDER``)."""
    if not hasattr(args, "keyring_provider"):
        return
    provider = args.keyring_provider or os.environ.get("GRAFT_KEYRING_PROVIDER") or "disabled"
    if provider not in {"disabled", "subprocess"}:
        raise UsageError(
            f"GRAFT_KEYRING_PROVIDER={provider} is not a keyring provider",
            hint="use disabled or subprocess",
        )
    if provider == "subprocess":
        from graft.sources.auth import use_keyring  # noqa: PLC0415

        use_keyring()
    args.keyring_provider = provider


def _print_json_error(exc: GraftError | None, message: str | None = None) -> None:
    """An error as one JSON object on stdout (``--json``): what, where, hint, the line."""
    if exc is None:  # an internal error or an interrupt: a message only
        out: dict[str, Any] = {"error": message, "where": None, "hint": None, "message": message}
        out["kind"] = "InternalError" if (message or "").startswith("internal") else "Interrupted"
    else:
        out = {"error": exc.what, "where": exc.where, "hint": exc.hint, "message": str(exc)}
        out["kind"] = type(exc).__name__
        if exc.details:
            out["details"] = list(exc.details)
    print(json.dumps(out, sort_keys=True))


def _report(args: argparse.Namespace, exc: GraftError | None, message: str | None = None) -> None:
    """One error: a line on stderr, or with ``--json`` one JSON object on stdout.

    With ``-v``, the error's details (each missing requirement, say) follow, one per line.
    """
    if getattr(args, "json", False):
        try:
            _print_json_error(exc, message)
            sys.stdout.flush()
        except BrokenPipeError:  # `graft sync ... --json | head -c 100`: nobody reads it
            stdout_gone()
        return
    text = f"graft: error: {exc}" if exc is not None else f"graft: {message}"
    print(text, file=sys.stderr)
    # (an explanation of several lines, a resolver's, already shows its details)
    if exc is not None and exc.details and getattr(args, "verbose", False) and "\n" not in text:
        for detail in exc.details:
            print(f"graft:   {detail}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 - one exit per outcome
    """Run ``graft`` with *argv* (default ``sys.argv[1:]``); the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse(argv)
    try:
        _keyring_provider(args)
        if args.command == "sync":
            return _run_sync(args, argv)
        if args.command == "lock":
            from graft.cli.lock_cmd import run_lock  # noqa: PLC0415

            return run_lock(args, argv)
        if args.command == "audit":
            from graft.cli.audit_cmd import run_audit  # noqa: PLC0415

            return run_audit(args)
        if args.command == "bench":
            from graft.cli.bench_cmd import run_bench  # noqa: PLC0415

            return run_bench(args)
        if args.command == "store":
            from graft.cli.store_cmd import run_store  # noqa: PLC0415

            return run_store(args)
        if args.command == "cache":
            from graft.cli.cache_cmd import run_cache  # noqa: PLC0415

            return run_cache(args)
        if args.command == "variants":
            from graft.cli.variants_cmd import run_variants  # noqa: PLC0415

            return run_variants(args)
        if args.command == "build":
            from graft.cli.build_cmd import run_build  # noqa: PLC0415

            return run_build(args)
        return _run_inspect(args)
    except UsageError as exc:
        _report(args, exc)
        return 2
    except GraftError as exc:
        _report(args, exc)
        return 1
    except KeyboardInterrupt:
        _report(args, None, "interrupted; nothing was changed")
        return 130
    except BrokenPipeError:  # the reader went away (`graft inspect W | head`): leave quietly
        return stdout_gone()
    except Exception as exc:
        if getattr(args, "verbose", False) and not getattr(args, "json", False):
            raise
        _report(
            args,
            None,
            f"internal error: {exc.__class__.__name__}: {exc}"
            " (rerun with -v for the traceback, and please report it)",
        )
        return 1
