"""Where a wheel's files land for ``import``: top-level names, packages, namespace portions.

Derived at ingest from the unpacked file list (:func:`derive_layout`); :func:`importable_path`
is also what :mod:`graft.store.bytecode` asks of each ``.py`` file.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.model.record import is_native

if TYPE_CHECKING:
    from collections.abc import Iterable

_NAMESPACE_MARKERS = (b"pkgutil.extend_path", b"declare_namespace")


class Layout:
    """Import layout of a wheel, in site-packages-relative paths."""

    def __init__(
        self,
        top_level: tuple[str, ...],
        packages: tuple[str, ...],
        namespace_dirs: tuple[str, ...],
    ) -> None:
        self.top_level = top_level
        self.packages = packages
        self.namespace_dirs = namespace_dirs


def importable_path(path: str, dist_info: str, data_dir: str) -> str | None:
    """Where an archive path lands relative to site-packages, or None if elsewhere."""
    head, _, rest = path.partition("/")
    if head == dist_info:
        return None
    if head == data_dir:
        category, _, inner = rest.partition("/")
        return inner if category in {"purelib", "platlib"} else None
    return path


def derive_layout(paths: Iterable[str], dist_info: str, data_dir: str, root: str) -> Layout:
    """Regular packages, namespace portions and top-level names, from the file list.

    *root* is the unpacked tree, read only for ``__init__.py`` files to spot
    pkgutil/pkg_resources-style namespace declarations.
    """
    sources: dict[str, str] = {}
    for path in paths:
        target = importable_path(path, dist_info, data_dir)
        if target is not None:
            sources[target] = path
    python_dirs: set[str] = set()
    top_level: set[str] = set()
    for target in sources:
        parts = target.split("/")
        name = parts[-1]
        is_module = name.endswith(".py") or is_native(target)
        if not is_module or "__pycache__" in parts:
            continue
        for depth in range(1, len(parts)):
            python_dirs.add("/".join(parts[:depth]))
        if len(parts) > 1:
            top_level.add(parts[0])
        else:
            top_level.add(name.split(".")[0])
    packages, namespaces = [], []
    for directory in sorted(python_dirs):
        init = sources.get(f"{directory}/__init__.py")
        if init is None:
            if not directory.split("/")[-1].isidentifier():
                continue
            namespaces.append(directory)
            continue
        with open(os.path.join(root, init), "rb") as fh:
            head = fh.read(4096)
        if any(marker in head for marker in _NAMESPACE_MARKERS):
            namespaces.append(directory)
        else:
            packages.append(directory)
    return Layout(
        top_level=tuple(sorted(n for n in top_level if n.isidentifier())),
        packages=tuple(packages),
        namespace_dirs=tuple(namespaces),
    )
