"""``graft sync --dry-run`` with wheel variants (PEP 825): no provider venv made, sdists named.

``fic 1.0`` (tests/integration/test_variant_plugins.py) has variant wheels on the
``fictional`` namespace, whose provider plugin ``fictional-provider`` a sync installs into a
provider venv of the cache, with ``graft sync``, when the namespace is allowed. A dry run
makes none (decision 162): it asks the plugin in a provider venv made already, and otherwise
says which it would need, writing nothing. And a resolution that meets a variant release and
picks an sdist explains its variant choice without reading the sdist's name as a wheel's.
"""

# ruff: noqa: F811 - the fixture `links` is test_variant_plugins', imported by name

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.integration.test_dry_run import snapshot
from tests.integration.test_sync_builds import static_sdist
from tests.integration.test_variant_plugins import _label, _provider_venvs, links  # noqa: F401 - a fixture
from tests.support.pypifiles import FLIT_CORE, TOMLI, release_files


def _args(venv: Path, store: Path, links: Path, *more: str) -> list[str | Path]:
    return [
        "sync", venv, *more, "--store", store, "--no-detect", "--no-index", "--find-links", links,
    ]  # fmt: skip


def test_a_dry_run_makes_no_provider_venv_and_says_which_the_sync_would_make(
    links: Path, tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # it made the provider venv (graft sync of the plugin: store entries, a venv in the cache)
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(cache := tmp_path / "cache"))
    venv = tmp_path / "v"
    args = _args(venv, store_dir, links, "fic", "--allow-variant-provider", "fictional")
    dry = run_graft(*args, "--dry-run", "--json")
    assert not store_dir.exists()
    assert _provider_venvs(cache) == []
    assert not venv.exists()
    data = json.loads(dry.stdout)
    (unmade,) = data["plugins_not_run"]
    assert (unmade["namespace"], unmade["requires"]) == ("fictional", ["fictional-provider"])
    # chosen as if the plugin supported nothing: the non-variant wheel, and it says so
    assert [d["wheel"] for d in data["distributions"]] == ["fic-1.0-py3-none-any.whl"]
    (warning,) = [line for line in dry.stderr.splitlines() if "warning" in line]
    assert f"a sync would install it into {unmade['venv']} and ask it" in warning
    # the sync makes that provider venv, and its plugin's answer takes l3
    run_graft(*args)
    assert _label(venv) == "l3"
    assert [str(p) for p in _provider_venvs(cache)] == [unmade["venv"]]
    # now a dry run asks the plugin there, and agrees with the sync; it writes nothing
    other = tmp_path / "other"
    held = snapshot(cache / "variant-providers"), snapshot(store_dir)
    again = run_graft(*_args(other, store_dir, links, "fic", "--allow-variant-provider",
                             "fictional"), "--dry-run", "--json")  # fmt: skip
    data = json.loads(again.stdout)
    assert data["plugins_not_run"] == []
    assert [d["wheel"] for d in data["distributions"]] == ["fic-1.0-py3-none-any-l3.whl"]
    assert "warning" not in again.stderr
    assert (snapshot(cache / "variant-providers"), snapshot(store_dir)) == held
    assert not other.exists()


@pytest.mark.parametrize("dry", [True, False])
def test_a_variant_release_beside_a_picked_sdist_is_explained(
    links: Path, tmp_path: Path, store_dir: Path, dry: bool
) -> None:
    # the report of the variant choice parsed every chosen file's name as a wheel's: the
    # sdist's failed ("internal error: InvalidWheelFilename"), in a dry run and in a sync
    for item in release_files(FLIT_CORE, TOMLI).iterdir():
        (links / item.name).symlink_to(item)
    static_sdist(links)
    venv = tmp_path / "v"
    more = ("--dry-run",) if dry else ()
    proc = run_graft(*_args(venv, store_dir, links, "fic", "statik", "--json", *more))
    data = json.loads(proc.stdout)
    (variants,) = data["variants"]
    assert (variants["name"], variants["chosen"]) == ("fic", "fic-1.0-py3-none-any.whl")
    if dry:
        sdists = [d.get("sdist") for d in data["distributions"]]
        assert sdists == [None, "statik-1.0.tar.gz", "tomli-2.0.1.tar.gz"]
    else:
        assert sorted(data["distributions"]) == ["fic==1.0", "statik==1.0", "tomli==2.0.1"]
