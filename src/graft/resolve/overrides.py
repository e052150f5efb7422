"""uv's overrides and excludes, as ``uv pip install`` and ``uv pip compile`` 0.13.9 apply them.

``--overrides FILE``: each requirement of the file replaces every requirement on its project,
wherever it is stated (a wheel's Requires-Dist, and the request's own), as uv's
``Overrides::apply`` replaces it: the override's specifier, extras and marker stand for the
original's, whose marker is dropped but for an ``extra == "..."`` it is gated on (a
requirement of an extra stays one of that extra). Several overrides of one project all
stand for it. An override whose marker does not hold drops the requirement there. A
project no requirement names is not added (decision 388).

``--excludes FILE``: each project the file names is left out of the resolution: every
requirement on it is dropped, its specifier and marker unread (decision 389).

Read by the resolver where a candidate's dependencies are worked out
(:mod:`graft.resolve.requires_dist`), applied to the request's roots
(:func:`roots`), and by the completeness check (:mod:`graft.resolve.deps`), which judges the
set by the requirements the resolution was given.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from packaging.markers import Marker
    from packaging.utils import NormalizedName

    from graft.model.requirements import Inputs, Wanted


@dataclass(frozen=True)
class Overrides:
    """The overrides by project, and the projects excluded.

    *given*: pairs, in the order the files first name each project.
    """

    given: tuple[tuple[NormalizedName, tuple[Requirement, ...]], ...] = ()
    excludes: frozenset[NormalizedName] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.given or self.excludes)

    @cached_property
    def by_name(self) -> Mapping[NormalizedName, tuple[Requirement, ...]]:
        """:attr:`given` as a read-only mapping, for the lookups of :meth:`apply`."""
        return MappingProxyType(dict(self.given))

    def lines(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The override requirements as lines, and the excluded names (:func:`of_lines`)."""
        return tuple(str(o) for _, given in self.given for o in given), tuple(sorted(self.excludes))

    def apply(self, requirements: Iterable[Requirement]) -> list[Requirement]:
        """*requirements* with each overridden one replaced and each excluded one dropped."""
        out: list[Requirement] = []
        for req in requirements:
            name = canonicalize_name(req.name)
            if name in self.excludes:
                continue
            given = self.by_name.get(name)
            if given is None:
                out.append(req)
                continue
            extra = None if req.marker is None else top_level_extra(req.marker)
            out += given if extra is None else [_under_extra(o, extra) for o in given]
        return out


NONE = Overrides()


def top_level_extra(marker: Marker) -> str | None:
    """The extra a marker is gated on (``extra == "x"`` in every one of its alternatives).

    As uv's ``MarkerTree::top_level_extra``: ``extra == "x" and python_version < "3.12"``
    is gated on ``x``; ``extra == "x" or extra == "y"`` on none. Read from packaging's parsed
    marker (its ``_markers`` tree: a list of comparisons, ``"and"``/``"or"`` and sublists).
    """
    return _gate(getattr(marker, "_markers", None))


def _compared(node: tuple[object, ...]) -> str | None:
    """The extra one comparison ``extra == "x"`` (or ``"x" == extra``) names, else None."""
    lhs, op, rhs = (str(getattr(part, "value", part)) for part in node)
    kinds = [type(part).__name__ for part in node]
    if op == "==" and kinds == ["Variable", "Op", "Value"] and lhs == "extra":
        return canonicalize_name(rhs)
    if op == "==" and kinds == ["Value", "Op", "Variable"] and rhs == "extra":
        return canonicalize_name(lhs)
    return None


def _gate(node: object) -> str | None:
    if isinstance(node, tuple) and len(node) == 3:  # noqa: PLR2004 - (lhs, op, rhs)
        return _compared(node)
    if not isinstance(node, list):
        return None
    alternatives: list[list[object]] = [[]]
    for item in node:
        if item == "or":
            alternatives.append([])
        elif item != "and":
            alternatives[-1].append(item)
    found = []
    for conjunction in alternatives:
        gate = next((g for g in map(_gate, conjunction) if g is not None), None)
        if gate is None:
            return None
        found.append(gate)
    return found[0] if found and all(g == found[0] for g in found) else None


def _under_extra(override: Requirement, extra: str) -> Requirement:
    """*override* as a requirement of *extra*: ``extra == "x"`` and its own marker."""
    from packaging.markers import Marker  # noqa: PLC0415

    gate = Marker(f'extra == "{extra}"')
    out = Requirement(str(override))
    out.marker = gate if override.marker is None else gate & override.marker
    return out


def of_inputs(inputs: Inputs) -> Overrides:
    """The request's overrides and excludes, as read into *inputs*."""
    if not inputs.overrides and not inputs.excludes:
        return NONE
    by_name: dict[NormalizedName, list[Requirement]] = {}
    for wanted in inputs.overrides:
        text = wanted.requirement + (f" ; {wanted.marker}" if wanted.marker else "")
        by_name.setdefault(wanted.name, []).append(Requirement(text))
    return Overrides(
        tuple((name, tuple(reqs)) for name, reqs in by_name.items()), frozenset(inputs.excludes)
    )


def of_lines(overrides: Iterable[str], excludes: Iterable[str]) -> Overrides:
    """The overrides :meth:`Overrides.lines` gave (a record of them: decision 396)."""
    by_name: dict[NormalizedName, list[Requirement]] = {}
    for line in overrides:
        req = Requirement(line)
        by_name.setdefault(canonicalize_name(req.name), []).append(req)
    given = tuple((name, tuple(reqs)) for name, reqs in by_name.items())
    return Overrides(given, frozenset(canonicalize_name(n) for n in excludes))


def roots(wanted: Sequence[Wanted], overrides: Overrides) -> list[Wanted]:
    """The request's requirements with the overrides applied, as uv applies them to its own.

    A requirement on an excluded project is dropped; one on an overridden project stands
    for each of its overrides (their specifiers, extras and markers; a requirement that
    names a file keeps it). Markers are evaluated later, for each target.
    """
    if not overrides:
        return list(wanted)
    out: list[Wanted] = []
    for w in wanted:
        if w.name in overrides.excludes:
            continue
        given = overrides.by_name.get(w.name)
        if given is None or w.path is not None or w.url is not None or w.source is not None:
            out.append(w)
            continue
        out += [
            dataclasses.replace(
                w,
                version=_pinned(o),
                extras=frozenset(canonicalize_name(e) for e in o.extras),
                specifier=str(o.specifier),
                marker=None if o.marker is None else str(o.marker),
            )
            for o in given
        ]
    return out


def _pinned(req: Requirement) -> str | None:
    """The one version an ``==`` specifier pins, else None (``Wanted.version``)."""
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version:
        return specs[0].version
    return None


def read(override_files: Sequence[str], exclude_files: Sequence[str], inputs: Inputs) -> None:
    """Read ``--overrides`` and ``--excludes`` files into *inputs* (their paths: ``files_read``).

    Each is a requirements file (comments, continuations, nested ``-r``, markers). An
    override or exclude names a project's versions: a file, a source, an editable or an
    option of the file (an index, find-links) is refused in one line naming it.
    """
    from graft.errors import UsageError  # noqa: PLC0415
    from graft.model.requirements import Inputs  # noqa: PLC0415
    from graft.sources.reqfile import read_requirements  # noqa: PLC0415

    for flag, paths in (("--overrides", override_files), ("--excludes", exclude_files)):
        for path in paths:
            scratch = Inputs()
            read_requirements(path, scratch)
            inputs.files_read += [p for p in scratch.files_read if p not in inputs.files_read]
            inputs.remote_files += scratch.remote_files
            inputs.digests.update(scratch.digests)
            inputs.variables += [v for v in scratch.variables if v not in inputs.variables]
            options = (
                scratch.index_url or scratch.extra_index_urls or scratch.find_links
                or scratch.no_index or scratch.formats or scratch.constraints
                or scratch.pylocks or scratch.require_hashes or scratch.prereleases
            )  # fmt: skip
            named = [w for w in scratch.wanted if w.path or w.url or w.source or w.hashes]
            if options or named:
                what = "a file, a source or a hash" if named else "an option"
                names = "projects and their versions" if flag == "--overrides" else "projects"
                raise UsageError(
                    f"{flag} names {names}, not {what}",
                    where=named[0].where if named else path,
                    hint=f"give {flag} a file of requirements only (name, name>=1.0, markers)",
                )
            if flag == "--overrides":
                inputs.overrides += scratch.wanted
            else:
                inputs.excludes += [w.name for w in scratch.wanted if w.name not in inputs.excludes]


def load(override_files: Sequence[str], exclude_files: Sequence[str]) -> Overrides | None:
    """The overrides and excludes the files give, for a check after resolution; None: none."""
    if not override_files and not exclude_files:
        return None
    from graft.model.requirements import Inputs  # noqa: PLC0415

    inputs = Inputs()
    read(override_files, exclude_files, inputs)
    return of_inputs(inputs)


__all__ = [
    "NONE",
    "Overrides",
    "load",
    "of_inputs",
    "of_lines",
    "read",
    "roots",
    "top_level_extra",
]
