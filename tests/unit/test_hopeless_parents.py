"""A pinned parent whose need admits only dead ends is one too (decision 481)."""

from __future__ import annotations

import datetime as dt

from packaging.specifiers import SpecifierSet

from graft.resolve.candidates import Need
from graft.resolve.policy import Policy
from graft.resolve.provider import Provider
from graft.resolve.resolver import resolve
from graft.venv.foreign import foreign_target
from tests.unit.fakeindex import JAN_2025, FailingBuilds
from tests.unit.test_resolver import pins

LINUX = foreign_target("3.11", ["manylinux_2_17_x86_64"])


def _spacy_shape() -> FailingBuilds:
    """``numpy==1.21.5 spacy<4 mlflow`` in miniature (pip issue 13037).

    Every ``th`` 8.3 (thinc) needs ``np>=2``, which the request's ``np==1.0`` excludes, so
    ``sp`` 3.8 (spacy, ``th>=8.3,<8.4``) can never be pinned; ``sp`` 3.7 can. ``ml``
    (mlflow) needs ``sc`` (scipy), whose newer releases need ``np>=2`` too, and whose
    oldest release is an sdist whose build fails.
    """
    index = FailingBuilds()
    index.add("np", "2.0")
    index.add("np", "1.0")
    index.add("sp", "3.8", ["th>=8.3,<8.4", "np>=1"])
    index.add("sp", "3.7", ["th>=8.2,<8.3", "np>=1"])
    for micro in (2, 1, 0):
        index.add("th", f"8.3.{micro}", ["np>=2"])
    index.add("th", "8.2.5", ["np>=1"])
    index.add("ml", "2.17", ["sc", "np"])
    for minor in (14, 13, 12, 11):
        index.add("sc", f"1.{minor}", ["np>=2"])
    for minor in (10, 9, 8, 7):
        index.add("sc", f"1.{minor}", ["np>=1"])
    index.add_sdist("sc", "1.6")
    return index


def test_a_parent_whose_need_admits_only_dead_ends_is_given_up_not_the_pins_after_it() -> None:
    """resolvelib went back through ``sc``'s releases, pinned after ``sp`` 3.8 (the conflict
    on ``np`` names them), down to the sdist whose build failed; pip 26.3 and uv 0.13.9
    install ``sp`` 3.7 and ``sc`` 1.10 (the real case: spacy 3.7.5, scipy 1.10.1)."""
    index = _spacy_shape()
    found = resolve(["np==1.0", "sp<4", "ml"], LINUX, index, Policy(sdists=True))
    assert pins(found) == {"np": "1.0", "sp": "3.7", "th": "8.2.5", "ml": "2.17", "sc": "1.10"}
    assert "sc-1.6.tar.gz" not in index.reads


def test_a_yanked_file_newer_than_the_cutoff_widens_nothing() -> None:
    """thinc 8.3.5, yanked in 2025, is no file an ``==`` could add in a search bounded at
    2024: ``th>=8.3,<8.4`` is hopeless once every 8.3 before the cutoff is a dead end."""
    index = FailingBuilds()
    index.add("th", "8.3.5", yanked="broken", uploaded=JAN_2025 + dt.timedelta(days=30))
    index.add("th", "8.3.2", ["np>=2"])
    cutoff = Policy(exclude_newer=JAN_2025 + dt.timedelta(days=1))
    need = Need("th", None, SpecifierSet(">=8.3,<8.4"))
    assert not Provider(index, LINUX, cutoff).widenable(need)
    assert Provider(index, LINUX, Policy()).widenable(need)  # (without the cutoff: it could)
    assert Provider(index, LINUX, Policy(exclude_newer=JAN_2025 + dt.timedelta(days=60))).widenable(
        need
    )
