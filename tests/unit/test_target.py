from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging import tags

from graft.errors import TargetError, UsageError
from graft.resolve.environments import matrix
from graft.venv.foreign import foreign_target


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
    with pytest.raises(UsageError):  # (a value the option cannot take: decision 324)
        foreign_target("2.7", ["win_amd64"])
    with pytest.raises(UsageError):
        foreign_target("3.12", ["win_amd64"], "jy")


def _facts(python: str) -> dict[str, object]:
    """What the target reports, run exactly as graft runs it (``-I``: no third-party path)."""
    import json
    import subprocess

    from graft.venv.interpreter import INTROSPECT_SCRIPT

    # -S as well: the script must not need site-packages at all.
    out = subprocess.run(
        [python, "-I", "-S", INTROSPECT_SCRIPT], capture_output=True, text=True, check=True
    )
    raw: dict[str, object] = json.loads(out.stdout)
    return raw


def test_own_interpreter_tags_and_markers_equal_packaging() -> None:
    """graft's tags for its own interpreter are packaging's sys_tags(), in the same order."""
    import sys

    from packaging import markers, tags

    from graft.venv.interpreter import target_from_dict

    target = target_from_dict(_facts(sys.executable))
    assert target.tags == tuple(str(t) for t in tags.sys_tags())
    assert target.markers == markers.default_environment()


def _oldest_cpython() -> str:
    import glob
    import os

    found = sorted(
        glob.glob(os.path.expanduser("~/.pyenv/versions/3.9.*/bin/python3.9")),
    )
    if not found:
        pytest.skip("no CPython 3.9 in pyenv: the oldest supported target cannot be run")
    return found[-1]


def test_introspection_runs_on_the_oldest_supported_interpreter() -> None:
    """The script imports nothing but the standard library (packaging 26.4 needs 3.10)."""
    from graft.venv.interpreter import target_from_dict

    target = target_from_dict(_facts(_oldest_cpython()))
    assert target.version.startswith("3.9.")
    assert target.tags[0].startswith("cp39-cp39-")
    assert "cp39-abi3-manylinux_2_17_x86_64" in target.tags or not target.tags[0].endswith("x86_64")
    assert target.tags[-1] == "py30-none-any"
    assert target.markers["python_version"] == "3.9"
    assert target.scheme["purelib"] == "lib/python3.9/site-packages"


def test_pypy_tags_from_facts() -> None:
    """PyPy: pp<ver>-<EXT_SUFFIX abi> first, no abi3, pp3-none-any among the compatible tags."""
    import sys

    from graft.venv.interpreter import target_from_dict

    raw = _facts(sys.executable)
    raw.update(implementation="pypy", version="3.10.14")
    raw["config"] = {
        "Py_DEBUG": 0,
        "Py_GIL_DISABLED": None,
        "EXT_SUFFIX": ".pypy310-pp73-x86_64-linux-gnu.so",
        "py_version_nodot": "310",
    }
    target = target_from_dict(raw)
    assert target.tags[0].startswith("pp310-pypy310_pp73-")
    assert not any("abi3" in t for t in target.tags)
    assert "pp3-none-any" in target.tags
    assert "cp310-none-any" not in target.tags


def test_a_cross_architecture_interpreter_is_refused_in_one_line() -> None:
    import sys

    from graft.venv.interpreter import target_from_dict

    raw = _facts(sys.executable)
    raw.update(platform="linux-i686", pointer_bits=32)
    with pytest.raises(TargetError, match="differs from graft's own"):
        target_from_dict(raw)


def test_foreign_tags_are_kept_and_anything_else_found_is_computed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tags come from packaging.tags once; the cache answers after; junk is replaced."""
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path))
    platforms = ["manylinux_2_28_aarch64", "manylinux_2_17_aarch64"]
    expected = tuple(
        dict.fromkeys(
            str(t)
            for t in (
                *tags.cpython_tags((3, 11), None, platforms),
                *tags.compatible_tags((3, 11), "cp311", platforms),
            )
        )
    )
    assert foreign_target("3.11", platforms).tags == expected
    (kept,) = (tmp_path / "targets").glob("foreign-*.tags")
    head, first = kept.read_text().splitlines()[:2]
    assert json.loads(head)[2:] == [[3, 11], "cp", [], platforms]
    assert first == expected[0]
    kept.write_text(f"{head}\npy3-none-any\n")  # an answer the cache gives back as it is
    assert foreign_target("3.11", platforms).tags == ("py3-none-any",)
    for junk in ("", f"{head}\n", f"{head}\npy3-none-any", "[]\npy3-none-any\n"):
        kept.write_text(junk)
        assert foreign_target("3.11", platforms).tags == expected, junk
    assert foreign_target("3.11", platforms[:1]).tags != expected  # another key
    assert len(list((tmp_path / "targets").glob("foreign-*.tags"))) == 2
    assert foreign_target("3.11", platforms, "pp").tags[0] == "pp311-none-manylinux_2_28_aarch64"


@pytest.mark.parametrize(
    ("given", "accepted", "not_accepted"),
    [
        ("macosx_14_0_arm64", "cp312-cp312-macosx_11_0_arm64", "cp312-cp312-macosx_15_0_arm64"),
        ("macosx_14_0_arm64", "py3-none-macosx_10_9_universal2", "py3-none-macosx_11_0_x86_64"),
        ("manylinux2014_x86_64", "py3-none-manylinux1_x86_64", "py3-none-manylinux_2_28_x86_64"),
        ("manylinux2010_i686", "cp312-cp312-manylinux1_i686", "cp312-cp312-manylinux2014_i686"),
        ("manylinux_2_28_x86_64", "py3-none-manylinux_2_28_x86_64", "py3-none-manylinux1_x86_64"),
        ("manylinux2014_aarch64", "py3-none-manylinux2014_aarch64", "py3-none-manylinux1_aarch64"),
    ],
)
def test_a_platform_tag_accepts_what_pips_platform_accepts(
    given: str, accepted: str, not_accepted: str
) -> None:
    """As ``pip download --platform``: a macOS tag with older releases (and universal2),
    a legacy manylinux tag with the older legacy ones; a PEP 600 tag alone."""
    ranks = foreign_target("3.12", [given]).tag_rank()
    assert accepted in ranks
    assert not_accepted not in ranks
    assert next(iter(ranks)).endswith(given)  # the tag named is still the best


def test_a_locks_systems_keep_their_representative_tags() -> None:
    """``graft lock``'s systems list every tag they accept: no expansion adds to them (a
    ``macosx_10_3_universal2`` would come from expanding the ``universal2`` tags)."""
    for env in matrix(["3.12"], ["linux", "macos", "windows", "macosx_14_0_arm64"]):
        platforms = {tag.rsplit("-", 1)[1] for tag in env.target.tags} - {"any"}
        if env.named:
            assert "macosx_11_0_arm64" in platforms
        else:
            assert platforms == set(env.platforms)


def test_a_lock_environment_stands_for_its_whole_minor_series() -> None:
    """Decision 113: resolved for ``X.Y.0``; what a later release needs is needed too."""
    from packaging.markers import Marker
    from packaging.requirements import Requirement

    from graft.model.target import applying, holds

    (env,) = matrix(["3.11"], ["manylinux_2_17_x86_64"])
    series = env.target
    assert series.markers["python_full_version"] == series.version == "3.11.0"
    later = series.later_release_markers()
    assert later is not None
    assert later["python_full_version"] == later["implementation_version"] == "3.11.99"
    assert holds(Marker('python_full_version >= "3.11.3"'), series.markers, later)
    assert not holds(Marker('python_version < "3.11"'), series.markers, later)
    # an interpreter, or pip's --python-version, is that one release
    real = foreign_target("3.11", ["manylinux_2_17_x86_64"])
    assert (real.series, real.later_release_markers()) == (False, None)
    lines = [
        'async-timeout>=4.0.3; python_full_version < "3.11.3"',  # redis's
        'numpy; python_full_version >= "3.11.1"',
        'cryptography==47.0.0; python_full_version <= "3.11"',  # uv's universal output
        'cryptography==50.0.2; python_full_version > "3.11"',
        'tomli; python_version < "3.11"',
        "idna",
    ]
    reqs = [Requirement(line) for line in lines]

    def kept(other: dict[str, str] | None) -> list[str]:
        found = applying(
            reqs, lambda r: r.marker, lambda r: r.name, env=series.markers, other=other
        )
        return [str(r).split(";")[0] for r in found]

    assert kept(later) == ["async-timeout>=4.0.3", "numpy", "cryptography==47.0.0", "idna"]
    assert kept(None) == ["async-timeout>=4.0.3", "cryptography==47.0.0", "idna"]
