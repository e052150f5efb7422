"""Names in the download cache: ``wheels/<sha256>/<filename>``, read without importing the client.

A file appears there only by one rename after its bytes were hashed
(:func:`graft.sources.fetch.download`), so its directory names its content. The warm paths
(the resolution memo, a sync of sdists built before) read that name with the standard library
alone, without the index client that writes it.
"""

from __future__ import annotations

import os

_SHA256_HEX = 64


def stored_sha256(path: str, cache_dir: str) -> str | None:
    """The sha256 of *path* if it is a file of the download cache, read from where it lies.

    :func:`graft.sources.fetch.download` answers a cache hit with it, and so may a caller
    that holds such a path (no read, no OpenSSL). None elsewhere.
    """
    parent, _ = os.path.split(path)
    wheels, digest = os.path.split(parent)
    if os.path.normpath(wheels) != os.path.normpath(os.path.join(cache_dir, "wheels")):
        return None
    if len(digest) != _SHA256_HEX or digest.strip("0123456789abcdef"):
        return None
    return digest if os.path.isfile(path) else None
