"""The variant choice wired into screening, surfaces and the completeness check (no network)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from graft.model.variants import PluginAnswer, Provider
from graft.resolve.artifacts import ArtifactFile
from graft.resolve.chosen_variants import disagreements, explain
from graft.resolve.deps import unmet_requirements
from graft.resolve.fetched import Fetched
from graft.resolve.first_offered import first_offered
from graft.resolve.policy import Policy
from graft.resolve.screen import Reject, screen
from graft.resolve.surface import read_surface
from graft.resolve.variants import VariantChooser, VariantOptions
from graft.sources.requirements import parse_spec
from graft.store import seal
from graft.store.entries import Store
from graft.venv.foreign import foreign_target
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])
DEMO = NormalizedName("demo")
SCHEMA = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
METADATA = {
    "$schema": SCHEMA,
    "default-priorities": {"namespace": ["cpu"]},
    "variants": {"v2": {"cpu": {"level": ["v2"]}}, "v3": {"cpu": {"level": ["v3"]}}, "null": {}},
}
WHEELS = (
    "demo-1.0-py3-none-any-v3.whl",
    "demo-1.0-py3-none-any-v2.whl",
    "demo-1.0-py3-none-any-null.whl",
    "demo-1.0-py3-none-any.whl",
    "demo-0.9-py3-none-any.whl",
)


def _files(*, listed: bool = True) -> list[ArtifactFile]:
    names = [*WHEELS, "demo-1.0-variants.json"] if listed else list(WHEELS)
    return [ArtifactFile(n, f"https://files.invalid/{n}") for n in names]


def _chooser(*properties: str, enabled: bool = True) -> tuple[VariantChooser, list[str]]:
    reads: list[str] = []

    def read(file: ArtifactFile) -> bytes:
        reads.append(file.filename)
        return json.dumps(METADATA).encode()

    options = VariantOptions(properties=properties, detect=False, enabled=enabled)
    return VariantChooser(options, read), reads


def _offered(chooser: VariantChooser | None, files: list[ArtifactFile]) -> list[str]:
    found = screen(DEMO, files, [SpecifierSet()], LINUX, Policy(variants=chooser))
    return [f.filename for _, f in found.offered]


def test_the_screening_orders_a_release_by_variant_group_before_tags() -> None:
    chooser, reads = _chooser("cpu :: level :: v2")
    assert _offered(chooser, _files()) == [
        "demo-1.0-py3-none-any-v2.whl",
        "demo-1.0-py3-none-any-null.whl",
        "demo-1.0-py3-none-any.whl",
        "demo-0.9-py3-none-any.whl",
    ]
    assert reads == ["demo-1.0-variants.json"]  # once, and only for the release with variants
    found = screen(DEMO, _files(), [SpecifierSet()], LINUX, Policy(variants=chooser))
    assert [(f.filename, r) for f, r, _ in found.rejected] == [
        ("demo-1.0-py3-none-any-v3.whl", Reject.VARIANT)
    ]
    assert chooser.orders["demo", "1.0"].rank("demo-1.0-py3-none-any-v2.whl") == 0


def test_without_a_chooser_or_with_no_variants_only_non_variant_wheels_are_offered() -> None:
    plain = ["demo-1.0-py3-none-any.whl", "demo-0.9-py3-none-any.whl"]
    assert _offered(None, _files()) == plain
    chooser, reads = _chooser("cpu :: level :: v3", enabled=False)
    assert _offered(chooser, _files()) == plain
    assert reads == []


def test_a_remote_release_without_variants_json_keeps_only_non_variant_wheels() -> None:
    chooser, reads = _chooser("cpu :: level :: v3")
    assert _offered(chooser, _files(listed=False))[0] == "demo-1.0-py3-none-any.whl"
    assert reads == []
    assert list(chooser.warnings) == [
        "demo==1.0: the index lists no demo-1.0-variants.json; its variant wheels are left out"
    ]


def test_a_release_without_variant_wheels_works_out_no_machine() -> None:
    chooser, _ = _chooser()
    files = [ArtifactFile(n, f"https://files.invalid/{n}") for n in WHEELS[3:]]
    assert _offered(chooser, files) == [f.filename for f in files]
    assert chooser.config_read is None
    assert chooser._machine is None  # the laziness is the point


def test_the_marker_environment_is_the_chosen_wheel_s_supported_properties() -> None:
    chooser, _ = _chooser("cpu :: level :: v3", "cpu :: level :: v2")
    _offered(chooser, _files())
    v3 = chooser.environment(ArtifactFile(WHEELS[0], "https://files.invalid/x"))
    assert v3.label == "v3"
    assert {str(p) for p in v3.properties} == {"cpu :: level :: v3"}
    plain = chooser.environment(ArtifactFile(WHEELS[3], "https://files.invalid/x"))
    assert (plain.label, plain.properties) == ("", frozenset())


def _metadata(*requires: str) -> bytes:
    lines = ["Metadata-Version: 2.1", "Name: demo", "Version: 1.0"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    return ("\n".join(lines) + "\n").encode()


def test_a_surface_keeps_variant_marker_lines_apart_and_other_digests_unchanged() -> None:
    marker = "fast-gemm>=1; 'cpu :: level :: v3' in variant_properties"
    with_variant = read_surface(_metadata("lib>=1", marker))
    assert with_variant.variant_requires == (marker,)
    assert with_variant.invalid == ()
    assert with_variant.requires_dist == ("lib>=1",)
    plain = read_surface(_metadata("lib>=1"))
    assert plain.variant_requires == ()
    assert plain.digest() != with_variant.digest()
    broken = read_surface(_metadata("lib>=1", "x; 'a' in variant_properties and"))
    assert broken.invalid == ("Requires-Dist: x; 'a' in variant_properties and",)


class _Record:
    def __init__(self, name: str, requires: tuple[str, ...], label: str | None = None) -> None:
        self.name = name
        self.version = "1.0"
        self.label = f"{name}==1.0"
        self.requires_dist = requires
        self.requires_python = None
        self.filename = f"{name}-1.0-py3-none-any{'-' + label if label else ''}.whl"
        self.variant_label = label
        self.variant_properties = ("gpu :: sm :: 100", "gpu :: sm :: 120") if label else ()


def test_the_completeness_check_decides_variant_markers_with_the_resolution_s_support() -> None:
    marker = "fast>=1; 'gpu :: sm :: 120' in variant_properties"
    demo = _Record("demo", (marker,), "sm")
    env = LINUX.markers
    # no support known: the wheel's declared properties (the marker is true)
    (problem,) = unmet_requirements([demo], env, {})
    assert problem.startswith("demo==1.0 requires fast>=1")
    assert problem.endswith("which is missing")
    support = {demo.filename: ("gpu :: sm :: 100",)}  # the machine lacks 120
    assert unmet_requirements([demo], env, {}, support) == []
    plain = _Record("plain", (marker,))
    assert unmet_requirements([plain], env, {}) == []  # a non-variant wheel: no properties


class _IndexMetadata:
    """A metadata file of the index: no variant fields, the label only in the filename."""

    name = "demo"
    version = "1.0"
    label = "demo==1.0"
    requires_dist = ("x>=1; variant_label == 'sm'",)
    requires_python = None

    def __init__(self, filename: str) -> None:
        self.filename = filename


def test_before_download_variant_label_markers_read_the_label_from_the_filename() -> None:
    labelled = _IndexMetadata("demo-1.0-py3-none-any-sm.whl")
    (problem,) = unmet_requirements([labelled], LINUX.markers, {})
    assert problem.startswith("demo==1.0 requires x>=1")
    assert (
        unmet_requirements([_IndexMetadata("demo-1.0-py3-none-any.whl")], LINUX.markers, {}) == []
    )


def test_a_downloaded_wheel_that_disagrees_leaves_its_release_variants_out(
    tmp_path: Path,
) -> None:
    chooser, _ = _chooser("cpu :: level :: v3")
    assert _offered(chooser, _files())[0] == "demo-1.0-py3-none-any-v3.whl"
    own = {**METADATA, "variants": {"v3": {"cpu": {"level": ["v2"]}}}}  # its own variant.json
    agreeing = make_wheel(tmp_path, "demo", "0.9", {})  # a non-variant wheel: nothing to read
    lying = make_wheel(
        tmp_path,
        "demo",
        "1.0",
        {"demo-1.0.dist-info/variant.json": json.dumps(own)},
        filename="demo-1.0-py3-none-any-v3.whl",
    )
    assert disagreements(chooser, [_fetched(agreeing)], None) == set()
    assert disagreements(chooser, [_fetched(lying), _fetched(agreeing)], None) == {("demo", "1.0")}
    assert list(chooser.warnings) == [
        (
            "demo==1.0: demo-1.0-py3-none-any-v3.whl's variant.json gives label 'v3' the properties"
            " ['cpu :: level :: v2'], the release's variant metadata ['cpu :: level :: v3'] (PEP"
            " 825: inconsistent); the release's variants are ignored"
        )
    ]
    # the resolution runs again with the same chooser: only non-variant wheels are offered
    assert _offered(chooser, _files()) == ["demo-1.0-py3-none-any.whl", "demo-0.9-py3-none-any.whl"]
    assert disagreements(chooser, [_fetched(lying)], None) == set()  # nothing chosen on it now


def _fetched(wheel: Path) -> Fetched:
    """*wheel* as downloaded (a local file)."""
    return Fetched(parse_spec("demo", "reqs.txt:1"), str(wheel), None)


def test_a_stored_wheel_that_disagrees_leaves_its_release_variants_out(tmp_path: Path) -> None:
    """Not downloaded, its store entry holds it (decision 154): its record's properties."""
    chooser, _ = _chooser("cpu :: level :: v3")
    assert _offered(chooser, _files())[0] == "demo-1.0-py3-none-any-v3.whl"
    own = {**METADATA, "variants": {"v3": {"cpu": {"level": ["v2"]}}}}
    lying = make_wheel(
        tmp_path,
        "demo",
        "1.0",
        {"demo-1.0.dist-info/variant.json": json.dumps(own)},
        filename="demo-1.0-py3-none-any-v3.whl",
    )
    store = Store(str(tmp_path / "store"))
    try:
        sha = store.ingest(str(lying)).record.sha256
        stored = Fetched(parse_spec("demo", "reqs.txt:1"), None, sha, lying.name)
        assert disagreements(chooser, [stored], store) == {("demo", "1.0")}
        (warning,) = list(chooser.warnings)
        assert "gives label 'v3' the properties ['cpu :: level :: v2']" in warning
    finally:
        store.release()
        seal.remove_tree(str(tmp_path / "store"))


class _Plugins:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def supported(self, namespace: str, provider: Provider) -> PluginAnswer:
        del provider
        self.asked.append(namespace)
        return PluginAnswer(namespace, (("level", ("v2",)),), "plugin cpu-provider 1.0")


def test_an_allowed_plugin_is_asked_once_per_release_and_answers_for_its_namespace() -> None:
    metadata = {
        **METADATA,
        "$schema": "https://variants-schema.wheelnext.dev/v0.2.0.json",
        "providers": {"cpu": {"requires": ["cpu-provider"]}},
    }
    plugins = _Plugins()
    options = VariantOptions(detect=False, providers=("cpu",))
    chooser = VariantChooser(options, lambda _: json.dumps(metadata).encode(), plugins)
    assert _offered(chooser, _files())[0] == "demo-1.0-py3-none-any-v2.whl"
    v2 = chooser.environment(ArtifactFile(WHEELS[1], "https://files.invalid/x"))
    assert [str(p) for p in v2.properties] == ["cpu :: level :: v2"]
    assert plugins.asked == ["cpu"]
    not_allowed = VariantChooser(
        VariantOptions(detect=False), lambda _: json.dumps(metadata).encode(), plugins
    )
    assert _offered(not_allowed, _files())[0] == "demo-1.0-py3-none-any-null.whl"
    assert plugins.asked == ["cpu"]
    lines, data = explain(not_allowed, {("demo", "1.0"): WHEELS[2]})
    hint = "namespace cpu has a provider plugin (cpu-provider), not run:"
    assert f"  {hint} --allow-variant-provider cpu would run it" in lines
    assert data[0]["plugins_not_allowed"] == [f"{hint} --allow-variant-provider cpu would run it"]


def test_the_first_offered_a_release_at_a_time_follows_the_variant_order() -> None:
    rank = LINUX.tag_rank()
    for properties in [("cpu :: level :: v2",), ("cpu :: level :: v3",), ()]:
        chooser, _ = _chooser(*properties)
        policy = Policy(variants=chooser)
        whole = screen(DEMO, _files(), [SpecifierSet()], LINUX, policy)
        first = first_offered(DEMO, _files(), [SpecifierSet()], LINUX, policy, tag_rank=rank)
        assert first == whole.offered[0]
    chooser, _ = _chooser("cpu :: level :: v3")
    first = first_offered(DEMO, _files(), [], LINUX, Policy(variants=chooser), tag_rank=rank)
    assert first is not None
    assert first[1].filename == "demo-1.0-py3-none-any-v3.whl"
