"""``graft sync``, ``lock`` and ``audit`` with variant wheels (PEP 825) made in the test.

The wheels are ``demo 1.0`` in the variants of ``test_variants.py`` (``v2``/``v3`` on
``cpu :: level``, ``sm`` on two ``gpu :: sm_arch`` values, ``null``) and a non-variant
wheel; each module says which variant it is. They are served from a find-links directory
and from a loopback index (tests/support/rangeserver), with and without the release's
``-variants.json``. The machine is always static (``--no-detect``), so the tests do not
depend on this CPU.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.integration.test_variants import LABELS, SCHEMA, _variant_json, variant_wheel
from tests.support.here import X_Y
from tests.support.rangeserver import Served, serve
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

V3 = ("cpu :: level :: v3", "cpu :: level :: v2")
CASES = [
    (V3, "v3"),
    (("cpu :: level :: v2",), "v2"),
    (("gpu :: sm_arch :: 120_real", "cpu :: level :: v1"), "sm"),
    ((), "null"),  # the null variant before the non-variant wheel
]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A graft cache per test: loopback servers take random ports, and a page cached from an
    earlier test's server on the same port would answer for this test's index."""
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))


def _props(properties: tuple[str, ...]) -> list[str]:
    return [a for p in properties for a in ("--variant-property", p)]


@pytest.fixture
def release(wheels: Path) -> Path:
    """Every variant of demo 1.0 and a non-variant wheel, in a find-links directory."""
    for label in LABELS:
        variant_wheel(wheels, label)
    make_wheel(wheels, "demo", "1.0", {"demo.py": "LABEL = 'plain'\n"})
    return wheels


@pytest.fixture
def index(release: Path) -> Iterator[Served]:
    """The same files on a loopback index, with the release's -variants.json."""
    (release / "demo-1.0-variants.json").write_text(_variant_json(LABELS))
    with serve() as served:
        for path in sorted(release.iterdir()):
            served.add(path)
        yield served


def _sync(venv: Path, store: Path, *args: str | Path, check: bool = True) -> str:
    proc = run_graft("sync", venv, "demo", "--store", store, "--no-detect", *args, check=check)
    return proc.stdout if "--json" in args else proc.stderr


def _label(venv: Path) -> str:
    return py(venv, "import demo; print(demo.LABEL)")


@pytest.mark.parametrize("index_file", [False, True], ids=["merged-from-wheels", "variants-json"])
@pytest.mark.parametrize(("properties", "label"), CASES)
def test_find_links_installs_the_variant_of_the_static_configuration(
    release: Path,
    tmp_path: Path,
    store_dir: Path,
    properties: tuple[str, ...],
    label: str,
    index_file: bool,
) -> None:
    if index_file:
        (release / "demo-1.0-variants.json").write_text(_variant_json(LABELS))
    venv = tmp_path / "v"
    _sync(venv, store_dir, "--no-index", "--find-links", release, *_props(properties))
    assert _label(venv) == label


@pytest.mark.parametrize(("properties", "label"), CASES)
def test_a_loopback_index_installs_the_variant_of_the_static_configuration(
    index: Served, tmp_path: Path, store_dir: Path, properties: tuple[str, ...], label: str
) -> None:
    venv = tmp_path / "v"
    _sync(venv, store_dir, "--index-url", f"{index.url}/simple/", *_props(properties))
    assert _label(venv) == label


@pytest.mark.parametrize("mode", ["ranges", "ignore"], ids=["range-reads", "no-range"])
def test_an_index_without_the_variants_json_reads_each_wheels_variant_json(
    release: Path, tmp_path: Path, store_dir: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    with serve() as served:
        served.mode = mode  # "ignore": 200 and the whole wheel for every Range request
        for path in sorted(release.iterdir()):
            served.add(path)
        args = ("--index-url", f"{served.url}/simple/", *_props(V3))
        out = _sync(tmp_path / "v", store_dir, "-v", *args)
        assert _label(tmp_path / "v") == "v3"
        assert "metadata: merged from 4 wheels' variant.json (range reads)" in out
        assert "its variant wheels are left out" not in out
        asked = [r for r in served.ranges if r is not None]
        assert asked if mode == "ranges" else True  # range requests, where Range is served
    # each wheel's variant.json is kept by the wheel's sha256, for later runs and --offline
    kept = sorted((tmp_path / "cache" / "variants").glob("wheel-*.json"))
    assert len(kept) == 4
    assert all(json.loads(k.read_text())["$schema"] == SCHEMA for k in kept)


def test_an_index_without_the_variants_json_and_inconsistent_wheels_installs_the_plain_one(
    wheels: Path, tmp_path: Path, store_dir: Path
) -> None:
    variant_wheel(wheels, "v3", namespaces=["cpu", "gpu"])
    variant_wheel(wheels, "sm", namespaces=["gpu", "cpu"])  # PEP 825: incompatible orders
    make_wheel(wheels, "demo", "1.0", {"demo.py": "LABEL = 'plain'\n"})
    with serve() as served:
        for path in sorted(wheels.iterdir()):
            served.add(path)
        out = _sync(tmp_path / "v", store_dir, "--index-url", f"{served.url}/simple/", *_props(V3))
    assert "demo==1.0: " in out
    assert "the release's variant wheels are ignored" in out
    assert _label(tmp_path / "v") == "plain"


def test_no_variants_installs_the_non_variant_wheel_from_both_sources(
    index: Served, release: Path, tmp_path: Path, store_dir: Path
) -> None:
    # bytes no earlier test served (so not in the shared cache): a read would reach the server
    index.files["demo-1.0-variants.json"] = _variant_json(LABELS).encode() + str(tmp_path).encode()
    _sync(tmp_path / "a", store_dir, "--index-url", f"{index.url}/simple/", "--no-variants")
    _sync(tmp_path / "b", store_dir, "--no-index", "--find-links", release, "--no-variants")
    assert _label(tmp_path / "a") == _label(tmp_path / "b") == "plain"
    assert not any(p.endswith("-variants.json") for p in index.paths)  # not even read


def test_the_choice_is_explained_in_verbose_and_dry_run_json(
    release: Path, tmp_path: Path, store_dir: Path
) -> None:
    args: list[str | Path] = ["--no-index", "--find-links", release, *_props(V3)]
    out = _sync(tmp_path / "v", store_dir, "--dry-run", "--json", *args)
    (choice,) = json.loads(out)["variants"]
    assert choice["chosen"] == "demo-1.0-py3-none-any-v3.whl"
    assert choice["label"] == "v3"
    assert [c["label"] for c in choice["labels"] if c["compatible"]] == ["v3", "v2", "null"]
    assert choice["left_out"] == {
        "demo-1.0-py3-none-any-sm.whl": "the machine supports no value of gpu :: sm_arch"
        " (100_real, 120_real)"
    }
    verbose = _sync(tmp_path / "v", store_dir, "-v", *args)
    assert "variants of demo==1.0: chose demo-1.0-py3-none-any-v3.whl (label v3;" in verbose
    assert "  sm: incompatible: the machine supports no value of gpu :: sm_arch" in verbose


@pytest.mark.parametrize("where", ["find-links", "index"])
def test_an_unsupported_schema_is_one_line_naming_the_file(
    release: Path, tmp_path: Path, store_dir: Path, where: str
) -> None:
    doc = json.loads(_variant_json(LABELS))
    doc["$schema"] = SCHEMA.replace("v0.1.1", "v7.0.0")
    path = release / "demo-1.0-variants.json"
    path.write_text(json.dumps(doc))
    with serve() as served:
        for wheel in sorted(release.iterdir()):
            served.add(wheel)
        args = (
            ("--no-index", "--find-links", release)
            if where == "find-links"
            else ("--index-url", f"{served.url}/simple/")
        )
        proc = run_graft(
            "sync", tmp_path / "v", "demo", "--store", store_dir, "--no-detect", *args, check=False
        )
    named = str(path) if where == "find-links" else f"{served.url}/demo-1.0-variants.json"
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"graft: error: {named}: variant metadata schema 7.0.0 is not supported (ask the"
        " publisher for variant metadata of a schema graft reads (0.1, 0.2 or 1.x))"
    )
    assert not (tmp_path / "v").exists()


def test_inconsistent_metadata_ignores_the_variants_with_a_warning(
    wheels: Path, tmp_path: Path, store_dir: Path
) -> None:
    variant_wheel(wheels, "v2", namespaces=["cpu", "gpu"])
    variant_wheel(wheels, "sm", namespaces=["gpu", "cpu"])  # priorities that contradict
    make_wheel(wheels, "demo", "1.0", {"demo.py": "LABEL = 'plain'\n"})
    out = _sync(
        tmp_path / "v",
        store_dir,
        "--no-index",
        "--find-links",
        wheels,
        *_props(("cpu :: level :: v2",)),
    )
    assert "graft: warning: demo==1.0: " in out
    assert "inconsistent namespace priorities" in out
    assert _label(tmp_path / "v") == "plain"


@pytest.mark.parametrize(
    ("values", "pulled"), [(("120_real", "100_real"), True), (("100_real",), False)]
)
def test_a_variant_marker_pulls_a_dependency_only_when_the_value_is_supported(
    wheels: Path, tmp_path: Path, store_dir: Path, values: tuple[str, ...], pulled: bool
) -> None:
    marker = "'gpu :: sm_arch :: 120_real' in variant_properties"
    variant_wheel(wheels, "sm", requires=(f"fast-gemm>=1; {marker}",))
    make_wheel(wheels, "fast-gemm", "1.0", {"fast_gemm.py": ""})
    props = tuple(f"gpu :: sm_arch :: {v}" for v in values)
    venv = tmp_path / "v"
    _sync(venv, store_dir, "--no-index", "--find-links", wheels, *_props(props))
    assert _label(venv) == "sm"  # both machines take the sm variant (one value suffices)
    found = py(venv, "import importlib.util as u; print(u.find_spec('fast_gemm') is not None)")
    assert found == str(pulled)


def test_a_lock_with_variants_installs_the_right_wheel_on_two_machines(
    release: Path, tmp_path: Path, store_dir: Path
) -> None:
    lock = tmp_path / "pylock.toml"
    run_graft(
        "lock", "demo", "--no-index", "--find-links", release, "--no-detect",
        *_props(V3), "--python-version", X_Y, "--platform", "linux", "-o", lock,
    )  # fmt: skip
    text = lock.read_text()
    assert 'name = "demo-1.0-py3-none-any-v3.whl"' in text
    assert 'name = "demo-1.0-py3-none-any.whl"' in text
    assert "[packages.variants-json]" in text
    assert f'"$schema" = "{SCHEMA}"' in text
    for properties, label in ((("cpu :: level :: v2",), "v2"), (V3, "v3"), ((), "null")):
        venv = tmp_path / label
        run_graft("sync", venv, lock, "--store", store_dir, "--no-detect", *_props(properties))
        assert _label(venv) == label
    run_graft("sync", tmp_path / "plain", lock, "--store", store_dir, "--no-variants")
    assert _label(tmp_path / "plain") == "plain"


def test_audit_names_the_property_a_moved_venv_lacks(
    release: Path, tmp_path: Path, store_dir: Path
) -> None:
    venv = tmp_path / "v"
    _sync(venv, store_dir, "--no-index", "--find-links", release, *_props(V3))
    ok = run_graft("audit", venv, "--json", "--no-detect", *_props(V3))
    assert not [f for f in json.loads(ok.stdout)["findings"] if f["kind"].startswith("variant")]
    moved = run_graft(
        "audit", venv, "--json", "--no-detect", *_props(("cpu :: level :: v2",)), check=False
    )
    assert moved.returncode == 1
    (found,) = [f for f in json.loads(moved.stdout)["findings"] if f["kind"].startswith("variant")]
    assert found["kind"] == "variant-unsupported"
    assert found["distributions"] == ["demo==1.0"]
    assert found["detail"] == "variant 'v3': the machine supports no value of cpu :: level (v3)"


def test_a_non_variant_sync_imports_no_variant_module(wheels: Path, tmp_path: Path) -> None:
    make_wheel(wheels, "plain", "1.0", {"plain.py": ""})
    code = (
        "import sys\n"
        "from graft.cli.main import main\n"
        f"code = main(['sync', {str(tmp_path / 'v')!r}, 'plain', '--no-index',"
        f" '--find-links', {str(wheels)!r}, '--store', {str(tmp_path / 'store')!r}, '-q'])\n"
        "assert code == 0, code\n"
        "print(sorted(m for m in sys.modules if m.startswith('graft.variants')"
        " or m == 'graft.model.variants'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_a_release_whose_only_variant_the_machine_lacks_names_the_property(
    wheels: Path, tmp_path: Path, store_dir: Path
) -> None:
    variant_wheel(wheels, "v3")
    proc = run_graft(
        "sync", tmp_path / "v", "demo", "--store", store_dir, "--no-detect", "--no-index",
        "--find-links", wheels, *_props(("cpu :: level :: v2",)), check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert (
        "  demo-1.0-py3-none-any-v3.whl: the machine supports no value of cpu :: level (v3)"
        in proc.stderr
    )
    assert "hint: see what this machine supports with graft variants" in proc.stderr


def test_a_wheel_whose_variant_json_disagrees_with_the_index_ignores_the_release_variants(
    release: Path, tmp_path: Path, store_dir: Path
) -> None:
    lying = dict(LABELS)
    lying["v3"] = {"cpu": {"level": ["v2"]}}  # the index says v3 is what v2 is
    lying["v2"] = {"cpu": {"level": ["v1"]}}
    (release / "demo-1.0-variants.json").write_text(_variant_json(lying))
    with serve() as served:
        for path in sorted(release.iterdir()):
            served.add(path)
        proc = run_graft(
            "sync", tmp_path / "v", "demo", "--store", store_dir, "--no-detect", "-v",
            "--index-url", f"{served.url}/simple/", *_props(("cpu :: level :: v2",)),
        )  # fmt: skip
    # PEP 825: inconsistent metadata; the release's variants are ignored, with a warning,
    # and the resolution chooses again among its non-variant wheels
    assert (
        "graft: warning: demo==1.0: demo-1.0-py3-none-any-v3.whl's variant.json gives label"
        " 'v3' the properties ['cpu :: level :: v3'], the release's variant metadata"
        " ['cpu :: level :: v2'] (PEP 825: inconsistent); the release's variants are ignored"
    ) in proc.stderr
    assert "chose demo-1.0-py3-none-any.whl (non-variant" in proc.stderr
    assert _label(tmp_path / "v") == "plain"


def _installed(venv: Path, *names: str) -> list[str]:
    code = (
        f"import importlib.util as u; print(' '.join(n for n in {list(names)!r} if u.find_spec(n)))"
    )
    return py(venv, code).split()


@pytest.fixture
def forked(wheels: Path) -> Path:
    """demo 1.0: v3 needs dep_a by a variant marker, sm needs dep_b by its own METADATA
    (and dep_b needs dep_c), null and the non-variant wheel need nothing."""
    marker = "'cpu :: level :: v3' in variant_properties"
    variant_wheel(wheels, "v3", requires=(f"dep-a>=1; {marker}",))
    variant_wheel(wheels, "sm", requires=("dep-b>=1",))
    variant_wheel(wheels, "null")
    make_wheel(wheels, "demo", "1.0", {"demo.py": "LABEL = 'plain'\n"})
    make_wheel(wheels, "dep-a", "1.0", {"dep_a.py": ""})
    make_wheel(wheels, "dep-b", "1.0", {"dep_b.py": ""}, requires=("dep-c",))
    make_wheel(wheels, "dep-c", "1.0", {"dep_c.py": ""})
    return wheels


@pytest.mark.parametrize("served", [False, True], ids=["find-links", "index"])
def test_one_lock_installs_each_machine_its_variant_with_exactly_its_dependencies(
    forked: Path, tmp_path: Path, store_dir: Path, served: bool
) -> None:
    lock = tmp_path / "pylock.toml"
    with serve() as server:
        if served:
            (forked / "demo-1.0-variants.json").write_text(_variant_json(LABELS))
            for path in sorted(forked.iterdir()):
                server.add(path)
        source = (
            ["--index-url", f"{server.url}/simple/"]
            if served
            else ["--no-index", "--find-links", str(forked)]
        )
        # locked on a machine that supports neither variant: the lock is for every machine
        proc = run_graft(
            "lock", "demo", *source, "--no-detect", *_props(("cpu :: level :: v2",)),
            "--python-version", X_Y, "--platform", "linux", "-o", lock,
        )  # fmt: skip
        assert "not locked" not in proc.stderr  # the old warning: nothing is left out now
        text = lock.read_text()
        for name in ("dep-a", "dep-b", "dep-c"):
            assert f'name = "{name}"' in text
        assert "needed-by" in text
        machines: dict[str, tuple[tuple[str, ...], list[str]]] = {
            "v3": (V3, ["dep_a"]),
            "sm": (("gpu :: sm_arch :: 120_real",), ["dep_b", "dep_c"]),
            "null": ((), []),
        }
        for label, (properties, deps) in machines.items():
            venv = tmp_path / label
            args: list[str | Path] = ["--store", store_dir, "--no-detect", *_props(properties)]
            run_graft("sync", venv, lock, *args)
            assert _label(venv) == label
            assert _installed(venv, "dep_a", "dep_b", "dep_c") == deps
        run_graft("sync", tmp_path / "plain", lock, "--store", store_dir, "--no-variants")
        assert _label(tmp_path / "plain") == "plain"
        assert _installed(tmp_path / "plain", "dep_a", "dep_b", "dep_c") == []


def test_a_variant_fork_takes_a_url_constraint_s_file_where_its_marker_holds(
    forked: Path, tmp_path: Path, store_dir: Path
) -> None:
    """Decision 240: the sm fork needs dep-c, which ``-c`` names by file (2.0) on Linux,
    as decision 201 resolves an environment: the fork resolved over the index's files alone
    (dep-c 1.0), and the lock held the file nothing took."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dep_c = make_wheel(elsewhere, "dep-c", "2.0", {"dep_c.py": "V = 2\n"})
    constraints = tmp_path / "c.txt"
    constraints.write_text(f'dep-c @ {dep_c.as_uri()} ; sys_platform == "linux"\n')
    lock = tmp_path / "pylock.toml"
    run_graft(
        "lock", "demo", "-c", constraints, "--no-index", "--find-links", forked, "--no-detect",
        *_props(("cpu :: level :: v2",)), "--python-version", X_Y, "--platform", "linux",
        "-o", lock,
    )  # fmt: skip
    text = lock.read_text()
    assert 'name = "dep-c"\nversion = "2.0"' in text
    assert 'version = "1.0"\n' not in text.split('name = "dep-c"', 1)[1].split("[[packages]]")[0]
    venv = tmp_path / "sm"
    sm = ("gpu :: sm_arch :: 120_real",)
    run_graft("sync", venv, lock, "--store", store_dir, "--no-detect", *_props(sm))
    assert _label(venv) == "sm"
    assert py(venv, "import dep_c; print(dep_c.V)") == "2"


def test_a_variant_fork_takes_an_sdist_as_its_environment_does(
    forked: Path, tmp_path: Path
) -> None:
    """Decision 240: dep-b only as an sdist (static PKG-INFO): the lock's environments take
    sdists as candidates, and so does the sm fork (it warned `variant sm cannot be resolved
    (dep-b has only source distributions (1.0)); it is not locked`)."""
    from tests.support.sdistmaker import write_sdist

    next(forked.glob("dep_b-1.0-*.whl")).unlink()
    pyproject = '[build-system]\nrequires = []\nbuild-backend = "x"\n'
    info = "Metadata-Version: 2.2\nName: dep-b\nVersion: 1.0\nRequires-Dist: dep-c\n"
    files = {"dep_b-1.0/PKG-INFO": info, "dep_b-1.0/pyproject.toml": pyproject}
    write_sdist(forked / "dep_b-1.0.tar.gz", files)
    lock = tmp_path / "pylock.toml"
    proc = run_graft(
        "lock", "demo", "--no-index", "--find-links", forked, "--no-detect",
        *_props(("cpu :: level :: v2",)), "--python-version", X_Y, "--platform", "linux",
        "-o", lock,
    )  # fmt: skip
    assert "warning" not in proc.stderr
    text = lock.read_text()
    assert 'name = "dep-b"' in text
    assert 'name = "dep-c"' in text


@pytest.mark.parametrize(
    ("values", "pulled"), [(("120_real", "100_real"), ["fast_gemm"]), (("100_real",), [])]
)
def test_a_locked_variant_marker_is_decided_on_the_machine_that_installs(
    wheels: Path, tmp_path: Path, store_dir: Path, values: tuple[str, ...], pulled: list[str]
) -> None:
    marker = "'gpu :: sm_arch :: 120_real' in variant_properties"
    variant_wheel(wheels, "sm", requires=(f"fast-gemm>=1; {marker}",))
    variant_wheel(wheels, "v3")
    make_wheel(wheels, "fast-gemm", "1.0", {"fast_gemm.py": ""})
    lock = tmp_path / "pylock.toml"
    proc = run_graft(
        "lock", "demo", "--no-index", "--find-links", wheels, "--no-detect", *_props(V3),
        "--python-version", X_Y, "--platform", "linux", "-o", lock, "-v",
    )  # fmt: skip
    # two environments (x86_64, aarch64), each with the sm variant as its one fork
    assert "graft: resolved 2 environments and 2 variant forks;" in proc.stderr
    assert f'marker = "{marker}"' in lock.read_text()
    venv = tmp_path / "v"
    props = _props(tuple(f"gpu :: sm_arch :: {v}" for v in values))
    run_graft("sync", venv, lock, "--store", store_dir, "--no-detect", *props)
    assert _label(venv) == "sm"  # both machines take sm (one value suffices)
    assert _installed(venv, "fast_gemm") == pulled


def test_a_lock_without_variant_releases_resolves_no_fork(wheels: Path, tmp_path: Path) -> None:
    make_wheel(wheels, "plain", "1.0", {"plain.py": ""}, requires=("dep-c",))
    make_wheel(wheels, "dep-c", "1.0", {"dep_c.py": ""})
    lock = tmp_path / "pylock.toml"
    proc = run_graft(
        "lock", "plain", "--no-index", "--find-links", wheels, "--python-version", X_Y,
        "--platform", "linux", "-o", lock, "-v",
    )  # fmt: skip
    assert "graft: resolved 2 environments; METADATA read:" in proc.stderr
    assert "tool" not in lock.read_text()


def test_a_variant_that_needs_another_version_is_not_locked_and_says_so(
    wheels: Path, tmp_path: Path, store_dir: Path
) -> None:
    variant_wheel(wheels, "v3", requires=("dep-a<2",))
    variant_wheel(wheels, "null")
    for version in ("1.0", "2.0"):
        make_wheel(wheels, "dep-a", version, {"dep_a.py": ""})
    lock = tmp_path / "pylock.toml"
    proc = run_graft(
        "lock", "demo", "dep-a", "--no-index", "--find-links", wheels, "--no-detect",
        "--python-version", X_Y, "--platform", "linux", "-o", lock,
    )  # fmt: skip
    assert (
        "demo==1.0: variant v3 resolves to dep-a==1.0 where the lock has dep-a==2.0;"
        " that choice is not locked"
    ) in proc.stderr
    refused = run_graft(
        "sync", tmp_path / "v", lock, "--store", store_dir, "--no-detect", *_props(V3),
        check=False,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "demo==1.0 requires dep-a<2" in refused.stderr


def test_a_lock_keeps_unconditional_what_every_variant_needs(
    wheels: Path, tmp_path: Path, store_dir: Path
) -> None:
    for label in ("v3", "v2"):
        variant_wheel(wheels, label, requires=("dep-c",))
    make_wheel(wheels, "dep-c", "1.0", {"dep_c.py": ""})
    lock = tmp_path / "pylock.toml"
    run_graft(
        "lock", "demo", "--no-index", "--find-links", wheels, "--no-detect", *_props(V3),
        "--python-version", X_Y, "--platform", "linux", "-o", lock,
    )  # fmt: skip
    assert "needed-by" not in lock.read_text()  # every choice needs dep-c: no clause
    venv = tmp_path / "v"
    run_graft("sync", venv, lock, "--store", store_dir, "--no-detect", *_props(V3))
    assert _installed(venv, "dep_c") == ["dep_c"]


def test_a_lock_whose_variant_cannot_be_resolved_warns_and_its_install_refuses_the_gap(
    wheels: Path, tmp_path: Path, store_dir: Path
) -> None:
    marker = "'gpu :: sm_arch :: 120_real' in variant_properties"
    variant_wheel(wheels, "sm", requires=(f"fast-gemm>=2; {marker}",))
    variant_wheel(wheels, "v3")
    make_wheel(wheels, "fast-gemm", "1.0", {"fast_gemm.py": ""})  # no 2.x: sm cannot resolve
    lock = tmp_path / "pylock.toml"
    proc = run_graft(
        "lock", "demo", "--no-index", "--find-links", wheels, "--no-detect", *_props(V3),
        "--python-version", X_Y, "--platform", "linux", "-o", lock,
    )  # fmt: skip
    assert "demo==1.0: variant sm cannot be resolved" in proc.stderr
    assert "graft: warning: demo==1.0: variant sm requires fast-gemm>=2" in proc.stderr
    assert "which is not locked for" in proc.stderr
    gpu = _props(("gpu :: sm_arch :: 120_real",))
    refused = run_graft(
        "sync", tmp_path / "g", lock, "--store", store_dir, "--no-detect", *gpu, check=False
    )
    assert refused.returncode == 1
    assert "the set is incomplete: demo==1.0 requires fast-gemm>=2" in refused.stderr


def test_a_lock_with_no_variants_lists_no_variant_wheel(release: Path, tmp_path: Path) -> None:
    lock = tmp_path / "pylock.toml"
    run_graft(
        "lock", "demo", "--no-index", "--find-links", release, "--no-variants",
        "--python-version", X_Y, "--platform", "linux", "-o", lock,
    )  # fmt: skip
    text = lock.read_text()
    assert 'name = "demo-1.0-py3-none-any.whl"' in text
    assert "-v3.whl" not in text
    assert "variants-json" not in text
    from packaging.pylock import Pylock

    from graft._toml import load_toml

    Pylock.from_dict(load_toml(str(lock))).validate()  # packaging (so pip and uv) reads it


def test_an_html_index_serves_variants_too(index: Served, tmp_path: Path, store_dir: Path) -> None:
    index.html = True
    venv = tmp_path / "v"
    _sync(venv, store_dir, "--index-url", f"{index.url}/simple/", *_props(("cpu :: level :: v2",)))
    assert _label(venv) == "v2"


def test_inconsistent_metadata_without_a_non_variant_wheel_fails_naming_why(
    wheels: Path, tmp_path: Path, store_dir: Path
) -> None:
    variant_wheel(wheels, "v3")
    variant_wheel(wheels, "v2")
    lying = {**LABELS, "v3": {"cpu": {"level": ["v2"]}}, "v2": {"cpu": {"level": ["v1"]}}}
    (wheels / "demo-1.0-variants.json").write_text(_variant_json(lying))
    proc = run_graft(
        "sync", tmp_path / "v", "demo", "--store", store_dir, "--no-detect", "--no-index",
        "--find-links", wheels, *_props(("cpu :: level :: v2",)), check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert (
        "  demo-1.0-py3-none-any-v2.whl: the release's variants are ignored:"
        " demo-1.0-py3-none-any-v3.whl's variant.json gives label 'v3' the properties"
        " ['cpu :: level :: v3'], the release's variant metadata ['cpu :: level :: v2']"
        " (PEP 825: inconsistent)"
    ) in proc.stderr


@pytest.mark.parametrize("machine", [V3, ()], ids=["v3", "no-property"])
def test_a_relock_of_a_variant_lock_keeps_its_variant_entries(
    release: Path, tmp_path: Path, machine: tuple[str, ...]
) -> None:
    """Re-locking reads the lock's variant wheels with the variant options (decision 43).

    Every variant entry stays, whatever variant this machine would install.
    """
    lock = tmp_path / "pylock.toml"
    args: tuple[str | Path, ...] = ("--no-index", "--find-links", release, "--no-detect")
    args += (*_props(machine),)
    args += ("--python-version", X_Y, "--platform", "linux")
    run_graft("lock", "demo", *args, "-o", lock)
    old = tmp_path / "pylock.old.toml"
    lock.rename(old)
    run_graft("lock", old, *args, "-o", lock)
    assert lock.read_text() == old.read_text()
    assert 'name = "demo-1.0-py3-none-any-v3.whl"' in lock.read_text()  # (the control)


def test_a_relock_of_a_variant_lock_from_an_index_keeps_its_variant_entries(
    index: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a cache of its own: pages kept under a loopback port a later test's server may reuse
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    lock = tmp_path / "pylock.toml"
    args = ("--index-url", f"{index.url}/simple/", "--no-detect", *_props(V3))
    args += ("--python-version", X_Y, "--platform", "linux")
    run_graft("lock", "demo", *args, "-o", lock)
    old = tmp_path / "pylock.old.toml"
    lock.rename(old)
    run_graft("lock", old, *args, "-o", lock)
    assert lock.read_text() == old.read_text()
    assert "demo-1.0-py3-none-any-sm.whl" in lock.read_text()  # (the control)


def test_a_variant_release_only_a_lock_worker_meets_is_forked_as_in_one_process(
    forked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 92: of twelve environments, only cp312 win_arm64 needs demo, and with three
    processes a worker resolves it; the lock forks over demo's variants from what that
    worker's chooser found, as one process does."""
    marker = 'sys_platform == "win32" and platform_machine == "ARM64" and python_version >= "3.12"'
    make_wheel(forked, "app", "1.0", {"app.py": ""}, requires=(f"demo; {marker}",))
    locks = {}
    for count in ("1", "3"):
        monkeypatch.setenv("GRAFT_LOCK_WORKERS", count)
        out = tmp_path / f"pylock.workers-{count}.toml"
        proc = run_graft(
            "lock", "app", f"app!=0.0.{count}", "--no-index", "--find-links", forked,
            "--no-detect", *_props(("cpu :: level :: v2",)),
            "--python-version", "3.11", "--python-version", "3.12", "-o", out, "-v",
        )  # fmt: skip
        assert ("in 3 processes" in proc.stderr) is (count == "3"), proc.stderr
        locks[count] = out.read_text()
    assert "needed-by" in locks["1"]  # demo's variants forked: dep-a, dep-b where they need
    assert locks["3"] == locks["1"]


def test_a_variant_fork_s_needs_are_read_through_the_overrides(
    wheels: Path, tmp_path: Path, store_dir: Path
) -> None:
    """Decision 398: the sm wheel's dep-b holds on no Python 3 as stated, but the override
    (no marker) stands for it everywhere, as the fork resolved it: only sm needs dep-b."""
    variant_wheel(wheels, "sm", requires=('dep-b>=1 ; python_version < "3"',))
    variant_wheel(wheels, "null")
    make_wheel(wheels, "demo", "1.0", {"demo.py": "LABEL = 'plain'\n"})
    make_wheel(wheels, "dep-b", "1.0", {"dep_b.py": ""})
    overrides = tmp_path / "overrides.txt"
    overrides.write_text("dep-b>=1\n")
    lock = tmp_path / "pylock.toml"
    run_graft(
        "lock", "demo", "--no-index", "--find-links", wheels, "--no-detect",
        *_props(("cpu :: level :: v2",)), "--overrides", overrides,
        "--python-version", X_Y, "--platform", "linux", "-o", lock,
    )  # fmt: skip
    assert 'name = "dep-b"' in lock.read_text()
    machines = {"sm": (("gpu :: sm_arch :: 120_real",), ["dep_b"]), "null": ((), [])}
    for label, (properties, deps) in machines.items():
        venv = tmp_path / label
        args: list[str | Path] = ["--store", store_dir, "--no-detect", *_props(properties)]
        run_graft("sync", venv, lock, *args, "--overrides", overrides)
        assert _label(venv) == label
        assert _installed(venv, "dep_b") == deps
