"""A kept flat form read back from the store, with the texts of its RECORDs.

The flat form of a kept plan (``plans/steps-<key>.json``, :mod:`graft.plan.flat`) is read
back for a change of a venv (:mod:`graft.venv.incremental`, ``graft.cli.change``) or a new
venv built from it (``graft.cli.flat_build``): :func:`read_kept`, then :func:`load_texts`
for the RECORD texts it names by their SHA-256, each vouched for by its hash or by the
settled identity its file had when it last hashed to its name (decision 284).
:mod:`graft.venv.flat` carries the form out; what only a full sync reads of a kept form is
:mod:`graft.venv.kept_forms`'.

Only the standard library is imported here, and graft modules that import nothing else.
"""

from __future__ import annotations

import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from graft.plan.flat import Flat


def read_kept(path: str, store_root: str, *, checked: bool = True) -> Flat | None:
    """The flat form kept at *path* in the store at *store_root*, checked; None if not fit.

    Not *checked*: a form read for a diff (the one that built a venv, or the one a change
    makes of it), which checks it where it differs from the other
    (:func:`graft.plan.flat.from_json_unchecked`).
    """
    from graft._jsonc import loads  # noqa: PLC0415 - (not json: its import costs ~4 ms)
    from graft.plan.flat import from_json, from_json_unchecked  # noqa: PLC0415

    read = from_json if checked else from_json_unchecked
    try:
        with open(path, encoding="utf-8") as fh:
            raw = loads(fh.read())
        return read(raw, os.path.join(store_root, "entries") + os.sep)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def load_texts(flat: Flat, store_root: str, seen: dict[str, str] | None = None) -> bool:
    """Read the texts of *flat*'s RECORDs kept in the store; False if one is missing or wrong.

    Each is checked against the SHA-256 it is named by (the store is untrusted input), unless
    *seen* holds the identity its file has now (:func:`read_text`), which it had when it last
    hashed to its name: its bytes have not changed since. A text that hashes to its name and
    was last changed long enough ago (:data:`_SETTLED_NS`) is put in *seen* for the next read.
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415
    from graft.store.paths import record_text_file  # noqa: PLC0415

    for _dest, digest, _rows in flat.records:
        if digest in flat.texts:
            continue
        try:
            data, identity, settled = read_text(record_text_file(store_root, digest))
        except OSError:
            return False
        if seen is None or seen.get(digest) != identity:
            if sha256_hex(data) != digest:
                return False
            if seen is not None and settled:
                seen[digest] = identity
        flat.texts[digest] = data  # (bytes: written as read, never decoded)
    return True


#: How long ago a file must have last changed for its identity to vouch for its bytes. Its
#: ctime is set from a coarse clock: a rewrite of the same size in the same tick as the
#: change before it could leave its identity as it was (git's racy-file rule; 2 s, as
#: ``graft.resolve.fingerprints`` rules for what a resolution read).
_SETTLED_NS = 2_000_000_000


def read_text(path: str) -> tuple[bytes, str, bool]:
    """A kept file's bytes, its identity once read, and whether that identity is settled.

    The identity: device, inode, size, mtime and ctime, from ``fstat`` after the bytes are
    read. Any write, ``utime``, ``chmod`` or replacement changes the ctime or the inode, and
    no one but the system clock's owner can set a ctime back.
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        chunks = []
        while chunk := os.read(fd, max(size, 1) + 1):  # (the whole file, and then its end)
            chunks.append(chunk)
        st = os.fstat(fd)
    finally:
        os.close(fd)
    identity = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
    settled = 0 < st.st_ctime_ns < time.time_ns() - _SETTLED_NS
    return b"".join(chunks), identity, settled
