"""``graft lock`` forks a series on ``python_full_version`` where its releases resolve apart.

Decision 153: a dependency whose marker bounds a micro release, and a newer release whose
Requires-Python excludes a series' first releases, split the series into ranges, each
resolved for its first release; the entries' markers name ``python_full_version`` there and
only there, so that ``Pylock.select()`` on each micro release picks what a flat install on
it gets. A loopback index; wheels made in the test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from packaging.pylock import PylockSelectError

from graft.resolve.environments import Environment, matrix
from graft.resolve.lock_ranges import MAX_RANGES
from tests.integration.test_lock import entries, lock, selected
from tests.support.rangeserver import Served, serve
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from packaging.pylock import Pylock

    from graft.model.target import Target


@pytest.fixture
def index() -> Iterator[Served]:
    with serve() as served:
        yield served


SERIES = ("--python-version", "3.10", "--python-version", "3.11", "--python-version", "3.12")
LINUX = ("--platform", "linux")


def at(parsed: Pylock, series: str, micro: int) -> dict[str, str]:
    """What ``Pylock.select()`` installs on Linux x86_64 CPython ``series.micro``."""
    env = next(e for e in matrix([series], ["linux"]) if "x86_64" in e.platforms[0])
    full = f"{series}.{micro}"
    markers = {**env.target.markers, "python_full_version": full, "implementation_version": full}
    moved = Environment(env.python, env.platforms, _with(env, markers))
    return {k: v.split("-")[1] for k, v in selected(parsed, moved).items()}


def _with(env: Environment, markers: dict[str, str]) -> Target:
    import dataclasses

    return dataclasses.replace(env.target, markers=markers)


def _markers(parsed: Pylock) -> list[tuple[str, str, str | None]]:
    return [
        (str(p.name), str(p.version), str(p.marker) if p.marker else None) for p in parsed.packages
    ]


def test_a_dependency_only_early_micro_releases_need_is_locked_for_them(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    """redis's ``async-timeout>=4.0.3; python_full_version < "3.11.3"``: not on 3.11.3."""
    requires = ('timeout>=4; python_full_version < "3.11.3"',)
    index.add(make_wheel(wheels, "svc", "1.0", {"svc.py": ""}, requires=requires))
    for version in ("3.0", "5.0"):
        index.add(make_wheel(wheels, "timeout", version, {"timeout.py": ""}))
    parsed, err = lock(tmp_path, index, "svc", *SERIES, *LINUX)
    assert _markers(parsed) == [
        ("svc", "1.0", None),
        ("timeout", "5.0", 'python_full_version < "3.11.3"'),
    ]
    assert at(parsed, "3.11", 2) == {"svc": "1.0", "timeout": "5.0"}
    assert at(parsed, "3.11", 3) == {"svc": "1.0"}
    assert at(parsed, "3.10", 13) == {"svc": "1.0", "timeout": "5.0"}
    assert at(parsed, "3.12", 0) == {"svc": "1.0"}
    assert "warning" not in err
    again = tmp_path / "pylock.toml"
    before = again.read_bytes()
    lock(tmp_path, index, "svc", *SERIES, *LINUX)
    assert again.read_bytes() == before  # a second run writes the same bytes


def test_a_release_excluding_the_first_micro_releases_forks_the_series(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    """cryptography 44+ (``!=3.9.0,!=3.9.1``) and soupsieve 4.1 (``>=3.11.5``), in one.

    The first releases keep the older release (Debian 12's 3.11.2 installs the lock), the
    later ones take the newer; a range's own resolution meets a new bound (2.0 needs
    ``extra; python_full_version >= "3.11.7"``), which forks it again. A re-lock of the
    lock, and a second run, write the same bytes.
    """
    index.add(make_wheel(wheels, "soup", "1.0", {"soup.py": ""}))
    spec = ">=3.11.5"
    needs = ('extra; python_full_version >= "3.11.7"',)
    newer = make_wheel(wheels, "soup", "2.0", {"soup.py": ""}, requires_python=spec, requires=needs)
    index.add_wheel(newer, requires_python=spec)
    index.add(make_wheel(wheels, "extra", "1.0", {"extra.py": ""}))
    parsed, err = lock(tmp_path, index, "soup", *SERIES, *LINUX)
    assert _markers(parsed) == [
        ("extra", "1.0", 'python_full_version >= "3.11.7"'),
        ("soup", "1.0", 'python_full_version < "3.11.5"'),
        ("soup", "2.0", 'python_full_version >= "3.11.5"'),
    ]
    assert at(parsed, "3.10", 0) == {"soup": "1.0"}
    assert at(parsed, "3.11", 2) == {"soup": "1.0"}
    assert at(parsed, "3.11", 5) == {"soup": "2.0"}
    assert at(parsed, "3.11", 7) == {"soup": "2.0", "extra": "1.0"}
    assert at(parsed, "3.12", 0) == {"soup": "2.0", "extra": "1.0"}
    assert "needs a later Python" not in err
    assert {str(m) for m in parsed.environments or ()} >= {
        (
            'implementation_name == "cpython" and sys_platform == "linux" and platform_machine'
            ' == "x86_64" and python_version == "3.11"'
        )
    }
    out = tmp_path / "pylock.toml"
    first = out.read_bytes()
    lock(tmp_path, index, "soup", *SERIES, *LINUX)
    assert out.read_bytes() == first
    (tmp_path / "relock").mkdir()
    (tmp_path / "relock" / "pylock.toml").write_bytes(first)
    relocked, _ = lock(tmp_path, index, str(tmp_path / "relock" / "pylock.toml"), *SERIES, *LINUX)
    assert _markers(relocked) == _markers(parsed)


def test_no_micro_bound_no_fork(tmp_path: Path, wheels: Path, index: Served) -> None:
    """The control: markers and Requires-Python on minor versions fork nothing.

    Nothing more is resolved, and the lock names no ``python_full_version``; nor when a
    micro bound's ranges resolve alike (the dependency is a root anyway): merged back.
    """
    requires = ('old; python_version < "3.11"',)
    index.add(make_wheel(wheels, "ctl", "1.0", {"ctl.py": ""}, requires=requires))
    newer = make_wheel(wheels, "ctl", "2.0", {"ctl.py": ""}, requires_python=">=3.13")
    index.add_wheel(newer, requires_python=">=3.13")
    index.add(make_wheel(wheels, "old", "1.0", {"old.py": ""}))
    parsed, err = lock(tmp_path, index, "ctl", *SERIES, *LINUX, "-v")
    assert "python_full_version" not in (tmp_path / "pylock.toml").read_text()
    assert _markers(parsed) == [("ctl", "1.0", None), ("old", "1.0", 'python_version < "3.11"')]
    assert "graft: resolved 6 environments; METADATA read" in err  # (nothing more)
    requires = ('dep; python_full_version < "3.11.3"',)
    index.add(make_wheel(wheels, "app", "1.0", {"app.py": ""}, requires=requires))
    index.add(make_wheel(wheels, "dep", "1.0", {"dep.py": ""}))
    parsed, err = lock(tmp_path, index, "app", "dep", *SERIES, *LINUX, "-v")
    assert "python_full_version" not in (tmp_path / "pylock.toml").read_text()
    assert _markers(parsed) == [("app", "1.0", None), ("dep", "1.0", None)]
    assert "and 4 ranges of micro releases" in err  # (3.11 on two machines, merged back)


def test_a_series_is_forked_into_at_most_so_many_ranges(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    """Beyond ``MAX_RANGES``, the last range is locked as decision 113 locks a series."""
    names = [f"p{i}" for i in range(1, MAX_RANGES + 2)]
    for name in names:
        index.add(make_wheel(wheels, name, "1.0", {f"{name}.py": ""}))
    roots = [f'{n}; python_full_version >= "3.11.{i}"' for i, n in enumerate(names, 1)]
    (tmp_path / "in.txt").write_text("\n".join(roots) + "\n")
    parsed, err = lock(
        tmp_path, index, "-r", str(tmp_path / "in.txt"), "--python-version", "3.11", *LINUX
    )
    last = MAX_RANGES - 1  # (ranges 3.11.0, 3.11.1, ..., 3.11.<last> and later)
    assert f"not forked at 3.11.{last + 1}, 3.11.{last + 2}" in err
    assert at(parsed, "3.11", 0) == {}
    assert at(parsed, "3.11", 3) == dict.fromkeys(names[:3], "1.0")
    assert at(parsed, "3.11", last) == dict.fromkeys(names, "1.0")  # (all, as decision 113)


@pytest.mark.parametrize("micro", [0, 1, 2])
def test_every_micro_release_selects_one_entry_per_project(
    tmp_path: Path, wheels: Path, index: Served, micro: int
) -> None:
    """The entries' markers are pairwise disjoint on each micro release (3.12 forked at .1)."""
    index.add(make_wheel(wheels, "lib", "1.0", {"lib.py": ""}))
    newer = make_wheel(wheels, "lib", "2.0", {"lib.py": ""}, requires_python="!=3.12.0")
    index.add_wheel(newer, requires_python="!=3.12.0")
    parsed, _ = lock(tmp_path, index, "lib", "--platform", "linux", "--platform", "windows")
    for env in matrix(["3.11", "3.12", "3.13"], ["linux", "windows"]):
        full = f"{env.python}.{micro}"
        markers = {**env.target.markers, "python_full_version": full}
        holding = [
            p for p in entries(parsed, "lib") if p.marker is None or p.marker.evaluate(markers)
        ]
        assert len(holding) == 1, (env.label, micro)
        expected = "1.0" if (env.python, micro) == ("3.12", 0) else "2.0"
        assert str(holding[0].version) == expected, (env.label, micro)


def test_a_series_whose_first_releases_have_no_resolution_is_locked_from_a_later_one(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    """``cryptography>=44`` on 3.9: the newest excludes X.Y.0 and X.Y.1 (decision 157).

    3.11 is locked from 3.11.2 on (``python_full_version >= "3.11.2"`` in ``environments``),
    not left out; ``Pylock.select()`` gives the newest on 3.11.2 and refuses 3.11.0 and
    3.11.1. One line says what was left out, for both machines. A second run and a re-lock
    of the lock write the same.
    """
    index.add(make_wheel(wheels, "crypt", "1.0", {"crypt.py": ""}))
    spec = "!=3.11.0,!=3.11.1,>=3.8"
    newer = make_wheel(
        wheels, "crypt", "2.0", {"crypt.py": ""}, requires_python=spec, requires=("helper",)
    )
    index.add_wheel(newer, requires_python=spec)
    index.add(make_wheel(wheels, "helper", "1.0", {"helper.py": ""}))
    parsed, err = lock(tmp_path, index, "crypt>=2", *SERIES, *LINUX)
    assert _markers(parsed) == [("crypt", "2.0", None), ("helper", "1.0", None)]
    listed = [str(m) for m in parsed.environments or ()]
    assert len(listed) == 6  # (3.10, 3.11 and 3.12 on two machines: none left out)
    late = [m for m in listed if 'python_version == "3.11"' in m]
    assert len(late) == 2
    assert all(m.endswith('python_full_version >= "3.11.2"') for m in late)
    assert all("python_full_version" not in m for m in listed if m not in late)
    assert str(parsed.requires_python) == "<3.13,>=3.10"
    assert at(parsed, "3.11", 2) == {"crypt": "2.0", "helper": "1.0"}
    assert at(parsed, "3.11", 18) == {"crypt": "2.0", "helper": "1.0"}
    assert at(parsed, "3.10", 0) == {"crypt": "2.0", "helper": "1.0"}
    for micro in (0, 1):
        with pytest.raises(PylockSelectError):
            at(parsed, "3.11", micro)
    said = [line for line in err.splitlines() if "locked from" in line]
    assert said == [
        (
            "graft: warning: cp311 on manylinux_2_28_x86_64 and manylinux_2_28_aarch64: locked"
            " from 3.11.2 on, without 3.11.0-3.11.1: crypt 2.0 requires Python"
            " !=3.11.0,!=3.11.1,>=3.8 (3.11.0: no version of crypt matches >=2 for the target)"
        )
    ]
    assert "not locked for" not in err
    out = tmp_path / "pylock.toml"
    first = out.read_bytes()
    lock(tmp_path, index, "crypt>=2", *SERIES, *LINUX)
    assert out.read_bytes() == first  # a second run writes the same bytes
    (tmp_path / "relock").mkdir()
    (tmp_path / "relock" / "pylock.toml").write_bytes(first)
    relocked, _ = lock(tmp_path, index, str(tmp_path / "relock" / "pylock.toml"), *SERIES, *LINUX)
    assert [str(m) for m in relocked.environments or ()] == listed  # (3.11 from 3.11.2 again)
    assert _markers(relocked) == _markers(parsed)


def test_a_lock_of_the_late_series_alone_starts_there(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    """Its ``requires-python`` starts at the first release locked; one never resolved is out.

    Where a Windows wheel admits 3.11.0, ``requires-python`` keeps 3.11.0: the lowest
    release any platform is locked from.
    """
    spec = "!=3.11.0,!=3.11.1,>=3.8"
    newer = make_wheel(
        wheels,
        "crypt",
        "2.0",
        {"crypt.py": ""},
        requires_python=spec,
        tag="py3-none-manylinux_2_28_x86_64",
    )
    index.add_wheel(newer, requires_python=spec)
    windows = make_wheel(wheels, "crypt", "2.0", {"crypt.py": ""}, tag="py3-none-win_amd64")
    index.add(windows)
    later = make_wheel(wheels, "never", "1.0", {"never.py": ""}, requires_python=">=3.12")
    index.add_wheel(later, requires_python=">=3.12")
    one = ("--python-version", "3.11", "--platform", "manylinux_2_28_x86_64")
    parsed, _ = lock(tmp_path, index, "crypt", *one)
    assert str(parsed.requires_python) == "<3.12,>=3.11.2"
    assert at(parsed, "3.11", 2) == {"crypt": "2.0"}
    parsed, err = lock(tmp_path, index, "crypt", *one, "--platform", "win_amd64")
    assert str(parsed.requires_python) == "<3.12,>=3.11"  # (Windows from 3.11.0)
    assert "cp311 manylinux_2_28_x86_64: locked from 3.11.2 on, without 3.11.0-3.11.1" in err
    listed = sorted(str(m) for m in parsed.environments or ())
    assert [m.endswith('python_full_version >= "3.11.2"') for m in listed] == [True, False]
    _, err = lock(tmp_path, index, "never", *SERIES, *LINUX)
    assert "locked from" not in err  # (no later 3.10 or 3.11 release admits it)
    both = "cp310 and cp311 on manylinux_2_28_x86_64 and manylinux_2_28_aarch64"
    assert f"not locked for {both}: " in err  # (one reason, one line: decision 158)


def test_a_dependency_s_own_marker_starts_the_series_later(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    """``need<1; python_full_version < "3.11.2"``, and no release of ``need`` below 1.

    The first releases have no resolution only by a marker in the root's Requires-Dist (not
    a root's, nor a Requires-Python): 3.11 is locked from 3.11.2 on (decision 202); every
    3.10 release needs ``need<1`` and is left out. ``uv pip compile --universal`` fails
    the whole lock there ("No solution found when resolving dependencies for split
    (markers: python_full_version < '3.11.2')").
    """
    requires = ('need<1; python_full_version < "3.11.2"', "need")
    index.add(make_wheel(wheels, "top", "1.0", {"top.py": ""}, requires=requires))
    index.add(make_wheel(wheels, "need", "1.0", {"need.py": ""}))
    parsed, err = lock(tmp_path, index, "top", *SERIES, *LINUX)
    late = [str(m) for m in parsed.environments or () if 'python_version == "3.11"' in str(m)]
    assert len(late) == 2, err
    assert all(m.endswith('python_full_version >= "3.11.2"') for m in late)
    assert at(parsed, "3.11", 2) == {"top": "1.0", "need": "1.0"}
    with pytest.raises(PylockSelectError):
        at(parsed, "3.11", 1)
    assert "locked from 3.11.2 on, without 3.11.0-3.11.1" in err
    assert "not locked for cp310 on manylinux_2_28_x86_64 and manylinux_2_28_aarch64" in err


def test_a_dependency_only_later_releases_need_keeps_the_first_releases(
    tmp_path: Path, wheels: Path, index: Served
) -> None:
    """``dep; python_full_version >= "3.11.2"``, dep's release requiring Python >=3.11.2.

    Every micro release of 3.11 has a resolution (3.11.0 and 3.11.1 without dep): the
    series is not started later but forked, and ``dep`` holds from 3.11.2 on.
    """
    requires = ('dep; python_full_version >= "3.11.2"',)
    index.add(make_wheel(wheels, "top", "1.0", {"top.py": ""}, requires=requires))
    spec = ">=3.11.2"
    index.add_wheel(
        make_wheel(wheels, "dep", "1.0", {"dep.py": ""}, requires_python=spec),
        requires_python=spec,
    )
    parsed, err = lock(tmp_path, index, "top", *SERIES, *LINUX)
    assert all("python_full_version" not in str(m) for m in parsed.environments or ()), err
    assert "locked from" not in err
    assert _markers(parsed) == [
        ("dep", "1.0", 'python_full_version >= "3.11.2"'),
        ("top", "1.0", None),
    ]
    assert len(parsed.environments or ()) == 6
    assert at(parsed, "3.11", 0) == {"top": "1.0"}
    assert at(parsed, "3.11", 1) == {"top": "1.0"}
    assert at(parsed, "3.11", 2) == {"top": "1.0", "dep": "1.0"}
    assert at(parsed, "3.10", 9) == {"top": "1.0"}
    assert at(parsed, "3.12", 0) == {"top": "1.0", "dep": "1.0"}
