"""An sdist unpacked safely: what :func:`unpack_sdist` writes, and what it refuses.

An sdist is untrusted input. Unpacking refuses absolute names, ``..``, members below a
link, hard links, device files and links whose target leaves the sdist's top directory,
and stops at :data:`MAX_MEMBERS` members or :data:`MAX_BYTES` bytes written (a compression
bomb is cut off while it is being read, not after). Files are written by graft from the
member's bytes (never ``extractall``), modes reduced to ``0o644``/``0o755``. What an sdist
states without unpacking (its name, PKG-INFO, ``pyproject.toml``) is :mod:`graft.build.sdist`'s.
"""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
from typing import IO, TYPE_CHECKING, Any

from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from graft.build.sdist_contents import ContentsDigest

MAX_MEMBERS = 200_000
MAX_BYTES = 4 * 1024**3  # written bytes, all members together
_CHUNK = 1 << 20


def unpack_sdist(path: str, dest: str, contents: ContentsDigest | None = None) -> str:
    """Unpack the sdist at *path* into the empty directory *dest*; its top directory.

    The top directory is the one directory every member lies below (``{name}-{version}/``
    by the spec), or *dest* itself when members do not share one. *contents*, if given,
    gathers what is written (:mod:`graft.build.sdist_contents`; decision 300).
    """
    where = path
    try:
        if path.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                names = _write_all(_zip_members(archive), dest, where, contents)
        else:
            with tarfile.open(path, "r:*") as archive:
                names = _write_all(_tar_members(archive, where), dest, where, contents)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        if isinstance(exc, SourceError):  # pragma: no cover - SourceError is no OSError
            raise
        raise SourceError(f"cannot unpack the sdist ({exc})", where=where) from None
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        top = os.path.join(dest, next(iter(tops)))
        if os.path.isdir(top) and not os.path.islink(top):
            return top
    return dest


# A member: (name, kind, link target, mode, reader) with kind "file", "dir" or "symlink".
_Member = tuple[str, str, str, int, "IO[bytes] | None"]


def _tar_members(archive: tarfile.TarFile, where: str) -> Iterator[_Member]:
    """The tar's members; a hard link is a copy of the file it names, as pip and uv unpack it.

    Only a regular file before it in the archive can be named: its bytes are read again
    (and counted again against the size limit); nothing on disk is linked.
    """
    files: dict[str, tarfile.TarInfo] = {}
    for info in archive:
        if info.isdir():
            yield info.name, "dir", "", info.mode, None
        elif info.issym():
            yield info.name, "symlink", info.linkname, info.mode, None
        elif info.isfile():
            files[info.name] = info
            yield info.name, "file", "", info.mode, archive.extractfile(info)
        elif info.islnk():
            linked = files.get(info.linkname)
            if linked is None:
                raise SourceError(
                    f"sdist member {info.name!r} is a hard link to {info.linkname!r},"
                    " no file before it in the sdist; refused",
                    where=where,
                )
            yield info.name, "file", "", info.mode, archive.extractfile(linked)
        else:
            raise SourceError(
                f"sdist member {info.name!r} is a device or fifo; refused", where=where
            )


def _zip_members(archive: zipfile.ZipFile) -> Iterator[_Member]:
    for info in archive.infolist():
        mode = (info.external_attr >> 16) & 0o7777
        if info.is_dir():
            yield info.filename, "dir", "", mode, None
        elif stat.S_ISLNK(info.external_attr >> 16):
            target = archive.read(info).decode("utf-8", "surrogateescape")
            yield info.filename, "symlink", target, mode, None
        else:
            yield info.filename, "file", "", mode, archive.open(info)


def _safe_name(name: str, where: str) -> str:
    """*name* normalized to ``a/b/c``; refused if absolute, with ``..``, or empty."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or "\\" in name:
        raise SourceError(f"sdist member {name!r} has an absolute path; refused", where=where)
    parts = [p for p in name.split("/") if p not in {"", "."}]
    if not parts or ".." in parts or "\x00" in name:
        raise SourceError(f"sdist member {name!r} leaves the sdist; refused", where=where)
    return "/".join(parts)


def _write_all(
    members: Iterator[_Member], dest: str, where: str, contents: ContentsDigest | None
) -> list[str]:
    """Write every member below *dest*; the names written, normalized."""
    written: list[str] = []
    links: set[str] = set()
    files: set[str] = set()
    budget = MAX_BYTES
    for raw_name, kind, target, mode, reader in members:
        if len(written) >= MAX_MEMBERS:
            raise SourceError(f"the sdist has more than {MAX_MEMBERS} members", where=where)
        name = _safe_name(raw_name, where)
        parents = name.split("/")[:-1]
        for i in range(1, len(parents) + 1):
            if "/".join(parents[:i]) in links:
                raise SourceError(
                    f"sdist member {raw_name!r} lies below a link; refused", where=where
                )
        full = os.path.join(dest, *name.split("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if kind == "dir":
            os.makedirs(full, exist_ok=True)
            if contents is not None:
                contents.directory(name)
        elif kind == "symlink":
            _check_link(name, target, where)
            if os.path.lexists(full):
                raise SourceError(f"sdist member {raw_name!r} appears twice", where=where)
            os.symlink(target, full)
            links.add(name)
            if contents is not None:
                contents.link(name, target)
        else:
            assert reader is not None  # noqa: S101 - files always carry their reader
            if name in files:  # a file again: the later one wins, as tar, pip and uv unpack
                os.unlink(full)  # (hatchling's sdist of a tree holding PKG-INFO has two)
            elif os.path.lexists(full):
                raise SourceError(f"sdist member {raw_name!r} appears twice", where=where)
            hashed = None if contents is None else _hasher()
            budget = _write_file(reader, full, budget, where, hashed)
            os.chmod(full, 0o755 if mode & 0o111 else 0o644)
            files.add(name)
            if contents is not None and hashed is not None:
                contents.file(name, executable=bool(mode & 0o111), digest=hashed.digest())
        written.append(name)
    return written


def _check_link(name: str, target: str, where: str) -> None:
    """A link member must stay inside the sdist's top directory, lexically."""
    if not target or os.path.isabs(target) or "\\" in target:
        raise SourceError(
            f"sdist member {name!r} links to {target!r}, outside the sdist; refused", where=where
        )
    depth = name.count("/")  # directories above the link, its top directory included
    parts = [p for p in target.split("/") if p not in {"", "."}]
    level = depth
    for part in parts:
        level += -1 if part == ".." else 1
        if level < 1:  # at or above the top directory
            raise SourceError(
                f"sdist member {name!r} links to {target!r}, outside the sdist; refused",
                where=where,
            )


def _hasher() -> Any:
    """A SHA-256 of a member's bytes: OpenSSL's (2.4 times the built-in's speed, measured)."""
    import hashlib  # noqa: PLC0415

    return hashlib.sha256()


def _write_file(reader: IO[bytes], full: str, budget: int, where: str, hashed: Any = None) -> int:
    """Copy *reader* into a new file at *full* (and into *hashed*); the byte budget left."""
    fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as out:
        while chunk := reader.read(_CHUNK):
            budget -= len(chunk)
            if budget < 0:
                raise SourceError(
                    f"the sdist unpacks to more than {MAX_BYTES} bytes; refused", where=where
                )
            out.write(chunk)
            if hashed is not None:
                hashed.update(chunk)
    return budget
