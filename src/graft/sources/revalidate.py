"""Index pages asked for again by their validators (HTTP revalidation, decision 85).

A cached page keeps the ETag and Last-Modified its answer gave, and the SHA-256 of its bytes
(:class:`graft.sources.index.Index`). :func:`conditional` asks for a page unless it still holds
them (the index's pages, with their retries: :func:`graft.sources.http.http_get`), and
:func:`unchanged` asks whether pages are still as they were, for ``graft.cli.change``, which
renews the pin record's steps by it, and a failed sync (:func:`unchanged_each`, page by page:
decision 226). Neither makes a dataclass: the change path imports no
``dataclasses``.
"""

from __future__ import annotations

import contextlib
import itertools

from graft._sha256 import sha256_hex
from graft.sources.urlimport import load as load_urllib
from graft.sources.urlimport import opener, timeout

TYPE_CHECKING = False
if TYPE_CHECKING:
    import urllib.error
    from collections.abc import Sequence

#: What an index page is asked for as: PEP 691 JSON, else PEP 503 HTML
ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
_INDEX_FLAGS = ("--index-url", "--extra-index-url")
_AT_ONCE = 8  # pages asked for side by side by :func:`unchanged` (as a resolution lists them)

#: a page's "etag" and "last-modified", as its answer gave them, and the "sha256" of its bytes;
#: or, for a page the index answered 404, only :data:`ABSENT`
Validators = dict[str, str]
ABSENT = "absent"


def give_back(answer: urllib.error.HTTPError) -> None:
    """Read a refusal's body to its end and close it: its connection can serve the next GET."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        answer.read()
        answer.close()


def conditional(validators: Validators) -> dict[str, str]:
    """The headers that ask for an index page, unless it still holds *validators* (HTTP 304)."""
    headers = {"Accept": ACCEPT}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last-modified"):
        headers["If-Modified-Since"] = validators["last-modified"]
    return headers


def unchanged(pages: list[tuple[str, Validators]], argv: Sequence[str] = ()) -> bool:
    """Whether every page of *pages* is as its validators say it was.

    *argv*: the command line of a fast path that parsed no options; the credentials of its
    ``--index-url`` and ``--extra-index-url`` (either spelling) are kept for their hosts
    (:func:`graft.sources.auth.keep`), as the full path keeps them.

    Each is asked for once, side by side, with its ETag and Last-Modified: an HTTP 304 says
    it is unchanged, and so does a page whose bytes have the SHA-256 it had (an index that
    gives no validators, or ignores them), or a 404 for a page that was one. Anything else
    (a new page, an error, no network) is False, for a caller that then asks through
    :func:`graft.sources.http.http_get` with its retries; so is a page with nothing to
    compare.
    """
    if not pages or not all(validators for _, validators in pages):
        return False
    return all(unchanged_each(pages, argv))


def unchanged_each(pages: list[tuple[str, Validators]], argv: Sequence[str] = ()) -> list[bool]:
    """:func:`unchanged`'s answer for each page of *pages* (each asked once, side by side).

    A page without validators is False (nothing to compare).
    """
    load_urllib()
    import http.client  # noqa: PLC0415 - (loaded by urllib.request)
    import urllib.error  # noqa: PLC0415
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    from graft.sources.auth import keep  # noqa: PLC0415
    from graft.sources.auth import request as authorized  # noqa: PLC0415

    for flag, value in itertools.pairwise(["", *argv]):
        name, eq, given = value.partition("=")
        if name in _INDEX_FLAGS and eq:
            keep(given)
        elif flag in _INDEX_FLAGS:
            keep(value)

    seconds = timeout()  # (GRAFT_HTTP_TIMEOUT; in this thread, where a bad value is said)

    def one(page: tuple[str, Validators]) -> bool:
        url, validators = page
        if not validators:
            return False
        try:
            with opener().open(authorized(url, conditional(validators)), timeout=seconds) as got:
                return "sha256" in validators and sha256_hex(got.read()) == validators["sha256"]
        except urllib.error.HTTPError as exc:
            give_back(exc)
            if exc.code == 404:  # noqa: PLR2004
                return ABSENT in validators  # (still no such project there)
            return exc.code == 304  # noqa: PLR2004
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException):
            return False  # (a body cut short: asked again by the sync, which says so)

    if not pages:
        return []
    with ThreadPoolExecutor(min(_AT_ONCE, len(pages)), thread_name_prefix="graft-pages") as pool:
        return list(pool.map(one, pages))


__all__ = [
    "ABSENT",
    "ACCEPT",
    "Validators",
    "conditional",
    "give_back",
    "unchanged",
    "unchanged_each",
]
