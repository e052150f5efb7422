"""Which wheel each distribution of a graft venv came from, in every link mode (decision 283).

A symlink venv's METADATA links to its store entry; a hardlink or copy venv's says nothing,
and the flat form of the plan that built it is asked, vouched for by the file itself.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest

from graft.plan.flat import Flat
from graft.store.paths import flat_file
from graft.venv.held import held_wheels

if TYPE_CHECKING:
    from pathlib import Path

SITE = "lib/python3.12/site-packages"
BETA = "b" * 64
METADATA = b"Metadata-Version: 2.1\nName: beta\nVersion: 1.0\n"


def _entry(store: Path, sha: str, dist_info: str) -> Path:
    path = store / "entries" / sha / "tree" / dist_info / "METADATA"
    path.parent.mkdir(parents=True)
    path.write_bytes(METADATA)
    return path


def _venv(tmp_path: Path, mode: str, *, store: Path | None = None) -> tuple[Path, Path, Path]:
    """A venv of beta 1.0 made from entry BETA in *mode*, its flat form kept under key K."""
    store_root = tmp_path / "store"
    source = _entry(store_root, BETA, "beta-1.0.dist-info")
    prefix = tmp_path / "venv"
    dist_info = prefix / SITE / "beta-1.0.dist-info"
    dist_info.mkdir(parents=True)
    dest = f"{SITE}/beta-1.0.dist-info/METADATA"
    if mode == "symlink":
        (dist_info / "METADATA").symlink_to(source)
    elif mode == "hardlink":
        os.link(source, dist_info / "METADATA")
    else:
        (dist_info / "METADATA").write_bytes(source.read_bytes())
    flat = Flat(mode)
    flat.file_links = [(dest, str(source))]
    kept = flat_file(str(store_root), "k" * 64)
    os.makedirs(os.path.dirname(kept))
    with open(kept, "w", encoding="utf-8") as fh:
        json.dump(flat.to_json(), fh)
    named = store or store_root
    (prefix / "pyvenv.cfg").write_text(
        f"home = /usr/bin\ngraft-store = {named}\ngraft-plan = {'k' * 64} {prefix}\n"
    )
    return prefix, store_root, dist_info / "METADATA"


@pytest.mark.parametrize("mode", ["symlink", "hardlink", "copy"])
def test_each_link_mode_says_its_wheel(tmp_path: Path, mode: str) -> None:
    prefix, store_root, _ = _venv(tmp_path, mode)
    assert held_wheels(str(prefix), (SITE,), str(store_root)) == {"beta": BETA}


def test_without_the_store_a_copy_says_nothing(tmp_path: Path) -> None:
    """Before decision 283 every copy said nothing; still so without the store to ask."""
    prefix, _, _ = _venv(tmp_path, "copy")
    assert held_wheels(str(prefix), (SITE,)) == {}


def test_a_venv_of_another_store_says_nothing(tmp_path: Path) -> None:
    prefix, store_root, _ = _venv(tmp_path, "hardlink", store=tmp_path / "elsewhere")
    assert held_wheels(str(prefix), (SITE,), str(store_root)) == {}


def test_a_metadata_another_tool_rewrote_is_not_vouched_for(tmp_path: Path) -> None:
    """pip's ``--force-reinstall`` of another wheel of the version writes its own file: the
    flat form no longer tells where the venv's came from."""
    prefix, store_root, metadata = _venv(tmp_path, "hardlink")
    metadata.unlink()
    metadata.write_bytes(METADATA + b"Summary: pip's\n")
    assert held_wheels(str(prefix), (SITE,), str(store_root)) == {}
    metadata.write_bytes(METADATA)  # a copy of the store's bytes: vouched for
    assert held_wheels(str(prefix), (SITE,), str(store_root)) == {"beta": BETA}


def test_a_flat_form_gone_or_unfit_says_nothing(tmp_path: Path) -> None:
    prefix, store_root, _ = _venv(tmp_path, "copy")
    kept = flat_file(str(store_root), "k" * 64)
    with open(kept, "w", encoding="utf-8") as fh:
        fh.write('{"format": 1}')
    assert held_wheels(str(prefix), (SITE,), str(store_root)) == {}
    os.unlink(kept)
    assert held_wheels(str(prefix), (SITE,), str(store_root)) == {}
