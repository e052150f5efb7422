"""``graft sync --dry-run`` with wheel variants (PEP 825).

``fic 1.0`` (tests/integration/test_variant_plugins.py) has variant wheels on the
``fictional`` namespace. A resolution that meets a variant release and picks an sdist
explains its variant choice without reading the sdist's name as a wheel's.
"""

# ruff: noqa: F811 - the fixture `links` is test_variant_plugins', imported by name

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.integration.test_sync_builds import static_sdist
from tests.integration.test_variant_plugins import links  # noqa: F401 - a fixture
from tests.support.pypifiles import FLIT_CORE, TOMLI, release_files


def _args(venv: Path, store: Path, links: Path, *more: str) -> list[str | Path]:
    return [
        "sync", venv, *more, "--store", store, "--no-detect", "--no-index", "--find-links", links,
    ]  # fmt: skip


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
