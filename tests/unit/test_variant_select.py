"""PEP 825's ordering on hand-made releases: compatibility, priorities, null and non-variant."""

from __future__ import annotations

from typing import Any

from graft.model.variants import parse_variant_metadata
from graft.variants.select import (
    Mode,
    Priorities,
    SupportedFeature,
    order_labels,
    order_release,
    ranked_files,
)

SCHEMA = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
V020 = "https://variants-schema.wheelnext.dev/v0.2.0.json"


def _metadata(variants: dict[str, Any], namespaces: list[str], **extra: Any) -> Any:
    doc = {"$schema": extra.pop("schema", SCHEMA), "default-priorities": {"namespace": namespaces}}
    return parse_variant_metadata({**doc, "variants": variants, **extra}, "test")


CUDA = SupportedFeature("nvidia", "cuda_version_lower_bound", ("12.8", "12.6", "12.0"), "test")
LEVEL = SupportedFeature("x86_64", "level", ("v3", "v2", "v1"), "test")
TORCH = _metadata(
    {
        "cu126": {"nvidia": {"cuda_version_lower_bound": ["12.6"]}},
        "cu128": {"nvidia": {"cuda_version_lower_bound": ["12.8"]}},
        "cu129": {"nvidia": {"cuda_version_lower_bound": ["12.9"]}},
        "cu126v3": {
            "nvidia": {"cuda_version_lower_bound": ["12.6"]},
            "x86_64": {"level": ["v3"]},
        },
        "v4": {"x86_64": {"level": ["v4"]}},
        "v2": {"x86_64": {"level": ["v2"]}},
        "null": {},
    },
    ["nvidia", "x86_64"],
)


def _labels(metadata: Any, machine: tuple[SupportedFeature, ...], **kw: Any) -> list[str]:
    return [c.label for c in order_labels(metadata, machine, **kw) if c.rank is not None]


def test_namespace_then_value_priority_and_more_keys_win_on_a_prefix() -> None:
    # nvidia outranks x86_64; 12.8 beats 12.6; cu126v3 has cu126's key and one more
    assert _labels(TORCH, (CUDA, LEVEL)) == ["cu128", "cu126v3", "cu126", "v2", "null"]


def test_incompatible_labels_follow_with_the_feature_the_machine_lacks() -> None:
    choices = order_labels(TORCH, (LEVEL,))
    assert [c.label for c in choices if c.rank is not None] == ["v2", "null"]
    why = {c.label: c.why for c in choices if c.rank is None}
    assert why["cu129"] == (
        "the machine supports no value of nvidia :: cuda_version_lower_bound (12.9)"
    )
    assert why["v4"] == "the machine supports no value of x86_64 :: level (v4)"


def test_the_null_variant_is_compatible_without_any_support() -> None:
    assert _labels(TORCH, ()) == ["null"]


def test_any_value_of_a_multi_value_feature_makes_it_compatible_and_the_best_ranks() -> None:
    sm = SupportedFeature("nvidia", "sm_arch", ("120_real", "100_real"), "test")
    meta = _metadata(
        {
            "fat": {"nvidia": {"sm_arch": ["100_real", "110_real", "120_real"]}},
            "old": {"nvidia": {"sm_arch": ["100_real"]}},
            "new": {"nvidia": {"sm_arch": ["130_real"]}},
        },
        ["nvidia"],
    )
    choices = order_labels(meta, (sm,))
    assert [c.label for c in choices if c.rank is not None] == ["fat", "old", "null"]
    assert choices[0].supported == (
        "nvidia :: sm_arch :: 100_real",
        "nvidia :: sm_arch :: 120_real",
    )


def test_equal_ranks_fall_back_to_the_label() -> None:
    meta = _metadata(
        {"b": {"x86_64": {"level": ["v2"]}}, "a": {"x86_64": {"level": ["v2"]}}}, ["x86_64"]
    )
    assert _labels(meta, (LEVEL,)) == ["a", "b", "null"]


def test_user_priorities_come_before_the_packages() -> None:
    # x86_64 first, and v2 before the machine's own v3
    mine = Priorities(namespaces=("x86_64",), properties={("x86_64", "level"): ("v2",)})
    assert _labels(TORCH, (CUDA, LEVEL), priorities=mine) == [
        "v2",
        "cu126v3",
        "cu128",
        "cu126",
        "null",
    ]


def test_a_providers_static_properties_make_its_namespace_supported() -> None:
    meta = _metadata(
        {"mkl": {"blas": {"flavor": ["mkl"]}}, "ob": {"blas": {"flavor": ["openblas"]}}},
        ["blas"],
        schema=V020,
        providers={"blas": {"static-properties": {"flavor": ["openblas", "mkl"]}}},
    )
    assert _labels(meta, ()) == ["ob", "mkl", "null"]
    # the machine's own answer for the namespace wins over the package's
    mine = SupportedFeature("blas", "flavor", ("mkl",), "test")
    assert _labels(meta, (mine,)) == ["mkl", "null"]


def test_a_plugin_namespace_stays_unsupported() -> None:
    meta = _metadata(
        {"gpu": {"vendor": {"kind": ["a"]}}},
        ["vendor"],
        schema=V020,
        providers={"vendor": {"requires": ["provider-vendor"]}},
    )
    assert _labels(meta, ()) == ["null"]


FILES = [
    "torch-2.9-cp313-cp313-manylinux_2_28_x86_64-cu128.whl",
    "torch-2.9-cp313-cp313-linux_x86_64-cu128.whl",
    "torch-2.9-cp313-cp313-manylinux_2_28_x86_64-cu126.whl",
    "torch-2.9-cp313-cp313-manylinux_2_28_x86_64-cu129.whl",
    "torch-2.9-cp313-cp313-manylinux_2_28_x86_64-null.whl",
    "torch-2.9-cp313-cp313-manylinux_2_28_x86_64-unknown.whl",
    "torch-2.9-cp313-cp313-manylinux_2_28_x86_64.whl",
]
TAGS = {"cp313-cp313-manylinux_2_28_x86_64": 0, "cp313-cp313-linux_x86_64": 1}


def test_a_release_orders_variant_groups_then_tags_non_variant_last() -> None:
    order = order_release(FILES, TORCH, (CUDA, LEVEL))
    assert ranked_files(order, TAGS) == (
        "torch-2.9-cp313-cp313-manylinux_2_28_x86_64-cu128.whl",
        "torch-2.9-cp313-cp313-linux_x86_64-cu128.whl",
        "torch-2.9-cp313-cp313-manylinux_2_28_x86_64-cu126.whl",
        "torch-2.9-cp313-cp313-manylinux_2_28_x86_64-null.whl",
        "torch-2.9-cp313-cp313-manylinux_2_28_x86_64.whl",
    )
    assert order.left_out == {
        "torch-2.9-cp313-cp313-manylinux_2_28_x86_64-cu129.whl": (
            "the machine supports no value of nvidia :: cuda_version_lower_bound (12.9)"
        ),
        "torch-2.9-cp313-cp313-manylinux_2_28_x86_64-unknown.whl": (
            "label 'unknown' is not in the variant metadata"
        ),
    }
    assert order.explain()[0] == "cu128: #1 (nvidia :: cuda_version_lower_bound :: 12.8)"


def test_no_variants_chooses_as_a_variant_unaware_installer() -> None:
    order = order_release(FILES, TORCH, (CUDA, LEVEL), mode=Mode.NONE)
    assert ranked_files(order, TAGS) == ("torch-2.9-cp313-cp313-manylinux_2_28_x86_64.whl",)
    assert set(order.left_out.values()) == {"a variant wheel (--no-variants)"}


def test_without_usable_metadata_the_variant_wheels_are_left_out() -> None:
    order = order_release(FILES, None, (CUDA, LEVEL))
    assert ranked_files(order, TAGS) == ("torch-2.9-cp313-cp313-manylinux_2_28_x86_64.whl",)
    assert len(order.left_out) == len(FILES) - 1


def test_a_file_with_no_accepted_tag_is_not_ranked() -> None:
    order = order_release(FILES, TORCH, (CUDA,))
    assert ranked_files(order, {"py3-none-any": 0}) == ()


def test_the_explanation_as_json() -> None:
    order = order_release(FILES[:3], TORCH, (CUDA,))
    data = order.to_json()
    assert data["ranks"] == {FILES[0]: 0, FILES[1]: 0, FILES[2]: 1}
    labels = {item["label"]: item for item in data["labels"]}  # type: ignore[attr-defined]
    assert labels["cu128"]["compatible"] is True
    assert labels["v2"]["why"] == "the machine supports no value of x86_64 :: level (v2)"
