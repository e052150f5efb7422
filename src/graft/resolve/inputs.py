"""The resolve request read: its inputs gathered, and what the resolver is asked for them.

Requirement files and pyproject.toml are read here (``sources``; a pylock.toml is only
listed: ``locate`` reads it for the target), with the indexes and find-links the request
names. Each wanted distribution becomes the resolver's requirement or needs (a wheel named
by path or URL: the only file of its project); the request's flags, the inputs' options and
the venv's versions make its ``Policy``. ``graft sync`` (``locate``) and ``graft lock`` share
them. Heavy imports (packaging, the readers, datetime) happen inside the functions, as in
``locate``.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Sequence

    from packaging.utils import NormalizedName

    from graft.model.request import ResolveRequest
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.candidates import Need
    from graft.resolve.overrides import Overrides
    from graft.resolve.policy import Policy, Prereleases
    from graft.resolve.resolver import Pin
    from graft.resolve.variants import VariantChooser


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
    from graft.sources.pyproject import is_pyproject, read_groups, read_pyproject  # noqa: PLC0415

    for path in request.requirement_files:
        if is_pyproject(path):
            read_pyproject(
                path,
                inputs,
                request.extras,
                request.groups,
                uv_sources=not request.no_sources,
                all_extras=request.all_extras,
            )
        else:
            read_requirements(path, inputs)
    no_pyproject = not any(is_pyproject(path) for path in request.requirement_files)
    if request.groups and not inputs.pylocks and no_pyproject:
        # pip's and uv's --group: ./pyproject.toml
        read_groups(request.groups, inputs, uv_sources=not request.no_sources)
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
    lock_of_nothing = nothing_listed and bool(request.requirement_files)
    listed = inputs.wanted or inputs.pylocks or inputs.prepared or lock_of_nothing
    named = request.requirement_files or request.specs
    if not listed and not named and request.seed and _bare(request):
        pass  # --seed alone, where the venv holds nothing else: uv venv --seed's (decision 228)
    elif not listed:
        from graft.errors import UsageError  # noqa: PLC0415

        if request.requirement_files:  # (as uv pip sync: an empty file would empty the venv)
            raise UsageError(
                "no requirement listed: nothing to install",
                where=", ".join(request.requirement_files),
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
    return inputs


def _overridden(request: ResolveRequest, inputs: Inputs) -> None:
    """Read ``--overrides`` and ``--excludes`` into *inputs*, and apply them to its roots.

    A sync whose every requirement they exclude leaves its venv as it was, as ``uv pip
    install`` does (``Checked 1 package``, exit 0): nothing is resolved, made or removed
    (decision 398). ``graft lock`` locks nothing, as ``uv pip compile`` does.
    """
    from graft.resolve.overrides import AllExcluded, read, roots  # noqa: PLC0415

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


def preferences(request: ResolveRequest, target: Target) -> dict[str, str]:
    """The versions the request's venv holds, which resolution keeps if it may (not with -U).

    Read where the venv holds them: in the previous interpreter's library when the sync
    rebuilds it for another X.Y (``--python 3.11`` of a 3.12 venv keeps its versions).
    """
    if request.venv is None or request.upgrade:
        return {}
    from graft.venv.state import held_sites, installed, read_config  # noqa: PLC0415

    prefix = os.path.abspath(request.venv)
    try:
        config = read_config(prefix)
    except (OSError, ValueError):
        config = None
    sites = (target.scheme["purelib"], target.scheme["platlib"])
    return installed(prefix, held_sites(sites, target.version, config))


def resolver_policy(  # noqa: PLR0917 - the lock and the sync pass the same six
    request: ResolveRequest,
    inputs: Inputs,
    wanted: list[Wanted],
    target: Target,
    have: dict[str, str],
    variants: VariantChooser | None = None,
    *,
    sdists: bool = False,
) -> Policy:
    """The resolver's policy from the request's flags and the inputs' options.

    *sdists*: a builder is at hand, so sdists may be candidates (as ``--only-binary`` allows).
    """
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    from graft.resolve.policy import Policy, Prereleases, format_sets  # noqa: PLC0415

    prereleases = Prereleases(request.prerelease or "if-necessary")
    if inputs.prereleases and request.prerelease is None:
        prereleases = Prereleases.ALLOW
    constraints: dict[NormalizedName, SpecifierSet] = {}
    hashes = {w.name: w.hashes for w in wanted if w.hashes}
    # projects whose one file the request names (a URL requirement on one is met by it)
    direct = {w.name for w in wanted if names_a_file(w)}
    for c in markers_apply(inputs.constraints, target):
        if names_a_file(c):  # (a URL constraint's file: decision 172)
            direct.add(c.name)
        constraints[c.name] = constraints.get(c.name, SpecifierSet()) & SpecifierSet(c.specifier)
        if c.hashes:  # pip's rule: a constraint's hashes and the requirement's both hold
            hashes[c.name] = hashes[c.name] & c.hashes if c.name in hashes else c.hashes
    preferred = {}
    for name, version in have.items():
        try:
            preferred[canonicalize_name(name)] = Version(version)
        except InvalidVersion:
            continue
    upgrade: bool | frozenset[NormalizedName] = request.upgrade or project_names(
        request.upgrade_packages
    )
    # uv's lowest-direct: the oldest of what the request names (its roots), the newest below;
    # the venv's seed packages (roots too) are resolved newest first under either
    seeds = frozenset(w.name for w in wanted if w.where == SEED_WHERE)
    lowest: bool | frozenset[NormalizedName] = request.resolution == "lowest"
    if request.resolution == "lowest-direct":
        lowest = frozenset(w.name for w in wanted) - seeds
    # the command line's, then the files' in the order read, as pip reads them (decision 326)
    only_binary, no_binary = format_sets((*request.formats, *inputs.formats))
    return Policy(
        lowest=lowest,
        newest=seeds,
        prereleases=prereleases,
        prerelease_packages=_prerelease_packages(request.prerelease_packages),
        exclude_newer=_exclude_newer(request.exclude_newer),
        exclude_newer_packages=_exclude_newer_packages(request.exclude_newer_packages),
        preferred=preferred,
        upgrade=upgrade,
        hashes=hashes,
        constraints=constraints,
        variants=variants,
        sdists=sdists,
        only_binary=only_binary,
        no_binary=no_binary,
        direct=frozenset(direct),  # (resolve.url_deps)
        lowered=frozenset(inputs.lowered),
        overrides=_overrides(inputs),
    )


def _overrides(inputs: Inputs) -> Overrides | None:
    """The request's ``--overrides`` and ``--excludes`` (None: none given; decisions 388, 389)."""
    if not inputs.overrides and not inputs.excludes:
        return None
    from graft.resolve.overrides import of_inputs  # noqa: PLC0415

    return of_inputs(inputs)


def unbounded_lowest(wanted: Sequence[Wanted], policy: Policy, pins: Iterable[Pin]) -> list[str]:
    """Warnings for the request's projects ``--resolution lowest`` takes the oldest of unbounded.

    A root with no lower bound (no ``>=``, ``>``, ``~=``, ``==`` or ``===`` clause) and no file
    of its own gets the project's oldest release, rarely what was meant: uv warns alike.
    *pins*: the resolution's.
    """
    if not policy.lowest:
        return []
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415

    chosen = {str(pin.name): str(pin.version) for pin in pins}
    bounding = {">=", ">", "~=", "==", "==="}
    out = []
    for w in wanted:
        if w.name not in chosen or not policy.oldest_first(w.name) or names_a_file(w):
            continue
        if w.source or any(c.operator in bounding for c in SpecifierSet(w.specifier)):
            continue
        out.append(
            f"{w.name} has no lower bound ({w.where}): --resolution lowest took its oldest"
            f" release here, {chosen[w.name]} (give one, such as '{w.name}>={chosen[w.name]}')"
        )
    return list(dict.fromkeys(out))


def project_names(
    names: tuple[str, ...], option: str = "--upgrade-package", short: str = "-P"
) -> frozenset[NormalizedName]:
    """``--upgrade-package NAME`` (or *option*'s, ``--reinstall-package``): each normalized.

    Anything else (``-P 'idna<3.8'``, uv's requirement form) is refused: as a name it would
    match no project, and the sync would keep the old version without a word.
    """
    from packaging.utils import InvalidName, canonicalize_name  # noqa: PLC0415

    from graft.errors import UsageError  # noqa: PLC0415

    out = set()
    for name in names:
        try:
            out.add(canonicalize_name(name, validate=True))
        except InvalidName:
            raise UsageError(
                f"{option} takes a project's name, not {name!r}",
                hint=f"{short} {_project_of(name)}, and {name!r} as a requirement or -c constraint",
            ) from None
    return frozenset(out)


def _project_of(text: str) -> str:
    """The project a requirement *text* names, for a hint (``NAME`` if it names none)."""
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    try:
        return Requirement(text).name
    except InvalidRequirement:
        return "NAME"


def _exclude_newer(text: str | None) -> dt.datetime | None:
    """``--exclude-newer``'s cutoff (:mod:`graft.resolve.exclude_newer`, loaded only for it)."""
    if text is None:
        return None
    from graft.resolve.exclude_newer import cutoff  # noqa: PLC0415

    return cutoff(text, _now())


def _prerelease_packages(given: tuple[str, ...]) -> dict[NormalizedName, Prereleases]:
    """``--prerelease-package NAME=MODE``'s modes by project (decision 389)."""
    if not given:
        return {}
    from graft.resolve.policy import Prereleases  # noqa: PLC0415

    modes = {mode.value: mode for mode in Prereleases}
    said = "NAME=MODE (MODE: allow, if-necessary or disallow)"
    example = "six=allow; for uv's explicit modes, name the prerelease with =="
    values = _per_project("--prerelease-package", given, said, example, modes.__contains__)
    return {name: modes[value] for name, value in values.items()}


def _exclude_newer_packages(given: tuple[str, ...]) -> dict[NormalizedName, dt.datetime]:
    """``--exclude-newer-package NAME=DATE``'s cutoffs by project (decision 389).

    A project's own cutoff stands for ``--exclude-newer``'s, later or earlier, as uv 0.13.9
    takes it.
    """
    if not given:
        return {}
    from graft.resolve.exclude_newer import cutoff  # noqa: PLC0415

    example = "a project and a date, a timestamp or a span: six=2026-01-01"
    values = _per_project("--exclude-newer-package", given, "NAME=DATE", example, bool)
    return {name: when for name, value in values.items() if (when := cutoff(value, _now()))}


def _per_project(
    flag: str, given: tuple[str, ...], said: str, example: str, valid: Callable[[str], bool]
) -> dict[NormalizedName, str]:
    """The values of uv's ``NAME=VALUE`` options by project, the last given for one winning.

    One that names no project or whose value is not *valid* is one usage error.
    """
    from packaging.utils import InvalidName, canonicalize_name  # noqa: PLC0415

    from graft.errors import UsageError  # noqa: PLC0415

    out: dict[NormalizedName, str] = {}
    for text in given:
        name, _, value = text.partition("=")
        try:
            project = canonicalize_name(name.strip(), validate=True)
        except InvalidName:
            project = None
        if project is None or not valid(value.strip()):
            raise UsageError(f"{flag} takes {said}, not {text!r}", hint=example)
        out[project] = value.strip()
    return out


@functools.cache
def _now() -> dt.datetime:
    """The instant a span's ``--exclude-newer`` counts back from, once per process.

    So every environment of a lock (its forked workers too) has the same cutoff.
    """
    import datetime as dt  # noqa: PLC0415

    return dt.datetime.now(dt.timezone.utc)


__all__ = [
    "constrained_files",
    "direct_file",
    "gather_inputs",
    "hash_checking",
    "markers_apply",
    "names_a_file",
    "preferences",
    "resolver_needs",
    "resolver_policy",
    "resolver_requirement",
]
