"""``graft lock``: write a universal PEP 751 ``pylock.toml`` (see docs/resolver.md)."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from graft.model.request import SourceBuilder
    from graft.resolve.lock import LockResult


def add_lock_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    resolution_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    """The ``lock`` command; *resolution_options* adds the inputs and sources ``sync`` has."""
    from graft.cli.format_step import FormatStep  # noqa: PLC0415
    from graft.model.requirements import ONLY_BINARY  # noqa: PLC0415

    lock = sub.add_parser(
        "lock",
        help="resolve for many environments at once and write a PEP 751 pylock.toml",
    )
    lock.add_argument("specs", nargs="*", metavar="REQ", help="a PEP 508 requirement")
    resolution_options(lock)
    lock.add_argument(
        "-o",
        "--output",
        "--output-file",  # (uv pip compile's and pip-compile's spelling)
        default="pylock.toml",
        metavar="FILE",
        help="pylock.toml (the default) or pylock.NAME.toml, as PEP 751 names a lock; - writes"
        " it to standard output",
    )
    lock.add_argument(
        "-p",  # (uv pip compile's short form, decision 435)
        "--python-version",
        "--python",  # (uv pip compile's, a version here; an abbreviation graft took before)
        action="append",
        default=[],
        metavar="X.Y[.Z]",
        help="lock for this CPython version, every release of it (X.Y) or from X.Y.Z on"
        " (repeatable; default: 3.9 to 3.14 within the requires-python of -r pyproject.toml)",
    )
    lock.add_argument(
        "--platform",
        "--python-platform",  # (uv pip compile's spelling, of the names both take)
        action="append",
        default=[],
        metavar="linux|macos|windows|ARCH-manylinux_2_N|TAG",
        help="lock for this system (x86_64 and arm64), this Linux machine of glibc 2.N and older"
        " (as uv names it: x86_64-manylinux_2_34), or this platform tag, as pip's --platform"
        " reads it (repeatable; default: linux, macos and windows)",
    )
    lock.add_argument(
        "--implementation",
        action="append",
        default=[],
        choices=("cp", "pp"),
        help="lock for CPython (cp, the default) or PyPy (pp: 3.7 to 3.11, every machine but"
        " Windows arm64); repeatable: both",
    )
    lock.add_argument(
        "--environment",
        action="append",
        default=[],
        metavar="MARKER",
        help="keep only the environments where MARKER holds (repeatable: any of them)",
    )
    lock.add_argument(
        "-e",
        "--editable",
        action="append",
        default=[],
        metavar="PATH",
        help="lock the project directory PATH, installed editable (as -e PATH in a -r file)",
    )
    lock.add_argument("--no-deps", action="store_true", help="lock only what is named")
    lock.add_argument(
        "--only-binary",
        action=FormatStep,
        const=ONLY_BINARY,
        dest="formats",
        default=[],
        metavar="NAME",
        help="lock no sdist of NAME, only wheels (:all: for every project)",
    )
    lock.add_argument(
        "--no-build",
        action="store_true",
        help="lock no sdist, only wheels, and build no project directory",
    )
    lock.add_argument(
        "-U",
        "--upgrade",
        action="store_true",
        help="newest allowed versions (default: keep the versions the output lock holds, if"
        " allowed)",
    )
    lock.add_argument(
        "-P",
        "--upgrade-package",
        action="append",
        default=[],
        metavar="NAME",
        help="upgrade NAME only (repeatable)",
    )
    lock.add_argument("--json", action="store_true", help="print the summary as JSON")
    from graft.cli.tool_forms import add_tool_forms  # noqa: PLC0415

    alike = add_tool_forms(lock)
    alike.add_argument(
        "--generate-hashes", action="store_true", help="a lock always holds each file's sha256"
    )
    alike.add_argument(
        "--format",
        choices=("pylock.toml",),
        help="graft lock writes a PEP 751 pylock.toml (uv pip compile's --format pylock.toml)",
    )
    alike.add_argument(
        "--universal",
        action="store_true",
        help="a lock is universal unless --python-version, --platform or --environment say",
    )
    said = lock.add_mutually_exclusive_group()  # (as uv: -q -v is a usage error)
    said.add_argument("-q", "--quiet", action="store_true")
    said.add_argument("-v", "--verbose", action="store_true")
    from graft.cli.build_cmd import add_build_options  # noqa: PLC0415
    from graft.cli.variants_cmd import add_variant_options  # noqa: PLC0415

    add_variant_options(lock)
    # how the sdists whose metadata a lock must read are prepared or built, as in a sync:
    # -C, --no-build-isolation, --reuse-builds, --build-constraint (decisions 166, 174)
    add_build_options(lock)


def run_lock(args: argparse.Namespace, argv: Sequence[str] = ()) -> int:
    """Run ``graft lock``; the exit status. *argv* keys the lock stamp (none without it)."""
    from graft._counted import counted  # noqa: PLC0415
    from graft.cli import tool_forms  # noqa: PLC0415
    from graft.cli.error_output import build_output  # noqa: PLC0415
    from graft.cli.variants_cmd import variant_fields  # noqa: PLC0415
    from graft.errors import BuildError, UsageError  # noqa: PLC0415
    from graft.model.request import ResolveRequest  # noqa: PLC0415
    from graft.resolve.lock import LockRequest, lock  # noqa: PLC0415
    from graft.resolve.lock_write import STDOUT, check_output  # noqa: PLC0415

    check_output(args.output, [*args.requirement, *args.requirements_from_script, *args.constraint])
    from graft.sources import tool_sources  # noqa: PLC0415

    told = tool_sources.told(args)
    tool_sources.refuse_unread_limits(told, tool_sources.LOCK_LIMITS)  # PIP_ONLY_BINARY... (341)
    unread = tool_sources.unread_choices(  # PIP_PRE, UV_RESOLUTION... (a lock has no venv)
        prerelease=args.prerelease or ("allow" if args.pre else None),
        resolution=args.resolution,
        python_told=True,
    )
    if args.output == STDOUT and args.json:
        raise UsageError(
            "-o - writes the lock to standard output, where --json would write too",
            hint="give -o a file with --json",
        )
    started = time.perf_counter()
    started_ns = time.time_ns()
    builder = _builder(args)  # (its --build-constraint files read and checked now)
    request = LockRequest(
        ResolveRequest(
            specs=tuple(args.specs),
            requirement_files=tuple(args.requirement),
            script_files=tool_forms.script_files(args),
            constraint_files=tuple(args.constraint),
            prerelease=args.prerelease or ("allow" if args.pre else None),
            exclude_newer=args.exclude_newer,
            prerelease_packages=tuple(args.prerelease_package),
            exclude_newer_packages=tuple(args.exclude_newer_package),
            no_deps=args.no_deps,
            only_deps=getattr(args, "only_deps", False),  # (a project of an index: 451)
            no_sources=tool_forms.no_sources(args),
            no_sources_packages=tool_forms.no_sources_packages(args),
            formats=tuple(args.formats),
            no_build=args.no_build,
            upgrade=args.upgrade,
            upgrade_packages=tuple(args.upgrade_package),
            resolution=args.resolution,
            index_url=args.index_url,
            extra_index_urls=tuple(args.extra_index_url),
            index_strategy=args.index_strategy,
            refresh=args.refresh,
            find_links=tuple(args.find_links),
            no_index=args.no_index,
            offline=args.offline,
            extras=tuple(args.extra),
            groups=tuple(args.group),
            all_extras=args.all_extras,
            override_files=tuple(args.overrides),
            exclude_files=tuple(args.excludes),
            editables=tuple(args.editable),
            # a lock holds every variant choice (resolve/lock_forks.py): it needs no
            # machine's answer, so --allow-variant-provider is accepted and runs no plugin
            **{**variant_fields(args), "variant_providers": ()},
        ),
        output=args.output,
        python_versions=tuple(args.python_version),
        platforms=tuple(args.platform),
        implementations=tuple(args.implementation),
        environments=tuple(args.environment),
        builder=builder,
    )
    try:
        result = lock(request)
    except BuildError as exc:  # the backend's whole output, then how to rerun it (as sync)
        build_output(args, exc)
        raise
    elapsed = time.perf_counter() - started
    if args.verbose:
        for note in result.notes:
            print(f"graft: {note}", file=sys.stderr)
    said = []
    if args.allow_variant_provider:
        said.append(
            "graft: note: --allow-variant-provider runs no plugin in graft lock: the lock"
            " holds every variant; graft sync chooses on the machine that installs"
        )
    said += [f"graft: warning: not locked for {skipped}" for skipped in result.skipped_said]
    said += [f"graft: warning: {warning}" for warning in (*unread, *result.warnings)]
    projects = len({e.name for e in result.entries})
    summary = (
        f"graft: locked {counted(projects, 'project')}"
        f" ({counted(len(result.entries), 'entry', 'entries')}) for"
        f" {counted(len({e.marker for e in result.environments}), 'environment')}"
        " into {path} in {seconds}s"
    )
    if not args.quiet:
        for line in said:
            print(line, file=sys.stderr)
    if args.json:
        out = {
            "path": result.path,
            "environments": list(dict.fromkeys(e.marker for e in result.environments)),
            "skipped": list(result.skipped),
            "packages": len(result.entries),
            "metadata": result.metadata,
            "seconds": round(elapsed, 4),
        }
        print(json.dumps(out, indent=2, sort_keys=True))
    elif not args.quiet:
        where = "standard output" if result.text is not None else result.path
        line = summary.replace("{path}", where).replace("{seconds}", f"{elapsed:.2f}")
        print(line, file=sys.stderr)
    if result.text is not None:  # -o -: the lock itself, and no stamp (no file to watch)
        sys.stdout.write(result.text)
        return 0
    # (a lock's stamp watches no variable: none where a file expanded one, decision 476)
    expanded = result.variables_read or any(kind == "env" for kind, _ in builder.reads())
    if argv and not (result.sources_named or expanded or _moving(args)):
        also, also_read = builder.reads(), builder.read_digests()
        _keep_stamp(list(argv), result, started_ns, said, summary, also=also, also_read=also_read)
    return 0


def _moving(args: argparse.Namespace) -> bool:
    """Whether ``--exclude-newer`` (or a project's) is a span before now: no stamp answers it."""
    if args.exclude_newer is None and not args.exclude_newer_package:
        return False
    from graft.resolve.exclude_newer import moving  # noqa: PLC0415

    return moving(args.exclude_newer, tuple(args.exclude_newer_package))


def _keep_stamp(
    argv: list[str],
    result: LockResult,
    started_ns: int,
    said: list[str],
    summary: str,
    *,
    also: tuple[tuple[str, str], ...],
    also_read: tuple[tuple[str, str], ...] = (),
) -> None:
    """Leave the stamp that answers the same lock next time (:mod:`graft.cli.lockstamp`).

    *also*: what the builder read its options from (the ``--build-constraint`` files, by
    their bytes): the command line names those files, not what they pin (decision 166);
    *also_read*: the digests of the bytes it read them with (decision 476).
    """
    from graft.cli.lockstamp_keep import keep, watched_paths  # noqa: PLC0415

    watched = watched_paths(
        result.files_read, result.dirs_read, result.wheels_read, machine=result.machine
    )
    watched += also
    # a lock an edit may be proven not to change (graft.cli.lockedit): no variant wheel (its
    # METADATA may differ from its release's other wheels), no environment left out of a
    # search given up (one an edit narrows may find a resolution: decision 105), none left
    # out for a release without an extra that resolved (an edit may change that: 233)
    plain = not (result.searched_out or result.resolved_out) and not any(
        e.variants_json or e.needed_by for e in result.entries
    )
    keep(
        argv,
        started_ns=started_ns,
        index=result.index,
        pages=result.pages,
        watched=watched,
        say=said,
        summary=summary,
        preferred_from=result.preferred_from,
        locked=[(str(e.name), str(e.version)) for e in result.entries] if plain else None,
        left_out=bool(result.skipped) or result.started_later,
        read=_merged(dict(result.digests), also_read),
    )


def _merged(read: dict[str, str], more: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """*read* with the digests *more* adds (a file both read with other bytes: ``MIXED``)."""
    from graft._reads import MIXED  # noqa: PLC0415

    for path, digest in more:
        read[path] = digest if read.get(path, digest) == digest else MIXED
    return read


def _builder(args: argparse.Namespace) -> SourceBuilder:
    """``graft sync``'s builder, for the sdists a lock must read, with sync's build options.

    ``-C``, ``--no-build-isolation`` (the hooks run in the interpreter running graft, as a
    sync's into a new venv), ``--reuse-builds`` and ``--build-constraint``, each with the
    meaning it has in a sync; ``-C`` and the constraint files are read and checked here,
    before anything is resolved (decisions 166, 174).
    """
    import argparse as ap  # noqa: PLC0415

    from graft.cli.sync_builds import SyncBuilds  # noqa: PLC0415

    namespace = ap.Namespace(**{"store": None, **vars(args)})
    return SyncBuilds(namespace, compile_built=False, keep_failed=False)
