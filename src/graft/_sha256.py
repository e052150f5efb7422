"""SHA-256 without importing hashlib, for the paths a no-op ``graft sync`` takes.

``hashlib`` loads OpenSSL, which costs a no-op sync about 3 ms; CPython's own SHA-256
module gives the same digests. Other interpreters, or a CPython without it, use hashlib.
"""

from __future__ import annotations

try:
    from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # CPython 3.12+
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 of *data*."""
    digest: str = sha256(data).hexdigest()
    return digest


__all__ = ["sha256", "sha256_hex"]
