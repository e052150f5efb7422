"""An extra's candidates meet what its project must: a backtrack leaves the project's pin.

``dask[complete]`` on PyPI (2026-12-06): dask 2026.11.0's extra ``distributed`` needs
``distributed==2026.11.*``, which was never released, so pip 26.3 and uv 0.13.9 go back to
dask 2026.8.0. graft offered ``dask[distributed]``'s other 247 releases one by one while
``dask`` itself stayed pinned to 2026.11.0, each failing against that pin, down to
dask 0.8.2, an sdist whose metadata build fails: the sync failed naming it (decision 408).
Here on a loopback index: ``app[all]`` where ``app`` 3.0's extra needs a ``dep`` that does
not exist, ``app`` 2.0 works, and ``app`` 1.0 is an sdist whose build fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.integration.test_build_failure_chain import failing_sdist
from tests.integration.test_uv_resolver_options import installed, sync, uv_installed
from tests.support.rangeserver import Served, serve_made
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Served]:
    """app 3.0's extra x needs dep>=3 (none); app 2.0's needs dep<3; app 1.0 is a bad sdist."""
    folder = tmp_path / "served"
    with serve_made(folder, pep658=True) as served:
        for version, dep in (("3.0", "dep>=3"), ("2.0", "dep>=2,<3")):
            served.add(
                make_wheel(
                    folder, "app", version, {"app/__init__.py": f"V = {version!r}\n"},
                    requires=('app[x] ; extra == "all"', f'{dep} ; extra == "x"'),
                    provides_extra=("all", "x"),
                )
            )  # fmt: skip
        served.add(make_wheel(folder, "dep", "2.0", {"dep/__init__.py": ""}))
        served.add(failing_sdist(folder, "app", static=False))
        yield served


@pytest.mark.parametrize("request_text", ["app[all]", "app[x]"])
def test_a_backtrack_from_an_extra_goes_back_with_its_project_as_pip_and_uv_do(
    request_text: str, index: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, index, request_text)
    assert installed(venv) == {"app": "2.0", "dep": "2.0"}
    # no release below the one that fits was tried: the sdist was never fetched
    assert not [path for path in index.paths if path.endswith(".tar.gz")], index.paths
    assert uv_installed(tmp_path, index, request_text) == installed(venv)


@pytest.fixture
def tied_index(tmp_path: Path) -> Iterator[Served]:
    """``jax[cuda12]`` in small (PyPI, 2026-12-06; decision 415).

    app 3.0 and its extra x need lib==3.0 (each says so, as jax and its extras say jaxlib's),
    and the extra ``plug[y]`` 3.0, which does not exist;
    app 2.0 and its extra need lib==2.0, and plug 2.0 is there; app 1.0 has no extra x.
    """
    folder = tmp_path / "served"
    with serve_made(folder, pep658=True) as served:
        for version in ("3.0", "2.0"):
            served.add(
                make_wheel(
                    folder, "app", version, {"app/__init__.py": ""},
                    requires=(
                        f"lib=={version}",
                        f'lib=={version} ; extra == "x"',
                        f'plug[y]=={version} ; extra == "x"',
                    ),
                    provides_extra=("x",),
                )
            )  # fmt: skip
            served.add(make_wheel(folder, "lib", version, {"lib/__init__.py": ""}))
        plug = make_wheel(folder, "plug", "2.0", {"plug/__init__.py": ""}, provides_extra=("y",))
        served.add(plug)
        served.add(make_wheel(folder, "app", "1.0", {"app/__init__.py": ""}))
        yield served


@pytest.mark.parametrize("request_text", ["app[x]", "app[x]>=1"])
def test_an_extra_is_pinned_before_its_project_so_a_failed_extra_takes_the_project_back(
    request_text: str, tied_index: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """graft pinned app 3.0 first, then walked app[x] down to 1.0 (lib==3.0 held it), which
    has no extra x: a warning, and app 1.0 without plug. uv installs app 2.0 with plug."""
    venv = tmp_path / "v"
    said = sync(venv, store_dir, tied_index, request_text)
    assert installed(venv) == {"app": "2.0", "lib": "2.0", "plug": "2.0"}
    assert "does not provide the extra" not in said
    assert uv_installed(tmp_path, tied_index, request_text) == installed(venv)
