"""A missing wheel under a yanked release is carried up the chain that needs it (decision 486).

``sphinx sphinx-rtd-theme sphinx-toolbox myst-parser sphinxcontrib-bibtex nbsphinx`` for
Windows CPython 3.13 at ``--exclude-newer 2023-12-09``: no pywin32 wheel for the target,
every jupyter-core from 4.6 needs pywin32 there, and jupyter-core 4.11.0 is yanked, so no
requirement on jupyter-core admitting it was learned hopeless (an ``==4.11.0`` could add
it), and nothing above it a dead end: graft walked every combination of what was pinned
between nbclient and jupyter-client until its 20,000 rounds ran out, where uv 0.13.9 takes
nbconvert 5.6.1 with jupyter-core 4.5.0. Here on a loopback index, in small: ``c``
jupyter-core, ``pw`` pywin32 (a Windows wheel only), ``y`` jupyter-client, ``x`` nbclient,
``a`` nbconvert (2.x needs ``x``; 1.0 does not), ``m1``/``m2`` the projects pinned between
(mistune, jupyterlab-pygments); ``m2``'s oldest release is an sdist whose build fails, which
the walk on main reaches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.integration.test_build_failure_chain import failing_sdist
from tests.integration.test_uv_resolver_options import installed, sync, uv_installed
from tests.support.rangeserver import Served, serve_releases
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: Each of m1, m2 has this many wheels (and m2 a failing sdist under them).
RELEASES = 6


def chain(*middle: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """Decision 486's chain: ``c`` 5.1-4.6 (and each of *middle*) need ``pw``; 4.5 fits."""
    return [
        ("top", "1.0", ("a",)),
        *(("a", f"2.{minor}", ("c", "m1", "m2", "x")) for minor in (3, 2, 1)),
        ("a", "1.0", ("c",)),
        *(("x", f"1.{minor}", ("y>=1",)) for minor in range(5, 0, -1)),
        *(("y", f"1.{minor}", ("c>=4.9",)) for minor in (3, 2, 1)),
        *(("c", v, ("pw",)) for v in ("5.1", "5.0", "4.12", *middle, "4.10", "4.9", "4.6")),
        ("c", "4.5", ()),
        *((name, f"1.{micro}", ()) for name in ("m1", "m2") for micro in range(RELEASES, 0, -1)),
    ]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Served]:
    folder = tmp_path / "served"
    with serve_releases(folder, chain()) as served:
        yanked = make_wheel(folder, "c", "4.11", {"c/__init__.py": ""}, requires=("pw",))
        served.add_wheel(yanked, yanked="broken")
        served.add(
            make_wheel(folder, "pw", "306", {"pw/__init__.py": ""}, tag="py3-none-win_amd64")
        )
        served.add(failing_sdist(folder, "m2", static=False))
        yield served


def test_a_missing_wheel_under_a_yanked_release_is_carried_up_as_uv_resolves(
    index: Served, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    venv = tmp_path / "v"
    sync(venv, store_dir, index, "top")
    expected = {"top": "1.0", "a": "1.0", "c": "4.5"}
    assert installed(venv) == expected
    assert not [path for path in index.paths if path.endswith(".tar.gz")], index.paths
    assert uv_installed(tmp_path, index, "top") == expected
