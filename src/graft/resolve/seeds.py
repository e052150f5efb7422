"""The venv's seed packages as roots of its resolution (decision 122).

``graft.venv.seeds`` says which seed packages (pip, setuptools, wheel) a sync keeps; here they
become requirements beside the inputs' own, resolved as any other (the venv's version
preferred). Where graft asks no index for them, or must check a hash none has, they are left
out with one warning saying how to keep them; a seed no source gives is left out alike, once
the resolution without it succeeds (:func:`without_seeds`). ``--seed``'s seeds are the user's
word: never left out, an error instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.errors import SourceError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import TypeVar

    from graft.model.request import ResolveRequest
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target

    T = TypeVar("T")


def seed_wanted(
    request: ResolveRequest,
    inputs: Inputs,
    named: Sequence[Wanted],
    target: Target,
    have: dict[str, str],
) -> tuple[list[Wanted], tuple[str, ...]]:
    """The seed requirements to resolve besides *named* (the inputs' own), and a warning.

    A seed the inputs name is theirs (a user's ``pip==24.0`` wins). None with a lock file
    (graft installs exactly what it names, asking no index) or with hashes checked (a seed
    has none): each is said in a warning, or refused with ``--seed``.
    """
    if not request.seeds:
        return [], ()
    from graft.resolve.inputs import SEED_WHERE, hash_checking, markers_apply  # noqa: PLC0415
    from graft.sources.requirements import parse_spec  # noqa: PLC0415

    taken = {w.name for w in named}
    seeds = [
        w
        for w in markers_apply([parse_spec(spec, SEED_WHERE) for spec in request.seeds], target)
        if w.name not in taken
    ]
    if not seeds:
        return [], ()
    why = None
    if inputs.pylocks:
        why = "a lock file names every distribution a venv gets", "lock it too"
    elif hash_checking(inputs, named):
        why = "with hashes checked, each distribution needs one", "add it with its --hash"
    if why is None:
        return seeds, ()
    if request.seed:
        raise UsageError(
            f"--seed installs {_labels(seeds, have)}, but {why[0]}",
            where="--seed",
            hint=f"{why[1]} instead of --seed",
        )
    return [], (left_out(seeds, have, why[0], why[1]),)


def without_seeds(
    resolve: Callable[[list[Wanted]], T],
    named: list[Wanted],
    seeds: list[Wanted],
    have: dict[str, str],
    *,
    required: bool,
) -> tuple[T, str | None]:
    """*resolve* of *named* and *seeds*; if that fails, of *named* alone, and a warning.

    The seeds are left out only when the resolution without them succeeds: a sync that
    failed before seeds fails the same way (its own error). *required* (``--seed``): never
    left out.
    """
    if not seeds:
        return resolve(named), None
    try:
        return resolve(named + seeds), None
    except SourceError as exc:
        if required:
            raise
        reason = exc.what.splitlines()[0] if exc.what else type(exc).__name__
    found = resolve(named)
    how = "add it to the requirements, or sync with a source that has it"
    return found, left_out(seeds, have, f"resolving them failed ({reason})", how)


def left_out(seeds: Sequence[Wanted], have: dict[str, str], why: str, how: str) -> str:
    """The warning for *seeds* a sync leaves out (*why*), and *how* to keep them; one line."""
    one = len(seeds) == 1
    return (
        f"the venv's seed package{'' if one else 's'} {_labels(seeds, have)}"
        f" {'is' if one else 'are'} removed: {why}; to keep {'it' if one else 'them'}, {how}"
    )


def _labels(seeds: Sequence[Wanted], have: dict[str, str]) -> str:
    """``pip==23.2.1`` (the version the venv holds) or ``pip``, for each seed."""
    return ", ".join(f"{w.name}=={have[w.name]}" if w.name in have else w.name for w in seeds)
