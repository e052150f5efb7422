"""A loopback file server and PEP 691 index that honours (or ignores) HTTP Range requests."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import re
import socket
import ssl
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.wheelmaker import make_wheel

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def metadata_of(data: bytes) -> bytes:
    """The ``*.dist-info/METADATA`` of wheel bytes (the file a PEP 658 index serves)."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # (the top-level one: flit_core vendors tomli's dist-info a level down)
        (name,) = (
            n for n in archive.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1
        )
        return archive.read(name)


@dataclass
class Served:
    """What the server offers and what it was asked.

    ``/<file>`` serves a file; ``/simple/<name>/`` a PEP 691 JSON page listing the files
    whose name starts with ``<name>-``; ``/<file>.metadata`` its METADATA when
    ``pep658`` is set (and then the pages announce it with its sha256).
    """

    files: dict[str, bytes] = field(default_factory=dict)
    # "ranges", "ignore" (always 200), "no-suffix" (416 for bytes=-N), "wrong-range" (any
    # range answered with the first 100 bytes, and a Content-Range that says so)
    mode: str = "ranges"
    cut: bool = False  # file bodies end at half their Content-Length, the connection closed
    page_body: tuple[str, bytes] | None = None  # (Content-Type, body) sent for every page
    pep658: bool = False
    fail_next: int = 0  # answer this many file requests with 503 first
    paths: list[str] = field(default_factory=list)
    ranges: list[str | None] = field(default_factory=list)  # Range headers of file requests
    sent: int = 0
    url: str = ""
    # per filename: PEP 691 keys added to its page entry ("upload-time", "yanked",
    # "requires-python"), as the real index would write them
    attributes: dict[str, dict[str, object]] = field(default_factory=dict)
    html: bool = False  # serve PEP 503 HTML pages instead of PEP 691 JSON
    etag: bool = False  # pages carry an ETag and answer 304 to a matching If-None-Match
    pages: list[int] = field(default_factory=list)  # status of each page request
    page_delay: float = 0.0  # seconds each page answer waits (a far index)
    pages_at_once: int = 0  # the most page requests under way at one time
    credentials: str | None = None  # "user:password": every request needs them (HTTP Basic)
    refused: int = 0  # requests answered 401 for want of them
    _under_way: list[int] = field(default_factory=lambda: [0])
    _counting: threading.Lock = field(default_factory=threading.Lock)

    def add_wheel(self, path: Path, **attributes: object) -> str:
        """Serve *path*; *attributes* go into its page entry (``upload_time=...`` style)."""
        self.attributes[path.name] = {k.replace("_", "-"): v for k, v in attributes.items()}
        return self.add(path)

    def add(self, path: Path) -> str:
        self.files[path.name] = path.read_bytes()
        return f"{self.url}/{path.name}"

    def wheel_requests(self) -> list[str]:
        return [p for p in self.paths if p.endswith(".whl")]


class _Handler(http.server.BaseHTTPRequestHandler):
    served: Served

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        del format, args

    def do_GET(self) -> None:
        if not within_base(self, self.served.url):
            return
        wanted = self.served.credentials
        if wanted is not None:
            token = base64.b64encode(wanted.encode()).decode()
            if self.headers.get("Authorization") != f"Basic {token}":
                self.served.refused += 1
                self._send(401, b"", {"WWW-Authenticate": 'Basic realm="private"'})
                return
        self._get()

    def do_HEAD(self) -> None:
        """A file's length, as uv asks before it reads a wheel by ranges (graft asks none)."""
        data = self.served.files.get(self.path.strip("/").rpartition("/")[2])
        self.send_response(404 if data is None else 200)
        self.send_header("Content-Length", str(0 if data is None else len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()

    def _get(self) -> None:
        served = self.served
        path = self.path.strip("/")
        served.paths.append(self.path)
        if path.startswith("simple/"):
            with served._counting:
                served._under_way[0] += 1
                served.pages_at_once = max(served.pages_at_once, served._under_way[0])
            try:
                time.sleep(served.page_delay)
                if served.page_body is not None:
                    kind, body = served.page_body
                    self._send(200, body, {"Content-Type": kind})
                    return
                self._page(path.split("/")[1])
            finally:
                with served._counting:
                    served._under_way[0] -= 1
            return
        if path.endswith(".metadata") and served.pep658:
            data = served.files.get(path.removesuffix(".metadata"))
            self._send(404, b"") if data is None else self._send(200, metadata_of(data))
            return
        data = served.files.get(path)
        wanted = self.headers.get("Range")
        served.ranges.append(wanted)
        if served.fail_next > 0:
            served.fail_next -= 1
            self._send(503, b"")
            return
        if data is None:
            self._send(404, b"")
            return
        self._file(data, wanted)

    def _file(self, data: bytes, wanted: str | None) -> None:
        """*data* as asked: whole, or the range *wanted* names (or as ``mode`` misbehaves)."""
        served = self.served
        if served.cut:
            self._cut(data)
            return
        match = _RANGE.fullmatch(wanted or "")
        if match is None or served.mode == "ignore":
            self._send(200, data)
            return
        first, last = match.groups()
        if served.mode == "wrong-range":
            self._send(206, data[:100], {"Content-Range": f"bytes 0-99/{len(data)}"})
            return
        if not first:  # a suffix: the last N bytes
            if served.mode == "no-suffix":
                self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                return
            start, end = max(0, len(data) - int(last)), len(data) - 1
        else:
            start, end = int(first), min(int(last or len(data) - 1), len(data) - 1)
        headers = {"Content-Range": f"bytes {start}-{end}/{len(data)}"}
        self._send(206, data[start : end + 1], headers)

    def _cut(self, data: bytes) -> None:
        """Half of *data* under a Content-Length of all of it, then the connection closed."""
        import socket

        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _page(self, name: str) -> None:
        entries = []
        for filename, data in sorted(self.served.files.items()):
            if not filename.lower().startswith(name.replace("-", "_") + "-"):
                continue
            entry: dict[str, object] = {
                "filename": filename,
                "url": f"{self.served.url}/{filename}",
                "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                "size": len(data),  # PEP 700 (api-version 1.1); HTML pages leave it out
                **self.served.attributes.get(filename, {}),
            }
            if self.served.pep658 and filename.endswith(".whl"):  # (as PyPI: wheels only)
                digest = hashlib.sha256(metadata_of(data)).hexdigest()
                entry["core-metadata"] = {"sha256": digest}
            entries.append(entry)
        if self.served.html:
            body = _html_page(entries).encode()
            headers = {"Content-Type": "text/html"}
        else:
            page = {"meta": {"api-version": "1.1"}, "name": name, "files": entries}
            body = json.dumps(page).encode()
            headers = {"Content-Type": "application/vnd.pypi.simple.v1+json"}
        if self.served.etag:
            tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            headers["ETag"] = tag
            if self.headers.get("If-None-Match") == tag:
                self.served.pages.append(304)
                self._send(304, b"", headers)
                return
        self.served.pages.append(200)
        self._send(200, body, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.served.sent += len(body)  # counted first: the client may return before we do
        self.wfile.write(body)


def _html_page(entries: list[dict[str, object]]) -> str:
    """PEP 503 anchors with PEP 592/658 data attributes, as a simple HTML index writes them."""
    import html

    anchors = []
    for entry in entries:
        hashes = entry["hashes"]
        assert isinstance(hashes, dict)
        attrs = [f'href="{entry["url"]}#sha256={hashes["sha256"]}"']
        if "requires-python" in entry:
            attrs.append(f'data-requires-python="{html.escape(str(entry["requires-python"]))}"')
        yanked = entry.get("yanked")
        if yanked:
            reason = yanked if isinstance(yanked, str) else ""
            attrs.append(f'data-yanked="{html.escape(reason)}"')
        anchors.append(f"<a {' '.join(attrs)}>{entry['filename']}</a><br/>")
    return "<!DOCTYPE html><html><body>" + "\n".join(anchors) + "</body></html>"


def unique_url(port: int) -> str:
    """A base URL no other server of the test session had: the port plus a path of its own.

    The tests share one graft cache, which keeps index pages by URL, and a port freed by one
    test's server may be taken by a later one: without the path, the later server's pages
    could be answered from the earlier server's cache.
    """
    return f"http://127.0.0.1:{port}/{uuid.uuid4().hex[:12]}"


def within_base(handler: http.server.BaseHTTPRequestHandler, url: str) -> bool:
    """Strip *url*'s own path from the request's (answering 404 outside it)."""
    prefix = "/" + url.split("/", 3)[3]
    if handler.path != prefix and not handler.path.startswith(prefix + "/"):
        handler.send_error(404)
        return False
    handler.path = handler.path[len(prefix) :] or "/"
    return True


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # (socketserver's 5 makes a sixth connection at once wait 1 s)
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.tls is None:
            return sock, address
        # the handshake in the handler's thread, on its first read (a client that refuses
        # the certificate must not hold up the others)
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.tls is None or not isinstance(sys.exc_info()[1], (ssl.SSLError, OSError)):
            super().handle_error(request, client_address)  # (a refused handshake: not an error)


@contextmanager
def serve(tls: ssl.SSLContext | None = None) -> Iterator[Served]:
    """A server on 127.0.0.1 for the length of the ``with`` block (HTTPS with *tls*)."""
    state = Served()
    handler = type("Handler", (_Handler,), {"served": state})
    server = _Server(("127.0.0.1", 0), handler)
    server.tls = tls
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = unique_url(server.server_address[1])
    if tls is not None:
        state.url = "https" + state.url.removeprefix("http")
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_made(
    folder: Path, *, pep658: bool = False, tls: ssl.SSLContext | None = None
) -> Iterator[Served]:
    """:func:`serve`, with *folder* made for the wheels a test makes to add to it."""
    folder.mkdir(parents=True, exist_ok=True)
    with serve(tls) as served:
        served.pep658 = pep658
        yield served


@contextmanager
def serve_releases(
    folder: Path, releases: Iterable[tuple[str, str, tuple[str, ...]]]
) -> Iterator[Served]:
    """:func:`serve_made` with PEP 658, a wheel made for each ``(name, version, requires)``.

    Each wheel holds an empty package *name* and requires *requires*: a loopback index of a
    resolution's shape, for a search that backtracks (decisions 481, 483).
    """
    with serve_made(folder, pep658=True) as served:
        for name, version, requires in releases:
            served.add(
                make_wheel(folder, name, version, {f"{name}/__init__.py": ""}, requires=requires)
            )
        yield served
