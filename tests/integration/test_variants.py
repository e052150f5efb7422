"""Variant wheels made here, in a find-links directory: ingest, inspect, the choice per machine."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from graft.model.record import record_from_json
from graft.model.variants import VariantProperty
from graft.store.entries import Store
from graft.variants.markers import VariantEnvironment, requirement
from graft.variants.select import SupportedFeature
from tests.conftest import run_graft
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
NAMESPACES = ["cpu", "gpu"]
LABELS: dict[str, dict[str, dict[str, list[str]]]] = {
    "v2": {"cpu": {"level": ["v2"]}},
    "v3": {"cpu": {"level": ["v3"]}},
    "sm": {"gpu": {"sm_arch": ["100_real", "120_real"]}},
    "null": {},
}


def _variant_json(variants: dict[str, Any], namespaces: list[str] = NAMESPACES) -> str:
    doc = {"$schema": SCHEMA, "default-priorities": {"namespace": namespaces}}
    return json.dumps({**doc, "variants": variants})


def variant_wheel(
    directory: Path,
    label: str,
    *,
    namespaces: list[str] = NAMESPACES,
    requires: tuple[str, ...] = (),
    variant_json: str | None = None,
) -> Path:
    """``demo-1.0-py3-none-any-<label>.whl`` whose module says which variant it is."""
    text = variant_json or _variant_json({label: LABELS[label]}, namespaces)
    return make_wheel(
        directory,
        "demo",
        "1.0",
        {"demo.py": f"LABEL = {label!r}\n", "demo-1.0.dist-info/variant.json": text},
        requires=requires,
        filename=f"demo-1.0-py3-none-any-{label}.whl",
    )


@pytest.fixture
def release(wheels: Path) -> Path:
    """Every variant of demo 1.0, and a non-variant wheel for variant-unaware installers."""
    for label in LABELS:
        variant_wheel(wheels, label)
    make_wheel(wheels, "demo", "1.0", {"demo.py": "LABEL = 'plain'\n"})
    return wheels


def test_variant_wheels_are_store_entries_whose_records_carry_label_and_properties(
    release: Path, store_dir: Path
) -> None:
    store = Store(str(store_dir))
    entry = store.ingest(str(release / "demo-1.0-py3-none-any-sm.whl"))
    assert entry.record.variant_label == "sm"
    assert entry.record.variant_properties == (
        "gpu :: sm_arch :: 100_real",
        "gpu :: sm_arch :: 120_real",
    )
    with open(f"{entry.path}/record.json", encoding="utf-8") as fh:
        kept = record_from_json(fh.read())
    assert kept.variant_label == "sm"
    plain = store.ingest(str(release / "demo-1.0-py3-none-any.whl"))
    assert plain.record.variant_label is None


def test_inspect_shows_the_label_and_properties(release: Path) -> None:
    out = run_graft("inspect", release / "demo-1.0-py3-none-any-v3.whl").stdout
    assert "variant_label    v3" in out
    assert "variant          cpu :: level :: v3" in out
    null = run_graft("inspect", release / "demo-1.0-py3-none-any-null.whl").stdout
    assert "variant          - (the null variant)" in null
    as_json = json.loads(
        run_graft("inspect", "--json", release / "demo-1.0-py3-none-any-v2.whl").stdout
    )
    assert as_json["variant"] == {"label": "v2", "properties": ["cpu :: level :: v2"]}


def _chosen(directory: Path, *args: str) -> dict[str, Any]:
    out = run_graft("variants", "--json", "--no-detect", "--find-links", directory, *args).stdout
    (release,) = json.loads(out)["releases"]
    return dict(release)


@pytest.mark.parametrize("index_file", [False, True], ids=["merged-from-wheels", "variants-json"])
@pytest.mark.parametrize(
    ("properties", "chosen"),
    [
        (["cpu :: level :: v3", "cpu :: level :: v2"], "demo-1.0-py3-none-any-v3.whl"),
        (["cpu :: level :: v2"], "demo-1.0-py3-none-any-v2.whl"),
        # cpu comes first in the package's namespace priorities
        (["gpu :: sm_arch :: 120_real", "cpu :: level :: v2"], "demo-1.0-py3-none-any-v2.whl"),
        (["gpu :: sm_arch :: 120_real", "cpu :: level :: v1"], "demo-1.0-py3-none-any-sm.whl"),
        ([], "demo-1.0-py3-none-any-null.whl"),  # the null variant before the non-variant wheel
    ],
)
def test_the_chosen_wheel_per_static_configuration(
    release: Path, properties: list[str], chosen: str, index_file: bool
) -> None:
    if index_file:
        (release / "demo-1.0-variants.json").write_text(_variant_json(LABELS))
    args = [a for p in properties for a in ("--variant-property", p)]
    result = _chosen(release, *args)
    assert result["chosen"] == chosen
    assert result["metadata"] == (
        str(release / "demo-1.0-variants.json") if index_file else "merged from its wheels"
    )
    assert result["candidates"][-1] == "demo-1.0-py3-none-any.whl"  # non-variant last


def test_a_variants_toml_describes_a_machine(release: Path, tmp_path: Path) -> None:
    config = tmp_path / "variants.toml"
    config.write_text('[static-properties.cpu]\nlevel = ["v3", "v2", "v1"]\n')
    assert _chosen(release, "--variants-config", str(config))["chosen"].endswith("-v3.whl")


def test_no_variants_chooses_the_non_variant_wheel(release: Path) -> None:
    result = _chosen(release, "--variant-property", "cpu :: level :: v3", "--no-variants")
    assert result["chosen"] == "demo-1.0-py3-none-any.whl"


def test_an_unsupported_schema_is_one_line_naming_the_file(release: Path) -> None:
    path = release / "demo-1.0-variants.json"
    path.write_text(
        json.dumps(
            {**json.loads(_variant_json(LABELS)), "$schema": SCHEMA.replace("v0.1.1", "v7.0.0")}
        )
    )
    proc = run_graft("variants", "--no-detect", "--find-links", release, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"graft: error: {path}: variant metadata schema 7.0.0 is not supported (ask the"
        " publisher for variant metadata of a schema graft reads (0.1, 0.2 or 1.x))"
    )


def test_inconsistent_metadata_ignores_the_variants_with_a_warning(wheels: Path) -> None:
    variant_wheel(wheels, "v2", namespaces=["cpu", "gpu"])
    variant_wheel(wheels, "sm", namespaces=["gpu", "cpu"])  # priorities that contradict
    make_wheel(wheels, "demo", "1.0", {"demo.py": "LABEL = 'plain'\n"})
    result = _chosen(wheels, "--variant-property", "cpu :: level :: v2")
    assert "inconsistent namespace priorities" in result["warning"]
    assert result["chosen"] == "demo-1.0-py3-none-any.whl"


def test_a_variant_wheel_without_variant_json_is_refused(wheels: Path) -> None:
    bad = make_wheel(
        wheels, "demo", "1.0", {"demo.py": ""}, filename="demo-1.0-py3-none-any-v3.whl"
    )
    proc = run_graft("inspect", bad, check=False)
    assert proc.returncode == 1
    assert "a variant wheel without demo-1.0.dist-info/variant.json" in proc.stderr


def test_a_variant_wheel_given_by_path_installs(
    release: Path, tmp_path: Path, store_dir: Path
) -> None:
    venv = tmp_path / "v"
    wheel = release / "demo-1.0-py3-none-any-v3.whl"
    run_graft("sync", venv, wheel, "--store", store_dir, "--no-deps", "-q")
    assert py(venv, "import demo; print(demo.LABEL)") == "v3"


def test_a_variant_marker_pulls_a_dependency_only_when_the_property_is_supported(
    wheels: Path, store_dir: Path
) -> None:
    marker = "'gpu :: sm_arch :: 120_real' in variant_properties"
    wheel = variant_wheel(wheels, "sm", requires=(f"fast-gemm>=1; {marker}",))
    record = Store(str(store_dir)).ingest(str(wheel)).record
    declared = frozenset(VariantProperty.parse(p) for p in record.variant_properties)
    for values, wanted in ((("120_real", "100_real"), True), (("100_real",), False)):
        machine = SupportedFeature("gpu", "sm_arch", values, "test")
        supported = frozenset(VariantProperty("gpu", "sm_arch", v) for v in machine.values)
        env = VariantEnvironment.of(record.variant_label, declared, supported)
        (req,) = (requirement(text, env) for text in record.requires_dist)
        assert req.name == "fast-gemm"
        assert req.marker is not None
        assert req.marker.evaluate() is wanted


def test_a_release_without_variants_says_so(wheels: Path) -> None:
    make_wheel(wheels, "plain", "1.0", {"plain.py": ""})
    out = run_graft("variants", "--no-detect", "--find-links", wheels).stdout
    assert "plain 1.0: no variant metadata (no variant wheels)" in out.splitlines()
    assert _chosen(wheels)["metadata"] is None
