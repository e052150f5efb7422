"""Why a requirement has no candidate: no such project, no such version, or no file that fits.

The cases of :mod:`graft.resolve.explain` that the project's listing tells: no project of that
name (:mod:`graft.resolve.no_project`, with a close one: "did you mean requests?"), only source
distributions while builds are off, no wheel for the target (with the tags its newest wheels
have), no version the specifiers admit (with the nearest there are and what was left out), the
target's Python excluded by every wheel tried.
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING

from graft.resolve.admit import by_version
from graft.resolve.artifacts import legacy_sdists, parse_wheel, sdist_version
from graft.resolve.candidates import UNBUILT, UNREADABLE, WRONG_RELEASE, WheelCandidate
from graft.resolve.causes import stated
from graft.resolve.policy import Prereleases
from graft.resolve.resolution_error import (
    SHOWN,
    Kind,
    Reason,
    ResolutionError,
    bounded_prereleases,
    listed,
    nearest,
)
from graft.resolve.screen import Reject, screen
from graft.resolve.surface import canonical_specifier

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from packaging.specifiers import SpecifierSet
    from packaging.utils import NormalizedName
    from packaging.version import Version
    from resolvelib.structs import RequirementInformation

    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.candidates import Candidate, Need
    from graft.resolve.provider import Provider
    from graft.resolve.screen import Screen


def python_excluded(
    infos: Sequence[RequirementInformation[Need, Candidate]], target: str
) -> ResolutionError:
    """The target's Python excluded by each wheel's own Requires-Python in *infos*.

    Or, where each is an sdist left for a target of another system (decision 134), the
    first build that failed on this machine, in a line of its own (a lock's warning); or the
    wheels' METADATA unreadable: a wheel with an unparsable Requires-Dist requires
    :data:`~graft.resolve.candidates.UNREADABLE` of it (decision 136); or sdists whose
    builds state another release (:data:`~graft.resolve.candidates.WRONG_RELEASE`, 423).
    """
    if all(info.requirement.specifier == UNBUILT for info in infos):
        head = (
            f"the releases tried state their dependencies only through {infos[0].requirement.text}"
        )
        lines = [head, *stated(infos)]
        hint = "lock this environment on a machine of its system, or pin a release with wheels"
        return ResolutionError(Kind.ONLY_SDISTS, lines, hint=hint)
    broken = sum(info.requirement.specifier == UNREADABLE for info in infos)
    wrong = sum(info.requirement.specifier == WRONG_RELEASE for info in infos)
    if broken == len(infos):
        lines = ["every wheel that was tried has an unparsable Requires-Dist (pip ignores those):"]
        hint = "pin a version whose METADATA is sound"
    elif wrong == len(infos):  # (decision 423: passed over, as uv passes them over)
        lines = ["every release that was tried builds another release than its sdist's:"]
        hint = "pin a release whose sdist builds its own name and version, or tell its project"
    else:
        excluded = f"the target's Python {target} is excluded by every wheel that was tried"
        ors = [", or its METADATA is unreadable"] if broken else []
        ors += [", or its build states another release"] if wrong else []
        lines = [f"{excluded}{''.join(ors)}:"]
        hint = "pass --python for another interpreter"
    lines += stated(infos)
    return ResolutionError(Kind.PYTHON, lines, hint=hint)


def no_candidates(
    name: NormalizedName,
    infos: Sequence[RequirementInformation[Need, Candidate]],
    provider: Provider,
) -> ResolutionError | None:
    """Why the requirements *infos* on *name* admit no candidate; None if they admit some.

    Where a URL constraint made its wheel the project's only file (decision 172), the first
    line names the constraint and where it was given: the file the user can change.
    """
    error = _no_candidates(name, infos, provider)
    files = provider.files(name)
    if error is None or len(files) != 1 or files[0].constraint is None:
        return error
    only = files[0]
    lines = list(error.lines)
    lines[0] += f": the constraint at {only.constraint} makes {only.filename} its only file"
    hint = error.hint or f"change the constraint at {only.constraint}, or the requirement"
    return ResolutionError(error.kind, lines, hint, gave_up=error.gave_up)


def _no_candidates(
    name: NormalizedName,
    infos: Sequence[RequirementInformation[Need, Candidate]],
    provider: Provider,
) -> ResolutionError | None:
    """:func:`no_candidates`' answer, whatever the project's files.

    No such project, only sdists, no wheel for the target, no version admitted (with what
    was left out and the nearest versions). None where they admit candidates (dead ends or a
    conflict further down), or where each alone admits some and they come from different
    wheels (a conflict between them): the caller's to tell.
    """
    files = provider.files(name)
    asked = stated(infos)
    askers = {str(i.parent.name) for i in infos if isinstance(i.parent, WheelCandidate)}
    if not files:  # (the user's own requirement on it may have been met elsewhere first)
        from graft.resolve.no_project import no_projects  # noqa: PLC0415 - (no such project)

        stating = [i.parent for i in infos] + [p for _, p in provider.needed.get(name, ())]
        return no_projects(name, asked, askers, stating, provider)
    specs = [i.requirement.specifier for i in infos]
    matching = _screened(name, files, specs, provider)
    if matching.offered:
        return None  # there are candidates: the failure is a conflict further down
    unfit = {Reject.SDIST, Reject.FILENAME, Reject.TAGS, Reject.NO_BINARY}
    fit = [v for _, r, v in matching.rejected if r not in unfit and v is not None]
    if not fit or (not _wanted(fit, specs) and _wanted(_tagged(matching.rejected), specs)):
        # nothing fits the target, or the versions asked for exist and only their wheels do
        # not fit (a pin from before the target's Python): not a missing version
        return _unfit(name, matching.rejected, asked, specs, provider, fit=fit)
    parents = {info.parent for info in infos}
    if len(specs) > 1 and len(parents) > 1:  # (one requirement alone: the screening above)
        alone = [_screened(name, files, [s], provider).offered for s in specs]
        if all(alone):
            return None  # each alone is met: a conflict between requirements of different origin
    counts: dict[Reject, int] = {}
    for _, reason, _ in matching.rejected:
        counts[reason] = counts.get(reason, 0) + 1
    left_out = ", ".join(
        f"{n} {r.value}"
        for r, n in sorted(counts.items(), key=lambda item: item[0].name)
        if r not in {Reject.SPECIFIER, *unfit}
    )
    wanted = canonical_specifier(functools.reduce(operator.and_, specs)) or "any version"
    # (an sdist a version has alone is said: builds are off, as uv hints)
    matched = _matched_but_left_out(matching.rejected, specs, unfit - {Reject.SDIST})
    if set(matched) == {Reject.HASH}:  # (each match's files: none has a hash given)
        return _hash_mismatch(
            name, wanted, rejected=matching.rejected, specs=specs, asked=asked, provider=provider
        )
    # nearest: versions the target could take but for the specifiers (not one whose files
    # the index's requires-python or --exclude-newer left out: 2.3.0rc1 for numpy>=2.3)
    takeable = [(f, v) for f, r, v in matching.rejected if r is Reject.SPECIFIER and v is not None]
    near = [v for _, v in takeable if all(v not in found for found in matched.values())]
    # a version the target takes only as an sdist is said apart: it is built, not installed
    # (numpy==1.21.6 on 3.11: the nearest, 1.22.x, have wheels up to cp310 alone; decision 391)
    wheeled = {v for f, v in takeable if f.is_wheel}
    lines = [f"no version of {name} matches {wanted} for the target", *asked]
    built = [v for v in near if v not in wheeled]
    for said, versions in (
        ("with a wheel for the target", [v for v in near if v in wheeled]),
        ("with only a source distribution, built for the target", built),
    ):
        if versions:
            lines.append(f"nearest versions {said}: {_near(versions, specs)}")
            lines += bounded_prereleases(nearest(versions, specs), specs)
    lines += _matched_lines(matched, provider.target.version)
    if left_out:
        lines.append(f"left out: {left_out}")
    hint = _builds_off(name) if Reject.SDIST in matched else None
    disallowed = provider.policy.prereleases_for(name) is Prereleases.DISALLOW
    if Reject.PRERELEASE in matched and disallowed:
        hint = "prereleases are off (--prerelease disallow); allow them with --prerelease"
        hint += f" allow or --pre, or name one ({name}=={max(matched[Reject.PRERELEASE])})"
    chooser = provider.policy.variants
    if Reject.VARIANT in counts and chooser is not None:  # say which property the machine lacks
        lines += [
            f"{filename}: {why}"
            for (project, _), order in sorted(chooser.orders.items())
            if project == name
            for filename, why in sorted(order.left_out.items())
        ]
        hint = "see what this machine supports with graft variants; describe it with"
        hint += " --variant-property or variants.toml if detection is wrong"
    return ResolutionError(Kind.NO_VERSION, lines, hint)


def _hash_mismatch(
    name: NormalizedName,
    wanted: str,
    *,
    rejected: Sequence[tuple[ArtifactFile, Reject, Version | None]],
    specs: Sequence[SpecifierSet],
    asked: Sequence[str],
    provider: Provider,
) -> ResolutionError:
    """The versions asked for are there, but no file of theirs has a ``--hash`` given.

    Said as pip says it, each file with the sha256 the index gives it (decision 430), where
    "no version matches" read as if the version did not exist.
    """
    files = [
        file
        for file, reason, version in rejected
        if reason is Reject.HASH
        and version is not None
        and all(spec.contains(version, prereleases=True) for spec in specs)
    ]
    where = provider.policy.hashes_where.get(name)
    at = f" ({where})" if where else ""
    asked_for = name if wanted == "any version" else f"{name}{wanted}"
    lines = [f"no file of {asked_for} for the target has a sha256 among its --hash values{at}"]
    lines += asked
    lines += [f"{file.filename} has sha256:{file.sha256}" for file in files[:SHOWN]]
    if len(files) > SHOWN:
        lines.append(f"(and {len(files) - SHOWN} more files)")
    hint = (
        "if the pin or the file changed on purpose, give its new hash (graft lock writes"
        " them); else the index serves another file than the one hashed: check it first"
    )
    return ResolutionError(Kind.NO_VERSION, lines, hint)


def _matched_but_left_out(
    rejected: Sequence[tuple[ArtifactFile, Reject, Version | None]],
    specs: Sequence[SpecifierSet],
    unfit: Collection[Reject],
) -> dict[Reject, dict[Version, ArtifactFile]]:
    """The versions every one of *specs* admits that were left out for another reason.

    Per reason (the index's requires-python, yanked, ...), each version with its newest file:
    ``django>=5`` for Python 3.9 finds every 5.x, all requiring Python 3.10.
    """
    out: dict[Reject, dict[Version, ArtifactFile]] = {}
    for file, reason, version in rejected:
        if version is None or reason is Reject.SPECIFIER or reason in unfit:
            continue
        if all(spec.contains(version, prereleases=True) for spec in specs):
            out.setdefault(reason, {}).setdefault(version, file)
    return out


def _matched_lines(matched: dict[Reject, dict[Version, ArtifactFile]], python: str) -> list[str]:
    """One line per reason :func:`_matched_but_left_out` found, its versions newest first."""
    lines = []
    for reason, found in sorted(matched.items(), key=lambda item: item[0].name):
        shown = listed(list(found))
        if reason is Reject.PYTHON:  # the oldest asks least: what any match needs at best
            oldest = min(found)
            lines.append(
                f"the versions that match require another Python: {shown}; the oldest,"
                f" {oldest}, requires {found[oldest].requires_python} (the target's is {python})"
            )
        elif reason is Reject.YANKED:
            lines.append(f"the versions that match are yanked: {shown}")
        else:
            lines.append(f"the versions that match are left out ({reason.value}): {shown}")
    return lines


def _near(versions: Sequence[Version], specs: Sequence[SpecifierSet]) -> str:
    shown = nearest(versions, specs)
    total = len(set(versions))
    return ", ".join(str(v) for v in shown) + (f" (of {total})" if total > len(shown) else "")


def _only_sdists(
    name: NormalizedName,
    rejected: Sequence[tuple[ArtifactFile, Reject, Version | None]],
    asked: Sequence[str],
) -> ResolutionError:
    sdists = [f for f, r, _ in rejected if r is Reject.SDIST]
    versions = [v for f in sdists if (v := sdist_version(f.filename)) is not None]
    shown = listed(versions) if versions else ", ".join(f.filename for f in sdists)
    return ResolutionError(
        Kind.ONLY_SDISTS,
        [
            f"{name} has only source distributions ({shown})"
            if len(sdists) == len(rejected)
            else f"no wheel of {name} fits the target, only source distributions ({shown})",
            *asked,
        ],
        hint=_builds_off(name),
    )


def _brought_in(name: NormalizedName, provider: Provider) -> list[str]:
    """How *name* came in, where its requirers' lines do not say it: a chain to a request.

    ``you asked for top; top==1.0 requires bar`` when bar (whose line says it requires
    *name*) is no project the user asked for (decision 378); else nothing.
    """
    from graft.resolve.causes import chain, requested_and_parents  # noqa: PLC0415

    asked, parents = requested_and_parents(provider.needed)
    up = chain(name, asked, parents)
    if len(up) < 2:  # noqa: PLR2004 - its requirer is what the user asked for, or no chain
        return []
    from graft.resolve.causes import required_by  # noqa: PLC0415

    return [f"{name} is {required_by(name, asked, parents)}"]


def _builds_off(name: NormalizedName) -> str:
    return (
        f"builds are off (--no-build, --only-binary {name} or :all:, or a command that does"
        " not build); allow them, or pin a version with a wheel"
    )


def _screened(
    name: NormalizedName,
    files: Sequence[ArtifactFile],
    specs: list[SpecifierSet],
    provider: Provider,
) -> Screen:
    """*files* screened under *specs* for the provider's target, with reasons (a lock's: shared).

    Where a lock's target fits no file of the listing (wheels only, no tag fits: a project
    with no wheel for Windows arm64), the releases *specs* admit are screened, not every
    one: the explanation says the same ("no wheel of NAME VERSION for the target", and the
    tags that version has), and a lock failing alike on every Python reads a few dozen files
    for each instead of every release's (decision 102).
    """
    target, policy, rank = provider.target, provider.policy, provider.tag_rank
    screens = provider.screens
    if screens is None:
        return screen(name, files, specs, target, policy, tag_rank=rank)
    if screens.fits_none(files, target, rank):
        files = by_version(files).admitted(specs) or files
    return screens.explained(name, files, specs, target, policy, tag_rank=rank)


def _unfit(
    name: NormalizedName,
    rejected: Sequence[tuple[ArtifactFile, Reject, Version | None]],
    asked: Sequence[str],
    specs: Sequence[SpecifierSet],
    provider: Provider,
    *,
    fit: Sequence[Version],
) -> ResolutionError:
    """Only sdists, or no wheel for the target (and the versions that have one, if any)."""
    if not fit and all(r in {Reject.SDIST, Reject.FILENAME} for _, r, _ in rejected):
        return _only_sdists(name, rejected, [*asked, *_brought_in(name, provider)])
    error = _no_wheel(name, rejected, asked, specs, provider)
    if not fit:
        return error
    nearby = f"versions with a wheel for the target: {_near(fit, specs)}"
    return ResolutionError(error.kind, [error.reason, *error.lines[1:], nearby], error.hint)


def _no_wheel(
    name: NormalizedName,
    rejected: Sequence[tuple[ArtifactFile, Reject, Version | None]],
    asked: Sequence[str],
    specs: Sequence[SpecifierSet],
    provider: Provider,
) -> ResolutionError:
    wheels = [(v, f) for f, r, v in rejected if r is Reject.TAGS and v is not None]
    allowed = set(_wanted([v for v, _ in wheels], specs))
    wanted = [(v, f) for v, f in wheels if v in allowed]
    wheels = wanted or wheels  # the versions asked for, if they have wheels at all
    if wheels:
        newest = max(v for v, _ in wheels)
        tags = sorted({t for v, f in wheels if v == newest for t in _tags(f.filename)})
        shown = ", ".join(tags[:SHOWN]) + (
            f" (and {len(tags) - SHOWN} more)" if len(tags) > SHOWN else ""
        )
        elsewhere = _other_systems(tags, provider.target.markers.get("platform_system"))
        only = f"{elsewhere} only: " if elsewhere else ""
        line = f"{name} {newest} has wheels for {only}{shown}"
    else:
        reasons = sorted({r.value for _, r, _ in rejected})
        line = f"every file of {name} was left out: {'; '.join(reasons)}"
    which = f"{name} {wanted[0][0]}" if len({v for v, _ in wanted}) == 1 else name
    head = Reason(f"no wheel of {which} for the target", tuple(provider.target.tags[:2]))
    legacy = legacy_sdists(name, [f.filename for f, r, _ in rejected if r is Reject.FILENAME])
    admitted = set(_wanted([v for v, _ in legacy], specs))
    old = [filename for version, filename in legacy if version in admitted]
    said = [line]
    if old:  # (Twisted 20.3.0's only sdist is a .tar.bz2: decision 311)
        said.append(
            f"{', '.join(old[:SHOWN])}: {'an sdist' if len(old) == 1 else 'sdists'} neither"
            " .tar.gz nor .zip (PEP 625), which graft does not build"
        )
    return ResolutionError(Kind.NO_WHEEL_FOR_TARGET, [head, *asked, *said])


def _tagged(rejected: Sequence[tuple[ArtifactFile, Reject, Version | None]]) -> list[Version]:
    return [v for _, r, v in rejected if r is Reject.TAGS and v is not None]


def _wanted(versions: Sequence[Version], specs: Sequence[SpecifierSet]) -> list[Version]:
    """The *versions* every specifier of *specs* allows (prereleases too: they were named).

    Each version is judged once: *versions* holds one per file (thousands, for a project
    with a wheel per platform and Python).
    """
    judged = {v: all(s.contains(v, prereleases=True) for s in specs) for v in set(versions)}
    return [v for v in versions if judged[v]]


#: A platform tag's prefix and the system it is for (``platform_system``, and its name).
_SYSTEMS = (
    ("win", "Windows", "Windows"),
    ("macosx", "Darwin", "macOS"),
    ("manylinux", "Linux", "Linux"),
    ("musllinux", "Linux", "Linux"),
    ("linux", "Linux", "Linux"),
)


def _other_systems(tags: Sequence[str], system: str | None) -> str | None:
    """The systems *tags* are for (``Windows``, ``Linux and macOS``) where none is *system*.

    None where a tag is for any system or one graft cannot name (``py3-none-any``,
    ``android_21_arm64_v8a``), or where one is for *system* (the target's ``platform_system``):
    the wheels miss it by Python, ABI or system release, not by system, and the tags say so.
    (pywin32 on Linux: "pywin32 312 has wheels for Windows only: cp310-cp310-win32, …", as
    uv's hint names the platforms.)
    """
    found: dict[str, str] = {}
    for tag in tags:
        platform = tag.rsplit("-", 1)[-1]
        known = next((s for s in _SYSTEMS if platform.startswith(s[0])), None)
        if known is None or known[1] == system:
            return None
        found[known[2]] = known[1]
    names = sorted(found)
    return " and ".join(names) if names else None


def _tags(filename: str) -> tuple[str, ...]:
    parsed = parse_wheel(filename)
    return parsed.tags if parsed else ()


__all__ = ["no_candidates", "python_excluded"]
