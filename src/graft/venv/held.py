"""The wheel each distribution of a graft venv came from, in every link mode (decisions 230, 283).

The summary says ``~ name==version (reinstalled)`` for a distribution installed anew at the
version it had, as uv says ``~ name==version``: from another wheel than the venv's (a
project rebuilt after an edit, another file of the release), or all of them with
``--reinstall``. Which wheel the venv's came from:

* in symlink mode, its ``.dist-info/METADATA`` links to the store entry, which the wheel's
  sha256 names (:func:`wheel_of`: one ``readlink``);
* in hardlink and copy modes (and for a symlink venv's copies) the file says nothing, so the
  flat form of the plan that built the venv (``graft-plan`` in its pyvenv.cfg, kept in the same
  store) is asked which store file each ``METADATA`` was made from, and the venv's file must
  still be that file (the same inode), or a copy with its bytes: a ``METADATA`` another tool
  wrote since (pip's ``--force-reinstall`` of other bytes) is not vouched for, and its
  distribution is left out, as in a venv graft did not make.
"""

from __future__ import annotations

import os

from graft.venv.state import dist_infos, recorded_state

_SHA256_HEX = 64


def held_wheels(
    prefix: str, site_dirs: tuple[str, ...], store_root: str | None = None
) -> dict[str, str]:
    """``{canonical name: sha256}`` of the wheel each distribution of the venv came from.

    Of the venv at *prefix*, where its METADATA link or (in the store at *store_root*) the flat
    form of the plan that built it says; those that do not say are left out.
    """
    found: dict[str, str] = {}
    unsaid: list[tuple[str, str]] = []  # (METADATA's path, canonical name)
    for path, key, _ in dist_infos(prefix, site_dirs):
        digest = wheel_of(path)
        if digest is not None:
            found[key] = digest
        else:
            unsaid.append((os.path.join(path, "METADATA"), key))
    if unsaid and store_root is not None:
        sources = _metadata_sources(prefix, store_root)
        for path, key in unsaid:
            source = sources.get(os.path.relpath(path, prefix))
            if source is not None and _same_bytes(path, source):
                digest = _entry_of(source, store_root)
                if digest is not None:
                    found[key] = digest
    return found


def _metadata_sources(prefix: str, store_root: str) -> dict[str, str]:
    """``{METADATA's path in the venv: the store file it was made from}``.

    By the flat form of the plan that built the venv at *prefix*; empty where that is not at
    hand (a venv another store, tool or older graft made).
    """
    from graft.store.paths import flat_file  # noqa: PLC0415
    from graft.venv.kept_forms import kept_sources  # noqa: PLC0415

    state = recorded_state(prefix)
    key = state.get("graft-plan", "").partition(" ")[0]
    if not key or state.get("graft-store") != store_root:
        return {}
    # (a plan's destinations are POSIX paths)
    return kept_sources(flat_file(store_root, key), store_root, ".dist-info/METADATA") or {}


def _entry_of(source: str, store_root: str) -> str | None:
    """The sha256 naming the store entry *source* lies in (``entries/<sha256>/tree/...``)."""
    head = os.path.join(store_root, "entries") + os.sep
    digest, sep, rest = source.removeprefix(head).partition(os.sep)
    if not source.startswith(head) or not sep or not rest.startswith(f"tree{os.sep}"):
        return None
    return digest if len(digest) == _SHA256_HEX else None


def _same_bytes(path: str, source: str) -> bool:
    """Whether the venv's file at *path* is still the store's *source*.

    A hard link to it, or a copy of its bytes (METADATA is a few kilobytes).
    """
    try:
        mine, theirs = os.stat(path), os.stat(source)
        if (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino):
            return True
        if mine.st_size != theirs.st_size:
            return False
        with open(path, "rb") as a, open(source, "rb") as b:
            return a.read() == b.read()
    except OSError:
        return False


def wheel_of(dist_info: str) -> str | None:
    """The sha256 of the wheel the distribution at *dist_info* came from, in a graft venv.

    Its ``METADATA`` links to the store entry of that wheel, which its sha256 names
    (``.../entries/<sha256>/tree/...``); a copy (``--link-mode copy``, a hard link, pip's
    and uv's venvs) says nothing: None (:func:`graft.venv.held.held_wheels` asks the flat
    form of the plan that built the venv then: decision 283).
    """
    try:
        target = os.readlink(os.path.join(dist_info, "METADATA"))
    except OSError:
        return None
    _, mark, rest = target.partition("/entries/")
    digest = rest[:64]
    return digest if mark and len(digest) == 64 and rest[64:65] == "/" else None  # noqa: PLR2004
