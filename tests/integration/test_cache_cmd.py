"""``graft cache dir|info|clean``: every cache removed, the store never."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from graft.store import seal
from tests.conftest import run_graft
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    import pytest


def test_clean_removes_the_caches_and_keeps_the_store_and_its_venvs(
    tmp_path: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    cache = tmp_path / "cache"
    store = cache / "store"  # the default place: inside the cache root
    request.addfinalizer(lambda: seal.remove_tree(str(store)))  # (it may be immutable)
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(cache))
    monkeypatch.setenv("GRAFT_STORE", str(store))
    make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"})
    venv = tmp_path / "v"
    run_graft("sync", venv, "beta", "--no-index", "--find-links", wheels)
    assert run_graft("cache", "dir").stdout.strip() == str(cache)
    info = json.loads(run_graft("cache", "info", "--json").stdout)
    assert "store" not in info["sizes"]
    assert info["total"] > 0
    assert info["sizes"]
    cleaned = json.loads(run_graft("cache", "clean", "--json").stdout)
    assert cleaned["freed"] == info["sizes"]
    assert sorted(p.name for p in cache.iterdir()) == ["store"]
    assert py(venv, "import beta; print(beta.B)") == "3"  # its store entry is untouched
    assert run_graft("store", "verify", "--store", store).returncode == 0
    run_graft("sync", tmp_path / "w", "beta", "--no-index", "--find-links", wheels)
    said = run_graft("cache", "clean").stdout
    assert said.startswith("graft: removed ")
    assert f"from {cache}: " in said
    assert run_graft("cache", "info", "--json").stdout.count('"total": 0') == 1
