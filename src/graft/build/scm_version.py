"""A version the project's git repository gives, and the git files it is read from.

setuptools-scm, hatch-vcs, pdm-backend's ``source = "scm"``, versioningit, dunamai and their
kin compute a project's version from its repository: the nearest tag, the commits since it and
the commit id (``1.0.1.dev3+g1a2b3c4``). A commit or a tag changes that version with no file of
the tree changed, so a build keyed by the tree (``tree_key``) or by an editable project's
metadata files (``editable_key``) reused the build of the old commit: after ``git tag v1.1``,
``graft sync V -e .`` said "already in sync" and ``importlib.metadata.version()`` kept the old
version, where pip and ``uv pip install -e`` build again on every install and give 1.1
(``uv sync`` keys on ``pyproject.toml`` alone unless ``[tool.uv] cache-keys`` names git).
So, for such a project, the keys read the git state the version depends on: the commit
``HEAD`` names and the tags there are (decision 263).

The state is read from the repository's files, never by running git: ``HEAD``, the ref file
it names, ``packed-refs`` and the names in ``refs/tags``, in the ``.git`` directory at the
project or above it (a monorepo), or the one a ``.git`` file names (a worktree, a
submodule), with its ``commondir``. A working tree's uncommitted edits are not read:
setuptools-scm's ``+dirty`` suffix (``.d20261205``) would change with every edit and every
day, where an editable install reads the edits live anyway.
"""

from __future__ import annotations

import os
from typing import Any

from graft._toml import toml_table

#: Build requirements that take a version from the repository (canonical names).
_SCM_REQUIRES = frozenset(
    {
        "dunamai",
        "flit-scm",
        "hatch-vcs",
        "pbr",
        "poetry-dynamic-versioning",
        "setuptools-git-versioning",
        "setuptools-scm",
        "uv-dynamic-versioning",
        "versioneer",
        "versioningit",
    }
)
#: What a ``setup.py`` or ``setup.cfg`` without a ``pyproject.toml`` says to ask git.
_LEGACY_MARKS = ("use_scm_version", "setuptools_scm", "setuptools-scm", "pbr=True", "pbr = True")


def scm_versioned(root: str, pyproject: dict[str, Any]) -> bool:
    """Whether the project at *root* (its ``pyproject.toml`` parsed) takes its version from VCS.

    A static ``[project] version`` never does. Otherwise: a build requirement of
    :data:`_SCM_REQUIRES`, hatch's ``[tool.hatch.version] source = "vcs"``, pdm-backend's
    ``[tool.pdm.version] source = "scm"``, a ``[tool.setuptools_scm]`` table, or, for a
    project without ``[build-system]``, its ``setup.py`` or ``setup.cfg`` naming
    setuptools-scm or pbr.
    """
    if "version" in toml_table(pyproject, "project"):
        return False
    tool = toml_table(pyproject, "tool")
    requires = toml_table(pyproject, "build-system").get("requires")
    declared = (
        toml_table(toml_table(tool, "hatch"), "version").get("source") == "vcs"
        or toml_table(toml_table(tool, "pdm"), "version").get("source") == "scm"
        or "setuptools_scm" in tool
        or "setuptools-scm" in tool
        or (isinstance(requires, list) and any(_scm_requirement(r) for r in requires))
    )
    if declared or "build-system" in pyproject:
        return declared
    return any(_mentions(os.path.join(root, name)) for name in ("setup.py", "setup.cfg"))


def _scm_requirement(text: object) -> bool:
    """Whether the build requirement *text* names one of :data:`_SCM_REQUIRES`."""
    if not isinstance(text, str):
        return False
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    try:
        return canonicalize_name(Requirement(text).name) in _SCM_REQUIRES
    except InvalidRequirement:
        return False  # (the build says what is wrong with it)


def _mentions(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return False
    return any(mark in text for mark in _LEGACY_MARKS)


def git_reads(root: str) -> tuple[tuple[str, str], ...]:
    """The git files the version of the project at *root* is read from, as ``(kind, path)``.

    Kinds as :mod:`graft.resolve.fingerprints` reads them: ``optional`` (a file's bytes or its
    absence) for ``HEAD``, the branch's ref file and ``packed-refs``; ``listing`` for
    ``refs/tags``. Empty outside a git repository (the version is then the backend's
    fallback, which the tree's files decide).
    """
    found = _git_dir(os.path.realpath(root))
    if found is None:
        return ()
    git_dir, common = found
    reads = [("optional", os.path.join(git_dir, "HEAD"))]
    ref = _head_ref(git_dir)
    if ref is not None:
        reads.append(("optional", os.path.join(common, *ref.split("/"))))
    reads.append(("optional", os.path.join(common, "packed-refs")))
    reads.append(("listing", os.path.join(common, "refs", "tags")))
    return tuple(reads)


def git_state(reads: tuple[tuple[str, str], ...]) -> bytes:
    """What *reads* hold now, as bytes for a key: each file's bytes (or absence), names listed."""
    parts: list[bytes] = []
    for kind, path in reads:
        parts.append(kind.encode() + b"\0" + path.encode("utf-8", "surrogateescape") + b"\0")
        try:
            if kind == "listing":
                parts.append("\0".join(sorted(os.listdir(path))).encode("utf-8", "surrogateescape"))
            else:
                with open(path, "rb") as fh:
                    parts.append(fh.read())
        except OSError:
            parts.append(b"-absent-")
        parts.append(b"\0\0")
    return b"".join(parts)


def _git_dir(start: str) -> tuple[str, str] | None:
    """The git directory for *start* (searched upwards) and its common directory, if any."""
    here = start
    while True:
        dot_git = os.path.join(here, ".git")
        if os.path.isdir(dot_git):
            return dot_git, _common(dot_git)
        if os.path.isfile(dot_git):  # a worktree or a submodule: "gitdir: PATH"
            try:
                with open(dot_git, encoding="utf-8") as fh:
                    line = fh.readline().strip()
            except (OSError, UnicodeDecodeError):
                return None
            if not line.startswith("gitdir:"):
                return None
            git_dir = os.path.normpath(os.path.join(here, line[len("gitdir:") :].strip()))
            return git_dir, _common(git_dir)
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _common(git_dir: str) -> str:
    """A worktree's shared git directory (its ``commondir`` file), else *git_dir* itself."""
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as fh:
            return os.path.normpath(os.path.join(git_dir, fh.read().strip()))
    except (OSError, UnicodeDecodeError):
        return git_dir


def _head_ref(git_dir: str) -> str | None:
    """The ref ``HEAD`` names (``refs/heads/main``), or None for a detached ``HEAD``."""
    try:
        with open(os.path.join(git_dir, "HEAD"), encoding="utf-8") as fh:
            head = fh.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not head.startswith("ref:"):
        return None
    ref = head[len("ref:") :].strip()
    if os.path.isabs(ref) or ".." in ref.split("/"):
        return None  # (not a ref git would write)
    return ref
