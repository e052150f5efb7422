"""What the machine supports: CPU and CUDA detection from text, variants.toml, the layering."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from graft.errors import UsageError, VariantError
from graft.variants import machine as machine_mod
from graft.variants.machine import (
    cpu_features,
    cuda_features,
    load_config,
    machine,
    x86_64_levels,
)
from graft.variants.select import SupportedFeature

if TYPE_CHECKING:
    from pathlib import Path

V2 = "cx16 lahf_lm popcnt sse4_1 sse4_2 ssse3"
V3 = f"{V2} avx avx2 bmi1 bmi2 f16c fma abm movbe xsave"
V4 = f"{V3} avx512f avx512bw avx512cd avx512dq avx512vl"


@pytest.mark.parametrize(
    ("flags", "levels"),
    [
        ("fpu sse sse2", ("v1",)),
        (V2, ("v2", "v1")),
        (V3, ("v3", "v2", "v1")),
        (V4, ("v4", "v3", "v2", "v1")),
        (f"{V2} avx512f avx512bw avx512cd avx512dq avx512vl", ("v2", "v1")),  # no v3: no v4
    ],
)
def test_x86_64_levels_from_cpu_flags(flags: str, levels: tuple[str, ...]) -> None:
    assert x86_64_levels(flags.split()) == levels


def test_cpuinfo_per_architecture() -> None:
    x86 = f"processor\t: 0\nflags\t\t: {V3}\n\nprocessor\t: 1\nflags\t\t: {V3}\n"
    assert cpu_features(x86, "x86_64") == (
        SupportedFeature("x86_64", "level", ("v3", "v2", "v1"), "builtin: /proc/cpuinfo"),
    )
    arm = "processor\t: 0\nFeatures\t: fp asimd sve2 sve Bad-flag\n"
    found = cpu_features(arm, "aarch64")
    assert [(f.namespace, f.feature, f.values) for f in found] == [
        ("aarch64", "asimd", ("on",)),
        ("aarch64", "fp", ("on",)),
        ("aarch64", "sve", ("on",)),
        ("aarch64", "sve2", ("on",)),
    ]
    assert cpu_features("", "riscv64") == ()


def test_cuda_driver_versions_down_to_the_majors_first_minor() -> None:
    (feat,) = cuda_features(12080, "test")
    assert feat.values == ("12.8", "12.7", "12.6", "12.5", "12.4", "12.3", "12.2", "12.1", "12.0")
    assert cuda_features(None, "test") == ()


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "variants.toml"
    path.write_text(text)
    return str(path)


def test_variants_toml_in_variantlibs_shape_with_static_properties(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        'namespace_priorities = ["nvidia"]\n'
        '[feature_priorities]\nnvidia = ["sm_arch"]\n'
        '[property_priorities.x86_64]\nlevel = ["v2"]\n'
        '[static-properties.nvidia]\nsm_arch = ["120_real", "100_real"]\n',
    )
    priorities, static, allowed = load_config(path)
    assert allowed == ()
    assert priorities.namespaces == ("nvidia",)
    assert priorities.features == {"nvidia": ("sm_arch",)}
    assert priorities.properties == {("x86_64", "level"): ("v2",)}
    assert static == [
        SupportedFeature("nvidia", "sm_arch", ("120_real", "100_real"), f"static: {path}")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1\n", "unknown keys"),
        ("namespace_priorities = 1\n", "must be a list of strings"),
        ('[static-properties.nvidia]\nsm = ["A"]\n', "not a variant property"),
        ("[[oops\n", "not valid TOML"),
    ],
)
def test_a_bad_variants_toml_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(VariantError, match=message):
        load_config(_config(tmp_path, text))


def test_the_command_line_then_the_file_then_detection_answer_per_namespace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    detected = (
        SupportedFeature("x86_64", "level", ("v3", "v2", "v1"), "builtin"),
        SupportedFeature("nvidia", "cuda_version_lower_bound", ("12.8",), "builtin"),
    )
    monkeypatch.setattr(machine_mod, "detect", lambda: detected)
    path = _config(tmp_path, '[static-properties.x86_64]\nlevel = ["v1"]\n')
    found = machine(
        properties=["nvidia :: cuda_version_lower_bound :: 12.6", "blas::flavor::mkl"],
        config=path,
    )
    assert {(f.namespace, f.values, f.source) for f in found.features} == {
        ("nvidia", ("12.6",), "--variant-property"),
        ("blas", ("mkl",), "--variant-property"),
        ("x86_64", ("v1",), f"static: {path}"),
    }
    assert found.config == path
    assert machine(builtin=False, config=path).features[0].values == ("v1",)


def test_the_environment_names_the_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _config(tmp_path, '[static-properties.x]\nf = ["1"]\n')
    monkeypatch.setenv("GRAFT_VARIANTS_CONFIG", path)
    assert machine(builtin=False).config == path


def test_plugins_are_allowed_by_namespace_from_the_command_line_and_the_file(
    tmp_path: Path,
) -> None:
    path = _config(tmp_path, 'allow-providers = ["acme", "vendor"]\n')
    found = machine(allow_providers=["vendor", "fictional"], config=path, builtin=False)
    assert found.allowed == ("vendor", "fictional", "acme")
    assert found.features == ()  # allowing runs nothing by itself
    assert machine(builtin=False).allowed == ()
    with pytest.raises(VariantError, match="'Acme' is not a variant namespace"):
        machine(config=_config(tmp_path, 'allow-providers = ["Acme"]\n'), builtin=False)


def test_bad_namespaces_and_bad_properties_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="'a b' is not a variant namespace"):
        machine(allow_providers=["a b"], builtin=False)
    with pytest.raises(UsageError, match="not a variant property"):
        machine(properties=["just text"], builtin=False)
