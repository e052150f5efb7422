"""``graft sync VENV [REQ ...]``: the request from the options, the sync, its output, the stamps.

The options are :mod:`graft.cli.parser`'s. After a successful sync come the stamps that let
the next syncs skip the full path (:mod:`graft.cli.noop`, :mod:`graft.cli.replay`,
:mod:`graft.cli.changestamp`).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from graft.cli.error_output import build_output
from graft.errors import UsageError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from graft.cli.variants_cmd import Plugins
    from graft.model.foreign import ForeignTarget
    from graft.model.sync_request import SyncRequest
    from graft.resolve.overrides import Overrides
    from graft.sync_result import SyncResult


class ConsoleReporter:
    """Progress on stderr: a rich bar on a terminal, nothing otherwise (or ``--no-progress``)."""

    def __init__(self, quiet: bool, *, progress: bool = True) -> None:
        self.quiet = quiet
        self.progress = progress

    def downloads(self, items: int) -> object:
        """A progress bar for *items* downloads, or ``None`` when quiet or not on a terminal."""
        if self.quiet or not self.progress or not sys.stderr.isatty():
            return None
        from graft.cli.progress import DownloadProgress  # noqa: PLC0415

        return DownloadProgress(items)

    def waiting_for_venv(self, prefix: str) -> None:
        """Say that another sync holds the venv's lock (unless quiet)."""
        if not self.quiet:
            print(f"graft: waiting for another graft sync of {prefix}", file=sys.stderr)

    def stage(self, message: str) -> None:
        """A stage name on a terminal (unless quiet, or ``--no-progress``)."""
        if not self.quiet and self.progress and sys.stderr.isatty():
            print(f"graft: {message}", file=sys.stderr)


def _refuse_line_breaks(venv: str) -> None:
    """A venv path with a line break: pyvenv.cfg's lines (graft-plan names the venv) split."""
    if "\n" in venv or "\r" in venv:
        raise UsageError(
            "the venv path holds a line break, which pyvenv.cfg cannot hold",
            where=repr(venv),
            hint="choose a path without one",
        )


def _refuse_graft_own_venv(venv: str) -> None:
    """The venv this process runs in: its imports come from the site-packages a sync replaces.

    graft imports most of itself lazily; once the venv was rebuilt without graft (or with
    another version), the next import failed: an internal error after the swap, and a venv
    without graft (decision 229). pip-sync keeps itself for the same reason.
    """
    if os.path.realpath(venv) == os.path.realpath(sys.prefix):
        raise UsageError(
            "is the venv graft itself runs in: a sync would replace the files it imports",
            where=venv,
            hint="run graft from another environment: pipx, uv tool install, or another venv",
        )


def run_sync(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Sync the venv *args* name; exit status 0 (an error is raised, for ``main`` to tell)."""
    from graft.cli import tool_forms  # noqa: PLC0415
    from graft.cli.noop import render_changes, summary_line  # noqa: PLC0415
    from graft.cli.sync_builds import SyncBuilds  # noqa: PLC0415
    from graft.cli.variants_cmd import Plugins, variant_fields  # noqa: PLC0415
    from graft.model.sync_request import SyncRequest  # noqa: PLC0415
    from graft.sources import tool_sources  # noqa: PLC0415

    tool_sources.refuse_unchecked_hashes(args.require_hashes)  # PIP_REQUIRE_HASHES and uv's
    tool_sources.refuse_unread_limits(tool_sources.told(args))  # PIP_ONLY_BINARY... (341)
    _refuse_line_breaks(args.venv)
    if not args.dry_run:  # (a dry run writes nothing)
        _refuse_graft_own_venv(args.venv)
    from graft.venv.destination import refuse_unmakeable  # noqa: PLC0415

    # (a link loop, a long name, a read-only directory: 343; /proc, by an attempt: 358)
    refuse_unmakeable(args.venv, attempt=not args.dry_run)
    started = time.perf_counter()
    from graft.cli.noop import python_version_key  # noqa: PLC0415
    from graft.cli.venv_python import keep_venv_python  # noqa: PLC0415

    read = python_version_key(list(argv))  # (the stamps' keys: as it was read, decision 246)

    kept = keep_venv_python(args, _foreign(args) is not None)  # (decision 123)
    # asked only for namespaces the user allowed; a dry run makes no provider venv
    plugins = Plugins(args, args.python, dry=args.dry_run)
    request = SyncRequest(
        venv=args.venv,
        specs=tuple(args.specs),
        requirement_files=tuple(args.requirement),
        script_files=tool_forms.script_files(args),
        constraint_files=tuple(args.constraint),
        prerelease=args.prerelease or ("allow" if args.pre else None),
        exclude_newer=args.exclude_newer,
        prerelease_packages=tuple(args.prerelease_package),
        exclude_newer_packages=tuple(args.exclude_newer_package),
        upgrade=args.upgrade,
        upgrade_packages=tuple(args.upgrade_package),
        resolution=args.resolution,
        python=args.python,
        no_deps=args.no_deps,
        only_deps=getattr(args, "only_deps", False),  # (a requirement of an index: 445)
        no_sources=tool_forms.no_sources(args),
        no_sources_packages=tool_forms.no_sources_packages(args),
        require_hashes=args.require_hashes,
        allow_empty=args.allow_empty_requirements,
        reinstall=args.reinstall,
        reinstall_packages=tuple(args.reinstall_package),
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
        all_extras=args.all_extras,
        override_files=tuple(args.overrides),
        exclude_files=tuple(args.excludes),
        store=args.store,
        collisions=args.collisions,
        link_mode=args.link_mode,
        venv_options=_options(args),
        reporter=ConsoleReporter(args.quiet, progress=not args.no_progress),
        **variant_fields(args),
        editables=tuple(args.editable),
        formats=tuple(args.formats),
        no_build=args.no_build,
        builder=SyncBuilds(args),
        seed=args.seed,
        variant_plugins=plugins,
    )
    unread = tool_sources.unread_choices(  # PIP_PRE, UV_RESOLUTION... (decision 341)
        prerelease=request.prerelease,
        resolution=args.resolution,
        python_told=_python_told(args),
    )
    result = _synced(args, request, plugins, unread)
    if isinstance(result, int):  # (a dry run, or every requirement excluded)
        return result
    # (a sync's --overrides judge its venv: decision 396; as it read them: decision 471)
    overrides = _overrides(args) if result.overrides is None else result.overrides
    gaps = _strict(result.prefix, overrides) if args.strict else []  # (uv's --strict: 342)
    if unread or gaps:  # (kept with the sync's own warnings: each stamp says them again)
        import dataclasses  # noqa: PLC0415

        result = dataclasses.replace(result, warnings=(*unread, *result.warnings, *gaps))
    from graft.cli.audit_cmd import after_sync  # noqa: PLC0415

    after_sync(args, overrides)  # graft audit allows the provider plugins, takes the overrides
    plan = result.plan
    elapsed = time.perf_counter() - started
    from graft.cli.dry_run import print_said  # noqa: PLC0415

    collisions = () if plan is None else plan.collisions
    notes = (*plugins.notes, *result.notes)
    print_said(args, notes, result.timings, (*result.warnings, *result.said), collisions)
    if args.json:
        out = _summary(result, elapsed)
        if result.variants:  # PEP 825: the variant choice per release, only when there was one
            out["variants"] = list(result.variants)
        print(json.dumps(out, indent=2, sort_keys=True))
    elif not args.quiet:
        verb = "synced" if plan is not None else "already in sync:"
        render_changes(result.changes(), result.venv_changes)
        count = len(result.distributions)
        copies = args.link_mode == "copy"
        line = summary_line(verb, result.prefix, count, result.stats, elapsed, copies)
        print(line, file=sys.stderr)
    if python_version_key(list(argv)) == read and not _moving_cutoff(args):  # (else no stamp)
        _keep_stamps(args, argv, result, kept=kept)  # (a foreign target is only a dry run's)
    return 0


def _synced(
    args: argparse.Namespace, request: SyncRequest, plugins: Plugins, unread: Sequence[str]
) -> SyncResult | int:
    """The sync's result, or the exit status of a dry run or of a sync left undone."""
    from graft.errors import AllExcluded, BuildError  # noqa: PLC0415
    from graft.sync import sync  # noqa: PLC0415

    try:
        if args.dry_run:  # (resolution alone: nothing is downloaded or written, decision 149)
            from graft.cli.dry_run import run_dry  # noqa: PLC0415

            return run_dry(args, request, plugins, said=unread)
        return sync(request)
    except BuildError as exc:  # the backend's whole output, then how to rerun it
        build_output(args, exc)
        raise
    except AllExcluded as exc:  # the venv left as it was, as uv's install leaves it (398)
        return _left_as_it_was(args, str(exc))


def _left_as_it_was(args: argparse.Namespace, why: str) -> int:
    """A sync whose every requirement was excluded: said, nothing changed (decision 398)."""
    there = os.path.lexists(args.venv)
    if args.json:
        out = {"prefix": os.path.abspath(args.venv), "changed": False, "excluded": True}
        print(json.dumps(out, indent=2, sort_keys=True))
    elif not args.quiet:
        state = "left as it was" if there else "not made"
        print(f"graft: {why}; {os.path.abspath(args.venv)} {state}", file=sys.stderr)
    return 0


def _strict(prefix: str, overrides: Overrides | None) -> list[str]:
    """``--strict``: each requirement of an installed distribution not met, as uv warns of it.

    A sync leaves none unless ``--no-deps`` (or a lock) left one out; ``graft audit`` says
    the same, among its other findings. A requirement the sync's *overrides* replaced is
    judged by them (decision 396).
    """
    from graft.audit import dependency_gaps  # noqa: PLC0415

    return dependency_gaps(prefix, overrides)


def _overrides(args: argparse.Namespace) -> Overrides | None:
    """The sync's ``--overrides`` and ``--excludes`` (None: none given)."""
    if not args.overrides and not args.excludes:
        return None
    from graft.resolve.overrides import load  # noqa: PLC0415

    return load(args.overrides, args.excludes)


def _python_told(args: argparse.Namespace) -> bool:
    """Whether ``--python``, ``GRAFT_PYTHON`` or a foreign target chose the interpreter.

    Not a ``.python-version`` file, which ``UV_PYTHON`` comes before in uv.
    """
    if _foreign(args) is not None:
        return True
    from graft._home import python_told  # noqa: PLC0415

    return python_told(args.python, getattr(args, "python_from", "--python"))


def _moving_cutoff(args: argparse.Namespace) -> bool:
    """Whether ``--exclude-newer`` (or a project's) is a span before now (``7 days``).

    Its cutoff moves, so no stamp of the command line may answer for it later (decision 327).
    """
    given = getattr(args, "exclude_newer_package", None) or []
    if getattr(args, "exclude_newer", None) is None and not given:
        return False
    from graft.resolve.exclude_newer import moving  # noqa: PLC0415

    return moving(args.exclude_newer, tuple(given))


def _keep_stamps(
    args: argparse.Namespace, argv: Sequence[str], result: SyncResult, *, kept: bool
) -> None:
    """After a successful sync: the stamps that let the next syncs skip the full path.

    The sync stamp (a no-op, :mod:`graft.cli.noop`), the replay stamp (a new venv,
    :mod:`graft.cli.replay`), the change stamp (an edited pin set, :mod:`graft.cli.changestamp`,
    written by :mod:`graft.cli.changestamp_keep`).
    """
    from graft.cli import changestamp_keep, noop, replay  # noqa: PLC0415
    from graft.cli.venv_python import stamped  # noqa: PLC0415

    changestamp_keep.keep(list(argv), result, python=args.python, kept=kept)
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
        python=stamped(args.python, result.prefix),  # (the venv's own, kept: decision 123)
        upgrade=upgrade,
        options=result.venv_options,  # (with a seeded venv's seed = true: decision 123)
        via=os.path.abspath(args.venv) if os.path.islink(args.venv) else None,
    )
    if kept or args.overrides or args.excludes:  # (a new directory has no interpreter to keep;
        return  # a replayed venv would lack the overrides record graft audit reads: 396)
    lines = _new_venv_lines(result, args.collisions)
    options = _options(args)
    replay.keep(
        list(argv), result, lines=lines, python=args.python, upgrade=upgrade, options=options
    )


def _options(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    """The venv tool's options the venv must have: pyvenv.cfg's lines (decisions 111, 122)."""
    from graft.venv.state import PROMPT, SEED, SYSTEM_SITE  # noqa: PLC0415

    options = [(SYSTEM_SITE, "true")] if args.system_site_packages else []
    if args.seed:  # (uv venv --seed's line: the next syncs keep the seed packages)
        options.append((SEED, "true"))
    if args.prompt is not None:
        from graft.venv.skeleton import quoted_prompt  # noqa: PLC0415

        options.append((PROMPT, quoted_prompt(args.prompt, os.getcwd())))
    return tuple(sorted(options))


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
        "venv_changes": list(result.venv_changes),
    }
