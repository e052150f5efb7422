"""uv pip sync's ``--allow-empty-requirements``: a file listing nothing empties the venv (446).

Without it a ``-r`` file (or a PEP 723 script) that lists nothing is refused, as ``uv pip
sync`` refuses it ("No requirements found"): it would empty the venv. With it, uv 0.13.9
uninstalls every distribution but a seeded venv's seed packages (pip, setuptools, wheel),
which its sync keeps as it keeps them beside any requirements; graft's seeds (decision 122)
are kept the same way.
"""

# ruff: noqa: F811 - the fixture `links` is test_seeds's, imported by name

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from tests.integration.test_seeds import _UV, _held, _sync, _venv_with_seeds, links  # noqa: F401

if TYPE_CHECKING:
    from pathlib import Path

_EMPTY = "# nothing yet\n--no-index\n"


def test_allow_empty_requirements_empties_the_venv_but_its_seeds_as_uv_pip_sync(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text(_EMPTY)
    venv = tmp_path / "v"
    _sync(venv, links, store_dir, "gamma", "delta")
    refused = _sync(venv, links, store_dir, "-r", empty, check=False)
    assert f"graft: error: {empty}: no requirement listed: nothing to install" in refused
    assert _held(venv) == {"delta": "1.0", "gamma": "1.0"}  # (unchanged)
    said = _sync(venv, links, store_dir, "-r", empty, "--allow-empty-requirements")
    assert " - delta==1.0" in said
    assert " - gamma==1.0" in said
    assert _held(venv) == {}
    assert (venv / "bin" / "python").exists()
    assert "already in sync" in _sync(
        venv, links, store_dir, "-r", empty, "--allow-empty-requirements"
    )
    # a seeded venv keeps its seeds, as uv pip sync 0.13.9 keeps them in its twin
    seeded, twin = (
        _venv_with_seeds(tmp_path / n, links, "pip", "setuptools", "gamma") for n in "st"
    )
    _sync(seeded, links, store_dir, "-r", empty, "--allow-empty-requirements")
    uv = [_UV, "pip", "sync", "-q", "--offline", "--no-index", "--allow-empty-requirements"]
    subprocess.run([*uv, "--python", twin / "bin" / "python", empty], check=True)
    assert _held(seeded) == _held(twin) == {"pip": "24.0", "setuptools": "65.5.0"}
