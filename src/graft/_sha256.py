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


def note_read(digests: dict[str, str], path: str, data: bytes) -> None:
    """The sha256 of *data*, the bytes just read from *path*, into *digests* by path.

    Hashed where the file is read, once: the resolution memo and the stamps name exactly the
    bytes the request was read from, however recently the file was written (decision 464). A
    second read of *path* with other bytes leaves :data:`MIXED`.
    """
    digest = sha256_hex(data)
    digests[path] = digest if digests.get(path, digest) == digest else MIXED


__all__ = ["MIXED", "note_read", "sha256", "sha256_hex"]
