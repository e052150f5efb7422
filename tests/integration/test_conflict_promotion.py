"""A dependency that fails against the pins made before it is promoted, as pip 26.3 does.

``sphinx sphinx-rtd-theme sphinx-toolbox myst-parser sphinxcontrib-bibtex nbsphinx`` on
CPython 3.11, ``--exclude-newer 2023-12-09``: every sphinx-tabs release (brought by
sphinx-toolbox) needs a docutils that sphinxcontrib-bibtex 2.6.1 (``!=0.18.*``) or sphinx
7.2.6 excludes. The conflict names every project that requires docutils or sphinx, and
the chronological search took back the last of them, pinned it again (a cause, sorted
before sphinx-tabs), failed again: every combination of their releases, until its 20,000
rounds ran out. pip 26.3 and uv 0.13.9 install the same 79 distributions (sphinxcontrib-bibtex
2.5.0, docutils 0.18.1); pip promotes what comes up unpinned among the causes five rounds,
uv what conflicts five times (decision 483). Here on a loopback index, in small: ``bib``,
``sp``, ``tb`` the roots, ``du`` docutils, ``zt`` sphinx-tabs, ``pa``-``pd`` the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.integration.test_uv_resolver_options import installed, sync, uv_installed
from tests.support.rangeserver import Served, serve_releases

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

REQUEST = ("bib", "sp", "tb")
#: Each of pa-pd has this many releases: nine make some 28,000 rounds of the search on main.
RELEASES = 9


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Served]:
    folder = tmp_path / "served"
    releases: list[tuple[str, str, tuple[str, ...]]] = [
        ("bib", "2.6", ("du!=0.18.*", "sp")),
        ("bib", "2.5", ("du", "sp")),
        ("sp", "7.0", ("du<0.21",)),
        ("tb", "3.5", ("pa", "pb", "pc", "pd", "zt")),
        *(("du", f"0.{minor}", ()) for minor in (20, 19, 18)),
        *(
            (name, f"1.{micro}", ("du", "sp"))
            for name in ("pa", "pb", "pc", "pd")
            for micro in range(RELEASES, 0, -1)
        ),
        ("zt", "3.4", ("du~=0.18.0",)),
        ("zt", "3.3", ("du~=0.18.0",)),
    ]
    with serve_releases(folder, releases) as served:
        yield served


def test_a_dependency_failing_against_earlier_pins_is_pinned_first_as_pip_and_uv_resolve(
    index: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, index, *REQUEST)
    newest = dict.fromkeys(("pa", "pb", "pc", "pd"), f"1.{RELEASES}")
    expected = {"bib": "2.5", "du": "0.18", "sp": "7.0", "tb": "3.5", "zt": "3.4"} | newest
    assert installed(venv) == expected
    assert uv_installed(tmp_path, index, *REQUEST) == expected
