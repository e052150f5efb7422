"""A simple repository's pages read into rows (PEP 503 HTML, PEP 691 JSON).

Each file a page lists becomes one row of what graft reads: its hash, ``requires-python``,
PEP 592 yanked, PEP 700 upload time and size, and the core metadata file beside it
(PEP 658/714). A page comes over HTTP (:func:`graft.sources.http.http_get`, with its
validators) or from a local directory laid out as a repository. The page cache is
:class:`graft.sources.index.Index`'s.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from typing import Any

from graft._sha256 import sha256_hex
from graft.errors import SourceError, UsageError

#: Hashes of a metadata file graft verifies, in order of preference (pip's strong hashes).
_METADATA_HASHES = ("sha256", "sha384", "sha512")


def advertised_metadata(value: object) -> str | None:
    """The ``Candidate.core_metadata`` spelling of what a page says about a metadata file.

    *value* is the PEP 691 JSON value (``true``, ``false`` or a hash mapping) or the PEP 658
    HTML attribute (``"true"``, ``"<algorithm>=<hex>"``; ``None`` for a bare attribute).
    A malformed value still announces the file, without a hash, as pip reads it.
    """
    if value is False or value == "false":
        return None
    if isinstance(value, dict):
        hashes = {str(k).lower(): v for k, v in value.items() if isinstance(v, str)}
    elif isinstance(value, str) and "=" in value:
        algorithm, _, digest = value.partition("=")
        hashes = {algorithm.strip().lower(): digest.strip()}
    else:
        hashes = {}
    for algorithm in _METADATA_HASHES:
        digest = hashes.get(algorithm, "")
        if digest and all(ch in "0123456789abcdefABCDEF" for ch in digest):
            return f"{algorithm}={digest.lower()}"
    return ""


def _html_metadata(attrs: dict[str, str | None]) -> str | None:
    # PEP 714: data-core-metadata, else the older data-dist-info-metadata (PEP 658)
    for key in ("data-core-metadata", "data-dist-info-metadata"):
        if key in attrs:
            return advertised_metadata(attrs[key])
    return None


def _json_metadata(entry: dict[str, Any]) -> str | None:
    # PEP 714: core-metadata, else the older dist-info-metadata (PEP 691 as first published)
    for key in ("core-metadata", "dist-info-metadata"):
        if key in entry:
            return advertised_metadata(entry[key])
    return None


def _index_url(url: str) -> str:
    """An index URL as given, or a local directory's path as a ``file://`` URL (as pip, uv)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("http", "https", "file"):
        if "@" not in parts.netloc:
            return url
        from graft.sources.auth import keep  # noqa: PLC0415

        return keep(url)  # https://user:token@host/simple/: the token is kept for the host
    if not parts.scheme and os.path.isdir(url):
        return "file://" + urllib.parse.quote(os.path.abspath(url)) + "/"
    raise UsageError(
        f"index URL {url!r} is not an http://, https:// or file:// URL, nor a directory",
        hint="give --index-url/--extra-index-url a simple repository (https://pypi.org/simple/,"
        " or a local directory laid out as one); a directory of wheels: --find-links",
    )


def _local_path(url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path)


def _local_page(url: str) -> list[list[Any]]:
    """A project's page in a local PEP 503 tree: ``<project>/index.html``, as pip reads it.

    No page is no project. The files' links become local paths, so the wheels are used where
    they lie (as from ``--find-links``), never copied into the download cache.
    """
    path = _local_path(url)
    if os.path.isdir(path):
        path = os.path.join(path, "index.html")
    try:
        with open(path, "rb") as fh:
            body = fh.read()
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise SourceError(f"cannot read the index page ({exc.strerror})", where=path) from None
    rows = _html_rows(url, body)
    for row in rows:
        if row[1].startswith("file:"):
            row[1] = _local_path(row[1])
    return rows


def _get_page(
    url: str, validators: dict[str, str]
) -> tuple[list[list[Any]], dict[str, str]] | None:
    """The page at *url* as rows and its validators; None when it is unchanged (HTTP 304)."""
    from graft.sources.http import http_get  # noqa: PLC0415 - (cached pages need none)
    from graft.sources.revalidate import ABSENT, conditional  # noqa: PLC0415

    got = http_get(url, headers=conditional(validators))
    if got is None:  # HTTP 404: no such project here (asked again, it must be absent again)
        return [], {ABSENT: "404"}
    if got.status == 304:  # noqa: PLR2004
        return None
    fresh = {k: v for k, v in (("etag", got.etag), ("last-modified", got.last_modified)) if v}
    fresh["sha256"] = sha256_hex(got.body)  # (an index without validators: compared by bytes)
    kind = got.content_type.partition(";")[0].strip().lower()
    if "json" in kind:
        return _json_rows(url, got.body), fresh
    if kind and "html" not in kind:  # (a page without a Content-Type is read as HTML)
        raise SourceError(
            f"the index answered with Content-Type {kind!r}, not a PEP 503 HTML or PEP 691"
            " JSON page",
            where=url,
            hint="check that --index-url names a simple repository (PEP 503/691)",
        )
    return _html_rows(url, got.body), fresh


def _yanked(value: object) -> str | None:
    """PEP 592: None when not yanked; the reason (maybe "") when yanked."""
    if value is None or value is False:
        return None
    return value if isinstance(value, str) else ""


def _not_pep691(url: str, problem: str) -> SourceError:
    return SourceError(
        f"the index's page is not PEP 691 JSON ({problem}); nothing of it was kept",
        where=url,
        hint="run the command again (a page cut short); if it persists, the index or a proxy"
        " in between is broken",
    )


def _json_rows(url: str, body: bytes) -> list[list[Any]]:
    """A PEP 691 page's rows; a page that is not valid JSON of its shape is one error.

    What graft reads must have its type (``files`` a list of objects, each with string
    ``filename`` and ``url``, ``hashes`` an object); what decides what is installed must
    have PEP 691's type too, as uv 0.13.9 requires it (decision 295): a ``sha256`` that is
    not a string (read as none, the download went unchecked), a ``requires-python`` that is
    not a string (read as none, a wheel for another Python could be taken), a ``yanked``
    neither a boolean nor a reason. What graft reads only as a hint (``size``,
    ``upload-time``: unknown when malformed, which ``--exclude-newer`` leaves out; a
    ``core-metadata`` of another type: announced without a hash, as pip reads it) and what
    it does not read (``meta``, ``name``, ``versions``: pip and uv accept them malformed or
    missing, an ``api-version`` of 2.0 too) is left alone.
    """
    try:
        data = json.loads(body)
    except ValueError as exc:  # (JSONDecodeError, UnicodeDecodeError)
        raise _not_pep691(url, f"not JSON: {exc}") from None
    files = data.get("files") if isinstance(data, dict) else None
    if isinstance(data, dict) and "files" not in data:
        raise _not_pep691(url, "no 'files'")  # (a project without files lists none: [])
    if not isinstance(files, list):
        raise _not_pep691(url, "its 'files' is not a list")
    rows = []
    for f in files:
        hashes = f.get("hashes", {}) if isinstance(f, dict) else None
        if not isinstance(f, dict) or not isinstance(hashes, dict):
            raise _not_pep691(url, f"a file that is not an object with hashes: {str(f)[:80]}")
        filename, link, sha256 = f.get("filename"), f.get("url"), hashes.get("sha256")
        if not isinstance(filename, str) or not isinstance(link, str):
            raise _not_pep691(url, f"a file without a filename and url: {str(f)[:80]}")
        requires_python, yanked = f.get("requires-python"), f.get("yanked")
        if not isinstance(sha256, (str, type(None))):
            raise _not_pep691(url, f"{filename}: its sha256 is not a string: {sha256!r:.40}")
        if not isinstance(requires_python, (str, type(None))):
            raise _not_pep691(
                url, f"{filename}: requires-python is not a string: {requires_python!r:.40}"
            )
        if not isinstance(yanked, (bool, str, type(None))):
            raise _not_pep691(
                url, f"{filename}: yanked is not true, false or a reason: {yanked!r:.40}"
            )
        upload = f.get("upload-time")
        rows.append(
            [
                filename,
                _absolute(url, link),
                sha256,
                requires_python or None,
                _yanked(yanked),
                upload if isinstance(upload, str) else None,
                _json_metadata(f),
                _size(f.get("size")),
            ]
        )
    return rows


def _size(value: object) -> int | None:
    """PEP 700's ``size``: a non-negative integer, else unknown."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _absolute(page: str, link: str) -> str:
    """A file's URL as ``urljoin`` gives it, without its cost for the usual absolute link.

    PyPI links every file absolutely (``https://files.pythonhosted.org/...``), and
    ``urljoin`` returns such a link unchanged; on a page of thousands of files it was most of
    the parse (0.2 s of 0.27 s for botocore's 4,990).
    """
    if link.startswith(("https://", "http://")):
        return link
    return urllib.parse.urljoin(page, link)


def _html_rows(url: str, body: bytes) -> list[list[Any]]:
    from graft.sources.anchors import Anchors  # noqa: PLC0415 - HTML pages only (html.parser)

    parser = Anchors()
    parser.feed(body.decode("utf-8", "replace"))
    rows = []
    for text, attrs in parser.links:
        link, _, fragment = (attrs["href"] or "").partition("#")
        sha256 = fragment.removeprefix("sha256=") if fragment.startswith("sha256=") else None
        filename = text or urllib.parse.unquote(link.rsplit("/", 1)[-1])
        yanked = attrs["data-yanked"] or "" if "data-yanked" in attrs else None
        rows.append(
            [
                filename,
                _absolute(url, link),
                sha256,
                attrs.get("data-requires-python") or None,
                yanked,
                None,  # HTML pages carry no upload time (PEP 700 is JSON only)
                _html_metadata(attrs),
                None,  # nor a size
            ]
        )
    return rows
