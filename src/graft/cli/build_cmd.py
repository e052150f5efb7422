"""``graft build [SRC] [--python PY]... [-o DIR] [--reuse-builds auto|never|verify]``.

Prints, for each interpreter, whether the wheel was built or reused and why. A failed build
prints its whole output, then the command that reruns the failing hook by hand, then the
one-line error. The build environments are venvs made by ``graft sync`` (this module passes
:func:`graft.sync.sync` in as the builds' ``make_env``, through
:mod:`graft.cli.build_venv`).
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

from graft.cli.error_output import build_output
from graft.errors import UsageError

if TYPE_CHECKING:
    import argparse

    from graft.build.run import Artifacts, BuildEnvironment
    from graft.model.target import Target


class _BuildReporter:
    """Progress on stderr: a line as each build starts (builds take seconds to minutes)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def downloads(self, items: int) -> object:
        """No bar: the build environment's downloads are small."""
        del items
        return None

    def waiting_for_venv(self, prefix: str) -> None:
        """Another graft holds a build environment's lock."""
        if not self.quiet:
            print(f"graft: waiting for another graft using {prefix}", file=sys.stderr)

    def stage(self, message: str) -> None:
        """A build begins."""
        if not self.quiet:
            print(f"graft: {message} ...", file=sys.stderr, flush=True)


def add_build_options(parser: argparse._ActionsContainer) -> None:
    """How sources are built: shared by ``graft build`` and ``graft sync``."""
    parser.add_argument(
        "--reuse-builds",
        choices=("auto", "never", "verify"),
        default="auto",
        help="auto: reuse a built wheel where the source cannot differ; never; verify:"
        " build again and compare the installed files with the reusable wheel",
    )
    parser.add_argument(
        "-C",
        "--config-settings",
        "--config-setting",  # (uv's spelling; argparse took it for an ambiguous abbreviation)
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="passed to the build backend (PEP 517 config_settings); repeatable",
    )
    parser.add_argument(
        "--config-settings-package",
        action="append",
        default=[],
        metavar="NAME:KEY=VALUE",
        help="passed to NAME's builds, before -C's (uv's; repeatable)",
    )
    parser.add_argument(
        "--no-build-isolation",
        action="store_true",
        help="build in the target interpreter itself, with what it has installed",
    )
    parser.add_argument(
        "--no-build-isolation-package",
        action="append",
        default=[],
        metavar="NAME",
        help="build NAME's source so, the others isolated (uv's; repeatable)",
    )
    add_build_constraint(parser)


def add_build_constraint(parser: argparse._ActionsContainer) -> None:
    """``--build-constraint FILE``: ``graft build``'s, ``graft sync``'s and ``graft lock``'s."""
    parser.add_argument(
        "-b",  # (uv's short form, and its --build-constraints)
        "--build-constraint",
        "--build-constraints",
        action="append",
        default=[],
        metavar="FILE",
        help="constrain build requirements in every build environment: lines as setuptools<72,"
        " and -r/-c FILE lines naming more such files (repeatable)",
    )


def add_build_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``build`` on the ``graft`` command's subparsers."""
    build = subparsers.add_parser(
        "build",
        help="build an sdist and wheels of a project directory, or wheels of an sdist",
    )
    build.add_argument(
        "source",
        metavar="SRC",
        nargs="?",
        default=".",
        help="a project directory or an sdist file (default: the current directory, as uv build"
        " and python -m build take it)",
    )
    build.add_argument(
        "-p",  # (uv's short form)
        "--python",
        action="append",
        default=[],
        metavar="PY",
        help="an interpreter to build for (path, version, or as sync's --python); repeatable;"
        " default: GRAFT_PYTHON, else the .python-version file in SRC's directory or above"
        " (as uv build reads it), else graft's",
    )
    build.add_argument(
        "--no-config",
        action="store_true",
        help="read no .python-version file (as uv's --no-config; also GRAFT_NO_CONFIG=1)",
    )
    build.add_argument(
        "-o",
        "--out-dir",
        "--outdir",  # (pypa/build's spelling; uv build's is --out-dir)
        metavar="DIR",
        help="write the sdist and wheels here (default: SRC/dist, or the sdist's directory)",
    )
    build.add_argument(
        "--sdist",
        action="store_true",
        help="build an sdist of the directory (without --wheel: only the sdist)",
    )
    build.add_argument(
        "--wheel",
        action="store_true",
        help="build wheels straight from the directory (default: an sdist, then wheels of it)",
    )
    add_build_options(build)
    build.add_argument("--index-url", metavar="URL", help="for build requirements")
    build.add_argument("--extra-index-url", action="append", default=[], metavar="URL")
    build.add_argument("-f", "--find-links", action="append", default=[], metavar="DIR")
    build.add_argument("--no-index", action="store_true")
    build.add_argument("--offline", action="store_true")
    build.add_argument("--store", metavar="DIR", help="store location (default: $GRAFT_STORE)")
    build.add_argument("--json", action="store_true", help="print the outcomes as JSON")
    from graft.cli.tool_forms import add_tool_forms  # noqa: PLC0415

    add_tool_forms(build)
    said = build.add_mutually_exclusive_group()  # (as uv: -q -v is a usage error)
    said.add_argument("-q", "--quiet", action="store_true")
    said.add_argument("-v", "--verbose", action="store_true", help="show the evidence")


def _settings(pairs: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--config-settings {pair!r} is not KEY=VALUE")
        out.append((key, value))
    return tuple(out)


def run_build(args: argparse.Namespace) -> int:
    """Build ``args.source`` for each ``--python``; print one line per interpreter."""
    from graft._home import python_told  # noqa: PLC0415
    from graft.build.run import BuildRequest  # noqa: PLC0415
    from graft.errors import BuildError  # noqa: PLC0415
    from graft.sdist_then_wheels import build  # noqa: PLC0415
    from graft.sources import tool_sources  # noqa: PLC0415

    # PIP_BUILD_CONSTRAINT and UV_BUILD_CONSTRAINT, as pip wheel and uv build read them (341)
    tool_sources.refuse_unread_limits(tool_sources.told(args), tool_sources.BUILD_LIMITS)
    # (not a .python-version file, which UV_PYTHON comes before in uv build)
    told = python_told(args.python, getattr(args, "python_from", "--python"))
    said = tool_sources.unread_python(python_told=told)  # as sync's (decision 356)
    from graft.cli.per_project import isolated, package_settings, settings_for  # noqa: PLC0415

    alone = isolated(args, args.source)  # (decision 395)
    settings = settings_for(args.source, _settings(args.config_settings), package_settings(args))
    if alone:  # (pip wheel reads PIP_PRE for them: decision 367)
        said += tool_sources.unread_build_choices()
    for warning in said:
        if not args.quiet:
            print(f"graft: warning: {warning}", file=sys.stderr)
    from graft.cli.build_constraints import read_constraints  # noqa: PLC0415

    constraints = read_constraints(args.build_constraint)
    request = BuildRequest(
        source=args.source,
        pythons=tuple(args.python) or (None,),
        out_dir=_out_dir(args.source, args.out_dir),
        artifacts=_artifacts(args),
        reuse=args.reuse_builds,
        config_settings=settings,  # (decision 402)
        isolated=alone,
        store=args.store,
        constraints=constraints.texts,
        constraint_wheres=constraints.wheres,  # (nested ones too: decisions 470, 476)
        reporter=_BuildReporter(args.quiet or args.json or args.no_progress),
    )

    from graft.cli.build_venv import _make_env, for_source  # noqa: PLC0415

    def make_env(target: Target, requires: tuple[str, ...], venv: str) -> BuildEnvironment:
        return for_source(args.source, lambda: _make_env(args, target, requires, venv))

    try:
        built = build(request, make_env)
    except BuildError as exc:
        build_output(args, exc)
        raise
    from graft.cli.build_output import built_dict, render_built  # noqa: PLC0415

    if args.json:
        print(json.dumps(built_dict(built, request.out_dir), indent=2, sort_keys=True))
    else:
        render_built(built, args.verbose)
    return 0


def _artifacts(args: argparse.Namespace) -> Artifacts:
    """What to build: as pypa/build and ``uv build`` read ``--sdist`` and ``--wheel``.

    Of a directory: by default the sdist, then wheels built from it (an sdist that misses a
    file the build needs fails here, not on a user's machine); ``--sdist`` the sdist alone;
    ``--wheel`` wheels straight from the directory; both, each from the directory. Of an
    sdist: its wheels (``--sdist`` is refused).
    """
    from graft.build.sdist import is_sdist  # noqa: PLC0415

    if not os.path.isdir(args.source):  # an sdist (anything else is refused as before)
        if args.sdist and is_sdist(args.source) and os.path.isfile(args.source):
            raise UsageError(
                "--sdist builds an sdist of a project directory, not of an sdist",
                where=args.source,
                hint="given an sdist, graft build builds its wheels: leave --sdist out",
            )
        return "wheel"
    if args.sdist and args.wheel:
        return "sdist-and-wheel"
    if args.sdist:
        return "sdist"
    return "wheel" if args.wheel else "wheel-from-sdist"


def _out_dir(source: str, out_dir: str | None) -> str:
    """``-o DIR``, else ``SRC/dist`` of a directory and the directory an sdist is in.

    As pypa/build and ``uv build`` choose it (decision 250).
    """
    if out_dir is not None:
        return os.path.abspath(out_dir)
    path = os.path.abspath(source)
    return os.path.join(path, "dist") if os.path.isdir(path) else os.path.dirname(path)


def print_built_from(sha256: str) -> None:
    """For ``graft inspect``: what graft built this wheel from, and its reuse decision."""
    from graft._home import cache_root  # noqa: PLC0415
    from graft.build.cache import BuiltWheels  # noqa: PLC0415

    record = BuiltWheels(cache_root()).find(sha256)
    if record is None:
        return
    print(f"{'built_from':16} {record.source_key}")
    print(f"{'built_by':16} {record.built_by}")
    print(f"{'build_backend':16} {record.inputs.backend}")
    print(f"{'build_env':16} {', '.join(record.build_env) or '-'}")
    print(f"{'reuse':16} {record.assessment.describe()}")
