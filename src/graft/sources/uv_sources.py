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
``lib @ file:///abs/lib-1.0.whl``; each kind's in :mod:`graft.sources.uv_source_kinds`, a
workspace's members in :mod:`graft.sources.uv_workspace`), the source's marker and-ed with
the requirement's, and the requirement itself where no entry's marker holds, as uv lowers
them. An ``index`` entry
keeps the requirement as written, with the URL of the ``[[tool.uv.index]]`` it names
(``Wanted.index``): that project is then asked of that index alone (:func:`index_pins`,
``graft.sources.indexes.Indexes``; decision 372). ``--no-sources`` (or
``UV_NO_SOURCES``) leaves them unread; a sync that then finds no project a source names
says what to give graft instead (:func:`hint`).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft._toml import toml_table
from graft.errors import SourceError
from graft.sources.uv_source_kinds import Entry, marked, to_give, wanted
from graft.sources.uv_workspace import load_pyproject, workspace_root

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from packaging.requirements import Requirement

    from graft.model.requirements import Wanted


@dataclass(frozen=True)
class Sources:
    """The ``[tool.uv.sources]`` a project directory's requirements are read with."""

    entries: tuple[tuple[str, tuple[Entry, ...]], ...]  # by canonical name
    read: tuple[str, ...]  # the pyproject.toml files read for them (watched by the stamps)

    def named(self, name: str) -> tuple[Entry, ...]:
        """The entries for project *name* (canonical); none when it has no source."""
        return dict(self.entries).get(name, ())


def sources_of(
    project: str, unread: frozenset[str] = frozenset(), digests: dict[str, str] | None = None
) -> Sources:
    """The sources of the project in directory *project*: its own over its workspace root's.

    None for a project in *unread* (``--no-sources-package``'s, canonical: decision 403).
    With *digests* (``Inputs.digests``), the sha256 of each pyproject.toml read goes into it
    (decision 464).
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    root = workspace_root(project, digests)
    here = os.path.abspath(project)
    read = [os.path.join(f, "pyproject.toml") for f in (project, root) if f is not None]
    by_name: dict[str, tuple[Entry, ...]] = {}
    for folder in dict.fromkeys([p for p in (root, os.path.abspath(project)) if p]):
        uv = toml_table(toml_table(load_pyproject(folder, digests), "tool"), "uv")
        table = toml_table(uv, "sources")
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
            return [wanted(req, entry, _and(markers))]
        out.append(wanted(req, entry, _and([*markers, own]), _and([own])))
    if not out:
        return None
    if under is None:  # the requirement as written too
        from graft.sources.requirements import parse_spec  # noqa: PLC0415

        plain = parse_spec(str(req).split(";")[0].strip(), out[0].where, base=None)
        out.append(marked(plain, str(req.marker) if req.marker else None))
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
            given = to_give(name, entry)
            return (
                f"{entry.where} names {entry.key}, which {option} leaves unread:"
                f" {given or 'give graft its source yourself'}"
            )
    return None
