"""A user's files in a venv outlive its rebuilds: each is linked into the new venv.

``graft sync`` rebuilds a venv beside it and swaps it in (:mod:`graft.venv.materialize`).
Whatever the old venv holds that is neither graft's, a venv tool's nor an installed
distribution's (:mod:`graft.venv.replaceable`) is a user's: notes, a kernel spec under
``share/``, a module or ``.pth`` file put into site-packages by hand, a script in ``bin/``.
pip and uv leave such files where they are; so does graft (decision 86):

1. before the swap, each is **hard-linked** into the new venv at its own path
   (:func:`carry`): the same inode, so a write into it meanwhile lands in both venvs and
   a crash at any point leaves it in the venv that is in place. Directories are made anew
   (with their modes) and filled the same way; symbolic links are made again, never
   followed. Where the new venv has a real directory at that path, the two are merged;
   where it has anything else there or above (a file, or a directory it links to the
   store), nothing can be kept and the sync is refused, the old venv untouched;
2. after the swap, the old venv is read again (:func:`lost`): anything of the user's
   there that the new venv lacks (written during the sync) puts the old venv back, and
   the sync is refused;
3. the paths carried are recorded as ``graft-kept`` in pyvenv.cfg and left out of
   ``graft-tree`` (:func:`graft.venv.state.kept_paths`): a user may change their own
   files without making the venv differ from what graft left, and an incremental change
   that would touch one of them rebuilds instead (:mod:`graft.venv.incremental`).

Only regular files, directories and symbolic links are kept, and at most :data:`LIMIT`
files: a project tree inside a venv (``python -m venv .``) is refused as before, since
rebuilding it would give every one of its directories a new inode.
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import NoReturn

#: How many files (and links) of a user's a rebuild keeps at most.
LIMIT = 1000

#: The venv tool's files a user edits in place (variables exported by ``bin/activate``,
#: patterns added to the ``.gitignore``): pip and uv never write them again, and a rebuild
#: keeps the venv's own where it differs from the fresh one (decision 109).
EDITED_SKELETON = (
    ".gitignore",
    "bin/activate",
    "bin/activate.csh",
    "bin/activate.fish",
    "bin/Activate.ps1",
)


def carry(old: str, new: str, entries: Iterable[str], prefix: str) -> tuple[str, ...]:
    """Link each of a user's *entries* (venv-relative) from the venv *old* into *new*.

    Returns the paths that now hold them in *new*: an entry merged into a real directory
    the new venv has is recorded by what it holds. Entries gone from *old* are skipped. A
    MaterializeError names the first that cannot be kept (*prefix* is the venv's path, for
    the message).
    """
    return _carried(_Carrier(old, new, prefix), entries)


def would_carry(
    old: str, entries: Iterable[str], prefix: str, new: dict[str, str]
) -> tuple[str, ...]:
    """:func:`carry` into a venv not built: what it would return, or its MaterializeError.

    Nothing is written. *new* says what the new venv would hold (``dir``, ``link`` or
    ``file`` by venv-relative path; a path it leaves out is one the new venv lacks); the
    carrier's own directories and links are added to it as it goes. For ``graft sync
    --dry-run``, which has no new venv to carry into.
    """
    return _carried(_Carrier(old, "", prefix, dict(new)), entries)


def _carried(carrier: _Carrier, entries: Iterable[str]) -> tuple[str, ...]:
    for entry in entries:
        rel = entry.rstrip("/")
        try:
            st = os.lstat(os.path.join(carrier.old, rel))
        except FileNotFoundError:
            continue
        carrier.make_parents(rel)
        carrier.place(rel, st)
    return tuple(carrier.placed)


class _Carrier:
    """Links a user's entries from one venv (*old*) into another (*new*), counting files.

    With *view* (what the new venv would hold, by path), into none: nothing is written, and
    only what the carrier would make is added to the view (:func:`would_carry`).
    """

    def __init__(self, old: str, new: str, prefix: str, view: dict[str, str] | None = None) -> None:
        self.old, self.new, self.prefix = old, new, prefix
        self.placed: list[str] = []
        self.budget = LIMIT
        self.view = view

    def _there(self, rel: str) -> str | None:
        """What the new venv holds at *rel*: ``dir``, ``link``, ``file`` or None."""
        if self.view is not None:
            return self.view.get(rel)
        try:
            st = os.lstat(os.path.join(self.new, rel))
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(st.st_mode):
            return "link"
        return "dir" if stat.S_ISDIR(st.st_mode) else "file"

    def _make(self, rel: str, kind: str, make: Callable[[], None]) -> None:
        """Make *rel* in the new venv (*make*), or only note it in the view."""
        if self.view is not None:
            self.view[rel] = kind
        else:
            make()

    def make_parents(self, rel: str) -> None:
        """Make each directory above *rel* that *new* lacks; refuse a link or file there."""
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            above = "/".join(parts[:depth])
            was = os.lstat(os.path.join(self.old, above))
            if not stat.S_ISDIR(was.st_mode):  # (a recorded path below a link: never followed)
                _refuse(rel, self.prefix, f"{above} is not a directory of the venv")
            path = os.path.join(self.new, above)
            there = self._there(above)
            if there is None:
                mode = stat.S_IMODE(was.st_mode)  # (_make calls it at once, in this round)
                self._make(above, "dir", lambda: os.mkdir(path, mode))  # noqa: B023
                continue
            if there == "link":  # a fold: only --link-mode symlink makes them
                why = f"the new venv links {above} to the store"
                _refuse(rel, self.prefix, why, _FOLDED)
            if there != "dir":
                _refuse(rel, self.prefix, f"the new venv has a file at {above}")

    def place(self, rel: str, st: os.stat_result) -> None:
        """Put the entry *rel* of *old* (its lstat: *st*) at the same path in *new*."""
        source, target = os.path.join(self.old, rel), os.path.join(self.new, rel)
        there = self._there(rel)
        if there is None:
            self._copy(source, target, st, rel)
            self.placed.append(rel)
            return
        if not (stat.S_ISDIR(st.st_mode) and there == "dir"):
            _refuse(rel, self.prefix, "the new venv has its own file there")
        for name in sorted(os.listdir(source)):  # two real directories: merged
            self.place(f"{rel}/{name}", os.lstat(os.path.join(source, name)))

    def _copy(self, source: str, target: str, st: os.stat_result, rel: str, at: str = "") -> None:
        """Hard-link a file, make a link again, or make a directory and fill it.

        *rel*: the user's entry (named by a refusal); *at*: this path below it, if not it.
        """
        at = at or rel
        if stat.S_ISDIR(st.st_mode):
            mode = stat.S_IMODE(st.st_mode)
            self._make(at, "dir", lambda: os.mkdir(target, mode | stat.S_IRWXU))
            for name in sorted(os.listdir(source)):
                child = os.path.join(source, name)
                below = (os.path.join(target, name), os.lstat(child), rel, f"{at}/{name}")
                self._copy(child, *below)
            self._make(at, "dir", lambda: os.chmod(target, mode))
            return
        self.budget -= 1
        if self.budget < 0:
            _refuse(rel, self.prefix, f"graft keeps at most {LIMIT} of a user's files in a venv")
        if stat.S_ISLNK(st.st_mode):
            self._make(at, "link", lambda: os.symlink(os.readlink(source), target))
        elif stat.S_ISREG(st.st_mode):
            try:
                self._make(at, "file", lambda: os.link(source, target, follow_symlinks=False))
            except OSError as exc:
                why = f"it cannot be linked into the new venv ({exc.strerror})"
                _refuse(rel, self.prefix, why)
        else:
            _refuse(rel, self.prefix, "it is neither a file, a directory nor a link")


def carry_configs(
    old: str,
    new: str,
    copies: Iterable[tuple[str, str, str]],
    made_from: dict[str, str] | None = None,
) -> None:
    """Link each configuration file of the venv *old* into *new*, over the fresh copy there.

    *copies*: the new plan's configuration files (:class:`graft.plan.types.CopyFile`), each
    with the RECORD of its distribution (venv-relative) and the store file it is copied from.
    A tool may have rewritten one in the venv (``jupyter server extension disable
    --sys-prefix``); pip leaves it so until the distribution is upgraded or removed, and so
    does a rebuild: the file is carried where the old venv holds the same distribution at the
    same version (its RECORD is there), where its copy was made from the same store file
    (*made_from*: the old venv's copies by destination, from the flat form that built it;
    another wheel of the version ships its own file, which pip's and uv's reinstall write:
    decision 247), or, where that is not known (None), from the same wheel by its METADATA
    link (:func:`_same_wheel`), and the file is the venv's own (a regular file with no other
    link: never one linked to the store).
    """
    same: dict[str, bool] = {}
    for dest, record, source in copies:
        if made_from is not None:
            if made_from.get(dest) != source:
                continue
        else:
            dist_info = os.path.dirname(record)
            if dist_info not in same:
                same[dist_info] = _same_wheel(old, new, dist_info)
            if not same[dist_info]:
                continue
        source_path = os.path.join(old, dest)
        try:
            st = os.lstat(source_path)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
            continue
        if not os.path.isfile(os.path.join(old, record)):
            continue
        target = os.path.join(new, dest)
        try:
            os.link(source_path, f"{target}.graft-carry")  # (gone meanwhile: the fresh copy stays)
        except FileNotFoundError:
            continue
        os.replace(f"{target}.graft-carry", target)


def _same_wheel(old: str, new: str, dist_info: str) -> bool:
    """Whether the venvs *old* and *new* hold *dist_info* from the same wheel (decision 244).

    Where its METADATA links to the store, the entries they link to (named by the wheel's
    sha256) must be one: another wheel of the same version (a project rebuilt after an
    edit, ``--reinstall`` of another file) has other sources, and a ``.pyc`` compiled from
    the old ones, carried, would be taken for the new ones' wherever their sizes and mtimes
    agree (reproducible builds fix the mtimes). A copy or a hard link says nothing: the same.
    Asked only where the flat form that built *old* is not at hand (decision 247).
    """
    from graft.venv.held import wheel_of  # noqa: PLC0415

    return wheel_of(os.path.join(old, dist_info)) == wheel_of(os.path.join(new, dist_info))


def carry_edited_skeleton(
    old: str,
    new: str,
    prefix: str,
    as_written: Callable[[str], tuple[bytes | None, ...]] | None = None,
) -> tuple[str, ...]:
    """Link each :data:`EDITED_SKELETON` file of the venv *old* over the fresh one in *new*.

    Only where both are regular files and their bytes differ, and never a file written for
    another path: where the fresh file names the venv's path *prefix* and the old one does not
    (a venv moved, or made elsewhere), the fresh one stays. Nor one that is what graft wrote
    for the old venv (any of *as_written* of its path: the activate scripts of its previous
    prompt, which ``--prompt`` changes, as graft writes them or wrote them). Returns the paths
    carried.
    """
    mark = os.fsencode(prefix)
    carried: list[str] = []
    for rel in EDITED_SKELETON:
        source, target = os.path.join(old, rel), os.path.join(new, rel)
        mine, fresh = _regular_bytes(source), _regular_bytes(target)
        if mine is None or fresh is None or mine == fresh:
            continue
        if as_written is not None and mine in as_written(rel):
            continue  # not edited: only graft's options made it differ
        if mark in fresh and mark not in mine:
            continue
        try:
            os.link(source, f"{target}.graft-carry", follow_symlinks=False)
        except FileNotFoundError:  # (gone meanwhile: the fresh one stays)
            continue
        os.replace(f"{target}.graft-carry", target)
        carried.append(rel)
    return tuple(carried)


def _regular_bytes(path: str) -> bytes | None:
    """The bytes of the regular file at *path* (never through a link); None for anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return None
        return fh.read()


def lost(old: str, new: str, entries: Iterable[str]) -> list[str]:
    """The paths of a user's *entries* in *old* that *new* does not hold as they are.

    A file must be the same inode, a link must have the same target, a directory must be
    a real directory holding all that the old one holds. Empty when nothing would be lost.
    """
    out: list[str] = []
    for entry in entries:
        _compare(old, new, entry.rstrip("/"), out)
    return out


def _compare(old: str, new: str, rel: str, out: list[str]) -> None:
    try:
        st = os.lstat(os.path.join(old, rel))
    except FileNotFoundError:
        return
    try:
        there = os.lstat(os.path.join(new, rel))
    except FileNotFoundError:
        out.append(rel)
        return
    if stat.S_ISDIR(st.st_mode):
        if not stat.S_ISDIR(there.st_mode):
            out.append(rel + "/")
            return
        for name in sorted(os.listdir(os.path.join(old, rel))):
            _compare(old, new, f"{rel}/{name}", out)
    elif stat.S_ISLNK(st.st_mode):
        if not stat.S_ISLNK(there.st_mode) or os.readlink(os.path.join(old, rel)) != os.readlink(
            os.path.join(new, rel)
        ):
            out.append(rel)
    elif (st.st_dev, st.st_ino) != (there.st_dev, there.st_ino):
        out.append(rel)


def touched(destinations: Iterable[str], kept: Iterable[str]) -> bool:
    """Whether taking out or putting in any of *destinations* would reach a *kept* path.

    A destination at a kept path, above one (a directory the user's file lies in) or below
    one (inside the user's directory).
    """
    paths = tuple(kept)
    if not paths:
        return False
    for dest in destinations:
        for path in paths:
            if dest == path or path.startswith(f"{dest}/") or dest.startswith(f"{path}/"):
                return True
    return False


def stranded(kept: Iterable[str], site_dirs: Iterable[str]) -> list[str]:
    """The *kept* paths in another interpreter's library directory than *site_dirs*' own.

    A venv rebuilt for Python 3.11 keeps a user's module or ``.pth`` file from the 3.12 venv's
    ``lib/python3.12/site-packages`` where it was (decision 86), and 3.11 never imports it.
    """
    own = {"/".join(site.split("/")[:2]) for site in site_dirs}
    found = []
    for path in kept:
        parts = path.split("/")
        library = "/".join(parts[:2])
        python = parts[0] == "lib" and parts[1:2] and parts[1].startswith(("python", "pypy"))
        if python and library not in own:
            found.append(path)
    return sorted(found)


_FOLDED = (
    "move it out of the venv, or sync with --link-mode copy (or hardlink), whose directories"
    " can hold it; nothing was changed"
)


def _refuse(rel: str, prefix: str, why: str, hint: str | None = None) -> NoReturn:
    from graft.errors import MaterializeError  # noqa: PLC0415 - (not on the daily paths)

    raise MaterializeError(
        f"holds {rel}, which is neither the venv's nor an installed distribution's,"
        f" and cannot be kept in the new venv: {why}",
        where=prefix,
        hint=hint or "move it out of the venv, or choose another path; nothing was changed",
    )


__all__ = [
    "EDITED_SKELETON",
    "LIMIT",
    "carry",
    "carry_edited_skeleton",
    "lost",
    "stranded",
    "touched",
    "would_carry",
]
