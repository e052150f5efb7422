"""``urllib.request``, imported on first use and under a lock, and the one opener graft uses.

With ``http.client``, ``email`` and ``ssl`` it costs a run 30-45 ms of imports, and a warm run
that reads only cached index pages and kept surfaces never opens a connection. It must not be
imported by two threads at once: one thread can find the module initialized before the other
has set ``urllib.request`` on the package ('module urllib has no attribute request', seen in
the cold benchmark's download threads). So every user calls :func:`load` first, which imports
it under one lock, then imports it locally (by then a lookup in ``sys.modules``).

Every request goes through :func:`opener`: urllib's default opener gives each HTTPS
connection a new TLS context, and making one loads the system's CA certificates (30-60 ms of
CPU each here). A cold ``graft lock`` of the data roots opens ~1,500 connections (pages,
range reads of METADATA): 104 s of CPU, half of it loading the same certificates again.

Its connections look each host up once per run (:class:`Addresses`): ``socket.create_connection``
asks ``getaddrinfo`` per connection, and lookups made side by side stall here for the
resolver's 5-second timeout (4 threads: the slowest of 40 lookups took 5.0 s; 16 threads: the
median did), as they do behind the conntrack race of many container networks. A cold sync's
download threads spent 48 of their seconds in ``getaddrinfo``.
"""

from __future__ import annotations

import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket
    import ssl
    from collections.abc import Sequence
    from typing import Any
    from urllib.request import BaseHandler, OpenerDirector

    _Address = tuple[str, int]
    _Found = Sequence[tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]]

_LOCK = threading.Lock()
_OPENER: list[OpenerDirector] = []  # made once, on first use


def load() -> None:
    """Import ``urllib.request`` (once, under the lock); callers then ``import urllib.request``."""
    with _LOCK:
        import urllib.request  # noqa: F401, PLC0415 - the point of this module


def opener() -> OpenerDirector:
    """The default urllib opener, with one TLS context for every HTTPS connection of the run.

    The context is ``ssl.create_default_context()`` (as ``http.client`` makes per connection: the
    system's CA certificates, ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` honoured, hostnames
    checked); an ``SSLContext`` may serve many threads at once, and so may an opener (urllib's
    own ``urlopen`` shares one).
    """
    with _LOCK:
        if not _OPENER:
            import ssl  # noqa: PLC0415
            import urllib.request  # noqa: PLC0415

            context = ssl.create_default_context()
            _OPENER.append(urllib.request.build_opener(*_handlers(context, ADDRESSES)))
        return _OPENER[0]


class Addresses:
    """``getaddrinfo`` answers kept per host and port for the run, asked one at a time.

    A host's addresses are forgotten when none of them accepts a connection, so that the
    caller's retry asks again. ``socket.create_connection`` otherwise: each address in turn,
    the last error raised.
    """

    def __init__(self) -> None:
        self._known: dict[_Address, _Found] = {}
        self._asking = threading.Lock()  # one lookup at a time: side by side they stall
        self.asked = 0  # lookups made

    def lookup(self, host: str, port: int) -> _Found:
        """What ``getaddrinfo`` answers for a TCP connection to *host* and *port*."""
        found = self._known.get((host, port))
        if found is not None:
            return found
        import socket  # noqa: PLC0415

        with self._asking:
            known = self._known.get((host, port))
            if known is not None:  # looked up while this thread waited
                return known
            answer: _Found = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
            self.asked += 1
            self._known[host, port] = answer
            return answer

    def connect(
        self,
        address: _Address,
        timeout: object = None,
        source_address: _Address | None = None,
    ) -> socket.socket:
        """A connected socket, as ``socket.create_connection`` makes one (``http.client``'s)."""
        import socket  # noqa: PLC0415

        host, port = address
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in self.lookup(host, port):
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is None or isinstance(timeout, (int, float)):  # (else: the default)
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
            else:
                return sock
        self._known.pop((host, port), None)
        raise error if error is not None else OSError(f"no address for {host}")


ADDRESSES = Addresses()


def _handlers(context: ssl.SSLContext, addresses: Addresses) -> list[BaseHandler]:
    """The HTTP and HTTPS handlers of urllib, their connections made through *addresses*."""
    import http.client  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    class Connection(http.client.HTTPConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = addresses.connect

    class SecureConnection(http.client.HTTPSConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = addresses.connect

    class Handler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Connection, req)

    class SecureHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(SecureConnection, req, context=context)

    return [Handler(), SecureHandler(context=context)]
