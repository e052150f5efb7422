"""The resolve request read: its inputs gathered, its target, what the resolver is asked.

Requirement files and pyproject.toml are read here (``sources``; a pylock.toml is only
listed: ``locate`` reads it for the target), with the indexes and find-links the request
names. Each wanted distribution becomes the resolver's requirement or needs (a wheel named
by path or URL: the only file of its project). The request's flags, the inputs' options and
the venv's versions make its ``Policy`` in :mod:`graft.resolve.request_policy`. ``graft sync``
(``locate``) and ``graft lock`` share them. Heavy imports (packaging, the readers) happen
inside the functions, as in ``locate``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from packaging.utils import NormalizedName

    from graft.model.request import ResolveRequest
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.candidates import Need


#: Where a seed package's requirement comes from (``Wanted.where``; :mod:`graft.resolve.seeds`).
SEED_WHERE = "seed"


def gather_inputs(request: ResolveRequest, *, nothing_listed: bool = False) -> Inputs:
    """Everything the request's specs name: requirements, indexes, find-links and lock files.

    Requirement files that list nothing are refused (a sync would empty the venv, as ``uv pip
    sync`` refuses), unless *nothing_listed*: ``graft lock`` of them locks nothing, as ``uv pip
    compile`` does (decision 173).
    """
    from graft.model.requirements import Inputs  # noqa: PLC0415
    from graft.sources.pylock import check_lock_name, is_pylock  # noqa: PLC0415
    from graft.sources.reqfile import find_links_dir, read_requirements  # noqa: PLC0415
    from graft.sources.requirements import parse_line  # noqa: PLC0415

    inputs = Inputs()
    from graft.sources.requirements import (  # noqa: PLC0415
        editable_path,
        refuse_a_file_of_requirements,
        source_path,
        split_extras,
    )

    for text in request.editables:
        path, extras = split_extras(text, "command line")
        path = editable_path(path, "command line")
        inputs.wanted.append(source_path(path, "command line", editable=True, extras=extras))
    for spec in request.specs:
        if is_pylock(spec):
            check_lock_name(spec, "command line:")
            inputs.pylocks.append(spec)
        else:
            refuse_a_file_of_requirements(spec, "command line")
            inputs.wanted.append(parse_line(spec, "command line"))
    from graft.sources.pyproject import is_pyproject, read_groups  # noqa: PLC0415

    read, groups = _lock_spellings(request, inputs)
    _read_files(request, read, groups, inputs)
    no_pyproject = not any(is_pyproject(path) for path in read)
    if groups and not inputs.pylocks and no_pyproject:
        # pip's and uv's --group: ./pyproject.toml
        unread = frozenset(request.no_sources_packages)
        read_groups(tuple(groups), inputs, uv_sources=not request.no_sources, unread=unread)
    if (request.extras or request.all_extras) and not inputs.pylocks and no_pyproject:
        _refuse_extras(request)  # (was silently ignored)
    for path in request.constraint_files:
        read_requirements(path, inputs, constraints=True)
    if request.index_url:
        inputs.index_url = request.index_url
    inputs.extra_index_urls[:0] = request.extra_index_urls  # the command line's first
    inputs.find_links.extend(os.path.abspath(find_links_dir(p, "")) for p in request.find_links)
    inputs.no_index = inputs.no_index or request.no_index
    inputs.require_hashes = inputs.require_hashes or request.require_hashes
    files = (*request.requirement_files, *request.script_files)
    # a lock of nothing (as uv pip compile's), or uv pip sync's --allow-empty-requirements:
    # the venv emptied, but for its seeds (decision 446)
    lock_of_nothing = (nothing_listed or request.allow_empty) and bool(files)
    listed = inputs.wanted or inputs.pylocks or inputs.prepared or lock_of_nothing
    named = files or request.specs
    if not listed and not named and request.seed and _bare(request):
        pass  # --seed alone, where the venv holds nothing else: uv venv --seed's (decision 228)
    elif not listed:
        from graft.errors import UsageError  # noqa: PLC0415

        if files and len(inputs.scripts) == len(files):  # scripts alone (decision 447)
            raise UsageError(
                "the script's inline metadata lists no dependencies: nothing to install",
                where=", ".join(where for where, _ in inputs.scripts),
                hint="add them to its '# /// script' block (dependencies = [\"name\"]), or"
                " give --allow-empty-requirements to empty the venv, as uv pip sync's",
            )
        if files:  # (as uv pip sync: an empty file would empty the venv)
            raise UsageError(
                "no requirement listed: nothing to install",
                where=", ".join(files),
                hint="add one (name, name>=1.0); comments, options and -c lines list none",
            )
        if request.venv is not None and request.foreign is None:  # (graft sync requests)
            raise UsageError(
                "nothing to install",
                where=request.venv,
                hint="name the venv, then requirements (name, name>=1.0), wheels or -r FILE;"
                " a new venv of pip alone: --seed",
            )
        raise UsageError(
            "nothing to install", hint="name requirements (name, name>=1.0), wheels, or -r FILE"
        )
    if request.override_files or request.exclude_files:  # uv's (decisions 388, 389)
        _overridden(request, inputs)
    from graft.sources.tool_sources import refuse_unread  # noqa: PLC0415

    refuse_unread(inputs)  # PIP_INDEX_URL and the like, which graft does not read
    _trust_files_hosts(inputs)
    return inputs


def _lock_spellings(request: ResolveRequest, inputs: Inputs) -> tuple[list[str], list[str]]:
    """The ``-r`` files and ``--group``s, pip 26.3's spellings of a lock's selection taken.

    ``-r 'pylock.toml[x]'`` and ``--group pylock.toml:g`` (decision 498).
    """
    files, groups = list(request.requirement_files), list(request.groups)
    if not any("pylock" in f and f.endswith("]") for f in files) and not any(
        "pylock" in g and ":" in g for g in groups
    ):
        return files, groups  # (a lock's name starts pylock.: nothing to import here)
    from graft.sources.pylock_spellings import spelt, take  # noqa: PLC0415

    return take(files, groups, inputs) if spelt(files, groups) else (files, groups)


def _read_files(
    request: ResolveRequest, files: list[str], groups: list[str], inputs: Inputs
) -> None:
    """The request's ``-r`` *files* and ``--requirements-from-script`` read into *inputs*.

    A ``-r`` file is requirements, a pyproject.toml or a script; pip's flag names a script of
    any name (decision 432). *groups*: the ``--group``s a ``-r pyproject.toml`` gives.
    """
    from graft.sources.pyproject import is_pyproject, read_pyproject  # noqa: PLC0415
    from graft.sources.reqfile import read_requirements  # noqa: PLC0415

    for path in files:
        if is_pyproject(path):
            read_pyproject(
                path,
                inputs,
                request.extras,
                tuple(groups),
                uv_sources=not request.no_sources,
                unread=frozenset(request.no_sources_packages),
                all_extras=request.all_extras,
            )
        else:
            read_requirements(path, inputs)
    if request.script_files:
        from graft.sources.script import read_script  # noqa: PLC0415

        for path in request.script_files:
            read_script(path, inputs)


def _trust_files_hosts(inputs: Inputs) -> None:
    """A requirements file's ``--trusted-host``, taken as pip takes it (decision 419)."""
    if inputs.insecure_hosts:
        from graft.sources.urlimport import also_insecure  # noqa: PLC0415

        also_insecure(inputs.insecure_hosts)


def _overridden(request: ResolveRequest, inputs: Inputs) -> None:
    """Read ``--overrides`` and ``--excludes`` into *inputs*, and apply them to its roots.

    A sync whose every requirement they exclude leaves its venv as it was, as ``uv pip
    install`` does (``Checked 1 package``, exit 0): nothing is resolved, made or removed
    (decision 398). ``graft lock`` locks nothing, as ``uv pip compile`` does.
    """
    from graft.errors import AllExcluded  # noqa: PLC0415
    from graft.resolve.overrides import read, roots  # noqa: PLC0415

    read(request.override_files, request.exclude_files, inputs)
    had = bool(inputs.wanted)
    inputs.wanted = roots(inputs.wanted, inputs)
    if not had or inputs.wanted or inputs.pylocks or inputs.prepared:
        return
    if request.venv is None or request.foreign is not None:
        return
    files = ", ".join(request.exclude_files)
    raise AllExcluded(f"every requirement is excluded (--excludes {files}): nothing to install")


def _refuse_extras(request: ResolveRequest) -> None:
    """``--extra`` or ``--all-extras`` with neither ``-r pyproject.toml`` nor a lock to read."""
    from graft.errors import UsageError  # noqa: PLC0415

    if request.extras:
        raise UsageError(
            f"--extra {request.extras[0]} names an extra of -r pyproject.toml or a pylock.toml,"
            " and neither was given",
            hint="add -r pyproject.toml, or name it in the requirement: 'name[extra]', '.[extra]'",
        )
    raise UsageError(
        "--all-extras asks for the extras of -r pyproject.toml or a pylock.toml, and neither"
        " was given",
        hint="add -r pyproject.toml, or name the extras in the requirement: 'name[a,b]'",
    )


#: What ``--seed`` installs (its seed packages and what they require: wheel needs packaging).
_SEEDED = frozenset({"pip", "setuptools", "wheel", "packaging"})


def _bare(request: ResolveRequest) -> bool:
    """Whether ``--seed`` alone makes (or keeps) a venv: where the venv holds nothing else.

    No venv yet, an empty directory, a venv of no distribution, or one of the seed packages
    alone (a second ``--seed`` of it); a venv holding anything else would be emptied of it.
    """
    if request.venv is None or request.foreign is not None:
        return False  # (graft lock, a dry run for another target: nothing to say of nothing)
    import glob  # noqa: PLC0415

    held = os.path.join(glob.escape(request.venv), "lib", "*", "site-packages", "*.dist-info")
    names = {os.path.basename(p).partition("-")[0].lower() for p in glob.glob(held)}
    return names <= _SEEDED


def hash_checking(inputs: Inputs, wanted: Sequence[Wanted]) -> bool:
    """Whether every distribution installed needs a hash (pip's hash-checking mode).

    ``--require-hashes``, or any ``--hash`` given: on a requirement, in a lock, or on a
    constraint (pip turns the mode on for those too). A URL's own ``#sha256=`` checks only
    its file, as pip and uv read it.
    """
    given = (*wanted, *inputs.constraints)
    return inputs.require_hashes or any(w.hash_checking for w in given)


def markers_apply(wanted: Sequence[Wanted], target: Target) -> list[Wanted]:
    """The requirements whose environment marker holds for *target* (no marker: always).

    For a lock environment, what its minor series needs (decision 113,
    :func:`graft.model.target.applying`).
    """
    other = target.later_release_markers()
    if other is None and all(w.marker is None for w in wanted):
        return list(wanted)
    from packaging.markers import Marker  # noqa: PLC0415

    from graft.model.target import applying  # noqa: PLC0415

    parsed = {id(w): Marker(w.marker) for w in wanted if w.marker is not None}
    return applying(
        wanted,
        lambda w: parsed.get(id(w)),
        lambda w: str(w.name),
        env=target.markers,
        other=other,
    )


def names_a_file(wanted: Wanted) -> bool:
    """Whether *wanted* names its project's one file: a wheel by path or URL, a built source."""
    return wanted.path is not None or wanted.url is not None


def direct_file(wanted: Wanted, *, constraint: bool = False) -> ArtifactFile | None:
    """The wheel a requirement names by path or URL, as the only file of its project.

    With *constraint*, a URL constraint's (decision 172): the file says where it was named.
    """
    if not names_a_file(wanted):
        return None
    from graft.resolve.artifacts import ArtifactFile  # noqa: PLC0415

    filename = wanted.filename or os.path.basename(wanted.path or wanted.url or "")
    hashes = tuple(("sha256", h.removeprefix("sha256:")) for h in sorted(wanted.hashes))
    location = wanted.path or wanted.url or ""
    named = wanted.where if constraint else None
    return ArtifactFile(
        filename, location, hashes[:1], direct=True, size=wanted.size, constraint=named
    )


def constrained_files(
    constraints: Sequence[Wanted], wanted: Sequence[Wanted]
) -> dict[NormalizedName, Wanted]:
    """The wheels URL constraints name, by project: each its project's only file (decision 172).

    As pip and uv read ``name @ URL`` in ``-c``: if anything needs the project, it is that
    file. A requirement, or another constraint, naming another file of it is refused in one
    line naming both.
    """
    named = {w.name: w for w in wanted if names_a_file(w)}
    out: dict[NormalizedName, Wanted] = {}
    for c in constraints:
        if not names_a_file(c):
            continue
        other = named.get(c.name) or out.get(c.name)
        if other is not None and (other.path or other.url) != (c.path or c.url):
            from graft.errors import UsageError  # noqa: PLC0415

            by = "the command line" if other.where == "command line" else other.where
            raise UsageError(
                f"two wheels of {c.name} are named: {_shown(c)} by this constraint,"
                f" {_shown(other)} by {by}",
                where=c.where,
                hint=f"name one file of {c.name}",
            )
        out.setdefault(c.name, c)
    return out


def _shown(wanted: Wanted) -> str:
    return wanted.filename or os.path.basename(wanted.path or wanted.url or "")


def resolver_requirement(wanted: Wanted) -> str:
    """What the resolver is asked: the requirement, or ``name==version`` of a wheel file."""
    if wanted.path is None and wanted.url is None:
        return wanted.requirement
    extras = f"[{','.join(sorted(wanted.extras))}]" if wanted.extras else ""
    return f"{wanted.name}{extras}=={wanted.version}"


def resolver_needs(wanted: Wanted) -> list[Need] | list[str]:
    """What the resolver is asked for *wanted*, as its needs when parsed already.

    A requirement was parsed when it was read (``sources.requirements.parse_spec``): its
    canonical name, extras and specifier make the needs ``resolver.root_needs`` would make of
    :attr:`Wanted.requirement` (no marker: it held for the target), without parsing it
    again (50 parses of a pinned set's lines, ~5 ms). A wheel file is asked for by name.
    """
    if wanted.path is not None or wanted.url is not None:
        return [resolver_requirement(wanted)]
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.resolve.candidates import Need  # noqa: PLC0415

    spec, text = SpecifierSet(wanted.specifier), wanted.requirement
    extras = sorted({canonicalize_name(e) for e in wanted.extras})
    return [
        Need(wanted.name, None, spec, text=text),
        *(Need(wanted.name, e, spec, text=text) for e in extras),
    ]


def target_of(request: ResolveRequest) -> tuple[Target, str | None]:
    """The request's target and, for a real one, its interpreter's path (``locate``'s)."""
    from graft.venv.interpreter import find_interpreter, introspect  # noqa: PLC0415

    if request.foreign is not None:
        from graft.venv.foreign import foreign_target  # noqa: PLC0415

        foreign = request.foreign
        target = foreign_target(
            foreign.python_version,
            list(foreign.platforms),
            foreign.implementation,
            list(foreign.abis) or None,
        )
        return target, None
    interpreter = find_interpreter(request.python)
    return introspect(interpreter), interpreter


__all__ = [
    "constrained_files",
    "direct_file",
    "gather_inputs",
    "hash_checking",
    "markers_apply",
    "names_a_file",
    "resolver_needs",
    "resolver_requirement",
    "target_of",
]
