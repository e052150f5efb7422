"""Which identifier resolvelib pins next: the provider's selection and preference.

resolvelib asks its provider, each round, which of the unpinned identifiers to consider
(:func:`narrowed`, ``narrow_requirement_selection``) and in what order (:func:`preference`,
``get_preference``). Both answer from the requirements alone, as pip's provider does: the
target's Python first, then what a backtrack was about (decision 133), then exact pins,
then the request's own; a project waits for its extras (decision 415).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.resolve.candidates import PYTHON

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from resolvelib.structs import RequirementInformation

    from graft.resolve.candidates import Candidate, Need


def narrowed(
    identifiers: Iterable[str],
    backtrack_causes: Sequence[RequirementInformation[Need, Candidate]],
) -> list[str]:
    """The target's Python alone, else the backtrack causes among *identifiers*, else all.

    As pip does: a cause is the requirement in conflict *or the candidate that made it*
    (decision 133). Pinning the parents again first is what lets the resolver leave a
    conflict between two of them instead of walking every version of an unrelated pin
    made after them (the opentelemetry set: 20,000 rounds without it).

    A project waits for its extras (:func:`_extras_first`; decision 415).
    """
    names = list(identifiers)
    if PYTHON in names:
        return [PYTHON]
    names, causes = _extras_first(names, _cause_identifiers(backtrack_causes))
    return [name for name in names if name in causes] or names


def preference(
    identifier: str,
    information: Iterator[RequirementInformation[Need, Candidate]],
    backtrack_causes: Sequence[RequirementInformation[Need, Candidate]],
) -> tuple[bool, bool, bool, bool, str]:
    """Python first, then what caused backtracking, then exact pins, then roots."""
    infos = list(information)
    causes = _cause_identifiers(backtrack_causes)
    pinned = any(
        info.requirement.filename is not None
        or any(c.operator in {"==", "==="} for c in info.requirement.specifier)
        for info in infos
    )
    root = any(info.parent is None for info in infos)
    return (identifier != PYTHON, identifier not in causes, not pinned, not root, identifier)


def _extras_first(names: list[str], causes: set[str]) -> tuple[list[str], set[str]]:
    """*names* less each project one of whose extras is among them; *causes* with those extras.

    An extra's candidate requires its project at its own file, so pinning the extra pins
    the project; pinned first, the project would hold its own dependencies' pins while the
    extra's releases are tried against them one by one in a single round, and the first
    one that passes is a release without the extra at all (``jax[cuda12]``: jax 0.12.1
    pinned, its extra needing a plugin never released, then jax 0.4.21, which has no
    ``cuda12``, where pip and uv take 0.12.0.1 with it). The extra pinned first, its failure
    goes to its next release, and the project follows. A project that was a cause makes
    its extras causes.
    """
    waiting = {name.partition("[")[0] for name in names if "[" in name}
    if not waiting:
        return names, causes
    extras = {name for name in names if name.partition("[")[0] in causes}
    return [name for name in names if name not in waiting], causes | extras


def _cause_identifiers(
    causes: Sequence[RequirementInformation[Need, Candidate]],
) -> set[str]:
    """The identifiers a backtrack is about: each requirement's and its parent's."""
    out = {cause.requirement.identifier for cause in causes}
    out.update(cause.parent.identifier for cause in causes if cause.parent is not None)
    return out
