"""No project of the name a requirement gives: the error, and the close name it suggests.

The first case of :mod:`graft.resolve.no_candidates`, imported when a project's listing is
empty: every other project named so far and missing too, each with a close name the source
has ("did you mean requests?") where the user wrote it: one the source lists (find-links),
else the first of the likely typos (:func:`spellings`) an index has a page for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.utils import NormalizedName, canonicalize_name

from graft.resolve.candidates import WheelCandidate
from graft.resolve.causes import stated
from graft.resolve.resolution_error import Kind, ResolutionError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.errors import SourceError
    from graft.model.requirements import Wanted
    from graft.resolve.provider import Provider


def _suggest(name: str, provider: Provider, parents: set[str]) -> str:
    """A close project name the source has, not one already in the resolution.

    First among the names the source lists (find-links); else, from an index, which cannot
    list its projects, the first of :func:`spellings` it has a page for. A project the
    resolution already holds (``app``, which asked for the missing ``lib``, or another
    requirement) is no typo's target.
    """
    excluded = {name, *parents, *provider.known_projects()}
    known = {canonicalize_name(n) for n in provider.source.project_names()} - excluded
    import difflib  # noqa: PLC0415 - (a lock explains skipped environments without it)

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    if not close:
        wanted = [n for n in spellings(name) if n not in excluded and n not in known]
        close = list(provider.source.which_exist(wanted))
    return f"; did you mean {close[0]}?" if close else ""


#: At most this many spellings are asked of an index for one missing name.
SPELLINGS = 40


def spellings(name: str) -> list[NormalizedName]:
    """The names one common typo away from *name*, most likely first (at most SPELLINGS).

    Two neighbouring characters swapped (``reqeusts``), then one character left out
    (``requestss``, ``request-s``); canonical, each once, never *name* itself.
    """
    swapped = [name[:i] + name[i + 1] + name[i] + name[i + 2 :] for i in range(len(name) - 1)]
    dropped = [name[:i] + name[i + 1 :] for i in range(len(name))]
    out: dict[NormalizedName, None] = {}
    for spelling in (*swapped, *dropped):
        canonical = canonicalize_name(spelling.strip("-_."))
        if canonical and canonical != name:
            out.setdefault(canonical, None)
    return list(out)[:SPELLINGS]


def _searched(provider: Provider) -> str:
    """Where projects were looked for: "on the index", or the find-links directories alone."""
    return str(getattr(provider.source, "searched", "on the index"))


def _kept_to(provider: Provider, name: str) -> str | None:
    """Where *name* was looked for if a lock's environment keeps it to an index (decision 385).

    Its ``[tool.uv.sources]`` index alone: no close name is asked of the other indexes.
    """
    searched_for = getattr(provider.source, "searched_for", None)
    return None if searched_for is None else searched_for(name)


def _typed_by_the_user(parent: object) -> bool:
    """Whether a requirement with this *parent* was written by the user.

    A root, or one stated by a project the user named by path or URL: their own, whose
    metadata they can fix.
    """
    return not isinstance(parent, WheelCandidate) or parent.file.direct


def no_projects(
    name: NormalizedName,
    asked: Sequence[str],
    askers: set[str],
    stating: Sequence[object],
    provider: Provider,
) -> ResolutionError:
    """*name* does not exist, nor does any other project a requirement so far named.

    The resolver stops at the first; the others are found among every requirement the
    request and the wheels read so far stated (a typo rarely comes alone). A close name is
    suggested only for a name the user wrote (one of the parents *stating* it is the user's):
    a published wheel's requirement is no typo the user can fix, and asking an index for its
    spellings costs a request each.
    """
    typed = any(_typed_by_the_user(parent) for parent in stating)
    kept = _kept_to(provider, name)
    where = kept or _searched(provider)
    missing = {name: (list(asked), askers, typed)}
    for other, causes in provider.needed.items():
        if other in missing or provider.files(NormalizedName(other)):
            continue
        whos = stated(causes)
        mine = any(_typed_by_the_user(parent) for _, parent in causes)
        missing[NormalizedName(other)] = (whos, {str(p.name) for _, p in causes if p}, mine)
    if len(missing) == 1:
        suggestion = _suggest(name, provider, askers) if typed and not kept else ""
        error = ResolutionError(
            Kind.NO_PROJECT, [f"no project named {name!r} {where}{suggestion}", *asked]
        )
        error.missing = (str(name),)
        return error
    names = []
    for missing_name, (_, parents, mine) in missing.items():
        own = _kept_to(provider, missing_name)  # (no close name asked of the other indexes)
        close = (
            _suggest(missing_name, provider, parents).removeprefix("; ") if mine and not own else ""
        )
        said = own or close
        names.append(f"{str(missing_name)!r}" + (f" ({said})" if said else ""))
    lines = [f"no projects named {', '.join(names)} {_searched(provider)}"]
    lines += [line for whos, _, _ in missing.values() for line in whos]
    error = ResolutionError(Kind.NO_PROJECT, lines)
    error.missing = tuple(map(str, missing))
    return error


def uv_sources_hint(
    exc: SourceError, wanted: list[Wanted], unread: tuple[str, ...] | None = None
) -> None:
    """A project no index has that a named project's ``[tool.uv.sources]`` names: the hint.

    Under ``--no-sources`` (decision 369; without it they were followed), or *unread*'s
    ``--no-sources-package`` for a project it names (decision 403): uv takes it from there,
    and the hint says what to give graft instead (decision 171).
    """
    named = any(w.source for w in wanted)
    if isinstance(exc, ResolutionError) and exc.missing and exc.hint is None and named:
        from graft.sources.uv_sources import hint  # noqa: PLC0415

        exc.hint = hint(exc.missing, wanted, unread)
