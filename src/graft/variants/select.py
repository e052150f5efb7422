"""PEP 825's variant ordering, as a pure function of metadata, the machine and priorities.

Given a release's combined variant metadata and what the machine supports (per
namespace, features and values most-preferred first):

1. a label is *compatible* when every feature it names has at least one value the
   machine supports (AND across features, OR across values); the null variant always is;
2. the supported (namespace, feature) pairs are ordered by namespace priority (the user's
   ``namespace_priorities``, then the metadata's ``default-priorities.namespace``), then
   feature priority (the user's ``feature_priorities``, then the provider's ``feature-order``,
   then the order the provider reported), and each feature's values by the user's
   ``property_priorities``, then the provider's order;
3. a label's *rank* has one slot per supported pair, holding the position of its best
   supported value there, or "none" (after every position); ranks compare slot by slot,
   then by label. So more matched keys win on a prefix and the null variant (all "none")
   comes after every other compatible variant;
4. non-variant wheels come after every variant (PEP 825); ``--no-variants`` keeps only them.

Filtering by platform tags, and the order of a group's wheels by tag, are the caller's.
:func:`order_release` orders one release's files for the resolver's screening.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from graft.model.wheelname import NULL_LABEL, InvalidWheelFilename, split_variant_label

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from graft.model.variants import VariantMetadata, VariantProperty

#: A slot of a rank with no matching value: after every real position.
NONE = 1 << 30


@dataclass(frozen=True, slots=True)
class SupportedFeature:
    """One feature the machine supports: its values, most preferred first, and who said so."""

    namespace: str
    feature: str
    values: tuple[str, ...]
    source: str  # "variants.toml", "--variant-property", "builtin: /proc/cpuinfo", ...


@dataclass(frozen=True, slots=True)
class Priorities:
    """The user's priorities, in the shape of variantlib's ``variants.toml``."""

    namespaces: tuple[str, ...] = ()
    features: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    properties: Mapping[tuple[str, str], tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )


class Mode(enum.Enum):
    """``auto``: choose among variants (PEP 825); ``none``: as a variant-unaware installer."""

    AUTO = "auto"
    NONE = "none"  # --no-variants


@dataclass(frozen=True, slots=True)
class LabelChoice:
    """One label of a release as the ordering saw it."""

    label: str
    properties: tuple[str, ...]  # as declared, sorted
    supported: tuple[str, ...]  # the declared properties the machine supports
    rank: tuple[int, ...] | None  # None: incompatible
    why: str  # "" when compatible; else the first feature the machine lacks


def _merged(*lists: Iterable[str]) -> list[str]:
    out: list[str] = []
    for items in lists:
        out.extend(item for item in items if item not in out)
    return out


def slots(
    features: Sequence[SupportedFeature],
    namespaces: Sequence[str],
    priorities: Priorities,
    feature_order: Mapping[str, Sequence[str]] | None = None,
) -> tuple[tuple[tuple[str, str], tuple[str, ...]], ...]:
    """The supported (namespace, feature) pairs in priority order, each with ordered values."""
    ns_order = _merged(priorities.namespaces, namespaces)
    by_ns: dict[str, list[SupportedFeature]] = {}
    for feat in features:
        by_ns.setdefault(feat.namespace, []).append(feat)
    ordered_ns = sorted(by_ns, key=lambda ns: ns_order.index(ns) if ns in ns_order else NONE)
    out = []
    for ns in ordered_ns:
        order = _merged(priorities.features.get(ns, ()), (feature_order or {}).get(ns, ()))
        feats = sorted(
            by_ns[ns], key=lambda f: order.index(f.feature) if f.feature in order else NONE
        )
        for feat in feats:
            values = _merged(
                (v for v in priorities.properties.get((ns, feat.feature), ()) if v in feat.values),
                feat.values,
            )
            out.append(((ns, feat.feature), tuple(values)))
    return tuple(out)


def judge(
    label: str,
    properties: Iterable[VariantProperty],
    table: Sequence[tuple[tuple[str, str], tuple[str, ...]]],
) -> LabelChoice:
    """Is *label* compatible with the machine (the ordered *table*), and its rank if so."""
    props = sorted(properties)
    index = {key: (i, values) for i, (key, values) in enumerate(table)}
    rank = [NONE] * len(table)
    wanted: dict[tuple[str, str], list[str]] = {}
    for prop in props:
        wanted.setdefault(prop.feature_key, []).append(prop.value)
    supported: list[str] = []
    for key, values in wanted.items():
        slot = index.get(key)
        hits = [slot[1].index(v) for v in values if slot is not None and v in slot[1]]
        if slot is None or not hits:
            why = f"the machine supports no value of {key[0]} :: {key[1]} ({', '.join(values)})"
            return LabelChoice(label, tuple(map(str, props)), (), None, why)
        rank[slot[0]] = min(hits)
        supported.extend(f"{key[0]} :: {key[1]} :: {v}" for v in values if v in slot[1])
    return LabelChoice(label, tuple(map(str, props)), tuple(sorted(supported)), tuple(rank), "")


def order_labels(
    metadata: VariantMetadata,
    features: Sequence[SupportedFeature],
    priorities: Priorities | None = None,
) -> tuple[LabelChoice, ...]:
    """Every label of *metadata* (and the null variant) judged: compatible ones best first.

    *features* is the machine (:func:`supported_for` adds the metadata's static properties).
    Incompatible labels follow, in label order, with ``rank`` None and the reason.
    """
    priorities = priorities or Priorities()
    feature_order = {ns: p.feature_order for ns, p in metadata.providers.items()}
    supported = supported_for(metadata, features)
    table = slots(supported, metadata.namespaces, priorities, feature_order)
    labels = dict(metadata.variants)
    labels.setdefault(NULL_LABEL, frozenset())
    judged = [judge(label, props, table) for label, props in labels.items()]
    good = sorted((c for c in judged if c.rank is not None), key=lambda c: (c.rank, c.label))
    bad = sorted((c for c in judged if c.rank is None), key=lambda c: c.label)
    return (*good, *bad)


def supported_for(
    metadata: VariantMetadata, machine: Sequence[SupportedFeature]
) -> tuple[SupportedFeature, ...]:
    """The machine's features plus the static properties the metadata's providers declare.

    A namespace the machine answers for (the user's static properties, a built-in
    detection) keeps the machine's answer; a provider with ``static-properties`` supplies
    the others (PEP 850: such properties are compatible everywhere). A provider that needs
    a plugin supplies nothing: graft runs no plugin, so its namespace stays unsupported.
    """
    known = {f.namespace for f in machine}
    extra = [
        SupportedFeature(ns, feat, values, "the package's static-properties")
        for ns, provider in metadata.providers.items()
        if ns not in known
        for feat, values in provider.static_properties
    ]
    return (*machine, *extra)


@dataclass(frozen=True, slots=True)
class ReleaseOrder:
    """One release's wheel files for one machine: a group rank per file, and the left-out."""

    ranks: Mapping[str, int]  # filename -> 0 for the best variant group; non-variant last
    left_out: Mapping[str, str]  # filename -> why it is not a candidate
    labels: tuple[LabelChoice, ...] = ()  # the explanation (-v, --json)

    def rank(self, filename: str) -> int | None:
        """The file's group rank (lower is better), None when it is left out."""
        return self.ranks.get(filename)

    def to_json(self) -> dict[str, object]:
        """The explanation for ``--json``: labels in order, with ranks and reasons."""
        return {
            "labels": [
                {
                    "label": c.label,
                    "compatible": c.rank is not None,
                    "properties": list(c.properties),
                    "supported": list(c.supported),
                    "why": c.why or None,
                }
                for c in self.labels
            ],
            "ranks": dict(sorted(self.ranks.items())),
            "left_out": dict(sorted(self.left_out.items())),
        }

    def explain(self) -> list[str]:
        """One line per label: its place or why it is incompatible."""
        lines = []
        for place, choice in enumerate(self.labels, 1):
            if choice.rank is None:
                lines.append(f"{choice.label}: incompatible: {choice.why}")
            else:
                props = ", ".join(choice.supported) or "no properties"
                lines.append(f"{choice.label}: #{place} ({props})")
        return lines


def order_release(
    filenames: Iterable[str],
    metadata: VariantMetadata | None,
    machine: Sequence[SupportedFeature],
    *,
    priorities: Priorities | None = None,
    mode: Mode = Mode.AUTO,
) -> ReleaseOrder:
    """Rank one release's wheel files (already filtered by tags) for this machine.

    *metadata* is the release's combined variant metadata (None when there is none, or
    when it was inconsistent: its variant wheels are then left out, as PEP 825 says).
    Files of the best variant group get rank 0; non-variant wheels rank after every
    variant group. Within a rank, the caller orders by platform tag.
    """
    labelled: dict[str, str | None] = {}
    left_out: dict[str, str] = {}
    for filename in filenames:
        try:
            labelled[filename] = split_variant_label(filename)[1]
        except InvalidWheelFilename as exc:
            left_out[filename] = str(exc)
    choices: tuple[LabelChoice, ...] = ()
    place: dict[str, int] = {}
    why: dict[str, str] = {}
    if mode is Mode.AUTO and metadata is not None:
        choices = order_labels(metadata, machine, priorities)
        place = {c.label: i for i, c in enumerate(choices) if c.rank is not None}
        why = {c.label: c.why for c in choices if c.rank is None}
    ranks: dict[str, int] = {}
    for filename, label in labelled.items():
        if label is None:
            ranks[filename] = len(place)
        elif mode is Mode.NONE:
            left_out[filename] = "a variant wheel (--no-variants)"
        elif metadata is None:
            left_out[filename] = "a variant wheel without usable variant metadata"
        elif label in place:
            ranks[filename] = place[label]
        else:
            left_out[filename] = why.get(label) or f"label {label!r} is not in the variant metadata"
    return ReleaseOrder(MappingProxyType(ranks), MappingProxyType(left_out), choices)


def ranked_files(order: ReleaseOrder, tag_rank: Mapping[str, int]) -> tuple[str, ...]:
    """The release's candidate files best first: variant group, then tag order, then build.

    *tag_rank* is the target's tag order (``Target.tag_rank()``); a file with no tag the
    target accepts is left out, as are the files *order* left out.
    """
    from graft.model.wheelname import parse_wheel_filename  # noqa: PLC0415

    keyed = []
    for filename, group in order.ranks.items():
        _, _, build, tags, _ = parse_wheel_filename(filename)
        positions = [tag_rank[str(t)] for t in tags if str(t) in tag_rank]
        if positions:
            keyed.append(((group, min(positions), -(build[0] if build else 0), filename), filename))
    return tuple(name for _, name in sorted(keyed))
