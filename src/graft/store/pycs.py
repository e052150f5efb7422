"""Which files of a store entry are compiled, where their ``.pyc`` files go, and undoing a compile.

For :mod:`graft.store.bytecode`: a source is an importable ``.py`` file whose bytecode the
wheel does not ship (a ``.pyc`` RECORD lists is the wheel's file: never compiled over), and
its ``.pyc`` is PEP 3147's, beside it in ``__pycache__``.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from collections.abc import Set as AbstractSet

    from graft.store.entries import StoreEntry


def python_sources(entry: StoreEntry, tag: str) -> list[str]:
    """The entry's importable ``.py`` files whose bytecode for *tag* the wheel does not ship.

    A ``.pyc`` listed in RECORD is the wheel's file: kept as shipped, never compiled over.
    """
    record = entry.record
    listed = {f.path for f in record.files}
    return [
        os.path.join(entry.tree, f.path)
        for f in record.files
        if is_source(f.path, record.dist_info, record.data_dir, listed, tag)
    ]


def is_source(path: str, dist_info: str, data_dir: str, listed: AbstractSet[str], tag: str) -> bool:
    """Whether the archive path *path* is a source compiled for *tag* (:func:`python_sources`)."""
    if not path.endswith(".py"):
        return False
    from graft.wheel.layout import importable_path  # noqa: PLC0415

    return bool(importable_path(path, dist_info, data_dir)) and pyc_path(path, tag) not in listed


def pycache_parents(members: Iterable[str]) -> set[str]:
    """The directories (``""``: the top) whose ``__pycache__`` *members* write into, or are."""
    parents: set[str] = set()
    for member in members:
        if "__pycache__" in member:
            parts = member.split("/")
            parents.update("/".join(parts[:i]) for i, p in enumerate(parts) if p == "__pycache__")
    return parents


def remove_partial(entry: StoreEntry, sources: Iterable[str], tag: str) -> None:
    """Temp files a killed compile of *sources* left.

    py_compile's ``<name>.<tag>.pyc.<id>`` beside a ``.pyc`` graft compiles, and
    ``bytecode/<tag>.json.tmp.<pid>``. Nothing RECORD lists is ever removed (a wheel may ship a
    file spelled like that).
    """
    listed = {os.path.join(entry.tree, f.path) for f in entry.record.files}
    prefix = entry.tree + os.sep
    compiled: dict[str, set[str]] = {}  # __pycache__ directory -> the .pyc names graft writes
    for src in sources:
        pyc = os.path.join(entry.tree, pyc_path(src[len(prefix) :], tag))
        compiled.setdefault(os.path.dirname(pyc), set()).add(os.path.basename(pyc))
    compiled[os.path.join(entry.path, "bytecode")] = {f"{tag}.json.tmp"}
    for directory, names in compiled.items():
        try:
            found = os.listdir(directory)
        except (FileNotFoundError, NotADirectoryError):  # (a wheel may ship a file there)
            continue
        for name in found:
            stem, dot, suffix = name.rpartition(".")
            path = os.path.join(directory, name)
            if dot and suffix.isdigit() and stem in names and path not in listed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)


def remove_compiled(entry: StoreEntry, sources: Sequence[str], tag: str) -> None:
    """Undo a failed compile of *sources*: the ``.pyc`` files graft writes, and temp files.

    Nothing RECORD lists is removed (a ``.pyc`` the wheel ships is never compiled over anyway).
    """
    listed = {os.path.join(entry.tree, f.path) for f in entry.record.files}
    for pyc in pyc_paths(entry, sources, tag):
        path = os.path.join(entry.tree, pyc)
        if path not in listed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    remove_partial(entry, sources, tag)


def pyc_path(source: str, tag: str) -> str:
    """The archive path of the ``.pyc`` for *tag* of the archive path *source* (PEP 3147)."""
    head, _, name = source.rpartition("/")
    pyc = f"__pycache__/{name[:-3]}.{tag}.pyc"
    return f"{head}/{pyc}" if head else pyc


def pyc_paths(entry: StoreEntry, compiled: Iterable[str], tag: str) -> list[str]:
    """The archive paths of the ``.pyc`` files of the sources *compiled* (paths in the tree)."""
    prefix = entry.tree + os.sep
    return [pyc_path(src[len(prefix) :], tag) for src in compiled]


__all__ = [
    "is_source",
    "pyc_path",
    "pyc_paths",
    "pycache_parents",
    "python_sources",
    "remove_compiled",
    "remove_partial",
]
