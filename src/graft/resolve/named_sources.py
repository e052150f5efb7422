"""Named sources: built before resolution, and the refusal of builds.

A source is **named** on the command line or in a requirements file: a project directory,
an sdist file, ``name @ file:///…`` or ``name @ https://…/x.tar.gz``, ``name @ git+URL@REV``,
``-e DIR``. :func:`build_named` builds each (or reuses its recorded build) before
resolution, and the resolver then sees the built wheel as a wheel given by path: its
dependencies are the built wheel's own. ``direct_url.json`` names the source (PEP 610), as
pip writes it. For ``graft lock``, :func:`lock_directories` builds the project directories
and repositories among its inputs.

The builder (:class:`graft.model.request.SourceBuilder`) is passed in by the command line;
without one, or with ``--no-build``, a source is refused in one line naming it
(:func:`refuse_build`, :mod:`graft.resolve.build_refusals`), as the request's
:class:`BuildLimits` say.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.errors import SourceError, UsageError
from graft.resolve.build_refusals import refuse_binary_only, refuse_builds, refuse_excluded

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from graft.model.built import BuiltWheel
    from graft.model.request import ResolveRequest, SourceBuilder
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target


@dataclass(frozen=True)
class BuildLimits:
    """What a request allows of a named source's build, made once per request.

    *no_build*, *only_binary*, *no_binary*: as
    :func:`~graft.resolve.build_refusals.refuse_builds` takes them; *foreign*: the target is
    not this machine (nothing can be built for it: a ``-r pyproject.toml`` without
    ``[project]`` is refused; a named source is read as ``graft lock`` reads it, by the
    caller, with this flag cleared, decision 427); *offline*: sources come from the cache.
    """

    no_build: bool = False
    only_binary: frozenset[str] = frozenset()
    no_binary: frozenset[str] = frozenset()
    foreign: bool = False
    offline: bool = False


#: No limit: every source may be built, for this machine, fetched as need be.
NO_LIMITS = BuildLimits()


def build_named(
    wanted: Sequence[Wanted],
    target: Target,
    builder: SourceBuilder | None,
    cache_dir: str,
    limits: BuildLimits = NO_LIMITS,
    *,
    reads: list[tuple[tuple[str, str], ...] | None] | None = None,
    static_python: bool = False,
    read_for: Target | None = None,
    dynamic: list[str] | None = None,
) -> tuple[list[Wanted], list[str]]:
    """Each named source built (or reused) for *target*: a wheel given by path. With notes.

    *limits*: what may be built (:class:`BuildLimits`). *reads* gets, per source, what a
    resolution memo may watch for it (:attr:`BuiltWheel.reads`; None for a repository's,
    whose ref the remote may move, and for an sdist's, whose file the memo does not watch).
    *read_for*: the interpreter that reads in *target*'s place, for a target graft builds
    nothing for (a foreign target's dry run, a lock's environments: the interpreter running
    graft, decisions 427, 442): each source is read, not built (its static metadata, else
    its backend's answer for *read_for*), kept as a stand-in wheel for any platform
    (:mod:`graft.resolve.named_reads`); the static Python checks are still *target*'s.
    *dynamic* gets the ``NAME VERSION`` of each source so read whose backend answered.
    """
    out: list[Wanted] = []
    notes: list[str] = []
    for w in wanted:
        if w.source is None:
            out.append(w)
            continue
        refuse_build(w.source, builder, limits, w.name or None)
        assert builder is not None  # noqa: S101 - refuse_build raised otherwise
        local, direct = source_at_hand(w, cache_dir, offline=limits.offline)
        if static_python:
            refuse_excluded(w, local, target, builder)
        if read_for is None:
            built = builder.wheel(local, target, editable=w.editable)
        else:  # (read, not built: the target builds it, decision 442)
            from graft.resolve.named_reads import read_named  # noqa: PLC0415

            read = read_named(local, w.source, read_for, builder, cache_dir)
            built = read.built
            if read.dynamic and dynamic is not None:
                dynamic.append(read.label)
        if reads is not None:
            unwatched = w.source.startswith("git+") or not os.path.isdir(local)
            reads.append(None if unwatched else built.reads)
        notes.append(built.note)
        out.append(as_wheel(w, built, direct, (limits.only_binary, limits.no_binary)))
    return out, notes


def source_at_hand(w: Wanted, cache_dir: str, *, offline: bool) -> tuple[str, str | None]:
    """The named source *w* as a local path to build, and its PEP 610 text (None: none).

    A repository checked out, an sdist by URL downloaded into the cache, a local sdist's
    hash checked against the one given.
    """
    assert w.source is not None  # noqa: S101 - only sources come here
    if w.source.startswith("git+"):  # sources.vcs (checked and refused others at parse)
        from graft.sources.vcs import checkout, parse_vcs, vcs_direct_url  # noqa: PLC0415

        url = parse_vcs(w.source, w.where)
        local, commit = checkout(url, cache_dir, offline=offline, where=w.where)
        return local, vcs_direct_url(url, commit, w.requested_revision)
    local, sha = _local_source(w, cache_dir, offline=offline)
    # a lock's [packages.sdist] is an index's file: pip and uv write no direct_url.json
    return local, None if w.indexed else _direct_url(w, local, sha)


def prepared_requirements(
    inputs: Inputs,
    target: Target,
    builder: SourceBuilder | None,
    limits: BuildLimits = NO_LIMITS,
    *,
    reads: list[tuple[tuple[str, str], ...] | None] | None = None,
) -> tuple[list[Wanted], list[str]]:
    """The dependencies of each ``-r pyproject.toml`` project without ``[project]``, with notes.

    Its backend's METADATA for *target* (``prepare_metadata_for_build_wheel``, or a recorded
    build's, through :meth:`SourceBuilder.metadata`), its Requires-Dist that hold for
    *target* and the extras asked, as ``uv pip install -r pyproject.toml`` reads them; the
    project itself is not installed. *limits*: what may be built. *reads* gets None per
    project: its tree is read anew on every sync (no resolution memo), as a project
    directory's.
    """
    if not inputs.prepared:
        return [], []
    from packaging.requirements import Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.resolve.surface import read_surface  # noqa: PLC0415
    from graft.resolve.url_deps import holding  # noqa: PLC0415
    from graft.sources.pyproject import ALL_EXTRAS  # noqa: PLC0415
    from graft.sources.requirements import parse_spec  # noqa: PLC0415

    out: list[Wanted] = []
    notes: list[str] = []
    for folder, path, asked in inputs.prepared:
        refuse_build(path, builder, limits, None)
        assert builder is not None  # noqa: S101 - refuse_build raised otherwise
        data, note = builder.metadata(folder, target)
        notes.append(note)
        if reads is not None:
            reads.append(None)
        surface = read_surface(data, f"{path}: the metadata its backend prepared")
        extras = asked  # --all-extras: each extra its metadata provides (387)
        if ALL_EXTRAS in asked:
            extras = (*(e for e in asked if e != ALL_EXTRAS), *surface.provides_extra)
        for extra in extras:
            if canonicalize_name(extra) not in surface.provides_extra:
                known = ", ".join(surface.provides_extra) or "none"
                raise UsageError(
                    f"no extra {extra!r} in {surface.name} {surface.version}'s metadata"
                    f" (declared: {known})",
                    where=path,
                )
        where = f"{path}: Requires-Dist of {surface.name} {surface.version}"
        for req in holding(surface.requirements, surface.name, extras, target):
            held = Requirement(str(req))  # (the surface's own is kept: not changed)
            held.marker = None  # (it holds for the target: evaluated here)
            out.append(parse_spec(str(held), where, base=None))
    return out, notes


def refuse_build(
    what: str, builder: SourceBuilder | None, limits: BuildLimits, name: str | None
) -> None:
    """Refuse the build *what* needs where *limits* (or no *builder*) allow none."""
    formats = {"only_binary": limits.only_binary, "no_binary": limits.no_binary}
    refuse_builds(what, builder, no_build=limits.no_build, name=name, **formats)
    if limits.foreign:
        raise UsageError(f"{what} needs a build, which a foreign target cannot run")


def _local_source(w: Wanted, cache_dir: str, *, offline: bool) -> tuple[str, str | None]:
    """The source as a local path (an sdist URL downloaded into the cache), its sha256."""
    assert w.source is not None  # noqa: S101 - only sources come here
    if w.url is None:
        if os.path.isdir(w.source):
            return w.source, None
        from graft._fs import file_sha256  # noqa: PLC0415

        sha = file_sha256(w.source)
        _check_hash(w, sha)
        return w.source, sha
    from graft.resolve.fetched import sdist_file  # noqa: PLC0415
    from graft.sources.candidates import Candidate  # noqa: PLC0415

    given = next(iter(w.hashes)).removeprefix("sha256:") if len(w.hashes) == 1 else None
    candidate = Candidate(w.filename or "", w.url, given, local=False, origin=w.where)
    path, sha = sdist_file(candidate, cache_dir, offline=offline, where=w.where)
    _check_hash(w, sha)
    return path, sha


def _check_hash(w: Wanted, sha: str) -> None:
    if w.hashes and f"sha256:{sha}" not in w.hashes:
        raise SourceError(
            f"the sdist has sha256 {sha}, not the hash given here",
            where=w.where,
            hint="the file changed, or the hash is wrong; nothing was installed",
        )


def _direct_url(w: Wanted, local: str, sha: str | None) -> str:
    """PEP 610 ``direct_url.json`` for a source, as pip writes it (keys sorted)."""
    if sha is None:  # a directory
        info: dict[str, object] = {"editable": True} if w.editable else {}
        data: dict[str, object] = {"dir_info": info, "url": _file_url(local)}
    else:
        archive = {"hash": f"sha256={sha}", "hashes": {"sha256": sha}}
        data = {"archive_info": archive, "url": w.url or _file_url(local)}
    return json.dumps(data, sort_keys=True)


def _file_url(path: str) -> str:
    """``file://`` URL of an absolute *path* (pathlib only here: not on a sync without sources)."""
    from pathlib import Path  # noqa: PLC0415

    return Path(path).as_uri()


def as_wheel(
    w: Wanted,
    built: BuiltWheel,
    direct_url: str | None,
    formats: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
) -> Wanted:
    """The named source as the wheel it built: its name and version, given by path.

    *formats* (``--only-binary``, ``--no-binary``) are checked against its name, known now;
    a dry run's lookup of a lock's recorded build (decision 330) checks none.
    """
    from graft.model.wheelname import parse_wheel_filename  # noqa: PLC0415

    filename = os.path.basename(built.path)
    name, version = parse_wheel_filename(filename)[:2]
    check_built(w, name, str(version))
    refuse_binary_only(w.source or "", name, *formats)  # (a name known only now)
    return dataclasses.replace(
        w,
        name=name,
        version=str(version),
        path=built.path,
        url=None,
        filename=filename,
        hashes=frozenset(),  # the source's hash was checked; the wheel is graft's own
        size=None,  # a lock's size is the sdist's
        direct_url=direct_url,
    )


def check_built(w: Wanted, name: str, version: str) -> None:
    """Refuse a source that builds another project, or another version than a lock's.

    Or one the venv held, kept for a requirement naming its project (decision 450), whose
    build no longer meets that requirement.
    """
    if w.name and w.name != name:
        raise SourceError(
            f"the source builds {name} {version}, not {w.name}",
            where=w.where,
            hint=f"write {name} @ …",
        )
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415
    from packaging.version import Version  # noqa: PLC0415

    if w.held_for and not SpecifierSet(w.held_for).contains(version, prereleases=True):
        raise SourceError(  # (a directory edited since the venv took it: decision 450)
            f"the venv's {name} came from {w.source}, which now builds {version},"
            f" not {name}{w.held_for}",
            where=w.where,
            hint=f"name the source to install what it builds, or -P {name} to take the index's",
        )
    if w.version is not None and Version(w.version) != Version(version):  # a lock's
        raise SourceError(
            f"the source builds {name} {version}, not {w.version}",
            where=w.where,
            hint="the lock file and the source disagree; lock again",
        )


def lock_directories(
    inputs: Inputs,
    asked: ResolveRequest,
    builder: SourceBuilder | None,
    cache_dir: str,
    everywhere: Callable[[], Sequence[Mapping[str, str]]] | None = None,
) -> dict[str, str]:
    """Project directories and repositories among the inputs, built for graft's interpreter.

    Each becomes the wheel it builds (its METADATA is what the lock resolves), and the map
    returned gives each such wheel's source as PEP 610 text, for ``[packages.directory]`` or
    ``[packages.vcs]`` (the commit checked out). An sdist file or URL as a source is
    refused (lock it from an index or find-links instead). Their URL requirements that hold
    in one of the lock's environments (*everywhere*: their marker values) are built too,
    and join the constraints: each its project's only file where anything needs it, so that
    the requirement's marker decides per environment (decision 200).
    """
    sources = [w for w in inputs.wanted if w.source]
    if not sources:
        return {}
    _lockable(sources, builder)
    from graft.resolve.policy import format_sets  # noqa: PLC0415
    from graft.resolve.read_here import interpreter_here  # noqa: PLC0415

    here = interpreter_here()
    # the requirement files' too, after the command line's, as a sync takes them (locate)
    only_binary, no_binary = format_sets((*asked.formats, *inputs.formats))
    limits = BuildLimits(
        no_build=asked.no_build,
        only_binary=only_binary,
        no_binary=no_binary,
        offline=asked.offline,
    )

    def build(wanted: list[Wanted]) -> list[Wanted]:  # (read for every environment: 442)
        return build_named(wanted, here, builder, cache_dir, limits, read_for=here)[0]

    def build_more(found: list[Wanted]) -> list[Wanted]:
        _lockable(found, builder)
        return build(found)

    built = build(inputs.wanted)
    named = len(built)
    if not asked.no_deps:
        from graft.resolve.url_deps import follow  # noqa: PLC0415

        read: list[str] = []
        uv_sources = not asked.no_sources
        built = follow(
            built,
            here,
            build_more,
            also=everywhere,
            uv_sources=uv_sources,
            unread=frozenset(asked.no_sources_packages),
            read=read,
            pinned=inputs.pinned,
            lowered=inputs.lowered,
            replaced=frozenset([*(o.name for o in inputs.overrides), *inputs.excludes]),
        )
        inputs.files_read += [p for p in read if p not in inputs.files_read]
    inputs.wanted = built[:named]
    inputs.constraints += built[named:]  # (no root: where a requirement holds, its file)
    return {b.path or "": b.direct_url or "" for b in built if b.source}


def _lockable(sources: Sequence[Wanted], builder: SourceBuilder | None) -> None:
    """Refuse what ``graft lock`` cannot write as a source (an sdist path or URL), or build."""
    if builder is None or any(
        not os.path.isdir(w.source or "") and not (w.source or "").startswith("git+")
        for w in sources
        if w.source
    ):
        raise UsageError(
            "graft lock takes requirements, wheels, project directories, git repositories"
            " and lock files (no sdist path or URL)",
            hint="put the sdist in a directory and pass --find-links DIR",
        )
