"""The screening's first candidate, read a release at a time.

A resolution that does not search (:mod:`graft.resolve.unanimous`) asks, per requirement,
only for the first candidate the provider would offer. :func:`~graft.resolve.screen.screen`
answers with every candidate: every file of every release the specifiers admit, screened
and ordered. :func:`first_offered` screens the releases in the screening's order and stops
at the first that answers, with the same answer (``tests/unit/test_screen.py`` checks it
against the whole screening on ordinary and odd listings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.resolve.admit import arbitrary, by_version, verdicts
from graft.resolve.policy import Prereleases
from graft.resolve.screen import (
    Reject,
    held_prerelease,
    passing,
    screen,
    variant_groups,
    within_release,
)
from graft.resolve.tag_groups import grouped_by_tags

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from packaging.specifiers import SpecifierSet
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.policy import Policy

#: Per listing and target (tag ranks), the positions of the files a tag of the target may fit.
_FITTING: dict[tuple[int, int], tuple[Sequence[ArtifactFile], Mapping[str, int], frozenset[int]]]
_FITTING = {}
_FITTING_MAX = 1024


def _fitting(files: Sequence[ArtifactFile], tag_rank: Mapping[str, int]) -> frozenset[int]:
    """The positions in *files* of every file but the wheels no tag of the target fits.

    As the screening's tag filter keeps them (without reasons), remembered per listing and
    target: :func:`first_offered` reads a release at a time, a lock once per environment.
    """
    hit = _FITTING.get((id(files), id(tag_rank)))
    if hit is not None and hit[0] is files and hit[1] is tag_rank:
        return hit[2]
    grouped = grouped_by_tags(files)
    kept = set(grouped.others)
    ranked = tag_rank.keys()
    for tags, at in grouped.by_tags:
        if not ranked.isdisjoint(tags):
            kept.update(at)
    if len(_FITTING) >= _FITTING_MAX:
        _FITTING.clear()
    fitting = frozenset(kept)
    _FITTING[id(files), id(tag_rank)] = (files, tag_rank, fitting)
    return fitting


def first_offered(
    name: NormalizedName,
    files: Sequence[ArtifactFile],
    specs: Sequence[SpecifierSet],
    target: Target,
    policy: Policy,
    *,
    tag_rank: Mapping[str, int],
) -> tuple[Version, ArtifactFile] | None:
    """``screen(...).offered[0]`` (None: nothing offered), read a release at a time.

    Releases in the screening's order (the preferred version, then newest first, or oldest
    first under ``--resolution lowest``); the first with a file that passes answers, unless
    it is a prerelease that is not allowed: then the next final release that passes answers
    (a final one passing rules prereleases out under ``if-necessary``), or, with none, the
    first prerelease that passed. The venv's prerelease (:func:`held_prerelease`) answers
    as a final one does, but met after a prerelease that passed (under ``-U`` it is not put
    first) only if a final release passes too: else every prerelease is allowed, and the
    first answers (decision 426). A release's files in the screening's order (with a
    variant chooser, by what its variants say; a yanked file after the others, decision
    409). A ``===`` (which compares texts, not versions) screens the one version it may
    spell, each spelling of it (:meth:`~graft.resolve.admit.ByVersion.admitted`).
    """
    if arbitrary(specs):
        whole = screen(name, files, specs, target, policy, tag_rank=tag_rank, reasons=False)
        return whole.offered[0] if whole.offered else None
    contains = verdicts(specs)
    preferred = policy.prefers(name)
    oldest = policy.oldest_first(name)
    releases = by_version(files).releases(preferred, specs, oldest=oldest)  # (parsed as reached)
    mode = policy.prereleases_for(name)
    allow = mode is Prereleases.ALLOW or any(spec.prereleases for spec in specs)
    kept = held_prerelease(name, policy)  # (the screening admits it as if named)
    waiting: tuple[Version, ArtifactFile] | None = None  # the first prerelease that passed
    held: tuple[Version, ArtifactFile] | None = None  # the kept one, met after waiting (-U)
    ignored: list[tuple[ArtifactFile, Reject, Version | None]] = []
    fitting = _fitting(files, tag_rank)
    unwanted = mode is Prereleases.DISALLOW  # (then waiting stays None)
    for version, at in releases:
        if not contains(version):
            continue
        if (
            version.is_prerelease
            and not allow
            and version != kept
            and (unwanted or waiting is not None)
        ):
            continue  # never the answer: not screened (keras-nightly's 1,838 dev releases)
        release = [files[i] for i in at if i in fitting]
        passed = passing(
            name,
            release,
            specs,
            contains,
            target=target,
            policy=policy,
            tag_rank=tag_rank,
            rejected=ignored,
        )
        if policy.variants is not None:  # (a release at a time, as the screening groups them)
            passed = variant_groups(name, passed, files, policy.variants, ignored)
        if not passed:
            continue
        best = min(passed, key=within_release)
        if allow or not version.is_prerelease:
            return held or (best[0], best[2])
        if version == kept and waiting is None:
            return best[0], best[2]
        if version == kept:  # (after a newer prerelease: it answers if a final release passes)
            held = best[0], best[2]
        elif waiting is None:
            waiting = best[0], best[2]
    return waiting if mode is Prereleases.IF_NECESSARY else None


__all__ = ["first_offered"]
