"""What an editable wheel maps by name: whether a module added to its tree needs a build.

An editable wheel makes a project's modules importable in one of two ways. A ``.pth`` line
naming a source directory of the tree puts it on ``sys.path``: a module added there is
importable at once (flit_core, pdm-backend, poetry-core, hatchling's default, setuptools'
default for a ``src`` layout). Anything else maps names the build found: setuptools' finder
(``__editable___*_finder.py``, the top-level packages of a flat layout), hatchling's
``dev-mode-exact``, scikit-build-core's and meson-python's loaders (a module in the wheel
that a ``.pth`` ``import`` line installs), and setuptools' strict mode (a ``.pth`` naming a
tree of links its build made under ``build/``): a module added is invisible until the
project is built again, as pip and uv do on every install (decision 270).

Only a wheel that maps names has its tree's module names recorded and watched, so that the
no-op of a ``.pth`` editable walks nothing (decision 288). A link tree maps package data
too: the names of every file in the directories its links lead into are recorded as well
(decision 289). Read from the wheel graft built,
never from the backend's name: a backend graft does not know maps, unless all its wheel
holds is ``.pth`` lines naming directories a walk of the tree enters.
"""

from __future__ import annotations

import os
import zipfile
from typing import TYPE_CHECKING

from graft.build.tree_walk import NAME_KINDS, file_names, module_names, names_digest, walked

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: What the import system loads: such a file in the wheel is code it runs (a finder, a
#: loader, a module copied in), not a directory on ``sys.path``.
_CODE = (".py", ".pyc", ".pyw", ".so", ".pyd")
#: The parts of a wheel's ``.data`` directory that are never imported.
_NOT_IMPORTED = ("scripts", "headers")
#: What is recorded of a tree whose names an editable wheel maps: ``(kind, directory relative
#: to the tree, digest)``, the ``modules`` of its root (:func:`graft.build.tree_walk.
#: module_names`) and, for a link tree, the ``files`` of the directories it links into.
Mapped = tuple[tuple[str, str, str], ...]


def maps_names(members: Iterable[str], pth: Mapping[str, str], root: str) -> bool:
    """Whether an editable wheel holding *members* maps the modules of the tree *root* by name.

    *pth*: the text of each ``.pth`` member at the top of the wheel (or of its ``purelib``
    or ``platlib``); *root*: the tree's real path. Not mapping: every ``.pth`` line names a
    directory of the tree that a walk enters, and no code is in the wheel outside its
    ``.dist-info``, its scripts and headers (a file hatchling's ``force-include`` copies is
    data, decision 272). Mapping: an ``import`` line, a directory the walk leaves out
    (``build/``), one outside the tree or relative to site-packages, a module in the wheel,
    a ``.pth`` elsewhere.
    """
    for name in members:
        parts = name.split("/")
        if parts[0].endswith(".dist-info") or not parts[-1]:
            continue
        if parts[0].endswith(".data"):
            if len(parts) < 3 or parts[1] in _NOT_IMPORTED:  # noqa: PLR2004 - X.data/part/file
                continue
            if parts[1] in ("purelib", "platlib"):
                parts = parts[2:]
        if parts[-1].endswith(".pth"):
            if len(parts) > 1 or name not in pth or _maps(pth[name], root):
                return True
        elif parts[-1].endswith(_CODE):
            return True
    return False


def _maps(text: str, root: str) -> bool:
    """Whether a ``.pth`` file's lines, as ``site`` reads them, do more than name tree dirs."""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(("import ", "import\t")):  # (code site runs: a finder)
            return True
        path = line.rstrip()
        if not os.path.isabs(path):  # (relative to site-packages)
            return True
        rel = _inside(path, root)
        if rel is None or not walked(root, rel):
            return True
    return False


def _inside(path: str, root: str) -> str | None:
    """*path*'s real path relative to *root* (``/``-separated, ``.``); None if outside it."""
    rel = os.path.relpath(os.path.realpath(path), root)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel.replace(os.sep, "/")


def _link_trees(pth: Mapping[str, str], root: str) -> list[str]:
    """The directories of *root* that ``.pth`` lines name and a walk leaves out (``build/``)."""
    found = []
    for text in pth.values():
        for line in text.splitlines():
            path = line.rstrip()
            if not line.strip() or line.startswith(("#", "import ", "import\t")):
                continue
            rel = _inside(path, root) if os.path.isabs(path) else None
            if rel is not None and not walked(root, rel):
                found.append(path)
    return found


def linked_sources(tree: str, root: str) -> tuple[str, ...]:
    """The directories of *root* a link tree's links lead into (relative, none under another).

    setuptools' strict mode makes ``build/__editable__.<name>-<version>-<tag>/`` of links to
    each file its build found, package data too. A file in it that is not a symbolic link
    into a directory the walk enters (a hard link, a copy, where links cannot be made)
    leaves the whole tree, ``.``, to watch.
    """
    targets: set[str] = set()
    for top, _, files in os.walk(tree):
        for name in files:
            try:
                target = os.readlink(os.path.join(top, name))
            except OSError:  # (not a link)
                return (".",)
            targets.add(os.path.dirname(os.path.join(top, target)))
    found: set[str] = set()
    for directory in targets:  # (each directory once: a real path is a stat per component)
        rel = _inside(directory, root)
        if rel is None or not walked(root, rel):
            return (".",)
        found.add(rel)
    kept: list[str] = []
    for rel in sorted(found, key=lambda r: (r.count("/"), r)):
        if not any(rel == k or rel.startswith(f"{k}/") or k == "." for k in kept):
            kept.append(rel)
    return tuple(sorted(kept))


def mapped(wheel: str, root: str) -> Mapped:
    """What to record of *root* for the editable *wheel* built of it: its module names, or ().

    Read from the wheel's members (what an install puts into site-packages), after its
    build: a ``_version.py`` the build wrote is one of the names. A wheel that cannot be
    read counts as mapping.
    """
    top = os.path.realpath(root)
    try:
        with zipfile.ZipFile(wheel) as archive:
            members = archive.namelist()
            pth = {
                name: archive.read(name).decode("utf-8", "surrogateescape")
                for name in members
                if name.endswith(".pth") and name.count("/") <= 2  # noqa: PLR2004
            }
    except (OSError, zipfile.BadZipFile, KeyError):
        return (("modules", ".", module_names(top)),)
    if not maps_names(members, pth, top):
        return ()
    files = sorted({rel for tree in _link_trees(pth, top) for rel in linked_sources(tree, top)})
    return (
        ("modules", ".", module_names(top)),
        *(("files", rel, file_names(os.path.join(top, *rel.split("/")))) for rel in files),
    )


def changed(recorded: Mapped, root: str) -> tuple[str, str] | None:
    """The kind and directory (relative to *root*) of the first names that differ now, or None.

    Entries come from a record, untrusted: an unknown kind or a path a walk would not enter
    counts as changed, so that the build is done again rather than trusted.
    """
    for kind, rel, digest in recorded:
        if kind not in NAME_KINDS or not walked(root, rel):
            return kind, rel
        if names_digest(kind, os.path.join(root, *rel.split("/"))) != digest:
            return kind, rel
    return None
