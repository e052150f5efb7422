"""HTTP GET for the index client: retries with backoff, 304 and 404 answered, one-line errors.

Apart from :mod:`graft.sources.index` and :mod:`graft.sources.simple_api`, which a sync whose
index pages are cached and fresh imports without asking the network: such a sync never creates
:class:`Response` (a frozen dataclass costs about 1 ms to create on CPython 3.11; decision 51).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from graft.errors import SourceError
from graft.sources.revalidate import give_back
from graft.sources.urlimport import failure, failure_hint, opener, timeout, untrusted
from graft.sources.urlimport import load as load_urllib

TYPE_CHECKING = False


_RETRIES = 3


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP answer: its status (200 or 304), body, content type and validators."""

    status: int
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None


def http_get(
    url: str,
    headers: dict[str, str] | None = None,
    *,
    keyring_asked: bool = False,
    source: str = "the index",
) -> Response | None:
    """GET *url* with retries and backoff; None on HTTP 404.

    *source* names what answers in errors ("the index"; a requirements file's URL is not one).
    A 304 (the request's validators still hold) is an answer with an empty body. A 401 asks
    the keyring for the host's credentials (when it is on) and the request is made once more.
    """
    load_urllib()  # imported on first use, under a lock (threads)
    import http.client  # noqa: PLC0415 - (loaded by urllib.request)
    import urllib.error  # noqa: PLC0415 - (urllib.response, tempfile: not for cached pages)

    from graft.sources.auth import from_keyring  # noqa: PLC0415
    from graft.sources.auth import request as authorized  # noqa: PLC0415

    request = authorized(url, headers or {})
    index = source == "the index"  # (its hints name index options)
    for attempt in range(_RETRIES):
        try:
            with opener().open(request, timeout=timeout()) as response:
                return Response(
                    response.status,
                    response.read(),
                    response.headers.get("Content-Type", ""),
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                )
        except urllib.error.HTTPError as exc:
            if exc.code == 304:  # noqa: PLR2004
                give_back(exc)
                return Response(304, b"", "")
            if exc.code == 404:  # noqa: PLR2004
                return None
            if exc.code == 401 and not keyring_asked and from_keyring(url):  # noqa: PLR2004
                # with its credentials
                return http_get(url, headers, keyring_asked=True, source=source)
            if exc.code in {401, 403}:  # no retry makes credentials appear
                raise SourceError(
                    f"{source} answered HTTP {exc.code}",
                    where=url,
                    hint="a private index: give its credentials in the URL"
                    " (https://user:token@host/simple/), in ~/.netrc, or by"
                    " --keyring-provider subprocess"
                    if index
                    else "give the credentials in the URL (https://user:token@host/...)"
                    " or in ~/.netrc",
                ) from None
            if attempt == _RETRIES - 1:
                raise SourceError(f"{source} answered HTTP {exc.code}", where=url) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            # (a body cut short, IncompleteRead, is an HTTPException: asked again too; a
            # certificate not trusted is not)
            if attempt == _RETRIES - 1 or untrusted(exc):
                raise SourceError(
                    f"cannot reach {source} ({failure(exc)})",
                    where=url,
                    hint=failure_hint(
                        exc,
                        "check the network, or use --find-links DIR --no-index"
                        if index
                        else "check the network, or give a local copy of the file",
                    ),
                ) from None
        time.sleep(0.5 * 2**attempt)
    raise AssertionError  # unreachable: the last attempt returns or raises
