"""The change stamps left after a successful full ``graft sync``, with the standard library.

:func:`keep` writes the stamps :mod:`graft.cli.changestamp` reads (the venv's own, and the
one for new venvs) only after checking that reading: the same files read through the new
stamp must give the ``graft-inputs`` and plan key the full path just gave the venv, and every
pair of specifier and version must hold. Its rows (:func:`_rows`) are the pin record and its
context, the policy's word on every project, the inputs' preimage, the plan key's other
parts, the venv template, the interpreter ``--python`` found, the store's ownership as the
full path checked it, and the vouchers of the sdists' wheels (:mod:`graft.cli.vouchers`).
"""

from __future__ import annotations

import json
import os

from graft.cli import flat_build, vouchers
from graft.cli.changestamp import (
    PAIRS_KEPT,
    Chosen,
    command,
    for_new_venvs,
    meets,
    reading_of,
    stamp,
    steps_for,
    write,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from graft.sync_result import SyncResult


def keep(argv: list[str], result: SyncResult, *, python: str | None, kept: bool) -> None:
    """After a successful full sync: the change stamps, if they read its inputs alike.

    Best effort, and only when :func:`graft.cli.changestamp.read` gives the ``graft-inputs``
    and plan key the full path just gave the venv, and every pair it checks holds. The venv's
    own stamp, and the one for new venvs unless the sync *kept* the venv's interpreter
    (without ``--python`` a new venv gets graft's own). Not after a sync that found the venv
    in sync (the stamp stays as the last change left it). The files and the pin record are
    read once for both.
    """
    parsed = command(argv)
    given = _rows(result, python)
    if parsed is None or given is None:
        return
    from graft._home import cache_root  # noqa: PLC0415
    from graft.venv.state import recorded_state  # noqa: PLC0415

    plan_key = recorded_state(result.prefix).get("graft-plan", "").partition(" ")[0]
    _venv, files, masked = parsed
    try:
        found = steps_for({row[0]: [row[1:]] for row in given}, files, None)
        # the wheel each sdist gave, and what its lookup read (none without sdists)
        vouched = None if found is None else vouchers.make(result, found[0], cache_root())
    except (KeyError, IndexError, ValueError, TypeError, OSError):
        return  # (a record unlike what the change stamp reads: no stamp)
    if found is None or vouched is None or not plan_key:
        return
    for line in (masked, *(() if kept else (for_new_venvs(masked),))):
        if not _keep_one(line, (given, vouched), found, result, plan_key):
            return


def _keep_one(
    line: list[str],
    given: tuple[list[list[str]], list[list[str]]],
    found: Chosen,
    result: SyncResult,
    plan_key: str,
) -> bool:
    """The stamp of the command *line*, if it reads the files alike; whether it was written.

    *given*: its rows from the sync, and the vouchers the sync gave for its sdists; *found*:
    the steps the files' pins chose, and the pairs they must meet.
    """
    found_stamp = stamp(line)
    if found_stamp is None:
        return False
    key, before = found_stamp
    try:
        rows = [["key", key], *given[0], *vouchers.merged(before, given[1])]
        table: dict[str, list[list[str]]] = {}
        for name, *values in rows:
            table.setdefault(name, []).append(values)
        table["met"] = before.get("met", [])
        read_now = reading_of(table, *found, result.prefix)
        if read_now is None:
            return False
        reading, unseen = read_now
        if reading.inputs != result.inputs or reading.plan != plan_key or not meets(unseen):
            return False  # (the change stamp's reading differs: the full path every time)
    except (KeyError, IndexError, ValueError, TypeError, OSError):
        return False  # (a record unlike what the change stamp reads: no stamp)
    met = [*before.get("met", []), *map(list, sorted(unseen))][-PAIRS_KEPT:]
    write(line, [*rows, *(["met", *pair] for pair in met)])
    return True


def _rows(result: SyncResult, python: str | None) -> list[list[str]] | None:
    """The stamp's rows for *result*, but its key; None unless it made a plan from a record."""
    plan, record, form = result.plan, result.pin_record, result.inputs_form
    if plan is None or record is None or form is None or result.template is None:
        return None
    head = json.loads(form)[0]  # graft, the interpreter, its version, the store, ...
    path, context, word = record
    store = str(head[3])
    return [
        ["store", store],
        ["interpreter", python or "", str(head[1])],
        ["record", path, context],
        ["word", word],
        ["python", str(head[2])],
        ["head", json.dumps(head)],
        ["parts", json.dumps(list(result.plan_parts))],
        ["template", result.template],
        ["venv-python", os.path.relpath(plan.python, result.prefix)],
        *(["site", site] for site in dict.fromkeys(result.site_dirs)),
        ["euid", str(os.geteuid()), os.path.realpath(store)],
        *(["trust", p, *flat_build.facts_of(p)] for p in flat_build.trust_paths(store)),
    ]


__all__ = ["keep"]
