"""``[tool.uv.sources]``, read as ``uv pip install`` reads them (decisions 171, 369).

A project directory's ``pyproject.toml`` may say where a dependency comes from: ``lib = {
path = "../lib", editable = true }``, ``lib = { workspace = true }`` (a member of the
``[tool.uv.workspace]`` above it), ``{ git = URL, rev|tag|branch, subdirectory }``, ``{ url
= URL }``, ``{ index = NAME }``, or a list of them with a ``marker`` each; an ``extra`` or
``group`` key keeps an entry to the requirements of that extra or dependency group. ``uv pip
install`` 0.13.9 applies them to the project's ``[project].dependencies``, its extras and
groups, to ``-r pyproject.toml``, to a path dependency's own requirements in turn, and a
workspace root's sources to its members (a member's own entry for the same name first).
:func:`sources_of` reads them, and :func:`lowered` turns a requirement they name into what
graft takes for it (``-e /abs/lib``, ``lib @ git+URL@REV#subdirectory=…``, ``lib @ URL``,
``lib @ file:///abs/lib-1.0.whl``), the source's marker and-ed with the requirement's, and
the requirement itself where no entry's marker holds, as uv lowers them. An ``index`` entry
keeps the requirement as written, with the URL of the ``[[tool.uv.index]]`` it names
(``Wanted.index``): that project is then asked of that index alone (:func:`index_pins`,
``graft.sources.indexes.Indexes``; decision 372). ``--no-sources`` (or
``UV_NO_SOURCES``) leaves them unread; a sync that then finds no project a source names
says what to give graft instead (:func:`hint`).
"""

from __future__ import annotations

import dataclasses
import glob
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graft._fs import load_toml, toml_table
from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

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


@dataclass(frozen=True)
class Sources:
    """The ``[tool.uv.sources]`` a project directory's requirements are read with."""

    entries: tuple[tuple[str, tuple[Entry, ...]], ...]  # by canonical name
    read: tuple[str, ...]  # the pyproject.toml files read for them (watched by the stamps)

    def named(self, name: str) -> tuple[Entry, ...]:
        """The entries for project *name* (canonical); none when it has no source."""
        return dict(self.entries).get(name, ())


def sources_of(project: str, unread: frozenset[str] = frozenset()) -> Sources:
    """The sources of the project in directory *project*: its own over its workspace root's.

    None for a project in *unread* (``--no-sources-package``'s, canonical: decision 403).
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    root = _workspace_root(project)
    here = os.path.abspath(project)
    read = [os.path.join(f, "pyproject.toml") for f in (project, root) if f is not None]
    by_name: dict[str, tuple[Entry, ...]] = {}
    for folder in dict.fromkeys([p for p in (root, os.path.abspath(project)) if p]):
        table = toml_table(toml_table(toml_table(_load(folder), "tool"), "uv"), "sources")
        for key, given in table.items():
            items = given if isinstance(given, list) else [given]
            entries = []
            for item in items:
                if not isinstance(item, dict):
                    raise SourceError(
                        "a source is a table (path, workspace, git, url or index)",
                        where=f"{os.path.join(folder, 'pyproject.toml')}: [tool.uv.sources].{key}",
                    )
                entry = Entry(key, tuple(item.items()), folder, root or folder, here)
                entries.append(entry)
            by_name[canonicalize_name(key)] = tuple(entries)  # (the member's over the root's)
    for name in unread:
        by_name.pop(name, None)
    files = tuple(dict.fromkeys(os.path.abspath(p) for p in read if os.path.isfile(p)))
    return Sources(tuple(by_name.items()), files)


def lowered(
    req: Requirement,
    sources: Sources,
    *,
    extra: str | None = None,
    group: str | None = None,
    under: Callable[[str], bool] | None = None,
) -> list[Wanted] | None:
    """What graft takes for *req* of a project whose sources are *sources*; None: as it is.

    *extra*, *group*: the optional dependency or group *req* is declared in (an entry with
    an ``extra`` or ``group`` key holds there alone). Each source keeps *req*'s extras and
    marker, and-ed with the entry's; where each entry has a marker, *req* itself is
    returned too (last): where none holds it is the index's, and where one does it meets
    that source, as any requirement meets a direct reference (PEP 508 markers have no
    ``not`` to write "elsewhere" with).

    *under*: *req* is a built wheel's Requires-Dist that holds (its marker evaluated by the
    caller), and *under(extra)* says whether it is declared under that extra; a ``group``
    entry never holds (groups are not in METADATA). Each source then has the entry's marker
    alone, and *req* is not returned (the wheel's METADATA keeps it for the resolver).
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    out: list[Wanted] = []
    for entry in sources.named(canonicalize_name(req.name)):
        kept, grouped = entry.get("extra"), entry.get("group")
        if grouped is not None and (under is not None or not _same(grouped, group)):
            continue
        if kept is not None and not (
            under(canonicalize_name(str(kept))) if under is not None else _same(kept, extra)
        ):
            continue
        markers = [str(req.marker)] if req.marker and under is None else []
        own = entry.get("marker")
        if own is not None and not isinstance(own, str):
            raise SourceError("marker is a string: a PEP 508 marker", where=entry.where)
        if own is None:  # (it holds wherever the requirement does: nothing is left over)
            return [_wanted(req, entry, _and(markers))]
        out.append(_wanted(req, entry, _and([*markers, own]), _and([own])))
    if not out:
        return None
    if under is None:  # the requirement as written too
        from graft.sources.requirements import parse_spec  # noqa: PLC0415

        plain = parse_spec(str(req).split(";")[0].strip(), out[0].where, base=None)
        out.append(_marked(plain, str(req.marker) if req.marker else None))
    return out


def _same(kept: object, asked: str | None) -> bool:
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    return asked is not None and canonicalize_name(str(kept)) == canonicalize_name(asked)


def _and(markers: list[str]) -> str | None:
    """The markers, each parenthesized and all and-ed, normalized (None: none)."""
    if not markers:
        return None
    from packaging.markers import InvalidMarker, Marker  # noqa: PLC0415

    text = " and ".join(f"({m})" for m in markers) if len(markers) > 1 else markers[0]
    try:
        return str(Marker(text))
    except InvalidMarker as exc:
        from graft.errors import first_line  # noqa: PLC0415

        raise SourceError(f"cannot parse the marker {text!r} ({first_line(exc)})") from None


def _wanted(req: Requirement, entry: Entry, marker: str | None, own: str | None = None) -> Wanted:
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
        path = _member(name, entry.root)
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

        return _marked(parse_spec(f"{head} @ {Path(local).as_uri()}", where), marker)
    if isinstance(entry.get("git"), str):
        return _marked(parse_spec(f"{head} @ {_git_url(entry)}", where, base=None), marker)
    if isinstance(entry.get("url"), str):
        sub = entry.get("subdirectory")
        url = entry.get("url") + (f"#subdirectory={sub}" if sub else "")
        return _marked(parse_spec(f"{head} @ {url}", where, base=None), marker)
    if isinstance(entry.get("index"), str):  # the requirement as written, from that index
        plain = parse_spec(f"{head}{req.specifier}", where, base=None)  # (marker: *marker*)
        pinned = dataclasses.replace(plain, index=index_url(entry), index_marker=own)
        return _marked(pinned, marker)
    raise SourceError("a source names a path, workspace = true, git, url or index", where=where)


def _git_url(entry: Entry) -> str:
    """A ``git`` entry as pip's URL: ``git+URL@REV#subdirectory=DIR`` (rev, tag or branch)."""
    rev = next((entry.get(k) for k in ("rev", "tag", "branch") if entry.get(k)), None)
    sub = entry.get("subdirectory")
    return (
        f"git+{entry.get('git')}"
        + (f"@{rev}" if rev else "")
        + (f"#subdirectory={sub}" if sub else "")
    )


def _marked(wanted: Wanted, marker: str | None) -> Wanted:
    return wanted if marker is None else dataclasses.replace(wanted, marker=marker)


def _declared(entry: Entry) -> tuple[dict[str, Any] | None, list[str]]:
    """The ``[[tool.uv.index]]`` an ``index`` entry names, and every name declared.

    The project's own declarations first, then its workspace root's, whichever of them
    says the entry (as uv 0.13.9 finds them: a member's index of the root's name is the
    member's, for the root's entries too).
    """
    names: list[str] = []
    for folder in dict.fromkeys((entry.project or entry.base, entry.root)):
        indexes = toml_table(toml_table(_load(folder), "tool"), "uv").get("index")
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
    index, names = _declared(entry)
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


def index_pins(
    pinned: Iterable[Wanted], envs: Sequence[Mapping[str, str]]
) -> tuple[dict[str, str], tuple[Wanted, ...]]:
    """Each project an ``index`` entry keeps to one index everywhere: its URL; and the others.

    *pinned*: the requirements those entries made (``Wanted.index``); one whose marker holds
    in none of *envs* (a sync's target, a lock's environments) keeps nothing. One that holds
    in some keeps its project to its index wherever its entry's own marker holds
    (``Wanted.index_marker``): the requirement's own marker does not narrow it, as ``uv
    lock`` 0.13.9 keeps it (decision 376). A project kept to its index in every environment
    is in the map (canonical name -> URL); one kept in some only, or to two indexes in two
    groups of them, is forked (``uv lock`` forks there): each such requirement is returned
    with its entry's marker as its own, the scope its index holds in (decision 377). A
    project kept to two indexes in one environment is refused in one line naming both
    entries.
    """
    from packaging.markers import Marker  # noqa: PLC0415

    kept: list[tuple[Wanted, list[bool]]] = []
    for w in pinned:
        if w.index is None:
            continue
        if not any(w.marker is None or Marker(w.marker).evaluate(dict(env)) for env in envs):
            continue
        scope = w.marker if len(envs) == 1 else w.index_marker  # (a sync: the target alone)
        kept.append((w, [scope is None or Marker(scope).evaluate(dict(env)) for env in envs]))
    for at in range(len(envs)):  # (one index per project in each environment)
        seen: dict[str, Wanted] = {}
        for w, holds in kept:
            other = seen.setdefault(w.name, w) if holds[at] else w
            if other.index != w.index:
                raise SourceError(
                    f"{w.name} is kept to {w.index} here, and to {other.index} by {other.where}",
                    where=w.where,
                    hint="a project comes from one index: name the same one",
                )
    everywhere: dict[str, str] = {}
    apart: list[Wanted] = []
    for name in dict.fromkeys(w.name for w, _ in kept):
        mine = [(w, holds) for w, holds in kept if w.name == name]
        if len({w.index for w, _ in mine}) == 1 and any(all(holds) for _, holds in mine):
            everywhere[name] = str(mine[0][0].index)
        else:
            apart += [dataclasses.replace(w, marker=w.index_marker) for w, _ in mine]
    return everywhere, tuple(dict.fromkeys(apart))


def _workspace_root(project: str) -> str | None:
    """The ``[tool.uv.workspace]`` whose member *project* is (or that it is), as uv finds it.

    The nearest directory at or above *project* with a ``[tool.uv.workspace]`` table; the
    project is its member when it is that directory, or matches a ``members`` glob and no
    ``exclude`` glob. None when the nearest one does not hold it, or there is none.
    """
    here = os.path.abspath(project)
    start = here
    while True:
        try:
            uv = toml_table(toml_table(_load(here), "tool"), "uv")
        except SourceError:  # (a broken pyproject.toml above the project: not its workspace)
            if here == start:
                raise
            uv = {}
        if "workspace" in uv:
            return here if here == start or _is_member(start, here, uv) else None
        up = os.path.dirname(here)
        if up == here:
            return None
        here = up


def _globbed(root: str, uv: dict[str, Any], key: str) -> list[str]:
    patterns = toml_table(uv, "workspace").get(key)
    return [
        os.path.normpath(folder)
        for pattern in (patterns if isinstance(patterns, list) else [])
        for folder in sorted(glob.glob(os.path.join(root, str(pattern))))
    ]


def _is_member(project: str, root: str, uv: dict[str, Any]) -> bool:
    members = _globbed(root, uv, "members")
    return project in members and project not in _globbed(root, uv, "exclude")


def _member(name: str, root: str) -> str | None:
    """The directory of workspace member *name* of the workspace at *root*."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    uv = toml_table(toml_table(_load(root), "tool"), "uv")
    excluded = _globbed(root, uv, "exclude")
    for folder in [root, *_globbed(root, uv, "members")]:
        if folder in excluded:
            continue
        found = toml_table(_load(folder), "project").get("name")
        if isinstance(found, str) and canonicalize_name(found) == canonicalize_name(name):
            return folder
    return None


def hint(
    missing: Iterable[str], wanted: Iterable[Wanted], unread: Iterable[str] | None = None
) -> str | None:
    """Where uv would take the first of *missing* from, per a named directory's sources.

    For a sync under ``--no-sources`` (or ``UV_NO_SOURCES``) that finds no such project, or
    under ``--no-sources-package`` (*unread*, canonical) for one it names (decision 403).
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    names = {canonicalize_name(n) for n in missing}
    option = "--no-sources"
    if unread is not None:
        names &= set(unread)
        option = "--no-sources-package"
    for w in wanted:
        if w.source is None or not os.path.isdir(w.source):
            continue
        try:
            sources = sources_of(w.source)
        except SourceError:
            continue
        for name, entries in sources.entries:
            if name not in names or not entries:
                continue
            entry = entries[0]  # (the first, by marker)
            said = _said(name, entry)
            return (
                f"{entry.where} names {entry.key}, which {option} leaves unread:"
                f" {said or 'give graft its source yourself'}"
            )
    return None


def _said(name: str, entry: Entry) -> str | None:
    """What to give graft for one entry, on the command line."""
    if isinstance(entry.get("path"), str):
        path = os.path.normpath(os.path.join(entry.base, entry.get("path")))
        return f"add {'-e ' if entry.get('editable') else ''}{path}"
    if entry.get("workspace") is True:
        member = _member(name, entry.root)
        return f"add -e {member}" if member else "add -e DIR of the workspace member"
    if isinstance(entry.get("git"), str):
        return f"add '{name} @ {_git_url(entry)}'"
    if isinstance(entry.get("url"), str):
        return f"add '{name} @ {entry.get('url')}'"
    if isinstance(entry.get("index"), str):
        index = _declared(entry)[0]
        url = index.get("url") if index is not None else None
        return f"pass --extra-index-url {url}" if isinstance(url, str) else None
    return None


def _load(folder: str) -> dict[str, Any]:
    """The pyproject.toml in *folder*; nothing when there is none.

    One that does not parse is the one-line error naming it.
    """
    path = os.path.join(folder, "pyproject.toml")
    return load_toml(path) if os.path.isfile(path) else {}
