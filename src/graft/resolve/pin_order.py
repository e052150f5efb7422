"""Which identifier resolvelib pins next: the provider's selection and preference.

resolvelib asks its provider, each round, which of the unpinned identifiers to consider
(:func:`narrowed`, ``narrow_requirement_selection``) and in what order (:func:`preference`,
``get_preference``). Both answer from the requirements, as pip's provider does: the
target's Python first, then what a backtrack was about (decision 133), then what came up
unpinned in backtracks again and again (:class:`Promotions`, decision 483), then exact pins,
then the request's own; a project waits for its extras (decision 415).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.resolve.candidates import PYTHON

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Sequence

    from resolvelib.structs import RequirementInformation

    from graft.resolve.candidates import Candidate, Need

#: How many rounds an identifier must come up unpinned among the backtrack causes before it
#: is promoted: pip 26.3's ``_CONFLICT_PRIORITY_THRESHOLD`` (decision 483).
PROMOTE_AFTER = 5


class Promotions:
    """The identifiers that came up unpinned among the backtrack causes in many rounds.

    pip 26.3's provider counts, each round it is asked what to pin (``narrow_requirement_
    selection``), every identifier among the backtrack causes (a requirement's or its
    parent's) that is not pinned; at :data:`PROMOTE_AFTER` the identifier is *promoted* for
    the rest of the search: pinned before anything but the causes, so its requirements take
    effect before other projects pick a version, instead of being tried against each pin
    made before it in turn (decision 483: a dependency's dependency that needs ``numpy>=2``
    where another wants ``numpy<1.29``; sphinx-tabs against the sphinx pinned before it).
    uv's resolver promotes a package after five conflicts too. The counts outlive a search
    started again (decision 133's restarts): what conflicted still does.
    """

    def __init__(self) -> None:
        """No identifier counted yet."""
        self.counts: dict[str, int] = {}
        self.promoted: set[str] = set()

    def count(
        self,
        backtrack_causes: Sequence[RequirementInformation[Need, Candidate]],
        pinned: Collection[str],
    ) -> None:
        """One round: each identifier among *backtrack_causes* not in *pinned* counts once more."""
        for name in _cause_identifiers(backtrack_causes):
            if name not in pinned:
                self.counts[name] = self.counts.get(name, 0) + 1
                if self.counts[name] >= PROMOTE_AFTER:
                    self.promoted.add(name)


def narrowed(
    identifiers: Iterable[str],
    backtrack_causes: Sequence[RequirementInformation[Need, Candidate]],
    promoted: Collection[str] = (),
) -> list[str]:
    """The target's Python alone, else the causes, else the promoted, else all *identifiers*.

    The causes are the backtrack's; the *promoted* are :class:`Promotions`' (decision 483).

    As pip does: a cause is the requirement in conflict *or the candidate that made it*
    (decision 133). Pinning the parents again first is what lets the resolver leave a
    conflict between two of them instead of walking every version of an unrelated pin
    made after them (the opentelemetry set: 20,000 rounds without it).

    A project waits for its extras (:func:`_extras_first`; decision 415).
    """
    names = list(identifiers)
    if PYTHON in names:
        return [PYTHON]
    waiting, causes = _extras_first(names, _cause_identifiers(backtrack_causes))
    in_causes = [name for name in waiting if name in causes]
    if in_causes or not promoted:
        return in_causes or waiting
    promoted = _extras_first(names, set(promoted))[1]
    return [name for name in waiting if name in promoted] or waiting


def preference(
    identifier: str,
    information: Iterator[RequirementInformation[Need, Candidate]],
    backtrack_causes: Sequence[RequirementInformation[Need, Candidate]],
    promoted: Collection[str] = (),
) -> tuple[bool, bool, bool, bool, bool, str]:
    """Python first, then what caused backtracking, then the *promoted*, exact pins, roots."""
    infos = list(information)
    causes = _cause_identifiers(backtrack_causes)
    pinned = any(
        info.requirement.filename is not None
        or any(c.operator in {"==", "==="} for c in info.requirement.specifier)
        for info in infos
    )
    root = any(info.parent is None for info in infos)
    return (
        identifier != PYTHON,
        identifier not in causes,
        identifier not in promoted,
        not pinned,
        not root,
        identifier,
    )


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
