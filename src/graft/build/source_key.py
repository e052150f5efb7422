"""Source keys: what a built wheel was built from, as the built-wheel cache keys it.

- ``sdist-<sha256>`` of an sdist file (:func:`sdist_key`);
- ``tree-<digest>`` of a project directory (:func:`tree_key`): every file's path, executable
  bit and content (a link's target), outside VCS data, caches, build output and venvs, so any
  change to the tree is a new key;
- ``editable-<digest>`` of an editable build (:func:`editable_key`): the directory, the files
  its metadata comes from (:data:`METADATA_FILES`, a dynamic version's), and the sources it
  compiled, since an editable wheel points into the tree and its Python sources are read live.

A version from VCS keys the tree and the editable build with the git state it is read from.
Under ``<cache>/builds/<source key>/`` the built-wheel cache (:mod:`graft.build.cache`) keeps
what was built from that source.
"""

from __future__ import annotations

import os

from graft._fs import file_sha256
from graft._reads import note_digest
from graft._sha256 import sha256
from graft.build.tree_walk import beside_a_venv, entered


def sdist_key(sha256: str) -> str:
    """The source key of an sdist file with this sha256."""
    return f"sdist-{sha256}"


def _hashed(path: str) -> bytes:
    """The sha256 of the file at *path*: a read the runs open keep (decision 479)."""
    digest = file_sha256(path)
    note_digest(path, digest)  # (a pyproject.toml a request's reader hashed too)
    return bytes.fromhex(digest)


def tree_key(root: str, scm: bytes = b"") -> str:
    """The source key of a project directory: a digest of every source file in it.

    Left out: VCS data, caches, build output (``build/``, ``dist/``, ``.eggs/``,
    ``.pdm-build/`` at the top), and any venv inside it (a directory holding a ``pyvenv.cfg``,
    and graft's lock and staging entries beside it), which a sync into it would otherwise
    change every time. *scm*: the git state a version from VCS is read from
    (:func:`graft.build.scm_version.git_state`; decision 263), for a project that has one.
    """
    digest = sha256(b"graft-tree-1\0")
    if scm:  # (a project without one keeps the key it had)
        digest.update(b"G" + sha256(scm).digest() + b"\0")
    for top, dirs, files in os.walk(root):
        dirs[:] = entered(root, top, dirs)
        for name in sorted(files):
            if beside_a_venv(name):
                continue
            path = os.path.join(top, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            if os.path.islink(path):
                digest.update(b"L" + os.readlink(path).encode("utf-8", "surrogateescape"))
            else:
                executable = os.access(path, os.X_OK)
                digest.update(b"X" if executable else b"F")
                digest.update(_hashed(path))
            digest.update(b"\0")
    return f"tree-{digest.hexdigest()[:48]}"


#: The files whose change makes an editable install stale (PEP 660: the rest is read live);
#: ``MANIFEST.in`` says which package data setuptools' strict mode links (decision 289).
METADATA_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "MANIFEST.in")


def editable_key(
    root: str,
    compiled: tuple[str, ...] = (),
    versions: tuple[str, ...] = (),
    scm: bytes = b"",
) -> str:
    """The source key of an editable build: the directory, its metadata and compiled files.

    An editable wheel points into the tree, so edits of its Python sources do not change it;
    a change of what its metadata comes from (name, version, dependencies, entry points)
    does: its metadata files, and the files a dynamic version is read from (*versions*,
    :func:`graft.build.version_files.version_files`; decision 170). So does a change of a
    source the build compiled (*compiled*: paths relative to *root*, as
    :func:`graft.build.evidence.scan` finds them), whose extension modules the build wrote
    into the tree (setuptools' ``build_ext --inplace``): pip and uv rebuild an editable
    install on every install, and would pick the edit up. So does a version from VCS: *scm*,
    as :func:`tree_key` takes it. A module added, removed or renamed is not keyed: the
    record of a wheel that maps the modules its build found keeps their names
    (:attr:`BuiltRecord.mapped`, decisions 270 and 288), so a ``.pth`` editable's key and
    no-op walk nothing.
    """
    digest = sha256(b"graft-editable-2\0")  # (2: the module names moved to the record, 288)
    digest.update(os.path.realpath(root).encode("utf-8", "surrogateescape") + b"\0")
    for name in METADATA_FILES:
        path = os.path.join(root, name)
        digest.update(name.encode() + b"\0")
        digest.update(_hashed(path) if os.path.isfile(path) else b"-")
    # (neither: the key of a pure project with a static version is as it always was)
    for mark, files in ((b"C", compiled), (b"V", versions)):
        for rel in files:
            path = os.path.join(root, rel)
            digest.update(mark + rel.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(_hashed(path) if os.path.isfile(path) else b"-")
    if scm:
        digest.update(b"G" + sha256(scm).digest() + b"\0")
    return f"editable-{digest.hexdigest()[:48]}"
