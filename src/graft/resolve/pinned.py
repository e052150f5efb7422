"""A fully pinned request resolved without search, with the result resolvelib would give.

A compiled requirements file (``name==version`` for every distribution, as ``pip-compile``
and ``uv pip compile`` write them) leaves the resolver no choice but each release's wheel
for the target. resolvelib still pays for the search it never needs: each round checks every
pin against every requirement on it (O(n²) specifier checks for n projects; 60% of the
resolution of a 50-project set). :func:`pinned_resolution` asks the same
:class:`~graft.resolve.provider.Provider` the same questions once per identifier instead.

**When it answers.** Every identifier that appears (a project or ``project[extra]``, from
the request or from a chosen wheel's dependencies) has a requirement from the request with
an exact ``==`` version (no wildcard), the provider offers a candidate for those requests
(a wheel, or an sdist where no wheel of the release fits: built to be read, as resolvelib
would have it built), and that set of first candidates meets every requirement stated on it
(the request's, each chosen wheel's Requires-Dist and Requires-Python). Anything else (a
dependency the request does not pin, a conflict, an empty candidate list) returns None, and
resolvelib resolves as before, over a fresh provider.

**Why the result is resolvelib's.** Call C the candidates found, and R(i) the request's own
requirements on identifier *i*. resolvelib adds every requirement of the request before
pinning anything, and only adds requirements from candidates it pins. Suppose every pin so
far is in C. Then the requirements on any *i* are R(i) plus some stated by members of C, a
subset of the final ones, which C[i] meets. The provider's candidates for more requirements
are the candidates for R(i) with some filtered out, in the same order (all of them are the
one pinned version: requirements on a version can only filter; a ``filename`` requirement
only keeps one file). C[i] comes first for R(i) and is not filtered out, so it comes first
now, and resolvelib pins it; no pin ever fails a requirement, so it never backtracks. So it
pins exactly C, one identifier at a time, until every identifier that has a requirement
(the closure computed here) is pinned.

**Steps recalled.** What the provider answers for one identifier (its first candidate for
R(i), that wheel's dependencies and warnings: a :class:`Step`) depends only on R(i), the
policy's word on the project, the project's listing, the target and the wheel's METADATA. A
:class:`Step` of an earlier resolution whose ``asked`` key (R(i) and the policy's word) is
the same is taken as the provider's answer, when the caller vouches for the rest (the same
target, policy and index, whose answers are still fresh: :mod:`graft.resolve.pinrecord`).
So an edited pin costs what the edited project costs. A project with variant wheels, or a
wheel with variant markers, is never recorded (its answer depends on the machine). An sdist's
step is recorded but never recalled here: only ``graft.cli.change`` reads it, with vouchers
for the build inputs its METADATA may depend on (``graft.cli.vouchers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.utils import NormalizedName

from graft.resolve.artifacts import is_variant_wheel
from graft.resolve.candidates import PYTHON, WheelCandidate
from graft.resolve.listing import filenames
from graft.resolve.unanimous import one_by_one

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from packaging.specifiers import SpecifierSet

    from graft.resolve.candidates import Candidate, Need
    from graft.resolve.policy import Policy
    from graft.resolve.provider import Provider


def exact(specifier: SpecifierSet) -> bool:
    """Whether *specifier* names one version: an ``==`` clause without a wildcard."""
    return any(s.operator == "==" and not s.version.endswith(".*") for s in specifier)


@dataclass(frozen=True, slots=True)
class Step:
    """The provider's answer for one identifier of a request pinned exactly."""

    asked: str  # asked_key(): the request's requirements on it, the policy's word on it
    chosen: WheelCandidate  # the first candidate
    deps: tuple[Need, ...]  # get_dependencies(chosen)
    warnings: tuple[str, ...]  # what get_dependencies(chosen) warned of


def asked_key(ident: str, needs: Sequence[Need], policy: Policy) -> str:
    """What the provider's answer for *ident* depends on, besides the listing and target.

    *needs* pin *ident* exactly (an ``==`` clause): the version a venv holds is not part of
    the key, since every candidate then has the pinned version and a preference for one
    version cannot reorder them (``screen._order``). ``graft.cli.change`` spells this key
    with the standard library for plain ``name==version`` lines (a unit test checks it).
    """
    name = NormalizedName(needs[0].name)
    parts = sorted(f"{n.extra}|{n.specifier}|{n.filename}" for n in needs)
    return repr((ident, parts, _word(name, policy)))


def _word(name: NormalizedName, policy: Policy) -> list[str | None]:
    """The policy's word on *name*: its hashes, its constraint, whether it builds, has wheels."""
    hashes = sorted(policy.hashes.get(name, ()))
    constraint = policy.constraints.get(name)
    word = [hashes, constraint, policy.builds(name), policy.wheels(name)]
    return [None if w is None else str(w) for w in word]


def plain_word(policy: Policy) -> list[str | None] | None:
    """The policy's word on every project, when it says the same of each; None otherwise.

    The same of each: no ``--hash``, no constraint, no ``--no-binary`` or ``--only-binary``
    (``graft.cli.change`` keys steps with it).
    """
    if policy.hashes or policy.constraints or policy.no_binary or policy.only_binary:
        return None
    return _word(NormalizedName("-"), policy)


class Pinned:
    """The candidates chosen per identifier, the identifiers each one requires, the steps."""

    def __init__(self) -> None:
        self.mapping: dict[str, Candidate] = {}
        self.children: dict[str, set[str]] = {}
        self.steps: dict[str, Step] = {}  # the ones to record (an sdist's: never recalled)


def _offer(ident: str, needs: Sequence[Need], provider: Provider) -> list[Candidate]:
    return list(provider.find_matches(ident, {ident: iter(needs)}, {ident: iter(())}))


def _step(
    ident: str, needs: Sequence[Need], provider: Provider, offered: Sequence[Candidate]
) -> tuple[Step | None, bool]:
    """The provider's answer for *ident* (None: nothing offered); whether it may be recalled.

    An sdist offered first is a release the request pins with ``==`` and no wheel of which
    fits: its METADATA is what resolvelib would read too (the builder's, built at once). Its
    step is recorded but never recalled here (:func:`pinned_resolution` leaves it out): that
    METADATA may depend on build inputs (config settings, variables the build
    reads) that the pin record does not vouch for; ``graft.cli.change`` reads it with
    vouchers of its own (decision 81).
    """
    if not offered or not isinstance(offered[0], WheelCandidate):
        return None, False
    chosen = offered[0]
    before, provider.warnings = provider.warnings, {}
    try:
        deps = provider.get_dependencies(chosen)
    finally:
        own, provider.warnings = provider.warnings, {**before, **provider.warnings}
    step = Step(asked_key(ident, needs, provider.policy), chosen, tuple(deps), tuple(own))
    if not chosen.file.is_wheel:
        return step, True
    variant = any(map(is_variant_wheel, filenames(provider.files(chosen.name))))
    return step, not variant and not provider.reader.surface(chosen.file).variant_requires


def _asked(roots: Sequence[Need]) -> dict[str, list[Need]]:
    asked: dict[str, list[Need]] = {}
    for need in roots:
        asked.setdefault(need.identifier, []).append(need)
    return asked


def _exactly(asked: Mapping[str, Sequence[Need]]) -> bool:
    return bool(asked) and all(any(exact(n.specifier) for n in ns) for ns in asked.values())


def pinned_exactly(roots: Sequence[Need]) -> bool:
    """Whether *roots* pin every identifier they name exactly: the shortcut's first condition.

    Only then can steps be recalled (the caller need not load a pin record otherwise).
    """
    return _exactly(_asked(roots))


def pinned_resolution(
    roots: Sequence[Need], provider: Provider, recalled: Mapping[str, Step] | None = None
) -> Pinned | None:
    """What resolvelib resolves *roots* to when every identifier is pinned exactly; else None.

    *recalled*: steps of earlier resolutions for the same target, policy and sources, by
    their ``asked`` key, taken where it is this request's (the caller vouches for the rest).
    """
    asked = _asked(roots)
    if not _exactly(asked) or not one_by_one(asked, provider):
        return None
    stated: dict[str, list[Need]] = {ident: list(needs) for ident, needs in asked.items()}
    known = {  # (never an sdist's step: see _step)
        ident: step
        for ident, needs in asked.items()
        if ident != PYTHON
        and (step := (recalled or {}).get(asked_key(ident, needs, provider.policy))) is not None
        and step.chosen.file.is_wheel
    }
    fresh = {i: needs for i, needs in asked.items() if i != PYTHON and i not in known}
    # every root's candidates first, before any is read: the reads the provider starts early
    # (pages, METADATA prefetches, the builds of pinned sdists) then run side by side
    provider.prefetch_files([need for needs in fresh.values() for need in needs])
    offers = {ident: _offer(ident, needs, provider) for ident, needs in fresh.items()}
    out = Pinned()
    queue = list(asked)
    while queue:
        ident = queue.pop()
        if ident in out.mapping:
            continue
        if ident == PYTHON:
            offered = provider.find_matches(ident, {ident: iter(stated[ident])}, {ident: iter(())})
            if not offered:
                return None
            out.mapping[ident] = offered[0]
            out.children[ident] = set()
            continue
        if ident not in asked:
            return None  # not pinned by the request: resolvelib chooses
        if ident in fresh:
            step, keep = _step(ident, asked[ident], provider, offers[ident])
            if step is None:
                return None
        else:
            step = known[ident]
            keep = True
            provider.warnings.update(dict.fromkeys(step.warnings))
        if keep:
            out.steps[ident] = step
        out.mapping[ident] = step.chosen
        deps = step.deps
        out.children[ident] = {d.identifier for d in deps if d.identifier != PYTHON}
        for dep in deps:
            stated.setdefault(dep.identifier, []).append(dep)
            queue.append(dep.identifier)
    for ident, needs in stated.items():
        if not all(provider.is_satisfied_by(n, out.mapping[ident]) for n in needs):
            return None
    return out


__all__ = [
    "Pinned",
    "Step",
    "asked_key",
    "exact",
    "pinned_exactly",
    "pinned_resolution",
    "plain_word",
]
