"""Release files (sdists, backend wheels) from PyPI, downloaded once and cached for tests.

Files are found through the PEP 691 JSON simple API and checked against the sha256 PyPI
announces; they are kept in ``$GRAFT_TEST_CACHE`` (default ``~/.cache/graft-tests``) under
``build-sources/``. Without network access the calling test is skipped, with the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from graft._fs import FileLock

_ACCEPT = "application/vnd.pypi.simple.v1+json"


def cache_dir() -> Path:
    base = os.environ.get("GRAFT_TEST_CACHE") or str(Path.home() / ".cache" / "graft-tests")
    path = Path(base) / "build-sources"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lookup(project: str, filename: str) -> tuple[str, str]:
    url = f"https://pypi.org/simple/{canonicalize_name(project)}/"
    request = urllib.request.Request(url, headers={"Accept": _ACCEPT})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        page = json.load(response)
    for entry in page["files"]:
        if entry["filename"] == filename:
            return entry["url"], entry["hashes"]["sha256"]
    msg = f"{filename} is not on PyPI's page for {project}"
    raise LookupError(msg)


def release_files(*wanted: tuple[str, str]) -> Path:
    """A directory holding each ``(project, filename)``; skips the test when offline."""
    folder = cache_dir()
    with FileLock(str(folder / ".lock")):
        for project, filename in wanted:
            target = folder / filename
            if target.is_file():
                continue
            try:
                url, sha256 = _lookup(project, filename)
                tmp = folder / f".{filename}.part"
                urllib.request.urlretrieve(url, tmp)  # noqa: S310
            except (OSError, urllib.error.URLError) as exc:
                pytest.skip(f"offline: cannot download {filename} from PyPI ({exc})")
            if _sha256(tmp) != sha256:
                tmp.unlink()
                pytest.fail(f"{filename}: sha256 differs from PyPI's")
            tmp.rename(target)
    return folder


FLIT_CORE = ("flit-core", "flit_core-3.10.1-py3-none-any.whl")
SETUPTOOLS = ("setuptools", "setuptools-75.3.0-py3-none-any.whl")
# setuptools-scm 8.1.0 needs PACKAGING (below) and setuptools (and tomli below 3.11)
SETUPTOOLS_SCM = ("setuptools-scm", "setuptools_scm-8.1.0-py3-none-any.whl")
TOMLI = ("tomli", "tomli-2.0.1.tar.gz")
MARKUPSAFE = ("markupsafe", "markupsafe-3.0.2.tar.gz")
MSGPACK = ("msgpack", "msgpack-1.1.1.tar.gz")
#: pypa/build and what it needs on 3.11+: the reference ``graft build`` is compared with.
PYPA_BUILD = ("build", "build-1.2.2.post1-py3-none-any.whl")
PACKAGING = ("packaging", "packaging-24.2-py3-none-any.whl")
PYPROJECT_HOOKS = ("pyproject-hooks", "pyproject_hooks-1.2.0-py3-none-any.whl")
ZOPE_EVENT = ("zope-event", "zope.event-5.0.tar.gz")
PYCPARSER = ("pycparser", "pycparser-2.22.tar.gz")
PLATFORMDIRS = ("platformdirs", "platformdirs-4.3.6.tar.gz")
#: hatchling with hatch-vcs, and what they need on CPython 3.11+ (platformdirs' backend)
HATCH_VCS = (
    ("hatchling", "hatchling-1.27.0-py3-none-any.whl"),
    ("packaging", "packaging-24.2-py3-none-any.whl"),
    ("pathspec", "pathspec-0.12.1-py3-none-any.whl"),
    ("pluggy", "pluggy-1.5.0-py3-none-any.whl"),
    ("trove-classifiers", "trove_classifiers-2025.1.15.22-py3-none-any.whl"),
    ("hatch-vcs", "hatch_vcs-0.4.0-py3-none-any.whl"),
    ("setuptools-scm", "setuptools_scm-8.1.0-py3-none-any.whl"),
)
