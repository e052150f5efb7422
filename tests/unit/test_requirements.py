"""Requirement files' index options, the index order, and conflicting pins (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graft.errors import PlanError
from graft.model.requirements import Inputs
from graft.sources.index import index_order
from graft.sources.requirements import check_one_version_each, parse_spec, read_requirements


def test_an_extra_index_in_a_file_is_added_and_never_replaces_the_main_index(
    tmp_path: Path,
) -> None:
    reqs = tmp_path / "reqs.txt"
    reqs.write_text(
        "--extra-index-url https://private.example/simple/\n"
        "--extra-index-url=https://other.example/simple/\n"
        "idna==3.10\n"
    )
    inputs = Inputs()
    read_requirements(str(reqs), inputs)
    assert inputs.index_url is None  # PyPI stays the main index
    assert inputs.extra_index_urls == [
        "https://private.example/simple/",
        "https://other.example/simple/",
    ]


def test_index_order_is_extra_indexes_first_then_the_main_one_each_once() -> None:
    main = "https://pypi.org/simple/"
    extras = ["https://a.example/", "https://b.example/", "https://a.example/", main]
    assert index_order(main, extras) == ["https://a.example/", "https://b.example/", main]


def test_one_version_per_distribution() -> None:
    same = [parse_spec("idna==3.10", "a"), parse_spec("IDNA==3.10.0", "b")]
    check_one_version_each(same)  # one version, spelled two ways
    with pytest.raises(PlanError) as caught:
        check_one_version_each([*same, parse_spec("idna==3.7", "reqs.txt:4")])
    assert str(caught.value) == (
        "idna: conflicting requirements: idna==3.10 (a) and idna==3.7 (reqs.txt:4)"
        " (ask for one version of idna)"
    )


def test_a_pin_and_a_file_of_that_version_go_together_two_files_do_not(tmp_path: Path) -> None:
    one, two = tmp_path / "a", tmp_path / "b"
    one.mkdir()
    two.mkdir()
    for directory in (one, two):
        (directory / "idna-3.10-py3-none-any.whl").write_bytes(b"")
    first = parse_spec(str(one / "idna-3.10-py3-none-any.whl"), "command line")
    check_one_version_each([parse_spec("idna==3.10", "reqs.txt:1"), first])
    second = parse_spec(str(two / "idna-3.10-py3-none-any.whl"), "command line")
    with pytest.raises(PlanError, match=r"conflicting requirements: idna-3\.10-py3-none-any\.whl"):
        check_one_version_each([first, second])
