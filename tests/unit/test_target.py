from __future__ import annotations

import pytest

from graft.errors import TargetError
from graft.target import foreign_target


def test_foreign_cpython_tags_follow_pip_order() -> None:
    target = foreign_target("3.12", ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64"])
    assert target.tags[:3] == (
        "cp312-cp312-manylinux_2_28_x86_64",
        "cp312-cp312-manylinux_2_17_x86_64",
        "cp312-abi3-manylinux_2_28_x86_64",
    )
    ranks = target.tag_rank()
    assert ranks["cp311-abi3-manylinux_2_28_x86_64"] < ranks["cp38-abi3-manylinux_2_28_x86_64"]
    assert ranks["cp38-abi3-manylinux_2_28_x86_64"] < ranks["py3-none-any"]
    assert "cp313-cp313-manylinux_2_28_x86_64" not in ranks
    assert target.cache_tag is None  # planning only: nothing is compiled for it


@pytest.mark.parametrize(
    ("platform", "sys_platform", "machine"),
    [
        ("manylinux2014_aarch64", "linux", "aarch64"),
        ("musllinux_1_2_x86_64", "linux", "x86_64"),
        ("win_amd64", "win32", "AMD64"),
        ("macosx_11_0_arm64", "darwin", "arm64"),
    ],
)
def test_foreign_markers_come_from_the_platform(
    platform: str, sys_platform: str, machine: str
) -> None:
    target = foreign_target("3.11.4", [platform])
    assert target.markers["sys_platform"] == sys_platform
    assert target.markers["platform_machine"] == machine
    assert target.markers["python_full_version"] == "3.11.4"
    assert target.markers["python_version"] == "3.11"


def test_pypy_has_no_abi3() -> None:
    target = foreign_target("3.10", ["manylinux_2_28_x86_64"], "pp", ["pypy310_pp73"])
    assert target.tags[0] == "pp310-pypy310_pp73-manylinux_2_28_x86_64"
    assert not any("abi3" in t for t in target.tags)


def test_bad_versions_are_refused() -> None:
    with pytest.raises(TargetError):
        foreign_target("2.7", ["win_amd64"])
    with pytest.raises(TargetError):
        foreign_target("3.12", ["win_amd64"], "jy")
