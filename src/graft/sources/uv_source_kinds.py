"""The kinds of a ``[tool.uv.sources]`` entry, and what graft takes for each (decision 369).

An :class:`Entry` is one table of ``[tool.uv.sources]`` with the directory it is read from.
Its kind is the key it names: ``path`` (a directory, editable or not, or a file),
``workspace = true`` (a member of the ``[tool.uv.workspace]`` above it,
:mod:`graft.sources.uv_workspace`), ``git`` (with ``rev``, ``tag`` or ``branch`` and a
``subdirectory``), ``url``, or ``index`` (the ``[[tool.uv.index]]`` it names:
:func:`index_url`, decision 372). :func:`wanted` is the requirement an entry makes of a
dependency, as ``uv pip install`` 0.13.9 lowers it; :func:`to_give` what to give graft on the
command line instead, where ``--no-sources`` leaves it unread.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graft._toml import toml_table
from graft.errors import SourceError
from graft.sources.uv_workspace import load_pyproject, member

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from graft.model.requirements import Wanted


@dataclass(frozen=True)
class Entry:
    """One ``[tool.uv.sources]`` entry: its table and the directory its paths are read from."""

    key: str  # the name as written
    table: tuple[tuple[str, Any], ...]
    base: str  # the directory of the pyproject.toml that says it
    root: str  # the workspace root (the project's own directory when it has none)
    project: str = ""  # the project's directory, whose sources these are ("": *base*)

    @property
    def where(self) -> str:
        """The entry, for an error or a requirement's origin."""
        return f"{os.path.join(self.base, 'pyproject.toml')}: [tool.uv.sources].{self.key}"

    def get(self, key: str) -> Any:
        """The value of *key* in the entry's table."""
        return dict(self.table).get(key)


def wanted(req: Requirement, entry: Entry, marker: str | None, own: str | None = None) -> Wanted:
    """The requirement one entry makes of *req*: a directory, a file, a repository or a URL.

    *own*: the entry's own marker, normalized (an ``index`` entry keeps it apart: its scope
    in a lock, ``Wanted.index_marker``).
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.sources.requirements import parse_spec, source_path  # noqa: PLC0415

    name = canonicalize_name(req.name)
    extras = frozenset(canonicalize_name(e) for e in req.extras)
    head = f"{name}[{','.join(sorted(extras))}]" if extras else name
    where = entry.where
    editable = entry.get("editable")
    if editable is not None and not isinstance(editable, bool):
        raise SourceError("editable is true or false", where=where)
    path = entry.get("path")
    if entry.get("workspace") is True:
        path = member(name, entry.root)
        if path is None:
            raise SourceError(
                f"{entry.key} = {{ workspace = true }}, but no member of the workspace at"
                f" {entry.root} is named {entry.key}",
                where=where,
                hint="add its directory to [tool.uv.workspace] members, or pass --no-sources",
            )
        editable = True if editable is None else editable  # (uv: members are editable)
    if isinstance(path, str):
        local = os.path.normpath(os.path.join(entry.base, os.path.expanduser(path)))
        if os.path.isdir(local):
            return source_path(
                local, where, editable=bool(editable), name=name, extras=extras, marker=marker
            )
        if not os.path.isfile(local):
            raise SourceError(f"{local}: no such file or directory", where=where)
        if editable:
            raise SourceError(f"{local} is a file: only a directory is editable", where=where)
        from pathlib import Path  # noqa: PLC0415

        return marked(parse_spec(f"{head} @ {Path(local).as_uri()}", where), marker)
    if isinstance(entry.get("git"), str):
        return marked(parse_spec(f"{head} @ {git_url(entry)}", where, base=None), marker)
    if isinstance(entry.get("url"), str):
        sub = entry.get("subdirectory")
        url = entry.get("url") + (f"#subdirectory={sub}" if sub else "")
        return marked(parse_spec(f"{head} @ {url}", where, base=None), marker)
    if isinstance(entry.get("index"), str):  # the requirement as written, from that index
        plain = parse_spec(f"{head}{req.specifier}", where, base=None)  # (marker: *marker*)
        pinned = dataclasses.replace(plain, index=index_url(entry), index_marker=own)
        return marked(pinned, marker)
    raise SourceError("a source names a path, workspace = true, git, url or index", where=where)


def git_url(entry: Entry) -> str:
    """A ``git`` entry as pip's URL: ``git+URL@REV#subdirectory=DIR`` (rev, tag or branch)."""
    rev = next((entry.get(k) for k in ("rev", "tag", "branch") if entry.get(k)), None)
    sub = entry.get("subdirectory")
    return (
        f"git+{entry.get('git')}"
        + (f"@{rev}" if rev else "")
        + (f"#subdirectory={sub}" if sub else "")
    )


def marked(wanted: Wanted, marker: str | None) -> Wanted:
    """*wanted* with *marker* (None: as it is)."""
    return wanted if marker is None else dataclasses.replace(wanted, marker=marker)


def declared_index(entry: Entry) -> tuple[dict[str, Any] | None, list[str]]:
    """The ``[[tool.uv.index]]`` an ``index`` entry names, and every name declared.

    The project's own declarations first, then its workspace root's, whichever of them
    says the entry (as uv 0.13.9 finds them: a member's index of the root's name is the
    member's, for the root's entries too).
    """
    names: list[str] = []
    for folder in dict.fromkeys((entry.project or entry.base, entry.root)):
        indexes = toml_table(toml_table(load_pyproject(folder), "tool"), "uv").get("index")
        for index in indexes if isinstance(indexes, list) else []:
            if not isinstance(index, dict) or not isinstance(index.get("name"), str):
                continue
            if index["name"] == entry.get("index"):
                return index, names
            names.append(index["name"])
    return None, names


def index_url(entry: Entry) -> str:
    """The URL of the ``[[tool.uv.index]]`` an ``index`` entry names (decision 372).

    Refused in one line naming the entry: an index not declared (as uv refuses it), one
    without a ``url``, a ``format = "flat"`` one (a find-links page, which graft reads only
    as ``--find-links``), a URL that is not ``http(s)://`` or ``file://`` (uv reads a
    relative path from the current directory, not from the pyproject.toml's).
    """
    name = entry.get("index")
    index, names = declared_index(entry)
    said = f'{entry.key} = {{ index = "{name}" }}'
    if index is None:
        declared = ", ".join(dict.fromkeys(names)) or "none"
        raise SourceError(
            f"{said}, but no [[tool.uv.index]] is named {name} (declared: {declared})",
            where=entry.where,
            hint="declare it, with its url, in [[tool.uv.index]], or pass --no-sources",
        )
    url = index.get("url")
    if not isinstance(url, str):
        raise SourceError(f"{said}: [[tool.uv.index]] {name} has no url", where=entry.where)
    if index.get("format", "simple") != "simple":
        raise SourceError(
            f"{said}: [[tool.uv.index]] {name} is a flat index (format ="
            f" {index.get('format')!r}), which graft reads only as --find-links",
            where=entry.where,
            hint=f"pass --no-sources with --find-links {url}",
        )
    if not url.startswith(("http://", "https://", "file://")):
        raise SourceError(
            f"{said}: [[tool.uv.index]] {name}'s url {url!r} is not an http://, https:// or"
            " file:// URL (uv reads a relative path from the current directory)",
            where=entry.where,
            hint="write it as an absolute URL",
        )
    return url


def to_give(name: str, entry: Entry) -> str | None:
    """What to give graft for one entry, on the command line."""
    if isinstance(entry.get("path"), str):
        path = os.path.normpath(os.path.join(entry.base, entry.get("path")))
        return f"add {'-e ' if entry.get('editable') else ''}{path}"
    if entry.get("workspace") is True:
        folder = member(name, entry.root)
        return f"add -e {folder}" if folder else "add -e DIR of the workspace member"
    if isinstance(entry.get("git"), str):
        return f"add '{name} @ {git_url(entry)}'"
    if isinstance(entry.get("url"), str):
        return f"add '{name} @ {entry.get('url')}'"
    if isinstance(entry.get("index"), str):
        index = declared_index(entry)[0]
        url = index.get("url") if index is not None else None
        return f"pass --extra-index-url {url}" if isinstance(url, str) else None
    return None
