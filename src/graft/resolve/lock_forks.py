r"""``graft lock`` over every variant choice: forks per variant release, merged, with clauses.

A lock environment's resolution follows one choice per variant release (the one the
variant options give). Another machine of the same environment may choose another
label, whose wheel's METADATA (its own lines, or its variant markers) needs other
projects. So, for each variant release a resolution pins, each other choice among its
wheels that fit the environment by tags (every label, and the non-variant wheels) is
resolved once more as a *fork*: the same requirements, that release offering only the
wheels of that choice, the other versions preferred as the base resolution has them.
A fork that pins a variant release the base did not varies that one too (its children);
so every requirement edge of every wheel any choice installs is seen, without the
product of all choices. Variant markers are decided with every property a label
declares (:attr:`VariantChooser.inclusive`), so the lock holds what any machine that
takes the label may need.

The environment's pins are the union of its base and forks (a fork that pins another
version of a project the base pins is left out with a warning: a lock entry holds one
version per environment). Then each pinned project is either needed by every choice
(reached from the roots through requirements every wheel of each requirer states with
no variant marker) or only under :class:`~graft.variants.locked.Clause`\\ s (which
requirer, which of its labels, which marker), written in ``[packages.tool.graft]``.

Nothing here runs for a resolution that pins no variant release.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from graft.resolve.artifacts import parse_wheel

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping

    from packaging.version import Version

    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.environments import Environment
    from graft.resolve.metadata_reader import MetadataReader
    from graft.resolve.overrides import Overrides
    from graft.resolve.resolver import Pin, Resolution
    from graft.resolve.variants import VariantChooser
    from graft.variants.locked import Clause

#: Forks resolved per lock environment at most (the rest are left out with a warning).
MAX_FORKS = 64


@dataclass
class Forks:
    """What a lock's forks found, over its environments (filled in as they resolve)."""

    # env label -> the projects not every choice needs there, with their clauses
    needs: dict[str, dict[str, tuple[Clause, ...]]] = field(default_factory=dict)
    releases: dict[tuple[str, Version], tuple[ArtifactFile, ...]] = field(default_factory=dict)
    resolved: int = 0  # forks resolved
    warnings: dict[str, None] = field(default_factory=dict)


Choice = tuple[tuple[str, str], str]  # ((name, version), label or "" for non-variant wheels)


def _label(file: ArtifactFile) -> str:
    parsed = parse_wheel(file.filename)
    return (parsed.variant or "") if parsed is not None else ""


def choices(
    resolution: Resolution,
    chooser: VariantChooser,
    files_of: Callable[[Pin], tuple[ArtifactFile, ...]],
    skip: Collection[tuple[str, str]] = (),
) -> list[Choice]:
    """The choices a fork may take: per variant release pinned (not in *skip*), the others."""
    out: list[Choice] = []
    for pin in resolution.pins:
        key = (str(pin.name), str(pin.version))
        if key not in chooser.orders or key in skip or key in chooser.forced:
            continue
        files = files_of(pin)
        if not any(_label(f) for f in files):
            continue
        metadata = chooser.known(key[0], key[1])
        if metadata is None:  # its variants are left out everywhere (none usable, or ignored)
            continue
        labels = {
            label
            for f in files
            if (label := _label(f)) == "" or label in metadata.variants or label == "null"
        }
        out += [(key, label) for label in sorted(labels - {_label(pin.file)})]
    return out


def explore(
    base: Resolution,
    chooser: VariantChooser,
    resolve_with: Callable[[VariantChooser, dict[str, str]], Resolution],
    files_of: Callable[[Pin], tuple[ArtifactFile, ...]],
    where: str,
) -> tuple[list[tuple[dict[tuple[str, str], str], Resolution]], list[str]]:
    """The forks of one environment's *base* resolution, and warnings.

    *resolve_with* resolves the environment's requirements with a forked chooser and the
    versions to prefer; a fork it cannot resolve is left out with a warning.
    """
    from graft.resolve.resolution_error import ResolutionError  # noqa: PLC0415

    preferred = {str(p.name): str(p.version) for p in base.pins}
    todo: list[tuple[dict[tuple[str, str], str], Resolution, VariantChooser, set[tuple[str, str]]]]
    todo = [({}, base, chooser, {(str(p.name), str(p.version)) for p in base.pins})]
    seen: set[frozenset[Choice]] = {frozenset()}
    forks: list[tuple[dict[tuple[str, str], str], Resolution]] = []
    warnings: list[str] = []
    while todo:
        forced, resolution, current, parent = todo.pop(0)
        # the base varies every variant release; a fork only those its parent did not pin
        skip = () if not forced else parent
        for key, label in choices(resolution, current, files_of, skip):
            wanted = {**forced, key: label}
            if frozenset(wanted.items()) in seen:
                continue
            if len(seen) > MAX_FORKS:
                warnings.append(
                    f"{where}: more than {MAX_FORKS} variant choices; the others are not locked"
                )
                return forks, warnings
            seen.add(frozenset(wanted.items()))
            fork = chooser.fork(wanted)
            try:
                found = resolve_with(fork, preferred)
            except ResolutionError as exc:
                warnings.append(
                    f"{where}: {_describe(key, label)} cannot be resolved"
                    f" ({exc.lines[0] if exc.lines else exc.kind}); it is not locked"
                )
                continue
            forks.append((wanted, found))
            todo.append(
                (wanted, found, fork, {(str(p.name), str(p.version)) for p in resolution.pins})
            )
    return forks, warnings


def _describe(key: tuple[str, str], label: str) -> str:
    what = f"variant {label}" if label else "the non-variant wheel"
    return f"{key[0]}=={key[1]}: {what}"


def union(
    base: Resolution, forks: list[tuple[dict[tuple[str, str], str], Resolution]], where: str
) -> tuple[tuple[Pin, ...], list[str]]:
    """The pins of *base* and every fork that agrees with them on versions, and warnings."""
    pins = {p.name: p for p in base.pins}
    warnings = []
    for forced, resolution in forks:
        clash = next(
            (p for p in resolution.pins if p.name in pins and pins[p.name].version != p.version),
            None,
        )
        if clash is not None:
            chosen = ", ".join(_describe(k, v) for k, v in sorted(forced.items()))
            warnings.append(
                f"{where}: {chosen} resolves to {clash.label} where the lock has"
                f" {pins[clash.name].label}; that choice is not locked"
            )
            continue
        for pin in resolution.pins:
            before = pins.get(pin.name)
            if before is None:
                pins[pin.name] = pin
            elif set(pin.extras) - set(before.extras):
                extras = tuple(sorted({*before.extras, *pin.extras}))
                pins[pin.name] = dataclasses.replace(before, extras=extras)
    return tuple(sorted(pins.values(), key=lambda p: p.name)), warnings


def conditions(  # noqa: PLR0917 - an environment's resolution and its readers
    env: Environment,
    roots: Collection[str],
    pins: tuple[Pin, ...],
    files_of: Callable[[Pin], tuple[ArtifactFile, ...]],
    reader: MetadataReader,
    chooser: VariantChooser,
    overrides: Overrides | None = None,
) -> dict[str, tuple[Clause, ...]]:
    """The projects of *pins* that not every variant choice needs in *env*, with clauses.

    Each wheel's requirements are read through the lock's *overrides* (``--overrides``,
    ``--excludes``), as its fork resolved them (decision 398).
    """
    from graft.variants.locked import Clause  # noqa: PLC0415
    from graft.variants.markers import requirement  # noqa: PLC0415

    pinned: set[str] = {str(p.name) for p in pins}
    markers = env.target.markers
    later = env.target.later_release_markers()  # a dependency of any release of the series
    edges: dict[str, dict[tuple[str, str | None], set[str]]] = {}  # d -> (q, marker) -> labels
    always: dict[str, set[str]] = {}  # q -> what every wheel of q needs, markers aside
    labels_of: dict[str, set[str]] = {}
    for pin in pins:
        q = str(pin.name)
        files = files_of(pin) if any(_label(f) for f in files_of(pin)) else (pin.file,)
        labels_of[q] = {_label(f) for f in files}
        each: list[set[str]] = []
        for file in files:
            label = _label(file)
            surface = reader.surface(file)
            plain: set[str] = set()
            stated = surface.requirements
            for req in stated if overrides is None else overrides.apply(stated):
                d = str(canonicalize_name(req.name))
                if d in pinned and _applies(req.marker, markers, pin.extras, later):
                    plain.add(d)
                    edges.setdefault(d, {}).setdefault((q, None), set()).add(label)
            variant_env = chooser.environment(file)
            for text in surface.variant_requires:
                decided = requirement(text, variant_env)
                marker = text.split(";", 1)[1].strip()
                for req in [decided] if overrides is None else overrides.apply([decided]):
                    d = str(canonicalize_name(req.name))
                    if d not in pinned or not _applies(req.marker, markers, pin.extras, later):
                        continue
                    key = (q, None if "extra" in marker else marker)
                    edges.setdefault(d, {}).setdefault(key, set()).add(label)
            each.append(plain)
        always[q] = set.intersection(*each) if each else set()
    unconditional = {str(canonicalize_name(r)) for r in roots} & pinned
    grow = list(unconditional)
    while grow:
        for d in always.get(grow.pop(), ()):
            if d not in unconditional:
                unconditional.add(d)
                grow.append(d)
    out: dict[str, tuple[Clause, ...]] = {}
    for d in sorted(pinned - unconditional):
        out[d] = tuple(
            sorted(
                Clause(q, () if labels == labels_of[q] else tuple(sorted(labels)), marker)
                for (q, marker), labels in edges.get(d, {}).items()
            )
        )
    return out


def _applies(
    marker: object,
    env: Mapping[str, str],
    extras: tuple[str, ...],
    later: Mapping[str, str] | None = None,
) -> bool:
    """Whether a requirement's (variant-decided) marker holds in *env* with some extra.

    Or in *later*, a later release of the series (:meth:`Target.later_release_markers`).
    """
    if marker is None:
        return True
    from graft.model.target import holds  # noqa: PLC0415

    return any(holds(marker, env, later, e) for e in ("", *extras))  # type: ignore[arg-type]


def forked(  # noqa: PLR0917 - one environment's inputs, passed through
    env: Environment,
    base: Resolution,
    chooser: VariantChooser,
    resolve_with: Callable[[VariantChooser, dict[str, str]], Resolution],
    files_of: Callable[[Pin], tuple[ArtifactFile, ...]],
    reader: MetadataReader,
    roots: Collection[str],
    found: Forks,
    overrides: Overrides | None = None,
) -> Resolution:
    """*base* with the pins of every variant choice's fork; clauses and warnings in *found*.

    *overrides*: the lock's ``--overrides`` and ``--excludes`` (the forks resolve with them).
    """
    forks, warnings = explore(base, chooser, resolve_with, files_of, env.label)
    pins, more = union(base, forks, env.label)
    found.needs[env.label] = conditions(env, roots, pins, files_of, reader, chooser, overrides)
    found.resolved += len(forks)
    found.warnings.update(dict.fromkeys([*warnings, *more]))
    return dataclasses.replace(base, pins=pins)
