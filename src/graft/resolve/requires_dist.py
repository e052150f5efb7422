"""A candidate's dependencies: *that wheel's own* Requires-Python and Requires-Dist, as needs.

What :meth:`Provider.get_dependencies <graft.resolve.candidate_deps.CandidateDeps.get_dependencies>`
answers once it has read the candidate's metadata surface:

- **Requires-Dist** with markers evaluated for the target (PEP 508: ``extra`` is ``""`` for
  the base and each requested extra for ``name[extra]``). Extras are separate identifiers, as
  in pip: ``name[extra]`` depends on ``name`` pinned to the same wheel file plus the extra's
  requirements. A lock environment keeps what any release of its series needs (decision 113).
- **Requires-Python**, the wheel's own value, is a need on the identifier ``<python>``, whose
  only candidate is the target's Python; a Requires-Dist that does not parse is one no
  Python meets (decision 136).
- A wheel whose METADATA names another project or version stops the resolution, and so does
  a URL requirement of a project the request does not name; an sdist whose backend states
  another release is passed over (decision 423).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from graft.errors import SourceError
from graft.model.target import applying
from graft.resolve.candidates import (
    PYTHON,
    UNBUILT,
    WRONG_RELEASE,
    Need,
    WheelCandidate,
    unreadable,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.utils import NormalizedName

    from graft.errors import BuildError
    from graft.model.target import Target
    from graft.resolve.policy import Policy
    from graft.resolve.surface import Surface


def candidate_needs(
    candidate: WheelCandidate,
    surface: Surface,
    target: Target,
    policy: Policy,
    *,
    dependencies: bool = True,
) -> tuple[list[Need], list[Need], list[str]]:
    """*candidate*'s needs from its *surface*: on Python or the base, then the rest; warnings.

    *dependencies*: False for ``--no-deps`` (Requires-Python still holds).
    """
    if surface.name != candidate.name or surface.parsed_version != candidate.version:
        raise SourceError(
            f"its METADATA describes {surface.name}=={surface.version}",
            where=candidate.file.filename,
            hint="the wheel is inconsistent; report it to the project",
        )
    broken = [line for line in surface.invalid if line.startswith("Requires-Dist:")]
    warnings = [
        f"{candidate.label}: ignored unparsable {line}"
        for line in surface.invalid
        if line not in broken
    ]
    if candidate.extra is None:
        needs = []
        if surface.requires_python is not None:
            spec = SpecifierSet(surface.requires_python)
            text = f"Python {surface.requires_python}"
            needs.append(Need(PYTHON, None, spec, text=text))
        if broken:  # never pinned, as pip >= 24.1 ignores such a version (decision 136)
            needs.append(unreadable(broken[0].partition(": ")[2]))
        if not dependencies:
            return needs, [], warnings
        requirements = _requirements(candidate, surface, "", policy)
        return needs, _needs(candidate, requirements, "", target, policy), warnings
    if candidate.extra not in surface.provides_extra:
        warnings.append(f"{candidate.label} does not provide the extra {candidate.extra!r}")
    base = Need(
        candidate.name,
        None,
        SpecifierSet(f"=={candidate.version}"),
        candidate.file.filename,
        text=f"{candidate.name}=={candidate.version}",
    )
    if not dependencies:
        return [base], [], warnings
    requirements = _requirements(candidate, surface, candidate.extra, policy)
    return [base], _needs(candidate, requirements, candidate.extra, target, policy), warnings


def built_elsewhere(candidate: WheelCandidate, exc: BuildError) -> tuple[Need, str]:
    """*candidate* (an sdist) left for a target of another system: a need nothing meets.

    Its dependencies need a build, which failed on this machine (decision 134:
    pyobjc-framework-cocoa 12.0, whose backend refuses to run off macOS, has no cp39
    wheel). A build here says nothing of the target, so the failure is not the
    resolution's end, as it is for this system's targets (and pip's): the release is
    left there as one its Requires-Python excludes would be (a dead end), an older one
    is taken, and a warning (returned with the need) says why.
    """
    what = exc.what.partition("\n")[0]
    warning = (
        f"{candidate.label}: its dependencies need a build, which failed on this machine"
        f" ({what}): another release taken for a target of another system than"
        f" {sys.platform}"
    )
    text = f"a build, which failed on this {sys.platform} machine ({what})"
    return Need(PYTHON, None, UNBUILT, text=text), warning


def wrong_release(candidate: WheelCandidate, exc: BuildError) -> tuple[Need, str]:
    """*candidate* (an sdist) whose backend stated another release: a need nothing meets.

    Its metadata hook (or the wheel it built) names another project or version than the
    sdist's own (decision 423). uv takes such a version's metadata as inconsistent and the
    version as unusable, and resolves without it; so does graft, as it leaves a release its
    Requires-Python excludes (a dead end), with a warning that names what the backend said.
    """
    what = exc.what.partition("\n")[0]
    warning = f"{candidate.label}: passed over, its build states another release ({what})"
    text = f"a build that states another release ({what})"
    return Need(PYTHON, None, WRONG_RELEASE, text=text), warning


def _requirements(
    candidate: WheelCandidate, surface: Surface, extra: str, policy: Policy
) -> tuple[Requirement, ...]:
    """The surface's requirements that may hold with *extra*, its variant markers decided.

    Lines only another extra needs are not even parsed (:meth:`Surface.requirements_for`).
    PEP 825: variant markers are decided against the wheel's properties the machine
    supports; without a chooser (variants off), as for a non-variant wheel. Then
    ``--overrides`` and ``--excludes`` replace or drop what they name (decisions 388, 389).
    """
    if not surface.variant_requires:
        found = surface.requirements_for(extra)
    else:
        from graft.variants.markers import VariantEnvironment, requirement  # noqa: PLC0415

        chooser = policy.variants
        env = VariantEnvironment("") if chooser is None else chooser.environment(candidate.file)
        variant = (requirement(t, env) for t in surface.variant_requires)
        found = (*surface.requirements_for(extra), *variant)
    return found if policy.overrides is None else tuple(policy.overrides.apply(found))


def _needs(
    candidate: WheelCandidate,
    requirements: Sequence[Requirement],
    extra: str,
    target: Target,
    policy: Policy,
) -> list[Need]:
    env = target.markers
    other = target.later_release_markers()
    if other is not None:  # a lock environment: what its series needs (decision 113)
        requirements = _series_needs(requirements, env, other, extra)
    out: list[Need] = []
    for req in requirements:
        if other is None and not _applies(req, env, extra):
            continue
        name = canonicalize_name(req.name)
        if req.url and name not in policy.direct:
            raise SourceError(
                f"{candidate.label} requires {req}: a URL requirement is followed only"
                " from a source the request names (a project directory, an sdist or"
                " repository, a wheel file)",
                where=candidate.file.filename,
                hint=f"name it yourself: graft sync VENV '{req.name} @ {req.url}'",
            )
        # (lowered by the project's [tool.uv.sources]: any version of the source: 373)
        spec = SpecifierSet() if (candidate.name, name) in policy.lowered else req.specifier
        text, extras = _said(req)
        out.append(Need(name, None, spec, text=text))
        out.extend(Need(name, e, spec, text=text) for e in extras)
    return out


#: Per requirement (by identity, kept alive beside its answer, so that no id is reused while
#: it is a key): its text and its extras, canonical and sorted, as its needs state them. A
#: lock asks a candidate's needs once per environment, of the same parsed requirements (the
#: surfaces share them), and ``str`` of one is dear (decision 500). Graft changes no
#: requirement once parsed (a marker is set only on a copy made for it).
_SAID: dict[int, tuple[Requirement, str, tuple[NormalizedName, ...]]] = {}
_SAID_MAX = 1 << 16


def _said(req: Requirement) -> tuple[str, tuple[NormalizedName, ...]]:
    """``str(req)`` and its extras canonicalized, sorted by their spelling: remembered."""
    hit = _SAID.get(id(req))
    if hit is not None and hit[0] is req:
        return hit[1], hit[2]
    text, extras = str(req), tuple(canonicalize_name(e) for e in sorted(req.extras))
    if len(_SAID) >= _SAID_MAX:
        _SAID.clear()
    _SAID[id(req)] = (req, text, extras)  # (a race between threads keeps an equal answer)
    return text, extras


def _applies(req: Requirement, env: Mapping[str, str], extra: str) -> bool:
    """Whether *req* holds in *env* (with *extra*: and the base candidate lacks it)."""
    if req.marker is None:
        return not extra  # the base candidate depends on it
    if not req.marker.evaluate({**env, "extra": extra}):
        return False
    return not (extra and req.marker.evaluate({**env, "extra": ""}))


def _series_needs(
    requirements: Sequence[Requirement],
    env: Mapping[str, str],
    other: Mapping[str, str],
    extra: str,
) -> list[Requirement]:
    """The requirements a minor series needs (:func:`graft.model.target.applying`).

    With *extra*, those the extra adds: the base candidate depends on the rest.
    """

    def marker(req: Requirement) -> Marker | None:
        return req.marker

    def name(req: Requirement) -> str:
        return canonicalize_name(req.name)

    kept = applying(requirements, marker, name, env=env, other=other, extra=extra)
    if not extra:
        return kept
    base = {id(req) for req in applying(requirements, marker, name, env=env, other=other)}
    return [req for req in kept if id(req) not in base]


__all__ = ["built_elsewhere", "candidate_needs"]
