"""A distribution the venv holds from a URL is kept where an index requirement allows it.

``lib @ URL`` installed (lib 1.0, the same file the index lists), then ``lib>=1``: uv 0.13.9
(``uv pip install`` and ``uv pip sync``) and pip 26.3 keep it, its ``direct_url.json`` and
all; graft took lib 1.0 from the index, the URL forgotten. ``-U`` and ``-P lib`` take the
index's newest, as uv's do (decision 439).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.integration.test_uv_resolver_options import installed, sync
from tests.support.rangeserver import Served, serve_made
from tests.support.venv import site
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def made(tmp_path: Path) -> Iterator[tuple[Served, str]]:
    """An index with lib 1.0 and 2.0, app (lib>=1), needy (lib>=2); the URL of lib 1.0's wheel."""
    folder = tmp_path / "served"
    with serve_made(folder, pep658=True) as served:
        url = served.add(make_wheel(folder, "lib", "1.0", {"lib/__init__.py": ""}))
        served.add(make_wheel(folder, "lib", "2.0", {"lib/__init__.py": ""}))
        served.add(make_wheel(folder, "app", "1.0", {"app.py": ""}, requires=("lib>=1",)))
        served.add(make_wheel(folder, "needy", "1.0", {"needy.py": ""}, requires=("lib>=2",)))
        yield served, url


def direct_url(venv: Path) -> str | None:
    """The URL lib's ``direct_url.json`` names; None without one."""
    found = list(site(venv).glob("lib-*.dist-info/direct_url.json"))
    return json.loads(found[0].read_text())["url"] if found else None


def uv(tmp_path: Path, *args: str | Path) -> None:
    exe = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(exe, os.X_OK):
        pytest.skip("uv is not installed here (it is in graft's dev extras): no comparison")
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    subprocess.run([exe, *map(str, args)], check=True, capture_output=True, env=env)


def uv_venv(tmp_path: Path, served: Served, name: str, *installs: str) -> Path:
    """A uv venv, each of *installs* installed into it in turn by ``uv pip install``."""
    venv = tmp_path / name
    uv(tmp_path, "venv", "-q", "-p", sys.executable, venv)
    for spec in installs:
        python = venv / "bin" / "python"
        uv(
            tmp_path,
            "pip",
            "install",
            "-q",
            "-p",
            python,
            spec,
            "--index-url",
            f"{served.url}/simple",
        )
    return venv


def test_a_url_install_is_kept_where_the_index_requirement_allows_it_as_uv_keeps_it(
    made: tuple[Served, str], tmp_path: Path, store_dir: Path
) -> None:
    served, url = made
    venv = tmp_path / "v"
    sync(venv, store_dir, served, f"lib @ {url}")
    sync(venv, store_dir, served, "lib>=1")
    assert (installed(venv), direct_url(venv)) == ({"lib": "1.0"}, url)
    uv_made = uv_venv(tmp_path, served, "uv", f"lib @ {url}", "lib>=1")
    assert (installed(uv_made), direct_url(uv_made)) == ({"lib": "1.0"}, url)
    sync(venv, store_dir, served, "lib>=1")  # again: still the URL's
    assert direct_url(venv) == url
    over_uv = uv_venv(tmp_path, served, "over", f"lib @ {url}")  # uv's venv, synced by graft
    sync(over_uv, store_dir, served, "lib>=1")
    assert (installed(over_uv), direct_url(over_uv)) == ({"lib": "1.0"}, url)


AGAIN = {
    "-U": ("-U",),
    "-P": ("-P", "lib"),
    "--reinstall": ("--reinstall",),  # (uv's --reinstall and -U agree: decision 449)
    "--reinstall-package": ("--reinstall-package", "lib"),
}


@pytest.mark.parametrize("flag", list(AGAIN))
def test_upgrading_takes_the_index_s_newest_as_uv_does(
    flag: str, made: tuple[Served, str], tmp_path: Path, store_dir: Path
) -> None:
    served, url = made
    venv = tmp_path / "v"
    sync(venv, store_dir, served, f"lib @ {url}")
    args = AGAIN[flag]
    sync(venv, store_dir, served, "lib>=1", *args)
    assert (installed(venv), direct_url(venv)) == ({"lib": "2.0"}, None)
    uv_made = uv_venv(tmp_path, served, "uv", f"lib @ {url}")
    python = uv_made / "bin" / "python"
    uv(
        tmp_path,
        "pip",
        "install",
        "-q",
        "-p",
        python,
        "lib>=1",
        *args,
        "--index-url",
        f"{served.url}/simple",
    )
    assert installed(uv_made) == installed(venv)


def test_a_requirement_the_url_s_version_does_not_meet_takes_the_index_s(
    made: tuple[Served, str], tmp_path: Path, store_dir: Path
) -> None:
    served, url = made
    venv = tmp_path / "v"
    sync(venv, store_dir, served, f"lib @ {url}")
    sync(venv, store_dir, served, "lib>=2")
    assert (installed(venv), direct_url(venv)) == ({"lib": "2.0"}, None)


def test_a_venv_holding_the_index_s_release_is_not_given_another_venv_s_url(
    made: tuple[Served, str], tmp_path: Path, store_dir: Path
) -> None:
    """The resolution memo, kept for every venv of the same request, minds held URLs."""
    served, url = made
    by_url, by_index = tmp_path / "a", tmp_path / "b"
    sync(by_url, store_dir, served, f"lib @ {url}")
    sync(by_url, store_dir, served, "lib>=1")
    sync(by_index, store_dir, served, "lib==1.0")
    sync(by_index, store_dir, served, "lib>=1")  # the same request as by_url's
    assert (installed(by_index), direct_url(by_index)) == ({"lib": "1.0"}, None)
    sync(by_url, store_dir, served, "lib>=1")  # and back: by_index's memo is not its
    assert direct_url(by_url) == url


def test_a_dependency_the_venv_holds_by_url_is_kept_as_uv_keeps_it(
    made: tuple[Served, str], tmp_path: Path, store_dir: Path
) -> None:
    """``app`` needs lib, which the venv holds from its URL: uv and pip keep it (decision 448)."""
    served, url = made
    venv = tmp_path / "v"
    sync(venv, store_dir, served, f"lib @ {url}")
    sync(venv, store_dir, served, "app")
    assert (installed(venv), direct_url(venv)) == ({"app": "1.0", "lib": "1.0"}, url)
    sync(venv, store_dir, served, "app")  # again (its memo): still the URL's
    assert direct_url(venv) == url
    uv_made = uv_venv(tmp_path, served, "uv", f"lib @ {url}", "app")
    assert (installed(uv_made), direct_url(uv_made)) == (installed(venv), url)


def test_a_dependency_that_needs_another_version_takes_the_index_s(
    made: tuple[Served, str], tmp_path: Path, store_dir: Path
) -> None:
    served, url = made
    venv = tmp_path / "v"
    sync(venv, store_dir, served, f"lib @ {url}")
    sync(venv, store_dir, served, "needy")
    assert (installed(venv), direct_url(venv)) == ({"needy": "1.0", "lib": "2.0"}, None)
    uv_made = uv_venv(tmp_path, served, "uv", f"lib @ {url}", "needy")
    assert installed(uv_made) == installed(venv)


def test_a_dependency_s_memo_is_not_given_to_a_venv_holding_the_index_s_release(
    made: tuple[Served, str], tmp_path: Path, store_dir: Path
) -> None:
    served, url = made
    by_url, by_index = tmp_path / "a", tmp_path / "b"
    sync(by_url, store_dir, served, f"lib @ {url}")
    sync(by_url, store_dir, served, "app")
    sync(by_index, store_dir, served, "lib==1.0")
    sync(by_index, store_dir, served, "app")  # the same request as by_url's
    assert (installed(by_index), direct_url(by_index)) == ({"app": "1.0", "lib": "1.0"}, None)
    sync(by_url, store_dir, served, "app")
    assert direct_url(by_url) == url


@pytest.mark.parametrize("flag", ["--reinstall", "--reinstall-package"])
def test_reinstalling_resolves_without_the_venv_s_versions_as_uv_does(
    flag: str, made: tuple[Served, str], tmp_path: Path, store_dir: Path
) -> None:
    """lib 1.0 from the index, then ``lib`` reinstalled: uv takes 2.0, as pip's
    ``--force-reinstall`` does (decision 449)."""
    served, _ = made
    venv = tmp_path / "v"
    sync(venv, store_dir, served, "lib==1.0", "app")
    sync(venv, store_dir, served, "lib", "app", *AGAIN[flag])
    assert installed(venv) == {"lib": "2.0", "app": "1.0"}
    uv_made = uv_venv(tmp_path, served, "uv", "lib==1.0", "app")
    python = uv_made / "bin" / "python"
    uv(tmp_path, "pip", "install", "-q", "-p", python, "lib", "app", *AGAIN[flag],
       "--index-url", f"{served.url}/simple")  # fmt: skip
    assert installed(uv_made) == installed(venv)
    sync(venv, store_dir, served, "lib==1.0", "app")
    sync(venv, store_dir, served, "lib", "app", "--reinstall-package", "app")  # (not lib)
    assert installed(venv) == {"lib": "1.0", "app": "1.0"}


@pytest.mark.parametrize("mode", ["symlink", "copy"])
def test_a_dry_run_over_a_wheel_held_by_url_says_what_the_sync_does(
    mode: str, made: tuple[Served, str], tmp_path: Path, store_dir: Path
) -> None:
    """``lib @ URL`` installed, then ``lib>=1``: the sync keeps it, "already in sync"; its dry
    run said "1 wheel without a sha256 before its download". uv 0.13.9 ``--dry-run``: "Would
    make no changes"; pip 26.3: "Requirement already satisfied". The venv's wheel is known by
    its store entry: neither the dry run nor the sync downloads it again (decision 452).
    """
    served, url = made
    venv = tmp_path / "v"
    sync(venv, store_dir, served, f"lib @ {url}", "--link-mode", mode)
    index = ("--index-url", f"{served.url}/simple/", "--store", store_dir, "--link-mode", mode)
    served.paths.clear()
    said = json.loads(run_graft("sync", venv, "lib>=1", *index, "--dry-run", "--json").stdout)
    assert (said["in_sync"], said["planned"], said["download"]) == (
        True,
        True,
        {"bytes": 0, "wheels": 0},
    )
    assert [d["fetch"] for d in said["distributions"]] != ["download"]
    out = sync(venv, store_dir, served, "lib>=1.0", "--link-mode", mode)  # (resolved: no stamp)
    assert "already in sync" in out
    assert not [p for p in served.paths if p.endswith(".whl")]  # (from the store, not the URL)
    # a dependency held so: only app is downloaded, as uv's "Would download 1 package"
    rows = run_graft("sync", venv, "app", *index, "--dry-run").stdout.splitlines()
    fetches = {r.split()[1].partition("-")[0]: r.split()[0] for r in rows if ".whl" in r}
    assert fetches["app"] == "download"
    assert fetches["lib"] in {"cached", "stored"}
    sync(venv, store_dir, served, "app", "--link-mode", mode)
    assert (installed(venv), direct_url(venv)) == ({"app": "1.0", "lib": "1.0"}, url)
    assert served.paths.count("/lib-1.0-py3-none-any.whl") == 0
