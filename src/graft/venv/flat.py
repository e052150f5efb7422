"""Carry out a flat form (:mod:`graft.plan.flat`) below a directory: the one materializer.

Every venv graft builds is written by :func:`apply_flat`: a whole rebuild, an incremental
change (:mod:`graft.venv.incremental`, a flat form of part of a plan) and a new venv made
from a kept plan's flat form with the standard library alone (``graft.cli.replay``).
Directories first, level by level (a parent always exists before its children), then links,
files and RECORDs (over ``GRAFT_LINK_THREADS`` threads, if set above one). Launchers and
scripts are rendered first (their shebang is the venv's interpreter: the only bytes that
depend on where the venv is), so that every RECORD can be written at once with their hashes.

A kept form is read back first by :mod:`graft.venv.kept_flat` (``read_kept``, ``load_texts``).

Only the standard library is imported here, and graft modules that import nothing else.
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from graft.plan.flat import Flat, Row


class Relative:
    """Relative link targets from venv directories into the store, one relpath per directory.

    Computed from where the venv and the store really are: the kernel resolves a relative
    link's ``..`` physically, so a venv reached through a symlinked parent at another depth
    would otherwise get targets that climb out of the wrong directory.
    """

    def __init__(self, prefix: str, store_root: str) -> None:
        """Targets for the venv at *prefix* into the store at *store_root*."""
        parent, name = os.path.split(prefix.rstrip("/"))
        self.prefix = os.path.join(os.path.realpath(parent), name)
        self.store_root = store_root.rstrip("/") + "/"
        self._real_store = os.path.realpath(store_root)
        self._up: dict[str, str] = {}

    def __call__(self, source: str, dest: str) -> str:
        """The link target at venv-relative *dest* for the absolute *source*."""
        final_dir = os.path.dirname(f"{self.prefix}/{dest}")
        if not source.startswith(self.store_root):
            head, tail = os.path.split(source)
            return os.path.relpath(os.path.join(os.path.realpath(head), tail), final_dir)
        up = self._up.get(final_dir)
        if up is None:
            up = self._up[final_dir] = os.path.relpath(self._real_store, final_dir)
        return f"{up}/{source[len(self.store_root) :]}"


def record_digest(data: bytes) -> str:
    """The RECORD spelling of a sha256 digest: ``sha256=<urlsafe base64, no padding>``.

    ``binascii`` (built in) rather than ``base64``, whose import costs a change of a venv ~2 ms.
    """
    import binascii  # noqa: PLC0415

    from graft._sha256 import sha256  # noqa: PLC0415 - (not hashlib: OpenSSL's import)

    encoded = binascii.b2a_base64(sha256(data).digest(), newline=False)
    return "sha256=" + encoded.translate(_URLSAFE).rstrip(b"=").decode()


_URLSAFE = bytes.maketrans(b"+/", b"-_")  # base64.urlsafe_b64encode's alphabet


def apply_flat(
    flat: Flat,
    root: str,
    prefix: str,
    python: str,
    store_root: str = "/",
    *,
    staged: tuple[str, ...] = (),
) -> None:
    """Carry out *flat* below *root*, for the venv at *prefix* whose interpreter is *python*.

    Links are relative to where *prefix* really is (they keep working once *root*, a staging
    directory beside it, is renamed there). With *staged* (the top-most destinations of
    *flat*: an incremental change's), the subtree of ``staged[i]`` is written at
    ``<root>/<i>`` instead of at its path below *root* (decision 210: no parent directories
    made, and removed again, to hold it).
    """
    REFUSED.clear()  # (what this venv's links met, for its summary line)
    relative = Relative(prefix, store_root)
    symlink = KeptLinks(os.path.join(store_root, "plans"))
    at = _placed(root, staged)
    scripts: dict[str, bytes] = {}
    if flat.launchers or flat.scripts:  # (most changes of a pin have none: decision 349)
        from graft.plan.scripts import render, rewrite_shebang  # noqa: PLC0415

        scripts = {dest: render(body, python) for dest, _, body in flat.launchers}
        for dest, source in flat.scripts:
            with open(source, "rb") as fh:
                scripts[dest] = rewrite_shebang(fh.read(), python)
    digests = {dest: (record_digest(data), len(data)) for dest, data in scripts.items()}
    levels: dict[int, list[str]] = {}
    for dest in flat.dirs:
        levels.setdefault(dest.count("/"), []).append(dest)
    for depth in sorted(levels):
        _spread(lambda chunk: _make_dirs(at, chunk), levels[depth])

    steps: list[Callable[[], None]] = []
    add = steps.append
    for dest, source in flat.dir_links:
        add(_symlink(symlink, relative(source, dest), at(dest)))
    for dest, source in flat.file_links:
        out = at(dest)
        if flat.link_mode == "symlink":
            add(_symlink(symlink, relative(source, dest), out))
        else:
            add(_linked(source, out, flat.link_mode))
    for dest, source in flat.copies:
        add(_linked(source, at(dest), "copy"))
    for dest, content, executable in flat.files:
        add(_written(at(dest), content, executable=executable))
    for dest, data in scripts.items():
        if dest not in flat.rendered_only:
            add(_written(at(dest), data, executable=True))
    for dest, digest, rows in flat.records:
        text = flat.texts[digest]  # (a kept form's: graft.venv.kept_flat.load_texts first)
        add(_written(at(dest), _record(text, rows, digests), executable=False))
    _spread(_run, steps)


def _placed(root: str, staged: tuple[str, ...]) -> Callable[[str], str]:
    """Where :func:`apply_flat` writes a destination: below *root* at its path, or staged.

    Staged: the subtree of ``staged[i]`` at ``<root>/<i>`` (a destination outside every
    staged one is a ValueError: the change names it in no root).
    """
    if not staged:
        return lambda dest: os.path.join(root, dest)
    number = {dest: str(i) for i, dest in enumerate(staged)}

    def at(dest: str) -> str:
        top = dest
        while top not in number:
            top, slash, _ = top.rpartition("/")
            if not slash:
                raise ValueError(dest)
        return os.path.join(root, number[top] + dest[len(top) :])

    return at


def _make_dirs(at: Callable[[str], str], dests: list[str]) -> None:
    for dest in dests:
        path = at(dest)
        try:
            os.mkdir(path)  # (its parent is made first: makedirs would stat it again)
        except (FileExistsError, FileNotFoundError):
            os.makedirs(path, exist_ok=True)


def _run(steps: list[Callable[[], None]]) -> None:
    for step in steps:
        step()


def _symlink(symlink: KeptLinks, target: str, out: str) -> Callable[[], None]:
    return lambda: symlink(target, out)


_EMLINK = 31  # errno.EMLINK on Linux and macOS (errno's import is not needed for it)


class KeptLinks:
    """Symbolic links into the store made as hard links of the same links kept in ``plans/``.

    A link's target is relative (:class:`Relative`), so every venv at the same depth below
    the store's parent holds the same link, byte for byte. A new symbolic link whose target
    is 60 bytes or more (every link into ``entries/<sha256>``) costs ext4 an inode and a data
    block, ~24 µs of kernel time on a quiet disk and several times that after other
    processes' mass deletes; a hard link of one already made costs a directory entry, ~4 µs
    (decision 219). So each link is kept once as ``plans/link-<sha256 of its target>`` and
    linked into the venv: the venv holds the same names and targets as before (the tree and
    its digest are the same), only sharing the links' inodes, as a hard-linking installer
    shares its files'. What a kept link is is checked where it lands: a venv link whose
    target is not the one wanted (a file planted under that name, say) is replaced by a new
    symbolic link. A link not kept yet is made in the venv and then kept; a filesystem that
    refuses hard links (another one than the store's, say) gets symbolic links from then on.
    ``graft store gc`` empties ``plans/`` when it removes an entry, and the kept links with it.
    """

    def __init__(self, kept: str) -> None:
        """Links kept in the directory *kept* (the store's ``plans/``), if it is one."""
        self.kept = kept if os.path.isdir(kept) else None

    def __call__(self, target: str, out: str) -> None:
        """Make the symbolic link *out* to *target*."""
        if self.kept is None:
            os.symlink(target, out)
            return
        from graft._sha256 import sha256_hex  # noqa: PLC0415

        name = os.path.join(
            self.kept, f"link-{sha256_hex(target.encode('utf-8', 'surrogateescape'))[:32]}"
        )
        try:
            os.link(name, out, follow_symlinks=False)
        except FileNotFoundError:  # not kept yet: made, then kept for the next venv
            os.symlink(target, out)
            try:  # noqa: SIM105 - (contextlib's import costs a new venv ~1 ms)
                os.link(out, name, follow_symlinks=False)
            except OSError:
                pass  # (kept meanwhile by another sync, or not to be kept)
            return
        except (OSError, NotImplementedError) as exc:  # no hard links here: symbolic ones
            if getattr(exc, "errno", None) != _EMLINK:  # (else only this one has too many)
                self.kept = None
            os.symlink(target, out)
            return
        try:
            if os.readlink(out) == target:
                return
        except OSError:  # (not a symbolic link)
            pass
        os.unlink(out)
        os.symlink(target, out)


def _linked(source: str, out: str, mode: str) -> Callable[[], None]:
    return lambda: _copy_or_hardlink(source, out, mode)


def _written(path: str, content: bytes, *, executable: bool) -> Callable[[], None]:
    return lambda: write_new(path, content, executable=executable)


def _record(text: bytes, rows: list[Row], digests: dict[str, tuple[str, int]]) -> bytes:
    """A RECORD: the planned CSV text (its bytes as kept), then the rows hashed now.

    A row whose script was not rendered (it lost a clash) keeps its planned digest and size.
    Written by ``csv.writer`` itself, which is ``_csv``'s (``csv`` imports ``re``).
    """
    if not rows:
        return text
    import io  # noqa: PLC0415

    try:
        from _csv import writer as csv_writer  # noqa: PLC0415 - csv.writer, without re
    except ImportError:  # pragma: no cover - (an interpreter without it)
        from csv import writer as csv_writer  # noqa: PLC0415

    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    for path, digest, size, dest in rows:
        got = digests.get(dest)
        writer.writerow((path, digest, size) if got is None else (path, *got))
    return text + buffer.getvalue().encode()


def _spread(work: Callable[[list[Any]], None], items: list[Any]) -> None:
    """*work* on *items*, over ``GRAFT_LINK_THREADS`` threads (default 1) when there are enough.

    One by default: four threads cost a new 50-distribution venv ~680 futex calls and more
    CPU and wall time than one (decision 49); more may help a filesystem that waits
    on the disk.
    """
    workers = int(os.environ.get("GRAFT_LINK_THREADS", "1"))
    if workers <= 1 or len(items) < 32:  # noqa: PLR2004 - a thread costs about 100 µs
        work(items)
        return
    import threading  # noqa: PLC0415 - (concurrent.futures costs a warm sync 3 ms to import)

    errors: list[BaseException] = []

    def guarded(chunk: list[Any]) -> None:
        try:
            work(chunk)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(items[i::workers],)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


#: Why hard links into the store were refused in this process, if ever (errno names, with what
#: they mean here); those files were copied, as uv falls back to copies, and ``graft sync``'s
#: last line says so (:func:`graft.cli.noop.summary_line`).
REFUSED: set[str] = set()
_REFUSALS = {
    "EXDEV": "EXDEV, the store is on another filesystem",
    "EPERM": "EPERM, the store's files are immutable or protected_hardlinks forbids it",
    "EMLINK": "EMLINK, a file has too many links",
}


def _copy_or_hardlink(source: str, out: str, mode: str) -> None:
    if mode == "hardlink":
        import errno  # noqa: PLC0415

        try:
            os.link(source, out)
        except OSError as exc:
            if exc.errno not in {errno.EXDEV, errno.EPERM, errno.EMLINK}:
                raise
            REFUSED.add(_REFUSALS[errno.errorcode[exc.errno]])
        else:
            return
    copy_file(source, out)


def copy_file(source: str, out: str) -> None:
    """Copy *source*'s bytes, mode (with the owner's write bit) and times to *out*.

    As :func:`shutil.copyfile` and :func:`shutil.copystat` would, by ``sendfile(2)``, but
    without importing :mod:`shutil` (with :mod:`bz2` and :mod:`lzma`, ~3 ms) on a sync whose
    venv copies a few files: the bytecode of a real ``__pycache__`` (decision 130).
    """
    fd_in = os.open(source, os.O_RDONLY | os.O_CLOEXEC)
    try:
        st = os.fstat(fd_in)
        fd_out = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            _copy_bytes(fd_in, fd_out, st.st_size)
            os.fchmod(fd_out, stat.S_IMODE(st.st_mode) | 0o200)
            os.utime(fd_out, ns=(st.st_atime_ns, st.st_mtime_ns))
        finally:
            os.close(fd_out)
    finally:
        os.close(fd_in)


def _copy_bytes(fd_in: int, fd_out: int, size: int) -> None:
    """*size* bytes from *fd_in* to *fd_out*: by ``sendfile(2)``, else read and written.

    (``sendfile`` between regular files is Linux's; elsewhere, or where a filesystem refuses
    it, the bytes go through memory, as :func:`shutil.copyfile` falls back.)
    """
    offset = 0
    try:
        while offset < size:
            sent = os.sendfile(fd_out, fd_in, offset, size - offset)
            if sent == 0:  # the source shrank meanwhile
                return
            offset += sent
    except OSError:
        if offset:
            raise
        os.lseek(fd_in, 0, os.SEEK_SET)
        while chunk := os.read(fd_in, 1 << 20):
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd_out, view) :]


def write_new(path: str, content: bytes, *, executable: bool) -> None:
    """A new file, 0755 or 0644 less the umask (as pip installs them); never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    fd = os.open(path, flags, 0o755 if executable else 0o644)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
