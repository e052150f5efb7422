"""Variant metadata (PEP 825, PEP 850): properties, labels, and the JSON files that map them.

A *variant property* is ``namespace :: feature :: value``. A variant wheel's
``*.dist-info/variant.json`` maps its label to its properties (one entry); an index's
``{name}-{version}-variants.json`` maps every label of a release. Both carry
``default-priorities.namespace`` (every namespace used, most important first) and, from
schema 0.2 on (variantlib 0.2, PEP 850), ``providers`` (static properties, feature order,
plugin requirements).

The reader dispatches on ``$schema``: 0.1.x is PEP 825's format, 0.2.x adds ``providers``
(``https://variants-schema.wheelnext.dev/v0.2.0.json``, ``.../peps/850/v0.2.0.json``), and
1.x is PEP 825 once final. An unknown major is refused; a newer minor of a known major is
read as the newest known one, keys it does not know ignored. :func:`merge` applies PEP 825's
consistency rules. Pure: text in, values out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from graft.errors import VariantError
from graft.model.wheelname import NULL_LABEL, is_variant_label

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

_NAME = re.compile(r"[a-z0-9_]+")
_VALUE = re.compile(r"[a-z0-9_.]+")
_PROPERTY = re.compile(r"\s*([a-z0-9_]+)\s*::\s*([a-z0-9_]+)\s*::\s*([a-z0-9_.]+)\s*")
_SCHEMA = re.compile(r"https?://[^\s]+/v(\d+)\.(\d+)\.(\d+)\.json")
#: The schema versions graft reads, by (major, minor); a newer minor reads as the newest.
KNOWN_SCHEMAS = ((0, 1), (0, 2), (1, 0))
_HINT = "ask the publisher for variant metadata of a schema graft reads (0.1, 0.2 or 1.x)"


@dataclass(frozen=True, order=True, slots=True)
class VariantProperty:
    """One ``namespace :: feature :: value``."""

    namespace: str
    feature: str
    value: str

    def __str__(self) -> str:
        return f"{self.namespace} :: {self.feature} :: {self.value}"

    @property
    def feature_key(self) -> tuple[str, str]:
        """``(namespace, feature)``."""
        return self.namespace, self.feature

    @classmethod
    def parse(cls, text: str) -> VariantProperty:
        """A property from ``ns :: feature :: value`` (spaces around ``::`` optional).

        Raises :class:`ValueError` for anything else.
        """
        match = _PROPERTY.fullmatch(text)
        if match is None:
            msg = f"not a variant property (namespace :: feature :: value): {text!r}"
            raise ValueError(msg)
        return cls(*match.groups())


@dataclass(frozen=True, slots=True)
class Provider:
    """What a schema 0.2 file says of one namespace's provider (PEP 850 / variantlib 0.2)."""

    static_properties: tuple[tuple[str, tuple[str, ...]], ...] = ()  # feature, values in order
    feature_order: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()  # a third-party plugin to install (opt-in only)
    plugin_api: str | None = None
    optional: bool = False
    builtin: str | None = None


@dataclass(frozen=True, slots=True)
class PluginAnswer:
    """What a provider plugin said this machine supports, and who said it."""

    namespace: str
    features: tuple[tuple[str, tuple[str, ...]], ...]  # feature, values most preferred first
    source: str  # "plugin <distribution> <version>"


class ProviderPlugins(Protocol):
    """Runs allowed provider plugins (PEP 850) out of graft's process; the CLI hands it in.

    The resolution stage asks it for a namespace the user allowed; it never installs or
    imports a plugin itself (``graft.variants.plugins``, ``graft.cli.provider_envs``).
    """

    def supported(self, namespace: str, provider: Provider) -> PluginAnswer:
        """The features the *provider*'s plugin reports for *namespace* on this machine."""
        ...


@dataclass(frozen=True, slots=True)
class VariantMetadata:
    """The combined variant metadata of one release (or of one wheel)."""

    schema: str
    namespaces: tuple[str, ...]  # default-priorities.namespace
    variants: Mapping[str, frozenset[VariantProperty]]  # label -> properties
    providers: Mapping[str, Provider] = field(default_factory=lambda: MappingProxyType({}))

    def to_json(self) -> dict[str, Any]:
        """The metadata as the JSON object it came from (normalized: sorted value lists)."""
        out: dict[str, Any] = {
            "$schema": self.schema,
            "default-priorities": {"namespace": list(self.namespaces)},
            "variants": {label: properties_to_json(p) for label, p in self.variants.items()},
        }
        if self.providers:
            out["providers"] = {ns: _provider_json(p) for ns, p in self.providers.items()}
        return out


def properties_to_json(properties: Iterable[VariantProperty]) -> dict[str, dict[str, list[str]]]:
    """``{namespace: {feature: [values, sorted]}}``."""
    out: dict[str, dict[str, list[str]]] = {}
    for prop in sorted(properties):
        out.setdefault(prop.namespace, {}).setdefault(prop.feature, []).append(prop.value)
    return out


def _provider_json(provider: Provider) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if provider.static_properties:
        out["static-properties"] = {f: list(v) for f, v in provider.static_properties}
    if provider.feature_order:
        out["feature-order"] = list(provider.feature_order)
    if provider.requires:
        out["requires"] = list(provider.requires)
    if provider.plugin_api is not None:
        out["plugin-api"] = provider.plugin_api
    if provider.optional:
        out["optional"] = True
    if provider.builtin is not None:
        out["builtin"] = provider.builtin
    return out


def schema_version(url: object, where: str) -> tuple[int, int]:
    """``(major, minor)`` of a ``$schema`` URL graft can read, or :class:`VariantError`."""
    match = _SCHEMA.fullmatch(url) if isinstance(url, str) else None
    if match is None:
        raise VariantError(f"variant metadata has no usable $schema ({url!r})", where=where)
    major, minor = int(match[1]), int(match[2])
    known = [m for m in KNOWN_SCHEMAS if m[0] == major]
    if not known:
        raise VariantError(
            f"variant metadata schema {match[1]}.{match[2]}.{match[3]} is not supported",
            where=where,
            hint=_HINT,
        )
    if major == 0 and minor < known[0][1]:  # 0.0.x drafts predate PEP 825
        raise VariantError(
            f"variant metadata schema 0.{minor}.{match[3]} is a withdrawn draft",
            where=where,
            hint=_HINT,
        )
    if major == 0:  # a newer draft minor reads as the newest graft knows
        minor = min(minor, max(m[1] for m in known))
    return major, minor


def _strings(value: object, pattern: re.Pattern[str], what: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or len(set(value)) != len(value):
        raise VariantError(f"{what} must be a non-empty list of distinct strings", where=where)
    for item in value:
        if not isinstance(item, str) or pattern.fullmatch(item) is None:
            raise VariantError(f"{what}: {item!r} is not a valid name", where=where)
    return tuple(value)


def _object(value: object, what: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise VariantError(f"{what} must be a JSON object", where=where)
    return value


def _properties(raw: object, label: str, where: str) -> frozenset[VariantProperty]:
    out: set[VariantProperty] = set()
    for namespace, features in _object(raw, f"variants.{label}", where).items():
        if _NAME.fullmatch(namespace) is None:
            raise VariantError(f"variants.{label}: bad namespace {namespace!r}", where=where)
        for feature, values in _object(features, f"variants.{label}.{namespace}", where).items():
            if _NAME.fullmatch(feature) is None:
                raise VariantError(f"variants.{label}: bad feature {feature!r}", where=where)
            what = f"variants.{label}.{namespace}.{feature}"
            out.update(
                VariantProperty(namespace, feature, v)
                for v in _strings(values, _VALUE, what, where)
            )
    return frozenset(out)


def _provider(raw: object, namespace: str, where: str) -> Provider:
    data = _object(raw, f"providers.{namespace}", where)
    static = _object(data.get("static-properties", {}), "static-properties", where)
    order = data.get("feature-order")
    requires = data.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise VariantError(f"providers.{namespace}.requires must list strings", where=where)
    api, builtin = data.get("plugin-api"), data.get("builtin")
    return Provider(
        static_properties=tuple(
            (feat, _strings(vals, _VALUE, f"providers.{namespace}.{feat}", where))
            for feat, vals in static.items()
        ),
        feature_order=() if order is None else _strings(order, _NAME, "feature-order", where),
        requires=tuple(requires),
        plugin_api=api if isinstance(api, str) else None,
        optional=data.get("optional") is True,
        builtin=builtin if isinstance(builtin, str) else None,
    )


def parse_variant_metadata(data: object, where: str) -> VariantMetadata:
    """Variant metadata from a decoded ``variant.json`` / ``-variants.json`` object.

    Raises :class:`VariantError` naming *where* for an unknown schema or a malformed file.
    """
    top = _object(data, "variant metadata", where)
    schema = top.get("$schema")
    major, minor = schema_version(schema, where)
    priorities = _object(top.get("default-priorities"), "default-priorities", where)
    namespaces = _strings(priorities.get("namespace"), _NAME, "default-priorities.namespace", where)
    variants: dict[str, frozenset[VariantProperty]] = {}
    for label, raw in _object(top.get("variants", {}), "variants", where).items():
        if not is_variant_label(label):
            raise VariantError(f"{label!r} is not a valid variant label", where=where)
        variants[label] = _properties(raw, label, where)
        if (label == NULL_LABEL) != (not variants[label]):
            raise VariantError("only the label 'null' may have no properties", where=where)
    providers: dict[str, Provider] = {}
    if (major, minor) != (0, 1):  # PEP 825 0.1 has no providers
        providers = {
            ns: _provider(raw, ns, where)
            for ns, raw in _object(top.get("providers", {}), "providers", where).items()
        }
    used = {p.namespace for props in variants.values() for p in props}
    if used - set(namespaces):
        missing = ", ".join(sorted(used - set(namespaces)))
        raise VariantError(f"default-priorities.namespace lacks {missing}", where=where)
    return VariantMetadata(
        str(schema), namespaces, MappingProxyType(variants), MappingProxyType(providers)
    )


def load_variant_metadata(text: str | bytes, where: str) -> VariantMetadata:
    """:func:`parse_variant_metadata` of JSON text."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VariantError(f"variant metadata is not JSON ({exc})", where=where) from None
    return parse_variant_metadata(data, where)


def agrees(metadata: VariantMetadata, label: str, properties: Iterable[str]) -> bool:
    """Whether a wheel's own label and properties (its record) match the release's metadata.

    PEP 825: the ``-variants.json`` file is a cache of the wheels' ``variant.json``; a
    downloaded wheel that disagrees with it makes the metadata inconsistent.
    """
    declared = frozenset(VariantProperty.parse(p) for p in properties)
    return metadata.variants.get(label, frozenset() if label == NULL_LABEL else None) == declared


def merge(parts: Iterable[VariantMetadata], where: str) -> VariantMetadata:
    """One release's metadata from several files, under PEP 825's consistency rules.

    Equal labels must mean equal properties; namespace priority lists must be equal or one
    a prefix of the other (the longer wins); a provider must be described alike. Raises
    :class:`VariantError` when they are not: PEP 825 then asks installers to ignore the
    release's variants (the caller warns and falls back to its non-variant wheels).
    """
    items = list(parts)
    if not items:
        raise VariantError("no variant metadata to merge", where=where)
    namespaces: tuple[str, ...] = ()
    variants: dict[str, frozenset[VariantProperty]] = {}
    providers: dict[str, Provider] = {}
    for item in items:
        short, long = sorted((namespaces, item.namespaces), key=len)
        if long[: len(short)] != short:
            raise VariantError(
                f"inconsistent namespace priorities {list(namespaces)} and {list(item.namespaces)}",
                where=where,
            )
        namespaces = long
        for label, props in item.variants.items():
            if variants.setdefault(label, props) != props:
                raise VariantError(f"label {label!r} has two property sets", where=where)
        for ns, provider in item.providers.items():
            if providers.setdefault(ns, provider) != provider:
                raise VariantError(f"provider {ns!r} is described twice, differently", where=where)
    return VariantMetadata(
        items[0].schema, namespaces, MappingProxyType(variants), MappingProxyType(providers)
    )
