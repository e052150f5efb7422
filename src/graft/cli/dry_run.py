"""``graft sync --dry-run``: the dry run, and what it prints (decision 149).

Stdout: the plan's actions when the store holds every wheel chosen (:mod:`graft.sync_dry`),
else one line per distribution naming the file chosen and how the sync would get it
(``download``, ``cached``, ``local``, ``built``, ``build``); a ``#`` line of counts last.
Stderr (unless ``-q``): the warnings, and what the venv would gain and lose as a sync lists
it (``uv pip install --dry-run``'s `` + name==version``); ``would make no changes`` for a venv
in sync. ``--json``: one object (the plan's keys when there is a plan, with ``planned``,
``in_sync``, ``changes``, ``venv_changes``, ``download`` and ``plugins_not_run``).

A dry run says what the sync would change of the venv itself (decision 160), refuses what
the sync would refuse, with the same line (decision 161), and asks an allowed variant
provider plugin only in a provider venv made already: it makes none, and warns of each it
would need (decision 162).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping, Sequence

    from graft.cli.variants_cmd import Plugins
    from graft.model.sync_request import SyncRequest
    from graft.plan.collision import Collision
    from graft.sync_dry import DryRun
    from graft.sync_offered import Offered


def run_dry(
    args: argparse.Namespace, request: SyncRequest, plugins: Plugins, said: Sequence[str] = ()
) -> int:
    """The dry run of *request*, printed; exit status 0 (an error is raised for ``main``).

    *plugins*: the variant provider plugins the request runs, whose notes ``-v`` prints;
    *said*: warnings of the command line's own, first.
    """
    from graft.cli.error_output import build_output  # noqa: PLC0415
    from graft.errors import BuildError  # noqa: PLC0415
    from graft.sync import dry_run  # noqa: PLC0415

    try:
        result = dry_run(request)
    except BuildError as exc:  # (a metadata hook's, or a named source's build)
        build_output(args, exc)
        raise
    collisions = () if result.plan is None else result.plan.collisions
    notes = (*plugins.notes, *result.notes)
    unmade = plugins.unmade  # (decision 162: a dry run makes no provider venv)
    warned = (*said, *result.warnings, *result.said, *(_not_run(*item) for item in unmade))
    print_said(args, notes, result.timings, warned, collisions)
    if args.json:
        out = as_json(result)
        out["plugins_not_run"] = [
            {"namespace": namespace, "requires": list(requires), "venv": venv}
            for namespace, requires, venv in unmade
        ]
        print(json.dumps(out, indent=2, sort_keys=True))
        return 0
    _render(result)
    if result.left_out and not args.quiet:  # (as pip's --only-deps leaves them: decision 445)
        left = ", ".join(result.left_out)
        print(f"graft: would leave out (--only-deps): {left}", file=sys.stderr)
    if not args.quiet:
        from graft.cli.noop import render_changes  # noqa: PLC0415

        render_changes(result.changes(), result.venv_changes)
        if result.in_sync:
            print(f"graft: would make no changes: {result.prefix} is in sync", file=sys.stderr)
    return 0


def _not_run(namespace: str, requires: tuple[str, ...], venv: str) -> str:
    """The warning of an allowed provider plugin a dry run could not ask (no provider venv)."""
    return (
        f"variant provider {namespace}: its plugin ({', '.join(requires)}) has no provider venv;"
        f" a sync would install it into {venv} and ask it, this dry run chose as if it"
        " supported nothing"
    )


def as_json(result: DryRun) -> dict[str, Any]:
    """The dry run as one JSON object: the plan's keys (when known) and what it would change.

    ``distributions`` are the plan's (name, version, wheel, sha256, requested) with how the
    sync would get each file (``fetch``) and its ``size``; an sdist to build has ``wheel``
    None and its file under ``sdist``. Without a plan, ``actions``, ``collisions`` and
    ``stats`` are left out and ``not_planned`` says why.
    """
    count, size = result.downloads()
    out: dict[str, Any] = {
        "prefix": result.prefix,
        "python": result.python,
        "link_mode": result.link_mode,
        "planned": result.plan is not None,
        "in_sync": result.in_sync,
        "changes": result.changes(),
        "venv_changes": list(result.venv_changes),
        "download": {"wheels": count, "bytes": size},
    }
    rows = {o.filename: _row(o) for o in result.offered}
    if result.plan is None:
        out["not_planned"] = result.unplanned
        out["distributions"] = list(rows.values())
    else:
        plan = result.plan.to_dict()
        for item in plan["distributions"]:
            offered = rows.get(item["wheel"], {})
            item.update(fetch=offered.get("fetch"), size=offered.get("size"))
        out.update(plan)
    if result.left_out:  # --only-deps (decision 445)
        out["left_out"] = list(result.left_out)
    if result.variants:  # PEP 825: the variant choice per release, only when there was one
        out["variants"] = list(result.variants)
    return out


def _row(o: Offered) -> dict[str, Any]:
    build = o.fetch == "build"
    return {
        "name": o.name,
        "version": o.version,
        "wheel": None if build else o.filename,
        **({"sdist": o.filename} if build else {}),
        "sha256": o.sha256,
        "requested": o.requested,
        "fetch": o.fetch,
        "size": o.size,
    }


def _shown(o: Offered) -> str:
    """A row's file; a source tree to build as its project and where (decision 443)."""
    if o.fetch != "build" or o.filename.endswith((".tar.gz", ".zip")):
        return o.filename
    return f"{o.label} from {o.filename}"


def _render(result: DryRun) -> None:
    """Stdout: the plan's actions or the files chosen, then the counts."""
    from graft._counted import counted  # noqa: PLC0415
    from graft.cli.store_cmd import human  # noqa: PLC0415

    count, size = result.downloads()
    download = ""
    if count:
        download = f"{counted(count, 'wheel')} to download"
        download += f" ({human(size)})" if size is not None else " (size unknown)"
    distributions = counted(len(result.offered), "distribution")
    plan = result.plan
    if plan is None:
        for o in result.offered:
            sized = f" ({human(o.size)})" if o.fetch == "download" and o.size is not None else ""
            print(f"{o.fetch:15} {_shown(o)}{sized}")
        parts = [distributions, download, f"not planned: {result.unplanned}"]
        print("# " + ", ".join(part for part in parts if part))
        return
    for action in plan.actions:
        source = getattr(action, "source", "")
        print(f"{action.kind:15} {action.dest}" + (f" -> {source}" if source else ""))
    parts = [
        counted(len(plan.distributions), "distribution"),
        counted(plan.links, "link"),
        counted(plan.directories, "directory", "directories"),
        f"{counted(plan.files_served, 'file')} served",
        download,
    ]
    print("# " + ", ".join(part for part in parts if part))


def print_said(
    args: argparse.Namespace,
    notes: Sequence[str],
    timings: Mapping[str, float],
    warnings: Sequence[str],
    collisions: Sequence[Collision],
) -> None:
    """A sync's or dry run's timings and *notes* (-v), *warnings* and collisions (not -q)."""
    if args.verbose:
        stages = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items())
        print(f"graft: timings: {stages}", file=sys.stderr)
        for note in notes:
            print(f"graft: {note}", file=sys.stderr)
    if not args.quiet:
        for warning in warnings:
            print(f"graft: warning: {warning}", file=sys.stderr)
        if args.collisions == "warn":
            for collision in collisions:
                print(f"graft: warning: collision: {collision.describe()}", file=sys.stderr)
