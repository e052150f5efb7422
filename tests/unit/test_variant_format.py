"""Variant filenames (PEP 825 labels), variant metadata by $schema, consistency, the record."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from packaging.utils import parse_wheel_filename as packaging_parse

from graft.errors import VariantError
from graft.model.record import record_from_json
from graft.model.variants import (
    VariantProperty,
    load_variant_metadata,
    merge,
    parse_variant_metadata,
)
from graft.model.wheelname import InvalidWheelFilename, parse_wheel_filename
from tests.unit.records import wheel

PEP825 = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
V020 = "https://variants-schema.wheelnext.dev/v0.2.0.json"
PEP850 = "https://variants-schema.wheelnext.dev/peps/850/v0.2.0.json"


@pytest.mark.parametrize(
    ("filename", "build", "label"),
    [
        ("numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64-x86_64_v3.whl", (), "x86_64_v3"),
        ("demo-1.0-py3-none-any-null.whl", (), "null"),
        ("demo-1.0-1-py3-none-any-cu12.8.whl", (1, ""), "cu12.8"),
        ("demo-1.0-1-py3-none-any.whl", (1, ""), None),
        ("demo-1.0-py3-none-any.whl", (), None),
    ],
)
def test_a_label_is_told_from_a_build_tag_by_the_third_part(
    filename: str, build: tuple[int, str], label: str | None
) -> None:
    parsed = parse_wheel_filename(filename)
    assert (parsed.build, parsed.variant) == (build, label)
    assert str(parsed.name) in {"numpy", "demo"}


def test_packaging_refuses_what_the_helper_reads() -> None:
    with pytest.raises(InvalidWheelFilename):
        packaging_parse("demo-1.0-py3-none-any-x86_64_v3.whl")
    assert parse_wheel_filename("demo-1.0-py3-none-any-x86_64_v3.whl").variant == "x86_64_v3"


@pytest.mark.parametrize(
    "filename",
    [
        "demo-1.0-py3-none-any-X86.whl",  # uppercase
        "demo-1.0-1-py3-none-any-a+b.whl",
        "demo-1.0-1-2-py3-none-any-x.whl",  # eight parts
        "demo-1.0-py3-none-any-.whl",
    ],
)
def test_a_bad_label_or_shape_is_an_invalid_filename(filename: str) -> None:
    with pytest.raises(InvalidWheelFilename):
        parse_wheel_filename(filename)


def _doc(schema: str = PEP825, **extra: Any) -> dict[str, Any]:
    return {
        "$schema": schema,
        "default-priorities": {"namespace": ["nvidia", "x86_64"]},
        "variants": {
            "cu128": {"nvidia": {"cuda_version_lower_bound": ["12.8"]}},
            "cu128v3": {
                "nvidia": {"cuda_version_lower_bound": ["12.8"]},
                "x86_64": {"level": ["v3"]},
            },
            "null": {},
        },
        **extra,
    }


@pytest.mark.parametrize(
    "schema",
    [
        PEP825,
        "https://variants-schema.wheelnext.dev/peps/825/v0.1.7.json",  # a newer patch
        V020,
        PEP850,
        "https://variants-schema.wheelnext.dev/v0.5.0.json",  # a newer draft minor
        "https://packaging.python.org/specifications/variants/v1.3.0.json",  # newer minor of 1
    ],
)
def test_known_schemas_and_newer_minors_are_read(schema: str) -> None:
    metadata = parse_variant_metadata(_doc(schema), "demo-1.0-variants.json")
    assert metadata.namespaces == ("nvidia", "x86_64")
    assert metadata.variants["cu128v3"] == {
        VariantProperty("nvidia", "cuda_version_lower_bound", "12.8"),
        VariantProperty("x86_64", "level", "v3"),
    }
    assert metadata.variants["null"] == frozenset()


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("https://variants-schema.wheelnext.dev/v2.0.0.json", "schema 2.0.0 is not supported"),
        ("https://variants-schema.wheelnext.dev/v0.0.3.json", "withdrawn draft"),
        ("not a url", "no usable $schema"),
        (None, "no usable $schema"),
    ],
)
def test_an_unknown_schema_is_refused_in_one_line(schema: object, message: str) -> None:
    doc = _doc()
    doc["$schema"] = schema
    with pytest.raises(VariantError, match="schema") as caught:
        parse_variant_metadata(doc, "demo-1.0-variants.json")
    assert message in str(caught.value)
    assert "demo-1.0-variants.json" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_providers_are_read_from_schema_0_2_only() -> None:
    providers = {"x86_64": {"static-properties": {"level": ["v3", "v2"]}}}
    assert parse_variant_metadata(_doc(PEP825, providers=providers), "w").providers == {}
    read = parse_variant_metadata(_doc(V020, providers=providers), "w").providers
    assert read["x86_64"].static_properties == (("level", ("v3", "v2")),)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["variants"].update({"Bad": {}}), "not a valid variant label"),
        (lambda d: d["variants"].update({"empty": {}}), "only the label 'null'"),
        (lambda d: d["variants"].update({"null": {"nvidia": {"x": ["1"]}}}), "only the label"),
        (lambda d: d["default-priorities"].update({"namespace": ["nvidia"]}), "lacks x86_64"),
        (lambda d: d["variants"]["cu128"]["nvidia"].update({"f": []}), "non-empty list"),
        (lambda d: d["variants"]["cu128"]["nvidia"].update({"f": ["A"]}), "not a valid name"),
        (lambda d: d.update({"variants": []}), "must be a JSON object"),
    ],
)
def test_malformed_metadata_is_refused(change: Any, message: str) -> None:
    doc = _doc()
    change(doc)
    with pytest.raises(VariantError, match=message):
        parse_variant_metadata(doc, "w")


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(VariantError, match="not JSON"):
        load_variant_metadata(b"{", "w")


def _one(label: str, props: dict[str, dict[str, list[str]]], namespaces: list[str]) -> Any:
    doc = {"$schema": PEP825, "default-priorities": {"namespace": namespaces}}
    return parse_variant_metadata({**doc, "variants": {label: props}}, label)


def test_wheels_merge_when_consistent() -> None:
    a = _one("a", {"x": {"f": ["1"]}}, ["x"])
    b = _one("b", {"y": {"g": ["2"]}}, ["x", "y"])
    merged = merge([a, b, a], "dir")
    assert merged.namespaces == ("x", "y")
    assert set(merged.variants) == {"a", "b"}


def test_a_label_with_two_property_sets_is_inconsistent() -> None:
    a = _one("a", {"x": {"f": ["1"]}}, ["x"])
    other = _one("a", {"x": {"f": ["2"]}}, ["x"])
    with pytest.raises(VariantError, match="label 'a' has two property sets"):
        merge([a, other], "dir")


def test_namespace_priorities_must_extend_one_another() -> None:
    a = _one("a", {"x": {"f": ["1"]}}, ["x", "y"])
    b = _one("b", {"y": {"f": ["1"]}}, ["y", "x"])
    with pytest.raises(VariantError, match="inconsistent namespace priorities"):
        merge([a, b], "dir")


def test_a_variant_record_round_trips_and_an_old_record_stays_readable() -> None:
    plain = wheel("demo", {"demo/__init__.py": ""}).record
    assert "variant" not in json.loads(plain.to_json())  # non-variant records are unchanged
    assert record_from_json(plain.to_json()).variant_label is None
    labelled = replace(plain, variant_label="v3", variant_properties=("x86_64 :: level :: v3",))
    again = record_from_json(labelled.to_json())
    assert (again.variant_label, again.variant_properties) == ("v3", ("x86_64 :: level :: v3",))


def test_property_text_allows_any_spacing_around_the_separators() -> None:
    assert VariantProperty.parse("a::b ::  c.1") == VariantProperty("a", "b", "c.1")
    assert str(VariantProperty("a", "b", "c")) == "a :: b :: c"
    with pytest.raises(ValueError, match="not a variant property"):
        VariantProperty.parse("a :: B :: c")


def test_a_wheel_agrees_with_the_release_metadata_or_not() -> None:
    from graft.model.variants import agrees

    metadata = parse_variant_metadata(_doc(), "w")
    assert agrees(metadata, "cu128", ["nvidia :: cuda_version_lower_bound :: 12.8"])
    assert not agrees(metadata, "cu128", ["nvidia :: cuda_version_lower_bound :: 12.6"])
    assert not agrees(metadata, "other", [])
    assert agrees(metadata, "null", [])


def test_an_ahead_of_time_provider_is_its_static_properties_and_runs_no_plugin() -> None:
    """PEP 817's ``install-time = false`` is schema 0.2's ``build-requires``: the plugin ran
    at build time and its answer is ``static-properties``; ``enable-if`` and ``install-time``
    are not keys of the schemas graft reads and are ignored (decision 43)."""
    from graft.variants.plugins import plugin_spec
    from graft.variants.select import order_labels

    provider = {
        "build-requires": ["nvidia-provider"],
        "static-properties": {"cuda_version_lower_bound": ["12.8"]},
        "install-time": False,
        "enable-if": "sys_platform == 'win32'",  # not a key of schema 0.2: no effect
    }
    metadata = parse_variant_metadata(_doc(V020, providers={"nvidia": provider}), "w")
    read = metadata.providers["nvidia"]
    assert plugin_spec("nvidia", read) is None  # nothing to install or run
    assert read.static_properties == (("cuda_version_lower_bound", ("12.8",)),)
    compatible = [c.label for c in order_labels(metadata, []) if c.rank is not None]
    assert compatible == ["cu128", "null"]  # compatible everywhere, by its static properties
