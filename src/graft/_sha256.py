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


__all__ = ["sha256", "sha256_hex"]
