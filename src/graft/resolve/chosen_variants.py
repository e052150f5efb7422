"""The chosen variant wheels, after the downloads: checked against their own ``variant.json``.

:func:`disagreements` reads each downloaded variant wheel chosen on its release's metadata
and has the chooser ignore the release's variants where the wheel's own ``variant.json``
gives its label other properties (PEP 825: inconsistent; the resolution runs again).
:func:`report` explains the choice (``-v``, ``--json``: :func:`explain`) and gives each
chosen variant wheel's supported properties (the completeness check's variant markers) and
declared ones (the check that the wheel agrees, :mod:`graft.prepare`). Both return at once
when the chooser ordered no release (no variant wheels were met).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graft.resolve.artifacts import ArtifactFile, parse_wheel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.model.requirements import Wanted
    from graft.resolve.fetched import Fetched
    from graft.resolve.variants import VariantChooser
    from graft.sources.candidates import Candidate
    from graft.store.entries import Store


def report(
    chooser: VariantChooser, chosen: list[tuple[Wanted, Candidate]]
) -> tuple[
    tuple[list[str], list[Any]] | None,
    tuple[tuple[str, tuple[str, ...]], ...],
    tuple[tuple[str, tuple[str, ...]], ...],
]:
    """The variant choice explained (None: no variant release), support and declared.

    The support is each chosen variant wheel's properties the machine supports, for the
    completeness check's variant markers; declared, the properties the release's metadata
    gives its label, for the check that the wheel's own ``variant.json`` agrees.
    """
    if not chooser.orders:
        return None, (), ()
    picked: dict[tuple[str, str], str] = {}
    support = []
    declared = []
    for w, c in chosen:
        parsed = parse_wheel(c.filename)
        if parsed is None:  # an sdist picked, or a source a lock names: built non-variant
            picked[w.name, w.version or ""] = c.filename
            continue
        picked[str(parsed.name), str(parsed.version)] = c.filename
        if parsed.variant is not None:
            file = ArtifactFile(c.filename, c.url, direct=c.local)
            env = chooser.environment(file)
            support.append((c.filename, tuple(sorted(str(p) for p in env.properties))))
            given = chooser.declared(file)
            if given is not None:
                declared.append((c.filename, given))
    return explain(chooser, picked), tuple(sorted(support)), tuple(sorted(declared))


def explain(
    chooser: VariantChooser, chosen: dict[tuple[str, str], str]
) -> tuple[list[str], list[Any]]:
    """For ``-v`` and ``--json``: per release *chooser* ordered, the choice and order.

    *chosen* maps (name, version) to the filename the resolution took; what the chooser
    learnt of each release (its order, metadata's source, plugin hints) is read, not changed.
    """
    lines: list[str] = []
    data: list[Any] = []
    for (name, version), order in sorted(chooser.orders.items()):
        if (name, version) not in chosen:
            continue
        filename = chosen[name, version]
        parsed = parse_wheel(filename)
        label = parsed.variant if parsed is not None else None
        source = chooser.sources.get((name, version))
        lines.append(
            f"variants of {name}=={version}: chose {filename}"
            f" ({'label ' + label if label else 'non-variant'}; metadata: {source or 'none'})"
        )
        lines.extend(f"  {line}" for line in order.explain())
        lines.extend(f"  left out {f}: {why}" for f, why in sorted(order.left_out.items()))
        hints = chooser.hints.get((name, version), ())
        lines.extend(f"  {hint}" for hint in hints)
        data.append(
            {
                "name": name,
                "version": version,
                "chosen": filename,
                "label": label,
                "metadata": source,
                "plugins_not_allowed": list(hints),
                **order.to_json(),
            }
        )
    return lines, data


def disagreements(
    chooser: VariantChooser, fetched: Sequence[Fetched], store: Store | None
) -> set[tuple[str, str]]:
    """Releases whose chosen variant wheel's own ``variant.json`` disagrees with their metadata.

    PEP 825: the release's metadata then is inconsistent, and its variants are ignored
    (:meth:`VariantChooser.ignore` is called with the reason, for the resolution to run
    again). Reads the ``variant.json`` of each downloaded wheel chosen on metadata; of a wheel
    the store held (not downloaded, decision 154), its entry's record, which ingest took
    from that ``variant.json``.
    """
    if not chooser.orders:
        return set()
    from graft.variants.files import wheel_variant_metadata  # noqa: PLC0415

    found = set()
    for item in fetched:
        file = ArtifactFile(item.name, item.path or "")
        given = chooser.declared(file)
        parsed = parse_wheel(file.filename)
        if given is None or parsed is None or parsed.variant is None:
            continue
        mine: tuple[str, ...] | None
        if item.path is None:
            entry = None if store is None else store.get(item.sha256 or "")
            mine = None if entry is None else tuple(sorted(entry.record.variant_properties))
        else:
            own = wheel_variant_metadata(item.path)
            props = own.variants.get(parsed.variant) if own is not None else None
            mine = tuple(sorted(str(p) for p in props)) if props is not None else None
        if mine != given:
            name, version = str(parsed.name), str(parsed.version)
            chooser.ignore(
                name,
                version,
                f"{file.filename}'s variant.json gives label {parsed.variant!r} the properties"
                f" {list(mine or ())}, the release's variant metadata {list(given)} (PEP 825:"
                " inconsistent)",
            )
            found.add((name, version))
    return found
