"""A lock's variant wheels (PEP 825): the one this machine installs, and the packages it needs.

:mod:`graft.sources.pylock` hands packaging a package that lists variant wheels under
stand-in names; the wheel installed is chosen here among the package's listed wheels: the
variant order for this machine (a :class:`LockedVariants`, from the package's inlined
``variants-json``), then the tag order, as a resolution would. A package that only some
variant choices need (``[packages.tool.graft] needed-by``, written by ``graft lock``) is kept
when one of its clauses holds for the wheels chosen (:mod:`graft.variants.locked`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Protocol

from packaging.utils import canonicalize_name

from graft.errors import SourceError
from graft.model.requirements import Wanted

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.model.target import Target
    from graft.model.variants import VariantMetadata
    from graft.variants.markers import VariantEnvironment
    from graft.variants.select import ReleaseOrder


class LockedVariants(Protocol):
    """Orders a locked release's wheels for this machine (``resolve.variants.VariantChooser``)."""

    def order_with(
        self,
        name: str,
        version: str,
        filenames: Sequence[str],
        metadata: VariantMetadata | None,
        source: str,
    ) -> ReleaseOrder:
        """PEP 825's order of *filenames* under *metadata* (None: variants left out)."""
        ...

    def locked_environment(self, filename: str) -> VariantEnvironment:
        """The variant marker values of a locked wheel it ordered, once chosen."""
        ...


def needed_here(
    wanted: list[Wanted],
    packages: list[Any],
    target: Target,
    variants: LockedVariants | None,
    *,
    where: str,
) -> list[Wanted]:
    """*wanted* without the packages only other variant choices need (``tool.graft``).

    A lock graft wrote for variant releases lists every package any variant choice needs;
    one that only some choices need says when in ``[packages.tool.graft] needed-by``
    (:mod:`graft.variants.locked`), judged here on the wheels chosen for this machine.
    """
    from graft.model.wheelname import split_variant_label  # noqa: PLC0415
    from graft.variants.locked import needed, parse_needed_by  # noqa: PLC0415
    from graft.variants.markers import VariantEnvironment  # noqa: PLC0415

    conditional = {}
    for package, item in zip(packages, wanted, strict=True):
        clauses = parse_needed_by(package.tool, f"{where}: {package.name}")
        if clauses is not None:
            conditional[str(item.name)] = clauses
    chosen = {}
    for item in wanted:
        label = split_variant_label(item.filename or "")[1] if item.filename else None
        if label is not None and variants is not None:
            chosen[str(item.name)] = variants.locked_environment(item.filename or "")
        else:
            chosen[str(item.name)] = VariantEnvironment(label or "")
    keep = needed(chosen, conditional, target.markers)
    return [w for w in wanted if str(w.name) in keep]


def variant_wheel(
    package: Any,
    original: dict[str, Any],
    target: Target,
    base: str,
    *,
    where: str,
    variants: LockedVariants | None,
) -> Wanted:
    """The wheel of a package with variant wheels that this machine installs."""
    from graft.model.variants import parse_variant_metadata  # noqa: PLC0415
    from graft.variants.select import Mode, order_release, ranked_files  # noqa: PLC0415

    wheels = {w["name"]: w for w in original["wheels"] if isinstance(w.get("name"), str)}
    raw = original.get("variants-json")
    metadata = None if raw is None else parse_variant_metadata(raw, f"{where}: variants-json")
    version = str(package.version) if package.version else ""
    if variants is not None:
        order = variants.order_with(package.name, version, list(wheels), metadata, "pylock.toml")
    else:
        order = order_release(list(wheels), None, (), mode=Mode.NONE)
    ranked = ranked_files(order, target.tag_rank())
    if not ranked:
        why = "; ".join(f"{k}: {v}" for k, v in sorted(order.left_out.items()))
        raise SourceError(
            f"no locked wheel of {package.name} fits this machine ({why or 'no tag fits'})",
            where=where,
            hint="describe the machine with --variant-property or variants.toml, or lock"
            " a non-variant wheel too",
        )
    dist = wheels[ranked[0]]
    hashes = frozenset(
        f"sha256:{v}" for alg, v in dict(dist.get("hashes") or {}).items() if alg == "sha256"
    )
    if not hashes:
        raise SourceError(f"{package.name}: the lock gives no sha256 hash", where=where)
    local = dist.get("path")
    if local is not None and not os.path.isabs(local):
        local = os.path.join(base, local)
    return Wanted(
        name=canonicalize_name(package.name),
        version=version or None,
        extras=frozenset(),
        hashes=hashes,
        where=where,
        path=local,
        url=None if local is not None else dist.get("url"),
        filename=ranked[0],
        size=dist.get("size"),
        indexed=True,
    )
