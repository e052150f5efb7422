"""``graft sync``'s parser: its own options, the foreign target's, the builds', the tool forms.

Apart from :mod:`graft.cli.parser` (the grammar, the options ``sync`` shares with ``lock``),
which adds it only when ``sync`` is parsed; the shared options come in as a callable, as
``lock_cmd``'s parser takes them, so that neither module imports the other's parser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable


def add_sync_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    resolution_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    """The ``sync`` command; *resolution_options* adds the inputs and sources ``lock`` has."""
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
    resolution_options(sync)
    sync.add_argument(
        "-p",  # (uv's short form)
        "--python",
        metavar="PY",
        help="interpreter path, version (3.12, 3.12.1), cpython@3.12, pypy, or a specifier"
        " like >=3.11,<3.13, as uv takes them (default: GRAFT_PYTHON, else the"
        " .python-version file here or above, as uv venv reads it)",
    )
    sync.add_argument(
        "--no-config",
        action="store_true",
        help="read no .python-version file (as uv's --no-config; also GRAFT_NO_CONFIG=1)",
    )
    sync.add_argument(
        "--no-deps", action="store_true", help="install only what is named, not its dependencies"
    )
    from graft.cli.tool_forms import add_tool_forms  # noqa: PLC0415

    sync.add_argument(
        "--system-site-packages",
        action="store_true",
        help="the venv sees the interpreter's own site-packages too (as uv venv's and"
        " python -m venv's flag); a venv that does keeps doing so without it",
    )
    sync.add_argument(
        "--prompt",
        metavar="NAME",
        help="the prompt the venv's activate scripts show (as uv venv's and python -m venv's"
        " flag; '.': the current directory's name); a venv keeps its own without it",
    )
    sync.add_argument(
        "--seed",
        action="store_true",
        help="the venv gets pip (and setuptools and wheel below Python 3.12), as uv venv"
        " --seed; a venv that holds them (python -m venv's, uv venv --seed's) keeps them"
        " without it",
    )
    sync.add_argument(
        "--allow-empty-requirements",
        action="store_true",
        help="a -r file or script listing nothing empties the venv of its distributions (its"
        " seed packages kept where it is seeded), as uv pip sync's; refused without it"
        " (decision 446)",
    )
    sync.add_argument(
        "--no-allow-empty-requirements",
        dest="allow_empty_requirements",
        action="store_false",
        help="refuse a -r file listing nothing (the default)",
    )
    sync.add_argument(
        "--require-hashes",
        action="store_true",
        help="every distribution installed needs a --hash in a requirements file (pip's)",
    )
    sync.add_argument(
        "--strict",
        action="store_true",
        help="after the sync, warn of each requirement of an installed distribution that is"
        " not met (after --no-deps, say), as uv's --strict",
    )
    sync.add_argument(
        "--reinstall",
        "--force-reinstall",
        action="store_true",
        help="rebuild the venv from the store even when it is in sync (uv's --reinstall)",
    )
    sync.add_argument(
        "--reinstall-package",
        action="append",
        default=[],
        metavar="NAME",
        help="install NAME again from the store, its store entry checked first, even when in"
        " sync; the rest of the venv untouched (uv's; repeatable)",
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
    sync.add_argument(
        "--dry-run", action="store_true", help="resolve, say what would change; download no wheel"
    )
    foreign = sync.add_argument_group(
        "foreign target (with --dry-run; as pip download's flags)",
    )
    foreign.add_argument("--python-version", metavar="X.Y", help="plan for this Python version")
    foreign.add_argument("--platform", action="append", default=[], metavar="TAG")
    foreign.add_argument("--implementation", choices=("cp", "pp"), help="default: cp")
    foreign.add_argument("--abi", action="append", default=[], metavar="ABI")
    sync.add_argument("--json", action="store_true", help="print the plan or summary as JSON")
    said = sync.add_mutually_exclusive_group()  # (as uv: -q -v is a usage error)
    said.add_argument("-q", "--quiet", action="store_true", help="print no warnings or summary")
    said.add_argument("-v", "--verbose", action="store_true", help="print timings and each choice")
    from graft.cli.variants_cmd import add_variant_options  # noqa: PLC0415

    add_variant_options(sync)
    _add_build_options(sync)
    alike = add_tool_forms(sync)
    alike.add_argument(
        "--compile-bytecode",
        "--compile",
        action="store_true",
        help="graft always compiles bytecode (into the store, once per interpreter)",
    )
    alike.add_argument(
        "--exact", action="store_true", help="a sync always leaves exactly what it resolved"
    )
    alike.add_argument(
        "--verify-hashes", action="store_true", help="a --hash given is always checked"
    )
    alike.add_argument(  # (pip's, decision 436)
        "--no-warn-script-location",
        "--no-warn-conflicts",
        "--require-virtualenv",
        action="store_true",
        help="pip's: graft warns of neither (a venv holds what it resolved) and installs into a"
        " venv only",
    )
    alike.add_argument(  # (uv's, decision 456)
        "--no-break-system-packages",
        action="store_true",
        help="uv's: graft installs into a venv only, never into a system interpreter",
    )


def _add_build_options(sync: argparse.ArgumentParser) -> None:
    """Sources in a sync: editables, which projects may be built, and how."""
    from graft.cli.format_step import FormatStep  # noqa: PLC0415
    from graft.model.requirements import NO_BINARY, ONLY_BINARY  # noqa: PLC0415

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
        action=FormatStep,
        const=NO_BINARY,
        dest="formats",
        default=[],
        metavar="NAME",
        help="build NAME from its sdist, never a wheel (:all: for every project, :none: for"
        " none given before)",
    )
    builds.add_argument(
        "--only-binary",
        action=FormatStep,
        const=ONLY_BINARY,
        dest="formats",
        default=[],
        metavar="NAME",
        help="never build NAME (:all: for every project, :none: for none given before)",
    )
    builds.add_argument("--no-build", action="store_true", help="never build anything")
    from graft.cli.build_cmd import add_build_options  # noqa: PLC0415

    add_build_options(builds)
