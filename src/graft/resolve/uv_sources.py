"""What ``[tool.uv.sources]`` of a named project says of a dependency no index has: a hint.

``[tool.uv.sources]`` and ``[tool.uv.workspace]`` are uv's configuration: ``uv pip install
-e ./app`` takes ``lib = { path = "../lib" }`` or ``{ workspace = true }`` from them, pip
reads neither, and neither does graft (decision 115: graft reads no pip or uv setting).
A sync of ``app`` then finds no project ``lib`` on the index; :func:`hint` names where uv
would have taken it, as what to give graft instead (``-e /abs/lib``, ``lib @ git+URL``,
``--extra-index-url``), so the refusal says how to proceed (decision 171).
"""

from __future__ import annotations

import glob
import os
from typing import TYPE_CHECKING, Any

from graft._fs import load_toml, toml_table

if TYPE_CHECKING:
    from collections.abc import Iterable

    from graft.model.requirements import Wanted


def hint(missing: Iterable[str], wanted: Iterable[Wanted]) -> str | None:
    """Where uv would take the first of *missing* from, per a named directory's pyproject."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    names = {canonicalize_name(n) for n in missing}
    for w in wanted:
        if w.source is None or not os.path.isdir(w.source):
            continue
        pyproject = _load(os.path.join(w.source, "pyproject.toml"))
        uv = toml_table(toml_table(pyproject, "tool"), "uv")
        for key, given in toml_table(uv, "sources").items():
            if canonicalize_name(key) not in names:
                continue
            entry = given[0] if isinstance(given, list) and given else given  # (by marker)
            said = _source(key, entry, w.source, uv) if isinstance(entry, dict) else None
            where = os.path.join(w.source, "pyproject.toml")
            return (
                f"{where} names {key} in [tool.uv.sources], which uv reads and graft does not:"
                f" {said or 'give graft its source yourself'}"
            )
    return None


def _source(name: str, entry: dict[str, Any], project: str, uv: dict[str, Any]) -> str | None:
    """What to give graft for one ``[tool.uv.sources]`` entry of the project at *project*."""
    if isinstance(entry.get("path"), str):
        path = os.path.normpath(os.path.join(os.path.abspath(project), entry["path"]))
        return f"add {'-e ' if entry.get('editable') else ''}{path}"
    if entry.get("workspace") is True:
        member = _member(name, project)
        return f"add -e {member}" if member else "add -e DIR of the workspace member"
    if isinstance(entry.get("git"), str):
        rev = next(
            (entry[k] for k in ("rev", "tag", "branch") if isinstance(entry.get(k), str)), ""
        )
        sub = f"#subdirectory={entry['subdirectory']}" if entry.get("subdirectory") else ""
        return f"add '{name} @ git+{entry['git']}{'@' + rev if rev else ''}{sub}'"
    if isinstance(entry.get("url"), str):
        return f"add '{name} @ {entry['url']}'"
    if isinstance(entry.get("index"), str):
        for index in uv.get("index", []) if isinstance(uv.get("index"), list) else []:
            if isinstance(index, dict) and index.get("name") == entry["index"]:
                return f"pass --extra-index-url {index.get('url')}"
    return None


def _member(name: str, project: str) -> str | None:
    """The directory of workspace member *name*: ``[tool.uv.workspace]`` above *project*."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    here = os.path.abspath(project)
    while True:
        workspace = toml_table(
            toml_table(_load(os.path.join(here, "pyproject.toml")), "tool"), "uv"
        )
        members = toml_table(workspace, "workspace").get("members")
        for pattern in members if isinstance(members, list) else []:
            for folder in sorted(glob.glob(os.path.join(here, str(pattern)))):
                table = toml_table(_load(os.path.join(folder, "pyproject.toml")), "project")
                found = table.get("name")
                if isinstance(found, str) and canonicalize_name(found) == canonicalize_name(name):
                    return folder
        up = os.path.dirname(here)
        if up == here:
            return None
        here = up


def _load(path: str) -> dict[str, Any]:
    """A pyproject.toml, or nothing when there is none or it does not parse (only a hint)."""
    if not os.path.isfile(path):
        return {}
    from graft.errors import SourceError  # noqa: PLC0415

    try:
        return load_toml(path)
    except SourceError:
        return {}
