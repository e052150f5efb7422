"""A venv's seed packages (pip, setuptools, wheel) kept by a sync, as uv keeps them (decision 122).

``python -m venv`` (ensurepip) and ``uv venv --seed`` put pip into a venv; ``uv pip sync``
leaves it there. graft resolves and installs them as implicit roots: a seeded venv keeps them
(their versions too), a graft venv gets none unless ``--seed`` asks. The seed wheels here are
small fakes in a find-links directory or a loopback index (no PyPI); one test takes the real
pip of a ``python3.12 -m venv`` over.
"""

# ruff: noqa: F811 - the fixture `index` is test_change's, imported by name

from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graft.venv.state import read_config
from tests.conftest import run_graft
from tests.integration.test_change import (
    FIRST,
    SECOND,
    edited,
    index,  # noqa: F401 - fixture
    seen_both,
)
from tests.integration.test_change import graft as timed
from tests.integration.test_warm import aged
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from tests.support.rangeserver import Served

_UV = str(Path(sys.executable).with_name("uv"))  # a dev dependency (benchmarks, e2e)
_SCRIPT = "[console_scripts]\n{0} = {0}:main\n"


def _fake(directory: Path, name: str, version: str) -> Path:
    code = f"__version__ = {version!r}\ndef main():\n    print('{name}', __version__)\n"
    return make_wheel(
        directory, name, version, {f"{name}/__init__.py": code}, entry_points=_SCRIPT.format(name)
    )


@pytest.fixture
def links(wheels: Path) -> Path:
    """Find-links: gamma, delta, and the seed packages (pip in two releases)."""
    make_wheel(wheels, "gamma", "1.0", {"gamma/__init__.py": "G = 1\n"})
    make_wheel(wheels, "delta", "1.0", {"delta.py": "D = 4\n"})
    for name, version in [("pip", "23.2.1"), ("pip", "24.0"), ("setuptools", "65.5.0")]:
        _fake(wheels, name, version)
    _fake(wheels, "wheel", "0.42.0")
    aged(*wheels.iterdir(), wheels)  # (not "racy": the stamps may answer)
    return wheels


def _venv_with_seeds(path: Path, links: Path, *seeds: str) -> Path:
    """``python -m venv`` whose pip (and more) its installer put there, RECORD and all."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", path], check=True)
    install: list[str | Path] = [
        _UV,
        "pip",
        "install",
        "-q",
        "--offline",
        "--no-index",
        "--find-links",
        links,
    ]
    subprocess.run([*install, "--python", path / "bin" / "python", *seeds], check=True)
    return path


def _sync(venv: Path, links: Path, store: Path, *args: str | Path, check: bool = True) -> str:
    found: list[str | Path] = ["--no-index", "--find-links", links, "--store", store]
    return run_graft("sync", venv, *args, *found, check=check).stderr


def _held(venv: Path) -> dict[str, str]:
    names = [p.name.removesuffix(".dist-info") for p in site(venv).glob("*.dist-info")]
    return dict(name.split("-") for name in names)


def test_a_python_m_venv_keeps_its_seed_packages_and_their_versions(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    venv = _venv_with_seeds(tmp_path / "v", links, "pip==23.2.1", "setuptools")
    said = _sync(venv, links, store_dir, "gamma")
    assert "pip" not in said  # neither - pip nor + pip: the same version (not 24.0)
    assert " + gamma==1.0" in said
    assert _held(venv) == {"gamma": "1.0", "pip": "23.2.1", "setuptools": "65.5.0"}
    assert read_config(str(venv))["seed"] == "true"
    ran = subprocess.run([venv / "bin" / "pip"], capture_output=True, text=True, check=True)
    assert ran.stdout == "pip 23.2.1\n"
    assert Path(site(venv) / "pip").is_symlink()  # a store entry, as any distribution
    assert "already in sync" in _sync(venv, links, store_dir, "gamma")
    # an in-place change keeps them too; the user's own pin on pip wins
    assert "pip" not in _sync(venv, links, store_dir, "gamma", "delta")
    assert " ~ pip 23.2.1 -> 24.0" in _sync(venv, links, store_dir, "gamma", "pip==24.0")
    assert _held(venv)["pip"] == "24.0"
    assert "pip" not in _sync(venv, links, store_dir, "gamma")  # (24.0 now held: kept)


def test_a_uv_venv_keeps_its_seeds_only_with_seed_true(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    """As uv pip sync: a uv venv --seed keeps pip; a plain uv venv's pip is not a seed."""
    seeded = tmp_path / "seeded"
    made = [_UV, "venv", "-q", "--python", sys.executable, "--offline", "--no-index"]
    subprocess.run([*made, "--seed", "--find-links", links, seeded], check=True)
    assert "pip" not in _sync(seeded, links, store_dir, "gamma")
    assert {"pip", "gamma"} <= set(_held(seeded))
    plain = tmp_path / "plain"
    subprocess.run([*made, plain], check=True)
    install: list[str | Path] = [
        _UV,
        "pip",
        "install",
        "-q",
        "--offline",
        "--no-index",
        "--find-links",
        links,
    ]
    subprocess.run([*install, "--python", plain / "bin" / "python", "pip==23.2.1"], check=True)
    assert " - pip==23.2.1" in _sync(plain, links, store_dir, "gamma")
    assert "seed" not in read_config(str(plain))


def test_a_graft_venv_gets_seeds_only_from_the_flag(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    venv = tmp_path / "g"
    _sync(venv, links, store_dir, "gamma")
    assert set(_held(venv)) == {"gamma"}
    assert "seed" not in read_config(str(venv))
    said = _sync(venv, links, store_dir, "gamma", "--seed")
    assert " + pip==24.0" in said  # the newest, as uv venv --seed installs it
    below_312 = sys.version_info < (3, 12)
    assert ("setuptools" in _held(venv)) is below_312
    assert ("wheel" in _held(venv)) is below_312
    assert read_config(str(venv))["seed"] == "true"
    assert "already in sync" in _sync(venv, links, store_dir, "gamma", "--seed")
    assert "already in sync" in _sync(venv, links, store_dir, "gamma")  # kept without it
    # a user who removes pip from a seeded venv does not get it back (as uv)
    uninstall: list[str | Path] = [
        _UV,
        "pip",
        "uninstall",
        "-q",
        "--python",
        venv / "bin" / "python",
        "pip",
    ]
    subprocess.run(uninstall, check=True)
    _sync(venv, links, store_dir, "gamma")
    assert "pip" not in _held(venv)
    assert not (venv / "bin" / "pip").exists()


def test_seed_alone_makes_a_venv_of_pip_as_uv_venv_seed_does(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    """``uv venv --seed DIR``: ``graft sync DIR --seed`` named nothing and was refused.

    Without ``--seed`` nothing named is still refused, naming the venv (``graft sync requests``
    means a venv named requests), and so is ``--seed`` alone for a venv holding
    distributions, which it would empty (as ``uv pip sync`` of nothing is refused).
    """
    seeded, typo = tmp_path / "seeded", tmp_path / "requests"
    refused = _sync(typo, links, store_dir, check=False)
    assert refused.splitlines()[-1].startswith(f"graft: error: {typo}: nothing to install ("), (
        refused
    )
    assert not typo.exists()
    said = _sync(seeded, links, store_dir, "--seed")
    assert " + pip==24.0" in said
    assert read_config(str(seeded))["seed"] == "true"
    assert py(seeded, "import pip; print(pip.__version__)") == "24.0"
    assert "already in sync" in _sync(seeded, links, store_dir, "--seed")
    again = _sync(seeded, links, store_dir, "--seed", "-v")  # (no stamp: the full path)
    assert "already in sync" in again, again
    _sync(seeded, links, store_dir, "gamma")
    for args in ((), ("--seed",)):
        refused = _sync(seeded, links, store_dir, *args, check=False)
        assert refused.splitlines()[-1].startswith(f"graft: error: {seeded}: nothing to"), refused
    assert "gamma" in _held(seeded)


def test_a_seeded_and_a_plain_venv_never_share_a_resolution(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    """The memo, the replay stamp and the no-op stamp are keyed with the seeds."""
    plain = tmp_path / "plain"
    _sync(plain, links, store_dir, "gamma")  # its memo: gamma alone
    seeded = _venv_with_seeds(tmp_path / "seeded", links, "pip==23.2.1")
    assert "pip" not in _sync(seeded, links, store_dir, "gamma")
    assert "pip" in _held(seeded)
    # pip installed by hand into a graft venv is no seed (as into a plain uv venv): the
    # seeded venv's resolution, which holds the same, is not recalled for it
    install: list[str | Path] = [_UV, "pip", "install", "-q", "--offline", "--no-index"]
    install += ["--find-links", links, "--python", plain / "bin" / "python", "pip==23.2.1"]
    subprocess.run(install, check=True)
    assert " - pip==23.2.1" in _sync(plain, links, store_dir, "gamma")
    assert "seed" not in read_config(str(plain))
    assert "already in sync" in _sync(plain, links, store_dir, "gamma")
    fresh = tmp_path / "fresh"  # (a new venv: the replay stamp of the plain one answers)
    _sync(fresh, links, store_dir, "gamma")
    assert "pip" not in _held(fresh)
    flagged = tmp_path / "flagged"
    _sync(flagged, links, store_dir, "gamma", "--seed")
    assert "pip" in _held(flagged)
    again = tmp_path / "again"  # replayed from the --seed command's stamp: seeded as it
    assert " + pip==24.0" in _sync(again, links, store_dir, "gamma", "--seed")
    assert read_config(str(again))["seed"] == "true"


def test_a_seed_no_source_has_is_left_out_with_one_warning(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    venv = _venv_with_seeds(tmp_path / "v", links, "pip==23.2.1")
    (links / "pip-23.2.1-py3-none-any.whl").unlink()
    (links / "pip-24.0-py3-none-any.whl").unlink()
    said = _sync(venv, links, store_dir, "gamma")
    warned = [line for line in said.splitlines() if "seed package" in line]
    assert len(warned) == 1
    assert "pip==23.2.1 is removed" in warned[0]
    assert "to keep it, add it to the requirements" in warned[0]
    assert " - pip==23.2.1" in said
    assert set(_held(venv)) == {"gamma"}
    assert "seed package" not in _sync(venv, links, store_dir, "gamma")  # said once
    # --seed is the user's word: an error, and the venv as it was
    failed = run_graft(
        "sync", venv, "gamma", "delta", "--seed", "--no-index", "--find-links", links,
        "--store", store_dir, check=False,
    )  # fmt: skip
    assert failed.returncode == 1
    assert "pip" in failed.stderr
    assert set(_held(venv)) == {"gamma"}


def test_hashed_requirements_leave_the_seeds_out(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    import hashlib

    gamma = links / "gamma-1.0-py3-none-any.whl"
    digest = hashlib.sha256(gamma.read_bytes()).hexdigest()
    req = tmp_path / "req.txt"
    req.write_text(f"gamma==1.0 --hash=sha256:{digest}\n")
    venv = _venv_with_seeds(tmp_path / "v", links, "pip==23.2.1")
    said = _sync(venv, links, store_dir, "-r", req)
    assert "with hashes checked" in said
    assert " - pip==23.2.1" in said
    refused = _sync(venv, links, store_dir, "-r", req, "--seed", check=False)
    assert "--seed: --seed installs pip" in refused


def test_the_change_stamp_does_not_drop_the_seeds(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served
) -> None:
    """A change stamp left before the venv was seeded would apply the files' set alone."""
    for name, version in [("pip", "24.0"), ("setuptools", "65.5.0"), ("wheel", "0.42.0")]:
        index.add(_fake(wheels, name, version))
    venv = tmp_path / "a" / "venv"
    venv.parent.mkdir()
    seen_both(tmp_path, venv, index, store_dir)  # the change stamp of its command line
    timed(venv, edited(tmp_path, SECOND, "seeded"), index, store_dir, "--seed")
    assert "pip" in _held(venv)
    proc, fast = timed(venv, edited(tmp_path, FIRST, "after"), index, store_dir)
    assert " - extra==1.0" in proc.stderr
    assert "pip" in _held(venv), proc.stderr
    assert not fast


def _python312() -> str | None:
    found = sorted(glob.glob("/root/.pyenv/versions/3.12.*/bin/python3.12"))
    return found[-1] if found else None


@pytest.mark.skipif(_python312() is None, reason="no pyenv CPython 3.12")
def test_a_real_python_m_venv_keeps_a_working_pip(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    python = str(_python312())
    bundled = glob.glob(str(Path(python).parents[1] / "lib/python3.12/ensurepip/_bundled/pip-*"))
    for fake in links.glob("pip-*"):
        fake.unlink()
    (links / Path(bundled[0]).name).write_bytes(Path(bundled[0]).read_bytes())
    aged(*links.iterdir(), links)
    venv = tmp_path / "real"
    subprocess.run([python, "-m", "venv", venv], check=True)
    version = py(venv, "import pip; print(pip.__version__)")
    said = _sync(venv, links, store_dir, "gamma")
    assert "pip" not in said, said
    assert py(venv, "import pip; print(pip.__version__)") == version
    pip: list[str | Path] = [venv / "bin" / "pip", "--version"]
    shown = subprocess.run(pip, capture_output=True, text=True, check=True)
    assert shown.stdout.startswith(f"pip {version} from {site(venv)}")
    listed = subprocess.run(
        [venv / "bin" / "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"pip=={version}" in listed
    assert "gamma==1.0" in listed
    assert "already in sync" in _sync(venv, links, store_dir, "gamma")


def test_a_venv_no_longer_seeded_by_its_pyvenv_cfg_is_not_answered_in_sync(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    """The no-op stamp checks the venv is still seeded (decision 123): a removed line drops pip.

    And a ``seed = true`` written by hand into a graft venv is read by the next sync.
    """
    venv = _venv_with_seeds(tmp_path / "v", links, "pip==23.2.1")
    _sync(venv, links, store_dir, "gamma")
    assert "already in sync" in _sync(venv, links, store_dir, "gamma")  # (the stamp's)
    config = venv / "pyvenv.cfg"
    config.write_text(config.read_text().replace("seed = true\n", ""))
    said = _sync(venv, links, store_dir, "gamma")
    assert " - pip==23.2.1" in said, "a graft venv not seeded: pip goes, as in uv"
    assert set(_held(venv)) == {"gamma"}
    assert "already in sync" in _sync(venv, links, store_dir, "gamma")
    plain = tmp_path / "plain"  # pip as a requirement, then seed = true by hand
    _sync(plain, links, store_dir, "gamma", "pip==23.2.1")
    config = plain / "pyvenv.cfg"
    config.write_text(config.read_text().replace("graft = ", "seed = true\ngraft = ", 1))
    assert "already in sync" in _sync(plain, links, store_dir, "gamma", "pip==23.2.1")
    assert "pip" not in _sync(plain, links, store_dir, "gamma"), "kept: a seed now"
    assert _held(plain) == {"gamma": "1.0", "pip": "23.2.1"}


def test_a_lock_into_a_seeded_venv_leaves_the_seeds_out_with_one_warning(
    tmp_path: Path, store_dir: Path, links: Path
) -> None:
    lock = tmp_path / "pylock.toml"
    found = ("--no-index", "--find-links", links)
    series = "{}.{}".format(*sys.version_info[:2])
    run_graft("lock", "gamma", *found, "-o", lock, "--python-version", series)
    venv = _venv_with_seeds(tmp_path / "v", links, "pip==23.2.1", "setuptools")
    refused = run_graft("sync", venv, lock, "--seed", *found, "--store", store_dir, check=False)
    assert refused.returncode == 2, refused.stderr
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("graft: error: --seed: --seed installs pip==23.2.1, setuptools==65.5.0")
    assert "but a lock file names every distribution a venv gets (lock it too" in line
    assert _held(venv) == {"pip": "23.2.1", "setuptools": "65.5.0"}, "the venv as it was"
    said = _sync(venv, links, store_dir, lock)
    warned = [line for line in said.splitlines() if "seed package" in line]
    expected = (
        "graft: warning: the venv's seed packages pip==23.2.1, setuptools==65.5.0 are"
        " removed: a lock file names every distribution a venv gets; to keep them, lock it too"
    )
    assert warned == [expected], said
    assert " - pip==23.2.1" in said
    assert " + gamma==1.0" in said
    assert _held(venv) == {"gamma": "1.0"}
    assert read_config(str(venv))["seed"] == "true", "still a seeded venv, holding none"
    again = _sync(venv, links, store_dir, lock)
    assert "already in sync" in again
    assert "seed package" not in again, "said by the sync that removed them alone"
