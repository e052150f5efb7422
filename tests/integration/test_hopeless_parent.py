"""A pinned parent whose need admits only dead ends is given up, not the pins after it.

``numpy==1.21.5 spacy<4 mlflow>=2.13,<3`` on CPython 3.10, ``--exclude-newer 2024-10-22``
(pip issue 13037): every thinc 8.3 needs ``numpy>=2``, so spacy 3.8.2 (``thinc>=8.3,<8.4``)
can never be pinned; resolvelib went back instead through scipy's releases, pinned after
spacy and named by the conflict on numpy, down to scipy 1.6.1's sdist, whose build failed.
pip 26.3 and uv 0.13.9 install spacy 3.7.5 and scipy 1.10.1 (decision 481). Here on a
loopback index, in small: ``np`` numpy, ``sp`` spacy, ``th`` thinc, ``ml`` mlflow, ``sc``
scipy (its oldest release a bad sdist).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.integration.test_build_failure_chain import failing_sdist
from tests.integration.test_uv_resolver_options import installed, sync, uv_installed
from tests.support.rangeserver import Served, serve_releases

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

REQUEST = ("np==1.0", "sp<4", "ml")


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Served]:
    folder = tmp_path / "served"
    releases: list[tuple[str, str, tuple[str, ...]]] = [
        ("np", "2.0", ()),
        ("np", "1.0", ()),
        ("sp", "3.8", ("th>=8.3,<8.4", "np>=1")),
        ("sp", "3.7", ("th>=8.2,<8.3", "np>=1")),
        *(("th", f"8.3.{micro}", ("np>=2",)) for micro in (2, 1, 0)),
        ("th", "8.2.5", ("np>=1",)),
        ("ml", "2.17", ("sc", "np")),
        *(("sc", f"1.{minor}", ("np>=2",)) for minor in (14, 13, 12, 11)),
        *(("sc", f"1.{minor}", ("np>=1",)) for minor in (10, 9, 8, 7)),
    ]
    with serve_releases(folder, releases) as served:
        served.add(failing_sdist(folder, "sc", static=False))
        yield served


def test_a_parent_whose_need_admits_only_dead_ends_is_given_up_as_pip_and_uv_do(
    index: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, index, *REQUEST)
    expected = {"np": "1.0", "sp": "3.7", "th": "8.2.5", "ml": "2.17", "sc": "1.10"}
    assert installed(venv) == expected
    assert not [path for path in index.paths if path.endswith(".tar.gz")], index.paths
    assert uv_installed(tmp_path, index, *REQUEST) == expected
