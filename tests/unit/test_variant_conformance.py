"""graft's variant ordering and variant markers against variantlib, the reference (a test oracle).

For generated variant metadata, machine properties and user priorities, the compatible
labels in graft's order equal ``variantlib.api.get_variants_by_priority``; a variant
marker's value equals packaging's evaluation with ``get_variant_environment_dict`` of the
description ``check_variant_supported`` filters to the machine.

variantlib learns the machine's properties as what PEP 850 calls static properties
(``providers.<ns>.static-properties`` in the metadata); graft gets the same properties as
its machine (``SupportedFeature``), so both answer from one description of the machine.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.markers import Marker

from graft.model.variants import VariantProperty, parse_variant_metadata
from graft.variants.markers import VariantEnvironment, evaluate
from graft.variants.select import Priorities, SupportedFeature, order_labels

variantlib_api = pytest.importorskip("variantlib.api", reason="variantlib is a dev dependency")
from variantlib import configuration as vl_configuration  # noqa: E402
from variantlib.models.configuration import VariantConfiguration as VLConfig  # noqa: E402
from variantlib.resolver import lib as vl_lib  # noqa: E402
from variantlib.variants_json import VariantsJson  # noqa: E402

NAMESPACES = ("aa", "bb", "cc")
FEATURES = ("f1", "f2", "f3")
VALUES = ("v1", "v2", "v3", "v4")
SCHEMA = "https://variants-schema.wheelnext.dev/v0.2.0.json"


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    """Metadata (variants, namespace priorities, feature orders), the machine, user priorities."""
    keys = [(ns, f) for ns in NAMESPACES for f in FEATURES]
    labels = draw(
        st.lists(st.from_regex(r"[a-z][a-z0-9_.]{0,4}", fullmatch=True), max_size=6, unique=True)
    )
    variants: dict[str, dict[str, dict[str, list[str]]]] = {}
    for label in labels:
        if label == "null":
            variants[label] = {}
            continue
        chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
        props: dict[str, dict[str, list[str]]] = {}
        for ns, feat in chosen:
            values = draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=2, unique=True))
            props.setdefault(ns, {})[feat] = sorted(values)
        variants[label] = props
    namespaces = draw(st.permutations(NAMESPACES))
    supported: dict[str, dict[str, list[str]]] = {}
    for ns, feat in draw(st.lists(st.sampled_from(keys), min_size=4, max_size=9, unique=True)):
        values = draw(st.lists(st.sampled_from(VALUES), min_size=2, max_size=4, unique=True))
        supported.setdefault(ns, {})[feat] = values
    providers: dict[str, Any] = {}
    for ns, feats in supported.items():
        provider: dict[str, Any] = {"static-properties": feats}
        if len(feats) > 1:  # variantlib wants it then
            provider["feature-order"] = draw(st.permutations(sorted(feats)))
        providers[ns] = provider
    for ns in NAMESPACES:  # schema 0.2 wants a provider per namespace: a plugin nobody runs
        providers.setdefault(ns, {"requires": [f"provider-{ns}"], "optional": True})
    user_ns = draw(st.lists(st.sampled_from(NAMESPACES), max_size=3, unique=True))
    user_features = {
        ns: draw(st.lists(st.sampled_from(FEATURES), min_size=1, max_size=3, unique=True))
        for ns in draw(st.lists(st.sampled_from(NAMESPACES), max_size=2, unique=True))
    }
    user_properties: dict[str, dict[str, list[str]]] = {}
    for ns, feat in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        values = draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=3, unique=True))
        user_properties.setdefault(ns, {})[feat] = values
    return {
        "json": {
            "$schema": SCHEMA,
            "default-priorities": {"namespace": list(namespaces)},
            "providers": providers,
            "variants": variants,
        },
        "config": {
            "namespace_priorities": user_ns,
            "feature_priorities": user_features,
            "property_priorities": user_properties,
        },
    }


def _graft_priorities(config: dict[str, Any]) -> Priorities:
    return Priorities(
        tuple(config["namespace_priorities"]),
        {ns: tuple(f) for ns, f in config["feature_priorities"].items()},
        {
            (ns, feat): tuple(values)
            for ns, feats in config["property_priorities"].items()
            for feat, values in feats.items()
        },
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), machine_side=st.booleans())
def test_the_order_equals_variantlibs(case: dict[str, Any], machine_side: bool) -> None:
    config = VLConfig.from_toml_config(**case["config"])
    with pytest.MonkeyPatch.context() as patch:  # the user's variants.toml, as variantlib reads it
        patch.setattr(vl_configuration.VariantConfiguration, "get_config", lambda: config)
        # abi_dependency (the test runner's own distributions, 0.3 s a call) is no namespace
        # the generated variants use; graft treats it as unsupported
        patch.setattr(vl_lib.importlib.metadata, "distributions", list)
        expected = [
            d.label for d in variantlib_api.get_variants_by_priority(variants_json=case["json"])
        ]
    metadata = parse_variant_metadata(json.loads(json.dumps(case["json"])), "test")
    machine: tuple[SupportedFeature, ...] = ()
    if machine_side:  # the same properties as graft's own machine (detection, variants.toml)
        machine = tuple(
            SupportedFeature(ns, feat, tuple(values), "test")
            for ns, provider in case["json"]["providers"].items()
            for feat, values in provider.get("static-properties", {}).items()
        )
    choices = order_labels(metadata, machine, _graft_priorities(case["config"]))
    got = [c.label for c in choices if c.rank is not None]
    assert got == expected


@st.composite
def markers(draw: st.DrawFn, props: list[VariantProperty], label: str) -> tuple[str, Any]:
    """A marker text and a tree to evaluate it by: variant clauses and python_version."""

    def atom() -> tuple[str, Any]:
        kind = draw(st.sampled_from(["prop", "feat", "ns", "label", "python"]))
        pool = props or [VariantProperty("aa", "f1", "v1")]
        prop = draw(st.sampled_from(pool))
        other = VariantProperty(
            draw(st.sampled_from(NAMESPACES)),
            draw(st.sampled_from(FEATURES)),
            draw(st.sampled_from(VALUES)),
        )
        prop = draw(st.sampled_from([prop, other]))
        sep = draw(st.sampled_from(["::", " :: ", " ::", ":: "]))
        negate = draw(st.booleans())
        op = "not in" if negate else "in"
        if kind == "prop":
            text = f"{prop.namespace}{sep}{prop.feature}{sep}{prop.value}"
            return f"'{text}' {op} variant_properties", (
                "set",
                "variant_properties",
                str(prop),
                negate,
            )
        if kind == "feat":
            text = f"{prop.namespace}{sep}{prop.feature}"
            member = f"{prop.namespace} :: {prop.feature}"
            return f"'{text}' {op} variant_features", ("set", "variant_features", member, negate)
        if kind == "ns":
            return f"'{prop.namespace}' {op} variant_namespaces", (
                "set",
                "variant_namespaces",
                prop.namespace,
                negate,
            )
        if kind == "label":
            value = draw(st.sampled_from([label, "null", "x", ""]))
            cmp = draw(st.sampled_from(["==", "!="]))
            return f"variant_label {cmp} '{value}'", ("label", cmp, value)
        version = draw(st.sampled_from(["3.0", "3.99"]))
        text = f"python_version >= '{version}'"
        return text, ("packaging", text)

    def tree(depth: int) -> tuple[str, Any]:
        if depth == 0 or draw(st.booleans()):
            return atom()
        left, right = tree(depth - 1), tree(depth - 1)
        joiner = draw(st.sampled_from(["and", "or"]))
        return f"({left[0]} {joiner} {right[0]})", (joiner, left[1], right[1])

    return tree(2)


def _expected(node: Any, env: dict[str, Any]) -> bool:
    kind = node[0]
    if kind in {"and", "or"}:
        left, right = _expected(node[1], env), _expected(node[2], env)
        return (left and right) if kind == "and" else (left or right)
    if kind == "set":
        found = bool(node[2] in env[node[1]])
        return not found if node[3] else found
    if kind == "label":
        return bool(env["variant_label"] == node[2]) is (node[1] == "==")
    return Marker(node[1]).evaluate()


@settings(max_examples=150, deadline=None)
@given(data=st.data(), case=cases())
def test_markers_equal_variantlibs_environment_with_packaging(
    data: st.DataObject, case: dict[str, Any]
) -> None:
    variants = case["json"]["variants"]
    metadata = parse_variant_metadata(case["json"], "test")
    compatible = [c.label for c in order_labels(metadata, ()) if c.rank is not None]
    label = data.draw(st.sampled_from(compatible))  # markers are read for a chosen wheel only
    declared = [
        VariantProperty(ns, feat, value)
        for ns, feats in variants.get(label, {}).items()
        for feat, values in feats.items()
        for value in values
    ]
    desc = variantlib_api.VariantDescription(
        properties=[
            variantlib_api.VariantProperty(p.namespace, p.feature, p.value) for p in declared
        ],
        label=label,
    )
    filtered = variantlib_api.check_variant_supported(
        vdesc=desc, variant_info=VariantsJson(case["json"])
    )
    assert filtered is not None  # graft and variantlib agree it is compatible
    reference = variantlib_api.get_variant_environment_dict(filtered)
    supported = frozenset(
        VariantProperty(ns, feat, value)
        for ns, provider in case["json"]["providers"].items()
        for feat, values in provider.get("static-properties", {}).items()
        for value in values
    )
    env = VariantEnvironment.of(label, frozenset(declared), supported)
    text, tree = data.draw(markers(declared, label))
    assert evaluate(text, env) == _expected(tree, reference), text


def test_a_non_variant_wheels_markers_see_an_empty_label_and_empty_sets() -> None:
    env = VariantEnvironment.of(None, frozenset(), frozenset())
    assert evaluate("variant_label == ''", env)
    assert not evaluate("'aa' in variant_namespaces", env)
    assert evaluate("'aa :: f1' not in variant_features and python_version >= '3'", env)
