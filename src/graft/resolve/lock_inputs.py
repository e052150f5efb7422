"""What ``graft lock`` resolves over, worked out from its inputs before any environment is.

- :func:`requires_python`: the Python range the lock keeps, its projects' own
  ``requires-python`` (a ``pyproject.toml``'s, each project directory's built wheel's);
- :func:`everywhere`: the marker values of every environment the matrix may hold, for the
  URL requirements of named sources (decision 200);
- :func:`index_projects`: the one project source every environment is resolved over (indexes,
  find-links, the direct files, and sdists through the builder where one is at hand).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from graft.model.request import ResolveRequest, SourceBuilder
    from graft.model.requirements import Inputs, Wanted
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.lock_envs import Conditional
    from graft.resolve.projects import IndexProjects


def requires_python(
    files: tuple[str, ...],
    wanted: Iterable[Wanted],
    scripts: Iterable[tuple[str, str | None]] = (),
    digests: dict[str, str] | None = None,
) -> str | None:
    """The Python range the lock must keep: its projects' own ``requires-python``.

    ``[project].requires-python`` of the first ``-r pyproject.toml``, each PEP 723 script's
    *scripts* (``Inputs.scripts``; as ``uv pip compile --universal`` keeps it: decision 433),
    and the ``Requires-Python`` of each project directory or repository being locked (the
    wheel it built): no environment outside them can install the project, as uv locks a
    project. Not a URL dependency's (decision 200): where it excludes an environment that
    reaches it, that environment has no resolution. *digests*: ``Inputs.digests``, the
    pyproject.toml read again noted there (other bytes than the first read's: decision 464).
    """
    built = [w.path for w in wanted if w.source]
    from graft._toml import project_table  # noqa: PLC0415
    from graft.sources.pyproject import is_pyproject, load  # noqa: PLC0415

    ranges = []
    for path in files:
        if is_pyproject(path):
            value = (project_table(load(path, digests), path) or {}).get("requires-python")
            if value:
                ranges.append(str(value))
            break
    ranges += [value for _, value in scripts if value]
    for wheel in filter(None, built):  # (a source without a built wheel: nothing to read)
        # (imported here: the email package costs a lock of index projects ~10 ms)
        from email.parser import BytesHeaderParser  # noqa: PLC0415

        from graft.sources.localwheel import read_local_metadata  # noqa: PLC0415

        value = BytesHeaderParser().parsebytes(read_local_metadata(wheel)[1])["Requires-Python"]
        if value:
            ranges.append(str(value))
    return ",".join(ranges) or None


def everywhere(
    pythons: Sequence[str],
    platforms: Sequence[str],
    environments: Sequence[str],
    implementations: Sequence[str] = (),
) -> list[dict[str, str]]:
    """The marker values of every environment the lock may cover, and of their later releases.

    The matrix of ``--python-version`` *pythons*, ``--platform`` *platforms* and
    ``--implementation`` *implementations*, kept where
    one of ``--environment`` *environments* holds, before the projects' own
    ``Requires-Python`` narrows it: a URL requirement that holds in one of them is built
    (decision 200).
    """
    from graft.resolve.environments import keep_matching, matrix, python_versions  # noqa: PLC0415

    envs = matrix(python_versions(None, pythons), platforms, implementations)
    targets = [e.target for e in keep_matching(envs, environments)]
    later = [t.later_release_markers() for t in targets]
    return [*(t.markers for t in targets), *filter(None, later)]


def index_projects(
    asked: ResolveRequest,
    inputs: Inputs,
    cache_dir: str,
    direct: dict[str, ArtifactFile],
    builder: SourceBuilder | None = None,
    *,
    envs: Sequence[Mapping[str, str]],
    conditional: Conditional = (),
) -> tuple[IndexProjects, Conditional]:
    """The source every environment is resolved over: indexes, find-links, direct files.

    With *builder*, sdists are candidates too: their METADATA is the static PKG-INFO, else
    what the backend says for the interpreter running graft (uv's rule: a lock cannot run a
    build for each of its environments), kept like a sync's. *envs*: the marker values of
    the lock's environments, in which a ``[tool.uv.sources]`` ``index`` entry keeps its
    project to its index (decision 372). Returned with *conditional* (the URL constraints
    with a marker) and the requirements it keeps to an index in some of them only, each
    with its index's files (:func:`_kept_apart`, decision 377).
    """
    from graft.resolve.page_digest import indexes, pins  # noqa: PLC0415
    from graft.resolve.projects import IndexProjects  # noqa: PLC0415
    from graft.sources.find_links import FindLinks  # noqa: PLC0415

    pinned, apart = pins(inputs, envs)
    index = indexes(
        inputs,
        cache_dir,
        offline=asked.offline,
        strategy=asked.index_strategy,
        refresh=asked.refresh,
        pinned=pinned,
        apart=[str(w.index) for w in apart],
    )
    find_links = FindLinks(inputs.find_links, pinned)
    builds = None
    if builder is not None:  # (an sdist's metadata: the interpreter running graft's)
        from graft.resolve.read_here import read_here  # noqa: PLC0415

        builds = read_here(builder, cache_dir, offline=asked.offline)
    projects = IndexProjects(
        index, find_links, cache_dir, offline=asked.offline, direct=direct, builds=builds
    )
    return projects, (*conditional, *_kept_apart(projects, apart))


def _kept_apart(projects: IndexProjects, apart: Sequence[Wanted]) -> Conditional:
    """Each requirement a lock keeps to its index in some environments only, with its files.

    Its marker is its entry's (the scope): where it holds, that index's listing is the
    project's only one, as a URL constraint's file is (``lock_envs.seen_in``; decision 377),
    one listing per project and index (screenings go by identity).
    """
    listings: dict[tuple[str, str], Sequence[ArtifactFile]] = {}
    out = []
    for w in apart:
        key = (w.name, str(w.index))
        if key not in listings:
            listings[key] = projects.files_on(w.name, str(w.index))
        out.append((w, listings[key]))
    return tuple(out)


__all__ = ["everywhere", "index_projects", "requires_python"]
