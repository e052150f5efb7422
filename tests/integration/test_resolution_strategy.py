"""``--resolution highest|lowest|lowest-direct``: uv's strategies (decision 276).

``lowest`` offers every project's versions oldest first, ``lowest-direct`` only those of
the projects the request names (their dependencies newest first), so that a project's
declared lower bounds can be tested. An existing venv's versions still come first, unless
``-U``. A root with no lower bound is named in a warning, as uv warns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.integration.test_resolve_sync import installed
from tests.support.rangeserver import Served, serve
from tests.support.toml import tomllib
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    """app 1.0 (lib>=1), 2.0 and 3.0 (lib>=1.6); lib 1.0, 1.6 and 2.0."""
    with serve() as served:
        for version, lib in (("1.0", "lib>=1"), ("2.0", "lib>=1.6"), ("3.0", "lib>=1.6")):
            served.add(make_wheel(wheels, "app", version, {"app.py": ""}, requires=(lib,)))
        for version in ("1.0", "1.6", "2.0"):
            served.add(make_wheel(wheels, "lib", version, {"lib.py": f"V = {version!r}\n"}))
        yield served


def _versions(venv: Path) -> dict[str, str]:
    return {k: v for k, v in installed(venv).items() if k in {"app", "lib"}}


def test_each_strategy_takes_its_versions_and_lowest_warns_of_an_unbounded_root(
    index: Served, tmp_path: Path, store_dir: Path
) -> None:
    common = ("--index-url", f"{index.url}/simple", "--store", store_dir)
    run_graft("sync", tmp_path / "high", "app", *common)
    assert _versions(tmp_path / "high") == {"app": "3.0", "lib": "2.0"}
    # (a new venv after the first: its memo and stamps are not the highest's)
    low = run_graft("sync", tmp_path / "low", "app", "--resolution", "lowest", *common)
    assert _versions(tmp_path / "low") == {"app": "1.0", "lib": "1.0"}
    assert (
        "graft: warning: app has no lower bound (command line): --resolution lowest took its"
        " oldest release here, 1.0 (give one, such as 'app>=1.0')"
    ) in low.stderr.splitlines()
    direct = run_graft(
        "sync", tmp_path / "direct", "app>=2", "--resolution", "lowest-direct", *common
    )
    assert _versions(tmp_path / "direct") == {"app": "2.0", "lib": "2.0"}
    assert "warning" not in direct.stderr  # (app>=2 is bounded)
    run_graft("sync", tmp_path / "both", "app>=2", "--resolution", "lowest", *common)
    assert _versions(tmp_path / "both") == {"app": "2.0", "lib": "1.6"}


def test_a_venvs_versions_come_first_unless_upgrading(
    index: Served, tmp_path: Path, store_dir: Path
) -> None:
    common = ("--index-url", f"{index.url}/simple", "--store", store_dir)
    venv = tmp_path / "venv"
    run_graft("sync", venv, "app", *common)
    run_graft("sync", venv, "app", "--resolution", "lowest", *common)
    assert _versions(venv) == {"app": "3.0", "lib": "2.0"}  # kept, as uv keeps them
    run_graft("sync", venv, "app", "--resolution", "lowest", "-P", "lib", *common)
    assert _versions(venv) == {"app": "3.0", "lib": "1.6"}
    run_graft("sync", venv, "app", "--resolution", "lowest", "-U", *common)
    assert _versions(venv) == {"app": "1.0", "lib": "1.0"}


def test_a_lock_takes_the_strategy_and_warns_too(index: Served, tmp_path: Path) -> None:
    out = tmp_path / "pylock.toml"
    args = ("app", "--index-url", f"{index.url}/simple", "--python-version", "3.12", "-o", out)
    done = run_graft("lock", *args, "--resolution", "lowest-direct")
    locked = {p["name"]: p["version"] for p in tomllib.loads(out.read_text())["packages"]}
    assert locked == {"app": "1.0", "lib": "2.0"}
    # the unbounded root is said once for the environments, as `uv pip compile` warns
    said = [line for line in done.stderr.splitlines() if "no lower bound" in line]
    assert len(said) == 1, done.stderr
    assert said[0].startswith("graft: warning: ")
    assert said[0].endswith(
        "app has no lower bound (command line): --resolution lowest took its oldest release"
        " here, 1.0 (give one, such as 'app>=1.0')"
    )


def test_the_venvs_seed_packages_are_resolved_newest_first_under_either(
    index: Served, wheels: Path, tmp_path: Path, store_dir: Path
) -> None:
    """``--seed``'s pip (and setuptools, wheel below 3.12) is no dependency of the request:
    uv seeds a venv apart from its resolution, so never its oldest pip (decision 276)."""
    for name in ("pip", "setuptools", "wheel"):
        for version in ("1.0", "2.0"):
            index.add(make_wheel(wheels, name, version, {f"{name}_fake.py": ""}))
    common = ("--index-url", f"{index.url}/simple", "--store", store_dir, "--seed")
    for resolution in ("lowest", "lowest-direct"):
        venv = tmp_path / resolution
        run_graft("sync", venv, "app", "--resolution", resolution, *common)
        held = installed(venv)
        assert held["app"] == "1.0"
        assert {held[name] for name in ("pip", "setuptools", "wheel") if name in held} == {"2.0"}
        assert held["pip"] == "2.0"
