"""Why a requirement has no candidate: no such project, no such version, or no file that fits.

The cases of :mod:`graft.resolve.explain` that the project's listing tells: no project of that
name (:mod:`graft.resolve.no_project`, with a close one: "did you mean requests?"), only source
distributions while builds are off, no wheel for the target (with the tags its newest wheels
have; both :mod:`graft.resolve.no_wheel`), no version the specifiers admit (with the nearest
there are and what was left out), the target's Python excluded by every wheel tried.
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING

from graft.resolve.admit import by_version
from graft.resolve.candidates import UNBUILT, UNREADABLE, WRONG_RELEASE, WheelCandidate
from graft.resolve.causes import stated
from graft.resolve.no_wheel import builds_off, no_fit
from graft.resolve.policy import Prereleases
from graft.resolve.resolution_error import (
    SHOWN,
    Kind,
    ResolutionError,
    bounded_prereleases,
    listed,
    nearest,
    nearest_text,
    within,
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
    if not fit or (not within(fit, specs) and within(_tagged(matching.rejected), specs)):
        # nothing fits the target, or the versions asked for exist and only their wheels do
        # not fit (a pin from before the target's Python): not a missing version
        return no_fit(name, matching.rejected, asked, specs, provider, fit=fit)
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
            lines.append(f"nearest versions {said}: {nearest_text(versions, specs)}")
            lines += bounded_prereleases(nearest(versions, specs), specs)
    lines += _matched_lines(matched, provider.target.version)
    if left_out:
        lines.append(f"left out: {left_out}")
    hint = builds_off(name) if Reject.SDIST in matched else None
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


def _tagged(rejected: Sequence[tuple[ArtifactFile, Reject, Version | None]]) -> list[Version]:
    return [v for _, r, v in rejected if r is Reject.TAGS and v is not None]


__all__ = ["no_candidates", "python_excluded"]
