"""``urllib.request``, imported on first use and under a lock.

With ``http.client``, ``email`` and ``ssl`` it costs a run 30-45 ms of imports, and a warm run
that reads only cached index pages and kept surfaces never opens a connection. It must not be
imported by two threads at once: one thread can find the module initialized before the other
has set ``urllib.request`` on the package ('module urllib has no attribute request', seen in
the cold benchmark's download threads). So every user calls :func:`load` first, which imports
it under one lock, then imports it locally (by then a lookup in ``sys.modules``).
"""

from __future__ import annotations

import threading

_LOCK = threading.Lock()


def load() -> None:
    """Import ``urllib.request`` (once, under the lock); callers then ``import urllib.request``."""
    with _LOCK:
        import urllib.request  # noqa: F401, PLC0415 - the point of this module
