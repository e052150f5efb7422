"""The HTTP and HTTPS handlers of urllib, with each host looked up once and connections kept open.

Imported by :func:`graft.sources.urlimport.opener` only (under its lock, after
``urllib.request``). Two things urllib does per request cost a run dearly here:

* **a lookup per connection** (:class:`Addresses`). ``socket.create_connection`` asks
  ``getaddrinfo`` for every connection, and lookups made side by side stall here for the
  resolver's 5-second timeout (4 threads: the slowest of 40 lookups took 5.0 s; 16 threads:
  the median did), as they do behind the conntrack race of many container networks. A cold
  sync's download threads spent 48 of their seconds in ``getaddrinfo`` (decision 71).
* **a connection per request** (:class:`Pool`). urllib sends ``Connection: close`` and closes
  the socket after each response, so every page, range read and download paid a TCP and TLS
  handshake (decision 72). A plain ``GET`` without a proxy now takes an idle connection to the
  same scheme, host and port if there is one, and its response gives the connection back
  when it is closed having been read to its end (a response closed early, or one the server
  ends, takes its connection with it). A kept connection the server has closed meanwhile is
  replaced by a new one at once, once. Everything else (proxies, other methods) is urllib's
  own ``do_open``.

Everything above the socket is still ``http.client``'s and urllib's: TLS checks the host's
name, redirects, authentication headers, ``HTTPError``.
"""

from __future__ import annotations

import functools
import http.client
import os
import socket
import threading
import time
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.error import URLError

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Sequence

    _Address = tuple[str, int]
    _Found = Sequence[tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]]

#: Seconds a connection may wait in the pool (servers close idle ones: PyPI's CDN after ~60)
IDLE = 20.0


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


class Pool:
    """Idle kept-alive connections per scheme, host and port, for the run; safe in threads."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, str], list[tuple[float, http.client.HTTPConnection]]] = {}
        # reentrant: a response collected while this thread holds it gives its connection back
        self._lock = threading.RLock()
        self.made = 0  # connections opened
        self.reused = 0  # requests sent on a kept connection

    def take(self, key: tuple[str, str]) -> http.client.HTTPConnection | None:
        """An idle connection for *key* (the newest, closing any idle too long), or None."""
        now, stale, found = time.monotonic(), [], None
        with self._lock:
            idle = self._idle.get(key, [])
            while idle and found is None:
                since, connection = idle.pop()
                if now - since < IDLE:
                    found = connection
                    self.reused += 1
                else:
                    stale.append(connection)
        for connection in stale:
            connection.close()
        return found

    def opened(self) -> None:
        """Count a connection made for the pool."""
        with self._lock:
            self.made += 1

    def give(self, key: tuple[str, str], connection: http.client.HTTPConnection) -> None:
        """Keep *connection* for the next request to *key*."""
        with self._lock:
            self._idle.setdefault(key, []).append((time.monotonic(), connection))

    def forget(self) -> None:
        """Hold no connection, and close none (in a forked child: decision 92).

        A lock's worker shares its parent's idle connections; a request on one would mix the
        two processes' answers.
        """
        self._idle = {}
        self._lock = threading.RLock()


class Response(http.client.HTTPResponse):
    """A response that gives its connection back when closed after being read to its end."""

    give_back: Callable[[], None] | None = None
    drop: Callable[[], None] | None = None  # closes the connection (else it lingers unread)

    def close(self) -> None:
        """Close; keep the connection if the body was read whole and the server keeps it."""
        # http.client drops fp when the body's last byte is read; early, close() drops it
        whole = self.isclosed() and not self.will_close
        super().close()
        give_back, drop, self.give_back, self.drop = self.give_back, self.drop, None, None
        if whole and give_back is not None:
            give_back()
        elif drop is not None:
            drop()


ADDRESSES = Addresses()
POOL = Pool()


def _forget_in_child() -> None:
    POOL.forget()  # (the pool of the moment: tests replace it)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def _headers(req: urllib.request.Request) -> dict[str, str]:
    """The request's headers as urllib's ``do_open`` sends them, less ``Connection: close``."""
    headers = dict(req.unredirected_hdrs)
    headers.update({k: v for k, v in req.headers.items() if k not in headers})
    return {name.title(): value for name, value in headers.items()}


def _open(
    handler: urllib.request.AbstractHTTPHandler,
    connection_class: type[http.client.HTTPConnection],
    req: urllib.request.Request,
    pool: Pool,
    **kwargs: Any,
) -> http.client.HTTPResponse:
    """``handler.do_open``, on a kept connection for a plain GET (see the module's words)."""
    tunnel = getattr(req, "_tunnel_host", None)
    if req.data is not None or req.get_method() != "GET" or req.has_proxy() or tunnel:
        return handler.do_open(connection_class, req, **kwargs)
    key, headers = (req.type, req.host), _headers(req)
    connection = pool.take(key)
    while True:
        kept = connection is not None
        if connection is None:
            connection = connection_class(req.host, timeout=req.timeout, **kwargs)
            pool.opened()
        elif connection.sock is not None and (
            req.timeout is None or isinstance(req.timeout, float | int)
        ):
            connection.sock.settimeout(req.timeout)
        try:
            try:
                connection.request("GET", req.selector, None, headers)
            except OSError as exc:
                if kept and isinstance(exc, ConnectionError):
                    raise
                raise URLError(exc) from exc
            response = connection.getresponse()
        except ConnectionError:  # a kept connection the server closed: once more, on a new one
            connection.close()
            if not kept:
                raise
            connection = None
            continue
        except BaseException:
            connection.close()
            raise
        break
    response.url = req.get_full_url()  # (as do_open sets them)
    response.msg = response.reason  # type: ignore[assignment]
    if isinstance(response, Response):
        response.give_back = functools.partial(pool.give, key, connection)
        response.drop = connection.close
    return response


def handlers(context: Callable[[str], ssl.SSLContext]) -> list[urllib.request.BaseHandler]:
    """The HTTP and HTTPS handlers of urllib, on :data:`ADDRESSES` and :data:`POOL`.

    HTTPS connections get the TLS context *context* gives for the server's ``host[:port]``
    (through a proxy: the one tunnelled to, not the proxy's), asked for when one is made.
    """
    pool = POOL

    class Connection(http.client.HTTPConnection):
        response_class = Response

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = ADDRESSES.connect

    class SecureConnection(http.client.HTTPSConnection):
        response_class = Response

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = ADDRESSES.connect

    class Handler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return _open(self, Connection, req, pool)

    class SecureHandler(urllib.request.HTTPSHandler):
        def __init__(self) -> None:  # (HTTPSHandler's own makes a context at once on 3.12+)
            urllib.request.AbstractHTTPHandler.__init__(self)

        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            server = getattr(req, "_tunnel_host", None) or req.host
            return _open(self, SecureConnection, req, pool, context=context(server))

    return [Handler(), SecureHandler()]
