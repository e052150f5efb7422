"""The resolver's policy for a request: its flags, its inputs' options and the venv's versions.

:func:`resolver_policy` makes the :class:`~graft.resolve.policy.Policy` that the screening, the
provider and the explanations read, once per target (``graft sync``'s ``locate``, each
environment of ``graft lock``): prerelease modes (per project too), the ``--exclude-newer``
cutoffs, constraints and hashes, the versions to prefer (:func:`preferences`: what the venv
holds), upgrades, ``--resolution``, formats, overrides and excludes. Split from
:mod:`graft.resolve.inputs`, which reads the inputs themselves (decision 400). Heavy imports
(packaging, datetime) happen inside the functions.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from graft.resolve.inputs import SEED_WHERE, markers_apply, names_a_file

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Sequence

    from packaging.utils import NormalizedName

    from graft.model.request import ResolveRequest
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target
    from graft.resolve.overrides import Overrides
    from graft.resolve.policy import Policy, Prereleases
    from graft.resolve.resolver import Pin
    from graft.resolve.variants import VariantChooser


def preferences(request: ResolveRequest, target: Target) -> dict[str, str]:
    """The versions the request's venv holds, which resolution keeps if it may.

    Read where the venv holds them: in the previous interpreter's library when the sync
    rebuilds it for another X.Y (``--python 3.11`` of a 3.12 venv keeps its versions). With
    ``-U`` (or ``--reinstall``: decision 449) only its prereleases, which stay admissible
    (PEP 440's "already installed pre-releases", as pip's ``-U`` and uv's keep them:
    decision 426), not preferred.
    """
    if request.venv is None:
        return {}
    from graft.venv.holdings import held_sites  # noqa: PLC0415
    from graft.venv.state import installed, read_config  # noqa: PLC0415

    prefix = os.path.abspath(request.venv)
    try:
        config = read_config(prefix)
    except (OSError, ValueError):
        config = None
    sites = (target.scheme["purelib"], target.scheme["platlib"])
    held = installed(prefix, held_sites(sites, target.version, config))
    if renewed(request) is not True:
        return held
    return {name: version for name, version in held.items() if _prerelease(version)}


def held_by_url(request: ResolveRequest, target: Target) -> dict[str, tuple[str, str]]:
    """``{name: (version, URL)}`` the request's venv holds from an archive URL (decision 439).

    In the target's own site directories (a venv rebuilt for another Python takes the
    index's: a wheel by URL may not fit it); nothing under ``-U`` or ``--reinstall``, or
    without a venv.
    """
    if request.venv is None or renewed(request) is True:
        return {}
    from graft.venv.holdings import held_urls  # noqa: PLC0415

    sites = (target.scheme["purelib"], target.scheme["platlib"])
    return held_urls(os.path.abspath(request.venv), sites)


def renewed(request: ResolveRequest) -> bool | frozenset[NormalizedName]:
    """The projects resolved without the venv's version preferred: True for every one.

    ``-U`` and ``-P NAME``; and ``--reinstall`` and ``--reinstall-package NAME``, which uv
    0.13.9 and pip 26.3 (``--force-reinstall``) resolve so too: ``lib`` over lib 1.0 installed
    is lib 2.0 under either, where without it both keep 1.0 (decision 449).
    """
    if request.upgrade or request.reinstall:
        return True
    upgraded = project_names(request.upgrade_packages)
    return upgraded | project_names(
        request.reinstall_packages, "--reinstall-package", "--reinstall-package"
    )


def url_labels(held: dict[str, tuple[str, str]]) -> list[str]:
    """``name @ URL`` of each of *held*: what a resolution's memo preferred besides versions."""
    return sorted(f"{name} @ {url}" for name, (_, url) in held.items())


def _prerelease(version: str) -> bool:
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    try:
        return Version(version).is_prerelease
    except InvalidVersion:
        return False


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
    hashes_where = {w.name: w.where for w in wanted if w.hashes}
    # projects whose one file the request names (a URL requirement on one is met by it)
    direct = {w.name for w in wanted if names_a_file(w)}
    for c in markers_apply(inputs.constraints, target):
        if names_a_file(c):  # (a URL constraint's file: decision 172)
            direct.add(c.name)
        constraints[c.name] = constraints.get(c.name, SpecifierSet()) & SpecifierSet(c.specifier)
        if c.hashes:  # pip's rule: a constraint's hashes and the requirement's both hold
            hashes[c.name] = hashes[c.name] & c.hashes if c.name in hashes else c.hashes
            at = hashes_where.get(c.name)
            hashes_where[c.name] = f"{at} and {c.where}" if at else c.where
    preferred = {}
    for name, version in have.items():
        try:
            preferred[canonicalize_name(name)] = Version(version)
        except InvalidVersion:
            continue
    upgrade = renewed(request)
    # a venv's (a lock's pins are preferred, not installed: graft lock -U leaves them)
    installed = {n: v for n, v in preferred.items() if v.is_prerelease} if request.venv else {}
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
        installed_prereleases=installed,
        hashes=hashes,
        hashes_where=hashes_where,
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


__all__ = ["preferences", "project_names", "resolver_policy", "unbounded_lowest"]
