"""A fully pinned request resolved without search, with the result resolvelib would give.

A compiled requirements file (``name==version`` for every distribution, as ``pip-compile``
and ``uv pip compile`` write them) leaves the resolver no choice but each release's wheel
for the target. resolvelib still pays for the search it never needs: each round checks every
pin against every requirement on it (O(n²) specifier checks for n projects; 60% of the
resolution of a 50-project set). :func:`pinned_resolution` asks the same
:class:`~graft.resolve.provider.Provider` the same questions once per identifier instead.

**When it answers.** Every identifier that appears (a project or ``project[extra]``, from
the request or from a chosen wheel's dependencies) has a requirement from the request with
an exact ``==`` version (no wildcard), the first candidate the provider offers for those
requests is a wheel, and that set of candidates meets every requirement stated on it (the
request's, each chosen wheel's Requires-Dist and Requires-Python). Anything else (a
dependency the request does not pin, a conflict, an sdist, an empty candidate list) returns
None, and resolvelib resolves as before, over a fresh provider.

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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.resolve.provider import PYTHON, WheelCandidate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from packaging.specifiers import SpecifierSet

    from graft.resolve.provider import Candidate, Need, Provider


def exact(specifier: SpecifierSet) -> bool:
    """Whether *specifier* names one version: an ``==`` clause without a wildcard."""
    return any(s.operator == "==" and not s.version.endswith(".*") for s in specifier)


class Pinned:
    """The candidates chosen per identifier and the identifiers each one requires."""

    def __init__(self) -> None:
        self.mapping: dict[str, Candidate] = {}
        self.children: dict[str, set[str]] = {}


def pinned_resolution(roots: Sequence[Need], provider: Provider) -> Pinned | None:
    """What resolvelib resolves *roots* to when every identifier is pinned exactly; else None."""
    asked: dict[str, list[Need]] = {}
    for need in roots:
        asked.setdefault(need.identifier, []).append(need)
    if not asked or not all(any(exact(n.specifier) for n in ns) for ns in asked.values()):
        return None
    stated: dict[str, list[Need]] = {ident: list(needs) for ident, needs in asked.items()}
    out = Pinned()
    queue = list(asked)
    while queue:
        ident = queue.pop()
        if ident in out.mapping:
            continue
        if ident == PYTHON:
            needs = stated[ident]
        elif ident in asked:
            needs = asked[ident]
        else:
            return None  # not pinned by the request: resolvelib chooses
        offered = provider.find_matches(ident, {ident: iter(needs)}, {ident: iter(())})
        if not offered:
            return None
        chosen = offered[0]
        if isinstance(chosen, WheelCandidate) and not chosen.file.is_wheel:
            return None  # an sdist: built to be read, which resolvelib decides
        out.mapping[ident] = chosen
        deps = provider.get_dependencies(chosen)
        out.children[ident] = {d.identifier for d in deps if d.identifier != PYTHON}
        for dep in deps:
            stated.setdefault(dep.identifier, []).append(dep)
            queue.append(dep.identifier)
    for ident, needs in stated.items():
        if not all(provider.is_satisfied_by(n, out.mapping[ident]) for n in needs):
            return None
    return out


__all__ = ["Pinned", "exact", "pinned_resolution"]
