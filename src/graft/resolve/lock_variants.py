"""``graft lock`` and wheel variants (PEP 825): what packaging's lock model cannot hold.

packaging's :class:`~packaging.pylock.Pylock` refuses a variant wheel's filename and has no
``[packages.variants-json]``. :mod:`graft.resolve.lock` builds and validates the lock with
stand-in names (the filenames without labels); this module inlines each release's variant
metadata into its entries (:func:`with_variants`), adds the ``needed-by`` clauses of what
only some variant choices need (:func:`with_needs`), puts the real names and the tables
into the TOML written (:func:`to_toml_dict`), and warns of what a listed variant would need
that the lock does not hold (:func:`unlocked_variant_needs`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from graft.resolve.artifacts import parse_wheel

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.resolve.artifacts import ArtifactFile, ProjectSource
    from graft.resolve.environments import Environment
    from graft.resolve.metadata_reader import MetadataReader
    from graft.resolve.variants import VariantChooser
    from graft.variants.locked import Clause


class LockEntry(Protocol):
    """What this module reads of :class:`graft.resolve.lock_merge.Entry` (a dataclass)."""

    @property
    def name(self) -> NormalizedName:
        """The project."""

    @property
    def version(self) -> Version:
        """The release."""

    @property
    def environments(self) -> tuple[Environment, ...]:
        """The lock environments the entry is for."""

    @property
    def wheels(self) -> tuple[ArtifactFile, ...]:
        """The wheels listed, sorted by filename."""

    @property
    def variants_json(self) -> dict[str, Any] | None:
        """PEP 825's ``[packages.variants-json]``, when the entry lists variant wheels."""

    @property
    def needed_by(self) -> tuple[Clause, ...]:
        """When only some variant choices need the entry: the clauses (``tool.graft``)."""

    @property
    def index(self) -> str | None:
        """The one index a ``[tool.uv.sources]`` entry keeps it to (decisions 372, 377)."""


E = TypeVar("E", bound=LockEntry)


def is_variant(file: ArtifactFile) -> bool:
    """Whether *file* is a variant wheel."""
    return _label(file) is not None


def with_variants(
    entries: Sequence[E], source: ProjectSource, chooser: VariantChooser
) -> tuple[E, ...]:
    """Each entry that lists a variant wheel, with its release's variant metadata inlined.

    Labels no listed wheel has are dropped; a release without usable metadata (none, or
    inconsistent) keeps its non-variant wheels only, and so does every release with
    ``--no-variants`` (a lock pip and uv can read: their packaging refuses variant names).
    """
    out = []
    for entry in entries:
        labels = {label for f in entry.wheels if (label := _label(f)) is not None}
        if not labels:
            out.append(entry)
            continue
        if not chooser.options.enabled:  # --no-variants: a lock variant-unaware tools read
            kept = tuple(f for f in entry.wheels if not is_variant(f))
            out.append(dataclasses.replace(entry, wheels=kept))  # type: ignore[type-var]
            continue
        metadata = chooser.metadata(entry.name, entry.version, source.files(entry.name))
        if metadata is None:
            kept = tuple(f for f in entry.wheels if not is_variant(f))
            out.append(dataclasses.replace(entry, wheels=kept or entry.wheels))  # type: ignore[type-var]
            continue
        table = metadata.to_json()
        table["variants"] = {k: v for k, v in table["variants"].items() if k in labels}
        listed = tuple(
            f for f in entry.wheels if not is_variant(f) or _label(f) in table["variants"]
        )
        out.append(dataclasses.replace(entry, wheels=listed, variants_json=table))  # type: ignore[type-var]
    return tuple(out)


def with_needs(
    entry: E, needs: dict[str, dict[str, tuple[Clause, ...]]], covered: Sequence[Environment]
) -> E:
    """*entry* with the clauses of when it is installed, when some variant choice lacks it.

    *needs* maps each environment's label to its conditional projects and their clauses
    (:func:`graft.resolve.lock_forks.conditions`). In the entry's environments where every
    choice needs it, a clause without a requirer holds (their marker).
    """
    from graft.resolve.lock_markers import marker_for  # noqa: PLC0415
    from graft.variants.locked import Clause  # noqa: PLC0415

    name = str(entry.name)
    some = [e for e in entry.environments if name in needs.get(e.label, {})]
    if not some:
        return entry
    every = [e for e in entry.environments if e not in some]
    clauses = {c for e in some for c in needs[e.label][name]}
    if every:
        marker = marker_for(every, covered)
        if marker is None:  # those environments cannot be told apart from the others
            return entry
        clauses.add(Clause(None, (), marker))
    return dataclasses.replace(entry, needed_by=tuple(sorted(clauses, key=_clause_key)))  # type: ignore[type-var]


def _clause_key(clause: Clause) -> tuple[str, tuple[str, ...], str]:
    return (clause.requirer or "", clause.labels, clause.marker or "")


def unlocked_variant_needs(entries: Sequence[LockEntry], reader: MetadataReader) -> list[str]:
    """Warnings: a listed variant wheel requires a project the lock has not for its machine.

    Every variant choice is resolved (:mod:`graft.resolve.lock_forks`), so this finds only
    what a fork could not lock (it failed to resolve, or pinned another version of a
    project); installing that variant then refuses the gap. Its requirements are judged
    with every property its label declares.
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.model.variants import VariantProperty  # noqa: PLC0415
    from graft.variants.markers import VariantEnvironment, requirement  # noqa: PLC0415

    locked: dict[str, set[str]] = {}
    for entry in entries:
        for env in entry.environments:
            locked.setdefault(env.label, set()).add(str(entry.name))
    out: dict[str, None] = {}
    for entry in entries:
        labels = (entry.variants_json or {}).get("variants", {})
        for file in entry.wheels:
            label = _label(file)
            if label is None or label not in labels:
                continue
            declared = frozenset(
                VariantProperty(ns, feature, value)
                for ns, features in labels[label].items()
                for feature, values in features.items()
                for value in values
            )
            surface = reader.surface(file)
            variant_env = VariantEnvironment(label, declared)
            reqs = [
                *surface.requirements,
                *(requirement(t, variant_env) for t in surface.variant_requires),
            ]
            for target_env in entry.environments:
                markers = {**target_env.target.markers, "extra": ""}
                for req in reqs:
                    if req.marker is not None and not req.marker.evaluate(markers):
                        continue
                    if canonicalize_name(req.name) not in locked[target_env.label]:
                        out[
                            f"{entry.name}=={entry.version}: variant {label} requires {req},"
                            f" which is not locked for {target_env.label} (lock with that"
                            " machine's --variant-property to include it)"
                        ] = None
    return list(out)


def _label(file: ArtifactFile) -> str | None:
    parsed = parse_wheel(file.filename)
    return parsed.variant if parsed is not None else None


def to_toml_dict(table: Mapping[str, Any], entries: Sequence[LockEntry]) -> dict[str, Any]:
    """The lock's *table* as written: real wheel names, ``[packages.variants-json]``, clauses.

    *table* is :func:`~graft.resolve.lock_write.pylock_table` of *entries*: packages and
    wheels in the same order.
    """
    data = dict(table)
    packages = list(data.get("packages", []))
    for i, (package, entry) in enumerate(zip(packages, entries, strict=True)):
        table = dict(package)
        if entry.needed_by:  # (a variant lock only: its module costs the others ~5 ms)
            from graft.variants.locked import NEEDED_BY  # noqa: PLC0415

            table["tool"] = {"graft": {NEEDED_BY: [c.to_toml() for c in entry.needed_by]}}
            packages[i] = table
        if not any(is_variant(f) for f in entry.wheels) and entry.variants_json is None:
            continue
        table["wheels"] = [
            {**dict(w), "name": f.filename}
            for w, f in zip(table.get("wheels", []), entry.wheels, strict=True)
        ]
        if entry.variants_json is not None:
            table["variants-json"] = entry.variants_json
        packages[i] = table
    data["packages"] = packages
    return data
