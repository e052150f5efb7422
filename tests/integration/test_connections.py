"""The run's opener against loopback servers: each host looked up once, connections kept open."""

from __future__ import annotations

import http.client
import http.server
import os
import socket
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar

import pytest

from graft.sources import connections, urlimport
from graft.sources.http import http_get
from graft.sources.lazywheel import read_metadata
from graft.sources.revalidate import ABSENT, conditional, unchanged
from tests.support.rangeserver import serve
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

BIG = bytes(range(256)) * 4096  # 1 MiB


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> connections.Pool:
    """A new opener for the test, on new lookups and a new pool."""
    pool = connections.Pool()
    monkeypatch.setattr(connections, "ADDRESSES", connections.Addresses())
    monkeypatch.setattr(connections, "POOL", pool)
    monkeypatch.setattr(urlimport, "_OPENER", [])
    urlimport.load()
    urlimport.opener()  # made with the pool above
    return pool


class _Server(http.server.ThreadingHTTPServer):
    connections = 0
    requests = 0
    close_after_answer = False  # end the connection after each answer without saying so
    http10 = False
    counting = threading.Lock()  # (a thread per connection counts)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    bodies: ClassVar[dict[str, bytes]] = {"/small": b"small body", "/big": BIG}

    def setup(self) -> None:
        super().setup()
        with self.server.counting:
            self.server.connections += 1
        if self.server.http10:
            self.protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        with self.server.counting:
            self.server.requests += 1
        body = self.bodies.get(self.path)
        if body is None:
            self.send_error(404)
            return
        tag = f'"{len(body)}"'
        if self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.send_header("ETag", tag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", tag)
        self.end_headers()
        self.wfile.write(body)
        if self.server.close_after_answer:
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        del format, args


@contextmanager
def _serving(**options: bool) -> Iterator[tuple[_Server, str]]:
    server = _Server(("127.0.0.1", 0), _Handler)
    for name, value in options.items():
        setattr(server, name, value)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _get(url: str) -> bytes:
    request = urllib.request.Request(url)  # noqa: S310 - http://localhost
    with urlimport.opener().open(request, timeout=10) as response:
        body: bytes = response.read()
    return body


def test_requests_to_one_host_share_one_kept_connection(fresh: connections.Pool) -> None:
    with _serving() as (server, base):
        for _ in range(3):
            assert _get(f"{base}/small") == b"small body"
            assert _get(f"{base}/big") == BIG
    assert (server.requests, server.connections) == (6, 1)
    assert (fresh.made, fresh.reused) == (1, 5)


def test_a_response_closed_before_its_end_or_an_error_takes_its_connection_with_it(
    fresh: connections.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[http.client.HTTPConnection] = []
    real_close = http.client.HTTPConnection.close

    def close(self: http.client.HTTPConnection) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(http.client.HTTPConnection, "close", close)
    with _serving() as (server, base):
        request = urllib.request.Request(f"{base}/big")  # noqa: S310 - http://localhost
        with urlimport.opener().open(request, timeout=10) as r:
            assert r.read(10) == BIG[:10]
        assert len(set(closed)) == 1  # at once, not left open with the rest of /big unread
        assert _get(f"{base}/small") == b"small body"  # not the rest of /big
        with pytest.raises(urllib.error.HTTPError) as caught:
            _get(f"{base}/missing")
        caught.value.close()
        assert len(set(closed)) == 2
        assert _get(f"{base}/small") == b"small body"
    assert server.connections == 3
    assert fresh.made == 3


def test_a_kept_connection_the_server_closed_is_replaced_at_once(
    fresh: connections.Pool,
) -> None:
    with _serving(close_after_answer=True) as (server, base):
        for _ in range(4):
            assert _get(f"{base}/small") == b"small body"
    assert server.requests == 4
    assert fresh.made == server.connections == 4
    assert fresh.reused == 3  # each found closed, and replaced


def test_a_server_that_ends_each_connection_is_asked_on_new_ones(
    fresh: connections.Pool,
) -> None:
    with _serving(http10=True) as (server, base):
        for _ in range(3):
            assert _get(f"{base}/big") == BIG
    assert server.connections == 3
    assert fresh.reused == 0


def test_threads_get_their_own_answers_on_kept_connections(fresh: connections.Pool) -> None:
    got: list[bool] = []
    with _serving() as (server, base):

        def work() -> None:
            for path, body in [("/small", b"small body"), ("/big", BIG)] * 5:
                got.append(_get(f"{base}{path}") == body)

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert got == [True] * 60
    assert server.requests == 60
    assert server.connections == fresh.made <= 6


def test_pages_and_range_reads_by_host_name_look_the_host_up_once(
    wheels: Path, monkeypatch: pytest.MonkeyPatch, fresh: connections.Pool
) -> None:
    asked: list[str] = []
    real = socket.getaddrinfo

    def counted(host: str, *args: object) -> object:
        asked.append(host)
        return real(host, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", counted)
    wheel = make_wheel(wheels, "lib", "1.0", {"lib.py": "x = 1\n"})
    with serve() as served:  # (HTTP/1.0: a connection per request)
        url = served.add(wheel).replace("127.0.0.1", "localhost")
        index = served.url.replace("127.0.0.1", "localhost")
        for _ in range(3):
            page = http_get(f"{index}/simple/lib/")
            assert page is not None
            assert b"lib-1.0-py3-none-any.whl" in page.body
            assert read_metadata(url).metadata.startswith(b"Metadata-Version")
    assert asked == ["localhost"]
    assert connections.ADDRESSES.asked == 1
    assert fresh.made == 6


def test_a_page_answered_not_modified_gives_its_connection_back(
    fresh: connections.Pool,
) -> None:
    with _serving() as (server, base):
        url = f"{base}/small"
        first = http_get(url, conditional({}))
        assert first is not None
        assert first.etag
        for _ in range(3):
            again = http_get(url, conditional({"etag": first.etag}))
            assert again is not None
            assert again.status == 304
        assert unchanged([(url, {"etag": first.etag})])
        assert (server.requests, server.connections) == (5, 1)
        assert (fresh.made, fresh.reused) == (1, 4)  # (a 304 left unread would close its own)
        assert not unchanged([(url, {ABSENT: "404"})])  # (there now)
        assert unchanged([(f"{base}/missing", {ABSENT: "404"})])  # (still not there)


def test_no_tls_context_is_made_until_an_https_connection_needs_one(
    fresh: connections.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(urlimport, "_CONTEXT", [])
    with _serving() as (_, base):
        assert _get(f"{base}/small") == b"small body"
        assert urlimport._CONTEXT == []
        with pytest.raises(urllib.error.URLError):
            _get(base.replace("http://", "https://") + "/small")  # (a plain HTTP server)
    assert len(urlimport._CONTEXT) == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="this platform has no os.fork")
def test_a_forked_child_holds_none_of_its_parents_connections(fresh: connections.Pool) -> None:
    """A lock's worker (decision 92) asks on connections of its own: a request on one its
    parent also holds would mix their answers."""
    with _serving() as (server, base):
        assert _get(f"{base}/small") == b"small body"
        pid = os.fork()
        if pid == 0:  # the child: its own connection, the parent's left alone
            ok = _get(f"{base}/big") == BIG and (fresh.made, fresh.reused) == (2, 0)
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status)
        assert os.WEXITSTATUS(status) == 0
        assert _get(f"{base}/small") == b"small body"  # the parent's kept connection
    assert (server.requests, server.connections) == (3, 2)
    assert (fresh.made, fresh.reused) == (1, 1)
