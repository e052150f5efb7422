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

from typing import TYPE_CHECKING

from graft.resolve.candidates import WheelCandidate

if TYPE_CHECKING:
    from collections.abc import Iterable

    from graft.resolve.candidates import Candidate, Need

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


def _text(need: Need) -> str:
    return need.text or need.identifier


__all__ = ["Cause", "stated", "who"]
