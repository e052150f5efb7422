"""Which files of a project are candidates for one target, best first, and why the others are not.

The screening runs before any METADATA is read, on what the index says of each file:

- wheels, named for the project; an sdist only when the policy allows builds
  (``Policy.sdists``: a builder is at hand, not ``--no-build``, not ``--only-binary`` for the
  project), ranked after every wheel, so that the provider offers it for a version only when
  no wheel of that version fits (pip's and uv's rule); ``--no-binary`` leaves wheels out;
- a tag the target accepts, ranked by the target's tag order, then the highest build tag;
- the index's ``requires-python`` (per release on PyPI, warehouse#16033) must admit the
  target; an unparsable value admits everything, as in pip;
- ``exclude_newer`` drops files uploaded later, and remote files without an upload time
  (an index that does not say when cannot prove "not newer"); local files, and files the
  user names by URL, are kept;
- ``--hash`` values given for a project leave out files whose announced sha256 differs
  (a file whose sha256 is not announced stays, and is checked on download);
- every specifier must contain the version; yanked files (PEP 592) only for a ``==``/``===``
  clause naming that version;
- prereleases: ``if-necessary`` (the default, PEP 440) accepts them when a specifier names
  one or when nothing else is left, and the one the venv holds (PEP 440's "already
  installed pre-releases", as pip and uv keep it, under ``-U`` too: :func:`held_prerelease`);
  ``allow`` always; ``disallow`` only when named;
- variant wheels (PEP 825): with ``Policy.variants`` (a
  :class:`~graft.resolve.variants.VariantChooser`), each release's remaining files are
  ordered for the machine: a variant the machine does not support is left out, and the
  files sort by variant group (best variant first, the null variant after every other
  compatible one, non-variant wheels last) before the tag order. Without one, variant
  wheels are left out as by a variant-unaware installer. A variant wheel named by path or
  URL is taken as it is.

The order is the preferred version (an existing venv's) unless upgrading, then newest
first (oldest first under ``--resolution lowest``, ``Policy.oldest_first``), then the
target's tag order. :mod:`graft.resolve.explain` uses the reasons. The wheels' tag sets are
read a set at a time (:mod:`graft.resolve.tag_groups`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.resolve.admit import by_version, verdicts
from graft.resolve.artifacts import parse_wheel, sdist_name, wheel_rank
from graft.resolve.policy import Prereleases
from graft.resolve.surface import python_allows
from graft.resolve.tag_groups import grouped_by_tags

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from packaging.specifiers import SpecifierSet
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.model.target import Target
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.policy import Policy
    from graft.resolve.variants import VariantChooser


#: An sdist's place in the target's order: after every wheel (its tags are the target's own).
_SDIST_RANK = (1 << 30, 0)
#: And its variant group: after every variant group of its release.
_SDIST_GROUP = 1 << 30


class Reject(enum.Enum):
    """Why a file of a project is not a candidate."""

    SDIST = "a source distribution, and builds are off"
    NO_BINARY = "a wheel (--no-binary)"
    FILENAME = "not a wheel of this project"
    TAGS = "no tag the target accepts"
    PYTHON = "the index's requires-python excludes the target"
    NEWER = "uploaded after --exclude-newer"
    YANKED = "yanked"
    SPECIFIER = "outside the requested versions"
    VARIANT = "a variant wheel (PEP 825) this machine does not support, or variants are off"
    PRERELEASE = "a prerelease"
    HASH = "not one of the --hash values given"


@dataclass(frozen=True, slots=True)
class Screen:
    """The files of one project for one target: offered (best first) and left out."""

    offered: tuple[tuple[Version, ArtifactFile], ...]
    rejected: tuple[tuple[ArtifactFile, Reject, Version | None], ...]


def _pins(specs: Iterable[SpecifierSet], version: Version) -> bool:
    return any(
        clause.operator in {"==", "==="}
        and "*" not in clause.version
        and clause.contains(version, prereleases=True)
        for spec in specs
        for clause in spec
    )


def beyond_versions(specs: Iterable[SpecifierSet]) -> tuple[bool, frozenset[tuple[str, str]]]:
    """What a screening without reasons reads of *specs* beyond the versions they admit.

    Whether one names a prerelease (``named`` in :func:`screen`) and their exact clauses
    (:func:`_pins`: a yanked file is offered to an ``==`` naming it); every other check reads
    them only through whether they contain a file's version, which is whether its version is
    admitted (:meth:`~graft.resolve.admit.ByVersion.admitting`). So specifiers that admit the
    same versions and agree on these two are screened alike (decision 500).
    """
    exact = frozenset(
        (clause.operator, clause.version)
        for spec in specs
        for clause in spec
        if clause.operator in {"==", "==="} and "*" not in clause.version
    )
    return any(spec.prereleases for spec in specs), exact


def _order(
    offered: list[tuple[Version, tuple[int, int, int], ArtifactFile]],
    preferred: Version | None,
    *,
    oldest: bool = False,
) -> list[tuple[Version, tuple[int, int, int], ArtifactFile]]:
    """The preferred version first, then newest first, then the target's order, then by name.

    The distinct versions are sorted once (hundreds of files share a few dozen of them), and
    each file sorts by its version's place: equal versions (``1.0``, ``1.0.0``) share one.
    *oldest*: oldest first instead (``--resolution lowest``); a version's files keep their
    order. Within a version, a yanked file (offered only to an ``==`` naming it) comes after
    every file that is not: PEP 592 asks installers to take a yanked file only where no
    other fits, and pip sorts them so (decision 409).
    """
    newest = sorted({version for version, _, _ in offered}, reverse=not oldest)
    place = {version: i for i, version in enumerate(newest)}
    return sorted(
        offered,
        key=lambda item: (item[0] != preferred, place[item[0]], within_release(item)),
    )


def within_release(
    item: tuple[Version, tuple[int, int, int], ArtifactFile],
) -> tuple[bool, tuple[int, int, int], str]:
    """A file's place among its release's: not yanked first, then the target's order, then name."""
    return item[2].yanked is not None, item[1], item[2].filename


def held_prerelease(name: NormalizedName, policy: Policy) -> Version | None:
    """The prerelease of *name* a venv holds (or a lock pins), admitted as if a specifier named it.

    PEP 440 asks tools to "accept already installed pre-releases for all version
    specifiers" by default, and pip (installed, so satisfied) and uv 0.13.9 keep one. Only
    under ``if-necessary`` (``allow`` takes every prerelease, ``disallow`` none). The version
    kept (decision 413), else the one installed, which stays admissible under ``-U`` and
    ``-P`` (:attr:`Policy.installed_prereleases`, decision 426): it is then a candidate among
    the others, taken where it is the newest, as pip's ``-U`` and uv's take it. A lock's
    pin is not installed: ``graft lock -U`` leaves it, as ``uv pip compile -U`` does.
    """
    if policy.prereleases_for(name) is not Prereleases.IF_NECESSARY:
        return None
    kept = policy.prefers(name)
    if kept is not None and kept.is_prerelease:
        return kept
    return policy.installed_prereleases.get(name)


def too_new(file: ArtifactFile, cutoff: dt.datetime | None) -> bool:
    """Whether *file* is left out by ``--exclude-newer``.

    A file the user names by URL or path (``name @ https://…/x.whl``) is no index's offer:
    the cutoff, which chooses among an index's uploads, does not apply to it, as uv and pip
    (``--uploaded-prior-to``) take it (decision 412).
    """
    if cutoff is None or file.direct:
        return False
    if (
        file.upload_time is None
    ):  # a remote file cannot prove it is older; a local one has no upload
        return file.url.startswith(("http://", "https://"))
    return file.upload_time > cutoff


def _reason(  # noqa: PLR0911 - one reason per check, in the order explain quotes
    name: NormalizedName,
    file: ArtifactFile,
    ranked: tuple[int, int] | None,
    specs: Sequence[SpecifierSet],
    contains: Callable[[Version], bool],
    *,
    target: Target,
    policy: Policy,
) -> Reject | None:
    """Why *file* is not a candidate (prereleases aside), or None: the first check failed."""
    if not file.is_wheel:
        sdist = sdist_name(file.filename)
        if sdist is None or sdist[0] != name:
            return Reject.FILENAME
        if not policy.builds(name):
            return Reject.SDIST
        version, variant = sdist[1], None
    else:
        parsed = parse_wheel(file.filename)
        if parsed is None or parsed.name != name:
            return Reject.FILENAME
        if not policy.wheels(name) and not file.direct:
            # a wheel the user names by path or URL, or one built from a source they name,
            # is theirs to install: --no-binary governs what indexes offer, as in pip
            return Reject.NO_BINARY
        version, variant = parsed.version, parsed.variant
    # in this order, the first that fails is the reason (explain quotes it)
    if variant is not None and not file.direct and policy.variants is None:
        # without a chooser, as a variant-unaware installer (a chooser judges them after
        # these checks); a variant wheel the user names by path or URL is taken as it is
        return Reject.VARIANT
    if ranked is None:
        return Reject.TAGS
    if not python_allows(file.requires_python, target.version):
        return Reject.PYTHON
    if too_new(file, policy.cutoff(name)):
        return Reject.NEWER
    allowed = policy.hashes.get(name)
    if allowed and file.sha256 is not None and f"sha256:{file.sha256}" not in allowed:
        return Reject.HASH
    if not contains(version):
        return Reject.SPECIFIER
    if file.yanked is not None and not _pins(specs, version):
        return Reject.YANKED
    return None


def _tag_compatible(
    name: NormalizedName,
    files: Sequence[ArtifactFile],
    tag_rank: Mapping[str, int],
    rejected: list[tuple[ArtifactFile, Reject, Version | None]] | None,
) -> list[ArtifactFile]:
    """*files* less the wheels no tag of the target fits, a tag set at a time.

    A project may list thousands of wheels, of which a target accepts a few, and a lock
    screens every listing once per environment: only the tag sets the names state are read
    (:func:`~graft.resolve.artifacts.stated_tags`), not each name whole. With *rejected*
    (reasons wanted), a wheel of *name* no tag fits is rejected here (:attr:`Reject.TAGS`,
    the first check it fails) and any other file of such a set (another project's, or no
    valid wheel name) is kept for the checks to name its reason. The rest keep their order.
    """
    grouped = grouped_by_tags(files)
    kept = list(grouped.others)
    ranked = tag_rank.keys()
    for tags, at in grouped.by_tags:
        if not ranked.isdisjoint(tags):
            kept += at
        elif rejected is not None:
            for i in at:
                parsed = parse_wheel(files[i].filename)
                if parsed is None or parsed.name != name:
                    kept.append(i)
                else:
                    rejected.append((files[i], Reject.TAGS, parsed.version))
    kept.sort()
    return [files[i] for i in kept]


def variant_groups(
    name: NormalizedName,
    passed: list[tuple[Version, tuple[int, int, int], ArtifactFile]],
    files: Sequence[ArtifactFile],
    chooser: VariantChooser,
    rejected: list[tuple[ArtifactFile, Reject, Version | None]],
) -> list[tuple[Version, tuple[int, int, int], ArtifactFile]]:
    """Each release with variant wheels ordered by the chooser: group rank before tag rank."""
    from graft.resolve.variants import has_variant_wheels  # noqa: PLC0415

    if not has_variant_wheels([f for _, _, f in passed]):
        return passed
    by_version: dict[Version, list[tuple[Version, tuple[int, int, int], ArtifactFile]]] = {}
    for item in passed:
        by_version.setdefault(item[0], []).append(item)
    out = []
    for version, items in by_version.items():
        chosen = [f for _, _, f in items if not f.direct and f.is_wheel]
        if not has_variant_wheels(chosen):
            out += items
            continue
        order = chooser.order(name, version, [f.filename for f in chosen], files)
        for _, ranked, file in items:
            if not file.is_wheel:  # an sdist: after every wheel, as its key says already
                out.append((version, ranked, file))
                continue
            group = 0 if file.direct else order.rank(file.filename)
            if group is None:
                rejected.append((file, Reject.VARIANT, version))
            else:
                out.append((version, (group, *ranked[1:]), file))
    return out


def passing(
    name: NormalizedName,
    files: Sequence[ArtifactFile],
    specs: Sequence[SpecifierSet],
    contains: Callable[[Version], bool],
    *,
    target: Target,
    policy: Policy,
    tag_rank: Mapping[str, int],
    rejected: list[tuple[ArtifactFile, Reject, Version | None]],
) -> list[tuple[Version, tuple[int, int, int], ArtifactFile]]:
    """The files of *files* no check rejects (prereleases aside), each with its order key.

    The others go to *rejected*, with the reason.
    """
    passed: list[tuple[Version, tuple[int, int, int], ArtifactFile]] = []
    for file in files:
        if file.filename.endswith("-variants.json"):
            continue  # a release's variant metadata, not a distribution
        if file.is_wheel:
            parsed = parse_wheel(file.filename)
            version = parsed.version if parsed else None
            ranked = wheel_rank(file.filename, tag_rank) if parsed else None
        else:
            sdist = sdist_name(file.filename)
            version = sdist[1] if sdist else None
            ranked = _SDIST_RANK if sdist else None
        reason = _reason(name, file, ranked, specs, contains, target=target, policy=policy)
        if reason is not None or ranked is None or version is None:
            rejected.append((file, reason or Reject.FILENAME, version))
            continue
        # a wheel's variant group (0 until the chooser ranks it), then its tags; an sdist
        # after every wheel of its release
        # (the venv's own wheel of a release before the index's: decision 448)
        group = _SDIST_GROUP if ranked is _SDIST_RANK else -1 if file.held else 0
        passed.append((version, (group, *ranked), file))
    return passed


def screen(
    name: NormalizedName,
    files: Sequence[ArtifactFile],
    specs: Sequence[SpecifierSet],
    target: Target,
    policy: Policy,
    *,
    tag_rank: Mapping[str, int] | None = None,
    reasons: bool = True,
) -> Screen:
    """Which of *files* are candidates for *target* under *specs*, best first, and why not.

    *tag_rank* is ``target.tag_rank()``, passed by callers that screen often. Without
    *reasons* (the resolver's question), ``rejected`` is empty and only the files of versions
    *specs* admit are read (:mod:`graft.resolve.admit`): the same candidates, in the same
    order, at the cost of the admitted releases rather than the whole listing.
    """
    tag_rank = target.tag_rank() if tag_rank is None else tag_rank
    rejected: list[tuple[ArtifactFile, Reject, Version | None]] = []
    contains = verdicts(specs)
    read = files if reasons else by_version(files).admitted(specs)
    kept = _tag_compatible(name, read, tag_rank, rejected if reasons else None)
    passed = passing(
        name,
        kept,
        specs,
        contains,
        target=target,
        policy=policy,
        tag_rank=tag_rank,
        rejected=rejected,
    )
    if policy.variants is not None:
        passed = variant_groups(name, passed, files, policy.variants, rejected)
    named = any(spec.prereleases for spec in specs)
    mode = policy.prereleases_for(name)
    allow = mode is Prereleases.ALLOW or named
    held = held_prerelease(name, policy)
    if mode is Prereleases.IF_NECESSARY:
        allow = allow or all(v.is_prerelease for v, _, _ in passed)
    offered = []
    for version, key, file in passed:
        if version.is_prerelease and not allow and version != held:
            rejected.append((file, Reject.PRERELEASE, version))
        else:
            offered.append((version, key, file))
    ordered = _order(offered, policy.prefers(name), oldest=policy.oldest_first(name))
    return Screen(tuple((v, f) for v, _, f in ordered), tuple(rejected) if reasons else ())
