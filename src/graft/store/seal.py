"""Sealing store entries against writes, and taking the seal off again.

Write bits alone do not stop root. Where the process may (Linux, root, a
filesystem that supports it) every directory and every file of an entry also
gets the immutable attribute (``FS_IMMUTABLE_FL``): no file can then be created,
removed, renamed or written inside it by anyone, so ``pip install`` into a venv
whose directory is a link into the store, or an editor saving a file through a
venv's link, fails instead of changing the store for every venv. (Hard links to
immutable files cannot be made: ``--link-mode hardlink`` then copies.)
``GRAFT_IMMUTABLE=0`` turns the attribute off.
"""

from __future__ import annotations

import os
import stat
import sys

_FS_IOC_GETFLAGS = 0x80086601
_FS_IOC_SETFLAGS = 0x40086602
_FS_IMMUTABLE_FL = 0x00000010
_state: dict[str, bool] = {}


def immutable_enabled() -> bool:
    """Whether to seal with the immutable attribute: Linux, root, no ``GRAFT_IMMUTABLE=0``."""
    if "enabled" not in _state:
        _state["enabled"] = (
            sys.platform == "linux"
            and hasattr(os, "geteuid")
            and os.geteuid() == 0
            and os.environ.get("GRAFT_IMMUTABLE", "1") != "0"
        )
    return _state["enabled"]


def _open(path: str, *, directory: bool) -> int | None:
    """A descriptor of the directory (or regular file) *path*, never through a link; or None."""
    mode = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        return os.open(path, mode | (os.O_DIRECTORY if directory else 0))
    except OSError:
        return None


def _flags(path: str, *, directory: bool = True) -> int | None:
    """The inode flags of the directory (or regular file) *path*; None if unsupported.

    A link is never followed.
    """
    import array  # noqa: PLC0415
    import fcntl  # noqa: PLC0415

    fd = _open(path, directory=directory)
    if fd is None:
        return None
    try:
        flags = array.array("l", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags, True)
    except OSError:
        return None
    finally:
        os.close(fd)
    return int(flags[0])


def _set_immutable(path: str, on: bool, *, directory: bool = True) -> bool:
    """Set or clear the immutable attribute of *path*; False if unsupported.

    One open, one read of the flags and, only if they change, one write (this runs for every
    file of an entry). A link is never followed.
    """
    import array  # noqa: PLC0415
    import fcntl  # noqa: PLC0415

    fd = _open(path, directory=directory)
    if fd is None:
        return False
    try:
        flags = array.array("l", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags, True)
        new = (flags[0] | _FS_IMMUTABLE_FL) if on else (flags[0] & ~_FS_IMMUTABLE_FL)
        if new != flags[0]:
            fcntl.ioctl(fd, _FS_IOC_SETFLAGS, array.array("l", [new]))
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def is_immutable(path: str, *, directory: bool = True) -> bool:
    """Whether *path* has the immutable attribute (a link is never followed)."""
    flags = _flags(path, directory=directory)
    return flags is not None and bool(flags & _FS_IMMUTABLE_FL)


def _dirs_bottom_up(root: str) -> list[str]:
    """Every real directory below *root*, deepest first (links to directories excluded)."""
    return [dirpath for dirpath, _dirs, _files in os.walk(root, topdown=False)]


def _regular_files(root: str) -> list[str]:
    """Every regular file below *root* (links, devices and FIFOs excluded; links not followed)."""
    out = []
    pending = [root]
    while pending:
        with os.scandir(pending.pop()) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    out.append(entry.path)
    return out


def make_read_only(root: str, *, top: bool = True) -> None:
    """Drop every write bit below *root*: files and real directories; links are never followed.

    *root* itself too, unless not *top*: a directory about to be renamed into another
    directory must keep its owner's write bit, for rename(2) rewrites its ``..`` (only a
    process that may override permissions, root's, moves it without); :func:`seal_top`
    drops it once it is in place.
    """
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode) and st.st_mode & 0o222:
                os.chmod(path, stat.S_IMODE(st.st_mode) & ~0o222)
    for directory in _dirs_bottom_up(root):
        os.chmod(directory, 0o555 if top or directory != root else 0o755)


_SYNC_FILE_RANGE_WRITE = 2  # <linux/fs.h>: start writeback of the dirty pages, do not wait


def write_back(paths: list[str]) -> None:
    """Start writing the dirty pages of every file in *paths* back, all at once; do not wait.

    Setting the immutable attribute writes a file's dirty pages back first, synchronously
    (ext4 here: 230 us a file just written, 12 us once written back), so a seal of a freshly
    unpacked entry was thousands of small synchronous writes in a row. With the writeback of
    every file started first (``sync_file_range``), the kernel writes them in one batch, and
    the seal waits for each file only as long as its own pages are still on their way. Only
    the entry's own files: a ``syncfs`` (decision 52 before) also waited for every other
    process's dirty data on the filesystem. Nothing is done where libc has no
    ``sync_file_range``: the seal then writes each file back itself.
    """
    try:
        import ctypes  # noqa: PLC0415

        start = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):  # (not glibc/musl Linux)
        return
    start.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    for path in paths:
        fd = _open(path, directory=False)
        if fd is None:
            continue
        try:
            start(fd, 0, 0, _SYNC_FILE_RANGE_WRITE)
        finally:
            os.close(fd)


def seal_tree(root: str) -> None:
    """Set the immutable attribute on every regular file below *root*, then every directory.

    Directories deepest first (*root* last). The files' writeback is started first, all at
    once (:func:`write_back`).
    """
    if not immutable_enabled():
        return
    files = _regular_files(root)
    write_back(files)
    for path in files:
        if not _set_immutable(path, on=True, directory=False):
            _state["enabled"] = False  # this filesystem or process cannot; stop trying
            return
    seal_directories(root)


def seal_directories(root: str) -> None:
    """Set the immutable attribute on every directory below *root*, deepest first."""
    if not immutable_enabled():
        return
    for directory in _dirs_bottom_up(root):
        if not _set_immutable(directory, on=True):
            _state["enabled"] = False
            return


def seal_top(root: str) -> None:
    """Seal the files directly in *root*, then *root* itself (what lies below is sealed).

    Its write bits go first (:func:`make_read_only` left them to let it be moved), the
    immutable attribute last.
    """
    os.chmod(root, 0o555)
    if not immutable_enabled():
        return
    with os.scandir(root) as it:
        files = [e.path for e in it if e.is_file(follow_symlinks=False)]
    for path in files:
        if not _set_immutable(path, on=True, directory=False):
            _state["enabled"] = False
            return
    if not _set_immutable(root, on=True):
        _state["enabled"] = False


def unseal_tree(root: str) -> None:
    """Clear the immutable attribute of every real directory and regular file below *root*.

    And give the owner write access to every directory (files keep their read-only bits).

    ``os.walk`` visits real directories only (a link to a directory is listed,
    never entered), so nothing outside *root* is touched.
    """
    check = immutable_enabled()
    for dirpath, _dirnames, _files in os.walk(root):
        if check or is_immutable(dirpath):
            _set_immutable(dirpath, on=False)
        os.chmod(dirpath, 0o755)
    if check or (hasattr(os, "geteuid") and os.geteuid() == 0):
        for path in _regular_files(root):
            _set_immutable(path, on=False, directory=False)


def unseal_top(path: str) -> None:
    """Clear the immutable attribute and the read-only mode of the directory *path* itself.

    Not below it, so that it can be renamed; a link is never followed.
    """
    if is_immutable(path):
        _set_immutable(path, on=False)
    os.chmod(path, 0o755)


def remove_tree(root: str, *, sealed: bool = True) -> None:
    """Remove *root* (unsealing it first if *sealed*); links are removed, never followed."""
    if not os.path.lexists(root):
        return
    if os.path.islink(root) or not os.path.isdir(root):
        os.unlink(root)
        return
    if sealed:
        unseal_tree(root)
    try:
        _remove_below(root)
    except PermissionError:
        # a directory without its owner's write bit (a user's, kept in a venv: a copy of a
        # sealed package, say) cannot be emptied but by root; give them back and go on
        _owner_may_write(root)
        _remove_below(root)
    os.rmdir(root)


def _remove_below(root: str) -> None:
    """Everything in the real directory *root*, bottom up; links removed, never followed."""
    # bottom up, as os.walk visits real directories only (a link is removed, never entered);
    # not shutil.rmtree, whose import costs the change of a venv ~5 ms
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames:
            os.unlink(os.path.join(dirpath, name))
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                os.unlink(path)
            else:
                os.rmdir(path)


def _owner_may_write(root: str) -> None:
    """Give the owner read, write and search access to every real directory below *root*.

    Top down, each directory before it is listed; links are never followed.
    """
    pending = [root]
    while pending:
        path = pending.pop()
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        if mode & stat.S_IRWXU != stat.S_IRWXU:
            os.chmod(path, mode | stat.S_IRWXU)
        with os.scandir(path) as it:
            pending.extend(e.path for e in it if e.is_dir(follow_symlinks=False))
