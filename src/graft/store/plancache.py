"""Plans kept in the store, keyed by everything a plan is a function of.

The planner is pure and store entries are immutable, so the plan for one set of
entries, one target, one venv layout (less its prefix) and one policy never
changes: only the prefix differs between venvs, and a plan holds no
prefix-dependent byte (launchers are rendered by the materializer). A warm sync
of a known set therefore loads its plan instead of reading every wheel record
and planning again.

The cache is an optimisation, never a source of truth: an unreadable or
inconsistent file is ignored (and rebuilt), a key includes the planner's own
code, and ``graft store gc`` empties the cache whenever it removes an entry.
A kept plan is also untrusted input: it may write only the planner's ``.dist-info``
files and launchers whose body is the planner's for their entry point, link only
from store entries, and never outside the venv.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import TYPE_CHECKING, Any

from graft._atomic import write_atomic
from graft.plan.flat import compile_plan
from graft.plan.kept_checks import (
    checked_dest,
    checked_file,
    checked_launcher,
    checked_source,
    expected_launcher_body,
)
from graft.plan.types import (
    CopyFile,
    InstallScript,
    LinkDir,
    LinkFile,
    MakeDir,
    Plan,
    PlannedDistribution,
    RecordRow,
    WriteFile,
    WriteLauncher,
    WriteRecord,
)
from graft.store.paths import PLAN_FORMAT, flat_file, record_text_file

if TYPE_CHECKING:
    from graft.plan.collision import Collision
    from graft.plan.types import Action

FORMAT = PLAN_FORMAT


def plans_dir(store_root: str) -> str:
    """The directory of kept plans and resolution memos: ``<store>/plans``."""
    return os.path.join(store_root, "plans")


def plan_path(store_root: str, key: str) -> str:
    """The file of the plan kept under *key*."""
    return os.path.join(plans_dir(store_root), f"{key}.json")


def flat_path(store_root: str, key: str) -> str:
    """The file of the flat form (:mod:`graft.plan.flat`) of the plan kept under *key*."""
    return flat_file(store_root, key)


def save(store_root: str, key: str, plan: Plan) -> None:
    """Keep *plan* and its flat form under *key* (best effort: a full disk costs a replan)."""
    directory = plans_dir(store_root)
    try:
        os.makedirs(directory, exist_ok=True)
        write_atomic(plan_path(store_root, key), json.dumps(_encode(plan)))
    except OSError:
        return
    save_flat(store_root, key, plan)


def save_flat(store_root: str, key: str, plan: Plan) -> None:
    """Keep the flat form of *plan* (kept under *key*) beside it (best effort).

    Its RECORDs' texts first, each once (named by its SHA-256), then the form that names them.
    """
    flat = compile_plan(plan)
    try:
        for digest, text in flat.texts.items():
            path = record_text_file(store_root, digest)
            if not os.path.isfile(path):
                write_atomic(path, text)
        write_atomic(flat_path(store_root, key), json.dumps(flat.to_json()))
    except OSError:
        return


def load(store_root: str, key: str, prefix: str, python: str) -> Plan | None:
    """The plan kept under *key*, re-targeted at *prefix*; None if absent or unreadable."""
    try:
        with open(plan_path(store_root, key), encoding="utf-8") as fh:
            raw = json.load(fh)
        if raw.get("format") != FORMAT:
            return None
        return _decode(raw, prefix, python, os.path.join(store_root, "entries") + os.sep)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _encode(plan: Plan) -> dict[str, Any]:
    wheels = {d.wheel: i for i, d in enumerate(plan.distributions)}
    return {
        "format": FORMAT,
        "link_mode": plan.link_mode,
        "files_served": plan.files_served,
        "distributions": [dataclasses.astuple(d) for d in plan.distributions],
        "collisions": [[c.path, c.winner, list(c.losers), c.reason] for c in plan.collisions],
        "actions": [_encode_action(a, wheels) for a in plan.actions],
    }


def _encode_action(action: Action, wheels: dict[str, int]) -> list[Any]:
    if isinstance(action, MakeDir):
        return [action.kind, action.dest]
    wheel = wheels[action.wheel]
    if isinstance(action, LinkDir | LinkFile | CopyFile | InstallScript):
        return [action.kind, action.dest, wheel, action.source]
    if isinstance(action, WriteFile):
        return [
            action.kind,
            action.dest,
            wheel,
            action.content.decode("latin-1"),
            action.executable,
        ]
    if isinstance(action, WriteLauncher):
        body = action.body.decode("latin-1")
        return [action.kind, action.dest, wheel, action.name, action.value, action.group, body]
    return [action.kind, action.dest, wheel, action.text, [list(r) for r in action.pending]]


def _decode(raw: dict[str, Any], prefix: str, python: str, entries: str) -> Plan:
    """The actions of a kept plan; ValueError (so: replan) on anything a planner cannot make."""
    distributions = tuple(PlannedDistribution(*d) for d in raw["distributions"])
    names = [d.wheel for d in distributions]
    actions: list[Action] = []
    for kind, raw_dest, *rest in raw["actions"]:
        dest = checked_dest(raw_dest)
        if kind in {"link_dir", "link_file", "copy_file", "install_script"}:
            rest[1] = checked_source(rest[1], entries)
            if kind != "link_dir" and rest[1].rpartition("/")[2] != dest.rpartition("/")[2]:
                raise ValueError(dest)  # a file keeps its name (a module never becomes a .pth)
        if kind == "mkdir":
            actions.append(MakeDir(dest))
            continue
        wheel = names[rest[0]]
        if kind == "link_dir":
            actions.append(LinkDir(dest, rest[1], wheel))
        elif kind == "link_file":
            actions.append(LinkFile(dest, rest[1], wheel))
        elif kind == "copy_file":
            actions.append(CopyFile(dest, rest[1], wheel))
        elif kind == "install_script":
            actions.append(InstallScript(dest, rest[1], wheel))
        elif kind == "write_file":
            content = checked_file(dest, rest[1].encode("latin-1"))
            actions.append(WriteFile(dest, content, wheel, bool(rest[2])))
        elif kind == "write_launcher":
            body = checked_launcher(rest[2], rest[4].encode("latin-1"))
            actions.append(WriteLauncher(dest, rest[1], rest[2], rest[3], body, wheel))
        elif kind == "write_record":
            pending = tuple(RecordRow(r[0], r[1], r[2], checked_dest(r[3])) for r in rest[2])
            actions.append(WriteRecord(dest, rest[1], pending, wheel))
        else:
            raise ValueError(kind)
    return Plan(
        prefix=prefix,
        python=python,
        link_mode=raw["link_mode"],
        distributions=distributions,
        actions=tuple(actions),
        collisions=_collisions(raw["collisions"]),
        files_served=int(raw["files_served"]),
    )


def _collisions(raw: list[Any]) -> tuple[Collision, ...]:
    """A kept plan's collisions (a plan rarely has one: the class is made on first use)."""
    if not raw:
        return ()
    from graft.plan.collision import Collision  # noqa: PLC0415

    return tuple(Collision(p, w, tuple(losers), r) for p, w, losers, r in raw)


__all__ = [
    "expected_launcher_body",
    "flat_path",
    "load",
    "plan_path",
    "plans_dir",
    "save",
    "save_flat",
]
