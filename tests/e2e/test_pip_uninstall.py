"""``pip uninstall`` of one distribution leaves a graft venv as it leaves a flat install.

pip removes a directory whole when every file ``os.walk`` finds below it belongs to the
distribution it uninstalls; ``os.walk`` does not enter links to directories. In a namespace
whose portions are all folded (``azure/mgmt``), uninstalling one portion took the others
(decision 131). Each distribution sharing a top-level directory with another is uninstalled
from copies of the set's graft venv and flat install, and the files left compared.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import version
from typing import TYPE_CHECKING

import pytest
from installer.sources import WheelFile
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.support.venv import visible_files

from .harness import corpus_params, wheel_members
from .wheelcache import isolated_pip_env

if TYPE_CHECKING:
    from .venvs import Venv
    from .wheelcache import WheelSet

pytestmark = pytest.mark.e2e

SETS = corpus_params(only=("azure-mgmt", "azure", "jaraco", "zope"))


def sharing(wheel_set: WheelSet) -> list[str]:
    """Distributions with a file in a top-level directory another distribution also fills."""
    tops: dict[str, set[str]] = {}
    for wheel in wheel_set.wheels:
        with WheelFile.open(wheel) as source:
            name = canonicalize_name(source.distribution)
        for location, _ in wheel_members(wheel):
            if "/" in location and not location.startswith("{prefix}"):
                tops.setdefault(location.split("/", 1)[0], set()).add(name)
    return sorted({n for names in tops.values() if len(names) > 1 for n in names})


def uninstalled_copy(venv: Venv, name: str) -> dict[str, str]:
    """The files left when *name* is uninstalled, with the test environment's pip, from a copy
    of *venv* beside it (a graft venv's links are relative: the copy's reach the same store)."""
    copy = venv.prefix.with_name(f"{venv.prefix.name}-without-{name}")
    shutil.copytree(venv.prefix, copy, symlinks=True)
    try:
        env = isolated_pip_env()
        env["PIP_NO_INDEX"] = "1"
        python = str(copy / "bin" / "python")
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "--python", python, "uninstall", "-y", name],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        assert proc.returncode == 0, f"pip uninstall {name}:\n{proc.stdout}\n{proc.stderr}"
        return visible_files(copy)
    finally:
        shutil.rmtree(copy)


@pytest.mark.skipif(Version(version("pip")) < Version("23.1"), reason="pip --python needs 23.1")
@pytest.mark.parametrize("set_file", SETS)
def test_pip_uninstall_leaves_what_it_leaves_in_a_flat_install(
    wheel_set: WheelSet, graft_venv: Venv, flat_venv: Venv
) -> None:
    names = sharing(wheel_set)
    assert len(names) >= 2, names
    before = visible_files(flat_venv.prefix)
    assert visible_files(graft_venv.prefix) == before
    problems = []
    for name in names:
        graft_left = uninstalled_copy(graft_venv, name)
        flat_left = uninstalled_copy(flat_venv, name)
        assert flat_left != before, f"pip uninstall {name} removed nothing from the flat copy"
        lost = sorted(flat_left.keys() - graft_left.keys())
        extra = sorted(graft_left.keys() - flat_left.keys())
        if lost or extra:
            problems.append(
                f"{name}: {len(lost)} files gone from graft alone {lost[:3]}, "
                f"{len(extra)} left in graft alone {extra[:3]}"
            )
    assert not problems, "\n".join(problems)
