"""Variant markers (PEP 825) in Requires-Dist, over packaging's marker evaluation."""

from __future__ import annotations

import pytest
from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement

from graft.model.variants import VariantProperty
from graft.variants.markers import VariantEnvironment, evaluate, requirement, substitute

SM120 = VariantProperty("nvidia", "sm_arch", "120_real")
SM100 = VariantProperty("nvidia", "sm_arch", "100_real")
CUDA = VariantProperty("nvidia", "cuda_version_lower_bound", "12.8")
# a fat wheel for 100 and 120; the machine's GPU runs 100 only
FAT = VariantEnvironment.of("fat", frozenset({SM120, SM100, CUDA}), frozenset({SM100, CUDA}))


def test_properties_are_the_wheels_intersected_with_the_machines() -> None:
    assert FAT.properties == {SM100, CUDA}
    assert evaluate("'nvidia :: sm_arch :: 100_real' in variant_properties", FAT)
    # declared by the wheel, not supported here: PEP 825 filters it out
    assert not evaluate("'nvidia :: sm_arch :: 120_real' in variant_properties", FAT)
    assert evaluate("'nvidia::sm_arch::120_real' not in variant_properties", FAT)


def test_features_namespaces_and_the_label() -> None:
    assert evaluate("'nvidia :: sm_arch' in variant_features", FAT)
    assert evaluate("'nvidia' in variant_namespaces and variant_label == 'fat'", FAT)
    assert evaluate("'x86_64' not in variant_namespaces", FAT)
    assert evaluate("'fa' in variant_label", FAT)  # packaging's string containment


def test_variant_clauses_mix_with_packagings_own() -> None:
    marker = "python_version < '3' or ('nvidia' in variant_namespaces and os_name == 'posix')"
    assert evaluate(marker, FAT, {"python_version": "3.12", "os_name": "posix"})
    assert not evaluate(marker, FAT, {"python_version": "3.12", "os_name": "nt"})


def test_the_null_variant_and_a_non_variant_wheel_differ_only_by_label() -> None:
    null = VariantEnvironment.of("null", frozenset(), frozenset({CUDA}))
    plain = VariantEnvironment.of(None, frozenset(), frozenset({CUDA}))
    assert evaluate("variant_label == 'null'", null)
    assert evaluate("variant_label == ''", plain)
    for env in (null, plain):
        assert not evaluate("'nvidia' in variant_namespaces", env)


@pytest.mark.parametrize(
    "marker",
    [
        "variant_properties == 'a :: b :: c'",
        "variant_properties in 'a'",
        "variant_label == variant_features",
        "variant_namespaces",
    ],
)
def test_a_misused_variant_marker_is_invalid(marker: str) -> None:
    with pytest.raises(InvalidMarker):
        substitute(marker, FAT)


def test_a_requirement_keeps_its_specifier_and_url() -> None:
    req = requirement("fast-gemm>=1; 'nvidia :: sm_arch :: 100_real' in variant_properties", FAT)
    assert (req.name, str(req.specifier)) == ("fast-gemm", ">=1")
    assert req.marker is not None
    assert req.marker.evaluate()
    url = requirement(
        "demo @ https://x.test/a;b/demo.whl ; 'nvidia::sm_arch::120_real' in variant_properties",
        FAT,
    )
    assert url.url == "https://x.test/a;b/demo.whl"
    assert url.marker is not None
    assert not url.marker.evaluate()
    assert str(requirement("plain>=1; python_version >= '3'", FAT).marker) == (
        'python_version >= "3"'
    )


def test_a_requirement_with_a_misused_marker_is_invalid() -> None:
    with pytest.raises(InvalidRequirement):
        requirement("x; variant_properties == 'a'", FAT)
