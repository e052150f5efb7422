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
        text = _text(wanted) + (f" ; {wanted.marker}" if wanted.marker else "")
        by_name.setdefault(wanted.name, []).append(Requirement(text))
    return Overrides(
        tuple((name, tuple(reqs)) for name, reqs in by_name.items()), frozenset(inputs.excludes)
    )


def _text(wanted: Wanted) -> str:
    """The requirement an override stands for: ``name[x]>=2``, or ``name @ URL`` of a wheel."""
    if wanted.url is None and wanted.path is None:
        return wanted.requirement
    extras = f"[{','.join(sorted(wanted.extras))}]" if wanted.extras else ""
    if wanted.url is not None:
        return f"{wanted.name}{extras} @ {wanted.url}"
    from pathlib import Path  # noqa: PLC0415

    return f"{wanted.name}{extras} @ {Path(wanted.path or '').absolute().as_uri()}"


def of_lines(overrides: Iterable[str], excludes: Iterable[str]) -> Overrides:
    """The overrides :meth:`Overrides.lines` gave (a record of them: decision 396)."""
    by_name: dict[NormalizedName, list[Requirement]] = {}
    for line in overrides:
        req = Requirement(line)
        by_name.setdefault(canonicalize_name(req.name), []).append(req)
    given = tuple((name, tuple(reqs)) for name, reqs in by_name.items())
    return Overrides(given, frozenset(canonicalize_name(n) for n in excludes))


def roots(wanted: Sequence[Wanted], inputs: Inputs) -> list[Wanted]:
    """The request's requirements with the overrides applied, as uv applies them to its own.

    A requirement on an excluded project is dropped; one on an overridden project stands
    for each of its overrides (their specifiers, extras, markers and files), whatever it
    named: a wheel, a source or a ``[tool.uv.sources]`` entry is replaced too, as uv
    replaces it (decision 397). Markers are evaluated later, for each target.
    """
    if not inputs.overrides and not inputs.excludes:
        return list(wanted)
    given: dict[NormalizedName, list[Wanted]] = {}
    for o in inputs.overrides:
        given.setdefault(o.name, []).append(o)
    out: list[Wanted] = []
    for w in wanted:
        if w.name in inputs.excludes:
            continue
        out += [dataclasses.replace(o, requested=w.requested) for o in given.get(w.name, [])]
        if w.name not in given:
            out.append(w)
    return out


def read(override_files: Sequence[str], exclude_files: Sequence[str], inputs: Inputs) -> None:
    """Read ``--overrides`` and ``--excludes`` files into *inputs* (their paths: ``files_read``).

    Each is a requirements file (comments, continuations, nested ``-r``, markers). An
    override or exclude names a project's versions: a file, a source, an editable or an
    option of the file (an index, find-links) is refused in one line naming it. An
    override may name a wheel by URL or path (``lib @ https://…/lib-1.0-py3-none-any.whl``,
    as uv takes it): that wheel is then its project's only file, as a URL constraint's is
    (decision 172), and stands for every requirement on it (decision 397).
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
            named = [w for w in scratch.wanted if _refused(w, wheels=flag == "--overrides")]
            if options or named:
                over = flag == "--overrides"
                what = ("a source or a hash" if over else "a file or a hash") if named else ""
                names = "projects, their versions or wheels" if over else "projects"
                wheel = ", name @ URL of a wheel" if over else ""
                raise UsageError(
                    f"{flag} names {names}, not {what or 'an option'}",
                    where=named[0].where if named else path,
                    hint=f"give {flag} a file of requirements only (name, name>=1.0{wheel},"
                    " markers)",
                )
            if flag == "--overrides":  # (a wheel it names stands for a -c file's: uv's)
                inputs.overrides += scratch.wanted
                files = [w for w in scratch.wanted if w.path or w.url]
                mine = {w.name for w in files}
                inputs.constraints = [
                    c for c in inputs.constraints if c.name not in mine or not (c.path or c.url)
                ]
                inputs.constraints += files
            else:
                inputs.excludes += [w.name for w in scratch.wanted if w.name not in inputs.excludes]


def _refused(wanted: Wanted, *, wheels: bool) -> bool:
    """Whether an override (*wheels*) or an exclude may not be *wanted*: a source, a hash.

    An override may name a wheel (by path or URL, with its URL's own ``#sha256=``).
    """
    if wanted.source or (wanted.hashes and not wanted.url_hash_only):
        return True
    return not wheels and bool(wanted.path or wanted.url or wanted.hashes)


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
