"""Variant markers (PEP 825) in Requires-Dist, as a thin layer over packaging's markers.

PEP 825 adds ``variant_label`` (a string) and the sets ``variant_properties``,
``variant_features`` and ``variant_namespaces``, evaluated once a wheel is chosen against
its declared properties *intersected with* what the machine supports. packaging cannot
parse them. This module evaluates each variant comparison itself (set membership for the
sets; packaging's own string comparison, on a one-clause marker, for the label) and puts
in its place a clause whose value packaging computes without any environment
(``platform_machine == 'x' or platform_machine != 'x'`` is always true). The boolean
structure and every other clause stay with packaging.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement

from graft.model.variants import VariantProperty

_TOKEN = re.compile(
    r"""\s*(?:(?P<quoted>'[^']*'|"[^"]*")|(?P<op>not\s+in\b|in\b|===|==|~=|!=|<=|>=|<|>)"""
    r"""|(?P<word>[A-Za-z_][\w.]*)|(?P<other>\S))"""
)
_SETS = ("variant_properties", "variant_features", "variant_namespaces")
_LABEL = "variant_label"
_TRUE = "(platform_machine == 'graft' or platform_machine != 'graft')"
_FALSE = "(platform_machine == 'graft' and platform_machine != 'graft')"


@dataclass(frozen=True, slots=True)
class VariantEnvironment:
    """The variant marker values of one chosen wheel on one machine."""

    label: str  # "" for a non-variant wheel, "null" for the null variant
    properties: frozenset[VariantProperty] = frozenset()  # declared ∩ supported

    @classmethod
    def of(
        cls,
        label: str | None,
        declared: frozenset[VariantProperty],
        supported: frozenset[VariantProperty],
    ) -> VariantEnvironment:
        """The environment of a wheel labelled *label* (None: non-variant) on a machine."""
        return cls(label or "", declared & supported)

    def values(self) -> dict[str, frozenset[str]]:
        """The three sets, spelled as PEP 825 spells their members."""
        return {
            "variant_properties": frozenset(str(p) for p in self.properties),
            "variant_features": frozenset(f"{p.namespace} :: {p.feature}" for p in self.properties),
            "variant_namespaces": frozenset(p.namespace for p in self.properties),
        }


def has_variant_markers(text: str) -> bool:
    """Whether *text* (a marker or a requirement) may use a variant marker (a cheap test)."""
    return "variant_" in text


def _canonical(member: str, key: str) -> str:
    parts = [p.strip() for p in member.split("::")]
    if key == "variant_properties":
        try:
            return str(VariantProperty.parse(member))
        except ValueError:
            return member
    return " :: ".join(parts)


def _clause(lhs: str, op: str, rhs: str, env: VariantEnvironment, where: str) -> bool:
    op = " ".join(op.split())
    if _LABEL in (lhs, rhs):
        other = rhs if lhs == _LABEL else lhs
        if other in (_LABEL, *_SETS) or other[:1] not in "'\"":
            raise InvalidMarker(f"variant_label compared with {other} in {where!r}")
        # packaging compares the strings, as it would a non-version marker such as os_name
        text = f"os_name {op} {other}" if lhs == _LABEL else f"{other} {op} os_name"
        return Marker(text).evaluate({"os_name": env.label})
    key = rhs
    if key not in _SETS or op not in {"in", "not in"} or lhs[:1] not in "'\"":
        raise InvalidMarker(f"{key} allows only '<string>' in / not in {key}: {where!r}")
    found = _canonical(lhs[1:-1], key) in env.values()[key]
    return found if op == "in" else not found


def substitute(marker: str, env: VariantEnvironment) -> str:
    """*marker* with every variant clause replaced by a clause packaging evaluates alike.

    Raises :class:`packaging.markers.InvalidMarker` for a misused variant marker.
    """
    tokens = [(m.lastgroup or "", m.group(m.lastgroup or 0)) for m in _TOKEN.finditer(marker)]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        window = tokens[i : i + 3]
        names = {t for _, t in window}
        if (
            len(window) == 3  # noqa: PLR2004 - a clause is three tokens
            and window[1][0] == "op"
            and names & {_LABEL, *_SETS}
        ):
            value = _clause(window[0][1], window[1][1], window[2][1], env, marker)
            out.append(_TRUE if value else _FALSE)
            i += 3
            continue
        if tokens[i][1] in (_LABEL, *_SETS):
            raise InvalidMarker(f"{tokens[i][1]} outside a comparison in {marker!r}")
        out.append(tokens[i][1])
        i += 1
    return " ".join(out)


def evaluate(
    marker: str, env: VariantEnvironment, environment: dict[str, str] | None = None
) -> bool:
    """Evaluate *marker* (variant markers included) for *environment* and the chosen wheel."""
    text = substitute(marker, env) if has_variant_markers(marker) else marker
    return Marker(text).evaluate(environment)


def requirement(text: str, env: VariantEnvironment) -> Requirement:
    """A Requires-Dist value as packaging's :class:`Requirement`, its variant markers decided.

    Raises :class:`packaging.requirements.InvalidRequirement` as packaging does.
    """
    if not has_variant_markers(text):
        return Requirement(text)
    first: Exception | None = None
    start = 0
    while (cut := text.find(";", start)) != -1:  # a URL may hold ";": try each in turn
        start = cut + 1
        try:
            Requirement(text[:cut])
            return Requirement(f"{text[:cut]}; {substitute(text[cut + 1 :], env)}")
        except (InvalidRequirement, InvalidMarker) as exc:
            first = first or exc
    if first is not None:
        raise InvalidRequirement(str(first)) from None
    return Requirement(text)
