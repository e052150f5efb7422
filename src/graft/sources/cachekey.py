"""The key of what is kept from a remote wheel's METADATA (decision 87).

Its own module, with the standard library only: a warm resolution computes it for every
kept surface it reads, from the resolver's read-ahead threads, and must not import
:mod:`graft.sources.coremeta` (and ``packaging.tags`` with it) to do so.
"""

from __future__ import annotations

import urllib.parse

from graft._sha256 import sha256_hex


def cache_key(sha256: str, url: str) -> str:
    """The listed *sha256* of a remote wheel and 16 hex digits of the SHA-256 of its *url*.

    The sha256 an index lists is checked only once the whole wheel is here; METADATA read
    before that (range reads, a metadata file) is bound to the URL it came from as well, so
    that an index listing another wheel's hash (by mistake, or to plant dependencies) cannot
    answer for that wheel when another index serves it.
    """
    where = sha256_hex(urllib.parse.urldefrag(url).url.encode())[:16]
    return f"{sha256}-{where}"


__all__ = ["cache_key"]
