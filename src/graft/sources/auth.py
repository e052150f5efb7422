"""Credentials for private indexes, as pip and uv find them: in the URL, or in ``~/.netrc``.

``--index-url https://user:token@host/simple/`` is how most private indexes are named, and
their pages link to files on the same host without the credentials. So an index URL is
split where it enters graft (:func:`keep`): the URL graft uses, caches and prints has no
userinfo, and the credentials are kept (in this process only) for its host, where every
request to that host finds them (:func:`request`). A host without credentials in a URL is
looked up in the netrc file (``$NETRC``, else ``~/.netrc``), as pip and uv do. Credentials
are sent as HTTP Basic authentication, never written to a cache, a lock or a message.
"""

from __future__ import annotations

import base64
import os
import threading
import urllib.parse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from urllib.request import Request

_KEPT: dict[str, tuple[str, str]] = {}  # netloc (host[:port], no userinfo) -> user, password
_NETRC: list[dict[str, tuple[str, str]]] = []  # parsed once: host -> login, password
_LOCK = threading.Lock()


def keep(url: str) -> str:
    """*url* without its userinfo; the credentials it held are kept for its host."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    with _LOCK:
        _KEPT[host] = (urllib.parse.unquote(user), urllib.parse.unquote(password))
    return urllib.parse.urlunsplit(parts._replace(netloc=host))


def request(url: str, headers: dict[str, str]) -> Request:
    """A ``urllib`` request for *url*, with the credentials its host has, if any.

    The caller has loaded ``urllib.request`` (:mod:`graft.sources.urlimport`).
    """
    from urllib.request import Request  # noqa: PLC0415 - loaded by the caller

    url = keep(url)  # a direct URL (name @ https://user:token@host/x.whl) names its own
    parts = urllib.parse.urlsplit(url)
    with _LOCK:
        found = _KEPT.get(parts.netloc)
    if found is None and parts.hostname is not None and parts.scheme in ("http", "https"):
        found = _from_netrc(parts.hostname)
    if found is not None:
        token = base64.b64encode(f"{found[0]}:{found[1]}".encode()).decode("ascii")
        headers = {**headers, "Authorization": f"Basic {token}"}
    return Request(url, headers=headers)  # noqa: S310 - http(s) and file URLs of indexes


def _from_netrc(host: str) -> tuple[str, str] | None:
    """The login and password the netrc file gives *host* (or its ``default``), if any."""
    with _LOCK:
        if not _NETRC:
            _NETRC.append(_read_netrc())
        table = _NETRC[0]
    return table.get(host) or table.get("")


def _read_netrc() -> dict[str, tuple[str, str]]:
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.isfile(path):
        return {}
    import netrc  # noqa: PLC0415 - only where a netrc file exists

    try:
        parsed = netrc.netrc(path)
    except (OSError, netrc.NetrcParseError):
        return {}  # as pip: a netrc that cannot be read gives no credentials
    table = {host: (login, password) for host, (login, _, password) in parsed.hosts.items()}
    default = parsed.hosts.get("default")
    if default is not None:
        table[""] = (default[0], default[2])
    return table
