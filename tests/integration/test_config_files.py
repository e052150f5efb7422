"""Configuration files (``etc/``) are copies a tool may rewrite, kept as pip keeps them.

``jupyter server extension enable --sys-prefix jupyterlab`` rewrites the
``etc/jupyter/jupyter_server_config.d/jupyterlab.json`` that jupyterlab's wheel ships. In a
flat install that is a file of the venv's; graft linked it to the store, and the write failed
("Operation not permitted"). Decision 90: such files are copies, a rewrite of one leaves the
venv in sync, and it stays through every sync that keeps its distribution at the same version
(an incremental change, a rebuild), as pip leaves it until it upgrades or removes the
distribution.
"""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_graft
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path

CONF = "etc/jupyter/jupyter_server_config.d/confpkg.json"
SHIPPED = '{"ServerApp": {"jpserver_extensions": {"confpkg": true}}}\n'
REWRITTEN = '{"ServerApp": {"jpserver_extensions": {"confpkg": false}}}\n'


def confpkg(wheels: Path, version: str) -> None:
    shipped = SHIPPED.replace("true", f'true, "v": "{version}"')
    files: dict[str, bytes | str] = {"confpkg/__init__.py": ""}
    files[f"confpkg-{version}.data/data/{CONF}"] = shipped
    files[f"confpkg-{version}.data/data/etc/confpkg/deep/settings.toml"] = "level = 1\n"
    make_wheel(wheels, "confpkg", version, files)


def sync(venv: Path, store: Path, wheels: Path, *reqs: str) -> str:
    options = ("--find-links", wheels, "--no-index", "--store", store, "-v")
    return run_graft("sync", venv, *reqs, *options).stderr


def test_a_rewritten_configuration_file_stays_while_its_distribution_does(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    confpkg(wheels, "1.0")
    confpkg(wheels, "1.1")
    for version in ("1.0", "2.0"):
        make_wheel(wheels, "other", version, {"other/__init__.py": f"V = {version!r}\n"})
    venv = tmp_path / "v"
    sync(venv, store_dir, wheels, "confpkg==1.0", "other==1.0")
    conf = venv / CONF
    assert not conf.is_symlink()
    assert not (venv / "etc" / "confpkg" / "deep").is_symlink()
    assert conf.read_text() == SHIPPED.replace("true", 'true, "v": "1.0"')
    stored = [p.read_bytes() for p in store_dir.glob(f"entries/*/tree/*.data/data/{CONF}")]
    conf.write_text(REWRITTEN)  # in place, as jupyter writes it: no error

    assert "already in sync" in sync(venv, store_dir, wheels, "confpkg==1.0", "other==1.0")
    assert conf.read_text() == REWRITTEN
    changed = sync(venv, store_dir, wheels, "confpkg==1.0", "other==2.0")  # one pin changed
    assert "other 1.0 -> 2.0" in changed
    assert conf.read_text() == REWRITTEN
    sync(venv, store_dir, wheels, "confpkg==1.0", "other==2.0", "--reinstall")  # rebuilt
    assert conf.read_text() == REWRITTEN
    assert not conf.is_symlink()
    assert conf.stat().st_nlink == 1

    audit = run_graft("audit", venv, "--json", check=False)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    findings = json.loads(audit.stdout)["findings"]
    assert [(f["kind"], f["path"], f["severity"]) for f in findings] == [
        ("modified-file", CONF, "info")
    ]

    assert [p.read_bytes() for p in store_dir.glob(f"entries/*/tree/*.data/data/{CONF}")] == stored
    sync(venv, store_dir, wheels, "confpkg==1.1", "other==2.0")  # upgraded: the new file
    assert conf.read_text() == SHIPPED.replace("true", 'true, "v": "1.1"')
    sync(venv, store_dir, wheels, "other==2.0")  # removed with its distribution
    assert not conf.exists()
    assert not (venv / "etc" / "confpkg").exists()


KERNEL = "share/jupyter/kernels/kpkg"


def kpkg(wheels: Path, version: str) -> None:
    files: dict[str, bytes | str] = {"kpkg/__init__.py": ""}
    spec = json.dumps({"argv": ["python", "-m", "kpkg"], "display_name": f"kpkg {version}"})
    files[f"kpkg-{version}.data/data/{KERNEL}/kernel.json"] = spec
    files[f"kpkg-{version}.data/data/{KERNEL}/logo-32x32.png"] = b"\x89PNG"
    make_wheel(wheels, "kpkg", version, files)


def test_a_kernel_spec_installed_again_in_the_venv_stays_while_its_distribution_does(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """``python -m ipykernel install --sys-prefix`` removes the kernel spec directory its
    wheel ships (``shutil.rmtree``) and copies it again: a link to the store cannot be
    removed so ("Cannot call rmtree on a symbolic link"). Decision 107: kernel specs are
    copies in real directories, kept as configuration files are."""
    kpkg(wheels, "1.0")
    kpkg(wheels, "2.0")
    make_wheel(wheels, "other", "1.0", {"other/__init__.py": ""})
    venv = tmp_path / "v"
    sync(venv, store_dir, wheels, "kpkg==1.0", "other==1.0")
    spec = venv / KERNEL
    assert not spec.is_symlink()
    assert not (spec / "kernel.json").is_symlink()
    source = tmp_path / "spec"
    source.mkdir()
    (source / "kernel.json").write_text('{"display_name": "mine"}')
    (source / "logo-32x32.png").write_bytes(b"\x89PNG")
    shutil.rmtree(spec)  # what jupyter_client's install_kernel_spec does
    shutil.copytree(source, spec)

    assert "already in sync" in sync(venv, store_dir, wheels, "kpkg==1.0", "other==1.0")
    sync(venv, store_dir, wheels, "kpkg==1.0", "other==1.0", "--reinstall")  # rebuilt
    assert (spec / "kernel.json").read_text() == '{"display_name": "mine"}'
    sync(venv, store_dir, wheels, "kpkg==2.0", "other==1.0")  # upgraded: the wheel's again
    assert json.loads((spec / "kernel.json").read_text())["display_name"] == "kpkg 2.0"


@pytest.mark.parametrize("link_mode", ["symlink", "hardlink", "copy"])
@pytest.mark.parametrize("whole", [True, False], ids=["reinstall", "changed"])
def test_another_wheel_of_the_version_writes_its_own_configuration_file(
    tmp_path: Path, store_dir: Path, link_mode: str, whole: bool
) -> None:
    """Decision 247 (244's leftover): another wheel of the same version (a project rebuilt,
    another file) ships its own configuration file, which pip's ``--force-reinstall`` and
    uv's ``--reinstall`` write over the venv's edit; a rebuild carried the edit over it in
    hardlink and copy modes (by no link could it tell the wheels apart). The same wheel
    installed again still keeps the edit (decision 90), in every mode, on either path."""
    first, second = tmp_path / "a", tmp_path / "b"
    for where, value in ((first, "1"), (second, "2")):
        where.mkdir()
        files: dict[str, bytes | str] = {"beta/__init__.py": f"B = {value}\n"}
        files[f"beta-1.0.data/data/{CONF}"] = SHIPPED.replace("true", f'true, "b": {value}')
        make_wheel(where, "beta", "1.0", files)
    make_wheel(first, "other", "1.0", {"other/__init__.py": ""})
    make_wheel(first, "other", "2.0", {"other/__init__.py": ""})
    venv, conf = tmp_path / "v", tmp_path / "v" / CONF
    options = ("--no-index", "-f", first, "--store", store_dir, "--link-mode", link_mode, "-q")

    def sync_beta(where: Path, other: str, *more: str) -> None:
        (wheel,) = where.glob("beta-*.whl")
        run_graft("sync", venv, wheel, f"other=={other}", *options, *more)

    sync_beta(first, "1.0")
    conf.write_text(REWRITTEN)
    sync_beta(first, "1.0", "--reinstall")  # the same wheel: the edit stays
    assert conf.read_text() == REWRITTEN
    sync_beta(first, "2.0", *(("--reinstall",) if whole else ()))  # (still the same wheel)
    assert conf.read_text() == REWRITTEN
    sync_beta(second, "1.0", *(("--reinstall",) if whole else ()))  # another wheel of 1.0
    assert conf.read_text() == SHIPPED.replace("true", 'true, "b": 2')
    assert not conf.is_symlink()
    assert conf.stat().st_nlink == 1  # the venv's own copy, never the store's file
    stored = {p.read_text() for p in store_dir.glob(f"entries/*/tree/*.data/data/{CONF}")}
    assert REWRITTEN not in stored
