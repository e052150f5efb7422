"""Direct URL dependencies of the sources a request names, followed before resolving.

A project directory's METADATA may name a dependency by URL: poetry-core writes a path
dependency (``lib = {path = "../lib"}``) as ``lib @ file:///abs/lib``, hatchling's
``lib @ {root:parent:uri}/lib`` becomes the same, and ``[project].dependencies`` may say
``lib @ file:///…`` or ``lib @ https://…/lib-1.0.tar.gz`` outright. pip installs such a
dependency from its URL, and so does ``uv pip install`` (its lookahead over local and URL
requirements). :func:`follow` reads the Requires-Dist of each named source's built wheel
(and of each wheel named by path), for the target's markers and the extras it is asked
with (an extra naming the project itself counted), and each URL requirement that holds
becomes one more named source (a dependency: no ``REQUESTED``), built in turn, until none is
new. A project named twice must be named by one location; a relative ``file:`` URL (which
has no directory to be relative to) is refused, as uv refuses it. The resolver then takes
a URL requirement on a project the request installs from a file of its own (a wheel
named or built: ``Policy.direct``); on any other project it is refused.

``graft lock`` follows a URL requirement that holds in any of its environments (*also*),
and gives each dependency found to the resolver as its project's only file where anything
needs it (decision 200): the requirement's marker is then the resolver's, per environment.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from packaging.requirements import Requirement
    from packaging.utils import NormalizedName

    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target


def with_url_dependencies(
    wanted: list[Wanted],
    target: Target,
    build: Callable[[list[Wanted]], tuple[list[Wanted], list[str]]],
    notes: list[str],
    *,
    uv_sources: bool,
    unread: frozenset[str] = frozenset(),
    inputs: Inputs,
) -> list[Wanted]:
    """A sync's *wanted* and the sources its wheels' URL requirements name, built (:func:`follow`).

    With *uv_sources*, those its projects' ``[tool.uv.sources]`` give too (but for the
    projects in *unread*); the files read for them join ``inputs.files_read`` (the memo and
    the stamps watch them), the requirements their ``index`` entries keep to one index
    ``inputs.pinned``. *build* builds named sources, its notes joining *notes*.
    """

    def build_more(found: list[Wanted]) -> list[Wanted]:
        more, said = build(found)
        notes.extend(said)
        return more

    read: list[str] = []
    out = follow(
        wanted,
        target,
        build_more,
        uv_sources=uv_sources,
        unread=unread,
        read=read,
        pinned=inputs.pinned,
        lowered=inputs.lowered,
        replaced=frozenset([*(o.name for o in inputs.overrides), *inputs.excludes]),
    )
    inputs.files_read += [p for p in read if p not in inputs.files_read]
    return out


def location(w: Wanted) -> str | None:
    """Where a named source or a wheel named by path or URL comes from; None for a name.

    A local path by its real path, so that ``-e ../lib`` and ``lib @ file:///…/lib`` are
    one location; a URL (an sdist's, a wheel's, a repository's) as written.
    """
    if w.source is not None:
        if w.source.startswith("git+") or "://" in w.source:
            return w.source
        return os.path.realpath(w.source)
    if w.url is not None:
        return w.url
    return None if w.path is None else os.path.realpath(w.path)


def follow(
    wanted: list[Wanted],
    target: Target,
    build: Callable[[list[Wanted]], list[Wanted]],
    *,
    also: Callable[[], Sequence[Mapping[str, str]]] | None = None,
    uv_sources: bool = False,
    unread: frozenset[str] = frozenset(),
    read: list[str] | None = None,
    pinned: list[Wanted] | None = None,
    lowered: set[tuple[str, str]] | None = None,
    replaced: frozenset[str] = frozenset(),
) -> list[Wanted]:
    """*wanted* (named sources built already) and the sources their URL requirements name.

    *build* builds a list of named sources (as ``named_sources.build_named`` does); the
    sources found are built, and read in turn, until no new one is found. *also*: more
    marker environments (a lock's), asked only if a URL requirement is met; one that holds
    in any of them, or for *target*, is followed. With *uv_sources*, a project directory's
    requirements its ``[tool.uv.sources]`` name are followed to the source they give, as
    ``uv pip install`` follows them (decision 369), but for the projects in *unread*
    (``--no-sources-package``'s, decision 403); the pyproject.toml files read for them
    are added to *read*, the requirements an ``index`` entry keeps to one index (nothing
    to build: ``Wanted.index``, decision 372) to *pinned*, and each (project, dependency)
    lowered to a path, git or url source to *lowered* (its specifier is not checked against
    the source's version, as uv lowers it: decision 373). A requirement on a project in
    *replaced* (one ``--overrides`` or ``--excludes`` names) is neither followed nor lowered:
    what stands for it is resolved, as uv replaces a URL or source requirement (decision 397).
    """
    envs: list[Mapping[str, str]] = []

    def where() -> list[Mapping[str, str]]:
        if not envs:
            envs.extend([target.markers, *(also() if also is not None else ())])
        return envs

    out = list(wanted)
    places = {w.name: location(w) for w in out if location(w) is not None}
    todo = [w for w in out if w.path is not None]
    read_for = {w.name: w for w in todo}  # each wheel read, with the extras it was read for
    while todo:
        found: list[Wanted] = []
        again: list[Wanted] = []  # read once already, now asked with more extras
        for w in todo:
            for said, dependency in _dependencies(
                w, where, uv_sources, read, lowered, replaced=replaced, unread=unread
            ):
                if dependency.index is not None:  # (the index's release: the resolver's)
                    if pinned is not None and dependency not in pinned:
                        pinned.append(dependency)
                    continue
                place = location(dependency)
                known = places.get(dependency.name)
                if known is None:
                    places[dependency.name] = place
                    found.append(dependency)
                elif known != place:
                    raise SourceError(
                        f"requires {said}, and the request installs {dependency.name} from {known}",
                        where=dependency.where,
                        hint="a project is installed from one place: name the same one",
                    )
                else:  # (asked again: with more extras, read again for those)
                    _more_extras(dependency, found, read_for, again)
        built = build(found)
        out += built
        read_for.update((w.name, w) for w in built)
        todo = [w for w in built + again if w.path is not None]  # (a wheel by URL: unread)
    return out


def _dependencies(
    w: Wanted,
    where: Callable[[], Sequence[Mapping[str, str]]],
    uv_sources: bool,
    read: list[str] | None,
    pairs: set[tuple[str, str]] | None = None,
    *,
    replaced: frozenset[str] = frozenset(),
    unread: frozenset[str] = frozenset(),
) -> list[tuple[str, Wanted]]:
    """The sources *w*'s wheel names that hold, each with how it was named.

    Its URL requirements and, with *uv_sources*, those its project's ``[tool.uv.sources]``
    give.
    """
    from graft.resolve.surface import read_surface  # noqa: PLC0415
    from graft.sources.localwheel import read_local_metadata  # noqa: PLC0415

    assert w.path is not None  # noqa: S101 - only wheels at hand are read
    surface = read_surface(read_local_metadata(w.path, w.name)[1], os.path.basename(w.path))
    requirements = surface.requirements
    if replaced:
        from packaging.utils import canonicalize_name  # noqa: PLC0415

        requirements = tuple(r for r in requirements if canonicalize_name(r.name) not in replaced)
    sources = None
    if uv_sources and w.source is not None and os.path.isdir(w.source):
        from graft.sources.uv_sources import sources_of  # noqa: PLC0415

        sources = sources_of(w.source, unread)
        if read is not None:
            read += [p for p in sources.read if p not in read]
        if not sources.entries:
            sources = None
    if sources is None and not any(req.url for req in requirements):
        return []
    held = _holding(requirements, w.name, w.extras, where())
    out = [(f"{req.name} @ {req.url}", _dependency(req, w)) for req in held if req.url]
    if sources is None:
        return out
    from packaging.markers import Marker  # noqa: PLC0415

    from graft.sources.uv_sources import lowered  # noqa: PLC0415

    active = _active(requirements, w.name, w.extras, where())
    for req in held:
        if req.url:
            continue

        def under(extra: str, req: Requirement = req) -> bool:
            marker = req.marker
            return (
                extra in active
                and marker is not None
                and any(marker.evaluate({**env, "extra": extra}) for env in where())
                and not any(marker.evaluate({**env, "extra": ""}) for env in where())
            )

        for source in lowered(req, sources, under=under) or []:
            marker = None if source.marker is None else Marker(source.marker)
            if marker is None or any(marker.evaluate(env) for env in where()):
                said = f"{req.name} from {source.where}"
                out.append((said, dataclasses.replace(source, requested=False)))
                if pairs is not None and source.index is None:  # ((project, dependency))
                    pairs.add((w.name, source.name))
    return out


def _more_extras(
    dependency: Wanted,
    found: list[Wanted],
    read: dict[NormalizedName, Wanted],
    again: list[Wanted],
) -> None:
    """A project asked once more, with *dependency*'s extras: the new ones are read for too.

    One found this round (not built yet) is asked with them; a wheel read already is read
    again (*again*) for the union, so that a URL requirement under a new extra is followed.
    """
    for i, w in enumerate(found):
        if w.name == dependency.name:
            found[i] = dataclasses.replace(w, extras=w.extras | dependency.extras)
            return
    had = read.get(dependency.name)
    if had is not None and not dependency.extras <= had.extras:
        read[had.name] = dataclasses.replace(had, extras=had.extras | dependency.extras)
        again.append(read[had.name])


def holding(
    requirements: Sequence[Requirement], name: str, extras: Iterable[str], target: Target
) -> list[Requirement]:
    """The Requires-Dist of project *name* that hold for *target* and the *extras* asked.

    An extra naming the project itself (``all = ["hello[socks,cli]"]``) asks for those
    extras too; such a line is not itself returned (unless it names a URL).
    """
    return _holding(requirements, name, extras, [target.markers])


def _holding(
    requirements: Sequence[Requirement],
    name: str,
    extras: Iterable[str],
    envs: Sequence[Mapping[str, str]],
) -> list[Requirement]:
    """:func:`holding`, a line held when it holds in one of *envs*."""
    active = _active(requirements, name, extras, envs)
    return [req for req in requirements if not _own(req, name) and _holds(req, envs, active)]


def _active(
    requirements: Sequence[Requirement],
    name: str,
    extras: Iterable[str],
    envs: Sequence[Mapping[str, str]],
) -> set[str]:
    """The extras asked (``""`` among them), grown by those an extra naming the project asks."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    active = {"", *(canonicalize_name(e) for e in extras)}
    grown = True
    while grown:  # an extra naming the project itself: its extras are asked too
        before = len(active)
        for req in requirements:
            if _own(req, name) and _holds(req, envs, active):
                active.update(canonicalize_name(e) for e in req.extras)
        grown = len(active) > before
    return active


def _holds(req: Requirement, envs: Sequence[Mapping[str, str]], active: set[str]) -> bool:
    return req.marker is None or any(
        req.marker.evaluate({**env, "extra": extra}) for env in envs for extra in active
    )


def _own(req: Requirement, name: str) -> bool:
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    return canonicalize_name(req.name) == name and not req.url


def _dependency(req: Requirement, by: Wanted) -> Wanted:
    """The named source (or wheel) a URL requirement of *by* names, as a dependency."""
    import urllib.parse  # noqa: PLC0415

    from graft.sources.requirements import parse_spec  # noqa: PLC0415

    url = req.url or ""
    where = f"{by.name} {by.version} ({os.path.basename(by.path or '')})"
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file" and not parts.netloc and not parts.path.startswith("/"):
        raise SourceError(
            f"requires {req.name} @ {url}, a relative file: URL, which names no directory"
            " it is relative to",
            where=where,
            hint="write an absolute file:/// URL (hatchling: {root:parent:uri}/DIR), or name"
            " its directory yourself: -e DIR",
        )
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    wanted = parse_spec(f"{req.name}{extras} @ {url}", where, base=None)  # (./lib: refused)
    return dataclasses.replace(wanted, requested=False)
