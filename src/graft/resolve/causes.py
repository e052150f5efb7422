"""resolvelib's causes as lines: who stated each requirement, alike releases as one line.

A cause is a requirement and the candidate whose METADATA stated it (None: the request).
One line each would list every release a resolver tried: ``flask>=3`` with ``werkzeug<2``
is eight releases of flask, each requiring a newer werkzeug. Releases of one project that
state the same requirement, one after another in version order, are one line instead, as
uv's reports join ranges::

    flask 3.0.0 to 3.0.3 (4 wheels) require werkzeug>=3.0.0
    flask 3.1.0 to 3.1.3 (4 wheels) require werkzeug>=3.1

"The same requirement" is equality once parsed (the identifier, the specifier set as
``packaging`` compares it, the wheel file named), so ``>=3.1`` and ``>=3.1.0`` join; the
line shows the oldest release's spelling. A release alone keeps its wheel's name
(``flask==3.1.0 (flask-3.1.0-py3-none-any.whl) requires werkzeug>=3.1``): the wheel's own
metadata is what said it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from graft.resolve.candidates import PYTHON, WheelCandidate

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence

    from resolvelib.structs import State

    from graft.errors import GraftError
    from graft.resolve.candidates import Candidate, Need

E = TypeVar("E", bound="GraftError")

#: A requirement and the candidate that stated it (None: the request), as resolvelib's
#: ``RequirementInformation`` holds them.
Cause = tuple["Need", "Candidate | None"]


def who(cause: Cause) -> str:
    """``you asked for X`` or ``name==v (file.whl) requires X``."""
    need, parent = cause
    if parent is None:
        return f"you asked for {_text(need)}"
    if isinstance(parent, WheelCandidate):
        return f"{parent.label} requires {_text(need)}"
    return f"{parent.identifier} requires {_text(need)}"  # pragma: no cover - Python has no deps


def stated(causes: Iterable[Cause]) -> list[str]:
    """One line per requirement of *causes*, a run of releases stating it alike as one.

    Wheels' lines come first, by project, version and text; the request's after them.
    """
    runs: dict[tuple[str, str], list[tuple[WheelCandidate, Need]]] = {}
    asked: set[str] = set()
    for need, parent in causes:
        if isinstance(parent, WheelCandidate):
            runs.setdefault((parent.identifier, need.identifier), []).append((parent, need))
        else:
            asked.add(who((need, parent)))
    groups = [
        group
        for found in runs.values()
        for group in _alike(sorted(set(found), key=lambda pair: (pair[0].version, _text(pair[1]))))
    ]
    lines = sorted((group[0][0].identifier, group[0][0].version, _line(group)) for group in groups)
    shown = [line for _, _, line in lines]
    return list(dict.fromkeys([*shown, *sorted(asked)]))


def _alike(
    ordered: list[tuple[WheelCandidate, Need]],
) -> list[list[tuple[WheelCandidate, Need]]]:
    """*ordered* cut into runs of releases whose requirements are the same (:func:`_same`)."""
    groups: list[list[tuple[WheelCandidate, Need]]] = []
    for pair in ordered:
        last = groups[-1][-1] if groups else None
        if last is not None and _same(last[1], pair[1]) and last[0].version != pair[0].version:
            groups[-1].append(pair)
        else:
            groups.append([pair])
    return groups


def _same(one: Need, other: Need) -> bool:
    """The same requirement, however spelt: ``packaging`` compares the specifier sets."""
    return (one.identifier, one.specifier, one.filename) == (
        other.identifier,
        other.specifier,
        other.filename,
    )


def _line(group: list[tuple[WheelCandidate, Need]]) -> str:
    first, need = group[0]
    if len(group) == 1:
        return f"{first.label} requires {_text(need)}"
    last = group[-1][0]
    wheels = len({parent.file.filename for parent, _ in group})
    span = f"{first.version} to {last.version}"
    return f"{first.identifier} {span} ({wheels} wheels) require {_text(need)}"


def requested_and_parents(
    needed: Mapping[str, Sequence[Cause]], now: State[Need, Candidate, str] | None = None
) -> tuple[set[str], dict[str, list[tuple[str, str]]]]:
    """The projects the request names, and each project's (project, label) requirers.

    From the requirements stated so far (a provider's ``needed``), or those of the search's
    state *now* (a provider's ``now``, where a search is under way): after a backtrack, no
    release given up is among them (decision 386). What :func:`chain` walks to say which
    requirement brought a project in (decision 378).
    """
    said: Mapping[str, Sequence[Cause]] = needed
    if now is not None:
        holding: dict[str, list[Cause]] = {}
        for criterion in now.criteria.values():
            for need, parent in criterion.information:
                if need.name != PYTHON:
                    holding.setdefault(need.name, []).append((need, parent))
        said = holding
    asked = {name for name, these in said.items() if any(p is None for _, p in these)}
    parents = {
        name: list(
            dict.fromkeys(
                (str(p.name), f"{p.name}=={p.version}")
                for _, p in these
                if isinstance(p, WheelCandidate)
            )
        )
        for name, these in said.items()
    }
    return asked, parents


def chain(
    name: str, asked: Collection[str], parents: Mapping[str, Sequence[tuple[str, str]]]
) -> list[str]:
    """The shortest chain from a project the user asked for down to *name*: its labels.

    *parents*: per project, the (project, label) of each that requires it (a resolution's
    pins, or the candidates a provider read). The labels run from *name*'s parent up to
    the one the user asked for (``["bar==1.0", "top==1.0"]``: top requires bar, which
    requires *name*); empty when the user asked for *name*, or no chain reaches it. For
    what uv says as "`foo` was included because `bar` (v1.0) depends on `foo`".
    """
    if name in asked:
        return []
    came: dict[str, tuple[str, str] | None] = {name: None}  # project -> (child, its label)
    todo = [name]
    while todo:  # breadth first: the first project asked for met ends the shortest chain
        later = []
        for child in todo:
            for parent, label in parents.get(child, ()):
                if parent in came:
                    continue
                came[parent] = (child, label)
                if parent in asked:
                    out, at = [], parent
                    while at != name:
                        below, said = came[at] or ("", "")
                        out.append(said)
                        at = below
                    return out[::-1]
                later.append(parent)
        todo = later
    return []


def required_by(
    name: str, asked: Collection[str], parents: Mapping[str, Sequence[tuple[str, str]]]
) -> str:
    """``required by bar==1.0``, and where none of those was asked for, how one came in.

    The shortest chain down from a project the user asked for (:func:`chain`): ``required
    by bar==1.0 (you asked for top; top==1.0 requires bar)``, as uv says why a dependency
    was included (decision 378).
    """
    direct = [label for _, label in parents.get(name, ())] or ["the request"]
    where = "required by " + ", ".join(direct)
    up = chain(name, asked, parents)
    if len(up) < 2:  # noqa: PLR2004 - one step: its parent is what the user asked for
        return where
    names = [label.partition("==")[0] for label in up]
    hops = [f"{label} requires {below}" for label, below in zip(up[1:], names, strict=False)]
    return f"{where} (you asked for {names[-1]}; {'; '.join(reversed(hops))})"


def brought(exc: E, name: str, version: object, where: str) -> E:
    """*exc* (a failed build of *name*'s sdist), saying which requirement brought it.

    ``…; foo==1.0 is required by bar==1.0 (you asked for top; top==1.0 requires bar)``:
    a copy, the one line still one (decision 378).
    """
    import copy  # noqa: PLC0415

    out = copy.copy(exc)
    out.what = f"{exc.what}; {name}=={version} is {where}"
    return out


def _text(need: Need) -> str:
    return need.text or need.identifier


__all__ = ["Cause", "brought", "chain", "requested_and_parents", "required_by", "stated", "who"]
