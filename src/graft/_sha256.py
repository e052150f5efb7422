"""SHA-256 without importing hashlib, for the paths a no-op ``graft sync`` takes.

``hashlib`` loads OpenSSL, which costs a no-op sync about 3 ms; CPython's own SHA-256
module gives the same digests. Other interpreters, or a CPython without it, use hashlib.
"""

from __future__ import annotations

import sys

# CPython 3.12 renamed the module: the one that is not there is not looked for (a failed
# import searches all of sys.path, ~0.24 M instructions of every fast path on 3.10/3.11:
# decision 466)
try:
    if sys.version_info >= (3, 12):
        from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]
    else:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
except ImportError:  # pragma: no cover - depends on the interpreter (PyPy, a CPython without)
    from hashlib import sha256  # type: ignore[assignment,unused-ignore]


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 of *data*."""
    digest: str = sha256(data).hexdigest()
    return digest


#: What :func:`note_read` keeps for a file read twice with other bytes: no one digest says
#: what was read, so it never matches a fingerprint (decision 464).
MIXED = ""


#: Every read :func:`note_read` was told of in this process, in order: ``(path, sha256)``.
#: A file one reader hashed into a request's digests may be read by another that keeps no
#: digests of its own (a ``[[tool.uv.index]]`` looked up, an editable's build): its bytes
#: are here, and :func:`fold_reads` finds a second read with other bytes (decision 479).
READS: list[tuple[str, str]] = []


def note_read(digests: dict[str, str], path: str, data: bytes) -> None:
    """The sha256 of *data*, the bytes just read from *path*, into *digests* by path.

    Hashed where the file is read, once: the resolution memo and the stamps name exactly the
    bytes the request was read from, however recently the file was written (decision 464). A
    second read of *path* with other bytes leaves :data:`MIXED`. Kept in :data:`READS` too.
    """
    digest = sha256_hex(data)
    READS.append((path, digest))  # (list.append: atomic, as the build threads read too)
    digests[path] = digest if digests.get(path, digest) == digest else MIXED


def fold_reads(since: int, digests: dict[str, str]) -> None:
    """Each read of :data:`READS` from index *since* on, of a file in *digests*, into it.

    A file of *digests* (by its absolute path) that any reader read with other bytes since
    then is :data:`MIXED`: no one hash names what was read, and the memo keeps none.
    """
    import os  # noqa: PLC0415

    mine = {os.path.abspath(path): path for path in digests}
    for path, digest in READS[since:]:
        key = mine.get(os.path.abspath(path))
        if key is not None and digests[key] != digest:
            digests[key] = MIXED


__all__ = ["MIXED", "READS", "fold_reads", "note_read", "sha256", "sha256_hex"]
