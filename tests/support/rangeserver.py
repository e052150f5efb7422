"""A loopback file server and PEP 691 index that honours (or ignores) HTTP Range requests."""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def metadata_of(data: bytes) -> bytes:
    """The ``*.dist-info/METADATA`` of wheel bytes (the file a PEP 658 index serves)."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return archive.read(name)


@dataclass
class Served:
    """What the server offers and what it was asked.

    ``/<file>`` serves a file; ``/simple/<name>/`` a PEP 691 JSON page listing the files
    whose name starts with ``<name>-``; ``/<file>.metadata`` its METADATA when
    ``pep658`` is set (and then the pages announce it with its sha256).
    """

    files: dict[str, bytes] = field(default_factory=dict)
    mode: str = "ranges"  # "ranges", "ignore" (always 200), "no-suffix" (416 for bytes=-N)
    pep658: bool = False
    fail_next: int = 0  # answer this many file requests with 503 first
    paths: list[str] = field(default_factory=list)
    ranges: list[str | None] = field(default_factory=list)  # Range headers of file requests
    sent: int = 0
    url: str = ""

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
        served = self.served
        path = self.path.strip("/")
        served.paths.append(self.path)
        if path.startswith("simple/"):
            self._page(path.split("/")[1])
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
        match = _RANGE.fullmatch(wanted or "")
        if match is None or served.mode == "ignore":
            self._send(200, data)
            return
        first, last = match.groups()
        if not first:  # a suffix: the last N bytes
            if served.mode == "no-suffix":
                self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                return
            start, end = max(0, len(data) - int(last)), len(data) - 1
        else:
            start, end = int(first), min(int(last or len(data) - 1), len(data) - 1)
        headers = {"Content-Range": f"bytes {start}-{end}/{len(data)}"}
        self._send(206, data[start : end + 1], headers)

    def _page(self, name: str) -> None:
        entries = []
        for filename, data in sorted(self.served.files.items()):
            if not filename.lower().startswith(name.replace("-", "_") + "-"):
                continue
            entry: dict[str, object] = {
                "filename": filename,
                "url": f"/{filename}",
                "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
            }
            if self.served.pep658:
                digest = hashlib.sha256(metadata_of(data)).hexdigest()
                entry["core-metadata"] = {"sha256": digest}
            entries.append(entry)
        body = {"meta": {"api-version": "1.1"}, "name": name, "files": entries}
        headers = {"Content-Type": "application/vnd.pypi.simple.v1+json"}
        self._send(200, json.dumps(body).encode(), headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.served.sent += len(body)  # counted first: the client may return before we do
        self.wfile.write(body)


@contextmanager
def serve() -> Iterator[Served]:
    """A server on 127.0.0.1 for the length of the ``with`` block."""
    state = Served()
    handler = type("Handler", (_Handler,), {"served": state})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
