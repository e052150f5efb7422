"""Downloading wheels into the content-addressed download cache, resuming interrupted transfers.

``<cache>/wheels/<sha256>/<filename>`` appears by one rename of a complete, hash-checked
file. Until then the bytes live in ``wheels/.partial/<key>.part``, with the response's
validators (ETag, Last-Modified) in ``<key>.json`` beside it, *key* being the expected
sha256 (or, when nothing vouches for one, a hash of the URL). A later download of the same
file continues the part with ``Range: bytes=N-`` and ``If-Range``. Every process works on a
part only under ``wheels/.locks/<key>.lock`` (never removed, like the store's lock files), so
several graft processes sharing the cache fetch each file once, one after another.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from typing import TYPE_CHECKING

from graft._atomic import write_atomic
from graft._sha256 import sha256_hex
from graft.errors import SourceError
from graft.sources.urlimport import failure, failure_hint, opener, timeout, untrusted
from graft.sources.urlimport import load as load_urllib

if TYPE_CHECKING:
    from collections.abc import Callable
    from http.client import HTTPResponse

    from graft.sources.candidates import Candidate

_RETRIES = 3
_CHUNK = 1 << 16
_PARTIAL = 206
_RANGE_NOT_SATISFIABLE = 416


def cached_path(candidate: Candidate, cache_dir: str) -> str | None:
    """Where *candidate* lies in the download cache, if its sha256 is known and it is there."""
    if not candidate.sha256:
        return None
    path = os.path.join(cache_dir, "wheels", candidate.sha256, candidate.filename)
    return path if os.path.isfile(path) else None


def part_paths(candidate: Candidate, cache_dir: str) -> tuple[str, str]:
    """The partial file of *candidate* and the JSON file of its validators."""
    key = candidate.sha256 or "url-" + sha256_hex(candidate.url.encode())[:40]
    stem = os.path.join(cache_dir, "wheels", ".partial", key)
    return stem + ".part", stem + ".json"


def download(
    candidate: Candidate, cache_dir: str, on_bytes: Callable[[int], None] | None = None
) -> tuple[str, str]:
    """Fetch *candidate* into the content-addressed download cache; return (path, sha256)."""
    hit = cached_path(candidate, cache_dir)
    if hit is not None:
        return hit, candidate.sha256 or ""
    from graft._fs import FileLock  # noqa: PLC0415

    part, _ = part_paths(candidate, cache_dir)
    locks = os.path.join(cache_dir, "wheels", ".locks")
    try:
        os.makedirs(os.path.dirname(part), exist_ok=True)
        os.makedirs(locks, exist_ok=True)
    except OSError as exc:
        from graft.errors import cache_unwritable  # noqa: PLC0415

        raise cache_unwritable(exc, cache_dir) from None
    with FileLock(os.path.join(locks, os.path.basename(part)[: -len(".part")] + ".lock")):
        hit = cached_path(candidate, cache_dir)  # another process finished it while we waited
        if hit is not None:
            _discard(candidate, cache_dir)
            return hit, candidate.sha256 or ""
        sha256, resumed = _transfer(candidate, cache_dir, on_bytes)
        if candidate.sha256 and sha256 != candidate.sha256 and resumed:
            # The kept prefix is the likeliest culprit (a crash can leave garbage at the end
            # of a file): throw the part away and fetch the whole file once more.
            _discard(candidate, cache_dir)
            sha256, _ = _transfer(candidate, cache_dir, on_bytes)
        if candidate.sha256 and sha256 != candidate.sha256:
            _discard(candidate, cache_dir)
            raise _mismatch(candidate, sha256, resumed)
        final_dir = os.path.join(cache_dir, "wheels", sha256)
        os.makedirs(final_dir, exist_ok=True)
        final = os.path.join(final_dir, candidate.filename)
        os.replace(part, final)
        _discard(candidate, cache_dir)
    return final, sha256


def _mismatch(candidate: Candidate, sha256: str, resumed: bool) -> SourceError:
    again = (
        ", also after deleting a resumed partial download and fetching it whole" if resumed else ""
    )
    if candidate.origin:
        return SourceError(
            f"{candidate.filename} has sha256 {sha256}, not the hash given here{again}",
            where=candidate.origin,
            hint="the file changed, or the hash is wrong; nothing was installed",
        )
    return SourceError(
        f"downloaded file does not match the index's sha256{again}",
        where=candidate.url,
        hint="retry; if it persists the index or a proxy serves a different file",
    )


def _discard(candidate: Candidate, cache_dir: str) -> None:
    for path in part_paths(candidate, cache_dir):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _transfer(
    candidate: Candidate, cache_dir: str, on_bytes: Callable[[int], None] | None
) -> tuple[str, bool]:
    """Complete the part file, resuming it when possible.

    Its sha256, and whether it was continued from bytes of an earlier connection (this run's
    or another's).
    """
    from http.client import HTTPException  # noqa: PLC0415

    last_error: Exception = OSError("no attempt")
    for attempt in range(_RETRIES):
        try:
            return _attempt(candidate, cache_dir, on_bytes)
        except (OSError, HTTPException) as exc:  # what is on disk stays for the next attempt
            last_error = exc
            if untrusted(exc):  # (no attempt makes the certificate one TLS accepts)
                break
            if attempt < _RETRIES - 1:
                time.sleep(0.5 * 2**attempt)
    raise SourceError(
        f"download failed ({failure(last_error)})",
        where=candidate.url,
        hint=failure_hint(last_error, "check the network, and run the command again"),
    )


def _validators(candidate: Candidate, state_path: str) -> dict[str, str] | None:
    """Headers that resume the part, or None when it must start again from zero."""
    try:
        with open(state_path, encoding="utf-8") as fh:
            state = json.load(fh)
    except (OSError, ValueError):
        state = {}
    if not isinstance(state, dict) or state.get("url") != candidate.url:
        state = {}
    headers = {}
    etag, modified = state.get("etag") or "", state.get("last_modified") or ""
    if etag and not etag.startswith("W/"):  # If-Range takes only a strong validator
        headers["If-Range"] = etag
    elif modified:
        headers["If-Range"] = modified
    if not headers and not candidate.sha256:
        return None  # nothing could tell a spliced file from the real one
    return headers


def _attempt(
    candidate: Candidate, cache_dir: str, on_bytes: Callable[[int], None] | None
) -> tuple[str, bool]:

    part, state = part_paths(candidate, cache_dir)
    try:
        have = os.path.getsize(part)
    except OSError:
        have = 0
    headers = _validators(candidate, state) if have else None
    if headers is None:
        have, headers = 0, {}
    else:
        headers["Range"] = f"bytes={have}-"
    load_urllib()  # imported on first use, under a lock (download threads)
    from urllib.error import HTTPError  # noqa: PLC0415

    from graft.sources.auth import request as authorized  # noqa: PLC0415

    request = authorized(candidate.url, headers)
    try:
        response = opener().open(request, timeout=timeout())
    except HTTPError as exc:
        if exc.code != _RANGE_NOT_SATISFIABLE or not have:
            raise
        exc.close()
        _discard(candidate, cache_dir)  # the part is longer than the file: start again
        return _attempt(candidate, cache_dir, on_bytes)
    with response:
        return _receive(response, candidate, cache_dir, have, on_bytes)


def _receive(
    response: HTTPResponse,
    candidate: Candidate,
    cache_dir: str,
    have: int,
    on_bytes: Callable[[int], None] | None,
) -> tuple[str, bool]:
    import hashlib  # noqa: PLC0415 - OpenSSL's, for whole files; not loaded by a cache hit

    part, state = part_paths(candidate, cache_dir)
    digest = hashlib.sha256()
    appending = bool(have) and response.status == _PARTIAL
    if appending and _range_start(response.headers.get("Content-Range")) != have:
        _discard(candidate, cache_dir)  # the next attempt asks for the whole file
        raise OSError(f"server answered range {response.headers.get('Content-Range')!r}")
    if response.status == _PARTIAL and not appending:
        raise OSError("server sent part of a file that was asked for whole")
    if appending:
        with open(part, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    # Validators first: bytes written after them can be continued by a later run.
    etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    write_atomic(state, json.dumps({"url": candidate.url, "etag": etag, "last_modified": modified}))
    received = 0
    with open(part, "ab" if appending else "wb") as out:
        while chunk := response.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            received += len(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and received < int(length):  # http.client returns short reads quietly
        raise OSError(f"connection closed after {received} of {length} bytes")
    return digest.hexdigest(), appending


def _range_start(content_range: str | None) -> int | None:
    """The first byte of ``Content-Range: bytes N-M/T``."""
    unit, _, rest = (content_range or "").partition(" ")
    start = rest.partition("-")[0]
    return int(start) if unit == "bytes" and start.isdigit() else None
