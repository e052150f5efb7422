"""A loopback simple index over the cached wheel files, so the network does not decide a run.

It serves what PyPI serves to installers, minus what this benchmark does not want to depend on:
the project list, one page per project as PEP 503 HTML or PEP 691 JSON (by the request's Accept
header), each file with its sha256 in the URL fragment (HTML) or `hashes` (JSON), and the files
themselves. No core metadata files (PEP 658) are announced, as this machine's PyPI announces
none; a single `Range` (`bytes=A-B`, `bytes=A-`, `bytes=-N`) is answered with 206 and
`Content-Range`, and every file says `Accept-Ranges: bytes`, as files.pythonhosted.org does
(checked with curl), so an installer can read a wheel's METADATA without downloading it.
Pages carry an ETag and `Cache-Control: max-age=600` as PyPI's do; files are immutable.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

if TYPE_CHECKING:
    from collections.abc import Iterator

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class IndexFile:
    """One file the index serves."""

    filename: str
    sha256: str
    size: int


def scan(directory: Path) -> dict[str, list[IndexFile]]:
    """Projects (normalized names) and their files (wheels, sdists) in `directory`, hashed once."""
    projects: dict[str, list[IndexFile]] = {}
    for path in sorted([*directory.glob("*.whl"), *directory.glob("*.tar.gz")]):
        if path.suffix == ".whl":
            name = canonicalize_name(parse_wheel_filename(path.name)[0])
        else:
            name = canonicalize_name(parse_sdist_filename(path.name)[0])
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entry = IndexFile(path.name, digest, path.stat().st_size)
        projects.setdefault(name, []).append(entry)
    return projects


def project_html(name: str, files: list[IndexFile]) -> bytes:
    """A PEP 503 page: one anchor per file, sha256 in the fragment."""
    links = "".join(
        f'<a href="/files/{html.escape(f.filename)}#sha256={f.sha256}">'
        f"{html.escape(f.filename)}</a><br/>\n"
        for f in files
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta name='pypi:repository-version' content='1.1'>"
        f"<title>Links for {html.escape(name)}</title></head><body>\n"
        f"<h1>Links for {html.escape(name)}</h1>\n{links}</body></html>\n"
    ).encode()


def project_json(name: str, files: list[IndexFile]) -> bytes:
    """A PEP 691 page: the same files with `hashes` and `size`."""
    doc = {
        "meta": {"api-version": "1.1"},
        "name": name,
        "files": [
            {
                "filename": f.filename,
                "url": f"/files/{f.filename}",
                "hashes": {"sha256": f.sha256},
                "size": f.size,
            }
            for f in files
        ],
    }
    return json.dumps(doc).encode()


def root_html(names: list[str]) -> bytes:
    links = "".join(f'<a href="/simple/{n}/">{n}</a><br/>\n' for n in names)
    return f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n".encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    projects: ClassVar[dict[str, list[IndexFile]]] = {}
    files_dir: ClassVar[Path] = Path()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the benchmark's output is its log."""

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, *, body: bool) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith("/files/"):
            self._file(path.removeprefix("/files/"), body=body)
            return
        parts = [p for p in path.split("/") if p]
        if parts == ["simple"]:
            self._page(root_html(sorted(self.projects)), HTML_TYPE, body=body)
            return
        if len(parts) == 2 and parts[0] == "simple":
            name = canonicalize_name(parts[1])
            files = self.projects.get(name)
            if files is None:
                self._status(404, body=body)
            elif JSON_TYPE in self.headers.get("Accept", ""):
                self._page(project_json(name, files), JSON_TYPE, body=body)
            else:
                self._page(project_html(name, files), HTML_TYPE, body=body)
            return
        self._status(404, body=body)

    def _page(self, data: bytes, ctype: str, *, body: bool) -> None:
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "max-age=600, public")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _file(self, filename: str, *, body: bool) -> None:
        path = self.files_dir / filename
        if "/" in filename or not path.is_file():
            self._status(404, body=body)
            return
        size = path.stat().st_size
        span = byte_range(self.headers.get("Range"), size)
        if span == ():
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = span or (0, size - 1)
        self.send_response(206 if span else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end + 1 - start))
        if span:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "max-age=365000000, immutable, public")
        self.end_headers()
        if body:
            with path.open("rb") as f:
                f.seek(start)
                left = end + 1 - start
                while left > 0 and (chunk := f.read(min(left, 1 << 20))):
                    self.wfile.write(chunk)
                    left -= len(chunk)

    def _status(self, code: int, *, body: bool) -> None:
        data = f"{code}\n".encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)


def byte_range(header: str | None, size: int) -> tuple[int, int] | tuple[()] | None:
    """The inclusive span one HTTP `Range` header asks of a file of *size* bytes (RFC 9110).

    None: no header, or one this server ignores (several ranges, another unit), so the whole
    file is sent with 200. ``()``: a range no byte of the file satisfies (416).
    """
    if header is None or not header.startswith("bytes=") or "," in header:
        return None
    first, dash, last = header.removeprefix("bytes=").strip().partition("-")
    if (
        not dash
        or not (first or last)
        or not (first or "0").isdigit()
        or not (last or "0").isdigit()
    ):
        return None
    if not first:  # a suffix: the last N bytes
        n = int(last)
        return (max(0, size - n), size - 1) if n and size else ()
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return ()
    return start, end


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: more connections opened at once than that
    # (a client's threads asking for pages side by side) wait for the kernel's one-second
    # SYN retry. An index on the network accepts far more (Linux's default: 4096).
    request_queue_size = 128


@contextmanager
def serve(files_dir: Path) -> Iterator[str]:
    """Serve `files_dir` on a free loopback port; yields the simple API root URL."""
    handler = type("Handler", (_Handler,), {"projects": scan(files_dir), "files_dir": files_dir})
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="bench-index", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def link_files(sources: list[Path], dest: Path) -> None:
    """Gather the files of `sources` into `dest` (hard links, copies across filesystems)."""
    dest.mkdir(parents=True, exist_ok=True)
    for src in sources:
        for wheel in [*src.glob("*.whl"), *src.glob("*.tar.gz")]:
            target = dest / wheel.name
            if target.exists():
                continue
            try:
                os.link(wheel, target)
            except OSError:
                target.write_bytes(wheel.read_bytes())
