"""A lock's resolutions merged per project by artifact node (decision 37).

The environments whose chosen release has the same version and canonical metadata
(*surface*) share one :class:`Entry`, which lists the wheels of that node an installer in
one of them may pick (:func:`compatible`). Where, in one environment, two such wheels state
different metadata, no marker can tell their installers apart: the lock is refused
(:func:`merge`), as it is when two environments no marker tells apart got different entries
(:func:`check_markable`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.resolve.artifacts import ArtifactFile, ProjectSource
    from graft.resolve.environments import Environment
    from graft.resolve.metadata_reader import MetadataReader
    from graft.resolve.resolver import Pin, Resolution
    from graft.variants.locked import Clause


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``[[packages]]`` entry: a release's node for some of the environments."""

    name: NormalizedName
    version: Version
    environments: tuple[Environment, ...]
    wheels: tuple[ArtifactFile, ...]  # sorted by filename
    variants_json: dict[str, Any] | None = None  # PEP 825's [packages.variants-json]
    needed_by: tuple[Clause, ...] = ()  # only some variant choices need it: when (tool.graft)
    # the one index a ``[tool.uv.sources]`` entry keeps it to there (decisions 372, 377)
    index: str | None = None


def compatible(
    release: tuple[ArtifactFile, ...], env: Environment, chosen: ArtifactFile
) -> tuple[ArtifactFile, ...]:
    """The wheels of *release* an installer in *env* may pick (yanked ones only if chosen).

    A wheel whose tags another compatible wheel has too, with a higher build tag, is never
    picked (every installer prefers the higher build): it is left out.
    """
    from graft.resolve.artifacts import parse_wheel  # noqa: PLC0415

    ranks = _tag_rank(env).keys()  # (a wheel fits when one of its tags is ranked)
    best: dict[tuple[tuple[str, ...], str | None], tuple[int, ArtifactFile]] = {}
    for f in release:
        parsed = parse_wheel(f.filename)
        if parsed is None or ranks.isdisjoint(parsed.tags):
            continue
        if f.yanked is not None and f != chosen:
            continue
        key = (parsed.tags, parsed.variant)  # each variant is a wheel of its own (PEP 825)
        before = best.get(key)
        if (
            before is None
            or parsed.build > before[0]
            or (f == chosen and parsed.build == before[0])
        ):
            best[key] = (parsed.build, f)
    return tuple(sorted((f for _, f in best.values()), key=lambda f: f.filename))


_RANKS: dict[tuple[str, ...], dict[str, int]] = {}


def beyond(
    release: tuple[ArtifactFile, ...], env: Environment, listed: tuple[ArtifactFile, ...]
) -> tuple[ArtifactFile, ...]:
    """The wheels of *release* for machines *env* stands for beyond its tags, not *listed*.

    A wheel no tag of *env* fits, one of whose tags would fit with its platform read as the
    platform of *env* that machine meets (:func:`~graft.resolve.lock_machines.stands_for`:
    ``manylinux_2_34_x86_64`` or ``musllinux_1_2_x86_64`` as ``manylinux_2_28_x86_64``,
    ``win32`` as ``win_amd64``): an installer on such a machine prefers it to the release's
    other wheels, as it would from the index (decisions 314, 320). Not yanked, not shadowed
    by a higher build of the same tags, no variant.
    """
    from graft.resolve.artifacts import parse_wheel  # noqa: PLC0415
    from graft.resolve.lock_machines import stands_for  # noqa: PLC0415

    ranks = _tag_rank(env).keys()
    best: dict[tuple[str, ...], tuple[int, ArtifactFile]] = {}
    for f in release:
        parsed = parse_wheel(f.filename)
        if parsed is None or f in listed or f.yanked is not None or parsed.variant is not None:
            continue
        for tag in parsed.tags:
            interpreter, abi, platform = tag.split("-")
            met = stands_for(env, platform)
            if met is not None and f"{interpreter}-{abi}-{met}" in ranks:
                before = best.get(parsed.tags)
                if before is None or parsed.build > before[0]:
                    best[parsed.tags] = (parsed.build, f)
                break
    return tuple(sorted((f for _, f in best.values()), key=lambda f: f.filename))


def _tag_rank(env: Environment) -> dict[str, int]:
    """``env.target.tag_rank()``, computed once per tag list."""
    ranks = _RANKS.get(env.target.tags)
    if ranks is None:
        ranks = _RANKS[env.target.tags] = env.target.tag_rank()
    return ranks


def release_of(
    source: ProjectSource,
    name: NormalizedName,
    version: Version,
    releases: dict[tuple[str, Version], tuple[ArtifactFile, ...]],
) -> tuple[ArtifactFile, ...]:
    """The wheels of release *name* *version*, kept in *releases*.

    Only the files whose filename states that version are parsed (a listing may hold
    thousands of other releases' wheels).
    """
    from graft.resolve.admit import by_version  # noqa: PLC0415
    from graft.resolve.artifacts import parse_wheel  # noqa: PLC0415

    release = releases.get((name, version))
    if release is None:
        release = releases[name, version] = tuple(
            f
            for f in by_version(source.files(name)).stating(version)
            if (p := parse_wheel(f.filename)) is not None and p.version == version
        )
    return release


def merge(
    results: list[tuple[Environment, Resolution]],
    source: ProjectSource,
    reader: MetadataReader,
    seen: Callable[[Environment], tuple[ProjectSource, Mapping[str, str]]] | None = None,
) -> tuple[Entry, ...]:
    """One entry per (project, version, surface, index), from each environment's resolution.

    *seen*: an environment's view of *source* and the index each project is kept to there
    (``[tool.uv.sources]``): a release kept to an index in some environments only is read
    from that index's files there, and is an entry apart from the same release elsewhere
    (decision 377). Raises :class:`SourceError` when, in one environment, compatible wheels
    of the chosen release state different metadata (no marker can tell their installers
    apart).
    """
    from graft.resolve.lock_variants import is_variant  # noqa: PLC0415

    # (project, version, surface, a direct file's URL: apart from an index's release, index)
    groups: dict[tuple[Any, ...], tuple[list[Environment], dict[str, Any]]] = {}
    releases: dict[str | None, dict[tuple[str, Version], tuple[ArtifactFile, ...]]] = {}
    planned: list[tuple[Environment, Pin, tuple[ArtifactFile, ...], tuple[ArtifactFile, ...]]] = []
    # (env, pin, its wheels, the other machines' wheels of its release)
    kept: dict[int, Mapping[str, str]] = {}  # (by id: each environment's pins)
    for env, resolution in results:
        view, kept[id(env)] = (source, {}) if seen is None else seen(env)
        for pin in resolution.pins:
            if pin.file.direct:  # its project's only file, here (a URL constraint's: decision 201)
                planned.append((env, pin, (pin.file,), ()))
                continue
            index = kept[id(env)].get(pin.name)  # (each index's releases apart)
            release = release_of(view, pin.name, pin.version, releases.setdefault(index, {}))
            own = (compatible(release, env, pin.file) if pin.file.is_wheel else ()) or (pin.file,)
            other = (
                beyond(release, env, own) if pin.file.is_wheel and not is_variant(pin.file) else ()
            )
            planned.append((env, pin, own, other))
    _read_side_by_side([f for *_, own, other in planned for f in (*own, *other)], reader)
    for env, pin, fitting, other in planned:
        surface = reader.surface(pin.file)
        # another machine's wheel stating other dependencies is left out: the lock keeps
        # the wheel it already takes there (decisions 314, 320)
        own = fitting + tuple(f for f in other if reader.surface(f) == surface)
        for wheel in own:
            if wheel is pin.file or is_variant(wheel) or is_variant(pin.file):
                continue  # a variant's METADATA may differ; the installer's choice decides
            if reader.surface(wheel) != surface:
                raise SourceError(
                    f"{wheel.filename} and {pin.file.filename} state different dependencies"
                    f" and no marker tells their installers apart ({env.label})",
                    where=f"{pin.name}=={pin.version}",
                    hint="lock for explicit platform tags (--platform TAG, one tag per"
                    " environment), or pin another version",
                )
        direct = pin.file.url if pin.file.direct else None  # (apart from an index's)
        index = None if direct else kept[id(env)].get(pin.name)
        key = (pin.name, pin.version, surface, direct, index)
        envs, wheels = groups.setdefault(key, ([], {}))
        envs.append(env)
        wheels.update({f.filename: f for f in own})
    return tuple(
        Entry(
            name,
            version,
            tuple(envs),
            tuple(wheels[k] for k in sorted(wheels)),
            index=index,
        )
        for (name, version, *_, index), (envs, wheels) in sorted(
            groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[1][0][0].label)
        )
    )


def held_back(
    results: Sequence[tuple[Environment, Resolution]],
    seen: Callable[[Environment], tuple[ProjectSource, Mapping[str, str]]],
) -> list[str]:
    """A line per release a Linux environment did not take for want of a newer glibc.

    Where another environment of the same Python took a newer release of a project whose
    Linux wheels all need a glibc newer than the environment's (``manylinux_2_34`` only),
    the Linux one took an older release, which every machine it stands for installs: said,
    with the ``--platform`` that locks the newer one for such machines (decision 322). Each
    index a project is kept to (*seen*: ``[tool.uv.sources]``) is judged apart, by its own
    releases, and named (decision 385).
    """
    from graft.resolve.lock_said import said_once  # noqa: PLC0415

    took: dict[tuple[str, str, str], set[Version]] = {}
    for env, resolution in results:
        kept = seen(env)[1]
        for pin in resolution.pins:
            took.setdefault((pin.name, env.python, kept.get(pin.name, "")), set()).add(pin.version)
    said: list[tuple[str, str]] = []
    for env, pin, index, release_at in system_pins(results, seen, "linux"):
        took_here = took[pin.name, env.python, index]
        newer = sorted((v for v in took_here if v > pin.version), reverse=True)
        for version in [] if pin.file.direct else newer:
            level = _glibc_needed(release_at(version), env, pin.file)
            if level is not None:
                on = f" (on {index})" if index else ""
                text = (
                    f"{pin.name} {version}{on} has Linux wheels only for glibc 2.{level} and"
                    f" newer: locked {pin.version}, which older glibc installs too"
                    f" (--platform {env.values[1]}-manylinux_2_{level} locks {version} for"
                    " such machines; decision 322)"
                )
                said.append((env.label, text))
                break
    return said_once(said)


def system_pins(
    results: Sequence[tuple[Environment, Resolution]],
    seen: Callable[[Environment], tuple[ProjectSource, Mapping[str, str]]],
    system: str,
) -> Iterator[tuple[Environment, Pin, str, Callable[[Version], tuple[ArtifactFile, ...]]]]:
    """Each pin of the *system*'s environments (``sys_platform``; none named by a tag).

    With the index it is kept to (``""``: the lock's indexes; *seen*, decision 385) and a
    function giving a release's wheels there, read once per index and version.
    """
    releases: dict[str, dict[tuple[str, Version], tuple[ArtifactFile, ...]]] = {}
    for env, resolution in results:
        if env.named or env.values[0] != system:
            continue
        view, kept = seen(env)
        for pin in resolution.pins:
            index = kept.get(pin.name, "")
            known = releases.setdefault(index, {})
            yield env, pin, index, functools.partial(release_of, view, pin.name, releases=known)


def _glibc_needed(
    release: tuple[ArtifactFile, ...], env: Environment, chosen: ArtifactFile
) -> int | None:
    """The oldest glibc minor of *release*'s wheels for *env*'s newer machines, when none fits."""
    import re  # noqa: PLC0415

    if compatible(release, env, chosen):
        return None
    levels = [
        int(m[1])
        for f in beyond(release, env, ())
        for m in re.finditer(r"manylinux_2_(\d+)_", f.filename)
    ]
    return min(levels, default=None)


def _read_side_by_side(files: list[ArtifactFile], reader: MetadataReader) -> None:
    """The surfaces of *files* not at hand, read by up to 8 threads rather than one by one.

    A cold lock reads the METADATA of each wheel an entry lists, other machines' wheels too
    (decision 320: some 200 more for 59 projects, 9 s of waiting when read in turn).
    """
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    todo = [f for f in dict.fromkeys(files) if not reader.at_hand(f)]
    if len(todo) > 1:
        with ThreadPoolExecutor(min(8, len(todo)), "graft-beyond") as pool:
            list(pool.map(reader.surface, todo))


def check_markable(entries: tuple[Entry, ...]) -> None:
    """Refuse when two environments with the same marker values got different entries."""
    seen: dict[tuple[str, tuple[str | int | None, ...]], tuple[Entry, Environment]] = {}
    for entry in entries:
        for env in entry.environments:
            key = (entry.name, env.span)  # (a range of a forked series: decision 153)
            before = seen.setdefault(key, (entry, env))
            if before[0] is not entry:
                raise SourceError(
                    f"{before[1].label} gets {before[0].wheels[0].filename} and {env.label}"
                    f" gets {entry.wheels[0].filename}, which no marker tells apart",
                    where=str(entry.name),
                    hint="lock these platform tags separately",
                )
