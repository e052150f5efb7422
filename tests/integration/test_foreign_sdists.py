"""A foreign target's dry run takes sdists as ``graft lock`` and ``uv pip compile`` do.

Decision 420.

On a loopback index (the benchmark's, which answers the ``HEAD`` requests uv makes), for
CPython 3.12 on Windows arm64, a machine graft cannot run: ``top`` 2.0 has a Linux wheel and
an sdist whose PKG-INFO states its dependencies (Metadata-Version 2.2: static), ``top`` 1.0 a
wheel for any platform; ``dyn`` 2.0 is an sdist alone whose metadata only its backend says
(Metadata-Version 2.1; its in-tree backend logs each hook), ``dyn`` 1.0 a wheel; ``helper``
1.0, which only ``dyn`` 2.0 requires, a wheel. With builds allowed, the dry run takes both
sdists (their metadata read here, as a lock reads it: the static one without a hook, the
other through the hook run by the interpreter running graft), says each is to be built, and
builds nothing, and warns that dyn's dependencies were read on this machine (decision 421);
``--no-build`` and ``--only-binary`` keep sdists out. Each answer is
``uv pip compile --python-platform aarch64-pc-windows-msvc``'s (uv 0.13.9) on the same index.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from syncbench.index import serve
from tests.conftest import run_graft
from tests.integration.test_sdist_only_newest import _uv_run
from tests.integration.test_sync_builds_gaps import DYN_BACKEND, dyn_sdist
from tests.support.sdistmaker import write_sdist
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from packaging.markers import Environment
    from packaging.tags import Tag

TARGET = ("--python-version", "3.12", "--platform", "win_arm64")
UV_TARGET = ("--python-version", "3.12", "--python-platform", "aarch64-pc-windows-msvc")

#: (flags, what every tool takes with them, the sdists graft's dry run says it would build)
CASES = [
    ((), {"top": "2.0", "dyn": "2.0", "helper": "1.0"}, {"top-2.0.tar.gz", "dyn-2.0.tar.gz"}),
    (("--no-build",), {"top": "1.0", "dyn": "1.0"}, set()),
    (("--only-binary", ":all:"), {"top": "1.0", "dyn": "1.0"}, set()),
    (("--only-binary", "dyn"), {"top": "2.0", "dyn": "1.0"}, {"top-2.0.tar.gz"}),
    (("--only-binary", "top"), {"top": "1.0", "dyn": "2.0", "helper": "1.0"}, {"dyn-2.0.tar.gz"}),
]
IDS = ["builds", "no-build", "only-binary-all", "only-binary-dyn", "only-binary-top"]


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The index's URL; ``DYN_LOG`` names the log of the backends' hooks."""
    folder = tmp_path / "made"
    folder.mkdir()
    monkeypatch.setenv("DYN_LOG", str(tmp_path / "hooks.log"))
    make_wheel(folder, "top", "1.0", {"top.py": ""}, requires=("dyn",))
    make_wheel(folder, "top", "2.0", {"top.py": ""}, requires=("dyn",), tag="py3-none-linux_x86_64")
    write_sdist(
        folder / "top-2.0.tar.gz",
        {
            "top-2.0/PKG-INFO": (
                "Metadata-Version: 2.2\nName: top\nVersion: 2.0\nRequires-Dist: dyn\n"
            ),
            "top-2.0/meta.txt": "top 2.0 dyn\n",
            "top-2.0/_backend/dynback.py": DYN_BACKEND,
            "top-2.0/pyproject.toml": (
                '[build-system]\nrequires = []\nbuild-backend = "dynback"\n'
                'backend-path = ["_backend"]\n'
            ),
        },
    )
    make_wheel(folder, "dyn", "1.0", {"dyn.py": ""})
    dyn_sdist(folder, "2.0", "helper")  # (its prepare_metadata_for_build_wheel says so)
    make_wheel(folder, "helper", "1.0", {"helper.py": ""})
    with serve(folder) as url:
        yield url


@pytest.mark.parametrize(("flags", "taken", "built"), CASES, ids=IDS)
def test_a_foreign_dry_run_takes_sdists_as_uv_compile_does(
    index: str,
    tmp_path: Path,
    store_dir: Path,
    cache: Path,
    flags: tuple[str, ...],
    taken: dict[str, str],
    built: set[str],
) -> None:
    run = run_graft(
        "sync", tmp_path / "v", "top", "--dry-run", "--json", *TARGET, "--index-url", index,
        "--store", store_dir, *flags,
    )  # fmt: skip
    out = json.loads(run.stdout)
    rows = out["distributions"]
    assert {row["name"]: row["version"] for row in rows} == taken, run.stderr
    assert {row["sdist"] for row in rows if row["fetch"] == "build"} == built
    assert all(row["wheel"] for row in rows if row["fetch"] != "build")
    if built:
        assert out["not_planned"] == f"{len(built)} sdist{'s' if len(built) > 1 else ''} to build"
    hooks = tmp_path / "hooks.log"
    said = hooks.read_text().splitlines() if hooks.exists() else []
    assert said == (["prepare 2.0"] if "dyn-2.0.tar.gz" in built else []), said  # nothing built
    assert not (tmp_path / "v").exists()
    # dyn 2.0's dependencies came from its hook run here (decision 421); top 2.0's are static
    warned = [line for line in run.stderr.splitlines() if "not static" in line]
    if "dyn-2.0.tar.gz" in built:
        here = "{}.{}".format(*sys.version_info[:2])
        line = (
            "graft: warning: sdists whose dependencies are not static: dyn 2.0; read through"
            f" their backends run here by cpython {here} ({sys.executable}), a build on the"
            " target may require others"
        )
        assert warned == [line], run.stderr
    else:
        assert warned == [], run.stderr
    lines = _uv_run(
        tmp_path, "pip", "compile", "-", "-q", "--index-url", index, "--python", sys.executable,
        *UV_TARGET, "--no-header", "--no-annotate", *flags, stdin="top\n",
    )  # fmt: skip
    uv = dict(line.split("==") for line in lines if "==" in line)
    assert uv == taken, lines


def test_a_foreign_dry_run_s_sdists_are_the_lock_s(
    index: str, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """``graft lock --platform windows`` locks for Windows arm64 what the dry run takes there."""
    out = tmp_path / "pylock.toml"
    run_graft(
        "lock", "top", "--index-url", index, "--python-version", "3.12", "--platform", "windows",
        "-o", out,
    )  # fmt: skip
    from packaging.pylock import Pylock

    from tests.support.toml import tomllib

    lock = Pylock.from_dict(tomllib.loads(out.read_text()))
    arm: Environment = {
        "sys_platform": "win32",
        "platform_system": "Windows",
        "os_name": "nt",
        "platform_machine": "ARM64",
        "python_version": "3.12",
        "python_full_version": "3.12.0",
        "implementation_name": "cpython",
        "implementation_version": "3.12.0",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_version": "",
    }
    selected = {
        str(package.name): (str(package.version), dist.name if hasattr(dist, "name") else None)
        for package, dist in lock.select(environment=arm, tags=_win_arm64_tags())
    }
    run = run_graft(
        "sync", tmp_path / "v", "top", "--dry-run", "--json", *TARGET, "--index-url", index,
        "--store", store_dir,
    )  # fmt: skip
    rows = json.loads(run.stdout)["distributions"]
    dry = {row["name"]: (row["version"], row.get("sdist") or row["wheel"]) for row in rows}
    assert dry == selected


def _win_arm64_tags() -> list[Tag]:
    from packaging.tags import compatible_tags, cpython_tags

    return [
        *cpython_tags((3, 12), platforms=["win_arm64"]),
        *compatible_tags((3, 12), "cp312", platforms=["win_arm64"]),
    ]


def test_a_foreign_target_without_dry_run_is_still_refused(
    index: str, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    run = run_graft(
        "sync", tmp_path / "v", "top", *TARGET, "--index-url", index, "--store", store_dir,
        check=False,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert run.stderr.endswith(": a foreign target can only be planned (add --dry-run)\n")
    assert not (tmp_path / "hooks.log").exists()
    assert not (tmp_path / "v").exists()


def test_a_build_recorded_here_is_still_to_build_on_the_foreign_target(
    index: str, tmp_path: Path, store_dir: Path, cache: Path
) -> None:
    """A sync here builds dyn 2.0 (pure Python, a wheel the reuse rule would let serve
    CPython of its version); the foreign dry run for that version still says it is to be
    built: that machine's sync builds it there, where nothing of this machine's is recorded."""
    here = "{}.{}".format(*sys.version_info[:2])
    run_graft("sync", tmp_path / "here", "dyn==2.0", "--index-url", index, "--store", store_dir)
    assert "build 2.0" in (tmp_path / "hooks.log").read_text().splitlines()
    run = run_graft(
        "sync", tmp_path / "v", "dyn==2.0", "--dry-run", "--json", "--python-version", here,
        "--platform", "win_arm64", "--index-url", index, "--store", store_dir,
    )  # fmt: skip
    rows = json.loads(run.stdout)["distributions"]
    assert [(r["name"], r["fetch"], r.get("sdist")) for r in rows if r["name"] == "dyn"] == [
        ("dyn", "build", "dyn-2.0.tar.gz")
    ], run.stdout
