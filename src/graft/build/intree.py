"""What an editable build leaves in its project tree, and whether it is still there.

An editable wheel points into the project directory, and part of what it points to may not
be in the wheel: the build wrote it into the tree (setuptools' ``build_ext --inplace``;
setuptools' strict mode, whose link tree lives under ``build/``, a pure project's too;
meson-python's build directory; a version file a plugin generates). ``git clean -fdx``
removes it and leaves the editable key (:func:`graft.build.source_key.editable_key`: the
directory, its metadata, its compiled sources) as it was, so a recorded editable wheel would
install a package whose files are gone. pip and uv build an editable install every time;
graft records what each editable build left in the tree and reuses the build only while all
of it is still there (decision 106).

What a build left: every file it made or changed (compared by ``lstat`` before and after),
and every extension module in the tree after it (a build may find one up to date and leave
it untouched). The walk leaves out what a tree's key leaves out (VCS data, caches, venvs,
``*.egg-info``, ``dist/`` and ``.eggs/``) but not ``build/``, where strict mode's links and
meson-python's build directory live.
"""

from __future__ import annotations

import os

from graft.build.source_key import METADATA_FILES
from graft.build.tree_walk import beside_a_venv, entered

#: Build output a snapshot leaves out at the top of the tree: not what an editable install
#: reads (``build/`` is: setuptools' strict mode, meson-python).
_NOT_READ = frozenset({"dist", ".eggs"})
#: Extension modules, whatever their interpreter (``.cpython-312-x86_64-linux-gnu.so``).
_EXTENSION_SUFFIXES = (".so", ".pyd")

#: A file's identity as a snapshot sees it: ``(st_mtime_ns, st_size, st_ino)``.
Identity = tuple[int, int, int]


def snapshot(root: str) -> dict[str, Identity]:
    """Every file under the project tree *root* (paths relative to it, ``/``-separated)."""
    found: dict[str, Identity] = {}
    for top, dirs, files in os.walk(root):
        dirs[:] = entered(root, top, dirs, _NOT_READ)
        for name in files:
            if beside_a_venv(name):
                continue
            path = os.path.join(top, name)
            try:
                info = os.lstat(path)
            except OSError:  # removed meanwhile
                continue
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            found[rel] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return found


def left_by_build(before: dict[str, Identity], after: dict[str, Identity]) -> tuple[str, ...]:
    """What a build left in the tree: the files new or changed in *after*, and extension modules.

    An extension module there before and untouched is kept too: the editable install may
    load it (a build found it up to date), so its removal must build again.
    """
    return tuple(
        sorted(
            rel
            for rel, identity in after.items()
            if before.get(rel) != identity or rel.endswith(_EXTENSION_SUFFIXES)
        )
    )


def first_missing(root: str, left: tuple[str, ...]) -> str | None:
    """The first of the files *left* (relative to *root*) gone from the tree, else None.

    A ``stat`` each (a link must still lead somewhere: strict mode's link tree points at the
    sources). Paths come from a record, untrusted: one that climbs out of *root* or is
    absolute counts as gone, so that the build is done again rather than trusted.
    """
    for rel in left:
        if os.path.isabs(rel) or ".." in rel.split("/"):
            return rel
        try:
            os.stat(os.path.join(root, *rel.split("/")))
        except OSError:
            return rel
    return None


def editable_reads(
    root: str, left: tuple[str, ...], mapped: tuple[tuple[str, str, str], ...] = ()
) -> tuple[tuple[str, str], ...] | None:
    """What a resolution memo watches to know a pure project's editable build still serves.

    As ``(kind, path)`` of :mod:`graft.resolve.fingerprints`: the bytes (or absence) of each
    file its editable key reads (:data:`graft.build.source_key.METADATA_FILES`, and those a
    dynamic version is read from: :func:`graft.build.version_files.version_files`; the git
    files a version from VCS is read from: :func:`graft.build.scm_version.git_reads`), the
    names of the modules of a tree whose editable wheel maps them by name (*mapped*, a
    record's: decisions 270, 288; a ``.pth`` of source directories walks nothing), and that
    each file the build left in the tree (*left*, relative to *root*) is still there. While they
    hold, the full path would find the same key and reuse the same recorded wheel. A project
    that may build differently per interpreter is not watched: its key also reads the
    compiled sources the evidence scan finds anew (decision 106; uv's ``cache-keys``).
    None for a record whose paths :func:`first_missing` would refuse.
    """
    top = os.path.abspath(root)
    from graft._toml import load_toml  # noqa: PLC0415
    from graft.build.scm_version import git_reads, scm_versioned  # noqa: PLC0415
    from graft.build.version_files import version_files  # noqa: PLC0415

    path = os.path.join(top, "pyproject.toml")
    pyproject = load_toml(path) if os.path.isfile(path) else {}
    names = (*METADATA_FILES, *version_files(top, pyproject))
    reads = [("optional", os.path.join(top, *name.split("/"))) for name in names]
    for kind, rel, _ in mapped:  # a module added or removed builds again (decisions 270, 288)
        if os.path.isabs(rel) or ".." in rel.split("/"):
            return None
        reads.append((kind, top if rel == "." else os.path.join(top, *rel.split("/"))))
    if scm_versioned(top, pyproject):  # a commit or tag moves the version (decision 263)
        reads += git_reads(top)
    for rel in left:
        if os.path.isabs(rel) or ".." in rel.split("/"):
            return None
        reads.append(("present", os.path.join(top, *rel.split("/"))))
    return tuple(reads)
