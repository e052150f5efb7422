"""``graft lock`` lists a locked release's wheels for machines newer than the matrix's newest
tags (decision 314), against a loopback index whose wheels are made in the test.

A Linux environment is resolved for ``manylinux_2_28`` down to ``manylinux1`` and a macOS one
for 15.0 down: a release's ``manylinux_2_34`` or ``macosx_26_0`` wheel is what pip and uv take
on such a machine (debugpy 1.8.22 has Linux wheels for ``manylinux_2_34`` only, beside a
pure fallback), so the lock lists it, and ``Pylock.select()`` gives it to that machine and
the fallback to an older one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.pylock import PylockSelectError
from packaging.tags import Tag, mac_platforms

from graft.resolve.environments import Environment, matrix
from graft.venv.foreign import foreign_target
from tests.integration.test_lock import entries, lock
from tests.support.rangeserver import Served, serve
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from packaging.pylock import Pylock

NEWER_LINUX = "py3-none-manylinux_2_34_x86_64.manylinux_2_34_aarch64"


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    with serve() as served:
        served.add(make_wheel(wheels, "dep", "1.0", {"dep.py": ""}))
        # as debugpy 1.8.22: a pure fallback, a wheel for glibc 2.34, and one for macOS 26
        served.add(make_wheel(wheels, "dbg", "1.0", {"dbg.py": ""}))
        served.add(make_wheel(wheels, "dbg", "1.0", {"dbg_fast.py": ""}, tag=NEWER_LINUX))
        served.add(
            make_wheel(wheels, "dbg", "1.0", {"dbg_mac.py": ""}, tag="py3-none-macosx_26_0_arm64")
        )
        # a glibc 2.34 wheel stating another dependency: no marker can tell it apart
        served.add(make_wheel(wheels, "odd", "1.0", {"odd.py": ""}))
        served.add(
            make_wheel(
                wheels, "odd", "1.0", {"odd_fast.py": ""}, tag=NEWER_LINUX, requires=("dep",)
            )
        )
        yield served


def _chosen(parsed: Pylock, env: Environment, platforms: list[str]) -> dict[str, str]:
    """The files ``Pylock.select()`` gives a machine of *env*'s system with *platforms*."""
    target = foreign_target(env.target.version, platforms, as_pip=False)
    tags = [Tag(*t.split("-", 2)) for t in target.tags]
    return {
        str(package.name): str(getattr(dist, "name", ""))
        for package, dist in parsed.select(environment=env.target.markers, tags=tags)  # type: ignore[arg-type]
    }


def test_a_locked_release_lists_its_wheels_for_newer_machines(
    tmp_path: Path, index: Served
) -> None:
    parsed, _ = lock(tmp_path, index, "dbg", "odd", "--python-version", "3.12")
    (dbg,) = entries(parsed, "dbg")
    assert [w.name for w in dbg.wheels or ()] == [
        "dbg-1.0-py3-none-any.whl",
        "dbg-1.0-py3-none-macosx_26_0_arm64.whl",
        f"dbg-1.0-{NEWER_LINUX}.whl",
    ]
    (odd,) = entries(parsed, "odd")  # its glibc 2.34 wheel would need dep: left out
    assert [w.name for w in odd.wheels or ()] == ["odd-1.0-py3-none-any.whl"]
    assert {p.name for p in parsed.packages} == {"dbg", "odd"}
    linux, _, mac_arm, mac_intel, *_ = matrix(["3.12"])
    newer_glibc = [f"manylinux_2_{n}_x86_64" for n in range(36, 16, -1)]
    assert _chosen(parsed, linux, newer_glibc)["dbg"] == f"dbg-1.0-{NEWER_LINUX}.whl"
    assert _chosen(parsed, linux, list(linux.platforms))["dbg"] == "dbg-1.0-py3-none-any.whl"
    assert _chosen(parsed, linux, newer_glibc)["odd"] == "odd-1.0-py3-none-any.whl"
    tahoe = list(mac_platforms((26, 0), "arm64"))
    assert _chosen(parsed, mac_arm, tahoe)["dbg"] == "dbg-1.0-py3-none-macosx_26_0_arm64.whl"
    assert _chosen(parsed, mac_arm, list(mac_arm.platforms))["dbg"] == "dbg-1.0-py3-none-any.whl"
    assert _chosen(parsed, mac_intel, list(mac_platforms((26, 0), "x86_64")))["dbg"] == (
        "dbg-1.0-py3-none-any.whl"  # (an arm64 wheel is no Intel Mac's)
    )


def test_a_named_platform_tag_lists_that_tag_s_wheels_alone(tmp_path: Path, index: Served) -> None:
    """``--platform manylinux_2_28_x86_64`` is that tag, as pip reads it: nothing newer."""
    parsed, _ = lock(
        tmp_path, index, "dbg", "--python-version", "3.12", "--platform", "manylinux_2_28_x86_64"
    )
    (dbg,) = entries(parsed, "dbg")
    assert [w.name for w in dbg.wheels or ()] == ["dbg-1.0-py3-none-any.whl"]


@pytest.fixture
def siblings(wheels: Path) -> Iterator[Served]:
    """As orjson: wheels for glibc, musl, 64- and 32-bit Windows, ppc64le; a pure fallback."""
    with serve() as served:
        served.add(make_wheel(wheels, "dep", "1.0", {"dep.py": ""}))
        for tag in (
            "py3-none-any",
            "py3-none-manylinux_2_17_x86_64.manylinux_2_17_aarch64",
            "py3-none-musllinux_1_2_x86_64.musllinux_1_2_aarch64",
            "py3-none-musllinux_1_1_x86_64",
            "py3-none-win_amd64",
            "py3-none-win32",
            "py3-none-manylinux_2_17_ppc64le",
        ):
            served.add(make_wheel(wheels, "fast", "1.0", {"fast.py": ""}, tag=tag))
        # a musl wheel stating another dependency: no marker tells musl from glibc
        served.add(make_wheel(wheels, "odd", "1.0", {"odd.py": ""}))
        served.add(
            make_wheel(
                wheels, "odd", "1.0", {"odd_c.py": ""}, tag="py3-none-musllinux_1_2_x86_64",
                requires=("dep",),
            )
        )  # fmt: skip
        yield served


def test_a_locked_release_lists_its_wheels_for_machines_its_environments_stand_for(
    tmp_path: Path, siblings: Served
) -> None:
    """Decision 320: musl Linux and 32-bit Windows CPython meet the lock's markers."""
    parsed, _ = lock(tmp_path, siblings, "fast", "odd", "--python-version", "3.12")
    (fast,) = entries(parsed, "fast")
    assert [w.name for w in fast.wheels or ()] == [
        "fast-1.0-py3-none-any.whl",
        "fast-1.0-py3-none-manylinux_2_17_x86_64.manylinux_2_17_aarch64.whl",
        "fast-1.0-py3-none-musllinux_1_1_x86_64.whl",
        "fast-1.0-py3-none-musllinux_1_2_x86_64.musllinux_1_2_aarch64.whl",
        "fast-1.0-py3-none-win32.whl",
        "fast-1.0-py3-none-win_amd64.whl",
    ]  # (ppc64le: no environment of the lock is that machine's)
    (odd,) = entries(parsed, "odd")
    assert [w.name for w in odd.wheels or ()] == ["odd-1.0-py3-none-any.whl"]
    linux, linux_arm, mac, _, windows, windows_arm = matrix(["3.12"])
    alpine = [f"musllinux_1_{n}_x86_64" for n in (2, 1, 0)] + ["linux_x86_64"]
    assert _chosen(parsed, linux, alpine)["fast"] == (
        "fast-1.0-py3-none-musllinux_1_2_x86_64.musllinux_1_2_aarch64.whl"
    )
    assert (
        _chosen(parsed, linux, alpine[1:])["fast"] == "fast-1.0-py3-none-musllinux_1_1_x86_64.whl"
    )
    assert _chosen(parsed, linux, alpine)["odd"] == "odd-1.0-py3-none-any.whl"
    assert _chosen(parsed, linux_arm, ["musllinux_1_2_aarch64"])["fast"] == (
        "fast-1.0-py3-none-musllinux_1_2_x86_64.musllinux_1_2_aarch64.whl"
    )
    # what each machine the lock's environments name got before, it gets still
    assert _chosen(parsed, linux, list(linux.platforms))["fast"] == (
        "fast-1.0-py3-none-manylinux_2_17_x86_64.manylinux_2_17_aarch64.whl"
    )
    assert _chosen(parsed, mac, list(mac.platforms))["fast"] == "fast-1.0-py3-none-any.whl"
    assert _chosen(parsed, windows, ["win_amd64"])["fast"] == "fast-1.0-py3-none-win_amd64.whl"
    # 32-bit CPython on 64-bit Windows: platform_machine is the system's, AMD64 or ARM64
    assert _chosen(parsed, windows, ["win32"])["fast"] == "fast-1.0-py3-none-win32.whl"
    assert _chosen(parsed, windows_arm, ["win32"])["fast"] == "fast-1.0-py3-none-win32.whl"
    assert _chosen(parsed, windows_arm, ["win_arm64"])["fast"] == "fast-1.0-py3-none-any.whl"


@pytest.fixture
def glibc_2_34(wheels: Path) -> Iterator[Served]:
    """A release whose only Linux wheels need glibc 2.34, and an older pure one."""
    with serve() as served:
        served.add(make_wheel(wheels, "new", "1.0", {"new.py": ""}))
        for tag in (
            "py3-none-manylinux_2_34_x86_64.manylinux_2_34_aarch64",
            "py3-none-macosx_11_0_arm64",
            "py3-none-win_amd64",
        ):
            served.add(make_wheel(wheels, "new", "2.0", {"new.py": ""}, tag=tag))
        served.add(
            make_wheel(wheels, "old", "1.0", {"old.py": ""}, tag="py3-none-manylinux1_x86_64")
        )
        yield served


def test_a_release_for_glibc_2_34_alone_is_locked_for_linux_named_with_that_glibc(
    tmp_path: Path, glibc_2_34: Served
) -> None:
    """Decision 322: ``--platform x86_64-manylinux_2_34`` (uv's name) is an x86_64 Linux of
    glibc 2.34: ``manylinux_2_34`` and every older level, so a release whose Linux wheels
    need glibc 2.34 is taken there, and an older manylinux wheel still fits."""
    parsed, said = lock(
        tmp_path, glibc_2_34, "new", "old", "--python-version", "3.12",
        "--platform", "x86_64-manylinux_2_34", "--platform", "macos",
    )  # fmt: skip
    (new,) = entries(parsed, "new")
    assert str(new.version) == "2.0"
    (old,) = entries(parsed, "old")
    assert [w.name for w in old.wheels or ()] == ["old-1.0-py3-none-manylinux1_x86_64.whl"]
    assert any('platform_machine == "x86_64"' in str(m) for m in parsed.environments or ())
    # the default Linux (glibc 2.28) keeps the older release, and says why and what to name
    default, said = lock(tmp_path, glibc_2_34, "new", "--python-version", "3.12")
    linux, _, mac, *_ = matrix(["3.12"])
    assert _chosen(default, linux, list(linux.platforms))["new"] == "new-1.0-py3-none-any.whl"
    assert (
        _chosen(default, mac, list(mac.platforms))["new"]
        == "new-2.0-py3-none-macosx_11_0_arm64.whl"
    )
    assert (
        "graft: warning: cp312 manylinux_2_28_x86_64: new 2.0 has"
        " Linux wheels only for glibc 2.34 and newer: locked 1.0, which older glibc installs"
        " too (--platform x86_64-manylinux_2_34 locks 2.0 for such machines; decision 322)"
    ) in " ".join(said.split())
    assert "cp312 manylinux_2_28_aarch64: new 2.0" in said  # (each machine its own --platform)


@pytest.fixture
def macos_15(wheels: Path) -> Iterator[Served]:
    """As opencv-python 5.1.0.95: a release whose macOS wheels are all for macOS 15."""
    elsewhere = (
        "py3-none-manylinux_2_17_x86_64.manylinux_2_17_aarch64",
        "py3-none-win_amd64.win_arm64",
    )
    with serve() as served:
        for version, macos in (("1.0", "macosx_11_0"), ("2.0", "macosx_15_0")):
            for tag in (f"py3-none-{macos}_arm64", f"py3-none-{macos}_x86_64", *elsewhere):
                served.add(make_wheel(wheels, "cv", version, {"cv.py": ""}, tag=tag))
        yield served


def test_a_release_whose_macos_wheels_need_the_newest_macos_is_said_with_the_way_to_lock_older(
    tmp_path: Path, macos_15: Served
) -> None:
    """Decision 418: the lock's macOS environments take macOS 15 and older wheels, and their
    markers hold on every macOS; a release whose macOS wheels are all for 15.0 leaves an
    older macOS without a wheel. Said per machine, with the ``--platform`` that locks macOS 14
    (which takes the release before); a release with a wheel for an older macOS says nothing."""
    parsed, said = lock(tmp_path, macos_15, "cv", "--python-version", "3.12")
    (cv,) = entries(parsed, "cv")
    assert str(cv.version) == "2.0"
    said = " ".join(said.split())
    for arch in ("arm64", "x86_64"):
        assert (
            f"graft: warning: cp312 macosx_15_0_{arch}: cv 2.0 has macOS wheels only for macOS"
            " 15.0 and newer: an older macOS finds no wheel of it in this lock (--platform"
            f" macosx_14_0_{arch} in place of macos locks for macOS 14; decision 418)"
        ) in said
    assert said.count("decision 418") == 2  # (not for Linux or Windows)
    mac, _ = matrix(["3.12"], ["macos"])
    assert (
        _chosen(parsed, mac, list(mac.platforms))["cv"] == "cv-2.0-py3-none-macosx_15_0_arm64.whl"
    )
    sonoma = list(mac_platforms((14, 0), "arm64"))
    with pytest.raises(PylockSelectError, match="cv"):  # (what the warning warns of)
        _chosen(parsed, mac, sonoma)
    older, said = lock(
        tmp_path, macos_15, "cv", "--python-version", "3.12", "--platform", "macosx_14_0_arm64"
    )
    assert [str(p.version) for p in older.packages] == ["1.0"]
    assert "decision 418" not in said
    _, said = lock(tmp_path, macos_15, "cv==1.0", "--python-version", "3.12")
    assert "decision 418" not in said


@pytest.fixture
def macos_12(wheels: Path) -> Iterator[Served]:
    """As onnx 1.17.0 (``ox``: ``macosx_12_0_universal2`` alone), torch 2.15 (``tq``: arm64
    for macOS 14) and scipy 1.18 (``sp``: arm64 for 12.0, x86_64 for 10.9); each one's release
    before serves older macOS."""
    elsewhere = ("py3-none-manylinux_2_17_x86_64.manylinux_2_17_aarch64", "py3-none-win_amd64")
    releases: dict[str, dict[str, tuple[str, ...]]] = {
        "ox": {"1.0": ("macosx_11_0_universal2",), "2.0": ("macosx_12_0_universal2",)},
        "tq": {
            "1.0": ("macosx_11_0_arm64", "macosx_10_9_x86_64"),
            "2.0": ("macosx_14_0_arm64", "macosx_10_9_x86_64"),
        },
        "sp": {"1.0": ("macosx_11_0_arm64", "macosx_10_9_x86_64")},
    }
    with serve() as served:
        for name, versions in releases.items():
            for version, macos in versions.items():
                for tag in (*(f"py3-none-{m}" for m in macos), *elsewhere):
                    served.add(make_wheel(wheels, name, version, {f"{name}.py": ""}, tag=tag))
        served.add(make_wheel(wheels, "sp", "2.0", {"sp.py": ""}, tag="py3-none-macosx_12_0_arm64"))
        served.add(
            make_wheel(wheels, "sp", "2.0", {"sp.py": ""}, tag="py3-none-macosx_10_9_x86_64")
        )
        for tag in elsewhere:
            served.add(make_wheel(wheels, "sp", "2.0", {"sp.py": ""}, tag=tag))
        yield served


def test_a_release_whose_macos_wheels_need_a_macos_newer_than_the_machine_s_floor_is_said(
    tmp_path: Path, macos_12: Served
) -> None:
    """Decision 490: a lock's macOS environments serve macOS 12.0 and newer on arm64 and
    11.0 and newer on x86_64 (``MACOS_FLOOR``: what the common binary wheels there need); a
    release whose macOS wheels all need a newer macOS is said once per machine, with the
    ``--platform`` that locks the macOS before. onnx 1.17.0's ``macosx_12_0_universal2``
    wheels are said for x86_64 (not arm64, whose floor is 12.0), a torch needing macOS 14 on
    arm64 for arm64 alone; a scipy needing 12.0 on arm64 says nothing."""
    parsed, said = lock(tmp_path, macos_12, "ox", "tq", "sp", "--python-version", "3.12")
    assert {p.name: str(p.version) for p in parsed.packages} == {
        "ox": "2.0",
        "tq": "2.0",
        "sp": "2.0",
    }
    said = " ".join(said.split())
    assert (
        "graft: warning: cp312 macosx_15_0_x86_64: ox 2.0 has macOS wheels only for macOS 12.0"
        " and newer: an older macOS finds no wheel of it in this lock (--platform"
        " macosx_11_0_x86_64 in place of macos locks for macOS 11; decision 490)"
    ) in said
    assert (
        "graft: warning: cp312 macosx_15_0_arm64: tq 2.0 has macOS wheels only for macOS 14.0"
        " and newer: an older macOS finds no wheel of it in this lock (--platform"
        " macosx_13_0_arm64 in place of macos locks for macOS 13; decision 490)"
    ) in said
    assert said.count("decision 490") == 2  # (not ox on arm64, not tq on x86_64, not sp)
    arm, intel = matrix(["3.12"], ["macos"])
    with pytest.raises(PylockSelectError, match="ox"):  # (what the warning warns of)
        _chosen(parsed, intel, list(mac_platforms((11, 0), "x86_64")))
    with pytest.raises(PylockSelectError, match="tq"):
        _chosen(parsed, arm, list(mac_platforms((13, 0), "arm64")))
    assert _chosen(parsed, arm, list(mac_platforms((14, 0), "arm64")))["ox"] == (
        "ox-2.0-py3-none-macosx_12_0_universal2.whl"
    )
    older, said = lock(
        tmp_path, macos_12, "ox", "tq", "--python-version", "3.12", "--platform",
        "macosx_11_0_x86_64",
    )  # fmt: skip
    assert {p.name: str(p.version) for p in older.packages} == {"ox": "1.0", "tq": "2.0"}
    assert "decision 490" not in said
    _, said = lock(tmp_path, macos_12, "sp", "ox==1.0", "tq==1.0", "--python-version", "3.12")
    assert "decision 490" not in said  # (the control: each within its machine's floor)
